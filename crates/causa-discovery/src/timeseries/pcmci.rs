//! PCMCI (Runge et al. 2019, Science Advances 5:eaau4996) with the ParCorr test, for lagged
//! links.
//!
//! Conditioning on the whole past (as conditional Granger does) costs power when there are many
//! series and lags. PCMCI first finds a small superset of each variable's lagged parents, then
//! tests each candidate link conditioning only on what matters:
//!
//! 1. **PC1** (condition selection), for every target `x_j(t)`: start from all `x_i(t - tau)`,
//!    `tau_min <= tau <= tau_max`; for conditioning-set sizes `p = 0, 1, 2, ...` test every
//!    remaining candidate given the `p` strongest *other* candidates (at most `max_combinations`
//!    subsets, taken in lexicographic order of the candidates sorted strongest first), drop
//!    those with p-value `> pc_alpha` after the sweep, and re-sort the survivors by their
//!    smallest absolute partial correlation so far. It stops when fewer than `p + 1` candidates
//!    remain or `p` exceeds `max_conds_dim`.
//! 2. **MCI** (momentary conditional independence), for every `x_i(t - tau) -> x_j(t)`: test
//!    conditioning on the parents of `x_j(t)` (minus the tested one; at most `max_conds_py`,
//!    strongest first) and the parents of `x_i(t - tau)` shifted by `tau` (at most
//!    `max_conds_px`). The link is found when its (optionally FDR-corrected) p-value is at most
//!    `alpha_level`.
//!
//! These are the semantics of tigramite's `PCMCI.run_pcmci` (version 5.2), including its
//! defaults (`pc_alpha = 0.2`, `max_combinations = 1`, `alpha_level = 0.05`, no FDR correction;
//! tigramite's `tau_min` defaults to 0, ours to 1) and its choice to run every test on the same
//! time points `t = 2 tau_max..T` (tigramite's `cut_off = '2xtau_max'`), so that all MCI
//! statistics are comparable. On the data of benchmarks/discovery/pcmci-vs-tigramite.md the
//! parents, links, partial correlations and p-values agree with tigramite's to rounding.
//!
//! **ParCorr**: the partial correlation `r` of `X` and `Y` given `Z` is the correlation of their
//! least-squares residuals on `Z` (with intercept); it is computed here from the precision matrix
//! of the correlation sub-matrix, which is algebraically the same number. Its p-value uses the
//! **t distribution**: `t = r sqrt(df / (1 - r^2))` with `df = n - 2 - |Z|`, two-sided, exactly as
//! tigramite's analytic ParCorr significance (not the Fisher-z approximation).
//!
//! **Out of scope**: contemporaneous links (`tau = 0`) need PCMCI+ (Runge 2020) to be oriented
//! and are not supported; `tau_min` must be at least 1.

use std::collections::HashMap;

use causa_data::Dataset;
use causa_graph::{CausalGraph, NodeId};
use ndarray::Array2;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::{Correction, LaggedDesign, LaggedVar, adjust_p_values, check_probability, check_series};
use crate::error::{DiscoveryError, Result};
use crate::linalg;

/// Parameters of [`pcmci`]; field docs give the defaults of [`PcmciParams::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct PcmciParams {
    /// Smallest lag tested (default 1; must be `>= 1`, see the module docs).
    pub tau_min: usize,
    /// Largest lag tested (`>= tau_min`).
    pub tau_max: usize,
    /// Significance level of the PC1 condition selection (default 0.2, in `(0, 1]`; larger keeps
    /// more conditions, which protects MCI against missed confounders at some cost in power).
    pub pc_alpha: f64,
    /// Largest conditioning-set size in PC1 (default unlimited).
    pub max_conds_dim: Option<usize>,
    /// Conditioning subsets tried per size and candidate in PC1 (default 1: the strongest).
    pub max_combinations: usize,
    /// At most this many parents of the target in MCI conditions (default all).
    pub max_conds_py: Option<usize>,
    /// At most this many parents of the source in MCI conditions (default all).
    pub max_conds_px: Option<usize>,
    /// Significance level of the MCI tests (default 0.05).
    pub alpha_level: f64,
    /// Correction of the MCI p-values across all tested links (default none, as tigramite).
    pub correction: Correction,
}

