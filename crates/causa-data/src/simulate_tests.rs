use causa_graph::io::read_graph_arg;
use ndarray::Array2;

use super::*;
use crate::load::{LoadOptions, load_delimited};
use crate::test_support::benchdata;

fn covariance(values: &Array2<f64>) -> Array2<f64> {
    let n = values.nrows() as f64;
    let means = values.mean_axis(ndarray::Axis(0)).unwrap();
    let centred = values - &means;
    centred.t().dot(&centred) / (n - 1.0)
}

#[test]
fn random_dags_are_acyclic_deterministic_and_have_the_expected_density() {
    let mut edges = 0;
    for seed in 0..40 {
        let g = random_dag(10, 3.0, seed).unwrap();
        assert!(g.is_dag());
        assert_eq!(g.node_count(), 10);
        assert_eq!(g.name(causa_graph::NodeId::from_index(0)), "x1");
        assert_eq!(g.edges(), random_dag(10, 3.0, seed).unwrap().edges());
        edges += g.edge_count();
    }
    // Expected edges per graph: 45 pairs x 3/9 = 15; over 40 graphs 600 with sd about 20.
    assert!((520..=680).contains(&edges), "{edges}");
    assert_ne!(random_dag(10, 3.0, 1).unwrap().edges(), random_dag(10, 3.0, 2).unwrap().edges());
    assert!(random_dag(5, 5.0, 0).is_err());
    assert!(random_dag(0, 1.0, 0).is_err());
}

#[test]
fn linear_sem_covariance_matches_the_implied_covariance() {
    let graph = read_graph_arg("a -> b; a -> c; b -> d; c -> d; e -> d").unwrap();
    let sim = simulate_sem(&graph, SemModel::Linear(Noise::Gaussian), 200_000, 7).unwrap();
    let b = sim.weights.clone().unwrap();
    let omega = Array2::from_diag(&ndarray::Array1::from(sim.noise_variances.clone().unwrap()));
    // Weights exist exactly on the edges.
    for i in 0..5 {
        for j in 0..5 {
            let edge = sim
                .graph
                .has_directed(causa_graph::NodeId::from_index(i), causa_graph::NodeId::from_index(j));
            assert_eq!(b[[i, j]] != 0.0, edge, "weight [{i},{j}]");
        }
    }
    // (I - B)^-1 = I + B + B^2 + ... (B is nilpotent on a DAG).
    let mut inverse = Array2::<f64>::eye(5);
    let mut power = Array2::<f64>::eye(5);
    for _ in 0..5 {
        power = power.dot(&b);
        inverse += &power;
    }
    let implied = inverse.t().dot(&omega).dot(&inverse);
    let sample = covariance(&sim.data.values().to_owned());
    for i in 0..5 {
        for j in 0..5 {
            let scale = (implied[[i, i]] * implied[[j, j]]).sqrt();
            assert!(
                (sample[[i, j]] - implied[[i, j]]).abs() < 0.02 * scale,
                "cov[{i},{j}]: sample {} implied {}",
                sample[[i, j]],
                implied[[i, j]]
            );
        }
    }
}

#[test]
fn same_seed_same_data() {
    let graph = random_dag(6, 2.0, 3).unwrap();
    for model in [SemModel::Linear(Noise::Exponential), SemModel::Nonlinear, SemModel::Discrete] {
        let a = simulate_sem(&graph, model, 300, 11).unwrap();
        let b = simulate_sem(&graph, model, 300, 11).unwrap();
        let c = simulate_sem(&graph, model, 300, 12).unwrap();
        assert_eq!(a.data, b.data);
        assert_ne!(a.data, c.data);
        assert_eq!(a.graph.edges(), graph.edges());
    }
}

fn excess_kurtosis(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let m2 = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let m4 = values.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    m4 / (m2 * m2) - 3.0
}

