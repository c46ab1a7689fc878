//! `causa bench SUITE`: accuracy benchmarks over the shared runner in `causa_bench::runner`:
//! Who&When failure attribution, and the causal-reasoning suites Corr2Cause, CLEAR, CLadder and
//! COLD in direct, agent or engine mode (`causa_bench::reasoning`); `causa bench generate` writes
//! fresh items with engine-computed answers, `causa bench compare` puts runs side by side.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use causa_attribution::Method;
use causa_bench::BenchError;
use causa_bench::prompts::BenchPrompts;
use causa_bench::reasoning::{
    self, Benchmark, Cladder, Clear, Cold, Corr2Cause, Mode, ModelSettings, ReasoningSuite,
};
use causa_bench::runner::{self, RunOptions};
use causa_bench::whowhen::{self, RunInfo, WhoWhen};
use causa_llm::{LlmConfig, ModelSpec};
use causa_reasoning::{cladder, clear, corr2cause};
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
    /// Corr2Cause: is a causal hypothesis implied by stated correlations? F1 of the valid class.
    Corr2cause(ReasoningArgs),
    /// CLEAR: questions about a causal graph; accuracy per task and question type.
    Clear(ReasoningArgs),
    /// CLadder: yes/no questions on the three rungs of the ladder of causation.
    Cladder(ReasoningArgs),
    /// COLD: the more plausible cause or effect among two daily-activity events (direct mode only).
    Cold(ReasoningArgs),
    /// Write fresh items in a benchmark's official format, with answers computed by the engine.
    Generate(GenerateArgs),
    /// Put the summaries of several runs side by side in one Markdown table.
    Compare(CompareArgs),
}

/// How the reasoning suites answer.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeArg {
    /// The model answers the question itself.
    Direct,
    /// The model translates the question into a formal query; the engine answers.
    Agent,
    /// The deterministic parser translates; the engine answers (no model).
    Engine,
}

impl From<ModeArg> for Mode {
    fn from(arg: ModeArg) -> Self {
        match arg {
            ModeArg::Direct => Mode::Direct,
            ModeArg::Agent => Mode::Agent,
            ModeArg::Engine => Mode::Engine,
        }
    }
}

/// Flags of `causa bench corr2cause|clear|cladder|cold`.
#[derive(clap::Args, Debug)]
pub struct ReasoningArgs {
    /// The benchmark file in its official format, or a folder of such files (CLEAR `*.jsonl`,
    /// COLD `*.csv`).
    #[arg(long, value_name = "PATH")]
    pub data: PathBuf,
    /// How items are answered.
    #[arg(long, value_enum, default_value_t = ModeArg::Direct)]
    pub mode: ModeArg,
    /// Model: `local` (embedded SmolLM2-135M), `local:PATH.gguf`, `openai:NAME` or `none` (only
    /// with `--mode engine`). Default: the config file's model, else `local`. Ignored in engine mode.
    #[arg(long)]
    pub model: Option<String>,
    /// Base URL of an OpenAI-compatible server (else `OPENAI_BASE_URL`, else the config).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Directory of prompt templates overriding the embedded ones (`DIR/bench/NAME.md`; else
    /// `$CAUSA_PROMPTS`).
    #[arg(long, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
    /// Only N items: the first N, or with `--seed` the first N of a seeded shuffle.
    #[arg(long, value_name = "N", value_parser = crate::values::at_least_one)]
    pub limit: Option<usize>,
    /// Shuffle the items with this seed before `--limit`; also sent to the model.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Items in flight at once (the local model runs one call at a time anyway).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Extra tries after an invalid translation (agent mode).
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// Token budget of one translation in agent mode (a translation cut short counts as invalid).
    #[arg(long, value_name = "N", default_value_t = 768)]
    pub max_tokens: u32,
    /// Output folder: predictions.jsonl, summary.json, summary.md.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Continue the run in `--out`: items already predicted there are not run again.
    #[arg(long)]
    pub resume: bool,
    /// Discard earlier predictions in `--out` and start over.
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Benchmarks with a generator.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenerateSuite {
    /// Corr2Cause CSV (`input,label,num_variables,template`), 2 to 6 variables.
    Corr2cause,
    /// CLEAR JSONL (DAG questions of nine tasks), 3 to 12 nodes.
    Clear,
    /// CLadder CSV (anonymised stories), 3 or 4 variables.
    Cladder,
}

/// Perturbations of generated items.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerturbArg {
    /// Reworded statements and questions the parser also reads.
    Paraphrase,
    /// Other variable names (CLEAR: also the nodes and edges listed in a random order).
    Rename,
}

