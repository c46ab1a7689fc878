//! The bridge from the agent to the screen.
//!
//! The agent speaks in its own [`Event`]s and keeps its findings in a [`SessionState`]; the screen
//! needs [`UiEvent`]s and pane views. This module is the one place that knows both: it translates
//! events one by one, fills the side panes from the session after each step, replays a saved
//! session into a transcript on resume, and runs the user's requests on a [`Session`] as a
//! [`ChatBackend`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use causa_agent::{
    CallOrigin, CollectSink, DatasetRecord, Event, EventSink, RunStatus, Session, SessionState, SessionStore,
    Tee,
};
use causa_data::{ColumnKind, LoadOptions};
use causa_graph::io::parse_text;
use causa_llm::{ChatModel, LlmConfig};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::app::{ChatBackend, EventSender, Request};
use crate::state::{ColumnView, DatasetView, EffectView, GraphView, UiEvent};

/// Translates one agent event into what the screen shows.
pub fn ui_events(event: &Event) -> Vec<UiEvent> {
    match event {
        Event::RunStarted { session_id, model, .. } => {
            vec![UiEvent::Session(session_id.clone()), UiEvent::Model(model.clone())]
        }
        Event::ModelBegin { step } => vec![UiEvent::ModelBegin { step: *step }],
        Event::ModelDelta { text, .. } => vec![UiEvent::ModelDelta(text.clone())],
        Event::ModelEnd { tokens_out, elapsed_ms, .. } => vec![UiEvent::ModelEnd {
            tokens: u64::from(*tokens_out),
            elapsed: Duration::from_millis(*elapsed_ms),
        }],
        Event::ToolCall { step, call_id, tool, arguments, origin } => vec![
            UiEvent::Step(*step),
            UiEvent::ToolStarted {
                id: call_id.clone(),
                name: tool_label(tool, *origin),
                arguments: arguments.to_string(),
            },
        ],
        Event::ToolResult { call_id, ok, summary, elapsed_ms, .. } => vec![UiEvent::ToolFinished {
            id: call_id.clone(),
            ok: *ok,
            summary: summary.clone(),
            elapsed: Duration::from_millis(*elapsed_ms),
        }],
        Event::Progress { message, fraction } => vec![UiEvent::Progress(match fraction {
            Some(f) => format!("{message} ({:.0}%)", f * 100.0),
            None => message.clone(),
        })],
        Event::Notice { message } => vec![UiEvent::Notice(message.clone())],
        Event::Answer { text, .. } => vec![UiEvent::Answer(text.clone())],
        Event::Error { message, .. } => vec![UiEvent::Error(message.clone())],
        Event::RunFinished { status, steps, .. } => {
            let mut out = vec![UiEvent::Step(*steps)];
            if let Some(note) = status_note(*status) {
                out.push(UiEvent::Notice(note.to_string()));
            }
            out
        }
    }
}

/// The tool's name, marked when deterministic code rather than the model chose the call.
fn tool_label(tool: &str, origin: CallOrigin) -> String {
    match origin {
        CallOrigin::Model => tool.to_string(),
        CallOrigin::Planner => format!("{tool} (planner)"),
        CallOrigin::Guard => format!("{tool} (guard)"),
    }
}

fn status_note(status: RunStatus) -> Option<&'static str> {
    match status {
        RunStatus::Completed | RunStatus::Cancelled => None,
        RunStatus::StepLimit => Some("stopped at the step limit"),
        RunStatus::TimeLimit => Some("stopped at the time limit"),
        RunStatus::Failed => Some("the run failed; the session keeps what was computed"),
    }
}

/// Per-column summaries of the session's data files (mean and spread, or number of levels, and
/// missing values), for the data pane. The agent's records keep only names and types; reading a
/// file again for its numbers is done once per file and shared by clones of this cache.
#[derive(Debug, Clone, Default)]
pub struct ColumnStats(Arc<Mutex<HashMap<PathBuf, HashMap<String, String>>>>);

