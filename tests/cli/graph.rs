//! `causa graph ...` end to end. Expected values are worked out by hand in the comments.

use serde_json::{Value, json};

use crate::{Sandbox, repo_root};

fn example(name: &str) -> String {
    repo_root().join("examples").join(name).display().to_string()
}

fn names(value: &Value) -> Vec<String> {
    let mut out = names_in_order(value);
    out.sort();
    out
}

#[test]
fn dsep_on_the_smoking_example() {
    let sandbox = Sandbox::new("dsep-smoking");
    let graph = example("smoking.txt");
    // smoking <- age -> cancer stays open when age is not given.
    let out =
        sandbox.run(&["graph", "dsep", &graph, "smoking", "cancer", "--given", "tar,genotype", "--json"]);
    let report = out.json();
    assert_eq!(report["d_separated"], json!(false));
    let open: Vec<&str> = report["paths"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["open"] == json!(true))
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(open, vec!["smoking <- age -> cancer"]);
    // Given age too, every path is blocked: the collider path through tar is blocked at genotype.
    let out =
        sandbox.run(&["graph", "dsep", &graph, "smoking", "cancer", "--given", "tar,genotype,age", "--json"]);
    assert_eq!(out.json()["d_separated"], json!(true));
}

#[test]
fn dsep_text_output_on_an_inline_chain() {
    let sandbox = Sandbox::new("dsep-inline");
    let out = sandbox.run(&["graph", "dsep", "X -> M -> Y", "X", "Y", "--given", "M"]);
    let text = out.ok();
    assert!(text.contains("d-separated"), "{text}");
    assert!(text.contains("X -> M -> Y"), "{text}");
    assert!(!text.contains("not d-separated"), "{text}");
    let out = sandbox.run(&["graph", "dsep", "X -> M -> Y", "X", "Y"]);
    assert!(out.ok().contains("not d-separated"), "{}", out.stdout);
}

#[test]
fn compare_counts_a_reversed_edge() {
    let sandbox = Sandbox::new("compare");
    // Truth A->B->C, estimate A->B<-C: same adjacencies; B-C is misoriented (SHD 1); of the two
    // estimated arrowheads (B on A-B, B on C-B) one is right, and one of the two true ones is found.
    let out = sandbox.run(&["graph", "compare", "A -> B; B -> C", "A -> B; C -> B", "--json"]);
    let report = out.json();
    assert_eq!(report["shd"], json!(1));
    for key in ["precision", "recall", "f1"] {
        assert_eq!(report["adjacency"][key], json!(1.0), "adjacency {key}");
        assert_eq!(report["arrowhead"][key], json!(0.5), "arrowhead {key}");
    }
}

#[test]
fn compare_against_the_cpdag_forgives_reversible_edges() {
    let sandbox = Sandbox::new("compare-cpdag");
    // The CPDAG of A->B->C is A--B--C, and the estimate A--B--C matches it exactly.
    let out = sandbox.run(&["graph", "compare", "A -> B; B -> C", "A -- B; B -- C", "--cpdag", "--json"]);
    assert_eq!(out.json()["shd"], json!(0));
}

#[test]
fn malformed_edge_names_line_and_token() {
    let sandbox = Sandbox::new("malformed");
    let path = sandbox.write("bad.txt", "A -> B\nB -> C\nC => D\n");
    let stderr = sandbox.run(&["graph", "show", path.to_str().unwrap()]).invalid_input().to_string();
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("=>"), "{stderr}");
}

#[test]
fn unknown_node_lists_the_graph_nodes() {
    let sandbox = Sandbox::new("unknown-node");
    let stderr = sandbox.run(&["graph", "dsep", "A -> B", "A", "Q"]).invalid_input().to_string();
    assert!(stderr.contains("`Q`"), "{stderr}");
    assert!(stderr.contains("A, B"), "{stderr}");
}

#[test]
fn cycle_where_a_dag_is_required() {
    let sandbox = Sandbox::new("cycle");
    let stderr = sandbox.run(&["graph", "cpdag", "A -> B; B -> C; C -> A"]).invalid_input().to_string();
    assert!(stderr.contains("cycle"), "{stderr}");
}

#[test]
fn missing_file_like_argument_is_an_input_error() {
    let sandbox = Sandbox::new("missing-file");
    let stderr = sandbox.run(&["graph", "show", "no/such/graph.json"]).invalid_input().to_string();
    assert!(stderr.contains("graph.json"), "{stderr}");
}

