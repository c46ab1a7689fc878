//! `causa bench SUITE`: accuracy benchmarks. Only `whowhen` exists so far; the other suites
//! (Corr2Cause, CLEAR, CLadder, COLD) will be further subcommands over the same runner in
//! `causa_bench::runner`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use causa_attribution::Method;
use causa_bench::BenchError;
use causa_bench::runner::{self, RunOptions};
use causa_bench::whowhen::{self, RunInfo, WhoWhen};
use serde_json::{Value, json};

use crate::attribute_cmd::{self, AttributionFlags, MethodArg};
use crate::exit::InputError;

/// Run accuracy benchmarks.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// The suite.
    #[command(subcommand)]
    pub suite: BenchSuite,
}

/// Benchmark suites.
#[derive(clap::Subcommand, Debug)]
pub enum BenchSuite {
    /// Who&When failure attribution: agent- and step-level accuracy over labelled logs.
    Whowhen(WhoWhenArgs),
}

/// `causa bench whowhen` flags.
#[derive(clap::Args, Debug)]
pub struct WhoWhenArgs {
    /// Folder of Who&When logs (`*.json`, also in its direct subfolders).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Methods to run, comma-separated; each is scored separately.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "a2p")]
    pub method: Vec<MethodArg>,
    #[command(flatten)]
    pub common: AttributionFlags,
    /// Only the first N logs (in path order).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Output folder: METHOD/predictions.jsonl, METHOD/summary.json, METHOD/summary.md and a
    /// combined summary.json and summary.md. A rerun resumes from the predictions already there.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Discard earlier predictions in `--out` instead of resuming.
    #[arg(long)]
    pub force: bool,
    /// Logs in flight at once (the local model runs one call at a time anyway).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Print the summary as JSON (one object for one method, else `{"suite", "methods": [...]}`).
    #[arg(long)]
    pub json: bool,
}

/// Runs `causa bench ...`.
pub fn run(args: BenchArgs) -> Result<ExitCode> {
    match args.suite {
        BenchSuite::Whowhen(args) => run_whowhen(args),
    }
}

fn input(err: BenchError) -> anyhow::Error {
    match err {
        BenchError::Input(message) => InputError(message).into(),
        other => other.into(),
    }
}

fn run_whowhen(args: WhoWhenArgs) -> Result<ExitCode> {
    let mut methods: Vec<Method> = Vec::new();
    for method in args.method.iter().map(|m| Method::from(*m)) {
        if !methods.contains(&method) {
            methods.push(method);
        }
    }
    if args.concurrency == 0 {
        return Err(InputError("--concurrency must be at least 1".into()).into());
    }
    if let Some(out) = &args.out
        && out.exists()
        && !out.is_dir()
    {
        return Err(InputError(format!("--out `{}` exists and is not a folder", out.display())).into());
    }
    let mut logs = whowhen::load_logs(&args.data).map_err(input)?;
    if let Some(limit) = args.limit {
        logs.truncate(limit);
    }
    let (opened, prompts) = attribute_cmd::open(&args.common, &methods)?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let runtime = attribute_cmd::runtime()?;
    let mut summaries = Vec::new();
    for method in methods {
        let attributor = attribute_cmd::attributor(&opened, prompts.clone(), &args.common)?;
        let suite = Arc::new(WhoWhen::new(attributor, method));
        let out_dir = args.out.as_ref().map(|dir| dir.join(method.name()));
        let options = RunOptions {
            out_dir: out_dir.clone(),
            concurrency: args.concurrency,
            resume: !args.force,
            progress: true,
        };
        // A run of several methods opens the model once; the heuristic among them uses none.
        let model = if method.needs_model() { opened.description.as_str() } else { attribute_cmd::NO_MODEL };
        let model_text = if method.needs_model() { model } else { "no model" };
        eprintln!("whowhen: {method} on {} logs with {model_text}", logs.len());
        let outcome = runtime.block_on(runner::run(suite, logs.clone(), &options)).map_err(input)?;
        if outcome.resumed > 0 {
            eprintln!("whowhen: {} of {} logs reused from earlier predictions", outcome.resumed, logs.len());
        }
        let info = RunInfo {
            method,
            model: model.to_string(),
            with_ground_truth: args.common.with_ground_truth,
            context_tokens: opened.context_tokens,
            data: args.data.display().to_string(),
            command: command.clone(),
        };
        let summary = whowhen::summary(&info, &outcome.records);
        if let Some(dir) = &out_dir {
            write_summary(dir, std::slice::from_ref(&summary), summary.clone())?;
        }
        summaries.push(summary);
    }
    let combined = if summaries.len() == 1 {
        summaries[0].clone()
    } else {
        json!({ "suite": "whowhen", "methods": summaries })
    };
    if let Some(dir) = &args.out {
        write_summary(dir, &summaries, combined.clone())?;
    }
    if args.json {
        crate::output::print_json(&combined)?;
    } else {
        print!("{}", whowhen::markdown(&summaries));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_summary(dir: &Path, summaries: &[Value], json: Value) -> Result<()> {
    // Summaries are derived from the predictions a rerun resumes from, so replacing them is
    // the point of a rerun, not an accident.
    let text = serde_json::to_string_pretty(&json)? + "\n";
    crate::output::write_file_atomically(&dir.join("summary.json"), &text, true)?;
    crate::output::write_file_atomically(&dir.join("summary.md"), &whowhen::markdown(summaries), true)?;
    Ok(())
}
