//! The agent's error type. Errors caused by what the person gave (an unknown data file, a
//! question that cannot be parsed without a model, a bad session id) are told apart from
//! failures of the machine (a model server down, a disk full) so the CLI can pick its exit code.

use std::path::PathBuf;

/// Everything that can go wrong outside a tool call (tool errors go back to the model as text).
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// Invalid input from the person: the message says what to change.
    #[error("{0}")]
    Input(String),
    /// A file could not be read or written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The language model failed.
    #[error("model: {0}")]
    Llm(#[from] causa_llm::LlmError),
    /// A data file could not be loaded.
    #[error(transparent)]
    Data(#[from] causa_data::DataError),
    /// A prompt template is broken.
    #[error("prompt `{name}`: {reason}")]
    Prompt {
        /// The template name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl AgentError {
    /// Whether the error is about the person's input (exit code 2 in the CLI).
    pub fn is_input_error(&self) -> bool {
        match self {
            AgentError::Input(_) | AgentError::Data(_) | AgentError::Prompt { .. } => true,
            AgentError::Llm(e) => matches!(e, causa_llm::LlmError::InvalidSpec { .. }),
            AgentError::Io { .. } => false,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        AgentError::Io { path: path.into(), message: err.to_string() }
    }
}

/// Result with [`AgentError`].
pub type Result<T> = std::result::Result<T, AgentError>;
