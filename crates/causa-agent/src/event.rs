//! The event stream: everything a run does, as typed events.
//!
//! Front ends never reach into the agent: `causa ask` prints these events (readable lines or
//! JSONL), the chat UI renders them, the transcript file stores them, and tests assert on them.
//! One enum with a `type` tag keeps the JSON stable and lets every consumer ignore what it does
//! not understand. Events are small and owned so they can cross threads and channels.

use std::io::Write;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who decided that a tool should run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOrigin {
    /// The language model chose the call.
    Model,
    /// The rule-based planner chose it (no model, `--model none`).
    Planner,
    /// The plan guard ran a required step itself (the model skipped, repeated or failed it).
    Guard,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// The run produced an answer.
    Completed,
    /// The step limit was reached (an answer from the deterministic summary may still exist).
    StepLimit,
    /// The time limit was reached.
    TimeLimit,
    /// The caller cancelled the run (Ctrl-C); the session keeps everything computed so far.
    Cancelled,
    /// The run failed (repeated tool failures, a model error, an unanswerable question).
    Failed,
}

impl RunStatus {
    /// The snake_case name used in JSON and reports.
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Completed => "completed",
            RunStatus::StepLimit => "step_limit",
            RunStatus::TimeLimit => "time_limit",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Failed => "failed",
        }
    }
}

/// A number the answer rests on, with its interval when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyNumber {
    /// What the number is, e.g. `effect of smoking on cancer (ATE)`.
    pub label: String,
    /// The value.
    pub value: f64,
    /// The 95% interval, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<(f64, f64)>,
}

/// One thing that happened during a run. Serialised with a `type` field in snake_case, e.g.
/// `{"type":"tool_call","step":2,"call_id":"c2","tool":"profile","arguments":{},"origin":"planner"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A run started.
    RunStarted {
        /// The session the run belongs to.
        session_id: String,
        /// The person's question.
        question: String,
        /// The model description (never contains credentials), or `none`.
        model: String,
        /// The data files the session knows, by the name tools use.
        data_files: Vec<String>,
    },
    /// The model started writing.
    ModelBegin {
        /// The step number (1-based).
        step: usize,
    },
    /// A piece of the model's output (for tool calls: the JSON being written).
    ModelDelta {
        /// The step number.
        step: usize,
        /// The new text.
        text: String,
    },
    /// The model finished writing.
    ModelEnd {
        /// The step number.
        step: usize,
        /// Prompt tokens.
        tokens_in: u32,
        /// Generated tokens.
        tokens_out: u32,
        /// Wall-clock milliseconds of the call.
        elapsed_ms: u64,
    },
    /// A tool is about to run.
    ToolCall {
        /// The step number.
        step: usize,
        /// The call id (matches the result).
        call_id: String,
        /// The tool name.
        tool: String,
        /// The arguments, after validation and repair.
        arguments: Value,
        /// Who chose the call.
        origin: CallOrigin,
    },
    /// A tool finished.
    ToolResult {
        /// The step number.
        step: usize,
        /// The call id.
        call_id: String,
        /// The tool name.
        tool: String,
        /// Whether the tool succeeded.
        ok: bool,
        /// One line for people.
        summary: String,
        /// Wall-clock milliseconds.
        elapsed_ms: u64,
        /// The compact result (or `{"error": ...}`).
        result: Value,
    },
    /// Progress of a long step.
    Progress {
        /// What is happening.
        message: String,
        /// Completed fraction in [0, 1], when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fraction: Option<f64>,
    },
    /// Something the plan guard or the answer check did on the model's behalf, recorded so the
    /// transcript shows where deterministic code stepped in.
    Notice {
        /// What was done and why.
        message: String,
    },
    /// The answer.
    Answer {
        /// The answer text.
        text: String,
        /// The numbers it rests on.
        key_numbers: Vec<KeyNumber>,
    },
    /// An error.
    Error {
        /// What went wrong.
        message: String,
        /// Whether the run goes on.
        continues: bool,
    },
    /// The run ended.
    RunFinished {
        /// How it ended.
        status: RunStatus,
        /// Steps taken.
        steps: usize,
        /// Wall-clock milliseconds of the run.
        elapsed_ms: u64,
    },
}

impl Event {
    /// The event as one line of JSON (no trailing newline).
    pub fn to_json_line(&self) -> String {
        // Serialising this enum cannot fail: every field is a plain value or a JSON value.
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"type\":\"error\",\"message\":\"{e}\"}}"))
    }
}