#[test]
fn noise_distributions_have_their_shapes() {
    let graph = read_graph_arg("a -> b").unwrap();
    let uniform = simulate_sem(&graph, SemModel::Linear(Noise::Uniform), 50_000, 1).unwrap();
    let root: Vec<f64> = uniform.data.column(0).to_vec();
    let var = uniform.noise_variances.clone().unwrap()[0];
    // A uniform on [-sqrt(3v), sqrt(3v)] has excess kurtosis -1.2 and variance v.
    assert!((excess_kurtosis(&root) + 1.2).abs() < 0.05);
    let max = root.iter().cloned().fold(f64::MIN, f64::max);
    assert!(max <= (3.0 * var).sqrt() && max > 0.99 * (3.0 * var).sqrt());
    let exponential = simulate_sem(&graph, SemModel::Linear(Noise::Exponential), 50_000, 1).unwrap();
    let root: Vec<f64> = exponential.data.column(0).to_vec();
    // A centred exponential has excess kurtosis 6 and mean 0.
    assert!((excess_kurtosis(&root) - 6.0).abs() < 1.0, "{}", excess_kurtosis(&root));
    assert!((root.iter().sum::<f64>() / root.len() as f64).abs() < 0.02);
}

#[test]
fn rejects_cyclic_graphs_and_zero_samples() {
    let cyclic = read_graph_arg("a -> b; b -> a").unwrap();
    assert!(simulate_sem(&cyclic, SemModel::Nonlinear, 10, 0).is_err());
    let graph = read_graph_arg("a -> b").unwrap();
    assert!(simulate_sem(&graph, SemModel::Nonlinear, 0, 0).is_err());
}

/// P(asia network) by hand from the CPTs of asia.bif; states index 0 = yes, 1 = no.
fn asia_joint(s: [usize; 8]) -> f64 {
    let [asia, tub, smoke, lung, bronc, either, xray, dysp] = s;
    let pick = |p_yes: f64, state: usize| if state == 0 { p_yes } else { 1.0 - p_yes };
    let p_asia = pick(0.01, asia);
    let p_tub = pick(if asia == 0 { 0.05 } else { 0.01 }, tub);
    let p_smoke = pick(0.5, smoke);
    let p_lung = pick(if smoke == 0 { 0.1 } else { 0.01 }, lung);
    let p_bronc = pick(if smoke == 0 { 0.6 } else { 0.3 }, bronc);
    let p_either = pick(if lung == 0 || tub == 0 { 1.0 } else { 0.0 }, either);
    let p_xray = pick(if either == 0 { 0.98 } else { 0.05 }, xray);
    let p_dysp = pick(
        match (bronc, either) {
            (0, 0) => 0.9,
            (1, 0) => 0.7,
            (0, 1) => 0.8,
            _ => 0.1,
        },
        dysp,
    );
    p_asia * p_tub * p_smoke * p_lung * p_bronc * p_either * p_xray * p_dysp
}