/// Flags of `causa bench generate`.
#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// Which benchmark's format.
    #[arg(value_enum)]
    pub suite: GenerateSuite,
    /// Number of items (1 to 1000000).
    #[arg(long, value_name = "N")]
    pub n: usize,
    /// Seed; the same seed gives the same items.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Number of variables (nodes), `MIN..MAX` or `N`.
    #[arg(long, value_name = "MIN..MAX")]
    pub vars: Option<String>,
    /// Perturbations, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub perturb: Vec<PerturbArg>,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// Print `{"suite", "n", "seed", "out", "positive"}` as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `causa bench compare`.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// Output folders of runs (each with a summary.json), or summary files.
    #[arg(required = true, value_name = "DIR")]
    pub runs: Vec<PathBuf>,
    /// Print `{"runs": [{"run", ...summary}]}` as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `causa bench ...`.
pub fn run(args: BenchArgs) -> Result<ExitCode> {
    match args.suite {
        BenchSuite::Whowhen(args) => run_whowhen(args),
        BenchSuite::Corr2cause(args) => run_reasoning(Corr2Cause, args),
        BenchSuite::Clear(args) => run_reasoning(Clear, args),
        BenchSuite::Cladder(args) => run_reasoning(Cladder, args),
        BenchSuite::Cold(args) => run_reasoning(Cold, args),
        BenchSuite::Generate(args) => run_generate(args),
        BenchSuite::Compare(args) => run_compare(args),
    }
}

