//! CLEAR (Chen et al. 2024): twenty tasks of questions about one causal graph (DAG, ADMG,
//! directed or undirected graph) in five forms: yes/no, multiple choice, how many, find one,
//! find all (plus "are there any").
//!
//! Every question is the same formal object: a [`Property`] that a candidate (a node, a set, a
//! path, a triple, an order, another graph) may have in the graph, asked in a [`Form`]. That one
//! shape gives one solver and one judge: yes/no checks the candidate, multiple choice checks each
//! option, how-many and find-all enumerate the candidates with the property, and a find-one
//! answer is judged by checking its property against the graph rather than by matching the
//! published string, since many answers are usually correct.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path as FsPath;

use causa_graph::adjust::{
    EnumerationLimits, all_backdoor_sets, all_frontdoor_sets, is_valid_backdoor_set, is_valid_frontdoor_set,
    maximal_backdoor_sets, maximal_frontdoor_set, minimal_backdoor_sets, minimal_frontdoor_sets,
};
use causa_graph::equivalence::{enumerate_equivalent_dags, markov_equivalent};
use causa_graph::identify::{
    districts, identify_named, is_c_component, is_c_forest, is_c_tree, maximal_root_set,
};
use causa_graph::io::parse_clear;
use causa_graph::query::{
    Path, all_paths, all_topological_orders, backdoor_paths, directed_cycles, directed_paths,
    is_directed_cycle, is_topological_order, markov_blanket, path_status,
};
use causa_graph::{CausalGraph, Edge, GraphError, Mark, NodeId, Result};
use serde::{Deserialize, Serialize};

use crate::benchdata::read_text;

const LIMIT: usize = 100_000;

/// One benchmark item in the official JSONL format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The graph in words ("Given a DAG ... with nodes ... and directed edges ...").
    pub description: String,
    /// `DAG`, `ADMG`, `DG`, `UG`, `C-component`, `C-forest`, `C-tree`.
    pub graph_type: String,
    /// The graph's identifier.
    pub uid: String,
    /// The question's number within the graph.
    #[serde(default)]
    pub sid: serde_json::Value,
    /// The question, with lettered options on the following lines for multiple choice.
    pub question: String,
    /// The published answer (a string, or a list of strings for some find-all questions).
    pub answer: serde_json::Value,
    /// `YN`, `MC`, `HM`, `FO`, `FA` or `EX`.
    pub question_type: String,
    /// The task, e.g. `d-separation`.
    pub task_type: String,
}

impl Item {
    /// The published answer as text; a list is written `['a', 'b']`.
    pub fn answer_text(&self) -> String {
        answer_value_text(&self.answer)
    }

    /// The item's graph.
    pub fn graph(&self) -> Result<CausalGraph> {
        parse_clear(&self.description)
    }
}

fn answer_value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(list) => {
            let parts: Vec<String> = list.iter().map(|v| format!("'{}'", answer_value_text(v))).collect();
            format!("[{}]", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// Reads one official JSONL file.
pub fn load(path: &FsPath) -> Result<Vec<Item>> {
    load_str(&read_text(path)?)
}

/// Parses JSONL text, one item per non-empty line.
pub fn load_str(text: &str) -> Result<Vec<Item>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| GraphError::Parse {
                line: i + 1,
                token: line.chars().take(40).collect(),
                message: format!("not a CLEAR item: {e}"),
            })
        })
        .collect()
}

/// Reads every `*.jsonl` file of a directory, in file-name order.
pub fn load_dir(dir: &FsPath) -> Result<Vec<Item>> {
    let entries =
        std::fs::read_dir(dir).map_err(|source| GraphError::Io { path: dir.to_path_buf(), source })?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut items = Vec::new();
    for file in files {
        items.extend(load(&file)?);
    }
    Ok(items)
}

/// How a question is asked.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum Form {
    /// Does the candidate have the property? (`YN`)
    YesNo,
    /// Which option has the property? (`MC`)
    Choice,
    /// How many candidates have it? (`HM`)
    Count,
    /// Give one candidate that has it. (`FO`)
    FindOne,
    /// List all candidates that have it. (`FA`)
    FindAll,
    /// Does any candidate have it? (`EX`)
    Exists,
}

/// Kinship of one node to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Kin {
    /// Direct causes.
    Parents,
    /// Direct effects.
    Children,
    /// Causes (excluding the node itself).
    Ancestors,
    /// Effects (excluding the node itself).
    Descendants,
}

/// A three-node pattern; the two end nodes are never adjacent (the published answers count
/// `E -> U`, `E -> G`, `G -> U` as no fork).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Triple {
    /// `a -> b -> c`.
    Chain,
    /// `a <- b -> c`.
    Fork,
    /// `a -> b <- c`.
    VStructure,
}

/// Which sets of a family are asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Extremum {
    /// Any member.
    Any,
    /// A member none of whose proper subsets is a member.
    Minimal,
    /// A member none of whose proper supersets is a member.
    Maximal,
}

/// The property a candidate may have in the graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Property {
    /// The candidate is a node (`negated`: is not).
    Node {
        /// Ask for a non-member instead.
        negated: bool,
    },
    /// The candidate is an edge (`negated`: is not).
    Edge {
        /// Ask for a non-member instead.
        negated: bool,
    },
    /// The candidate node is a relative of `of`.
    Relative {
        /// Which kin.
        kin: Kin,
        /// The node whose kin are asked for.
        of: String,
    },
    /// The candidate triple (or node set) forms a pattern.
    Triple(Triple),
    /// The candidate is a path (`longest`: of maximal length) of the given kind.
    Path {
        /// Which paths.
        kind: PathKind,
        /// First node.
        from: String,
        /// Last node.
        to: String,
        /// Only the longest such paths count.
        longest: bool,
    },
    /// The candidate is a directed cycle.
    Cycle,
    /// The candidate node set blocks the given path.
    BlocksPath {
        /// The path, e.g. `A->B<-C`.
        path: String,
    },
    /// The candidate node set d-separates `x` and `y`.
    DSeparator {
        /// One node.
        x: String,
        /// The other node.
        y: String,
        /// Only minimum-size sets count.
        minimal: bool,
    },
    /// The candidate set satisfies the backdoor criterion.
    Backdoor {
        /// Treatment.
        x: String,
        /// Outcome.
        y: String,
        /// Which valid sets count.
        extremum: Extremum,
    },
    /// The candidate set satisfies the front-door criterion.
    Frontdoor {
        /// Treatment.
        x: String,
        /// Outcome.
        y: String,
        /// Which valid sets count.
        extremum: Extremum,
    },
    /// The candidate is a topological order of all nodes.
    TopologicalOrder,
    /// The candidate set is the Markov blanket of `of`.
    MarkovBlanket {
        /// The node.
        of: String,
    },
    /// The candidate (a DAG description) is Markov equivalent to the graph; for find-one, also
    /// different from it.
    EquivalentGraph,
    /// The candidate set is the maximal root set.
    MaximalRootSet,
    /// The candidate set is one c-component (district) of the graph.
    District,
    /// The graph is a c-component (no candidate).
    IsCComponent,
    /// The graph is a c-forest (no candidate).
    IsCForest,
    /// The graph is a c-tree (no candidate).
    IsCTree,
    /// The effect of `x` on `y` is identifiable (no candidate).
    Identifiable {
        /// Treatment.
        x: String,
        /// Outcome.
        y: String,
    },
}

