//! The chat's state: a plain struct changed by events and keys, read by the renderer.
//!
//! Everything the screen shows lives here, and nothing here touches the terminal: the agent's
//! events arrive through [`ChatState::apply`], key presses through [`ChatState::handle_key`]
//! (which answers with the [`Action`]s the runtime must carry out), and time through
//! [`ChatState::tick`]. Tests drive it directly and render it to a test backend.

use std::cell::Cell;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use causa_graph::CausalGraph;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::input::{InputBox, InputOutcome, SlashCommand, Submission, parse_submission};

/// What happened in the agent, in the terms the screen needs.
#[derive(Debug, Clone)]
pub enum UiEvent {
    /// A question asked earlier (replayed when a session resumes).
    User(String),
    /// The agent reached this step of the current request.
    Step(usize),
    /// A model call began (one agent step).
    ModelBegin {
        /// The step number, from 1.
        step: usize,
    },
    /// Text the model produced, as it streams.
    ModelDelta(String),
    /// The model call ended.
    ModelEnd {
        /// Tokens generated in this call.
        tokens: u64,
        /// How long the call took.
        elapsed: Duration,
    },
    /// A tool call started.
    ToolStarted {
        /// Identifies the call in the matching [`UiEvent::ToolFinished`].
        id: String,
        /// The tool's name.
        name: String,
        /// Its arguments (JSON text).
        arguments: String,
    },
    /// A tool call ended.
    ToolFinished {
        /// The id given when it started.
        id: String,
        /// Whether it succeeded.
        ok: bool,
        /// A one-paragraph summary of the result or the error.
        summary: String,
        /// How long it ran.
        elapsed: Duration,
    },
    /// A progress note of the running step (replaces the previous one).
    Progress(String),
    /// The agent's answer (Markdown).
    Answer(String),
    /// An error the agent reports (the run may go on or end).
    Error(String),
    /// An informational line (data loaded, model switched, session saved).
    Notice(String),
    /// The session's dataset changed.
    Dataset(DatasetView),
    /// The session's current graph changed.
    Graph(GraphView),
    /// The latest effect estimates.
    Effects(Vec<EffectView>),
    /// The model in use changed.
    Model(String),
    /// The session's id is known (new or resumed).
    Session(String),
    /// The request finished (answered, failed or cancelled).
    RunFinished {
        /// Whether it was cancelled.
        cancelled: bool,
    },
}

/// The dataset shown in the data pane.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetView {
    /// Where it was loaded from.
    pub source: String,
    /// Number of rows.
    pub rows: usize,
    /// One entry per column.
    pub columns: Vec<ColumnView>,
    /// Profile findings (recommendation, warnings).
    pub notes: Vec<String>,
}

/// One column of the dataset pane.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnView {
    /// Column name.
    pub name: String,
    /// Its type (`continuous`, `discrete(3)`, ...).
    pub kind: String,
    /// A short profile (mean and spread, or levels).
    pub summary: String,
}

/// The graph shown in the graph pane.
#[derive(Debug, Clone)]
pub struct GraphView {
    /// Where it came from (`PC on data.csv`, `user graph`).
    pub title: String,
    /// The graph.
    pub graph: CausalGraph,
}

/// One effect estimate of the effects pane.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectView {
    /// Treatment variable.
    pub treatment: String,
    /// Outcome variable.
    pub outcome: String,
    /// Estimation method.
    pub method: String,
    /// Point estimate.
    pub estimate: f64,
    /// 95% interval, when known.
    pub ci95: Option<(f64, f64)>,
}

/// Whether a tool call is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolStatus {
    /// Not finished.
    Running,
    /// Succeeded.
    Ok,
    /// Failed.
    Failed,
}

/// One tool call of the trace.
#[derive(Debug, Clone)]
pub struct ToolEntry {
    /// Call id.
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Arguments (JSON text).
    pub arguments: String,
    /// Status.
    pub status: ToolStatus,
    /// Result summary (or error) once finished.
    pub summary: String,
    /// Time taken (while running: so far).
    pub elapsed: Duration,
    started: Option<Instant>,
}

