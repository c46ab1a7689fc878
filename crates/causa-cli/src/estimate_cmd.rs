//! `causa estimate`: the effect of a treatment on an outcome, from data plus a graph (or an
//! explicit adjustment set or instrument), with an interval and optional refuters.
//!
//! Data are loaded like everywhere else (`causa_data::load`, missing values an error unless
//! `--missing` says otherwise); identification, estimation and refutation are `causa_estimate`'s.

use std::path::PathBuf;

use anyhow::Result;
use causa_data::load::LoadOptions;
use causa_estimate::estimators::{IpwWeights, MethodOptions};
use causa_estimate::learners::{BoostingOptions, Learner};
use causa_estimate::refute::Refuter;
use causa_estimate::{EstimateOptions, EstimateReport, Method, Specification, Target};
use clap::{Args, ValueEnum};

use crate::data_args::MissingArg;
use crate::output;

/// Arguments of `causa estimate`.
#[derive(Args, Debug)]
pub struct EstimateArgs {
    /// Data file (CSV/TSV, Parquet or JSON).
    pub data: PathBuf,
    /// The treatment column.
    #[arg(long)]
    pub treatment: String,
    /// The outcome column.
    #[arg(long)]
    pub outcome: String,
    /// Causal graph (file or inline edge list such as "w -> t; w -> y; t -> y"); graph nodes that
    /// are not data columns are latent.
    #[arg(long)]
    pub graph: Option<String>,
    /// Adjustment set, comma-separated (checked against --graph when both are given; "" for none).
    #[arg(long, value_delimiter = ',')]
    pub controls: Option<Vec<String>>,
    /// An instrument column (checked against --graph when both are given).
    #[arg(long)]
    pub instrument: Option<String>,
    /// Estimation method; `auto` picks one from the estimand and the treatment and says why.
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Average effect over everyone (ate) or over the treated (att; ipw, aipw, matching).
    #[arg(long, value_enum, default_value_t = TargetArg::Ate)]
    pub target: TargetArg,
    /// Bootstrap replicates for a percentile interval, 20 to 100000 (0: analytic interval).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Refuters, comma-separated: placebo, random-common-cause, subset, e-value, or all.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub refute: Vec<RefuterArg>,
    /// Seed of the bootstrap, refuters and DML folds.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// IPW weights: plain Horvitz-Thompson or stabilized (normalised within each arm).
    #[arg(long, value_enum, default_value_t = WeightsArg::Stabilized)]
    pub ipw_weights: WeightsArg,
    /// Drop units with propensity below T or above 1 - T (ipw, aipw, matching).
    #[arg(long, allow_negative_numbers = true)]
    pub trim: Option<f64>,
    /// Cross-fitting folds of dml.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Nuisance learner of dml.
    #[arg(long, value_enum, default_value_t = LearnerArg::Linear)]
    pub learner: LearnerArg,
    /// Also estimate the effect within each group of this column (its values, or halves at the
    /// median when it has more than 10).
    #[arg(long)]
    pub effect_modifier: Option<String>,
    /// What to do with missing values.
    #[arg(long, value_enum, default_value_t = MissingArg::Error)]
    pub missing: MissingArg,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Estimation methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Chosen from the estimand and the treatment.
    Auto,
    /// Linear regression adjustment.
    Regression,
    /// Inverse propensity weighting.
    Ipw,
    /// Augmented IPW (doubly robust).
    Aipw,
    /// Double machine learning with cross-fitting.
    Dml,
    /// Two-stage least squares.
    Iv,
    /// Linear front-door estimator.
    Frontdoor,
    /// Nearest-neighbour propensity matching.
    Matching,
}

/// Estimation targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// Average treatment effect.
    Ate,
    /// Average treatment effect on the treated.
    Att,
}

/// Refuters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RefuterArg {
    /// Permuted treatment.
    Placebo,
    /// An added random covariate.
    RandomCommonCause,
    /// A random 80% subset.
    Subset,
    /// E-value sensitivity analysis.
    EValue,
    /// All of the above.
    All,
}

/// IPW weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WeightsArg {
    /// 1/e and 1/(1-e).
    Plain,
    /// Normalised within each arm.
    Stabilized,
}

/// DML learners.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LearnerArg {
    /// Least squares.
    Linear,
    /// Gradient-boosted trees.
    Boosting,
}

