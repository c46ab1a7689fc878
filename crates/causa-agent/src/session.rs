//! Sessions: what an analysis has found so far, kept as plain serde types and saved after every
//! step.
//!
//! A session outlives one question: the chat UI asks several in a row over the same data, and a
//! killed run must lose nothing already computed. So the state is data, not live objects: graphs
//! are edge lists, estimates are numbers with their intervals, and loaded tables are reloaded
//! from their files on resume. Saving writes a temporary file and renames it over the old one,
//! so a crash mid-write leaves the previous state intact.
//!
//! Files are the security boundary: only files the person named (on the command line or through
//! [`Session::load_data`] / [`Session::allow_file`]) are ever read, and tools refer to them by the
//! name the session gave them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use causa_llm::{CancellationToken, ChatMessage, ChatModel};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::agent;
use crate::error::{AgentError, Result};
use crate::event::{CallOrigin, EventSink, KeyNumber, RunStatus};
use crate::prompts::Prompts;
use crate::workspace::Workspace;

/// Environment variable that overrides the sessions directory.
pub const SESSIONS_DIR_ENV: &str = "CAUSA_SESSIONS_DIR";

/// What kind of file the person gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A data table (CSV/TSV, Parquet, JSON).
    Data,
    /// A multi-agent run log (Who&When JSON or JSONL) for failure attribution.
    AgentLog,
}

/// A file the person allowed the session to read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserFile {
    /// The name tools use (the file name; made unique with a suffix when two files share it).
    pub name: String,
    /// The path as given, made absolute.
    pub path: PathBuf,
    /// What the file is.
    pub kind: FileKind,
}

/// A column of a loaded dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnRecord {
    /// The column name.
    pub name: String,
    /// continuous, discrete, binary or categorical.
    pub column_type: String,
}

/// A loaded dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// The name tools use (the file name without extension).
    pub name: String,
    /// The [`UserFile`] name it came from.
    pub file: String,
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub columns: Vec<ColumnRecord>,
    /// The profile's recommendation and facts (compact JSON), once profiled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Value>,
    /// For simulated data: how to simulate it again (it has no file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulated: Option<SimulatedFrom>,
}

/// How a simulated dataset was made: a linear-Gaussian SEM over a session graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedFrom {
    /// The graph simulated from.
    pub graph: String,
    /// Rows.
    pub samples: usize,
    /// Seed.
    pub seed: u64,
}

/// A causal graph the session holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphRecord {
    /// The name tools use (`g1`, `g2`, ... or the name given).
    pub name: String,
    /// The dataset it was learnt from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// How it was made, e.g. `pc (fisher-z, alpha 0.05)` or `stated by the user`.
    pub source: String,
    /// Nodes in order.
    pub nodes: Vec<String>,
    /// Edges as text (`A -> B`, `A -- B`, `A <-> B`, `A o-> B`).
    pub edges: Vec<String>,
    /// Why this algorithm, when it was chosen from the profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// One refutation of an estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefutationRecord {
    /// The refuter, e.g. `placebo_treatment`.
    pub refuter: String,
    /// Pass, fail, or not applicable (`None`).
    pub passed: Option<bool>,
    /// The new value it computed.
    pub new_value: Option<f64>,
    /// A sentence with the numbers.
    pub detail: String,
}

/// An effect estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateRecord {
    /// The name tools use (`e1`, `e2`, ...).
    pub name: String,
    /// The dataset.
    pub dataset: String,
    /// The graph used for identification, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<String>,
    /// Treatment column.
    pub treatment: String,
    /// Outcome column.
    pub outcome: String,
    /// `backdoor`, `frontdoor` or `iv`.
    pub estimand: String,
    /// Why this estimand.
    pub identification: String,
    /// Covariates adjusted for.
    pub adjustment_set: Vec<String>,
    /// The estimator.
    pub method: String,
    /// Why this estimator.
    pub method_reason: String,
    /// ATE or ATT.
    pub target: String,
    /// The point estimate.
    pub effect: f64,
    /// Its 95% interval.
    pub ci95: (f64, f64),
    /// Standard error.
    pub std_err: f64,
    /// Rows used.
    pub n: usize,
    /// Estimator remarks.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Effects under the other DAGs of the graph's equivalence class whose adjustment differs
    /// (empty when the graph fixes every direction that matters): with `effect`, the set of
    /// effects the data cannot tell apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternative_effects: Vec<f64>,
    /// Refutations run so far.
    #[serde(default)]
    pub refutations: Vec<RefutationRecord>,
}