/// One item of the transcript.
#[derive(Debug, Clone)]
pub enum Entry {
    /// What the user asked.
    User(String),
    /// Model output (Markdown), streaming while `streaming` is true.
    Model {
        /// The text so far.
        text: String,
        /// Whether more is coming.
        streaming: bool,
    },
    /// A tool call.
    Tool(ToolEntry),
    /// The agent's answer (Markdown).
    Answer(String),
    /// An informational line.
    Notice(String),
    /// An error.
    Error(String),
}

/// Which part of the screen receives navigation keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The input box (typing).
    Input,
    /// The transcript (scrolling).
    Transcript,
    /// The dataset pane.
    Data,
    /// The graph pane.
    Graph,
    /// The effects pane.
    Effects,
}

impl Focus {
    const ORDER: [Focus; 5] = [Focus::Input, Focus::Transcript, Focus::Data, Focus::Graph, Focus::Effects];

    fn next(self) -> Focus {
        let i = Focus::ORDER.iter().position(|f| *f == self).unwrap_or(0);
        Focus::ORDER[(i + 1) % Focus::ORDER.len()]
    }

    fn previous(self) -> Focus {
        let i = Focus::ORDER.iter().position(|f| *f == self).unwrap_or(0);
        Focus::ORDER[(i + Focus::ORDER.len() - 1) % Focus::ORDER.len()]
    }

    /// Whether this is one of the side panes.
    pub fn is_side(self) -> bool {
        matches!(self, Focus::Data | Focus::Graph | Focus::Effects)
    }
}

/// Figures of the status bar.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// The model spec in use.
    pub model: String,
    /// Tokens generated in this session.
    pub tokens: u64,
    /// Generation speed of the last model call, tokens per second.
    pub tokens_per_second: Option<f64>,
    /// Agent steps of the current (or last) request.
    pub steps: usize,
    /// Duration of the current (or last) request.
    pub elapsed: Duration,
    /// Errors reported in this session.
    pub errors: usize,
    /// The session id, once known.
    pub session: Option<String>,
}

/// What the runtime must do after a key press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Ask the agent a question.
    Ask(String),
    /// Load a data file into the session.
    Load(PathBuf),
    /// Switch the model.
    SetModel(String),
    /// Write the session report.
    Report,
    /// Save the session now.
    Save,
    /// Cancel the running request.
    Cancel,
    /// Leave the chat.
    Quit,
}

/// The whole state of the chat screen.
#[derive(Debug)]
pub struct ChatState {
    /// The conversation, oldest first.
    pub transcript: Vec<Entry>,
    /// The dataset pane's content.
    pub dataset: Option<DatasetView>,
    /// The graph pane's content.
    pub graph: Option<GraphView>,
    /// The effects pane's content.
    pub effects: Vec<EffectView>,
    /// The input box.
    pub input: InputBox,
    /// Where navigation keys go.
    pub focus: Focus,
    /// The status bar's figures.
    pub status: Status,
    /// Whether the help screen is shown.
    pub show_help: bool,
    /// Whether tool calls show their arguments and results (or one line each).
    pub trace_expanded: bool,
    /// Whether the graph pane lists edges instead of drawing layers.
    pub graph_as_list: bool,
    /// Whether a request is running.
    pub running: bool,
    /// The running step's latest progress note.
    pub progress: Option<String>,
    /// Rows the transcript is scrolled up from its end (0: follows new output).
    pub transcript_scroll: usize,
    /// Scroll offsets of the data, graph and effects panes, from the top.
    pub side_scroll: [usize; 3],
    /// Whether one more Ctrl-C quits.
    pub quit_armed: bool,
    /// Largest useful transcript scroll, as measured by the last draw.
    pub(crate) transcript_max_scroll: Cell<usize>,
    /// Largest useful side-pane scrolls, as measured by the last draw.
    pub(crate) side_max_scroll: [Cell<usize>; 3],
    /// Rows of the transcript viewport at the last draw (a page).
    pub(crate) page: Cell<usize>,
    run_started: Option<Instant>,
}

impl Default for ChatState {
    fn default() -> Self {
        ChatState::new("none")
    }
}

impl ChatState {
    /// An empty chat using the model `model`.
    pub fn new(model: &str) -> Self {
        ChatState {
            transcript: Vec::new(),
            dataset: None,
            graph: None,
            effects: Vec::new(),
            input: InputBox::new(),
            focus: Focus::Input,
            status: Status { model: model.to_string(), ..Status::default() },
            show_help: false,
            trace_expanded: true,
            graph_as_list: false,
            running: false,
            progress: None,
            transcript_scroll: 0,
            side_scroll: [0; 3],
            quit_armed: false,
            transcript_max_scroll: Cell::new(usize::MAX),
            side_max_scroll: [Cell::new(usize::MAX), Cell::new(usize::MAX), Cell::new(usize::MAX)],
            page: Cell::new(10),
            run_started: None,
        }
    }