impl PcmciParams {
    /// The defaults with this largest lag.
    pub fn new(tau_max: usize) -> Self {
        PcmciParams {
            tau_min: 1,
            tau_max,
            pc_alpha: 0.2,
            max_conds_dim: None,
            max_combinations: 1,
            max_conds_py: None,
            max_conds_px: None,
            alpha_level: 0.05,
            correction: Correction::None,
        }
    }

    /// Rejects out-of-range values, naming the parameter.
    pub fn check(&self) -> Result<()> {
        if self.tau_min == 0 {
            return Err(DiscoveryError::InvalidParameter(
                "tau_min must be at least 1: contemporaneous links need PCMCI+, which is not implemented"
                    .into(),
            ));
        }
        if self.tau_max < self.tau_min {
            return Err(DiscoveryError::InvalidParameter(format!(
                "tau_max ({}) must be at least tau_min ({})",
                self.tau_max, self.tau_min
            )));
        }
        if !(self.pc_alpha > 0.0 && self.pc_alpha <= 1.0) {
            return Err(DiscoveryError::InvalidParameter(format!(
                "pc_alpha must lie in (0, 1], got {}",
                self.pc_alpha
            )));
        }
        if self.max_combinations == 0 {
            return Err(DiscoveryError::InvalidParameter("max_combinations must be at least 1".into()));
        }
        check_probability("alpha_level", self.alpha_level)
    }

    fn lag_count(&self) -> usize {
        self.tau_max - self.tau_min + 1
    }
}

/// A lagged parent kept by PC1.
#[derive(Clone, Debug, PartialEq)]
pub struct LaggedParent {
    /// The parent `x_var(t - lag)`.
    pub node: LaggedVar,
    /// The smallest absolute partial correlation over the PC1 tests of this parent (its sort key).
    pub min_abs_partial_correlation: f64,
    /// The largest p-value over those tests.
    pub max_p_value: f64,
}

/// An MCI test of `x_source(t - lag) -> x_target(t)`.
#[derive(Clone, Debug, PartialEq)]
pub struct LaggedLink {
    /// Column index of the source series.
    pub source: usize,
    /// Column index of the target series.
    pub target: usize,
    /// The lag `tau >= 1`.
    pub lag: usize,
    /// The MCI partial correlation.
    pub partial_correlation: f64,
    /// Its p-value.
    pub p_value: f64,
    /// The p-value after the chosen correction (equal to `p_value` without one).
    pub adjusted_p_value: f64,
    /// Number of conditioning variables of the MCI test.
    pub conditions: usize,
}

/// The outcome of [`pcmci`].
#[derive(Clone, Debug)]
pub struct PcmciResult {
    /// The series names.
    pub names: Vec<String>,
    /// The PC1 parents of each target, strongest first.
    pub parents: Vec<Vec<LaggedParent>>,
    /// The significant links, ordered by target, source, lag.
    pub links: Vec<LaggedLink>,
    /// Nodes `name(t)` and `name(t-tau)` for `tau` up to `tau_max`; `x_i(t-tau) -> x_j(t)` per
    /// significant link (autodependencies included).
    pub time_series_graph: CausalGraph,
    /// `i -> j` when some lag links `i` to `j`, for `i != j`.
    pub summary_graph: CausalGraph,
    /// Time points used by every test (`T - 2 tau_max`).
    pub n_samples: usize,
    /// Number of conditional-independence tests run (PC1 and MCI).
    pub tests_run: usize,
    tests: Vec<LaggedLink>,
}

impl PcmciResult {
    /// Every MCI test, significant or not, ordered by target, source, lag.
    pub fn mci_tests(&self) -> &[LaggedLink] {
        &self.tests
    }

    /// The MCI test of `x_source(t - lag) -> x_target(t)`, if that lag was tested.
    pub fn mci(&self, source: usize, target: usize, lag: usize) -> Option<&LaggedLink> {
        self.tests.iter().find(|l| l.source == source && l.target == target && l.lag == lag)
    }

    /// The significant links as `(source, target, lag)`.
    pub fn link_triples(&self) -> Vec<(usize, usize, usize)> {
        self.links.iter().map(|l| (l.source, l.target, l.lag)).collect()
    }
}

