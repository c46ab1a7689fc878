//! The estimators: each takes the prepared columns of one analysis and returns the effect with,
//! where one exists, an analytic standard error.
//!
//! Standard errors, and what they match:
//! - regression adjustment and 2SLS: the classical (homoskedastic) OLS / 2SLS covariance, the
//!   default of statsmodels and hence of DoWhy's linear-regression estimator; intervals use the
//!   t distribution with the residual degrees of freedom, as statsmodels does;
//! - IPW, AIPW and DML: the sample standard deviation of the influence values over `√n`, with a
//!   normal interval. For IPW this treats the propensities as known, which is conservative for
//!   the ATE;
//! - front-door: the delta method (Sobel) on the two regressions;
//! - matching: none (the bootstrap is used instead).

use ndarray::{Array1, Array2, ArrayView1, Axis, s};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::error::{EstimateError, Result};
use crate::learners::Learner;
use crate::numeric::{self, OlsFit};

/// An estimation method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Least squares of the outcome on treatment and adjustment set.
    Regression,
    /// Inverse propensity weighting (binary treatment).
    Ipw,
    /// Augmented IPW, doubly robust (binary treatment).
    Aipw,
    /// Double machine learning, partially linear model with cross-fitting.
    Dml,
    /// Two-stage least squares with instruments.
    Iv,
    /// Linear front-door: product of the treatment→mediator and mediator→outcome effects.
    Frontdoor,
    /// Nearest-neighbour matching on the propensity score (binary treatment).
    Matching,
}

impl Method {
    /// The method's name as used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::Regression => "regression",
            Method::Ipw => "ipw",
            Method::Aipw => "aipw",
            Method::Dml => "dml",
            Method::Iv => "iv",
            Method::Frontdoor => "frontdoor",
            Method::Matching => "matching",
        }
    }

    /// True for methods defined only for a 0/1 treatment.
    pub fn needs_binary_treatment(self) -> bool {
        matches!(self, Method::Ipw | Method::Aipw | Method::Matching)
    }
}

/// The causal quantity estimated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Average treatment effect (per unit of a continuous treatment).
    #[default]
    Ate,
    /// Average treatment effect on the treated (IPW, AIPW, matching; the linear methods assume a
    /// constant effect, for which ATT = ATE).
    Att,
}

/// How IPW weights units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IpwWeights {
    /// Horvitz-Thompson: weights `1/e` and `1/(1-e)`, averaged over all `n` units.
    Plain,
    /// Stabilized weights `P(T=1)/e` and `P(T=0)/(1-e)`, normalised to sum to one within each arm
    /// (the Hájek estimator; also what DoWhy's `ips_weight` computes). The default.
    #[default]
    Stabilized,
}

/// The columns of one analysis, as vectors and matrices.
#[derive(Clone, Debug)]
pub struct Columns {
    /// Treatment.
    pub t: Array1<f64>,
    /// Outcome.
    pub y: Array1<f64>,
    /// Controls (adjustment set, or IV covariates), one column each.
    pub w: Array2<f64>,
    /// Names of the controls.
    pub w_names: Vec<String>,
    /// Instruments (IV) or mediators (front-door).
    pub extra: Array2<f64>,
    /// Names of `extra`.
    pub extra_names: Vec<String>,
    /// Treatment name.
    pub treatment: String,
}

impl Columns {
    /// Number of rows.
    pub fn n(&self) -> usize {
        self.y.len()
    }

    /// The rows `idx` (repeats allowed: bootstrap samples).
    pub fn rows(&self, idx: &[usize]) -> Columns {
        Columns {
            t: self.t.select(Axis(0), idx),
            y: self.y.select(Axis(0), idx),
            w: self.w.select(Axis(0), idx),
            w_names: self.w_names.clone(),
            extra: self.extra.select(Axis(0), idx),
            extra_names: self.extra_names.clone(),
            treatment: self.treatment.clone(),
        }
    }

