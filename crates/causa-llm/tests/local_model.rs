//! Tests with the real embedded model (SmolLM2-135M-Instruct Q4_1) run by llama.cpp.
//! The model is loaded once for the whole binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Each test holds the `serial()` guard across its awaits on purpose: see `serial`.
#![allow(clippy::await_holding_lock)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use causa_llm::{
    CallOptions, CancellationToken, ChatMessage, ChatModel, ChatRequest, FinishReason, LlmError, LocalModel,
    LocalSettings, ToolChoice, ToolSpec, schema,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

fn model() -> &'static LocalModel {
    static MODEL: OnceLock<LocalModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let settings = LocalSettings { threads: 2, context_size: 1024, batch_size: 256 };
        LocalModel::load(&support::model_path(), settings).expect("load the default model")
    })
}

/// Runs the tests of this binary one at a time. They share one model on a 2-thread budget, and
/// concurrent contexts on the same model stalled a parallel run for many minutes.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn ask(question: &str, max_tokens: u32) -> ChatRequest {
    ChatRequest::new(vec![ChatMessage::system("You are a concise assistant."), ChatMessage::user(question)])
        .with_max_tokens(max_tokens)
}

#[test]
fn the_gguf_chat_template_is_chatml_and_is_applied() {
    let _serial = serial();
    let template = model().chat_template();
    assert!(template.contains("<|im_start|>") && template.contains("<|im_end|>"), "{template}");
    let prompt =
        model().render_prompt(&[ChatMessage::system("Be brief."), ChatMessage::user("Hi!")]).unwrap();
    assert_eq!(
        prompt,
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n"
    );
}

#[test]
fn the_context_window_is_the_configured_one() {
    // Set to 1024 in `model()`, below the model's training context (8192 for SmolLM2).
    let _serial = serial();
    let chat: &dyn ChatModel = model();
    assert_eq!(chat.context_tokens(), Some(1024));
}

#[tokio::test]
async fn generates_text_with_token_counts() {
    let _serial = serial();
    let request = ask("What is the capital of France?", 24);
    let prompt = model().render_prompt(&request.messages).unwrap();
    let response = model().chat(request, CallOptions::default()).await.unwrap();
    assert!(!response.content.is_empty());
    assert!(response.content.contains("Paris"), "{}", response.content);
    assert!(response.usage.completion_tokens >= 1 && response.usage.completion_tokens <= 24);
    let counted = model().count_tokens(&prompt) as u32;
    assert!(
        response.usage.prompt_tokens == counted || response.usage.prompt_tokens == counted + 1,
        "prompt tokens {} vs tokenizer count {counted} (+1 for a BOS token)",
        response.usage.prompt_tokens
    );
    assert!(response.tool_calls.is_empty());
    assert!(matches!(response.finish_reason, FinishReason::Stop | FinishReason::Length));
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DiscoverArgs {
    /// Path of the CSV data file.
    data: String,
    /// Discovery algorithm.
    algorithm: Algorithm,
    /// Significance level of the independence tests.
    alpha: Option<f64>,
    /// Variables that must not be caused by others.
    exogenous: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Algorithm {
    Pc,
    Fci,
    Ges,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct EffectArgs {
    /// Treatment variable.
    treatment: String,
    /// Outcome variable.
    outcome: String,
    /// Number of bootstrap resamples.
    #[schemars(range(min = 1, max = 1000))]
    bootstrap: u32,
}

fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::from_type::<DiscoverArgs>("discover", "Learn a causal graph from a data file."),
        ToolSpec::from_type::<EffectArgs>("estimate_effect", "Estimate a causal effect."),
    ]
}

/// The arguments deserialize into the Rust type the schema was derived from: an independent
/// check of the validator and the grammar.
fn check_call(name: &str, arguments: &serde_json::Value) {
    match name {
        "discover" => {
            serde_json::from_value::<DiscoverArgs>(arguments.clone()).unwrap();
        }
        "estimate_effect" => {
            let args: EffectArgs = serde_json::from_value(arguments.clone()).unwrap();
            assert!((1..=1000).contains(&args.bootstrap), "{arguments}");
        }
        other => panic!("unknown tool {other}"),
    }
}

#[tokio::test]
async fn tool_call_arguments_always_parse_and_validate() {
    let _serial = serial();
    let prompts = [
        "Find the causal structure in sales.csv using PC with alpha 0.01.",
        "Run GES on /data/health.csv; age and sex are exogenous.",
        "What causes what in weather.csv?",
        "Estimate the effect of smoking on cancer with 200 bootstrap samples.",
        "Does exercise affect weight? Use 50 resamples.",
        "Please discover a graph for file x.csv with FCI.",
        "effect of price on demand",
        "hello",
        "Learn the graph from \"quoted \\\"file\\\".csv\" please",
        "Estimate how education changes income, bootstrap 5000 times.",
    ];
    let forced = [
        ToolChoice::Tool("discover".into()),
        ToolChoice::Tool("estimate_effect".into()),
        ToolChoice::Required,
    ];
    let mut calls = 0;
    for (i, prompt) in prompts.iter().enumerate() {
        let choice = forced[i % forced.len()].clone();
        let request = ask(prompt, 96).with_tools(tools(), choice.clone());
        let response = model().chat(request, CallOptions::default()).await.unwrap();
        assert_eq!(response.tool_calls.len(), 1, "{prompt}: {response:?}");
        let call = &response.tool_calls[0];
        if let ToolChoice::Tool(name) = &choice {
            assert_eq!(&call.name, name);
        }
        let spec = tools().into_iter().find(|t| t.name == call.name).unwrap();
        assert_eq!(schema::validate(&spec.parameters, &call.arguments), Ok(()));
        check_call(&call.name, &call.arguments);
        assert_eq!(response.finish_reason, FinishReason::ToolCalls);
        calls += 1;
    }
    assert_eq!(calls, prompts.len());
}

#[tokio::test]
async fn free_tool_choice_yields_a_valid_call_or_an_answer() {
    let _serial = serial();
    for prompt in ["Estimate the effect of rain on traffic with 10 resamples.", "Say hello."] {
        let request = ask(prompt, 96).with_tools(tools(), ToolChoice::Auto);
        let response = model().chat(request, CallOptions::default()).await.unwrap();
        match response.tool_calls.as_slice() {
            [] => assert!(!response.content.is_empty(), "{prompt}: empty answer"),
            [call] => check_call(&call.name, &call.arguments),
            more => panic!("{prompt}: {} calls", more.len()),
        }
    }
}

#[tokio::test]
async fn structured_answers_follow_the_schema() {
    let _serial = serial();
    let answer_schema = json!({
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": ["yes", "no"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1}
        },
        "required": ["verdict", "confidence"],
        "additionalProperties": false
    });
    for question in ["Does smoking cause cancer?", "Is the moon made of cheese?"] {
        let request = ask(question, 48).with_response_schema("verdict", answer_schema.clone());
        let response = model().chat(request, CallOptions::default()).await.unwrap();
        let value = response.json().unwrap();
        assert_eq!(schema::validate(&answer_schema, &value), Ok(()), "{value}");
    }
}

