//! Bootstrap edge confidence: how often each edge is found when the rows are resampled.
//!
//! One run of a discovery algorithm gives one graph and no sense of how fragile each edge is.
//! Resampling the rows with replacement and re-running the algorithm shows which edges survive
//! sampling noise (Friedman, Goldszmidt and Wyner 1999): an edge found in 95% of the replicates is
//! better supported than one found in 55%. This module counts, over the replicates, each edge with
//! its kind and orientation (`a -> b` and `b -> a` are different edges, `a -- b` a third) and each
//! adjacency whatever its marks, so an adjacency can be stable while its orientation is not.
//!
//! Determinism: replicate `r` draws its rows from its own generator, a ChaCha8 stream seeded with
//! `seed` and numbered `r`, so the resampled rows do not depend on which thread runs which
//! replicate, and the counts (sums of integers) do not depend on the order in which replicates
//! finish. The same seed gives the same frequencies with any number of threads.
//!
//! A replicate on which the algorithm fails (a resample can, rarely, make a column constant or two
//! columns collinear) is not counted; the failures are reported with their messages and the
//! frequencies are over the successful replicates. If every replicate fails, the first failure
//! (by replicate number) is returned as the error.

use std::collections::BTreeMap;

use causa_data::Dataset;
use causa_graph::{CausalGraph, EdgeKind};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{DiscoveryError, Result};

/// The most replicates one bootstrap runs: frequencies are exact to 0.00001 by then, and every
/// replicate keeps a result in memory, so a count far beyond it would exhaust memory.
pub const MAX_REPLICATES: usize = 100_000;

/// Parameters of [`bootstrap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootstrapParams {
    /// Number of resampled datasets; at least 1.
    pub replicates: usize,
    /// Seed of the resampling; the same seed gives the same result.
    pub seed: u64,
    /// Worker threads (`None`: rayon's global pool). The result does not depend on it.
    pub threads: Option<usize>,
}

impl BootstrapParams {
    /// Fails, naming the parameter, unless every value is usable.
    pub fn check(&self) -> Result<()> {
        if self.replicates == 0 {
            return Err(DiscoveryError::InvalidParameter("bootstrap replicates must be at least 1".into()));
        }
        if self.replicates > MAX_REPLICATES {
            return Err(DiscoveryError::InvalidParameter(format!(
                "bootstrap replicates must be at most {MAX_REPLICATES}, got {}",
                self.replicates
            )));
        }
        crate::parallel::check_threads(self.threads)
    }
}

/// How often one edge (with its kind and orientation) was found.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeFrequency {
    /// The first endpoint as the kind is written (`from -> to`, `from o-> to`); for the symmetric
    /// kinds (`--`, `<->`, `o-o`) the endpoint that comes first in the dataset's column order.
    pub from: String,
    /// The other endpoint.
    pub to: String,
    /// The kind of edge.
    pub kind: EdgeKind,
    /// Replicates that found this edge.
    pub count: usize,
    /// `count` divided by the successful replicates.
    pub frequency: f64,
}

/// How often two variables were adjacent, by any kind of edge.
#[derive(Clone, Debug, PartialEq)]
pub struct AdjacencyFrequency {
    /// The endpoint first in column order.
    pub a: String,
    /// The other endpoint.
    pub b: String,
    /// Replicates in which they were adjacent.
    pub count: usize,
    /// `count` divided by the successful replicates.
    pub frequency: f64,
}

/// What the replicates found.
#[derive(Clone, Debug, PartialEq)]
pub struct BootstrapResult {
    /// Replicates run.
    pub replicates: usize,
    /// Replicates on which the algorithm succeeded (the denominator of the frequencies).
    pub succeeded: usize,
    /// Failed replicates: their number and error message.
    pub failures: Vec<(usize, String)>,
    /// Every edge found at least once, most frequent first (ties in column order).
    pub edges: Vec<EdgeFrequency>,
    /// Every adjacency found at least once, most frequent first (ties in column order).
    pub adjacencies: Vec<AdjacencyFrequency>,
}

impl BootstrapResult {
    /// The frequency of the edge `from kind to` (0 if never found); symmetric kinds match either
    /// order of the endpoints.
    pub fn edge_frequency(&self, from: &str, to: &str, kind: EdgeKind) -> f64 {
        let symmetric = is_symmetric(kind);
        self.edges
            .iter()
            .find(|e| {
                e.kind == kind
                    && ((e.from == from && e.to == to) || (symmetric && e.from == to && e.to == from))
            })
            .map_or(0.0, |e| e.frequency)
    }

