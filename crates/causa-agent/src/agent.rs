//! The agent loop: bounded steps, one tool call each, every call validated, the analysis plan
//! guarded.
//!
//! Each step either asks the model for a tool call (grammar-constrained to the offered tools'
//! schemas) or, without a model, takes the plan's next step. The guard steps in when the model
//! fails: an unknown tool or invalid arguments go back to it as an error it can act on (and after
//! two failures in a row the guard runs the required step itself); a repeated call or an answer
//! before the effect asked about is estimated makes the guard run the next required step; when
//! the remaining step budget only just covers the required steps, the guard runs them. Every
//! intervention is an [`Event::Notice`] and is kept in the turn, so the transcript shows where
//! deterministic code took over. The final answer must cite the numbers the tools produced;
//! otherwise the deterministic summary replaces it (and the transcript says so).

use std::sync::Arc;
use std::time::{Duration, Instant};

use causa_llm::{CallOptions, CancellationToken, ChatMessage, ChatRequest, LlmError, ToolChoice};
use serde_json::{Value, json};

use crate::error::{AgentError, Result};
use crate::event::{CallOrigin, Event, EventSink, RunStatus};
use crate::planner::{self, PlanStep};
use crate::question::{self, Intent};
use crate::session::{AnswerRecord, FileKind, Guidance, RunOutcome, Session, StepRecord, Turn};
use crate::tools::{self, ToolContext, ToolName};

/// Messages of the current turn the model sees (older ones are dropped to keep prompts short).
const HISTORY_MESSAGES: usize = 4;
/// Longest tool observation shown to the model, in characters.
const MAX_OBSERVATION: usize = 600;
/// Token budget of one model reply.
const MAX_REPLY_TOKENS: u32 = 200;
/// Failed calls in a row after which the guard runs the required step itself.
const GUARD_AFTER_FAILURES: usize = 2;

/// What the run knows about the question.
struct RunContext {
    intent: Option<Intent>,
    plan: Vec<PlanStep>,
    done: Vec<bool>,
    /// Successful (tool, arguments) pairs of this turn, to spot repeats.
    seen: Vec<(ToolName, Value)>,
    consecutive_failures: usize,
    model_failures: usize,
    use_model: bool,
    steps: usize,
    answer: Option<AnswerRecord>,
}

impl RunContext {
    fn next(&self) -> Option<&PlanStep> {
        self.plan.iter().zip(&self.done).find(|(_, d)| !**d).map(|(s, _)| s)
    }

    fn remaining_required(&self) -> usize {
        self.done.iter().filter(|d| !**d).count()
    }

    /// Marks steps completed by a successful call.
    fn record_success(&mut self, tool: ToolName, args: &Value, state: &crate::session::SessionState) {
        for (step, done) in self.plan.iter().zip(self.done.iter_mut()) {
            if !*done && step.satisfied_by(tool, args, state) {
                *done = true;
            }
        }
    }

    /// True while steps other than the answer remain.
    fn analysis_pending(&self) -> bool {
        self.plan.iter().zip(&self.done).any(|(s, d)| !*d && *s != PlanStep::Answer)
    }
}

/// One decided call: which tool, with which arguments, chosen by whom.
struct Decision {
    tool: ToolName,
    arguments: Value,
    origin: CallOrigin,
    call_id: String,
}

