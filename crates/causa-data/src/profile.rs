//! Profiling a dataset: the facts that decide which discovery algorithm fits.
//!
//! Algorithm choice in causal discovery turns on a few assumptions that the data can speak to:
//! are the variables discrete or continuous, are the relations linear, are the distributions
//! Gaussian, is there a time order. This module measures each with a simple, documented test and
//! turns the answers into a [`Recommendation`] with its reasons spelled out, so `causa discover
//! --algo auto` and the user see the same argument.
//!
//! - **Linearity**: for every ordered pair (x, y) of continuous columns, the linear regression of
//!   y on x is compared with y on x plus x's decile bins (a piecewise-constant shift on top of the
//!   line, i.e. a step-function spline). The F-test of the bins is corrected across all pairs with
//!   Benjamini-Hochberg; a pair counts as nonlinear when it is significant *and* the bins explain at
//!   least [`ProfileOptions::min_nonlinear_gain`] of y's variance, because with thousands of rows
//!   tiny, causally irrelevant curvature is always significant. Linear non-Gaussian models have
//!   curved regressions in the anti-causal direction (strongly so with skewed noise), so a pair
//!   whose other direction is linear, and whose squared correlation exceeds the curved
//!   direction's gain, still counts as linear. This removes the artefact for uniform noise;
//!   with strongly skewed noise (e.g. exponential) the anti-causal curvature can exceed the
//!   correlation and such data may still be judged nonlinear. Each unordered pair is reported once, from its
//!   more nonlinear direction.
//! - **Gaussianity**: Jarque-Bera per continuous column, Benjamini-Hochberg across columns.
//! - **Latent confounding** cannot be detected from these statistics; the recommendation says so.
//!
//! JSON field names (from `serde`), as printed by `causa profile --json`:
//! `n_rows`, `n_cols`, `time_index` (column name or null), `columns[]` {`name`, `type`
//! (continuous|discrete|binary|categorical), `levels` (null for continuous), `missing`, `constant`,
//! `mean`, `std_dev`, `skewness`, `excess_kurtosis`, `gaussianity` (null or {`statistic`,
//! `p_value`, `q_value`, `gaussian`})}, `constant_columns[]`, `near_duplicates[]` {`a`, `b`,
//! `correlation`}, `linearity` {`pairs_tested`, `nonlinear_pairs[]` {`x`, `y`, `r2_linear`,
//! `r2_gain`, `p_value`, `q_value`}, `linear`}, `gaussian` (bool or null), `recommendation`
//! {`algorithm` (pc|fci|ges|lingam|notears|pcmci), `ci_test` (fisher-z|g-test|kci or null),
//! `data_model` (linear-gaussian|linear-non-gaussian|nonlinear|discrete|mixed|time-series),
//! `reasons[]` (sentences)}.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

use crate::dataset::{ColumnKind, Dataset};
use crate::load::{ColumnType, LoadedData};

/// Thresholds of the profile tests. Defaults: `alpha = 0.05` (BH false discovery rate for both
/// test families), `min_nonlinear_gain = 0.05`, `near_duplicate = 0.999`, `kci_max_rows = 2000`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileOptions {
    /// False discovery rate of the Benjamini-Hochberg corrections.
    pub alpha: f64,
    /// Minimum share of variance the nonlinear part must explain for a pair to count.
    pub min_nonlinear_gain: f64,
    /// |correlation| above which two columns are near duplicates.
    pub near_duplicate: f64,
    /// Above this many rows the kernel test (cubic in n) is not recommended for nonlinear data.
    pub kci_max_rows: usize,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions { alpha: 0.05, min_nonlinear_gain: 0.05, near_duplicate: 0.999, kci_max_rows: 2000 }
    }
}

/// The profile of a dataset (see the module docs for the JSON field names).
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    /// Number of rows.
    pub n_rows: usize,
    /// Number of columns.
    pub n_cols: usize,
    /// The time index column, if any.
    pub time_index: Option<String>,
    /// Per-column facts.
    pub columns: Vec<ColumnProfile>,
    /// Columns with a single value.
    pub constant_columns: Vec<String>,
    /// Pairs of continuous columns with |correlation| above the threshold.
    pub near_duplicates: Vec<NearDuplicate>,
    /// The pairwise linearity check.
    pub linearity: Linearity,
    /// True if no continuous column rejects Gaussianity; null without continuous columns.
    pub gaussian: Option<bool>,
    /// The recommended discovery algorithm.
    pub recommendation: Recommendation,
}

