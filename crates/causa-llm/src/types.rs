//! Backend-neutral request and response types. They mirror the OpenAI chat-completions shape
//! (the lingua franca of model servers) but stay small and owned, so the agent builds one
//! `ChatRequest` and any backend can serve it.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions for the model.
    System,
    /// The person (or the agent speaking for them).
    User,
    /// The model.
    Assistant,
    /// The result of a tool call, sent back to the model.
    Tool,
}

impl Role {
    /// The lowercase role name used by chat templates and the OpenAI API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Author of the message.
    pub role: Role,
    /// Text content (may be empty for an assistant message that only calls tools).
    pub content: String,
    /// Tool calls made by an assistant message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For a tool message: the id of the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    fn plain(role: Role, content: impl Into<String>) -> Self {
        Self { role, content: content.into(), tool_calls: Vec::new(), tool_call_id: None }
    }
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self::plain(Role::System, content)
    }
    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::plain(Role::User, content)
    }
    /// An assistant message with text only.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::plain(Role::Assistant, content)
    }
    /// An assistant message that called tools.
    pub fn assistant_tool_calls(tool_calls: Vec<ToolCall>) -> Self {
        Self { role: Role::Assistant, content: String::new(), tool_calls, tool_call_id: None }
    }
    /// The result of the tool call `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: Role::Tool,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: Some(tool_call_id.into()),
        }
    }
}

/// A tool the model may call: a name, a description and a JSON schema for its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// Function name (`[A-Za-z0-9_-]{1,64}`).
    pub name: String,
    /// What the tool does, for the model.
    pub description: String,
    /// JSON schema of the arguments object.
    pub parameters: Value,
}

impl ToolSpec {
    /// A tool whose argument schema is derived from a Rust type (see [`crate::schema_for`]).
    pub fn from_type<T: schemars::JsonSchema>(
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            parameters: crate::schema::schema_for::<T>(),
        }
    }
}

/// Whether and how the model must call a tool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolChoice {
    /// The model chooses between answering and calling a tool (the default).
    #[default]
    Auto,
    /// The model must call one of the tools.
    Required,
    /// The model must call this tool.
    Tool(String),
    /// The model must not call tools.
    None,
}

/// A structured answer format: the reply must be JSON valid against `schema`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseSchema {
    /// A short name (`[A-Za-z0-9_-]`), sent to servers that require one.
    pub name: String,
    /// The JSON schema of the answer.
    pub schema: Value,
}

/// One request to a chat model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The conversation, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Tools the model may call.
    #[serde(default)]
    pub tools: Vec<ToolSpec>,
    /// Tool-calling mode (ignored when `tools` is empty).
    #[serde(default)]
    pub tool_choice: ToolChoice,
    /// Constrain the answer to this schema (mutually exclusive with forced tool calls).
    #[serde(default)]
    pub response_schema: Option<ResponseSchema>,
    /// Upper bound on generated tokens.
    pub max_tokens: u32,
    /// Sampling temperature; 0 means greedy.
    pub temperature: f32,
    /// Seed for sampling (reproducible runs).
    pub seed: Option<u64>,
    /// Return the log-probability of each generated token and this many alternatives (0-20);
    /// `None` disables log-probabilities.
    pub logprobs: Option<u8>,
}