/// Runs one question in `session`.
pub(crate) async fn run(
    session: &mut Session,
    question: &str,
    sink: &dyn EventSink,
    cancel: CancellationToken,
) -> Result<RunOutcome> {
    let start = Instant::now();
    let question = question.trim();
    sink.emit(&Event::RunStarted {
        session_id: session.id().to_string(),
        question: question.to_string(),
        model: session.model_description(),
        data_files: session.state.files.iter().map(|f| f.name.clone()).collect(),
    });
    session.state.turns.push(Turn {
        question: question.to_string(),
        steps: Vec::new(),
        notices: Vec::new(),
        answer: None,
        status: None,
        elapsed_ms: 0,
    });
    let columns: Vec<String> =
        session.state.datasets.iter().flat_map(|d| d.columns.iter().map(|c| c.name.clone())).collect();
    let has_log = session.state.files.iter().any(|f| f.kind == FileKind::AgentLog);
    let intent = question::parse(question, &columns, has_log);
    if intent.is_none() && (session.model.is_none() || question.is_empty()) {
        let message = unparsed_message(question, &columns, has_log);
        sink.emit(&Event::Error { message: message.clone(), continues: false });
        finish(session, sink, RunStatus::Failed, 0, start, None)?;
        return Err(AgentError::Input(message));
    }
    if session.state.files.is_empty() && session.state.datasets.is_empty() {
        let message =
            "no data file was given: pass one with --data FILE (CSV, TSV, Parquet or JSON)".to_string();
        sink.emit(&Event::Error { message: message.clone(), continues: false });
        finish(session, sink, RunStatus::Failed, 0, start, None)?;
        return Err(AgentError::Input(message));
    }
    let stated = planner::stated_edges(question, &columns);
    let plan = match &intent {
        Some(i) => planner::plan(i, &session.state, &stated),
        None => planner::plan(&Intent::Structure, &session.state, &stated),
    };
    let mut cx = RunContext {
        done: vec![false; plan.len()],
        plan,
        intent,
        seen: Vec::new(),
        consecutive_failures: 0,
        model_failures: 0,
        use_model: session.model.is_some(),
        steps: 0,
        answer: None,
    };
    if let Some(i) = &cx.intent {
        sink.emit(&Event::Progress { message: describe_intent(i), fraction: None });
    }
    session.state.messages.push(ChatMessage::user(question));
    session.save()?;

    let max_steps = session.config.max_steps.max(1);
    let status = loop {
        if cancel.is_cancelled() {
            break RunStatus::Cancelled;
        }
        if let Some(limit) = session.config.time_limit
            && start.elapsed() >= limit
        {
            // The limit bounds model time; the remaining steps are fast deterministic tools.
            if cx.use_model {
                cx.use_model = false;
                notice(
                    session,
                    sink,
                    &format!(
                        "time limit of {}s reached; the remaining steps run without the model",
                        limit.as_secs()
                    ),
                );
            } else if start.elapsed() >= limit * 2 {
                sink.emit(&Event::Error {
                    message: format!("time limit of {}s exceeded twice over; stopping", limit.as_secs()),
                    continues: false,
                });
                break RunStatus::TimeLimit;
            }
        }
        if cx.answer.is_some() {
            break RunStatus::Completed;
        }
        if cx.steps >= max_steps {
            sink.emit(&Event::Error {
                message: format!("step limit of {max_steps} reached before an answer"),
                continues: false,
            });
            break RunStatus::StepLimit;
        }
        if cx.consecutive_failures >= session.config.max_consecutive_failures {
            sink.emit(&Event::Error {
                message: format!(
                    "{} tool calls failed in a row; stopping. The last error is above.",
                    cx.consecutive_failures
                ),
                continues: false,
            });
            break RunStatus::Failed;
        }
        cx.steps += 1;
        let step = cx.steps;
        let decision = match decide(session, &mut cx, question, step, max_steps, sink, &cancel, start).await {
            Ok(Some(d)) => d,
            Ok(None) => continue,
            Err(StepStop::Cancelled) => break RunStatus::Cancelled,
        };
        execute(session, &mut cx, decision, step, sink).await;
        session.save()?;
    };
    if cx.answer.is_none() && status != RunStatus::Cancelled {
        // Whatever stopped the run, the numbers already computed are reported.
        let answer = planner::summary_answer(cx.intent.as_ref(), &session.state);
        notice(
            session,
            sink,
            "the run stopped before an answer; the deterministic summary of the results is given",
        );
        emit_answer(sink, &answer);
        cx.answer = Some(answer);
    }
    finish(session, sink, status, cx.steps, start, cx.answer.clone())?;
    Ok(RunOutcome { status, answer: cx.answer, steps: cx.steps })
}

enum StepStop {
    Cancelled,
}

