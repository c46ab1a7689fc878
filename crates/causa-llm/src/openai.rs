//! The remote backend: any server that speaks the OpenAI chat-completions API (OpenAI, vLLM,
//! Ollama, llama-server, LM Studio, llama-cpp-python).
//!
//! Request and response bodies are async-openai's types, so the wire format follows the
//! published API; the HTTP exchange itself is done here with reqwest because the policy around
//! it is the point of this module and async-openai's client hides what it needs: the status
//! code of non-JSON error bodies and the `Retry-After` header. Policy: a per-request timeout;
//! retries with exponential backoff on 429, 5xx and timeouts, waiting at least what
//! `Retry-After` asks; no retry on 4xx client errors, whose messages say what to fix; a
//! semaphore bounding requests in flight per model handle (benchmark runs fan out).
//!
//! Structured answers use the server's `json_schema` response format when allowed; if the
//! server rejects it (HTTP 400 naming `response_format`), the schema moves into the prompt for
//! this and later calls and the reply is validated, which works with any server.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use async_openai::types::chat::{
    ChatChoiceLogprobs, ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionNamedToolChoice, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestAssistantMessageContent, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestSystemMessageContent,
    ChatCompletionRequestToolMessage, ChatCompletionRequestToolMessageContent,
    ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent, ChatCompletionStreamOptions,
    ChatCompletionTool, ChatCompletionToolChoiceOption, ChatCompletionTools, CreateChatCompletionRequest,
    CreateChatCompletionResponse, CreateChatCompletionStreamResponse, FinishReason as WireFinish,
    FunctionCall, FunctionName, FunctionObject, ResponseFormat, ResponseFormatJsonSchema, ToolChoiceOptions,
};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::config::{ApiKey, LlmConfig};
use crate::registry::error_chain;
use crate::schema::validate;
use crate::types::{
    CallOptions, ChatMessage, ChatRequest, ChatResponse, FinishReason, Role, TokenLogprob, ToolCall,
    ToolChoice, Usage,
};
use crate::{BoxFuture, ChatModel, LlmError, Result};

/// Connection settings for an OpenAI-compatible server.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// Base URL including the API prefix, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    /// Model name sent with each request.
    pub model: String,
    /// Bearer token; `None` sends no Authorization header (local servers).
    pub api_key: Option<ApiKey>,
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Requests in flight at most.
    pub concurrency: u32,
    /// First backoff delay; doubles per retry.
    pub backoff_base: Duration,
    /// Longest single wait, including a server's `Retry-After`.
    pub backoff_max: Duration,
    /// Try the `json_schema` response format before prompted JSON.
    pub json_schema_format: bool,
}

impl OpenAiSettings {
    /// Settings for `model` with defaults: 120 s timeout, 4 retries, 4 in flight, backoff 0.5 s
    /// doubling to at most 30 s.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            timeout: Duration::from_secs(120),
            max_retries: 4,
            concurrency: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            json_schema_format: true,
        }
    }

    /// Settings from the config file, the environment and the `--base-url` flag.
    pub fn from_config(model: &str, config: &LlmConfig, base_url: Option<&str>) -> Self {
        let remote = &config.remote;
        Self {
            api_key: config.api_key(),
            timeout: remote.timeout(),
            max_retries: remote.max_retries,
            concurrency: remote.concurrency.max(1),
            json_schema_format: remote.json_schema_format,
            ..Self::new(config.base_url(base_url), model)
        }
    }
}

/// A model behind an OpenAI-compatible HTTP API.
pub struct OpenAiModel {
    settings: OpenAiSettings,
    endpoint: String,
    client: reqwest::Client,
    permits: Arc<Semaphore>,
    /// The structured-answer strategy this server accepted last (see [`SchemaStrategy`]).
    schema_strategy: AtomicU8,
    calls: AtomicU64,
}

impl std::fmt::Debug for OpenAiModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiModel")
            .field("endpoint", &self.endpoint)
            .field("model", &self.settings.model)
            .finish()
    }
}

/// How a structured answer is requested, from the most to the least server support needed.
/// A server that rejects one (HTTP 400/422 naming the response format) gets the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum SchemaStrategy {
    /// OpenAI's `{"type": "json_schema", ...}` response format.
    JsonSchema = 0,
    /// `{"type": "json_object", "schema": ...}` plus the schema in the prompt.
    JsonObject = 1,
    /// The schema in the prompt only; the reply is validated.
    Prompted = 2,
}

