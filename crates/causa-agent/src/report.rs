//! Reports of a question's analysis: `report.md`, `report.html` (self-contained), `results.json`
//! and `transcript.jsonl`, all written into one output folder.
//!
//! Everything that came from the data or the model (column names, cell-derived text, the model's
//! answer) is data: in HTML it is escaped, in Markdown it is put in code spans or escaped, so a
//! column named `<script>` or `](http://evil)` renders as text. The graph figure is the SVG of
//! `causa_graph::io::write_svg`, which escapes its labels.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{AgentError, Result};
use crate::event::{Event, RunStatus, to_jsonl};
use crate::fsutil::write_atomically;
use crate::session::{AnswerRecord, EstimateRecord, GraphRecord, SessionState, Turn};

/// The files a report consists of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportFiles {
    /// `report.md`.
    pub markdown: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
    /// `results.json`.
    pub results: PathBuf,
    /// `transcript.jsonl`.
    pub transcript: PathBuf,
}

/// The results of the last question of `state`, as the JSON written to `results.json`.
pub fn results_json(state: &SessionState) -> Value {
    let turn = state.turns.last();
    json!({
        "format": "causa-results/1",
        "session_id": state.id,
        "model": state.model,
        "question": turn.map(|t| t.question.clone()),
        "status": turn.and_then(|t| t.status).map(RunStatus::name),
        "elapsed_ms": turn.map(|t| t.elapsed_ms),
        "answer": turn.and_then(|t| t.answer.clone()),
        "datasets": state.datasets,
        "graphs": state.graphs,
        "estimates": state.estimates,
        "attributions": state.attributions,
        "steps": turn.map(|t| t.steps.clone()).unwrap_or_default(),
        "notices": turn.map(|t| t.notices.clone()).unwrap_or_default(),
    })
}

/// Writes the four report files into `dir` (which must exist), replacing earlier versions.
pub fn write_reports(state: &SessionState, events: &[Event], dir: &Path) -> Result<ReportFiles> {
    let files = ReportFiles {
        markdown: dir.join("report.md"),
        html: dir.join("report.html"),
        results: dir.join("results.json"),
        transcript: dir.join("transcript.jsonl"),
    };
    let results =
        serde_json::to_string_pretty(&results_json(state)).map_err(|e| AgentError::io(&files.results, e))?;
    write_atomically(&files.results, format!("{results}\n").as_bytes())?;
    write_atomically(&files.markdown, markdown(state).as_bytes())?;
    write_atomically(&files.html, html(state).as_bytes())?;
    write_atomically(&files.transcript, to_jsonl(events).as_bytes())?;
    Ok(files)
}

fn fmt(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (4 - 1 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.digits$}")
}

/// Escapes text for Markdown: characters with markup meaning get a backslash, line breaks
/// become spaces (text from data never starts a heading or a list).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '<' | '>' | '|' | '!' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn status_of(turn: Option<&Turn>) -> &'static str {
    turn.and_then(|t| t.status).map_or("running", RunStatus::name)
}

/// The graph used for the answer: the one of the main estimate, else the latest.
fn main_graph<'a>(state: &'a SessionState, estimate: Option<&EstimateRecord>) -> Option<&'a GraphRecord> {
    estimate
        .and_then(|e| e.graph.as_ref())
        .and_then(|g| state.graphs.iter().find(|r| &r.name == g))
        .or_else(|| state.graphs.last())
}

fn svg_of(graph: &GraphRecord) -> Option<String> {
    let g = crate::workspace::graph_of(graph).ok()?;
    Some(causa_graph::io::write_svg(&g))
}

fn refutation_verdict(passed: Option<bool>) -> &'static str {
    match passed {
        Some(true) => "pass",
        Some(false) => "FAIL",
        None => "n/a",
    }
}