    /// Updates the state with one event of the agent.
    pub fn apply(&mut self, event: UiEvent) {
        match event {
            UiEvent::User(question) => {
                self.input.remember(&question);
                self.transcript.push(Entry::User(question));
            }
            UiEvent::Step(step) => self.status.steps = self.status.steps.max(step),
            UiEvent::ModelBegin { step } => {
                self.status.steps = self.status.steps.max(step);
                self.transcript.push(Entry::Model { text: String::new(), streaming: true });
            }
            UiEvent::ModelDelta(delta) => match self.transcript.last_mut() {
                Some(Entry::Model { text, streaming: true }) => text.push_str(&delta),
                _ => self.transcript.push(Entry::Model { text: delta, streaming: true }),
            },
            UiEvent::ModelEnd { tokens, elapsed } => {
                self.status.tokens += tokens;
                let seconds = elapsed.as_secs_f64();
                if tokens > 0 && seconds > 0.0 {
                    self.status.tokens_per_second = Some(tokens as f64 / seconds);
                }
                self.end_model_stream();
            }
            UiEvent::ToolStarted { id, name, arguments } => {
                self.end_model_stream();
                self.transcript.push(Entry::Tool(ToolEntry {
                    id,
                    name,
                    arguments,
                    status: ToolStatus::Running,
                    summary: String::new(),
                    elapsed: Duration::ZERO,
                    started: Some(Instant::now()),
                }));
            }
            UiEvent::ToolFinished { id, ok, summary, elapsed } => {
                let call = self.transcript.iter_mut().rev().find_map(|e| match e {
                    Entry::Tool(t) if t.id == id && t.status == ToolStatus::Running => Some(t),
                    _ => None,
                });
                if let Some(call) = call {
                    call.status = if ok { ToolStatus::Ok } else { ToolStatus::Failed };
                    call.summary = summary;
                    call.elapsed = elapsed;
                    call.started = None;
                }
                self.progress = None;
            }
            UiEvent::Progress(note) => self.progress = Some(note),
            UiEvent::Answer(text) => {
                self.end_model_stream();
                self.transcript.push(Entry::Answer(text));
            }
            UiEvent::Error(message) => {
                self.status.errors += 1;
                self.transcript.push(Entry::Error(message));
            }
            UiEvent::Notice(message) => self.transcript.push(Entry::Notice(message)),
            UiEvent::Dataset(view) => {
                self.dataset = Some(view);
                self.side_scroll[0] = 0;
            }
            UiEvent::Graph(view) => {
                self.graph_as_list = view.graph.node_count() > 30;
                self.graph = Some(view);
                self.side_scroll[1] = 0;
            }
            UiEvent::Effects(effects) => {
                self.effects = effects;
                self.side_scroll[2] = 0;
            }
            UiEvent::Model(spec) => self.status.model = spec,
            UiEvent::Session(id) => self.status.session = Some(id),
            UiEvent::RunFinished { cancelled } => {
                self.end_model_stream();
                for entry in &mut self.transcript {
                    if let Entry::Tool(t) = entry
                        && t.status == ToolStatus::Running
                    {
                        t.status = ToolStatus::Failed;
                        t.summary = if cancelled { "cancelled".into() } else { "did not finish".into() };
                        t.started = None;
                    }
                }
                if cancelled {
                    self.transcript.push(Entry::Notice("cancelled; the session is kept".into()));
                }
                self.running = false;
                self.progress = None;
                self.run_started = None;
            }
        }
    }

    fn end_model_stream(&mut self) {
        if let Some(Entry::Model { text, streaming }) = self.transcript.last_mut() {
            *streaming = false;
            if text.trim().is_empty() {
                self.transcript.pop();
            }
        }
    }

    /// Advances the clocks of the running request and tool calls to `now`.
    pub fn tick(&mut self, now: Instant) {
        if let Some(started) = self.run_started {
            self.status.elapsed = now.saturating_duration_since(started);
        }
        for entry in &mut self.transcript {
            if let Entry::Tool(ToolEntry { started: Some(started), elapsed, .. }) = entry {
                *elapsed = now.saturating_duration_since(*started);
            }
        }
    }

