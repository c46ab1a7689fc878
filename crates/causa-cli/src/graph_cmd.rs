//! `causa graph ...`: graph queries, conversion and comparison from the command line.
//!
//! GRAPH arguments are a file path (edge list, JSON, DOT or BIF, detected from the extension or
//! content) or, when no such file exists, an inline edge list such as `"X -> Y; Z -> X; Z -> Y"`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use causa_graph::io::{self, GraphFormat};
use causa_graph::{CausalGraph, EdgeKind, NodeId, adjust, equivalence, identify, metrics, query};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::exit::InputError;
use crate::output;

/// Arguments of `causa graph`.
#[derive(Args, Debug)]
pub struct GraphArgs {
    #[command(subcommand)]
    op: GraphOp,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
}

/// A comma-separated list of node names, e.g. `Z1,Z2`.
#[derive(Clone, Debug, Default)]
struct NodeList(Vec<String>);

impl std::str::FromStr for NodeList {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let names: Vec<String> =
            s.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect();
        Ok(NodeList(names))
    }
}

#[derive(Subcommand, Debug)]
enum GraphOp {
    /// Print the graph (ASCII drawing by default).
    Show {
        /// Graph file or inline edge list.
        graph: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = WriteFormat::Ascii)]
        format: WriteFormat,
    },
    /// Convert a graph to another format.
    Convert {
        /// Graph file or inline edge list.
        graph: String,
        /// Output format; defaults to the one the extension of --out names (`.svg`, `.dot`, ...).
        #[arg(long, visible_alias = "to", value_enum)]
        format: Option<WriteFormat>,
        /// Write to this file instead of standard output (atomically; never overwrites without
        /// --force).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Allow --out to replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Facts about one node: parents, children, spouses, ancestors, descendants, Markov blanket,
    /// district.
    Node {
        /// Graph file or inline edge list.
        graph: String,
        /// The node.
        node: String,
    },
    /// Is X d-separated (m-separated) from Y given Z? Lists each path and whether it is open.
    Dsep {
        /// Graph file or inline edge list.
        graph: String,
        /// First node set (comma-separated).
        x: NodeList,
        /// Second node set (comma-separated).
        y: NodeList,
        /// Conditioning set (comma-separated).
        #[arg(long, default_value = "")]
        given: NodeList,
        /// At most this many paths are listed.
        #[arg(long, default_value_t = 50, value_parser = crate::values::at_least_one)]
        limit: usize,
    },
    /// All simple paths (or directed paths) between two nodes.
    Paths {
        /// Graph file or inline edge list.
        graph: String,
        /// Start node.
        from: String,
        /// End node.
        to: String,
        /// Only directed paths from FROM to TO.
        #[arg(long)]
        directed: bool,
        /// At most this many paths.
        #[arg(long, default_value_t = 1000, value_parser = crate::values::at_least_one)]
        limit: usize,
    },
    /// Backdoor and front-door adjustment sets for the effect of a treatment on an outcome.
    Adjust {
        /// Graph file or inline edge list.
        graph: String,
        /// Treatment node.
        #[arg(long)]
        treatment: String,
        /// Outcome node.
        #[arg(long)]
        outcome: String,
        /// At most this many sets of each kind.
        #[arg(long, default_value_t = 100, value_parser = crate::values::at_least_one)]
        limit: usize,
        /// Check this set (comma-separated) against the backdoor and front-door criteria instead.
        #[arg(long)]
        check: Option<NodeList>,
    },
    /// Is P(outcome | do(treatment)) identifiable? Prints the estimand or the hedge (ID algorithm).
    Identify {
        /// Graph file or inline edge list (DAG or ADMG).
        graph: String,
        /// Treatment nodes (comma-separated).
        #[arg(long)]
        treatment: NodeList,
        /// Outcome nodes (comma-separated).
        #[arg(long)]
        outcome: NodeList,
    },
    /// C-components (districts), C-tree and C-forest status, and the maximal root set.
    Districts {
        /// Graph file or inline edge list (DAG or ADMG).
        graph: String,
    },
    /// The CPDAG (essential graph) of a DAG, or a PDAG completed by Meek's rules.
    Cpdag {
        /// Graph file or inline edge list.
        graph: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = WriteFormat::Text)]
        format: WriteFormat,
    },
    /// The DAGs of the Markov equivalence class of a DAG or CPDAG.
    Mec {
        /// Graph file or inline edge list.
        graph: String,
        /// At most this many DAGs are listed.
        #[arg(long, default_value_t = 100, value_parser = crate::values::at_least_one)]
        limit: usize,
    },
    /// Are two DAGs Markov equivalent?
    Equivalent {
        /// First graph.
        graph: String,
        /// Second graph.
        other: String,
    },
    /// The Markov blanket of a node.
    Blanket {
        /// Graph file or inline edge list.
        graph: String,
        /// The node.
        node: String,
    },
    /// A topological order, or all of them.
    Topo {
        /// Graph file or inline edge list.
        graph: String,
        /// List all orders (up to --limit).
        #[arg(long)]
        all: bool,
        /// At most this many orders with --all.
        #[arg(long, default_value_t = 100, value_parser = crate::values::at_least_one)]
        limit: usize,
    },
    /// The directed cycles of a graph.
    Cycles {
        /// Graph file or inline edge list.
        graph: String,
        /// At most this many cycles.
        #[arg(long, default_value_t = 100, value_parser = crate::values::at_least_one)]
        limit: usize,
    },
    /// Compare an estimated graph against the truth: SHD, adjacency and arrowhead precision,
    /// recall and F1.
    Compare {
        /// The true graph.
        truth: String,
        /// The estimated graph.
        estimate: String,
        /// Compare against the CPDAG of the true DAG (for methods that return a CPDAG).
        #[arg(long)]
        cpdag: bool,
    },
}

