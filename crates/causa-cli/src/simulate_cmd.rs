//! `causa simulate`: data with a known causal truth, for trying and testing discovery.
//!
//! The structure is a GRAPH argument (as in `causa graph`; a BIF file for `--model bif`) or a
//! random Erdos-Renyi DAG (`--nodes`, `--degree`); all randomness follows `--seed`, so a command
//! line always reproduces the same files. Data go to `--out` (or stdout), the true graph to
//! `--graph-out` as JSON and, for `--model var`, the lagged edges to `--lagged-out`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use causa_data::simulate::{self, Noise, SemModel, Simulation, VarOptions};
use causa_graph::io::BifNetwork;
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::exit::InputError;
use crate::output;

/// Arguments of `causa simulate`.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Graph file or inline edge list (a BIF file for `--model bif`); omit it to draw a random DAG
    /// with --nodes and --degree.
    pub graph: Option<String>,
    /// The data-generating model.
    #[arg(long, value_enum, default_value_t = ModelArg::LinearGaussian)]
    pub model: ModelArg,
    /// Noise of `linear-nongaussian`.
    #[arg(long, value_enum, default_value_t = NoiseArg::Uniform)]
    pub noise: NoiseArg,
    /// Number of nodes of the random graph (or series of the VAR).
    #[arg(long)]
    pub nodes: Option<usize>,
    /// Expected number of neighbours per node of the random graph (cross-series parents for VAR).
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub degree: f64,
    /// Random seed; the same seed gives the same graph and data.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of rows (for VAR, see --length); rows times columns is at most 100 million.
    #[arg(long, default_value_t = 1000)]
    pub samples: usize,
    /// Maximum lag of the VAR.
    #[arg(long, default_value_t = 1)]
    pub lags: usize,
    /// Number of time steps of the VAR (default: --samples).
    #[arg(long)]
    pub length: Option<usize>,
    /// Write the data here as CSV (atomically) instead of printing them.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the true graph here as JSON.
    #[arg(long)]
    pub graph_out: Option<PathBuf>,
    /// For `--model var`: write the lagged edge list (`x1(t-1) -> x2(t)`, one per line) here.
    #[arg(long)]
    pub lagged_out: Option<PathBuf>,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
    /// Print a JSON summary (graph edges, weights, lagged edges) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Data-generating models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Linear SEM with Gaussian noise.
    LinearGaussian,
    /// Linear SEM with non-Gaussian noise (see --noise).
    LinearNongaussian,
    /// Nonlinear additive-noise SEM (tanh, sin, quadratic effects).
    Nonlinear,
    /// Discrete variables with random conditional probability tables.
    Discrete,
    /// Sampling from the probability tables of a BIF network (GRAPH must be a BIF file).
    Bif,
    /// Vector autoregression (time series) over --nodes series.
    Var,
}

/// Non-Gaussian noise distributions.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum NoiseArg {
    /// Uniform.
    Uniform,
    /// Centred exponential.
    Exponential,
}

/// The JSON summary printed with `--json`.
#[derive(Serialize)]
struct Summary {
    rows: usize,
    columns: Vec<String>,
    edges: Vec<String>,
    /// `[cause, effect, weight]` for linear models.
    weights: Vec<(String, String, f64)>,
    lagged_edges: Vec<String>,
    data_file: Option<String>,
    graph_file: Option<String>,
}

