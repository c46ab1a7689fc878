//! The embedded backend: a GGUF model run in-process by llama.cpp.
//!
//! Small local models cannot be trusted to write valid JSON on their own, so whenever a request
//! wants structure (a tool call or a schema-bound answer) the output is constrained by a grammar
//! compiled from the JSON schema: the sampler can only pick tokens that keep the text a prefix
//! of a valid document. Free tool choice becomes one schema, an `anyOf` of every tool's call
//! object and a plain answer object, so the model decides *whether* to call a tool while the
//! grammar guarantees *how* it is written. The parsed result is validated again afterwards,
//! because grammars drop a few schema keywords (patterns, formats).
//!
//! The model stays loaded for the life of the handle. Inference is blocking C++ code, so it runs
//! on one worker thread per model, one call at a time (concurrent calls would only fight over
//! the same cores). The worker keeps its context (the KV cache) between calls and remembers which
//! tokens it holds: a call whose prompt starts like the previous call's (the same system prompt
//! and instructions, a conversation that grew by a turn, the next window of a long log) evaluates
//! only the tokens after the shared prefix. The reused entries are exactly those a fresh
//! evaluation of the same tokens at the same positions would compute, so calls stay independent
//! of each other up to floating-point summation order.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, mpsc};

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use serde_json::Value;

use crate::config::LocalSettings;
use crate::schema::{answer_envelope, bounded_for_grammar, clamp_numbers, tool_call_envelope, validate};
use crate::types::{
    CallOptions, ChatMessage, ChatRequest, ChatResponse, FinishReason, Role, TokenLogprob, ToolCall,
    ToolChoice, Usage,
};
use crate::{BoxFuture, ChatModel, LlmError, Result};

/// llama.cpp allows one backend per process; every model shares it.
static BACKEND: OnceLock<std::result::Result<LlamaBackend, String>> = OnceLock::new();

fn backend() -> Result<&'static LlamaBackend> {
    BACKEND
        .get_or_init(|| {
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default().with_logs_enabled(false));
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LlmError::Inference(format!("cannot initialise llama.cpp: {e}")))
}

/// A GGUF model loaded in memory.
#[derive(Clone)]
pub struct LocalModel {
    inner: Arc<Inner>,
    /// The inference worker's queue; the worker stops when the last handle is dropped.
    jobs: Arc<mpsc::Sender<Job>>,
}

/// One call for the inference worker, with where to send its result.
struct Job {
    request: ChatRequest,
    options: CallOptions,
    reply: mpsc::SyncSender<Result<ChatResponse>>,
}

/// The worker's context and the tokens its KV cache holds at positions `0..tokens.len()` of
/// sequence 0.
struct KvCache<'model> {
    context: Option<LlamaContext<'model>>,
    tokens: Vec<LlamaToken>,
}

/// Serves the jobs of one model until every handle is gone, keeping the context between calls.
/// A panic inside one call (a bug, or llama-cpp-2 refusing an index) fails that call with its
/// message and starts the next one with a fresh context, instead of ending the worker.
fn serve(inner: Arc<Inner>, jobs: mpsc::Receiver<Job>) {
    let mut cache = KvCache { context: None, tokens: Vec::new() };
    for job in jobs {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            inner.run(&job.request, &job.options, &mut cache)
        }));
        let result = run.unwrap_or_else(|panic| {
            cache = KvCache { context: None, tokens: Vec::new() };
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".into());
            Err(LlmError::Inference(format!("the inference call failed: {message}")))
        });
        // The caller may have stopped waiting (its task was cancelled); nothing to do then.
        let _ = job.reply.send(result);
    }
}

struct Inner {
    model: LlamaModel,
    template: LlamaChatTemplate,
    path: PathBuf,
    settings: LocalSettings,
    n_ctx: u32,
    calls: AtomicU64,
    /// Per token id: its text contains a double quote (can end a JSON string).
    closes_string: Vec<bool>,
    /// Per token id: its text starts with `}` or `]` (can end a JSON object or array).
    closes_container: Vec<bool>,
}

