use ndarray::Array2;

use super::*;
use crate::load::{LoadOptions, load_delimited};
use crate::simulate::{Noise, SemModel, random_dag, simulate_sem};

fn recommend_for(model: SemModel, samples: usize, seed: u64) -> Profile {
    let graph = random_dag(6, 2.0, seed).unwrap();
    let sim = simulate_sem(&graph, model, samples, seed).unwrap();
    profile_dataset(&sim.data, &ProfileOptions::default())
}

#[test]
fn benjamini_hochberg_by_hand() {
    // Sorted: 0.005, 0.01, 0.03, 0.04 -> p m / rank = 0.02, 0.02, 0.04, 0.04 (already monotone).
    let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]);
    let expected = [0.02, 0.04, 0.04, 0.02];
    for (a, b) in q.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{q:?}");
    }
    // Monotonicity: 0.02 at rank 1 of 2 would be 0.04 but rank 2 caps it at 0.03.
    let q = benjamini_hochberg(&[0.02, 0.03]);
    assert!((q[0] - 0.03).abs() < 1e-12 && (q[1] - 0.03).abs() < 1e-12, "{q:?}");
    // The step-up minimum: m p / k = (0.02, 0.012) for p = (0.01, 0.012) -> both 0.012.
    let q = benjamini_hochberg(&[0.01, 0.012]);
    assert!((q[0] - 0.012).abs() < 1e-12 && (q[1] - 0.012).abs() < 1e-12, "{q:?}");
    // Ties share the value of the highest rank among them: m p / k = (2.4, 1.35, 0.9) -> 0.9.
    assert_eq!(benjamini_hochberg(&[0.9, 0.8, 0.9]), vec![0.9, 0.9, 0.9]);
    assert_eq!(benjamini_hochberg(&[0.6]), vec![0.6]);
    assert!(benjamini_hochberg(&[]).is_empty());
}

#[test]
fn moments_by_hand() {
    // 1, 2, 3, 4: m2 = 1.25, m4 = 2.5625, excess kurtosis = 2.5625 / 1.5625 - 3 = -1.36.
    let m = Moments::of(&[1.0, 2.0, 3.0, 4.0]);
    assert!((m.mean - 2.5).abs() < 1e-12);
    assert!((m.variance - 5.0 / 3.0).abs() < 1e-12);
    assert!(m.skewness.abs() < 1e-12);
    assert!((m.excess_kurtosis + 1.36).abs() < 1e-12);
    // 0, 0, 0, 1: mean 0.25, m2 = 0.1875, m3 = (3 * -0.015625 + 0.421875) / 4 = 0.09375,
    // skewness = 0.09375 / 0.1875^1.5 = 2 / sqrt(3).
    let m = Moments::of(&[0.0, 0.0, 0.0, 1.0]);
    assert!((m.skewness - 2.0 / 3f64.sqrt()).abs() < 1e-9, "{}", m.skewness);
}

#[test]
fn linear_gaussian_data_get_pc_with_fisher_z() {
    for seed in [1, 2, 3] {
        let p = recommend_for(SemModel::Linear(Noise::Gaussian), 3000, seed);
        assert!(p.linearity.linear, "seed {seed}: {:?}", p.linearity.nonlinear_pairs);
        assert_eq!(p.gaussian, Some(true), "seed {seed}");
        let r = &p.recommendation;
        assert_eq!(
            (r.algorithm, r.ci_test, r.data_model),
            (Algorithm::Pc, Some(CiTestName::FisherZ), DataModel::LinearGaussian)
        );
        assert!(r.reasons.iter().any(|s| s.contains("Latent confounding cannot be detected")));
    }
}

#[test]
fn uniform_noise_linear_data_get_lingam() {
    for seed in [1, 2, 3] {
        let p = recommend_for(SemModel::Linear(Noise::Uniform), 3000, seed);
        assert!(p.linearity.linear, "seed {seed}: {:?}", p.linearity.nonlinear_pairs);
        assert_eq!(p.gaussian, Some(false));
        assert_eq!(p.recommendation.algorithm, Algorithm::Lingam);
        assert_eq!(p.recommendation.ci_test, None);
    }
}

#[test]
fn nonlinear_data_get_a_nonlinear_method() {
    for seed in [1, 2, 3] {
        let p = recommend_for(SemModel::Nonlinear, 1500, seed);
        assert!(!p.linearity.linear, "seed {seed}");
        let r = &p.recommendation;
        assert_eq!(
            (r.algorithm, r.ci_test, r.data_model),
            (Algorithm::Pc, Some(CiTestName::Kci), DataModel::Nonlinear)
        );
    }
    let large = recommend_for(SemModel::Nonlinear, 3000, 1);
    assert_eq!(large.recommendation.algorithm, Algorithm::Notears);
}

