//! `causa discover` end to end: data simulated by `causa simulate` from a known graph, the learned
//! graph scored against the truth by `causa graph compare`.

use serde_json::Value;

use crate::{Output, Sandbox, benchdata};

fn simulate(sb: &Sandbox, name: &str, args: &[&str]) {
    let data = format!("{name}.csv");
    let truth = format!("{name}.json");
    let mut all = vec!["simulate", "--out", &data, "--graph-out", &truth];
    all.extend_from_slice(args);
    sb.run(&all).ok();
}

/// Runs `causa discover DATA ARGS --out EST` and compares EST with the truth; returns the
/// comparison JSON and the discovery report (JSON).
fn discover_and_compare(sb: &Sandbox, name: &str, args: &[&str], cpdag: bool) -> (Value, Value) {
    let data = format!("{name}.csv");
    let estimate = format!("{name}-{}.txt", args.join("-").replace(['-', ' '], ""));
    let mut all = vec!["discover", &data, "--out", &estimate, "--force"];
    all.extend_from_slice(args);
    let text = sb.run(&all);
    text.ok();
    let mut json_args = vec!["discover", &data, "--format", "json"];
    json_args.extend_from_slice(args);
    let report = sb.run(&json_args).json();
    let truth = format!("{name}.json");
    let mut compare = vec!["graph", "compare", &truth, &estimate, "--json"];
    if cpdag {
        compare.push("--cpdag");
    }
    (sb.run(&compare).json(), report)
}

fn f1(c: &Value) -> f64 {
    c["adjacency"]["f1"].as_f64().unwrap()
}

fn shd(c: &Value) -> u64 {
    c["shd"].as_u64().unwrap()
}

#[test]
fn pc_and_ges_recover_linear_gaussian_graphs() {
    let sb = Sandbox::new("discover-lg");
    let (mut pc_f1, mut ges_f1) = (0.0, 0.0);
    for seed in 1..=5 {
        let name = format!("lg{seed}");
        let seed = seed.to_string();
        simulate(&sb, &name, &["--nodes", "6", "--degree", "2", "--seed", &seed, "--samples", "3000"]);
        let (pc, report) = discover_and_compare(&sb, &name, &["--algo", "pc"], true);
        assert_eq!(report["algorithm"], "pc");
        assert_eq!(report["params"]["ci_test"], "fisher-z");
        assert!(report["diagnostics"]["tests_run"].as_u64().unwrap() > 0, "{report}");
        assert!(report["diagnostics"]["separating_sets"].is_array());
        let (ges, report) = discover_and_compare(&sb, &name, &["--algo", "ges"], true);
        assert_eq!(report["params"]["score"], "bic");
        assert!(report["diagnostics"]["score"].is_f64());
        if seed == "1" {
            // A well-conditioned instance: both find the true CPDAG exactly.
            assert_eq!(shd(&pc), 0, "{pc}");
            assert_eq!(shd(&ges), 0, "{ges}");
        }
        let auto = sb.run(&["discover", &format!("{name}.csv"), "--json"]).json();
        assert_eq!(
            (auto["algorithm"].as_str(), auto["params"]["ci_test"].as_str()),
            (Some("pc"), Some("fisher-z")),
            "{auto}"
        );
        assert_eq!(auto["recommendation"]["data_model"], "linear-gaussian");
        pc_f1 += f1(&pc) / 5.0;
        ges_f1 += f1(&ges) / 5.0;
    }
    assert!(pc_f1 >= 0.9, "mean PC adjacency F1 {pc_f1}");
    assert!(ges_f1 >= 0.9, "mean GES adjacency F1 {ges_f1}");
}

#[test]
fn auto_uses_the_kernel_test_on_nonlinear_data() {
    let sb = Sandbox::new("discover-nonlinear");
    simulate(
        &sb,
        "nl",
        &["--nodes", "4", "--degree", "1.5", "--seed", "2", "--samples", "500", "--model", "nonlinear"],
    );
    let (c, report) = discover_and_compare(&sb, "nl", &[], true);
    assert_eq!(report["algorithm"], "pc", "{report}");
    assert_eq!(report["params"]["ci_test"], "kci", "{report}");
    assert!(f1(&c) >= 0.85, "{c}");
}

