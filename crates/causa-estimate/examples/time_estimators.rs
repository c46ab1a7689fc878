//! Times one `causa estimate` analysis in process, for the speed comparison with DoWhy/EconML
//! (benchmarks/estimate).
//!
//! The CLI cannot be timed in a release build here: it links polars and llama.cpp, whose release
//! builds take far longer than the measurement. This program depends on `causa-estimate` alone,
//! takes the same options as `causa estimate` (the subset the benchmark uses), builds the same
//! [`Specification`] and [`EstimateOptions`], and calls [`causa_estimate::estimate`] as the CLI
//! does. The CSV reader is a minimal one (numbers only), because parsing is not what is timed.
//!
//! Two times are reported, each the median of `--repeats` runs after one warm-up run:
//! - `analysis_seconds`: the whole analysis the CLI runs (identification, estimate, and the
//!   bootstrap that matching always does for its interval);
//! - `point_seconds`: the point estimate alone ([`estimate_effect`] on the columns the analysis
//!   used), which is what the peers return, so the like-for-like comparison.
//!
//! Usage:
//! `time_estimators DATA.csv --treatment T --outcome Y [--controls a,b] [--instrument Z]
//! [--graph G] [--method M] [--folds K] [--seed S] [--bootstrap N] [--repeats R]`;
//! prints one JSON object.

use std::error::Error;
use std::time::Instant;

use causa_data::Dataset;
use causa_estimate::estimators::{Columns, MethodOptions, estimate_effect};
use causa_estimate::{Estimand, EstimateOptions, EstimateReport, Method, Specification, estimate};
use ndarray::{Array2, Axis};

type Outcome<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Outcome<()> {
    let args = Args::parse(std::env::args().skip(1).collect())?;
    let data = read_csv(&args.data)?;
    let spec = args.specification()?;
    let options = args.options();

    let report = estimate(&data, &spec, &options)?;
    let columns = analysis_columns(&data, &spec, &report)?;
    let method_options = MethodOptions { seed: options.seed, ..options.method };
    let point = estimate_effect(&columns, report.method, &method_options)?;
    if point.effect.to_bits() != report.effect.to_bits() {
        return Err(
            format!("point estimate {} differs from the analysis' {}", point.effect, report.effect).into()
        );
    }

    let analysis = median_seconds(args.repeats, || estimate(&data, &spec, &options).map(|_| ()))?;
    let point_time = median_seconds(args.repeats, || {
        estimate_effect(&columns, report.method, &method_options).map(|_| ())
    })?;
    let out = serde_json::json!({
        "method": report.method.name(),
        "effect": report.effect,
        "std_err": report.std_err,
        "interval": report.interval,
        "bootstrap_replicates": report.bootstrap.replicates,
        "n": report.n,
        "repeats": args.repeats,
        "threads": rayon::current_num_threads(),
        "analysis_seconds": analysis,
        "point_seconds": point_time,
    });
    println!("{out}");
    Ok(())
}

/// The command-line options (the subset of `causa estimate`'s that the benchmark uses).
struct Args {
    data: String,
    treatment: String,
    outcome: String,
    controls: Option<Vec<String>>,
    instrument: Option<String>,
    graph: Option<String>,
    method: Option<Method>,
    folds: usize,
    seed: u64,
    bootstrap: usize,
    repeats: usize,
}

impl Args {
    fn parse(argv: Vec<String>) -> Outcome<Args> {
        let mut args = Args {
            data: String::new(),
            treatment: String::new(),
            outcome: String::new(),
            controls: None,
            instrument: None,
            graph: None,
            method: None,
            folds: MethodOptions::default().folds,
            seed: 0,
            bootstrap: 0,
            repeats: 21,
        };
        let mut it = argv.into_iter();
        while let Some(arg) = it.next() {
            if !arg.starts_with("--") {
                args.data = arg;
                continue;
            }
            let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
            match arg.as_str() {
                "--treatment" => args.treatment = value,
                "--outcome" => args.outcome = value,
                "--controls" => {
                    args.controls = Some(
                        value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
                    )
                }
                "--instrument" => args.instrument = Some(value),
                "--graph" => args.graph = Some(value),
                "--method" => args.method = method(&value)?,
                "--folds" => args.folds = value.parse()?,
                "--seed" => args.seed = value.parse()?,
                "--bootstrap" => args.bootstrap = value.parse()?,
                "--repeats" => args.repeats = value.parse()?,
                other => return Err(format!("unknown option {other}").into()),
            }
        }
        if args.data.is_empty() || args.treatment.is_empty() || args.outcome.is_empty() {
            return Err("usage: time_estimators DATA.csv --treatment T --outcome Y [options]".into());
        }
        if args.repeats == 0 {
            return Err("--repeats must be at least 1".into());
        }
        Ok(args)
    }