    fn control_design(&self) -> (Array2<f64>, Vec<String>) {
        let cols: Vec<ArrayView1<f64>> = self.w.columns().into_iter().collect();
        let mut names = vec!["intercept".to_string()];
        names.extend(self.w_names.iter().cloned());
        (numeric::with_intercept(&cols, self.n()), names)
    }

    fn treatment_design(&self) -> (Array2<f64>, Vec<String>) {
        let mut cols: Vec<ArrayView1<f64>> = vec![self.t.view()];
        cols.extend(self.w.columns());
        let mut names = vec!["intercept".to_string(), self.treatment.clone()];
        names.extend(self.w_names.iter().cloned());
        (numeric::with_intercept(&cols, self.n()), names)
    }
}

/// Options of the estimators (defaults in [`MethodOptions::default`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MethodOptions {
    /// ATE or ATT.
    pub target: Target,
    /// IPW weighting.
    pub weights: IpwWeights,
    /// Drop units whose propensity is below `trim` or above `1 - trim` (IPW, AIPW, matching).
    pub trim: Option<f64>,
    /// Cross-fitting folds of DML. Default 5.
    pub folds: usize,
    /// DML's nuisance learner. Default linear.
    pub learner: Learner,
    /// Seed of DML's fold assignment.
    pub seed: u64,
}

impl Default for MethodOptions {
    fn default() -> Self {
        MethodOptions {
            target: Target::Ate,
            weights: IpwWeights::Stabilized,
            trim: None,
            folds: 5,
            learner: Learner::Linear,
            seed: 0,
        }
    }
}

/// One estimate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectEstimate {
    /// The point estimate.
    pub effect: f64,
    /// Analytic standard error, when the method has one.
    pub std_err: Option<f64>,
    /// Analytic 95% interval, when the method has one.
    pub ci95: Option<(f64, f64)>,
    /// Rows used (after trimming).
    pub n: usize,
    /// Remarks (trimmed units, instrument strength, ...).
    pub notes: Vec<String>,
}

fn normal_ci(effect: f64, se: f64) -> (f64, f64) {
    let z = Normal::standard().inverse_cdf(0.975);
    (effect - z * se, effect + z * se)
}

fn t_ci(effect: f64, se: f64, df: usize) -> (f64, f64) {
    let q = StudentsT::new(0.0, 1.0, df.max(1) as f64).map(|d| d.inverse_cdf(0.975)).unwrap_or(1.96);
    (effect - q * se, effect + q * se)
}

fn with_normal(effect: f64, se: f64, n: usize, notes: Vec<String>) -> EffectEstimate {
    EffectEstimate { effect, std_err: Some(se), ci95: Some(normal_ci(effect, se)), n, notes }
}

/// Estimates the effect with `method`. `columns.extra` must hold the instruments for
/// [`Method::Iv`] and the mediators for [`Method::Frontdoor`].
pub fn estimate_effect(columns: &Columns, method: Method, options: &MethodOptions) -> Result<EffectEstimate> {
    check(columns, method, options)?;
    match method {
        Method::Regression => regression(columns),
        Method::Ipw => ipw(columns, options),
        Method::Aipw => aipw(columns, options),
        Method::Dml => dml(columns, options),
        Method::Iv => two_stage(columns),
        Method::Frontdoor => frontdoor(columns),
        Method::Matching => matching(columns, options),
    }
}