    /// Marks a request as started (the clock runs from now).
    pub fn start_run(&mut self) {
        self.running = true;
        self.progress = None;
        self.run_started = Some(Instant::now());
        self.status.elapsed = Duration::ZERO;
        self.status.steps = 0;
        self.transcript_scroll = 0;
    }

    /// Handles one key press and says what the runtime must do.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return self.ctrl_c();
        }
        self.quit_armed = false;
        if self.show_help {
            // Any key closes the help screen; only F1 and Esc are swallowed.
            self.show_help = false;
            if matches!(key.code, KeyCode::Esc | KeyCode::F(1)) {
                return None;
            }
        }
        match key.code {
            KeyCode::F(1) => self.show_help = true,
            KeyCode::Tab => self.focus = self.focus.next(),
            KeyCode::BackTab => self.focus = self.focus.previous(),
            KeyCode::Char('t') if ctrl => self.trace_expanded = !self.trace_expanded,
            KeyCode::Char('l') if ctrl => self.focus_graph_list(),
            KeyCode::Esc => self.focus = Focus::Input,
            KeyCode::PageUp => self.scroll(-(self.page.get().max(2) as isize - 1)),
            KeyCode::PageDown => self.scroll(self.page.get().max(2) as isize - 1),
            _ if self.focus == Focus::Input => return self.edit(key),
            KeyCode::Up | KeyCode::Char('k') => self.scroll(-1),
            KeyCode::Down | KeyCode::Char('j') => self.scroll(1),
            KeyCode::Home | KeyCode::Char('g') => self.scroll(isize::MIN / 2),
            KeyCode::End | KeyCode::Char('G') => self.scroll(isize::MAX / 2),
            KeyCode::Char('v') if self.focus == Focus::Graph => self.graph_as_list = !self.graph_as_list,
            KeyCode::Char('?') => self.show_help = true,
            KeyCode::Char(_) | KeyCode::Enter | KeyCode::Backspace => {
                self.focus = Focus::Input;
                return self.edit(key);
            }
            _ => {}
        }
        None
    }

    /// Inserts pasted text into the input box.
    pub fn paste(&mut self, text: &str) {
        self.focus = Focus::Input;
        self.input.paste(text);
    }

    fn focus_graph_list(&mut self) {
        self.focus = Focus::Graph;
        self.graph_as_list = !self.graph_as_list;
    }

    fn ctrl_c(&mut self) -> Option<Action> {
        if self.running {
            self.quit_armed = false;
            self.progress = Some("cancelling…".into());
            return Some(Action::Cancel);
        }
        if !self.input.text().is_empty() {
            self.input.set_text("");
            return None;
        }
        if self.quit_armed {
            return Some(Action::Quit);
        }
        self.quit_armed = true;
        None
    }

    /// Scrolls the focused pane by `rows` (negative: towards the start).
    fn scroll(&mut self, rows: isize) {
        let step = |offset: usize, max: usize, delta: isize| -> usize {
            let moved = if delta < 0 {
                offset.saturating_add(delta.unsigned_abs())
            } else {
                offset.saturating_sub(delta as usize)
            };
            moved.min(max)
        };
        match self.focus {
            Focus::Input | Focus::Transcript => {
                // The transcript offset counts from the end, so scrolling up adds.
                self.transcript_scroll = step(self.transcript_scroll, self.transcript_max_scroll.get(), rows);
            }
            side => {
                let i = side_index(side);
                let max = self.side_max_scroll[i].get();
                let current = self.side_scroll[i];
                self.side_scroll[i] = if rows < 0 {
                    current.saturating_sub(rows.unsigned_abs())
                } else {
                    current.saturating_add(rows as usize).min(max)
                };
            }
        }
    }

    fn edit(&mut self, key: KeyEvent) -> Option<Action> {
        match self.input.handle_key(key) {
            InputOutcome::Submitted(text) => self.submit(&text),
            InputOutcome::Edited | InputOutcome::Ignored => None,
        }
    }

    fn submit(&mut self, text: &str) -> Option<Action> {
        let submission = match parse_submission(text) {
            Ok(Some(submission)) => submission,
            Ok(None) => return None,
            Err(err) => {
                self.transcript.push(Entry::Error(err.to_string()));
                self.input.set_text(text);
                return None;
            }
        };
        let needs_agent = !matches!(
            submission,
            Submission::Command(
                SlashCommand::Graph | SlashCommand::Clear | SlashCommand::Help | SlashCommand::Quit
            )
        );
        if needs_agent && self.running {
            self.transcript.push(Entry::Notice("still working: wait, or press Ctrl-C to cancel".into()));
            self.input.set_text(text);
            return None;
        }
        let action = match submission {
            Submission::Question(question) => {
                self.transcript.push(Entry::User(question.clone()));
                Action::Ask(question)
            }
            Submission::Command(command) => match command {
                SlashCommand::Load(path) => {
                    self.transcript.push(Entry::User(format!("/load {}", path.display())));
                    Action::Load(path)
                }
                SlashCommand::Model(spec) => Action::SetModel(spec),
                SlashCommand::Report => Action::Report,
                SlashCommand::Save => Action::Save,
                SlashCommand::Quit => return Some(Action::Quit),
                SlashCommand::Graph => {
                    self.focus = Focus::Graph;
                    return None;
                }
                SlashCommand::Clear => {
                    self.transcript.clear();
                    self.transcript_scroll = 0;
                    return None;
                }
                SlashCommand::Help => {
                    self.show_help = true;
                    return None;
                }
            },
        };
        self.start_run();
        Some(action)
    }
}

