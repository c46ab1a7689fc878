//! Drawing the chat: a pure function of [`ChatState`].
//!
//! Wide terminals show the transcript with the data, graph and effects panes beside it; below 100
//! columns the side panes collapse and the focused one (Tab, or `/graph`) takes the transcript's
//! place, so the chat stays usable at 80x24 and below. Nothing here changes the state except the
//! measured scroll limits, which key handling needs to keep offsets in range.

use causa_graph::io::write_ascii;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::input::COMMANDS;
use crate::markdown::render_markdown;
use crate::state::{
    ChatState, DatasetView, EffectView, Entry, Focus, GraphView, ToolEntry, ToolStatus, side_index,
};
use crate::wrap::{Segment, flow, wrap_plain};

/// Below this width the side panes collapse.
pub const SIDE_BY_SIDE_MIN_WIDTH: u16 = 100;
/// Most rows the input box grows to (text rows, without its border).
const INPUT_MAX_ROWS: usize = 6;

const DIM: Style = Style::new().fg(Color::DarkGray);
const ACCENT: Style = Style::new().fg(Color::Cyan);

/// The keys of the help screen, with what they do.
pub const KEYS: [(&str, &str); 11] = [
    ("Enter", "send the question or command"),
    ("Alt-Enter, Ctrl-J", "new line (also Shift-Enter)"),
    ("Up / Down", "input history; lines of a long input"),
    ("Tab / Shift-Tab", "focus: input, conversation, panes"),
    ("PgUp / PgDn", "scroll the focused pane"),
    ("j/k, Home/End", "scroll, in a focused pane"),
    ("v, Ctrl-L", "graph as layers / as edge list"),
    ("Ctrl-T", "expand / collapse tool calls"),
    ("Ctrl-C", "cancel the step; twice to quit"),
    ("Ctrl-A/E/U/W", "line start/end, cut line/word"),
    ("F1, Esc", "this help; Esc: back to input"),
];

/// Draws the whole chat into the frame.
pub fn draw(frame: &mut Frame<'_>, state: &ChatState) {
    let area = frame.area();
    let input_rows = state.input.lines().len().clamp(1, INPUT_MAX_ROWS) as u16;
    let [main, input, status, keys] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(input_rows + 2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    if area.width >= SIDE_BY_SIDE_MIN_WIDTH {
        let side_width = (area.width * 2 / 5).max(40);
        let [left, right] =
            Layout::horizontal([Constraint::Min(20), Constraint::Length(side_width)]).areas(main);
        draw_transcript(frame, left, state, false);
        draw_side(frame, right, state);
    } else if state.focus.is_side() {
        draw_side_pane(frame, main, state, state.focus);
    } else {
        draw_transcript(frame, main, state, true);
    }
    draw_input(frame, input, state);
    draw_status(frame, status, state);
    draw_keys(frame, keys, state);
    if state.show_help {
        draw_help(frame, area);
    }
}

fn pane_block(title: &str, focused: bool) -> Block<'static> {
    let border = if focused { ACCENT } else { DIM };
    let title_style = if focused { ACCENT.add_modifier(Modifier::BOLD) } else { Style::new() };
    Block::new()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(format!(" {title} "), title_style))
}

fn draw_transcript(frame: &mut Frame<'_>, area: Rect, state: &ChatState, narrow: bool) {
    // With the side panes collapsed, the title says where they went.
    let title = if narrow { "Conversation · Tab: data, graph, effects" } else { "Conversation" };
    let block = pane_block(title, state.focus == Focus::Transcript);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = transcript_lines(state, inner.width as usize);
    let height = inner.height as usize;
    let max_scroll = lines.len().saturating_sub(height);
    state.transcript_max_scroll.set(max_scroll);
    state.page.set(height);
    let offset = state.transcript_scroll.min(max_scroll);
    let top = max_scroll - offset;
    let visible: Vec<Line<'static>> = lines.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(visible), inner);
    if offset > 0 {
        let note = format!(" ↓ {offset} more ");
        let width = note.width() as u16;
        if area.width > width + 2 {
            let at = Rect::new(area.right() - width - 2, area.bottom() - 1, width, 1);
            frame.render_widget(Paragraph::new(Span::styled(note, ACCENT)), at);
        }
    }
}

