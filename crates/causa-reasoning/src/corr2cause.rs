//! Corr2Cause (Jin et al., ICLR 2024): is a causal hypothesis entailed by a list of (conditional)
//! correlations and independencies among the variables of a closed system?
//!
//! The premise is complete and faithful: the stated independencies are exactly the d-separations
//! of the unknown DAG, and every unlisted marginal pair is correlated. So the premise pins down one
//! Markov equivalence class, which the PC steps recover exactly from the statements used as an
//! independence oracle (skeleton from the pairs with no separating set, colliders from the
//! separating sets, then Meek's rules). A hypothesis is valid iff it holds in every DAG of the
//! class. The solver checks that one DAG of the class reproduces the premise exactly, so an
//! unfaithful or inconsistent premise is an error, not a silent guess.
//!
//! The hypothesis semantics follow the development labels: "directly causes" is an edge, a
//! collider is a common child and a confounder a common parent (whether or not the two variables
//! are adjacent), and "causes something else which causes" needs a directed path of at least two
//! edges (an edge between the two as well does not falsify it). On the 150 development rows this
//! reading disagrees with 4 labels, each shown to contradict the premise in the tests.
//!
//! The text parser works on sentence shapes: the declared variable names are replaced by
//! placeholders and the remaining words are matched against a table of phrasings, the same table
//! the generator draws paraphrases from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use causa_graph::equivalence::{apply_meek_rules, enumerate_extensions};
use causa_graph::{CausalGraph, GraphError, Mark, NodeId, Result};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::benchdata::read_text;
use crate::csv;

/// One benchmark item in the official CSV format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// `"Premise: ...\nHypothesis: ..."`.
    pub input: String,
    /// True when the hypothesis is valid (label 1).
    pub label: bool,
    /// The number of variables of the closed system.
    pub num_variables: usize,
    /// The hypothesis template, e.g. `non-parent ancestor`.
    pub template: String,
}

/// Reads the official CSV file (`input,label,num_variables,template`).
pub fn load(path: &Path) -> Result<Vec<Item>> {
    load_str(&read_text(path)?)
}

/// Parses the official CSV text.
pub fn load_str(text: &str) -> Result<Vec<Item>> {
    csv::parse_records(text)?
        .iter()
        .map(|(line, record)| {
            let row = *line;
            let number = |name: &str| -> Result<usize> {
                let value = csv::field(record, name, row)?;
                value.trim().parse().map_err(|_| GraphError::Parse {
                    line: row,
                    token: value.to_string(),
                    message: format!("column `{name}` must be a whole number"),
                })
            };
            Ok(Item {
                input: csv::field(record, "input", row)?.to_string(),
                label: match number("label")? {
                    0 => false,
                    1 => true,
                    _ => {
                        return Err(GraphError::Parse {
                            line: row,
                            token: csv::field(record, "label", row)?.to_string(),
                            message: "column `label` must be 0 or 1".into(),
                        });
                    }
                },
                num_variables: number("num_variables")?,
                template: csv::field(record, "template", row)?.to_string(),
            })
        })
        .collect()
}

/// Writes items in the official CSV format.
pub fn to_csv(items: &[Item]) -> String {
    let mut out = String::from("input,label,num_variables,template\n");
    for item in items {
        out.push_str(&format!(
            "{},{},{},{}\n",
            csv::quote(&item.input),
            u8::from(item.label),
            item.num_variables,
            csv::quote(&item.template)
        ));
    }
    out
}

/// One statistical statement of the premise.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Relation {
    /// The two variables are marginally correlated.
    Correlated(String, String),
    /// The two variables are independent given the (possibly empty) set.
    Independent {
        /// First variable.
        x: String,
        /// Second variable.
        y: String,
        /// The conditioning set.
        given: Vec<String>,
    },
}

/// The causal hypothesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Hypothesis {
    /// `cause -> effect` (templates `parent` and `child`).
    DirectCause {
        /// The cause.
        cause: String,
        /// The effect.
        effect: String,
    },
    /// A directed path with at least two edges leads from `cause` to `effect` (templates
    /// `non-parent ancestor` and `non-child descendant`). The benchmark's labels count such a path
    /// even when `cause -> effect` is also an edge ("causes something else which causes"); reading
    /// it as "ancestor and not parent" disagrees with 5 of the 150 development labels.
    IndirectCause {
        /// The cause.
        cause: String,
        /// The effect.
        effect: String,
    },
    /// Some variable is a common child of both (`x -> c <- y`).
    Collider(String, String),
    /// Some variable is a common parent of both (`x <- c -> y`).
    Confounder(String, String),
}