/// Chooses the call of this step: the planner's, the guard's, or the model's (validated).
#[allow(clippy::too_many_arguments)]
async fn decide(
    session: &mut Session,
    cx: &mut RunContext,
    question: &str,
    step: usize,
    max_steps: usize,
    sink: &dyn EventSink,
    cancel: &CancellationToken,
    start: Instant,
) -> std::result::Result<Option<Decision>, StepStop> {
    let call_id = format!("c{}-{step}", session.state.turns.len());
    let Some(next) = cx.next().cloned() else {
        // Plan complete but no answer recorded: answer deterministically.
        return Ok(Some(Decision {
            tool: ToolName::FinalAnswer,
            arguments: json!({}),
            origin: CallOrigin::Planner,
            call_id,
        }));
    };
    let planned_args = next.arguments(&session.state);
    let planned = |origin| Decision {
        tool: next.tool(),
        arguments: planned_args.clone(),
        origin,
        call_id: call_id.clone(),
    };
    if !cx.use_model {
        let origin = if session.model.is_some() { CallOrigin::Guard } else { CallOrigin::Planner };
        return Ok(Some(planned(origin)));
    }
    let steps_left = max_steps + 1 - step;
    if steps_left <= cx.remaining_required() {
        notice(
            session,
            sink,
            &format!(
                "step budget: {steps_left} steps left for {} required steps; running {} directly",
                cx.remaining_required(),
                next.tool().as_str()
            ),
        );
        return Ok(Some(planned(CallOrigin::Guard)));
    }
    let model = match &session.model {
        Some(m) => Arc::clone(m),
        None => return Ok(Some(planned(CallOrigin::Planner))),
    };
    let guided = match session.config.guidance {
        Guidance::Guided => true,
        Guidance::Free => false,
        Guidance::Auto => model.describe().starts_with("local"),
    };
    // A guided model chose among valid options and still failed: one failure is enough.
    let guard_after = if guided { 1 } else { GUARD_AFTER_FAILURES };
    if cx.consecutive_failures >= guard_after {
        notice(
            session,
            sink,
            &format!(
                "{} failed calls in a row; running the required step {} directly",
                cx.consecutive_failures,
                next.tool().as_str()
            ),
        );
        return Ok(Some(planned(CallOrigin::Guard)));
    }
    if guided && !next.is_choice() {
        return Ok(Some(planned(CallOrigin::Planner)));
    }
    let request = build_request(session, question, &next, guided);
    let remaining = session.config.time_limit.map(|l| l.saturating_sub(start.elapsed()));
    let reply = match call_model(model.as_ref(), request, step, sink, cancel, remaining).await {
        Ok(r) => r,
        Err(LlmError::Cancelled) => return Err(StepStop::Cancelled),
        Err(e) => {
            cx.model_failures += 1;
            sink.emit(&Event::Error { message: format!("model error: {e}"), continues: true });
            if cx.model_failures >= session.config.max_consecutive_failures {
                notice(session, sink, "the model failed repeatedly; the rest of the plan runs without it");
                cx.use_model = false;
            } else {
                notice(
                    session,
                    sink,
                    &format!("the model failed; running the required step {} directly", next.tool().as_str()),
                );
            }
            return Ok(Some(planned(CallOrigin::Guard)));
        }
    };
    cx.model_failures = 0;
    let Some(call) = reply.tool_calls.into_iter().next() else {
        // A text reply counts as an attempt to answer.
        let text = reply.content.trim().to_string();
        return Ok(Some(Decision {
            tool: ToolName::FinalAnswer,
            arguments: json!({ "answer": text }),
            origin: CallOrigin::Model,
            call_id,
        }));
    };
    let Some(tool) = ToolName::parse(&call.name) else {
        let names: Vec<&str> = ToolName::ALL.iter().map(|t| t.as_str()).collect();
        let message = format!("unknown tool `{}`; the tools are: {}", call.name, names.join(", "));
        reject(session, cx, sink, step, &call_id, &call.name, call.arguments, &message);
        return Ok(None);
    };
    if tool == ToolName::FinalAnswer && cx.analysis_pending() {
        let message =
            format!("not yet: the analysis is not finished; the next required step is {}", next.hint());
        reject(session, cx, sink, step, &call_id, tool.as_str(), call.arguments, &message);
        notice(
            session,
            sink,
            &format!("premature answer refused; running {} directly", next.tool().as_str()),
        );
        cx.consecutive_failures = 0;
        return Ok(Some(Decision { call_id: format!("{call_id}g"), ..planned(CallOrigin::Guard) }));
    }
    if guided && tool == next.tool() {
        let (arguments, note) = next.merge_choices(&call.arguments, &session.state);
        if let Some(note) = note {
            notice(session, sink, &format!("{}: {note}, as the question asks", tool.as_str()));
        }
        return Ok(Some(Decision { tool, arguments, origin: CallOrigin::Model, call_id }));
    }
    if cx.seen.iter().any(|(t, a)| *t == tool && same_arguments(a, &call.arguments)) {
        notice(
            session,
            sink,
            &format!("repeated call of {} ignored; running {} directly", tool.as_str(), next.tool().as_str()),
        );
        return Ok(Some(planned(CallOrigin::Guard)));
    }
    Ok(Some(Decision { tool, arguments: call.arguments, origin: CallOrigin::Model, call_id }))
}

