//! The causal-reasoning suites (Corr2Cause, CLEAR, CLadder, COLD) in their three modes.
//!
//! Every suite answers the same items in up to three ways, so that a run shows what formal tools
//! add to a model: `direct` (the model answers; its text is read by the benchmark's own protocol,
//! see [`crate::answer`]), `agent` (the model only translates the item into the formal query of
//! `causa_reasoning`, constrained to that type's JSON schema, and the engine answers; a
//! translation the engine cannot use is sent back with the engine's error a bounded number of
//! times, then counts as no prediction) and `engine` (the deterministic parser translates, no
//! model). A suite is a [`Benchmark`]: loading, prompts, extraction, the engine and the metric;
//! [`ReasoningSuite`] turns any of them into a [`crate::runner::Suite`] for a mode, so resuming,
//! concurrency and progress come from the shared runner.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use causa_llm::{BoxFuture, CallOptions, ChatMessage, ChatModel, ChatRequest, LlmError};
use causa_reasoning::{cladder, clear, cold, corr2cause};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::answer;
use crate::prompts::BenchPrompts;
use crate::runner::Suite;
use crate::{BenchError, Result};

/// How a suite's items are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The model answers the question itself.
    Direct,
    /// The model translates into a formal query; the engine answers.
    Agent,
    /// The deterministic parser translates; the engine answers. No model.
    Engine,
}

impl Mode {
    /// `direct`, `agent` or `engine`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Direct => "direct",
            Mode::Agent => "agent",
            Mode::Engine => "engine",
        }
    }

    /// Whether the mode calls a model.
    pub fn needs_model(self) -> bool {
        self != Mode::Engine
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a COLD prediction was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scoring {
    /// Log-probabilities of the option letters as the first token (the official protocol).
    Logprobs,
    /// The letter read from the generated answer (the backend gave no usable log-probabilities).
    Generated,
}

/// What is stored per item in `predictions.jsonl` (the runner adds `id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The mode that produced it.
    pub mode: Mode,
    /// The answer in the benchmark's answer format; `None` when there is no valid answer.
    pub prediction: Option<String>,
    /// The reference answer.
    pub gold: String,
    /// Whether the prediction is judged correct (find-one/find-all CLEAR answers are checked
    /// against the graph).
    pub correct: bool,
    /// The model's raw output (the translation JSON in agent mode, the last one after retries).
    pub raw: Option<String>,
    /// Why there is no prediction (an engine error, an invalid translation, no readable answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wall-clock seconds for the item.
    pub latency_secs: f64,
    /// Prompt tokens over all model calls of the item.
    pub prompt_tokens: u64,
    /// Generated tokens over all model calls of the item.
    pub completion_tokens: u64,
    /// Model calls made (0 in engine mode).
    pub calls: u32,
    /// COLD: how the choice was scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<Scoring>,
}

/// An item with the id it is stored under.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<T> {
    /// Unique within the suite's data.
    pub id: String,
    /// The item in its benchmark's own type.
    pub item: T,
}

/// One reasoning benchmark: everything the modes need besides the model.
pub trait Benchmark: Send + Sync + 'static {
    /// The benchmark's item type.
    type Item: Send + Sync + Clone + 'static;

    /// The suite name used in summaries (`corr2cause`, `clear`, `cladder`, `cold`).
    fn name(&self) -> &'static str;

    /// Reads the items of `path` (a file, or a folder of files where the format has several).
    fn load(&self, path: &Path) -> Result<Vec<Entry<Self::Item>>>;

    /// The reference answer, as text.
    fn gold(&self, item: &Self::Item) -> String;

    /// The direct-mode user prompt.
    fn direct_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String>;

    /// Token budget of a direct answer.
    fn direct_max_tokens(&self) -> u32 {
        96
    }

    /// Reads the answer from a direct-mode reply, by the benchmark's protocol.
    fn extract(&self, item: &Self::Item, text: &str) -> Option<String>;

    /// Whether a prediction is correct.
    fn judge(&self, item: &Self::Item, prediction: &str) -> bool;

    /// Whether the suite can run in `mode`.
    fn supports(&self, mode: Mode) -> bool {
        let _ = mode;
        true
    }

    /// The engine-mode answer (parser + solver).
    fn engine(&self, item: &Self::Item) -> std::result::Result<String, String>;

    /// The agent-mode user prompt.
    fn agent_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String>;

    /// The JSON schema the translation must follow.
    fn agent_schema(&self) -> Value;

    /// Answers a translation with the engine; an `Err` is sent back to the model.
    fn agent_answer(&self, item: &Self::Item, translation: &Value) -> std::result::Result<String, String>;

    /// For two-way choices scored by next-token log-probabilities (COLD): the option letters.
    fn logprob_letters(&self) -> Option<&'static [char]> {
        None
    }

    /// The suite's metric fields of the summary (`accuracy`, `by_*` breakdowns, ...).
    fn metrics(&self, scored: &[(&Self::Item, &Prediction)]) -> serde_json::Map<String, Value>;
}

