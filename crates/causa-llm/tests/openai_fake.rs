//! Fault-injection tests of the OpenAI-compatible backend against `FakeOpenAiServer`, a scripted
//! local HTTP responder (not a model): timeouts, 429 with Retry-After, 5xx, malformed JSON,
//! refused connections, auth and not-found errors, schema fallbacks, streaming, concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use causa_llm::{
    ApiKey, CallOptions, CancellationToken, ChatMessage, ChatModel, ChatRequest, FinishReason, LlmError,
    OpenAiModel, OpenAiSettings, ToolChoice, ToolSpec,
};
use serde_json::{Value, json};
use support::{FakeOpenAiServer, Reply, completion};

const KEY: &str = "sk-test-secret-123";

fn model(server: &FakeOpenAiServer, tweak: impl FnOnce(&mut OpenAiSettings)) -> OpenAiModel {
    let mut settings = OpenAiSettings::new(&server.base_url, "fake-model");
    settings.api_key = Some(ApiKey::new(KEY));
    settings.backoff_base = Duration::from_millis(10);
    settings.timeout = Duration::from_secs(5);
    settings.max_retries = 2;
    tweak(&mut settings);
    OpenAiModel::new(settings).unwrap()
}

fn hello() -> ChatRequest {
    ChatRequest::new(vec![ChatMessage::user("hello")]).with_max_tokens(9)
}

fn add_tool() -> ToolSpec {
    ToolSpec {
        name: "add".into(),
        description: "Add two integers.".into(),
        parameters: json!({
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
            "additionalProperties": false
        }),
    }
}

fn body(received: &support::Received) -> Value {
    serde_json::from_str(&received.body).unwrap()
}

