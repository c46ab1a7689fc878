//! CLadder (Jin et al., NeurIPS 2023): yes/no questions on the three rungs of the ladder of
//! causation, each about a small story whose causal graph and probabilities are stated in words.
//!
//! The parser never reads the `reasoning` column. It reads the story structurally:
//! - "A has a direct effect on B and C." gives the graph; "A is unobserved." marks latent nodes;
//! - the probability sentences ("The overall probability of ...", "The probability of ... and
//!   ...", "For ..., the probability of ... is ...") are grouped; within a group the conditions
//!   follow the benchmark's fixed binary order (all-0 first, the first-named condition varying
//!   slowest), and the event of a probability is always the variable's value 1. That order gives
//!   the value of every phrase, and a word-overlap match (with elimination) gives its variable, so
//!   a story needs no dictionary of value words;
//! - the question is matched against the benchmark's question forms (one per query type) and its
//!   phrases are resolved against the phrases learned from the statements.
//!
//! The solver picks the formula from the graph: backdoor adjustment with a valid observed set,
//! otherwise the front-door formula, otherwise the instrumental-variable ratio, and the mediation
//! formulas for natural direct and indirect effects; the needed probabilities are looked up or
//! derived (complements, ratios of joints, total probability over a root, Bayes' rule).

use std::collections::BTreeMap;
use std::path::Path;

use causa_graph::adjust::is_valid_backdoor_set;
use causa_graph::{CausalGraph, GraphError, NodeId, Result};
use serde::{Deserialize, Serialize};

use crate::benchdata::read_text;
use crate::csv;

/// One benchmark item in the official CSV format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Question identifier.
    pub id: String,
    /// The story and the question.
    pub prompt: String,
    /// True for "yes".
    pub label: bool,
    /// 1, 2 or 3.
    pub rung: u8,
    /// `ate`, `ett`, `nie`, `marginal`, ...
    pub query_type: String,
    /// The graph family (`chain`, `fork`, `IV`, ...), for the breakdown only.
    pub graph_id: String,
    /// `commonsense`, `anticommonsense` or `nonsense` story (also `easy`/`hard` for the
    /// adjustment-set questions), for the breakdown only; empty when the file has no such column.
    #[serde(default)]
    pub question_property: String,
}

/// Reads the official CSV file; the `reasoning` column is not kept.
pub fn load(path: &Path) -> Result<Vec<Item>> {
    load_str(&read_text(path)?)
}

/// Parses the official CSV text.
pub fn load_str(text: &str) -> Result<Vec<Item>> {
    csv::parse_records(text)?
        .iter()
        .map(|(line, record)| {
            let row = *line;
            let label = csv::field(record, "label", row)?;
            let rung = csv::field(record, "rung", row)?;
            Ok(Item {
                id: csv::field(record, "id", row)?.to_string(),
                prompt: csv::field(record, "prompt", row)?.to_string(),
                label: match label.trim() {
                    "yes" => true,
                    "no" => false,
                    other => return Err(record_error(row, other, "label must be `yes` or `no`")),
                },
                rung: rung.trim().parse().map_err(|_| record_error(row, rung, "rung must be 1, 2 or 3"))?,
                query_type: csv::field(record, "query_type", row)?.to_string(),
                graph_id: csv::field(record, "graph_id", row)?.to_string(),
                question_property: csv::field(record, "question_property", row)
                    .map(str::to_string)
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// An error in the record that starts on `line`.
fn record_error(line: usize, token: &str, message: impl Into<String>) -> GraphError {
    GraphError::Parse { line, token: token.chars().take(80).collect(), message: message.into() }
}

fn parse_error(token: &str, message: impl Into<String>) -> GraphError {
    GraphError::Parse { line: 1, token: token.chars().take(80).collect(), message: message.into() }
}

/// A variable at a value.
pub type Event = (String, bool);

/// A stated probability `P(event | given) = value`; events with several members are joints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Fact {
    /// The variables and values whose probability is stated.
    pub event: Vec<Event>,
    /// The conditions.
    pub given: Vec<Event>,
    /// The probability, in [0, 1].
    pub value: f64,
}

/// A deterministic mechanism: `effect` takes the stated value exactly when `cause` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Mechanism {
    /// The conditions, combined with `all` (and) or not (or).
    pub cause: Vec<Event>,
    /// True for "and", false for "or".
    pub all: bool,
    /// The variable set and the value it takes when the condition holds.
    pub effect: Event,
}

/// The question of an item, in formal terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Question {
    /// Is `P(event) > 1/2` (`more`) or `< 1/2`?
    Marginal {
        /// The event.
        event: Event,
        /// "more likely" (true) or "less likely".
        more: bool,
    },
    /// Is `P(y | x) > P(y | not x)` (`larger`) or smaller?
    Correlation {
        /// The observed value.
        x: Event,
        /// The outcome.
        y: Event,
        /// "larger" or "smaller".
        larger: bool,
    },
    /// Does setting `x` raise (`increase`) or lower the chance of `y`, compared with its opposite?
    Ate {
        /// The intervention.
        x: Event,
        /// The outcome.
        y: Event,
        /// "increase" or "decrease".
        increase: bool,
    },
    /// Among units with `factual`, would `y` be more (`more`) or less likely had the treatment
    /// been `counterfactual`?
    Ett {
        /// The observed treatment value.
        factual: Event,
        /// The outcome.
        y: Event,
        /// The treatment value imagined.
        counterfactual: Event,
        /// "more likely" or "less likely".
        more: bool,
    },
    /// Does `x` affect `y` positively (`positive`) through the mediators (natural indirect effect)?
    Nie {
        /// The treatment.
        x: Event,
        /// The outcome.
        y: Event,
        /// "positively" or "negatively".
        positive: bool,
    },
    /// Disregarding the mediation, does `x` affect `y` positively (natural direct effect)?
    Nde {
        /// The treatment.
        x: Event,
        /// The outcome.
        y: Event,
        /// "positively" or "negatively".
        positive: bool,
    },
    /// Is adjusting for `method1` more correct than adjusting for `method2` for the effect of `x`
    /// on `y`?
    BackdoorChoice {
        /// The treatment variable.
        x: String,
        /// The outcome variable.
        y: String,
        /// Method 1's adjustment set.
        method1: Vec<String>,
        /// Method 2's adjustment set.
        method2: Vec<String>,
    },
    /// Within a selected group, does `x` causally affect `y` (or, `negated`, not affect it)?
    ColliderBias {
        /// The first variable.
        x: String,
        /// The second variable.
        y: String,
        /// "does not affect" instead of "affects".
        negated: bool,
    },
    /// Within `selected`, does the chance of `y` rise (`increase`) when `x` is observed?
    ExplainAway {
        /// The selection.
        selected: Event,
        /// The observed value.
        x: Event,
        /// The outcome.
        y: Event,
        /// "increase" or "decrease".
        increase: bool,
    },
    /// Under the mechanisms and the evidence, would `y` hold if `x` were set?
    Counterfactual {
        /// The outcome asked about.
        y: Event,
        /// The intervention.
        x: Event,
    },
}

/// The formal query of one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Query {
    /// Variable names (lower case), in order of appearance.
    pub variables: Vec<String>,
    /// Directed edges `(cause, effect)`.
    pub edges: Vec<(String, String)>,
    /// Latent variables.
    pub unobserved: Vec<String>,
    /// Stated probabilities.
    pub facts: Vec<Fact>,
    /// Stated deterministic mechanisms.
    pub mechanisms: Vec<Mechanism>,
    /// Observed values (for deterministic counterfactuals).
    pub evidence: Vec<Event>,
    /// The question.
    pub question: Question,
}

// ---------------------------------------------------------------------------------------------
// Words.
// ---------------------------------------------------------------------------------------------

const STOPWORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "to",
    "is",
    "are",
    "who",
    "for",
    "people",
    "those",
    "with",
    "and",
    "or",
    "do",
    "does",
    "has",
    "have",
    "had",
    "be",
    "being",
    "been",
    "in",
    "on",
    "at",
    "by",
    "individuals",
    "individual",
    "patients",
    "students",
    "situations",
    "where",
    "there",
    "person",
    "that",
    "which",
    "it",
    "its",
    "was",
    "were",
    "as",
    "from",
    "their",
    "they",
    "them",
    "someone",
    "we",
    "this",
    "these",
    "than",
];

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').trim_end_matches("'s").to_string())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(&w.as_str()))
        .collect()
}

const NEGATIONS: &[&str] = &["not", "no", "non", "don't", "doesn't", "didn't", "never", "without"];

/// Two words are related when one contains the other's first four letters (smoking, nonsmokers).
fn related(a: &str, b: &str) -> bool {
    let stem = |w: &str| w.chars().take(4).collect::<String>();
    if a.len() < 3 || b.len() < 3 {
        return a == b;
    }
    a.contains(&stem(b)) || b.contains(&stem(a))
}

/// How many content words of `phrase` relate to a word of `name`.
fn overlap(phrase: &str, name: &str) -> usize {
    let name_words = words(name);
    words(phrase)
        .iter()
        .filter(|w| !NEGATIONS.contains(&w.as_str()))
        .filter(|w| name_words.iter().any(|n| related(w, n)))
        .count()
}