impl ColumnStats {
    /// The summary of each column of the file at `path` (empty when it cannot be read).
    pub fn of(&self, path: &Path) -> HashMap<String, String> {
        let Ok(mut cache) = self.0.lock() else { return HashMap::new() };
        cache.entry(path.to_path_buf()).or_insert_with(|| summarise(path)).clone()
    }
}

/// Reads a data file as the agent does (rows with missing values dropped) and describes each
/// column in a few words.
fn summarise(path: &Path) -> HashMap<String, String> {
    let options = LoadOptions { missing: causa_data::MissingPolicy::Drop, ..LoadOptions::default() };
    let Ok(loaded) = causa_data::load(path, &options) else { return HashMap::new() };
    let data = &loaded.dataset;
    let mut out = HashMap::new();
    for (i, info) in loaded.columns.iter().enumerate().take(data.n_cols()) {
        let mut text = match data.kinds()[i] {
            ColumnKind::Discrete { levels } => format!("{levels} levels"),
            ColumnKind::Continuous => {
                let column = data.column(i);
                let n = column.len().max(1) as f64;
                let mean = column.sum() / n;
                let var = column.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
                format!("mean {mean:.3} sd {:.3}", var.sqrt())
            }
        };
        if info.missing > 0 {
            text.push_str(&format!(", {} missing", info.missing));
        }
        out.insert(info.name.clone(), text);
    }
    out
}

/// The side panes' content from the session: the latest dataset (with its columns described by
/// `stats`), graph and estimates.
pub fn pane_events(state: &SessionState, stats: &ColumnStats) -> Vec<UiEvent> {
    let mut out = Vec::new();
    if let Some(data) = state.datasets.last() {
        let summaries =
            state.files.iter().find(|f| f.name == data.file).map(|f| stats.of(&f.path)).unwrap_or_default();
        out.push(UiEvent::Dataset(DatasetView {
            source: data.file.clone(),
            rows: data.rows,
            columns: data
                .columns
                .iter()
                .map(|c| ColumnView {
                    name: c.name.clone(),
                    kind: c.column_type.clone(),
                    summary: summaries.get(&c.name).cloned().unwrap_or_default(),
                })
                .collect(),
            notes: profile_notes(data.profile.as_ref()),
        }));
    }
    if let Some(record) = state.graphs.last() {
        let text =
            record.nodes.iter().cloned().chain(record.edges.iter().cloned()).collect::<Vec<_>>().join("\n");
        if let Ok(graph) = parse_text(&text) {
            out.push(UiEvent::Graph(GraphView {
                title: format!("{} ({})", record.name, record.source),
                graph,
            }));
        }
    }
    if !state.estimates.is_empty() {
        out.push(UiEvent::Effects(
            state
                .estimates
                .iter()
                .rev()
                .map(|e| EffectView {
                    treatment: e.treatment.clone(),
                    outcome: e.outcome.clone(),
                    method: e.method.clone(),
                    estimate: e.effect,
                    ci95: Some(e.ci95),
                })
                .collect(),
        ));
    }
    out
}

fn profile_notes(profile: Option<&Value>) -> Vec<String> {
    let Some(profile) = profile else { return Vec::new() };
    let mut notes = Vec::new();
    let linear =
        profile.get("linear").and_then(Value::as_bool).map(|l| if l { "linear" } else { "nonlinear" });
    let gaussian =
        profile.get("gaussian").and_then(Value::as_bool).map(|g| if g { "Gaussian" } else { "non-Gaussian" });
    match (linear, gaussian) {
        (Some(l), Some(g)) => notes.push(format!("relations {l}, noise {g}")),
        (Some(l), None) => notes.push(format!("relations {l}")),
        _ => {}
    }
    if let Some(constant) =
        profile.get("constant_columns").and_then(Value::as_array).filter(|c| !c.is_empty())
    {
        let names: Vec<&str> = constant.iter().filter_map(Value::as_str).collect();
        notes.push(format!("constant: {}", names.join(", ")));
    }
    if let Some(rec) = profile.get("recommendation") {
        let algorithm = rec.get("algorithm").and_then(Value::as_str);
        let test = rec.get("ci_test").and_then(Value::as_str);
        match (algorithm, test) {
            (Some(a), Some(t)) => notes.push(format!("recommended: {a} with {t}")),
            (Some(a), None) => notes.push(format!("recommended: {a}")),
            _ => {}
        }
    }
    notes
}