/// Facts about one column.
#[derive(Clone, Debug, Serialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// continuous, discrete, binary or categorical.
    #[serde(rename = "type")]
    pub column_type: &'static str,
    /// Number of categories of a discrete column.
    pub levels: Option<usize>,
    /// Missing values in the file (before the missing-value policy).
    pub missing: usize,
    /// True if the column has a single value.
    pub constant: bool,
    /// Mean of the values (codes for discrete columns).
    pub mean: f64,
    /// Sample standard deviation.
    pub std_dev: f64,
    /// Sample skewness (0 for constant columns).
    pub skewness: f64,
    /// Sample excess kurtosis (0 for constant columns).
    pub excess_kurtosis: f64,
    /// Jarque-Bera test, for non-constant continuous columns.
    pub gaussianity: Option<GaussianityTest>,
}

/// A Jarque-Bera test of normality.
#[derive(Clone, Debug, Serialize)]
pub struct GaussianityTest {
    /// The JB statistic, `n/6 (S^2 + K^2/4)` with K the excess kurtosis.
    pub statistic: f64,
    /// Its p-value (chi-squared with 2 degrees of freedom).
    pub p_value: f64,
    /// The Benjamini-Hochberg adjusted p-value across columns.
    pub q_value: f64,
    /// True unless the q-value is below alpha.
    pub gaussian: bool,
}

/// Two columns that are nearly the same variable.
#[derive(Clone, Debug, Serialize)]
pub struct NearDuplicate {
    /// First column.
    pub a: String,
    /// Second column.
    pub b: String,
    /// Their Pearson correlation.
    pub correlation: f64,
}

/// The result of the pairwise linearity check.
#[derive(Clone, Debug, Serialize)]
pub struct Linearity {
    /// Ordered pairs tested.
    pub pairs_tested: usize,
    /// Unordered pairs judged nonlinear (see the module docs), strongest first, each given in its
    /// more nonlinear direction.
    pub nonlinear_pairs: Vec<PairNonlinearity>,
    /// True if no pair is judged nonlinear.
    pub linear: bool,
}

/// Evidence that `y` depends on `x` nonlinearly.
#[derive(Clone, Debug, Serialize)]
pub struct PairNonlinearity {
    /// The regressor.
    pub x: String,
    /// The response.
    pub y: String,
    /// R² of the linear fit.
    pub r2_linear: f64,
    /// Additional R² of the binned (nonlinear) part.
    pub r2_gain: f64,
    /// F-test p-value of the nonlinear part.
    pub p_value: f64,
    /// Benjamini-Hochberg adjusted p-value across all pairs.
    pub q_value: f64,
}

/// Discovery algorithms the recommendation can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// The PC algorithm.
    Pc,
    /// Fast Causal Inference (latent confounders).
    Fci,
    /// Greedy Equivalence Search.
    Ges,
    /// DirectLiNGAM.
    Lingam,
    /// NOTEARS-style continuous optimisation.
    Notears,
    /// PCMCI for time series.
    Pcmci,
}

impl Algorithm {
    /// The name used by `causa discover --algo`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Pc => "pc",
            Algorithm::Fci => "fci",
            Algorithm::Ges => "ges",
            Algorithm::Lingam => "lingam",
            Algorithm::Notears => "notears",
            Algorithm::Pcmci => "pcmci",
        }
    }
}

/// Conditional-independence tests the recommendation can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiTestName {
    /// Fisher's z on partial correlations.
    FisherZ,
    /// The G-test (likelihood-ratio chi-squared) on contingency tables.
    GTest,
    /// The kernel conditional-independence test.
    Kci,
}

impl CiTestName {
    /// The name used by `causa discover --test`.
    pub fn name(self) -> &'static str {
        match self {
            CiTestName::FisherZ => "fisher-z",
            CiTestName::GTest => "g-test",
            CiTestName::Kci => "kci",
        }
    }
}

/// What the profile suggests the data look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataModel {
    /// Continuous, linear, Gaussian.
    LinearGaussian,
    /// Continuous, linear, non-Gaussian.
    LinearNonGaussian,
    /// Continuous with nonlinear relations.
    Nonlinear,
    /// All columns discrete.
    Discrete,
    /// Discrete and continuous columns.
    Mixed,
    /// Rows ordered by a time index.
    TimeSeries,
}

