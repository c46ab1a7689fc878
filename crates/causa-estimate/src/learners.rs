//! Regression learners for the nuisance functions of double machine learning.
//!
//! DML needs `E[Y | W]` and `E[T | W]` fitted on some folds and predicted on others. A linear
//! learner is right when those functions are linear; for nonlinear ones this module has a small
//! gradient-boosted regression-tree ensemble (squared loss, depth-limited trees found by exact
//! split search), which is enough for the handful of controls an adjustment set has and avoids a
//! large machine-learning dependency.

use causa_discovery::linalg;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{EstimateError, Result};
use crate::numeric;

/// A nuisance-function learner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Learner {
    /// Least squares with an intercept.
    Linear,
    /// Gradient-boosted regression trees.
    Boosting(BoostingOptions),
}

/// Parameters of [`Learner::Boosting`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoostingOptions {
    /// Number of trees. Default 100.
    pub rounds: usize,
    /// Depth of each tree. Default 3.
    pub depth: usize,
    /// Shrinkage of each tree's contribution. Default 0.1.
    pub learning_rate: f64,
    /// Fewest training rows in a leaf. Default 10.
    pub min_leaf: usize,
}

impl Default for BoostingOptions {
    fn default() -> Self {
        BoostingOptions { rounds: 100, depth: 3, learning_rate: 0.1, min_leaf: 10 }
    }
}

impl BoostingOptions {
    /// Rejects parameters that cannot work.
    pub fn check(&self) -> Result<()> {
        if self.rounds == 0 || self.depth == 0 || self.min_leaf == 0 {
            return Err(EstimateError::InvalidOption(
                "boosting needs rounds, depth and min_leaf of at least 1".into(),
            ));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(EstimateError::InvalidOption(format!(
                "the boosting learning rate must be in (0, 1], got {}",
                self.learning_rate
            )));
        }
        Ok(())
    }
}

impl Learner {
    /// Fits on `(x, y)` and predicts at the rows of `new`.
    pub fn fit_predict(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        new: ArrayView2<f64>,
        names: &[String],
    ) -> Result<Array1<f64>> {
        match self {
            Learner::Linear => {
                let design = intercept(x);
                let new_design = intercept(new);
                let mut labels = vec!["intercept".to_string()];
                labels.extend(names.iter().cloned());
                numeric::ols_predict(y, design.view(), new_design.view(), &labels)
            }
            Learner::Boosting(options) => {
                options.check()?;
                Ok(boost(x, y, new, options))
            }
        }
    }
}

impl Learner {
    /// Cross-fitting: for each fold (a set of row indices; the folds partition the rows), fits
    /// on the other rows and predicts on the fold's, for every target in `ys`. Returns one
    /// vector of out-of-fold predictions per target.
    ///
    /// The linear learner does not refit from scratch: the training cross-products of a fold
    /// are the totals minus the fold's own, so one pass over all rows plus one over each fold
    /// replaces a least-squares fit per fold and target (and the copies of the training rows
    /// they need). The coefficients are the same least-squares solution.
    pub fn cross_fit(
        &self,
        x: ArrayView2<f64>,
        ys: &[ArrayView1<f64>],
        folds: &[Vec<usize>],
        names: &[String],
    ) -> Result<Vec<Array1<f64>>> {
        let n = x.nrows();
        let mut out: Vec<Array1<f64>> = ys.iter().map(|_| Array1::zeros(n)).collect();
        if *self != Learner::Linear {
            for test in folds {
                let train = complement(n, test);
                let (x_train, x_test) = (x.select(Axis(0), &train), x.select(Axis(0), test));
                for (y, pred) in ys.iter().zip(out.iter_mut()) {
                    let fitted = self.fit_predict(
                        x_train.view(),
                        y.select(Axis(0), &train).view(),
                        x_test.view(),
                        names,
                    )?;
                    for (&i, v) in test.iter().zip(fitted.iter()) {
                        pred[i] = *v;
                    }
                }
            }
            return Ok(out);
        }
        let design = intercept(x);
        let targets =
            ndarray::stack(Axis(1), ys).map_err(|e| EstimateError::UnsuitableData(e.to_string()))?;
        let gram = design.t().dot(&design);
        let cross = design.t().dot(&targets);
        for test in folds {
            let d_test = design.select(Axis(0), test);
            let train_gram = &gram - &d_test.t().dot(&d_test);
            let train_cross = &cross - &d_test.t().dot(&targets.select(Axis(0), test));
            let predictions = match linalg::inverse_spd(train_gram.view()) {
                Ok(inverse) => d_test.dot(&inverse.dot(&train_cross)),
                // Singular (or nearly so) on this fold: a direct fit decides, and its error
                // names the collinear column.
                Err(_) => direct_fold_fit(&design, ys, test, names)?,
            };
            for (k, pred) in out.iter_mut().enumerate() {
                for (&i, v) in test.iter().zip(predictions.column(k).iter()) {
                    pred[i] = *v;
                }
            }
        }
        Ok(out)
    }
}

