//! `causa bench corr2cause|clear|cladder|cold`, `causa bench generate` and `causa bench compare`:
//! engine mode on the development slices, resuming, generated items round-tripping through the
//! engine, comparison tables, the input errors, and direct and agent mode with the embedded local
//! model on a couple of items.

use std::path::PathBuf;

use serde_json::Value;

use crate::Sandbox;

fn benchdata(sub: &str) -> String {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = start
        .ancestors()
        .map(|dir| dir.join("shared/benchdata"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| panic!("shared/benchdata not found above {}", start.display()));
    dir.join(sub).to_str().unwrap().to_string()
}

fn fraction(summary: &Value, key: &str) -> f64 {
    let v = summary[key].as_f64().unwrap_or_else(|| panic!("{key} missing: {summary}"));
    assert!((0.0..=1.0).contains(&v), "{key} = {v}");
    v
}

fn lines(path: PathBuf) -> usize {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).lines().count()
}

#[test]
fn engine_mode_scores_each_suite_with_its_summary_format() {
    let sandbox = Sandbox::new("bench-engine");
    let data = benchdata("corr2cause/dev.csv");
    let s = sandbox
        .run(&[
            "bench",
            "corr2cause",
            "--data",
            &data,
            "--mode",
            "engine",
            "--model",
            "none",
            "--limit",
            "20",
            "--out",
            "c2c",
            "--json",
        ])
        .json();
    assert_eq!(
        (s["suite"].as_str(), s["mode"].as_str(), s["n"].as_u64()),
        (Some("corr2cause"), Some("engine"), Some(20))
    );
    for key in ["f1", "precision", "recall", "accuracy"] {
        fraction(&s, key);
    }
    assert!(s["by_template"].is_object() && s["by_num_vars"].is_object(), "{s}");
    assert_eq!(lines(sandbox.path().join("c2c/predictions.jsonl")), 20);
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.path().join("c2c/summary.json")).unwrap())
            .unwrap();
    assert_eq!(on_disk["accuracy"], s["accuracy"]);
    assert!(std::fs::read_to_string(sandbox.path().join("c2c/summary.md")).unwrap().contains("29.08"));

    let s = sandbox
        .run(&[
            "bench",
            "clear",
            "--data",
            &benchdata("clear"),
            "--mode",
            "engine",
            "--limit",
            "12",
            "--json",
        ])
        .json();
    assert_eq!((s["suite"].as_str(), s["n"].as_u64()), (Some("clear"), Some(12)));
    assert_eq!(fraction(&s, "accuracy"), 1.0, "the engine answers every CLEAR dev question");
    assert!(s["by_task"].is_object() && s["by_question_type"].is_object(), "{s}");

    let out = sandbox.run(&[
        "bench",
        "cladder",
        "--data",
        &benchdata("cladder/dev.csv"),
        "--mode",
        "engine",
        "--limit",
        "10",
        "--out",
        "cl",
    ]);
    assert!(out.ok().contains("| rung |"), "{}", out.stdout);
    assert!(out.stderr.contains("running accuracy"), "{}", out.stderr);
    let s: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.path().join("cl/summary.json")).unwrap())
            .unwrap();
    fraction(&s, "accuracy");
    for key in ["by_rung", "by_query_type", "by_sense"] {
        assert!(s[key].is_object(), "{key}: {s}");
    }
    let record: Value = serde_json::from_str(
        std::fs::read_to_string(sandbox.path().join("cl/predictions.jsonl")).unwrap().lines().next().unwrap(),
    )
    .unwrap();
    for key in
        ["id", "prediction", "gold", "correct", "raw", "latency_secs", "prompt_tokens", "completion_tokens"]
    {
        assert!(record.get(key).is_some(), "{key} missing: {record}");
    }
}

