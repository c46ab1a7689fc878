//! Snapshot tests of the chat screen, rendered into ratatui's `TestBackend` (no terminal).
//! Each snapshot was read by eye: it must show what its name says.

// A failed assertion is how a test reports.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use causa_graph::io::parse_text;
use causa_tui::state::{ChatState, ColumnView, DatasetView, EffectView, Focus, GraphView, UiEvent};
use causa_tui::view::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn render(state: &ChatState, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| draw(frame, state)).unwrap();
    terminal.backend().to_string()
}

fn ask(state: &mut ChatState, question: &str) {
    for c in question.chars() {
        state.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    state.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
}

fn with_data() -> ChatState {
    let mut state = ChatState::new("none");
    state.apply(UiEvent::Session("20261122-033000-ab12".into()));
    state.apply(UiEvent::Dataset(DatasetView {
        source: "smoking.csv".into(),
        rows: 2000,
        columns: vec![
            ColumnView {
                name: "smoking".into(),
                kind: "discrete(2)".into(),
                summary: "0: 62%, 1: 38%".into(),
            },
            ColumnView { name: "tar".into(), kind: "continuous".into(), summary: "mean 1.02 sd 0.98".into() },
            ColumnView {
                name: "cancer".into(),
                kind: "continuous".into(),
                summary: "mean 0.51 sd 1.40".into(),
            },
        ],
        notes: vec!["recommended: pc with fisher-z".into()],
    }));
    state.apply(UiEvent::Graph(GraphView {
        title: "PC on smoking.csv".into(),
        graph: parse_text("smoking -> tar; tar -> cancer; genotype -> smoking; genotype -> cancer").unwrap(),
    }));
    state.apply(UiEvent::Effects(vec![EffectView {
        treatment: "smoking".into(),
        outcome: "cancer".into(),
        method: "front-door".into(),
        estimate: 0.4871,
        ci95: Some((0.41, 0.563)),
    }]));
    state
}

#[test]
fn empty() {
    insta::assert_snapshot!(render(&ChatState::new("local"), 120, 30));
}

#[test]
fn streaming_model_output() {
    let mut state = ChatState::new("local");
    ask(&mut state, "What is the effect of smoking on cancer?");
    state.apply(UiEvent::ModelBegin { step: 1 });
    state.apply(UiEvent::ModelEnd { tokens: 120, elapsed: Duration::from_secs(2) });
    state.apply(UiEvent::ModelBegin { step: 2 });
    for token in [
        "The **front-door**",
        " criterion applies:\n\n",
        "- smoking affects cancer only",
        " through tar\n- tar has",
    ] {
        state.apply(UiEvent::ModelDelta(token.into()));
    }
    insta::assert_snapshot!(render(&state, 100, 24));
}

#[test]
fn tool_running() {
    let mut state = with_data();
    ask(&mut state, "Learn the graph");
    state.apply(UiEvent::ToolStarted {
        id: "1".into(),
        name: "profile".into(),
        arguments: r#"{"path":"smoking.csv"}"#.into(),
    });
    state.apply(UiEvent::ToolFinished {
        id: "1".into(),
        ok: true,
        summary: "2000 rows, 3 columns; recommended pc".into(),
        elapsed: Duration::from_millis(420),
    });
    state.apply(UiEvent::ToolStarted {
        id: "2".into(),
        name: "discover".into(),
        arguments: r#"{"algo":"pc","alpha":0.05}"#.into(),
    });
    state.apply(UiEvent::Progress("PC: testing depth 1".into()));
    insta::assert_snapshot!(render(&state, 120, 30));
}

#[test]
fn tool_failed_and_collapsed_trace() {
    let mut state = with_data();
    ask(&mut state, "Estimate the effect of tar on lung");
    state.apply(UiEvent::ToolStarted {
        id: "1".into(),
        name: "estimate".into(),
        arguments: r#"{"treatment":"tar","outcome":"lung"}"#.into(),
    });
    state.apply(UiEvent::ToolFinished {
        id: "1".into(),
        ok: false,
        summary: "no column `lung` in smoking.csv; the columns are smoking, tar, cancer".into(),
        elapsed: Duration::from_millis(35),
    });
    state.apply(UiEvent::Error("the step failed: no column `lung`".into()));
    state.apply(UiEvent::RunFinished { cancelled: false });
    let expanded = render(&state, 120, 24);
    state.handle_key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL));
    let collapsed = render(&state, 120, 24);
    insta::assert_snapshot!("tool_failed_expanded", expanded);
    insta::assert_snapshot!("tool_failed_collapsed", collapsed);
}

#[test]
fn answer_with_markdown_and_graph_pane() {
    let mut state = with_data();
    ask(&mut state, "Does smoking cause cancer?");
    state.apply(UiEvent::Answer(
        "## Effect of smoking on cancer\n\nThe effect is identified by the **front-door** criterion.\n\n\
         | method | effect | 95% CI |\n|---|---|---|\n| front-door | 0.487 | [0.410, 0.563] |\n"
            .into(),
    ));
    state.apply(UiEvent::RunFinished { cancelled: false });
    state.focus = Focus::Graph;
    insta::assert_snapshot!(render(&state, 120, 40));
}

#[test]
fn graph_pane_as_list_in_a_narrow_terminal() {
    let mut state = with_data();
    state.focus = Focus::Graph;
    let layers = render(&state, 80, 24);
    state.handle_key(KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE));
    let list = render(&state, 80, 24);
    insta::assert_snapshot!("graph_narrow_layers", layers);
    insta::assert_snapshot!("graph_narrow_list", list);
}

#[test]
fn small_terminals() {
    let mut state = with_data();
    ask(&mut state, "What is the effect of smoking on cancer, adjusting for whatever the graph says?");
    state.apply(UiEvent::ToolStarted { id: "1".into(), name: "estimate".into(), arguments: "{}".into() });
    state.apply(UiEvent::ToolFinished {
        id: "1".into(),
        ok: true,
        summary: "0.487".into(),
        elapsed: Duration::ZERO,
    });
    state.apply(UiEvent::Answer("The effect is **0.487** (95% CI 0.410 to 0.563).".into()));
    state.apply(UiEvent::RunFinished { cancelled: false });
    insta::assert_snapshot!("small_80x24", render(&state, 80, 24));
    insta::assert_snapshot!("small_50x12", render(&state, 50, 12));
    // Degenerate sizes must not panic.
    for (w, h) in [(20, 6), (1, 1), (1, 40), (10, 3)] {
        render(&state, w, h);
    }
}

#[test]
fn help() {
    let mut state = ChatState::new("none");
    state.handle_key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE));
    insta::assert_snapshot!(render(&state, 80, 24));
}

#[test]
fn scrolled_transcript_shows_how_much_is_below() {
    let mut state = ChatState::new("none");
    for i in 0..30 {
        state.apply(UiEvent::Notice(format!("line {i}")));
    }
    render(&state, 80, 24);
    state.handle_key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE));
    let screen = render(&state, 80, 24);
    assert!(screen.contains("more"), "{screen}");
    assert!(!screen.contains("line 29"), "{screen}");
    state.handle_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    state.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    state.handle_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    assert!(render(&state, 80, 24).contains("line 29"));
}
