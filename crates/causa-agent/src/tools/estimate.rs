//! `estimate_effect`: identify and estimate the effect of a treatment on an outcome with
//! `causa-estimate`, from a graph the session holds (or explicit controls).
//!
//! A learnt CPDAG may leave edges undirected; then every DAG of its class is tried (up to a
//! limit) and, when they disagree about the adjustment, each possible effect is reported (the
//! IDA idea) instead of silently picking one; DAGs of the class in which the outcome is not
//! downstream of the treatment contribute an effect of zero.

use causa_estimate::{EstimateOptions, EstimateReport, Method, Specification};
use causa_graph::CausalGraph;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ToolContext, ToolOutput, ToolResult, column, err, fail, set_arg, short};
use crate::session::{EstimateRecord, RefutationRecord};

pub(super) const DESCRIPTION: &str = "Estimate the causal effect of a treatment column on an outcome column, \
     using the latest graph to choose what to adjust for. method: auto picks one.";

/// Estimation methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MethodChoice {
    /// Chosen from the estimand and the treatment.
    Auto,
    /// Linear regression adjustment.
    Regression,
    /// Inverse propensity weighting (0/1 treatment).
    Ipw,
    /// Doubly robust AIPW (0/1 treatment).
    Aipw,
    /// Double machine learning.
    Dml,
    /// Propensity matching (0/1 treatment).
    Matching,
}

/// Arguments of `estimate_effect`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EstimateEffectArgs {
    /// The cause column.
    pub treatment: String,
    /// The effect column.
    pub outcome: String,
    /// Method (default auto).
    #[serde(default)]
    pub method: Option<MethodChoice>,
    /// Graph name (default: the latest graph of the dataset).
    #[serde(default)]
    pub graph: Option<String>,
    /// Dataset name (default: the loaded one).
    #[serde(default)]
    pub dataset: Option<String>,
}

fn method_of(m: MethodChoice) -> Option<Method> {
    match m {
        MethodChoice::Auto => None,
        MethodChoice::Regression => Some(Method::Regression),
        MethodChoice::Ipw => Some(Method::Ipw),
        MethodChoice::Aipw => Some(Method::Aipw),
        MethodChoice::Dml => Some(Method::Dml),
        MethodChoice::Matching => Some(Method::Matching),
    }
}

/// The specification and options the estimate (and later its refutation) uses.
pub(crate) struct Planned {
    pub spec: Specification,
    pub options: EstimateOptions,
}

pub(crate) fn estimate_with(
    data: &causa_data::Dataset,
    spec: &Specification,
    options: &EstimateOptions,
) -> ToolResult<EstimateReport> {
    causa_estimate::estimate(data, spec, options).map_err(fail)
}