/// The formal query of one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Query {
    /// The variables of the closed system, in the stated order.
    pub variables: Vec<String>,
    /// The statements of the premise.
    pub relations: Vec<Relation>,
    /// The hypothesis to check.
    pub hypothesis: Hypothesis,
}

/// Phrasings of a marginal correlation; `{X}` and `{Y}` are the variables.
pub const CORRELATION_FORMS: &[&str] =
    &["{X} correlates with {Y}", "{X} and {Y} are correlated", "{X} is statistically dependent on {Y}"];
/// Phrasings of a marginal independence.
pub const INDEPENDENCE_FORMS: &[&str] = &[
    "{X} is independent of {Y}",
    "{X} and {Y} are independent",
    "{X} and {Y} are statistically independent",
];
/// Phrasings of a conditional independence; `{Z}` is the conditioning list.
pub const CONDITIONAL_FORMS: &[&str] = &[
    "{X} and {Y} are independent given {Z}",
    "{X} is independent of {Y} given {Z}",
    "{X} and {Y} are conditionally independent given {Z}",
    "{X} and {Y} are independent when controlling for {Z}",
];
/// Phrasings of a direct cause; `{X}` causes `{Y}`.
pub const DIRECT_FORMS: &[&str] =
    &["{X} directly causes {Y}", "{X} is a direct cause of {Y}", "{Y} is directly caused by {X}"];
/// Phrasings of an indirect cause (ancestor, not parent).
pub const INDIRECT_FORMS: &[&str] = &[
    "{X} causes something else which causes {Y}",
    "{X} is a cause for {Y}, but not a direct one",
    "{X} causes {Y} only through at least one other variable",
];
/// Phrasings of a common child.
pub const COLLIDER_FORMS: &[&str] = &[
    "There exists at least one collider (i.e., common effect) of {X} and {Y}",
    "{X} and {Y} have at least one common effect",
];
/// Phrasings of a common parent.
pub const CONFOUNDER_FORMS: &[&str] = &[
    "There exists at least one confounder (i.e., common cause) of {X} and {Y}",
    "{X} and {Y} have at least one common cause",
];

const CONDITION_MARKERS: &[&str] = &[" given ", " when controlling for "];

fn parse_error(token: &str, message: impl Into<String>) -> GraphError {
    GraphError::Parse { line: 1, token: token.chars().take(80).collect(), message: message.into() }
}