/// Similarity of two phrases of the same variable: shared words, with negations counted exactly.
fn phrase_similarity(a: &str, b: &str) -> f64 {
    let (wa, wb) = (words(a), words(b));
    let neg = |w: &[String]| w.iter().any(|x| NEGATIONS.contains(&x.as_str()) || x.starts_with("non"));
    let shared = wa.iter().filter(|x| wb.iter().any(|y| related(x, y))).count() as f64;
    let union = (wa.len() + wb.len()) as f64 - shared;
    if shared == 0.0 {
        return 0.0;
    }
    shared / union + if neg(&wa) == neg(&wb) { 0.5 } else { 0.0 }
}

fn split_names(text: &str) -> Vec<String> {
    let text = text.trim().trim_end_matches('.');
    let (head, last) = match text.rsplit_once(" and ") {
        Some((head, last)) => (head, Some(last)),
        None => (text, None),
    };
    head.split(", ").chain(last).map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect()
}

fn percent(text: &str) -> Option<f64> {
    let number = text.trim().trim_end_matches('.').trim_end_matches('%');
    number
        .parse::<f64>()
        .ok()
        .map(|v| if text.trim().trim_end_matches('.').ends_with('%') { v / 100.0 } else { v })
}

/// Splits the story into sentences at ". " and "? ", keeping decimals intact.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        let at_end = chars.get(i + 1).is_none_or(|n| *n == ' ');
        if (c == '.' || c == '?') && at_end {
            let s = current.trim().trim_end_matches(['.']).trim().to_string();
            if !s.is_empty() {
                out.push(s);
            }
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Statements.
// ---------------------------------------------------------------------------------------------

/// A probability sentence before its phrases are resolved to variables.
#[derive(Clone, Debug)]
struct RawProbability {
    /// The event phrase; for a joint ("The probability of A and B") both phrases, split later
    /// once the variables are known.
    event: String,
    /// True for "The probability of A and B" sentences.
    joint: bool,
    /// Condition phrases as written (not yet split into conjuncts).
    given: Option<String>,
    value: f64,
}

struct Story {
    variables: Vec<String>,
    edges: Vec<(String, String)>,
    unobserved: Vec<String>,
    probabilities: Vec<RawProbability>,
    mechanisms: Vec<(String, String)>,
    observed: Option<String>,
    methods: Vec<String>,
    correlation: Option<(String, String, String, f64)>,
    question: String,
}

fn read_story(prompt: &str) -> Result<Story> {
    let body = prompt.split_once("causal relationships:").map_or(prompt, |(_, rest)| rest);
    // Paraphrases the generator may use, mapped to the official wording.
    let body = body.replace(" Among ", " For ").replace(", the chance of ", ", the probability of ");
    let body = body.as_str();
    let mut story = Story {
        variables: Vec::new(),
        edges: Vec::new(),
        unobserved: Vec::new(),
        probabilities: Vec::new(),
        mechanisms: Vec::new(),
        observed: None,
        methods: Vec::new(),
        correlation: None,
        question: String::new(),
    };
    let all = sentences(body);
    let (question, statements) = all.split_last().ok_or_else(|| parse_error(prompt, "empty prompt"))?;
    story.question = question.clone();
    let add_var = |vars: &mut Vec<String>, v: &str| {
        if !vars.iter().any(|x| x == v) {
            vars.push(v.to_string());
        }
    };
    for s in statements {
        if let Some((cause, effects)) = s.split_once(" has a direct effect on ") {
            let cause = cause.trim().to_lowercase();
            add_var(&mut story.variables, &cause);
            for effect in split_names(effects) {
                add_var(&mut story.variables, &effect);
                story.edges.push((cause.clone(), effect));
            }
        } else if let Some(name) = s.strip_suffix(" is unobserved") {
            story.unobserved.push(name.trim().to_lowercase());
        } else if let Some(rest) = s.strip_prefix("The overall probability of ") {
            let (phrase, value) = rest.rsplit_once(" is ").ok_or_else(|| parse_error(s, "no ` is `"))?;
            let value = percent(value).ok_or_else(|| parse_error(value, "not a percentage"))?;
            story.probabilities.push(RawProbability {
                event: phrase.to_string(),
                joint: false,
                given: None,
                value,
            });
        } else if let Some(rest) = s.strip_prefix("The probability of ") {
            let (phrase, value) = rest.rsplit_once(" is ").ok_or_else(|| parse_error(s, "no ` is `"))?;
            let value = percent(value).ok_or_else(|| parse_error(value, "not a percentage"))?;
            story.probabilities.push(RawProbability {
                event: phrase.to_string(),
                joint: true,
                given: None,
                value,
            });
        } else if let Some(rest) = s.strip_prefix("For ") {
            if let Some((given, tail)) = rest.split_once(", the probability of ") {
                let (phrase, value) = tail.rsplit_once(" is ").ok_or_else(|| parse_error(s, "no ` is `"))?;
                let value = percent(value).ok_or_else(|| parse_error(value, "not a percentage"))?;
                story.probabilities.push(RawProbability {
                    event: phrase.to_string(),
                    joint: false,
                    given: Some(given.to_string()),
                    value,
                });
            } else if let Some((given, tail)) = rest.split_once(", the correlation between ") {
                let (pair, value) = tail.rsplit_once(" is ").ok_or_else(|| parse_error(s, "no ` is `"))?;
                let (a, b) =
                    pair.split_once(" and ").ok_or_else(|| parse_error(pair, "expected `A and B`"))?;
                let value = percent(value).ok_or_else(|| parse_error(value, "not a number"))?;
                story.correlation = Some((given.to_string(), a.to_string(), b.to_string(), value));
            } else {
                return Err(parse_error(s, "unknown `For ...` statement"));
            }
        } else if let Some(rest) = s.strip_prefix("We know that ") {
            let (cause, effect) =
                rest.rsplit_once(" causes ").ok_or_else(|| parse_error(s, "no ` causes `"))?;
            story.mechanisms.push((cause.to_string(), effect.to_string()));
        } else if let Some(rest) = s.strip_prefix("We observed ") {
            story.observed = Some(rest.to_string());
        } else if s.starts_with("Method 1: ") || s.starts_with("Method 2: ") {
            story.methods.push(s[10..].to_string());
        } else if let Some((cause, effect)) = s.rsplit_once(" causes ") {
            // Mechanisms after the first drop the "We know that" prefix.
            story.mechanisms.push((cause.to_string(), effect.to_string()));
        } else {
            return Err(parse_error(s, "unknown statement"));
        }
    }
    if story.variables.is_empty() {
        return Err(parse_error(prompt, "no `has a direct effect on` statement"));
    }
    Ok(story)
}

/// Phrase -> (variable, value) learned from the statements.
#[derive(Default, Debug)]
struct Lexicon {
    entries: Vec<(String, String, bool)>,
}

impl Lexicon {
    fn learn(&mut self, phrase: &str, variable: &str, value: bool) {
        let phrase = phrase.trim().to_lowercase();
        if !self.entries.iter().any(|(p, v, _)| *p == phrase && v == variable) {
            self.entries.push((phrase, variable.to_string(), value));
        }
    }

    /// The variable and value of a phrase: those of the most similar learned phrase (restricted
    /// to `variable` when given), where sharing a negation counts; None when no learned phrase
    /// shares a word with it.
    fn resolve(&self, phrase: &str, variable: Option<&str>) -> Option<Event> {
        let phrase = phrase.trim().to_lowercase();
        let candidates = self.entries.iter().filter(|(_, v, _)| variable.is_none_or(|want| v == want));
        let mut best: Option<(f64, &(String, String, bool))> = None;
        for entry in candidates {
            let score = if entry.0 == phrase { 10.0 } else { phrase_similarity(&phrase, &entry.0) };
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, entry));
            }
        }
        best.filter(|(score, _)| *score > 0.0).map(|(_, (_, v, value))| (v.clone(), *value))
    }
}

/// Assigns each phrase slot to a distinct variable, maximizing word overlap; slot 0 may be forced.
fn assign(slots: &[Vec<String>], variables: &[String]) -> Option<Vec<String>> {
    let n = slots.len();
    if n > variables.len() {
        return None;
    }
    let mut best: Option<(usize, Vec<usize>)> = None;
    let mut choice = vec![0usize; n];
    fn search(
        slot: usize,
        slots: &[Vec<String>],
        variables: &[String],
        choice: &mut Vec<usize>,
        best: &mut Option<(usize, Vec<usize>)>,
    ) {
        if slot == slots.len() {
            let score: usize = choice
                .iter()
                .zip(slots)
                .map(|(&v, phrases)| phrases.iter().map(|p| overlap(p, &variables[v])).sum::<usize>())
                .sum();
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                *best = Some((score, choice.clone()));
            }
            return;
        }
        for v in 0..variables.len() {
            if !choice[..slot].contains(&v) {
                choice[slot] = v;
                search(slot + 1, slots, variables, choice, best);
            }
        }
    }
    search(0, slots, variables, &mut choice, &mut best);
    best.map(|(_, c)| c.into_iter().map(|i| variables[i].clone()).collect())
}

