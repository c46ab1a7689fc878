//! The reasoning suites through the shared runner: engine mode on the development slices and on
//! freshly generated (and perturbed) items, direct and agent mode with a scripted model, and the
//! summaries.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use causa_bench::prompts::BenchPrompts;
use causa_bench::reasoning::{
    Benchmark, Cladder, Clear, Cold, Corr2Cause, Entry, Mode, ModelSettings, ReasoningSuite, RunInfo, summary,
};
use causa_bench::runner::{RunOptions, run, select};
use causa_llm::{
    BoxFuture, CallOptions, ChatModel, ChatRequest, ChatResponse, FinishReason, LlmError, TokenLogprob, Usage,
};
use causa_reasoning::{cladder, clear, corr2cause};
use serde_json::Value;

fn benchdata() -> PathBuf {
    causa_reasoning::benchdata::find_benchdata(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("benchmark data not found: {e}"))
}

fn block<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
}

fn info(mode: Mode) -> RunInfo {
    RunInfo { mode, model: "none".into(), data: "dev".into(), command: "test".into() }
}

/// Runs `bench` in `mode` over `items` and returns the summary.
fn run_suite<B: Benchmark + Clone>(
    bench: B,
    mode: Mode,
    model: Option<Arc<dyn ChatModel>>,
    items: Vec<Entry<B::Item>>,
) -> Value {
    let suite = Arc::new(
        ReasoningSuite::new(bench.clone(), mode, model, BenchPrompts::embedded(), ModelSettings::default())
            .unwrap(),
    );
    let outcome = block(run(suite, items.clone(), &RunOptions::default())).unwrap();
    summary(&bench, &info(mode), &items, &outcome.records)
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

#[test]
fn engine_mode_reproduces_the_engine_dev_scores() {
    // The counts of benchmarks/reasoning/engine-dev-scores.md, whose disagreements are checked by
    // hand in causa-reasoning's tests.
    let data = benchdata();
    let items = Corr2Cause.load(&data.join("corr2cause/dev.csv")).unwrap();
    let s = run_suite(Corr2Cause, Mode::Engine, None, items);
    assert_eq!(s["n"], 150);
    assert!(close(&s["accuracy"], 146.0 / 150.0), "{s}");
    // 29 valid items predicted valid, 3 invalid predicted valid, 1 valid predicted invalid.
    assert!(close(&s["precision"], 29.0 / 32.0) && close(&s["recall"], 29.0 / 30.0), "{s}");
    assert!(close(&s["by_template"]["child"]["accuracy"], 1.0));
    assert_eq!(s["by_num_vars"]["6"]["n"], 67);

    let items = Clear.load(&data.join("clear")).unwrap();
    let s = run_suite(Clear, Mode::Engine, None, items);
    assert_eq!((s["n"].as_u64(), s["accuracy"].as_f64()), (Some(120), Some(1.0)), "{s}");
    assert_eq!(s["by_task"].as_object().unwrap().len(), 20);
    assert_eq!(s["by_question_type"]["YN"]["n"], 45);

    let items = Cladder.load(&data.join("cladder/dev.csv")).unwrap();
    let s = run_suite(Cladder, Mode::Engine, None, items);
    assert!(close(&s["accuracy"], 118.0 / 120.0), "{s}");
    assert!(close(&s["by_rung"]["3"]["accuracy"], 50.0 / 52.0), "{s}");
    assert_eq!(s["by_sense"]["nonsense"]["n"], 55);
    assert_eq!(s["no_prediction"], 0);
}

#[test]
fn engine_mode_is_exact_on_generated_and_perturbed_items() {
    for (seed, perturbation) in [
        (1, corr2cause::Perturbation::default()),
        (2, corr2cause::Perturbation { paraphrase: true, rename: true }),
    ] {
        let items = corr2cause::generate_range(40, 3..=5, seed, perturbation).unwrap();
        let entries =
            items.into_iter().enumerate().map(|(i, item)| Entry { id: i.to_string(), item }).collect();
        let s = run_suite(Corr2Cause, Mode::Engine, None, entries);
        assert_eq!(s["accuracy"].as_f64(), Some(1.0), "{s}");
    }
    let perturbation = clear::Perturbation { rename: true, shuffle: true, paraphrase: true };
    let items = clear::generate_range(60, 4..=7, 3, perturbation).unwrap();
    let entries = items.into_iter().map(|item| Entry { id: item.uid.clone(), item }).collect();
    let s = run_suite(Clear, Mode::Engine, None, entries);
    assert_eq!(s["accuracy"].as_f64(), Some(1.0), "{s}");
    let perturbation = cladder::Perturbation { paraphrase: true, rename: true };
    let items = cladder::generate(60, 4, 0.03, perturbation).unwrap();
    let entries = items.into_iter().map(|item| Entry { id: item.id.clone(), item }).collect();
    let s = run_suite(Cladder, Mode::Engine, None, entries);
    assert_eq!(s["accuracy"].as_f64(), Some(1.0), "{s}");
}

#[test]
fn cold_is_direct_only_and_model_modes_need_a_model() {
    for mode in [Mode::Engine, Mode::Agent] {
        let err = ReasoningSuite::new(Cold, mode, None, BenchPrompts::embedded(), ModelSettings::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not available for the cold suite"), "{err}");
    }
    let err =
        ReasoningSuite::new(Cladder, Mode::Agent, None, BenchPrompts::embedded(), ModelSettings::default())
            .err()
            .unwrap()
            .to_string();
    assert!(err.contains("--model none"), "{err}");
}

/// A model that replies with scripted texts in turn and records the requests.
struct Scripted {
    replies: Mutex<Vec<Result<ChatResponse, LlmError>>>,
    requests: Mutex<Vec<ChatRequest>>,
}

impl Scripted {
    fn new(replies: Vec<Result<ChatResponse, LlmError>>) -> Arc<Self> {
        Arc::new(Self { replies: Mutex::new(replies), requests: Mutex::new(Vec::new()) })
    }
}

fn reply(text: &str, logprobs: Option<Vec<TokenLogprob>>) -> Result<ChatResponse, LlmError> {
    Ok(ChatResponse {
        content: text.into(),
        tool_calls: Vec::new(),
        usage: Usage { prompt_tokens: 100, completion_tokens: 5, ..Usage::default() },
        logprobs,
        finish_reason: FinishReason::Stop,
    })
}

impl ChatModel for Scripted {
    fn describe(&self) -> String {
        "scripted".into()
    }
    fn count_tokens(&self, _text: &str) -> Option<usize> {
        None
    }
    fn chat(
        &self,
        request: ChatRequest,
        _options: CallOptions,
    ) -> BoxFuture<'_, causa_llm::Result<ChatResponse>> {
        self.requests.lock().unwrap().push(request);
        let next = self.replies.lock().unwrap().remove(0);
        Box::pin(async move { next })
    }
}

#[test]
fn direct_mode_reads_answers_by_the_benchmark_protocol() {
    let items = select(Cladder.load(&benchdata().join("cladder/dev.csv")).unwrap(), None, Some(3));
    let golds: Vec<bool> = items.iter().map(|e| e.item.label).collect();
    let say = |b: bool| if b { "Yes, because of the graph." } else { "No. The effect is negative." };
    // Right, wrong, unreadable.
    let model =
        Scripted::new(vec![reply(say(golds[0]), None), reply(say(!golds[1]), None), reply("Maybe.", None)]);
    let suite = Arc::new(
        ReasoningSuite::new(
            Cladder,
            Mode::Direct,
            Some(model.clone()),
            BenchPrompts::embedded(),
            ModelSettings::default(),
        )
        .unwrap(),
    );
    let outcome = block(run(suite, items.clone(), &RunOptions::default())).unwrap();
    let records: Vec<_> = outcome.records.iter().map(|(_, r)| r).collect();
    assert_eq!(records.iter().map(|r| r.correct).collect::<Vec<_>>(), vec![true, false, false]);
    assert_eq!(records[2].prediction, None);
    assert!(records[2].error.is_some() && records[2].raw.as_deref() == Some("Maybe."));
    assert_eq!(records[0].prompt_tokens, 100);
    let request = &model.requests.lock().unwrap()[0];
    assert!(request.messages[1].content.contains(&items[0].item.prompt));
    let s = summary(&Cladder, &info(Mode::Direct), &items, &outcome.records);
    assert!(close(&s["accuracy"], 1.0 / 3.0) && s["no_prediction"] == 1, "{s}");
}

#[test]
fn cold_prefers_logprobs_and_falls_back_to_the_generated_letter() {
    let items = select(Cold.load(&benchdata().join("cold/baking_a_cake.csv")).unwrap(), None, Some(2));
    let gold: Vec<char> = items.iter().map(|e| e.item.answer_letter()).collect();
    let other = |c: char| if c == 'A' { 'B' } else { 'A' };
    // Item 1: the generated text says the wrong letter but the log-probabilities favour the gold
    // one; item 2: no letter among the alternatives, the generated gold letter is read.
    let top = vec![(gold[0].to_string(), -0.4), (format!(" {}", other(gold[0])), -0.9)];
    let lp = TokenLogprob { token: other(gold[0]).to_string(), logprob: -0.9, top };
    let none = TokenLogprob { token: "The".into(), logprob: -0.1, top: vec![("The".into(), -0.1)] };
    let model = Scripted::new(vec![
        reply(&other(gold[0]).to_string(), Some(vec![lp])),
        reply(&format!("{}.", gold[1]), Some(vec![none])),
    ]);
    let suite = Arc::new(
        ReasoningSuite::new(
            Cold,
            Mode::Direct,
            Some(model.clone()),
            BenchPrompts::embedded(),
            ModelSettings::default(),
        )
        .unwrap(),
    );
    let outcome = block(run(suite, items.clone(), &RunOptions::default())).unwrap();
    assert!(outcome.records.iter().all(|(_, r)| r.correct), "{:?}", outcome.records);
    assert!(model.requests.lock().unwrap().iter().all(|r| r.logprobs == Some(20)));
    let s = summary(&Cold, &info(Mode::Direct), &items, &outcome.records);
    assert_eq!(s["scoring"]["logprobs"], 1);
    assert_eq!(s["scoring"]["generated"], 1);
    assert_eq!(s["by_activity"]["baking a cake"]["n"], 2);
}

#[test]
fn agent_mode_retries_invalid_translations_then_gives_up() {
    let items = select(Corr2Cause.load(&benchdata().join("corr2cause/dev.csv")).unwrap(), None, Some(2));
    // The correct translation of item 1 is what the deterministic parser reads.
    let query = corr2cause::parse(&items[0].item.input).unwrap();
    let good = serde_json::to_string(&query).unwrap();
    let model = Scripted::new(vec![
        reply(
            "{\"variables\": [\"A\"], \"relations\": [], \"hypothesis\": {\"Collider\": [\"A\", \"Q\"]}}",
            None,
        ),
        reply(&good, None),
        reply("{}", None),
        Err(LlmError::SchemaViolation("output is not complete JSON".into())),
        reply("{\"variables\": []}", None),
    ]);
    let suite = Arc::new(
        ReasoningSuite::new(
            Corr2Cause,
            Mode::Agent,
            Some(model.clone()),
            BenchPrompts::embedded(),
            ModelSettings::default(),
        )
        .unwrap(),
    );
    let outcome = block(run(suite, items.clone(), &RunOptions::default())).unwrap();
    let (first, second) = (&outcome.records[0].1, &outcome.records[1].1);
    assert_eq!(first.calls, 2);
    assert_eq!(first.prediction.as_deref(), Some(if items[0].item.label { "yes" } else { "no" }));
    assert_eq!(second.calls, 3, "1 try + 2 retries");
    assert!(second.prediction.is_none() && second.error.as_deref().unwrap().contains("invalid translation"));
    let requests = model.requests.lock().unwrap();
    assert!(requests[0].response_schema.is_some());
    // The retry carries the engine's complaint about the unknown variable.
    let retry = &requests[1].messages.last().unwrap().content;
    assert!(retry.contains("could not use that translation") && retry.contains('Q'), "{retry}");
}

#[test]
fn agent_schemas_describe_the_formal_queries() {
    let schema = Corr2Cause.agent_schema();
    assert!(schema["properties"]["relations"].is_object(), "{schema}");
    let schema = Clear.agent_schema();
    for key in ["nodes", "edges", "query"] {
        assert!(schema["properties"][key].is_object(), "{key}: {schema}");
    }
    let schema = Cladder.agent_schema();
    assert!(schema["properties"]["question"].is_object(), "{schema}");
    // A CLEAR translation written by hand answers like the engine.
    let item = &Clear.load(&benchdata().join("clear/d-separation.jsonl")).unwrap()[0].item;
    let translation = serde_json::json!({
        "nodes": ["F", "N", "Z", "C"],
        "edges": ["Z -> C", "N -> Z", "F -> Z"],
        "query": {"form": "YesNo", "property": {"DSeparator": {"x": "F", "y": "N", "minimal": false}}, "candidate": "set()", "options": []}
    });
    assert_eq!(Clear.agent_answer(item, &translation).unwrap(), Clear.engine(item).unwrap());
    assert!(Clear.judge(item, &Clear.agent_answer(item, &translation).unwrap()));
}