/// Splits "A, B and C" into names.
fn split_list(text: &str) -> Vec<String> {
    let text = text.trim().trim_end_matches('.');
    let (head, last) = match text.rsplit_once(" and ") {
        Some((head, last)) => (head, Some(last)),
        None => (text, None),
    };
    head.split(", ").chain(last).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Replaces each declared name (a whole word) by `{V}` and returns the shape and the names found.
fn shape_of(sentence: &str, names: &BTreeSet<String>) -> (String, Vec<String>) {
    let mut found = Vec::new();
    let words: Vec<String> = sentence
        .split(' ')
        .map(|word| {
            let core = word.trim_end_matches([',', '.', ')']);
            if names.contains(core) {
                found.push(core.to_string());
                format!("{{V}}{}", &word[core.len()..])
            } else {
                word.to_string()
            }
        })
        .collect();
    (words.join(" "), found)
}

/// Matches a sentence against phrasings; returns the form index and the (X, Y) names.
fn match_forms(sentence: &str, names: &BTreeSet<String>, forms: &[&str]) -> Option<(String, String)> {
    let (shape, found) = shape_of(sentence, names);
    for form in forms {
        let x_first = form.find("{X}")? < form.find("{Y}")?;
        let generic = form.replace("{X}", "{V}").replace("{Y}", "{V}");
        if generic == shape && found.len() == 2 {
            let (x, y) = if x_first { (0, 1) } else { (1, 0) };
            return Some((found[x].clone(), found[y].clone()));
        }
    }
    None
}

fn parse_statement(sentence: &str, names: &BTreeSet<String>) -> Result<Relation> {
    let sentence = sentence.trim().trim_start_matches("However, ").trim_end_matches('.');
    if let Some((x, y)) = match_forms(sentence, names, CORRELATION_FORMS) {
        return Ok(Relation::Correlated(x, y));
    }
    if let Some((x, y)) = match_forms(sentence, names, INDEPENDENCE_FORMS) {
        return Ok(Relation::Independent { x, y, given: Vec::new() });
    }
    for marker in CONDITION_MARKERS {
        let Some((head, tail)) = sentence.rsplit_once(marker) else { continue };
        let given = split_list(tail);
        if let Some(bad) = given.iter().find(|z| !names.contains(*z)) {
            return Err(parse_error(bad, "conditioning on a variable the premise does not declare"));
        }
        let heads: Vec<String> = CONDITIONAL_FORMS
            .iter()
            .filter_map(|f| f.split_once(marker).map(|(h, _)| h.to_string()))
            .collect();
        let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
        if let Some((x, y)) = match_forms(head, names, &heads) {
            return Ok(Relation::Independent { x, y, given });
        }
    }
    Err(parse_error(sentence, "not a correlation or independence statement"))
}

fn parse_hypothesis(sentence: &str, names: &BTreeSet<String>) -> Result<Hypothesis> {
    let sentence = sentence.trim().trim_end_matches('.');
    if let Some((cause, effect)) = match_forms(sentence, names, DIRECT_FORMS) {
        return Ok(Hypothesis::DirectCause { cause, effect });
    }
    if let Some((cause, effect)) = match_forms(sentence, names, INDIRECT_FORMS) {
        return Ok(Hypothesis::IndirectCause { cause, effect });
    }
    if let Some((x, y)) = match_forms(sentence, names, COLLIDER_FORMS) {
        return Ok(Hypothesis::Collider(x, y));
    }
    if let Some((x, y)) = match_forms(sentence, names, CONFOUNDER_FORMS) {
        return Ok(Hypothesis::Confounder(x, y));
    }
    Err(parse_error(sentence, "not a known hypothesis form"))
}

/// Parses an item's `input` text into the formal query.
pub fn parse(input: &str) -> Result<Query> {
    let (premise, hypothesis) =
        input.split_once("Hypothesis:").ok_or_else(|| parse_error(input, "no `Hypothesis:` part"))?;
    let premise = premise.trim().trim_start_matches("Premise:").trim();
    let (intro, body) =
        premise.split_once(':').ok_or_else(|| parse_error(premise, "no `:` before the statements"))?;
    let declared = intro
        .split_once(" variables, ")
        .and_then(|(_, rest)| rest.split_once('.'))
        .map(|(list, _)| split_list(list))
        .ok_or_else(|| parse_error(intro, "expected `... closed system of N variables, A, B and C.`"))?;
    let names: BTreeSet<String> = declared.iter().cloned().collect();
    if names.len() != declared.len() || names.is_empty() {
        return Err(parse_error(intro, "the variable list is empty or repeats a name"));
    }
    let relations = body
        .split(". ")
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != ".")
        .map(|s| parse_statement(s, &names))
        .collect::<Result<Vec<_>>>()?;
    let hypothesis = parse_hypothesis(hypothesis, &names)?;
    Ok(Query { variables: declared, relations, hypothesis })
}

/// The independence facts of a premise, keyed by the unordered pair.
struct Oracle {
    sepsets: BTreeMap<(NodeId, NodeId), Vec<BTreeSet<NodeId>>>,
}

impl Oracle {
    fn new(graph: &CausalGraph, relations: &[Relation]) -> Result<Self> {
        let mut sepsets: BTreeMap<(NodeId, NodeId), Vec<BTreeSet<NodeId>>> = BTreeMap::new();
        for relation in relations {
            if let Relation::Independent { x, y, given } = relation {
                let (a, b) = (graph.require(x)?, graph.require(y)?);
                let z = graph.require_all(given)?.into_iter().collect();
                sepsets.entry((a.min(b), a.max(b))).or_default().push(z);
            }
        }
        Ok(Oracle { sepsets })
    }