/// Splits a condition into `k` conjuncts at " and ", trying every choice of `k - 1` split points.
fn conjunct_splits(text: &str, k: usize) -> Vec<Vec<String>> {
    let positions: Vec<usize> = text.match_indices(" and ").map(|(i, _)| i).collect();
    let mut out = Vec::new();
    let mut points = Vec::new();
    choose_points(text, &positions, k.saturating_sub(1), 0, &mut points, &mut out);
    out
}

fn choose_points(
    text: &str,
    positions: &[usize],
    wanted: usize,
    from: usize,
    points: &mut Vec<usize>,
    out: &mut Vec<Vec<String>>,
) {
    if points.len() == wanted {
        let mut parts = Vec::new();
        let mut start = 0;
        for &p in points.iter() {
            parts.push(text[start..p].trim().to_string());
            start = p + " and ".len();
        }
        parts.push(text[start..].trim().to_string());
        out.push(parts);
        return;
    }
    for (i, &p) in positions.iter().enumerate().skip(from) {
        points.push(p);
        choose_points(text, positions, wanted, i + 1, points, out);
        points.pop();
    }
}

/// Turns the probability sentences into facts, learning the phrases on the way.
fn resolve_probabilities(story: &Story, lexicon: &mut Lexicon) -> Result<Vec<Fact>> {
    let vars = &story.variables;
    let mut facts = Vec::new();
    let mut i = 0;
    let probs = &story.probabilities;
    while i < probs.len() {
        let p = &probs[i];
        let joint = p.joint;
        // A group: consecutive sentences of the same shape and event phrase.
        let same = |q: &RawProbability| {
            q.joint == p.joint && q.given.is_some() == p.given.is_some() && (joint || q.event == p.event)
        };
        let mut j = i + 1;
        while j < probs.len() && same(&probs[j]) && p.given.is_some() {
            j += 1;
        }
        if joint {
            while j < probs.len() && same(&probs[j]) {
                j += 1;
            }
        }
        let group = &probs[i..j];
        if joint {
            // "The probability of A and B": split at the " and " giving two known variables.
            let mut best: Option<(usize, String, String, Vec<String>)> = None;
            for q in group {
                for (a, b) in q.event.match_indices(" and ").map(|(k, _)| (&q.event[..k], &q.event[k + 5..]))
                {
                    let slots = vec![vec![a.to_string()], vec![b.to_string()]];
                    if let Some(assigned) = assign(&slots, vars) {
                        let score = overlap(a, &assigned[0]) + overlap(b, &assigned[1]);
                        if best.as_ref().is_none_or(|(s, ..)| score > *s) {
                            best = Some((score, a.to_string(), b.to_string(), assigned));
                        }
                    }
                }
            }
            let (_, _, _, assigned) =
                best.ok_or_else(|| parse_error(&p.event, "cannot split the joint event"))?;
            // The phrase that changes across the group varies 0 then 1; a fixed one is value 1.
            let parts: Vec<(String, String)> = group
                .iter()
                .map(|q| {
                    let text = &q.event;
                    let cut = text
                        .match_indices(" and ")
                        .map(|(k, _)| k)
                        .max_by_key(|&k| {
                            overlap(&text[..k], &assigned[0]) + overlap(&text[k + 5..], &assigned[1])
                        })
                        .unwrap_or(0);
                    (text[..cut].to_string(), text[(cut + 5).min(text.len())..].to_string())
                })
                .collect();
            for (index, (a, b)) in parts.iter().enumerate() {
                let varies_a = parts.iter().any(|(x, _)| x != a);
                let varies_b = parts.iter().any(|(_, y)| y != b);
                let bit = index % 2 == 1;
                let va = if varies_a { bit } else { true };
                let vb = if varies_b && !varies_a { bit } else { true };
                lexicon.learn(a, &assigned[0], va);
                lexicon.learn(b, &assigned[1], vb);
                facts.push(Fact {
                    event: vec![(assigned[0].clone(), va), (assigned[1].clone(), vb)],
                    given: Vec::new(),
                    value: group[index].value,
                });
            }
        } else if p.given.is_some() {
            let k = group.len().trailing_zeros() as usize;
            if group.len() != 1 << k || k == 0 {
                return Err(parse_error(&p.event, "conditional probabilities not in groups of 2, 4 or 8"));
            }
            // Split every condition into k conjuncts consistently with the binary order.
            let splits: Vec<Vec<Vec<String>>> =
                group.iter().map(|q| conjunct_splits(q.given.as_deref().unwrap_or_default(), k)).collect();
            let mut chosen: Vec<Vec<String>> = Vec::new();
            for (index, options) in splits.iter().enumerate() {
                let pick = options
                    .iter()
                    .find(|parts| {
                        chosen.iter().enumerate().all(|(prev, earlier)| {
                            (0..k).all(|c| {
                                let bit = |n: usize| (n >> (k - 1 - c)) & 1;
                                (bit(prev) == bit(index)) == (earlier[c] == parts[c])
                            })
                        })
                    })
                    .or_else(|| options.first())
                    .cloned()
                    .ok_or_else(|| {
                        parse_error(
                            group[index].given.as_deref().unwrap_or_default(),
                            "cannot split the condition",
                        )
                    })?;
                chosen.push(pick);
            }
            let mut slots: Vec<Vec<String>> = vec![vec![p.event.clone()]];
            for c in 0..k {
                slots.push(chosen.iter().map(|parts| parts[c].clone()).collect());
            }
            let assigned = assign(&slots, vars)
                .ok_or_else(|| parse_error(&p.event, "more conditions than variables"))?;
            lexicon.learn(&p.event, &assigned[0], true);
            for (index, parts) in chosen.iter().enumerate() {
                let mut given = Vec::new();
                for c in 0..k {
                    let value = (index >> (k - 1 - c)) & 1 == 1;
                    lexicon.learn(&parts[c], &assigned[c + 1], value);
                    given.push((assigned[c + 1].clone(), value));
                }
                facts.push(Fact {
                    event: vec![(assigned[0].clone(), true)],
                    given,
                    value: group[index].value,
                });
            }
        } else {
            let assigned =
                assign(&[vec![p.event.clone()]], vars).ok_or_else(|| parse_error(&p.event, "no variable"))?;
            lexicon.learn(&p.event, &assigned[0], true);
            facts.push(Fact { event: vec![(assigned[0].clone(), true)], given: Vec::new(), value: p.value });
        }
        i = j;
    }
    Ok(facts)
}

// ---------------------------------------------------------------------------------------------
// Questions.
// ---------------------------------------------------------------------------------------------

fn strip_any<'a>(text: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| text.strip_prefix(p))
}

/// The variable a phrase names best among all variables (by word overlap), for questions that
/// name a variable rather than a value.
fn variable_named(phrase: &str, vars: &[String]) -> Option<String> {
    let phrase_l = phrase.trim().to_lowercase();
    if let Some(v) = vars.iter().find(|v| **v == phrase_l) {
        return Some(v.clone());
    }
    vars.iter().max_by_key(|v| overlap(phrase, v)).filter(|v| overlap(phrase, v) > 0).cloned()
}

