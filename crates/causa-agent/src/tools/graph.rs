//! `graph_query` and `compare_graphs`: questions about a graph the session holds, answered by
//! `causa-graph` (d-separation, adjustment sets, identification, neighbours) and graph
//! comparison (SHD, adjacency and arrowhead precision/recall) against another graph, which may be
//! the person's domain knowledge written as an edge list.

use causa_graph::adjust::{self, EnumerationLimits, OptimalSet};
use causa_graph::metrics::{CompareOptions, compare as compare_graphs_metric};
use causa_graph::{CausalGraph, NodeId};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ToolContext, ToolOutput, ToolResult, err, fail, set_arg};
use crate::question::match_column;
use crate::session::GraphRecord;

pub(super) const QUERY_DESCRIPTION: &str = "Ask about a graph: d_separated (x, y, given), adjustment_sets (x, y), \
     identify (x, y), parents, children, ancestors or descendants (x).";
pub(super) const COMPARE_DESCRIPTION: &str = "Compare a learnt graph with another graph or with known edges \
     written like \"a -> b; b -> c\". Reports the structural Hamming distance and edge agreement.";

/// Graph questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// Are x and y d-separated given `given`?
    DSeparated,
    /// Valid adjustment sets for the effect of x on y.
    AdjustmentSets,
    /// How the effect of x on y is identified.
    Identify,
    /// Parents of x.
    Parents,
    /// Children of x.
    Children,
    /// Ancestors of x.
    Ancestors,
    /// Descendants of x.
    Descendants,
}

/// Arguments of `graph_query`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphQueryArgs {
    /// The question.
    pub query: QueryKind,
    /// A node (the treatment for effects).
    pub x: String,
    /// A second node (the outcome for effects).
    #[serde(default)]
    pub y: Option<String>,
    /// Conditioning nodes for d_separated.
    #[serde(default)]
    pub given: Vec<String>,
    /// Graph name (default: the latest).
    #[serde(default)]
    pub graph: Option<String>,
}

/// Arguments of `compare_graphs`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareGraphsArgs {
    /// The other graph: a graph name, or edges like "a -> b; b -> c".
    pub other: String,
    /// The learnt graph (default: the latest).
    #[serde(default)]
    pub graph: Option<String>,
}

/// A session record of `graph`.
pub(crate) fn record_of(
    name: &str,
    dataset: Option<&str>,
    source: &str,
    graph: &CausalGraph,
    reasons: Vec<String>,
) -> GraphRecord {
    let nodes: Vec<String> = graph.names().map(str::to_string).collect();
    let isolated = graph.node_ids().filter(|&v| graph.incident(v).next().is_none()).count();
    let edges = causa_graph::io::write_text(graph).lines().skip(isolated).map(str::to_string).collect();
    GraphRecord {
        name: name.to_string(),
        dataset: dataset.map(str::to_string),
        source: source.to_string(),
        nodes,
        edges,
        reasons,
    }
}

fn node(g: &CausalGraph, text: &str) -> ToolResult<(NodeId, String)> {
    let names: Vec<String> = g.names().map(str::to_string).collect();
    match match_column(text.trim(), &names) {
        Some(n) => Ok((g.require(n).map_err(fail)?, n.to_string())),
        None => err(format!("`{text}` is not a node; nodes: {}", names.join(", "))),
    }
}

fn names(g: &CausalGraph, ids: &[NodeId]) -> Vec<String> {
    ids.iter().map(|&v| g.name(v).to_string()).collect()
}

/// A DAG for questions that need one: the graph itself, or (for a CPDAG) its consistent
/// extensions, at most `limit`.
pub(crate) fn dags_of(g: &CausalGraph, limit: usize) -> ToolResult<(Vec<CausalGraph>, bool)> {
    if g.is_dag() || g.is_admg() {
        return Ok((vec![g.clone()], false));
    }
    let ext = causa_graph::equivalence::enumerate_extensions(g, limit).map_err(|e| {
        crate::tools::ToolError(format!(
            "the graph has edges whose meaning is undetermined (circle marks from fci?): {e}; use a pc, ges or lingam graph"
        ))
    })?;
    Ok((ext.dags, ext.truncated))
}

