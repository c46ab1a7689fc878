//! The Who&When suite: every labelled log under a directory, one attribution per log, scored
//! with [`causa_attribution::whowhen`]; summaries in JSON (fractions in [0, 1]) and Markdown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use causa_attribution::whowhen::{self, Accuracy, ItemScore};
use causa_attribution::{AgentLog, Attribution, Attributor, Method};
use causa_llm::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::runner::Suite;
use crate::{BenchError, Result};

/// Published reference figures (GPT-4o), for reports: `(method, subset, agent %, step %)`;
/// `None` where the source gives no figure. From the README of the benchmark data: Who&When
/// all-at-once on Algorithm-Generated, and the A2P paper's step accuracies.
pub const PUBLISHED: &[(&str, &str, Option<f64>, Option<f64>)] = &[
    ("all-at-once", "Algorithm-Generated", Some(54.33), Some(12.50)),
    ("a2p", "Algorithm-Generated", None, Some(47.46)),
    ("a2p", "Hand-Crafted", None, Some(29.31)),
    ("baseline (A2P paper)", "Algorithm-Generated", None, Some(16.67)),
    ("baseline (A2P paper)", "Hand-Crafted", None, Some(12.07)),
];

/// Every `*.json` log in `dir` and its direct subdirectories (so both the benchmark root and
/// one subset folder work), sorted by path. Every log must carry a label.
pub fn load_logs(dir: &Path) -> Result<Vec<AgentLog>> {
    if !dir.is_dir() {
        return Err(BenchError::Input(format!("`{}` is not a directory of Who&When logs", dir.display())));
    }
    let mut paths = json_files(dir)?;
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| BenchError::io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        paths.extend(json_files(&sub)?);
    }
    if paths.is_empty() {
        return Err(BenchError::Input(format!("no .json logs in `{}` or its subfolders", dir.display())));
    }
    let mut logs = Vec::with_capacity(paths.len());
    for path in paths {
        let mut log = AgentLog::load(&path).map_err(|e| BenchError::Input(e.to_string()))?;
        if log.gold.is_none() {
            return Err(BenchError::Input(format!(
                "`{}` has no `mistake_agent`/`mistake_step` label to score against",
                path.display()
            )));
        }
        log.id = log_id(dir, &path);
        logs.push(log);
    }
    Ok(logs)
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| BenchError::io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort_by_key(|p| {
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        (stem.parse::<u64>().unwrap_or(u64::MAX), stem)
    });
    Ok(files)
}

fn log_id(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.with_extension("").to_string_lossy().replace('\\', "/")
}

/// What is stored per log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhoWhenRecord {
    /// `Algorithm-Generated` or `Hand-Crafted`.
    pub subset: String,
    /// Number of steps in the log.
    pub steps: usize,
    /// The prediction with its reasoning and call statistics.
    pub attribution: Attribution,
    /// The comparison with the label.
    pub score: ItemScore,
    /// Wall-clock time for this log.
    pub elapsed_secs: f64,
    /// Why the log got no prediction when attribution itself failed on it (the log does not
    /// fit the context window); such a log is scored as wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The Who&When suite for one method.
pub struct WhoWhen {
    attributor: Attributor,
    method: Method,
}

impl WhoWhen {
    /// A suite running `method` with `attributor`.
    pub fn new(attributor: Attributor, method: Method) -> Self {
        Self { attributor, method }
    }
}

impl Suite for WhoWhen {
    type Item = AgentLog;
    type Record = WhoWhenRecord;

    fn id(&self, item: &AgentLog) -> String {
        item.id.clone()
    }

    fn failure(&self, record: &WhoWhenRecord) -> Option<String> {
        record.error.clone()
    }

    fn run_item<'a>(&'a self, log: &'a AgentLog) -> BoxFuture<'a, Result<WhoWhenRecord>> {
        Box::pin(async move {
            let started = Instant::now();
            let (attribution, error) = match self.attributor.attribute(log, self.method).await {
                Ok(attribution) => (attribution, None),
                Err(source) if source.is_specific_to_the_log() => {
                    (Attribution::empty(self.method), Some(source.to_string()))
                }
                Err(source) => return Err(BenchError::Attribution { id: log.id.clone(), source }),
            };
            let score = whowhen::score(log, &attribution)
                .ok_or_else(|| BenchError::Input(format!("log `{}` has no label", log.id)))?;
            Ok(WhoWhenRecord {
                subset: whowhen::subset_name(log.format).to_string(),
                steps: log.steps.len(),
                attribution,
                score,
                elapsed_secs: started.elapsed().as_secs_f64(),
                error,
            })
        })
    }
}

