use causa_data::simulate::{Noise, SemModel, simulate_sem};
use causa_graph::{CausalGraph, EdgeKind};

use super::*;
use crate::citest::FisherZ;
use crate::pc::{PcParams, pc};

/// x1 -> x3 <- x2, x3 -> x4: a collider PC orients, then Meek's rule 1.
fn truth() -> CausalGraph {
    CausalGraph::from_edges(&[
        ("x1", "x3", EdgeKind::Directed),
        ("x2", "x3", EdgeKind::Directed),
        ("x3", "x4", EdgeKind::Directed),
    ])
    .unwrap()
}

fn pc_learner(data: &Dataset) -> Result<CausalGraph> {
    let test = FisherZ::new(data)?;
    let params = PcParams { threads: Some(1), ..PcParams::default() };
    Ok(pc(&test, data.names(), &params, None)?.graph)
}

fn strong_data() -> Dataset {
    simulate_sem(&truth(), SemModel::Linear(Noise::Gaussian), 2000, 11).unwrap().data
}

#[test]
fn resampled_rows_are_in_range_reproducible_and_differ_between_replicates() {
    let a = resample_indices(500, 7, 0);
    assert_eq!(a.len(), 500);
    assert!(a.iter().all(|&i| i < 500));
    assert_eq!(a, resample_indices(500, 7, 0));
    assert_ne!(a, resample_indices(500, 7, 1));
    assert_ne!(a, resample_indices(500, 8, 0));
    // With replacement: some row repeats (the chance that 500 draws are distinct is ~0).
    let mut sorted = a.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert!(sorted.len() < 500);
    // About 1 - 1/e = 63.2% of the rows appear in a bootstrap sample.
    let fraction = sorted.len() as f64 / 500.0;
    assert!((fraction - 0.632).abs() < 0.06, "{fraction}");
}

#[test]
fn strong_signal_true_edges_are_found_in_nearly_every_replicate() {
    let data = strong_data();
    let params = BootstrapParams { replicates: 20, seed: 3, threads: None };
    let result = bootstrap(&data, &params, pc_learner).unwrap();
    assert_eq!(result.succeeded, 20);
    assert!(result.failures.is_empty());
    for (a, b) in [("x1", "x3"), ("x2", "x3"), ("x3", "x4")] {
        let f = result.adjacency_frequency(a, b);
        assert!(f >= 0.9, "{a} - {b}: {f}");
        assert!(result.edge_frequency(a, b, EdgeKind::Directed) >= 0.8, "{a} -> {b}: {result:?}");
    }
    // x1 and x2 are marginally independent; x1 and x4 are separated by x3.
    for (a, b) in [("x1", "x2"), ("x1", "x4"), ("x2", "x4")] {
        let f = result.adjacency_frequency(a, b);
        assert!(f <= 0.3, "{a} - {b}: {f}");
    }
    // Frequencies are sorted, in (0, 1], and an adjacency is at least as frequent as each of its
    // oriented edges.
    assert!(result.edges.windows(2).all(|w| w[0].count >= w[1].count));
    for e in &result.edges {
        assert!(e.frequency > 0.0 && e.frequency <= 1.0);
        assert!(result.adjacency_frequency(&e.from, &e.to) >= e.frequency);
    }
}

#[test]
fn the_result_does_not_depend_on_the_number_of_threads() {
    let data = simulate_sem(&truth(), SemModel::Linear(Noise::Gaussian), 150, 5).unwrap().data;
    let run = |threads| {
        bootstrap(&data, &BootstrapParams { replicates: 12, seed: 99, threads: Some(threads) }, pc_learner)
            .unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(4));
    // A small sample leaves some edges uncertain, so the comparison is not trivial.
    assert!(one.edges.iter().any(|e| e.count < 12), "{one:?}");
}