/// The transcript as lines `width` columns wide.
pub fn transcript_lines(state: &ChatState, width: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    if state.transcript.is_empty() && !state.running {
        lines.push(Line::styled("Ask a causal question, or load data with /load FILE.", DIM));
        lines.push(Line::styled("Example: what is the effect of x1 on x3?  (F1: keys and commands)", DIM));
        return lines;
    }
    for entry in &state.transcript {
        if !lines.is_empty() && !matches!(entry, Entry::Tool(_)) {
            lines.push(Line::default());
        }
        match entry {
            Entry::User(text) => {
                let style = Style::new().fg(Color::Green).add_modifier(Modifier::BOLD);
                lines.extend(flow(
                    &[(text.clone(), Style::new().add_modifier(Modifier::BOLD))],
                    &[Span::styled("› ", style)],
                    &[Span::raw("  ")],
                    width,
                ));
            }
            Entry::Model { text, streaming } => {
                let mut rendered = render_markdown(text, width.saturating_sub(2));
                if *streaming {
                    match rendered.last_mut() {
                        Some(last) => last.spans.push(Span::styled("▍", ACCENT)),
                        None => rendered.push(Line::styled("▍", ACCENT)),
                    }
                }
                // What the model writes on its way (tool calls, reasoning) is grey; answers are not.
                lines.extend(rendered.into_iter().map(|l| indent_line(l.patch_style(DIM), "  ", DIM)));
            }
            Entry::Tool(tool) => {
                if lines.last().is_some_and(|l| l.width() > 0) && !previous_is_tool(&lines) {
                    lines.push(Line::default());
                }
                lines.extend(tool_lines(tool, state.trace_expanded, width));
            }
            Entry::Answer(text) => {
                lines.push(Line::styled(
                    "● Answer",
                    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
                ));
                lines.extend(render_markdown(text, width));
            }
            Entry::Notice(text) => lines.extend(wrap_plain(text, DIM, "· ", width)),
            Entry::Error(text) => lines.extend(wrap_plain(text, Style::new().fg(Color::Red), "✗ ", width)),
        }
    }
    if state.running {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        let note = state.progress.clone().unwrap_or_else(|| "working…".into());
        lines.extend(wrap_plain(&note, Style::new().fg(Color::Yellow), "⋯ ", width));
    }
    lines
}

