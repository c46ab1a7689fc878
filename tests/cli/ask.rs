//! `causa ask` end to end on the bundled example (simulated from a known graph with a known
//! effect, see examples/README.md), plus input errors and secrecy of API keys.

use std::path::Path;

use causa_graph::metrics::{CompareOptions, compare};
use serde_json::Value;

use crate::{Sandbox, repo_root};

/// The example's true graph and the true effect of ad_spend on sales (0.7165950259202727 ×
/// 0.9487862836782552, the weights `causa simulate --seed 57` drew; see examples/README.md).
const TRUE_GRAPH: &str = "season -> ad_spend; budget -> ad_spend; season -> sales; ad_spend -> visits; visits -> sales; price -> sales";
const TRUE_EFFECT: f64 = 0.7165950259202727 * 0.9487862836782552;
const QUESTION: &str = "What is the effect of ad_spend on sales?";

fn example(sandbox: &Sandbox) -> String {
    let data = std::fs::read_to_string(repo_root().join("examples/marketing.csv")).unwrap();
    sandbox.write("marketing.csv", &data);
    "marketing.csv".into()
}

fn sessions(sandbox: &Sandbox) -> String {
    sandbox.path().join("sessions").to_string_lossy().into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn ask_without_a_model_answers_with_the_true_effect_and_writes_reports() {
    let sandbox = Sandbox::new("ask-none");
    let data = example(&sandbox);
    let out = sandbox.run_env(
        &["ask", QUESTION, "--data", &data, "--model", "none", "--out", "run"],
        &[("CAUSA_SESSIONS_DIR", &sessions(&sandbox))],
    );
    let answer = out.ok();
    assert!(answer.contains("effect of ad_spend on sales is 0.68"), "{answer}");
    assert!(
        out.stderr.contains("[3] discover ok") && out.stderr.contains("completed after 7 steps"),
        "{}",
        out.stderr
    );
    let dir = sandbox.path().join("run");
    let results = read_json(&dir.join("results.json"));
    assert_eq!(results["status"], "completed");
    let estimate = &results["estimates"][0];
    let (lo, hi) = (estimate["ci95"][0].as_f64().unwrap(), estimate["ci95"][1].as_f64().unwrap());
    assert!(lo <= TRUE_EFFECT && TRUE_EFFECT <= hi, "[{lo}, {hi}] should cover {TRUE_EFFECT}");
    let edges: Vec<&str> =
        results["graphs"][0]["edges"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    let learnt = causa_graph::io::parse_text(&edges.join("\n")).unwrap();
    let truth = causa_graph::io::parse_text(TRUE_GRAPH).unwrap();
    let shd = compare(&truth, &learnt, CompareOptions { against_cpdag: true }).unwrap().shd;
    assert!(shd <= 1, "SHD {shd}: {edges:?}");
    for name in ["report.md", "report.html", "transcript.jsonl"] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    let transcript = std::fs::read_to_string(dir.join("transcript.jsonl")).unwrap();
    let events: Vec<Value> = transcript.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.first().unwrap()["type"], "run_started");
    assert_eq!(events.last().unwrap()["type"], "run_finished");
    // The session was saved where CAUSA_SESSIONS_DIR points.
    assert_eq!(std::fs::read_dir(sandbox.path().join("sessions")).unwrap().count(), 1);
}

#[test]
fn json_mode_prints_one_event_per_line() {
    let sandbox = Sandbox::new("ask-json");
    let data = example(&sandbox);
    let out = sandbox.run_env(
        &["ask", QUESTION, "--data", &data, "--model", "none", "--json"],
        &[("CAUSA_SESSIONS_DIR", &sessions(&sandbox))],
    );
    let lines: Vec<Value> = out.ok().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let types: Vec<&str> = lines.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"run_started"));
    assert!(types.contains(&"answer") && types.contains(&"tool_result"));
    assert_eq!(lines.last().unwrap()["status"], "completed");
    // The default output folder is a new causa-run-* folder.
    let runs: Vec<String> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("causa-run-"))
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
}

#[test]
fn input_errors_exit_with_code_2() {
    let sandbox = Sandbox::new("ask-errors");
    let data = example(&sandbox);
    let env = [("CAUSA_SESSIONS_DIR", sessions(&sandbox))];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let err = sandbox.run_env(&["ask", QUESTION, "--data", "missing.csv", "--model", "none"], &env);
    assert!(err.invalid_input().contains("missing.csv"));
    let err = sandbox
        .run_env(&["ask", "Will it rain tomorrow?", "--data", &data, "--model", "none", "--out", "r1"], &env);
    let message = err.invalid_input();
    assert!(message.contains("Columns: season, ad_spend, budget, sales, visits, price"), "{message}");
    std::fs::create_dir_all(sandbox.path().join("full")).unwrap();
    sandbox.write("full/keep.txt", "");
    let err = sandbox.run_env(&["ask", QUESTION, "--data", &data, "--model", "none", "--out", "full"], &env);
    assert!(err.invalid_input().contains("not empty"));
    assert_eq!(std::fs::read_to_string(sandbox.path().join("full/keep.txt")).unwrap(), "");
    let err = sandbox.run_env(&["ask", QUESTION, "--data", &data, "--model", "gpt4"], &env);
    assert!(err.invalid_input().contains("invalid model spec"));
    let err =
        sandbox.run_env(&["ask", QUESTION, "--data", &data, "--model", "none", "--prompts", "nowhere"], &env);
    assert!(err.invalid_input().contains("--prompts `nowhere` is not a folder"));
}

#[test]
fn an_api_key_never_appears_in_output_or_files() {
    let sandbox = Sandbox::new("ask-secret");
    let data = example(&sandbox);
    let secret = "sk-test-SECRET";
    let out = sandbox.run_env(
        &[
            "ask",
            QUESTION,
            "--data",
            &data,
            "--model",
            "openai:gpt-test",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--out",
            "run",
        ],
        &[("OPENAI_API_KEY", secret), ("CAUSA_SESSIONS_DIR", &sessions(&sandbox))],
    );
    assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret), "{out:#?}");
    assert!(out.stderr.contains("model error"), "the dead server is reported: {}", out.stderr);
    let mut checked = 0;
    let mut stack = vec![sandbox.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(secret),
                    "{} holds the key",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 6, "reports, transcript, session and data were checked ({checked} files)");
}
