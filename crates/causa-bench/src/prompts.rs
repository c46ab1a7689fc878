//! Prompt templates of the reasoning suites: Markdown files in `prompts/bench/`, embedded at build
//! time and overridable from a directory at run time, substituted with the same single-pass rule
//! as the attribution prompts ([`causa_attribution::render_template`]).

use std::collections::BTreeMap;
use std::path::Path;

use crate::{BenchError, Result};

/// The templates and the placeholders each may use.
const TEMPLATES: &[(&str, &str, &[&str])] = &[
    ("system", include_str!("../../../prompts/bench/system.md"), &[]),
    ("corr2cause", include_str!("../../../prompts/bench/corr2cause.md"), &["input"]),
    ("clear", include_str!("../../../prompts/bench/clear.md"), &["description", "question", "format"]),
    ("cladder", include_str!("../../../prompts/bench/cladder.md"), &["prompt"]),
    (
        "cold",
        include_str!("../../../prompts/bench/cold.md"),
        &["activity", "direction", "premise", "choice1", "choice2"],
    ),
    ("corr2cause_agent", include_str!("../../../prompts/bench/corr2cause_agent.md"), &["input"]),
    (
        "clear_agent",
        include_str!("../../../prompts/bench/clear_agent.md"),
        &["description", "question", "form"],
    ),
    ("cladder_agent", include_str!("../../../prompts/bench/cladder_agent.md"), &["prompt"]),
    ("agent_retry", include_str!("../../../prompts/bench/agent_retry.md"), &["error"]),
];

/// The benchmark prompt templates, keyed by name (`system`, `corr2cause`, `clear`, `cladder`,
/// `cold`, `corr2cause_agent`, `clear_agent`, `cladder_agent`, `agent_retry`).
#[derive(Debug, Clone)]
pub struct BenchPrompts {
    templates: BTreeMap<&'static str, String>,
}

impl Default for BenchPrompts {
    fn default() -> Self {
        Self::embedded()
    }
}

impl BenchPrompts {
    /// The templates compiled into the binary.
    pub fn embedded() -> Self {
        Self { templates: TEMPLATES.iter().map(|(name, text, _)| (*name, text.to_string())).collect() }
    }

    /// The embedded templates, with `DIR/bench/NAME.md` replacing a template where such a file
    /// exists. Every override is checked for unknown placeholders.
    pub fn with_overrides(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(BenchError::Input(format!(
                "the prompts directory `{}` does not exist",
                dir.display()
            )));
        }
        let mut prompts = Self::embedded();
        for (name, _, allowed) in TEMPLATES {
            let path = dir.join("bench").join(format!("{name}.md"));
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| BenchError::io(&path, e))?;
            if let Some(bad) =
                causa_attribution::placeholders(&text).into_iter().find(|p| !allowed.contains(&p.as_str()))
            {
                return Err(BenchError::Input(format!(
                    "{} uses the unknown placeholder {{{{{bad}}}}}; allowed: {}",
                    path.display(),
                    allowed.join(", ")
                )));
            }
            prompts.templates.insert(name, text);
        }
        Ok(prompts)
    }

    /// Overrides from `dir` if given, else from `$CAUSA_PROMPTS` if set, else the embedded ones.
    pub fn resolve(dir: Option<&Path>) -> Result<Self> {
        match dir {
            Some(dir) => Self::with_overrides(dir),
            None => match std::env::var_os(causa_attribution::PROMPTS_ENV).filter(|v| !v.is_empty()) {
                Some(dir) => Self::with_overrides(Path::new(&dir)),
                None => Ok(Self::embedded()),
            },
        }
    }

    /// Renders template `name` with `values`.
    pub fn render(&self, name: &str, values: &[(&str, &str)]) -> Result<String> {
        let template = self
            .templates
            .get(name)
            .ok_or_else(|| BenchError::Input(format!("no benchmark prompt template `{name}`")))?;
        causa_attribution::render_template(name, template, values)
            .map_err(|e| BenchError::Input(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_with_its_placeholders() {
        let prompts = BenchPrompts::embedded();
        for (name, _, allowed) in TEMPLATES {
            let values: Vec<(&str, &str)> = allowed.iter().map(|p| (*p, "VALUE")).collect();
            let text = prompts.render(name, &values).unwrap();
            assert!(!text.contains("{{"), "{name}: {text}");
            assert!(text.matches("VALUE").count() >= allowed.len(), "{name}");
        }
    }

    #[test]
    fn overrides_are_checked_for_unknown_placeholders() {
        let dir = std::env::temp_dir().join(format!("causa-bench-prompts-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("bench")).unwrap();
        std::fs::write(dir.join("bench/cladder.md"), "Q: {{prompt}} {{nonsense}}").unwrap();
        let err = BenchPrompts::with_overrides(&dir).unwrap_err().to_string();
        assert!(err.contains("{{nonsense}}") && err.contains("cladder.md"), "{err}");
        std::fs::write(dir.join("bench/cladder.md"), "Q: {{prompt}}").unwrap();
        let prompts = BenchPrompts::with_overrides(&dir).unwrap();
        assert_eq!(prompts.render("cladder", &[("prompt", "x")]).unwrap(), "Q: x");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