#[test]
fn bif_sampling_matches_exact_marginals_and_conditionals() {
    let text = std::fs::read_to_string(benchdata("bnlearn/bif/asia.bif").unwrap()).unwrap();
    let network = BifNetwork::parse(&text).unwrap();
    let sim = sample_bif(&network, 20_000, 5).unwrap();
    let d = &sim.data;
    let names = ["asia", "tub", "smoke", "lung", "bronc", "either", "xray", "dysp"];
    assert_eq!(d.names(), names.map(String::from));
    assert_eq!(d.labels(0), ["yes", "no"].map(String::from));
    assert_eq!(sim.graph.edge_count(), 8);

    let mut exact = [0.0; 8];
    for code in 0..256usize {
        let s: [usize; 8] = std::array::from_fn(|i| (code >> i) & 1);
        let p = asia_joint(s);
        for v in 0..8 {
            if s[v] == 0 {
                exact[v] += p;
            }
        }
    }
    let n = d.n_rows() as f64;
    for v in 0..8 {
        let freq = d.column(v).iter().filter(|&&x| x == 0.0).count() as f64 / n;
        assert!((freq - exact[v]).abs() < 0.02, "P({} = yes): sampled {freq}, exact {}", names[v], exact[v]);
    }

    let rows = d.values();
    let conditional = |child: usize, conditions: &[(usize, f64)]| {
        let matching: Vec<usize> =
            (0..d.n_rows()).filter(|&r| conditions.iter().all(|&(c, s)| rows[[r, c]] == s)).collect();
        let yes = matching.iter().filter(|&&r| rows[[r, child]] == 0.0).count();
        (yes as f64 / matching.len() as f64, matching.len())
    };
    // (child, [(parent, state)], P(child = yes | parents) from the CPT)
    type Check<'a> = (usize, &'a [(usize, f64)], f64);
    let checks: [Check; 7] = [
        (1, &[(0, 1.0)], 0.01),
        (1, &[(0, 0.0)], 0.05),
        (3, &[(2, 0.0)], 0.1),
        (4, &[(2, 0.0)], 0.6),
        (4, &[(2, 1.0)], 0.3),
        (6, &[(5, 1.0)], 0.05),
        (7, &[(4, 0.0), (5, 1.0)], 0.8),
    ];
    for (child, conditions, expected) in checks {
        let (freq, count) = conditional(child, conditions);
        let se = (expected * (1.0 - expected) / count as f64).sqrt();
        assert!(
            (freq - expected).abs() < 0.02_f64.max(4.0 * se),
            "P({} = yes | {conditions:?}) = {freq} over {count} rows, CPT says {expected}",
            names[child]
        );
    }
    // `either` is a deterministic OR of lung and tub.
    for r in 0..d.n_rows() {
        let or = rows[[r, 3]] == 0.0 || rows[[r, 1]] == 0.0;
        assert_eq!(rows[[r, 5]] == 0.0, or, "row {r}");
    }
}

#[test]
fn bif_tables_of_the_wrong_size_are_rejected() {
    let mut network = BifNetwork::parse(
        "network n {}\nvariable a { type discrete [ 2 ] { y, n }; }\nvariable b { type discrete [ 2 ] { y, n }; }\n\
         probability ( a ) { table 0.3, 0.7; }\nprobability ( b | a ) { (y) 0.9, 0.1; (n) 0.2, 0.8; }\n",
    )
    .unwrap();
    assert!(sample_bif(&network, 10, 0).is_ok());
    network.variables[1].cpt.pop();
    let message = sample_bif(&network, 10, 0).unwrap_err().to_string();
    assert!(message.contains("`b` has 3 probabilities"), "{message}");
}

#[test]
fn discrete_sem_gives_discrete_columns_with_dependence() {
    let graph = read_graph_arg("a -> b").unwrap();
    let sim = simulate_sem(&graph, SemModel::Discrete, 500, 3).unwrap();
    for kind in sim.data.kinds() {
        assert!(matches!(kind, ColumnKind::Discrete { levels: 2..=3 }), "{kind:?}");
    }
    assert_eq!(sim.graph.edges(), graph.edges());
}