/// The Markdown report of the last question.
pub fn markdown(state: &SessionState) -> String {
    let turn = state.turns.last();
    let answer: Option<&AnswerRecord> = turn.and_then(|t| t.answer.as_ref());
    let mut out = String::from("# Causa analysis\n\n");
    out.push_str(&format!("**Question:** {}\n\n", md(turn.map_or("", |t| t.question.as_str()))));
    out.push_str(&format!(
        "Model: `{}` · status: {} · session `{}`\n\n",
        state.model.replace('`', "'"),
        status_of(turn),
        state.id
    ));
    out.push_str("## Answer\n\n");
    match answer {
        Some(a) => {
            out.push_str(&md(&a.text));
            out.push_str("\n\n");
            if a.deterministic {
                out.push_str("_Written from the tools' results by deterministic code._\n\n");
            }
        }
        None => out.push_str("No answer.\n\n"),
    }
    out.push_str("## Data\n\n");
    for d in &state.datasets {
        let cols: Vec<String> =
            d.columns.iter().map(|c| format!("{} ({})", md(&c.name), c.column_type)).collect();
        out.push_str(&format!(
            "- `{}`: {} rows; columns: {}\n",
            d.name.replace('`', "'"),
            d.rows,
            cols.join(", ")
        ));
        if let Some(rec) = d.profile.as_ref().and_then(|p| p.get("recommendation")) {
            let reasons: Vec<String> = rec["reasons"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(md).collect())
                .unwrap_or_default();
            out.push_str(&format!(
                "  - profile recommends {}: {}\n",
                rec["algorithm"].as_str().unwrap_or("?"),
                reasons.join(" ")
            ));
        }
    }
    let main = state.estimates.last();
    out.push_str("\n## Causal graph\n\n");
    match main_graph(state, main) {
        Some(g) => {
            out.push_str(&format!("Graph `{}` from {}:\n\n```\n", g.name, md(&g.source)));
            for e in &g.edges {
                out.push_str(&e.replace("```", "'''"));
                out.push('\n');
            }
            out.push_str("```\n\n");
        }
        None => out.push_str("No graph.\n\n"),
    }
    out.push_str("## Effect estimates\n\n");
    if state.estimates.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| estimate | treatment → outcome | effect | 95% CI | method | adjusted for |\n|---|---|---|---|---|---|\n");
        for e in &state.estimates {
            out.push_str(&format!(
                "| {} | {} → {} | {} | [{}, {}] | {} ({}) | {} |\n",
                md(&e.name),
                md(&e.treatment),
                md(&e.outcome),
                fmt(e.effect),
                fmt(e.ci95.0),
                fmt(e.ci95.1),
                e.method,
                e.estimand,
                if e.adjustment_set.is_empty() { "—".into() } else { md(&e.adjustment_set.join(", ")) }
            ));
        }
        out.push('\n');
        let refutations: Vec<(&EstimateRecord, &crate::session::RefutationRecord)> =
            state.estimates.iter().flat_map(|e| e.refutations.iter().map(move |r| (e, r))).collect();
        if !refutations.is_empty() {
            out.push_str("### Refutations\n\n");
            for (e, r) in refutations {
                out.push_str(&format!(
                    "- {} {}: {} — {}\n",
                    md(&e.name),
                    r.refuter,
                    refutation_verdict(r.passed),
                    md(&r.detail)
                ));
            }
            out.push('\n');
        }
    }
    if let Some(a) = answer {
        out.push_str("## Assumptions\n\n");
        for x in &a.assumptions {
            out.push_str(&format!("- {}\n", md(x)));
        }
        out.push_str("\n## Limits\n\n");
        for x in &a.limits {
            out.push_str(&format!("- {}\n", md(x)));
        }
        out.push('\n');
    }
    out.push_str("## Steps\n\n");
    if let Some(t) = turn {
        for s in &t.steps {
            let origin = match s.origin {
                crate::event::CallOrigin::Model => "model",
                crate::event::CallOrigin::Planner => "planner",
                crate::event::CallOrigin::Guard => "guard",
            };
            out.push_str(&format!(
                "{}. `{}` ({origin}, {} ms){} — {}\n",
                s.step,
                s.tool,
                s.elapsed_ms,
                if s.ok { "" } else { " **failed**" },
                md(&s.summary)
            ));
        }
        if !t.notices.is_empty() {
            out.push_str("\nWhere deterministic code stepped in:\n\n");
            for n in &t.notices {
                out.push_str(&format!("- {}\n", md(n)));
            }
        }
    }
    out
}

