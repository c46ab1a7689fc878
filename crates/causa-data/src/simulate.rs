//! Simulating data with a known causal truth.
//!
//! Discovery and estimation can only be checked against data whose generating graph and effects
//! are known, so every simulator returns the [`Dataset`] together with the true [`CausalGraph`]
//! and, for linear models, the weight matrix. All randomness comes from a `ChaCha8Rng` seeded by
//! the caller, so the same seed gives the same data on every platform and run.
//!
//! Conventions (fixed here so tests elsewhere can rely on them):
//! - Weight matrices are indexed `[cause, effect]`: `weights[[i, j]]` is the direct effect of node
//!   `i` on node `j`. With `B = weights` the rows satisfy `x = x B + e`, so the covariance is
//!   `(I - B)^-T Ω (I - B)^-1` with `Ω = diag(noise_variances)`.
//! - Linear edge weights are drawn from ±[0.5, 1.5] and noise standard deviations from [0.5, 1.5].
//! - Nonlinear models add `w · f(z)` per edge, `z` the standardised parent and `f` one of
//!   `tanh(2z)`, `sin(2z)` and `(z² - 1)/√2`, chosen per edge; `w` in ±[1, 2]; Gaussian noise.
//! - Discrete models give each node 2 or 3 states and Dirichlet(1) CPT rows, then sample exactly
//!   like a BIF network (rows with the last parent varying fastest).
//! - VAR models have lag-1 self effects and random cross effects up to `lags`, with each
//!   equation's absolute coefficients summing to at most 0.9, which guarantees stability
//!   (`‖Σ A_ℓ z^ℓ‖∞ < 1` on the unit disc); no contemporaneous effects; 200 burn-in steps.

use causa_graph::io::BifNetwork;
use causa_graph::{CausalGraph, NodeId};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

use crate::dataset::{ColumnKind, Dataset};
use crate::error::{DataError, Result};
use crate::load::format_number;

/// The noise distribution of a linear SEM (each scaled to the node's noise variance, mean 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noise {
    /// Normal noise.
    Gaussian,
    /// Uniform noise (symmetric, light-tailed).
    Uniform,
    /// Centred exponential noise (skewed).
    Exponential,
}

/// A structural equation model family for [`simulate_sem`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemModel {
    /// Linear effects with the given noise.
    Linear(Noise),
    /// Nonlinear additive-noise effects (see the module docs).
    Nonlinear,
    /// Discrete variables with random conditional probability tables.
    Discrete,
}

/// Data with its generating truth.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// The simulated data.
    pub data: Dataset,
    /// The true graph (for VAR: the summary graph over the series).
    pub graph: CausalGraph,
    /// Linear models: direct effects indexed `[cause, effect]`.
    pub weights: Option<Array2<f64>>,
    /// Linear models: the noise variance of each node.
    pub noise_variances: Option<Vec<f64>>,
    /// VAR models: the time index `0, 1, ..., T-1`.
    pub time_index: Option<Vec<f64>>,
    /// VAR models: one coefficient matrix per lag (index 0 = lag 1), indexed `[cause, effect]`.
    pub lag_weights: Vec<Array2<f64>>,
    /// VAR models: the true edges over lagged variables.
    pub lagged_edges: Vec<LaggedEdge>,
}

/// An edge `cause(t-lag) -> effect(t)` of a time-series model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaggedEdge {
    /// The cause's series name.
    pub cause: String,
    /// The lag, at least 1.
    pub lag: usize,
    /// The effect's series name.
    pub effect: String,
}

impl std::fmt::Display for LaggedEdge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(t-{}) -> {}(t)", self.cause, self.lag, self.effect)
    }
}

impl Simulation {
    fn plain(data: Dataset, graph: CausalGraph) -> Self {
        Simulation {
            data,
            graph,
            weights: None,
            noise_variances: None,
            time_index: None,
            lag_weights: Vec::new(),
            lagged_edges: Vec::new(),
        }
    }
}

fn invalid(message: String) -> DataError {
    DataError::Invalid(message)
}

fn rng_for(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Node names `x1, x2, ...`.
pub fn default_names(count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("x{i}")).collect()
}