/// Index of a side pane in [`ChatState::side_scroll`].
pub(crate) fn side_index(focus: Focus) -> usize {
    match focus {
        Focus::Graph => 1,
        Focus::Effects => 2,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn type_line(state: &mut ChatState, text: &str) -> Option<Action> {
        for c in text.chars() {
            assert_eq!(state.handle_key(key(KeyCode::Char(c))), None);
        }
        state.handle_key(key(KeyCode::Enter))
    }

    #[test]
    fn a_question_is_shown_and_sent_and_the_run_ends_with_the_answer() {
        let mut state = ChatState::new("none");
        assert_eq!(type_line(&mut state, "does x cause y?"), Some(Action::Ask("does x cause y?".into())));
        assert!(state.running);
        assert!(matches!(&state.transcript[0], Entry::User(q) if q == "does x cause y?"));
        state.apply(UiEvent::ModelBegin { step: 1 });
        state.apply(UiEvent::ModelDelta("Thin".into()));
        state.apply(UiEvent::ModelDelta("king".into()));
        assert!(matches!(&state.transcript[1], Entry::Model { text, streaming: true } if text == "Thinking"));
        state.apply(UiEvent::ModelEnd { tokens: 20, elapsed: Duration::from_millis(500) });
        assert_eq!(state.status.tokens, 20);
        assert_eq!(state.status.tokens_per_second, Some(40.0));
        state.apply(UiEvent::Answer("yes".into()));
        state.apply(UiEvent::RunFinished { cancelled: false });
        assert!(!state.running);
        assert!(matches!(&state.transcript[2], Entry::Answer(a) if a == "yes"));
        assert_eq!(state.status.steps, 1);
    }

    #[test]
    fn tool_calls_are_matched_by_id_and_cancelled_ones_marked() {
        let mut state = ChatState::new("none");
        state.start_run();
        for id in ["a", "b"] {
            state.apply(UiEvent::ToolStarted {
                id: id.into(),
                name: "discover".into(),
                arguments: "{}".into(),
            });
        }
        state.apply(UiEvent::ToolFinished {
            id: "a".into(),
            ok: false,
            summary: "bad column".into(),
            elapsed: Duration::from_secs(1),
        });
        state.apply(UiEvent::RunFinished { cancelled: true });
        let tools: Vec<(ToolStatus, String)> = state
            .transcript
            .iter()
            .filter_map(|e| if let Entry::Tool(t) = e { Some((t.status, t.summary.clone())) } else { None })
            .collect();
        assert_eq!(
            tools,
            [(ToolStatus::Failed, "bad column".into()), (ToolStatus::Failed, "cancelled".into())]
        );
        assert!(matches!(state.transcript.last(), Some(Entry::Notice(n)) if n.contains("cancelled")));
    }

    #[test]
    fn ctrl_c_cancels_a_run_and_quits_only_when_pressed_twice_while_idle() {
        let mut state = ChatState::new("none");
        type_line(&mut state, "q");
        assert_eq!(state.handle_key(ctrl('c')), Some(Action::Cancel));
        assert_eq!(state.handle_key(ctrl('c')), Some(Action::Cancel), "still running until the agent stops");
        state.apply(UiEvent::RunFinished { cancelled: true });
        assert_eq!(state.handle_key(ctrl('c')), None);
        assert!(state.quit_armed);
        assert_eq!(state.handle_key(ctrl('c')), Some(Action::Quit));
        // Another key between the two presses disarms; Ctrl-C with a draft clears the draft.
        let mut state = ChatState::new("none");
        state.handle_key(ctrl('c'));
        state.handle_key(key(KeyCode::Char('x')));
        assert_eq!(state.handle_key(ctrl('c')), None);
        assert_eq!(state.input.text(), "");
        assert_eq!(state.handle_key(ctrl('c')), None);
        assert_eq!(state.handle_key(ctrl('c')), Some(Action::Quit));
    }

    #[test]
    fn slash_commands_become_actions_or_local_changes() {
        let mut state = ChatState::new("none");
        assert_eq!(type_line(&mut state, "/load d.csv"), Some(Action::Load("d.csv".into())));
        state.apply(UiEvent::RunFinished { cancelled: false });
        assert_eq!(type_line(&mut state, "/model local"), Some(Action::SetModel("local".into())));
        state.apply(UiEvent::RunFinished { cancelled: false });
        assert_eq!(type_line(&mut state, "/graph"), None);
        assert_eq!(state.focus, Focus::Graph);
        state.focus = Focus::Input;
        assert_eq!(type_line(&mut state, "/help"), None);
        assert!(state.show_help);
        state.handle_key(key(KeyCode::Esc));
        assert!(!state.show_help);
        assert_eq!(type_line(&mut state, "/clear"), None);
        assert!(state.transcript.is_empty());
        assert_eq!(type_line(&mut state, "/quit"), Some(Action::Quit));
    }

    #[test]
    fn a_bad_command_is_reported_and_kept_for_editing() {
        let mut state = ChatState::new("none");
        assert_eq!(type_line(&mut state, "/lod x"), None);
        assert!(matches!(&state.transcript[0], Entry::Error(e) if e.contains("/lod")));
        assert_eq!(state.input.text(), "/lod x");
    }

    #[test]
    fn a_question_while_running_is_refused_and_kept() {
        let mut state = ChatState::new("none");
        type_line(&mut state, "first");
        assert_eq!(type_line(&mut state, "second"), None);
        assert_eq!(state.input.text(), "second");
        assert!(matches!(state.transcript.last(), Some(Entry::Notice(_))));
    }

    #[test]
    fn tab_cycles_focus_and_typing_returns_to_the_input() {
        let mut state = ChatState::new("none");
        let mut seen = vec![state.focus];
        for _ in 0..5 {
            state.handle_key(key(KeyCode::Tab));
            seen.push(state.focus);
        }
        assert_eq!(
            seen,
            [Focus::Input, Focus::Transcript, Focus::Data, Focus::Graph, Focus::Effects, Focus::Input]
        );
        state.handle_key(key(KeyCode::BackTab));
        assert_eq!(state.focus, Focus::Effects);
        state.handle_key(key(KeyCode::Char('w')));
        assert_eq!((state.focus, state.input.text().as_str()), (Focus::Input, "w"));
    }

    #[test]
    fn scrolling_is_bounded_by_the_last_draw() {
        let mut state = ChatState::new("none");
        state.transcript_max_scroll.set(5);
        state.page.set(4);
        state.handle_key(key(KeyCode::PageUp));
        assert_eq!(state.transcript_scroll, 3);
        state.handle_key(key(KeyCode::PageUp));
        assert_eq!(state.transcript_scroll, 5);
        state.handle_key(key(KeyCode::PageDown));
        assert_eq!(state.transcript_scroll, 2);
        state.focus = Focus::Graph;
        state.side_max_scroll[1].set(2);
        for _ in 0..4 {
            state.handle_key(key(KeyCode::Down));
        }
        assert_eq!(state.side_scroll[1], 2);
        state.handle_key(key(KeyCode::Home));
        assert_eq!(state.side_scroll[1], 0);
    }
}
