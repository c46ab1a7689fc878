//! Causal discovery on multivariate time series: Granger causality and PCMCI.
//!
//! The input is a [`Dataset`] whose rows are consecutive, equally spaced time points (ordering
//! and a time-index column are handled upstream, when the data is loaded). Time breaks the
//! symmetry that makes cross-sectional discovery hard: a cause precedes its effect, so every
//! link found here points forward in time and needs no orientation rules.
//!
//! Both methods regress a variable at time `t` on lagged copies of the series. Building those
//! copies once, as one matrix whose columns are `(variable, lag)` pairs over a common window of
//! rows ([`LaggedDesign`]), keeps every test a column selection instead of a re-slicing of the
//! data, and lets PCMCI compute one correlation matrix from which all of its partial
//! correlations follow.
//!
//! - [`granger`]: pairwise or conditional (multivariate) Granger causality with exact F tests and
//!   a multiple-testing correction across the ordered pairs.
//! - [`pcmci`]: PCMCI (Runge et al. 2019) with the ParCorr test, for lagged links only.
//!
//! Both methods assume linear relations, stationarity and no unobserved confounders; they are
//! screening tools whose output a person should read with those assumptions in mind.

pub mod granger;
pub mod pcmci;

use causa_data::{ColumnKind, Dataset};
use ndarray::{Array2, ArrayView2, Axis, s};

use crate::error::{DiscoveryError, Result};

pub use granger::{GrangerMode, GrangerParams, GrangerResult, GrangerTest, LagCoefficient, granger};
pub use pcmci::{LaggedLink, LaggedParent, PcmciParams, PcmciResult, pcmci};

/// A variable at a lag: `x_var(t - lag)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LaggedVar {
    /// The column index of the series.
    pub var: usize,
    /// How many time steps back (0 = the present).
    pub lag: usize,
}

impl LaggedVar {
    /// `x_var(t - lag)`.
    pub fn new(var: usize, lag: usize) -> Self {
        LaggedVar { var, lag }
    }
}

/// How p-values of many tests are adjusted before comparing them with the significance level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Correction {
    /// No adjustment: each test at the nominal level.
    None,
    /// Bonferroni: `min(1, m p)`; controls the family-wise error rate.
    Bonferroni,
    /// Benjamini-Hochberg step-up adjusted p-values; controls the false discovery rate.
    #[default]
    BenjaminiHochberg,
}

/// The p-values adjusted by `correction`, in the input order.
///
/// Benjamini-Hochberg is [`causa_data::profile::benjamini_hochberg`]: the adjusted p-values whose
/// comparison with `alpha` is the step-up procedure.
pub fn adjust_p_values(p_values: &[f64], correction: Correction) -> Vec<f64> {
    match correction {
        Correction::None => p_values.to_vec(),
        Correction::Bonferroni => {
            let m = p_values.len() as f64;
            p_values.iter().map(|p| (p * m).min(1.0)).collect()
        }
        Correction::BenjaminiHochberg => causa_data::profile::benjamini_hochberg(p_values),
    }
}

/// Lagged copies of a multivariate series over a common window of rows.
///
/// Row `r` of the design is time `t = start + r`; the column of `(var, lag)` holds
/// `x_var(t - lag)` for lags `0..=max_lag`. Every regression over the design therefore uses the
/// same time points, which is what makes F tests between nested models and comparisons between
/// tests valid.
#[derive(Clone, Debug)]
pub struct LaggedDesign {
    values: Array2<f64>,
    n_vars: usize,
    max_lag: usize,
    start: usize,
}

impl LaggedDesign {
    /// The design of `series` (rows = time points, columns = variables) for lags `0..=max_lag`
    /// over the times `start..T`. Fails if `start < max_lag` (the lags would reach before the
    /// first row) or no rows remain.
    pub fn new(series: ArrayView2<f64>, max_lag: usize, start: usize) -> Result<Self> {
        let (t_len, n_vars) = series.dim();
        if start < max_lag {
            return Err(DiscoveryError::InvalidParameter(format!(
                "the first usable time point ({start}) must be at least the largest lag ({max_lag})"
            )));
        }
        if start >= t_len {
            return Err(DiscoveryError::UnsuitableData(format!(
                "a series of {t_len} time points leaves no sample after skipping the first {start}"
            )));
        }
        let n = t_len - start;
        let mut values = Array2::<f64>::zeros((n, n_vars * (max_lag + 1)));
        for lag in 0..=max_lag {
            values
                .slice_mut(s![.., lag * n_vars..(lag + 1) * n_vars])
                .assign(&series.slice(s![start - lag..t_len - lag, ..]));
        }
        Ok(LaggedDesign { values, n_vars, max_lag, start })
    }