    fn independent(&self, a: NodeId, b: NodeId, z: &BTreeSet<NodeId>) -> bool {
        self.sepsets.get(&(a.min(b), a.max(b))).is_some_and(|sets| sets.contains(z))
    }
}

/// The Markov equivalence class (as its DAGs) that a premise describes.
pub fn equivalence_class(query: &Query) -> Result<Vec<CausalGraph>> {
    let mut pdag = CausalGraph::with_nodes(query.variables.iter().map(String::as_str))?;
    let oracle = Oracle::new(&pdag, &query.relations)?;
    for relation in &query.relations {
        if let Relation::Correlated(x, y) = relation {
            let (a, b) = (pdag.require(x)?, pdag.require(y)?);
            if oracle.independent(a, b, &BTreeSet::new()) {
                return Err(parse_error(
                    x,
                    format!("`{x}` and `{y}` are stated both correlated and independent"),
                ));
            }
        }
    }
    let n = pdag.node_count();
    let ids: Vec<NodeId> = (0..n).map(NodeId::from_index).collect();
    for (i, &a) in ids.iter().enumerate() {
        for &b in &ids[i + 1..] {
            if !oracle.sepsets.contains_key(&(a, b)) {
                pdag.add_undirected(a, b)?;
            }
        }
    }
    for ((a, b), sets) in &oracle.sepsets {
        let sepset = sets.iter().min_by_key(|s| s.len()).cloned().unwrap_or_default();
        for c in ids.iter().copied() {
            if pdag.is_adjacent(*a, c) && pdag.is_adjacent(*b, c) && !sepset.contains(&c) {
                for end in [*a, *b] {
                    if pdag.has_directed(c, end) {
                        return Err(GraphError::NotExtendable(format!(
                            "the premise implies conflicting colliders at `{}`",
                            pdag.name(c)
                        )));
                    }
                    pdag.set_edge(end, c, Mark::Tail, Mark::Arrow)?;
                }
            }
        }
    }
    apply_meek_rules(&mut pdag)?;
    let extensions = enumerate_extensions(&pdag, 100_000)?;
    if extensions.truncated {
        return Err(GraphError::InvalidArgument(
            "the premise allows more than 100,000 DAGs; too many variables for the exact check".into(),
        ));
    }
    let dags = extensions.dags;
    let first = dags.first().ok_or_else(|| GraphError::NotExtendable("no DAG fits the premise".into()))?;
    check_faithful(first, &oracle)?;
    Ok(dags)
}

/// Every subset of `items`.
fn subsets(items: &[NodeId]) -> impl Iterator<Item = BTreeSet<NodeId>> + '_ {
    (0u32..1 << items.len()).map(move |mask| {
        items.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, v)| *v).collect()
    })
}

/// Fails unless the DAG's d-separations are exactly the premise's independencies.
fn check_faithful(dag: &CausalGraph, oracle: &Oracle) -> Result<()> {
    for statement in d_separations(dag)? {
        let (a, b, z) = statement;
        if !oracle.independent(a, b, &z) {
            return Err(GraphError::NotExtendable(format!(
                "no DAG is faithful to the premise: `{}` and `{}` would be independent given {{{}}}",
                dag.name(a),
                dag.name(b),
                dag.names_of(&z).join(", ")
            )));
        }
    }
    let stated: usize = oracle.sepsets.values().map(Vec::len).sum();
    if stated != d_separations(dag)?.len() {
        return Err(GraphError::NotExtendable(
            "no DAG is faithful to the premise: some stated independence cannot hold with the others".into(),
        ));
    }
    Ok(())
}

/// All d-separation statements `(a, b, Z)` with `a < b` of a DAG, in the benchmark's order.
pub fn d_separations(dag: &CausalGraph) -> Result<Vec<(NodeId, NodeId, BTreeSet<NodeId>)>> {
    let ids: Vec<NodeId> = dag.node_ids().collect();
    let mut out = Vec::new();
    for (i, &a) in ids.iter().enumerate() {
        for &b in &ids[i + 1..] {
            let rest: Vec<NodeId> = ids.iter().copied().filter(|v| *v != a && *v != b).collect();
            let mut sets: Vec<BTreeSet<NodeId>> = Vec::new();
            for z in subsets(&rest) {
                let zv: Vec<NodeId> = z.iter().copied().collect();
                if dag.d_separated(&[a], &[b], &zv)? {
                    sets.push(z);
                }
            }
            sets.sort_by_key(|z| z.iter().map(|v| dag.name(*v).to_string()).collect::<Vec<_>>());
            out.extend(sets.into_iter().map(|z| (a, b, z)));
        }
    }
    Ok(out)
}