/// One tool call of a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Step number within the turn (1-based).
    pub step: usize,
    /// The tool.
    pub tool: String,
    /// The arguments as run (after repair).
    pub arguments: Value,
    /// Who chose the call.
    pub origin: CallOrigin,
    /// Whether it succeeded.
    pub ok: bool,
    /// One line for people.
    pub summary: String,
    /// Milliseconds.
    pub elapsed_ms: u64,
}

/// The answer of a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    /// The answer text.
    pub text: String,
    /// The numbers it rests on.
    pub key_numbers: Vec<KeyNumber>,
    /// Assumptions the answer depends on.
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// Limits of the analysis.
    #[serde(default)]
    pub limits: Vec<String>,
    /// Whether deterministic code wrote or completed the text (the model's omitted or
    /// contradicted the tools' numbers, or there was no model).
    pub deterministic: bool,
}

/// One question and what was done to answer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// The question.
    pub question: String,
    /// Tool calls, in order.
    pub steps: Vec<StepRecord>,
    /// Things deterministic code did on the model's behalf.
    #[serde(default)]
    pub notices: Vec<String>,
    /// The answer, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<AnswerRecord>,
    /// How the turn ended (`None` while running).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RunStatus>,
    /// Wall-clock milliseconds.
    #[serde(default)]
    pub elapsed_ms: u64,
}

/// The whole state of a session: plain data, saved after every step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    /// The session id (`YYYYMMDD-HHMMSS-xxxx`).
    pub id: String,
    /// Creation time (UTC, RFC 3339).
    pub created: String,
    /// Last save (UTC, RFC 3339).
    pub updated: String,
    /// The model description of the last run.
    pub model: String,
    /// Files the person allowed.
    pub files: Vec<UserFile>,
    /// Loaded datasets.
    pub datasets: Vec<DatasetRecord>,
    /// Graphs.
    pub graphs: Vec<GraphRecord>,
    /// Effect estimates.
    pub estimates: Vec<EstimateRecord>,
    /// Failure attributions (compact JSON).
    #[serde(default)]
    pub attributions: Vec<Value>,
    /// Questions asked, in order.
    pub turns: Vec<Turn>,
    /// The conversation with the model (system prompt excluded).
    #[serde(default)]
    pub messages: Vec<ChatMessage>,
}

impl SessionState {
    /// An empty state with a fresh id.
    pub fn new() -> Self {
        let now = crate::time::now_rfc3339();
        Self {
            id: crate::time::session_id(),
            created: now.clone(),
            updated: now,
            model: "none".into(),
            files: Vec::new(),
            datasets: Vec::new(),
            graphs: Vec::new(),
            estimates: Vec::new(),
            attributions: Vec::new(),
            turns: Vec::new(),
            messages: Vec::new(),
        }
    }

    /// The last turn, if any.
    pub fn last_turn(&self) -> Option<&Turn> {
        self.turns.last()
    }
}

impl Default for SessionState {
    fn default() -> Self {
        Self::new()
    }
}

/// A saved session as listed by [`SessionStore::list`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The id.
    pub id: String,
    /// Creation time.
    pub created: String,
    /// Last save.
    pub updated: String,
    /// The first question, if any.
    pub first_question: Option<String>,
    /// Number of questions.
    pub turns: usize,
}

/// Saved sessions: one `ID.json` file each under a directory.
#[derive(Debug, Clone)]
pub struct SessionStore {
    dir: PathBuf,
}