fn parse_question(story: &Story, lexicon: &Lexicon, mechanisms: &[Mechanism]) -> Result<Question> {
    let q = story.question.trim().trim_end_matches('?');
    let fail = || parse_error(q, "unknown question form");
    let resolve = |phrase: &str, var: Option<&str>| {
        lexicon.resolve(phrase, var).ok_or_else(|| parse_error(phrase, "phrase matches no stated value"))
    };
    let vars = &story.variables;
    if let Some(rest) = q.strip_prefix("To understand how ") {
        let (x, rest) = rest.split_once(" affects ").ok_or_else(fail)?;
        let y = rest.split_once(", is it more correct").ok_or_else(fail)?.0;
        let x = variable_named(x, vars).ok_or_else(fail)?;
        let y = variable_named(y, vars).ok_or_else(fail)?;
        let set_of = |method: &str| -> Vec<String> {
            match method.split_once("case by case according to ") {
                Some((_, z)) => split_names(z).into_iter().filter_map(|n| variable_named(&n, vars)).collect(),
                None => Vec::new(),
            }
        };
        if story.methods.len() != 2 {
            return Err(parse_error(q, "expected Method 1 and Method 2"));
        }
        return Ok(Question::BackdoorChoice {
            x,
            y,
            method1: set_of(&story.methods[0]),
            method2: set_of(&story.methods[1]),
        });
    }
    if let Some(rest) = q.strip_prefix("If we look at ") {
        let (selected, rest) = rest.split_once(", ").ok_or_else(fail)?;
        if let Some(rest) = rest.strip_prefix("does it mean that ") {
            let (x, y, negated) = rest
                .split_once(" does not affect ")
                .map(|(a, b)| (a, b, true))
                .or_else(|| rest.split_once(" affects ").map(|(a, b)| (a, b, false)))
                .ok_or_else(fail)?;
            let (_, a, b, _) = story.correlation.clone().ok_or_else(fail)?;
            let x = variable_named(x, vars).or_else(|| variable_named(&a, vars)).ok_or_else(fail)?;
            let y = variable_named(y, vars)
                .filter(|v| *v != x)
                .or_else(|| vars.iter().find(|v| **v != x && overlap(&b, v) > 0).cloned())
                .or_else(|| {
                    // The outcome is the other cause of the collider.
                    let sel = story.correlation.as_ref().map(|c| c.0.clone()).unwrap_or_default();
                    let z = variable_named(&sel, vars);
                    vars.iter().find(|v| **v != x && Some((*v).clone()) != z).cloned()
                })
                .ok_or_else(fail)?;
            return Ok(Question::ColliderBias { x, y, negated });
        }
        let rest = rest.strip_prefix("does the chance of ").ok_or_else(fail)?;
        let (y, rest) = rest
            .split_once(" increase when ")
            .map(|(a, b)| (a, (b, true)))
            .or_else(|| rest.split_once(" decrease when ").map(|(a, b)| (a, (b, false))))
            .ok_or_else(fail)?;
        let (x, increase) = rest;
        return Ok(Question::ExplainAway {
            selected: resolve(selected, None)?,
            x: resolve(x, None)?,
            y: resolve(y, None)?,
            increase,
        });
    }
    if let Some(rest) = q.strip_prefix("Is the chance of ") {
        let (y, rest, larger) = rest
            .split_once(" larger when observing ")
            .map(|(a, b)| (a, b, true))
            .or_else(|| rest.split_once(" smaller when observing ").map(|(a, b)| (a, b, false)))
            .ok_or_else(fail)?;
        let x = resolve(rest, None)?;
        let y = resolve(y, None)?;
        return Ok(Question::Correlation { x, y, larger });
    }
    if let Some(rest) = q.strip_prefix("Is ")
        && let Some(rest) = rest.strip_suffix(" overall")
    {
        let (a, more) = rest
            .split_once(" more likely than ")
            .map(|(a, _)| (a, true))
            .or_else(|| rest.split_once(" less likely than ").map(|(a, _)| (a, false)))
            .ok_or_else(fail)?;
        return Ok(Question::Marginal { event: resolve(a, None)?, more });
    }
    if let Some(rest) = q.strip_prefix("Will ") {
        let (x, rest, increase) = rest
            .split_once(" increase the chance of ")
            .map(|(a, b)| (a, b, true))
            .or_else(|| rest.split_once(" decrease the chance of ").map(|(a, b)| (a, b, false)))
            .ok_or_else(fail)?;
        return Ok(Question::Ate { x: resolve(x, None)?, y: resolve(rest, None)?, increase });
    }
    if let Some(rest) = q.strip_prefix("For ") {
        let (factual, rest) = rest.split_once(", would it be ").ok_or_else(fail)?;
        let (more, rest) = strip_any(rest, &["more likely to see "])
            .map(|r| (true, r))
            .or_else(|| strip_any(rest, &["less likely to see "]).map(|r| (false, r)))
            .ok_or_else(fail)?;
        let (y, counterfactual) = rest.split_once(" if ").ok_or_else(fail)?;
        let factual = resolve(factual, None)?;
        let counterfactual = resolve(counterfactual, Some(&factual.0))?;
        return Ok(Question::Ett { factual, y: resolve(y, None)?, counterfactual, more });
    }
    if let Some(rest) = q.strip_prefix("If we disregard the mediation effect through ") {
        let (_, rest) = rest.split_once(", would ").ok_or_else(fail)?;
        let (x, rest, positive) = rest
            .split_once(" positively affect ")
            .map(|(a, b)| (a, b, true))
            .or_else(|| rest.split_once(" negatively affect ").map(|(a, b)| (a, b, false)))
            .ok_or_else(fail)?;
        let x = variable_named(x, vars).ok_or_else(fail)?;
        let y = variable_named(rest, vars).ok_or_else(fail)?;
        return Ok(Question::Nde { x: (x, true), y: (y, true), positive });
    }
    if let Some(rest) = q.strip_prefix("Does ") {
        let (x, rest, positive) = rest
            .split_once(" positively affect ")
            .map(|(a, b)| (a, b, true))
            .or_else(|| rest.split_once(" negatively affect ").map(|(a, b)| (a, b, false)))
            .ok_or_else(fail)?;
        let (y, _) = rest.split_once(" through ").ok_or_else(fail)?;
        let x = variable_named(x, vars).ok_or_else(fail)?;
        let y = variable_named(y, vars).ok_or_else(fail)?;
        return Ok(Question::Nie { x: (x, true), y: (y, true), positive });
    }
    if !mechanisms.is_empty()
        && let Some(rest) = q.strip_prefix("Would ")
    {
        let (y, rest) = rest.split_once(" if ").ok_or_else(fail)?;
        let (x, _) = rest.split_once(" instead of ").ok_or_else(fail)?;
        return Ok(Question::Counterfactual {
            y: value_phrase(y, story, mechanisms)?,
            x: value_phrase(x, story, mechanisms)?,
        });
    }
    Err(fail())
}

/// Parses a prompt into the formal query.
pub fn parse(prompt: &str) -> Result<Query> {
    let story = read_story(prompt)?;
    let mut lexicon = Lexicon::default();
    let facts = resolve_probabilities(&story, &mut lexicon)?;
    let mechanisms = learn_mechanisms(&story)?;
    let evidence = match &story.observed {
        Some(text) => text
            .split(" and ")
            .map(|part| value_phrase(part, &story, &mechanisms))
            .collect::<Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    let question = parse_question(&story, &lexicon, &mechanisms)?;
    Ok(Query {
        variables: story.variables.clone(),
        edges: story.edges.clone(),
        unobserved: story.unobserved.clone(),
        facts,
        mechanisms,
        evidence,
        question,
    })
}

/// Reads "A and B causes C" mechanisms (also "A causes B and not C" and two mechanisms joined by
/// ", and we know that"). Each phrase is assigned to a variable by word overlap under the graph's
/// constraint that every cause is a parent of every effect; its value comes from its wording
/// ([`polarity`]), since a deterministic story states no probabilities to learn values from.
fn learn_mechanisms(story: &Story) -> Result<Vec<Mechanism>> {
    let mut out = Vec::new();
    let mut sentences = Vec::new();
    for (cause, effect) in &story.mechanisms {
        let text = format!("{cause} causes {effect}");
        sentences.extend(text.split(", and we know that ").map(str::to_string));
    }
    for sentence in sentences {
        let (cause, effect) =
            sentence.rsplit_once(" causes ").ok_or_else(|| parse_error(&sentence, "no ` causes `"))?;
        let all = !cause.contains(" or ");
        let causes: Vec<&str> = cause.split(if all { " and " } else { " or " }).collect();
        let effects: Vec<&str> = effect.split(" and ").collect();
        let (cause_vars, effect_vars) = assign_mechanism(story, &causes, &effects)
            .ok_or_else(|| parse_error(&sentence, "no variables of the graph fit this mechanism"))?;
        let cause_events: Vec<Event> =
            causes.iter().zip(&cause_vars).map(|(phrase, var)| (var.clone(), polarity(phrase))).collect();
        for (phrase, var) in effects.iter().zip(effect_vars) {
            out.push(Mechanism { cause: cause_events.clone(), all, effect: (var, polarity(phrase)) });
        }
    }
    Ok(out)
}

/// Chooses distinct variables for the cause and effect phrases, every cause a parent of every
/// effect, maximizing word overlap.
fn assign_mechanism(story: &Story, causes: &[&str], effects: &[&str]) -> Option<(Vec<String>, Vec<String>)> {
    let slots: Vec<Vec<String>> = causes.iter().chain(effects).map(|p| vec![p.to_string()]).collect();
    let vars = &story.variables;
    let n = slots.len();
    let mut best: Option<(usize, Vec<usize>)> = None;
    let mut choice = vec![0usize; n];
    let is_parent = |a: &str, b: &str| story.edges.iter().any(|(x, y)| x == a && y == b);
    fn search(
        slot: usize,
        n: usize,
        vars: &[String],
        choice: &mut Vec<usize>,
        visit: &mut dyn FnMut(&[usize]),
    ) {
        if slot == n {
            visit(choice);
            return;
        }
        for v in 0..vars.len() {
            if !choice[..slot].contains(&v) {
                choice[slot] = v;
                search(slot + 1, n, vars, choice, visit);
            }
        }
    }
    let mut visit = |c: &[usize]| {
        let (cs, es) = c.split_at(causes.len());
        let fits = cs.iter().all(|&a| es.iter().all(|&b| is_parent(&vars[a], &vars[b])));
        if !fits {
            return;
        }
        let score: usize = c.iter().zip(&slots).map(|(&v, p)| overlap(&p[0], &vars[v])).sum();
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, c.to_vec()));
        }
    };
    search(0, n, vars, &mut choice, &mut visit);
    let (_, c) = best?;
    let names: Vec<String> = c.iter().map(|&i| vars[i].clone()).collect();
    let (cs, es) = names.split_at(causes.len());
    Some((cs.to_vec(), es.to_vec()))
}

/// The variable a value phrase is about, by word overlap (None if no word relates).
fn variable_of_phrase(phrase: &str, vars: &[String]) -> Option<String> {
    vars.iter().max_by_key(|v| overlap(phrase, v)).filter(|v| overlap(phrase, v) > 0).cloned()
}

/// Words that mark the low, absent or negated value of a binary variable.
const ABSENCE: &[&str] =
    &["not", "no", "absence", "off", "low", "without", "never", "reduced", "decreased", "lower"];

/// The value a phrase states: 0 when it carries a word of negation or absence (or a `non-`
/// prefix), 1 otherwise.
fn polarity(phrase: &str) -> bool {
    !words(phrase).iter().any(|w| ABSENCE.contains(&w.as_str()) || (w.starts_with("non") && w.len() > 5))
}

