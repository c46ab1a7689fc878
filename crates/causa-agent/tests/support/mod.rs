//! Helpers shared by the agent's integration tests: simulated data with a known truth and a
//! fault-injection fake model.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use causa_agent::{CollectSink, Event, RunOutcome, Session, SessionConfig};
use causa_graph::CausalGraph;
use causa_llm::{
    BoxFuture, CallOptions, ChatModel, ChatRequest, ChatResponse, FinishReason, LlmError, ToolCall, Usage,
};
use serde_json::Value;

/// A fresh folder for one test.
pub fn sandbox(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("causa-agent-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The example's structure: a confounder (season), an instrument-like cause (budget), a mediator
/// (visits) and an independent cause of the outcome (price).
pub const TRUE_GRAPH: &str = "season -> ad_spend; budget -> ad_spend; season -> sales; ad_spend -> visits; visits -> sales; price -> sales";

/// Fixed edge weights of [`TRUE_GRAPH`], chosen so that no two paths cancel (the data are
/// faithful to the graph): the true total effect of ad_spend on sales is 0.9 * 0.8 = 0.72.
pub const TRUE_EFFECT: f64 = 0.72;

/// Linear-Gaussian data from [`TRUE_GRAPH`] with fixed weights and unit noise, generated here
/// (independently of the library's simulator) and written as CSV; returns the file, the true
/// effect of ad_spend on sales and the true graph.
pub fn simulated_csv(dir: &Path, seed: u64, samples: usize) -> (PathBuf, f64, CausalGraph) {
    let mut normal = normals(seed);
    let mut text = String::from("season,ad_spend,budget,sales,visits,price\n");
    for _ in 0..samples {
        let season = normal();
        let budget = normal();
        let price = normal();
        let ad_spend = 0.8 * season + 0.7 * budget + normal();
        let visits = 0.9 * ad_spend + normal();
        let sales = 0.6 * season + 0.8 * visits - 0.7 * price + normal();
        text.push_str(&format!("{season},{ad_spend},{budget},{sales},{visits},{price}\n"));
    }
    let path = dir.join(format!("data-{seed}.csv"));
    std::fs::write(&path, text).unwrap();
    (path, TRUE_EFFECT, causa_graph::io::parse_text(TRUE_GRAPH).unwrap())
}

/// Standard normal draws from a fixed seed (xorshift64* and Box-Muller), independent of the
/// library's simulator.
pub fn normals(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut uniform = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        ((state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    move || {
        let (u, v) = (uniform(), uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Runs one question to the end on a fresh runtime.
pub fn ask(session: &mut Session, question: &str) -> (causa_agent::Result<RunOutcome>, Vec<Event>) {
    let sink = CollectSink::new();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let outcome = runtime.block_on(session.ask(question, &sink, causa_llm::CancellationToken::new()));
    (outcome, sink.events())
}

/// A session over `data` with `model`.
pub fn session(model: Option<Arc<dyn ChatModel>>, data: &Path, config: SessionConfig) -> Session {
    let mut s = Session::new(model, config).unwrap();
    s.load_data(data).unwrap();
    s
}

/// One scripted reply of the fake model.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Call a tool with arguments.
    Call(&'static str, Value),
    /// Fail like a broken server.
    Fail,
    /// Answer in text.
    Text(&'static str),
}

/// A fault-injection fake model: replays a script of replies (the last one repeats forever) and
/// records every request it saw, so tests can inject invalid calls, unknown tools, errors and
/// premature answers into the agent loop.
pub struct FaultInjectingModel {
    script: Vec<Reply>,
    calls: Mutex<usize>,
    /// The requests received.
    pub requests: Mutex<Vec<ChatRequest>>,
}

impl FaultInjectingModel {
    /// A fake replaying `script`.
    pub fn new(script: Vec<Reply>) -> Arc<Self> {
        Arc::new(Self { script, calls: Mutex::new(0), requests: Mutex::new(Vec::new()) })
    }

    /// How many times it was called.
    pub fn calls(&self) -> usize {
        *self.calls.lock().unwrap()
    }
}

impl ChatModel for FaultInjectingModel {
    fn describe(&self) -> String {
        "fault-injection fake".into()
    }

    fn count_tokens(&self, text: &str) -> Option<usize> {
        Some(text.len() / 4)
    }

    fn chat(
        &self,
        request: ChatRequest,
        _options: CallOptions,
    ) -> BoxFuture<'_, causa_llm::Result<ChatResponse>> {
        let n = {
            let mut calls = self.calls.lock().unwrap();
            *calls += 1;
            *calls - 1
        };
        self.requests.lock().unwrap().push(request);
        let reply = self.script.get(n).or(self.script.last()).cloned().unwrap_or(Reply::Fail);
        Box::pin(async move {
            let usage = Usage { prompt_tokens: 10, completion_tokens: 5, ..Usage::default() };
            match reply {
                Reply::Fail => Err(LlmError::Inference("injected failure".into())),
                Reply::Call(name, arguments) => Ok(ChatResponse {
                    content: String::new(),
                    tool_calls: vec![ToolCall { id: format!("f{n}"), name: name.into(), arguments }],
                    usage,
                    logprobs: None,
                    finish_reason: FinishReason::ToolCalls,
                }),
                Reply::Text(text) => Ok(ChatResponse {
                    content: text.into(),
                    tool_calls: vec![],
                    usage,
                    logprobs: None,
                    finish_reason: FinishReason::Stop,
                }),
            }
        })
    }
}

/// The tool results of a run, in order: (tool, ok, summary).
pub fn results(events: &[Event]) -> Vec<(String, bool, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ToolResult { tool, ok, summary, .. } => Some((tool.clone(), *ok, summary.clone())),
            _ => None,
        })
        .collect()
}

/// The notices of a run.
pub fn notices(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Notice { message } => Some(message.clone()),
            _ => None,
        })
        .collect()
}