impl SchemaStrategy {
    fn from_u8(value: u8) -> Self {
        match value {
            0 => Self::JsonSchema,
            1 => Self::JsonObject,
            _ => Self::Prompted,
        }
    }
    fn next(self) -> Self {
        match self {
            Self::JsonSchema => Self::JsonObject,
            _ => Self::Prompted,
        }
    }
}

/// Why one attempt failed, and whether another attempt may help.
enum Attempt {
    Retry { error: LlmError, wait: Option<Duration> },
    Fatal(LlmError),
}

impl OpenAiModel {
    /// Validates the URL and builds the HTTP client; no network traffic yet.
    pub fn new(settings: OpenAiSettings) -> Result<Self> {
        let bad_url =
            |reason: &str| LlmError::BadUrl { url: settings.base_url.clone(), reason: reason.to_string() };
        let url = reqwest::Url::parse(settings.base_url.trim()).map_err(|e| bad_url(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad_url("the scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad_url("it has no host"));
        }
        if settings.model.trim().is_empty() {
            return Err(LlmError::InvalidRequest("the model name is empty".into()));
        }
        let endpoint = format!("{}/chat/completions", settings.base_url.trim().trim_end_matches('/'));
        let client = reqwest::Client::builder()
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .read_timeout(settings.timeout)
            .build()
            .map_err(|e| LlmError::Connect {
                base_url: settings.base_url.clone(),
                reason: error_chain(&e),
            })?;
        let permits = Arc::new(Semaphore::new(settings.concurrency.max(1) as usize));
        let settings_json_schema = settings.json_schema_format;
        Ok(Self {
            settings,
            endpoint,
            client,
            permits,
            schema_strategy: AtomicU8::new(if settings_json_schema { 0 } else { 2 }),
            calls: AtomicU64::new(0),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &OpenAiSettings {
        &self.settings
    }

    async fn run(&self, request: ChatRequest, options: CallOptions) -> Result<ChatResponse> {
        request.validate()?;
        let call_no = self.calls.fetch_add(1, Ordering::Relaxed);
        let mut strategy = SchemaStrategy::from_u8(self.schema_strategy.load(Ordering::Relaxed));
        let streaming = options.on_token.is_some();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let body = self.wire_body(&request, strategy, streaming)?;
            let outcome = tokio::select! {
                biased;
                () = options.cancel.cancelled() => return Err(LlmError::Cancelled),
                outcome = self.attempt(&body, streaming, &request, &options, attempt, call_no) => outcome,
            };
            let (error, wait) = match outcome {
                Ok(response) => return Ok(response),
                // Servers reject an unknown response format with 400 or 422, and
                // llama-cpp-python with 500; all name the field.
                Err(
                    Attempt::Fatal(LlmError::Http { status: 400 | 422 | 500, ref message, .. })
                    | Attempt::Retry { error: LlmError::Http { status: 500, ref message, .. }, .. },
                ) if strategy != SchemaStrategy::Prompted
                    && request.response_schema.is_some()
                    && (message.contains("response_format") || message.contains("json_schema")) =>
                {
                    strategy = strategy.next();
                    self.schema_strategy.store(strategy as u8, Ordering::Relaxed);
                    attempt -= 1;
                    continue;
                }
                Err(Attempt::Fatal(error)) => return Err(error),
                Err(Attempt::Retry { error, wait }) => (error, wait),
            };
            if attempt > self.settings.max_retries {
                return Err(error);
            }
            let backoff = self.settings.backoff_base.saturating_mul(1 << (attempt - 1).min(16));
            let delay = wait.unwrap_or_default().max(backoff).min(self.settings.backoff_max);
            tokio::select! {
                () = options.cancel.cancelled() => return Err(LlmError::Cancelled),
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    async fn attempt(
        &self,
        body: &[u8],
        streaming: bool,
        request: &ChatRequest,
        options: &CallOptions,
        attempt: u32,
        call_no: u64,
    ) -> std::result::Result<ChatResponse, Attempt> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Attempt::Fatal(LlmError::Inference("the request limiter was closed".into())))?;
        let base_url = self.settings.base_url.clone();
        let payload = body.to_vec();
        let mut builder = self
            .client
            .post(&self.endpoint)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(payload);
        if let Some(key) = &self.settings.api_key {
            builder = builder.bearer_auth(key.expose());
        }
        let timeout = self.settings.timeout;
        let sent = tokio::time::timeout(timeout, builder.send()).await;
        let response = match sent {
            Err(_) => {
                let error = LlmError::Timeout { base_url, timeout, attempts: attempt };
                return Err(Attempt::Retry { error, wait: None });
            }
            Ok(Err(e)) => return Err(self.transport_error(&e, attempt)),
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        if !status.is_success() {
            let wait = retry_after(response.headers());
            let text = response.text().await.unwrap_or_default();
            return Err(self.status_error(status.as_u16(), &text, wait, attempt));
        }
        let parsed = if streaming {
            self.read_stream(response, options, attempt).await?
        } else {
            let text = match tokio::time::timeout(timeout, response.text()).await {
                Err(_) => {
                    let error = LlmError::Timeout { base_url, timeout, attempts: attempt };
                    return Err(Attempt::Retry { error, wait: None });
                }
                Ok(Err(e)) => return Err(self.transport_error(&e, attempt)),
                Ok(Ok(text)) => text,
            };
            let wire: CreateChatCompletionResponse = serde_json::from_str(&text)
                .map_err(|e| Attempt::Fatal(self.malformed(format!("{e} in `{}`", self.shorten(&text)))))?;
            parsed_from_wire(wire).map_err(|reason| Attempt::Fatal(self.malformed(reason)))?
        };
        self.finish(parsed, request, call_no).map_err(Attempt::Fatal)
    }

    fn malformed(&self, reason: String) -> LlmError {
        LlmError::MalformedResponse { base_url: self.settings.base_url.clone(), reason }
    }

    fn transport_error(&self, error: &reqwest::Error, attempt: u32) -> Attempt {
        let base_url = self.settings.base_url.clone();
        if error.is_timeout() {
            let error = LlmError::Timeout { base_url, timeout: self.settings.timeout, attempts: attempt };
            return Attempt::Retry { error, wait: None };
        }
        if error.is_connect() {
            return Attempt::Fatal(LlmError::Connect { base_url, reason: error_chain(error) });
        }
        Attempt::Fatal(self.malformed(format!("the exchange failed: {}", error_chain(error))))
    }

    fn status_error(&self, status: u16, body: &str, wait: Option<Duration>, attempt: u32) -> Attempt {
        let base_url = self.settings.base_url.clone();
        let message = self.shorten(&server_message(body));
        match status {
            401 | 403 => Attempt::Fatal(LlmError::Unauthorized { base_url, status }),
            404 => {
                Attempt::Fatal(LlmError::NotFound { base_url, model: self.settings.model.clone(), message })
            }
            429 => Attempt::Retry { error: LlmError::RateLimited { base_url, attempts: attempt }, wait },
            500..=599 => Attempt::Retry {
                error: LlmError::Http { base_url, status, attempts: attempt, message },
                wait,
            },
            _ => Attempt::Fatal(LlmError::Http { base_url, status, attempts: attempt, message }),
        }
    }

    /// Shortens server text for error messages and removes the API key should a server echo it.
    fn shorten(&self, text: &str) -> String {
        let mut text: String = text.chars().take(300).collect();
        if let Some(key) = &self.settings.api_key
            && !key.expose().is_empty()
        {
            text = text.replace(key.expose(), "[redacted]");
        }
        text
    }

    async fn read_stream(
        &self,
        mut response: reqwest::Response,
        options: &CallOptions,
        attempt: u32,
    ) -> std::result::Result<Parsed, Attempt> {
        let mut parsed = Parsed::default();
        let mut pending = String::new();
        let mut calls: Vec<(String, String, String)> = Vec::new();
        loop {
            let chunk = match tokio::time::timeout(self.settings.timeout, response.chunk()).await {
                Err(_) => {
                    let base_url = self.settings.base_url.clone();
                    let error =
                        LlmError::Timeout { base_url, timeout: self.settings.timeout, attempts: attempt };
                    return Err(Attempt::Fatal(error));
                }
                Ok(Err(e)) => {
                    return Err(Attempt::Fatal(self.malformed(format!("stream broke: {}", error_chain(&e)))));
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => chunk,
            };
            pending.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = pending.find('\n') {
                let line = pending[..end].trim().to_string();
                pending.drain(..=end);
                let Some(data) = line.strip_prefix("data:").map(str::trim) else { continue };
                if data == "[DONE]" {
                    return Ok(finish_stream(parsed, calls));
                }
                let event: CreateChatCompletionStreamResponse = serde_json::from_str(data).map_err(|e| {
                    Attempt::Fatal(self.malformed(format!("stream event: {e} in `{}`", self.shorten(data))))
                })?;
                if let Some(usage) = event.usage {
                    parsed.usage = (usage.prompt_tokens, usage.completion_tokens);
                }
                for choice in event.choices.into_iter().filter(|c| c.index == 0) {
                    if let Some(text) = choice.delta.content {
                        options.emit(&text);
                        parsed.content.push_str(&text);
                    }
                    for chunk in choice.delta.tool_calls.unwrap_or_default() {
                        let index = chunk.index as usize;
                        if calls.len() <= index {
                            calls.resize(index + 1, Default::default());
                        }
                        if let Some(id) = chunk.id {
                            calls[index].0 = id;
                        }
                        if let Some(function) = chunk.function {
                            calls[index].1.push_str(&function.name.unwrap_or_default());
                            let arguments = function.arguments.unwrap_or_default();
                            options.emit(&arguments);
                            calls[index].2.push_str(&arguments);
                        }
                    }
                    if let Some(reason) = choice.finish_reason {
                        parsed.finish = Some(reason);
                    }
                    if let Some(logprobs) = choice.logprobs {
                        parsed.logprobs.get_or_insert_with(Vec::new).extend(convert_logprobs(logprobs));
                    }
                }
            }
        }
        Ok(finish_stream(parsed, calls))
    }

    /// The request body for `strategy`; `json_object` with an inline `schema` is an extension
    /// (llama-cpp-python, Anyscale-style servers) that OpenAI's own API does not have.
    fn wire_body(&self, request: &ChatRequest, strategy: SchemaStrategy, stream: bool) -> Result<Vec<u8>> {
        let schema_format = strategy == SchemaStrategy::JsonSchema;
        let mut body = serde_json::to_value(self.wire_request(request, schema_format, stream))
            .map_err(|e| LlmError::InvalidRequest(format!("cannot encode the request: {e}")))?;
        if let (SchemaStrategy::JsonObject, Some(schema), Some(map)) =
            (strategy, &request.response_schema, body.as_object_mut())
        {
            map.insert(
                "response_format".into(),
                serde_json::json!({"type": "json_object", "schema": schema.schema}),
            );
        }
        serde_json::to_vec(&body)
            .map_err(|e| LlmError::InvalidRequest(format!("cannot encode the request: {e}")))
    }

    #[allow(deprecated)] // `max_tokens` and `seed`: still the fields many servers read.
    fn wire_request(
        &self,
        request: &ChatRequest,
        schema_format: bool,
        stream: bool,
    ) -> CreateChatCompletionRequest {
        let mut messages = request.messages.clone();
        let prompted_schema = request.response_schema.as_ref().filter(|_| !schema_format);
        if let Some(schema) = prompted_schema {
            let instruction = format!(
                "Reply with a single JSON value, no prose and no code fences, valid against this JSON schema: {}",
                schema.schema
            );
            match messages.first_mut() {
                Some(first) if first.role == Role::System => {
                    first.content.push_str("\n\n");
                    first.content.push_str(&instruction);
                }
                _ => messages.insert(0, ChatMessage::system(instruction)),
            }
        }
        let uses_tools = request.uses_tools();
        let tools = uses_tools.then(|| {
            request
                .tools
                .iter()
                .map(|t| {
                    ChatCompletionTools::Function(ChatCompletionTool {
                        function: FunctionObject {
                            name: t.name.clone(),
                            description: Some(t.description.clone()),
                            parameters: Some(t.parameters.clone()),
                            strict: None,
                        },
                    })
                })
                .collect()
        });
        let named = |name: &str| {
            ChatCompletionToolChoiceOption::Function(ChatCompletionNamedToolChoice {
                function: FunctionName { name: name.to_string() },
            })
        };
        let tool_choice = uses_tools.then(|| match &request.tool_choice {
            ToolChoice::Tool(name) => named(name),
            // Several servers only force tools by name; with one tool the two are the same.
            ToolChoice::Required if request.tools.len() == 1 => named(&request.tools[0].name),
            ToolChoice::Required => ChatCompletionToolChoiceOption::Mode(ToolChoiceOptions::Required),
            _ => ChatCompletionToolChoiceOption::Mode(ToolChoiceOptions::Auto),
        });
        let response_format =
            request.response_schema.as_ref().filter(|_| schema_format).map(|r| ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    description: None,
                    name: r.name.clone(),
                    schema: r.schema.clone(),
                    strict: Some(true),
                },
            });
        CreateChatCompletionRequest {
            messages: messages.iter().map(wire_message).collect(),
            model: self.settings.model.clone(),
            max_completion_tokens: Some(request.max_tokens),
            max_tokens: Some(request.max_tokens),
            temperature: Some(request.temperature),
            seed: request.seed.map(|s| s as i64),
            logprobs: request.logprobs.map(|_| true),
            top_logprobs: request.logprobs.filter(|n| *n > 0),
            tools,
            tool_choice,
            response_format,
            stream: stream.then_some(true),
            stream_options: stream.then_some(ChatCompletionStreamOptions {
                include_usage: Some(true),
                include_obfuscation: None,
            }),
            ..Default::default()
        }
    }

    /// Turns the wire reply into a response, validating every structured part.
    fn finish(&self, parsed: Parsed, request: &ChatRequest, call_no: u64) -> Result<ChatResponse> {
        let mut tool_calls = Vec::new();
        for (i, (id, name, arguments)) in parsed.tool_calls.into_iter().enumerate() {
            let tool = request.tools.iter().find(|t| t.name == name).ok_or_else(|| {
                LlmError::SchemaViolation(format!("the model called an unknown tool `{name}`"))
            })?;
            let arguments: Value = if arguments.trim().is_empty() {
                Value::Object(Default::default())
            } else {
                serde_json::from_str(&arguments).map_err(|e| {
                    LlmError::SchemaViolation(format!("arguments of `{name}` are not JSON: {e}"))
                })?
            };
            validate(&tool.parameters, &arguments)
                .map_err(|e| LlmError::SchemaViolation(format!("arguments of `{name}`: {e}")))?;
            let id = if id.is_empty() { format!("call_{call_no}_{i}") } else { id };
            tool_calls.push(ToolCall { id, name, arguments });
        }
        let forced = matches!(request.tool_choice, ToolChoice::Required | ToolChoice::Tool(_));
        if request.uses_tools() && forced && tool_calls.is_empty() {
            return Err(LlmError::SchemaViolation(
                "a tool call was required but the model answered in text".into(),
            ));
        }
        let mut content = parsed.content.trim().to_string();
        if let Some(schema) = request.response_schema.as_ref().filter(|_| tool_calls.is_empty()) {
            let value: Value = serde_json::from_str(strip_code_fence(&content))
                .map_err(|e| LlmError::SchemaViolation(format!("answer is not JSON: {e}")))?;
            validate(&schema.schema, &value).map_err(LlmError::SchemaViolation)?;
            content = value.to_string();
        }
        let finish_reason = match parsed.finish {
            _ if !tool_calls.is_empty() => FinishReason::ToolCalls,
            Some(WireFinish::Length) => FinishReason::Length,
            Some(WireFinish::ContentFilter) => FinishReason::ContentFilter,
            Some(WireFinish::ToolCalls | WireFinish::FunctionCall) => FinishReason::ToolCalls,
            _ => FinishReason::Stop,
        };
        Ok(ChatResponse {
            content,
            tool_calls,
            usage: Usage {
                prompt_tokens: parsed.usage.0,
                completion_tokens: parsed.usage.1,
                ..Usage::default()
            },
            logprobs: parsed.logprobs.filter(|_| request.logprobs.is_some()),
            finish_reason,
        })
    }
}

impl ChatModel for OpenAiModel {
    fn describe(&self) -> String {
        format!("openai:{} at {}", self.settings.model, self.settings.base_url)
    }

    fn count_tokens(&self, _text: &str) -> Option<usize> {
        None
    }

    fn chat(&self, request: ChatRequest, options: CallOptions) -> BoxFuture<'_, Result<ChatResponse>> {
        Box::pin(self.run(request, options))
    }
}

/// The parts of a reply, before validation.
#[derive(Default)]
struct Parsed {
    content: String,
    tool_calls: Vec<(String, String, String)>,
    finish: Option<WireFinish>,
    usage: (u32, u32),
    logprobs: Option<Vec<TokenLogprob>>,
}

fn finish_stream(mut parsed: Parsed, calls: Vec<(String, String, String)>) -> Parsed {
    parsed.tool_calls = calls.into_iter().filter(|c| !c.1.is_empty()).collect();
    parsed
}

fn parsed_from_wire(wire: CreateChatCompletionResponse) -> std::result::Result<Parsed, String> {
    let choice = wire.choices.into_iter().next().ok_or("the reply has no choices")?;
    let tool_calls = choice
        .message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .filter_map(|call| match call {
            ChatCompletionMessageToolCalls::Function(f) => {
                Some((f.id, f.function.name, f.function.arguments))
            }
            ChatCompletionMessageToolCalls::Custom(_) => None,
        })
        .collect();
    Ok(Parsed {
        content: choice.message.content.unwrap_or_default(),
        tool_calls,
        finish: choice.finish_reason,
        usage: wire.usage.map_or((0, 0), |u| (u.prompt_tokens, u.completion_tokens)),
        logprobs: choice.logprobs.map(convert_logprobs),
    })
}

fn convert_logprobs(logprobs: ChatChoiceLogprobs) -> Vec<TokenLogprob> {
    logprobs
        .content
        .unwrap_or_default()
        .into_iter()
        .map(|t| TokenLogprob {
            token: t.token,
            logprob: t.logprob,
            top: t.top_logprobs.into_iter().map(|a| (a.token, a.logprob)).collect(),
        })
        .collect()
}

fn wire_message(message: &ChatMessage) -> ChatCompletionRequestMessage {
    let text = message.content.clone();
    match message.role {
        Role::System => ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
            content: ChatCompletionRequestSystemMessageContent::Text(text),
            name: None,
        }),
        Role::User => ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
            content: ChatCompletionRequestUserMessageContent::Text(text),
            name: None,
        }),
        Role::Assistant => {
            let tool_calls = (!message.tool_calls.is_empty()).then(|| {
                message
                    .tool_calls
                    .iter()
                    .map(|c| {
                        ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                            id: c.id.clone(),
                            function: FunctionCall {
                                name: c.name.clone(),
                                arguments: c.arguments.to_string(),
                            },
                        })
                    })
                    .collect()
            });
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                // Present even when empty beside tool calls: some servers' templates read it.
                content: Some(ChatCompletionRequestAssistantMessageContent::Text(text)),
                tool_calls,
                ..Default::default()
            })
        }
        Role::Tool => ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
            content: ChatCompletionRequestToolMessageContent::Text(text),
            tool_call_id: message.tool_call_id.clone().unwrap_or_default(),
        }),
    }
}