/// Facts about the run that go into the summary besides the scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// The method.
    pub method: Method,
    /// The model (`describe()` of the backend, or `none`).
    pub model: String,
    /// Whether the task's answer was in the prompt.
    pub with_ground_truth: bool,
    /// Context window used for fitting prompts.
    pub context_tokens: usize,
    /// The data directory.
    pub data: String,
    /// The command line that produced the run.
    pub command: String,
}

/// The summary JSON: `{"suite": "whowhen", "n", "agent_accuracy", "step_accuracy",
/// "step_accuracy_tol": {"1","3","5"}, "no_prediction", "failed_logs", "subsets": {name: accuracy},
/// ...}`; `failed_logs` counts the logs attribution failed on (also counted in `no_prediction`).
pub fn summary(info: &RunInfo, records: &[(String, WhoWhenRecord)]) -> Value {
    let overall = whowhen::accuracy(&records.iter().map(|(_, r)| r.score.clone()).collect::<Vec<_>>());
    let mut by_subset: BTreeMap<String, Vec<ItemScore>> = BTreeMap::new();
    for (_, record) in records {
        by_subset.entry(record.subset.clone()).or_default().push(record.score.clone());
    }
    let subsets: BTreeMap<String, Accuracy> =
        by_subset.iter().map(|(k, v)| (k.clone(), whowhen::accuracy(v))).collect();
    let sum = |f: &dyn Fn(&Attribution) -> u64| records.iter().map(|(_, r)| f(&r.attribution)).sum::<u64>();
    json!({
        "suite": "whowhen",
        "method": info.method,
        "model": info.model,
        "with_ground_truth": info.with_ground_truth,
        "context_tokens": info.context_tokens,
        "data": info.data,
        "command": info.command,
        "n": overall.n,
        "agent_accuracy": overall.agent_accuracy,
        "step_accuracy": overall.step_accuracy,
        "step_accuracy_tol": overall.step_accuracy_tol,
        "no_prediction": overall.no_prediction,
        "failed_logs": records.iter().filter(|(_, r)| r.error.is_some()).count(),
        "subsets": subsets,
        "model_calls": sum(&|a| u64::from(a.calls)),
        "rejected_answers": sum(&|a| u64::from(a.rejected)),
        "unanswered_prompts": sum(&|a| u64::from(a.unanswered)),
        "prompt_tokens": sum(&|a| a.prompt_tokens),
        "completion_tokens": sum(&|a| a.completion_tokens),
        "elapsed_secs": records.iter().map(|(_, r)| r.elapsed_secs).sum::<f64>(),
    })
}

fn percent(value: &Value) -> String {
    value.as_f64().map(|v| format!("{:.2}", v * 100.0)).unwrap_or_else(|| "-".into())
}