/// Settings of model-based modes.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSettings {
    /// Extra tries after an invalid translation (agent mode).
    pub retries: u32,
    /// Seed sent with every request.
    pub seed: Option<u64>,
    /// Token budget of one translation (agent mode).
    pub agent_max_tokens: u32,
}

impl Default for ModelSettings {
    fn default() -> Self {
        Self { retries: 2, seed: None, agent_max_tokens: 768 }
    }
}

/// A benchmark in one mode, as the runner's [`Suite`].
pub struct ReasoningSuite<B: Benchmark> {
    bench: B,
    mode: Mode,
    model: Option<Arc<dyn ChatModel>>,
    prompts: BenchPrompts,
    settings: ModelSettings,
}

impl<B: Benchmark> ReasoningSuite<B> {
    /// A suite; model modes need `model`, and the benchmark must support the mode.
    pub fn new(
        bench: B,
        mode: Mode,
        model: Option<Arc<dyn ChatModel>>,
        prompts: BenchPrompts,
        settings: ModelSettings,
    ) -> Result<Self> {
        if !bench.supports(mode) {
            return Err(BenchError::Input(format!(
                "{mode} mode is not available for the {} suite (it has no formal engine); use --mode direct",
                bench.name()
            )));
        }
        if mode.needs_model() && model.is_none() {
            return Err(BenchError::Input(format!(
                "{mode} mode needs a language model; `--model none` only works with --mode engine"
            )));
        }
        Ok(Self { bench, mode, model, prompts, settings })
    }

    /// The benchmark.
    pub fn bench(&self) -> &B {
        &self.bench
    }

    fn model(&self) -> Result<&Arc<dyn ChatModel>> {
        self.model.as_ref().ok_or_else(|| BenchError::Input("this mode needs a language model".into()))
    }

    fn request(&self, messages: Vec<ChatMessage>, max_tokens: u32) -> ChatRequest {
        ChatRequest::new(messages).with_max_tokens(max_tokens).with_sampling(0.0, self.settings.seed)
    }

    fn record(&self, item: &B::Item, prediction: Option<String>, started: Instant) -> Prediction {
        let correct = prediction.as_deref().is_some_and(|p| self.bench.judge(item, p));
        Prediction {
            mode: self.mode,
            prediction,
            gold: self.bench.gold(item),
            correct,
            raw: None,
            error: None,
            latency_secs: started.elapsed().as_secs_f64(),
            prompt_tokens: 0,
            completion_tokens: 0,
            calls: 0,
            scoring: None,
        }
    }

    fn run_engine(&self, item: &B::Item) -> Prediction {
        let started = Instant::now();
        match self.bench.engine(item) {
            Ok(answer) => self.record(item, Some(answer), started),
            Err(error) => Prediction { error: Some(error), ..self.record(item, None, started) },
        }
    }