fn check(c: &Columns, method: Method, options: &MethodOptions) -> Result<()> {
    if c.n() < 3 {
        return Err(EstimateError::UnsuitableData(format!(
            "{} rows are too few to estimate an effect",
            c.n()
        )));
    }
    if method.needs_binary_treatment() && !numeric::is_binary(c.t.view()) {
        let bad = c.t.iter().find(|v| **v != 0.0 && **v != 1.0).copied().unwrap_or(f64::NAN);
        return Err(EstimateError::UnsuitableData(format!(
            "--method {} needs a binary treatment coded 0/1, but `{}` has the value {bad}; use regression, dml or iv, or recode the treatment",
            method.name(),
            c.treatment
        )));
    }
    let first = c.t[0];
    if c.t.iter().all(|v| *v == first) {
        return Err(EstimateError::UnsuitableData(format!(
            "the treatment `{}` is constant ({first}): there is nothing to compare",
            c.treatment
        )));
    }
    if options.target == Target::Att
        && !matches!(method, Method::Ipw | Method::Aipw | Method::Matching)
        && !numeric::is_binary(c.t.view())
    {
        return Err(EstimateError::InvalidOption("the ATT needs a binary treatment".into()));
    }
    if let Some(trim) = options.trim
        && !(trim > 0.0 && trim < 0.5)
    {
        return Err(EstimateError::InvalidOption(format!("--trim must be in (0, 0.5), got {trim}")));
    }
    if method == Method::Dml && (options.folds < 2 || options.folds > c.n() / 2) {
        return Err(EstimateError::InvalidOption(format!(
            "DML needs between 2 and n/2 = {} folds, got {}",
            c.n() / 2,
            options.folds
        )));
    }
    if matches!(method, Method::Iv | Method::Frontdoor) && c.extra.ncols() == 0 {
        let what = if method == Method::Iv { "an instrument (--instrument)" } else { "a mediator" };
        return Err(EstimateError::InvalidOption(format!("--method {} needs {what}", method.name())));
    }
    Ok(())
}

fn regression(c: &Columns) -> Result<EffectEstimate> {
    let (x, names) = c.treatment_design();
    let fit = numeric::ols(c.y.view(), x.view(), &names)?;
    let (effect, se) = (fit.coef[1], fit.std_err(1));
    Ok(EffectEstimate {
        effect,
        std_err: Some(se),
        ci95: Some(t_ci(effect, se, fit.df)),
        n: c.n(),
        notes: Vec::new(),
    })
}

/// Fitted propensities, after the overlap check and optional trimming: `(columns kept,
/// propensities, notes)`.
fn propensities(c: &Columns, trim: Option<f64>) -> Result<(Columns, Array1<f64>, Vec<String>)> {
    let (x, names) = c.control_design();
    let (e, _) = numeric::logistic(c.t.view(), x.view(), &names)?;
    let extreme = e.iter().filter(|p| **p < 0.01 || **p > 0.99).count();
    match trim {
        None if extreme * 10 > c.n() => Err(EstimateError::NoOverlap(format!(
            "{extreme} of {} units have a propensity below 0.01 or above 0.99, so treated and untreated units are not comparable; use --trim 0.01 to drop them (this changes the population) or a smaller adjustment set",
            c.n()
        ))),
        None => Ok((c.clone(), e, Vec::new())),
        Some(trim) => {
            let keep: Vec<usize> = (0..c.n()).filter(|&i| e[i] >= trim && e[i] <= 1.0 - trim).collect();
            let dropped = c.n() - keep.len();
            let kept = c.rows(&keep);
            if kept.n() < 3
                || numeric::is_binary(kept.t.view())
                    && (kept.t.sum() < 1.0 || kept.t.sum() > kept.n() as f64 - 1.0)
            {
                return Err(EstimateError::NoOverlap(format!(
                    "trimming propensities outside [{trim}, {}] leaves no treated or no untreated units",
                    1.0 - trim
                )));
            }
            let notes =
                vec![format!("trimmed {dropped} units with propensity outside [{trim}, {}]", 1.0 - trim)];
            Ok((kept, e.select(Axis(0), &keep), notes))
        }
    }
}

