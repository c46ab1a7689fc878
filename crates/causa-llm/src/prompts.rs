//! Prompt templates shared by every prompt set in causa (attribution, benchmark, agent).
//!
//! Each set embeds its Markdown templates at build time so the binary is self-contained, and lets
//! a directory replace them at run time so prompt work needs no rebuild. The rules live here once
//! so every set behaves alike: an override may only use the placeholders its template allows,
//! and substitution is one left-to-right pass over `{{name}}` placeholders in which values are
//! never re-scanned (a log or a column that contains `{{question}}` stays literal text) and a
//! placeholder without a value is an error. Each crate maps [`PromptError`] into its own error
//! type, so its messages and error variants do not depend on this module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The environment variable naming a directory of template overrides, shared by all sets.
pub const PROMPTS_ENV: &str = "CAUSA_PROMPTS";

/// One embedded template: its name, its text and the placeholders an override may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// The template name (e.g. `a2p`); overrides are files named `NAME.md`.
    pub name: &'static str,
    /// The embedded text (usually `include_str!` of a Markdown file).
    pub text: &'static str,
    /// The placeholders the template, and any override of it, may use.
    pub placeholders: &'static [&'static str],
}

/// Why a prompt set could not be loaded or a template could not be rendered.
#[derive(Debug)]
pub enum PromptError {
    /// The override directory does not exist.
    MissingDir {
        /// The directory that was given.
        dir: PathBuf,
    },
    /// An override file exists but could not be read.
    Read {
        /// The template name.
        name: String,
        /// The override file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// An override uses a placeholder its template does not allow.
    UnknownPlaceholder {
        /// The template name.
        name: String,
        /// The override file.
        path: PathBuf,
        /// The placeholder that is not allowed.
        placeholder: String,
        /// The placeholders that are allowed.
        allowed: &'static [&'static str],
    },
    /// No template of that name exists in the set.
    NoTemplate {
        /// The requested name.
        name: String,
    },
    /// A placeholder of the template got no value.
    MissingValue {
        /// The template name.
        name: String,
        /// The placeholder without a value.
        placeholder: String,
    },
}

impl PromptError {
    /// The template the error is about (for [`PromptError::MissingDir`], the directory).
    pub fn subject(&self) -> String {
        match self {
            Self::MissingDir { dir } => dir.display().to_string(),
            Self::Read { name, .. }
            | Self::UnknownPlaceholder { name, .. }
            | Self::NoTemplate { name }
            | Self::MissingValue { name, .. } => name.clone(),
        }
    }

    /// What is wrong with the subject, naming the file and the placeholder where there is one.
    pub fn reason(&self) -> String {
        match self {
            Self::MissingDir { .. } => "the prompts directory does not exist".to_string(),
            Self::Read { path, source, .. } => format!("cannot read {}: {source}", path.display()),
            Self::UnknownPlaceholder { path, placeholder, allowed, .. } => format!(
                "{} uses the unknown placeholder {{{{{placeholder}}}}}; allowed: {}",
                path.display(),
                allowed.join(", ")
            ),
            Self::NoTemplate { .. } => "no such template".to_string(),
            Self::MissingValue { placeholder, .. } => {
                format!("no value for the placeholder {{{{{placeholder}}}}}")
            }
        }
    }
}

impl std::fmt::Display for PromptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingDir { dir } => write!(f, "the prompts directory `{}` does not exist", dir.display()),
            _ => write!(f, "prompt template `{}`: {}", self.subject(), self.reason()),
        }
    }
}

impl std::error::Error for PromptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A set of templates of one area (`attribution`, `bench`, `agent`), keyed by name: the
/// embedded texts, some of which may be replaced by override files.
#[derive(Debug, Clone)]
pub struct PromptSet {
    area: &'static str,
    specs: &'static [Template],
    flat_overrides: bool,
    texts: BTreeMap<&'static str, String>,
}

impl PromptSet {
    /// The embedded templates of `area`. Overrides are looked up as `DIR/AREA/NAME.md`, then
    /// `DIR/NAME.md` (see [`PromptSet::area_overrides_only`]).
    pub fn embedded(area: &'static str, templates: &'static [Template]) -> Self {
        Self {
            area,
            specs: templates,
            flat_overrides: true,
            texts: templates.iter().map(|t| (t.name, t.text.to_string())).collect(),
        }
    }