#[test]
fn lingam_orients_uniform_noise_data_and_auto_picks_it() {
    let sb = Sandbox::new("discover-lingam");
    for seed in ["1", "2"] {
        let name = format!("u{seed}");
        simulate(
            &sb,
            &name,
            &[
                "--nodes",
                "6",
                "--degree",
                "2",
                "--seed",
                seed,
                "--samples",
                "3000",
                "--model",
                "linear-nongaussian",
            ],
        );
        // Compared with the DAG itself: LiNGAM orients every edge.
        let (c, report) = discover_and_compare(&sb, &name, &["--algo", "lingam"], false);
        assert!(shd(&c) <= 1, "{c}");
        assert!(f1(&c) >= 0.95, "{c}");
        assert_eq!(report["diagnostics"]["causal_order"].as_array().unwrap().len(), 6);
        let (notears, _) = discover_and_compare(&sb, &name, &["--algo", "notears"], false);
        assert!(f1(&notears) >= 0.85, "{notears}");
        let auto = sb.run(&["discover", &format!("{name}.csv"), "--json"]).json();
        assert_eq!(auto["algorithm"], "lingam", "{auto}");
        assert_eq!(auto["recommendation"]["algorithm"], "lingam");
        assert!(!auto["recommendation"]["reasons"].as_array().unwrap().is_empty());
    }
    // The text report says why auto chose the algorithm.
    let text = sb.run(&["discover", "u1.csv"]);
    assert!(
        text.ok().contains("algorithm: lingam (auto: recommended by the data profile)\n  - "),
        "{text:?}"
    );
    assert!(text.ok().contains("causal order:"), "{text:?}");
}

#[test]
fn pcmci_and_granger_find_the_var_links_and_auto_picks_pcmci() {
    let sb = Sandbox::new("discover-var");
    for seed in ["1", "2", "3"] {
        let name = format!("v{seed}");
        let lagged = format!("{name}.lag");
        simulate(
            &sb,
            &name,
            &[
                "--model",
                "var",
                "--nodes",
                "5",
                "--degree",
                "1.5",
                "--lags",
                "2",
                "--length",
                "1500",
                "--seed",
                seed,
                "--lagged-out",
                &lagged,
            ],
        );
        let (pcmci, report) = discover_and_compare(&sb, &name, &["--time", "time", "--algo", "pcmci"], false);
        assert!(f1(&pcmci) >= 0.85, "{pcmci}");
        let (granger, _) = discover_and_compare(&sb, &name, &["--time", "time", "--algo", "granger"], false);
        assert!(f1(&granger) >= 0.85, "{granger}");
        // The lagged links against the simulated ones: all found, few extra.
        let want: Vec<String> = std::fs::read_to_string(sb.path().join(&lagged))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .collect();
        let got: Vec<String> = report["diagnostics"]["lagged_links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                format!("{}(t-{}) -> {}(t)", l["from"].as_str().unwrap(), l["lag"], l["to"].as_str().unwrap())
            })
            .collect();
        let found = want.iter().filter(|w| got.contains(w)).count();
        assert_eq!(found, want.len(), "missed links: want {want:?}, got {got:?}");
        assert!(found as f64 / got.len() as f64 >= 0.8, "too many extra links: want {want:?}, got {got:?}");
        let auto = sb.run(&["discover", &format!("{name}.csv"), "--time", "time", "--json"]).json();
        assert_eq!(auto["algorithm"], "pcmci", "{auto}");
    }
    // Bootstrap would shuffle the time order.
    let err = sb.run(&["discover", "v1.csv", "--time", "time", "--algo", "pcmci", "--bootstrap", "5"]);
    assert!(err.invalid_input().contains("time order"), "{err:?}");
}