/// A random Erdos-Renyi DAG over `x1..xN`: nodes are put in a random order and each forward pair
/// gets an edge with probability `expected_degree / (N - 1)`, so the expected number of
/// neighbours of a node is `expected_degree`.
pub fn random_dag(nodes: usize, expected_degree: f64, seed: u64) -> Result<CausalGraph> {
    if nodes == 0 {
        return Err(invalid("a random graph needs at least one node".into()));
    }
    // Every pair of nodes is drawn once, so the work grows with the square of the node count.
    if nodes.checked_mul(nodes - 1).is_none_or(|n| n / 2 > MAX_SIMULATED_VALUES) {
        return Err(invalid(format!(
            "a random graph of {nodes} nodes has more than {MAX_SIMULATED_VALUES} node pairs to \
             draw; ask for fewer nodes"
        )));
    }
    if expected_degree.is_nan() || expected_degree < 0.0 || expected_degree > (nodes.saturating_sub(1)) as f64
    {
        return Err(invalid(format!(
            "the expected degree must be between 0 and {} (nodes - 1), not {expected_degree}",
            nodes - 1
        )));
    }
    let mut rng = rng_for(seed);
    let mut graph = CausalGraph::with_nodes(default_names(nodes))?;
    let mut order: Vec<usize> = (0..nodes).collect();
    for i in (1..nodes).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let p = if nodes > 1 { expected_degree / (nodes - 1) as f64 } else { 0.0 };
    for a in 0..nodes {
        for b in a + 1..nodes {
            if rng.random_bool(p.clamp(0.0, 1.0)) {
                graph.add_directed(NodeId::from_index(order[a]), NodeId::from_index(order[b]))?;
            }
        }
    }
    Ok(graph)
}

/// The most values (rows times columns) one simulation may produce: 100 million values are
/// 800 MB as numbers and a few GB as CSV text. Larger requests are refused before any
/// allocation, because an allocation that large either aborts the process or exhausts memory.
pub const MAX_SIMULATED_VALUES: usize = 100_000_000;

/// Checks the requested size before anything is allocated: at least one row, at least one
/// column, and at most [`MAX_SIMULATED_VALUES`] values.
fn check_size(samples: usize, columns: usize) -> Result<()> {
    if samples == 0 {
        return Err(invalid("the number of samples must be at least 1".into()));
    }
    if columns == 0 {
        return Err(invalid("the graph has no nodes: there is nothing to simulate".into()));
    }
    if samples.checked_mul(columns).is_none_or(|values| values > MAX_SIMULATED_VALUES) {
        return Err(invalid(format!(
            "{samples} samples of {columns} columns is more than {MAX_SIMULATED_VALUES} values; \
             ask for fewer samples"
        )));
    }
    Ok(())
}

fn signed(rng: &mut ChaCha8Rng, low: f64, high: f64) -> f64 {
    let magnitude = rng.random_range(low..high);
    if rng.random_bool(0.5) { magnitude } else { -magnitude }
}

fn draw_noise(rng: &mut ChaCha8Rng, noise: Noise, sd: f64) -> f64 {
    match noise {
        Noise::Gaussian => {
            let z: f64 = StandardNormal.sample(rng);
            sd * z
        }
        Noise::Uniform => sd * 3f64.sqrt() * rng.random_range(-1.0..1.0),
        Noise::Exponential => {
            let e: f64 = Exp1.sample(rng);
            sd * (e - 1.0)
        }
    }
}

/// Samples `samples` rows from a structural equation model over a DAG (see the module docs for
/// the parameter distributions). Fails if the graph is not a DAG.
pub fn simulate_sem(graph: &CausalGraph, model: SemModel, samples: usize, seed: u64) -> Result<Simulation> {
    check_size(samples, graph.node_count())?;
    graph.require_dag("simulation")?;
    match model {
        SemModel::Linear(noise) => simulate_linear(graph, noise, samples, seed),
        SemModel::Nonlinear => simulate_nonlinear(graph, samples, seed),
        SemModel::Discrete => {
            let mut rng = rng_for(seed);
            let network = random_network(graph, &mut rng)?;
            let mut sim = sample_bif(&network, samples, rng.random())?;
            sim.graph = graph.clone();
            Ok(sim)
        }
    }
}