impl SessionStore {
    /// A store in `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default directory: `$CAUSA_SESSIONS_DIR`, else `$XDG_DATA_HOME/causa/sessions`, else
    /// `~/.local/share/causa/sessions`.
    pub fn default_dir() -> Result<PathBuf> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(dir) = var(SESSIONS_DIR_ENV) {
            return Ok(dir);
        }
        if let Some(data) = var("XDG_DATA_HOME") {
            return Ok(data.join("causa").join("sessions"));
        }
        match var("HOME") {
            Some(home) => Ok(home.join(".local").join("share").join("causa").join("sessions")),
            None => Err(AgentError::Input(format!(
                "cannot find a sessions directory: set {SESSIONS_DIR_ENV}, XDG_DATA_HOME or HOME"
            ))),
        }
    }

    /// The store in [`SessionStore::default_dir`].
    pub fn open_default() -> Result<Self> {
        Ok(Self::new(Self::default_dir()?))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, id: &str) -> Result<PathBuf> {
        let valid = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(AgentError::Input(format!("`{id}` is not a session id (letters, digits, - and _)")));
        }
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// Saves `state` atomically (temporary file, then rename).
    pub fn save(&self, state: &SessionState) -> Result<()> {
        let path = self.path_of(&state.id)?;
        std::fs::create_dir_all(&self.dir).map_err(|e| AgentError::io(&self.dir, e))?;
        let text = serde_json::to_string_pretty(state).map_err(|e| AgentError::io(&path, e))?;
        crate::fsutil::write_atomically(&path, text.as_bytes())
    }

    /// Loads the session `id`.
    pub fn load(&self, id: &str) -> Result<SessionState> {
        let path = self.path_of(id)?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                AgentError::Input(format!("no saved session `{id}` in {}", self.dir.display()))
            } else {
                AgentError::io(&path, e)
            }
        })?;
        serde_json::from_str(&text).map_err(|e| AgentError::io(&path, format!("not a session file: {e}")))
    }

    /// The saved sessions, most recently updated first. Unreadable files are skipped.
    pub fn list(&self) -> Result<Vec<SessionInfo>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(AgentError::io(&self.dir, e)),
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let Ok(state) = serde_json::from_str::<SessionState>(&text) else { continue };
            out.push(SessionInfo {
                first_question: state.turns.first().map(|t| t.question.clone()),
                turns: state.turns.len(),
                id: state.id,
                created: state.created,
                updated: state.updated,
            });
        }
        out.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| b.id.cmp(&a.id)));
        Ok(out)
    }
}

/// Limits and options of a session's runs.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Most steps (tool calls) per question. Default 12.
    pub max_steps: usize,
    /// Wall-clock limit of model calls per question (`None`: no limit; default 10 minutes): when
    /// it is reached the remaining steps run without the model; a run still going at twice the
    /// limit stops.
    pub time_limit: Option<Duration>,
    /// A directory of prompt overrides (`DIR/agent/NAME.md` or `DIR/NAME.md`).
    pub prompts_dir: Option<PathBuf>,
    /// Seed of every randomised step (refuters, bootstrap).
    pub seed: u64,
    /// Consecutive failed tool calls that end a run. Default 3.
    pub max_consecutive_failures: usize,
    /// How much the model decides (default: chosen from the model).
    pub guidance: Guidance,
}

/// How much of the plan the model drives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Guidance {
    /// Guided for local models, free for remote ones.
    #[default]
    Auto,
    /// The model is asked only where it has a real choice (the discovery algorithm, the
    /// estimation method, the interpretation), with the plan's tool forced; the mechanical
    /// steps run deterministically. Suits small local models: fewer, shorter calls.
    Guided,
    /// The model chooses every call among the offered tools; the guard checks each one.
    Free,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            max_steps: 12,
            time_limit: Some(Duration::from_secs(600)),
            prompts_dir: None,
            seed: 0,
            max_consecutive_failures: 3,
            guidance: Guidance::Auto,
        }
    }
}

/// What one call of [`Session::ask`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// How the run ended.
    pub status: RunStatus,
    /// The answer, if one was given.
    pub answer: Option<AnswerRecord>,
    /// Steps taken.
    pub steps: usize,
}

/// A live session: the state plus the model, the loaded tables and the store it saves to.
pub struct Session {
    pub(crate) state: SessionState,
    pub(crate) model: Option<Arc<dyn ChatModel>>,
    pub(crate) config: SessionConfig,
    pub(crate) prompts: Prompts,
    pub(crate) store: Option<SessionStore>,
    pub(crate) workspace: Workspace,
}

impl Session {
    /// A new, empty session. `model` is `None` for the rule-based planner (`--model none`).
    pub fn new(model: Option<Arc<dyn ChatModel>>, config: SessionConfig) -> Result<Self> {
        let prompts = Prompts::resolve(config.prompts_dir.as_deref())?;
        let mut state = SessionState::new();
        state.model = describe(model.as_deref());
        Ok(Self { state, model, config, prompts, store: None, workspace: Workspace::default() })
    }