/// Formats a graph can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum WriteFormat {
    /// Readable drawing for terminals.
    Ascii,
    /// Edge list, one edge per line.
    Text,
    /// `{"nodes": [...], "edges": [{"from", "to", "kind"}]}`.
    Json,
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
    /// Standalone SVG figure (layered drawing), for reports.
    Svg,
}

/// Runs `causa graph`.
pub fn run(args: GraphArgs) -> Result<ExitCode> {
    let json = args.json;
    match args.op {
        GraphOp::Show { graph, format } => show(&load(&graph)?, format, json),
        GraphOp::Convert { graph, format, out, force } => convert(&load(&graph)?, format, out, force),
        GraphOp::Node { graph, node } => node_facts(&load(&graph)?, &node, json),
        GraphOp::Dsep { graph, x, y, given, limit } => dsep(&load(&graph)?, &x, &y, &given, limit, json),
        GraphOp::Paths { graph, from, to, directed, limit } => {
            paths(&load(&graph)?, &from, &to, directed, limit, json)
        }
        GraphOp::Adjust { graph, treatment, outcome, limit, check } => {
            let g = load(&graph)?;
            match check {
                Some(set) => check_adjustment_set(&g, &treatment, &outcome, &set, json),
                None => adjust(&g, &treatment, &outcome, limit, json),
            }
        }
        GraphOp::Identify { graph, treatment, outcome } => {
            identify(&load(&graph)?, &treatment, &outcome, json)
        }
        GraphOp::Districts { graph } => districts(&load(&graph)?, json),
        GraphOp::Cpdag { graph, format } => cpdag(&load(&graph)?, format, json),
        GraphOp::Mec { graph, limit } => mec(&load(&graph)?, limit, json),
        GraphOp::Equivalent { graph, other } => equivalent(&load(&graph)?, &load(&other)?, json),
        GraphOp::Blanket { graph, node } => blanket(&load(&graph)?, &node, json),
        GraphOp::Topo { graph, all, limit } => topo(&load(&graph)?, all, limit, json),
        GraphOp::Cycles { graph, limit } => cycles(&load(&graph)?, limit, json),
        GraphOp::Compare { truth, estimate, cpdag } => {
            compare(&load(&truth)?, &load(&estimate)?, cpdag, json)
        }
    }?;
    Ok(ExitCode::SUCCESS)
}