/// Whether the hypothesis holds in one DAG.
pub fn holds_in(dag: &CausalGraph, hypothesis: &Hypothesis) -> Result<bool> {
    Ok(match hypothesis {
        Hypothesis::DirectCause { cause, effect } => {
            let (c, e) = (dag.require(cause)?, dag.require(effect)?);
            dag.has_directed(c, e)
        }
        Hypothesis::IndirectCause { cause, effect } => {
            let (c, e) = (dag.require(cause)?, dag.require(effect)?);
            has_long_path(dag, c, e)
        }
        Hypothesis::Collider(x, y) => {
            let (x, y) = (dag.require(x)?, dag.require(y)?);
            let of_y: BTreeSet<NodeId> = dag.children(y).into_iter().collect();
            dag.children(x).iter().any(|c| of_y.contains(c))
        }
        Hypothesis::Confounder(x, y) => {
            let (x, y) = (dag.require(x)?, dag.require(y)?);
            let of_y: BTreeSet<NodeId> = dag.parents(y).into_iter().collect();
            dag.parents(x).iter().any(|c| of_y.contains(c))
        }
    })
}

/// Whether a directed path with at least two edges leads from `c` to `e`.
fn has_long_path(dag: &CausalGraph, c: NodeId, e: NodeId) -> bool {
    let reach = dag.ancestors(&[e]);
    dag.children(c).into_iter().any(|k| k != e && reach.contains(&k))
}

/// The engine's answer: is the hypothesis true in every DAG the premise allows?
pub fn solve(query: &Query) -> Result<bool> {
    let dags = equivalence_class(query)?;
    for dag in &dags {
        if !holds_in(dag, &query.hypothesis)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The official hypothesis templates.
pub const TEMPLATES: &[&str] =
    &["parent", "child", "non-parent ancestor", "non-child descendant", "has_collider", "has_confounder"];

/// How generated items vary from the official wording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perturbation {
    /// Draw each statement's phrasing at random from the paraphrase tables.
    pub paraphrase: bool,
    /// Rename the variables (A, B, ... become other words).
    pub rename: bool,
}

fn pick<'a>(rng: &mut ChaCha8Rng, forms: &[&'a str], paraphrase: bool) -> &'a str {
    if paraphrase { forms[rng.random_range(0..forms.len())] } else { forms[0] }
}

fn fill(form: &str, x: &str, y: &str) -> String {
    form.replace("{X}", x).replace("{Y}", y)
}

fn join_list(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, head)) if !head.is_empty() => format!("{} and {last}", head.join(", ")),
        Some((last, _)) => last.to_string(),
        None => String::new(),
    }
}

/// Writes the official premise text for a DAG (all correlations, then all independencies).
pub fn premise_text(dag: &CausalGraph, rng: &mut ChaCha8Rng, paraphrase: bool) -> Result<String> {
    let n = dag.node_count();
    let names: Vec<&str> = dag.names().collect();
    let mut text = format!(
        "Suppose there is a closed system of {n} variables, {}. All the statistical relations among these {n} variables are as follows:",
        join_list(&names)
    );
    let separations = d_separations(dag)?;
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (NodeId::from_index(i), NodeId::from_index(j));
            if !separations.iter().any(|(x, y, z)| (*x, *y) == (a, b) && z.is_empty()) {
                text.push_str(&format!(
                    " {}.",
                    fill(pick(rng, CORRELATION_FORMS, paraphrase), names[i], names[j])
                ));
            }
        }
    }
    for (k, (a, b, z)) in separations.iter().enumerate() {
        let sentence = if z.is_empty() {
            fill(pick(rng, INDEPENDENCE_FORMS, paraphrase), dag.name(*a), dag.name(*b))
        } else {
            let given: Vec<&str> = z.iter().map(|v| dag.name(*v)).collect();
            fill(pick(rng, CONDITIONAL_FORMS, paraphrase), dag.name(*a), dag.name(*b))
                .replace("{Z}", &join_list(&given))
        };
        let prefix = if k == 0 && text.ends_with('.') { "However, " } else { "" };
        text.push_str(&format!(" {prefix}{sentence}."));
    }
    Ok(text)
}