#[test]
fn counts_match_a_direct_count_over_the_resampled_rows() {
    // A learner whose graph depends on the sample in a way we can count by hand: `a -> b` when the
    // resample's first row is below 50, `a -- b` otherwise; `c` is always isolated.
    let n = 100;
    let values = ndarray::Array2::from_shape_fn((n, 3), |(i, j)| (i * (j + 1)) as f64);
    let data = Dataset::continuous(vec!["a".into(), "b".into(), "c".into()], values).unwrap();
    let learner = |d: &Dataset| -> Result<CausalGraph> {
        let mut g = CausalGraph::with_nodes(["a", "b", "c"])?;
        let kind = if d.column(0)[0] < 50.0 { EdgeKind::Directed } else { EdgeKind::Undirected };
        // Add `b -- a` in the reverse order to check the symmetric kinds are normalised.
        if kind == EdgeKind::Directed {
            g.add_named("a", "b", kind)?
        } else {
            g.add_named("b", "a", kind)?
        };
        Ok(g)
    };
    let replicates = 40;
    let result = bootstrap(&data, &BootstrapParams { replicates, seed: 1, threads: None }, learner).unwrap();
    let directed = (0..replicates).filter(|&r| resample_indices(n, 1, r)[0] < 50).count();
    assert!(directed > 0 && directed < replicates, "{directed}");
    let count = |from: &str, to: &str, kind| {
        result.edges.iter().find(|e| e.from == from && e.to == to && e.kind == kind).map(|e| e.count)
    };
    assert_eq!(count("a", "b", EdgeKind::Directed), Some(directed));
    assert_eq!(count("a", "b", EdgeKind::Undirected), Some(replicates - directed));
    assert_eq!(result.edges.len(), 2);
    assert_eq!(result.adjacencies.len(), 1);
    assert_eq!(result.adjacencies[0].count, replicates);
    assert_eq!(result.adjacency_frequency("b", "a"), 1.0);
    assert_eq!(result.adjacency_frequency("a", "c"), 0.0);
}

#[test]
fn failures_are_reported_and_all_failing_is_an_error() {
    let n = 60;
    let values = ndarray::Array2::from_shape_fn((n, 2), |(i, j)| (i + j) as f64);
    let data = Dataset::continuous(vec!["a".into(), "b".into()], values).unwrap();
    // Fails when the resample's first row is an even row.
    let learner = |d: &Dataset| -> Result<CausalGraph> {
        if (d.column(0)[0] as usize).is_multiple_of(2) {
            return Err(DiscoveryError::UnsuitableData("even".into()));
        }
        Ok(CausalGraph::with_nodes(["a", "b"])?)
    };
    let result =
        bootstrap(&data, &BootstrapParams { replicates: 30, seed: 4, threads: None }, learner).unwrap();
    let failing: Vec<usize> = (0..30).filter(|&r| resample_indices(n, 4, r)[0].is_multiple_of(2)).collect();
    assert!(!failing.is_empty());
    assert_eq!(result.failures.iter().map(|f| f.0).collect::<Vec<_>>(), failing);
    assert_eq!(result.succeeded, 30 - failing.len());
    assert!(result.failures.iter().all(|f| f.1 == "even"));

    let err = bootstrap(&data, &BootstrapParams { replicates: 3, seed: 4, threads: None }, |_: &Dataset| {
        Err::<CausalGraph, _>(DiscoveryError::UnsuitableData("always".into()))
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "always");
    assert!(bootstrap(&data, &BootstrapParams { replicates: 0, seed: 4, threads: None }, learner).is_err());
    assert!(
        bootstrap(&data, &BootstrapParams { replicates: 2, seed: 4, threads: Some(0) }, learner).is_err()
    );
}

#[test]
fn graphs_with_unknown_nodes_are_an_error() {
    let data = strong_data();
    let err = bootstrap(&data, &BootstrapParams { replicates: 2, seed: 0, threads: None }, |_: &Dataset| {
        Ok(CausalGraph::from_edges(&[("x1(t-1)", "x1", EdgeKind::Directed)])?)
    })
    .unwrap_err();
    assert!(err.to_string().contains("x1(t-1)"), "{err}");
}

#[test]
fn replicate_counts_beyond_the_maximum_are_refused_before_any_work() {
    let params = |replicates| BootstrapParams { replicates, seed: 0, threads: None };
    assert!(params(MAX_REPLICATES).check().is_ok());
    let err = params(99_999_999_999).check().unwrap_err().to_string();
    assert!(err.contains("at most 100000, got 99999999999"), "{err}");
    assert!(params(0).check().is_err());
}