/// The events that rebuild a saved session's conversation on screen (questions, tool calls,
/// notices, answers), then its panes.
pub fn replay(state: &SessionState, stats: &ColumnStats) -> Vec<UiEvent> {
    let mut out = vec![UiEvent::Session(state.id.clone())];
    for (t, turn) in state.turns.iter().enumerate() {
        out.push(UiEvent::User(turn.question.clone()));
        for (i, step) in turn.steps.iter().enumerate() {
            let id = format!("replay-{t}-{i}");
            out.push(UiEvent::ToolStarted {
                id: id.clone(),
                name: tool_label(&step.tool, step.origin),
                arguments: step.arguments.to_string(),
            });
            out.push(UiEvent::ToolFinished {
                id,
                ok: step.ok,
                summary: step.summary.clone(),
                elapsed: Duration::from_millis(step.elapsed_ms),
            });
        }
        out.extend(turn.notices.iter().map(|n| UiEvent::Notice(n.clone())));
        match (&turn.answer, turn.status) {
            (Some(answer), _) => out.push(UiEvent::Answer(answer.text.clone())),
            (None, Some(status)) => out.push(UiEvent::Notice(format!("no answer ({})", status.name()))),
            (None, None) => out.push(UiEvent::Notice("interrupted before an answer".into())),
        }
    }
    out.extend(pane_events(state, stats));
    out
}

/// The line that says a data file was loaded, and under which name the tools know it.
pub fn loaded_notice(record: &DatasetRecord) -> UiEvent {
    UiEvent::Notice(format!(
        "loaded {} as `{}` ({} rows, {} columns)",
        record.file,
        record.name,
        record.rows,
        record.columns.len()
    ))
}

/// Opens models by spec for `/model`.
#[derive(Debug, Clone)]
pub struct ModelOpener {
    /// The model configuration (config file and defaults).
    pub config: LlmConfig,
    /// The `--base-url` flag, if given.
    pub base_url: Option<String>,
}

impl ModelOpener {
    /// Opens the model named by `spec` (`none` gives no model). Loading a local model blocks
    /// for a moment.
    pub fn open(&self, spec: &str) -> Result<Option<Arc<dyn ChatModel>>, String> {
        let spec = self.config.model_spec(Some(spec)).map_err(|e| e.to_string())?;
        causa_llm::open_model(&spec, &self.config, self.base_url.as_deref()).map_err(|e| e.to_string())
    }
}

/// Runs the chat's requests on an agent [`Session`].
pub struct AgentBackend {
    session: Session,
    /// Where the session saves itself; read back during a run to keep the panes current.
    store: Option<SessionStore>,
    models: ModelOpener,
    /// Where `/report` writes its folder (named after the session).
    report_dir: PathBuf,
    /// The agent's events in this chat, for the report's transcript.
    events: Vec<Event>,
    stats: ColumnStats,
}

impl AgentBackend {
    /// A backend over `session` (saved in `store`), opening models for `/model` with `models`
    /// and writing reports into `report_dir`.
    /// `stats` describes the data files' columns (share it with the start-up screen).
    pub fn new(
        session: Session,
        store: Option<SessionStore>,
        models: ModelOpener,
        report_dir: PathBuf,
        stats: ColumnStats,
    ) -> Self {
        AgentBackend { session, store, models, report_dir, events: Vec::new(), stats }
    }

    async fn ask(&mut self, question: &str, events: &EventSender, cancel: CancellationToken) {
        let forward = ForwardSink {
            events: events.clone(),
            store: self.store.clone(),
            id: self.session.id().to_string(),
            stats: self.stats.clone(),
        };
        let collected = CollectSink::new();
        let sink = Tee(&forward, &collected);
        if let Err(err) = self.session.ask(question, &sink, cancel).await {
            let _ = events.send(UiEvent::Error(err.to_string()));
        }
        self.events.extend(collected.events());
        self.send_panes(events);
    }