    async fn run_direct(&self, item: &B::Item) -> Result<Prediction> {
        let started = Instant::now();
        let messages = vec![
            ChatMessage::system(self.prompts.render("system", &[])?),
            ChatMessage::user(self.bench.direct_prompt(&self.prompts, item)?),
        ];
        let mut request = self.request(messages, self.bench.direct_max_tokens());
        let letters = self.bench.logprob_letters();
        if letters.is_some() {
            request = request.with_logprobs(20);
        }
        let response = self.model()?.chat(request, CallOptions::default()).await.map_err(model_error)?;
        let by_logprobs = letters
            .and_then(|l| answer::choice_by_logprobs(response.logprobs.as_deref().unwrap_or_default(), l));
        let (prediction, scoring) = match (letters, by_logprobs) {
            (Some(_), Some((letter, _))) => (Some(letter.to_string()), Some(Scoring::Logprobs)),
            (Some(_), None) => (self.bench.extract(item, &response.content), Some(Scoring::Generated)),
            (None, _) => (self.bench.extract(item, &response.content), None),
        };
        let error = prediction.is_none().then(|| "no answer could be read from the reply".to_string());
        Ok(Prediction {
            raw: Some(response.content.clone()),
            error,
            prompt_tokens: u64::from(response.usage.prompt_tokens),
            completion_tokens: u64::from(response.usage.completion_tokens),
            calls: 1,
            scoring,
            ..self.record(item, prediction, started)
        })
    }

    async fn run_agent(&self, item: &B::Item) -> Result<Prediction> {
        let started = Instant::now();
        let mut messages = vec![
            ChatMessage::system(self.prompts.render("system", &[])?),
            ChatMessage::user(self.bench.agent_prompt(&self.prompts, item)?),
        ];
        let schema = self.bench.agent_schema();
        let (mut prompt_tokens, mut completion_tokens, mut calls) = (0u64, 0u64, 0u32);
        let mut raw = None;
        let mut error = None;
        for _ in 0..=self.settings.retries {
            let request = self
                .request(messages.clone(), self.settings.agent_max_tokens)
                .with_response_schema(format!("{}_query", self.bench.name()), schema.clone());
            calls += 1;
            let outcome = self.model()?.chat(request, CallOptions::default()).await;
            let (text, problem) = match outcome {
                Ok(response) => {
                    prompt_tokens += u64::from(response.usage.prompt_tokens);
                    completion_tokens += u64::from(response.usage.completion_tokens);
                    let answer = response
                        .json()
                        .map_err(|e| e.to_string())
                        .and_then(|value| self.bench.agent_answer(item, &value));
                    match answer {
                        Ok(answer) => {
                            return Ok(Prediction {
                                raw: Some(response.content),
                                prompt_tokens,
                                completion_tokens,
                                calls,
                                ..self.record(item, Some(answer), started)
                            });
                        }
                        Err(problem) => (response.content, problem),
                    }
                }
                // Output that breaks the schema (for example cut at the token budget) is an
                // invalid translation, not a failed run.
                Err(LlmError::SchemaViolation(problem)) => (String::new(), problem),
                Err(other) => return Err(model_error(other)),
            };
            messages.push(ChatMessage::assistant(text.clone()));
            messages.push(ChatMessage::user(self.prompts.render("agent_retry", &[("error", &problem)])?));
            raw = Some(text);
            error = Some(format!("invalid translation: {problem}"));
        }
        Ok(Prediction {
            raw,
            error,
            prompt_tokens,
            completion_tokens,
            calls,
            ..self.record(item, None, started)
        })
    }
}

fn model_error(err: LlmError) -> BenchError {
    BenchError::Task(format!("the model call failed: {err}"))
}

impl<B: Benchmark> Suite for ReasoningSuite<B> {
    type Item = Entry<B::Item>;
    type Record = Prediction;

    fn id(&self, entry: &Entry<B::Item>) -> String {
        entry.id.clone()
    }

    fn run_item<'a>(&'a self, entry: &'a Entry<B::Item>) -> BoxFuture<'a, Result<Prediction>> {
        Box::pin(async move {
            match self.mode {
                Mode::Engine => Ok(self.run_engine(&entry.item)),
                Mode::Direct => self.run_direct(&entry.item).await,
                Mode::Agent => self.run_agent(&entry.item).await,
            }
        })
    }

    fn outcome(&self, record: &Prediction) -> Option<bool> {
        Some(record.correct)
    }
}

// ---------------------------------------------------------------------------------------------
// Summaries.
// ---------------------------------------------------------------------------------------------

/// Facts about the run that go into the summary besides the scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// The mode.
    pub mode: Mode,
    /// The model (`describe()` of the backend, or `none`).
    pub model: String,
    /// The data path.
    pub data: String,
    /// The command line that produced the run.
    pub command: String,
}