fn ipw(c: &Columns, options: &MethodOptions) -> Result<EffectEstimate> {
    let (c, e, notes) = propensities(c, options.trim)?;
    let (t, y, n) = (&c.t, &c.y, c.n() as f64);
    let psi: Array1<f64> = match (options.target, options.weights) {
        (Target::Ate, IpwWeights::Plain) => {
            Array1::from_iter((0..c.n()).map(|i| t[i] * y[i] / e[i] - (1.0 - t[i]) * y[i] / (1.0 - e[i])))
        }
        (Target::Ate, IpwWeights::Stabilized) => {
            let w1 = Array1::from_iter((0..c.n()).map(|i| t[i] / e[i]));
            let w0 = Array1::from_iter((0..c.n()).map(|i| (1.0 - t[i]) / (1.0 - e[i])));
            let (m1, m0) = (w1.dot(y) / w1.sum(), w0.dot(y) / w0.sum());
            let (s1, s0) = (w1.sum() / n, w0.sum() / n);
            Array1::from_iter(
                (0..c.n()).map(|i| m1 - m0 + w1[i] * (y[i] - m1) / s1 - w0[i] * (y[i] - m0) / s0),
            )
        }
        (Target::Att, _) => {
            let p = t.sum() / n;
            let w0 = Array1::from_iter((0..c.n()).map(|i| (1.0 - t[i]) * e[i] / (1.0 - e[i])));
            let m1 = t.dot(y) / t.sum();
            let m0 = w0.dot(y) / w0.sum();
            let s0 = w0.sum() / n;
            Array1::from_iter(
                (0..c.n()).map(|i| m1 - m0 + (t[i] * (y[i] - m1) / p - w0[i] * (y[i] - m0) / s0)),
            )
        }
    };
    let (effect, se) = numeric::mean_and_se(&psi);
    Ok(with_normal(effect, se, c.n(), notes))
}

fn arm_predictions(c: &Columns) -> Result<(Array1<f64>, Array1<f64>)> {
    let (x, names) = c.control_design();
    let mut out = Vec::new();
    for arm in [1.0, 0.0] {
        let idx: Vec<usize> = (0..c.n()).filter(|&i| c.t[i] == arm).collect();
        let fit = numeric::ols(c.y.select(Axis(0), &idx).view(), x.select(Axis(0), &idx).view(), &names)?;
        out.push(x.dot(&fit.coef));
    }
    let m0 = out.pop().unwrap_or_default();
    let m1 = out.pop().unwrap_or_default();
    Ok((m1, m0))
}

fn aipw(c: &Columns, options: &MethodOptions) -> Result<EffectEstimate> {
    let (c, e, notes) = propensities(c, options.trim)?;
    let (m1, m0) = arm_predictions(&c)?;
    let (t, y) = (&c.t, &c.y);
    let psi: Array1<f64> =
        match options.target {
            Target::Ate => Array1::from_iter((0..c.n()).map(|i| {
                m1[i] - m0[i] + t[i] * (y[i] - m1[i]) / e[i] - (1.0 - t[i]) * (y[i] - m0[i]) / (1.0 - e[i])
            })),
            Target::Att => {
                let p = t.sum() / c.n() as f64;
                Array1::from_iter((0..c.n()).map(|i| {
                    (t[i] * (y[i] - m0[i]) - (1.0 - t[i]) * e[i] / (1.0 - e[i]) * (y[i] - m0[i])) / p
                }))
            }
        };
    let (effect, se) = numeric::mean_and_se(&psi);
    Ok(with_normal(effect, se, c.n(), notes))
}

fn dml(c: &Columns, options: &MethodOptions) -> Result<EffectEstimate> {
    let n = c.n();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(options.seed));
    let folds: Vec<Vec<usize>> = (0..options.folds)
        .map(|k| order.iter().enumerate().filter(|(j, _)| j % options.folds == k).map(|(_, &i)| i).collect())
        .collect();
    let fitted = options.learner.cross_fit(c.w.view(), &[c.y.view(), c.t.view()], &folds, &c.w_names)?;
    let (y_res, t_res) = match fitted.as_slice() {
        [y_hat, t_hat] => (&c.y - y_hat, &c.t - t_hat),
        _ => return Err(EstimateError::UnsuitableData("cross-fitting returned no predictions".into())),
    };
    let vv = t_res.dot(&t_res);
    if vv <= 1e-12 * n as f64 {
        return Err(EstimateError::Singular(format!(
            "the controls predict `{}` exactly, leaving no variation to estimate the effect from",
            c.treatment
        )));
    }
    let theta = t_res.dot(&y_res) / vv;
    let eps = &y_res - &(&t_res * theta);
    let mean_vv = vv / n as f64;
    let meat = (&t_res * &t_res * &eps * &eps).sum() / n as f64;
    let se = meat.sqrt() / mean_vv / (n as f64).sqrt();
    Ok(with_normal(theta, se, n, vec![format!("{}-fold cross-fitting", options.folds)]))
}

