//! Regression fits shared by the estimators: least squares with its classical covariance, and
//! logistic regression by Newton's method (IRLS).
//!
//! The linear algebra itself (Cholesky, inversion) comes from `causa_discovery::linalg`; what this
//! module adds is what estimation needs on top: the coefficient covariance, the residual degrees
//! of freedom, and errors that name the collinear column or the separating control instead of
//! returning NaN.

use causa_discovery::linalg;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};

use crate::error::{EstimateError, Result};

/// A least-squares fit of `y` on the columns of a design matrix (which includes any intercept).
#[derive(Clone, Debug)]
pub struct OlsFit {
    /// The coefficients, one per design column.
    pub coef: Array1<f64>,
    /// Classical covariance `s² (XᵀX)⁻¹` with `s² = RSS / (n - p)` (statsmodels' default).
    pub cov: Array2<f64>,
    /// Residuals `y - X β`.
    pub resid: Array1<f64>,
    /// Residual degrees of freedom `n - p`.
    pub df: usize,
}

impl OlsFit {
    /// The classical standard error of coefficient `j`.
    pub fn std_err(&self, j: usize) -> f64 {
        self.cov[[j, j]].max(0.0).sqrt()
    }
}

/// `[1, columns...]`: a design matrix with an intercept column first.
pub fn with_intercept(columns: &[ArrayView1<f64>], n: usize) -> Array2<f64> {
    let mut x = Array2::<f64>::ones((n, columns.len() + 1));
    for (j, c) in columns.iter().enumerate() {
        x.column_mut(j + 1).assign(c);
    }
    x
}

/// Least squares with the classical covariance. `names` label the design columns for errors.
pub fn ols(y: ArrayView1<f64>, x: ArrayView2<f64>, names: &[String]) -> Result<OlsFit> {
    let (n, p) = x.dim();
    if n <= p {
        return Err(EstimateError::UnsuitableData(format!(
            "a regression with {p} terms needs more than {p} rows, got {n}"
        )));
    }
    let xtx = x.t().dot(&x);
    let inv = linalg::inverse_spd(xtx.view()).map_err(|_| singular(x, names))?;
    let coef = inv.dot(&x.t().dot(&y));
    let resid = &y - &x.dot(&coef);
    let df = n - p;
    let s2 = resid.dot(&resid) / df as f64;
    Ok(OlsFit { coef, cov: inv * s2, resid, df })
}

/// Least-squares predictions only (for learners inside cross-fitting).
pub fn ols_predict(
    y: ArrayView1<f64>,
    x: ArrayView2<f64>,
    new: ArrayView2<f64>,
    names: &[String],
) -> Result<Array1<f64>> {
    let fit = ols(y, x, names)?;
    Ok(new.dot(&fit.coef))
}

/// Names the first design column that is (numerically) a linear combination of the ones before it.
fn singular(x: ArrayView2<f64>, names: &[String]) -> EstimateError {
    for j in 1..=x.ncols() {
        let sub = x.slice(s![.., ..j]);
        if linalg::inverse_spd(sub.t().dot(&sub).view()).is_err() {
            let name = names.get(j - 1).map_or("?", String::as_str);
            let message = if j == 1 {
                format!("`{name}` is zero throughout")
            } else {
                format!(
                    "`{name}` is constant or a linear combination of {}; drop it from the controls",
                    names[..j - 1].iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                )
            };
            return EstimateError::Singular(message);
        }
    }
    EstimateError::Singular("the design matrix is not of full rank".into())
}

/// Iterations of Newton's method before giving up.
const MAX_NEWTON_STEPS: usize = 100;
/// A linear predictor beyond this size means fitted probabilities within ~1e-13 of 0 or 1.
const SEPARATION_ETA: f64 = 30.0;

