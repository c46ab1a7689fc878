//! `causa chat`: the terminal chat over an agent session, and the list of saved sessions.
//!
//! Everything that can fail on the user's input (the model spec, the data file, the session id,
//! not being in a terminal) is checked before the screen switches to the chat, so such errors
//! print as usual and exit with code 2.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use causa_agent::{Session, SessionState, SessionStore};
use causa_llm::{ChatModel, LlmConfig, ModelSpec};
use causa_tui::bridge::{AgentBackend, ColumnStats, ModelOpener, loaded_notice, pane_events, replay};
use causa_tui::{ChatState, UiEvent};
use clap::Args;
use serde_json::json;

use crate::agent_args::AgentArgs;
use crate::exit::InputError;

/// Chat with the analysis agent in the terminal.
#[derive(Args, Debug)]
pub struct ChatArgs {
    /// A data file to load before the first question (CSV, TSV, Parquet, JSON).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The language model: `local` (the embedded default), `local:PATH.gguf`, `openai:NAME`, or
    /// `none` (the rule-based planner). Default: the config file's model, else `local`.
    #[arg(long)]
    pub model: Option<String>,
    /// Base URL of an OpenAI-compatible server (with `--model openai:NAME`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Resume a saved session (its id, from `--list`).
    #[arg(long, conflicts_with = "list")]
    pub resume: Option<String>,
    /// List the saved sessions and exit.
    #[arg(long)]
    pub list: bool,
    /// With `--list`: print JSON.
    #[arg(long, requires = "list")]
    pub json: bool,
    /// Step and time limits, seed, prompt overrides (for every question of the chat).
    #[command(flatten)]
    pub agent: AgentArgs,
}

/// Runs `causa chat`.
pub fn run(args: ChatArgs) -> Result<ExitCode> {
    let store = SessionStore::open_default()?;
    if args.list {
        return list(&store, args.json);
    }
    let session_config = args.agent.session_config()?;
    let config = LlmConfig::load_default()?;
    let spec = config.model_spec(args.model.as_deref()).map_err(|e| InputError(e.to_string()))?;
    let resumed = args.resume.as_deref().map(|id| store.load(id)).transpose()?;
    if let Some(path) = &args.data
        && !path.is_file()
    {
        return Err(InputError(format!("no data file {}", path.display())).into());
    }
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(InputError("`causa chat` needs a terminal; for scripts use `causa ask`".into()).into());
    }

    if spec != ModelSpec::None {
        eprintln!("opening model {}…", describe_spec(&spec));
    }
    let model: Option<Arc<dyn ChatModel>> = causa_llm::open_model(&spec, &config, args.base_url.as_deref())?;
    let session = match resumed {
        Some(state) => Session::resume(state, model, session_config)?,
        None => Session::new(model, session_config)?,
    };
    let mut session = session.with_store(store.clone())?;

    let stats = ColumnStats::default();
    let mut state = ChatState::new(&session.model_description());
    for event in replay(session.state(), &stats) {
        state.apply(event);
    }
    if let Some(path) = &args.data {
        let record = session.load_data(path)?;
        state.apply(loaded_notice(&record));
        for event in pane_events(session.state(), &stats) {
            state.apply(event);
        }
    }
    if args.resume.is_some() {
        state.apply(UiEvent::Notice(format!("resumed session {}", session.id())));
    }

    let opener = ModelOpener { config, base_url: args.base_url };
    let report_dir = std::env::current_dir().context("reading the current directory")?;
    let backend = AgentBackend::new(session, Some(store), opener, report_dir, stats);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    causa_tui::run(backend, state, runtime.handle()).context("running the terminal chat")?;
    runtime.shutdown_background();
    Ok(ExitCode::SUCCESS)
}

fn describe_spec(spec: &ModelSpec) -> String {
    match spec {
        ModelSpec::None => "none".into(),
        ModelSpec::LocalDefault => "local (default)".into(),
        ModelSpec::LocalPath(path) => format!("local:{}", path.display()),
        ModelSpec::OpenAi { model } => format!("openai:{model}"),
    }
}

/// Prints the saved sessions, newest first: id, created, number of questions, data files.
fn list(store: &SessionStore, as_json: bool) -> Result<ExitCode> {
    let sessions: Vec<SessionState> =
        store.list()?.into_iter().filter_map(|info| store.load(&info.id).ok()).collect();
    let data_files =
        |s: &SessionState| -> Vec<String> { s.datasets.iter().map(|d| d.file.clone()).collect::<Vec<_>>() };
    if as_json {
        let rows: Vec<_> = sessions
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "created": s.created,
                    "updated": s.updated,
                    "questions": s.turns.len(),
                    "first_question": s.turns.first().map(|t| t.question.clone()),
                    "data_files": data_files(s),
                })
            })
            .collect();
        crate::output::print_json(&json!({ "dir": store.dir(), "sessions": rows }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if sessions.is_empty() {
        println!("No saved sessions in {}.", store.dir().display());
        return Ok(ExitCode::SUCCESS);
    }
    let id_width = sessions.iter().map(|s| s.id.len()).max().unwrap_or(2).max(2);
    println!("{:<id_width$}  {:<20}  {:>9}  data", "id", "created", "questions");
    for s in &sessions {
        let files = data_files(s);
        let files = if files.is_empty() { "-".to_string() } else { files.join(", ") };
        println!("{:<id_width$}  {:<20}  {:>9}  {files}", s.id, s.created, s.turns.len());
    }
    println!("\nResume one with `causa chat --resume ID` (sessions in {}).", store.dir().display());
    Ok(ExitCode::SUCCESS)
}