fn hypothesis_of(template: &str, x: &str, y: &str) -> Hypothesis {
    let (x, y) = (x.to_string(), y.to_string());
    match template {
        "parent" | "child" => Hypothesis::DirectCause { cause: x, effect: y },
        "non-parent ancestor" | "non-child descendant" => Hypothesis::IndirectCause { cause: x, effect: y },
        "has_collider" => Hypothesis::Collider(x, y),
        _ => Hypothesis::Confounder(x, y),
    }
}

fn hypothesis_text(template: &str, x: &str, y: &str, rng: &mut ChaCha8Rng, paraphrase: bool) -> String {
    let forms = match template {
        "parent" | "child" => DIRECT_FORMS,
        "non-parent ancestor" | "non-child descendant" => INDIRECT_FORMS,
        "has_collider" => COLLIDER_FORMS,
        _ => CONFOUNDER_FORMS,
    };
    format!("{}.", fill(pick(rng, forms, paraphrase), x, y))
}

/// Writes a query back as an item's `input` text, with the official phrasing or, when
/// `paraphrase` is set, phrasings drawn at random from the tables.
pub fn render(query: &Query, rng: &mut ChaCha8Rng, paraphrase: bool) -> String {
    let n = query.variables.len();
    let names: Vec<&str> = query.variables.iter().map(String::as_str).collect();
    let mut text = format!(
        "Premise: Suppose there is a closed system of {n} variables, {}. All the statistical relations among these {n} variables are as follows:",
        join_list(&names)
    );
    let mut first_independence = true;
    for relation in &query.relations {
        let sentence = match relation {
            Relation::Correlated(x, y) => fill(pick(rng, CORRELATION_FORMS, paraphrase), x, y),
            Relation::Independent { x, y, given } if given.is_empty() => {
                fill(pick(rng, INDEPENDENCE_FORMS, paraphrase), x, y)
            }
            Relation::Independent { x, y, given } => {
                let given: Vec<&str> = given.iter().map(String::as_str).collect();
                fill(pick(rng, CONDITIONAL_FORMS, paraphrase), x, y).replace("{Z}", &join_list(&given))
            }
        };
        let prefix = match relation {
            Relation::Independent { .. } => {
                let prefix = if first_independence && text.ends_with('.') { "However, " } else { "" };
                first_independence = false;
                prefix
            }
            Relation::Correlated(..) => "",
        };
        text.push_str(&format!(" {prefix}{sentence}."));
    }
    let (forms, x, y) = match &query.hypothesis {
        Hypothesis::DirectCause { cause, effect } => (DIRECT_FORMS, cause, effect),
        Hypothesis::IndirectCause { cause, effect } => (INDIRECT_FORMS, cause, effect),
        Hypothesis::Collider(x, y) => (COLLIDER_FORMS, x, y),
        Hypothesis::Confounder(x, y) => (CONFOUNDER_FORMS, x, y),
    };
    text.push_str(&format!("\nHypothesis: {}.", fill(pick(rng, forms, paraphrase), x, y)));
    text
}

/// The query with every variable renamed through `rename` (names it does not map are kept).
pub fn renamed(query: &Query, rename: &BTreeMap<String, String>) -> Query {
    let r = |name: &String| rename.get(name).cloned().unwrap_or_else(|| name.clone());
    let relations = query
        .relations
        .iter()
        .map(|relation| match relation {
            Relation::Correlated(x, y) => Relation::Correlated(r(x), r(y)),
            Relation::Independent { x, y, given } => {
                Relation::Independent { x: r(x), y: r(y), given: given.iter().map(r).collect() }
            }
        })
        .collect();
    let hypothesis = match &query.hypothesis {
        Hypothesis::DirectCause { cause, effect } => {
            Hypothesis::DirectCause { cause: r(cause), effect: r(effect) }
        }
        Hypothesis::IndirectCause { cause, effect } => {
            Hypothesis::IndirectCause { cause: r(cause), effect: r(effect) }
        }
        Hypothesis::Collider(x, y) => Hypothesis::Collider(r(x), r(y)),
        Hypothesis::Confounder(x, y) => Hypothesis::Confounder(r(x), r(y)),
    };
    Query { variables: query.variables.iter().map(r).collect(), relations, hypothesis }
}

