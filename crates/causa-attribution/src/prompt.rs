//! Prompt templates: Markdown files in `prompts/attribution/`, embedded at build time so the
//! binary is self-contained, and overridable from a directory at run time so prompt work needs
//! no rebuild. Substitution is a single left-to-right pass over `{{name}}` placeholders: values
//! are never re-scanned, so a log that contains `{{question}}` stays literal text.

use std::path::Path;

pub use causa_llm::prompts::{PROMPTS_ENV, placeholders};
use causa_llm::prompts::{PromptError, PromptSet, Template};

use crate::{AttributionError, Result};

/// The templates and the placeholders each may use.
const TEMPLATES: &[Template] = &[
    Template {
        name: "system",
        text: include_str!("../../../prompts/attribution/system.md"),
        placeholders: &[],
    },
    Template {
        name: "all_at_once",
        text: include_str!("../../../prompts/attribution/all_at_once.md"),
        placeholders: &["question", "ground_truth", "agents", "window", "log"],
    },
    Template {
        name: "a2p",
        text: include_str!("../../../prompts/attribution/a2p.md"),
        placeholders: &["question", "ground_truth", "agents", "window", "log"],
    },
    Template {
        name: "step_by_step",
        text: include_str!("../../../prompts/attribution/step_by_step.md"),
        placeholders: &["question", "ground_truth", "context", "log", "step", "agent"],
    },
    Template {
        name: "binary_search",
        text: include_str!("../../../prompts/attribution/binary_search.md"),
        placeholders: &[
            "question",
            "ground_truth",
            "log",
            "first_start",
            "first_end",
            "second_start",
            "second_end",
        ],
    },
];

/// A set of templates, keyed by name (`system`, `all_at_once`, `a2p`, `step_by_step`,
/// `binary_search`).
#[derive(Debug, Clone)]
pub struct Prompts {
    set: PromptSet,
}

impl Default for Prompts {
    fn default() -> Self {
        Self::embedded()
    }
}

impl Prompts {
    /// The templates compiled into the binary.
    pub fn embedded() -> Self {
        Self { set: PromptSet::embedded("attribution", TEMPLATES) }
    }

    /// The embedded templates, with `DIR/attribution/NAME.md` or `DIR/NAME.md` replacing a
    /// template where such a file exists. Every override is checked for unknown placeholders.
    pub fn with_overrides(dir: &Path) -> Result<Self> {
        Ok(Self {
            set: PromptSet::embedded("attribution", TEMPLATES).with_overrides(dir).map_err(prompt_error)?,
        })
    }

    /// Overrides from `dir` if given, else from `$CAUSA_PROMPTS` if set, else the embedded ones.
    pub fn resolve(dir: Option<&Path>) -> Result<Self> {
        Ok(Self {
            set: PromptSet::embedded("attribution", TEMPLATES)
                .resolve(dir, PROMPTS_ENV)
                .map_err(prompt_error)?,
        })
    }

    /// Renders template `name` with `values`; a placeholder without a value is an error.
    pub fn render(&self, name: &str, values: &[(&str, &str)]) -> Result<String> {
        self.set.render(name, values).map_err(prompt_error)
    }

    /// Renders template `name` with `values` and every other placeholder empty: the part of
    /// the prompt that is the same for every log.
    pub fn render_fixed_part(&self, name: &str, values: &[(&str, &str)]) -> Result<String> {
        let Some(text) = self.set.text(name) else { return self.render(name, values) };
        let names = placeholders(text);
        let mut all: Vec<(&str, &str)> = values.to_vec();
        for placeholder in &names {
            if !all.iter().any(|(k, _)| k == placeholder) {
                all.push((placeholder.as_str(), ""));
            }
        }
        self.render(name, &all)
    }
}

/// Fills the `{{name}}` placeholders of `template` (named `name` in errors) in one left-to-right
/// pass; values are never re-scanned. A placeholder without a value is an error. The rule itself
/// lives in [`causa_llm::prompts::render_template`], shared by every prompt set.
pub fn render_template(name: &str, template: &str, values: &[(&str, &str)]) -> Result<String> {
    causa_llm::prompts::render_template(name, template, values).map_err(prompt_error)
}

/// The attribution form of a prompt error: the template (or the missing directory) and a reason.
fn prompt_error(error: PromptError) -> AttributionError {
    AttributionError::Prompt { name: error.subject(), reason: error.reason() }
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