/// Runs PCMCI with the ParCorr test on `data` (rows = consecutive time points).
pub fn pcmci(data: &Dataset, params: &PcmciParams) -> Result<PcmciResult> {
    params.check()?;
    check_series(data, "PCMCI", 1)?;
    check_length(data, params)?;
    let n_vars = data.n_cols();
    let names = data.names().to_vec();
    let window = 2 * params.tau_max;
    let design = LaggedDesign::new(data.values(), window, window)?;
    let test = ParCorr::new(&design, &names)?;

    let mut tests_run = 0;
    let mut parents = Vec::with_capacity(n_vars);
    for target in 0..n_vars {
        let (found, count) = pc1(&test, target, n_vars, params)?;
        parents.push(found);
        tests_run += count;
    }

    let mut tests = Vec::with_capacity(n_vars * n_vars * params.lag_count());
    for target in 0..n_vars {
        let conds_y = strongest(&parents[target], params.max_conds_py);
        for (source, source_parents) in parents.iter().enumerate() {
            let conds_x = strongest(source_parents, params.max_conds_px);
            for lag in params.tau_min..=params.tau_max {
                let x = LaggedVar::new(source, lag);
                let mut z: Vec<LaggedVar> = conds_y.iter().copied().filter(|&c| c != x).collect();
                for shifted in conds_x.iter().map(|c| LaggedVar::new(c.var, c.lag + lag)) {
                    if !z.contains(&shifted) {
                        z.push(shifted);
                    }
                }
                let (r, p) = test.run(x, LaggedVar::new(target, 0), &z)?;
                tests_run += 1;
                tests.push(LaggedLink {
                    source,
                    target,
                    lag,
                    partial_correlation: r,
                    p_value: p,
                    adjusted_p_value: p,
                    conditions: z.len(),
                });
            }
        }
    }

    let raw: Vec<f64> = tests.iter().map(|l| l.p_value).collect();
    for (link, q) in tests.iter_mut().zip(adjust_p_values(&raw, params.correction)) {
        link.adjusted_p_value = q;
    }
    let links: Vec<LaggedLink> =
        tests.iter().filter(|l| l.adjusted_p_value <= params.alpha_level).cloned().collect();
    let (time_series_graph, summary_graph) = graphs(&names, params.tau_max, &links)?;
    Ok(PcmciResult {
        names,
        parents,
        links,
        time_series_graph,
        summary_graph,
        n_samples: design.n_samples(),
        tests_run,
        tests,
    })
}

/// Rejects series too short for the largest conditioning set any test may use.
fn check_length(data: &Dataset, params: &PcmciParams) -> Result<()> {
    let candidates = data.n_cols() * params.lag_count();
    let pc1_conditions = params.max_conds_dim.unwrap_or(candidates).min(candidates.saturating_sub(1));
    let mci_conditions = params.max_conds_py.unwrap_or(candidates).min(candidates)
        + params.max_conds_px.unwrap_or(candidates).min(candidates);
    let needed = 2 * params.tau_max + pc1_conditions.max(mci_conditions) + 3;
    if data.n_rows() < needed {
        return Err(DiscoveryError::UnsuitableData(format!(
            "too few time points for PCMCI: {} rows; with tau_max {} the first {} rows only serve as \
             lags, and tests may condition on up to {} lagged variables, so at least {needed} rows are \
             needed (lower tau_max or cap max_conds_dim / max_conds_py / max_conds_px)",
            data.n_rows(),
            params.tau_max,
            2 * params.tau_max,
            pc1_conditions.max(mci_conditions)
        )));
    }
    Ok(())
}

fn strongest(parents: &[LaggedParent], cap: Option<usize>) -> Vec<LaggedVar> {
    parents.iter().take(cap.unwrap_or(usize::MAX)).map(|p| p.node).collect()
}