/// The summary JSON of a run: `{"suite", "mode", "model", "n", ...metrics, "no_prediction",
/// "prompt_tokens", "completion_tokens", "model_calls", "latency_secs", "data", "command"}` with
/// the suite's metrics from [`Benchmark::metrics`]. Records are matched to items by id, in item
/// order.
pub fn summary<B: Benchmark>(
    bench: &B,
    info: &RunInfo,
    items: &[Entry<B::Item>],
    records: &[(String, Prediction)],
) -> Value {
    let by_id: BTreeMap<&str, &Prediction> = records.iter().map(|(id, r)| (id.as_str(), r)).collect();
    let scored: Vec<(&B::Item, &Prediction)> =
        items.iter().filter_map(|e| by_id.get(e.id.as_str()).map(|r| (&e.item, *r))).collect();
    let mut out = serde_json::Map::new();
    out.insert("suite".into(), json!(bench.name()));
    out.insert("mode".into(), json!(info.mode));
    out.insert("model".into(), json!(info.model));
    out.insert("n".into(), json!(scored.len()));
    out.extend(bench.metrics(&scored));
    let sum = |f: &dyn Fn(&Prediction) -> u64| scored.iter().map(|(_, r)| f(r)).sum::<u64>();
    out.insert("no_prediction".into(), json!(sum(&|r| u64::from(r.prediction.is_none()))));
    out.insert("prompt_tokens".into(), json!(sum(&|r| r.prompt_tokens)));
    out.insert("completion_tokens".into(), json!(sum(&|r| r.completion_tokens)));
    out.insert("model_calls".into(), json!(sum(&|r| u64::from(r.calls))));
    out.insert("latency_secs".into(), json!(scored.iter().map(|(_, r)| r.latency_secs).sum::<f64>()));
    out.insert("data".into(), json!(info.data));
    out.insert("command".into(), json!(info.command));
    Value::Object(out)
}