#[test]
fn pc_with_the_g_test_on_discrete_bif_samples() {
    let sb = Sandbox::new("discover-bif");
    for (net, max_shd, min_f1) in [("earthquake", 2, 0.99), ("sachs", 16, 0.9), ("survey", 3, 0.9)] {
        let bif = benchdata(&format!("bnlearn/bif/{net}.bif"));
        simulate(&sb, net, &[bif.to_str().unwrap(), "--model", "bif", "--samples", "5000", "--seed", "3"]);
        let (c, report) = discover_and_compare(&sb, net, &["--algo", "pc", "--ci-test", "g-test"], true);
        assert!(shd(&c) <= max_shd, "{net}: {c}");
        assert!(f1(&c) >= min_f1, "{net}: {c}");
        assert_eq!(report["warnings"].as_array().unwrap().len(), 0, "{report}");
        // auto: PC with the G-test, because every column is discrete.
        let auto = sb.run(&["discover", &format!("{net}.csv"), "--json"]).json();
        assert_eq!(auto["algorithm"], "pc", "{auto}");
        assert_eq!(auto["params"]["ci_test"], "g-test", "{auto}");
        // GES on discrete data uses BDeu.
        let ges = sb.run(&["discover", &format!("{net}.csv"), "--algo", "ges", "--json"]).json();
        assert_eq!(ges["params"]["score"], "bdeu", "{ges}");
    }
    // Fisher-z refuses text categories (sachs' levels are LOW, AVG, HIGH), naming a column ...
    let out = sb.run(&["discover", "sachs.csv", "--algo", "pc", "--ci-test", "fisher-z"]);
    assert_invalid(&out, &["column `Akt` is categorical", "--ci-test g-test"]);
    // ... and runs on integer-coded discrete columns with a warning, on stderr and in the JSON.
    let mut text = String::from("a,b,c\n");
    for i in 0..200 {
        text.push_str(&format!("{},{},{}\n", i % 3, (i / 3) % 4, (i % 3 + (i / 7) % 2) % 3));
    }
    sb.write("codes.csv", &text);
    let out = sb.run(&["discover", "codes.csv", "--algo", "pc", "--ci-test", "fisher-z", "--json"]);
    assert!(
        out.stderr.contains("warning: the Fisher-z test treats the discrete columns a, b, c as numbers"),
        "{out:?}"
    );
    assert_eq!(out.json()["warnings"].as_array().unwrap().len(), 1);
}

fn write_chain(sb: &Sandbox) {
    // x1 -> x2 -> x3 with x4 -> x3: PC and GES find every adjacency.
    simulate(sb, "chain", &["x1 -> x2, x2 -> x3, x4 -> x3", "--samples", "2000", "--seed", "4"]);
}