#[test]
fn an_interrupted_run_resumes_without_redoing_items() {
    let sandbox = Sandbox::new("bench-resume");
    let data = benchdata("cladder/dev.csv");
    let base =
        ["bench", "cladder", "--data", data.as_str(), "--mode", "engine", "--out", "run", "--seed", "4"];
    let first = sandbox.run(&[&base[..], &["--limit", "5", "--json"]].concat()).json();
    assert_eq!(first["n"], 5);
    let before = std::fs::read_to_string(sandbox.path().join("run/predictions.jsonl")).unwrap();
    // Without --resume an existing run is not discarded.
    let err = sandbox.run(&[&base[..], &["--limit", "10"]].concat()).invalid_input().to_string();
    assert!(err.contains("--resume") && err.contains("--force"), "{err}");
    let second = sandbox.run(&[&base[..], &["--limit", "10", "--resume", "--json"]].concat());
    assert!(second.stderr.contains("5 of 10 items reused"), "{}", second.stderr);
    assert_eq!(
        second.stderr.matches("running accuracy").count(),
        5,
        "only 5 new predictions: {}",
        second.stderr
    );
    assert_eq!(second.json()["n"], 10);
    let after = std::fs::read_to_string(sandbox.path().join("run/predictions.jsonl")).unwrap();
    assert_eq!(after.lines().count(), 10);
    for line in before.lines() {
        assert!(after.contains(line), "an earlier prediction was lost: {line}");
    }
    let fresh = sandbox.run(&[&base[..], &["--limit", "3", "--force"]].concat());
    fresh.ok();
    assert_eq!(lines(sandbox.path().join("run/predictions.jsonl")), 3);
}

#[test]
fn generated_items_round_trip_through_the_engine() {
    let sandbox = Sandbox::new("bench-generate");
    for (suite, file, vars) in
        [("corr2cause", "g.csv", "3..5"), ("clear", "g.jsonl", "4..6"), ("cladder", "l.csv", "3..4")]
    {
        let generate = |extra: &[&str]| {
            let mut args =
                vec!["bench", "generate", suite, "--n", "25", "--seed", "9", "--vars", vars, "--out", file];
            args.extend_from_slice(extra);
            sandbox.run(&args)
        };
        let info = generate(&["--perturb", "paraphrase,rename", "--json"]).json();
        assert_eq!(info["n"], 25);
        let s = sandbox.run(&["bench", suite, "--data", file, "--mode", "engine", "--json"]).json();
        assert_eq!(s["n"], 25, "{suite}");
        assert_eq!(fraction(&s, "accuracy"), 1.0, "{suite}: engine-computed truth must be reproduced: {s}");
        let err = generate(&[]).invalid_input().to_string();
        assert!(err.contains("--force"), "{err}");
        let first = std::fs::read_to_string(sandbox.path().join(file)).unwrap();
        generate(&["--perturb", "paraphrase,rename", "--force"]).ok();
        assert_eq!(
            std::fs::read_to_string(sandbox.path().join(file)).unwrap(),
            first,
            "{suite}: same seed, same items"
        );
    }
    let text = std::fs::read_to_string(sandbox.path().join("g.csv")).unwrap();
    assert!(text.starts_with("input,label,num_variables,template\n"), "{text}");
    let err = sandbox
        .run(&["bench", "generate", "corr2cause", "--n", "3", "--vars", "5..2", "--out", "x.csv"])
        .invalid_input()
        .to_string();
    assert!(err.contains("5..2"), "{err}");
}

#[test]
fn compare_puts_runs_side_by_side() {
    let sandbox = Sandbox::new("bench-compare");
    let c2c = benchdata("corr2cause/dev.csv");
    let clr = benchdata("clear");
    sandbox
        .run(&["bench", "corr2cause", "--data", &c2c, "--mode", "engine", "--limit", "8", "--out", "a"])
        .ok();
    sandbox.run(&["bench", "clear", "--data", &clr, "--mode", "engine", "--limit", "6", "--out", "b"]).ok();
    let table = sandbox.run(&["bench", "compare", "a", "b"]).ok().to_string();
    assert!(table.starts_with("| run | suite | mode |"), "{table}");
    assert!(table.contains("| a | corr2cause | engine | none | 8 |"), "{table}");
    assert!(table.contains("| b | clear | engine | none | 6 | 100.0 |"), "{table}");
    let json = sandbox.run(&["bench", "compare", "a", "b/summary.json", "--json"]).json();
    assert_eq!(json["runs"].as_array().unwrap().len(), 2);
    assert_eq!(json["runs"][1]["suite"], "clear");
    let err = sandbox.run(&["bench", "compare", "a", "nowhere"]).invalid_input().to_string();
    assert!(err.contains("nowhere"), "{err}");
}