fn two_stage(c: &Columns) -> Result<EffectEstimate> {
    let n = c.n();
    let (wx, w_names) = c.control_design();
    let first = ndarray::concatenate(Axis(1), &[wx.view(), c.extra.view()])
        .map_err(|e| EstimateError::UnsuitableData(e.to_string()))?;
    let mut first_names = w_names.clone();
    first_names.extend(c.extra_names.iter().cloned());
    let full = numeric::ols(c.t.view(), first.view(), &first_names)?;
    let restricted = numeric::ols(c.t.view(), wx.view(), &w_names)?;
    let (rss_full, rss_restricted) = (full.resid.dot(&full.resid), restricted.resid.dot(&restricted.resid));
    let q = c.extra.ncols() as f64;
    let f = (rss_restricted - rss_full) / q / (rss_full / full.df as f64);
    let t_hat = &c.t - &full.resid;
    let (x, names) = c.treatment_design();
    let mut x_hat = x.clone();
    x_hat.column_mut(1).assign(&t_hat);
    let second: OlsFit = numeric::ols(c.y.view(), x_hat.view(), &names).map_err(|_| {
        EstimateError::Singular(format!(
            "the instruments {} do not move `{}` beyond the controls",
            c.extra_names.join(", "),
            c.treatment
        ))
    })?;
    let resid = &c.y - &x.dot(&second.coef);
    let df = n - x.ncols();
    let s2 = resid.dot(&resid) / df as f64;
    let cov = second.cov / (second.resid.dot(&second.resid) / second.df as f64) * s2;
    let (effect, se) = (second.coef[1], cov[[1, 1]].max(0.0).sqrt());
    let mut notes = vec![format!("first-stage F = {f:.1}")];
    if f < 10.0 {
        notes.push(format!("weak instrument: first-stage F = {f:.1} < 10, the estimate may be biased and its interval too narrow"));
    }
    Ok(EffectEstimate { effect, std_err: Some(se), ci95: Some(t_ci(effect, se, df)), n, notes })
}

fn frontdoor(c: &Columns) -> Result<EffectEstimate> {
    let n = c.n();
    let t_design = numeric::with_intercept(&[c.t.view()], n);
    let t_names = vec!["intercept".to_string(), c.treatment.clone()];
    let mut cols: Vec<ArrayView1<f64>> = vec![c.t.view()];
    cols.extend(c.extra.columns());
    let mut names = t_names.clone();
    names.extend(c.extra_names.iter().cloned());
    let outcome = numeric::ols(c.y.view(), numeric::with_intercept(&cols, n).view(), &names)?;
    let b = outcome.coef.slice(s![2..]).to_owned();
    let b_cov = outcome.cov.slice(s![2.., 2..]).to_owned();
    let mut effect = 0.0;
    let mut var = 0.0;
    let mut a = Array1::<f64>::zeros(b.len());
    for (m, column) in c.extra.columns().into_iter().enumerate() {
        let fit = numeric::ols(column, t_design.view(), &t_names)?;
        a[m] = fit.coef[1];
        effect += a[m] * b[m];
        var += b[m] * b[m] * fit.cov[[1, 1]];
    }
    var += a.dot(&b_cov.dot(&a));
    Ok(with_normal(effect, var.sqrt(), n, Vec::new()))
}