/// Accuracy counts of one slice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    correct: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, correct: bool) {
        self.total += 1;
        self.correct += usize::from(correct);
    }

    fn json(self) -> Value {
        json!({ "n": self.total, "accuracy": ratio(self.correct, self.total) })
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// A named breakdown: the slice an item falls in.
type Breakdown<'a, T> = (&'a str, &'a dyn Fn(&T) -> String);

/// `accuracy` overall plus one `by_NAME` breakdown of `{"n", "accuracy"}` per key function.
fn accuracy_metrics<T>(
    scored: &[(&T, &Prediction)],
    breakdowns: &[Breakdown<'_, T>],
) -> serde_json::Map<String, Value> {
    let mut overall = Tally::default();
    let mut slices: Vec<BTreeMap<String, Tally>> = vec![BTreeMap::new(); breakdowns.len()];
    for (item, record) in scored {
        overall.add(record.correct);
        for ((_, key), slice) in breakdowns.iter().zip(&mut slices) {
            slice.entry(key(item)).or_default().add(record.correct);
        }
    }
    let mut out = serde_json::Map::new();
    out.insert("accuracy".into(), json!(ratio(overall.correct, overall.total)));
    for ((name, _), slice) in breakdowns.iter().zip(slices) {
        let value: serde_json::Map<String, Value> = slice.into_iter().map(|(k, t)| (k, t.json())).collect();
        out.insert(format!("by_{name}"), Value::Object(value));
    }
    out
}

fn percent(value: &Value) -> String {
    value.as_f64().map(|v| format!("{:.1}", v * 100.0)).unwrap_or_else(|| "-".into())
}

/// Published reference figures shown under the summaries: `(suite, what, figure)`.
pub const PUBLISHED: &[(&str, &str, &str)] = &[
    ("corr2cause", "GPT-4, F1 of the valid class", "29.08"),
    ("corr2cause", "always answering \"valid\", F1", "about 27"),
    ("cladder", "GPT-4, accuracy", "62.0%"),
    ("cladder", "GPT-4 with CausalCoT, accuracy", "70.4%"),
    ("cold", "phi-2, accuracy (best published open model)", "about 80%"),
    ("cold", "random choice", "50%"),
];

/// A Markdown report of one summary: the headline metrics, every `by_*` breakdown as a table,
/// the published figures of the suite and the command.
pub fn markdown(summary: &Value) -> String {
    let suite = summary["suite"].as_str().unwrap_or("?");
    let mut out = format!(
        "# {suite}, {} mode\n\nModel: `{}`; data: `{}`; {} items, {} without a prediction.\n\n",
        summary["mode"].as_str().unwrap_or("?"),
        summary["model"].as_str().unwrap_or("?"),
        summary["data"].as_str().unwrap_or("?"),
        summary["n"],
        summary["no_prediction"],
    );
    let headline: Vec<&str> =
        ["accuracy", "f1", "precision", "recall"].into_iter().filter(|k| summary.get(*k).is_some()).collect();
    out.push_str(&format!("| {} |\n|{}\n", headline.join(" % | ") + " %", "---|".repeat(headline.len())));
    let cells: Vec<String> = headline.iter().map(|k| percent(&summary[*k])).collect();
    out.push_str(&format!("| {} |\n", cells.join(" | ")));
    if let Some(scoring) = summary.get("scoring").and_then(Value::as_object) {
        let parts: Vec<String> = scoring.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        out.push_str(&format!("\nScoring of the choices: {}.\n", parts.join(", ")));
    }
    if let Some(object) = summary.as_object() {
        for (key, value) in object.iter().filter(|(k, _)| k.starts_with("by_")) {
            let Some(slices) = value.as_object() else { continue };
            let columns: Vec<&str> = ["n", "accuracy", "f1", "precision", "recall"]
                .into_iter()
                .filter(|c| slices.values().any(|s| s.get(*c).is_some()))
                .collect();
            out.push_str(&format!(
                "\n| {} | {} |\n|---|{}\n",
                &key[3..],
                columns.join(" | "),
                "---|".repeat(columns.len())
            ));
            for (name, slice) in slices {
                let cells: Vec<String> = columns
                    .iter()
                    .map(|c| if *c == "n" { slice[*c].to_string() } else { percent(&slice[*c]) })
                    .collect();
                out.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
            }
        }
    }
    let published: Vec<&(&str, &str, &str)> = PUBLISHED.iter().filter(|p| p.0 == suite).collect();
    if !published.is_empty() {
        out.push_str("\nPublished figures (full benchmark, for reference):\n\n");
        for (_, what, figure) in published {
            out.push_str(&format!("- {what}: {figure}\n"));
        }
    }
    if let Some(command) = summary["command"].as_str() {
        out.push_str(&format!("\nCommand:\n\n```\n{command}\n```\n"));
    }
    out
}

/// One Markdown table of several runs' summaries (`(label, summary)`), one row per run.
pub fn compare_markdown(runs: &[(String, Value)]) -> String {
    let mut out = String::from(
        "| run | suite | mode | model | n | accuracy % | F1 % | no prediction | scoring |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (label, s) in runs {
        let scoring = s
            .get("scoring")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| v.as_u64() != Some(0))
                    .map(|(k, _)| k.clone())
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .unwrap_or_default();
        let accuracy = s.get("accuracy").or_else(|| s.get("agent_accuracy")).unwrap_or(&Value::Null);
        out.push_str(&format!(
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {scoring} |\n",
            s["suite"].as_str().unwrap_or("?"),
            s.get("mode").or_else(|| s.get("method")).and_then(Value::as_str).unwrap_or("-"),
            s["model"].as_str().unwrap_or("?"),
            s["n"],
            percent(accuracy),
            percent(s.get("f1").unwrap_or(&Value::Null)),
            s.get("no_prediction").map(Value::to_string).unwrap_or_else(|| "-".into()),
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The suites.
// ---------------------------------------------------------------------------------------------

fn yes_no_text(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}

fn input_error(path: &Path, err: causa_graph::GraphError) -> BenchError {
    BenchError::Input(format!("`{}` is not a file of this suite: {err}", path.display()))
}

fn non_empty<T>(path: &Path, items: Vec<T>) -> Result<Vec<T>> {
    if items.is_empty() {
        return Err(BenchError::Input(format!("`{}` holds no items of this suite", path.display())));
    }
    Ok(items)
}

fn schema_of<T: schemars::JsonSchema>() -> Value {
    causa_llm::schema_for::<T>()
}

fn parse_translation<T: serde::de::DeserializeOwned>(value: &Value) -> std::result::Result<T, String> {
    serde_json::from_value(value.clone()).map_err(|e| format!("the JSON does not fit the query type: {e}"))
}

/// Corr2Cause: is the hypothesis valid given the premise's (in)dependencies? Official metric:
/// F1 of the valid class (plus precision, recall, accuracy), here also by template and by
/// number of variables.
#[derive(Debug, Clone, Copy, Default)]
pub struct Corr2Cause;

impl Benchmark for Corr2Cause {
    type Item = corr2cause::Item;

    fn name(&self) -> &'static str {
        "corr2cause"
    }

    fn load(&self, path: &Path) -> Result<Vec<Entry<Self::Item>>> {
        let items = corr2cause::load(path).map_err(|e| input_error(path, e))?;
        let entries =
            items.into_iter().enumerate().map(|(i, item)| Entry { id: format!("row-{}", i + 1), item });
        non_empty(path, entries.collect())
    }

    fn gold(&self, item: &Self::Item) -> String {
        yes_no_text(item.label)
    }

    fn direct_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String> {
        prompts.render("corr2cause", &[("input", &item.input)])
    }

    fn extract(&self, _item: &Self::Item, text: &str) -> Option<String> {
        answer::yes_no(text).map(yes_no_text)
    }

    fn judge(&self, item: &Self::Item, prediction: &str) -> bool {
        prediction == yes_no_text(item.label)
    }

    fn engine(&self, item: &Self::Item) -> std::result::Result<String, String> {
        corr2cause::parse(&item.input)
            .and_then(|q| corr2cause::solve(&q))
            .map(yes_no_text)
            .map_err(|e| e.to_string())
    }

    fn agent_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String> {
        prompts.render("corr2cause_agent", &[("input", &item.input)])
    }

    fn agent_schema(&self) -> Value {
        schema_of::<corr2cause::Query>()
    }

    fn agent_answer(&self, _item: &Self::Item, translation: &Value) -> std::result::Result<String, String> {
        let query: corr2cause::Query = parse_translation(translation)?;
        corr2cause::solve(&query).map(yes_no_text).map_err(|e| e.to_string())
    }

    fn metrics(&self, scored: &[(&Self::Item, &Prediction)]) -> serde_json::Map<String, Value> {
        let items: Vec<corr2cause::Item> = scored.iter().map(|(item, _)| (*item).clone()).collect();
        let predictions: Vec<Option<bool>> =
            scored.iter().map(|(_, r)| r.prediction.as_deref().map(|p| p == "yes")).collect();
        let scores = corr2cause::score(&items, &predictions);
        let confusion = |c: &corr2cause::Confusion| {
            json!({
                "n": c.total(),
                "f1": c.f1(),
                "precision": c.precision(),
                "recall": c.recall(),
                "accuracy": c.accuracy(),
            })
        };
        let mut out = serde_json::Map::new();
        for key in ["f1", "precision", "recall", "accuracy"] {
            out.insert(key.into(), confusion(&scores.overall)[key].clone());
        }
        out.insert(
            "by_template".into(),
            scores
                .by_template
                .iter()
                .map(|(k, c)| (k.clone(), confusion(c)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        );
        out.insert(
            "by_num_vars".into(),
            scores
                .by_variables
                .iter()
                .map(|(k, c)| (k.to_string(), confusion(c)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        );
        out
    }
}

/// What the model writes in CLEAR's agent mode: the graph and the formal question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClearTranslation {
    /// Every node of the graph.
    pub nodes: Vec<String>,
    /// Every edge as text: `A -> B` (directed), `A <-> B` (bidirected), `A -- B` (undirected).
    pub edges: Vec<String>,
    /// The question.
    pub query: clear::Query,
}

/// CLEAR: questions about one causal graph; accuracy overall, per task and per question type,
/// find-one and find-all answers judged against the graph.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clear;

fn clear_format(question_type: &str) -> &'static str {
    match question_type {
        "YN" | "EX" => "Answer \"Yes\" or \"No\" first.",
        "MC" => "Answer with the letter of the correct option only.",
        "HM" => "Answer with a number only.",
        "FA" => {
            "List every answer in square brackets, in the notation of the question, e.g. ['A->B', 'C->D'] or [{'A'}, {'B', 'C'}]."
        }
        _ => {
            "Give one answer only, in the notation of the question (a node set as {'A', 'B'}, a path as A->B->C, an order as A, B, C)."
        }
    }
}

impl Benchmark for Clear {
    type Item = clear::Item;

    fn name(&self) -> &'static str {
        "clear"
    }

    fn load(&self, path: &Path) -> Result<Vec<Entry<Self::Item>>> {
        let items = if path.is_dir() { clear::load_dir(path) } else { clear::load(path) }
            .map_err(|e| input_error(path, e))?;
        let entries = items.into_iter().enumerate().map(|(i, item)| Entry {
            id: format!(
                "{}/{}/{}",
                item.task_type,
                item.uid,
                if item.sid.is_null() { i.to_string() } else { item.sid.to_string() }
            ),
            item,
        });
        non_empty(path, entries.collect())
    }

    fn gold(&self, item: &Self::Item) -> String {
        item.answer_text()
    }

    fn direct_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String> {
        prompts.render(
            "clear",
            &[
                ("description", &item.description),
                ("question", &item.question),
                ("format", clear_format(&item.question_type)),
            ],
        )
    }

    fn direct_max_tokens(&self) -> u32 {
        160
    }

    fn extract(&self, item: &Self::Item, text: &str) -> Option<String> {
        match item.question_type.as_str() {
            "YN" | "EX" => answer::yes_no(text).map(|b| if b { "Yes." } else { "No." }.to_string()),
            "MC" => {
                let options: Vec<&str> =
                    item.question.lines().skip(1).filter_map(|l| l.trim().get(2..)).map(str::trim).collect();
                answer::option_letter(text, &options).map(String::from)
            }
            "HM" => answer::number(text),
            "FA" => answer::free_answer(text, true),
            _ => answer::free_answer(text, false),
        }
    }

    fn judge(&self, item: &Self::Item, prediction: &str) -> bool {
        let judged = item.graph().and_then(|g| {
            let query = clear::parse(&item.question, &item.question_type)?;
            clear::judge(&g, &query, &item.answer_text(), prediction)
        });
        judged.unwrap_or(false)
    }

    fn engine(&self, item: &Self::Item) -> std::result::Result<String, String> {
        item.graph()
            .and_then(|g| clear::solve(&g, &clear::parse(&item.question, &item.question_type)?))
            .map_err(|e| e.to_string())
    }

    fn agent_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String> {
        let form = match item.question_type.as_str() {
            "YN" => "YesNo",
            "MC" => "Choice",
            "HM" => "Count",
            "FO" => "FindOne",
            "FA" => "FindAll",
            _ => "Exists",
        };
        prompts.render(
            "clear_agent",
            &[("description", &item.description), ("question", &item.question), ("form", form)],
        )
    }

    fn agent_schema(&self) -> Value {
        schema_of::<ClearTranslation>()
    }

    fn agent_answer(&self, _item: &Self::Item, translation: &Value) -> std::result::Result<String, String> {
        let t: ClearTranslation = parse_translation(translation)?;
        let text = t.nodes.iter().chain(&t.edges).cloned().collect::<Vec<_>>().join("\n");
        let graph =
            causa_graph::io::parse_text(&text).map_err(|e| format!("the graph does not parse: {e}"))?;
        clear::solve(&graph, &t.query).map_err(|e| e.to_string())
    }

    fn metrics(&self, scored: &[(&Self::Item, &Prediction)]) -> serde_json::Map<String, Value> {
        accuracy_metrics(
            scored,
            &[
                ("task", &|i: &clear::Item| i.task_type.clone()),
                ("question_type", &|i: &clear::Item| i.question_type.clone()),
            ],
        )
    }
}

/// CLadder: yes/no questions on the three rungs of the ladder of causation; accuracy overall, by
/// rung, by query type and by story kind (commonsense, anticommonsense, nonsense).
#[derive(Debug, Clone, Copy, Default)]
pub struct Cladder;

impl Benchmark for Cladder {
    type Item = cladder::Item;

    fn name(&self) -> &'static str {
        "cladder"
    }

    fn load(&self, path: &Path) -> Result<Vec<Entry<Self::Item>>> {
        let items = cladder::load(path).map_err(|e| input_error(path, e))?;
        non_empty(path, items.into_iter().map(|item| Entry { id: item.id.clone(), item }).collect())
    }

    fn gold(&self, item: &Self::Item) -> String {
        yes_no_text(item.label)
    }

    fn direct_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String> {
        prompts.render("cladder", &[("prompt", &item.prompt)])
    }

    fn extract(&self, _item: &Self::Item, text: &str) -> Option<String> {
        answer::yes_no(text).map(yes_no_text)
    }

    fn judge(&self, item: &Self::Item, prediction: &str) -> bool {
        prediction == yes_no_text(item.label)
    }

    fn engine(&self, item: &Self::Item) -> std::result::Result<String, String> {
        cladder::parse(&item.prompt)
            .and_then(|q| cladder::solve(&q))
            .map(yes_no_text)
            .map_err(|e| e.to_string())
    }

    fn agent_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String> {
        prompts.render("cladder_agent", &[("prompt", &item.prompt)])
    }

    fn agent_schema(&self) -> Value {
        schema_of::<cladder::Query>()
    }

    fn agent_answer(&self, _item: &Self::Item, translation: &Value) -> std::result::Result<String, String> {
        let query: cladder::Query = parse_translation(translation)?;
        cladder::solve(&query).map(yes_no_text).map_err(|e| e.to_string())
    }

    fn metrics(&self, scored: &[(&Self::Item, &Prediction)]) -> serde_json::Map<String, Value> {
        accuracy_metrics(
            scored,
            &[
                ("rung", &|i: &cladder::Item| i.rung.to_string()),
                ("query_type", &|i: &cladder::Item| i.query_type.clone()),
                ("sense", &|i: &cladder::Item| {
                    if i.question_property.is_empty() {
                        "unknown".into()
                    } else {
                        i.question_property.clone()
                    }
                }),
            ],
        )
    }
}

/// COLD: which of two events is the more plausible cause (or effect) of a daily-activity event;
/// accuracy overall and by activity. Direct mode only.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cold;

impl Benchmark for Cold {
    type Item = cold::Item;

    fn name(&self) -> &'static str {
        "cold"
    }

    fn load(&self, path: &Path) -> Result<Vec<Entry<Self::Item>>> {
        let items = cold::load_path(path).map_err(|e| input_error(path, e))?;
        non_empty(path, items.into_iter().map(|item| Entry { id: item.id.clone(), item }).collect())
    }

    fn gold(&self, item: &Self::Item) -> String {
        item.answer_letter().to_string()
    }

    fn direct_prompt(&self, prompts: &BenchPrompts, item: &Self::Item) -> Result<String> {
        prompts.render(
            "cold",
            &[
                ("activity", &item.activity),
                ("direction", item.question.as_str()),
                ("premise", &item.premise),
                ("choice1", &item.choice1),
                ("choice2", &item.choice2),
            ],
        )
    }

    fn direct_max_tokens(&self) -> u32 {
        16
    }

    fn extract(&self, item: &Self::Item, text: &str) -> Option<String> {
        answer::option_letter(text, &[&item.choice1, &item.choice2]).map(String::from)
    }

    fn judge(&self, item: &Self::Item, prediction: &str) -> bool {
        prediction == item.answer_letter().to_string()
    }

    fn supports(&self, mode: Mode) -> bool {
        mode == Mode::Direct
    }

    fn engine(&self, _item: &Self::Item) -> std::result::Result<String, String> {
        Err("COLD has no formal engine".into())
    }

    fn agent_prompt(&self, _prompts: &BenchPrompts, _item: &Self::Item) -> Result<String> {
        Err(BenchError::Input("agent mode is not available for the cold suite".into()))
    }

    fn agent_schema(&self) -> Value {
        Value::Null
    }

    fn agent_answer(&self, _item: &Self::Item, _translation: &Value) -> std::result::Result<String, String> {
        Err("COLD has no formal engine".into())
    }

    fn logprob_letters(&self) -> Option<&'static [char]> {
        Some(&['A', 'B'])
    }

    fn metrics(&self, scored: &[(&Self::Item, &Prediction)]) -> serde_json::Map<String, Value> {
        let mut out = accuracy_metrics(
            scored,
            &[
                ("activity", &|i: &cold::Item| i.activity.clone()),
                ("question", &|i: &cold::Item| i.question.as_str().to_string()),
            ],
        );
        let count = |s: Scoring| scored.iter().filter(|(_, r)| r.scoring == Some(s)).count();
        out.insert(
            "scoring".into(),
            json!({ "logprobs": count(Scoring::Logprobs), "generated": count(Scoring::Generated) }),
        );
        out
    }
}