    /// Looks overrides up only as `DIR/AREA/NAME.md`, never as `DIR/NAME.md`.
    #[must_use]
    pub fn area_overrides_only(mut self) -> Self {
        self.flat_overrides = false;
        self
    }

    /// The templates of this set and the placeholders each may use.
    pub fn templates(&self) -> &'static [Template] {
        self.specs
    }

    /// This set with override files from `dir` replacing templates where such files exist.
    /// Every override is checked for placeholders its template does not allow.
    pub fn with_overrides(mut self, dir: &Path) -> Result<Self, PromptError> {
        if !dir.is_dir() {
            return Err(PromptError::MissingDir { dir: dir.to_path_buf() });
        }
        for spec in self.specs {
            let file = format!("{}.md", spec.name);
            let mut candidates = vec![dir.join(self.area).join(&file)];
            if self.flat_overrides {
                candidates.push(dir.join(&file));
            }
            let Some(path) = candidates.into_iter().find(|p| p.is_file()) else { continue };
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(source) => return Err(PromptError::Read { name: spec.name.to_string(), path, source }),
            };
            if let Some(bad) =
                placeholders(&text).into_iter().find(|p| !spec.placeholders.contains(&p.as_str()))
            {
                return Err(PromptError::UnknownPlaceholder {
                    name: spec.name.to_string(),
                    path,
                    placeholder: bad,
                    allowed: spec.placeholders,
                });
            }
            self.texts.insert(spec.name, text);
        }
        Ok(self)
    }

    /// Overrides from `dir` if given, else from the directory in the environment variable
    /// `env_var` if set and not empty, else the set unchanged.
    pub fn resolve(self, dir: Option<&Path>, env_var: &str) -> Result<Self, PromptError> {
        match dir {
            Some(dir) => self.with_overrides(dir),
            None => match std::env::var_os(env_var).filter(|v| !v.is_empty()) {
                Some(dir) => self.with_overrides(Path::new(&dir)),
                None => Ok(self),
            },
        }
    }

    /// The current text of template `name`, if the set has one.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// Renders template `name` with `values` (see [`render_template`]).
    pub fn render(&self, name: &str, values: &[(&str, &str)]) -> Result<String, PromptError> {
        let template = self.text(name).ok_or_else(|| PromptError::NoTemplate { name: name.to_string() })?;
        render_template(name, template, values)
    }
}

