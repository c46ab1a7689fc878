//! Whole analyses: effects by subgroup, controls checked against a graph, refuters that fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use causa_data::Dataset;
use causa_estimate::refute::Refuter;
use causa_estimate::{EstimateError, EstimateOptions, Method, Specification, estimate};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// w → t, w → y, and a binary modifier m: the effect of t is 1 when m = 0 and 3 when m = 1.
/// `effect_scale` 0 removes the effect of t altogether.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

fn modified(seed: u64, effect_scale: f64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = 2000;
    let mut values = Array2::zeros((n, 4));
    for i in 0..n {
        let w = normal(&mut rng);
        let m = if rng.random::<f64>() < 0.5 { 1.0 } else { 0.0 };
        let t = w + normal(&mut rng);
        let y = effect_scale * (1.0 + 2.0 * m) * t + w + normal(&mut rng);
        for (j, v) in [w, m, t, y].into_iter().enumerate() {
            values[[i, j]] = v;
        }
    }
    Dataset::continuous(["w", "m", "t", "y"].map(String::from).to_vec(), values).unwrap()
}

fn spec(controls: &[&str]) -> Specification {
    Specification {
        treatment: "t".into(),
        outcome: "y".into(),
        controls: Some(controls.iter().map(|s| s.to_string()).collect()),
        method: Some(Method::Regression),
        ..Specification::default()
    }
}

#[test]
fn subgroup_effects_follow_the_modifier() {
    let options = EstimateOptions { effect_modifier: Some("m".into()), ..EstimateOptions::default() };
    let report = estimate(&modified(1, 1.0), &spec(&["w", "m"]), &options).unwrap();
    assert_eq!(report.cate.len(), 2);
    for (group, truth) in report.cate.iter().zip([1.0, 3.0]) {
        let (lo, hi) = group.ci95.unwrap();
        assert!(lo < truth && truth < hi, "{group:?} should cover {truth}");
    }
    assert_eq!(report.cate[0].group, "m = 0");
    assert_eq!(report.cate[0].n + report.cate[1].n, 2000);
}

#[test]
fn controls_that_miss_a_confounder_are_rejected_by_the_graph() {
    let graph = causa_graph::io::read_graph_arg("w -> t; w -> y; t -> y; m -> y").unwrap();
    let bad = Specification { graph: Some(graph.clone()), ..spec(&["m"]) };
    let err = estimate(&modified(2, 1.0), &bad, &EstimateOptions::default()).unwrap_err();
    assert!(matches!(err, EstimateError::NotIdentifiable { .. }), "{err}");
    let good = Specification { graph: Some(graph), ..spec(&["w"]) };
    assert!(estimate(&modified(2, 1.0), &good, &EstimateOptions::default()).is_ok());
}

#[test]
fn refuters_pass_on_a_real_effect_and_the_e_value_fails_on_none() {
    let options = EstimateOptions { refuters: Refuter::ALL.to_vec(), seed: 5, ..EstimateOptions::default() };
    let real = estimate(&modified(3, 1.0), &spec(&["w"]), &options).unwrap();
    assert!(real.refutations.iter().all(|r| r.passed == Some(true)), "{:#?}", real.refutations);
    let none = estimate(&modified(3, 0.0), &spec(&["w"]), &options).unwrap();
    let e_value = none.refutations.iter().find(|r| r.refuter == Refuter::EValue).unwrap();
    assert_eq!(e_value.passed, Some(false), "{e_value:?}");
}

#[test]
fn a_constant_treatment_is_refused() {
    let mut data = modified(4, 1.0).values().to_owned();
    data.column_mut(2).fill(1.0);
    let constant = Dataset::continuous(["w", "m", "t", "y"].map(String::from).to_vec(), data).unwrap();
    let err = estimate(&constant, &spec(&["w"]), &EstimateOptions::default()).unwrap_err();
    assert!(err.to_string().contains("constant"), "{err}");
}

/// Bad specifications and degenerate columns are refused naming the column and its role.
#[test]
fn repeated_names_and_constant_columns_are_named() {
    let data = modified(3, 1.0);
    let err = estimate(&data, &spec(&["w", "w"]), &EstimateOptions::default()).unwrap_err();
    assert!(matches!(err, EstimateError::InvalidOption(_)), "{err:?}");
    assert!(err.to_string().contains("`w` is given twice"), "{err}");

    // A treatment that is always "yes": the message shows the label, not the internal code 0.
    let n = 50;
    let mut values = Array2::zeros((n, 3));
    for i in 0..n {
        values[[i, 1]] = (i % 7) as f64;
        values[[i, 2]] = (i % 5) as f64 * 0.3;
    }
    let kinds = vec![
        causa_data::ColumnKind::Discrete { levels: 1 },
        causa_data::ColumnKind::Continuous,
        causa_data::ColumnKind::Continuous,
    ];
    let names = ["t", "z", "y"].map(String::from).to_vec();
    let always =
        Dataset::new(names, values.clone(), kinds).unwrap().with_labels(0, vec!["yes".into()]).unwrap();
    let err = estimate(&always, &spec(&["z"]), &EstimateOptions::default()).unwrap_err();
    assert!(err.to_string().contains("the treatment `t` is constant (yes)"), "{err}");

    // A constant instrument is named as the instrument, not as a control to drop.
    for i in 0..n {
        values[[i, 0]] = (i % 3) as f64;
        values[[i, 1]] = 4.0;
    }
    let data = Dataset::continuous(["t", "z", "y"].map(String::from).to_vec(), values).unwrap();
    let iv = Specification {
        treatment: "t".into(),
        outcome: "y".into(),
        instrument: Some("z".into()),
        method: Some(Method::Iv),
        ..Specification::default()
    };
    let err = estimate(&data, &iv, &EstimateOptions::default()).unwrap_err();
    assert!(err.to_string().contains("the instrument `z` is constant (4)"), "{err}");
}

#[test]
fn too_few_bootstrap_replicates_and_a_modifier_that_is_the_treatment_are_invalid_options() {
    let data = modified(4, 1.0);
    let few = EstimateOptions { bootstrap: 1, ..EstimateOptions::default() };
    let err = estimate(&data, &spec(&["w"]), &few).unwrap_err();
    assert!(matches!(err, EstimateError::InvalidOption(_)), "{err:?}");
    assert!(err.to_string().contains("at least 20 replicates for an interval, got 1"), "{err}");
    let huge = EstimateOptions { bootstrap: 99_999_999_999, ..EstimateOptions::default() };
    let err = estimate(&data, &spec(&["w"]), &huge).unwrap_err();
    assert!(err.to_string().contains("at most 100000 replicates, got 99999999999"), "{err}");
    let enough = EstimateOptions { bootstrap: 20, ..EstimateOptions::default() };
    assert_eq!(estimate(&data, &spec(&["w"]), &enough).unwrap().bootstrap.replicates, 20);
    for modifier in ["t", "y"] {
        let options =
            EstimateOptions { effect_modifier: Some(modifier.into()), ..EstimateOptions::default() };
        let err = estimate(&data, &spec(&["w"]), &options).unwrap_err();
        assert!(err.to_string().contains(&format!("the effect modifier `{modifier}` cannot be")), "{err}");
    }
}
