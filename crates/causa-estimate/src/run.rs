//! One whole analysis: identification, the method (chosen automatically or given), the
//! estimate, bootstrap intervals, effects by subgroup and refuters.
//!
//! Bootstrap replicates run in parallel (rayon), each with its own generator seeded from the
//! analysis seed and the replicate's index, so results do not depend on the number of threads.
//! Methods without an analytic standard error (matching) are always bootstrapped
//! ([`DEFAULT_BOOTSTRAP`] replicates unless more are asked for).

use causa_data::Dataset;
use causa_graph::CausalGraph;
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{EstimateError, Result};
use crate::estimators::{Columns, EffectEstimate, Method, MethodOptions, Target, estimate_effect};
use crate::identify::{Estimand, Identification, Strategy, identify_from_graph};
use crate::numeric;
use crate::refute::{Refutation, Refuter, refute};

pub use crate::estimators::IpwWeights as IpwOptions;

/// Bootstrap replicates used when a method has no analytic standard error.
pub const DEFAULT_BOOTSTRAP: usize = 200;

/// The fewest successful replicates a percentile interval is read from; fewer replicates asked for
/// is an invalid option rather than a bootstrap that cannot succeed.
pub const MIN_BOOTSTRAP: usize = 20;

/// The most replicates one bootstrap runs; every replicate keeps its estimate in memory, so a
/// count far beyond it (a typo) would exhaust memory instead of failing.
pub const MAX_BOOTSTRAP: usize = 100_000;

/// What to estimate, and from what.
#[derive(Clone, Debug, Default)]
pub struct Specification {
    /// Treatment column.
    pub treatment: String,
    /// Outcome column.
    pub outcome: String,
    /// A causal graph over (at least) the treatment and outcome; nodes missing from the data are
    /// latent.
    pub graph: Option<CausalGraph>,
    /// An explicit adjustment set (without a graph it is assumed valid; with one it is checked).
    pub controls: Option<Vec<String>>,
    /// A proposed instrument.
    pub instrument: Option<String>,
    /// The method (`None`: chosen automatically).
    pub method: Option<Method>,
}

/// How to estimate.
#[derive(Clone, Debug, Default)]
pub struct EstimateOptions {
    /// Options of the estimators.
    pub method: MethodOptions,
    /// Bootstrap replicates (0: analytic intervals only).
    pub bootstrap: usize,
    /// Refuters to run.
    pub refuters: Vec<Refuter>,
    /// Seed of the bootstrap, refuters and DML folds.
    pub seed: u64,
    /// A column whose groups get their own estimate (CATE by subgroup).
    pub effect_modifier: Option<String>,
}

/// The estimate in one subgroup of the effect modifier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CateGroup {
    /// The group, e.g. `x = 1` or `x < 0.37`.
    pub group: String,
    /// Rows in the group.
    pub n: usize,
    /// The group's estimate, or why there is none.
    pub effect: Option<f64>,
    /// Its 95% interval.
    pub ci95: Option<(f64, f64)>,
    /// Why the group has no estimate.
    pub error: Option<String>,
}

/// Everything an analysis found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EstimateReport {
    /// `backdoor`, `frontdoor` or `iv`.
    pub estimand: String,
    /// The estimand in full.
    pub identification: Identification,
    /// The covariates adjusted for.
    pub adjustment_set: Vec<String>,
    /// The method used.
    pub method: Method,
    /// Why this method.
    pub method_reason: String,
    /// ATE or ATT.
    pub target: Target,
    /// The point estimate.
    pub effect: f64,
    /// The 95% interval (analytic, or bootstrap percentile when bootstrapped).
    pub ci95: (f64, f64),
    /// `analytic` or `bootstrap`.
    pub interval: String,
    /// The standard error (analytic, or the bootstrap standard deviation).
    pub std_err: f64,
    /// Rows used.
    pub n: usize,
    /// Bootstrap replicates run (0 for none) and how many failed.
    pub bootstrap: BootstrapSummary,
    /// Remarks from the estimator.
    pub notes: Vec<String>,
    /// Refuter results.
    pub refutations: Vec<Refutation>,
    /// Effects by subgroup, when an effect modifier was named.
    pub cate: Vec<CateGroup>,
    /// Wall-clock seconds of identification, estimation, bootstrap and refuters (not loading).
    pub elapsed_seconds: f64,
}

/// What the bootstrap did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct BootstrapSummary {
    /// Replicates run.
    pub replicates: usize,
    /// Replicates whose estimate failed (e.g. a resample with one treatment arm); left out.
    pub failed: usize,
}