/// Fills the `{{name}}` placeholders of `template` (named `name` in errors) in one left-to-right
/// pass; values are never re-scanned. A placeholder without a value is an error; an unclosed
/// `{{` is kept as text.
pub fn render_template(name: &str, template: &str, values: &[(&str, &str)]) -> Result<String, PromptError> {
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
            PromptError::MissingValue { name: name.to_string(), placeholder: key.to_string() }
        })?;
        out.push_str(value);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The placeholder names a template uses, in order of appearance (trimmed, repeats kept).
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

    const TEMPLATES: &[Template] = &[
        Template { name: "system", text: "You are careful.", placeholders: &[] },
        Template {
            name: "ask",
            text: "Q: {{question}}\nPlan: {{ plan }}",
            placeholders: &["question", "plan"],
        },
    ];

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("causa-llm-prompts-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn values_are_not_rescanned() {
        let text = render_template("t", "A {{x}} B {{y}}", &[("x", "{{y}}"), ("y", "Y")]).unwrap();
        assert_eq!(text, "A {{y}} B Y");
    }

    #[test]
    fn keys_are_trimmed_and_unclosed_braces_stay_text() {
        assert_eq!(render_template("t", "{{ a }}-{{a}}", &[("a", "1")]).unwrap(), "1-1");
        assert_eq!(render_template("t", "x {{a}} {{open", &[("a", "1")]).unwrap(), "x 1 {{open");
        assert_eq!(render_template("t", "no placeholders", &[]).unwrap(), "no placeholders");
    }

    #[test]
    fn a_missing_value_names_template_and_placeholder() {
        let err = render_template("a2p", "{{question}} {{ground_truth}}", &[("question", "q")]).unwrap_err();
        assert!(matches!(&err, PromptError::MissingValue { name, placeholder }
            if name == "a2p" && placeholder == "ground_truth"));
        let msg = err.to_string();
        assert!(msg.contains("a2p") && msg.contains("{{ground_truth}}"), "{msg}");
    }

    #[test]
    fn messages_name_the_template_the_file_and_the_placeholder() {
        let err = PromptError::UnknownPlaceholder {
            name: "ask".into(),
            path: PathBuf::from("/p/test/ask.md"),
            placeholder: "x".into(),
            allowed: &["question", "plan"],
        };
        assert_eq!(
            err.to_string(),
            "prompt template `ask`: /p/test/ask.md uses the unknown placeholder {{x}}; allowed: question, plan"
        );
        let err = PromptError::MissingValue { name: "a2p".into(), placeholder: "log".into() };
        assert_eq!(err.to_string(), "prompt template `a2p`: no value for the placeholder {{log}}");
        let err = PromptError::MissingDir { dir: PathBuf::from("/nope") };
        assert_eq!(err.to_string(), "the prompts directory `/nope` does not exist");
        assert_eq!(
            (err.subject(), err.reason()),
            ("/nope".to_string(), "the prompts directory does not exist".to_string())
        );
    }

    #[test]
    fn placeholders_are_listed_in_order() {
        assert_eq!(placeholders("{{b}} x {{ a }} {{b}} {{c"), vec!["b", "a", "b"]);
        assert!(placeholders("none").is_empty());
    }

    #[test]
    fn unknown_templates_are_errors() {
        let set = PromptSet::embedded("test", TEMPLATES);
        let err = set.render("nope", &[]).unwrap_err();
        assert!(matches!(&err, PromptError::NoTemplate { name } if name == "nope"));
        assert_eq!(set.render("system", &[]).unwrap(), "You are careful.");
    }

    #[test]
    fn overrides_replace_templates_and_are_checked() {
        let dir = temp_dir("check");
        std::fs::create_dir_all(dir.join("test")).unwrap();
        std::fs::write(dir.join("test/ask.md"), "Hi {{question}} {{nonsense}}").unwrap();
        let err = PromptSet::embedded("test", TEMPLATES).with_overrides(&dir).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("ask") && msg.contains("ask.md") && msg.contains("{{nonsense}}"), "{msg}");
        assert!(msg.contains("allowed: question, plan"), "{msg}");
        std::fs::write(dir.join("test/ask.md"), "Custom {{plan}}").unwrap();
        let set = PromptSet::embedded("test", TEMPLATES).with_overrides(&dir).unwrap();
        assert_eq!(set.render("ask", &[("plan", "P")]).unwrap(), "Custom P");
        assert_eq!(set.render("system", &[]).unwrap(), "You are careful.");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn area_files_win_over_flat_files_and_flat_files_can_be_disabled() {
        let dir = temp_dir("flat");
        std::fs::write(dir.join("system.md"), "flat").unwrap();
        let set = PromptSet::embedded("test", TEMPLATES).with_overrides(&dir).unwrap();
        assert_eq!(set.text("system"), Some("flat"));
        let set = PromptSet::embedded("test", TEMPLATES).area_overrides_only().with_overrides(&dir).unwrap();
        assert_eq!(set.text("system"), Some("You are careful."));
        std::fs::create_dir_all(dir.join("test")).unwrap();
        std::fs::write(dir.join("test/system.md"), "area").unwrap();
        let set = PromptSet::embedded("test", TEMPLATES).with_overrides(&dir).unwrap();
        assert_eq!(set.text("system"), Some("area"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_directory_is_an_error_and_no_directory_keeps_the_embedded_set() {
        let dir = std::env::temp_dir().join(format!("causa-llm-prompts-absent-{}", std::process::id()));
        let err = PromptSet::embedded("test", TEMPLATES).with_overrides(&dir).unwrap_err();
        assert!(matches!(&err, PromptError::MissingDir { dir: d } if *d == dir));
        // An environment variable that is never set: resolve falls back to the embedded texts.
        let set = PromptSet::embedded("test", TEMPLATES)
            .resolve(None, "CAUSA_PROMPTS_TEST_UNSET_VARIABLE")
            .unwrap();
        assert_eq!(set.text("ask"), Some(TEMPLATES[1].text));
        let err = PromptSet::embedded("test", TEMPLATES).resolve(Some(&dir), PROMPTS_ENV).unwrap_err();
        assert!(matches!(err, PromptError::MissingDir { .. }));
    }
}