    fn specification(&self) -> Outcome<Specification> {
        let graph = match &self.graph {
            Some(g) => Some(causa_graph::io::read_graph_arg(g)?),
            None => None,
        };
        Ok(Specification {
            treatment: self.treatment.clone(),
            outcome: self.outcome.clone(),
            graph,
            controls: self.controls.clone(),
            instrument: self.instrument.clone(),
            method: self.method,
        })
    }

    /// The CLI's options with its defaults (ATE, stabilized IPW weights, no trimming, linear
    /// learner, no refuters).
    fn options(&self) -> EstimateOptions {
        EstimateOptions {
            method: MethodOptions { folds: self.folds, seed: self.seed, ..MethodOptions::default() },
            bootstrap: self.bootstrap,
            refuters: Vec::new(),
            seed: self.seed,
            effect_modifier: None,
        }
    }
}

fn method(name: &str) -> Outcome<Option<Method>> {
    Ok(Some(match name {
        "auto" => return Ok(None),
        "regression" => Method::Regression,
        "ipw" => Method::Ipw,
        "aipw" => Method::Aipw,
        "dml" => Method::Dml,
        "iv" => Method::Iv,
        "frontdoor" => Method::Frontdoor,
        "matching" => Method::Matching,
        other => return Err(format!("unknown method {other}").into()),
    }))
}

/// Reads a comma-separated file of numbers with a header line.
fn read_csv(path: &str) -> Outcome<Dataset> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let names: Vec<String> = lines.next().ok_or("empty file")?.split(',').map(String::from).collect();
    let mut values = Vec::new();
    let mut rows = 0;
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != names.len() {
            return Err(format!(
                "{path}: data line {} has {} fields, not {}",
                i + 1,
                fields.len(),
                names.len()
            )
            .into());
        }
        for f in fields {
            values.push(f.trim().parse::<f64>().map_err(|e| format!("{path}: data line {}: {e}", i + 1))?);
        }
        rows += 1;
    }
    let matrix = Array2::from_shape_vec((rows, names.len()), values)?;
    Ok(Dataset::continuous(names, matrix)?)
}

/// The columns `causa_estimate::estimate` builds for the estimator, from the estimand it found.
fn analysis_columns(data: &Dataset, spec: &Specification, report: &EstimateReport) -> Outcome<Columns> {
    let (w_names, extra_names) = match &report.identification.estimand {
        Estimand::Backdoor { adjustment_set } => (adjustment_set.clone(), Vec::new()),
        Estimand::Frontdoor { mediators } => (Vec::new(), mediators.clone()),
        Estimand::Instrument { instruments, controls } => (controls.clone(), instruments.clone()),
    };
    let index = |names: &[String]| -> Outcome<Vec<usize>> {
        names.iter().map(|n| Ok(data.column_index(n)?)).collect()
    };
    let (w_idx, extra_idx) = (index(&w_names)?, index(&extra_names)?);
    Ok(Columns {
        t: data.column(data.column_index(&spec.treatment)?).to_owned(),
        y: data.column(data.column_index(&spec.outcome)?).to_owned(),
        w: data.values().select(Axis(1), &w_idx),
        w_names,
        extra: data.values().select(Axis(1), &extra_idx),
        extra_names,
        treatment: spec.treatment.clone(),
    })
}

/// Runs `f` once to warm up, then `repeats` times, and returns the median wall time in seconds.
fn median_seconds<E: Error + 'static>(
    repeats: usize,
    mut f: impl FnMut() -> std::result::Result<(), E>,
) -> Outcome<f64> {
    f()?;
    let mut times = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    Ok(if times.len() % 2 == 1 { times[mid] } else { (times[mid - 1] + times[mid]) / 2.0 })
}