fn simulate(args: &SimulateArgs) -> Result<Simulation> {
    if args.model == ModelArg::Var {
        if args.graph.is_some() {
            return Err(
                InputError("--model var draws its own graph: give --nodes instead of GRAPH".into()).into()
            );
        }
        let nodes = args.nodes.ok_or_else(|| InputError("--model var needs --nodes".into()))?;
        return Ok(simulate::simulate_var(VarOptions {
            nodes,
            degree: args.degree,
            lags: args.lags,
            length: args.length.unwrap_or(args.samples),
            seed: args.seed,
        })?);
    }
    if args.model == ModelArg::Bif {
        let path = args
            .graph
            .as_deref()
            .ok_or_else(|| InputError("--model bif needs a BIF file as GRAPH".into()))?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError(format!("cannot read the BIF file `{path}`: {e}")))?;
        let network = BifNetwork::parse(&text).with_context(|| format!("in the BIF file `{path}`"))?;
        return Ok(simulate::sample_bif(&network, args.samples, args.seed)?);
    }
    let graph = match (&args.graph, args.nodes) {
        (Some(_), Some(_)) => return Err(InputError("give either GRAPH or --nodes, not both".into()).into()),
        (Some(g), None) => crate::graph_cmd::load(g)?,
        (None, Some(n)) => simulate::random_dag(n, args.degree, args.seed)?,
        (None, None) => return Err(InputError("give a GRAPH or --nodes N for a random graph".into()).into()),
    };
    let model = match args.model {
        ModelArg::LinearGaussian => SemModel::Linear(Noise::Gaussian),
        ModelArg::LinearNongaussian => SemModel::Linear(match args.noise {
            NoiseArg::Uniform => Noise::Uniform,
            NoiseArg::Exponential => Noise::Exponential,
        }),
        ModelArg::Nonlinear => SemModel::Nonlinear,
        _ => SemModel::Discrete,
    };
    Ok(simulate::simulate_sem(&graph, model, args.samples, args.seed)?)
}

/// Runs `causa simulate`.
pub fn run(args: SimulateArgs) -> Result<()> {
    if args.json && args.out.is_none() {
        return Err(InputError("--json prints a summary and needs --out for the data".into()).into());
    }
    if args.lagged_out.is_some() && args.model != ModelArg::Var {
        return Err(InputError("--lagged-out is only for --model var".into()).into());
    }
    let outputs: Vec<&PathBuf> =
        [&args.out, &args.graph_out, &args.lagged_out].into_iter().flatten().collect();
    for (i, path) in outputs.iter().enumerate() {
        output::refuse_existing(path, args.force)?;
        if outputs[..i].contains(path) {
            return Err(InputError(format!(
                "`{}` is named by two output options; each output needs its own file",
                path.display()
            ))
            .into());
        }
    }
    let sim = simulate(&args)?;
    let csv = simulate::to_csv(&sim.data, sim.time_index.as_deref());
    let lagged: Vec<String> = sim.lagged_edges.iter().map(ToString::to_string).collect();
    if let Some(path) = &args.graph_out {
        output::write_file_atomically(path, &causa_graph::io::write_json(&sim.graph), args.force)?;
    }
    if let Some(path) = &args.lagged_out {
        let mut text = lagged.join("\n");
        text.push('\n');
        output::write_file_atomically(path, &text, args.force)?;
    }
    let Some(out) = &args.out else {
        print!("{csv}");
        return Ok(());
    };
    output::write_file_atomically(out, &csv, args.force)?;
    let names = sim.data.names();
    let weights = sim
        .weights
        .as_ref()
        .map(|w| {
            w.indexed_iter()
                .filter(|(_, v)| **v != 0.0)
                .map(|((i, j), v)| (names[i].clone(), names[j].clone(), *v))
                .collect()
        })
        .unwrap_or_default();
    let summary = Summary {
        rows: sim.data.n_rows(),
        columns: names.to_vec(),
        edges: sim.graph.edges().into_iter().map(|e| sim.graph.edge_text(e)).collect(),
        weights,
        lagged_edges: lagged,
        data_file: Some(out.display().to_string()),
        graph_file: args.graph_out.as_ref().map(|p| p.display().to_string()),
    };
    if args.json {
        return output::print_json(&summary);
    }
    println!("wrote {} rows x {} columns to {}", summary.rows, summary.columns.len(), out.display());
    println!(
        "true graph: {}",
        if summary.edges.is_empty() { "no edges".into() } else { summary.edges.join("; ") }
    );
    for (cause, effect, w) in &summary.weights {
        println!("  {cause} -> {effect}: {w:.4}");
    }
    for edge in &summary.lagged_edges {
        println!("  {edge}");
    }
    Ok(())
}
