//! The whole analysis driven by the real embedded model (SmolLM2-135M-Instruct, llama.cpp).
//! Tests here share one loaded model and run one at a time (see `serial`), like causa-llm's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex, OnceLock};

use causa_agent::{CallOrigin, Event, RunStatus, SessionConfig};
use causa_graph::metrics::{CompareOptions, compare};
use causa_llm::{ChatModel, LocalModel, LocalSettings};
use support::{ask, sandbox, session, simulated_csv};

fn model() -> Arc<dyn ChatModel> {
    static MODEL: OnceLock<Arc<LocalModel>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let path = causa_llm::registry::default_model_path()
                .expect("the default model is missing: run `causa models fetch` (scripts/lib.sh ensure_default_model)");
            let settings = LocalSettings { threads: 2, context_size: 2048, batch_size: 256 };
            Arc::new(LocalModel::load(&path, settings).expect("load the default model"))
        })
        .clone()
}

/// One test at a time: they share one model on a 2-thread budget.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn the_local_model_drives_an_analysis_that_recovers_the_effect() {
    let _serial = serial();
    let dir = sandbox("local-model");
    let (csv, truth, true_graph) = simulated_csv(&dir, 11, 2000);
    // No time limit: on a busy machine a call of the 135M model can take minutes, and this test
    // is about what the model-driven loop produces, not its speed (benchmarks/agent has that).
    let config = SessionConfig { time_limit: None, ..SessionConfig::default() };
    let mut s = session(Some(model()), &csv, config);
    let (outcome, events) = ask(&mut s, "What is the effect of ad_spend on sales?");
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, RunStatus::Completed, "{events:#?}");
    assert!(outcome.steps <= 12);
    // The model was asked (guided: algorithm, method, interpretation) and its output streamed.
    let model_calls = events.iter().filter(|e| matches!(e, Event::ModelEnd { .. })).count();
    assert!(model_calls >= 3, "{model_calls} model calls");
    assert!(events.iter().any(|e| matches!(e, Event::ModelDelta { .. })));
    assert!(events.iter().any(|e| matches!(e, Event::ToolCall { origin: CallOrigin::Model, .. })));
    let key = &outcome.answer.as_ref().unwrap().key_numbers[0];
    assert_eq!(key.label, "effect of ad_spend on sales (ATE)");
    let (lo, hi) = key.ci95.unwrap();
    assert!(lo <= truth && truth <= hi, "[{lo}, {hi}] should cover {truth}");
    let graph = s.state().estimates[0].graph.clone().unwrap();
    let record = s.state().graphs.iter().find(|g| g.name == graph).unwrap();
    let learnt = causa_agent::tools::graph_of_record(record).unwrap();
    let cmp = compare(&true_graph, &learnt, CompareOptions { against_cpdag: true }).unwrap();
    assert!(cmp.shd <= 2, "SHD {} for {:?}", cmp.shd, record.edges);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let files = causa_agent::report::write_reports(s.state(), &events, &out).unwrap();
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(files.results).unwrap()).unwrap();
    assert_eq!(results["status"], "completed");
    assert!(results["model"].as_str().unwrap().starts_with("local:"));
}