/// Whether two argument objects ask for the same thing (after the model's call is repaired the
/// stored one holds defaults too, so only the keys the model wrote are compared).
fn same_arguments(seen: &Value, asked: &Value) -> bool {
    match asked.as_object() {
        Some(map) => map.iter().all(|(k, v)| seen.get(k).is_some_and(|s| s == v || loosely_equal(s, v))),
        None => true,
    }
}

fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => question::normalise(x) == question::normalise(y),
        _ => false,
    }
}

/// Records a call that was not run (unknown tool, premature answer) and tells the model why.
#[allow(clippy::too_many_arguments)]
fn reject(
    session: &mut Session,
    cx: &mut RunContext,
    sink: &dyn EventSink,
    step: usize,
    call_id: &str,
    tool: &str,
    arguments: Value,
    message: &str,
) {
    sink.emit(&Event::ToolCall {
        step,
        call_id: call_id.to_string(),
        tool: tool.to_string(),
        arguments: arguments.clone(),
        origin: CallOrigin::Model,
    });
    sink.emit(&Event::ToolResult {
        step,
        call_id: call_id.to_string(),
        tool: tool.to_string(),
        ok: false,
        summary: message.to_string(),
        elapsed_ms: 0,
        result: json!({ "error": message }),
    });
    cx.consecutive_failures += 1;
    push_exchange(session, call_id, tool, &arguments, &format!("error: {message}"));
    if let Some(turn) = session.state.turns.last_mut() {
        turn.steps.push(StepRecord {
            step,
            tool: tool.to_string(),
            arguments,
            origin: CallOrigin::Model,
            ok: false,
            summary: message.to_string(),
            elapsed_ms: 0,
        });
    }
}

/// Runs a decided call and records it.
async fn execute(session: &mut Session, cx: &mut RunContext, d: Decision, step: usize, sink: &dyn EventSink) {
    if d.tool == ToolName::FinalAnswer {
        finalize_answer(session, cx, &d, step, sink);
        return;
    }
    sink.emit(&Event::ToolCall {
        step,
        call_id: d.call_id.clone(),
        tool: d.tool.as_str().to_string(),
        arguments: d.arguments.clone(),
        origin: d.origin,
    });
    sink.emit(&Event::Progress { message: format!("running {}", d.tool.as_str()), fraction: None });
    let seed = session.config.seed;
    let mut ctx = ToolContext {
        state: &mut session.state,
        workspace: &mut session.workspace,
        model: session.model.clone(),
        seed,
    };
    let (result, repaired, elapsed_ms) = tools::call(d.tool, &d.arguments, &mut ctx).await;
    let (ok, summary, result_json, observation) = match result {
        Ok(out) => (true, out.summary, out.result, out.observation),
        Err(e) => (false, e.0.clone(), json!({ "error": e.0 }), format!("error: {}", e.0)),
    };
    sink.emit(&Event::ToolResult {
        step,
        call_id: d.call_id.clone(),
        tool: d.tool.as_str().to_string(),
        ok,
        summary: summary.clone(),
        elapsed_ms,
        result: result_json,
    });
    if ok {
        cx.consecutive_failures = 0;
        cx.record_success(d.tool, &repaired, &session.state);
        cx.seen.push((d.tool, repaired.clone()));
        cx.seen.push((d.tool, d.arguments.clone()));
    } else {
        cx.consecutive_failures += 1;
    }
    push_exchange(session, &d.call_id, d.tool.as_str(), &repaired, &observation);
    if let Some(turn) = session.state.turns.last_mut() {
        turn.steps.push(StepRecord {
            step,
            tool: d.tool.as_str().to_string(),
            arguments: repaired,
            origin: d.origin,
            ok,
            summary,
            elapsed_ms,
        });
    }
}