    /// The column of `x_var(t - lag)`.
    pub fn column_index(&self, node: LaggedVar) -> usize {
        node.lag * self.n_vars + node.var
    }

    /// The whole design: one row per time point, columns ordered by lag then variable.
    pub fn matrix(&self) -> ArrayView2<'_, f64> {
        self.values.view()
    }

    /// A matrix of the given lagged variables, in that order.
    pub fn columns(&self, nodes: &[LaggedVar]) -> Array2<f64> {
        let index: Vec<usize> = nodes.iter().map(|&n| self.column_index(n)).collect();
        self.values.select(Axis(1), &index)
    }

    /// Number of time points (rows).
    pub fn n_samples(&self) -> usize {
        self.values.nrows()
    }

    /// Number of series.
    pub fn n_vars(&self) -> usize {
        self.n_vars
    }

    /// The largest lag held.
    pub fn max_lag(&self) -> usize {
        self.max_lag
    }

    /// The time (row of the original series) of the design's first row.
    pub fn start(&self) -> usize {
        self.start
    }
}

/// Checks that every column is a continuous, non-constant series and that there are at least
/// two of them; `method` names the caller in messages.
fn check_series(data: &Dataset, method: &str, min_vars: usize) -> Result<()> {
    if data.n_cols() < min_vars {
        return Err(DiscoveryError::UnsuitableData(format!(
            "{method} needs at least {min_vars} series, the data has {}",
            data.n_cols()
        )));
    }
    for (j, kind) in data.kinds().iter().enumerate() {
        let name = &data.names()[j];
        if let ColumnKind::Discrete { .. } = kind {
            return Err(DiscoveryError::UnsuitableData(format!(
                "{method} assumes continuous series, but column `{name}` is discrete"
            )));
        }
        let column = data.column(j);
        let first = column.first().copied().unwrap_or(0.0);
        if column.iter().all(|v| *v == first) {
            return Err(DiscoveryError::UnsuitableData(format!(
                "column `{name}` is constant over time; drop it before {method}"
            )));
        }
    }
    Ok(())
}

fn check_probability(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(DiscoveryError::InvalidParameter(format!(
            "{name} must lie strictly between 0 and 1, got {value}"
        )))
    }
}

#[cfg(test)]
pub(crate) mod simulate;

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn corrections_adjust_as_documented() {
        let p = [0.01, 0.04, 0.03, 0.005];
        assert_eq!(adjust_p_values(&p, Correction::None), p.to_vec());
        assert_eq!(adjust_p_values(&[0.01, 0.4], Correction::Bonferroni), vec![0.02, 0.8]);
        assert_eq!(adjust_p_values(&[0.3, 0.7], Correction::Bonferroni), vec![0.6, 1.0]);
        // Hand-computed Benjamini-Hochberg values (the function itself is tested in causa-data).
        let adjusted = adjust_p_values(&p, Correction::BenjaminiHochberg);
        let expected = [0.02, 0.04, 0.04, 0.02];
        assert!(adjusted.iter().zip(expected).all(|(a, e)| (a - e).abs() < 1e-12), "{adjusted:?}");
    }

    #[test]
    fn design_columns_are_the_lagged_series() {
        let series = array![[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]];
        let design = LaggedDesign::new(series.view(), 2, 2).unwrap();
        assert_eq!(design.n_samples(), 3);
        assert_eq!(design.columns(&[LaggedVar::new(0, 0)]).column(0).to_vec(), vec![3.0, 4.0, 5.0]);
        assert_eq!(design.columns(&[LaggedVar::new(1, 2)]).column(0).to_vec(), vec![10.0, 20.0, 30.0]);
        assert_eq!(design.columns(&[LaggedVar::new(0, 1)]).column(0).to_vec(), vec![2.0, 3.0, 4.0]);
        assert!(LaggedDesign::new(series.view(), 3, 2).is_err());
        assert!(LaggedDesign::new(series.view(), 2, 5).is_err());
    }
}