/// Variable names used by the renaming perturbation.
pub const RENAMES: &[&str] = &[
    "Rain", "Traffic", "Noise", "Sleep", "Stress", "Income", "Diet", "Exercise", "Mood", "Pollen", "Wind",
    "Sales", "Prices", "Demand", "Supply", "Age", "Height", "Weight",
];

/// A random DAG on `n` nodes named `names`, each forward pair (in a random order) joined with
/// probability `density`.
pub fn random_dag(names: &[&str], density: f64, rng: &mut ChaCha8Rng) -> Result<CausalGraph> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let mut dag = CausalGraph::with_nodes(names.iter().copied())?;
    for i in 0..order.len() {
        for j in i + 1..order.len() {
            if rng.random_bool(density) {
                dag.add_directed(NodeId::from_index(order[i]), NodeId::from_index(order[j]))?;
            }
        }
    }
    Ok(dag)
}

/// Generates `count` fresh items with 2 to `max_variables` variables; the label is computed by the
/// engine from the generated premise.
pub fn generate(
    count: usize,
    max_variables: usize,
    seed: u64,
    perturbation: Perturbation,
) -> Result<Vec<Item>> {
    generate_range(count, 2..=max_variables, seed, perturbation)
}

/// Like [`generate`], with the number of variables drawn from `variables` (clamped to 2..=6: the
/// exact equivalence-class check enumerates every conditioning set).
pub fn generate_range(
    count: usize,
    variables: std::ops::RangeInclusive<usize>,
    seed: u64,
    perturbation: Perturbation,
) -> Result<Vec<Item>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let max_variables = (*variables.end()).clamp(2, 6);
    let min_variables = (*variables.start()).clamp(2, max_variables);
    let mut items = Vec::with_capacity(count);
    while items.len() < count {
        let n = rng.random_range(min_variables..=max_variables);
        let names: Vec<String> = if perturbation.rename {
            let mut pool: Vec<&str> = RENAMES.to_vec();
            (0..n).map(|_| pool.swap_remove(rng.random_range(0..pool.len())).to_string()).collect()
        } else {
            (0..n).map(|i| char::from(b'A' + i as u8).to_string()).collect()
        };
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let dag = random_dag(&refs, rng.random_range(0.2..0.7), &mut rng)?;
        let premise = premise_text(&dag, &mut rng, perturbation.paraphrase)?;
        let class = equivalence_class(&parse(&format!(
            "Premise: {premise}\nHypothesis: {} directly causes {}.",
            names[0], names[1]
        ))?)?;
        // Valid hypotheses are rare among random ones; draw half of the items from the valid ones
        // (when the class has any) so that both classes are well represented.
        let mut candidates = Vec::new();
        for template in TEMPLATES {
            for x in 0..n {
                for y in (0..n).filter(|y| *y != x) {
                    let hypothesis = hypothesis_of(template, &names[x], &names[y]);
                    let mut valid = true;
                    for dag in &class {
                        valid &= holds_in(dag, &hypothesis)?;
                    }
                    candidates.push((*template, x, y, valid));
                }
            }
        }
        let want_valid = rng.random_bool(0.5) && candidates.iter().any(|c| c.3);
        let pool: Vec<&(&str, usize, usize, bool)> =
            candidates.iter().filter(|c| !want_valid || c.3).collect();
        let &(template, x, y, _) = pool[rng.random_range(0..pool.len())];
        let hypothesis = hypothesis_text(template, &names[x], &names[y], &mut rng, perturbation.paraphrase);
        let input = format!("Premise: {premise}\nHypothesis: {hypothesis}");
        let label = solve(&parse(&input)?)?;
        items.push(Item { input, label, num_variables: n, template: template.to_string() });
    }
    Ok(items)
}

