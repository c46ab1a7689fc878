//! A whole analysis on simulated data with a known graph and effect, without a model: the
//! effect's 95% interval covers the truth, the learnt graph is close to the truth's equivalence
//! class, and the reports exist and parse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use causa_agent::{RunStatus, SessionConfig, SessionStore};
use causa_graph::metrics::{CompareOptions, compare};
use support::{ask, normals, sandbox, session, simulated_csv};

#[test]
fn rule_based_analysis_recovers_the_effect_and_the_graph() {
    let dir = sandbox("e2e-none");
    let mut covered = 0;
    for seed in [11, 12, 13] {
        let (csv, truth, true_graph) = simulated_csv(&dir, seed, 2000);
        let store = SessionStore::new(dir.join(format!("sessions-{seed}")));
        let mut s = session(None, &csv, SessionConfig::default()).with_store(store.clone()).unwrap();
        let (outcome, events) = ask(&mut s, "Does ad_spend cause sales?");
        let outcome = outcome.unwrap();
        assert_eq!(outcome.status, RunStatus::Completed);
        assert_eq!(outcome.steps, 7);
        let key = &outcome.answer.as_ref().unwrap().key_numbers[0];
        let (lo, hi) = key.ci95.unwrap();
        if lo <= truth && truth <= hi {
            covered += 1;
        }
        assert!((key.value - truth).abs() < 0.15, "seed {seed}: {} vs truth {truth}", key.value);
        let learnt = causa_agent::tools::graph_of_record(&s.state().graphs[0]).unwrap();
        let cmp = compare(&true_graph, &learnt, CompareOptions { against_cpdag: true }).unwrap();
        assert!(cmp.shd <= 1, "seed {seed}: SHD {} for {:?}", cmp.shd, s.state().graphs[0].edges);
        // The session on disk has every step; the reports parse.
        let saved = store.load(s.id()).unwrap();
        assert_eq!(saved.turns[0].steps.len(), 7);
        assert_eq!(saved.estimates.len(), 1);
        let out = dir.join(format!("out-{seed}"));
        std::fs::create_dir_all(&out).unwrap();
        let files = causa_agent::report::write_reports(s.state(), &events, &out).unwrap();
        let results: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&files.results).unwrap()).unwrap();
        assert_eq!(results["estimates"][0]["treatment"], "ad_spend");
        assert_eq!(results["answer"]["key_numbers"][0]["value"].as_f64(), Some(key.value));
        let transcript =
            causa_agent::event::from_jsonl(&std::fs::read_to_string(&files.transcript).unwrap()).unwrap();
        // (Floats in JSON round-trip to the nearest few ulps, so events are compared by shape.)
        assert_eq!(transcript.len(), events.len());
        assert!(
            transcript
                .iter()
                .zip(&events)
                .all(|(a, b)| std::mem::discriminant(a) == std::mem::discriminant(b))
        );
        let html = std::fs::read_to_string(&files.html).unwrap();
        assert!(html.contains("<svg") && html.contains("ad_spend"), "the graph figure is inline");
        let md = std::fs::read_to_string(&files.markdown).unwrap();
        assert!(md.contains("## Effect estimates") && md.contains("## Assumptions"));
    }
    // 95% intervals: all three should cover (a miss in 3 has probability ~14%, so allow one).
    assert!(covered >= 2, "{covered}/3 intervals covered the truth");
}

#[test]
fn a_second_question_reuses_the_session() {
    let dir = sandbox("e2e-two-turns");
    let (csv, _, _) = simulated_csv(&dir, 21, 1500);
    let mut s = session(None, &csv, SessionConfig::default());
    let (first, _) = ask(&mut s, "effect of ad_spend on sales");
    assert_eq!(first.unwrap().status, RunStatus::Completed);
    let (second, _) = ask(&mut s, "What causes sales?");
    let second = second.unwrap();
    assert_eq!(second.status, RunStatus::Completed);
    let text = second.answer.unwrap().text;
    assert!(text.contains("visits") && text.contains("season") && text.contains("price"), "{text}");
    assert_eq!(s.state().turns.len(), 2);
}