/// PC1 condition selection for one target: its lagged parents, strongest first, and the
/// number of tests run.
fn pc1(
    test: &ParCorr,
    target: usize,
    n_vars: usize,
    params: &PcmciParams,
) -> Result<(Vec<LaggedParent>, usize)> {
    let y = LaggedVar::new(target, 0);
    let mut candidates: Vec<LaggedVar> = (0..n_vars)
        .flat_map(|i| (params.tau_min..=params.tau_max).map(move |tau| LaggedVar::new(i, tau)))
        .collect();
    // Insertion-ordered, as the stable sort breaks ties by first appearance.
    let mut min_abs: Vec<(LaggedVar, f64)> = Vec::new();
    let mut max_p: HashMap<LaggedVar, f64> = HashMap::new();
    let mut tests_run = 0;
    let max_dim = params.max_conds_dim.unwrap_or(n_vars * params.lag_count());
    for conds_dim in 0..=max_dim {
        if candidates.len() < conds_dim + 1 {
            break;
        }
        let mut removed = Vec::new();
        for &parent in &candidates {
            let others: Vec<LaggedVar> = candidates.iter().copied().filter(|&c| c != parent).collect();
            for subset in Combinations::new(others.len(), conds_dim).take(params.max_combinations) {
                let z: Vec<LaggedVar> = subset.iter().map(|&k| others[k]).collect();
                let (r, p) = test.run(parent, y, &z)?;
                tests_run += 1;
                match min_abs.iter_mut().find(|(node, _)| *node == parent) {
                    Some(entry) => entry.1 = entry.1.min(r.abs()),
                    None => min_abs.push((parent, r.abs())),
                }
                let worst = max_p.entry(parent).or_insert(p);
                *worst = worst.max(p);
                if p > params.pc_alpha {
                    removed.push(parent);
                    break;
                }
            }
        }
        min_abs.retain(|(node, _)| !removed.contains(node));
        let mut sorted = min_abs.clone();
        sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
        candidates = sorted.into_iter().map(|(node, _)| node).collect();
    }
    let mut sorted = min_abs;
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
    let parents = sorted
        .into_iter()
        .map(|(node, value)| LaggedParent {
            node,
            min_abs_partial_correlation: value,
            max_p_value: max_p.get(&node).copied().unwrap_or(f64::NAN),
        })
        .collect();
    Ok((parents, tests_run))
}

/// The subsets of size `k` of `0..n` in lexicographic order.
struct Combinations {
    n: usize,
    indices: Vec<usize>,
    started: bool,
    done: bool,
}

impl Combinations {
    fn new(n: usize, k: usize) -> Self {
        Combinations { n, indices: (0..k).collect(), started: false, done: k > n }
    }
}

impl Iterator for Combinations {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some(self.indices.clone());
        }
        let k = self.indices.len();
        let Some(i) = (0..k).rev().find(|&i| self.indices[i] < self.n - k + i) else {
            self.done = true;
            return None;
        };
        self.indices[i] += 1;
        for m in i + 1..k {
            self.indices[m] = self.indices[m - 1] + 1;
        }
        Some(self.indices.clone())
    }
}

/// The ParCorr test over a lagged design: one correlation matrix, then every partial correlation
/// from its sub-matrices.
struct ParCorr<'a> {
    design: &'a LaggedDesign,
    correlation: Array2<f64>,
    names: &'a [String],
}

impl<'a> ParCorr<'a> {
    fn new(design: &'a LaggedDesign, names: &'a [String]) -> Result<Self> {
        let correlation = linalg::correlation(design.matrix()).map_err(|_| {
            DiscoveryError::UnsuitableData(
                "a series is constant over the tested window of time points; drop it before PCMCI".into(),
            )
        })?;
        Ok(ParCorr { design, correlation, names })
    }

    /// The partial correlation of `x` and `y` given `z` and its two-sided t-test p-value.
    fn run(&self, x: LaggedVar, y: LaggedVar, z: &[LaggedVar]) -> Result<(f64, f64)> {
        let given: Vec<usize> = z.iter().map(|&v| self.design.column_index(v)).collect();
        let r = linalg::partial_correlation(
            self.correlation.view(),
            self.design.column_index(x),
            self.design.column_index(y),
            &given,
        )
        .map_err(|_| {
            DiscoveryError::Singular(format!(
                "the test of {} -> {} conditions on collinear lagged series",
                self.label(x),
                self.label(y)
            ))
        })?;
        let df = self.design.n_samples() as f64 - 2.0 - z.len() as f64;
        if df < 1.0 {
            return Err(DiscoveryError::UnsuitableData(format!(
                "too few time points to test {} -> {} given {} conditions",
                self.label(x),
                self.label(y),
                z.len()
            )));
        }
        Ok((r, t_test_p_value(r, df)))
    }