fn matching(c: &Columns, options: &MethodOptions) -> Result<EffectEstimate> {
    let (c, e, notes) = propensities(c, options.trim)?;
    let arm = |value: f64| -> Vec<(f64, usize)> {
        let mut v: Vec<(f64, usize)> = (0..c.n()).filter(|&i| c.t[i] == value).map(|i| (e[i], i)).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let (treated, control) = (arm(1.0), arm(0.0));
    let matched_control = nearest_matches(&treated, &control);
    let sum_treated: f64 = treated.iter().zip(&matched_control).map(|(&(_, i), &j)| c.y[i] - c.y[j]).sum();
    let att = sum_treated / treated.len() as f64;
    let effect = match options.target {
        Target::Att => att,
        Target::Ate => {
            let matched_treated = nearest_matches(&control, &treated);
            let sum_control: f64 =
                control.iter().zip(&matched_treated).map(|(&(_, i), &j)| c.y[j] - c.y[i]).sum();
            (sum_treated + sum_control) / c.n() as f64
        }
    };
    Ok(EffectEstimate { effect, std_err: None, ci95: None, n: c.n(), notes })
}

/// For each unit of `queries`, the unit of `pool` with the nearest propensity (both sorted by
/// propensity, as `(propensity, row)`; ties go to the lower propensity); returns pool rows.
///
/// Because the queries are sorted, the first pool position at or above the query only moves
/// forward, so one merge-like pass replaces a binary search per query.
fn nearest_matches(queries: &[(f64, usize)], pool: &[(f64, usize)]) -> Vec<usize> {
    let mut k = 0;
    queries
        .iter()
        .map(|&(p, _)| {
            while k < pool.len() && pool[k].0 < p {
                k += 1;
            }
            let below = k.checked_sub(1);
            let above = (k < pool.len()).then_some(k);
            let best = match (below, above) {
                (Some(b), Some(a)) if (pool[a].0 - p).abs() < (pool[b].0 - p).abs() => a,
                (Some(b), _) => b,
                (None, Some(a)) => a,
                (None, None) => 0,
            };
            pool.get(best).map_or(0, |&(_, row)| row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The propensity of the nearest pool unit by exhaustive search, ties to the lower
    /// propensity.
    fn brute_force(queries: &[(f64, usize)], pool: &[(f64, usize)]) -> Vec<f64> {
        queries
            .iter()
            .map(|&(p, _)| {
                let mut best = pool[0].0;
                for &(candidate, _) in pool {
                    if (candidate - p).abs() < (best - p).abs() {
                        best = candidate;
                    }
                }
                best
            })
            .collect()
    }

    #[test]
    fn nearest_matches_agree_with_exhaustive_search() {
        // Rows alternate between the arms; propensities on interleaved dyadic grids (odd and even
        // multiples of 1/32, exact in binary), so that most queries lie exactly halfway between
        // two pool values, some pool values repeat, and some queries lie beyond the pool's range.
        for shift in 0..13 {
            let values: Vec<f64> = (0..40)
                .map(|i| {
                    let level =
                        if i % 2 == 0 { (i * 7 + shift) % 13 * 2 + 1 } else { (i * 5 + shift) % 9 * 2 };
                    level as f64 / 32.0
                })
                .collect();
            let sorted = |arm: usize| {
                let mut v: Vec<(f64, usize)> =
                    values.iter().enumerate().filter(|(i, _)| i % 2 == arm).map(|(i, &p)| (p, i)).collect();
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
                v
            };
            let (treated, control) = (sorted(0), sorted(1));
            let matched = |q: &[(f64, usize)], pool: &[(f64, usize)]| -> Vec<f64> {
                nearest_matches(q, pool).into_iter().map(|row| values[row]).collect()
            };
            assert_eq!(matched(&treated, &control), brute_force(&treated, &control));
            assert_eq!(matched(&control, &treated), brute_force(&control, &treated));
        }
    }
}
