//! `causa ask "QUESTION" --data FILE`: a causal analysis that answers the question.
//!
//! The agent (`causa-agent`) does the work and emits events; this file opens the model, gives
//! the session the person's files (the only files any tool may read), picks the output folder
//! (never an existing non-empty one), prints the events (readable lines on stderr, or JSONL on
//! stdout with `--json`) and writes the reports. The transcript is written as the run goes and the
//! session is saved after every step, so an interrupted run keeps what it computed.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use causa_agent::{
    CollectSink, Event, EventSink, FileKind, JsonlSink, RunStatus, Session, SessionStore, Tee,
};
use causa_llm::{CancellationToken, LlmConfig, ModelSpec};
use clap::Args;

use crate::agent_args::AgentArgs;
use crate::exit::InputError;

/// Arguments of `causa ask`.
#[derive(Args, Debug)]
pub struct AskArgs {
    /// The question, e.g. "What is the effect of ad_spend on sales?".
    pub question: String,
    /// A data file (CSV/TSV, Parquet, JSON) or a multi-agent log (Who&When JSON, JSONL); repeat
    /// for several. Tools can read only these files.
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// The model: `local` (the embedded default), `local:PATH.gguf`, `openai:NAME` or `none`
    /// (rule-based planner, no model).
    #[arg(long)]
    pub model: Option<String>,
    /// Base URL of an OpenAI-compatible server (for `openai:NAME`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Output folder for the reports (default: a new `causa-run-YYYYMMDD-HHMMSS` folder here);
    /// an existing non-empty folder is refused.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Step and time limits, seed, prompt overrides.
    #[command(flatten)]
    pub agent: AgentArgs,
    /// Print the events as JSON lines on stdout instead of the answer.
    #[arg(long)]
    pub json: bool,
}

fn input(message: String) -> anyhow::Error {
    InputError(message).into()
}

/// Maps agent errors to input errors where the person's input is at fault.
fn agent_error(e: causa_agent::AgentError) -> anyhow::Error {
    if e.is_input_error() { input(e.to_string()) } else { anyhow::Error::new(e) }
}

/// The output folder: `--out` if empty or absent, else a fresh `causa-run-...` folder.
fn output_folder(out: Option<&Path>) -> Result<PathBuf> {
    match out {
        Some(dir) => {
            if dir.exists() {
                if !dir.is_dir() {
                    return Err(input(format!("`{}` exists and is not a folder", dir.display())));
                }
                let empty = std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
                if !empty {
                    return Err(input(format!(
                        "the output folder `{}` is not empty; choose a new one with --out",
                        dir.display()
                    )));
                }
            }
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
            Ok(dir.to_path_buf())
        }
        None => {
            let base = format!("causa-run-{}", causa_agent::compact_stamp());
            for i in 1..1000 {
                let name = if i == 1 { base.clone() } else { format!("{base}-{i}") };
                let dir = PathBuf::from(name);
                match std::fs::create_dir(&dir) {
                    Ok(()) => return Ok(dir),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => {
                        return Err(
                            anyhow::Error::new(e).context(format!("cannot create `{}`", dir.display()))
                        );
                    }
                }
            }
            Err(input("cannot find a free causa-run-* folder name here; pass --out".into()))
        }
    }
}

/// Runs `causa ask`.
pub fn run(args: AskArgs) -> Result<std::process::ExitCode> {
    if args.question.trim().is_empty() {
        return Err(input("the question is empty".into()));
    }
    let session_config = args.agent.session_config()?;
    for path in &args.data {
        if !path.is_file() {
            return Err(input(format!("data file `{}` does not exist or is not a file", path.display())));
        }
    }
    let config = LlmConfig::load_default()?;
    let spec = match args.model.as_deref() {
        Some(text) => text.parse::<ModelSpec>().map_err(|e| input(e.to_string()))?,
        None => config.model_spec(None).map_err(|e| input(e.to_string()))?,
    };
    let mut session = Session::new(None, session_config).map_err(agent_error)?;
    for path in &args.data {
        add_file(&mut session, path)?;
    }
    let out_dir = output_folder(args.out.as_deref())?;
    if let Ok(store) = SessionStore::open_default() {
        session = session.with_store(store).map_err(agent_error)?;
    }
    let model = causa_llm::open_model(&spec, &config, args.base_url.as_deref()).map_err(|e| match e {
        causa_llm::LlmError::InvalidSpec { .. } => input(e.to_string()),
        other => anyhow::Error::new(other).context(format!("cannot open the model `{spec}`")),
    })?;
    session.set_model(model);

    let collected = CollectSink::new();
    let transcript_path = out_dir.join("transcript.jsonl");
    let transcript = JsonlSink::new(
        std::fs::File::create(&transcript_path)
            .with_context(|| format!("cannot create `{}`", transcript_path.display()))?,
    );
    let printer: Box<dyn EventSink> =
        if args.json { Box::new(JsonlSink::new(std::io::stdout())) } else { Box::new(HumanPrinter::new()) };
    let files = Tee(&collected, &transcript);
    let sink = Tee(&files, printer.as_ref());

    let cancel = CancellationToken::new();
    let runtime = crate::attribute_cmd::runtime()?;
    let outcome = runtime.block_on(async {
        let watcher = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                watcher.cancel();
            }
        });
        session.ask(&args.question, &sink, cancel.clone()).await
    });
    let reports = causa_agent::report::write_reports(session.state(), &collected.events(), &out_dir);
    drop(printer);
    let outcome = outcome.map_err(agent_error)?;
    let reports = reports.map_err(agent_error)?;
    if !args.json {
        if let Some(answer) = &outcome.answer {
            println!("{}", answer.text);
        }
        eprintln!(
            "reports: {}, {}, {}, {}",
            reports.markdown.display(),
            reports.html.display(),
            reports.results.display(),
            reports.transcript.display()
        );
    }
    Ok(match outcome.status {
        RunStatus::Completed => std::process::ExitCode::SUCCESS,
        RunStatus::Cancelled => std::process::ExitCode::from(130),
        _ => std::process::ExitCode::from(crate::exit::FAILURE),
    })
}