    fn label(&self, node: LaggedVar) -> String {
        lagged_name(&self.names[node.var], node.lag)
    }
}

/// Two-sided p-value of a (partial) correlation `r` with `df` degrees of freedom.
fn t_test_p_value(r: f64, df: f64) -> f64 {
    if 1.0 - r.abs() <= f64::EPSILON {
        return 0.0;
    }
    let t = r * (df / (1.0 - r * r)).sqrt();
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => (2.0 * dist.sf(t.abs())).min(1.0),
        Err(_) => f64::NAN,
    }
}

fn lagged_name(name: &str, lag: usize) -> String {
    if lag == 0 { format!("{name}(t)") } else { format!("{name}(t-{lag})") }
}

fn graphs(names: &[String], tau_max: usize, links: &[LaggedLink]) -> Result<(CausalGraph, CausalGraph)> {
    let n_vars = names.len();
    let node = |var: usize, lag: usize| NodeId::from_index(lag * n_vars + var);
    let mut time_series = CausalGraph::new();
    for lag in 0..=tau_max {
        for name in names {
            time_series.add_node(lagged_name(name, lag))?;
        }
    }
    let mut summary = CausalGraph::with_nodes(names.iter().cloned())?;
    for link in links {
        time_series.add_directed(node(link.source, link.lag), node(link.target, 0))?;
        let (a, b) = (NodeId::from_index(link.source), NodeId::from_index(link.target));
        if a != b && !summary.has_directed(a, b) {
            summary.add_directed(a, b)?;
        }
    }
    Ok((time_series, summary))
}

#[cfg(test)]
mod tests {
    use ndarray::{Axis, s};

    use super::*;
    use crate::timeseries::simulate::{CHAIN, COMMON_DRIVER, simulate_var, var4_t200};

    fn params(tau_max: usize, alpha_level: f64) -> PcmciParams {
        PcmciParams { alpha_level, ..PcmciParams::new(tau_max) }
    }