/// Reads a GRAPH argument: a file, or an inline edge list. A parse error in a file names the file
/// (its line numbers alone do not say which file, e.g. in `compare`).
pub(crate) fn load(arg: &str) -> Result<CausalGraph> {
    io::read_graph_arg(arg).map_err(|err| {
        let in_file =
            matches!(err, causa_graph::GraphError::Parse { .. }) && std::path::Path::new(arg).exists();
        let err = anyhow::Error::new(err);
        if in_file { err.context(format!("in the graph file `{arg}`")) } else { err }
    })
}

fn names(g: &CausalGraph, ids: &[NodeId]) -> Vec<String> {
    g.names_of(ids)
}

fn resolve(g: &CausalGraph, list: &NodeList, what: &str) -> Result<Vec<NodeId>> {
    if list.0.is_empty() {
        return Err(InputError(format!("{what} needs at least one node name")).into());
    }
    Ok(g.require_all(&list.0)?)
}

fn write_format(format: WriteFormat) -> GraphFormat {
    match format {
        WriteFormat::Ascii => GraphFormat::Ascii,
        WriteFormat::Text => GraphFormat::Text,
        WriteFormat::Json => GraphFormat::Json,
        WriteFormat::Dot => GraphFormat::Dot,
        WriteFormat::Mermaid => GraphFormat::Mermaid,
        WriteFormat::Svg => GraphFormat::Svg,
    }
}

/// Prints a graph; `--json` overrides the format.
fn print_graph(g: &CausalGraph, format: WriteFormat, json: bool) -> Result<()> {
    let format = if json { WriteFormat::Json } else { format };
    let text = io::write_graph(g, write_format(format))?;
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(())
}

fn show(g: &CausalGraph, format: WriteFormat, json: bool) -> Result<()> {
    print_graph(g, format, json)
}

fn convert(g: &CausalGraph, format: Option<WriteFormat>, out: Option<PathBuf>, force: bool) -> Result<()> {
    let from_extension = || out.as_deref().and_then(GraphFormat::from_extension).filter(|f| f.is_writable());
    let Some(format) = format.map(write_format).or_else(from_extension) else {
        let hint = match &out {
            Some(path) => format!("the extension of `{}` names no format it can write", path.display()),
            None => "there is no --out file to take it from".to_string(),
        };
        return Err(InputError(format!("convert needs --format (or --to): {hint}")).into());
    };
    let mut text = io::write_graph(g, format)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match out {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => output::write_file_atomically(&path, &text, force),
    }
}

/// Everything there is to say about one node.
#[derive(Serialize)]
struct NodeFacts {
    node: String,
    parents: Vec<String>,
    children: Vec<String>,
    spouses: Vec<String>,
    undirected_neighbours: Vec<String>,
    ancestors: Vec<String>,
    descendants: Vec<String>,
    markov_blanket: Option<Vec<String>>,
}

fn node_facts(g: &CausalGraph, node: &str, json: bool) -> Result<()> {
    let v = g.require(node)?;
    let without_self = |set: std::collections::BTreeSet<NodeId>| {
        let ids: Vec<NodeId> = set.into_iter().filter(|&u| u != v).collect();
        names(g, &ids)
    };
    let blanket = query::markov_blanket(g, v).ok().map(|b| names(g, &b));
    let facts = NodeFacts {
        node: node.to_string(),
        parents: names(g, &g.parents(v)),
        children: names(g, &g.children(v)),
        spouses: names(g, &g.spouses(v)),
        undirected_neighbours: names(g, &g.undirected_neighbours(v)),
        ancestors: without_self(g.ancestors(&[v])),
        descendants: without_self(g.descendants(&[v])),
        markov_blanket: blanket,
    };
    if json {
        return output::print_json(&facts);
    }
    println!("node {}", facts.node);
    let rows: [(&str, &Vec<String>); 6] = [
        ("parents", &facts.parents),
        ("children", &facts.children),
        ("spouses (<->)", &facts.spouses),
        ("undirected (--)", &facts.undirected_neighbours),
        ("ancestors", &facts.ancestors),
        ("descendants", &facts.descendants),
    ];
    for (label, list) in rows {
        println!("  {label:<16} {}", set_text(list));
    }
    match &facts.markov_blanket {
        Some(b) => println!("  {:<16} {}", "Markov blanket", set_text(b)),
        None => println!("  {:<16} (defined for DAGs and ADMGs only)", "Markov blanket"),
    }
    Ok(())
}