/// Checks a final answer and records it: the model's text when it cites the numbers, the
/// deterministic summary otherwise.
fn finalize_answer(
    session: &mut Session,
    cx: &mut RunContext,
    d: &Decision,
    step: usize,
    sink: &dyn EventSink,
) {
    let summary = planner::summary_answer(cx.intent.as_ref(), &session.state);
    let model_text =
        d.arguments.get("answer").and_then(Value::as_str).map(str::trim).unwrap_or_default().to_string();
    sink.emit(&Event::ToolCall {
        step,
        call_id: d.call_id.clone(),
        tool: ToolName::FinalAnswer.as_str().into(),
        arguments: d.arguments.clone(),
        origin: d.origin,
    });
    let answer = if d.origin == CallOrigin::Model && !model_text.is_empty() {
        let cited = summary.key_numbers.first().is_none_or(|k| planner::cites_numbers(&model_text, k));
        if cited {
            AnswerRecord { text: model_text.clone(), deterministic: false, ..summary.clone() }
        } else if model_text.split_whitespace().count() < 4 {
            notice(
                session,
                sink,
                "the model's answer did not cite the estimated effect; the deterministic summary is used",
            );
            summary.clone()
        } else {
            notice(
                session,
                sink,
                "the model's answer did not cite the estimated effect; the deterministic summary is used and the model's text kept below it",
            );
            AnswerRecord {
                text: format!("{}\n\nModel's interpretation (not checked): {model_text}", summary.text),
                ..summary.clone()
            }
        }
    } else {
        summary.clone()
    };
    sink.emit(&Event::ToolResult {
        step,
        call_id: d.call_id.clone(),
        tool: ToolName::FinalAnswer.as_str().into(),
        ok: true,
        summary: if answer.deterministic {
            "answer (deterministic summary)".into()
        } else {
            "answer (model, checked)".into()
        },
        elapsed_ms: 0,
        result: json!({ "deterministic": answer.deterministic }),
    });
    if let Some(turn) = session.state.turns.last_mut() {
        turn.steps.push(StepRecord {
            step,
            tool: ToolName::FinalAnswer.as_str().into(),
            arguments: d.arguments.clone(),
            origin: d.origin,
            ok: true,
            summary: "answer".into(),
            elapsed_ms: 0,
        });
    }
    session.state.messages.push(ChatMessage::assistant(answer.text.clone()));
    emit_answer(sink, &answer);
    for (s, done) in cx.plan.iter().zip(cx.done.iter_mut()) {
        if *s == PlanStep::Answer {
            *done = true;
        }
    }
    cx.answer = Some(answer);
}

fn emit_answer(sink: &dyn EventSink, answer: &AnswerRecord) {
    sink.emit(&Event::Answer { text: answer.text.clone(), key_numbers: answer.key_numbers.clone() });
}

/// Appends the assistant call and the tool's observation to the conversation.
fn push_exchange(session: &mut Session, call_id: &str, tool: &str, args: &Value, observation: &str) {
    session.state.messages.push(ChatMessage::assistant_tool_calls(vec![causa_llm::ToolCall {
        id: call_id.to_string(),
        name: tool.to_string(),
        arguments: args.clone(),
    }]));
    session.state.messages.push(ChatMessage::tool(call_id, observation));
}

fn notice(session: &mut Session, sink: &dyn EventSink, message: &str) {
    sink.emit(&Event::Notice { message: message.to_string() });
    if let Some(turn) = session.state.turns.last_mut() {
        turn.notices.push(message.to_string());
    }
}

fn finish(
    session: &mut Session,
    sink: &dyn EventSink,
    status: RunStatus,
    steps: usize,
    start: Instant,
    answer: Option<AnswerRecord>,
) -> Result<()> {
    let elapsed_ms = start.elapsed().as_millis() as u64;
    if let Some(turn) = session.state.turns.last_mut() {
        turn.status = Some(status);
        turn.elapsed_ms = elapsed_ms;
        turn.answer = answer;
    }
    sink.emit(&Event::RunFinished { status, steps, elapsed_ms });
    session.save()
}