/// Identifies and estimates the effect, then bootstraps, splits by the modifier and refutes.
pub fn estimate(data: &Dataset, spec: &Specification, options: &EstimateOptions) -> Result<EstimateReport> {
    let start = std::time::Instant::now();
    let column = |name: &str, role: &str| -> Result<usize> {
        data.names().iter().position(|n| n == name).ok_or_else(|| EstimateError::MissingColumn {
            name: name.into(),
            role: role.into(),
            known: data.names().to_vec(),
        })
    };
    let ti = column(&spec.treatment, "treatment")?;
    column(&spec.outcome, "outcome")?;
    if spec.treatment == spec.outcome {
        return Err(EstimateError::InvalidOption(format!(
            "`{}` is both treatment and outcome",
            spec.treatment
        )));
    }
    if options.bootstrap > 0 && options.bootstrap < MIN_BOOTSTRAP {
        return Err(EstimateError::InvalidOption(format!(
            "--bootstrap needs at least {MIN_BOOTSTRAP} replicates for an interval, got {} (0 turns it off)",
            options.bootstrap
        )));
    }
    if options.bootstrap > MAX_BOOTSTRAP {
        return Err(EstimateError::InvalidOption(format!(
            "--bootstrap must be at most {MAX_BOOTSTRAP} replicates, got {}",
            options.bootstrap
        )));
    }
    if let Some(m) = &options.effect_modifier
        && (*m == spec.treatment || *m == spec.outcome)
    {
        return Err(EstimateError::InvalidOption(format!(
            "the effect modifier `{m}` cannot be the treatment or the outcome: its groups would \
             have no treatment contrast, or be selected on the outcome"
        )));
    }
    let identification = identify(data, spec)?;
    let binary = numeric::is_binary(data.column(ti));
    let (method, method_reason) = choose_method(spec.method, &identification.estimand, binary);
    let (w_names, extra_names): (Vec<String>, Vec<String>) = match &identification.estimand {
        Estimand::Backdoor { adjustment_set } => (adjustment_set.clone(), Vec::new()),
        Estimand::Frontdoor { mediators } => (Vec::new(), mediators.clone()),
        Estimand::Instrument { instruments, controls } => (controls.clone(), instruments.clone()),
    };
    let mut w_idx = Vec::new();
    for n in &w_names {
        w_idx.push(column(n, "control")?);
    }
    let role =
        if matches!(identification.estimand, Estimand::Frontdoor { .. }) { "mediator" } else { "instrument" };
    let extra_idx = extra_names.iter().map(|n| column(n, role)).collect::<Result<Vec<_>>>()?;
    for (i, n) in w_names.iter().chain(&extra_names).enumerate() {
        if *n == spec.treatment || *n == spec.outcome {
            return Err(EstimateError::InvalidOption(format!(
                "`{n}` cannot be a control, instrument or mediator and also the treatment or outcome"
            )));
        }
        if w_names.iter().chain(&extra_names).take(i).any(|m| m == n) {
            return Err(EstimateError::InvalidOption(format!(
                "`{n}` is given twice among the controls, instruments and mediators"
            )));
        }
    }
    if let Some(value) = constant_value(data, ti) {
        return Err(EstimateError::UnsuitableData(format!(
            "the treatment `{}` is constant ({value}): there is nothing to compare",
            spec.treatment
        )));
    }
    for (&j, name) in extra_idx.iter().zip(&extra_names) {
        if let Some(value) = constant_value(data, j) {
            return Err(EstimateError::UnsuitableData(format!(
                "the {role} `{name}` is constant ({value}), so it cannot carry any of the effect; \
                 leave it out or choose another {role}"
            )));
        }
    }
    let values = data.values();
    let columns = Columns {
        t: data.column(ti).to_owned(),
        y: data.column(column(&spec.outcome, "outcome")?).to_owned(),
        w: values.select(Axis(1), &w_idx),
        w_names: w_names.clone(),
        extra: values.select(Axis(1), &extra_idx),
        extra_names,
        treatment: spec.treatment.clone(),
    };
    let mut method_options = options.method;
    method_options.seed = options.seed;
    let point = estimate_effect(&columns, method, &method_options)?;
    if !point.effect.is_finite() {
        return Err(EstimateError::UnsuitableData(format!(
            "the effect of `{}` on `{}` came out as {}: the values are too large or too extreme to \
             compute with; rescale the columns",
            spec.treatment, spec.outcome, point.effect
        )));
    }
    let replicates =
        if point.std_err.is_none() { options.bootstrap.max(DEFAULT_BOOTSTRAP) } else { options.bootstrap };
    let mut notes = point.notes.clone();
    if spec.graph.is_none() && spec.controls.is_none() && spec.instrument.is_none() {
        notes.push("no graph and no controls: this is the unadjusted contrast, causal only if nothing confounds the treatment and outcome".into());
    }
    let (std_err, ci95, interval, bootstrap) = if replicates > 0 {
        let boot = bootstrap(&columns, method, &method_options, replicates, options.seed)?;
        if point.std_err.is_none() {
            notes.push(format!(
                "no analytic standard error for {}: {replicates} bootstrap replicates",
                method.name()
            ));
        }
        (
            boot.std_err,
            boot.ci95,
            "bootstrap".to_string(),
            BootstrapSummary { replicates, failed: boot.failed },
        )
    } else {
        let se = point.std_err.unwrap_or(f64::NAN);
        let ci = point.ci95.unwrap_or((f64::NAN, f64::NAN));
        (se, ci, "analytic".to_string(), BootstrapSummary::default())
    };
    let reference = EffectEstimate { std_err: Some(std_err), ci95: Some(ci95), ..point.clone() };
    let mut refutations = Vec::new();
    for (k, &refuter) in options.refuters.iter().enumerate() {
        let seed = derive_seed(options.seed ^ 0x5EED_0F2E_F07E, k as u64);
        refutations.push(refute(refuter, &columns, method, &method_options, &reference, std_err, seed)?);
    }
    let cate = match &options.effect_modifier {
        Some(m) => cate(data, &columns, column(m, "effect modifier")?, m, method, &method_options)?,
        None => Vec::new(),
    };
    Ok(EstimateReport {
        estimand: identification.estimand.name().to_string(),
        adjustment_set: identification.estimand.controls().to_vec(),
        identification,
        method,
        method_reason,
        target: options.method.target,
        effect: point.effect,
        ci95,
        interval,
        std_err,
        n: point.n,
        bootstrap,
        notes,
        refutations,
        cate,
        elapsed_seconds: start.elapsed().as_secs_f64(),
    })
}

