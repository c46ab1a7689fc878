//! Prompt templates: Markdown files in `prompts/agent/`, embedded at build time so the binary is
//! self-contained, and overridable from a directory at run time (`DIR/agent/NAME.md` or
//! `DIR/NAME.md`, or `$CAUSA_PROMPTS`) so prompt work needs no rebuild. Substitution is one
//! left-to-right pass over `{{name}}` placeholders: values are never re-scanned, so a column
//! named `{{question}}` stays literal text.

use std::path::Path;

/// The environment variable naming a directory of template overrides (shared with attribution).
pub use causa_llm::prompts::PROMPTS_ENV;
use causa_llm::prompts::{PromptError, PromptSet, Template};

use crate::error::{AgentError, Result};

/// The templates and the placeholders each may use.
const TEMPLATES: &[Template] = &[
    Template { name: "system", text: include_str!("../../../prompts/agent/system.md"), placeholders: &[] },
    Template {
        name: "task",
        text: include_str!("../../../prompts/agent/task.md"),
        placeholders: &["question", "files", "datasets", "findings", "plan"],
    },
];

/// The agent's templates, keyed by name (`system`, `task`).
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
        Self { set: PromptSet::embedded("agent", TEMPLATES) }
    }

    /// The embedded templates with overrides from `dir`; every override is checked for unknown
    /// placeholders.
    pub fn with_overrides(dir: &Path) -> Result<Self> {
        Ok(Self { set: PromptSet::embedded("agent", TEMPLATES).with_overrides(dir).map_err(prompt_error)? })
    }

    /// Overrides from `dir` if given, else from `$CAUSA_PROMPTS` if set, else the embedded ones.
    pub fn resolve(dir: Option<&Path>) -> Result<Self> {
        Ok(Self {
            set: PromptSet::embedded("agent", TEMPLATES).resolve(dir, PROMPTS_ENV).map_err(prompt_error)?,
        })
    }

    /// Renders template `name` (without trailing white space); a placeholder without a value is
    /// an error.
    pub fn render(&self, name: &str, values: &[(&str, &str)]) -> Result<String> {
        let text = self.set.render(name, values).map_err(prompt_error)?;
        Ok(text.trim_end().to_string())
    }
}

/// The agent form of a prompt error: the template (or the missing directory) and a reason; a
/// missing value reads `no value for {{key}}`.
fn prompt_error(error: PromptError) -> AgentError {
    let reason = match &error {
        PromptError::MissingValue { placeholder, .. } => format!("no value for {{{{{placeholder}}}}}"),
        _ => error.reason(),
    };
    AgentError::Prompt { name: error.subject(), reason }
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
