//! The analysis plan: the careful analyst's sequence for a question, as tool calls.
//!
//! The same plan drives the rule-based planner (`--model none`, which simply runs it) and guards
//! a model-driven run (the model may choose arguments and extra steps, but the run is not done
//! until every required step is). Each step knows its deterministic arguments, so the guard can
//! run it itself when the model skips, repeats or fumbles it, and knows which successful calls
//! satisfy it, so a model that did the step its own way is not asked again.

use serde_json::{Value, json};

use crate::event::KeyNumber;
use crate::question::{Intent, match_column};
use crate::session::{AnswerRecord, EstimateRecord, FileKind, SessionState};
use crate::tools::ToolName;

/// One required step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanStep {
    /// Load a data file the person gave.
    LoadData {
        /// The file name.
        file: String,
    },
    /// Look at the columns.
    Describe,
    /// Profile the data (and get the algorithm recommendation).
    Profile,
    /// Learn a graph (with the person's stated edges as required knowledge).
    Discover {
        /// Stated edges `a -> b`.
        require: Vec<String>,
    },
    /// Compare the learnt graph with the person's stated edges.
    CheckKnowledge {
        /// Stated edges.
        edges: Vec<String>,
    },
    /// How the effect is identified in the learnt graph.
    Identify {
        /// Treatment.
        treatment: String,
        /// Outcome.
        outcome: String,
    },
    /// Estimate the effect asked about.
    Estimate {
        /// Treatment.
        treatment: String,
        /// Outcome.
        outcome: String,
    },
    /// Refute that estimate.
    Refute {
        /// Treatment.
        treatment: String,
        /// Outcome.
        outcome: String,
    },
    /// The causes of the outcome in the learnt graph.
    Parents {
        /// Outcome.
        outcome: String,
    },
    /// Attribute a failed multi-agent run.
    Attribute {
        /// The log file name.
        file: String,
    },
    /// Answer.
    Answer,
}

impl PlanStep {
    /// The tool this step calls.
    pub fn tool(&self) -> ToolName {
        match self {
            PlanStep::LoadData { .. } => ToolName::LoadData,
            PlanStep::Describe => ToolName::DescribeData,
            PlanStep::Profile => ToolName::Profile,
            PlanStep::Discover { .. } => ToolName::Discover,
            PlanStep::CheckKnowledge { .. } => ToolName::CompareGraphs,
            PlanStep::Identify { .. } | PlanStep::Parents { .. } => ToolName::GraphQuery,
            PlanStep::Estimate { .. } => ToolName::EstimateEffect,
            PlanStep::Refute { .. } => ToolName::Refute,
            PlanStep::Attribute { .. } => ToolName::AttributeFailure,
            PlanStep::Answer => ToolName::FinalAnswer,
        }
    }

    /// Whether the model has a real choice at this step (algorithm, method, interpretation).
    pub fn is_choice(&self) -> bool {
        matches!(self, PlanStep::Discover { .. } | PlanStep::Estimate { .. } | PlanStep::Answer)
    }

    /// A short instruction for the model.
    pub fn hint(&self) -> String {
        match self {
            PlanStep::LoadData { file } => format!("load_data with file \"{file}\""),
            PlanStep::Describe => "describe_data".into(),
            PlanStep::Profile => "profile".into(),
            PlanStep::Discover { .. } => {
                "discover (algorithm auto unless the profile suggests otherwise)".into()
            }
            PlanStep::CheckKnowledge { .. } => "compare_graphs with the stated edges".into(),
            PlanStep::Identify { treatment, outcome } => {
                format!("graph_query identify with x \"{treatment}\" and y \"{outcome}\"")
            }
            PlanStep::Estimate { treatment, outcome } => {
                format!("estimate_effect with treatment \"{treatment}\" and outcome \"{outcome}\"")
            }
            PlanStep::Refute { .. } => "refute the estimate".into(),
            PlanStep::Parents { outcome } => format!("graph_query parents with x \"{outcome}\""),
            PlanStep::Attribute { file } => format!("attribute_failure with file \"{file}\""),
            PlanStep::Answer => "final_answer citing the effect and its 95% interval".into(),
        }
    }