fn input(err: BenchError) -> anyhow::Error {
    match err {
        BenchError::Input(message) => InputError(message).into(),
        other => other.into(),
    }
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
    #[arg(long, value_name = "N", value_parser = crate::values::at_least_one)]
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
            write_summary(dir, &summary, &whowhen::markdown(std::slice::from_ref(&summary)))?;
        }
        summaries.push(summary);
    }
    let combined = if summaries.len() == 1 {
        summaries[0].clone()
    } else {
        json!({ "suite": "whowhen", "methods": summaries })
    };
    if let Some(dir) = &args.out {
        write_summary(dir, &combined, &whowhen::markdown(&summaries))?;
    }
    if args.json {
        crate::output::print_json(&combined)?;
    } else {
        print!("{}", whowhen::markdown(&summaries));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `summary.json` and `summary.md` into `dir`. Summaries are derived from the predictions
/// a rerun resumes from, so replacing them is the point of a rerun, not an accident.
fn write_summary(dir: &Path, json: &Value, markdown: &str) -> Result<()> {
    let text = serde_json::to_string_pretty(json)? + "\n";
    crate::output::write_file_atomically(&dir.join("summary.json"), &text, true)?;
    crate::output::write_file_atomically(&dir.join("summary.md"), markdown, true)?;
    Ok(())
}

fn run_reasoning<B: Benchmark + Clone>(bench: B, args: ReasoningArgs) -> Result<ExitCode> {
    let mode = Mode::from(args.mode);
    // Everything the user gave is checked before data is read or a model is loaded.
    if !bench.supports(mode) {
        return Err(InputError(format!(
            "{mode} mode is not available for the {} suite (it has no formal engine); use --mode direct",
            bench.name()
        ))
        .into());
    }
    if args.concurrency == 0 {
        return Err(InputError("--concurrency must be at least 1".into()).into());
    }
    let config = LlmConfig::load_default()?;
    let spec = if mode.needs_model() {
        config.model_spec(args.model.as_deref()).map_err(|e| InputError(e.to_string()))?
    } else {
        ModelSpec::None
    };
    if mode.needs_model() && spec == ModelSpec::None {
        return Err(InputError(format!(
            "{mode} mode needs a language model; `--model none` is only valid with --mode engine"
        ))
        .into());
    }
    if let Some(out) = &args.out {
        check_out_dir(out, args.resume, args.force)?;
    }
    let prompts = BenchPrompts::resolve(args.prompts.as_deref()).map_err(input)?;
    let items = runner::select(bench.load(&args.data).map_err(input)?, args.seed, args.limit);
    let opened = attribute_cmd::open_model(&spec, &config, args.base_url.as_deref(), None)?;
    if args.max_tokens == 0 {
        return Err(InputError("--max-tokens must be at least 1".into()).into());
    }
    let settings =
        ModelSettings { retries: args.retries, seed: args.seed, agent_max_tokens: args.max_tokens };
    let suite = Arc::new(
        ReasoningSuite::new(bench.clone(), mode, opened.model.clone(), prompts, settings).map_err(input)?,
    );
    let options = RunOptions {
        out_dir: args.out.clone(),
        concurrency: args.concurrency,
        resume: args.resume,
        progress: true,
    };
    eprintln!("{}: {mode} mode on {} items with {}", bench.name(), items.len(), opened.description);
    let runtime = attribute_cmd::runtime()?;
    let outcome = runtime.block_on(runner::run(suite, items.clone(), &options)).map_err(input)?;
    if outcome.resumed > 0 {
        eprintln!(
            "{}: {} of {} items reused from earlier predictions",
            bench.name(),
            outcome.resumed,
            items.len()
        );
    }
    let info = reasoning::RunInfo {
        mode,
        model: opened.description.clone(),
        data: args.data.display().to_string(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let summary = reasoning::summary(&bench, &info, &items, &outcome.records);
    let markdown = reasoning::markdown(&summary);
    if let Some(dir) = &args.out {
        write_summary(dir, &summary, &markdown)?;
    }
    if args.json {
        crate::output::print_json(&summary)?;
    } else {
        print!("{markdown}");
    }
    Ok(ExitCode::SUCCESS)
}

/// An output folder may be new or empty; earlier predictions there need `--resume` (continue) or
/// `--force` (start over), so that a run never silently discards another.
fn check_out_dir(out: &Path, resume: bool, force: bool) -> Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(InputError(format!("--out `{}` exists and is not a folder", out.display())).into());
    }
    let predictions = runner::predictions_path(out);
    let has_predictions = std::fs::metadata(&predictions).is_ok_and(|m| m.len() > 0);
    if has_predictions && !resume && !force {
        return Err(InputError(format!(
            "`{}` already holds predictions; pass --resume to continue that run or --force to start over",
            predictions.display()
        ))
        .into());
    }
    Ok(())
}

/// Reads `MIN..MAX` (also `MIN..=MAX`) or `N`.
fn parse_range(text: &str) -> Result<std::ops::RangeInclusive<usize>> {
    let bad = || InputError(format!("--vars `{text}` must be MIN..MAX or N, e.g. 3..5"));
    let number = |s: &str| s.trim().parse::<usize>().map_err(|_| bad());
    let (min, max) = match text.split_once("..") {
        Some((a, b)) => (number(a)?, number(b.trim_start_matches('='))?),
        None => (number(text)?, number(text)?),
    };
    if min > max {
        return Err(bad().into());
    }
    Ok(min..=max)
}

/// The most items `causa bench generate` writes in one file.
const MAX_GENERATED_ITEMS: usize = 1_000_000;

fn run_generate(args: GenerateArgs) -> Result<ExitCode> {
    if args.n == 0 {
        return Err(InputError("--n must be at least 1".into()).into());
    }
    // Items are generated in memory and written at once; a bound keeps a typo such as an extra
    // digit from running for hours and exhausting memory.
    if args.n > MAX_GENERATED_ITEMS {
        return Err(InputError(format!("--n must be at most {MAX_GENERATED_ITEMS}, got {}", args.n)).into());
    }
    let vars = args.vars.as_deref().map(parse_range).transpose()?;
    let paraphrase = args.perturb.contains(&PerturbArg::Paraphrase);
    let rename = args.perturb.contains(&PerturbArg::Rename);
    crate::output::refuse_existing(&args.out, args.force)?;
    let (text, positive) = match args.suite {
        GenerateSuite::Corr2cause => {
            let range = vars.unwrap_or(2..=6);
            if *range.start() < 2 || *range.end() > 6 {
                return Err(
                    InputError("Corr2Cause items have 2 to 6 variables (--vars within 2..6)".into()).into()
                );
            }
            let perturbation = corr2cause::Perturbation { paraphrase, rename };
            let items = corr2cause::generate_range(args.n, range, args.seed, perturbation)?;
            (corr2cause::to_csv(&items), items.iter().filter(|i| i.label).count())
        }
        GenerateSuite::Clear => {
            let range = vars.unwrap_or(4..=8);
            if *range.start() < 3 || *range.end() > 12 {
                return Err(InputError("CLEAR items have 3 to 12 nodes (--vars within 3..12)".into()).into());
            }
            let perturbation = clear::Perturbation { paraphrase, rename, shuffle: rename };
            let items = clear::generate_range(args.n, range, args.seed, perturbation)?;
            let yes = items.iter().filter(|i| i.answer_text() == "Yes.").count();
            (clear::to_jsonl(&items)?, yes)
        }
        GenerateSuite::Cladder => {
            let range = vars.unwrap_or(3..=4);
            let perturbation = cladder::Perturbation { paraphrase, rename };
            let items = cladder::generate_range(args.n, range, args.seed, 0.03, perturbation)?;
            (cladder::to_csv(&items), items.iter().filter(|i| i.label).count())
        }
    };
    crate::output::write_file_atomically(&args.out, &text, args.force)?;
    let suite = format!("{:?}", args.suite).to_lowercase();
    if args.json {
        crate::output::print_json(&json!({
            "suite": suite,
            "n": args.n,
            "seed": args.seed,
            "out": args.out.display().to_string(),
            "positive": positive,
        }))?;
    } else {
        println!(
            "wrote {} {suite} items to {} ({positive} with a yes/valid answer)",
            args.n,
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_compare(args: CompareArgs) -> Result<ExitCode> {
    let mut runs: Vec<(String, Value)> = Vec::new();
    for path in &args.runs {
        let file = if path.is_dir() { path.join("summary.json") } else { path.clone() };
        let text = std::fs::read_to_string(&file)
            .map_err(|e| InputError(format!("cannot read the run summary `{}`: {e}", file.display())))?;
        let summary: Value = serde_json::from_str(&text)
            .map_err(|e| InputError(format!("`{}` is not a run summary: {e}", file.display())))?;
        if summary.get("suite").is_none() {
            return Err(InputError(format!("`{}` is not a run summary (no `suite`)", file.display())).into());
        }
        let label = path.display().to_string();
        // A multi-method Who&When run holds one summary per method.
        match summary.get("methods").and_then(Value::as_array) {
            Some(methods) => runs.extend(
                methods
                    .iter()
                    .map(|m| (format!("{label} ({})", m["method"].as_str().unwrap_or("?")), m.clone())),
            ),
            None => runs.push((label, summary)),
        }
    }
    if args.json {
        let list: Vec<Value> = runs
            .iter()
            .map(|(label, s)| {
                let mut object = s.as_object().cloned().unwrap_or_default();
                object.insert("run".into(), json!(label));
                Value::Object(object)
            })
            .collect();
        crate::output::print_json(&json!({ "runs": list }))?;
    } else {
        print!("{}", reasoning::compare_markdown(&runs));
    }
    Ok(ExitCode::SUCCESS)
}