fn identify(data: &Dataset, spec: &Specification) -> Result<Identification> {
    let strategy = match spec.method {
        None => Strategy::Any,
        Some(Method::Iv) => Strategy::Instrument,
        Some(Method::Frontdoor) => Strategy::Frontdoor,
        Some(_) => Strategy::Backdoor,
    };
    match (&spec.graph, &spec.controls) {
        (Some(g), Some(controls)) => {
            let x = g.require(&spec.treatment)?;
            let y = g.require(&spec.outcome)?;
            let z = g.require_all(controls)?;
            if !causa_graph::adjust::is_valid_backdoor_set(g, x, y, &z)? {
                return Err(EstimateError::NotIdentifiable {
                    treatment: spec.treatment.clone(),
                    outcome: spec.outcome.clone(),
                    reason: format!(
                        "{{{}}} does not satisfy the backdoor criterion in the graph (`causa graph adjust` lists valid sets)",
                        controls.join(", ")
                    ),
                });
            }
            Ok(Identification {
                estimand: Estimand::Backdoor { adjustment_set: controls.clone() },
                reason: "the given controls satisfy the backdoor criterion in the graph".into(),
            })
        }
        (Some(g), None) => identify_from_graph(
            g,
            data.names(),
            &spec.treatment,
            &spec.outcome,
            spec.instrument.as_deref(),
            strategy,
        ),
        (None, controls) => {
            let controls = controls.clone().unwrap_or_default();
            if let Some(z) = &spec.instrument
                && matches!(strategy, Strategy::Any | Strategy::Instrument)
            {
                return Ok(Identification {
                    estimand: Estimand::Instrument { instruments: vec![z.clone()], controls },
                    reason: format!(
                        "`{z}` given as instrument (assumed valid: no graph to check it against)"
                    ),
                });
            }
            if strategy == Strategy::Instrument {
                return Err(EstimateError::InvalidOption(
                    "--method iv needs --instrument (or a graph with an instrument)".into(),
                ));
            }
            if strategy == Strategy::Frontdoor {
                return Err(EstimateError::InvalidOption(
                    "--method frontdoor needs --graph to find the mediators".into(),
                ));
            }
            let reason = if controls.is_empty() {
                "no graph and no controls: the unadjusted contrast".to_string()
            } else {
                format!(
                    "adjustment set given with --controls: {{{}}} (assumed valid: no graph to check it against)",
                    controls.join(", ")
                )
            };
            Ok(Identification { estimand: Estimand::Backdoor { adjustment_set: controls }, reason })
        }
    }
}

fn choose_method(given: Option<Method>, estimand: &Estimand, binary: bool) -> (Method, String) {
    if let Some(m) = given {
        return (m, "given with --method".into());
    }
    match estimand {
        Estimand::Instrument { .. } => (Method::Iv, "the effect is identified by an instrument: two-stage least squares".into()),
        Estimand::Frontdoor { .. } => (Method::Frontdoor, "the effect is identified by the front-door criterion: product of the two linear stages".into()),
        Estimand::Backdoor { .. } if binary => (
            Method::Aipw,
            "binary treatment with a backdoor set: AIPW, consistent when either the propensity or the outcome model is right".into(),
        ),
        Estimand::Backdoor { .. } => (Method::Regression, "continuous treatment with a backdoor set: linear regression adjustment".into()),
    }
}