fn set_text(list: &[String]) -> String {
    format!("{{{}}}", list.join(", "))
}

/// One path of a d-separation report.
#[derive(Serialize)]
struct PathJson {
    path: String,
    open: bool,
    blocked_by: Option<String>,
    reason: Option<String>,
}

/// The `--json` form of `causa graph dsep`.
#[derive(Serialize)]
struct DsepJson {
    d_separated: bool,
    x: Vec<String>,
    y: Vec<String>,
    given: Vec<String>,
    paths: Vec<PathJson>,
    paths_truncated: bool,
}

fn dsep(
    g: &CausalGraph,
    x: &NodeList,
    y: &NodeList,
    given: &NodeList,
    limit: usize,
    json: bool,
) -> Result<()> {
    let xs = resolve(g, x, "X")?;
    let ys = resolve(g, y, "Y")?;
    let zs = g.require_all(&given.0)?;
    let separated = g.d_separated(&xs, &ys, &zs)?;
    let mut paths = Vec::new();
    let mut truncated = false;
    for &a in &xs {
        for &b in &ys {
            let remaining = limit.saturating_sub(paths.len());
            let report = query::dsep_report(g, a, b, &zs, remaining)?;
            truncated |= report.limit_hit;
            paths.extend(report.paths.iter().map(|p| path_json(g, p)));
        }
    }
    let result = DsepJson {
        d_separated: separated,
        x: x.0.clone(),
        y: y.0.clone(),
        given: given.0.clone(),
        paths,
        paths_truncated: truncated,
    };
    if json {
        return output::print_json(&result);
    }
    let given_text =
        if zs.is_empty() { String::new() } else { format!(" given {}", set_text(&result.given)) };
    let verdict = if separated { "d-separated" } else { "not d-separated" };
    println!("{} and {} are {verdict}{given_text}", set_text(&result.x), set_text(&result.y));
    if result.paths.is_empty() {
        println!("  no path joins them");
    }
    for p in &result.paths {
        match (&p.blocked_by, &p.reason) {
            (Some(node), Some(reason)) => println!("  blocked  {}   (at {node}: {reason})", p.path),
            _ => println!("  open     {}", p.path),
        }
    }
    if truncated {
        println!("  ... more paths not listed (raise --limit)");
    }
    Ok(())
}

fn path_json(g: &CausalGraph, report: &query::PathReport) -> PathJson {
    let (blocked_by, reason) = match report.status {
        query::PathStatus::Open => (None, None),
        query::PathStatus::Blocked { node, reason } => {
            (Some(g.name(node).to_string()), Some(reason.to_string()))
        }
    };
    PathJson { path: report.path.text(g), open: blocked_by.is_none(), blocked_by, reason }
}

/// The `--json` form of `causa graph paths`.
#[derive(Serialize)]
struct PathsJson {
    from: String,
    to: String,
    directed: bool,
    paths: Vec<String>,
    truncated: bool,
}

fn paths(g: &CausalGraph, from: &str, to: &str, directed: bool, limit: usize, json: bool) -> Result<()> {
    let (a, b) = (g.require(from)?, g.require(to)?);
    let found =
        if directed { query::directed_paths(g, a, b, limit)? } else { query::all_paths(g, a, b, limit)? };
    let result = PathsJson {
        from: from.to_string(),
        to: to.to_string(),
        directed,
        paths: found.items.iter().map(|p| p.text(g)).collect(),
        truncated: found.limit_hit,
    };
    if json {
        return output::print_json(&result);
    }
    let kind = if directed { "directed paths" } else { "paths" };
    println!("{} {kind} from {from} to {to}", result.paths.len());
    for p in &result.paths {
        println!("  {p}");
    }
    if result.truncated {
        println!("  ... more not listed (raise --limit)");
    }
    Ok(())
}

