//! The bridge from the agent to the screen.
//!
//! The agent speaks in its own [`Event`]s and keeps its findings in a [`SessionState`]; the screen
//! needs [`UiEvent`]s and pane views. This module is the one place that knows both: it translates
//! events one by one, fills the side panes from the session after each step, replays a saved
//! session into a transcript on resume, and runs the user's requests on a [`Session`] as a
//! [`ChatBackend`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use causa_agent::{CallOrigin, Event, EventSink, RunStatus, Session, SessionState};
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
            UiEvent::ToolStarted { id: call_id.clone(), name: tool_label(tool, *origin), arguments: arguments.to_string() },
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

/// The side panes' content from the session: the latest dataset, graph and estimates.
pub fn pane_events(state: &SessionState) -> Vec<UiEvent> {
    let mut out = Vec::new();
    if let Some(data) = state.datasets.last() {
        out.push(UiEvent::Dataset(DatasetView {
            source: data.file.clone(),
            rows: data.rows,
            columns: data
                .columns
                .iter()
                .map(|c| ColumnView {
                    name: c.name.clone(),
                    kind: c.column_type.clone(),
                    summary: column_summary(data.profile.as_ref(), &c.name),
                })
                .collect(),
            notes: profile_notes(data.profile.as_ref()),
        }));
    }
    if let Some(record) = state.graphs.last() {
        let text = record.nodes.iter().cloned().chain(record.edges.iter().cloned()).collect::<Vec<_>>().join("\n");
        if let Ok(graph) = parse_text(&text) {
            out.push(UiEvent::Graph(GraphView { title: format!("{} ({})", record.name, record.source), graph }));
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
                    ci95: e.ci95,
                })
                .collect(),
        ));
    }
    out
}

/// A column's line in the data pane, from the profile JSON when it has one.
fn column_summary(profile: Option<&Value>, name: &str) -> String {
    let Some(columns) = profile.and_then(|p| p.get("columns")).and_then(Value::as_array) else {
        return String::new();
    };
    let Some(column) = columns.iter().find(|c| c.get("name").and_then(Value::as_str) == Some(name)) else {
        return String::new();
    };
    let number = |key: &str| column.get(key).and_then(Value::as_f64);
    let mut parts = Vec::new();
    if let (Some(mean), Some(sd)) = (number("mean"), number("std").or_else(|| number("sd"))) {
        parts.push(format!("mean {mean:.2} sd {sd:.2}"));
    }
    if let Some(levels) = column.get("levels").and_then(Value::as_u64) {
        parts.push(format!("{levels} levels"));
    }
    if let Some(missing) = number("missing_fraction").filter(|m| *m > 0.0) {
        parts.push(format!("{:.0}% missing", missing * 100.0));
    }
    parts.join(", ")
}

fn profile_notes(profile: Option<&Value>) -> Vec<String> {
    let Some(profile) = profile else { return Vec::new() };
    let mut notes = Vec::new();
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
pub fn replay(state: &SessionState) -> Vec<UiEvent> {
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
    out.extend(pane_events(state));
    out
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
    models: ModelOpener,
    /// Where `/report` writes (the session's id is added to the name).
    report_dir: PathBuf,
}

impl AgentBackend {
    /// A backend over `session`, opening models for `/model` with `models` and writing reports
    /// into `report_dir`.
    pub fn new(session: Session, models: ModelOpener, report_dir: PathBuf) -> Self {
        AgentBackend { session, models, report_dir }
    }

    async fn ask(&mut self, question: &str, events: &EventSender, cancel: CancellationToken) {
        let sink = ForwardSink(events.clone());
        if let Err(err) = self.session.ask(question, &sink, cancel).await {
            let _ = events.send(UiEvent::Error(err.to_string()));
        }
        self.send_panes(events);
    }

    fn load(&mut self, path: &Path, events: &EventSender) {
        match self.session.load_data(path) {
            Ok(record) => {
                let note = format!("loaded {} ({} rows, {} columns)", record.name, record.rows, record.columns.len());
                let _ = events.send(UiEvent::Notice(note));
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
        let path = self.report_dir.join(format!("causa-report-{}.md", self.session.id()));
        let markdown = causa_agent::report::markdown(self.session.state());
        let event = match causa_agent::write_atomically(&path, markdown.as_bytes()) {
            Ok(()) => UiEvent::Notice(format!("report written to {}", path.display())),
            Err(err) => UiEvent::Error(err.to_string()),
        };
        let _ = events.send(event);
    }

    fn send_panes(&self, events: &EventSender) {
        for event in pane_events(self.session.state()) {
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

/// Forwards agent events to the screen's channel, translated.
struct ForwardSink(EventSender);

impl EventSink for ForwardSink {
    fn emit(&self, event: &Event) {
        for ui in ui_events(event) {
            let _ = self.0.send(ui);
        }
    }
}