/// Gives the session a file: a data table if it loads as one, else an agent log if it parses
/// as one; otherwise the data error (exit 2).
fn add_file(session: &mut Session, path: &Path) -> Result<()> {
    match session.load_data(path) {
        Ok(_) => Ok(()),
        Err(data_error) => {
            if causa_attribution::AgentLog::load(path).is_ok() {
                session.allow_file(path, FileKind::AgentLog).map_err(agent_error)?;
                Ok(())
            } else {
                Err(agent_error(data_error))
            }
        }
    }
}

/// Prints events as readable lines on stderr; on a terminal, a spinner line shows the running
/// step and is replaced by the step's result.
struct HumanPrinter {
    tty: bool,
    activity: Arc<Mutex<Option<String>>>,
    running: Arc<AtomicBool>,
}

impl HumanPrinter {
    fn new() -> Self {
        let tty = std::io::stderr().is_terminal();
        let activity: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        let running = Arc::new(AtomicBool::new(true));
        if tty {
            let activity = Arc::clone(&activity);
            let running = Arc::clone(&running);
            std::thread::spawn(move || {
                let frames = ['|', '/', '-', '\\'];
                let mut i = 0;
                while running.load(Ordering::Relaxed) {
                    if let Ok(a) = activity.lock()
                        && let Some(text) = a.as_ref()
                    {
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\r\x1b[2K{} {text}", frames[i % frames.len()]);
                        let _ = err.flush();
                    }
                    i += 1;
                    std::thread::sleep(Duration::from_millis(120));
                }
            });
        }
        Self { tty, activity, running }
    }

    fn set_activity(&self, text: Option<String>) {
        if let Ok(mut a) = self.activity.lock() {
            *a = text;
        }
    }

    fn line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K");
        }
        let _ = writeln!(err, "{text}");
    }
}

impl Drop for HumanPrinter {
    fn drop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
    }
}

fn origin_name(origin: causa_agent::CallOrigin) -> &'static str {
    match origin {
        causa_agent::CallOrigin::Model => "model",
        causa_agent::CallOrigin::Planner => "planner",
        causa_agent::CallOrigin::Guard => "guard",
    }
}

impl EventSink for HumanPrinter {
    fn emit(&self, event: &Event) {
        match event {
            Event::RunStarted { session_id, model, data_files, .. } => {
                self.line(&format!(
                    "causa ask · session {session_id} · model {model} · files: {}",
                    data_files.join(", ")
                ));
            }
            Event::ModelBegin { step } => {
                self.set_activity(Some(format!("[{step}] the model is choosing a step")))
            }
            Event::ModelEnd { step, tokens_in, tokens_out, elapsed_ms } => {
                self.set_activity(None);
                self.line(&format!(
                    "[{step}] model: {tokens_in} tokens in, {tokens_out} out, {:.1} s",
                    *elapsed_ms as f64 / 1000.0
                ));
            }
            Event::ToolCall { step, tool, origin, .. } => {
                self.set_activity(Some(format!("[{step}] {tool} ({})", origin_name(*origin))));
            }
            Event::ToolResult { step, tool, ok, summary, elapsed_ms, .. } => {
                self.set_activity(None);
                let mark = if *ok { "ok" } else { "FAILED" };
                self.line(&format!("[{step}] {tool} {mark}: {summary} ({elapsed_ms} ms)"));
            }
            Event::Progress { message, .. } => {
                if !self.tty {
                    self.line(&format!("  {message}"));
                }
            }
            Event::Notice { message } => self.line(&format!("  guard: {message}")),
            Event::Error { message, continues } => {
                self.set_activity(None);
                self.line(&format!("{}: {message}", if *continues { "warning" } else { "error" }));
            }
            Event::RunFinished { status, steps, elapsed_ms } => {
                self.set_activity(None);
                self.line(&format!(
                    "{} after {steps} steps in {:.1} s",
                    status.name(),
                    *elapsed_ms as f64 / 1000.0
                ));
            }
            Event::ModelDelta { .. } | Event::Answer { .. } => {}
        }
    }
}