/// Least-squares predictions on the rows `test` of `design`, fitted on the other rows, one
/// column per target.
fn direct_fold_fit(
    design: &Array2<f64>,
    ys: &[ArrayView1<f64>],
    test: &[usize],
    names: &[String],
) -> Result<Array2<f64>> {
    let train = complement(design.nrows(), test);
    let (d_train, d_test) = (design.select(Axis(0), &train), design.select(Axis(0), test));
    let mut labels = vec!["intercept".to_string()];
    labels.extend(names.iter().cloned());
    let mut predictions = Array2::zeros((test.len(), ys.len()));
    for (k, y) in ys.iter().enumerate() {
        let fitted =
            numeric::ols_predict(y.select(Axis(0), &train).view(), d_train.view(), d_test.view(), &labels)?;
        predictions.column_mut(k).assign(&fitted);
    }
    Ok(predictions)
}

/// The rows `0..n` not in `rows`.
fn complement(n: usize, rows: &[usize]) -> Vec<usize> {
    let mut inside = vec![false; n];
    for &i in rows {
        inside[i] = true;
    }
    (0..n).filter(|&i| !inside[i]).collect()
}

fn intercept(x: ArrayView2<f64>) -> ndarray::Array2<f64> {
    let columns: Vec<_> = x.columns().into_iter().collect();
    numeric::with_intercept(&columns, x.nrows())
}

enum Node {
    Leaf(f64),
    Split { feature: usize, threshold: f64, left: Box<Node>, right: Box<Node> },
}

impl Node {
    fn predict(&self, row: ArrayView1<f64>) -> f64 {
        match self {
            Node::Leaf(v) => *v,
            Node::Split { feature, threshold, left, right } => {
                if row[*feature] <= *threshold {
                    left.predict(row)
                } else {
                    right.predict(row)
                }
            }
        }
    }
}

fn boost(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    new: ArrayView2<f64>,
    options: &BoostingOptions,
) -> Array1<f64> {
    let n = y.len();
    let base = if n == 0 { 0.0 } else { y.sum() / n as f64 };
    let mut fitted = Array1::from_elem(n, base);
    let mut predicted = Array1::from_elem(new.nrows(), base);
    let rows: Vec<usize> = (0..n).collect();
    for _ in 0..options.rounds {
        let residual = &y - &fitted;
        let tree = grow(x, residual.view(), rows.clone(), options.depth, options.min_leaf);
        for (i, row) in x.rows().into_iter().enumerate() {
            fitted[i] += options.learning_rate * tree.predict(row);
        }
        for (i, row) in new.rows().into_iter().enumerate() {
            predicted[i] += options.learning_rate * tree.predict(row);
        }
    }
    predicted
}