/// `Retry-After` in seconds (integer or decimal); HTTP dates are ignored in favour of backoff.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<f64>().ok()?;
    (value.is_finite() && value >= 0.0).then(|| Duration::from_secs_f64(value))
}

/// The `error.message` of an OpenAI-style error body, or the body itself.
fn server_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            let error = v.get("error")?;
            Some(
                error
                    .get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| error.to_string(), str::to_string),
            )
        })
        .unwrap_or_else(|| body.trim().to_string())
}

fn strip_code_fence(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(rest) = trimmed.strip_prefix("```") else { return trimmed };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("0.5"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(500)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn server_messages_and_fences() {
        assert_eq!(server_message(r#"{"error":{"message":"no such model"}}"#), "no such model");
        assert_eq!(server_message("plain failure\n"), "plain failure");
        assert_eq!(strip_code_fence("```json\n{\"a\":1}\n```"), "{\"a\":1}");
        assert_eq!(strip_code_fence(" {\"a\":1} "), "{\"a\":1}");
    }

    #[test]
    fn bad_urls_are_rejected_before_any_request() {
        for (url, needle) in
            [("localhost:8080", "scheme"), ("ftp://host/v1", "scheme"), ("not a url", "invalid base URL")]
        {
            let err = OpenAiModel::new(OpenAiSettings::new(url, "m"))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(needle) && err.contains(url), "{url}: {err}");
        }
    }

    #[test]
    fn wire_request_carries_tools_choice_and_both_token_limits() {
        let model = OpenAiModel::new(OpenAiSettings::new("http://127.0.0.1:1/v1", "m"));
        let Ok(model) = model else { return };
        let tool = crate::ToolSpec {
            name: "f".into(),
            description: "d".into(),
            parameters: serde_json::json!({"type": "object"}),
        };
        let request = ChatRequest::new(vec![ChatMessage::user("hi")])
            .with_tools(vec![tool], ToolChoice::Required)
            .with_max_tokens(7);
        let wire = serde_json::to_value(model.wire_request(&request, true, false)).unwrap_or_default();
        assert_eq!(wire["max_tokens"], 7);
        assert_eq!(wire["max_completion_tokens"], 7);
        assert_eq!(wire["tool_choice"], serde_json::json!({"type": "function", "function": {"name": "f"}}));
        assert_eq!(wire["tools"][0]["function"]["name"], "f");
        assert_eq!(wire["messages"][0], serde_json::json!({"role": "user", "content": "hi"}));
    }
}
