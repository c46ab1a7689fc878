//! `causa attribute LOG`: which agent, at which step, made the decisive error of a failed
//! multi-agent run. The work is in `causa_attribution`; this file parses flags, opens the
//! model (shared with `causa bench whowhen`) and prints the verdict.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use causa_attribution::{AgentLog, Attribution, AttributionConfig, Attributor, Method, Prompts};
use causa_llm::{ChatModel, LlmConfig, ModelSpec};
use serde_json::json;

use crate::exit::InputError;

/// Context window assumed for models that do not report theirs (remote servers) unless
/// `--context-tokens` says otherwise.
pub const REMOTE_CONTEXT_TOKENS: usize = 16_384;

/// Find the agent and step of the decisive error in a failed multi-agent run.
#[derive(clap::Args, Debug)]
pub struct AttributeArgs {
    /// The log: Who&When JSON (`history` of `{content, role, name?}`) or JSONL lines of
    /// `{"step", "agent", "content"}` (steps 0, 1, 2, ...).
    pub log: PathBuf,
    #[command(flatten)]
    pub common: AttributionFlags,
    /// Attribution method.
    #[arg(long, value_enum, default_value_t = MethodArg::A2p)]
    pub method: MethodArg,
    /// Print JSON: {"agent", "step", "reason", "abduction", "action", "prediction", ...}.
    #[arg(long)]
    pub json: bool,
}

/// Flags shared by `causa attribute` and `causa bench whowhen`.
#[derive(clap::Args, Debug, Clone)]
pub struct AttributionFlags {
    /// Model: `local` (embedded SmolLM2-135M), `local:PATH.gguf`, `openai:NAME` or `none`
    /// (only with `--method heuristic`). Default: the config file's model, else `local`.
    #[arg(long)]
    pub model: Option<String>,
    /// Base URL of an OpenAI-compatible server (else `OPENAI_BASE_URL`, else the config).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Put the task's reference answer (`ground_truth` of a Who&When log) in the prompt.
    #[arg(long)]
    pub with_ground_truth: bool,
    /// Directory of prompt templates overriding the embedded ones (else `$CAUSA_PROMPTS`).
    #[arg(long, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
    /// Context window to fit prompts into (default: the local model's, or 16384 for remote
    /// models).
    #[arg(long, value_name = "TOKENS")]
    pub context_tokens: Option<usize>,
    /// Extra tries after an unparseable or invalid answer.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
}

/// Attribution methods on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodArg {
    /// Abduct-Act-Predict: root cause, minimal intervention, simulated outcome.
    A2p,
    /// The whole log at once (windows for long logs).
    AllAtOnce,
    /// One step at a time from the start; the first decisive step wins.
    StepByStep,
    /// Halve the step range until one step is left.
    BinarySearch,
    /// All-at-once for the agent, step-by-step over that agent's steps.
    Hybrid,
    /// No model: the first step that mentions an error or failure.
    Heuristic,
}

impl From<MethodArg> for Method {
    fn from(arg: MethodArg) -> Self {
        match arg {
            MethodArg::A2p => Method::A2p,
            MethodArg::AllAtOnce => Method::AllAtOnce,
            MethodArg::StepByStep => Method::StepByStep,
            MethodArg::BinarySearch => Method::BinarySearch,
            MethodArg::Hybrid => Method::Hybrid,
            MethodArg::Heuristic => Method::Heuristic,
        }
    }
}

/// An opened model (or none) with the context window prompts must fit.
pub struct OpenedModel {
    /// The model, `None` for `--model none`.
    pub model: Option<Arc<dyn ChatModel>>,
    /// The context window in tokens.
    pub context_tokens: usize,
    /// A description for reports.
    pub description: String,
}

/// Validates the flags for `methods` and opens the model. A model-based method with
/// `--model none` is an input error.
pub fn open(flags: &AttributionFlags, methods: &[Method]) -> Result<(OpenedModel, Prompts)> {
    let prompts = Prompts::resolve(flags.prompts.as_deref())?;
    let config = LlmConfig::load_default()?;
    let spec = config.model_spec(flags.model.as_deref()).map_err(|e| InputError(e.to_string()))?;
    if spec == ModelSpec::None
        && let Some(method) = methods.iter().find(|m| m.needs_model())
    {
        return Err(causa_attribution::AttributionError::ModelRequired { method: method.to_string() }.into());
    }
    if flags.context_tokens.is_some_and(|t| t < 1024) {
        return Err(InputError("--context-tokens must be at least 1024".into()).into());
    }
    if !methods.iter().any(|m| m.needs_model()) {
        // The heuristic alone: whatever model the flags or the config name is not loaded.
        return Ok((no_model(flags.context_tokens), prompts));
    }
    let opened = open_model(&spec, &config, flags.base_url.as_deref(), flags.context_tokens)?;
    Ok((opened, prompts))
}

