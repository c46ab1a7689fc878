//! `simulate`: data from a session graph with a linear-Gaussian model, to see what an analysis
//! would recover when the truth is known. The simulated table becomes a dataset of the session
//! (kept in memory; it is simulated again from its graph and seed after a resume).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ToolContext, ToolOutput, ToolResult, err, fail, set_arg};
use crate::session::{ColumnRecord, DatasetRecord, SimulatedFrom};

pub(super) const DESCRIPTION: &str =
    "Simulate a dataset from a graph (linear, Gaussian noise) to test the analysis where the truth is known.";

/// Most rows a simulation may have.
const MAX_SAMPLES: usize = 100_000;

/// Arguments of `simulate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateArgs {
    /// Graph name (default: the latest).
    #[serde(default)]
    pub graph: Option<String>,
    /// Rows (default 1000).
    #[serde(default)]
    pub samples: Option<usize>,
    /// Random seed (default 0).
    #[serde(default)]
    pub seed: Option<u64>,
}

pub(super) fn run(
    args: SimulateArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let record = ctx.graph(args.graph.as_deref())?;
    let samples = args.samples.unwrap_or(1000);
    if !(10..=MAX_SAMPLES).contains(&samples) {
        return err(format!("samples must be between 10 and {MAX_SAMPLES}"));
    }
    let seed = args.seed.unwrap_or(ctx.seed);
    set_arg(repaired, "graph", record.name.clone());
    set_arg(repaired, "samples", samples);
    set_arg(repaired, "seed", seed);
    let graph = crate::workspace::graph_of(&record).map_err(fail)?;
    let (sim, loaded) = crate::workspace::simulate(&graph, samples, seed).map_err(fail)?;
    let name = crate::workspace::unique(&format!("sim-{}", record.name), |n| {
        ctx.state.datasets.iter().any(|d| d.name == n)
    });
    let weights: Vec<Value> = match &sim.weights {
        Some(w) => w
            .indexed_iter()
            .filter(|(_, v)| **v != 0.0)
            .map(|((i, j), v)| json!({"from": sim.data.names()[i], "to": sim.data.names()[j], "weight": v}))
            .collect(),
        None => Vec::new(),
    };
    let dataset = DatasetRecord {
        name: name.clone(),
        file: String::new(),
        rows: samples,
        columns: loaded
            .columns
            .iter()
            .map(|c| ColumnRecord { name: c.name.clone(), column_type: c.column_type.name().into() })
            .collect(),
        profile: None,
        simulated: Some(SimulatedFrom { graph: record.name.clone(), samples, seed }),
    };
    ctx.state.datasets.push(dataset);
    ctx.workspace.insert(&name, loaded);
    let lines: Vec<String> = weights
        .iter()
        .map(|w| {
            format!(
                "{} -> {}: {:.3}",
                w["from"].as_str().unwrap_or(""),
                w["to"].as_str().unwrap_or(""),
                w["weight"].as_f64().unwrap_or(0.0)
            )
        })
        .collect();
    Ok(ToolOutput {
        summary: format!("dataset `{name}`: {samples} rows simulated from `{}`", record.name),
        result: json!({"dataset": name, "graph": record.name, "samples": samples, "seed": seed, "weights": weights}),
        observation: format!(
            "dataset `{name}`: {samples} rows from `{}`; true direct effects:\n{}",
            record.name,
            lines.join("\n")
        ),
    })
}