fn adjacent(report: &Value, a: &str, b: &str) -> bool {
    report["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| (e["from"] == a && e["to"] == b) || (e["from"] == b && e["to"] == a))
}

#[test]
fn knowledge_forbidding_a_true_edge_removes_it() {
    let sb = Sandbox::new("discover-knowledge");
    write_chain(&sb);
    sb.write("k.txt", "# both directions\nforbid x1 -> x2\nforbid x2 -> x1\n");
    for algo in ["pc", "fci", "ges"] {
        let free = sb.run(&["discover", "chain.csv", "--algo", algo, "--json"]).json();
        assert!(adjacent(&free, "x1", "x2"), "{algo}: {free}");
        let constrained =
            sb.run(&["discover", "chain.csv", "--algo", algo, "--knowledge", "k.txt", "--json"]).json();
        assert!(!adjacent(&constrained, "x1", "x2"), "{algo}: {constrained}");
        assert!(
            adjacent(&constrained, "x2", "x3") && adjacent(&constrained, "x4", "x3"),
            "{algo}: {constrained}"
        );
        assert_eq!(constrained["params"]["knowledge"], "k.txt");
    }
    // Tiers orient an edge PC leaves undirected (x1 - x2 is not part of a collider).
    sb.write("tiers.txt", "tier 1: x2\ntier 2: x1\n");
    let pc = sb.run(&["discover", "chain.csv", "--algo", "pc", "--knowledge", "tiers.txt", "--json"]).json();
    let edge = pc["edges"].as_array().unwrap().iter().find(|e| e["from"] == "x2" && e["to"] == "x1").cloned();
    assert_eq!(edge.map(|e| e["kind"].clone()), Some(Value::from("directed")), "{pc}");

    // Algorithms without knowledge refuse it, naming the algorithm.
    for algo in ["lingam", "notears", "granger", "pcmci"] {
        let out = sb.run(&["discover", "chain.csv", "--algo", algo, "--knowledge", "k.txt"]);
        assert!(
            out.invalid_input().contains(&format!("{algo} does not use background knowledge")),
            "{out:?}"
        );
    }
    // Unknown names are errors with the line.
    sb.write("bad.txt", "forbid x1 -> x2\n\nrequire x9 -> x3\n");
    let out = sb.run(&["discover", "chain.csv", "--algo", "pc", "--knowledge", "bad.txt"]);
    let err = out.invalid_input();
    assert!(err.contains("line 3") && err.contains("x9") && err.contains("bad.txt"), "{err}");
}

#[test]
fn bootstrap_reports_edge_frequencies_deterministically() {
    let sb = Sandbox::new("discover-bootstrap");
    write_chain(&sb);
    let run = |threads: &str| {
        sb.run(&[
            "discover",
            "chain.csv",
            "--algo",
            "pc",
            "--bootstrap",
            "20",
            "--seed",
            "7",
            "--threads",
            threads,
            "--json",
        ])
        .json()
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one["bootstrap"], two["bootstrap"]);
    assert_eq!(one["bootstrap"]["replicates"], 20);
    assert_eq!(one["bootstrap"]["succeeded"], 20);
    let adjacencies = one["bootstrap"]["adjacencies"].as_array().unwrap();
    let frequency = |a: &str, b: &str| {
        adjacencies
            .iter()
            .find(|e| (e["a"] == a && e["b"] == b) || (e["a"] == b && e["b"] == a))
            .map_or(0.0, |e| e["frequency"].as_f64().unwrap())
    };
    for (a, b) in [("x1", "x2"), ("x2", "x3"), ("x4", "x3")] {
        assert!(frequency(a, b) >= 0.9, "{a} - {b}: {one}");
    }
    assert!(frequency("x1", "x4") <= 0.3, "{one}");
    // Every edge of the main graph carries its frequency; the collider is oriented in most resamples.
    for e in one["edges"].as_array().unwrap() {
        assert!(e["frequency"].as_f64().unwrap() > 0.0, "{e}");
    }
    let list = one["bootstrap"]["edges"].as_array().unwrap();
    let collider = list
        .iter()
        .find(|e| e["from"] == "x2" && e["to"] == "x3" && e["kind"] == "directed")
        .map_or(0.0, |e| e["frequency"].as_f64().unwrap());
    assert!(collider >= 0.8, "{one}");
    let other_seed = sb
        .run(&["discover", "chain.csv", "--algo", "pc", "--bootstrap", "20", "--seed", "8", "--json"])
        .json();
    assert_eq!(other_seed["bootstrap"]["replicates"], 20);
    let text = sb.run(&["discover", "chain.csv", "--algo", "pc", "--bootstrap", "5"]);
    assert!(text.ok().contains("bootstrap: 5 of 5 resamples succeeded"), "{text:?}");
}

fn assert_invalid(out: &Output, needles: &[&str]) {
    let err = out.invalid_input();
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` not in: {err}");
    }
}

#[test]
fn bad_input_exits_with_code_2_naming_the_problem() {
    let sb = Sandbox::new("discover-bad");
    // A constant column.
    let mut text = String::from("a,b,c\n");
    for i in 0..50 {
        text.push_str(&format!("{},{}.5,7\n", i % 7, (i * 3) % 11));
    }
    sb.write("constant.csv", &text);
    assert_invalid(&sb.run(&["discover", "constant.csv", "--algo", "pc"]), &["column `c` is constant"]);
    // Duplicate columns.
    let mut text = String::from("a,b,c\n");
    for i in 0..50 {
        text.push_str(&format!("{}.25,{}.5,{}.25\n", i % 7, (i * 3) % 11, i % 7));
    }
    sb.write("dup.csv", &text);
    assert_invalid(&sb.run(&["discover", "dup.csv", "--algo", "ges"]), &["`a` and `c` are identical"]);
    // An exact linear combination: c = a + b.
    let mut text = String::from("a,b,c\n");
    for i in 0..60 {
        let (a, b) = ((i % 7) as f64 + 0.5, ((i * 3) % 11) as f64 * 0.7);
        text.push_str(&format!("{a},{b},{}\n", a + b));
    }
    sb.write("collinear.csv", &text);
    assert_invalid(&sb.run(&["discover", "collinear.csv", "--algo", "pc"]), &["singular", "collinear"]);
    // Fewer rows than variables.
    sb.write("short.csv", "a,b,c,d\n1.5,2.5,3.5,4.25\n2.5,1.5,0.5,3.75\n3.25,0.5,1.5,2.5\n");
    assert_invalid(&sb.run(&["discover", "short.csv", "--algo", "pc"]), &["3 rows for 4 columns"]);
    // Text categories with Fisher-z; continuous columns with the G-test.
    let mut text = String::from("colour,size,weight\n");
    for i in 0..60 {
        let colour = ["red", "green", "blue"][i % 3];
        text.push_str(&format!("{colour},{},{}.5\n", i % 4, (i * 7) % 13));
    }
    sb.write("mixed.csv", &text);
    assert_invalid(
        &sb.run(&["discover", "mixed.csv", "--algo", "pc", "--ci-test", "fisher-z"]),
        &["column `colour` is categorical"],
    );
    assert_invalid(
        &sb.run(&["discover", "mixed.csv", "--algo", "lingam"]),
        &["column `colour` is categorical"],
    );
    assert_invalid(
        &sb.run(&["discover", "mixed.csv", "--algo", "pc", "--ci-test", "g-test"]),
        &["column `weight` is continuous", "g-test"],
    );
    // Non-finite values.
    sb.write("inf.csv", "a,b,c\n1.5,2,3\n2.5,inf,4\n3.5,1,2\n4.5,2,1\n5.5,3,2\n");
    let out = sb.run(&["discover", "inf.csv", "--algo", "pc"]);
    assert!(out.invalid_input().contains('b'), "{out:?}");
    // Parameters.
    write_chain(&sb);
    assert_invalid(&sb.run(&["discover", "chain.csv", "--alpha", "1.5"]), &["--alpha must be in (0, 1)"]);
    assert_invalid(&sb.run(&["discover", "chain.csv", "--alpha", "0"]), &["--alpha"]);
    assert_invalid(&sb.run(&["discover", "chain.csv", "--threads", "0"]), &["--threads"]);
    assert_invalid(&sb.run(&["discover", "chain.csv", "--bootstrap", "0"]), &["--bootstrap"]);
    assert_invalid(
        &sb.run(&["discover", "chain.csv", "--algo", "ges", "--ci-test", "g-test"]),
        &["--ci-test", "ges"],
    );
    assert_invalid(&sb.run(&["discover", "chain.csv", "--algo", "pc", "--max-lag", "2"]), &["--max-lag"]);
    assert_invalid(&sb.run(&["discover", "chain.csv", "--columns", "x1,nope"]), &["nope"]);
    assert_invalid(&sb.run(&["discover", "missing.csv"]), &["missing.csv"]);
    assert_invalid(
        &sb.run(&["discover", "chain.csv", "--knowledge", "nofile.txt", "--algo", "pc"]),
        &["nofile.txt"],
    );
}

#[test]
fn out_writes_the_graph_and_refuses_to_overwrite() {
    let sb = Sandbox::new("discover-out");
    write_chain(&sb);
    let first = sb.run(&["discover", "chain.csv", "--algo", "ges", "--format", "json", "--out", "g.json"]);
    let report = first.json();
    let written = sb.run(&["graph", "show", "g.json", "--json"]).json();
    assert_eq!(written["edges"], report["edges"]);
    sb.write("keep.txt", "precious\n");
    assert_invalid(&sb.run(&["discover", "chain.csv", "--out", "keep.txt"]), &["already exists", "--force"]);
    assert_eq!(std::fs::read_to_string(sb.path().join("keep.txt")).unwrap(), "precious\n");
    sb.run(&["discover", "chain.csv", "--algo", "pc", "--out", "keep.txt", "--force"]).ok();
    let text = std::fs::read_to_string(sb.path().join("keep.txt")).unwrap();
    assert!(text.contains("x2 -> x3") && text.contains("x4 -> x3"), "{text}");
    // DOT and Mermaid print the graph alone.
    let dot = sb.run(&["discover", "chain.csv", "--algo", "pc", "--format", "dot"]);
    assert!(dot.ok().starts_with("digraph"), "{dot:?}");
    let mermaid = sb.run(&["discover", "chain.csv", "--algo", "pc", "--format", "mermaid"]);
    assert!(mermaid.ok().contains("flowchart"), "{mermaid:?}");
}