/// Where events go. A trait object so the CLI printer, the chat UI's channel and the transcript
/// recorder all receive the same stream.
pub trait EventSink: Send + Sync {
    /// Receives one event. Must not block for long: the run waits for it.
    fn emit(&self, event: &Event);
}

impl<F: Fn(&Event) + Send + Sync> EventSink for F {
    fn emit(&self, event: &Event) {
        self(event)
    }
}

/// Discards events.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl EventSink for NullSink {
    fn emit(&self, _event: &Event) {}
}

/// Sends events into a tokio channel (for a UI that renders them on its own task). A closed
/// receiver is ignored: the run goes on.
#[derive(Debug, Clone)]
pub struct ChannelSink(pub tokio::sync::mpsc::UnboundedSender<Event>);

impl EventSink for ChannelSink {
    fn emit(&self, event: &Event) {
        let _ = self.0.send(event.clone());
    }
}

/// Writes each event as one JSON line to a writer (stdout for `--json`, a transcript file).
/// Write errors are ignored so a closed pipe never stops the analysis.
#[derive(Debug)]
pub struct JsonlSink<W: Write + Send> {
    writer: Mutex<W>,
}

impl<W: Write + Send> JsonlSink<W> {
    /// A sink writing to `writer`.
    pub fn new(writer: W) -> Self {
        Self { writer: Mutex::new(writer) }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        match self.writer.into_inner() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl<W: Write + Send> EventSink for JsonlSink<W> {
    fn emit(&self, event: &Event) {
        if let Ok(mut w) = self.writer.lock() {
            let _ = writeln!(w, "{}", event.to_json_line());
            let _ = w.flush();
        }
    }
}

/// Keeps every event in memory (tests, transcripts).
#[derive(Debug, Default)]
pub struct CollectSink {
    events: Mutex<Vec<Event>>,
}

impl CollectSink {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of the events so far.
    pub fn events(&self) -> Vec<Event> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl EventSink for CollectSink {
    fn emit(&self, event: &Event) {
        if let Ok(mut e) = self.events.lock() {
            e.push(event.clone());
        }
    }
}

/// Sends each event to two sinks in turn.
pub struct Tee<'a>(pub &'a dyn EventSink, pub &'a dyn EventSink);

impl EventSink for Tee<'_> {
    fn emit(&self, event: &Event) {
        self.0.emit(event);
        self.1.emit(event);
    }
}

/// Serialises events as JSONL, one per line, each line ending in a newline.
pub fn to_jsonl(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str(&e.to_json_line());
        out.push('\n');
    }
    out
}

/// Parses JSONL written by [`to_jsonl`] or [`JsonlSink`]; blank lines are skipped.
pub fn from_jsonl(text: &str) -> Result<Vec<Event>, serde_json::Error> {
    text.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_tagged_snake_case_and_round_trip() {
        let events = vec![
            Event::RunStarted {
                session_id: "s".into(),
                question: "q".into(),
                model: "none".into(),
                data_files: vec!["a.csv".into()],
            },
            Event::ModelDelta { step: 1, text: "{\"na".into() },
            Event::ToolCall {
                step: 1,
                call_id: "c1".into(),
                tool: "profile".into(),
                arguments: json!({"dataset": "a"}),
                origin: CallOrigin::Guard,
            },
            Event::Progress { message: "x".into(), fraction: None },
            Event::Answer {
                text: "t".into(),
                key_numbers: vec![KeyNumber { label: "ate".into(), value: 1.0, ci95: Some((0.5, 1.5)) }],
            },
            Event::RunFinished { status: RunStatus::StepLimit, steps: 3, elapsed_ms: 10 },
        ];
        let text = to_jsonl(&events);
        let first: Value = serde_json::from_str(text.lines().next().unwrap_or("")).unwrap_or_default();
        assert_eq!(first["type"], "run_started");
        assert!(text.contains(r#""type":"tool_call""#) && text.contains(r#""origin":"guard""#));
        assert!(text.contains(r#""status":"step_limit""#));
        assert!(!text.contains("fraction"), "absent fraction is omitted: {text}");
        assert_eq!(from_jsonl(&text).ok(), Some(events));
    }

    #[test]
    fn jsonl_sink_writes_one_line_per_event() {
        let sink = JsonlSink::new(Vec::new());
        sink.emit(&Event::Notice { message: "a\nb".into() });
        sink.emit(&Event::Error { message: "e".into(), continues: true });
        let bytes = sink.into_inner();
        let text = String::from_utf8(bytes).unwrap_or_default();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert_eq!(from_jsonl(&text).map(|e| e.len()).ok(), Some(2));
    }
}
