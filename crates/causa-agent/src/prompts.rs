//! Prompt templates: Markdown files in `prompts/agent/`, embedded at build time so the binary is
//! self-contained, and overridable from a directory at run time (`DIR/agent/NAME.md` or
//! `DIR/NAME.md`, or `$CAUSA_PROMPTS`) so prompt work needs no rebuild. Substitution is one
//! left-to-right pass over `{{name}}` placeholders: values are never re-scanned, so a column
//! named `{{question}}` stays literal text.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{AgentError, Result};

/// The templates and the placeholders each may use.
const TEMPLATES: &[(&str, &str, &[&str])] = &[
    ("system", include_str!("../../../prompts/agent/system.md"), &[]),
    (
        "task",
        include_str!("../../../prompts/agent/task.md"),
        &["question", "files", "datasets", "findings", "plan"],
    ),
];

/// The environment variable naming a directory of template overrides (shared with attribution).
pub const PROMPTS_ENV: &str = "CAUSA_PROMPTS";

/// The agent's templates, keyed by name (`system`, `task`).
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
        Self { templates: TEMPLATES.iter().map(|(name, text, _)| (*name, (*text).to_string())).collect() }
    }

    /// The embedded templates with overrides from `dir`; every override is checked for unknown
    /// placeholders.
    pub fn with_overrides(dir: &Path) -> Result<Self> {
        let error = |name: &str, reason: String| AgentError::Prompt { name: name.to_string(), reason };
        if !dir.is_dir() {
            return Err(error(&dir.display().to_string(), "the prompts directory does not exist".into()));
        }
        let mut prompts = Self::embedded();
        for (name, _, allowed) in TEMPLATES {
            let candidates = [dir.join("agent").join(format!("{name}.md")), dir.join(format!("{name}.md"))];
            let Some(path) = candidates.iter().find(|p| p.is_file()) else { continue };
            let text = std::fs::read_to_string(path)
                .map_err(|e| error(name, format!("cannot read {}: {e}", path.display())))?;
            for placeholder in placeholders(&text) {
                if !allowed.contains(&placeholder.as_str()) {
                    return Err(error(
                        name,
                        format!(
                            "{} uses the unknown placeholder {{{{{placeholder}}}}}; allowed: {}",
                            path.display(),
                            allowed.join(", ")
                        ),
                    ));
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

    /// Renders template `name`; a placeholder without a value is an error.
    pub fn render(&self, name: &str, values: &[(&str, &str)]) -> Result<String> {
        let template = self.templates.get(name).ok_or_else(|| AgentError::Prompt {
            name: name.to_string(),
            reason: "no such template".into(),
        })?;
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
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
                AgentError::Prompt { name: name.to_string(), reason: format!("no value for {{{{{key}}}}}") }
            })?;
            out.push_str(value);
            rest = &after[close + 2..];
        }
        out.push_str(rest);
        Ok(out.trim_end().to_string())
    }
}

fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.push(after[..close].trim().to_string());
        rest = &after[close + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_not_rescanned() {
        let p = Prompts::embedded();
        let text = p
            .render(
                "task",
                &[
                    ("question", "{{plan}}"),
                    ("files", "f"),
                    ("datasets", "d"),
                    ("findings", ""),
                    ("plan", "P"),
                ],
            )
            .unwrap_or_default();
        assert!(text.contains("{{plan}}") && text.contains('P'), "{text}");
    }

    #[test]
    fn overrides_with_unknown_placeholders_are_refused() {
        let dir = std::env::temp_dir().join(format!("causa-agent-prompts-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("agent"));
        let _ = std::fs::write(dir.join("agent").join("system.md"), "hi {{secret}}");
        let err = Prompts::with_overrides(&dir).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("unknown placeholder {{secret}}"), "{err}");
        let _ = std::fs::write(dir.join("agent").join("system.md"), "Short system prompt.");
        let ok = Prompts::with_overrides(&dir).and_then(|p| p.render("system", &[]));
        assert_eq!(ok.ok().as_deref(), Some("Short system prompt."));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