/// Counts of a binary classification of the valid class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// Valid items predicted valid.
    pub tp: usize,
    /// Invalid items predicted valid.
    pub fp: usize,
    /// Valid items predicted invalid (or not answered).
    pub fn_: usize,
    /// Invalid items predicted invalid.
    pub tn: usize,
    /// Items without an answer (each also counted as wrong in the cells above).
    pub unanswered: usize,
}

impl Confusion {
    /// Adds one item; an unanswered item counts as the wrong answer.
    pub fn add(&mut self, label: bool, prediction: Option<bool>) {
        if prediction.is_none() {
            self.unanswered += 1;
        }
        match (label, prediction.unwrap_or(!label)) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    /// The number of items.
    pub fn total(&self) -> usize {
        self.tp + self.fp + self.fn_ + self.tn
    }

    /// Precision of the valid class (0 when nothing is predicted valid).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Recall of the valid class.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// F1 of the valid class, the official metric.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }

    /// Accuracy.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.total())
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The official scores, overall and broken down by template and by number of variables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// All items.
    pub overall: Confusion,
    /// Per template.
    pub by_template: BTreeMap<String, Confusion>,
    /// Per number of variables.
    pub by_variables: BTreeMap<usize, Confusion>,
}

/// Scores predictions (`None` = no answer) against the items' labels.
pub fn score(items: &[Item], predictions: &[Option<bool>]) -> Scores {
    let mut scores = Scores::default();
    for (i, item) in items.iter().enumerate() {
        let prediction = predictions.get(i).copied().flatten();
        scores.overall.add(item.label, prediction);
        scores.by_template.entry(item.template.clone()).or_default().add(item.label, prediction);
        scores.by_variables.entry(item.num_variables).or_default().add(item.label, prediction);
    }
    scores
}

/// The engine mode: parse and solve each item; failures are returned with their reason.
pub fn engine_predictions(items: &[Item]) -> Vec<std::result::Result<bool, String>> {
    items.iter().map(|item| parse(&item.input).and_then(|q| solve(&q)).map_err(|e| e.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_other_than_0_or_1_is_an_error_at_its_line() {
        let text = "input,label,num_variables,template\n\"Premise: A correlates with B.\nHypothesis: A causes B.\",7,2,parent\n";
        let err = load_str(text).unwrap_err().to_string();
        assert!(err.starts_with("line 2: column `label` must be 0 or 1 (at `7`)"), "{err}");
        assert_eq!(load_str(&text.replace(",7,", ",1,")).unwrap().len(), 1);
    }

    fn query(relations: &str, hypothesis: &str) -> Query {
        let text = format!(
            "Premise: Suppose there is a closed system of 3 variables, A, B and C. All the statistical relations among these 3 variables are as follows: {relations}\nHypothesis: {hypothesis}"
        );
        parse(&text).unwrap()
    }

    #[test]
    fn a_collider_premise_orients_both_edges() {
        // A -> C <- B is the only DAG with exactly these independencies.
        let relations = "A correlates with C. B correlates with C. However, A is independent of B.";
        assert!(solve(&query(relations, "A directly causes C.")).unwrap());
        assert!(
            solve(&query(relations, "There exists at least one collider (i.e., common effect) of A and B."))
                .unwrap()
        );
        assert!(!solve(&query(relations, "C directly causes A.")).unwrap());
    }

    #[test]
    fn a_chain_premise_leaves_directions_open() {
        // A - C - B with A independent of B given C: three equivalent DAGs (chains both ways, fork).
        let relations = "A correlates with B. A correlates with C. B correlates with C. However, A and B are independent given C.";
        let q = query(relations, "A directly causes C.");
        assert_eq!(equivalence_class(&q).unwrap().len(), 3);
        assert!(!solve(&q).unwrap());
        assert!(
            !solve(&query(
                relations,
                "There exists at least one confounder (i.e., common cause) of A and B."
            ))
            .unwrap()
        );
    }

    #[test]
    fn lists_split_on_commas_and_the_last_and() {
        assert_eq!(split_list("A, B, C and D."), vec!["A", "B", "C", "D"]);
        assert_eq!(split_list("A"), vec!["A"]);
    }
}