#[test]
fn var_is_stable_and_its_truth_is_consistent() {
    let sim = simulate_var(VarOptions { nodes: 4, degree: 2.0, lags: 2, length: 20_000, seed: 9 }).unwrap();
    assert_eq!(sim.data.n_rows(), 20_000);
    assert_eq!(sim.time_index.as_ref().unwrap().len(), 20_000);
    assert_eq!(sim.lag_weights.len(), 2);
    // Companion matrix [[A1', A2'], [I, 0]] (with A_l' = transpose, effect rows): its powers
    // must shrink to zero for a stable process.
    let p = 4;
    let mut companion = Array2::<f64>::zeros((2 * p, 2 * p));
    for (l, w) in sim.lag_weights.iter().enumerate() {
        for i in 0..p {
            for j in 0..p {
                companion[[i, l * p + j]] = w[[j, i]];
            }
        }
    }
    for i in 0..p {
        companion[[p + i, i]] = 1.0;
    }
    let mut power = Array2::<f64>::eye(2 * p);
    for _ in 0..200 {
        power = power.dot(&companion);
    }
    assert!(power.iter().all(|v| v.abs() < 1e-3), "companion^200 has not decayed");
    // Stationarity: both halves have similar variances.
    let values = sim.data.values();
    for j in 0..p {
        let col = values.column(j).to_vec();
        let var = |s: &[f64]| {
            let m = s.iter().sum::<f64>() / s.len() as f64;
            s.iter().map(|v| (v - m).powi(2)).sum::<f64>() / s.len() as f64
        };
        let (a, b) = (var(&col[..10_000]), var(&col[10_000..]));
        assert!((a / b - 1.0).abs() < 0.15, "series {j}: {a} vs {b}");
    }
    // Every nonzero coefficient is a lagged edge, every cross edge is in the summary graph.
    let count: usize = sim.lag_weights.iter().map(|w| w.iter().filter(|v| **v != 0.0).count()).sum();
    assert_eq!(sim.lagged_edges.len(), count);
    for e in &sim.lagged_edges {
        let (c, f) = (sim.graph.require(&e.cause).unwrap(), sim.graph.require(&e.effect).unwrap());
        assert!(sim.lag_weights[e.lag - 1][[c.index(), f.index()]] != 0.0);
        assert!(c == f || sim.graph.has_directed(c, f));
    }
    assert!(sim.lagged_edges.iter().any(|e| e.to_string() == "x1(t-1) -> x1(t)"));
    assert!(simulate_var(VarOptions { nodes: 0, degree: 0.0, lags: 1, length: 5, seed: 0 }).is_err());
}

#[test]
fn csv_round_trip() {
    let graph = read_graph_arg("a -> b; b -> c").unwrap();
    let sim = simulate_sem(&graph, SemModel::Linear(Noise::Gaussian), 50, 2).unwrap();
    let text = to_csv(&sim.data, None);
    let loaded = load_delimited(&text, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.values(), sim.data.values());
    let discrete = simulate_sem(&graph, SemModel::Discrete, 2000, 2).unwrap();
    let loaded = load_delimited(&to_csv(&discrete.data, None), &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.values(), discrete.data.values());
    let var = simulate_var(VarOptions { nodes: 2, degree: 1.0, lags: 1, length: 30, seed: 1 }).unwrap();
    let text = to_csv(&var.data, var.time_index.as_deref());
    assert!(text.starts_with("time,x1,x2\n0,"));
}

#[test]
fn oversized_and_empty_requests_are_refused_before_allocating() {
    let graph = read_graph_arg("a -> b").unwrap();
    // A request whose size overflows usize would panic ("capacity overflow") if it reached the
    // allocator; one just over the limit would try to allocate gigabytes.
    for samples in [usize::MAX, MAX_SIMULATED_VALUES / 2 + 1] {
        let err = simulate_sem(&graph, SemModel::Linear(Noise::Gaussian), samples, 0).unwrap_err();
        assert!(err.to_string().contains("fewer samples"), "{err}");
    }
    let empty = CausalGraph::new();
    let err = simulate_sem(&empty, SemModel::Nonlinear, 10, 0).unwrap_err();
    assert!(err.to_string().contains("no nodes"), "{err}");
    let err = random_dag(20_000, 2.0, 0).unwrap_err();
    assert!(err.to_string().contains("fewer nodes"), "{err}");
    let var = VarOptions { nodes: 2, degree: 1.0, lags: 1, length: usize::MAX, seed: 0 };
    assert!(simulate_var(var).unwrap_err().to_string().contains("fewer samples"));
}