fn names_of(graph: &CausalGraph) -> Vec<String> {
    graph.names().map(str::to_string).collect()
}

fn simulate_linear(graph: &CausalGraph, noise: Noise, samples: usize, seed: u64) -> Result<Simulation> {
    let mut rng = rng_for(seed);
    let p = graph.node_count();
    let order = graph.topological_order()?;
    let mut weights = Array2::<f64>::zeros((p, p));
    for edge in graph.edges() {
        // A DAG's edges are all directed; orient by the tail.
        let (from, to) = if edge.is_directed_out_of_a() { (edge.a, edge.b) } else { (edge.b, edge.a) };
        weights[[from.index(), to.index()]] = signed(&mut rng, 0.5, 1.5);
    }
    let sds: Vec<f64> = (0..p).map(|_| rng.random_range(0.5..1.5)).collect();
    let mut values = Array2::<f64>::zeros((samples, p));
    for r in 0..samples {
        for &v in &order {
            let j = v.index();
            let mut x = draw_noise(&mut rng, noise, sds[j]);
            for parent in graph.parents(v) {
                x += weights[[parent.index(), j]] * values[[r, parent.index()]];
            }
            values[[r, j]] = x;
        }
    }
    let data = Dataset::continuous(names_of(graph), values)?;
    let mut sim = Simulation::plain(data, graph.clone());
    sim.weights = Some(weights);
    sim.noise_variances = Some(sds.iter().map(|s| s * s).collect());
    Ok(sim)
}

fn standardised(values: &Array2<f64>, column: usize) -> Vec<f64> {
    let col = values.column(column);
    let n = col.len() as f64;
    let mean = col.sum() / n;
    let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    col.iter().map(|v| if sd > 0.0 { (v - mean) / sd } else { 0.0 }).collect()
}

fn simulate_nonlinear(graph: &CausalGraph, samples: usize, seed: u64) -> Result<Simulation> {
    let mut rng = rng_for(seed);
    let p = graph.node_count();
    let order = graph.topological_order()?;
    let mut values = Array2::<f64>::zeros((samples, p));
    for &v in &order {
        let j = v.index();
        let sd = rng.random_range(0.3..0.6);
        for r in 0..samples {
            let z: f64 = StandardNormal.sample(&mut rng);
            values[[r, j]] = sd * z;
        }
        for parent in graph.parents(v) {
            let z = standardised(&values, parent.index());
            let w = signed(&mut rng, 1.0, 2.0);
            let kind = rng.random_range(0..3u8);
            for (r, z) in z.iter().enumerate() {
                let f = match kind {
                    0 => (2.0 * z).tanh(),
                    1 => (2.0 * z).sin(),
                    _ => (z * z - 1.0) / 2f64.sqrt(),
                };
                values[[r, j]] += w * f;
            }
        }
    }
    let data = Dataset::continuous(names_of(graph), values)?;
    Ok(Simulation::plain(data, graph.clone()))
}

/// A random discrete network on the graph: 2 or 3 states per node, Dirichlet(1) CPT rows.
fn random_network(graph: &CausalGraph, rng: &mut ChaCha8Rng) -> Result<BifNetwork> {
    let mut network = BifNetwork::default();
    let states: Vec<usize> = (0..graph.node_count()).map(|_| rng.random_range(2..=3)).collect();
    for v in graph.node_ids() {
        let parents: Vec<usize> = graph.parents(v).iter().map(|p| p.index()).collect();
        let k = states[v.index()];
        let rows: usize = parents.iter().map(|&p| states[p]).product();
        let mut cpt = Vec::with_capacity(rows * k);
        for _ in 0..rows {
            let draws: Vec<f64> = (0..k).map(|_| Exp1.sample(rng)).collect();
            let total: f64 = draws.iter().sum();
            cpt.extend(draws.iter().map(|d| d / total));
        }
        network.variables.push(causa_graph::io::BifVariable {
            name: graph.name(v).to_string(),
            states: (0..k).map(|s| format!("s{s}")).collect(),
            parents,
            cpt,
        });
    }
    Ok(network)
}