impl ChatRequest {
    /// A request with defaults: no tools, 512 tokens, greedy decoding, no log-probabilities.
    pub fn new(messages: Vec<ChatMessage>) -> Self {
        Self {
            messages,
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
            response_schema: None,
            max_tokens: 512,
            temperature: 0.0,
            seed: None,
            logprobs: None,
        }
    }
    /// Sets the tools and the tool choice.
    pub fn with_tools(mut self, tools: Vec<ToolSpec>, choice: ToolChoice) -> Self {
        self.tools = tools;
        self.tool_choice = choice;
        self
    }
    /// Requires a structured answer valid against `schema`.
    pub fn with_response_schema(mut self, name: impl Into<String>, schema: Value) -> Self {
        self.response_schema = Some(ResponseSchema { name: name.into(), schema });
        self
    }
    /// Sets the token budget.
    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = max_tokens;
        self
    }
    /// Sets temperature and seed.
    pub fn with_sampling(mut self, temperature: f32, seed: Option<u64>) -> Self {
        self.temperature = temperature;
        self.seed = seed;
        self
    }
    /// Requests log-probabilities with `top` alternatives per token.
    pub fn with_logprobs(mut self, top: u8) -> Self {
        self.logprobs = Some(top);
        self
    }

    /// Whether the tools are in play (non-empty and not disabled).
    pub fn uses_tools(&self) -> bool {
        !self.tools.is_empty() && self.tool_choice != ToolChoice::None
    }

    /// Checks the request before any work starts.
    pub fn validate(&self) -> crate::Result<()> {
        use crate::LlmError::InvalidRequest;
        if self.messages.is_empty() {
            return Err(InvalidRequest("the request has no messages".into()));
        }
        if self.max_tokens == 0 {
            return Err(InvalidRequest("max_tokens must be at least 1".into()));
        }
        if !(0.0..=2.0).contains(&self.temperature) {
            return Err(InvalidRequest(format!("temperature {} is outside 0..=2", self.temperature)));
        }
        if let Some(top) = self.logprobs
            && top > 20
        {
            return Err(InvalidRequest(format!("logprobs alternatives {top} exceed 20")));
        }
        for tool in &self.tools {
            let valid = !tool.name.is_empty()
                && tool.name.len() <= 64
                && tool.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid {
                return Err(InvalidRequest(format!(
                    "tool name `{}` must be 1-64 characters of [A-Za-z0-9_-]",
                    tool.name
                )));
            }
            if !tool.parameters.is_object() {
                return Err(InvalidRequest(format!(
                    "tool `{}`: parameters must be a JSON schema object",
                    tool.name
                )));
            }
        }
        if let ToolChoice::Tool(name) = &self.tool_choice
            && !self.tools.iter().any(|t| &t.name == name)
        {
            return Err(InvalidRequest(format!("forced tool `{name}` is not among the tools")));
        }
        if self.tool_choice == ToolChoice::Required && self.tools.is_empty() {
            return Err(InvalidRequest("tool_choice `required` but no tools given".into()));
        }
        if self.response_schema.is_some() && self.uses_tools() && self.tool_choice != ToolChoice::Auto {
            return Err(InvalidRequest(
                "a response schema cannot be combined with a forced tool call".into(),
            ));
        }
        Ok(())
    }
}

/// A tool call produced by the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// Call id, echoed back in the tool message.
    pub id: String,
    /// Name of the tool.
    pub name: String,
    /// Parsed arguments (validated against the tool schema before being returned).
    pub arguments: Value,
}

/// Token accounting of one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens in the prompt as the model saw it (after any truncation).
    pub prompt_tokens: u32,
    /// Tokens generated.
    pub completion_tokens: u32,
    /// Messages dropped from the start of the conversation to fit the context window.
    pub dropped_messages: u32,
    /// Prompt tokens not evaluated again because the previous call left them in the model's
    /// cache (a shared prefix: system prompt, instructions, earlier turns); 0 when the backend
    /// does not say.
    #[serde(default)]
    pub cached_prompt_tokens: u32,
}

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model ended its answer.
    Stop,
    /// `max_tokens` or the context window was reached.
    Length,
    /// The model called tools.
    ToolCalls,
    /// The server filtered the content.
    ContentFilter,
}

/// Log-probability of one generated token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLogprob {
    /// The token text.
    pub token: String,
    /// Natural-log probability under the model (before constraints).
    pub logprob: f32,
    /// The most likely alternatives at this position, best first.
    pub top: Vec<(String, f32)>,
}

/// The model's reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// Text answer; for a structured answer, its JSON text. Empty when only tools were called.
    pub content: String,
    /// Tool calls, arguments parsed and validated.
    pub tool_calls: Vec<ToolCall>,
    /// Token counts.
    pub usage: Usage,
    /// Per-token log-probabilities when requested and available.
    pub logprobs: Option<Vec<TokenLogprob>>,
    /// Why generation stopped.
    pub finish_reason: FinishReason,
}

impl ChatResponse {
    /// Parses `content` as JSON (for structured answers).
    pub fn json(&self) -> crate::Result<Value> {
        serde_json::from_str(&self.content)
            .map_err(|e| crate::LlmError::SchemaViolation(format!("answer is not JSON: {e}")))
    }
}

/// Receives generated text as it is produced.
pub type TokenSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Per-call options that are not part of the request itself.
#[derive(Clone, Default)]
pub struct CallOptions {
    /// Called with each piece of generated text (for tool calls: the raw JSON being written).
    pub on_token: Option<TokenSink>,
    /// Cancels the call; the backend stops at the next token and returns `LlmError::Cancelled`.
    pub cancel: CancellationToken,
}

impl CallOptions {
    /// Options with a streaming callback.
    pub fn streaming(on_token: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self { on_token: Some(Arc::new(on_token)), cancel: CancellationToken::new() }
    }
    /// Sets the cancellation token.
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }
    pub(crate) fn emit(&self, piece: &str) {
        if let Some(sink) = &self.on_token
            && !piece.is_empty()
        {
            sink(piece);
        }
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("streaming", &self.on_token.is_some())
            .field("cancelled", &self.cancel.is_cancelled())
            .finish()
    }
}
