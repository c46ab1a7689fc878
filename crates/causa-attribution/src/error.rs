//! One error type for the crate. Log problems name the file and the offending entry so the user
//! can fix the log; model problems keep the backend's own error as the source.

use std::path::PathBuf;

/// Errors from reading logs, rendering prompts and asking the model.
#[derive(Debug, thiserror::Error)]
pub enum AttributionError {
    /// The log file could not be read.
    #[error("cannot read the log `{}`", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The log is not a Who&When JSON object nor `{step, agent, content}` JSONL.
    #[error("malformed log `{origin}`: {reason}")]
    MalformedLog {
        /// The file name (or `<input>`).
        origin: String,
        /// What is wrong, naming the entry or line.
        reason: String,
    },
    /// A prompt template override could not be read or refers to an unknown placeholder.
    #[error("prompt template `{name}`: {reason}")]
    Prompt {
        /// The template name (e.g. `a2p`).
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The prompts leave no room for any log in the model's context window (a setting: the
    /// context size or a prompt override), found before any log is read.
    #[error("the prompt cannot fit the {context_tokens}-token context window: {reason}")]
    ContextTooSmall {
        /// The context size that was used.
        context_tokens: usize,
        /// Which part did not fit.
        reason: String,
    },
    /// This log does not fit the context window: its task, answer and agent names leave no room
    /// for its steps, or some steps do not fit even as bare headers.
    #[error("log `{log}` cannot fit the {context_tokens}-token context window: {reason}")]
    LogDoesNotFit {
        /// The log's id.
        log: String,
        /// The context size that was used.
        context_tokens: usize,
        /// Which part did not fit.
        reason: String,
    },
    /// A method that needs a language model was run without one.
    #[error(
        "method `{method}` needs a language model; pass `--model local` (or `openai:NAME`), or use \
         `--method heuristic` for the no-model keyword baseline"
    )]
    ModelRequired {
        /// The method name.
        method: String,
    },
    /// The backend failed (not an unparseable answer: those are retried and counted).
    #[error("the model call failed")]
    Model(#[from] causa_llm::LlmError),
}

/// Result alias of the crate.
pub type Result<T> = std::result::Result<T, AttributionError>;

impl AttributionError {
    /// Whether the error belongs to one log rather than to the run: the log does not fit the
    /// context window. A benchmark records such a log as no prediction and goes on; every other
    /// error (the backend, a prompt override or a context too small for the prompts themselves,
    /// a missing model) would fail every log alike.
    pub fn is_specific_to_the_log(&self) -> bool {
        matches!(self, Self::LogDoesNotFit { .. })
    }

    /// Whether the error is the user's to fix (a bad log, prompt override or setting) rather
    /// than a failure of the model backend or the machine.
    pub fn is_input_error(&self) -> bool {
        match self {
            Self::Io { .. }
            | Self::MalformedLog { .. }
            | Self::Prompt { .. }
            | Self::ContextTooSmall { .. }
            | Self::LogDoesNotFit { .. } => true,
            Self::ModelRequired { .. } => true,
            Self::Model(_) => false,
        }
    }
}