/// A recommended discovery algorithm with its reasons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recommendation {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The conditional-independence test, for constraint-based algorithms.
    pub ci_test: Option<CiTestName>,
    /// What the data look like.
    pub data_model: DataModel,
    /// Why, as sentences.
    pub reasons: Vec<String>,
}

/// Profiles a loaded table (its missing-value counts and time index are used).
pub fn profile(loaded: &LoadedData, options: &ProfileOptions) -> Profile {
    let types: Vec<ColumnType> = loaded.columns.iter().map(|c| c.column_type).collect();
    let missing: Vec<usize> = loaded.columns.iter().map(|c| c.missing).collect();
    build(&loaded.dataset, &types, &missing, loaded.time_column.clone(), options)
}

/// The recommended discovery algorithm for a loaded table (what `causa discover --algo auto`
/// uses); the full [`Profile`] carries the evidence behind it.
pub fn recommend(loaded: &LoadedData, options: &ProfileOptions) -> Recommendation {
    profile(loaded, options).recommendation
}

/// Profiles a dataset on its own (types from its column kinds, no missing values, no time index).
pub fn profile_dataset(data: &Dataset, options: &ProfileOptions) -> Profile {
    let types: Vec<ColumnType> = data
        .kinds()
        .iter()
        .map(|k| match k {
            ColumnKind::Continuous => ColumnType::Continuous,
            ColumnKind::Discrete { levels: 2 } => ColumnType::Binary,
            ColumnKind::Discrete { .. } => ColumnType::Discrete,
        })
        .collect();
    build(data, &types, &vec![0; data.n_cols()], None, options)
}

fn build(
    data: &Dataset,
    types: &[ColumnType],
    missing: &[usize],
    time_index: Option<String>,
    options: &ProfileOptions,
) -> Profile {
    let n = data.n_rows();
    let columns_values: Vec<Vec<f64>> = (0..data.n_cols()).map(|j| data.column(j).to_vec()).collect();
    let mut columns: Vec<ColumnProfile> = data
        .names()
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let m = Moments::of(&columns_values[j]);
            ColumnProfile {
                name: name.clone(),
                column_type: types[j].name(),
                levels: match data.kinds()[j] {
                    ColumnKind::Discrete { levels } => Some(levels),
                    ColumnKind::Continuous => None,
                },
                missing: missing[j],
                constant: m.variance == 0.0,
                mean: m.mean,
                std_dev: m.variance.sqrt(),
                skewness: m.skewness,
                excess_kurtosis: m.excess_kurtosis,
                gaussianity: None,
            }
        })
        .collect();
    let constant_columns: Vec<String> =
        columns.iter().filter(|c| c.constant).map(|c| c.name.clone()).collect();
    let continuous: Vec<usize> =
        (0..data.n_cols()).filter(|&j| !data.kinds()[j].is_discrete() && !columns[j].constant).collect();

    // Gaussianity: Jarque-Bera per column, BH across columns.
    let jb: Vec<(usize, f64, f64)> = continuous
        .iter()
        .map(|&j| {
            let c = &columns[j];
            let stat = n as f64 / 6.0 * (c.skewness.powi(2) + c.excess_kurtosis.powi(2) / 4.0);
            (j, stat, chi2_sf(stat, 2.0))
        })
        .collect();
    let q = benjamini_hochberg(&jb.iter().map(|t| t.2).collect::<Vec<_>>());
    for (&(j, statistic, p_value), q_value) in jb.iter().zip(&q) {
        columns[j].gaussianity = Some(GaussianityTest {
            statistic,
            p_value,
            q_value: *q_value,
            gaussian: *q_value >= options.alpha,
        });
    }
    let gaussian = (!jb.is_empty()).then(|| q.iter().all(|&q| q >= options.alpha));

    let mut near_duplicates = Vec::new();
    for (a, &i) in continuous.iter().enumerate() {
        for &j in &continuous[a + 1..] {
            let r = correlation(&columns_values[i], &columns_values[j]);
            if r.abs() > options.near_duplicate {
                near_duplicates.push(NearDuplicate {
                    a: data.names()[i].clone(),
                    b: data.names()[j].clone(),
                    correlation: r,
                });
            }
        }
    }

    let linearity = linearity(data, &continuous, &columns_values, options);
    let recommendation =
        decide(data, &columns, &linearity, gaussian, &near_duplicates, time_index.is_some(), options);
    Profile {
        n_rows: n,
        n_cols: data.n_cols(),
        time_index,
        columns,
        constant_columns,
        near_duplicates,
        linearity,
        gaussian,
        recommendation,
    }
}