/// Extra tokens structured output may use beyond `max_tokens` to finish its JSON.
const JSON_OVERRUN: usize = 16;
/// Logit boost for closing tokens once the budget runs low.
const FINISH_BIAS: f32 = 30.0;

struct Samplers {
    grammar: Option<LlamaSampler>,
    base: LlamaSampler,
}

/// Whether `json` (a prefix of a JSON document) ends inside a string.
fn inside_string(json: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for c in json.chars() {
        match (inside, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => inside = !inside,
            _ => {}
        }
    }
    inside
}

impl std::fmt::Debug for LocalModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalModel")
            .field("path", &self.inner.path)
            .field("n_ctx", &self.inner.n_ctx)
            .field("threads", &self.inner.settings.threads)
            .finish()
    }
}

impl LocalModel {
    /// Loads a GGUF file (blocking; about 0.2 s for the default model).
    pub fn load(path: &Path, settings: LocalSettings) -> Result<Self> {
        settings.check()?;
        let load_error = |reason: String| LlmError::ModelLoad { path: path.to_path_buf(), reason };
        if !path.is_file() {
            return Err(load_error("no such file".into()));
        }
        let backend = backend()?;
        let model = LlamaModel::load_from_file(backend, path, &LlamaModelParams::default())
            .map_err(|e| load_error(format!("{e} (is it a GGUF model file?)")))?;
        let template = model.chat_template(None).map_err(|e| {
            load_error(format!("the GGUF has no usable chat template ({e}); use a chat model"))
        })?;
        let n_ctx = settings.context_size.min(model.n_ctx_train().max(256));
        let vocab = model.vocab();
        let pieces: Vec<Vec<u8>> =
            (0..vocab.n_tokens()).map(|id| vocab.token_to_piece(LlamaToken(id), false, None)).collect();
        let closes_string = pieces.iter().map(|p| p.contains(&b'"')).collect();
        let closes_container = pieces
            .iter()
            .map(|p| matches!(p.iter().find(|b| !b.is_ascii_whitespace()), Some(b'}' | b']')))
            .collect();
        let inner = Arc::new(Inner {
            model,
            template,
            path: path.to_path_buf(),
            settings,
            n_ctx,
            calls: AtomicU64::new(0),
            closes_string,
            closes_container,
        });
        let (jobs, queue) = mpsc::channel();
        let served = Arc::clone(&inner);
        std::thread::Builder::new()
            .name("causa-llm-local".into())
            .spawn(move || serve(served, queue))
            .map_err(|e| load_error(format!("cannot start the inference thread: {e}")))?;
        Ok(Self { inner, jobs: Arc::new(jobs) })
    }

    /// Loads on the blocking pool, for async callers.
    pub async fn load_async(path: PathBuf, settings: LocalSettings) -> Result<Self> {
        tokio::task::spawn_blocking(move || Self::load(&path, settings))
            .await
            .map_err(|e| LlmError::Inference(format!("model loader stopped: {e}")))?
    }

    /// The GGUF file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The context window in tokens actually used.
    pub fn context_size(&self) -> u32 {
        self.inner.n_ctx
    }

    /// The chat template stored in the GGUF.
    pub fn chat_template(&self) -> String {
        self.inner.template.to_string().unwrap_or_default()
    }

    /// The prompt text the model sees for `messages` (chat template applied, assistant turn
    /// opened).
    pub fn render_prompt(&self, messages: &[ChatMessage]) -> Result<String> {
        self.inner.render(messages)
    }

    /// Number of tokens of `text` for this model's tokenizer.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.inner.tokenize(text, false).len()
    }

    /// Runs one request and waits for its result (blocking): calls from any number of threads
    /// are queued and run one at a time by the model's inference worker.
    pub fn chat_blocking(&self, request: &ChatRequest, options: &CallOptions) -> Result<ChatResponse> {
        let stopped = || LlmError::Inference("the inference worker stopped".into());
        let (reply, result) = mpsc::sync_channel(1);
        let job = Job { request: request.clone(), options: options.clone(), reply };
        self.jobs.send(job).map_err(|_| stopped())?;
        result.recv().map_err(|_| stopped())?
    }
}