/// The request of one model step: system prompt, the task with the plan's next step, the recent
/// exchanges of this turn. A guided model is offered (and forced to) the next step's tool only; a
/// free model is offered every tool, the next step's first, and must call one.
fn build_request(session: &Session, question: &str, next: &PlanStep, guided: bool) -> ChatRequest {
    let files: Vec<&str> = session.state.files.iter().map(|f| f.name.as_str()).collect();
    let datasets: Vec<String> = session
        .state
        .datasets
        .iter()
        .map(|d| {
            let cols: Vec<&str> = d.columns.iter().map(|c| c.name.as_str()).collect();
            format!("{} ({} rows; columns: {})", d.name, d.rows, cols.join(", "))
        })
        .collect();
    let system = session.prompts.render("system", &[]).unwrap_or_default();
    let task = session
        .prompts
        .render(
            "task",
            &[
                ("question", question),
                ("files", &files.join(", ")),
                ("datasets", &datasets.join("; ")),
                ("findings", &findings(&session.state)),
                ("plan", &format!("next call {}.", next.hint())),
            ],
        )
        .unwrap_or_else(|_| format!("Question: {question}"));
    let mut messages = vec![ChatMessage::system(system), ChatMessage::user(task)];
    // A small guided model sees the findings in the task message only: short prompts.
    let history = if guided { 0 } else { HISTORY_MESSAGES };
    let turn_start = session
        .state
        .messages
        .iter()
        .rposition(|m| m.role == causa_llm::Role::User && m.tool_call_id.is_none());
    let this_turn = match turn_start {
        Some(i) => &session.state.messages[i + 1..],
        None => &session.state.messages[..],
    };
    let skip = this_turn.len().saturating_sub(history);
    messages.extend(this_turn[skip..].iter().map(|m| {
        let mut m = m.clone();
        if m.content.chars().count() > MAX_OBSERVATION {
            m.content = m.content.chars().take(MAX_OBSERVATION).collect::<String>() + " ...";
        }
        m
    }));
    let offered: Vec<ToolName> = if guided {
        vec![next.tool()]
    } else {
        std::iter::once(next.tool()).chain(ToolName::ALL.into_iter().filter(|t| *t != next.tool())).collect()
    };
    let choice =
        if guided { ToolChoice::Tool(next.tool().as_str().to_string()) } else { ToolChoice::Required };
    let tools = offered.into_iter().map(ToolName::spec).collect();
    ChatRequest::new(messages)
        .with_tools(tools, choice)
        .with_max_tokens(MAX_REPLY_TOKENS)
        .with_sampling(0.0, Some(session.config.seed))
}

/// What the tools found so far, one short line each (for the task message).
fn findings(state: &crate::session::SessionState) -> String {
    let mut lines = Vec::new();
    for d in &state.datasets {
        if let Some(rec) = d.profile.as_ref().and_then(|p| p.get("recommendation")) {
            lines.push(format!(
                "profile of {}: {}; recommends {}",
                d.name,
                rec["data_model"].as_str().unwrap_or("?"),
                rec["algorithm"].as_str().unwrap_or("?")
            ));
        }
    }
    if let Some(g) = state.graphs.last() {
        lines.push(format!("graph {} ({}): {}", g.name, g.source, g.edges.join("; ")));
    }
    for e in &state.estimates {
        let passed = e.refutations.iter().filter(|r| r.passed == Some(true)).count();
        lines.push(format!(
            "estimate {}: effect of {} on {} = {:.3} (95% CI {:.3} to {:.3}); refutations passed {passed}/{}",
            e.name,
            e.treatment,
            e.outcome,
            e.effect,
            e.ci95.0,
            e.ci95.1,
            e.refutations.len()
        ));
    }
    if lines.is_empty() { "none yet".into() } else { lines.join("\n") }
}