/// Samples rows from a BIF network's conditional probability tables (forward sampling in
/// topological order). The dataset's columns are the network's variables, discrete, labelled with
/// their state names. Fails if a table has the wrong size, a negative entry or a zero row.
pub fn sample_bif(network: &BifNetwork, samples: usize, seed: u64) -> Result<Simulation> {
    check_size(samples, network.variables.len())?;
    let graph = network.to_graph()?;
    for v in &network.variables {
        let k = v.states.len();
        if k == 0 {
            return Err(invalid(format!("variable `{}` has no states", v.name)));
        }
        let rows: usize =
            v.parents.iter().map(|&p| network.variables.get(p).map_or(0, |p| p.states.len())).product();
        if v.cpt.len() != rows * k {
            return Err(invalid(format!(
                "variable `{}` has {} probabilities; its table needs {} ({rows} parent configurations x {k} states)",
                v.name,
                v.cpt.len(),
                rows * k
            )));
        }
        for row in v.cpt_rows() {
            if row.iter().any(|&q| q.is_nan() || q < 0.0 || !q.is_finite()) || row.iter().sum::<f64>() <= 0.0
            {
                return Err(invalid(format!(
                    "variable `{}` has a probability row that is not a distribution: {row:?}",
                    v.name
                )));
            }
        }
    }
    let order = graph.topological_order()?;
    let mut rng = rng_for(seed);
    let p = network.variables.len();
    let mut values = Array2::<f64>::zeros((samples, p));
    let mut state = vec![0usize; p];
    for r in 0..samples {
        for &v in &order {
            let var = &network.variables[v.index()];
            let mut config = 0;
            for &parent in &var.parents {
                config = config * network.variables[parent].states.len() + state[parent];
            }
            let k = var.states.len();
            let row = &var.cpt[config * k..(config + 1) * k];
            let total: f64 = row.iter().sum();
            let mut u = rng.random::<f64>() * total;
            let mut chosen = k - 1;
            for (s, &q) in row.iter().enumerate() {
                if u < q {
                    chosen = s;
                    break;
                }
                u -= q;
            }
            state[v.index()] = chosen;
            values[[r, v.index()]] = chosen as f64;
        }
    }
    let names = network.variables.iter().map(|v| v.name.clone()).collect();
    let kinds = network.variables.iter().map(|v| ColumnKind::Discrete { levels: v.states.len() }).collect();
    let mut data = Dataset::new(names, values, kinds)?;
    for (j, v) in network.variables.iter().enumerate() {
        data = data.with_labels(j, v.states.clone())?;
    }
    Ok(Simulation::plain(data, graph))
}

/// Parameters of [`simulate_var`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VarOptions {
    /// Number of series.
    pub nodes: usize,
    /// Expected number of cross-series parents per series (over all lags).
    pub degree: f64,
    /// Maximum lag, at least 1.
    pub lags: usize,
    /// Number of time steps kept.
    pub length: usize,
    /// Random seed.
    pub seed: u64,
}

const BURN_IN: usize = 200;

