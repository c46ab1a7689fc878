//! Bad input of every kind: each case exits with code 2 (invalid input), names what is at fault
//! (file, line, column, node or flag), does not panic, and leaves the user's files as they were.
//! Many of these cases used to panic, succeed with a wrong result, or blame the wrong thing.

use crate::{Output, Sandbox, benchdata};

/// Asserts exit code 2, no panic, and every needle in stderr.
fn invalid(out: &Output, needles: &[&str]) {
    let err = out.invalid_input();
    assert!(!err.contains("RUST_BACKTRACE"), "{out:#?}");
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` not in: {err}");
    }
}

/// The value in row `i` of column `j` of the standard table: x (continuous), t (0/1), y (depends
/// on x and t) and z (continuous).
fn standard(i: usize, j: usize) -> String {
    let x = (i as f64 * 0.37).sin() * 2.0;
    let t = (i % 2) as f64;
    match j {
        0 => x.to_string(),
        1 => t.to_string(),
        2 => (x + 2.0 * t + (i as f64 * 1.3).cos()).to_string(),
        _ => (i as f64 * 0.71).cos().to_string(),
    }
}

/// A CSV text of `n` rows with these column names and `value(row, column)`.
fn table(n: usize, names: &[&str], value: impl Fn(usize, usize) -> String) -> String {
    let mut text = names.join(",") + "\n";
    for i in 0..n {
        let row: Vec<String> = (0..names.len()).map(|j| value(i, j)).collect();
        text.push_str(&(row.join(",") + "\n"));
    }
    text
}

/// The standard table x, t, y, z with `n` rows.
fn rows(n: usize) -> String {
    table(n, &["x", "t", "y", "z"], standard)
}

/// No temporary file of an atomic write is left in the folder.
fn no_temporary_files(sb: &Sandbox) {
    let leftovers: Vec<String> = std::fs::read_dir(sb.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn malformed_data_files_name_the_file_and_line() {
    let sb = Sandbox::new("bad-data-files");
    sb.write("empty.csv", "");
    sb.write("header.csv", "a,b,c\n");
    sb.write("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
    sb.write("dup.csv", "a,b,a\n1,2,3\n4,5,6\n");
    sb.write("noname.csv", "a,,c\n1,2,3\n4,5,6\n");
    sb.write("text.csv", "a,b\n1,2\n2,x\n3,4\n4,5\n");
    std::fs::write(sb.path().join("binary.csv"), [0xff, 0xfe, 0x00, 0x12, 0x80]).unwrap();
    std::fs::create_dir(sb.path().join("folder")).unwrap();
    let cases: [(&str, &[&str]); 10] = [
        ("empty.csv", &["empty.csv", "empty"]),
        ("header.csv", &["header.csv", "no data rows"]),
        ("ragged.csv", &["ragged.csv", "line 3 has 2 fields"]),
        ("dup.csv", &["dup.csv", "line 1", "both named `a`"]),
        ("noname.csv", &["noname.csv", "column 2 has an empty name"]),
        ("text.csv", &["text.csv", "`b`", "`x`", "line 3"]),
        ("binary.csv", &["binary.csv", "not UTF-8"]),
        ("folder", &["folder", "directory"]),
        ("missing.csv", &["missing.csv", "No such file"]),
        ("/dev/null", &["/dev/null", "empty"]),
    ];
    for (file, needles) in cases {
        invalid(&sb.run(&["profile", file]), needles);
    }
}

#[test]
fn quotes_in_csv_follow_rfc_4180() {
    // A quote inside an unquoted field used to open a quoted field and report "line 2 has 3 fields
    // but the header has 2"; a doubled quote in a quoted header name was kept doubled.
    let sb = Sandbox::new("bad-quotes");
    sb.write("q.csv", "a,\"b\"\"c\",d\"e\n1,2,x\"y\n4,5,z\n7,8,w\n");
    let profile = sb.run(&["profile", "q.csv", "--json"]).json();
    let names: Vec<&str> =
        profile["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "b\"c", "d\"e"]);
    assert_eq!(profile["columns"][2]["levels"], 3, "x\"y, z and w are three values: {profile}");
}

#[test]
fn values_too_large_to_compute_with_are_named() {
    // Values near 1e308 used to give a mean of inf and a "constant" column in profile, a
    // "collinear columns" error in discover, and a NaN effect with exit code 0 in estimate.
    let sb = Sandbox::new("bad-huge");
    let mut text = String::from("x,t,y\n");
    for i in 0..40 {
        text.push_str(&format!("{},{},{}e306\n", i as f64 * 0.5, i % 2, 1.0 + i as f64 * 0.37));
    }
    sb.write("huge.csv", &text);
    invalid(&sb.run(&["profile", "huge.csv"]), &["huge.csv", "column `y`", "too large"]);
    invalid(&sb.run(&["discover", "huge.csv", "--algo", "pc"]), &["column `y`", "too large"]);
    invalid(
        &sb.run(&["estimate", "huge.csv", "--treatment", "t", "--outcome", "y", "--controls", "x"]),
        &["column `y`", "too large"],
    );
    sb.write("inf.csv", "a,b\n1,2\ninf,3\n2,4\n");
    invalid(&sb.run(&["profile", "inf.csv"]), &["column `a`", "infinite", "line 3"]);
}

#[test]
fn columns_discovery_cannot_use_are_named() {
    let sb = Sandbox::new("bad-discover-columns");
    sb.write("good.csv", &rows(60));
    sb.write(
        "const.csv",
        &table(60, &["x", "t", "y", "k"], |i, j| if j == 3 { "5".into() } else { standard(i, j) }),
    );
    invalid(&sb.run(&["discover", "const.csv"]), &["column `k` is constant"]);
    sb.write("twin.csv", &table(60, &["x", "t", "y", "x2"], |i, j| standard(i, if j == 3 { 0 } else { j })));
    invalid(&sb.run(&["discover", "twin.csv"]), &["`x` and `x2` are identical"]);
    sb.write(
        "wide.csv",
        &table(4, &["a", "b", "c", "d", "e", "f"], |i, j| ((i * 7 + j * j * 3) % 11).to_string() + ".5"),
    );
    invalid(&sb.run(&["discover", "wide.csv"]), &["4 rows for 6 columns"]);
    // A column that is missing throughout empties every row when rows are dropped.
    sb.write(
        "empty-col.csv",
        &table(60, &["x", "t", "y", "gone"], |i, j| if j == 3 { String::new() } else { standard(i, j) }),
    );
    invalid(
        &sb.run(&["discover", "empty-col.csv", "--missing", "drop"]),
        &["column `gone` has no values at all"],
    );
    invalid(&sb.run(&["discover", "empty-col.csv"]), &["missing values in column `gone`", "--missing"]);
    // A 0/1 column with LiNGAM used to fail with the BIC score's "use BDeu".
    invalid(
        &sb.run(&["discover", "good.csv", "--algo", "lingam"]),
        &["column `t` is discrete", "--continuous t"],
    );
    invalid(&sb.run(&["discover", "good.csv", "--columns", "x,nope"]), &["unknown column `nope`"]);
}

#[test]
fn estimate_specifications_that_cannot_work_are_named() {
    let sb = Sandbox::new("bad-estimate");
    sb.write("good.csv", &rows(80));
    let run = |extra: &[&str]| {
        let mut args = vec!["estimate", "good.csv"];
        args.extend_from_slice(extra);
        sb.run(&args)
    };
    invalid(&run(&["--treatment", "t", "--outcome", "t"]), &["`t` is both treatment and outcome"]);
    invalid(&run(&["--treatment", "nope", "--outcome", "y"]), &["no column `nope`", "treatment"]);
    // A control given twice used to be reported as a singular design.
    invalid(&run(&["--treatment", "t", "--outcome", "y", "--controls", "x,x"]), &["`x` is given twice"]);
    invalid(
        &run(&["--treatment", "t", "--outcome", "y", "--effect-modifier", "t"]),
        &["effect modifier `t`"],
    );
    // One bootstrap replicate used to fail with "0 of 1 bootstrap replicates failed"; a huge count
    // aborted on allocation.
    invalid(
        &run(&["--treatment", "t", "--outcome", "y", "--bootstrap", "1"]),
        &["--bootstrap", "at least 20"],
    );
    invalid(
        &run(&["--treatment", "t", "--outcome", "y", "--bootstrap", "99999999999"]),
        &["--bootstrap", "at most"],
    );
    invalid(
        &run(&["--treatment", "t", "--outcome", "y", "--method", "ipw", "--trim", "-0.1"]),
        &["--trim", "-0.1"],
    );
    invalid(
        &run(&["--treatment", "t", "--outcome", "y", "--method", "frontdoor"]),
        &["--method frontdoor", "--graph"],
    );
    // A treatment that is always 1 (no overlap) used to be reported as "constant (0)", its code.
    sb.write(
        "always.csv",
        &table(80, &["x", "t", "y"], |i, j| if j == 1 { "1".into() } else { standard(i, j) }),
    );
    invalid(
        &sb.run(&["estimate", "always.csv", "--treatment", "t", "--outcome", "y", "--controls", "x"]),
        &["the treatment `t` is constant (1)"],
    );
    // A constant instrument used to be reported as a control to drop.
    sb.write(
        "iv.csv",
        &table(80, &["x", "y", "w"], |i, j| if j == 2 { "3".into() } else { standard(i, 2 * j) }),
    );
    invalid(
        &sb.run(&[
            "estimate",
            "iv.csv",
            "--treatment",
            "x",
            "--outcome",
            "y",
            "--instrument",
            "w",
            "--method",
            "iv",
        ]),
        &["the instrument `w` is constant (3)"],
    );
}

#[test]
fn bad_graphs_name_the_node_line_or_file() {
    let sb = Sandbox::new("bad-graphs");
    sb.write("good.csv", &rows(40));
    sb.write("broken.dot", "digraph { a -> b; b -> \n");
    std::fs::create_dir(sb.path().join("folder")).unwrap();
    invalid(&sb.run(&["graph", "topo", "a -> b; b -> c; c -> a"]), &["directed cycle", "a -> b -> c -> a"]);
    invalid(&sb.run(&["graph", "show", "a -> a"]), &["line 1", "`a` to itself"]);
    invalid(&sb.run(&["graph", "node", "a -> b", "q"]), &["unknown node `q`", "a, b"]);
    invalid(&sb.run(&["graph", "adjust", "x -> t; t -> y", "--treatment", "t", "--outcome", "t"]), &["`t`"]);
    // A parse error in a file names the file.
    invalid(
        &sb.run(&["graph", "compare", "broken.dot", "a -> b"]),
        &["in the graph file `broken.dot`", "line 1"],
    );
    // A folder used to be read as an inline graph with one node named after it (exit code 0).
    invalid(&sb.run(&["graph", "show", "folder"]), &["`folder`", "folder, not a graph file"]);
    invalid(&sb.run(&["simulate", "folder"]), &["folder, not a graph file"]);
    // A missing file: the reason is given once, not "no such file: no such file".
    let out = sb.run(&["graph", "show", "nope.json"]);
    invalid(&out, &["cannot access `nope.json`: no such file"]);
    assert_eq!(out.stderr.matches("no such file").count(), 1, "{out:#?}");
    // /dev/null is an empty graph file (it used to be parsed as the text "/dev/null").
    invalid(
        &sb.run(&["estimate", "good.csv", "--treatment", "t", "--outcome", "y", "--graph", "/dev/null"]),
        &["unknown node `t`", "the graph is empty"],
    );
    invalid(
        &sb.run(&[
            "estimate",
            "good.csv",
            "--treatment",
            "t",
            "--outcome",
            "y",
            "--graph",
            "x -> t; t -> y; y -> t",
        ]),
        &["directed cycle"],
    );
    sb.write("stateless.bif", "network n {}\nvariable a { type discrete [ 0 ] { }; }\n");
    invalid(
        &sb.run(&["simulate", "stateless.bif", "--model", "bif"]),
        &["in the BIF file `stateless.bif`", "line 2", "needs at least one state"],
    );
    // An empty graph used to simulate 1000 blank rows with exit code 0.
    invalid(&sb.run(&["simulate", ""]), &["no nodes"]);
}

#[test]
fn numeric_flags_out_of_range_name_the_flag() {
    let sb = Sandbox::new("bad-flags");
    sb.write("good.csv", &rows(60));
    for (args, needles) in [
        (&["discover", "good.csv", "--alpha", "0"][..], &["--alpha", "got 0"][..]),
        (&["discover", "good.csv", "--alpha", "2"], &["--alpha", "got 2"]),
        // A negative value used to be taken for an unknown flag ("unexpected argument '-1'").
        (&["discover", "good.csv", "--alpha", "-1"], &["--alpha", "got -1"]),
        (&["discover", "good.csv", "--bootstrap", "0"], &["--bootstrap"]),
        (&["discover", "good.csv", "--bootstrap", "99999999999"], &["--bootstrap", "at most"]),
        (&["discover", "good.csv", "--threads", "100000"], &["--threads", "at most"]),
        (&["simulate", "a -> b", "--samples", "0"], &["samples"]),
        (&["simulate", "--nodes", "3", "--degree", "-1"], &["degree", "-1"]),
        // --limit 0 used to list nothing and still claim more results existed.
        (&["graph", "dsep", "a -> b", "a", "b", "--limit", "0"], &["--limit", "at least 1"]),
        (&["graph", "cycles", "a -> b; b -> a", "--limit", "0"], &["--limit", "at least 1"]),
        (
            &["bench", "generate", "clear", "--n", "99999999999", "--seed", "1", "--out", "g.jsonl"],
            &["--n", "at most"],
        ),
    ] {
        invalid(&sb.run(args), needles);
    }
    // Sample counts that overflow or exhaust memory used to abort the process (exit code 134 or
    // 101, "capacity overflow").
    for samples in ["9999999999", "18446744073709551615"] {
        invalid(&sb.run(&["simulate", "a -> b", "--samples", samples]), &["fewer samples"]);
    }
}

#[test]
fn existing_files_are_never_replaced_and_folders_are_not_outputs() {
    let sb = Sandbox::new("bad-out");
    sb.write("good.csv", &rows(60));
    let kept = sb.write("kept.txt", "mine\n");
    std::fs::create_dir(sb.path().join("folder")).unwrap();
    invalid(&sb.run(&["simulate", "a -> b", "--out", "kept.txt"]), &["`kept.txt` already exists", "--force"]);
    invalid(&sb.run(&["discover", "good.csv", "--out", "kept.txt"]), &["`kept.txt` already exists"]);
    invalid(&sb.run(&["graph", "convert", "a -> b", "--out", "kept.txt"]), &["`kept.txt` already exists"]);
    invalid(
        &sb.run(&["simulate", "a -> b", "--samples", "5", "--out", "new.csv", "--graph-out", "kept.txt"]),
        &["kept.txt"],
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "mine\n");
    assert!(!sb.path().join("new.csv").exists(), "no output is written when another is refused");
    // A folder as --out used to fail late with exit code 1 ("Is a directory"), or ask for --force.
    invalid(
        &sb.run(&["graph", "convert", "a -> b", "--format", "text", "--out", "folder", "--force"]),
        &["`folder` is a folder"],
    );
    invalid(&sb.run(&["simulate", "a -> b", "--out", "folder"]), &["`folder` is a folder"]);
    invalid(&sb.run(&["discover", "good.csv", "--out", "folder", "--force"]), &["`folder` is a folder"]);
    // Two outputs in one file: the data would be replaced by the graph.
    invalid(
        &sb.run(&["simulate", "a -> b", "--out", "same.csv", "--graph-out", "same.csv", "--force"]),
        &["`same.csv` is named by two output options"],
    );
    assert!(!sb.path().join("same.csv").exists());
    no_temporary_files(&sb);
}

#[test]
fn malformed_agent_logs_name_the_entry() {
    let sb = Sandbox::new("bad-logs");
    sb.write("empty-history.json", r#"{"history": [], "mistake_agent": "a", "mistake_step": "0"}"#);
    sb.write(
        "range.json",
        r#"{"history": [{"content": "hi", "role": "a"}], "mistake_agent": "a", "mistake_step": "5"}"#,
    );
    sb.write(
        "nan.json",
        r#"{"history": [{"content": "hi", "role": "a"}], "mistake_agent": "a", "mistake_step": "x"}"#,
    );
    // Cut short: it used to be read as JSONL and blamed for a bad "line 1" step.
    sb.write("cut.json", "{\n  \"history\": [\n    {\"content\": \"hi\",\n");
    sb.write("bad.jsonl", "{\"step\": 0, \"agent\": \"a\", \"content\": \"x\"}\nnot json\n");
    let cases: [(&str, &[&str]); 5] = [
        ("empty-history.json", &["empty-history.json", "`history` is empty"]),
        ("range.json", &["range.json", "`mistake_step` 5 is out of range"]),
        ("nan.json", &["nan.json", "`mistake_step` \"x\""]),
        ("cut.json", &["cut.json", "not valid JSON", "line 4"]),
        ("bad.jsonl", &["bad.jsonl", "line 2, column 2"]),
    ];
    for (file, needles) in cases {
        invalid(&sb.run(&["attribute", file, "--method", "heuristic"]), needles);
    }
    std::fs::create_dir(sb.path().join("logs")).unwrap();
    std::fs::copy(sb.path().join("range.json"), sb.path().join("logs/range.json")).unwrap();
    invalid(
        &sb.run(&["bench", "whowhen", "--data", "logs", "--method", "heuristic", "--model", "none"]),
        &["range.json", "out of range"],
    );
}

#[test]
fn malformed_benchmark_files_name_the_line() {
    let sb = Sandbox::new("bad-bench");
    // A label of 7 used to be scored as "wrong" with exit code 0.
    sb.write(
        "c2c.csv",
        "input,label,num_variables,template\n\"Premise: A correlates with B.\nHypothesis: A causes B.\",7,2,parent\n",
    );
    invalid(
        &sb.run(&["bench", "corr2cause", "--data", "c2c.csv", "--mode", "engine"]),
        &["c2c.csv", "line 2", "`label` must be 0 or 1"],
    );
    // The bad record starts on line 4 (the first spans lines 2 and 3); it used to say line 1.
    sb.write(
        "cladder.csv",
        "id,prompt,label,rung,query_type,graph_id\n1,\"two\nlines\",yes,1,ate,g\n2,p,maybe,1,ate,g\n",
    );
    invalid(
        &sb.run(&["bench", "cladder", "--data", "cladder.csv", "--mode", "engine"]),
        &["line 4", "label must be `yes` or `no`", "maybe"],
    );
    sb.write("short.csv", "input,label\n\"x\",0\n");
    invalid(
        &sb.run(&["bench", "corr2cause", "--data", "short.csv", "--mode", "engine"]),
        &["the header has no such column", "num_variables"],
    );
    let dev = benchdata("corr2cause/dev.csv");
    invalid(
        &sb.run(&[
            "bench",
            "corr2cause",
            "--data",
            dev.to_str().unwrap(),
            "--mode",
            "engine",
            "--limit",
            "0",
        ]),
        &["--limit", "at least 1"],
    );
}

#[test]
fn ask_without_a_model_names_what_is_wrong() {
    let sb = Sandbox::new("bad-ask");
    sb.write("good.csv", &rows(60));
    let sessions = sb.path().join("sessions");
    let env = [("CAUSA_SESSIONS_DIR", sessions.to_str().unwrap())];
    let ask = |question: &str, extra: &[&str]| {
        let mut args = vec!["ask", question, "--data", "good.csv", "--model", "none"];
        args.extend_from_slice(extra);
        sb.run_env(&args, &env)
    };
    invalid(&ask("What is the effect of t on t?", &["--out", "r1"]), &["effect of `t` on itself"]);
    invalid(&ask("What is the effect of t on y?", &["--max-steps", "0", "--out", "r2"]), &["--max-steps"]);
    invalid(&ask("", &["--out", "r3"]), &["empty"]);
    sb.write("kept.txt", "mine\n");
    invalid(&ask("What is the effect of t on y?", &["--out", "kept.txt"]), &["kept.txt"]);
    assert_eq!(std::fs::read_to_string(sb.path().join("kept.txt")).unwrap(), "mine\n");
    let out = sb.run_env(&["ask", "effect of t on y", "--data", "nope.csv", "--model", "none"], &env);
    invalid(&out, &["nope.csv"]);
}