    /// Resumes a saved session; its data files are reloaded when first used.
    pub fn resume(
        state: SessionState,
        model: Option<Arc<dyn ChatModel>>,
        config: SessionConfig,
    ) -> Result<Self> {
        let mut session = Self::new(model, config)?;
        session.state = state;
        session.state.model = describe(session.model.as_deref());
        Ok(session)
    }

    /// Saves the state into `store` after every step from now on (and right away).
    pub fn with_store(mut self, store: SessionStore) -> Result<Self> {
        store.save(&self.state)?;
        self.store = Some(store);
        Ok(self)
    }

    /// The session id.
    pub fn id(&self) -> &str {
        &self.state.id
    }

    /// The state (for reports and front ends).
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Changes the model for the next questions (`None`: the rule-based planner).
    pub fn set_model(&mut self, model: Option<Arc<dyn ChatModel>>) {
        self.state.model = describe(model.as_deref());
        self.model = model;
    }

    /// The current model's description (`none` without a model).
    pub fn model_description(&self) -> String {
        describe(self.model.as_deref())
    }

    /// Allows a data file and loads it now (so errors surface before any question). Returns the
    /// dataset record, whose `name` tools use.
    pub fn load_data(&mut self, path: &Path) -> Result<DatasetRecord> {
        let file = self.allow_file(path, FileKind::Data)?;
        let record = self.workspace.load_dataset(&mut self.state, &file)?;
        self.save()?;
        Ok(record)
    }

    /// Allows a file without loading it (agent logs for failure attribution). Returns its entry.
    pub fn allow_file(&mut self, path: &Path, kind: FileKind) -> Result<UserFile> {
        let file = crate::workspace::register_file(&mut self.state, path, kind)?;
        self.save()?;
        Ok(file)
    }

    /// Answers `question`: runs the analysis (model-driven with a plan guard, or rule-based
    /// without a model), emitting events into `sink`, saving after every step. Cancelling
    /// `cancel` stops the current step; the session keeps everything computed before it.
    pub async fn ask(
        &mut self,
        question: &str,
        sink: &dyn EventSink,
        cancel: CancellationToken,
    ) -> Result<RunOutcome> {
        agent::run(self, question, sink, cancel).await
    }

    /// Saves the state to the store, if there is one.
    pub fn save(&mut self) -> Result<()> {
        self.state.updated = crate::time::now_rfc3339();
        match &self.store {
            Some(store) => store.save(&self.state),
            None => Ok(()),
        }
    }
}

fn describe(model: Option<&dyn ChatModel>) -> String {
    model.map_or_else(|| "none".to_string(), |m| m.describe())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::NullSink;

    fn is_send<T: Send>(_: &T) {}

    #[test]
    fn the_ask_future_can_move_to_another_task() {
        let mut session = Session::new(None, SessionConfig::default()).unwrap_or_else(|e| panic!("{e}"));
        let sink = NullSink;
        let future = session.ask("effect of a on b", &sink, CancellationToken::new());
        is_send(&future);
    }

    #[test]
    fn the_store_saves_lists_and_loads_sessions() {
        let dir = std::env::temp_dir().join(format!("causa-agent-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = SessionStore::new(&dir);
        assert!(store.list().map(|l| l.is_empty()).unwrap_or(false), "a missing folder lists nothing");
        let mut a = SessionState::new();
        a.id = "a-1".into();
        a.updated = "2026-01-01T00:00:00Z".into();
        a.turns.push(Turn {
            question: "q1".into(),
            steps: vec![],
            notices: vec![],
            answer: None,
            status: Some(RunStatus::Completed),
            elapsed_ms: 3,
        });
        let mut b = SessionState::new();
        b.id = "b-2".into();
        b.updated = "2026-02-01T00:00:00Z".into();
        for s in [&a, &b] {
            store.save(s).unwrap_or_else(|e| panic!("{e}"));
        }
        let listed = store.list().unwrap_or_default();
        assert_eq!(listed.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["b-2", "a-1"], "newest first");
        assert_eq!(listed[1].first_question.as_deref(), Some("q1"));
        assert_eq!(store.load("a-1").ok(), Some(a));
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| {
                d.flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().contains("tmp")).collect()
            })
            .unwrap_or_default();
        assert!(leftovers.is_empty(), "no temporary files remain: {leftovers:?}");
        let bad = store.load("../etc/passwd").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(bad.contains("not a session id"), "{bad}");
        let missing = store.load("nope").err().map(|e| e.is_input_error());
        assert_eq!(missing, Some(true));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