impl EstimateArgs {
    fn specification(&self) -> Result<Specification> {
        let graph = match &self.graph {
            Some(g) => Some(crate::graph_cmd::load(g)?),
            None => None,
        };
        let method = match self.method {
            MethodArg::Auto => None,
            MethodArg::Regression => Some(Method::Regression),
            MethodArg::Ipw => Some(Method::Ipw),
            MethodArg::Aipw => Some(Method::Aipw),
            MethodArg::Dml => Some(Method::Dml),
            MethodArg::Iv => Some(Method::Iv),
            MethodArg::Frontdoor => Some(Method::Frontdoor),
            MethodArg::Matching => Some(Method::Matching),
        };
        let controls = self
            .controls
            .as_ref()
            .map(|c| c.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
        Ok(Specification {
            treatment: self.treatment.clone(),
            outcome: self.outcome.clone(),
            graph,
            controls,
            instrument: self.instrument.clone(),
            method,
        })
    }

    fn options(&self) -> EstimateOptions {
        let mut refuters = Vec::new();
        for r in &self.refute {
            let add: &[Refuter] = match r {
                RefuterArg::Placebo => &[Refuter::PlaceboTreatment],
                RefuterArg::RandomCommonCause => &[Refuter::RandomCommonCause],
                RefuterArg::Subset => &[Refuter::DataSubset],
                RefuterArg::EValue => &[Refuter::EValue],
                RefuterArg::All => &Refuter::ALL,
            };
            for a in add {
                if !refuters.contains(a) {
                    refuters.push(*a);
                }
            }
        }
        EstimateOptions {
            method: MethodOptions {
                target: if self.target == TargetArg::Att { Target::Att } else { Target::Ate },
                weights: if self.ipw_weights == WeightsArg::Plain {
                    IpwWeights::Plain
                } else {
                    IpwWeights::Stabilized
                },
                trim: self.trim,
                folds: self.folds,
                learner: match self.learner {
                    LearnerArg::Linear => Learner::Linear,
                    LearnerArg::Boosting => Learner::Boosting(BoostingOptions::default()),
                },
                seed: self.seed,
            },
            bootstrap: self.bootstrap,
            refuters,
            seed: self.seed,
            effect_modifier: self.effect_modifier.clone(),
        }
    }
}

/// Runs `causa estimate`.
pub fn run(args: EstimateArgs) -> Result<()> {
    let spec = args.specification()?;
    let options = args.options();
    let load_options = LoadOptions { missing: args.missing.policy(), ..LoadOptions::default() };
    let loaded = causa_data::load(&args.data, &load_options)?;
    let report = causa_estimate::estimate(&loaded.dataset, &spec, &options)?;
    if args.json {
        output::print_json(&report)
    } else {
        print!("{}", text(&report, &spec, loaded.rows_dropped));
        Ok(())
    }
}

fn text(r: &EstimateReport, spec: &Specification, dropped: usize) -> String {
    let mut out = String::new();
    let set = |s: &[String]| format!("{{{}}}", s.join(", "));
    let target = if r.target == Target::Att { "ATT" } else { "ATE" };
    out.push_str(&format!("effect of {} on {} ({target})\n", spec.treatment, spec.outcome));
    out.push_str(&format!("estimand: {} — {}\n", r.estimand, r.identification.reason));
    if r.estimand != "frontdoor" {
        out.push_str(&format!("adjustment set: {}\n", set(&r.adjustment_set)));
    }
    out.push_str(&format!("method: {} — {}\n", r.method.name(), r.method_reason));
    out.push_str(&format!(
        "effect: {:.4}  95% CI [{:.4}, {:.4}] ({})  std err {:.4}  n = {}\n",
        r.effect, r.ci95.0, r.ci95.1, r.interval, r.std_err, r.n
    ));
    if dropped > 0 {
        out.push_str(&format!("note: {dropped} rows with missing values dropped\n"));
    }
    for note in &r.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    for g in &r.cate {
        match (g.effect, g.ci95, &g.error) {
            (Some(e), Some((lo, hi)), _) => {
                out.push_str(&format!("  {} (n = {}): {e:.4} [{lo:.4}, {hi:.4}]\n", g.group, g.n))
            }
            (Some(e), None, _) => out.push_str(&format!("  {} (n = {}): {e:.4}\n", g.group, g.n)),
            (None, _, err) => out.push_str(&format!(
                "  {} (n = {}): no estimate ({})\n",
                g.group,
                g.n,
                err.as_deref().unwrap_or("?")
            )),
        }
    }
    for f in &r.refutations {
        let verdict = match f.passed {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "n/a",
        };
        out.push_str(&format!("refuter {}: {verdict} — {}\n", f.refuter.name(), f.detail));
    }
    out
}