    /// The frequency with which `a` and `b` were adjacent (0 if never).
    pub fn adjacency_frequency(&self, a: &str, b: &str) -> f64 {
        self.adjacencies
            .iter()
            .find(|e| (e.a == a && e.b == b) || (e.a == b && e.b == a))
            .map_or(0.0, |e| e.frequency)
    }
}

fn is_symmetric(kind: EdgeKind) -> bool {
    matches!(kind, EdgeKind::Undirected | EdgeKind::Bidirected | EdgeKind::Nondirected)
}

/// The rows of replicate `replicate`: `n` indices drawn uniformly with replacement from `0..n`.
pub fn resample_indices(n: usize, seed: u64, replicate: usize) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(replicate as u64);
    (0..n).map(|_| rng.random_range(0..n)).collect()
}

/// Edges of one replicate's graph as (from, to, kind) column indices, plus its adjacencies.
type Found = (Vec<(usize, usize, EdgeKind)>, Vec<(usize, usize)>);

/// Runs `learn` on `params.replicates` resampled copies of `data` in parallel and counts the
/// edges and adjacencies of the graphs it returns; see the module documentation.
///
/// The graphs' node names must be columns of `data` (nodes of other names, such as lagged copies,
/// are an error naming them).
pub fn bootstrap<F>(data: &Dataset, params: &BootstrapParams, learn: F) -> Result<BootstrapResult>
where
    F: Fn(&Dataset) -> Result<CausalGraph> + Sync,
{
    params.check()?;
    if data.n_rows() == 0 {
        return Err(DiscoveryError::UnsuitableData("the dataset has no rows".into()));
    }
    let names = data.names();
    let column = |graph: &CausalGraph, id| -> Result<usize> {
        let name = graph.name(id);
        names.iter().position(|n| n == name).ok_or_else(|| {
            DiscoveryError::InvalidParameter(format!(
                "the learned graph has node `{name}`, which is not a column of the data"
            ))
        })
    };
    let one = |replicate: usize| -> Result<Found> {
        let rows = resample_indices(data.n_rows(), params.seed, replicate);
        let sample = data.rows(&rows)?;
        let graph = learn(&sample)?;
        let mut edges = Vec::new();
        let mut adjacent = Vec::new();
        for edge in graph.edges() {
            let e = edge.canonical();
            let (mut a, mut b) = (column(&graph, e.a)?, column(&graph, e.b)?);
            let kind = e.kind();
            if is_symmetric(kind) && a > b {
                std::mem::swap(&mut a, &mut b);
            }
            edges.push((a, b, kind));
            adjacent.push((a.min(b), a.max(b)));
        }
        adjacent.sort_unstable();
        adjacent.dedup();
        Ok((edges, adjacent))
    };
    let run = || (0..params.replicates).into_par_iter().map(one).collect::<Vec<_>>();
    let outcomes = crate::parallel::install(params.threads, || Ok(run()))?;

    let mut edge_counts: BTreeMap<(usize, usize, EdgeKind), usize> = BTreeMap::new();
    let mut adjacency_counts: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut first_error = None;
    let mut succeeded = 0;
    for (replicate, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Ok((edges, adjacent)) => {
                succeeded += 1;
                for key in edges {
                    *edge_counts.entry(key).or_default() += 1;
                }
                for key in adjacent {
                    *adjacency_counts.entry(key).or_default() += 1;
                }
            }
            Err(err) => {
                failures.push((replicate, err.to_string()));
                first_error.get_or_insert(err);
            }
        }
    }
    if succeeded == 0 {
        return Err(first_error.unwrap_or_else(|| DiscoveryError::InvalidParameter("no replicates".into())));
    }
    let total = succeeded as f64;
    let mut edges: Vec<EdgeFrequency> = edge_counts
        .into_iter()
        .map(|((a, b, kind), count)| EdgeFrequency {
            from: names[a].clone(),
            to: names[b].clone(),
            kind,
            count,
            frequency: count as f64 / total,
        })
        .collect();
    // Stable sort: ties keep the column order of the BTreeMap.
    edges.sort_by_key(|e| std::cmp::Reverse(e.count));
    let mut adjacencies: Vec<AdjacencyFrequency> = adjacency_counts
        .into_iter()
        .map(|((a, b), count)| AdjacencyFrequency {
            a: names[a].clone(),
            b: names[b].clone(),
            count,
            frequency: count as f64 / total,
        })
        .collect();
    adjacencies.sort_by_key(|e| std::cmp::Reverse(e.count));
    Ok(BootstrapResult { replicates: params.replicates, succeeded, failures, edges, adjacencies })
}

#[cfg(test)]
mod tests;