/// Whether the last non-empty line belongs to a tool call (tool calls are listed without gaps).
fn previous_is_tool(lines: &[Line<'_>]) -> bool {
    lines
        .last()
        .and_then(|l| l.spans.first())
        .is_some_and(|s| s.content.starts_with("⚙") || s.content.starts_with("  │"))
}

fn indent_line(line: Line<'static>, indent: &str, style: Style) -> Line<'static> {
    let mut spans = vec![Span::styled(indent.to_string(), style)];
    spans.extend(line.spans);
    Line::from(spans)
}

fn tool_lines(tool: &ToolEntry, expanded: bool, width: usize) -> Vec<Line<'static>> {
    let (mark, status_style, status_text) = match tool.status {
        ToolStatus::Running => ("…", Style::new().fg(Color::Yellow), "running"),
        ToolStatus::Ok => ("✓", Style::new().fg(Color::Green), "ok"),
        ToolStatus::Failed => ("✗", Style::new().fg(Color::Red), "failed"),
    };
    let head = vec![
        Span::styled("⚙ ", ACCENT),
        Span::styled(tool.name.clone(), Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(" "),
        Span::styled(format!("{mark} {status_text}"), status_style),
        Span::styled(format!(" {}", format_duration(tool.elapsed)), DIM),
    ];
    let arguments = compact_json(&tool.arguments);
    if !expanded {
        let mut spans = head;
        let used: usize = spans.iter().map(Span::width).sum();
        let detail = if tool.summary.is_empty() { arguments } else { tool.summary.clone() };
        let detail = first_line(&detail);
        if width > used + 4 && !detail.is_empty() {
            spans.push(Span::styled(format!("  {}", cut(&detail, width - used - 2)), DIM));
        }
        return vec![Line::from(spans)];
    }
    let mut lines = vec![Line::from(head)];
    let gutter = [Span::styled("  │ ", DIM)];
    if !arguments.is_empty() && arguments != "{}" {
        let segments: Vec<Segment> = vec![("args ".into(), DIM), (arguments, Style::new())];
        lines.extend(flow(&segments, &gutter, &gutter, width));
    }
    if !tool.summary.is_empty() {
        let style =
            if tool.status == ToolStatus::Failed { Style::new().fg(Color::Red) } else { Style::new() };
        let segments: Vec<Segment> = vec![("→ ".into(), DIM), (tool.summary.trim_end().to_string(), style)];
        lines.extend(flow(&segments, &gutter, &gutter, width));
    }
    lines
}

/// JSON arguments on one line (`{"a":1}` → `a=1`), or the text as given when it is not JSON.
fn compact_json(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => text.trim().to_string(),
    }
}

fn first_line(text: &str) -> String {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string()
}

/// Cuts text to `width` columns with an ellipsis.
fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// `35ms`, `4.2s`, `12s`, `3m05s`.
pub fn format_duration(d: std::time::Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 1.0 {
        format!("{}ms", d.as_millis())
    } else if secs < 10.0 {
        format!("{secs:.1}s")
    } else if secs < 60.0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

fn draw_side(frame: &mut Frame<'_>, area: Rect, state: &ChatState) {
    let [data, graph, effects] = Layout::vertical([
        Constraint::Percentage(30),
        Constraint::Percentage(45),
        Constraint::Percentage(25),
    ])
    .areas(area);
    draw_side_pane(frame, data, state, Focus::Data);
    draw_side_pane(frame, graph, state, Focus::Graph);
    draw_side_pane(frame, effects, state, Focus::Effects);
}

fn draw_side_pane(frame: &mut Frame<'_>, area: Rect, state: &ChatState, pane: Focus) {
    let (title, lines) = match pane {
        Focus::Graph => graph_pane(state.graph.as_ref(), state.graph_as_list),
        Focus::Effects => ("Effects".to_string(), effect_lines(&state.effects)),
        _ => ("Data".to_string(), data_lines(state.dataset.as_ref())),
    };
    let block = pane_block(&title, state.focus == pane);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let lines: Vec<Line<'static>> =
        if pane == Focus::Graph { lines } else { lines.into_iter().flat_map(|l| rewrap(l, width)).collect() };
    let i = side_index(pane);
    let max = lines.len().saturating_sub(inner.height as usize);
    state.side_max_scroll[i].set(max);
    let offset = state.side_scroll[i].min(max);
    // The graph drawing is not wrapped (that would break its columns): it scrolls, and is cut.
    frame.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)), inner);
    if max > 0 && area.height > 2 {
        let note = format!(" {}/{} ", offset + 1, max + 1);
        let width = note.width() as u16;
        if area.width > width + 2 {
            let at = Rect::new(area.right() - width - 1, area.bottom() - 1, width, 1);
            frame.render_widget(Paragraph::new(Span::styled(note, DIM)), at);
        }
    }
}

/// Wraps a line whose spans are plain text into lines of `width`.
fn rewrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width {
        return vec![line];
    }
    let segments: Vec<Segment> = line.spans.iter().map(|s| (s.content.to_string(), s.style)).collect();
    flow(&segments, &[], &[Span::raw("    ")], width)
}

fn data_lines(dataset: Option<&DatasetView>) -> Vec<Line<'static>> {
    let Some(data) = dataset else {
        return vec![Line::styled("No data. /load FILE", DIM)];
    };
    let mut lines = vec![
        Line::from(Span::styled(data.source.clone(), Style::new().add_modifier(Modifier::BOLD))),
        Line::styled(format!("{} rows × {} columns", data.rows, data.columns.len()), DIM),
    ];
    let name_width = data.columns.iter().map(|c| c.name.width()).max().unwrap_or(0).min(16);
    let kind_width = data.columns.iter().map(|c| c.kind.width()).max().unwrap_or(0).min(14);
    for column in &data.columns {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<name_width$} ", column.name), ACCENT),
            Span::raw(format!("{:<kind_width$} ", column.kind)),
            Span::styled(column.summary.clone(), DIM),
        ]));
    }
    for note in &data.notes {
        lines.push(Line::styled(note.clone(), Style::new().fg(Color::Yellow)));
    }
    lines
}