/// The self-contained HTML report of the last question.
pub fn html(state: &SessionState) -> String {
    let turn = state.turns.last();
    let e = html_escape;
    let mut body = String::new();
    body.push_str(&format!(
        "<h1>Causa analysis</h1>\n<p class=\"q\"><b>Question:</b> {}</p>\n",
        e(turn.map_or("", |t| t.question.as_str()))
    ));
    body.push_str(&format!(
        "<p class=\"meta\">Model: <code>{}</code> · status: {} · session <code>{}</code></p>\n",
        e(&state.model),
        status_of(turn),
        e(&state.id)
    ));
    body.push_str("<h2>Answer</h2>\n");
    match turn.and_then(|t| t.answer.as_ref()) {
        Some(a) => {
            for para in a.text.split("\n\n") {
                body.push_str(&format!("<p>{}</p>\n", e(para)));
            }
            if a.deterministic {
                body.push_str(
                    "<p class=\"meta\">Written from the tools' results by deterministic code.</p>\n",
                );
            }
        }
        None => body.push_str("<p>No answer.</p>\n"),
    }
    body.push_str("<h2>Data</h2>\n<ul>\n");
    for d in &state.datasets {
        let cols: Vec<String> =
            d.columns.iter().map(|c| format!("{} ({})", e(&c.name), e(&c.column_type))).collect();
        body.push_str(&format!(
            "<li><code>{}</code>: {} rows; columns: {}</li>\n",
            e(&d.name),
            d.rows,
            cols.join(", ")
        ));
    }
    body.push_str("</ul>\n");
    let main = state.estimates.last();
    body.push_str("<h2>Causal graph</h2>\n");
    match main_graph(state, main) {
        Some(g) => {
            body.push_str(&format!("<p>Graph <code>{}</code> from {}.</p>\n", e(&g.name), e(&g.source)));
            if let Some(svg) = svg_of(g) {
                body.push_str(&format!("<figure>{svg}</figure>\n"));
            }
            body.push_str(&format!("<pre>{}</pre>\n", e(&g.edges.join("\n"))));
        }
        None => body.push_str("<p>No graph.</p>\n"),
    }
    body.push_str("<h2>Effect estimates</h2>\n");
    if state.estimates.is_empty() {
        body.push_str("<p>None.</p>\n");
    } else {
        body.push_str("<table><tr><th>estimate</th><th>treatment → outcome</th><th>effect</th><th>95% CI</th><th>method</th><th>adjusted for</th></tr>\n");
        for x in &state.estimates {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>[{}, {}]</td><td>{} ({})</td><td>{}</td></tr>\n",
                e(&x.name),
                e(&x.treatment),
                e(&x.outcome),
                fmt(x.effect),
                fmt(x.ci95.0),
                fmt(x.ci95.1),
                e(&x.method),
                e(&x.estimand),
                e(&x.adjustment_set.join(", "))
            ));
        }
        body.push_str("</table>\n");
        let rows: Vec<String> = state
            .estimates
            .iter()
            .flat_map(|x| {
                x.refutations.iter().map(move |r| {
                    format!(
                        "<li>{} {}: <b>{}</b> — {}</li>",
                        e(&x.name),
                        e(&r.refuter),
                        refutation_verdict(r.passed),
                        e(&r.detail)
                    )
                })
            })
            .collect();
        if !rows.is_empty() {
            body.push_str(&format!("<h3>Refutations</h3>\n<ul>\n{}\n</ul>\n", rows.join("\n")));
        }
    }
    if let Some(a) = turn.and_then(|t| t.answer.as_ref()) {
        let list = |items: &[String]| {
            items.iter().map(|x| format!("<li>{}</li>", e(x))).collect::<Vec<_>>().join("\n")
        };
        body.push_str(&format!("<h2>Assumptions</h2>\n<ul>\n{}\n</ul>\n", list(&a.assumptions)));
        body.push_str(&format!("<h2>Limits</h2>\n<ul>\n{}\n</ul>\n", list(&a.limits)));
    }
    body.push_str("<h2>Steps</h2>\n<ol>\n");
    if let Some(t) = turn {
        for s in &t.steps {
            let origin = match s.origin {
                crate::event::CallOrigin::Model => "model",
                crate::event::CallOrigin::Planner => "planner",
                crate::event::CallOrigin::Guard => "guard",
            };
            body.push_str(&format!(
                "<li><code>{}</code> ({origin}, {} ms){} — {}</li>\n",
                e(&s.tool),
                s.elapsed_ms,
                if s.ok { "" } else { " <b>failed</b>" },
                e(&s.summary)
            ));
        }
    }
    body.push_str("</ol>\n");
    if let Some(t) = turn
        && !t.notices.is_empty()
    {
        let items: Vec<String> = t.notices.iter().map(|n| format!("<li>{}</li>", e(n))).collect();
        body.push_str(&format!(
            "<h3>Where deterministic code stepped in</h3>\n<ul>\n{}\n</ul>\n",
            items.join("\n")
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Causa analysis</title>\n\
         <style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem}}\
         pre{{background:#f5f5f5;padding:.6rem}}.meta{{color:#555;font-size:.9rem}}figure{{margin:1rem 0}}</style>\n\
         </head>\n<body>\n{body}</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{ColumnRecord, DatasetRecord};

    #[test]
    fn text_from_data_is_escaped() {
        let mut state = SessionState::new();
        state.datasets.push(DatasetRecord {
            name: "d".into(),
            file: "d.csv".into(),
            rows: 3,
            columns: vec![ColumnRecord {
                name: "<script>alert(1)</script>".into(),
                column_type: "continuous".into(),
            }],
            profile: None,
            simulated: None,
        });
        state.turns.push(Turn {
            question: "what about ](javascript:x) & <b>".into(),
            steps: vec![],
            notices: vec![],
            answer: None,
            status: Some(RunStatus::Completed),
            elapsed_ms: 1,
        });
        let page = html(&state);
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"), "{page}");
        assert!(page.contains("&amp; &lt;b&gt;"));
        let text = markdown(&state);
        assert!(text.contains("\\]\\(javascript:x\\)") && text.contains("\\<script\\>"), "{text}");
    }
}