    /// Reference values from tigramite 5.2.10.1 (`PCMCI.run_pcmci` with `ParCorr(significance =
    /// "analytic")`, tau_min 1, tau_max 3) on `testdata/var4_t200.csv`, a 4-series VAR with weak
    /// links and only 200 time points, so that PC1's ordering and removals matter; generated by
    /// benchmarks/discovery/pcmci_compare.py's simulator. `testdata/var4_t200_tigramite.csv` holds
    /// rows `(setting, source, target, lag, partial correlation, p-value)` for two settings:
    /// `defaults`, and `tight` (pc_alpha 0.05, max_combinations 3, max_conds_dim 2).
    fn tigramite(setting: &str) -> Vec<(usize, usize, usize, f64, f64)> {
        let rows: Vec<(usize, usize, usize, f64, f64)> = include_str!("testdata/var4_t200_tigramite.csv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                (fields[0] == setting).then(|| {
                    let int = |i: usize| fields[i].parse::<usize>().unwrap();
                    let real = |i: usize| fields[i].parse::<f64>().unwrap();
                    (int(1), int(2), int(3), real(4), real(5))
                })
            })
            .collect();
        assert_eq!(rows.len(), 48, "4 targets x 4 sources x 3 lags for `{setting}`");
        rows
    }

    fn assert_matches_tigramite(result: &PcmciResult, expected: &[(usize, usize, usize, f64, f64)]) {
        assert_eq!(result.mci_tests().len(), expected.len());
        for &(source, target, lag, r, p) in expected {
            let got = result.mci(source, target, lag).unwrap();
            assert!((got.partial_correlation - r).abs() < 1e-9, "{got:?} vs r = {r}");
            assert!((got.p_value - p).abs() <= 1e-7 * p, "{got:?} vs p = {p}");
        }
    }

    fn parent_lists(result: &PcmciResult) -> Vec<Vec<(usize, usize)>> {
        result.parents.iter().map(|ps| ps.iter().map(|p| (p.node.var, p.node.lag)).collect()).collect()
    }

    #[test]
    fn matches_tigramite_with_its_defaults() {
        let result = pcmci(&var4_t200(), &params(3, 0.05)).unwrap();
        let expected_parents = vec![
            vec![(0, 1), (2, 3), (1, 3)],
            vec![(1, 1), (0, 1)],
            vec![(2, 1), (1, 2)],
            vec![(3, 1), (2, 1), (2, 3), (0, 3)],
        ];
        assert_eq!(parent_lists(&result), expected_parents);
        assert_matches_tigramite(&result, &tigramite("defaults"));
    }

    #[test]
    fn matches_tigramite_with_more_combinations_and_a_dimension_cap() {
        let tight =
            PcmciParams { pc_alpha: 0.05, max_combinations: 3, max_conds_dim: Some(2), ..params(3, 0.05) };
        let result = pcmci(&var4_t200(), &tight).unwrap();
        let expected_parents =
            vec![vec![(0, 1)], vec![(1, 1), (0, 1)], vec![(2, 1), (1, 2)], vec![(2, 1), (3, 1)]];
        assert_eq!(parent_lists(&result), expected_parents);
        assert_matches_tigramite(&result, &tigramite("tight"));
    }

    #[test]
    fn finds_the_chain_links_at_their_lags_with_few_false_positives() {
        let truth = [(0, 0, 1), (0, 1, 1), (1, 1, 1), (1, 2, 2), (2, 2, 1)];
        let (seeds, tau_max) = (10, 3);
        let mut false_positives = 0;
        for seed in 0..seeds {
            let data = simulate_var(&["x1", "x2", "x3"], &CHAIN, 1000, 100 + seed);
            let result = pcmci(&data, &params(tau_max, 0.01)).unwrap();
            let found = result.link_triples();
            for link in truth {
                assert!(found.contains(&link), "seed {seed}: missed {link:?} in {found:?}");
            }
            false_positives += found.iter().filter(|l| !truth.contains(l)).count();
            let strength = result.mci(1, 2, 2).unwrap().partial_correlation;
            assert!(strength > 0.2, "seed {seed}: x2(t-2) -> x3 has partial correlation {strength}");
        }
        // 9 x 3 - 5 = 22 null links per seed, 220 in all, each a level-0.01 test: about 2.2
        // expected; more than 8 has probability below 1e-3 under Binomial(220, 0.01).
        assert!(false_positives <= 8, "{false_positives} false links over {seeds} seeds");
    }

    #[test]
    fn graphs_show_lagged_and_summary_links() {
        let data = simulate_var(&["x1", "x2", "x3"], &CHAIN, 1000, 5);
        let result = pcmci(&data, &params(2, 0.01)).unwrap();
        assert_eq!(result.link_triples(), vec![(0, 0, 1), (0, 1, 1), (1, 1, 1), (1, 2, 2), (2, 2, 1)]);
        let ts = &result.time_series_graph;
        assert_eq!(ts.node_count(), 9);
        assert!(ts.has_directed(ts.require("x2(t-2)").unwrap(), ts.require("x3(t)").unwrap()));
        assert!(ts.has_directed(ts.require("x1(t-1)").unwrap(), ts.require("x1(t)").unwrap()));
        assert_eq!(ts.edge_count(), 5);
        let summary = &result.summary_graph;
        let id = |n: &str| summary.require(n).unwrap();
        assert!(summary.has_directed(id("x1"), id("x2")) && summary.has_directed(id("x2"), id("x3")));
        assert_eq!(summary.edge_count(), 2);
        assert_eq!(result.n_samples, 1000 - 4);
        // The PC1 parents of x3 contain its true parents.
        let nodes: Vec<LaggedVar> = result.parents[2].iter().map(|p| p.node).collect();
        assert!(nodes.contains(&LaggedVar::new(1, 2)) && nodes.contains(&LaggedVar::new(2, 1)), "{nodes:?}");
        assert!(result.parents[2].iter().all(|p| p.max_p_value <= 0.2));
    }

    #[test]
    fn a_common_driver_creates_no_link() {
        for seed in 1..=3 {
            let data = simulate_var(&["z", "x", "y"], &COMMON_DRIVER, 1000, seed);
            let result = pcmci(&data, &params(2, 0.01)).unwrap();
            let found = result.link_triples();
            assert!(found.contains(&(0, 1, 1)) && found.contains(&(0, 2, 2)), "seed {seed}: {found:?}");
            assert!(
                !found.iter().any(|&(s, t, _)| s == 1 && t == 2),
                "seed {seed}: spurious x -> y in {found:?}"
            );
        }
    }

    #[test]
    fn parcorr_equals_the_correlation_of_ols_residuals() {
        let data = simulate_var(&["a", "b", "c"], &CHAIN, 300, 9);
        let names = data.names().to_vec();
        let design = LaggedDesign::new(data.values(), 4, 4).unwrap();
        let test = ParCorr::new(&design, &names).unwrap();
        let (x, y) = (LaggedVar::new(0, 2), LaggedVar::new(2, 0));
        let z = [LaggedVar::new(1, 2), LaggedVar::new(2, 1), LaggedVar::new(0, 3)];
        let (r, p) = test.run(x, y, &z).unwrap();
        let zm = design.columns(&z);
        let (_, _, rx) = linalg::ols(design.columns(&[x]).column(0), zm.view()).unwrap();
        let (_, _, ry) = linalg::ols(design.columns(&[y]).column(0), zm.view()).unwrap();
        let expected = rx.dot(&ry) / (rx.dot(&rx) * ry.dot(&ry)).sqrt();
        assert!((r - expected).abs() < 1e-10, "{r} vs {expected}");
        // Textbook t test of a partial correlation: df = n - 2 - |Z|.
        let df = (296 - 2 - 3) as f64;
        let t = expected * (df / (1.0 - expected * expected)).sqrt();
        let tail = StudentsT::new(0.0, 1.0, df).unwrap().sf(t.abs());
        assert!((p - 2.0 * tail).abs() < 1e-12);
        assert_eq!(design.matrix().len_of(Axis(0)), 296);
        assert_eq!(design.matrix().slice(s![0, ..]).len(), 15);
    }

    #[test]
    fn combinations_are_lexicographic() {
        let all: Vec<Vec<usize>> = Combinations::new(4, 2).collect();
        assert_eq!(all, vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]);
        assert_eq!(Combinations::new(3, 0).collect::<Vec<_>>(), vec![Vec::<usize>::new()]);
        assert_eq!(Combinations::new(2, 3).count(), 0);
    }

    #[test]
    fn fdr_correction_never_adds_links() {
        let data = simulate_var(&["x1", "x2", "x3"], &CHAIN, 400, 21);
        let plain = pcmci(&data, &params(3, 0.05)).unwrap();
        let fdr = pcmci(&data, &PcmciParams { correction: Correction::BenjaminiHochberg, ..params(3, 0.05) })
            .unwrap();
        let plain_links = plain.link_triples();
        assert!(fdr.link_triples().iter().all(|l| plain_links.contains(l)));
        assert!(fdr.mci_tests().iter().all(|l| l.adjusted_p_value >= l.p_value));
    }

    #[test]
    fn invalid_parameters_and_short_or_constant_series_are_errors() {
        let data = simulate_var(&["a", "b"], &[(0, 1, 1, 0.5)], 30, 1);
        let err = pcmci(&data, &PcmciParams { tau_min: 0, ..params(2, 0.05) }).unwrap_err();
        assert!(err.to_string().contains("PCMCI+"), "{err}");
        let err = pcmci(&data, &PcmciParams { tau_min: 3, ..params(2, 0.05) }).unwrap_err();
        assert!(err.to_string().contains("tau_max"), "{err}");
        let err = pcmci(&data, &PcmciParams { pc_alpha: 0.0, ..params(2, 0.05) }).unwrap_err();
        assert!(err.to_string().contains("pc_alpha"), "{err}");
        let err = pcmci(&data, &params(2, 1.0)).unwrap_err();
        assert!(err.to_string().contains("alpha_level"), "{err}");
        let err = pcmci(&data, &params(8, 0.05)).unwrap_err();
        assert!(err.to_string().contains("too few time points"), "{err}");

        let mut values = data.values().to_owned();
        values.column_mut(0).fill(1.5);
        let constant = Dataset::continuous(vec!["flat".into(), "b".into()], values).unwrap();
        let err = pcmci(&constant, &params(1, 0.05)).unwrap_err();
        assert!(err.to_string().contains("`flat` is constant"), "{err}");
    }
}