/// The `--json` form of `causa graph blanket`.
#[derive(Serialize)]
struct BlanketJson {
    node: String,
    blanket: Vec<String>,
}

fn blanket(g: &CausalGraph, node: &str, json: bool) -> Result<()> {
    let v = g.require(node)?;
    let result = BlanketJson { node: node.to_string(), blanket: names(g, &query::markov_blanket(g, v)?) };
    if json {
        return output::print_json(&result);
    }
    println!("Markov blanket of {node}: {}", set_text(&result.blanket));
    Ok(())
}

/// The `--json` form of `causa graph topo`.
#[derive(Serialize)]
struct TopoJson {
    orders: Vec<Vec<String>>,
    truncated: bool,
}

fn topo(g: &CausalGraph, all: bool, limit: usize, json: bool) -> Result<()> {
    let result = if all {
        let found = query::all_topological_orders(g, limit)?;
        TopoJson { orders: found.items.iter().map(|o| names(g, o)).collect(), truncated: found.limit_hit }
    } else {
        TopoJson { orders: vec![names(g, &g.topological_order()?)], truncated: false }
    };
    if json {
        return output::print_json(&result);
    }
    for order in &result.orders {
        println!("{}", order.join(", "));
    }
    if result.truncated {
        println!("... more orders not listed (raise --limit)");
    }
    Ok(())
}

/// The `--json` form of `causa graph cycles`.
#[derive(Serialize)]
struct CyclesJson {
    cycles: Vec<Vec<String>>,
    truncated: bool,
}

fn cycles(g: &CausalGraph, limit: usize, json: bool) -> Result<()> {
    let found = query::directed_cycles(g, limit);
    let result = CyclesJson {
        cycles: found.items.iter().map(|c| names(g, c.nodes())).collect(),
        truncated: found.limit_hit,
    };
    if json {
        return output::print_json(&result);
    }
    if found.items.is_empty() {
        println!("no directed cycle");
    }
    for cycle in &found.items {
        println!("{}", cycle.text(g));
    }
    if result.truncated {
        println!("... more cycles not listed (raise --limit)");
    }
    Ok(())
}

fn adjust(g: &CausalGraph, treatment: &str, outcome: &str, limit: usize, json: bool) -> Result<()> {
    let (x, y) = (g.require(treatment)?, g.require(outcome)?);
    let limits = adjust::EnumerationLimits { max_sets: limit, ..Default::default() };
    let report = adjust::adjustment_report(g, x, y, limits)?;
    if json {
        return output::print_json(&report);
    }
    println!("effect of {treatment} on {outcome}");
    if !report.causal_path {
        println!("  {outcome} is not a descendant of {treatment}: the causal effect is zero");
    }
    let backdoor = &report.backdoor;
    println!("backdoor adjustment:");
    if backdoor.exists {
        print_sets("minimal sets", &backdoor.minimal_sets, backdoor.minimal_sets_complete);
        match &backdoor.optimal {
            adjust::OptimalSummary::Defined { set } => {
                println!("  optimal set (smallest asymptotic variance): {}", set_text(set))
            }
            adjust::OptimalSummary::NotApplicable { reason } => {
                println!("  optimal set: not given ({reason})")
            }
        }
        if let Some(parents) = &backdoor.parents_of_treatment {
            println!("  parents of {treatment}: {}", set_text(parents));
        }
    } else {
        println!("  no set of observed variables satisfies the backdoor criterion");
    }
    let frontdoor = &report.frontdoor;
    println!("front-door adjustment:");
    if frontdoor.exists {
        print_sets("minimal sets", &frontdoor.minimal_sets, frontdoor.minimal_sets_complete);
    } else {
        println!("  no set satisfies the front-door criterion");
    }
    Ok(())
}

fn print_sets(label: &str, sets: &[Vec<String>], complete: bool) {
    let listed: Vec<String> = sets.iter().map(|s| set_text(s)).collect();
    let more = if complete { "" } else { " ... (more not listed; raise --limit)" };
    println!("  {label}: {}{more}", listed.join(", "));
}