fn linearity(
    data: &Dataset,
    continuous: &[usize],
    values: &[Vec<f64>],
    options: &ProfileOptions,
) -> Linearity {
    let mut tests = Vec::new();
    for &x in continuous {
        for &y in continuous {
            if x != y
                && let Some(t) = binned_linearity_test(&values[x], &values[y])
            {
                tests.push((x, y, t));
            }
        }
    }
    let q = benjamini_hochberg(&tests.iter().map(|t| t.2.p_value).collect::<Vec<_>>());
    // The gain of a direction counts only if its test survives the correction.
    let gain = |k: usize| if q[k] < options.alpha { tests[k].2.r2_gain } else { 0.0 };
    let find = |x: usize, y: usize| tests.iter().position(|t| t.0 == x && t.1 == y);
    let mut nonlinear_pairs = Vec::new();
    for (k, &(x, y, t)) in tests.iter().enumerate() {
        let reverse = find(y, x).map_or(0.0, gain);
        // Each unordered pair is judged once, from its more nonlinear direction (ties: x < y).
        let stronger = gain(k) > reverse || (gain(k) == reverse && x < y);
        if !stronger || gain(k) < options.min_nonlinear_gain {
            continue;
        }
        // A linear non-Gaussian relation has a curved regression in the anti-causal direction
        // only: when the other direction is linear and the correlation explains more than this
        // direction's curvature, the pair is linear. (A symmetric curve such as y = x^2 has a
        // flat reverse regression too, but no correlation.)
        let explained_linearly = reverse < options.min_nonlinear_gain && t.r2_linear >= gain(k);
        if explained_linearly {
            continue;
        }
        nonlinear_pairs.push(PairNonlinearity {
            x: data.names()[x].clone(),
            y: data.names()[y].clone(),
            r2_linear: t.r2_linear,
            r2_gain: t.r2_gain,
            p_value: t.p_value,
            q_value: q[k],
        });
    }
    nonlinear_pairs.sort_by(|a, b| b.r2_gain.total_cmp(&a.r2_gain));
    let linear = nonlinear_pairs.is_empty();
    Linearity { pairs_tested: tests.len(), nonlinear_pairs, linear }
}

#[derive(Clone, Copy, Debug)]
struct PairTest {
    r2_linear: f64,
    r2_gain: f64,
    p_value: f64,
}

/// Compares `y ~ a + b x` with `y ~ b x + bin(x)` (one intercept per quantile bin of x). The
/// second model is fitted by the within-bin slope: both are least squares, and the F-test has
/// `bins - 1` and `n - bins - 1` degrees of freedom. None when there are too few rows.
fn binned_linearity_test(x: &[f64], y: &[f64]) -> Option<PairTest> {
    let n = x.len();
    let bins = if n >= 200 { 10 } else { n / 20 };
    if bins < 3 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut bin_of = vec![0usize; n];
    for (rank, &i) in order.iter().enumerate() {
        bin_of[i] = rank * bins / n;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mx, my) = (mean(x), mean(y));
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let tss: f64 = y.iter().map(|v| (v - my).powi(2)).sum();
    if sxx <= 0.0 || tss <= 0.0 {
        return None;
    }
    let rss_linear = (tss - sxy * sxy / sxx).max(0.0);
    let mut sums = vec![(0.0, 0.0, 0usize); bins];
    for i in 0..n {
        let s = &mut sums[bin_of[i]];
        s.0 += x[i];
        s.1 += y[i];
        s.2 += 1;
    }
    let bin_mean = |i: usize| {
        let s = sums[bin_of[i]];
        (s.0 / s.2 as f64, s.1 / s.2 as f64)
    };
    let (mut wxx, mut wxy, mut wyy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (bx, by) = bin_mean(i);
        let (dx, dy) = (x[i] - bx, y[i] - by);
        wxx += dx * dx;
        wxy += dx * dy;
        wyy += dy * dy;
    }
    let rss_binned = if wxx > 0.0 { wyy - wxy * wxy / wxx } else { wyy }.max(0.0);
    let df1 = (bins - 1) as f64;
    let df2 = (n - bins - 1) as f64;
    let gain = ((rss_linear - rss_binned) / tss).max(0.0);
    let p_value = if rss_binned <= 1e-12 * tss {
        if gain > 0.0 { 0.0 } else { 1.0 }
    } else {
        let f = ((rss_linear - rss_binned).max(0.0) / df1) / (rss_binned / df2);
        FisherSnedecor::new(df1, df2).map(|d| d.sf(f)).unwrap_or(1.0)
    };
    Some(PairTest { r2_linear: 1.0 - rss_linear / tss, r2_gain: gain, p_value })
}