    fn load(&mut self, path: &Path, events: &EventSender) {
        match self.session.load_data(path) {
            Ok(record) => {
                let _ = events.send(loaded_notice(&record));
            }
            Err(err) => {
                let _ = events.send(UiEvent::Error(err.to_string()));
            }
        }
        self.send_panes(events);
    }

    async fn set_model(&mut self, spec: String, events: &EventSender) {
        let _ = events.send(UiEvent::Progress(format!("opening model {spec}…")));
        let models = self.models.clone();
        let opened = tokio::task::spawn_blocking(move || models.open(&spec)).await;
        match opened {
            Ok(Ok(model)) => {
                self.session.set_model(model);
                let description = self.session.model_description();
                if let Err(err) = self.session.save() {
                    let _ = events.send(UiEvent::Error(err.to_string()));
                }
                let _ = events.send(UiEvent::Notice(format!("model: {description}")));
                let _ = events.send(UiEvent::Model(description));
            }
            Ok(Err(message)) => {
                let _ = events.send(UiEvent::Error(message));
            }
            Err(err) => {
                let _ = events.send(UiEvent::Error(format!("opening the model failed: {err}")));
            }
        }
    }

    fn save(&mut self, events: &EventSender) {
        let event = match self.session.save() {
            Ok(()) => UiEvent::Notice(format!("session {} saved", self.session.id())),
            Err(err) => UiEvent::Error(err.to_string()),
        };
        let _ = events.send(event);
    }

    fn report(&mut self, events: &EventSender) {
        let dir = self.report_dir.join(format!("causa-report-{}", self.session.id()));
        let written = std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))
            .and_then(|()| {
                causa_agent::report::write_reports(self.session.state(), &self.events, &dir)
                    .map_err(|e| e.to_string())
            });
        let event = match written {
            Ok(files) => UiEvent::Notice(format!(
                "report written: {} and {} (with {}, {})",
                files.markdown.display(),
                files.html.display(),
                files.results.display(),
                files.transcript.display()
            )),
            Err(message) => UiEvent::Error(message),
        };
        let _ = events.send(event);
    }

    fn send_panes(&self, events: &EventSender) {
        for event in pane_events(self.session.state(), &self.stats) {
            let _ = events.send(event);
        }
    }
}

impl ChatBackend for AgentBackend {
    async fn handle(&mut self, request: Request, events: EventSender, cancel: CancellationToken) {
        match request {
            Request::Ask(question) => self.ask(&question, &events, cancel).await,
            Request::Load(path) => self.load(&path, &events),
            Request::SetModel(spec) => self.set_model(spec, &events).await,
            Request::Report => self.report(&events),
            Request::Save => self.save(&events),
        }
    }
}

/// Forwards agent events to the screen's channel, translated. After each successful tool call
/// and at the start of each step it reads the saved session back (the session itself is busy
/// running) so that the panes show a new dataset, graph or estimate while the run goes on.
struct ForwardSink {
    events: EventSender,
    store: Option<SessionStore>,
    id: String,
    stats: ColumnStats,
}

