//! `causa profile` and `causa simulate` end to end.

use crate::Sandbox;

#[test]
fn simulate_writes_data_and_graph_then_profile_reads_them() {
    let sb = Sandbox::new("simulate-profile");
    let out = sb.run(&[
        "simulate",
        "--nodes",
        "5",
        "--degree",
        "2",
        "--seed",
        "3",
        "--samples",
        "2000",
        "--model",
        "linear-nongaussian",
        "--out",
        "data.csv",
        "--graph-out",
        "truth.json",
        "--json",
    ]);
    let summary = out.json();
    assert_eq!(summary["rows"], 2000);
    let data = std::fs::read_to_string(sb.path().join("data.csv")).unwrap();
    assert!(data.starts_with("x1,x2,x3,x4,x5\n"), "{}", &data[..40]);
    assert_eq!(data.lines().count(), 2001);
    // The graph file is read back by `causa graph` and has the edges the summary lists.
    let graph = sb.run(&["graph", "show", "truth.json", "--format", "text"]);
    let edges = summary["edges"].as_array().unwrap();
    for edge in edges {
        assert!(graph.ok().contains(edge.as_str().unwrap()), "{graph:?} lacks {edge}");
    }
    assert_eq!(summary["weights"].as_array().unwrap().len(), edges.len());

    let profile = sb.run(&["profile", "data.csv", "--json"]).json();
    assert_eq!(profile["n_rows"], 2000);
    assert_eq!(profile["recommendation"]["algorithm"], "lingam");
    assert_eq!(profile["columns"][0]["type"], "continuous");
    let text = sb.run(&["profile", "data.csv", "--columns", "x2,x1"]);
    assert!(text.ok().contains("2000 rows x 2 columns"), "{text:?}");
    assert!(text.ok().contains("recommended: "), "{text:?}");
}

#[test]
fn simulate_is_deterministic_and_refuses_to_overwrite() {
    let sb = Sandbox::new("simulate-seed");
    let a = sb.run(&["simulate", "a -> b; b -> c", "--samples", "20", "--seed", "9"]);
    let b = sb.run(&["simulate", "a -> b; b -> c", "--samples", "20", "--seed", "9"]);
    assert_eq!(a.ok(), b.ok());
    assert!(a.ok().starts_with("a,b,c\n"));
    sb.run(&["simulate", "a -> b", "--samples", "5", "--out", "d.csv"]).ok();
    let err = sb.run(&["simulate", "a -> b", "--samples", "5", "--out", "d.csv"]);
    assert!(err.invalid_input().contains("--force"));
    sb.run(&["simulate", "a -> b", "--samples", "7", "--out", "d.csv", "--force"]).ok();
    assert_eq!(std::fs::read_to_string(sb.path().join("d.csv")).unwrap().lines().count(), 8);
}

#[test]
fn simulate_bif_and_var() {
    let sb = Sandbox::new("simulate-bif-var");
    let bif = sb.write(
        "net.bif",
        "network n {}\nvariable rain { type discrete [ 2 ] { wet, dry }; }\n\
         variable grass { type discrete [ 2 ] { green, brown }; }\n\
         probability ( rain ) { table 0.3, 0.7; }\n\
         probability ( grass | rain ) { (wet) 0.9, 0.1; (dry) 0.2, 0.8; }\n",
    );
    let out = sb.run(&["simulate", bif.to_str().unwrap(), "--model", "bif", "--samples", "50"]);
    let text = out.ok();
    assert!(text.starts_with("rain,grass\n"));
    assert!(text.lines().skip(1).all(|l| ["wet", "dry"].contains(&l.split(',').next().unwrap())));

    let out = sb.run(&[
        "simulate",
        "--model",
        "var",
        "--nodes",
        "3",
        "--lags",
        "2",
        "--length",
        "300",
        "--out",
        "ts.csv",
        "--graph-out",
        "summary.json",
        "--lagged-out",
        "lagged.txt",
    ]);
    assert!(out.ok().contains("x1(t-1) -> x1(t)"), "{out:?}");
    let lagged = std::fs::read_to_string(sb.path().join("lagged.txt")).unwrap();
    assert!(lagged.lines().all(|l| l.contains("(t-") && l.ends_with("(t)")), "{lagged}");
    let profile = sb.run(&["profile", "ts.csv", "--time", "time", "--json"]).json();
    assert_eq!(profile["recommendation"]["algorithm"], "pcmci");
    assert_eq!(profile["n_cols"], 3);
}

#[test]
fn profile_input_errors_exit_with_code_2() {
    let sb = Sandbox::new("profile-errors");
    sb.write("ragged.csv", "a,b\n1,2\n3\n");
    assert!(sb.run(&["profile", "ragged.csv"]).invalid_input().contains("line 3"));
    sb.write("missing.csv", "a,b\n1,2\n,4\n5,6\n");
    let err = sb.run(&["profile", "missing.csv"]);
    assert!(err.invalid_input().contains("`a` (1, first on line 3)"), "{err:?}");
    let ok = sb.run(&["profile", "missing.csv", "--missing", "drop", "--json"]).json();
    assert_eq!(ok["n_rows"], 2);
    let err = sb.run(&["profile", "missing.csv", "--columns", "a,zz"]);
    assert!(err.invalid_input().contains("the data has: a, b"), "{err:?}");
    assert!(sb.run(&["profile", "nowhere.csv"]).invalid_input().contains("nowhere.csv"));
    sb.write("empty.csv", "");
    assert!(sb.run(&["profile", "empty.csv"]).invalid_input().contains("empty"));
    let err = sb.run(&["simulate", "a -> b; b -> a", "--samples", "5"]);
    assert!(err.invalid_input().contains("cycle"), "{err:?}");
    let err = sb.run(&["simulate", "--samples", "5"]);
    assert!(err.invalid_input().contains("--nodes"), "{err:?}");
}

/// A discrete column's table row shows its levels, not the mean and spread of its internal
/// codes (a column that is always 5 used to show mean 0).
#[test]
fn profile_shows_mean_and_spread_only_for_continuous_columns() {
    let sb = Sandbox::new("profile-discrete");
    sb.write("mixed.csv", "a,b,c\n5,x,1.5\n5,y,2.5\n5,x,0.3\n5,y,1.1\n5,x,2.2\n");
    let text = sb.run(&["profile", "mixed.csv"]).ok().to_string();
    let row = |name: &str| -> Vec<String> {
        let line =
            text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{text}"));
        line.split_whitespace().map(str::to_string).collect()
    };
    // column, type, levels, missing, mean, std dev, gaussian
    assert_eq!(row("a")[1..6], ["discrete", "1", "0", "-", "-"], "{text}");
    assert_eq!(row("b")[1..6], ["binary", "2", "0", "-", "-"], "{text}");
    // c: 1.5, 2.5, 0.3, 1.1, 2.2 has mean 7.6 / 5 = 1.52.
    assert_eq!(row("c")[1..5], ["continuous", "-", "0", "1.5200"], "{text}");
}