#[tokio::test]
async fn streaming_delivers_the_answer_piece_by_piece() {
    let _serial = serial();
    let pieces = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = pieces.clone();
    let options = CallOptions::streaming(move |piece| sink.lock().unwrap().push(piece.to_string()));
    let response = model().chat(ask("Name three colours.", 20), options).await.unwrap();
    let pieces = pieces.lock().unwrap();
    assert!(pieces.len() >= 3, "{pieces:?}");
    assert_eq!(pieces.concat().trim(), response.content);
}

#[tokio::test]
async fn cancellation_stops_generation() {
    let _serial = serial();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let result = model().chat(ask("Count to 100.", 64), CallOptions::default().with_cancel(cancel)).await;
    assert!(matches!(result, Err(LlmError::Cancelled)), "{result:?}");

    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let options = CallOptions::streaming(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
            trigger.cancel();
        }
    })
    .with_cancel(cancel);
    let result = model().chat(ask("Count from 1 to 100.", 64), options).await;
    assert!(matches!(result, Err(LlmError::Cancelled)), "{result:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 3, "generation went on after cancellation");
}

#[tokio::test]
async fn greedy_logprobs_match_the_top_alternative() {
    let _serial = serial();
    let response =
        model().chat(ask("Say yes or no.", 6).with_logprobs(3), CallOptions::default()).await.unwrap();
    let logprobs = response.logprobs.unwrap();
    assert_eq!(logprobs.len() as u32, response.usage.completion_tokens);
    for entry in &logprobs {
        assert!(entry.logprob <= 0.0, "{entry:?}");
        assert_eq!(entry.top.len(), 3);
        assert!(entry.top.windows(2).all(|w| w[0].1 >= w[1].1), "{entry:?}");
        // Greedy decoding picks the most likely token.
        assert_eq!(entry.top[0].0, entry.token);
        assert!((entry.top[0].1 - entry.logprob).abs() < 1e-4);
    }
    let total: f32 = logprobs[0].top.iter().map(|(_, lp)| lp.exp()).sum();
    assert!(total <= 1.0 + 1e-4);
}