/// The `--json` form of `causa graph adjust --check`.
#[derive(Serialize)]
struct SetCheckJson {
    backdoor: adjust::BackdoorVerdict,
    frontdoor: adjust::FrontdoorVerdict,
}

fn check_adjustment_set(
    g: &CausalGraph,
    treatment: &str,
    outcome: &str,
    set: &NodeList,
    json: bool,
) -> Result<()> {
    let (x, y) = (g.require(treatment)?, g.require(outcome)?);
    let z = g.require_all(&set.0)?;
    let result = SetCheckJson {
        backdoor: adjust::explain_backdoor_set(g, x, y, &z)?,
        frontdoor: adjust::explain_frontdoor_set(g, x, y, &z)?,
    };
    if json {
        return output::print_json(&result);
    }
    let shown = set_text(&set.0);
    match &result.backdoor.failure {
        None => println!("{shown} satisfies the backdoor criterion"),
        Some(why) => println!("{shown} fails the backdoor criterion: {why}"),
    }
    match &result.frontdoor.failure {
        None => println!("{shown} satisfies the front-door criterion"),
        Some(why) => println!("{shown} fails the front-door criterion: {why}"),
    }
    Ok(())
}

fn identify(g: &CausalGraph, treatment: &NodeList, outcome: &NodeList, json: bool) -> Result<()> {
    resolve(g, treatment, "--treatment")?;
    resolve(g, outcome, "--outcome")?;
    let report = identify::identify_named(g, &treatment.0, &outcome.0)?;
    if json {
        return output::print_json(&report);
    }
    match (&report.estimand, &report.hedge) {
        (Some(estimand), _) => {
            println!("{} is identifiable:", report.query);
            println!("  {} = {estimand}", report.query);
            if !report.any_value_of.is_empty() {
                println!(
                    "  (the formula is the same at every value of {}; fix them at any observed value)",
                    set_text(&report.any_value_of)
                );
            }
        }
        (None, Some(hedge)) => {
            println!("{} is not identifiable from observational data.", report.query);
            println!("  hedge: F = {}, F' = {}", set_text(&hedge.f), set_text(&hedge.f_prime));
            println!("  (two C-forests sharing the root set: models that agree on the observed");
            println!("  distribution can disagree on the interventional one)");
        }
        (None, None) => println!("{}: no result", report.query),
    }
    Ok(())
}

/// The `--json` form of `causa graph districts`.
#[derive(Serialize)]
struct DistrictsJson {
    districts: Vec<Vec<String>>,
    is_c_component: bool,
    is_c_forest: bool,
    is_c_tree: bool,
    maximal_root_set: Vec<String>,
}

fn districts(g: &CausalGraph, json: bool) -> Result<()> {
    g.require_admg("c-components")?;
    let as_names = |set: &std::collections::BTreeSet<NodeId>| -> Vec<String> {
        set.iter().map(|&v| g.name(v).to_string()).collect()
    };
    let result = DistrictsJson {
        districts: identify::districts(g).iter().map(as_names).collect(),
        is_c_component: identify::is_c_component(g),
        is_c_forest: identify::is_c_forest(g)?,
        is_c_tree: identify::is_c_tree(g)?,
        maximal_root_set: as_names(&identify::maximal_root_set(g)),
    };
    if json {
        return output::print_json(&result);
    }
    println!("{} c-components (districts):", result.districts.len());
    for district in &result.districts {
        println!("  {}", set_text(district));
    }
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    println!("single c-component: {}", yes_no(result.is_c_component));
    println!("C-forest: {}   C-tree: {}", yes_no(result.is_c_forest), yes_no(result.is_c_tree));
    println!("maximal root set: {}", set_text(&result.maximal_root_set));
    Ok(())
}

fn is_pdag(g: &CausalGraph) -> bool {
    g.edges().iter().all(|e| matches!(e.kind(), EdgeKind::Directed | EdgeKind::Undirected))
}