/// A value phrase of a deterministic story: the variable by overlap among `candidates` (all
/// variables when empty), the value by wording.
fn value_phrase(phrase: &str, story: &Story, mechanisms: &[Mechanism]) -> Result<Event> {
    let mentioned: Vec<String> = mechanisms
        .iter()
        .flat_map(|m| m.cause.iter().map(|e| e.0.clone()).chain([m.effect.0.clone()]))
        .collect();
    let var = variable_of_phrase(phrase, &story.variables)
        .or_else(|| {
            // A word-less match (e.g. "female" for gender): the one root no mechanism sets.
            let roots: Vec<&String> = story
                .variables
                .iter()
                .filter(|v| !mechanisms.iter().any(|m| m.effect.0 == **v) && mentioned.contains(v))
                .collect();
            (roots.len() == 1).then(|| roots[0].clone())
        })
        .ok_or_else(|| parse_error(phrase, "phrase matches no variable"))?;
    Ok((var, polarity(phrase)))
}

// ---------------------------------------------------------------------------------------------
// The solver.
// ---------------------------------------------------------------------------------------------

struct Model<'a> {
    query: &'a Query,
    graph: CausalGraph,
}

fn sorted(events: &[Event]) -> Vec<Event> {
    let mut e = events.to_vec();
    e.sort();
    e
}

impl<'a> Model<'a> {
    fn new(query: &'a Query) -> Result<Self> {
        let mut graph = CausalGraph::new();
        for v in &query.variables {
            graph.ensure_node(v)?;
        }
        for (a, b) in &query.edges {
            graph.add_named(a, b, causa_graph::EdgeKind::Directed)?;
        }
        Ok(Model { query, graph })
    }

    fn id(&self, v: &str) -> Result<NodeId> {
        self.graph.require(v)
    }

    fn observed(&self, v: &str) -> bool {
        !self.query.unobserved.iter().any(|u| u == v)
    }

    /// `P(var = value | given)`, looked up or derived; None when the statements do not determine it.
    fn p(&self, var: &str, value: bool, given: &[Event]) -> Option<f64> {
        self.p_depth(var, value, given, 3)
    }

    fn p_depth(&self, var: &str, value: bool, given: &[Event], depth: usize) -> Option<f64> {
        let one = self.p_one(var, given, depth)?;
        Some(if value { one } else { 1.0 - one })
    }

    fn p_one(&self, var: &str, given: &[Event], depth: usize) -> Option<f64> {
        let given = sorted(given);
        if let Some((_, v)) = given.iter().find(|(g, _)| g == var) {
            return Some(if *v { 1.0 } else { 0.0 });
        }
        for f in &self.query.facts {
            if f.event.len() == 1 && f.event[0].0 == var && sorted(&f.given) == given {
                return Some(if f.event[0].1 { f.value } else { 1.0 - f.value });
            }
        }
        if depth == 0 {
            return None;
        }
        // Joint over marginal: P(var=1 | g) = P(var=1, g) / P(g) for a single condition.
        if given.len() == 1
            && let (Some(joint), Some(pg)) =
                (self.joint(var, true, &given[0]), self.p_depth(&given[0].0, given[0].1, &[], depth - 1))
            && pg > 0.0
        {
            return Some(joint / pg);
        }
        // Total probability over one more variable k: P(var | g) = sum_k P(var | g, k) P(k | g).
        for k in &self.query.variables {
            if k == var || given.iter().any(|(g, _)| g == k) {
                continue;
            }
            let with = |kv: bool| {
                let mut g = given.clone();
                g.push((k.clone(), kv));
                g
            };
            let (Some(p1), Some(p0)) = (self.lookup(var, &with(true)), self.lookup(var, &with(false))) else {
                continue;
            };
            if let Some(pk) =
                self.p_depth(k, true, &given, depth - 1).or_else(|| self.independent_marginal(k, &given))
            {
                return Some(p1 * pk + p0 * (1.0 - pk));
            }
        }
        // Bayes: P(var | x) = P(x | var) P(var) / P(x).
        if given.len() == 1 {
            let (x, xv) = &given[0];
            if let (Some(a1), Some(a0), Some(pv)) = (
                self.lookup_value(x, *xv, &[(var.to_string(), true)]),
                self.lookup_value(x, *xv, &[(var.to_string(), false)]),
                self.p_depth(var, true, &[], depth - 1),
            ) {
                let px = a1 * pv + a0 * (1.0 - pv);
                if px > 0.0 {
                    return Some(a1 * pv / px);
                }
            }
        }
        None
    }

    /// `P(k = 1)` when `k` is d-separated from the conditions, so that `P(k | given) = P(k)`.
    fn independent_marginal(&self, k: &str, given: &[Event]) -> Option<f64> {
        let ki = self.id(k).ok()?;
        let gi: Vec<NodeId> = given.iter().map(|(g, _)| self.id(g)).collect::<Result<_>>().ok()?;
        if self.graph.d_separated(&[ki], &gi, &[]).ok()? { self.lookup(k, &[]) } else { None }
    }

    fn lookup(&self, var: &str, given: &[Event]) -> Option<f64> {
        self.lookup_value(var, true, given)
    }

    fn lookup_value(&self, var: &str, value: bool, given: &[Event]) -> Option<f64> {
        let given = sorted(given);
        self.query.facts.iter().find_map(|f| {
            (f.event.len() == 1 && f.event[0].0 == var && sorted(&f.given) == given)
                .then(|| if f.event[0].1 == value { f.value } else { 1.0 - f.value })
        })
    }

    fn joint(&self, var: &str, value: bool, other: &Event) -> Option<f64> {
        self.query.facts.iter().find_map(|f| {
            let mine = f.event.iter().any(|e| e.0 == var && e.1 == value);
            let theirs = f.event.iter().any(|e| e == other);
            (f.event.len() == 2 && mine && theirs).then_some(f.value)
        })
    }

    /// All assignments of the variables.
    fn assignments(vars: &[String]) -> Vec<Vec<Event>> {
        (0..1usize << vars.len())
            .map(|m| vars.iter().enumerate().map(|(i, v)| (v.clone(), m >> i & 1 == 1)).collect())
            .collect()
    }

    /// `E[Y=1 | do(X=x)]` by backdoor adjustment, front door or an instrument.
    fn do_effect(&self, x: &str, y: &str) -> Result<f64> {
        let (xi, yi) = (self.id(x)?, self.id(y)?);
        let unknown = || parse_error(x, "the stated probabilities do not identify the effect");
        // Backdoor: the empty set, then single observed variables, then pairs.
        let others: Vec<String> =
            self.query.variables.iter().filter(|v| *v != x && *v != y && self.observed(v)).cloned().collect();
        let mut candidates: Vec<Vec<String>> = vec![Vec::new()];
        candidates.extend(others.iter().map(|v| vec![v.clone()]));
        for (i, a) in others.iter().enumerate() {
            for b in &others[i + 1..] {
                candidates.push(vec![a.clone(), b.clone()]);
            }
        }
        for z in &candidates {
            let zi: Vec<NodeId> = z.iter().map(|v| self.id(v)).collect::<Result<_>>()?;
            if !is_valid_backdoor_set(&self.graph, xi, yi, &zi)? {
                continue;
            }
            if let Some(effect) = self.adjusted(x, y, z) {
                return Ok(effect);
            }
        }
        // Front door through a single mediator m.
        for m in &others {
            let mi = self.id(m)?;
            if causa_graph::adjust::is_valid_frontdoor_set(&self.graph, xi, yi, &[mi])?
                && let Some(effect) = self.frontdoor(x, y, m)
            {
                return Ok(effect);
            }
        }
        // Instrument: an observed parent of x that reaches y only through x.
        for z in &others {
            let zi = self.id(z)?;
            if self.graph.has_directed(zi, xi) && !self.graph.is_adjacent(zi, yi) {
                let (Some(y1), Some(y0), Some(x1), Some(x0)) = (
                    self.p(y, true, &[(z.clone(), true)]),
                    self.p(y, true, &[(z.clone(), false)]),
                    self.p(x, true, &[(z.clone(), true)]),
                    self.p(x, true, &[(z.clone(), false)]),
                ) else {
                    continue;
                };
                if (x1 - x0).abs() > 1e-12 {
                    return Ok((y1 - y0) / (x1 - x0));
                }
            }
        }
        Err(unknown())
    }

    /// `sum_z P(z) [P(y|x=1,z) - P(y|x=0,z)]`.
    fn adjusted(&self, x: &str, y: &str, z: &[String]) -> Option<f64> {
        let mut total = 0.0;
        for assignment in Self::assignments(z) {
            let pz = self.p_joint(&assignment)?;
            let mut g1 = assignment.clone();
            g1.push((x.to_string(), true));
            let mut g0 = assignment.clone();
            g0.push((x.to_string(), false));
            total += pz * (self.p(y, true, &g1)? - self.p(y, true, &g0)?);
        }
        Some(total)
    }