/// Logistic regression of a 0/1 response on the design `x` (include an intercept column) by
/// Newton's method; returns the fitted probabilities and the coefficients.
///
/// Perfect or quasi-perfect separation makes the maximum-likelihood coefficients infinite: the
/// iterations then push linear predictors beyond ±30 (probabilities within 1e-13 of 0 or 1), which
/// is reported as [`EstimateError::Separation`] naming the control with the largest coefficient.
pub fn logistic(
    t: ArrayView1<f64>,
    x: ArrayView2<f64>,
    names: &[String],
) -> Result<(Array1<f64>, Array1<f64>)> {
    let (n, p) = x.dim();
    if n <= p {
        return Err(EstimateError::UnsuitableData(format!(
            "a propensity model with {p} terms needs more than {p} rows, got {n}"
        )));
    }
    // One contiguous row per design column: each Newton step is then a few passes of dot
    // products and scaled additions over contiguous slices, which the compiler vectorises;
    // products of the row-major n × p design with n ≫ p spend their time packing and allocating.
    let columns: Vec<Vec<f64>> = (0..p).map(|j| x.column(j).to_vec()).collect();
    let column = |j: usize| columns[j].as_slice();
    let mut beta = Array1::<f64>::zeros(p);
    let mut converged = false;
    let (mut eta, mut weight, mut resid, mut scratch) =
        (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for _ in 0..MAX_NEWTON_STEPS {
        eta.fill(0.0);
        for j in 0..p {
            let b = beta[j];
            for (e, v) in eta.iter_mut().zip(column(j)) {
                *e += b * v;
            }
        }
        if eta.iter().any(|e| e.abs() > SEPARATION_ETA) {
            return Err(separation(&beta, names));
        }
        for (i, (&e, &ti)) in eta.iter().zip(t.iter()).enumerate() {
            let q = sigmoid(e);
            weight[i] = (q * (1.0 - q)).max(1e-12);
            resid[i] = ti - q;
        }
        let mut hessian = Array2::<f64>::zeros((p, p));
        let mut gradient = Array1::<f64>::zeros(p);
        for a in 0..p {
            gradient[a] = dot(column(a), &resid);
            for ((s, &w), &v) in scratch.iter_mut().zip(&weight).zip(column(a)) {
                *s = w * v;
            }
            for b in a..p {
                let h = dot(&scratch, column(b));
                hessian[[a, b]] = h;
                hessian[[b, a]] = h;
            }
        }
        let step = linalg::solve_spd(hessian.view(), gradient.view()).map_err(|_| {
            let err = singular(x, names);
            if matches!(err, EstimateError::Singular(ref m) if m.contains("full rank")) {
                separation(&beta, names)
            } else {
                err
            }
        })?;
        beta += &step;
        if step.iter().map(|d| d.abs()).fold(0.0, f64::max) < 1e-10 {
            converged = true;
            break;
        }
    }
    let eta = x.dot(&beta);
    if !converged || eta.iter().any(|e| e.abs() > SEPARATION_ETA) {
        return Err(separation(&beta, names));
    }
    Ok((eta.mapv(sigmoid), beta))
}

/// `Σ aᵢ bᵢ` with four running sums, so that the loop vectorises.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut sums = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a4.remainder().iter().zip(b4.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a4.zip(b4) {
        for k in 0..4 {
            sums[k] += x[k] * y[k];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

fn separation(beta: &Array1<f64>, names: &[String]) -> EstimateError {
    let worst = (1..beta.len()).max_by(|&a, &b| beta[a].abs().total_cmp(&beta[b].abs()));
    match worst {
        Some(j) => EstimateError::Separation(format!(
            "the coefficient of `{}` diverges",
            names.get(j).map_or("?", String::as_str)
        )),
        None => EstimateError::Separation("every unit has the same treatment".into()),
    }
}

/// The logistic function.
pub fn sigmoid(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

/// Mean and the standard error of the mean of influence values: `(mean, sd / sqrt(n))`.
pub fn mean_and_se(values: &Array1<f64>) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.sum() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, (var / n).sqrt())
}

/// True if every value is 0 or 1.
pub fn is_binary(values: ArrayView1<f64>) -> bool {
    values.iter().all(|&v| v == 0.0 || v == 1.0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use ndarray::array;

    use super::*;

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn ols_matches_the_closed_form_of_a_simple_regression() {
        // y = 1 + 2x exactly plus residuals (+1, -1, -1, +1): slope and intercept by hand.
        let x = array![0.0, 1.0, 2.0, 3.0];
        let y = array![2.0, 2.0, 4.0, 8.0];
        let design = with_intercept(&[x.view()], 4);
        let fit = ols(y.view(), design.view(), &names(2)).unwrap();
        // Sxy = sum (x-1.5)(y-4) = (-1.5)(-2)+(-0.5)(-2)+(0.5)(0)+(1.5)(4) = 10; Sxx = 5.
        assert!((fit.coef[1] - 2.0).abs() < 1e-12);
        assert!((fit.coef[0] - 1.0).abs() < 1e-12);
        // Residuals y - (1 + 2x) = 1, -1, -1, 1: s² = 4 / 2 and se(slope) = sqrt(s² / Sxx) = sqrt(2/5).
        assert!((fit.std_err(1) - (2.0_f64 / 5.0).sqrt()).abs() < 1e-12);
        assert_eq!(fit.df, 2);
    }

    #[test]
    fn ols_names_the_collinear_column() {
        let a = array![1.0, 2.0, 3.0, 4.0, 5.0];
        let b = &a * 2.0;
        let y = array![1.0, 0.0, 2.0, 1.0, 3.0];
        let design = with_intercept(&[a.view(), b.view()], 5);
        let err = ols(y.view(), design.view(), &["intercept".into(), "a".into(), "b".into()]).unwrap_err();
        assert!(err.to_string().contains("`b`"), "{err}");
    }

    #[test]
    fn logistic_reports_perfect_separation() {
        let x = array![-2.0, -1.0, -0.5, 0.5, 1.0, 2.0];
        let t = array![0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let design = with_intercept(&[x.view()], 6);
        let err = logistic(t.view(), design.view(), &["intercept".into(), "x".into()]).unwrap_err();
        assert!(matches!(err, EstimateError::Separation(_)), "{err}");
        assert!(err.to_string().contains("`x`"), "{err}");
    }

    #[test]
    fn logistic_fit_satisfies_the_score_equations() {
        let x = array![-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 0.3];
        let t = array![0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        let design = with_intercept(&[x.view()], 8);
        let (prob, _) = logistic(t.view(), design.view(), &names(2)).unwrap();
        // At the maximum likelihood Xᵀ(t - p) = 0.
        let score = design.t().dot(&(&t - &prob));
        assert!(score.iter().all(|s| s.abs() < 1e-8), "{score}");
    }
}