/// The continuous columns whose Gaussianity test rejected.
fn non_gaussian_columns(columns: &[ColumnProfile]) -> Vec<&str> {
    columns
        .iter()
        .filter(|c| c.gaussianity.as_ref().is_some_and(|g| !g.gaussian))
        .map(|c| c.name.as_str())
        .collect()
}

/// Whether at least half of the tested columns reject Gaussianity: LiNGAM's identifiability needs
/// non-Gaussian noise in (nearly) every variable, and one column failing a test by chance among
/// Gaussian ones is no evidence of that.
fn mostly_non_gaussian(columns: &[ColumnProfile]) -> bool {
    let tested = columns.iter().filter(|c| c.gaussianity.is_some()).count();
    2 * non_gaussian_columns(columns).len() >= tested && tested > 0
}

fn decide(
    data: &Dataset,
    columns: &[ColumnProfile],
    linearity: &Linearity,
    gaussian: Option<bool>,
    near_duplicates: &[NearDuplicate],
    time_series: bool,
    options: &ProfileOptions,
) -> Recommendation {
    let n = data.n_rows();
    let p = data.n_cols();
    let discrete = data.kinds().iter().filter(|k| k.is_discrete()).count();
    let mut reasons = Vec::new();
    let nonlinear_reason = |l: &Linearity| match l.nonlinear_pairs.first() {
        Some(pair) => format!(
            "{} of {} column pairs show nonlinear dependence (strongest: {} on {}, {:.0}% of the \
             variance beyond the linear fit).",
            l.nonlinear_pairs.len(),
            l.pairs_tested,
            pair.y,
            pair.x,
            pair.r2_gain * 100.0
        ),
        None => format!("No nonlinear dependence was found among {} column pairs.", l.pairs_tested),
    };
    let (algorithm, ci_test, data_model) = if time_series {
        reasons
            .push("The rows are ordered by a time index, so lagged effects matter: PCMCI tests them.".into());
        let test = if linearity.linear { CiTestName::FisherZ } else { CiTestName::Kci };
        reasons.push(nonlinear_reason(linearity));
        (Algorithm::Pcmci, Some(test), DataModel::TimeSeries)
    } else if discrete == p {
        reasons.push(format!(
            "All {p} columns are discrete, so independence is tested on contingency tables with the G-test."
        ));
        (Algorithm::Pc, Some(CiTestName::GTest), DataModel::Discrete)
    } else if discrete > 0 {
        reasons.push(format!(
            "{discrete} of {p} columns are discrete and the rest continuous; a kernel test handles \
             the mix without assuming a distribution (or discretise the continuous columns and use the G-test)."
        ));
        (Algorithm::Pc, Some(CiTestName::Kci), DataModel::Mixed)
    } else if !linearity.linear {
        reasons.push(nonlinear_reason(linearity));
        if n <= options.kci_max_rows {
            reasons
                .push("Linear tests would miss nonlinear dependence; the kernel test (KCI) does not.".into());
            (Algorithm::Pc, Some(CiTestName::Kci), DataModel::Nonlinear)
        } else {
            reasons.push(format!(
                "With {n} rows the kernel test (cubic in n) is too slow; a NOTEARS-style search with a \
                 nonlinear model scales better (or run PC with KCI on a subsample of {} rows).",
                options.kci_max_rows
            ));
            (Algorithm::Notears, None, DataModel::Nonlinear)
        }
    } else if gaussian == Some(false) && mostly_non_gaussian(columns) {
        reasons.push(nonlinear_reason(linearity));
        let rejecting = non_gaussian_columns(columns);
        reasons.push(format!(
            "{} of {} continuous columns are not Gaussian (Jarque-Bera, BH-corrected): {}. With linear \
             relations and non-Gaussian noise LiNGAM can orient every edge, not just the equivalence class.",
            rejecting.len(),
            columns.iter().filter(|c| c.gaussianity.is_some()).count(),
            rejecting.join(", ")
        ));
        (Algorithm::Lingam, None, DataModel::LinearNonGaussian)
    } else {
        reasons.push(nonlinear_reason(linearity));
        if gaussian == Some(false) {
            let rejecting = non_gaussian_columns(columns);
            reasons.push(format!(
                "Only {} of {} continuous columns depart from the Gaussian (Jarque-Bera, BH-corrected): {}. \
                 LiNGAM needs non-Gaussian noise in nearly every variable, and a few rejections are no \
                 evidence of that; with linear relations partial correlations still capture the \
                 conditional independences: PC with Fisher's z.",
                rejecting.len(),
                columns.iter().filter(|c| c.gaussianity.is_some()).count(),
                rejecting.join(", ")
            ));
        } else {
            reasons.push(
                "No continuous column departs from the Gaussian (Jarque-Bera, BH-corrected), so partial \
                 correlations capture every conditional independence: PC with Fisher's z."
                    .into(),
            );
        }
        (Algorithm::Pc, Some(CiTestName::FisherZ), DataModel::LinearGaussian)
    };
    for c in columns.iter().filter(|c| c.constant) {
        reasons.push(format!(
            "Column `{}` is constant and carries no information: drop it before discovery.",
            c.name
        ));
    }
    for d in near_duplicates {
        reasons.push(format!(
            "Columns `{}` and `{}` are near duplicates (correlation {:.4}); deterministic relations \
             break faithfulness, so keep only one.",
            d.a, d.b, d.correlation
        ));
    }
    if n < 10 * p.max(1) {
        reasons.push(format!(
            "Only {n} rows for {p} columns: independence tests have little power, expect missing edges."
        ));
    }
    reasons.push(
        "Latent confounding cannot be detected from these statistics: if unmeasured common causes \
         are plausible, run FCI with the same test instead."
            .into(),
    );
    Recommendation { algorithm, ci_test, data_model, reasons }
}