#[tokio::test]
async fn a_normal_reply_with_a_tool_call_is_parsed_and_validated() {
    let server =
        FakeOpenAiServer::start(vec![Reply::ok(completion(None, &[("add", r#"{"a":2,"b":3}"#)]))]).await;
    let request = hello().with_tools(vec![add_tool()], ToolChoice::Auto);
    let response = model(&server, |_| {}).chat(request, CallOptions::default()).await.unwrap();
    assert_eq!(response.tool_calls.len(), 1);
    assert_eq!(response.tool_calls[0].name, "add");
    assert_eq!(response.tool_calls[0].arguments, json!({"a": 2, "b": 3}));
    assert_eq!(response.finish_reason, FinishReason::ToolCalls);
    assert_eq!((response.usage.prompt_tokens, response.usage.completion_tokens), (11, 3));

    let received = server.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].head.starts_with("POST /v1/chat/completions"), "{}", received[0].head);
    assert!(
        received[0]
            .head
            .to_ascii_lowercase()
            .contains(&format!("authorization: bearer {KEY}").to_ascii_lowercase())
    );
    let sent = body(&received[0]);
    assert_eq!(sent["model"], "fake-model");
    assert_eq!(sent["max_tokens"], 9);
    assert_eq!(sent["tools"][0]["function"]["name"], "add");
    assert_eq!(sent["tool_choice"], "auto");
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after() {
    let server = FakeOpenAiServer::start(vec![
        Reply::status(429, r#"{"error":{"message":"slow down"}}"#).header("Retry-After", "1"),
        Reply::ok(completion(Some("fine"), &[])),
    ])
    .await;
    let response = model(&server, |_| {}).chat(hello(), CallOptions::default()).await.unwrap();
    assert_eq!(response.content, "fine");
    let received = server.received();
    assert_eq!(received.len(), 2);
    let waited = received[1].at - received[0].at;
    assert!(waited >= Duration::from_millis(950), "retried after {waited:?}, Retry-After said 1 s");
}

#[tokio::test]
async fn persistent_rate_limiting_gives_a_clear_error() {
    let limited = || Reply::status(429, "{}").header("Retry-After", "0");
    let server = FakeOpenAiServer::start(vec![limited(), limited(), limited()]).await;
    let err = model(&server, |_| {}).chat(hello(), CallOptions::default()).await.unwrap_err();
    assert!(matches!(err, LlmError::RateLimited { attempts: 3, .. }), "{err}");
    assert!(err.to_string().contains("429"));
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let server = FakeOpenAiServer::start(vec![
        Reply::status(500, "boom"),
        Reply::status(503, "busy"),
        Reply::ok(completion(Some("recovered"), &[])),
    ])
    .await;
    let response = model(&server, |_| {}).chat(hello(), CallOptions::default()).await.unwrap();
    assert_eq!(response.content, "recovered");
    assert_eq!(server.received().len(), 3);

    let server =
        FakeOpenAiServer::start(vec![Reply::status(500, "boom 1"), Reply::status(500, "boom 2")]).await;
    let err = model(&server, |s| s.max_retries = 1).chat(hello(), CallOptions::default()).await.unwrap_err();
    match &err {
        LlmError::Http { status: 500, attempts: 2, message, .. } => assert!(message.contains("boom 2")),
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn slow_servers_time_out_after_retries() {
    let slow = || Reply::Delay(Duration::from_secs(3), Box::new(Reply::ok(completion(Some("late"), &[]))));
    let server = FakeOpenAiServer::start(vec![slow(), slow()]).await;
    let started = Instant::now();
    let err = model(&server, |s| {
        s.timeout = Duration::from_millis(300);
        s.max_retries = 1;
    })
    .chat(hello(), CallOptions::default())
    .await
    .unwrap_err();
    assert!(matches!(err, LlmError::Timeout { attempts: 2, .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn malformed_json_is_reported_not_retried() {
    let server = FakeOpenAiServer::start(vec![Reply::ok("{\"id\": \"x\", \"choices\": [")]).await;
    let err = model(&server, |_| {}).chat(hello(), CallOptions::default()).await.unwrap_err();
    assert!(matches!(err, LlmError::MalformedResponse { .. }), "{err}");
    assert_eq!(server.received().len(), 1);

    let server = FakeOpenAiServer::start(vec![Reply::Raw("this is not HTTP\r\n\r\n".into())]).await;
    let err = model(&server, |_| {}).chat(hello(), CallOptions::default()).await.unwrap_err();
    assert!(matches!(err, LlmError::MalformedResponse { .. }), "{err}");
}

#[tokio::test]
async fn refused_connections_name_the_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut settings = OpenAiSettings::new(format!("http://127.0.0.1:{port}/v1"), "m");
    settings.max_retries = 3;
    let started = Instant::now();
    let err = OpenAiModel::new(settings).unwrap().chat(hello(), CallOptions::default()).await.unwrap_err();
    assert!(matches!(err, LlmError::Connect { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")) && text.contains("OPENAI_BASE_URL"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn auth_and_not_found_errors_say_what_to_fix_and_hide_the_key() {
    let server = FakeOpenAiServer::start(vec![Reply::status(
        401,
        format!(r#"{{"error":{{"message":"Incorrect API key provided: {KEY}"}}}}"#),
    )])
    .await;
    let err = model(&server, |_| {}).chat(hello(), CallOptions::default()).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("OPENAI_API_KEY") && !text.contains(KEY), "{text}");
    assert_eq!(server.received().len(), 1, "401 must not be retried");

    let server =
        FakeOpenAiServer::start(vec![Reply::status(404, r#"{"error":{"message":"model not found"}}"#)]).await;
    let err = model(&server, |_| {}).chat(hello(), CallOptions::default()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("fake-model") && text.contains("model not found") && text.contains("/v1"),
        "{text}"
    );
}

#[tokio::test]
async fn invalid_tool_arguments_from_a_server_are_rejected() {
    let server = FakeOpenAiServer::start(vec![
        Reply::ok(completion(None, &[("add", r#"{"a":"two","b":3}"#)])),
        Reply::ok(completion(None, &[("add", r#"{"a":2,"#)])),
        Reply::ok(completion(None, &[("mul", r#"{}"#)])),
    ])
    .await;
    let model = model(&server, |_| {});
    for needle in ["$.a: expected type", "not JSON", "unknown tool `mul`"] {
        let request = hello().with_tools(vec![add_tool()], ToolChoice::Auto);
        let err = model.chat(request, CallOptions::default()).await.unwrap_err();
        assert!(matches!(err, LlmError::SchemaViolation(_)) && err.to_string().contains(needle), "{err}");
    }
}

#[tokio::test]
async fn unsupported_schema_formats_fall_back_to_prompted_json() {
    let schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]});
    let server = FakeOpenAiServer::start(vec![
        Reply::status(400, r#"{"error":{"message":"unsupported response_format type json_schema"}}"#),
        Reply::status(422, r#"{"detail":[{"loc":["body","response_format"],"msg":"bad"}]}"#),
        Reply::ok(completion(Some("```json\n{\"n\": 4}\n```"), &[])),
        Reply::ok(completion(Some("{\"n\": \"four\"}"), &[])),
    ])
    .await;
    let model = model(&server, |_| {});
    let request = hello().with_response_schema("count", schema.clone());
    let response = model.chat(request.clone(), CallOptions::default()).await.unwrap();
    assert_eq!(response.json().unwrap(), json!({"n": 4}));
    let received = server.received();
    assert_eq!(body(&received[0])["response_format"]["type"], "json_schema");
    assert_eq!(body(&received[1])["response_format"], json!({"type": "json_object", "schema": schema}));
    let prompted = body(&received[2]);
    assert!(prompted.get("response_format").is_none());
    assert!(prompted["messages"][0]["content"].as_str().unwrap().contains("JSON schema"), "{prompted}");

    // The fallback sticks, and a reply that breaks the schema is an error, not an answer.
    let err = model.chat(request, CallOptions::default()).await.unwrap_err();
    assert!(matches!(err, LlmError::SchemaViolation(_)), "{err}");
    assert!(body(&server.received()[3]).get("response_format").is_none());
}

#[tokio::test]
async fn streamed_replies_reach_the_callback() {
    let event = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "fake",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
    };
    let sse = [
        event(json!({"role": "assistant", "content": ""}), Value::Null),
        event(json!({"content": "Hel"}), Value::Null),
        event(json!({"content": "lo!"}), json!("stop")),
        "data: [DONE]\n\n".to_string(),
    ]
    .concat();
    let server =
        FakeOpenAiServer::start(vec![Reply::ok(sse).header("content-type", "text/event-stream")]).await;
    let pieces = Arc::new(Mutex::new(Vec::new()));
    let sink = pieces.clone();
    let options = CallOptions::streaming(move |p| sink.lock().unwrap().push(p.to_string()));
    let response = model(&server, |_| {}).chat(hello(), options).await.unwrap();
    assert_eq!(response.content, "Hello!");
    assert_eq!(*pieces.lock().unwrap(), ["Hel", "lo!"]);
    assert_eq!(body(&server.received()[0])["stream"], true);
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let slow = || Reply::Delay(Duration::from_millis(400), Box::new(Reply::ok(completion(Some("x"), &[]))));
    let server = FakeOpenAiServer::start(vec![slow(), slow()]).await;
    let model = Arc::new(model(&server, |s| s.concurrency = 1));
    let (a, b) = tokio::join!(
        model.chat(hello(), CallOptions::default()),
        model.chat(hello(), CallOptions::default())
    );
    assert!(a.is_ok() && b.is_ok());
    let received = server.received();
    let gap = received[1].at - received[0].at;
    assert!(gap >= Duration::from_millis(380), "second request sent after {gap:?} with one permit");
}

#[tokio::test]
async fn cancellation_interrupts_a_pending_request() {
    let server = FakeOpenAiServer::start(vec![Reply::Delay(
        Duration::from_secs(5),
        Box::new(Reply::ok(completion(Some("late"), &[]))),
    )])
    .await;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let result = model(&server, |_| {}).chat(hello(), CallOptions::default().with_cancel(cancel)).await;
    assert!(matches!(result, Err(LlmError::Cancelled)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_remote_model_leaves_the_context_window_to_the_caller() {
    // The OpenAI API does not report a model's context window.
    let model = OpenAiModel::new(OpenAiSettings::new("http://127.0.0.1:9/v1", "fake-model")).unwrap();
    assert_eq!(model.context_tokens(), None);
}