    /// The effect of treatment on the treated (`x` = `factual`), for y = 1: `E[Y_1 - Y_0 | X=factual]`.
    fn ett(&self, x: &str, y: &str, factual: bool) -> Result<f64> {
        let (xi, yi) = (self.id(x)?, self.id(y)?);
        let unknown = || parse_error(x, "the stated probabilities do not identify the effect on the treated");
        let others: Vec<String> =
            self.query.variables.iter().filter(|v| *v != x && *v != y && self.observed(v)).cloned().collect();
        let mut candidates: Vec<Vec<String>> = vec![Vec::new()];
        candidates.extend(others.iter().map(|v| vec![v.clone()]));
        for z in &candidates {
            let zi: Vec<NodeId> = z.iter().map(|v| self.id(v)).collect::<Result<_>>()?;
            if !is_valid_backdoor_set(&self.graph, xi, yi, &zi)? {
                continue;
            }
            let mut total = 0.0;
            let mut ok = true;
            for assignment in Self::assignments(z) {
                // The benchmark weights by P(z | x) when it states it and by P(z) otherwise.
                let w = self
                    .p_joint_given(&assignment, &[(x.to_string(), factual)])
                    .or_else(|| self.p_joint(&assignment));
                let mut g1 = assignment.clone();
                g1.push((x.to_string(), true));
                let mut g0 = assignment.clone();
                g0.push((x.to_string(), false));
                match (w, self.p(y, true, &g1), self.p(y, true, &g0)) {
                    (Some(w), Some(a), Some(b)) => total += w * (a - b),
                    _ => ok = false,
                }
            }
            if ok {
                return Ok(total);
            }
        }
        for m in &others {
            let mi = self.id(m)?;
            if causa_graph::adjust::is_valid_frontdoor_set(&self.graph, xi, yi, &[mi])? {
                // E[Y_x | X=f] = sum_m P(m | x) P(y | f, m).
                let mut total = 0.0;
                let mut ok = true;
                for mv in [false, true] {
                    let g = vec![(x.to_string(), factual), (m.clone(), mv)];
                    match (
                        self.p(m, mv, &[(x.to_string(), true)]),
                        self.p(m, mv, &[(x.to_string(), false)]),
                        self.p(y, true, &g),
                    ) {
                        (Some(a), Some(b), Some(py)) => total += (a - b) * py,
                        _ => ok = false,
                    }
                }
                if ok {
                    return Ok(total);
                }
            }
        }
        Err(unknown())
    }

    fn frontdoor(&self, x: &str, y: &str, m: &str) -> Option<f64> {
        let mut total = 0.0;
        for mv in [false, true] {
            let dm = self.p(m, mv, &[(x.to_string(), true)])? - self.p(m, mv, &[(x.to_string(), false)])?;
            let mut inner = 0.0;
            for xv in [false, true] {
                inner +=
                    self.p(y, true, &[(x.to_string(), xv), (m.to_string(), mv)])? * self.p(x, xv, &[])?;
            }
            total += dm * inner;
        }
        Some(total)
    }

    /// `P(assignment)` by the chain rule over the listed order.
    fn p_joint(&self, assignment: &[Event]) -> Option<f64> {
        self.p_joint_given(assignment, &[])
    }

    fn p_joint_given(&self, assignment: &[Event], given: &[Event]) -> Option<f64> {
        let mut total = 1.0;
        let mut known = given.to_vec();
        for (v, value) in assignment {
            total *= self.p(v, *value, &known)?;
            known.push((v.clone(), *value));
        }
        Some(total)
    }

    /// Mediators of x on y: observed variables on a directed path from x to y.
    fn mediators(&self, x: &str, y: &str) -> Result<Vec<String>> {
        let (xi, yi) = (self.id(x)?, self.id(y)?);
        let down = self.graph.descendants(&[xi]);
        let up = self.graph.ancestors(&[yi]);
        Ok(down
            .intersection(&up)
            .filter(|v| **v != xi && **v != yi)
            .map(|v| self.graph.name(*v).to_string())
            .collect())
    }

    /// Natural indirect (`direct` false) or direct effect for y = 1, treatment 0 -> 1.
    fn mediation(&self, x: &str, y: &str, direct: bool) -> Result<f64> {
        let unknown = || parse_error(x, "the stated probabilities do not identify the mediation effect");
        let mediators = self.mediators(x, y)?;
        let xi = self.id(x)?;
        let yi = self.id(y)?;
        if !direct && !self.graph.has_directed(xi, yi) {
            // All of the effect goes through the mediators.
            return self.do_effect(x, y);
        }
        let m = match mediators.as_slice() {
            [m] => m.clone(),
            _ => return Err(unknown()),
        };
        let x0 = (x.to_string(), false);
        let x1 = (x.to_string(), true);
        let mut total = 0.0;
        for mv in [false, true] {
            let py = |xv: &Event| self.p(y, true, &[xv.clone(), (m.clone(), mv)]).ok_or_else(unknown);
            let pm = |xv: &Event| self.p(&m, mv, std::slice::from_ref(xv)).ok_or_else(unknown);
            total += if direct { pm(&x0)? * (py(&x1)? - py(&x0)?) } else { py(&x0)? * (pm(&x1)? - pm(&x0)?) };
        }
        Ok(total)
    }

    /// Evaluates the mechanisms under the evidence with `x` set.
    fn counterfactual(&self, y: &Event, x: &Event) -> Result<bool> {
        let mut values: BTreeMap<String, bool> = self.query.evidence.iter().cloned().collect();
        values.insert(x.0.clone(), x.1);
        let order = self.graph.topological_order()?;
        for v in order {
            let name = self.graph.name(v).to_string();
            if name == x.0 {
                continue;
            }
            if let Some(m) = self.query.mechanisms.iter().find(|m| m.effect.0 == name) {
                let holds = |e: &Event| values.get(&e.0).map(|v| *v == e.1);
                let parts: Option<Vec<bool>> = m.cause.iter().map(holds).collect();
                let parts =
                    parts.ok_or_else(|| parse_error(&name, "a mechanism uses a variable with no value"))?;
                let fired = if m.all { parts.iter().all(|b| *b) } else { parts.iter().any(|b| *b) };
                values.insert(name.clone(), if fired { m.effect.1 } else { !m.effect.1 });
            }
        }
        let value = values.get(&y.0).ok_or_else(|| parse_error(&y.0, "the outcome gets no value"))?;
        Ok(*value == y.1)
    }
}

fn sign(value: f64, positive: bool) -> bool {
    if positive { value > 0.0 } else { value < 0.0 }
}

/// The engine's yes/no answer.
pub fn solve(query: &Query) -> Result<bool> {
    let model = Model::new(query)?;
    let unknown = |what: &str| parse_error(what, "the stated probabilities do not determine this");
    Ok(match &query.question {
        Question::Marginal { event, more } => {
            let p = model.p(&event.0, event.1, &[]).ok_or_else(|| unknown(&event.0))?;
            if *more { p > 0.5 } else { p < 0.5 }
        }
        Question::Correlation { x, y, larger } => {
            let a = model.p(&y.0, y.1, std::slice::from_ref(x)).ok_or_else(|| unknown(&y.0))?;
            let b = model.p(&y.0, y.1, &[(x.0.clone(), !x.1)]).ok_or_else(|| unknown(&y.0))?;
            if *larger { a > b } else { a < b }
        }
        Question::Ate { x, y, increase } => {
            let mut effect = model.do_effect(&x.0, &y.0)?;
            if x.1 != y.1 {
                effect = -effect;
            }
            sign(effect, *increase)
        }
        Question::Ett { factual, y, counterfactual, more } => {
            // E[Y_cf - Y_f | X = f] for the asked outcome value.
            let mut effect = model.ett(&factual.0, &y.0, factual.1)?;
            if !counterfactual.1 {
                effect = -effect;
            }
            if !y.1 {
                effect = -effect;
            }
            sign(effect, *more)
        }
        Question::Nie { x, y, positive } => sign(model.mediation(&x.0, &y.0, false)?, *positive),
        Question::Nde { x, y, positive } => sign(model.mediation(&x.0, &y.0, true)?, *positive),
        Question::BackdoorChoice { x, y, method1, method2 } => {
            let valid = |set: &[String]| -> Result<bool> {
                let z: Vec<NodeId> = set.iter().map(|v| model.id(v)).collect::<Result<_>>()?;
                is_valid_backdoor_set(&model.graph, model.id(x)?, model.id(y)?, &z)
            };
            // Method 1 is more correct when it is valid and Method 2 is not, or when both are
            // valid and Method 1 adjusts for fewer variables (the benchmark prefers the smaller
            // sufficient set).
            valid(method1)? && (!valid(method2)? || method1.len() < method2.len())
        }
        Question::ColliderBias { x, y, negated } => {
            let (xi, yi) = (model.id(x)?, model.id(y)?);
            model.graph.ancestors(&[yi]).contains(&xi) != *negated
        }
        Question::ExplainAway { selected, x, y, increase } => {
            let with_x = model.p(&y.0, y.1, &[x.clone(), selected.clone()]).ok_or_else(|| unknown(&y.0))?;
            // The benchmark's reference: P(y | s) taken as sum_x P(x) P(y | x, s).
            let px = model.p(&x.0, x.1, &[]).ok_or_else(|| unknown(&x.0))?;
            let without =
                model.p(&y.0, y.1, &[(x.0.clone(), !x.1), selected.clone()]).ok_or_else(|| unknown(&y.0))?;
            let baseline = px * with_x + (1.0 - px) * without;
            if *increase { with_x > baseline } else { with_x < baseline }
        }
        Question::Counterfactual { y, x } => model.counterfactual(y, x)?,
    })
}