/// Mean, variance and standardised third and fourth moments.
struct Moments {
    mean: f64,
    variance: f64,
    skewness: f64,
    excess_kurtosis: f64,
}

impl Moments {
    fn of(values: &[f64]) -> Moments {
        let n = values.len() as f64;
        if values.is_empty() {
            return Moments { mean: 0.0, variance: 0.0, skewness: 0.0, excess_kurtosis: 0.0 };
        }
        let mean = values.iter().sum::<f64>() / n;
        let central = |k: i32| values.iter().map(|v| (v - mean).powi(k)).sum::<f64>() / n;
        let m2 = central(2);
        let variance = if values.len() > 1 { m2 * n / (n - 1.0) } else { 0.0 };
        if m2 <= f64::EPSILON * mean.abs().max(1.0) * 1e-6 || values.iter().all(|&v| v == values[0]) {
            return Moments { mean, variance: 0.0, skewness: 0.0, excess_kurtosis: 0.0 };
        }
        Moments {
            mean,
            variance,
            skewness: central(3) / m2.powf(1.5),
            excess_kurtosis: central(4) / (m2 * m2) - 3.0,
        }
    }
}

/// Pearson correlation (0 if either column is constant).
pub(crate) fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx <= 0.0 || syy <= 0.0 { 0.0 } else { sxy / (sxx * syy).sqrt() }
}

fn chi2_sf(statistic: f64, df: f64) -> f64 {
    ChiSquared::new(df).map(|d| d.sf(statistic)).unwrap_or(1.0)
}

/// Benjamini-Hochberg adjusted p-values, in input order: for the p-value of rank `k` (ascending)
/// among `m`, `min_{j >= k} (m p_(j) / j)` capped at 1. Comparing them with `alpha` is the
/// step-up procedure that controls the false discovery rate. Used by the profile and by the
/// time-series discovery methods.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[b].total_cmp(&p_values[a]));
    let mut adjusted = vec![1.0; m];
    let mut running: f64 = 1.0;
    for (k, &i) in order.iter().enumerate() {
        let rank = m - k;
        running = running.min(p_values[i] * m as f64 / rank as f64);
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
#[cfg(feature = "files")]
#[path = "profile_tests.rs"]
mod tests;