#[test]
fn convert_never_overwrites_without_force() {
    let sandbox = Sandbox::new("convert");
    let target = sandbox.write("out.json", "precious");
    let target_arg = target.to_str().unwrap();
    let out = sandbox.run(&["graph", "convert", "A -> B", "--format", "json", "--out", target_arg]);
    assert!(out.invalid_input().contains("--force"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    sandbox
        .run(&["graph", "convert", "A -> B; B <-> C", "--format", "json", "--out", target_arg, "--force"])
        .ok();
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(names(&written["nodes"]), vec!["A", "B", "C"]);
    // The written file reads back as the same graph.
    let back = sandbox.run(&["graph", "convert", target_arg, "--format", "text"]);
    let mut lines: Vec<&str> = back.ok().lines().collect();
    lines.sort();
    assert_eq!(lines, vec!["A -> B", "B <-> C"]);
}

#[test]
fn convert_writes_svg_chosen_by_name_or_by_extension() {
    let sandbox = Sandbox::new("convert-svg");
    let out = sandbox.run(&["graph", "convert", "Smoking -> Cancer; Smoking <-> Stress", "--to", "svg"]);
    let svg = out.ok();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    assert!(svg.contains(">Smoking</text>") && svg.contains(">Cancer</text>"), "{svg}");
    assert_eq!(svg.matches("<path class=\"edge ").count(), 2, "{svg}");
    let target = sandbox.path().join("figure.svg");
    sandbox.run(&["graph", "convert", "A -> B", "--out", target.to_str().unwrap()]).ok();
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.starts_with("<svg ") && written.contains(">A</text>"), "{written}");
    let unknown = sandbox.path().join("figure.png");
    let stderr = sandbox.run(&["graph", "convert", "A -> B", "--out", unknown.to_str().unwrap()]);
    assert!(stderr.invalid_input().contains("--format"));
    assert!(!unknown.exists());
}

#[test]
fn adjust_finds_the_backdoor_set_of_the_smoking_example() {
    let sandbox = Sandbox::new("adjust");
    // Backdoor paths from smoking: via genotype (to cancer directly and through tar) and via age;
    // tar is a descendant of smoking and may not be used. So {age, genotype} is the only minimal
    // set, and also the optimal one (parents of {tar, cancer} outside the forbidden set).
    let out = sandbox.run(&[
        "graph",
        "adjust",
        &example("smoking.txt"),
        "--treatment",
        "smoking",
        "--outcome",
        "cancer",
        "--json",
    ]);
    let report = out.json();
    let minimal = report["backdoor"]["minimal_sets"].as_array().unwrap();
    assert_eq!(minimal.len(), 1, "{report:#}");
    assert_eq!(names(&minimal[0]), vec!["age", "genotype"]);
    assert_eq!(names(&report["backdoor"]["optimal"]["set"]), vec!["age", "genotype"]);
    // Checking a set explains why it fails: tar is a descendant of smoking.
    let check = sandbox.run(&[
        "graph",
        "adjust",
        &example("smoking.txt"),
        "--treatment",
        "smoking",
        "--outcome",
        "cancer",
        "--check",
        "tar,age",
    ]);
    assert!(check.ok().contains("descendant"), "{}", check.stdout);
}

#[test]
fn identify_uses_the_front_door_when_the_confounder_is_latent() {
    let sandbox = Sandbox::new("identify");
    let args = [
        "graph",
        "identify",
        &example("smoking-latent.txt"),
        "--treatment",
        "smoking",
        "--outcome",
        "cancer",
    ];
    let report = sandbox.run(&[&args[..], &["--json"]].concat()).json();
    assert_eq!(report["identifiable"], json!(true), "{report:#}");
    let text = sandbox.run(&args).ok().to_string();
    assert!(text.contains("tar"), "the front-door estimand sums over the mediator: {text}");
    // The bow arc is the smallest unidentifiable graph.
    let bow = sandbox.run(&[
        "graph",
        "identify",
        "X -> Y; X <-> Y",
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--json",
    ]);
    assert_eq!(bow.json()["identifiable"], json!(false));
}

#[test]
fn bif_networks_are_read() {
    let sandbox = Sandbox::new("bif");
    let asia = crate::benchdata("bnlearn/bif/asia.bif");
    let graph = sandbox.run(&["graph", "show", asia.to_str().unwrap(), "--format", "json"]).json();
    // asia: 8 variables, arcs asia->tub, smoke->lung, smoke->bronc, tub->either, lung->either,
    // either->xray, either->dysp, bronc->dysp.
    assert_eq!(graph["nodes"].as_array().unwrap().len(), 8);
    assert_eq!(graph["edges"].as_array().unwrap().len(), 8);
}

#[test]
fn equivalence_queries() {
    let sandbox = Sandbox::new("equivalence");
    // A 3-node chain has three DAGs in its class: A->B->C, A<-B<-C and A<-B->C.
    let mec = sandbox.run(&["graph", "mec", "A -> B; B -> C", "--json"]).json();
    assert_eq!(mec["count"], json!(3), "{mec:#}");
    assert_eq!(mec["dags"].as_array().unwrap().len(), 3);
    let same = sandbox.run(&["graph", "equivalent", "A -> B; B -> C", "C -> B; B -> A", "--json"]).json();
    assert_eq!(same["equivalent"], json!(true));
    let collider = sandbox.run(&["graph", "equivalent", "A -> B; B -> C", "A -> B; C -> B", "--json"]).json();
    assert_eq!(collider["equivalent"], json!(false));
    assert!(collider["reason"].as_str().unwrap().contains('B'), "{collider:#}");
}

#[test]
fn orders_blankets_and_cycles() {
    let sandbox = Sandbox::new("orders");
    let topo = sandbox.run(&["graph", "topo", "A -> B; A -> C", "--all", "--json"]).json();
    let orders: Vec<Vec<String>> = topo["orders"].as_array().unwrap().iter().map(names_in_order).collect();
    assert_eq!(orders.len(), 2);
    assert!(orders.contains(&vec!["A".into(), "B".into(), "C".into()]));
    assert!(orders.contains(&vec!["A".into(), "C".into(), "B".into()]));
    let blanket = sandbox.run(&["graph", "blanket", "A -> B; B -> C; D -> C; E -> A", "B", "--json"]).json();
    assert_eq!(names(&blanket["blanket"]), vec!["A", "C", "D"]);
    let cycles = sandbox.run(&["graph", "cycles", "A -> B; B -> A; B -> C; C -> B", "--json"]).json();
    assert_eq!(cycles["cycles"].as_array().unwrap().len(), 2);
}

fn names_in_order(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}