    /// The arguments deterministic code uses for this step.
    pub fn arguments(&self, state: &SessionState) -> Value {
        match self {
            PlanStep::LoadData { file } | PlanStep::Attribute { file } => json!({ "file": file }),
            PlanStep::Describe | PlanStep::Profile => json!({}),
            PlanStep::Discover { require } => json!({ "algorithm": "auto", "require": require }),
            PlanStep::CheckKnowledge { edges } => json!({ "other": edges.join("; ") }),
            PlanStep::Identify { treatment, outcome } => {
                json!({"query": "identify", "x": treatment, "y": outcome})
            }
            PlanStep::Estimate { treatment, outcome } => {
                json!({"treatment": treatment, "outcome": outcome, "method": "auto"})
            }
            PlanStep::Refute { treatment, outcome } => {
                let name = estimate_of(state, treatment, outcome).map(|e| e.name.clone());
                json!({ "estimate": name, "tests": ["all"] })
            }
            PlanStep::Parents { outcome } => json!({"query": "parents", "x": outcome}),
            PlanStep::Answer => json!({}),
        }
    }

    /// The arguments of a guided call: the plan's own arguments with only the model's choices
    /// taken from `model_args` (the algorithm, the method, the answer text). The question fixes
    /// the treatment and outcome; a small model that writes others is overruled. Returns the
    /// merged arguments and what was overruled, if anything.
    pub fn merge_choices(&self, model_args: &Value, state: &SessionState) -> (Value, Option<String>) {
        let mut args = self.arguments(state);
        let choice_keys: &[&str] = match self {
            PlanStep::Discover { .. } => &["algorithm"],
            PlanStep::Estimate { .. } => &["method"],
            PlanStep::Answer => &["answer"],
            _ => &[],
        };
        let mut overruled = Vec::new();
        if let (Some(target), Some(given)) = (args.as_object_mut(), model_args.as_object()) {
            for (key, value) in given {
                if choice_keys.contains(&key.as_str()) {
                    target.insert(key.clone(), value.clone());
                } else if let Some(planned) = target.get(key)
                    && planned != value
                {
                    overruled.push(format!("{key} {value} (kept {planned})"));
                }
            }
        }
        let note = (!overruled.is_empty()).then(|| format!("overruled the model's {}", overruled.join(", ")));
        (args, note)
    }

    /// Whether a successful call of `tool` with (repaired) `args`, given the state after it,
    /// completes this step.
    pub fn satisfied_by(&self, tool: ToolName, args: &Value, state: &SessionState) -> bool {
        if tool != self.tool() {
            return false;
        }
        let arg = |k: &str| args.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        match self {
            PlanStep::Identify { treatment, outcome } => {
                matches!(arg("query").as_str(), "identify" | "adjustment_sets")
                    && &arg("x") == treatment
                    && &arg("y") == outcome
            }
            PlanStep::Parents { outcome } => arg("query") == "parents" && &arg("x") == outcome,
            PlanStep::Estimate { treatment, outcome } => estimate_of(state, treatment, outcome).is_some(),
            PlanStep::Refute { treatment, outcome } => {
                estimate_of(state, treatment, outcome).is_some_and(|e| !e.refutations.is_empty())
            }
            // A graph with circle marks (FCI) cannot be used to estimate an effect.
            PlanStep::Discover { .. } => {
                state.graphs.last().is_some_and(|g| !crate::workspace::has_circle_marks(g))
            }
            _ => true,
        }
    }
}

/// The latest estimate of `treatment` on `outcome`.
pub fn estimate_of<'a>(
    state: &'a SessionState,
    treatment: &str,
    outcome: &str,
) -> Option<&'a EstimateRecord> {
    state.estimates.iter().rev().find(|e| e.treatment == treatment && e.outcome == outcome)
}

/// Edges the person stated in the question (`a -> b`, `a causes b` is left to the model), over
/// known columns.
pub fn stated_edges(question: &str, columns: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for part in question.split([';', ',', '.', '\n']) {
        if let Some((a, b)) = part.split_once("->") {
            let a = a.split_whitespace().last().unwrap_or_default();
            let b = b.split_whitespace().next().unwrap_or_default();
            if let (Some(a), Some(b)) = (match_column(a, columns), match_column(b, columns)) {
                out.push(format!("{a} -> {b}"));
            }
        }
    }
    out
}

/// The plan for `intent`.
pub fn plan(intent: &Intent, state: &SessionState, stated: &[String]) -> Vec<PlanStep> {
    let mut steps = Vec::new();
    if let Intent::FailureAttribution = intent {
        if let Some(f) = state.files.iter().find(|f| f.kind == FileKind::AgentLog) {
            steps.push(PlanStep::Attribute { file: f.name.clone() });
        }
        steps.push(PlanStep::Answer);
        return steps;
    }
    if state.datasets.is_empty()
        && let Some(f) = state.files.iter().find(|f| f.kind == FileKind::Data)
    {
        steps.push(PlanStep::LoadData { file: f.name.clone() });
    }
    steps.push(PlanStep::Describe);
    steps.push(PlanStep::Profile);
    steps.push(PlanStep::Discover { require: stated.to_vec() });
    if !stated.is_empty() {
        steps.push(PlanStep::CheckKnowledge { edges: stated.to_vec() });
    }
    match intent {
        Intent::Effect { treatment, outcome } => {
            let (treatment, outcome) = (treatment.clone(), outcome.clone());
            steps.push(PlanStep::Identify { treatment: treatment.clone(), outcome: outcome.clone() });
            steps.push(PlanStep::Estimate { treatment: treatment.clone(), outcome: outcome.clone() });
            steps.push(PlanStep::Refute { treatment, outcome });
        }
        Intent::Causes { outcome } => steps.push(PlanStep::Parents { outcome: outcome.clone() }),
        Intent::Structure | Intent::FailureAttribution => {}
    }
    steps.push(PlanStep::Answer);
    steps
}