/// Simulates a stable vector autoregression (see the module docs) over series `x1..xN`.
pub fn simulate_var(options: VarOptions) -> Result<Simulation> {
    let VarOptions { nodes, degree, lags, length, seed } = options;
    if nodes == 0 || lags == 0 || length == 0 {
        return Err(invalid("a VAR needs at least one series, one lag and one time step".into()));
    }
    check_size(length.saturating_add(BURN_IN), nodes)?;
    if nodes.checked_mul(nodes).and_then(|n| n.checked_mul(lags)).is_none_or(|n| n > MAX_SIMULATED_VALUES) {
        return Err(invalid(format!(
            "a VAR of {nodes} series with {lags} lags has more than {MAX_SIMULATED_VALUES} \
             coefficients; ask for fewer series or lags"
        )));
    }
    if degree.is_nan() || degree < 0.0 || degree > (nodes - 1) as f64 * lags as f64 {
        return Err(invalid(format!("the degree must be between 0 and (nodes - 1) x lags, not {degree}")));
    }
    let mut rng = rng_for(seed);
    let names = default_names(nodes);
    let mut lag_weights = vec![Array2::<f64>::zeros((nodes, nodes)); lags];
    let cross_p = if nodes > 1 { degree / ((nodes - 1) * lags) as f64 } else { 0.0 };
    for effect in 0..nodes {
        lag_weights[0][[effect, effect]] = rng.random_range(0.2..0.5);
        for w in &mut lag_weights {
            for cause in (0..nodes).filter(|&c| c != effect) {
                if rng.random_bool(cross_p.clamp(0.0, 1.0)) {
                    w[[cause, effect]] = signed(&mut rng, 0.2, 0.5);
                }
            }
        }
        let total: f64 =
            lag_weights.iter().map(|w| (0..nodes).map(|c| w[[c, effect]].abs()).sum::<f64>()).sum();
        if total > 0.9 {
            for w in &mut lag_weights {
                for c in 0..nodes {
                    w[[c, effect]] *= 0.9 / total;
                }
            }
        }
    }
    let steps = BURN_IN + length;
    let mut series = Array2::<f64>::zeros((steps, nodes));
    for t in 0..steps {
        for effect in 0..nodes {
            let mut x: f64 = StandardNormal.sample(&mut rng);
            for (l, w) in lag_weights.iter().enumerate() {
                if t > l {
                    for cause in 0..nodes {
                        x += w[[cause, effect]] * series[[t - l - 1, cause]];
                    }
                }
            }
            series[[t, effect]] = x;
        }
    }
    let values = series.slice(ndarray::s![BURN_IN.., ..]).to_owned();
    let data = Dataset::continuous(names.clone(), values)?;
    let mut graph = CausalGraph::with_nodes(names.clone())?;
    let mut lagged_edges = Vec::new();
    for (l, w) in lag_weights.iter().enumerate() {
        for cause in 0..nodes {
            for effect in 0..nodes {
                if w[[cause, effect]] != 0.0 {
                    lagged_edges.push(LaggedEdge {
                        cause: names[cause].clone(),
                        lag: l + 1,
                        effect: names[effect].clone(),
                    });
                    let (a, b) = (NodeId::from_index(cause), NodeId::from_index(effect));
                    if cause != effect && !graph.has_directed(a, b) {
                        graph.add_directed(a, b)?;
                    }
                }
            }
        }
    }
    lagged_edges.sort_by(|a, b| (&a.effect, a.lag, &a.cause).cmp(&(&b.effect, b.lag, &b.cause)));
    let mut sim = Simulation::plain(data, graph);
    sim.time_index = Some((0..length).map(|t| t as f64).collect());
    sim.lag_weights = lag_weights;
    sim.lagged_edges = lagged_edges;
    Ok(sim)
}

/// Writes a dataset as comma-separated text with a header; discrete columns with labels are
/// written as their labels, and a time index, if given, as a first column named `time`.
pub fn to_csv(data: &Dataset, time_index: Option<&[f64]>) -> String {
    let mut out = String::new();
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    };
    let mut header: Vec<String> = data.names().iter().map(|n| quote(n)).collect();
    if time_index.is_some() {
        header.insert(0, "time".into());
    }
    out.push_str(&header.join(","));
    out.push('\n');
    let values = data.values();
    for r in 0..data.n_rows() {
        let mut fields: Vec<String> = Vec::with_capacity(data.n_cols() + 1);
        if let Some(t) = time_index.and_then(|t| t.get(r)) {
            fields.push(format_number(*t));
        }
        for j in 0..data.n_cols() {
            let v = values[[r, j]];
            let labels = data.labels(j);
            let field = match data.kinds()[j] {
                ColumnKind::Discrete { .. } if !labels.is_empty() => {
                    labels.get(v as usize).map_or_else(|| format_number(v), |l| quote(l))
                }
                ColumnKind::Discrete { .. } => format_number(v),
                ColumnKind::Continuous => format!("{v}"),
            };
            fields.push(field);
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[cfg(feature = "files")]
#[path = "simulate_tests.rs"]
mod tests;