#[test]
fn input_errors_exit_with_code_2() {
    let sandbox = Sandbox::new("bench-errors");
    // A CLEAR file given to the Corr2Cause suite, and the other way round.
    let err = sandbox
        .run(&["bench", "corr2cause", "--data", &benchdata("clear/edge.jsonl"), "--mode", "engine"])
        .invalid_input()
        .to_string();
    assert!(err.contains("edge.jsonl") && err.contains("not a file of this suite"), "{err}");
    let err = sandbox
        .run(&["bench", "clear", "--data", &benchdata("corr2cause/dev.csv"), "--mode", "engine"])
        .invalid_input()
        .to_string();
    assert!(err.contains("dev.csv"), "{err}");
    let err = sandbox
        .run(&[
            "bench",
            "cladder",
            "--data",
            &benchdata("cladder/dev.csv"),
            "--mode",
            "agent",
            "--model",
            "none",
        ])
        .invalid_input()
        .to_string();
    assert!(err.contains("--model none") && err.contains("--mode engine"), "{err}");
    for mode in ["engine", "agent"] {
        let err = sandbox
            .run(&["bench", "cold", "--data", &benchdata("cold"), "--mode", mode])
            .invalid_input()
            .to_string();
        assert!(err.contains("not available for the cold suite"), "{err}");
    }
    let err = sandbox
        .run(&["bench", "cladder", "--data", "absent.csv", "--mode", "engine"])
        .invalid_input()
        .to_string();
    assert!(err.contains("absent.csv"), "{err}");
    sandbox.write("empty.csv", "input,label,num_variables,template\n");
    let err = sandbox
        .run(&["bench", "corr2cause", "--data", "empty.csv", "--mode", "engine"])
        .invalid_input()
        .to_string();
    assert!(err.contains("no items"), "{err}");
}

/// The embedded local model in direct and agent mode on two items per suite. One test, so the
/// model runs are serialised.
#[test]
fn local_model_direct_and_agent_modes_end_to_end() {
    let sandbox = Sandbox::new("bench-local");
    // A short translation budget keeps the test quick: a translation cut short is an invalid one,
    // recorded with its error, which is part of what is checked. CLEAR's schema (twenty kinds of
    // question) makes grammar-constrained decoding slow on the local backend, so it gets one item.
    let runs = [
        ("corr2cause", benchdata("corr2cause/dev.csv"), "direct", "2", "96"),
        ("clear", benchdata("clear/d-separation.jsonl"), "direct", "2", "96"),
        ("cladder", benchdata("cladder/dev.csv"), "direct", "2", "96"),
        ("cold", benchdata("cold/baking_a_cake.csv"), "direct", "2", "96"),
        ("corr2cause", benchdata("corr2cause/dev.csv"), "agent", "2", "96"),
        ("cladder", benchdata("cladder/dev.csv"), "agent", "2", "96"),
        ("clear", benchdata("clear/d-separation.jsonl"), "agent", "1", "12"),
    ];
    for (suite, data, mode, limit, max_tokens) in runs {
        let out = format!("{suite}-{mode}");
        let args = [
            "bench",
            suite,
            "--data",
            &data,
            "--mode",
            mode,
            "--model",
            "local",
            "--limit",
            limit,
            "--retries",
            "0",
            "--max-tokens",
            max_tokens,
            "--out",
            &out,
            "--json",
        ];
        let s = sandbox.run(&args).json();
        assert_eq!((s["n"].to_string(), s["mode"].as_str()), (limit.to_string(), Some(mode)), "{s}");
        assert!(s["model"].as_str().unwrap().contains("SmolLM2"), "{s}");
        fraction(&s, "accuracy");
        assert_eq!(s["model_calls"].to_string(), limit, "one call per item without retries: {s}");
        if mode == "direct" {
            assert!(s["prompt_tokens"].as_u64().unwrap() > 0, "{s}");
        }
        let text = std::fs::read_to_string(sandbox.path().join(&out).join("predictions.jsonl")).unwrap();
        for line in text.lines() {
            let record: Value = serde_json::from_str(line).unwrap();
            assert!(record["raw"].is_string() || record["error"].is_string(), "{record}");
            if mode == "agent" && !record["prediction"].is_null() {
                // A translation the engine answered is JSON of the formal query.
                let raw: Value = serde_json::from_str(record["raw"].as_str().unwrap()).unwrap();
                assert!(raw.is_object(), "{raw}");
            }
        }
        if suite == "cold" {
            let scoring = &s["scoring"];
            assert_eq!(
                scoring["logprobs"].as_u64().unwrap() + scoring["generated"].as_u64().unwrap(),
                2,
                "{s}"
            );
        }
    }
}