impl ChatModel for LocalModel {
    fn describe(&self) -> String {
        format!("local:{}", self.inner.path.display())
    }

    fn count_tokens(&self, text: &str) -> Option<usize> {
        Some(LocalModel::count_tokens(self, text))
    }

    fn context_tokens(&self) -> Option<usize> {
        Some(self.context_size() as usize)
    }

    fn chat(&self, request: ChatRequest, options: CallOptions) -> BoxFuture<'_, Result<ChatResponse>> {
        let model = self.clone();
        Box::pin(async move {
            // A caller that stops waiting (drops this future) cancels its call, so the worker
            // moves on to the next one instead of finishing an answer nobody reads.
            let cancel = options.cancel.child_token();
            let abandoned = cancel.clone().drop_guard();
            let options = CallOptions { cancel, ..options };
            let result = tokio::task::spawn_blocking(move || model.chat_blocking(&request, &options))
                .await
                .map_err(|e| LlmError::Inference(format!("inference worker stopped: {e}")));
            abandoned.disarm();
            result?
        })
    }
}

/// How the output is constrained and read back.
enum Mode {
    /// Free text.
    Text,
    /// JSON constrained by `grammar_schema`, checked against `check_schema`, then interpreted.
    Json { grammar_schema: String, check_schema: Value, shape: Shape },
}

enum Shape {
    /// The answer itself is the requested structured value.
    Answer,
    /// `{"name", "arguments"}` objects, possibly with an `{"answer"}` alternative.
    Envelope,
}

/// Bytes-to-text for streaming: tokens can end inside a UTF-8 sequence.
#[derive(Default)]
struct Utf8Buffer {
    pending: Vec<u8>,
}

impl Utf8Buffer {
    fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
        self.pending.drain(..valid);
        text
    }
}

impl Inner {
    fn tokenize(&self, text: &str, add_bos: bool) -> Vec<LlamaToken> {
        self.model.vocab().tokenize(text.as_bytes(), add_bos, true)
    }