/// Accuracy counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Correct answers.
    pub correct: usize,
    /// Items.
    pub total: usize,
    /// Items without an answer (counted wrong).
    pub unanswered: usize,
}

/// Accuracy overall, by rung and by query type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// All items.
    pub overall: Tally,
    /// Per rung.
    pub by_rung: BTreeMap<u8, Tally>,
    /// Per query type.
    pub by_query_type: BTreeMap<String, Tally>,
}

/// Scores yes/no predictions (`None` = no answer, counted wrong).
pub fn score(items: &[Item], predictions: &[Option<bool>]) -> Scores {
    let mut scores = Scores::default();
    for (i, item) in items.iter().enumerate() {
        let prediction = predictions.get(i).copied().flatten();
        let correct = prediction == Some(item.label);
        for tally in [
            &mut scores.overall,
            scores.by_rung.entry(item.rung).or_default(),
            scores.by_query_type.entry(item.query_type.clone()).or_default(),
        ] {
            tally.total += 1;
            tally.correct += usize::from(correct);
            tally.unanswered += usize::from(prediction.is_none());
        }
    }
    scores
}

/// The engine mode: parse and solve each prompt; failures are returned with their reason.
pub fn engine_predictions(items: &[Item]) -> Vec<std::result::Result<bool, String>> {
    items.iter().map(|item| parse(&item.prompt).and_then(|q| solve(&q)).map_err(|e| e.to_string())).collect()
}

// ---------------------------------------------------------------------------------------------
// Generation.
// ---------------------------------------------------------------------------------------------

/// Writes items in the official CSV format (the columns the loader reads).
pub fn to_csv(items: &[Item]) -> String {
    let mut out = String::from("id,prompt,label,rung,query_type,graph_id,question_property\n");
    for item in items {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            csv::quote(&item.id),
            csv::quote(&item.prompt),
            if item.label { "yes" } else { "no" },
            item.rung,
            csv::quote(&item.query_type),
            csv::quote(&item.graph_id),
            csv::quote(&item.question_property)
        ));
    }
    out
}

/// A graph family: name, number of variables (roles X, Y, then the others), edges between roles,
/// unobserved roles.
type Family = (&'static str, usize, &'static [(usize, usize)], &'static [usize]);

/// The graph families the generator draws from.
const FAMILIES: &[Family] = &[
    ("chain", 3, &[(0, 2), (2, 1)], &[]),
    ("fork", 3, &[(0, 1), (2, 1)], &[]),
    ("confounding", 3, &[(2, 0), (2, 1), (0, 1)], &[]),
    ("mediation", 3, &[(0, 2), (0, 1), (2, 1)], &[]),
    ("frontdoor", 4, &[(2, 0), (2, 1), (0, 3), (3, 1)], &[2]),
    ("IV", 4, &[(2, 0), (2, 1), (3, 0), (0, 1)], &[2]),
];

/// Nonsense names like the benchmark's anonymized stories.
pub const NONSENSE: &[&str] = &[
    "yomx", "gwet", "xevu", "jyka", "lirg", "hwax", "kwox", "kwoz", "swoq", "zuph", "glimx", "rixq", "tijv",
    "gyzp", "muvq", "yupt", "qwiu", "pexu", "rukz", "kraz", "vubr", "wibl", "uvzi", "zory", "cwoi", "muvy",
    "xevo", "tijw",
];

/// A binary Bayesian network with every variable explicit (latent ones included), used as the
/// ground truth of generated items: its answers come from the full joint distribution, not from
/// the stated (rounded) probabilities the engine reads.
struct Network {
    parents: Vec<Vec<usize>>,
    /// `cpt[v][k]` = P(v = 1 | parents in assignment k, first parent as the highest bit).
    cpt: Vec<Vec<f64>>,
}

impl Network {
    fn joint(&self, values: &[bool]) -> f64 {
        self.factor(values, None)
    }

    /// The product of the CPT entries, skipping `skip` (truncated factorization for do()).
    fn factor(&self, values: &[bool], skip: Option<usize>) -> f64 {
        let mut p = 1.0;
        for v in 0..self.parents.len() {
            if Some(v) == skip {
                continue;
            }
            let k = self.parents[v].iter().fold(0, |acc, &u| acc * 2 + usize::from(values[u]));
            let one = self.cpt[v][k];
            p *= if values[v] { one } else { 1.0 - one };
        }
        p
    }

    fn all(&self) -> Vec<Vec<bool>> {
        let n = self.parents.len();
        (0..1usize << n).map(|m| (0..n).map(|i| m >> i & 1 == 1).collect()).collect()
    }

    /// P(event | given) from the joint.
    fn prob(&self, event: &[(usize, bool)], given: &[(usize, bool)]) -> f64 {
        let holds = |vals: &[bool], evs: &[(usize, bool)]| evs.iter().all(|&(v, b)| vals[v] == b);
        let (mut num, mut den) = (0.0, 0.0);
        for vals in self.all() {
            if holds(&vals, given) {
                let p = self.joint(&vals);
                den += p;
                if holds(&vals, event) {
                    num += p;
                }
            }
        }
        if den == 0.0 { 0.0 } else { num / den }
    }

    /// E[Y = 1 | do(X = x)] by the truncated factorization.
    fn do_prob(&self, y: usize, x: usize, xv: bool) -> f64 {
        self.all().iter().filter(|v| v[x] == xv && v[y]).map(|v| self.factor(v, Some(x))).sum()
    }

    /// E[Y_x = 1 | X = f]: the counterfactual is independent of X given X's parents.
    fn ett_prob(&self, y: usize, x: usize, xv: bool, factual: bool) -> f64 {
        let pa = &self.parents[x];
        let mut total = 0.0;
        for k in 0..1usize << pa.len() {
            let assignment: Vec<(usize, bool)> =
                pa.iter().enumerate().map(|(i, &u)| (u, k >> (pa.len() - 1 - i) & 1 == 1)).collect();
            let weight = self.prob(&assignment, &[(x, factual)]);
            if weight == 0.0 {
                continue;
            }
            // E[Y | do(x), pa] = sum over the rest of the truncated factorization, normalized.
            let (mut num, mut den) = (0.0, 0.0);
            for vals in self.all() {
                if vals[x] != xv || !assignment.iter().all(|&(u, b)| vals[u] == b) {
                    continue;
                }
                let p = self.factor(&vals, Some(x));
                den += p;
                if vals[y] {
                    num += p;
                }
            }
            total += weight * num / den;
        }
        total
    }
}

fn pct(p: f64) -> String {
    format!("{}%", (p * 100.0).round() as i64)
}

/// Draws a CPT entry away from 0 and 1 so that no stated percentage rounds to an extreme.
fn draw(rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    use rand::RngExt;
    rng.random_range(0.05..0.95)
}

/// Options for [`generate`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perturbation {
    /// Use alternative phrasings ("Among ...", "the chance of ...") for the statements.
    pub paraphrase: bool,
    /// Name the variables with ordinary words ([`RENAMED`]) instead of the nonsense names.
    pub rename: bool,
}

/// Ordinary-word variable names used by the renaming perturbation.
/// It pairs one to one with [`NONSENSE`], so a renamed item asks the same question as the
/// official one drawn with the same seed.
pub const RENAMED: &[&str] = &[
    "rain", "traffic", "noise", "sleep", "stress", "income", "diet", "exercise", "mood", "pollen", "wind",
    "sales", "demand", "supply", "height", "weight", "coffee", "music", "flood", "harvest", "fever",
    "tourism", "poverty", "crime", "smog", "drought", "tuition", "savings",
];

/// Generates `count` fresh anonymized items (query types marginal, correlation, ate, ett, nie and
/// nde over the chain, fork, confounding, mediation, front-door and IV families; the IV family
/// only gets correlation questions) with ground truth
/// computed from the full network, skipping draws whose effect is within `margin` of zero (the
/// stated probabilities are rounded to whole percents).
pub fn generate(count: usize, seed: u64, margin: f64, perturbation: Perturbation) -> Result<Vec<Item>> {
    generate_range(count, 3..=4, seed, margin, perturbation)
}