/// Opens the model of `spec` (none for `ModelSpec::None`); `context_tokens` caps the context
/// window prompts must fit (default: the model's own window, or 16384 for a remote model that
/// does not report one). Shared by `causa attribute` and every `causa bench` suite.
pub fn open_model(
    spec: &ModelSpec,
    config: &LlmConfig,
    base_url: Option<&str>,
    context_tokens: Option<usize>,
) -> Result<OpenedModel> {
    Ok(match causa_llm::open_model(spec, config, base_url)? {
        None => no_model(context_tokens),
        Some(model) => {
            // The model's own window caps the request; a backend that does not know its window
            // (a remote server) gets the request, else a common default.
            let context_tokens = match (context_tokens, model.context_tokens()) {
                (Some(asked), Some(window)) => asked.min(window),
                (Some(asked), None) => asked,
                (None, Some(window)) => window,
                (None, None) => REMOTE_CONTEXT_TOKENS,
            };
            OpenedModel { description: model.describe(), context_tokens, model: Some(model) }
        }
    })
}

/// How reports name the absence of a model (`--model none`, or only the heuristic).
pub const NO_MODEL: &str = "none";

fn no_model(context_tokens: Option<usize>) -> OpenedModel {
    OpenedModel { model: None, context_tokens: context_tokens.unwrap_or(4096), description: NO_MODEL.into() }
}

/// Builds the attributor for `opened` and `flags`.
pub fn attributor(opened: &OpenedModel, prompts: Prompts, flags: &AttributionFlags) -> Result<Attributor> {
    let config = AttributionConfig {
        context_tokens: opened.context_tokens,
        with_ground_truth: flags.with_ground_truth,
        max_retries: flags.retries,
        ..AttributionConfig::default()
    };
    Ok(Attributor::new(opened.model.clone(), prompts, config)?)
}

/// A runtime for the async model calls.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs `causa attribute`.
pub fn run(args: AttributeArgs) -> Result<std::process::ExitCode> {
    let log = AgentLog::load(&args.log)?;
    let method = Method::from(args.method);
    let (opened, prompts) = open(&args.common, &[method])?;
    let attributor = attributor(&opened, prompts, &args.common)?;
    let attribution = runtime()?.block_on(attributor.attribute(&log, method))?;
    if args.json {
        crate::output::print_json(&to_json(&log, &attribution, &opened.description))?;
    } else {
        let model = opened.model.as_ref().map(|_| opened.description.as_str());
        print!("{}", to_text(&log, &attribution, model));
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn to_json(log: &AgentLog, a: &Attribution, model: &str) -> serde_json::Value {
    json!({
        "log": log.id,
        "method": a.method,
        "model": model,
        "agent": a.agent,
        "step": a.step,
        "reason": a.reason,
        "abduction": a.abduction,
        "action": a.action,
        "prediction": a.prediction,
        "calls": a.calls,
        "rejected": a.rejected,
        "unanswered": a.unanswered,
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.completion_tokens,
        "windows": a.windows,
        "steps_in_log": log.steps.len(),
        "label": log.gold,
    })
}

/// The report in words; `model` is `None` when no model was used.
fn to_text(log: &AgentLog, a: &Attribution, model: Option<&str>) -> String {
    let mut out = match (&a.agent, a.step) {
        (Some(agent), Some(step)) => format!("Decisive error: {agent} at step {step}\n"),
        (Some(agent), None) => format!("Decisive error: {agent} (no step found)\n"),
        _ => "No attribution: the model gave no valid answer.\n".to_string(),
    };
    for (label, value) in [
        ("Reason", Some(&a.reason).filter(|r| !r.is_empty())),
        ("Abduction (root cause)", a.abduction.as_ref()),
        ("Action (intervention)", a.action.as_ref()),
        ("Prediction (outcome)", a.prediction.as_ref()),
    ] {
        if let Some(value) = value {
            out.push_str(&format!("{label}: {value}\n"));
        }
    }
    if let Some(gold) = &log.gold {
        out.push_str(&format!("Label in the log: {} at step {}\n", gold.agent, gold.step));
    }
    let model = model.map_or("no model".to_string(), |m| format!("model {m}"));
    out.push_str(&format!(
        "({} over {} steps; {model}; {} calls, {} rejected answers)\n",
        a.method,
        log.steps.len(),
        a.calls,
        a.rejected
    ));
    out
}