fn fmt(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (3 - 1 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.digits$}")
}

/// The answer deterministic code writes from what the tools found: the numbers, how they were
/// obtained, and what they assume.
pub fn summary_answer(intent: Option<&Intent>, state: &SessionState) -> AnswerRecord {
    let mut text = String::new();
    let mut key_numbers = Vec::new();
    let mut assumptions = Vec::new();
    let mut limits = Vec::new();
    let graph = state.graphs.last();
    match intent {
        Some(Intent::Effect { treatment, outcome }) => match estimate_of(state, treatment, outcome) {
            Some(e) => {
                let excludes_zero = e.ci95.0 > 0.0 || e.ci95.1 < 0.0;
                let direction = if e.effect > 0.0 { "increases" } else { "decreases" };
                text.push_str(&format!(
                    "The estimated causal effect of {treatment} on {outcome} is {} (95% CI {} to {}): \
                     one unit more of {treatment} {direction} {outcome} by about {} on average.",
                    fmt(e.effect),
                    fmt(e.ci95.0),
                    fmt(e.ci95.1),
                    fmt(e.effect.abs())
                ));
                if !excludes_zero {
                    text.push_str(" The interval includes zero, so the data do not show a clear effect.");
                }
                // The other DAGs of the learnt class may give other effects (the IDA idea).
                let effects: Vec<f64> = std::iter::once(e.effect).chain(e.alternative_effects.iter().copied()).collect();
                let open_range = (effects.len() > 1).then(|| {
                    effects.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)))
                });
                if let Some((low, high)) = open_range {
                    text.push_str(&format!(
                        " The data leave some edge directions open; across the graphs that fit them equally \
                         well the effect ranges from {} to {} ({}), the figure above being the first.",
                        fmt(low),
                        fmt(high),
                        effects.iter().map(|&x| fmt(x)).collect::<Vec<_>>().join(", "),
                    ));
                }
                let set = if e.adjustment_set.is_empty() {
                    "no other variable".to_string()
                } else {
                    e.adjustment_set.join(", ")
                };
                text.push_str(&format!(
                    " It was identified by {} adjustment for {set} in the graph learnt from the data and \
                     estimated by {} on {} rows.",
                    e.estimand, e.method, e.n
                ));
                let passed = e.refutations.iter().filter(|r| r.passed == Some(true)).count();
                let failed: Vec<&str> =
                    e.refutations.iter().filter(|r| r.passed == Some(false)).map(|r| r.refuter.as_str()).collect();
                if !e.refutations.is_empty() {
                    text.push_str(&format!(" Refutation tests: {passed} passed"));
                    if failed.is_empty() {
                        text.push('.');
                    } else {
                        text.push_str(&format!(", failed: {}.", failed.join(", ")));
                    }
                }
                key_numbers.push(KeyNumber {
                    label: format!("effect of {treatment} on {outcome} ({})", e.target),
                    value: e.effect,
                    ci95: Some(e.ci95),
                });
                // The main effect stays the first key number (the model's answer must cite it).
                if let Some((low, high)) = open_range {
                    for (which, value) in [("lowest", low), ("highest", high)] {
                        key_numbers.push(KeyNumber {
                            label: format!("{which} effect of {treatment} on {outcome} over the open directions"),
                            value,
                            ci95: None,
                        });
                    }
                }
                for r in &e.refutations {
                    if let Some(v) = r.new_value {
                        key_numbers.push(KeyNumber { label: format!("refutation {}", r.refuter), value: v, ci95: None });
                    }
                }
                assumptions.push(format!(
                    "The learnt graph is right about the causes of {treatment} and {outcome}; in particular no \
                     unmeasured variable confounds them."
                ));
                assumptions.push(format!("The {} model fits (e.g. linear effects for regression).", e.method));
                limits.extend(e.notes.iter().cloned());
            }
            None => text.push_str(&format!(
                "The effect of {treatment} on {outcome} could not be estimated in this run; see the steps below."
            )),
        },
        Some(Intent::Causes { outcome }) => {
            let parents: Vec<String> = graph
                .map(|g| {
                    g.edges
                        .iter()
                        .filter_map(|e| e.strip_suffix(&format!(" -> {outcome}")).map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let undirected: Vec<String> = graph
                .map(|g| {
                    g.edges
                        .iter()
                        .filter(|e| e.contains(" -- ") && e.split(" -- ").any(|s| s == outcome))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            if parents.is_empty() {
                text.push_str(&format!("The learnt graph shows no direct cause of {outcome}."));
            } else {
                text.push_str(&format!("In the learnt graph the direct causes of {outcome} are: {}.", parents.join(", ")));
            }
            if !undirected.is_empty() {
                text.push_str(&format!(" Undetermined direction: {}.", undirected.join("; ")));
            }
            assumptions.push("No unmeasured common causes; the independence tests are right.".into());
        }
        Some(Intent::FailureAttribution) => match state.attributions.last() {
            Some(a) => {
                let agent = a["attribution"]["agent"].as_str().unwrap_or("no agent");
                let step = a["attribution"]["step"].as_u64().map_or("no step".into(), |s| format!("step {s}"));
                let method = a["attribution"]["method"].as_str().unwrap_or("?");
                text.push_str(&format!(
                    "The decisive error was made by {agent} at {step} ({method}): {}",
                    a["attribution"]["reason"].as_str().unwrap_or("")
                ));
                if let Some(s) = a["attribution"]["step"].as_f64() {
                    key_numbers.push(KeyNumber { label: "decisive step".into(), value: s, ci95: None });
                }
                limits.push("Attribution of a single log is a judgement, not a measurement.".into());
            }
            None => text.push_str("The failure could not be attributed in this run."),
        },
        Some(Intent::Structure) | None => match graph {
            Some(g) => text.push_str(&format!(
                "The causal graph learnt by {} has {} edges: {}.",
                g.source,
                g.edges.len(),
                g.edges.join("; ")
            )),
            None => text.push_str("No causal graph was learnt in this run."),
        },
    }
    if let Some(g) = graph
        && !matches!(intent, Some(Intent::FailureAttribution))
    {
        if let Some(reason) = g.reasons.first() {
            assumptions.push(format!("Discovery by {}: {reason}", g.source));
        }
        if g.edges.iter().any(|e| !e.contains("->")) {
            limits.push("Some edges of the graph have no direction: the data cannot tell them apart.".into());
        }
        limits
            .push("The graph is learnt from observational data; domain knowledge should confirm it.".into());
    }
    AnswerRecord { text, key_numbers, assumptions, limits, deterministic: true }
}

/// Whether the model's answer text cites the key number (the point estimate, to two significant
/// digits or two decimals) and does not claim the opposite sign.
pub fn cites_numbers(text: &str, key: &KeyNumber) -> bool {
    let numbers: Vec<f64> = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter_map(|t| t.trim_matches('.').parse::<f64>().ok())
        .collect();
    let v = key.value;
    let close = |x: f64| (x - v).abs() <= 0.006_f64.max(v.abs() * 0.02);
    numbers.iter().any(|&x| close(x) || (v < 0.0 && close(-x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effect_plan_is_the_analysts_sequence() {
        let state = SessionState::new();
        let intent = Intent::Effect { treatment: "t".into(), outcome: "y".into() };
        let tools: Vec<&str> = plan(&intent, &state, &[]).iter().map(|s| s.tool().as_str()).collect();
        assert_eq!(
            tools,
            [
                "describe_data",
                "profile",
                "discover",
                "graph_query",
                "estimate_effect",
                "refute",
                "final_answer"
            ]
        );
    }

    #[test]
    fn stated_edges_are_read_over_columns_only() {
        let cols = vec!["age".to_string(), "income".to_string()];
        assert_eq!(stated_edges("I know Age -> income. effect of x on y", &cols), vec!["age -> income"]);
        assert!(stated_edges("read ~/.ssh/id_rsa -> load_data", &cols).is_empty());
    }

    #[test]
    fn citation_check_needs_the_estimate() {
        let key = KeyNumber { label: "e".into(), value: 0.4213, ci95: Some((0.3, 0.5)) };
        assert!(cites_numbers("The effect is 0.42 (CI 0.30 to 0.50).", &key));
        assert!(cites_numbers("about 0.421", &key));
        assert!(!cites_numbers("The effect is 4.2.", &key));
        assert!(!cites_numbers("There is a strong effect.", &key));
        let negative = KeyNumber { label: "e".into(), value: -1.5, ci95: None };
        assert!(cites_numbers("it falls by -1.50 units", &negative));
    }
}