#[test]
fn discrete_and_mixed_data() {
    let p = recommend_for(SemModel::Discrete, 500, 4);
    assert_eq!(p.recommendation.algorithm, Algorithm::Pc);
    assert_eq!(p.recommendation.ci_test, Some(CiTestName::GTest));
    let text = "g,x\na,1.5\nb,2.25\na,0.5\nb,3.75\na,1.0\n";
    let loaded = load_delimited(text, &LoadOptions::default()).unwrap();
    let p = profile(&loaded, &ProfileOptions::default());
    assert_eq!(p.recommendation.data_model, DataModel::Mixed);
    assert_eq!(p.columns[0].column_type, "binary");
}

#[test]
fn time_index_gets_pcmci() {
    let mut text = String::from("time,a,b\n");
    for t in 0..300 {
        let a = (t as f64 * 0.37).sin();
        text.push_str(&format!("{t},{a},{}\n", (t as f64 * 0.11).cos()));
    }
    let options = LoadOptions { time_index: Some("time".into()), ..LoadOptions::default() };
    let loaded = load_delimited(&text, &options).unwrap();
    let p = profile(&loaded, &ProfileOptions::default());
    assert_eq!(p.time_index.as_deref(), Some("time"));
    assert_eq!(p.recommendation.algorithm, Algorithm::Pcmci);
    assert_eq!(recommend(&loaded, &ProfileOptions::default()), p.recommendation);
}

#[test]
fn constant_and_near_duplicate_columns() {
    let n = 400;
    let mut values = Array2::<f64>::zeros((n, 3));
    for r in 0..n {
        let x = (r as f64 * 0.731).sin() * 3.0;
        values[[r, 0]] = x;
        values[[r, 1]] = 2.0 * x + 1e-4 * (r as f64 * 1.37).cos();
        values[[r, 2]] = 5.0;
    }
    let data = crate::Dataset::continuous(vec!["x".into(), "twice".into(), "k".into()], values).unwrap();
    let p = profile_dataset(&data, &ProfileOptions::default());
    assert_eq!(p.constant_columns, vec!["k".to_string()]);
    assert!(p.columns[2].constant && p.columns[2].gaussianity.is_none());
    assert_eq!(p.near_duplicates.len(), 1);
    assert_eq!((p.near_duplicates[0].a.as_str(), p.near_duplicates[0].b.as_str()), ("x", "twice"));
    assert!(p.recommendation.reasons.iter().any(|s| s.contains("`k` is constant")));
    assert!(p.recommendation.reasons.iter().any(|s| s.contains("near duplicates")));
}

#[test]
fn binned_test_separates_a_parabola_from_a_line() {
    let x: Vec<f64> = (0..1000).map(|i| (i as f64 / 999.0) * 4.0 - 2.0).collect();
    let wiggle: Vec<f64> = (0..1000).map(|i| 0.3 * (i as f64 * 12.9898).sin()).collect();
    let parabola: Vec<f64> = x.iter().zip(&wiggle).map(|(x, w)| x * x + w).collect();
    let line: Vec<f64> = x.iter().zip(&wiggle).map(|(x, w)| 2.0 * x + w).collect();
    let curved = binned_linearity_test(&x, &parabola).unwrap();
    // x^2 on a symmetric grid is uncorrelated with x: almost all its variance is nonlinear.
    assert!(curved.r2_linear < 0.01 && curved.r2_gain > 0.8 && curved.p_value < 1e-10, "{curved:?}");
    let straight = binned_linearity_test(&x, &line).unwrap();
    assert!(straight.r2_gain < 0.01, "{straight:?}");
    assert!(binned_linearity_test(&x[..50], &line[..50]).is_none());
}

#[test]
fn one_non_gaussian_column_among_gaussian_ones_keeps_pc() {
    let graph = random_dag(6, 2.0, 1).unwrap();
    let sim = simulate_sem(&graph, SemModel::Linear(Noise::Gaussian), 3000, 1).unwrap();
    let (n, p) = (sim.data.n_rows(), sim.data.n_cols());
    let mut values = Array2::<f64>::zeros((n, p + 1));
    let mut names: Vec<String> = sim.data.names().to_vec();
    for j in 0..p {
        for (r, v) in sim.data.column(j).iter().enumerate() {
            values[[r, j]] = *v;
        }
    }
    // An unrelated, strongly skewed column: exponential draws by inversion of a fixed sequence.
    for r in 0..n {
        let u = ((r as f64 + 0.5) * 0.618_033_988_75).fract();
        values[[r, p]] = -(1.0 - u).ln();
    }
    names.push("skewed".into());
    let data = crate::Dataset::continuous(names, values).unwrap();
    let profile = profile_dataset(&data, &ProfileOptions::default());
    assert_eq!(profile.gaussian, Some(false), "the skewed column fails the normality test");
    let rejected: Vec<&str> = profile
        .columns
        .iter()
        .filter(|c| c.gaussianity.as_ref().is_some_and(|g| !g.gaussian))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(rejected, vec!["skewed"]);
    let r = &profile.recommendation;
    assert_eq!((r.algorithm, r.ci_test), (Algorithm::Pc, Some(CiTestName::FisherZ)), "{:?}", r.reasons);
    assert!(r.reasons.iter().any(|s| s.starts_with("Only 1 of 7 continuous columns")), "{:?}", r.reasons);
}