/// Like [`generate`], drawing only graph families whose number of variables is in `variables`
/// (the families have 3 or 4).
pub fn generate_range(
    count: usize,
    variables: std::ops::RangeInclusive<usize>,
    seed: u64,
    margin: f64,
    perturbation: Perturbation,
) -> Result<Vec<Item>> {
    use rand::{RngExt, SeedableRng};
    let families: Vec<&Family> = FAMILIES.iter().filter(|f| variables.contains(&f.1)).collect();
    if families.is_empty() {
        return Err(GraphError::InvalidArgument(format!(
            "no CLadder graph family has {}..{} variables; the families have 3 or 4",
            variables.start(),
            variables.end()
        )));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut items = Vec::new();
    let mut attempts = 0;
    while items.len() < count {
        attempts += 1;
        if attempts > count * 200 {
            return Err(GraphError::InvalidArgument("cannot draw enough items away from the margin".into()));
        }
        let (family, n, edges, latent) = *families[rng.random_range(0..families.len())];
        let mut pool: Vec<usize> = (0..NONSENSE.len()).collect();
        let table = if perturbation.rename { RENAMED } else { NONSENSE };
        let names: Vec<String> =
            (0..n).map(|_| table[pool.swap_remove(rng.random_range(0..pool.len()))].to_string()).collect();
        let parents: Vec<Vec<usize>> =
            (0..n).map(|v| edges.iter().filter(|e| e.1 == v).map(|e| e.0).collect()).collect();
        let cpt: Vec<Vec<f64>> =
            parents.iter().map(|p| (0..1usize << p.len()).map(|_| draw(&mut rng)).collect()).collect();
        let net = Network { parents, cpt };
        let kinds: &[&str] = match family {
            "mediation" => &["marginal", "correlation", "ate", "ett", "nie", "nde"],
            "confounding" => &["marginal", "correlation", "ate"],
            "frontdoor" => &["marginal", "correlation", "ate", "ett"],
            // The instrumental-variable ratio is the effect only under homogeneity, which random
            // CPTs do not have, so no effect questions are generated for this family.
            "IV" => &["correlation"],
            _ => &["marginal", "correlation", "ate", "ett"],
        };
        let kind = kinds[rng.random_range(0..kinds.len())];
        let (x, y) = (0usize, 1usize);
        let mut text = String::from(
            "Imagine a self-contained, hypothetical world with only the following conditions, and without any unmentioned factors or causal relationships:",
        );
        for v in 0..n {
            let children: Vec<&str> =
                edges.iter().filter(|e| e.0 == v).map(|e| names[e.1].as_str()).collect();
            if !children.is_empty() {
                let mut cause = names[v].clone();
                if let Some(first) = cause.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                let list = match children.split_last() {
                    Some((last, head)) if !head.is_empty() => format!("{} and {last}", head.join(", ")),
                    _ => children.join(""),
                };
                text.push_str(&format!(" {cause} has a direct effect on {list}."));
            }
        }
        for &l in latent {
            let mut name = names[l].clone();
            if let Some(first) = name.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            text.push_str(&format!(" {name} is unobserved."));
        }
        // Drawn even without paraphrasing, so that the same seed asks the same questions.
        let reword = rng.random_bool(0.5);
        let (for_, prob) = if perturbation.paraphrase && reword {
            ("Among", "the chance of")
        } else {
            ("For", "the probability of")
        };
        let who = |v: usize, value: bool| if value { names[v].clone() } else { format!("not {}", names[v]) };
        let conditional = |text: &mut String, target: usize, conds: &[usize]| {
            for k in 0..1usize << conds.len() {
                let given: Vec<(usize, bool)> = conds
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| (c, k >> (conds.len() - 1 - i) & 1 == 1))
                    .collect();
                let words: Vec<String> = given
                    .iter()
                    .enumerate()
                    .map(|(i, &(c, b))| {
                        if i == 0 {
                            format!("those who are {}", who(c, b))
                        } else {
                            format!("are {}", who(c, b))
                        }
                    })
                    .collect();
                let p = net.prob(&[(target, true)], &given);
                text.push_str(&format!(
                    " {for_} {}, {prob} {} is {}.",
                    words.join(" and "),
                    names[target],
                    pct(p)
                ));
            }
        };
        let overall = |text: &mut String, v: usize| {
            text.push_str(&format!(
                " The overall probability of {} is {}.",
                names[v],
                pct(net.prob(&[(v, true)], &[]))
            ));
        };
        let up = rng.random_bool(0.5);
        let (effect, question, rung) = match kind {
            "marginal" => {
                overall(&mut text, x);
                conditional(&mut text, y, &[x]);
                let p = net.prob(&[(y, true)], &[]);
                let q = format!(
                    "Is {} {} likely than not {} overall?",
                    names[y],
                    if up { "more" } else { "less" },
                    names[y]
                );
                (p - 0.5, q, 1)
            }
            "correlation" => {
                overall(&mut text, x);
                for xv in [false, true] {
                    let p = net.prob(&[(x, xv), (y, true)], &[]);
                    text.push_str(&format!(
                        " The probability of {} and {} is {}.",
                        who(x, xv),
                        names[y],
                        pct(p)
                    ));
                }
                let d = net.prob(&[(y, true)], &[(x, true)]) - net.prob(&[(y, true)], &[(x, false)]);
                let q = format!(
                    "Is the chance of {} {} when observing {}?",
                    names[y],
                    if up { "larger" } else { "smaller" },
                    names[x]
                );
                (d, q, 1)
            }
            "ate" => {
                match family {
                    "confounding" => {
                        conditional(&mut text, y, &[2, x]);
                        overall(&mut text, 2);
                    }
                    "frontdoor" => {
                        conditional(&mut text, 3, &[x]);
                        conditional(&mut text, y, &[x, 3]);
                        overall(&mut text, x);
                    }
                    _ => conditional(&mut text, y, &[x]),
                }
                let d = net.do_prob(y, x, true) - net.do_prob(y, x, false);
                let q = format!(
                    "Will {} {} the chance of {}?",
                    names[x],
                    if up { "increase" } else { "decrease" },
                    names[y]
                );
                (d, q, 2)
            }
            "ett" => {
                if family == "frontdoor" {
                    conditional(&mut text, y, &[x, 3]);
                    conditional(&mut text, 3, &[x]);
                } else {
                    conditional(&mut text, y, &[x]);
                }
                // Would y be more likely for the treated had they not been treated?
                let d = net.ett_prob(y, x, false, true) - net.ett_prob(y, x, true, true);
                let q = format!(
                    "For those who are {}, would it be {} likely to see {} if the individual was not {}?",
                    names[x],
                    if up { "more" } else { "less" },
                    names[y],
                    names[x]
                );
                (d, q, 3)
            }
            kind => {
                conditional(&mut text, y, &[x, 2]);
                conditional(&mut text, 2, &[x]);
                let m = 2;
                let py = |xv: bool, mv: bool| net.prob(&[(y, true)], &[(x, xv), (m, mv)]);
                let pm = |mv: bool, xv: bool| net.prob(&[(m, mv)], &[(x, xv)]);
                let d: f64 = if kind == "nie" {
                    [false, true].iter().map(|&mv| py(false, mv) * (pm(mv, true) - pm(mv, false))).sum()
                } else {
                    [false, true].iter().map(|&mv| pm(mv, false) * (py(true, mv) - py(false, mv))).sum()
                };
                let sign = if up { "positively" } else { "negatively" };
                let q = if kind == "nie" {
                    format!("Does {} {sign} affect {} through {}?", names[x], names[y], names[m])
                } else {
                    format!(
                        "If we disregard the mediation effect through {}, would {} {sign} affect {}?",
                        names[m], names[x], names[y]
                    )
                };
                (d, q, 3)
            }
        };
        if effect.abs() < margin {
            continue;
        }
        text.push(' ');
        text.push_str(&question);
        let label = if up { effect > 0.0 } else { effect < 0.0 };
        items.push(Item {
            id: format!("gen-{seed}-{}", items.len()),
            prompt: text,
            label,
            rung,
            query_type: kind.to_string(),
            graph_id: family.to_string(),
            question_property: "nonsense".to_string(),
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_label_or_rung_is_reported_at_its_line() {
        let header = "id,prompt,label,rung,query_type,graph_id\n";
        let err =
            load_str(&format!("{header}1,\"two\nlines\",yes,1,ate,g\n2,p,maybe,1,ate,g\n")).unwrap_err();
        assert!(err.to_string().starts_with("line 4: label must be `yes` or `no` (at `maybe`)"), "{err}");
        let err = load_str(&format!("{header}1,p,no,x,ate,g\n")).unwrap_err();
        assert!(err.to_string().starts_with("line 2: rung must be 1, 2 or 3"), "{err}");
    }

    #[test]
    fn sentences_split_at_stops_but_not_inside_decimals() {
        let s = sentences("The correlation is -0.33. Is it? Yes.");
        assert_eq!(s, vec!["The correlation is -0.33", "Is it?", "Yes"]);
    }

    #[test]
    fn polarity_reads_negation_and_absence_words() {
        for phrase in [
            "not yomx",
            "nonsmoking mother",
            "absence of tar deposit",
            "sprinkler off",
            "low hospital bill",
            "reduced price",
        ] {
            assert!(!polarity(phrase), "{phrase}");
        }
        for phrase in
            ["yomx", "smoking mother", "high tar deposit", "the demand is high", "female", "waking up late"]
        {
            assert!(polarity(phrase), "{phrase}");
        }
    }

    #[test]
    fn word_overlap_matches_stems_and_ignores_negations() {
        assert_eq!(overlap("nonsmokers", "smoking"), 1);
        assert_eq!(overlap("small kidney stones", "kidney stone size"), 2);
        assert_eq!(overlap("not xevu", "xevu"), 1);
        assert_eq!(overlap("are lazy", "effort"), 0);
    }

    #[test]
    fn conditions_split_consistently_with_the_binary_order() {
        let splits = conjunct_splits("those who are not jyka and are not hwax", 2);
        assert_eq!(splits, vec![vec!["those who are not jyka".to_string(), "are not hwax".to_string()]]);
        assert_eq!(conjunct_splits("a and b and c", 3), vec![vec!["a", "b", "c"]]);
    }
}