pub(super) fn run(
    args: EstimateEffectArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let dataset = ctx.dataset(args.dataset.as_deref())?;
    set_arg(repaired, "dataset", dataset.name.clone());
    let treatment = column(&dataset, &args.treatment, "treatment")?;
    let outcome = column(&dataset, &args.outcome, "outcome")?;
    if treatment == outcome {
        return err(format!("treatment and outcome are both `{treatment}`; name two different columns"));
    }
    set_arg(repaired, "treatment", treatment.clone());
    set_arg(repaired, "outcome", outcome.clone());
    let graph_record = match args.graph.as_deref() {
        Some(name) => ctx.graph(Some(name))?,
        None => {
            match ctx.state.graphs.iter().rev().find(|g| g.dataset.as_deref() == Some(dataset.name.as_str()))
            {
                Some(g) => g.clone(),
                None => {
                    return err(format!("there is no graph of `{}` yet; call discover first", dataset.name));
                }
            }
        }
    };
    set_arg(repaired, "graph", graph_record.name.clone());
    let method = args.method.unwrap_or(MethodChoice::Auto);
    set_arg(repaired, "method", format!("{method:?}").to_lowercase());
    let graph = crate::workspace::graph_of(&graph_record).map_err(fail)?;
    let loaded = ctx.workspace.data(ctx.state, &dataset.name).map_err(fail)?;
    let data = &loaded.dataset;
    let (dags, truncated) = super::graph::dags_of(&graph, 16)?;
    let options = EstimateOptions { seed: ctx.seed, ..EstimateOptions::default() };
    // One estimate per distinct adjustment; DAGs of the class that agree give the same number.
    let mut reports: Vec<EstimateReport> = Vec::new();
    let mut failures = Vec::new();
    // DAGs of the class in which the outcome is not downstream of the treatment: there the
    // effect is zero without any estimation. When that holds for every DAG of the class, they
    // are estimated all the same (what the data give with the adjustment identification chose)
    // and a note says what the graph implies.
    let reachable: Vec<bool> = dags.iter().map(|dag| downstream(dag, &treatment, &outcome)).collect();
    let any_reachable = reachable.iter().any(|r| *r);
    let zero_in_some = any_reachable && reachable.iter().any(|r| !r);
    for (dag, reachable) in dags.into_iter().zip(reachable) {
        if any_reachable && !reachable {
            continue;
        }
        let spec = spec_for(&treatment, &outcome, &dag, method);
        match estimate_with(data, &spec, &options) {
            Ok(r) => {
                if !reports.iter().any(|o| o.identification == r.identification) {
                    reports.push(r);
                }
            }
            Err(e) => failures.push(e.0),
        }
    }
    let Some(first) = reports.first().cloned() else {
        let why = failures.first().cloned().unwrap_or_else(|| "no estimate".into());
        return err(format!("cannot estimate the effect of {treatment} on {outcome}: {why}"));
    };
    let name = crate::workspace::unique(&format!("e{}", ctx.state.estimates.len() + 1), |n| {
        ctx.state.estimates.iter().any(|e| e.name == n)
    });
    let mut record = record_of(&name, &dataset.name, Some(&graph_record.name), &treatment, &outcome, &first);
    let mut alternatives: Vec<Value> = reports
        .iter()
        .skip(1)
        .map(
            |r| json!({"effect": r.effect, "ci95": [r.ci95.0, r.ci95.1], "adjustment_set": r.adjustment_set}),
        )
        .collect();
    let mut shown: Vec<String> = reports.iter().skip(1).map(|r| short(r.effect)).collect();
    record.alternative_effects = reports.iter().skip(1).map(|r| r.effect).collect();
    if zero_in_some {
        alternatives.push(json!({
            "effect": 0.0,
            "ci95": null,
            "adjustment_set": null,
            "reason": format!("in these DAGs `{outcome}` is not downstream of `{treatment}`"),
        }));
        shown.push(format!("0 (where {outcome} is not downstream of {treatment})"));
        record.alternative_effects.push(0.0);
    }
    if !alternatives.is_empty() {
        record.notes.push(format!(
            "the graph leaves some edge directions open; other DAGs of its class give effects {}{}",
            shown.join(", "),
            if truncated { " (list cut short)" } else { "" }
        ));
    }
    if !any_reachable {
        let graphs = if truncated {
            "in every DAG of the learnt graph's class that was tried (the list was cut short)"
        } else {
            "in the learnt graph"
        };
        record.notes.push(format!(
            "{graphs} {outcome} is not downstream of {treatment}, so the graph implies no effect; \
             the estimate is what the data give with the adjustment above"
        ));
    }
    ctx.state.estimates.push(record.clone());
    let set = if record.adjustment_set.is_empty() {
        "nothing".to_string()
    } else {
        record.adjustment_set.join(", ")
    };
    let mut observation = format!(
        "estimate `{name}`: effect of {treatment} on {outcome} = {} (95% CI {} to {}), {} adjusting for {set}; {} via {}",
        short(record.effect),
        short(record.ci95.0),
        short(record.ci95.1),
        record.method,
        record.estimand,
        graph_record.name
    );
    for note in &record.notes {
        observation.push_str(&format!("\nnote: {note}"));
    }
    Ok(ToolOutput {
        summary: format!(
            "{treatment} -> {outcome}: {} [{}, {}] ({})",
            short(record.effect),
            short(record.ci95.0),
            short(record.ci95.1),
            record.method
        ),
        result: json!({"estimate": record, "alternatives": alternatives}),
        observation,
    })
}