/// A Markdown table of one or more summaries (one row per method and subset), with the
/// published figures below for reference.
pub fn markdown(summaries: &[Value]) -> String {
    let mut out = String::from("# Who&When failure attribution\n\n");
    if let Some(first) = summaries.first() {
        out.push_str(&format!(
            "Model: `{}`; context {} tokens; ground truth in prompt: {}; data: `{}`.\n\n",
            first["model"].as_str().unwrap_or("?"),
            first["context_tokens"],
            first["with_ground_truth"],
            first["data"].as_str().unwrap_or("?"),
        ));
    }
    out.push_str("| method | subset | n | agent % | step % | step ±1 % | step ±3 % | step ±5 % | no prediction | calls | time s |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for s in summaries {
        let method = s["method"].as_str().unwrap_or("?");
        let mut rows: Vec<(String, &Value)> = vec![("all".into(), s)];
        if let Some(subsets) = s["subsets"].as_object() {
            rows.extend(subsets.iter().map(|(k, v)| (k.clone(), v)));
        }
        for (subset, acc) in rows {
            out.push_str(&format!(
                "| {method} | {subset} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                acc["n"],
                percent(&acc["agent_accuracy"]),
                percent(&acc["step_accuracy"]),
                percent(&acc["step_accuracy_tol"]["1"]),
                percent(&acc["step_accuracy_tol"]["3"]),
                percent(&acc["step_accuracy_tol"]["5"]),
                acc["no_prediction"],
                if subset == "all" { s["model_calls"].to_string() } else { String::new() },
                if subset == "all" {
                    format!("{:.0}", s["elapsed_secs"].as_f64().unwrap_or(0.0))
                } else {
                    String::new()
                },
            ));
        }
    }
    out.push_str("\nPublished GPT-4o figures (full benchmark, for reference):\n\n| method | subset | agent % | step % |\n|---|---|---|---|\n");
    for (method, subset, agent, step) in PUBLISHED {
        let show = |v: &Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into());
        out.push_str(&format!("| {method} | {subset} | {} | {} |\n", show(agent), show(step)));
    }
    if let Some(command) = summaries.first().and_then(|s| s["command"].as_str()) {
        out.push_str(&format!("\nCommand:\n\n```\n{command}\n```\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use causa_attribution::{AttributionConfig, Prompts};

    use super::*;
    use crate::runner::{RunOptions, run};

    fn benchdata() -> PathBuf {
        let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        start
            .ancestors()
            .map(|dir| dir.join("shared/benchdata/who_and_when"))
            .find(|dir| dir.is_dir())
            .unwrap_or_else(|| panic!("shared/benchdata/who_and_when not found above {}", start.display()))
    }

    #[test]
    fn loads_both_subsets_with_relative_ids() {
        let logs = load_logs(&benchdata()).unwrap();
        assert_eq!(logs.len(), 18);
        assert_eq!(logs[0].id, "Algorithm-Generated/15");
        assert!(logs.iter().any(|l| l.id == "Hand-Crafted/3"));
        let one = load_logs(&benchdata().join("Hand-Crafted")).unwrap();
        assert_eq!(one.len(), 6);
        assert_eq!(one[0].id, "3");
        let err = load_logs(&benchdata().join("missing")).unwrap_err().to_string();
        assert!(err.contains("missing"), "{err}");
    }

    #[test]
    fn heuristic_run_scores_every_log_and_summarises() {
        let logs = load_logs(&benchdata()).unwrap();
        let attributor = Attributor::new(None, Prompts::embedded(), AttributionConfig::default()).unwrap();
        let suite = Arc::new(WhoWhen::new(attributor, Method::Heuristic));
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let outcome = runtime.block_on(run(suite, logs.clone(), &RunOptions::default())).unwrap();
        assert_eq!(outcome.records.len(), 18);
        // Independent recount from the logs' labels and the heuristic's own answers.
        let exact = logs
            .iter()
            .filter(|log| causa_attribution::heuristic(log).step == log.gold.as_ref().map(|g| g.step))
            .count();
        let info = RunInfo {
            method: Method::Heuristic,
            model: "none".into(),
            with_ground_truth: false,
            context_tokens: 4096,
            data: "who_and_when".into(),
            command: "causa bench whowhen".into(),
        };
        let s = summary(&info, &outcome.records);
        assert_eq!(s["suite"], "whowhen");
        assert_eq!(s["n"], 18);
        assert_eq!(s["step_accuracy"].as_f64(), Some(exact as f64 / 18.0));
        assert_eq!(s["subsets"]["Hand-Crafted"]["n"], 6);
        for k in ["1", "3", "5"] {
            let v = s["step_accuracy_tol"][k].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&v) && v >= s["step_accuracy"].as_f64().unwrap());
        }
        let md = markdown(&[s]);
        assert!(md.contains("| heuristic | all | 18 |") && md.contains("47.46"), "{md}");
    }

    /// Fault injection: a model whose token counter finds any text holding `TOO_LONG` enormous
    /// (a log whose task holds it cannot fit the context) and whose calls fail outright on a log
    /// holding `DEAD_ENDPOINT`; every other call gets a valid all-at-once verdict.
    struct FaultInjectingModel;

    const TOO_LONG: &str = "TOO_LONG";
    const DEAD_ENDPOINT: &str = "DEAD_ENDPOINT";

    impl causa_llm::ChatModel for FaultInjectingModel {
        fn describe(&self) -> String {
            "fault-injecting fake".into()
        }
        fn count_tokens(&self, text: &str) -> Option<usize> {
            Some(if text.contains(TOO_LONG) { 1_000_000 } else { text.chars().count().div_ceil(4) })
        }
        fn chat(
            &self,
            request: causa_llm::ChatRequest,
            _options: causa_llm::CallOptions,
        ) -> BoxFuture<'_, causa_llm::Result<causa_llm::ChatResponse>> {
            let dead = request.messages.iter().any(|m| m.content.contains(DEAD_ENDPOINT));
            Box::pin(async move {
                if dead {
                    return Err(causa_llm::LlmError::Inference("injected backend failure".into()));
                }
                Ok(causa_llm::ChatResponse {
                    content: r#"{"agent":"Coder","step":1,"reason":"r"}"#.into(),
                    tool_calls: Vec::new(),
                    usage: causa_llm::Usage::default(),
                    logprobs: None,
                    finish_reason: causa_llm::FinishReason::Stop,
                })
            })
        }
    }

    /// Fault injection: a model that counts every text as `self.0` tokens (and is never called).
    struct CountsAs(usize);

    impl causa_llm::ChatModel for CountsAs {
        fn describe(&self) -> String {
            "fixed-count fake".into()
        }
        fn count_tokens(&self, _text: &str) -> Option<usize> {
            Some(self.0)
        }
        fn chat(
            &self,
            _request: causa_llm::ChatRequest,
            _options: causa_llm::CallOptions,
        ) -> BoxFuture<'_, causa_llm::Result<causa_llm::ChatResponse>> {
            Box::pin(async { Err(causa_llm::LlmError::Inference("not called in this test".into())) })
        }
    }

    fn labelled_log(id: &str, question: &str) -> AgentLog {
        let text = format!(
            r#"{{"question":"{question}","mistake_agent":"Coder","mistake_step":"1","history":[
                {{"role":"user","content":"task"}},{{"role":"Coder","content":"print(1)"}}]}}"#
        );
        let mut log = AgentLog::parse(&text, id, &format!("{id}.json")).unwrap();
        log.id = id.into();
        log
    }

    #[test]
    fn a_log_that_cannot_fit_is_no_prediction_and_the_run_goes_on_but_a_dead_backend_stops_it() {
        let model: Arc<dyn causa_llm::ChatModel> = Arc::new(FaultInjectingModel);
        let suite = || {
            let attributor =
                Attributor::new(Some(model.clone()), Prompts::embedded(), AttributionConfig::default())
                    .unwrap();
            Arc::new(WhoWhen::new(attributor, Method::AllAtOnce))
        };
        let logs = vec![
            labelled_log("a", "What is 1?"),
            labelled_log("b", &format!("What is 2? {TOO_LONG}")),
            labelled_log("c", "What is 3?"),
        ];
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let outcome = runtime.block_on(run(suite(), logs.clone(), &RunOptions::default())).unwrap();
        let ids: Vec<&str> = outcome.records.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let [a, b, c] = [0, 1, 2].map(|i| &outcome.records[i].1);
        assert_eq!((a.attribution.step, c.attribution.step), (Some(1), Some(1)));
        assert_eq!((a.error.as_deref(), c.error.as_deref()), (None, None));
        assert_eq!((b.attribution.agent.as_deref(), b.attribution.step), (None, None));
        assert!(b.error.as_deref().is_some_and(|e| e.contains("context window")), "{:?}", b.error);
        let info = RunInfo {
            method: Method::AllAtOnce,
            model: "fake".into(),
            with_ground_truth: false,
            context_tokens: 4096,
            data: "inline".into(),
            command: "test".into(),
        };
        let s = summary(&info, &outcome.records);
        assert_eq!(
            (s["n"].as_u64(), s["failed_logs"].as_u64(), s["no_prediction"].as_u64()),
            (Some(3), Some(1), Some(1))
        );
        assert!(
            (s["step_accuracy"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12,
            "the failed log counts as wrong"
        );
        // The record keeps its error through the JSONL round trip (resume reads it back).
        let line = serde_json::to_string(b).unwrap();
        let back: WhoWhenRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(back.error, b.error);

        let with_dead =
            vec![labelled_log("a", "What is 1?"), labelled_log("d", &format!("Q {DEAD_ENDPOINT}"))];
        let err = runtime.block_on(run(suite(), with_dead, &RunOptions::default())).unwrap_err();
        assert_eq!(err.to_string(), "attributing log `d` failed");
        // A context too small for the prompts themselves fails before any log is read, instead
        // of scoring every log wrong.
        let config = AttributionConfig { context_tokens: 1024, ..AttributionConfig::default() };
        let tiny = |tokens: usize| -> Arc<dyn causa_llm::ChatModel> { Arc::new(CountsAs(tokens)) };
        let Err(err) = Attributor::new(Some(tiny(400)), Prompts::embedded(), config.clone()) else {
            panic!("prompts of 800+ tokens fit a 1024-token context")
        };
        assert!(
            err.to_string().contains("1024-token context window") && !err.is_specific_to_the_log(),
            "{err}"
        );
        assert!(Attributor::new(Some(tiny(1)), Prompts::embedded(), config).is_ok());
    }
}