fn graph_pane(graph: Option<&GraphView>, as_list: bool) -> (String, Vec<Line<'static>>) {
    let Some(view) = graph else {
        return ("Graph".into(), vec![Line::styled("No graph yet.", DIM)]);
    };
    let g = &view.graph;
    let title = format!("Graph: {}", view.title);
    let text = if as_list {
        let mut text = format!("{} nodes, {} edges\n", g.node_count(), g.edge_count());
        for edge in g.edges() {
            text.push_str(&g.edge_text(edge));
            text.push('\n');
        }
        let lone: Vec<&str> =
            g.node_ids().filter(|v| g.incident(*v).next().is_none()).map(|v| g.name(v)).collect();
        if !lone.is_empty() {
            text.push_str(&format!("no edges: {}\n", lone.join(", ")));
        }
        text
    } else {
        write_ascii(g)
    };
    (title, text.lines().map(|l| Line::from(l.to_string())).collect())
}

fn effect_lines(effects: &[EffectView]) -> Vec<Line<'static>> {
    if effects.is_empty() {
        return vec![Line::styled("No estimates yet.", DIM)];
    }
    let mut lines = Vec::new();
    for effect in effects {
        lines.push(Line::from(vec![
            Span::styled(format!("{} → {}", effect.treatment, effect.outcome), ACCENT),
            Span::styled(format!("  {}", effect.method), DIM),
        ]));
        let interval = effect.ci95.map(|(lo, hi)| format!("  [{lo:.3}, {hi:.3}]")).unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("  {:.3}", effect.estimate), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(interval),
        ]));
    }
    lines
}

fn draw_input(frame: &mut Frame<'_>, area: Rect, state: &ChatState) {
    let focused = state.focus == Focus::Input;
    let title = if state.running { "Working… (Ctrl-C cancels)" } else { "Ask" };
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (row, col) = state.input.cursor();
    let lines = state.input.lines();
    let top = row.saturating_sub(inner.height.saturating_sub(1) as usize);
    let text: Vec<Line<'static>> = if lines.len() == 1 && lines[0].is_empty() && !focused {
        vec![Line::styled("Tab to type here", DIM)]
    } else {
        lines.iter().skip(top).map(|l| Line::from(l.clone())).collect()
    };
    let cursor_x = lines.get(row).map_or(0, |l| l.chars().take(col).collect::<String>().width()) as u16;
    let horizontal = cursor_x.saturating_sub(inner.width.saturating_sub(1));
    frame.render_widget(Paragraph::new(text).scroll((0, horizontal)), inner);
    if focused && !state.show_help && inner.width > 0 && inner.height > 0 {
        let y = inner.y + (row - top) as u16;
        frame.set_cursor_position(Position::new(inner.x + cursor_x - horizontal, y.min(inner.bottom() - 1)));
    }
}

fn draw_status(frame: &mut Frame<'_>, area: Rect, state: &ChatState) {
    let status = &state.status;
    let sep = Span::styled(" │ ", DIM);
    let (state_text, state_style) = if state.running {
        ("● running", Style::new().fg(Color::Yellow))
    } else {
        ("○ idle", Style::new().fg(Color::Green))
    };
    let mut spans = vec![
        Span::styled(format!(" {state_text}"), state_style),
        sep.clone(),
        Span::raw(format!("model {}", short_model(&status.model))),
        sep.clone(),
        Span::raw(format!("{} tok", status.tokens)),
    ];
    if let Some(speed) = status.tokens_per_second {
        let speed = if speed < 10.0 { format!("{speed:.1}") } else { format!("{speed:.0}") };
        spans.push(Span::raw(format!(" {speed} tok/s")));
    }
    spans.extend([
        sep.clone(),
        Span::raw(format!("step {}", status.steps)),
        sep.clone(),
        Span::raw(format_duration(status.elapsed)),
    ]);
    if status.errors > 0 {
        spans.push(sep.clone());
        let label = if status.errors == 1 { "error" } else { "errors" };
        spans.push(Span::styled(format!("{} {label}", status.errors), Style::new().fg(Color::Red)));
    }
    if let Some(id) = &status.session {
        spans.push(sep);
        spans.push(Span::styled(format!("session {id}"), DIM));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(Style::new().bg(Color::Black)), area);
}