pub(super) fn query(
    args: GraphQueryArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let record = ctx.graph(args.graph.as_deref())?;
    set_arg(repaired, "graph", record.name.clone());
    let g = crate::workspace::graph_of(&record).map_err(fail)?;
    let (x, xn) = node(&g, &args.x)?;
    set_arg(repaired, "x", xn.clone());
    let y = match &args.y {
        Some(t) => {
            let (y, yn) = node(&g, t)?;
            set_arg(repaired, "y", yn.clone());
            Some((y, yn))
        }
        None => None,
    };
    let need_y = || y.clone().ok_or_else(|| crate::tools::ToolError("this query needs y".into()));
    let (text, result) = match args.query {
        QueryKind::DSeparated => {
            let (y, yn) = need_y()?;
            let mut z = Vec::new();
            let mut zn = Vec::new();
            for t in &args.given {
                let (v, n) = node(&g, t)?;
                z.push(v);
                zn.push(n);
            }
            set_arg(repaired, "given", zn.clone());
            let sep = g.d_separated(&[x], &[y], &z).map_err(fail)?;
            let verb = if sep { "are" } else { "are not" };
            (
                format!("{xn} and {yn} {verb} d-separated given {{{}}}", zn.join(", ")),
                json!({"d_separated": sep, "x": xn, "y": yn, "given": zn}),
            )
        }
        QueryKind::AdjustmentSets => {
            let (y, yn) = need_y()?;
            let (dags, truncated) = dags_of(&g, 16)?;
            let mut per_dag = Vec::new();
            for dag in &dags {
                let sets =
                    adjust::minimal_backdoor_sets(dag, x, y, EnumerationLimits::default()).map_err(fail)?;
                let optimal = match adjust::optimal_adjustment_set(dag, x, y).map_err(fail)? {
                    OptimalSet::Defined(s) => Some(names(dag, &s)),
                    OptimalSet::NotApplicable(_) => None,
                };
                let minimal: Vec<Vec<String>> = sets.sets.iter().map(|s| names(dag, s)).collect();
                let entry = json!({"minimal": minimal, "optimal": optimal});
                if !per_dag.contains(&entry) {
                    per_dag.push(entry);
                }
            }
            let show = |v: &Value| {
                let minimal: Vec<String> = v["minimal"]
                    .as_array()
                    .map(|a| a.iter().map(|s| format!("{{{}}}", join(s))).collect())
                    .unwrap_or_default();
                format!(
                    "minimal sets {}; optimal {}",
                    if minimal.is_empty() { "none".into() } else { minimal.join(" ") },
                    if v["optimal"].is_null() {
                        "n/a".to_string()
                    } else {
                        format!("{{{}}}", join(&v["optimal"]))
                    }
                )
            };
            let text = if per_dag.len() == 1 {
                format!("adjustment for {xn} -> {yn}: {}", show(&per_dag[0]))
            } else {
                format!(
                    "the graph allows {} different answers (undirected edges{}): {}",
                    per_dag.len(),
                    if truncated { ", list cut short" } else { "" },
                    per_dag.iter().map(show).collect::<Vec<_>>().join(" | ")
                )
            };
            (text, json!({"x": xn, "y": yn, "options": per_dag}))
        }
        QueryKind::Identify => {
            let (_, yn) = need_y()?;
            let (dags, _) = dags_of(&g, 16)?;
            let observed: Vec<String> = g.names().map(str::to_string).collect();
            let mut found: Vec<Value> = Vec::new();
            let mut lines = Vec::new();
            for dag in &dags {
                let id = causa_estimate::identify_from_graph(
                    dag,
                    &observed,
                    &xn,
                    &yn,
                    None,
                    causa_estimate::Strategy::Any,
                );
                let (entry, line) = match id {
                    Ok(id) => (
                        json!({"estimand": id.estimand, "reason": id.reason}),
                        format!("{}: {}", id.estimand.name(), id.reason),
                    ),
                    Err(e) => (json!({"error": e.to_string()}), format!("not identified: {e}")),
                };
                if !found.contains(&entry) {
                    found.push(entry);
                    lines.push(line);
                }
            }
            (lines.join(" | "), json!({"x": xn, "y": yn, "identifications": found}))
        }
        kind => {
            let set: Vec<NodeId> = match kind {
                QueryKind::Parents => g.parents(x),
                QueryKind::Children => g.children(x),
                QueryKind::Ancestors => g.ancestors(&[x]).into_iter().filter(|&v| v != x).collect(),
                _ => g.descendants(&[x]).into_iter().filter(|&v| v != x).collect(),
            };
            let label = match kind {
                QueryKind::Parents => "parents",
                QueryKind::Children => "children",
                QueryKind::Ancestors => "ancestors",
                _ => "descendants",
            };
            let list = names(&g, &set);
            (
                format!("{label} of {xn}: {}", if list.is_empty() { "none".into() } else { list.join(", ") }),
                json!({label: list, "x": xn}),
            )
        }
    };
    Ok(ToolOutput { summary: text.clone(), result, observation: text })
}

fn join(v: &Value) -> String {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

pub(super) fn compare(
    args: CompareGraphsArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let record = ctx.graph(args.graph.as_deref())?;
    set_arg(repaired, "graph", record.name.clone());
    let learnt = crate::workspace::graph_of(&record).map_err(fail)?;
    let node_names: Vec<String> = learnt.names().map(str::to_string).collect();
    let (other, other_name) = if let Ok(r) = ctx.graph(Some(&args.other))
        && r.name != record.name
        && !args.other.contains("->")
    {
        (crate::workspace::graph_of(&r).map_err(fail)?, r.name.clone())
    } else {
        let mut g = CausalGraph::new();
        for n in &node_names {
            g.ensure_node(n).map_err(fail)?;
        }
        for part in args.other.split([';', '\n', ',']).map(str::trim).filter(|p| !p.is_empty()) {
            let Some((a, b)) = part.split_once("->") else {
                return err(format!("`{part}` is not an edge like \"a -> b\""));
            };
            let (a, _) = node(&learnt, a)?;
            let (b, _) = node(&learnt, b)?;
            g.add_named(learnt.name(a), learnt.name(b), causa_graph::EdgeKind::Directed).map_err(fail)?;
        }
        (g, "the stated edges".to_string())
    };
    let cmp = compare_graphs_metric(&other, &learnt, CompareOptions::default()).map_err(fail)?;
    let text = format!(
        "`{}` vs {other_name}: SHD {}, adjacency precision {:.2} recall {:.2}, arrowhead precision {:.2} recall {:.2}",
        record.name,
        cmp.shd,
        cmp.adjacency.precision,
        cmp.adjacency.recall,
        cmp.arrowhead.precision,
        cmp.arrowhead.recall
    );
    Ok(ToolOutput {
        summary: text.clone(),
        result: json!({"graph": record.name, "other": other_name, "comparison": cmp}),
        observation: text,
    })
}
