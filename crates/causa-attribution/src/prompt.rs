//! Prompt templates: Markdown files in `prompts/attribution/`, embedded at build time so the
//! binary is self-contained, and overridable from a directory at run time so prompt work needs
//! no rebuild. Substitution is a single left-to-right pass over `{{name}}` placeholders: values
//! are never re-scanned, so a log that contains `{{question}}` stays literal text.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{AttributionError, Result};

/// The templates and the placeholders each may use.
const TEMPLATES: &[(&str, &str, &[&str])] = &[
    ("system", include_str!("../../../prompts/attribution/system.md"), &[]),
    (
        "all_at_once",
        include_str!("../../../prompts/attribution/all_at_once.md"),
        &["question", "ground_truth", "agents", "window", "log"],
    ),
    (
        "a2p",
        include_str!("../../../prompts/attribution/a2p.md"),
        &["question", "ground_truth", "agents", "window", "log"],
    ),
    (
        "step_by_step",
        include_str!("../../../prompts/attribution/step_by_step.md"),
        &["question", "ground_truth", "context", "log", "step", "agent"],
    ),
    (
        "binary_search",
        include_str!("../../../prompts/attribution/binary_search.md"),
        &["question", "ground_truth", "log", "first_start", "first_end", "second_start", "second_end"],
    ),
];

/// The environment variable naming a directory of template overrides.
pub const PROMPTS_ENV: &str = "CAUSA_PROMPTS";

/// A set of templates, keyed by name (`system`, `all_at_once`, `a2p`, `step_by_step`,
/// `binary_search`).
#[derive(Debug, Clone)]
pub struct Prompts {
    templates: BTreeMap<&'static str, String>,
}

impl Default for Prompts {
    fn default() -> Self {
        Self::embedded()
    }
}

impl Prompts {
    /// The templates compiled into the binary.
    pub fn embedded() -> Self {
        Self { templates: TEMPLATES.iter().map(|(name, text, _)| (*name, text.to_string())).collect() }
    }

    /// The embedded templates, with `DIR/attribution/NAME.md` or `DIR/NAME.md` replacing a
    /// template where such a file exists. Every override is checked for unknown placeholders.
    pub fn with_overrides(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(AttributionError::Prompt {
                name: dir.display().to_string(),
                reason: "the prompts directory does not exist".into(),
            });
        }
        let mut prompts = Self::embedded();
        for (name, _, allowed) in TEMPLATES {
            let candidates =
                [dir.join("attribution").join(format!("{name}.md")), dir.join(format!("{name}.md"))];
            let Some(path) = candidates.iter().find(|p| p.is_file()) else { continue };
            let text = std::fs::read_to_string(path).map_err(|e| AttributionError::Prompt {
                name: (*name).to_string(),
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            for placeholder in placeholders(&text) {
                if !allowed.contains(&placeholder.as_str()) {
                    return Err(AttributionError::Prompt {
                        name: (*name).to_string(),
                        reason: format!(
                            "{} uses the unknown placeholder {{{{{placeholder}}}}}; allowed: {}",
                            path.display(),
                            allowed.join(", ")
                        ),
                    });
                }
            }
            prompts.templates.insert(name, text);
        }
        Ok(prompts)
    }

    /// Overrides from `dir` if given, else from `$CAUSA_PROMPTS` if set, else the embedded ones.
    pub fn resolve(dir: Option<&Path>) -> Result<Self> {
        match dir {
            Some(dir) => Self::with_overrides(dir),
            None => match std::env::var_os(PROMPTS_ENV).filter(|v| !v.is_empty()) {
                Some(dir) => Self::with_overrides(Path::new(&dir)),
                None => Ok(Self::embedded()),
            },
        }
    }

    /// Renders template `name` with `values`; a placeholder without a value is an error.
    pub fn render(&self, name: &str, values: &[(&str, &str)]) -> Result<String> {
        let template = self.templates.get(name).ok_or_else(|| AttributionError::Prompt {
            name: name.to_string(),
            reason: "no such template".into(),
        })?;
        render_template(name, template, values)
    }
}

/// Fills the `{{name}}` placeholders of `template` (named `name` in errors) in one left-to-right
/// pass; values are never re-scanned. A placeholder without a value is an error. Shared with the
/// other prompt sets (the benchmark prompts) so every template follows one substitution rule.
pub fn render_template(name: &str, template: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let key = after[..close].trim();
        let value = values.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).ok_or_else(|| {
            AttributionError::Prompt {
                name: name.to_string(),
                reason: format!("no value for the placeholder {{{{{key}}}}}"),
            }
        })?;
        out.push_str(value);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The placeholder names a template uses, in order of appearance.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        found.push(after[..close].trim().to_string());
        rest = &after[close + 2..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_is_single_pass() {
        let prompts = Prompts::embedded();
        let text = prompts
            .render(
                "step_by_step",
                &[
                    ("question", "Q {{agent}}"),
                    ("ground_truth", ""),
                    ("context", "ctx"),
                    ("log", "L"),
                    ("step", "4"),
                    ("agent", "Coder"),
                ],
            )
            .unwrap();
        assert!(text.contains("Q {{agent}}"), "{text}");
        assert!(text.contains("Is step 4 (by Coder)"), "{text}");
    }

    #[test]
    fn missing_values_and_unknown_overrides_are_errors() {
        let prompts = Prompts::embedded();
        let err = prompts.render("a2p", &[("question", "q")]).unwrap_err().to_string();
        assert!(err.contains("{{ground_truth}}") && err.contains("a2p"), "{err}");
        let dir = std::env::temp_dir().join(format!("causa-prompts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a2p.md"), "Hi {{nonsense}}").unwrap();
        let err = Prompts::with_overrides(&dir).unwrap_err().to_string();
        assert!(err.contains("{{nonsense}}") && err.contains("a2p"), "{err}");
        std::fs::write(dir.join("a2p.md"), "Custom {{log}}").unwrap();
        let prompts = Prompts::with_overrides(&dir).unwrap();
        let text = prompts.render("a2p", &[("log", "X")]).unwrap();
        assert_eq!(text, "Custom X");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
