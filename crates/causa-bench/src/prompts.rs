//! Prompt templates of the reasoning suites: Markdown files in `prompts/bench/`, embedded at build
//! time and overridable from a directory at run time, substituted with the single-pass rule every
//! prompt set shares ([`causa_llm::prompts::render_template`]).

use std::path::Path;

use causa_llm::prompts::{PROMPTS_ENV, PromptError, PromptSet, Template};

use crate::{BenchError, Result};

/// The templates and the placeholders each may use.
const TEMPLATES: &[Template] = &[
    Template { name: "system", text: include_str!("../../../prompts/bench/system.md"), placeholders: &[] },
    Template {
        name: "corr2cause",
        text: include_str!("../../../prompts/bench/corr2cause.md"),
        placeholders: &["input"],
    },
    Template {
        name: "clear",
        text: include_str!("../../../prompts/bench/clear.md"),
        placeholders: &["description", "question", "format"],
    },
    Template {
        name: "cladder",
        text: include_str!("../../../prompts/bench/cladder.md"),
        placeholders: &["prompt"],
    },
    Template {
        name: "cold",
        text: include_str!("../../../prompts/bench/cold.md"),
        placeholders: &["activity", "direction", "premise", "choice1", "choice2"],
    },
    Template {
        name: "corr2cause_agent",
        text: include_str!("../../../prompts/bench/corr2cause_agent.md"),
        placeholders: &["input"],
    },
    Template {
        name: "clear_agent",
        text: include_str!("../../../prompts/bench/clear_agent.md"),
        placeholders: &["description", "question", "form"],
    },
    Template {
        name: "cladder_agent",
        text: include_str!("../../../prompts/bench/cladder_agent.md"),
        placeholders: &["prompt"],
    },
    Template {
        name: "agent_retry",
        text: include_str!("../../../prompts/bench/agent_retry.md"),
        placeholders: &["error"],
    },
];

/// The benchmark prompt templates, keyed by name (`system`, `corr2cause`, `clear`, `cladder`,
/// `cold`, `corr2cause_agent`, `clear_agent`, `cladder_agent`, `agent_retry`).
#[derive(Debug, Clone)]
pub struct BenchPrompts {
    set: PromptSet,
}

impl Default for BenchPrompts {
    fn default() -> Self {
        Self::embedded()
    }
}

impl BenchPrompts {
    /// The templates compiled into the binary. Overrides come only from `DIR/bench/NAME.md`: the
    /// names `system` and the like also exist in the other prompt sets.
    pub fn embedded() -> Self {
        Self { set: Self::set() }
    }

    fn set() -> PromptSet {
        PromptSet::embedded("bench", TEMPLATES).area_overrides_only()
    }

    /// The embedded templates, with `DIR/bench/NAME.md` replacing a template where such a file
    /// exists. Every override is checked for unknown placeholders.
    pub fn with_overrides(dir: &Path) -> Result<Self> {
        Ok(Self { set: Self::set().with_overrides(dir).map_err(prompt_error)? })
    }

    /// Overrides from `dir` if given, else from `$CAUSA_PROMPTS` if set, else the embedded ones.
    pub fn resolve(dir: Option<&Path>) -> Result<Self> {
        Ok(Self { set: Self::set().resolve(dir, PROMPTS_ENV).map_err(prompt_error)? })
    }

    /// Renders template `name` with `values`.
    pub fn render(&self, name: &str, values: &[(&str, &str)]) -> Result<String> {
        self.set.render(name, values).map_err(prompt_error)
    }
}

/// The benchmark form of a prompt error: unreadable files are I/O errors, the rest bad input.
fn prompt_error(error: PromptError) -> BenchError {
    match error {
        PromptError::Read { path, source, .. } => BenchError::io(&path, source),
        error @ PromptError::UnknownPlaceholder { .. } => BenchError::Input(error.reason()),
        PromptError::NoTemplate { name } => {
            BenchError::Input(format!("no benchmark prompt template `{name}`"))
        }
        error @ (PromptError::MissingDir { .. } | PromptError::MissingValue { .. }) => {
            BenchError::Input(error.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_with_its_placeholders() {
        let prompts = BenchPrompts::embedded();
        for template in TEMPLATES {
            let (name, allowed) = (template.name, template.placeholders);
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
        // Only `DIR/bench/` counts: a flat `DIR/system.md` belongs to the other prompt sets.
        std::fs::write(dir.join("system.md"), "flat system prompt").unwrap();
        let prompts = BenchPrompts::with_overrides(&dir).unwrap();
        let system = prompts.render("system", &[]).unwrap();
        assert_ne!(system, "flat system prompt");
        assert_eq!(system, include_str!("../../../prompts/bench/system.md"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