#[tokio::test]
async fn overflowing_conversations_are_trimmed_not_fatal() {
    let _serial = serial();
    let mut messages = vec![ChatMessage::system("You are a concise assistant.")];
    for i in 0..60 {
        messages.push(ChatMessage::user(format!("Remember fact number {i}: the sky was blue on day {i}.")));
        messages.push(ChatMessage::assistant(format!("Noted fact {i} about day {i} and the blue sky.")));
    }
    messages.push(ChatMessage::user("What colour was the sky?"));
    let response =
        model().chat(ChatRequest::new(messages).with_max_tokens(16), CallOptions::default()).await.unwrap();
    assert!(response.usage.dropped_messages > 0);
    assert!(response.usage.prompt_tokens + 16 <= model().context_size());

    let huge = "causal graphs are fun ".repeat(2_000);
    let request = ChatRequest::new(vec![ChatMessage::user(huge)]).with_max_tokens(16);
    let response = model().chat(request, CallOptions::default()).await.unwrap();
    assert!(response.usage.prompt_tokens + 16 <= model().context_size());
}

#[tokio::test]
async fn bad_requests_are_refused_before_inference() {
    let _serial = serial();
    let request = ask("hi", 8).with_tools(tools(), ToolChoice::Tool("nope".into()));
    let err = model().chat(request, CallOptions::default()).await.unwrap_err();
    assert!(err.to_string().contains("forced tool `nope`"), "{err}");
    let err = model().chat(ChatRequest::new(vec![]), CallOptions::default()).await.unwrap_err();
    assert!(err.to_string().contains("no messages"), "{err}");
}

#[test]
fn missing_or_invalid_files_give_load_errors() {
    let _serial = serial();
    let err = LocalModel::load("/nonexistent/m.gguf".as_ref(), LocalSettings::default()).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/m.gguf"), "{err}");
    let bogus = std::env::temp_dir().join(format!("causa-bogus-{}.gguf", std::process::id()));
    std::fs::write(&bogus, b"not a gguf").unwrap();
    let err = LocalModel::load(&bogus, LocalSettings::default()).unwrap_err();
    let _ = std::fs::remove_file(&bogus);
    assert!(matches!(err, LlmError::ModelLoad { .. }), "{err}");
}

/// The worker keeps its KV cache between calls and evaluates only what follows the prefix a
/// prompt shares with what the cache holds. Checked against a fresh model (empty cache) per
/// request: the answers are the same, and the reuse is what the prompts imply: an identical
/// prompt reuses all but its last token, a prompt with the same system message at least that
/// message, a fresh model nothing. A call cancelled half-way leaves the cache consistent.
#[test]
fn a_shared_prompt_prefix_is_reused_without_changing_answers() {
    let _serial = serial();
    let load = || {
        let settings = LocalSettings { threads: 2, context_size: 1024, batch_size: 256 };
        LocalModel::load(&support::model_path(), settings).expect("load the default model")
    };
    let warm = load();
    // The rendered prompt up to the user turn: the system message every request shares.
    let rendered = model().render_prompt(&ask("x", 1).messages).unwrap();
    let system = &rendered[..rendered.find("<|im_start|>user").unwrap()];
    let system_tokens = model().count_tokens(system) as u32;
    let capital = |country: &str| ask(&format!("What is the capital of {country}?"), 24);
    let structured = capital("Spain").with_response_schema(
        "answer",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    );
    let requests = [capital("France"), capital("Italy"), capital("Italy"), structured, capital("France")];
    for (i, request) in requests.iter().enumerate() {
        let reused = warm.chat_blocking(request, &CallOptions::default()).unwrap();
        let fresh = load().chat_blocking(request, &CallOptions::default()).unwrap();
        assert_eq!(reused.content, fresh.content, "request {i}");
        assert_eq!(reused.usage.prompt_tokens, fresh.usage.prompt_tokens);
        assert_eq!(fresh.usage.cached_prompt_tokens, 0, "a fresh model has nothing cached");
        let cached = reused.usage.cached_prompt_tokens;
        match i {
            0 => assert_eq!(cached, 0, "the first call of a model"),
            2 => assert_eq!(cached, reused.usage.prompt_tokens - 1, "the same prompt again"),
            _ => assert!(
                cached >= system_tokens && cached < reused.usage.prompt_tokens,
                "request {i}: {cached} of {} tokens reused, the system message is {system_tokens}",
                reused.usage.prompt_tokens
            ),
        }
    }
    // Cancelled after three tokens: the next call still matches a fresh model.
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let options = CallOptions::streaming(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) == 2 {
            trigger.cancel();
        }
    })
    .with_cancel(cancel);
    let long = ask("Count from one to fifty in words.", 64);
    assert!(matches!(warm.chat_blocking(&long, &options), Err(LlmError::Cancelled)));
    let after = warm.chat_blocking(&long, &CallOptions::default()).unwrap();
    let fresh = load().chat_blocking(&long, &CallOptions::default()).unwrap();
    assert_eq!(after.content, fresh.content);
    assert!(after.usage.cached_prompt_tokens > 0);
}