    fn render(&self, messages: &[ChatMessage]) -> Result<String> {
        let chat = messages
            .iter()
            .map(|m| {
                let content = if m.tool_calls.is_empty() { m.content.clone() } else { written_tool_calls(m) };
                LlamaChatMessage::new(m.role.as_str().to_string(), content)
                    .map_err(|e| LlmError::InvalidRequest(format!("message text: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        self.model
            .apply_chat_template(&self.template, &chat, true)
            .map_err(|e| LlmError::Inference(format!("applying the chat template: {e}")))
    }

    fn run<'model>(
        &'model self,
        request: &ChatRequest,
        options: &CallOptions,
        cache: &mut KvCache<'model>,
    ) -> Result<ChatResponse> {
        // Cancelled while it waited in the queue: nothing to do.
        if options.cancel.is_cancelled() {
            return Err(LlmError::Cancelled);
        }
        request.validate()?;
        let mode = mode_for(request)?;
        let messages = with_tool_instructions(request);
        let reserve = request.max_tokens.min(self.n_ctx / 2);
        let (tokens, dropped) = self.fit_prompt(messages, reserve)?;
        let samplers = self.sampler(request, &mode)?;
        let generated = self.generate(&tokens, request, samplers, options, cache)?;
        let usage = Usage {
            prompt_tokens: tokens.len() as u32,
            completion_tokens: generated.count,
            dropped_messages: dropped,
            cached_prompt_tokens: generated.reused as u32,
        };
        let logprobs = request.logprobs.map(|_| generated.logprobs);
        let call_base = self.calls.fetch_add(1, Ordering::Relaxed);
        interpret(generated.text, generated.finish, &mode, usage, logprobs, call_base)
    }

    /// Renders and tokenises the conversation, dropping the oldest turns (and, as a last resort,
    /// shortening the longest message) until prompt plus `reserve` fit the context window.
    fn fit_prompt(&self, mut messages: Vec<ChatMessage>, reserve: u32) -> Result<(Vec<LlamaToken>, u32)> {
        let budget = self.n_ctx.saturating_sub(reserve).max(1) as usize;
        let mut dropped = 0u32;
        for _ in 0..10_000 {
            let tokens = self.tokenize(&self.render(&with_omission_note(&messages, dropped))?, true);
            if tokens.len() <= budget {
                return Ok((tokens, dropped));
            }
            let first_droppable = usize::from(messages.first().is_some_and(|m| m.role == Role::System));
            if messages.len() > first_droppable + 1 {
                messages.remove(first_droppable);
                dropped += 1;
                continue;
            }
            let excess = tokens.len() - budget;
            let Some(longest) = messages.iter_mut().max_by_key(|m| m.content.len()) else {
                break;
            };
            // Tokens are at least one byte, so cutting excess*4+16 bytes converges quickly.
            let cut = (excess * 4 + 16).min(longest.content.len());
            if cut == 0 {
                break;
            }
            longest.content = shorten_middle(&longest.content, longest.content.len() - cut);
        }
        Err(LlmError::InvalidRequest(format!(
            "the prompt cannot be made to fit the {}-token context window",
            self.n_ctx
        )))
    }

    fn sampler(&self, request: &ChatRequest, mode: &Mode) -> Result<Samplers> {
        let mut grammar = None;
        if let Mode::Json { grammar_schema, .. } = mode {
            let text = llama_cpp_2::json_schema_to_grammar(grammar_schema)
                .map_err(|e| LlmError::InvalidRequest(format!("schema to grammar: {e}")))?;
            let text = tighten_whitespace(&text);
            grammar = Some(
                LlamaSampler::grammar(&self.model, &text, "root")
                    .map_err(|e| LlmError::InvalidRequest(format!("grammar: {e}")))?,
            );
        }
        let mut chain = Vec::new();
        if request.temperature <= 0.0 {
            chain.push(LlamaSampler::greedy());
        } else {
            let seed = request.seed.map_or(0x5eed, |s| (s ^ (s >> 32)) as u32);
            chain.push(LlamaSampler::top_k(40));
            chain.push(LlamaSampler::temp(request.temperature));
            chain.push(LlamaSampler::dist(seed));
        }
        Ok(Samplers { grammar, base: LlamaSampler::chain_simple(chain) })
    }

    /// Picks the next token. Without a grammar the sampler chain does it all. With one, the
    /// grammar masks the candidates, and when `finishing` the tokens that close the current
    /// string (or object/array) are boosted so the JSON completes within the budget; the
    /// grammar is then told the token explicitly (it is not in the chain, so it is told once).
    fn next_token(
        &self,
        ctx: &LlamaContext<'_>,
        index: i32,
        samplers: &mut Samplers,
        finishing: Option<bool>,
    ) -> Result<LlamaToken> {
        let Some(grammar) = samplers.grammar.as_mut() else {
            return Ok(samplers.base.sample(ctx, index));
        };
        let mut candidates = ctx.token_data_array_ith(index);
        grammar.apply(&mut candidates);
        if let Some(in_string) = finishing {
            let closers = if in_string { &self.closes_string } else { &self.closes_container };
            for data in candidates.data.iter_mut() {
                let id = data.id().0 as usize;
                if data.logit().is_finite() && closers.get(id).copied().unwrap_or(false) {
                    data.set_logit(data.logit() + FINISH_BIAS);
                }
            }
        }
        samplers.base.apply(&mut candidates);
        let token = candidates
            .selected_token()
            .ok_or_else(|| LlmError::Inference("the sampler selected no token".into()))?;
        grammar.accept(token);
        Ok(token)
    }

    fn new_context(&self) -> Result<LlamaContext<'_>> {
        let threads = self.settings.threads as i32;
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(self.n_ctx))
            .with_n_batch(self.settings.batch_size)
            .with_n_ubatch(self.settings.batch_size)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        self.model
            .new_context(backend()?, params)
            .map_err(|e| LlmError::Inference(format!("creating a context: {e}")))
    }

    fn generate<'model>(
        &'model self,
        prompt: &[LlamaToken],
        request: &ChatRequest,
        mut samplers: Samplers,
        options: &CallOptions,
        cache: &mut KvCache<'model>,
    ) -> Result<Generated> {
        if prompt.is_empty() {
            return Err(LlmError::InvalidRequest("the prompt is empty".into()));
        }
        let context = match cache.context.take() {
            Some(context) => context,
            None => {
                cache.tokens.clear();
                self.new_context()?
            }
        };
        let ctx = cache.context.insert(context);
        let reused = reuse_prefix(ctx, &mut cache.tokens, prompt);
        // Until the call ends cleanly, `cache.tokens` is kept equal to what the KV cache holds;
        // after a failed decode nothing about the cache is certain, so it is dropped.
        let result = self.decode_and_sample(cache, prompt, reused, request, &mut samplers, options);
        if matches!(result, Err(LlmError::Inference(_))) {
            cache.context = None;
            cache.tokens.clear();
        }
        result.map(|mut out| {
            out.reused = reused;
            out
        })
    }

    /// Evaluates `prompt[reused..]` after the `reused` tokens already in the cache, then samples
    /// the answer, recording in the cache every token whose KV entry is written.
    fn decode_and_sample(
        &self,
        cache: &mut KvCache<'_>,
        prompt: &[LlamaToken],
        reused: usize,
        request: &ChatRequest,
        samplers: &mut Samplers,
        options: &CallOptions,
    ) -> Result<Generated> {
        let KvCache { context: Some(ctx), tokens: held } = cache else {
            return Err(LlmError::Inference("no context to run in".into()));
        };
        let batch_size = self.settings.batch_size as usize;
        let mut batch = LlamaBatch::new(batch_size, 1);
        let decode_error = |e: llama_cpp_2::DecodeError| LlmError::Inference(format!("decode: {e}"));
        let mut logits_index = 0;
        for (chunk_no, chunk) in prompt[reused..].chunks(batch_size).enumerate() {
            if options.cancel.is_cancelled() {
                return Err(LlmError::Cancelled);
            }
            batch.clear();
            let start = reused + chunk_no * batch_size;
            for (i, token) in chunk.iter().enumerate() {
                let pos = start + i;
                let last = pos + 1 == prompt.len();
                batch
                    .add(*token, pos as i32, &[0], last)
                    .map_err(|e| LlmError::Inference(format!("batch: {e}")))?;
                if last {
                    logits_index = i as i32;
                }
            }
            ctx.decode(&mut batch).map_err(decode_error)?;
            held.extend_from_slice(chunk);
        }

        let vocab = self.model.vocab();
        let room = self.n_ctx as usize - prompt.len();
        let json = samplers.grammar.is_some();
        let budget = request.max_tokens as usize;
        // Structured output may overrun the budget slightly to close its JSON; the last quarter
        // of the budget (at least 12 tokens) already steers toward closing.
        let limit = if json { budget + JSON_OVERRUN } else { budget }.min(room);
        let finish_from = budget.saturating_sub((budget / 4).max(12));
        let mut out = Generated {
            text: String::new(),
            count: 0,
            finish: FinishReason::Length,
            logprobs: Vec::new(),
            reused: 0,
        };
        let mut utf8 = Utf8Buffer::default();
        let mut pos = prompt.len();
        while (out.count as usize) < limit {
            if options.cancel.is_cancelled() {
                return Err(LlmError::Cancelled);
            }
            let finishing = (json && out.count as usize >= finish_from).then(|| inside_string(&out.text));
            let token = self.next_token(ctx, logits_index, samplers, finishing)?;
            if vocab.is_eog(token) {
                out.finish = FinishReason::Stop;
                break;
            }
            let piece = vocab.token_to_piece(token, false, None);
            if let Some(top) = request.logprobs {
                out.logprobs.push(token_logprob(ctx, logits_index, token, &piece, top, self));
            }
            let text = utf8.push(&piece);
            options.emit(&text);
            out.text.push_str(&text);
            out.count += 1;
            batch.clear();
            batch
                .add(token, pos as i32, &[0], true)
                .map_err(|e| LlmError::Inference(format!("batch: {e}")))?;
            pos += 1;
            logits_index = 0;
            ctx.decode(&mut batch).map_err(decode_error)?;
            held.push(token);
        }
        Ok(out)
    }
}

/// Keeps the longest prefix of `held` (the tokens in the KV cache) that `prompt` starts with,
/// at most all but the last prompt token (whose logits the next step needs), and removes the
/// rest from the cache. Returns how many tokens are kept; 0 clears the whole cache.
fn reuse_prefix(ctx: &mut LlamaContext<'_>, held: &mut Vec<LlamaToken>, prompt: &[LlamaToken]) -> usize {
    let shared = held.iter().zip(prompt).take_while(|(a, b)| a == b).count();
    let keep = shared.min(prompt.len().saturating_sub(1));
    if keep < held.len() {
        let removed = u32::try_from(keep)
            .ok()
            .and_then(|from| ctx.clear_kv_cache_seq(Some(0), Some(from), None).ok())
            .unwrap_or(false);
        if !removed {
            ctx.clear_kv_cache();
            held.clear();
            return 0;
        }
        held.truncate(keep);
    }
    keep
}

struct Generated {
    text: String,
    count: u32,
    finish: FinishReason,
    logprobs: Vec<TokenLogprob>,
    /// Prompt tokens taken from the cache instead of evaluated.
    reused: usize,
}

/// Log-probability of `token` under the model's raw distribution at this step (before the
/// grammar mask), with the `top` most likely alternatives.
fn token_logprob(
    ctx: &LlamaContext<'_>,
    index: i32,
    token: LlamaToken,
    piece: &[u8],
    top: u8,
    inner: &Inner,
) -> TokenLogprob {
    let logits = ctx.get_logits_ith(index);
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let log_sum = logits.iter().map(|l| (l - max).exp()).sum::<f32>().ln() + max;
    let logprob = logits.get(token.0 as usize).map_or(f32::NEG_INFINITY, |l| l - log_sum);
    let mut order: Vec<usize> = (0..logits.len()).collect();
    let k = usize::from(top).min(order.len());
    if k > 0 {
        order.select_nth_unstable_by(k - 1, |a, b| logits[*b].total_cmp(&logits[*a]));
        order.truncate(k);
        order.sort_by(|a, b| logits[*b].total_cmp(&logits[*a]));
    }
    let vocab = inner.model.vocab();
    let alternatives = order
        .into_iter()
        .take(k)
        .map(|id| {
            let text = vocab.token_to_piece(LlamaToken(id as i32), false, None);
            (String::from_utf8_lossy(&text).into_owned(), logits[id] - log_sum)
        })
        .collect();
    TokenLogprob { token: String::from_utf8_lossy(piece).into_owned(), logprob, top: alternatives }
}

fn mode_for(request: &ChatRequest) -> Result<Mode> {
    let answer_schema = request.response_schema.as_ref().map(|r| &r.schema);
    if !request.uses_tools() {
        return Ok(match answer_schema {
            Some(schema) => Mode::Json {
                grammar_schema: bounded_for_grammar(schema).to_string(),
                check_schema: schema.clone(),
                shape: Shape::Answer,
            },
            None => Mode::Text,
        });
    }
    let calls: Vec<(String, Value)> = request
        .tools
        .iter()
        .filter(|t| match &request.tool_choice {
            ToolChoice::Tool(name) => &t.name == name,
            _ => true,
        })
        .map(|t| (envelope_text(&t.name, &t.parameters), tool_call_envelope(&t.name, &t.parameters)))
        .collect();
    let mut texts: Vec<String> = calls.iter().map(|(text, _)| text.clone()).collect();
    let mut schemas: Vec<Value> = calls.into_iter().map(|(_, schema)| schema).collect();
    if request.tool_choice == ToolChoice::Auto {
        let answer = answer_envelope(answer_schema);
        texts.push(bounded_for_grammar(&answer).to_string());
        schemas.push(answer);
    }
    let (grammar_schema, check_schema) = if schemas.len() == 1 {
        (texts.remove(0), schemas.remove(0))
    } else {
        (format!("{{\"anyOf\":[{}]}}", texts.join(",")), serde_json::json!({ "anyOf": schemas }))
    };
    Ok(Mode::Json { grammar_schema, check_schema, shape: Shape::Envelope })
}

/// The call envelope as schema *text*, written by hand so `name` precedes `arguments`: llama.cpp
/// keeps property order, and a model that names the tool first writes better arguments
/// (`serde_json` maps would sort the keys).
fn envelope_text(name: &str, parameters: &Value) -> String {
    format!(
        "{{\"type\":\"object\",\"properties\":{{\"name\":{{\"const\":{}}},\"arguments\":{}}},\
         \"required\":[\"name\",\"arguments\"],\"additionalProperties\":false}}",
        Value::String(name.to_string()),
        bounded_for_grammar(parameters)
    )
}

/// llama.cpp's JSON grammar allows up to twenty spaces and newlines between tokens; tiny models
/// can wander there until the budget runs out. One optional space is enough for readable JSON.
fn tighten_whitespace(grammar: &str) -> String {
    grammar
        .lines()
        .map(|line| if line.trim_start().starts_with("space ::=") { "space ::= \" \"?" } else { line })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How a past assistant tool call is shown to a local model: the same JSON it is asked to write.
fn written_tool_calls(message: &ChatMessage) -> String {
    message
        .tool_calls
        .iter()
        .map(|c| serde_json::json!({"name": c.name, "arguments": c.arguments}).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adds the tool catalogue and the reply format to the system message (creating one if needed).
fn with_tool_instructions(request: &ChatRequest) -> Vec<ChatMessage> {
    let mut messages = request.messages.clone();
    if !request.uses_tools() {
        return messages;
    }
    let mut text = String::from("\n\nYou can call these tools:\n");
    for tool in &request.tools {
        if let ToolChoice::Tool(name) = &request.tool_choice
            && name != &tool.name
        {
            continue;
        }
        text.push_str(&format!(
            "- {}: {} Arguments schema: {}\n",
            tool.name, tool.description, tool.parameters
        ));
    }
    text.push_str(match request.tool_choice {
        ToolChoice::Auto => {
            "Reply with JSON only: {\"name\": TOOL, \"arguments\": {...}} to call a tool, or \
             {\"answer\": ...} to answer directly."
        }
        _ => "Reply with JSON only: {\"name\": TOOL, \"arguments\": {...}}.",
    });
    match messages.first_mut() {
        Some(first) if first.role == Role::System => first.content.push_str(&text),
        _ => messages.insert(0, ChatMessage::system(text.trim_start())),
    }
    messages
}

fn with_omission_note(messages: &[ChatMessage], dropped: u32) -> Vec<ChatMessage> {
    let mut out = messages.to_vec();
    if dropped == 0 {
        return out;
    }
    let note = format!("({dropped} earlier messages were omitted to fit the context window.)");
    match out.first_mut() {
        Some(first) if first.role == Role::System => {
            first.content.push_str("\n\n");
            first.content.push_str(&note);
        }
        _ => out.insert(0, ChatMessage::system(note)),
    }
    out
}

/// Keeps the start and end of `text` within about `keep` bytes, marking the cut.
fn shorten_middle(text: &str, keep: usize) -> String {
    if text.len() <= keep {
        return text.to_string();
    }
    let boundary = |mut i: usize| {
        while i < text.len() && !text.is_char_boundary(i) {
            i += 1;
        }
        i.min(text.len())
    };
    let head = boundary(keep / 2);
    let tail = boundary(text.len() - (keep - keep / 2));
    format!("{} […] {}", &text[..head], &text[tail.max(head)..])
}

fn interpret(
    text: String,
    finish: FinishReason,
    mode: &Mode,
    usage: Usage,
    logprobs: Option<Vec<TokenLogprob>>,
    call_base: u64,
) -> Result<ChatResponse> {
    let Mode::Json { check_schema, shape, .. } = mode else {
        return Ok(ChatResponse {
            content: text.trim().to_string(),
            tool_calls: Vec::new(),
            usage,
            logprobs,
            finish_reason: finish,
        });
    };
    let mut value: Value = serde_json::from_str(text.trim()).map_err(|e| {
        let hint = if finish == FinishReason::Length { "; it was cut at max_tokens, raise it" } else { "" };
        LlmError::SchemaViolation(format!("output is not complete JSON ({e}){hint}"))
    })?;
    clamp_numbers(check_schema, &mut value);
    validate(check_schema, &value).map_err(LlmError::SchemaViolation)?;
    match shape {
        Shape::Answer => Ok(ChatResponse {
            content: value.to_string(),
            tool_calls: Vec::new(),
            usage,
            logprobs,
            finish_reason: finish,
        }),
        Shape::Envelope => {
            if let Some(answer) = value.get("answer") {
                let content = match answer {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                return Ok(ChatResponse {
                    content,
                    tool_calls: Vec::new(),
                    usage,
                    logprobs,
                    finish_reason: finish,
                });
            }
            let name = value.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let arguments = value.get("arguments").cloned().unwrap_or(Value::Null);
            let call = ToolCall { id: format!("call_{call_base}"), name, arguments };
            Ok(ChatResponse {
                content: String::new(),
                tool_calls: vec![call],
                usage,
                logprobs,
                finish_reason: FinishReason::ToolCalls,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_state_follows_quotes_and_escapes() {
        assert!(!inside_string(r#"{"a": 1"#));
        assert!(inside_string(r#"{"a": "x"#));
        assert!(inside_string(r#"{"a": "x\"y"#), "an escaped quote does not close");
        assert!(!inside_string(r#"{"a": "x\\""#), "an escaped backslash does not escape the quote");
        assert!(!inside_string(r#"{"a": "x", "b": "y""#));
    }

    #[test]
    fn utf8_buffer_holds_split_characters() {
        let mut buffer = Utf8Buffer::default();
        let bytes = "é€".as_bytes();
        assert_eq!(buffer.push(&bytes[..1]), "");
        assert_eq!(buffer.push(&bytes[1..3]), "é");
        assert_eq!(buffer.push(&bytes[3..]), "€");
    }

    #[test]
    fn shorten_middle_keeps_both_ends() {
        let text = "abcdefghijklmnopqrstuvwxyz";
        let short = shorten_middle(text, 10);
        assert!(short.starts_with("abcde") && short.ends_with("vwxyz") && short.contains('…'), "{short}");
        assert_eq!(shorten_middle("abc", 10), "abc");
        let accents = shorten_middle("ééééééééé", 5);
        assert!(accents.starts_with('é'), "{accents}");
    }

    #[test]
    fn whitespace_rule_is_replaced() {
        let grammar = "root ::= \"{\" space \"}\"\nspace ::= | \" \" | \"\\n\"{1,2} [ \\t]{0,20}\n";
        let tight = tighten_whitespace(grammar);
        assert!(tight.contains("space ::= \" \"?") && !tight.contains("{0,20}"), "{tight}");
    }

    #[test]
    fn envelope_text_is_the_envelope_schema_with_name_first() {
        let params = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        let text = envelope_text("count", &params);
        assert!(text.find("\"name\"") < text.find("\"arguments\""));
        let parsed: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(parsed, tool_call_envelope("count", &bounded_for_grammar(&params)));
    }

    #[test]
    fn envelope_answers_and_calls_are_interpreted() {
        let schema =
            json!({"anyOf": [tool_call_envelope("f", &json!({"type": "object"})), answer_envelope(None)]});
        let mode = Mode::Json { grammar_schema: String::new(), check_schema: schema, shape: Shape::Envelope };
        let usage = Usage::default();
        let call = interpret(
            r#"{"name":"f","arguments":{"a":1}}"#.into(),
            FinishReason::Stop,
            &mode,
            usage,
            None,
            7,
        );
        let call = call.ok().map(|r| (r.tool_calls, r.finish_reason));
        assert_eq!(
            call,
            Some((
                vec![ToolCall { id: "call_7".into(), name: "f".into(), arguments: json!({"a": 1}) }],
                FinishReason::ToolCalls
            ))
        );
        let answer = interpret(r#"{"answer":"hi"}"#.into(), FinishReason::Stop, &mode, usage, None, 0);
        assert_eq!(answer.ok().map(|r| r.content), Some("hi".into()));
        let cut = interpret(r#"{"answer":"h"#.into(), FinishReason::Length, &mode, usage, None, 0);
        assert!(cut.err().is_some_and(|e| e.to_string().contains("raise it")));
    }
}