impl EventSink for ForwardSink {
    fn emit(&self, event: &Event) {
        for ui in ui_events(event) {
            let _ = self.events.send(ui);
        }
        // The session saves after each step, which may come just after the step's result: so
        // the next step's start looks again.
        let changed = matches!(
            event,
            Event::ToolResult { ok: true, .. } | Event::ToolCall { .. } | Event::ModelBegin { .. }
        );
        if changed
            && let Some(store) = &self.store
            && let Ok(state) = store.load(&self.id)
        {
            for ui in pane_events(&state, &self.stats) {
                let _ = self.events.send(ui);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{ChatState, Entry, ToolStatus};
    use causa_agent::KeyNumber;
    use serde_json::json;

    /// A saved session with one answered question and one interrupted one, as the store
    /// writes it.
    fn saved_session() -> SessionState {
        serde_json::from_value(json!({
            "id": "s1", "created": "2026-11-22T04:00:00Z", "updated": "2026-11-22T04:01:00Z",
            "model": "none", "files": [],
            "datasets": [{"name": "data", "file": "data.csv", "rows": 500,
                          "columns": [{"name": "x1", "column_type": "continuous"},
                                      {"name": "x3", "column_type": "binary"}],
                          "profile": {"linear": true, "gaussian": false, "constant_columns": [],
                                      "recommendation": {"algorithm": "lingam", "ci_test": null}}}],
            "graphs": [{"name": "g1", "dataset": "data", "source": "lingam",
                        "nodes": ["x1", "x2", "x3"], "edges": ["x1 -> x2", "x2 -> x3"]}],
            "estimates": [{"name": "e1", "dataset": "data", "treatment": "x1", "outcome": "x3",
                           "estimand": "backdoor", "identification": "", "adjustment_set": [],
                           "method": "regression", "method_reason": "", "target": "ate",
                           "effect": 0.5, "ci95": [0.4, 0.6], "std_err": 0.05, "n": 500}],
            "turns": [
                {"question": "effect of x1 on x3?",
                 "steps": [{"step": 1, "tool": "profile", "arguments": {"dataset": "data"},
                            "origin": "planner", "ok": true, "summary": "linear", "elapsed_ms": 12},
                           {"step": 2, "tool": "estimate", "arguments": {}, "origin": "model",
                            "ok": false, "summary": "no graph", "elapsed_ms": 3}],
                 "answer": {"text": "The effect is **0.5**.", "key_numbers": [], "deterministic": true},
                 "status": "completed"},
                {"question": "and of x2?", "steps": []}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn a_replayed_session_shows_its_questions_tools_answers_and_panes() {
        let mut chat = ChatState::new("none");
        for event in replay(&saved_session(), &ColumnStats::default()) {
            chat.apply(event);
        }
        let kinds: Vec<String> = chat
            .transcript
            .iter()
            .map(|e| match e {
                Entry::User(q) => format!("user {q}"),
                Entry::Tool(t) => format!("tool {} {:?} {}", t.name, t.status, t.summary),
                Entry::Answer(a) => format!("answer {a}"),
                Entry::Notice(n) => format!("notice {n}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "user effect of x1 on x3?",
                "tool profile (planner) Ok linear",
                "tool estimate Failed no graph",
                "answer The effect is **0.5**.",
                "user and of x2?",
                "notice interrupted before an answer",
            ]
        );
        assert_eq!(chat.status.session.as_deref(), Some("s1"));
        assert_eq!(chat.input.history(), ["effect of x1 on x3?", "and of x2?"]);
        let data = chat.dataset.as_ref().unwrap();
        assert_eq!(
            (data.source.as_str(), data.rows, data.columns[1].kind.as_str()),
            ("data.csv", 500, "binary")
        );
        assert_eq!(data.notes, ["relations linear, noise non-Gaussian", "recommended: lingam"]);
        let graph = &chat.graph.as_ref().unwrap().graph;
        assert_eq!(graph.edge_count(), 2);
        assert!(graph.has_directed(graph.require("x1").unwrap(), graph.require("x2").unwrap()));
        assert_eq!(chat.effects[0].ci95, Some((0.4, 0.6)));
        assert!(!chat.running);
        assert!(
            chat.transcript.iter().all(|e| !matches!(e, Entry::Tool(t) if t.status == ToolStatus::Running))
        );
    }

    #[test]
    fn agent_events_become_screen_events() {
        let mut chat = ChatState::new("none");
        chat.start_run();
        let events = [
            Event::RunStarted {
                session_id: "s9".into(),
                question: "q".into(),
                model: "local".into(),
                data_files: vec![],
            },
            Event::ModelBegin { step: 1 },
            Event::ModelDelta { step: 1, text: "hel".into() },
            Event::ModelDelta { step: 1, text: "lo".into() },
            Event::ModelEnd { step: 1, tokens_in: 50, tokens_out: 10, elapsed_ms: 500 },
            Event::ToolCall {
                step: 2,
                call_id: "c1".into(),
                tool: "discover".into(),
                arguments: json!({"algo": "pc"}),
                origin: CallOrigin::Guard,
            },
            Event::Progress { message: "testing".into(), fraction: Some(0.25) },
        ];
        for event in &events {
            for ui in ui_events(event) {
                chat.apply(ui);
            }
        }
        assert_eq!(chat.progress.as_deref(), Some("testing (25%)"));
        let tail = [
            Event::ToolResult {
                step: 2,
                call_id: "c1".into(),
                tool: "discover".into(),
                ok: true,
                summary: "3 edges".into(),
                elapsed_ms: 1500,
                result: json!({}),
            },
            Event::Notice { message: "the guard ran discover".into() },
            Event::Error { message: "boom".into(), continues: true },
            Event::Answer {
                text: "done".into(),
                key_numbers: vec![KeyNumber { label: "ate".into(), value: 1.0, ci95: None }],
            },
            Event::RunFinished { status: RunStatus::StepLimit, steps: 3, elapsed_ms: 2000 },
        ];
        for event in &tail {
            for ui in ui_events(event) {
                chat.apply(ui);
            }
        }
        assert_eq!((chat.status.model.as_str(), chat.status.session.as_deref()), ("local", Some("s9")));
        assert_eq!(
            (chat.status.tokens, chat.status.tokens_per_second, chat.status.steps),
            (10, Some(20.0), 3)
        );
        assert_eq!(chat.status.errors, 1);
        let texts: Vec<String> = chat
            .transcript
            .iter()
            .map(|e| match e {
                Entry::Model { text, streaming } => format!("model {text} {streaming}"),
                Entry::Tool(t) => format!("tool {} {:?} {} {:?}", t.name, t.status, t.summary, t.elapsed),
                Entry::Notice(n) => format!("notice {n}"),
                Entry::Error(e) => format!("error {e}"),
                Entry::Answer(a) => format!("answer {a}"),
                Entry::User(u) => format!("user {u}"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "model hello false",
                "tool discover (guard) Ok 3 edges 1.5s",
                "notice the guard ran discover",
                "error boom",
                "answer done",
                "notice stopped at the step limit",
            ]
        );
    }

    #[test]
    fn the_panes_follow_the_saved_session_during_a_run() {
        let dir = std::env::temp_dir().join(format!("causa-tui-forward-{}", std::process::id()));
        let store = SessionStore::new(&dir);
        store.save(&saved_session()).unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let sink =
            ForwardSink { events: tx, store: Some(store), id: "s1".into(), stats: ColumnStats::default() };
        let result = |ok| Event::ToolResult {
            step: 1,
            call_id: "c".into(),
            tool: "discover".into(),
            ok,
            summary: String::new(),
            elapsed_ms: 1,
            result: json!({}),
        };
        sink.emit(&result(false));
        let mut after_failure = Vec::new();
        while let Ok(e) = rx.try_recv() {
            after_failure.push(e);
        }
        assert_eq!(after_failure.len(), 1, "a failed call changes no pane: {after_failure:?}");
        sink.emit(&result(true));
        let mut after_success = Vec::new();
        while let Ok(e) = rx.try_recv() {
            after_success.push(e);
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(after_success.iter().any(|e| matches!(e, UiEvent::Graph(g) if g.graph.edge_count() == 2)));
        assert!(after_success.iter().any(|e| matches!(e, UiEvent::Dataset(_))));
        assert!(after_success.iter().any(|e| matches!(e, UiEvent::Effects(v) if v.len() == 1)));
    }

    #[test]
    fn columns_are_described_from_the_file_once() {
        let dir = std::env::temp_dir().join(format!("causa-tui-stats-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.csv");
        // x: mean 3, sample sd sqrt(5/3) = 1.291; g: two categories; one row has a gap.
        std::fs::write(&path, "x,g\n1.5,a\n2.5,b\n3.5,a\n4.5,b\n,a\n").unwrap();
        let stats = ColumnStats::default();
        let first = stats.of(&path);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(first.get("x").map(String::as_str), Some("mean 3.000 sd 1.291, 1 missing"));
        assert_eq!(first.get("g").map(String::as_str), Some("2 levels"));
        assert_eq!(stats.of(&path), first, "the second look comes from the cache (the file is gone)");
    }
}