fn cpdag(g: &CausalGraph, format: WriteFormat, json: bool) -> Result<()> {
    let result = if g.is_directed_only() {
        equivalence::cpdag(g)?
    } else if is_pdag(g) {
        let mut closed = g.clone();
        equivalence::apply_meek_rules(&mut closed)?;
        closed
    } else {
        return Err(InputError(
            "cpdag needs a DAG, or a PDAG with only `->` and `--` edges to complete by Meek's rules".into(),
        )
        .into());
    };
    print_graph(&result, format, json)
}

/// The `--json` form of `causa graph mec`.
#[derive(Serialize)]
struct MecJson {
    count: String,
    dags: Vec<Vec<String>>,
    truncated: bool,
}

fn mec(g: &CausalGraph, limit: usize, json: bool) -> Result<()> {
    let (found, count) = if g.is_directed_only() {
        (equivalence::enumerate_equivalent_dags(g, limit)?, equivalence::count_equivalent_dags(g)?)
    } else if is_pdag(g) {
        (equivalence::enumerate_extensions(g, limit)?, equivalence::count_extensions(g)?)
    } else {
        return Err(InputError("mec needs a DAG, a CPDAG or a PDAG (only `->` and `--` edges)".into()).into());
    };
    let edge_lists: Vec<Vec<String>> =
        found.dags.iter().map(|dag| dag.edges().into_iter().map(|e| dag.edge_text(e)).collect()).collect();
    if json {
        // The count can exceed what JSON numbers hold exactly, so it is a number only when small.
        let value = serde_json::json!({
            "count": u64::try_from(count).map(serde_json::Value::from)
                .unwrap_or_else(|_| serde_json::Value::from(count.to_string())),
            "dags": edge_lists,
            "truncated": found.truncated,
        });
        return output::print_json(&value);
    }
    let result = MecJson { count: count.to_string(), dags: edge_lists, truncated: found.truncated };
    println!("{} DAGs in the Markov equivalence class", result.count);
    for (i, dag) in result.dags.iter().enumerate() {
        println!("  {:>3}. {}", i + 1, dag.join("; "));
    }
    if result.truncated {
        println!("  ... more not listed (raise --limit)");
    }
    Ok(())
}

/// The `--json` form of `causa graph equivalent`.
#[derive(Serialize)]
struct EquivalentJson {
    equivalent: bool,
    differences: Vec<equivalence::EquivalenceDifference>,
    reason: Option<String>,
}

fn equivalent(first: &CausalGraph, second: &CausalGraph, json: bool) -> Result<()> {
    let report = equivalence::markov_equivalence(first, second)?;
    let reasons: Vec<String> = report.differences.iter().map(ToString::to_string).collect();
    let result = EquivalentJson {
        equivalent: report.equivalent,
        reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        differences: report.differences,
    };
    if json {
        return output::print_json(&result);
    }
    if result.equivalent {
        println!("Markov equivalent: same skeleton and same v-structures");
    } else {
        println!("not Markov equivalent:");
        for reason in &reasons {
            println!("  {reason}");
        }
    }
    Ok(())
}

/// The `--json` form of `causa graph compare`.
#[derive(Serialize)]
struct CompareJson {
    #[serde(flatten)]
    comparison: metrics::Comparison,
    against_cpdag: bool,
}

fn compare(truth: &CausalGraph, estimate: &CausalGraph, against_cpdag: bool, json: bool) -> Result<()> {
    let comparison = metrics::compare(truth, estimate, metrics::CompareOptions { against_cpdag })?;
    if json {
        return output::print_json(&CompareJson { comparison, against_cpdag });
    }
    let target = if against_cpdag { "the CPDAG of the truth" } else { "the truth" };
    println!("estimate vs {target}");
    println!("  SHD {}", comparison.shd);
    println!("  {:<10} {:>9} {:>9} {:>9}", "", "precision", "recall", "F1");
    for (label, pr) in [("adjacency", &comparison.adjacency), ("arrowhead", &comparison.arrowhead)] {
        println!("  {label:<10} {:>9.3} {:>9.3} {:>9.3}", pr.precision, pr.recall, pr.f1);
    }
    Ok(())
}