/// Whether `dag` has a directed path from `treatment` to `outcome` (both are its nodes).
fn downstream(dag: &CausalGraph, treatment: &str, outcome: &str) -> bool {
    match (dag.node_id(treatment), dag.node_id(outcome)) {
        (Some(x), Some(y)) => dag.descendants(&[x]).contains(&y),
        // Not the graph's nodes: let identification report it.
        _ => true,
    }
}

/// The specification for one DAG.
pub(crate) fn spec_for(
    treatment: &str,
    outcome: &str,
    dag: &CausalGraph,
    method: MethodChoice,
) -> Specification {
    Specification {
        treatment: treatment.to_string(),
        outcome: outcome.to_string(),
        graph: Some(dag.clone()),
        controls: None,
        instrument: None,
        method: method_of(method),
    }
}

/// The session record of a report.
pub(crate) fn record_of(
    name: &str,
    dataset: &str,
    graph: Option<&str>,
    treatment: &str,
    outcome: &str,
    r: &EstimateReport,
) -> EstimateRecord {
    EstimateRecord {
        name: name.to_string(),
        dataset: dataset.to_string(),
        graph: graph.map(str::to_string),
        treatment: treatment.to_string(),
        outcome: outcome.to_string(),
        estimand: r.estimand.clone(),
        identification: r.identification.reason.clone(),
        adjustment_set: r.adjustment_set.clone(),
        method: r.method.name().to_string(),
        method_reason: r.method_reason.clone(),
        target: format!("{:?}", r.target).to_uppercase(),
        effect: r.effect,
        ci95: r.ci95,
        std_err: r.std_err,
        n: r.n,
        notes: r.notes.clone(),
        alternative_effects: Vec::new(),
        refutations: r
            .refutations
            .iter()
            .map(|f| RefutationRecord {
                refuter: f.refuter.name().to_string(),
                passed: f.passed,
                new_value: f.new_value,
                detail: f.detail.clone(),
            })
            .collect(),
    }
}

/// Re-plans a stored estimate (for refutation): same dataset, graph DAG and method.
pub(crate) fn replan(ctx: &mut ToolContext<'_>, record: &EstimateRecord) -> ToolResult<Planned> {
    let graph = match &record.graph {
        Some(name) => Some(ctx.graph(Some(name))?),
        None => None,
    };
    let method = match record.method.as_str() {
        "regression" => Some(Method::Regression),
        "ipw" => Some(Method::Ipw),
        "aipw" => Some(Method::Aipw),
        "dml" => Some(Method::Dml),
        "iv" => Some(Method::Iv),
        "frontdoor" => Some(Method::Frontdoor),
        "matching" => Some(Method::Matching),
        _ => None,
    };
    let spec = Specification {
        treatment: record.treatment.clone(),
        outcome: record.outcome.clone(),
        graph: None,
        controls: (record.estimand == "backdoor").then(|| record.adjustment_set.clone()),
        instrument: None,
        method,
    };
    let spec = match (&graph, record.estimand.as_str()) {
        (Some(_), "backdoor") | (None, _) => spec,
        (Some(g), _) => {
            let g = crate::workspace::graph_of(g).map_err(fail)?;
            let (dags, _) = super::graph::dags_of(&g, 1)?;
            Specification { graph: dags.into_iter().next(), controls: None, ..spec }
        }
    };
    Ok(Planned { spec, options: EstimateOptions { seed: ctx.seed, ..EstimateOptions::default() } })
}