/// The model without the folders of its file (`local:/a/b/m.gguf` → `local:m.gguf`): the status
/// bar has no room for paths.
fn short_model(model: &str) -> String {
    match (model.split_once(':'), model.rsplit_once('/')) {
        (Some((kind, _)), Some((_, file))) => format!("{kind}:{file}"),
        (None, Some((_, file))) => file.to_string(),
        _ => model.to_string(),
    }
}

fn draw_keys(frame: &mut Frame<'_>, area: Rect, state: &ChatState) {
    let narrow = area.width < SIDE_BY_SIDE_MIN_WIDTH;
    let hints: Vec<(&str, &str)> = if state.quit_armed {
        vec![("Ctrl-C", "again to quit"), ("any key", "stay")]
    } else if state.focus == Focus::Input {
        let cancel = if state.running { "cancel" } else { "quit" };
        if narrow {
            vec![
                ("⏎", "send"),
                ("M-⏎", "newline"),
                ("Tab", "focus"),
                ("PgUp/Dn", "scroll"),
                ("^T", "trace"),
                ("^C", cancel),
                ("F1", "help"),
            ]
        } else {
            vec![
                ("Enter", "send"),
                ("Alt-Enter", "newline"),
                ("Up/Down", "history"),
                ("Tab", "focus"),
                ("PgUp/PgDn", "scroll"),
                ("Ctrl-T", "trace"),
                ("Ctrl-C", cancel),
                ("F1", "help"),
            ]
        }
    } else {
        let mut hints = vec![("↑↓/PgUp/PgDn", "scroll"), ("Tab", "focus"), ("Esc", "input")];
        if !narrow {
            hints.insert(1, ("Home/End", "ends"));
        }
        if state.focus == Focus::Graph {
            hints.insert(1, ("v", "list/layers"));
        }
        hints.push(("F1", "help"));
        hints
    };
    let mut spans = vec![Span::raw(" ")];
    for (i, (key, what)) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key.to_string(), ACCENT.add_modifier(Modifier::BOLD)));
        spans.push(Span::styled(format!(" {what}"), DIM));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_help(frame: &mut Frame<'_>, area: Rect) {
    let key_width = KEYS.iter().chain(COMMANDS.iter()).map(|(k, _)| k.width()).max().unwrap_or(0);
    let natural =
        KEYS.iter().chain(COMMANDS.iter()).map(|(_, what)| what.width()).max().unwrap_or(0) + key_width + 2;
    let width = (natural as u16 + 4).min(area.width);
    let text_width = width.saturating_sub(4) as usize;
    let entry = |key: &str, what: &str| {
        let first = [Span::styled(format!("{key:<key_width$}  "), ACCENT)];
        let rest = [Span::raw(" ".repeat(key_width + 2))];
        flow(&[(what.to_string(), Style::new())], &first, &rest, text_width)
    };
    let mut lines = vec![Line::styled("Keys", ACCENT.add_modifier(Modifier::BOLD))];
    lines.extend(KEYS.iter().flat_map(|(key, what)| entry(key, what)));
    lines.push(Line::default());
    lines.push(Line::styled("Commands", ACCENT.add_modifier(Modifier::BOLD)));
    lines.extend(COMMANDS.iter().flat_map(|(key, what)| entry(key, what)));
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup =
        Rect::new(area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height);
    let block = pane_block("Help (Esc closes)", true);
    let inner = block.inner(popup).inner(ratatui::layout::Margin::new(1, 0));
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_paths_are_shortened_for_the_status_bar() {
        assert_eq!(short_model("local:/root/.cache/causa/models/m.gguf"), "local:m.gguf");
        assert_eq!(short_model("openai:gpt-4o"), "openai:gpt-4o");
        assert_eq!(short_model("none"), "none");
    }

    #[test]
    fn durations_read_naturally() {
        use std::time::Duration;
        assert_eq!(format_duration(Duration::from_millis(35)), "35ms");
        assert_eq!(format_duration(Duration::from_millis(4250)), "4.2s");
        assert_eq!(format_duration(Duration::from_secs(12)), "12s");
        assert_eq!(format_duration(Duration::from_secs(185)), "3m05s");
    }
}