/// Calls the model, streaming its output as events; bounded by the remaining time.
async fn call_model(
    model: &dyn causa_llm::ChatModel,
    request: ChatRequest,
    step: usize,
    sink: &dyn EventSink,
    cancel: &CancellationToken,
    remaining: Option<Duration>,
) -> std::result::Result<causa_llm::ChatResponse, LlmError> {
    let started = Instant::now();
    sink.emit(&Event::ModelBegin { step });
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let options = CallOptions {
        on_token: Some(Arc::new(move |t: &str| {
            let _ = tx.send(t.to_string());
        })),
        cancel: cancel.child_token(),
    };
    let call = model.chat(request, options);
    let timeout = remaining.unwrap_or(Duration::from_secs(24 * 3600));
    let call = tokio::time::timeout(timeout, call);
    tokio::pin!(call);
    let result = loop {
        tokio::select! {
            r = &mut call => break r,
            Some(text) = rx.recv() => sink.emit(&Event::ModelDelta { step, text }),
        }
    };
    while let Ok(text) = rx.try_recv() {
        sink.emit(&Event::ModelDelta { step, text });
    }
    let result = match result {
        Ok(r) => r,
        Err(_) => Err(LlmError::Inference("the time limit was reached during the model call".into())),
    };
    let (tokens_in, tokens_out) =
        result.as_ref().map(|r| (r.usage.prompt_tokens, r.usage.completion_tokens)).unwrap_or((0, 0));
    sink.emit(&Event::ModelEnd {
        step,
        tokens_in,
        tokens_out,
        elapsed_ms: started.elapsed().as_millis() as u64,
    });
    result
}

fn describe_intent(intent: &Intent) -> String {
    match intent {
        Intent::Effect { treatment, outcome } => format!("question: the effect of {treatment} on {outcome}"),
        Intent::Causes { outcome } => format!("question: the causes of {outcome}"),
        Intent::Structure => "question: the causal structure of the data".into(),
        Intent::FailureAttribution => "question: which agent and step caused the failure".into(),
    }
}

fn unparsed_message(question: &str, columns: &[String], has_log: bool) -> String {
    let mut m = format!("cannot tell which causal question `{question}` asks");
    if let Some(column) = crate::question::self_effect(question, columns) {
        m.push_str(&format!(
            ": it asks for the effect of `{column}` on itself; name a treatment and a different outcome"
        ));
    }
    if columns.is_empty() {
        m.push_str("; no data columns are loaded");
    } else {
        m.push_str(&format!(
            ". Name columns, e.g. \"what is the effect of {} on {}?\" or \"what causes {}?\". Columns: {}",
            columns[0],
            columns.get(1).unwrap_or(&columns[0]),
            columns.last().unwrap_or(&columns[0]),
            columns.join(", ")
        ));
    }
    if has_log {
        m.push_str(". For the agent log, ask \"which agent caused the failure?\"");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{ColumnRecord, DatasetRecord, SessionConfig};

    #[test]
    fn the_guided_prompt_is_short_and_forces_the_plans_tool() {
        let mut session = Session::new(None, SessionConfig::default()).unwrap_or_else(|e| panic!("{e}"));
        session.state.datasets.push(DatasetRecord {
            name: "sales".into(),
            file: "sales.csv".into(),
            rows: 100,
            columns: ["ad", "revenue"]
                .iter()
                .map(|c| ColumnRecord { name: (*c).into(), column_type: "continuous".into() })
                .collect(),
            profile: None,
            simulated: None,
        });
        let next = PlanStep::Estimate { treatment: "ad".into(), outcome: "revenue".into() };
        let request = build_request(&session, "effect of ad on revenue?", &next, true);
        assert_eq!(request.tool_choice, ToolChoice::Tool("estimate_effect".into()));
        assert_eq!(request.tools.len(), 1);
        assert_eq!(request.messages.len(), 2, "a guided model sees no history");
        assert_eq!(
            request.messages[1].content,
            "Question: effect of ad on revenue?\n\nFiles: \nDatasets: sales (100 rows; columns: ad, revenue)\n\
             Findings so far:\nnone yet\n\nPlan: next call estimate_effect with treatment \"ad\" and outcome \"revenue\"."
        );
        assert!(request.messages[0].content.starts_with("You are Causa, a careful causal analyst."));
        let free = build_request(&session, "q", &next, false);
        assert_eq!(free.tool_choice, ToolChoice::Required);
        let offered: Vec<&str> = free.tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(offered.len(), ToolName::ALL.len(), "a free model is offered every tool: {offered:?}");
        assert_eq!(offered[0], "estimate_effect", "the plan's next tool first");
        let mut sorted = offered.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), offered.len(), "each tool once");
    }
}
