//! Language-model backends for causa.
//!
//! Everything in causa that talks to a model goes through [`ChatModel`], so the agent, the
//! benchmark runner and the front ends never know whether the answer came from the embedded
//! llama.cpp model ([`LocalModel`]) or from an OpenAI-compatible server ([`OpenAiModel`]).
//! Requests say *what* structure they need (tools, a forced tool, a JSON schema for the answer);
//! each backend decides *how* to obtain it: a grammar locally, native tool calling or a schema
//! response format remotely, with prompted JSON plus validation as the fallback. Either way a
//! returned tool call has arguments that parsed and passed the tool's schema.
//!
//! Model choice is a [`ModelSpec`] (`local`, `local:PATH.gguf`, `openai:NAME`, `none`) resolved
//! with an [`LlmConfig`]; [`open_model`] turns the pair into a ready model.

mod config;
mod error;
mod local;
mod openai;
pub mod prompts;
pub mod registry;
pub mod schema;
mod spec;
mod types;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use config::{ApiKey, DEFAULT_BASE_URL, LlmConfig, LocalSettings, RemoteSettings, default_config_path};
pub use error::{LlmError, Result};
pub use local::LocalModel;
pub use openai::{OpenAiModel, OpenAiSettings};
pub use schema::schema_for;
pub use spec::ModelSpec;
pub use tokio_util::sync::CancellationToken;
pub use types::{
    CallOptions, ChatMessage, ChatRequest, ChatResponse, FinishReason, ResponseSchema, Role, TokenLogprob,
    TokenSink, ToolCall, ToolChoice, ToolSpec, Usage,
};

/// A boxed, sendable future: keeps [`ChatModel`] object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A chat model: one request in, one reply out, with streaming and cancellation through
/// [`CallOptions`].
pub trait ChatModel: Send + Sync {
    /// A short description for logs and reports (never includes credentials).
    fn describe(&self) -> String;

    /// Token count of `text` where the backend can tell without a network call.
    fn count_tokens(&self, text: &str) -> Option<usize>;

    /// The context window (prompt plus answer) in tokens, where the backend knows it. Callers
    /// fit prompts into it; `None` (the default) leaves the choice to them.
    fn context_tokens(&self) -> Option<usize> {
        None
    }

    /// Runs one chat request.
    fn chat(&self, request: ChatRequest, options: CallOptions) -> BoxFuture<'_, Result<ChatResponse>>;
}

/// Opens the model named by `spec`: `None` for `ModelSpec::None`. `base_url` is the
/// `--base-url` flag, if given. Loading a local model blocks for a moment; call from a blocking
/// context or wrap in `spawn_blocking` in latency-sensitive code.
pub fn open_model(
    spec: &ModelSpec,
    config: &LlmConfig,
    base_url: Option<&str>,
) -> Result<Option<Arc<dyn ChatModel>>> {
    Ok(match spec {
        ModelSpec::None => None,
        ModelSpec::LocalDefault => {
            let path = registry::default_model_path()?;
            Some(Arc::new(LocalModel::load(&path, config.local.clone())?))
        }
        ModelSpec::LocalPath(path) => Some(Arc::new(LocalModel::load(path, config.local.clone())?)),
        ModelSpec::OpenAi { model } => {
            let settings = OpenAiSettings::from_config(model, config, base_url);
            Some(Arc::new(OpenAiModel::new(settings)?))
        }
    })
}