#[test]
fn an_unparseable_question_lists_the_columns() {
    let dir = sandbox("e2e-unparsed");
    let (csv, _, _) = simulated_csv(&dir, 22, 200);
    let mut s = session(None, &csv, SessionConfig::default());
    let (outcome, _) = ask(&mut s, "Will it rain tomorrow?");
    let err = outcome.unwrap_err();
    assert!(err.is_input_error());
    let message = err.to_string();
    assert!(message.contains("Columns: season, ad_spend, budget, sales, visits, price"), "{message}");
}

/// Least-squares slope of `y` on `x` alone and the coefficient of `x` in `y ~ x + z` (both with an
/// intercept), from the centred cross-products.
fn ols_slopes(x: &[f64], z: &[f64], y: &[f64]) -> (f64, f64) {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mx, mz, my) = (mean(x), mean(z), mean(y));
    let cross = |a: &[f64], ma: f64, b: &[f64], mb: f64| {
        a.iter().zip(b).map(|(p, q)| (p - ma) * (q - mb)).sum::<f64>()
    };
    let (sxx, szz, sxz) = (cross(x, mx, x, mx), cross(z, mz, z, mz), cross(x, mx, z, mz));
    let (sxy, szy) = (cross(x, mx, y, my), cross(z, mz, y, my));
    (sxy / sxx, (sxy * szz - szy * sxz) / (sxx * szz - sxz * sxz))
}

/// Three variables that all depend on each other (z -> x, z -> y, x -> y) leave every direction
/// open, so the effect of x on y depends on them: the answer gives the range of the effects of
/// the graphs the data cannot tell apart, which includes the adjusted coefficient (z a
/// confounder, the true structure), the unadjusted slope (z a mediator) and zero (y causes x).
#[test]
fn open_directions_give_a_range_of_effects_in_the_answer() {
    let dir = sandbox("e2e-open-directions");
    let mut normal = normals(5);
    let n = 3000;
    let (mut x, mut z, mut y) = (Vec::new(), Vec::new(), Vec::new());
    let mut text = String::from("x,z,y\n");
    for _ in 0..n {
        let zi = normal();
        let xi = 0.9 * zi + normal();
        let yi = 0.5 * xi + 0.9 * zi + normal();
        text.push_str(&format!("{xi},{zi},{yi}\n"));
        x.push(xi);
        z.push(zi);
        y.push(yi);
    }
    let csv = dir.join("triangle.csv");
    std::fs::write(&csv, text).unwrap();
    let (unadjusted, adjusted) = ols_slopes(&x, &z, &y);
    let mut s = session(None, &csv, SessionConfig::default());
    let (outcome, _) = ask(&mut s, "What is the effect of x on y?");
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, RunStatus::Completed);
    let graph = &s.state().graphs[0];
    assert!(graph.edges.iter().all(|e| e.contains(" -- ")), "every direction open: {:?}", graph.edges);
    let estimate = &s.state().estimates[0];
    let effects: Vec<f64> =
        std::iter::once(estimate.effect).chain(estimate.alternative_effects.iter().copied()).collect();
    // Zero: the graphs in which y causes x.
    for (what, value) in [("unadjusted", unadjusted), ("adjusted for z", adjusted), ("zero", 0.0)] {
        assert!(
            effects.iter().any(|e| (e - value).abs() < 1e-6 * value.abs().max(1.0)),
            "the {what} slope {value} is among {effects:?}"
        );
    }
    let answer = outcome.answer.unwrap();
    let low = effects.iter().copied().fold(f64::INFINITY, f64::min);
    let high = effects.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(
        answer.text.contains("directions open")
            && answer.text.contains(&format!("ranges from {}", fmt3(low))),
        "{}",
        answer.text
    );
    let labelled =
        |word: &str| answer.key_numbers.iter().find(|k| k.label.starts_with(word)).map(|k| k.value);
    assert_eq!((labelled("lowest"), labelled("highest")), (Some(low), Some(high)));
    assert!(answer.key_numbers[0].label.starts_with("effect of x on y"), "the main effect stays first");
}

/// Three significant digits, as the answer prints numbers.
fn fmt3(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = (2 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.digits$}")
}