/// SplitMix64 of `seed + index`: independent-looking seeds for replicates and refuters.
fn derive_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Bootstrap {
    std_err: f64,
    ci95: (f64, f64),
    failed: usize,
}

fn bootstrap(
    columns: &Columns,
    method: Method,
    options: &MethodOptions,
    replicates: usize,
    seed: u64,
) -> Result<Bootstrap> {
    let n = columns.n();
    let all: Vec<usize> = (0..n).collect();
    let estimates: Vec<Option<f64>> = (0..replicates)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(seed, b as u64));
            let idx: Vec<usize> = (0..n).map(|_| all.choose(&mut rng).copied().unwrap_or(0)).collect();
            estimate_effect(&columns.rows(&idx), method, options).ok().map(|e| e.effect)
        })
        .collect();
    let mut good: Vec<f64> = estimates.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    let failed = replicates - good.len();
    if good.len() < MIN_BOOTSTRAP || failed * 10 > replicates {
        return Err(EstimateError::UnsuitableData(format!(
            "{failed} of {replicates} bootstrap replicates failed (resamples with too few treated or untreated units?)"
        )));
    }
    good.sort_by(f64::total_cmp);
    let values = Array1::from(good.clone());
    let std_err = numeric::mean_and_se(&values).1 * (values.len() as f64).sqrt();
    let quantile = |q: f64| {
        let pos = q * (good.len() - 1) as f64;
        let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
        good[lo] + frac * (good[(lo + 1).min(good.len() - 1)] - good[lo])
    };
    Ok(Bootstrap { std_err, ci95: (quantile(0.025), quantile(0.975)), failed })
}

/// Most distinct values for which a modifier's groups are its values (else: split at the median).
const MAX_GROUPS: usize = 10;

fn cate(
    data: &Dataset,
    columns: &Columns,
    modifier: usize,
    name: &str,
    method: Method,
    options: &MethodOptions,
) -> Result<Vec<CateGroup>> {
    let values = data.column(modifier);
    let mut distinct: Vec<f64> = values.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let groups: Vec<(String, Vec<usize>)> = if distinct.len() <= MAX_GROUPS {
        distinct
            .iter()
            .map(|&v| (format!("{name} = {v}"), (0..values.len()).filter(|&i| values[i] == v).collect()))
            .collect()
    } else {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        vec![
            (format!("{name} < {median:.4}"), (0..values.len()).filter(|&i| values[i] < median).collect()),
            (format!("{name} >= {median:.4}"), (0..values.len()).filter(|&i| values[i] >= median).collect()),
        ]
    };
    Ok(groups
        .into_iter()
        .map(|(group, idx)| {
            let sub = without_constant_controls(columns.rows(&idx));
            match estimate_effect(&sub, method, options) {
                Ok(e) => CateGroup { group, n: idx.len(), effect: Some(e.effect), ci95: e.ci95, error: None },
                Err(err) => {
                    CateGroup { group, n: idx.len(), effect: None, ci95: None, error: Some(err.to_string()) }
                }
            }
        })
        .collect())
}

/// Controls constant within a subgroup (the modifier itself, typically) carry no information
/// there and would make the design singular.
fn without_constant_controls(mut c: Columns) -> Columns {
    let keep: Vec<usize> =
        (0..c.w.ncols()).filter(|&j| c.w.column(j).iter().any(|v| *v != c.w[[0, j]])).collect();
    c.w = if c.n() == 0 { Array2::zeros((0, keep.len())) } else { c.w.select(Axis(1), &keep) };
    c.w_names = keep.iter().map(|&j| c.w_names[j].clone()).collect();
    c
}

/// The value of column `j` when every row has the same one, written as in the data (the label
/// of a discrete column, not its code), for messages; `None` when the column varies.
fn constant_value(data: &Dataset, j: usize) -> Option<String> {
    let column = data.column(j);
    let first = *column.first()?;
    if column.iter().any(|v| *v != first) {
        return None;
    }
    let label = data.labels(j).get(first as usize).filter(|_| first >= 0.0 && first.fract() == 0.0);
    Some(label.cloned().unwrap_or_else(|| first.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_seeds_differ_by_index_and_seed() {
        let a: Vec<u64> = (0..100).map(|i| derive_seed(7, i)).collect();
        let mut d = a.clone();
        d.sort_unstable();
        d.dedup();
        assert_eq!(d.len(), 100);
        assert_ne!(derive_seed(7, 0), derive_seed(8, 0));
    }
}