/// Which paths a [`Property::Path`] asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum PathKind {
    /// Any path.
    Any,
    /// Directed paths.
    Directed,
    /// Backdoor paths (starting with an edge into the first node).
    Backdoor,
}

/// The formal query of one question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Query {
    /// How it is asked.
    pub form: Form,
    /// What is asked about.
    pub property: Property,
    /// The candidate of a yes/no question (None for graph-level questions).
    pub candidate: Option<String>,
    /// The options of a multiple-choice question, in order (A, B, ...).
    pub options: Vec<String>,
}

fn parse_error(token: &str, message: impl Into<String>) -> GraphError {
    GraphError::Parse { line: 1, token: token.chars().take(80).collect(), message: message.into() }
}

fn between<'a>(text: &'a str, before: &str, after: &str) -> Option<&'a str> {
    let start = text.find(before)? + before.len();
    let len = text[start..].find(after)?;
    Some(text[start..start + len].trim())
}

fn word_after(text: &str, before: &str) -> Option<String> {
    let start = text.find(before)? + before.len();
    let word: String = text[start..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (!word.is_empty()).then_some(word)
}

/// The two end nodes of "... from [node] A to [node] B".
fn endpoints(q: &str) -> Option<(String, String)> {
    let after = &q[q.find(" from ")? + 6..];
    let after = after.strip_prefix("node ").unwrap_or(after);
    let from = word_after(after, "")?;
    let rest = &after[after.find(" to ")? + 4..];
    let to = word_after(rest.strip_prefix("node ").unwrap_or(rest), "")?;
    Some((from, to))
}

/// The path of "Is A->B<-C a ... path from A to C?", if the question names one.
fn path_candidate(q: &str) -> Option<String> {
    let (candidate, _) = q.strip_prefix("Is ")?.split_once(" a ")?;
    candidate.contains(['>', '<']).then(|| candidate.to_string())
}

fn form_of(code: &str) -> Result<Form> {
    Ok(match code {
        "YN" => Form::YesNo,
        "MC" => Form::Choice,
        "HM" => Form::Count,
        "FO" => Form::FindOne,
        "FA" => Form::FindAll,
        "EX" => Form::Exists,
        other => return Err(parse_error(other, "unknown question type (expected YN, MC, HM, FO, FA or EX)")),
    })
}

fn extremum_of(question: &str) -> Extremum {
    if question.contains("minimal") {
        Extremum::Minimal
    } else if question.contains("maximal") {
        Extremum::Maximal
    } else {
        Extremum::Any
    }
}

fn kin_of(word: &str) -> Option<Kin> {
    Some(match word {
        "parents" => Kin::Parents,
        "children" => Kin::Children,
        "ancestors" => Kin::Ancestors,
        "descendants" => Kin::Descendants,
        _ => return None,
    })
}

/// Parses a question (with its `question_type` code) into the formal query.
pub fn parse(question: &str, question_type: &str) -> Result<Query> {
    let form = form_of(question_type)?;
    let mut lines = question.lines();
    let stem = lines.next().unwrap_or_default().trim();
    let options: Vec<String> = lines
        .filter_map(|l| {
            let l = l.trim();
            let mut chars = l.chars();
            match (chars.next(), chars.next()) {
                (Some(c), Some('.')) if c.is_ascii_uppercase() => Some(l[2..].trim().to_string()),
                _ => None,
            }
        })
        .collect();
    if form == Form::Choice && options.len() < 2 {
        return Err(parse_error(stem, "multiple-choice question without lettered options"));
    }
    let (property, candidate) =
        parse_stem(stem, form).ok_or_else(|| parse_error(stem, "unknown question form"))?;
    Ok(Query { form, property, candidate, options })
}

fn xy(stem: &str, x_marker: &str, y_marker: &str) -> Option<(String, String)> {
    Some((word_after(stem, x_marker)?, word_after(stem, y_marker)?))
}

fn parse_stem(q: &str, form: Form) -> Option<(Property, Option<String>)> {
    let none = |p: Property| Some((p, None));
    // Nodes and edges.
    if q.contains("node of this graph")
        || q.contains("nodes of this graph")
        || q.contains("nodes does this graph")
        || q.contains("nodes are in this graph")
    {
        let candidate =
            q.strip_prefix("Is ").and_then(|r| r.split_once(" a node")).map(|(c, _)| c.to_string());
        return Some((Property::Node { negated: q.contains("NOT") }, candidate));
    }
    if q.contains("edge of this graph")
        || q.contains("edges of this graph")
        || q.contains("edges does this graph")
        || q.contains("edges are in this graph")
    {
        let candidate =
            q.strip_prefix("Is ").and_then(|r| r.split_once(" an edge")).map(|(c, _)| c.to_string());
        return Some((Property::Edge { negated: q.contains("NOT") }, candidate));
    }
    // Kinship: "one of descendants of node P", "How many ancestors does node A have?".
    if let Some(rest) = q.strip_prefix("Which of the following is one of ") {
        let (kin, node) = rest.split_once(" of node ")?;
        return none(Property::Relative { kin: kin_of(kin)?, of: word_after(node, "")? });
    }
    if let Some(rest) = q.strip_prefix("How many ")
        && let Some((kin, node)) = rest.split_once(" does node ")
        && let Some(kin) = kin_of(kin)
    {
        return none(Property::Relative { kin, of: word_after(node, "")? });
    }
    if let Some(rest) = q.strip_prefix("Count the ")
        && let Some((kin, node)) = rest.split_once(" of node ")
        && let Some(kin) = kin_of(kin)
    {
        return none(Property::Relative { kin, of: word_after(node, "")? });
    }
    if let Some(rest) = q.strip_prefix("Is node ")
        && let Some((candidate, tail)) =
            rest.split_once(" one of ").or_else(|| rest.split_once(" among the "))
    {
        let (kin, node) = tail.split_once(" of node ")?;
        return Some((
            Property::Relative { kin: kin_of(kin)?, of: word_after(node, "")? },
            Some(candidate.to_string()),
        ));
    }
    // Three-node patterns.
    for (word, triple) in
        [("chain", Triple::Chain), ("fork", Triple::Fork), ("v-structure", Triple::VStructure)]
    {
        if q.contains(word) {
            let candidate = between(q, "Does nodes ", " form").map(str::to_string);
            return Some((Property::Triple(triple), candidate));
        }
    }
    // Paths.
    for (words, kind) in [("backdoor path", PathKind::Backdoor), ("directed path", PathKind::Directed)] {
        if q.contains(words) {
            let (from, to) = endpoints(q)?;
            let property = Property::Path { kind, from, to, longest: q.contains("longest") };
            return Some((property, path_candidate(q)));
        }
    }
    if q.starts_with("Can path ") || q.contains("can block path") {
        let path = between(q, "path ", if q.starts_with("Can") { " be blocked" } else { "?" })?.to_string();
        let candidate = between(q, "by nodeset ", "?").map(str::to_string);
        return Some((Property::BlocksPath { path }, candidate));
    }
    if q.contains("path") && !q.contains("cycle") {
        let (from, to) = endpoints(q)?;
        let property = Property::Path { kind: PathKind::Any, from, to, longest: q.contains("longest") };
        return Some((property, path_candidate(q)));
    }
    if q.contains("cycle") {
        let candidate = between(q, "Is ", " a cycle").map(str::to_string);
        return Some((Property::Cycle, candidate));
    }
    if q.contains("d-separate") {
        let (x, y) = if q.starts_with("Are node ") {
            xy(q, "Are node ", " and node ")?
        } else {
            xy(q, "d-separate node ", " and node ")?
        };
        let candidate = between(q, "by nodeset ", "?")
            .or_else(|| between(q, "Does nodeset ", " d-separate"))
            .map(str::to_string);
        return Some((Property::DSeparator { x, y, minimal: q.contains("minimal") }, candidate));
    }
    for (word, is_backdoor) in [
        ("backdoor adjustment set", true),
        ("backdoor criterion", true),
        ("frontdoor adjustment set", false),
        ("front-door criterion", false),
    ] {
        if q.contains(word) {
            let (x, y) = xy(q, "treatment ", "outcome ")?;
            let extremum = extremum_of(q);
            let candidate = q
                .strip_prefix("Is ")
                .and_then(|r| r.split_once(" a valid"))
                .or_else(|| q.strip_prefix("Does ").and_then(|r| r.split_once(" satisfy")))
                .map(|(c, _)| c.to_string());
            let property = if is_backdoor {
                Property::Backdoor { x, y, extremum }
            } else {
                Property::Frontdoor { x, y, extremum }
            };
            return Some((property, candidate));
        }
    }
    if q.contains("topological ordering") {
        let candidate = q
            .strip_prefix("Is ")
            .and_then(|r| r.split_once(" a valid topological"))
            .map(|(c, _)| c.to_string());
        return Some((Property::TopologicalOrder, candidate));
    }
    if q.contains("markov blanket") {
        let of = word_after(q, "markov blanket of node ")?;
        let candidate =
            q.strip_prefix("Is ").and_then(|r| r.split_once(" the markov")).map(|(c, _)| c.to_string());
        return Some((Property::MarkovBlanket { of }, candidate));
    }
    if q.contains("Markov Equivalent Class") {
        let candidate = (form == Form::YesNo).then(|| q.to_string());
        return Some((Property::EquivalentGraph, candidate));
    }
    if q.contains("maximal root set") {
        let candidate =
            q.strip_prefix("Is ").and_then(|r| r.split_once(" the maximal")).map(|(c, _)| c.to_string());
        return Some((Property::MaximalRootSet, candidate));
    }
    if q.contains("maximal C-component") {
        return none(Property::District);
    }
    if q == "Is it a C-component?" {
        return none(Property::IsCComponent);
    }
    if q == "Is it a C-forest?" {
        return none(Property::IsCForest);
    }
    if q == "Is it a C-tree?" {
        return none(Property::IsCTree);
    }
    if q.contains("causal effect of treatment") {
        let (x, y) = xy(q, "treatment ", "outcome ")?;
        return none(Property::Identifiable { x, y });
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Reading candidates.
// ---------------------------------------------------------------------------------------------

/// Node names in "{'A', 'B'}", "set()", "{A, B}", "('A', 'B', 'C')" or "A, B, C".
fn names_in(text: &str) -> Vec<String> {
    let text = text.trim().trim_end_matches('.');
    if text == "set()" {
        return Vec::new();
    }
    text.trim_matches(|c| "{}[]()".contains(c))
        .split(',')
        .map(|s| s.trim().trim_matches(|c| c == '\'' || c == '"').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The node ids of names, failing on an unknown one.
fn ids(g: &CausalGraph, names: &[String]) -> Result<Vec<NodeId>> {
    let mut ids = g.require_all(names)?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Splits a list answer into its items: "[{'A'}, set()]", "['A->B', 'C->D']" or "A->B, C->D".
fn list_items(text: &str) -> Vec<String> {
    let text = text.trim();
    let inner = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(text);
    let mut items = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in inner.chars() {
        match c {
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            items.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|s| s.trim().trim_matches(|c| c == '\'' || c == '"').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A path written "A->B<-C<->D" (spaces allowed) as a path of `g`, if it is one.
fn parse_path(g: &CausalGraph, text: &str) -> Option<Path> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut names = vec![String::new()];
    let mut connectors: Vec<String> = Vec::new();
    let mut in_connector = false;
    for ch in compact.chars() {
        let is_name = ch.is_alphanumeric() || ch == '_';
        if is_name && in_connector {
            names.push(String::new());
        } else if !is_name && !in_connector {
            connectors.push(String::new());
        }
        in_connector = !is_name;
        if is_name {
            names.last_mut()?.push(ch);
        } else {
            connectors.last_mut()?.push(ch);
        }
    }
    let nodes: Vec<NodeId> = names.iter().map(|n| g.node_id(n)).collect::<Option<_>>()?;
    let mut edges = Vec::new();
    for (i, connector) in connectors.iter().enumerate() {
        let (mark_a, mark_b) = marks_of(connector)?;
        edges.push(Edge { a: *nodes.get(i)?, b: *nodes.get(i + 1)?, mark_a, mark_b });
    }
    if edges.len() + 1 != nodes.len() {
        return None;
    }
    Path::new(g, nodes, edges).ok()
}

fn marks_of(connector: &str) -> Option<(Mark, Mark)> {
    Some(match connector {
        "->" => (Mark::Tail, Mark::Arrow),
        "<-" => (Mark::Arrow, Mark::Tail),
        "<->" => (Mark::Arrow, Mark::Arrow),
        "-" | "--" => (Mark::Tail, Mark::Tail),
        _ => return None,
    })
}

fn compact_path(g: &CausalGraph, path: &Path) -> String {
    path.text(g).chars().filter(|c| !c.is_whitespace()).collect()
}

/// An edge written `A->B`, `A<->B`, `A-B` or `A--B`, canonically, if it is well formed.
fn edge_key(text: &str) -> Option<(String, String, String)> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for connector in ["<->", "->", "<-", "--", "-"] {
        if let Some((a, b)) = text.split_once(connector) {
            return Some(match connector {
                "->" => (a.to_string(), "->".into(), b.to_string()),
                "<-" => (b.to_string(), "->".into(), a.to_string()),
                symmetric => {
                    let symbol = if symmetric == "<->" { "<->" } else { "--" };
                    (a.min(b).to_string(), symbol.into(), a.max(b).to_string())
                }
            });
        }
    }
    None
}

fn graph_edge_keys(g: &CausalGraph) -> BTreeSet<(String, String, String)> {
    g.edges().into_iter().filter_map(|e| edge_key(&g.edge_text(e))).collect()
}

// ---------------------------------------------------------------------------------------------
// The engine.
// ---------------------------------------------------------------------------------------------

fn limits() -> EnumerationLimits {
    EnumerationLimits { max_sets: LIMIT, max_subsets_examined: 1 << 20 }
}

fn set_text(g: &CausalGraph, set: &[NodeId]) -> String {
    if set.is_empty() {
        return "set()".into();
    }
    let names: Vec<String> = set.iter().map(|v| format!("'{}'", g.name(*v))).collect();
    format!("{{{}}}", names.join(", "))
}

fn kin_set(g: &CausalGraph, kin: Kin, v: NodeId) -> BTreeSet<NodeId> {
    match kin {
        Kin::Parents => g.parents(v).into_iter().collect(),
        Kin::Children => g.children(v).into_iter().collect(),
        Kin::Ancestors => g.ancestors(&[v]).into_iter().filter(|u| *u != v).collect(),
        Kin::Descendants => g.descendants(&[v]).into_iter().filter(|u| *u != v).collect(),
    }
}

fn triple_holds(g: &CausalGraph, triple: Triple, a: NodeId, b: NodeId, c: NodeId) -> bool {
    let shape = match triple {
        Triple::Chain => g.has_directed(a, b) && g.has_directed(b, c),
        Triple::Fork => g.has_directed(b, a) && g.has_directed(b, c),
        Triple::VStructure => g.has_directed(a, b) && g.has_directed(c, b),
    };
    shape && !g.is_adjacent(a, c)
}

/// All ordered triples with the pattern; a fork or v-structure is listed once per pair of ends.
fn all_triples(g: &CausalGraph, triple: Triple) -> Vec<[NodeId; 3]> {
    let ids: Vec<NodeId> = g.node_ids().collect();
    let mut out = Vec::new();
    for &a in &ids {
        for &b in &ids {
            for &c in &ids {
                let distinct = a != b && b != c && a != c;
                let once = triple == Triple::Chain || a < c;
                if distinct && once && triple_holds(g, triple, a, b, c) {
                    out.push([a, b, c]);
                }
            }
        }
    }
    out
}

fn paths_of(g: &CausalGraph, kind: PathKind, x: NodeId, y: NodeId) -> Result<Vec<Path>> {
    let found = match kind {
        PathKind::Any => all_paths(g, x, y, LIMIT)?,
        PathKind::Directed => directed_paths(g, x, y, LIMIT)?,
        PathKind::Backdoor => backdoor_paths(g, x, y, LIMIT)?,
    };
    Ok(found.items)
}

fn other_nodes(g: &CausalGraph, x: NodeId, y: NodeId) -> Vec<NodeId> {
    g.node_ids().filter(|v| *v != x && *v != y).collect()
}

/// Every subset of `items`, smallest first; refuses more than 20 items (a million subsets).
fn subsets_by_size(items: &[NodeId]) -> Result<Vec<Vec<NodeId>>> {
    const MAX: usize = 20;
    if items.len() > MAX {
        return Err(GraphError::InvalidArgument(format!(
            "listing every node set needs at most {MAX} candidate nodes, this graph has {}",
            items.len()
        )));
    }
    let mut all: Vec<Vec<NodeId>> = (0u64..1 << items.len())
        .map(|mask| items.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, v)| *v).collect())
        .collect();
    all.sort_by_key(Vec::len);
    Ok(all)
}

fn separates(g: &CausalGraph, x: NodeId, y: NodeId, z: &[NodeId]) -> Result<bool> {
    g.d_separated(&[x], &[y], z)
}

/// The sets of an adjustment family that count for `extremum`.
fn adjustment_sets(
    g: &CausalGraph,
    backdoor: bool,
    x: NodeId,
    y: NodeId,
    extremum: Extremum,
) -> Result<Vec<Vec<NodeId>>> {
    Ok(match (backdoor, extremum) {
        (true, Extremum::Any) => all_backdoor_sets(g, x, y, limits())?.sets,
        (true, Extremum::Minimal) => minimal_backdoor_sets(g, x, y, limits())?.sets,
        (true, Extremum::Maximal) => maximal_backdoor_sets(g, x, y, limits())?.sets,
        (false, Extremum::Any) => all_frontdoor_sets(g, x, y, limits())?.sets,
        (false, Extremum::Minimal) => minimal_frontdoor_sets(g, x, y, limits())?.sets,
        (false, Extremum::Maximal) => maximal_frontdoor_set(g, x, y)?.into_iter().collect(),
    })
}

/// Whether `candidate` has the property in `g` (for graph-level properties the candidate is
/// ignored). Unknown nodes and malformed candidates make the answer "no", not an error, so a
/// wrong model answer is simply judged wrong.
pub fn holds(g: &CausalGraph, property: &Property, candidate: &str) -> Result<bool> {
    let id = |name: &str| g.require(name);
    let set = |text: &str| ids(g, &names_in(text));
    Ok(match property {
        Property::Node { negated } => g.node_id(candidate.trim()).is_some() != *negated,
        Property::Edge { negated } => {
            edge_key(candidate).is_some_and(|key| graph_edge_keys(g).contains(&key)) != *negated
        }
        Property::Relative { kin, of } => match g.node_id(candidate.trim()) {
            Some(v) => kin_set(g, *kin, id(of)?).contains(&v),
            None => false,
        },
        Property::Triple(triple) => {
            // Written as a set or as a tuple whose order differs between patterns in the published
            // items (a v-structure lists its collider last, a fork its common cause first), so any
            // arrangement of the three nodes counts; an unshielded triple has only one pattern.
            let Ok(nodes) = g.require_all(&names_in(candidate)) else { return Ok(false) };
            let [a, b, c] = nodes[..] else { return Ok(false) };
            [[a, b, c], [a, c, b], [b, a, c], [b, c, a], [c, a, b], [c, b, a]]
                .iter()
                .any(|t| triple_holds(g, *triple, t[0], t[1], t[2]))
        }
        Property::Path { kind, from, to, longest } => {
            let (x, y) = (id(from)?, id(to)?);
            let Some(path) = parse_path(g, candidate) else { return Ok(false) };
            let all = paths_of(g, *kind, x, y)?;
            let text = compact_path(g, &path);
            let member = all.iter().any(|p| compact_path(g, p) == text);
            let longest_len = all.iter().map(Path::edge_count).max().unwrap_or(0);
            member && (!longest || path.edge_count() == longest_len)
        }
        Property::Cycle => {
            let compact: String = candidate.chars().filter(|c| !c.is_whitespace()).collect();
            let parts: Vec<&str> = compact.split("->").collect();
            let Ok(mut nodes) = g.require_all(&parts) else { return Ok(false) };
            if nodes.len() < 3 || nodes.first() != nodes.last() || compact.contains("<-") {
                return Ok(false);
            }
            nodes.pop();
            is_directed_cycle(g, &nodes)?
        }
        Property::BlocksPath { path } => {
            let path = parse_path(g, path).ok_or_else(|| parse_error(path, "not a path of the graph"))?;
            let Ok(z) = set(candidate) else { return Ok(false) };
            !path_status(g, &path, &z)?.is_open()
        }
        Property::DSeparator { x, y, minimal } => {
            let (x, y) = (id(x)?, id(y)?);
            let Ok(z) = set(candidate) else { return Ok(false) };
            if z.contains(&x) || z.contains(&y) || !separates(g, x, y, &z)? {
                return Ok(false);
            }
            if *minimal {
                for drop in &z {
                    let smaller: Vec<NodeId> = z.iter().copied().filter(|v| v != drop).collect();
                    if separates(g, x, y, &smaller)? {
                        return Ok(false);
                    }
                }
            }
            true
        }
        Property::Backdoor { x, y, extremum } | Property::Frontdoor { x, y, extremum } => {
            let backdoor = matches!(property, Property::Backdoor { .. });
            let (x, y) = (id(x)?, id(y)?);
            let Ok(z) = set(candidate) else { return Ok(false) };
            match extremum {
                Extremum::Any if backdoor => is_valid_backdoor_set(g, x, y, &z)?,
                Extremum::Any => is_valid_frontdoor_set(g, x, y, &z)?,
                _ => adjustment_sets(g, backdoor, x, y, *extremum)?.contains(&z),
            }
        }
        Property::TopologicalOrder => match g.require_all(&names_in(candidate)) {
            Ok(order) => order.len() == g.node_count() && is_topological_order(g, &order)?,
            Err(_) => false,
        },
        Property::MarkovBlanket { of } => match set(candidate) {
            Ok(z) => {
                let mut blanket = markov_blanket(g, id(of)?)?;
                blanket.sort();
                z == blanket
            }
            Err(_) => false,
        },
        Property::EquivalentGraph => match parse_clear(candidate) {
            Ok(other) => markov_equivalent(g, &other)?,
            Err(_) => false,
        },
        Property::MaximalRootSet => match set(candidate) {
            Ok(z) => z == maximal_root_set(g).into_iter().collect::<Vec<_>>(),
            Err(_) => false,
        },
        Property::District => match set(candidate) {
            Ok(z) => districts(g).iter().any(|d| d.iter().copied().collect::<Vec<_>>() == z),
            Err(_) => false,
        },
        Property::IsCComponent => is_c_component(g),
        Property::IsCForest => is_c_forest(g)?,
        Property::IsCTree => is_c_tree(g)?,
        Property::Identifiable { x, y } => identify_named(g, &[x], &[y])?.identifiable,
    })
}

/// Every candidate with the property, as answer text, in a deterministic order (for how-many,
/// find-all, find-one and exists). Properties with a single answer list it alone.
pub fn all_with(g: &CausalGraph, property: &Property) -> Result<Vec<String>> {
    let id = |name: &str| g.require(name);
    Ok(match property {
        Property::Node { negated: false } => g.names().map(str::to_string).collect(),
        Property::Edge { negated: false } => g.edges().into_iter().map(|e| compact_edge(g, e)).collect(),
        Property::Relative { kin, of } => {
            kin_set(g, *kin, id(of)?).into_iter().map(|v| g.name(v).to_string()).collect()
        }
        Property::Triple(triple) => all_triples(g, *triple)
            .into_iter()
            .map(|t| format!("('{}', '{}', '{}')", g.name(t[0]), g.name(t[1]), g.name(t[2])))
            .collect(),
        Property::Path { kind, from, to, longest } => {
            let all = paths_of(g, *kind, id(from)?, id(to)?)?;
            let longest_len = all.iter().map(Path::edge_count).max().unwrap_or(0);
            all.iter()
                .filter(|p| !longest || p.edge_count() == longest_len)
                .map(|p| compact_path(g, p))
                .collect()
        }
        Property::Cycle => directed_cycles(g, LIMIT)
            .items
            .iter()
            .map(|c| {
                let mut names: Vec<&str> = c.nodes().iter().map(|v| g.name(*v)).collect();
                names.push(g.name(c.nodes()[0]));
                names.join("->")
            })
            .collect(),
        Property::DSeparator { x, y, minimal } => {
            let (x, y) = (id(x)?, id(y)?);
            let mut found: Vec<Vec<NodeId>> = Vec::new();
            for z in subsets_by_size(&other_nodes(g, x, y))? {
                // Smallest first, so a set is minimal iff it contains no set found before.
                let is_minimal = !found.iter().any(|f| f.iter().all(|v| z.contains(v)));
                if separates(g, x, y, &z)? && (!minimal || is_minimal) {
                    found.push(z);
                }
            }
            found.iter().map(|z| set_text(g, z)).collect()
        }
        Property::BlocksPath { path } => {
            let path = parse_path(g, path).ok_or_else(|| parse_error(path, "not a path of the graph"))?;
            let inner: Vec<NodeId> =
                g.node_ids().filter(|v| *v != path.start() && *v != path.end()).collect();
            let mut found = Vec::new();
            for z in subsets_by_size(&inner)? {
                if !path_status(g, &path, &z)?.is_open() {
                    found.push(set_text(g, &z));
                }
            }
            found
        }
        Property::Backdoor { x, y, extremum } => {
            adjustment_sets(g, true, id(x)?, id(y)?, *extremum)?.iter().map(|z| set_text(g, z)).collect()
        }
        Property::Frontdoor { x, y, extremum } => {
            adjustment_sets(g, false, id(x)?, id(y)?, *extremum)?.iter().map(|z| set_text(g, z)).collect()
        }
        Property::TopologicalOrder => all_topological_orders(g, LIMIT)?
            .items
            .iter()
            .map(|o| o.iter().map(|v| g.name(*v)).collect::<Vec<_>>().join(", "))
            .collect(),
        Property::MarkovBlanket { of } => vec![set_text(g, &markov_blanket(g, id(of)?)?)],
        Property::EquivalentGraph => {
            let own = graph_edge_keys(g);
            enumerate_equivalent_dags(g, LIMIT)?
                .dags
                .iter()
                .filter(|d| graph_edge_keys(d) != own)
                .map(dag_text)
                .collect()
        }
        Property::MaximalRootSet => {
            vec![set_text(g, &maximal_root_set(g).into_iter().collect::<Vec<_>>())]
        }
        Property::District => {
            districts(g).iter().map(|d| set_text(g, &d.iter().copied().collect::<Vec<_>>())).collect()
        }
        Property::Node { negated: true }
        | Property::Edge { negated: true }
        | Property::IsCComponent
        | Property::IsCForest
        | Property::IsCTree
        | Property::Identifiable { .. } => {
            return Err(GraphError::InvalidArgument("this property has no list of candidates".into()));
        }
    })
}

fn compact_edge(g: &CausalGraph, e: Edge) -> String {
    let text: String = g.edge_text(e).chars().filter(|c| !c.is_whitespace()).collect();
    text.replace("--", "-")
}

fn dag_text(dag: &CausalGraph) -> String {
    let nodes: Vec<&str> = dag.names().collect();
    let edges: Vec<String> = dag.edges().into_iter().map(|e| compact_edge(dag, e)).collect();
    format!("DAG with nodes {} and directed edges {}.", nodes.join(", "), edges.join(", "))
}

fn yes_no_text(answer: bool) -> String {
    if answer { "Yes." } else { "No." }.to_string()
}

const LETTERS: &[char] = &['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

/// The engine's answer, in the official answer format.
pub fn solve(g: &CausalGraph, query: &Query) -> Result<String> {
    let graph_level = matches!(
        query.property,
        Property::IsCComponent | Property::IsCForest | Property::IsCTree | Property::Identifiable { .. }
    );
    match query.form {
        Form::YesNo if graph_level => Ok(yes_no_text(holds(g, &query.property, "")?)),
        Form::YesNo => {
            let candidate = query
                .candidate
                .as_deref()
                .ok_or_else(|| parse_error("", "yes/no question without a candidate"))?;
            Ok(yes_no_text(holds(g, &query.property, candidate)?))
        }
        Form::Choice => {
            for (letter, option) in LETTERS.iter().zip(&query.options) {
                if holds(g, &query.property, option)? {
                    return Ok(letter.to_string());
                }
            }
            Err(GraphError::InvalidArgument("no option has the asked property".into()))
        }
        Form::Count if query.property == Property::MaximalRootSet => {
            Ok(maximal_root_set(g).len().to_string())
        }
        Form::Count => Ok(all_with(g, &query.property)?.len().to_string()),
        Form::Exists => Ok(yes_no_text(!all_with(g, &query.property)?.is_empty())),
        Form::FindOne => all_with(g, &query.property)?
            .into_iter()
            .next()
            .ok_or_else(|| GraphError::InvalidArgument("no candidate has the asked property".into())),
        Form::FindAll => {
            let all = all_with(g, &query.property)?;
            Ok(match query.property {
                Property::MaximalRootSet => all.into_iter().next().unwrap_or_default(),
                _ => format!(
                    "[{}]",
                    all.iter()
                        .map(|s| if s.starts_with(['{', '(', 's']) { s.clone() } else { format!("'{s}'") })
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        }
    }
}

fn normalise_yes_no(text: &str) -> Option<bool> {
    let t = text.trim().trim_end_matches('.').to_ascii_lowercase();
    match t.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// Canonical form of one listed object, so that find-all lists compare as sets.
fn canonical(g: &CausalGraph, property: &Property, text: &str) -> String {
    match property {
        Property::Edge { .. } => {
            edge_key(text).map(|(a, c, b)| format!("{a}{c}{b}")).unwrap_or_else(|| text.to_string())
        }
        Property::Path { .. } => {
            parse_path(g, text).map(|p| compact_path(g, &p)).unwrap_or_else(|| text.to_string())
        }
        Property::Node { .. } | Property::Relative { .. } => text.trim().to_string(),
        Property::Triple(_) => names_in(text).join(","),
        _ => {
            let mut names = names_in(text);
            names.sort();
            names.join(",")
        }
    }
}

/// Judges an answer against the graph: yes/no, choice, count and exists answers must equal the
/// reference; find-one answers must have the property; find-all answers must list exactly the
/// candidates that have it.
pub fn judge(g: &CausalGraph, query: &Query, reference: &str, answer: &str) -> Result<bool> {
    Ok(match query.form {
        Form::YesNo | Form::Exists => {
            normalise_yes_no(answer).is_some() && normalise_yes_no(answer) == normalise_yes_no(reference)
        }
        Form::Choice | Form::Count => {
            answer.trim().trim_end_matches('.') == reference.trim().trim_end_matches('.')
        }
        Form::FindOne => {
            let items = match query.property {
                Property::EquivalentGraph => vec![answer.to_string()],
                _ if answer.trim_start().starts_with('[') => list_items(answer),
                _ => vec![answer.to_string()],
            };
            let mut ok = !items.is_empty();
            for item in &items {
                ok &= holds(g, &query.property, item)?;
                if query.property == Property::EquivalentGraph {
                    ok &= parse_clear(item).is_ok_and(|other| graph_edge_keys(&other) != graph_edge_keys(g));
                }
            }
            ok
        }
        Form::FindAll => match query.property {
            Property::MaximalRootSet => holds(g, &query.property, answer)?,
            _ => {
                let expected: BTreeSet<String> =
                    all_with(g, &query.property)?.iter().map(|s| canonical(g, &query.property, s)).collect();
                let given: BTreeSet<String> =
                    list_items(answer).iter().map(|s| canonical(g, &query.property, s)).collect();
                expected == given
            }
        },
    })
}

/// Accuracy counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Items judged correct.
    pub correct: usize,
    /// Items.
    pub total: usize,
    /// Items without an answer (counted wrong).
    pub unanswered: usize,
}

impl Tally {
    /// Correct / total (0 for no items).
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 { 0.0 } else { self.correct as f64 / self.total as f64 }
    }
}

/// Accuracy overall, per task and per question type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// All items.
    pub overall: Tally,
    /// Per `task_type`.
    pub by_task: BTreeMap<String, Tally>,
    /// Per `question_type`.
    pub by_question_type: BTreeMap<String, Tally>,
}

/// Judges answers (`None` = no answer) and tallies them. An item whose graph or question cannot
/// be read counts as wrong.
pub fn score(items: &[Item], answers: &[Option<String>]) -> Scores {
    let mut scores = Scores::default();
    for (i, item) in items.iter().enumerate() {
        let answer = answers.get(i).cloned().flatten();
        let correct = answer.as_deref().is_some_and(|a| {
            let judged = item.graph().and_then(|g| {
                let query = parse(&item.question, &item.question_type)?;
                judge(&g, &query, &item.answer_text(), a)
            });
            judged.unwrap_or(false)
        });
        for tally in [
            &mut scores.overall,
            scores.by_task.entry(item.task_type.clone()).or_default(),
            scores.by_question_type.entry(item.question_type.clone()).or_default(),
        ] {
            tally.total += 1;
            tally.correct += usize::from(correct);
            tally.unanswered += usize::from(answer.is_none());
        }
    }
    scores
}

/// The engine mode: parse, solve; failures are returned with their reason.
pub fn engine_answers(items: &[Item]) -> Vec<std::result::Result<String, String>> {
    items
        .iter()
        .map(|item| {
            let g = item.graph()?;
            solve(&g, &parse(&item.question, &item.question_type)?)
        })
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Generation.
// ---------------------------------------------------------------------------------------------

/// Writes items as official JSONL.
pub fn to_jsonl(items: &[Item]) -> Result<String> {
    let mut out = String::new();
    for item in items {
        let line = serde_json::to_string(item)
            .map_err(|e| GraphError::InvalidArgument(format!("cannot write item {}: {e}", item.uid)))?;
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// How generated items vary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perturbation {
    /// Draw node names from the whole alphabet instead of the first letters.
    pub rename: bool,
    /// List the nodes and edges of the description in a random order.
    pub shuffle: bool,
    /// Ask about half of the questions in a reworded form the parser also reads.
    pub paraphrase: bool,
}

/// The description of a DAG in the benchmark's words.
pub fn describe_dag(names: &[String], edges: &[(usize, usize)]) -> String {
    let edge_text: Vec<String> = edges.iter().map(|&(a, b)| format!("{}->{}", names[a], names[b])).collect();
    format!(
        "Given a DAG (directed acyclic graph) with nodes {} and directed edges {}.",
        names.join(", "),
        edge_text.join(", ")
    )
}

/// Generates `count` fresh DAG questions of nine tasks (node, edge, 2- and 3-node relations,
/// d-separation, directed paths, backdoor sets, Markov blankets, topological orders) on DAGs of
/// 4 to `max_nodes` nodes; answers are computed by the engine ([`solve`]).
pub fn generate(count: usize, max_nodes: usize, seed: u64, perturbation: Perturbation) -> Result<Vec<Item>> {
    generate_range(count, 4..=max_nodes, seed, perturbation)
}

/// Like [`generate`], with the number of nodes drawn from `nodes` (clamped to 3..=12).
pub fn generate_range(
    count: usize,
    nodes: std::ops::RangeInclusive<usize>,
    seed: u64,
    perturbation: Perturbation,
) -> Result<Vec<Item>> {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let max_nodes = (*nodes.end()).clamp(3, 12);
    let min_nodes = (*nodes.start()).clamp(3, max_nodes);
    let mut items = Vec::new();
    while items.len() < count {
        let n = rng.random_range(min_nodes..=max_nodes);
        let mut letters: Vec<char> = ('A'..='Z').collect();
        let names: Vec<String> = if perturbation.rename {
            (0..n).map(|_| letters.swap_remove(rng.random_range(0..letters.len())).to_string()).collect()
        } else {
            letters[..n].iter().map(|c| c.to_string()).collect()
        };
        let mut edges = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                if rng.random_bool(0.4) {
                    edges.push((a, b));
                }
            }
        }
        if edges.is_empty() {
            continue;
        }
        let mut listed = names.clone();
        if perturbation.shuffle {
            for i in (1..edges.len()).rev() {
                edges.swap(i, rng.random_range(0..=i));
            }
            for i in (1..listed.len()).rev() {
                listed.swap(i, rng.random_range(0..=i));
            }
        }
        let description = {
            let order: Vec<usize> = listed.iter().filter_map(|l| names.iter().position(|m| m == l)).collect();
            let remap: Vec<String> = order.iter().map(|&i| names[i].clone()).collect();
            let edges_in_order: Vec<(usize, usize)> = edges
                .iter()
                .filter_map(|&(a, b)| {
                    Some((order.iter().position(|&i| i == a)?, order.iter().position(|&i| i == b)?))
                })
                .collect();
            describe_dag(&remap, &edges_in_order)
        };
        let pick = |rng: &mut rand_chacha::ChaCha8Rng| names[rng.random_range(0..n)].clone();
        let two = |rng: &mut rand_chacha::ChaCha8Rng| {
            let a = rng.random_range(0..n);
            let b = (a + rng.random_range(1..n)) % n;
            (names[a].clone(), names[b].clone())
        };
        let some_set = |rng: &mut rand_chacha::ChaCha8Rng, exclude: &[String]| {
            let chosen: Vec<String> =
                names.iter().filter(|v| !exclude.contains(v) && rng.random_bool(0.3)).cloned().collect();
            if chosen.is_empty() {
                "set()".to_string()
            } else {
                format!("{{{}}}", chosen.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", "))
            }
        };
        // Drawn even without paraphrasing, so that the same seed asks the same questions.
        let reword = rng.random_bool(0.5) && perturbation.paraphrase;
        let say = |official: String, other: String| if reword { other } else { official };
        let (task, question_type, question) = match rng.random_range(0..11) {
            0 => (
                "node",
                "HM",
                say(
                    "How many nodes does this graph have?".into(),
                    "How many nodes are in this graph?".into(),
                ),
            ),
            1 => (
                "edge",
                "HM",
                say(
                    "How many edges does this graph have?".into(),
                    "How many edges are in this graph?".into(),
                ),
            ),
            2 => {
                let (a, b) = two(&mut rng);
                let kin = ["parents", "children", "ancestors", "descendants"][rng.random_range(0..4)];
                let question = say(
                    format!("Is node {a} one of {kin} of node {b}?"),
                    format!("Is node {a} among the {kin} of node {b}?"),
                );
                ("2_node_relation", "YN", question)
            }
            3 => {
                let kin = ["parents", "children", "ancestors", "descendants"][rng.random_range(0..4)];
                let node = pick(&mut rng);
                let question = say(
                    format!("How many {kin} does node {node} have?"),
                    format!("Count the {kin} of node {node}."),
                );
                ("2_node_relation", "HM", question)
            }
            4 => (
                "3_node_relation",
                "HM",
                say(
                    "How many v-structures does this graph have?".into(),
                    "Count the v-structures of this graph.".into(),
                ),
            ),
            5 => {
                let (a, b) = two(&mut rng);
                let z = some_set(&mut rng, &[a.clone(), b.clone()]);
                let question = say(
                    format!("Are node {a} and node {b} d-separated by nodeset {z}?"),
                    format!("Does nodeset {z} d-separate node {a} and node {b}?"),
                );
                ("d-separation", "YN", question)
            }
            6 => {
                let (a, b) = two(&mut rng);
                let question = say(
                    format!("How many directed paths are there from {a} to {b}?"),
                    format!("Count the directed paths from {a} to {b}."),
                );
                ("directed_path", "HM", question)
            }
            7 => {
                let (a, b) = two(&mut rng);
                let question = say(
                    format!("Is there a directed path from {a} to {b}?"),
                    format!("Does a directed path lead from {a} to {b}?"),
                );
                ("directed_path", "EX", question)
            }
            8 => {
                let (a, b) = two(&mut rng);
                let z = some_set(&mut rng, &[a.clone(), b.clone()]);
                (
                    "backdoor_adjustment_set",
                    "YN",
                    say(
                        format!("Is {z} a valid backdoor adjustment set for treatment {a} and outcome {b}?"),
                        format!("Does {z} satisfy the backdoor criterion for treatment {a} and outcome {b}?"),
                    ),
                )
            }
            9 => {
                let node = pick(&mut rng);
                let question = say(
                    format!("What is the markov blanket of node {node}?"),
                    format!("Which nodes form the markov blanket of node {node}?"),
                );
                ("markov_blanket", "FO", question)
            }
            _ => (
                "topological",
                "FO",
                say(
                    "Find one valid topological ordering of the graph.".into(),
                    "Give one topological ordering of the graph.".into(),
                ),
            ),
        };
        let graph = parse_clear(&description)?;
        let answer = solve(&graph, &parse(&question, question_type)?)?;
        items.push(Item {
            description,
            graph_type: "DAG".into(),
            uid: format!("gen-{seed}-{}", items.len()),
            sid: serde_json::Value::from(0),
            question,
            answer: serde_json::Value::String(answer),
            question_type: question_type.into(),
            task_type: task.into(),
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A -> B -> C, A -> C, D -> B: hand-checked answers for question forms beyond the dev slice.
    fn graph() -> CausalGraph {
        parse_clear("Given a DAG (directed acyclic graph) with nodes A, B, C, D and directed edges A->B, B->C, A->C, D->B.")
            .unwrap()
    }

    fn ask(question: &str, kind: &str) -> String {
        solve(&graph(), &parse(question, kind).unwrap()).unwrap()
    }

    #[test]
    fn yes_no_questions_about_named_paths_and_orders() {
        assert_eq!(ask("Is A->B->C a directed path from A to C?", "YN"), "Yes.");
        assert_eq!(ask("Is A->C<-B a directed path from A to C?", "YN"), "No.");
        assert_eq!(ask("Is B<-A->C a backdoor path from B to C?", "YN"), "Yes.");
        assert_eq!(ask("Is B->C a backdoor path from B to C?", "YN"), "No.");
        assert_eq!(ask("Is A, D, B, C a valid topological ordering of the graph?", "YN"), "Yes.");
        assert_eq!(ask("Is C, A, D, B a valid topological ordering of the graph?", "YN"), "No.");
    }

    #[test]
    fn counting_questions() {
        // A->C, A->B->C.
        assert_eq!(ask("How many directed paths are there from A to C?", "HM"), "2");
        // D->B->C, D->B<-A->C.
        assert_eq!(ask("How many paths are there from D to C?", "HM"), "2");
        // A, D free: A D B C, D A B C.
        assert_eq!(ask("How many topological orderings does this graph have?", "HM"), "2");
        // Only A -> B <- D with A, D non-adjacent.
        assert_eq!(ask("How many v-structures does this graph have?", "HM"), "1");
    }

    #[test]
    fn multiple_choice_without_the_word_node() {
        let q = "Which of the following is a backdoor path from B to C?\nA. B->C\nB. B<-A->C\nC. B<-D->C\nD. B->A->C";
        assert_eq!(ask(q, "MC"), "B");
    }
}