fn grow(x: ArrayView2<f64>, r: ArrayView1<f64>, rows: Vec<usize>, depth: usize, min_leaf: usize) -> Node {
    let total: f64 = rows.iter().map(|&i| r[i]).sum();
    let count = rows.len();
    let mean = if count == 0 { 0.0 } else { total / count as f64 };
    if depth == 0 || count < 2 * min_leaf {
        return Node::Leaf(mean);
    }
    let mut best: Option<(f64, usize, f64)> = None;
    let baseline = total * total / count as f64;
    for feature in 0..x.ncols() {
        let mut order = rows.clone();
        order.sort_by(|&a, &b| x[[a, feature]].total_cmp(&x[[b, feature]]));
        let mut left = 0.0;
        for k in 1..count {
            left += r[order[k - 1]];
            let (lo, hi) = (x[[order[k - 1], feature]], x[[order[k], feature]]);
            if k < min_leaf || count - k < min_leaf || lo == hi {
                continue;
            }
            let right = total - left;
            let gain = left * left / k as f64 + right * right / (count - k) as f64 - baseline;
            if best.is_none_or(|(g, _, _)| gain > g) {
                best = Some((gain, feature, (lo + hi) / 2.0));
            }
        }
    }
    match best {
        Some((gain, feature, threshold)) if gain > 0.0 => {
            let (left, right): (Vec<usize>, Vec<usize>) =
                rows.into_iter().partition(|&i| x[[i, feature]] <= threshold);
            Node::Split {
                feature,
                threshold,
                left: Box::new(grow(x, r, left, depth - 1, min_leaf)),
                right: Box::new(grow(x, r, right, depth - 1, min_leaf)),
            }
        }
        _ => Node::Leaf(mean),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use ndarray::{Array1, Array2, Axis};

    use super::*;

    #[test]
    fn boosting_learns_a_step_function_that_a_line_cannot() {
        // y = 1 if x > 0.5 else 0, on a grid: the first split alone recovers it.
        let n = 200;
        let x = Array2::from_shape_fn((n, 1), |(i, _)| i as f64 / n as f64);
        let y = x.column(0).mapv(|v| if v > 0.5 { 1.0 } else { 0.0 });
        let learner = Learner::Boosting(BoostingOptions::default());
        let pred = learner.fit_predict(x.view(), y.view(), x.view(), &["x".into()]).unwrap();
        let mse = (&pred - &y).mapv(|d| d * d).mean().unwrap();
        assert!(mse < 0.01, "boosting mse {mse}");
        let linear = Learner::Linear.fit_predict(x.view(), y.view(), x.view(), &["x".into()]).unwrap();
        let linear_mse = (&linear - &y).mapv(|d| d * d).mean().unwrap();
        // A line through a 0/1 step at the middle of a uniform x explains r² = 3/4 of its
        // variance 1/4, leaving a mean squared error of 1/16.
        assert!(linear_mse > 0.05, "linear mse {linear_mse}");
    }

    #[test]
    fn linear_cross_fit_equals_a_least_squares_fit_per_fold() {
        // Two controls and two targets with noise-like (but deterministic) residuals; three
        // uneven folds. Reference: a direct least-squares fit on each fold's training rows.
        let n = 61;
        let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * (j + 3)) as f64 * 0.37).sin() + j as f64);
        let y = Array1::from_shape_fn(n, |i| 1.0 + 2.0 * x[[i, 0]] - x[[i, 1]] + (i as f64 * 1.7).cos());
        let t = Array1::from_shape_fn(n, |i| 0.5 * x[[i, 1]] + (i as f64 * 0.9).sin());
        let folds: Vec<Vec<usize>> = (0..3).map(|k| (0..n).filter(|i| i % 3 == k).collect()).collect();
        let names = vec!["a".to_string(), "b".to_string()];
        let fitted = Learner::Linear.cross_fit(x.view(), &[y.view(), t.view()], &folds, &names).unwrap();
        for test in &folds {
            let train = complement(n, test);
            let x_train = x.select(Axis(0), &train);
            let x_test = x.select(Axis(0), test);
            for (target, predicted) in [&y, &t].into_iter().zip(&fitted) {
                let direct = Learner::Linear
                    .fit_predict(x_train.view(), target.select(Axis(0), &train).view(), x_test.view(), &names)
                    .unwrap();
                for (&i, d) in test.iter().zip(direct.iter()) {
                    assert!((predicted[i] - d).abs() < 1e-9, "row {i}: {} vs {d}", predicted[i]);
                }
            }
        }
    }

    #[test]
    fn linear_cross_fit_names_a_collinear_control() {
        let n = 20;
        let x = Array2::from_shape_fn((n, 2), |(i, j)| i as f64 * (j + 1) as f64);
        let y = Array1::from_shape_fn(n, |i| i as f64);
        let folds: Vec<Vec<usize>> = (0..2).map(|k| (0..n).filter(|i| i % 2 == k).collect()).collect();
        let names = vec!["a".to_string(), "b".to_string()];
        let err = Learner::Linear.cross_fit(x.view(), &[y.view()], &folds, &names).unwrap_err();
        assert!(err.to_string().contains("`b`"), "{err}");
    }

    #[test]
    fn bad_boosting_options_are_rejected() {
        let options = BoostingOptions { learning_rate: 0.0, ..BoostingOptions::default() };
        assert!(options.check().is_err());
    }
}
