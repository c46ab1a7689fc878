//! The agent loop under injected faults: a fault-injection fake model plays invalid arguments,
//! unknown tools, server errors and premature answers; the guard must keep the analysis on its
//! plan, record each intervention, and stop when failures repeat or the step limit is reached.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use causa_agent::{Event, Guidance, RunStatus, SessionConfig};
use serde_json::json;
use support::{FaultInjectingModel, Reply, ask, notices, results, sandbox, session, simulated_csv};

const QUESTION: &str = "What is the effect of ad_spend on sales?";

fn free() -> SessionConfig {
    SessionConfig { guidance: Guidance::Free, ..SessionConfig::default() }
}

#[test]
fn invalid_arguments_go_back_to_the_model_then_the_guard_runs_the_step() {
    let dir = sandbox("invalid-args");
    let (csv, _, _) = simulated_csv(&dir, 3, 1500);
    let fake = FaultInjectingModel::new(vec![Reply::Call(
        "estimate_effect",
        json!({"treatment": "no_such_column", "outcome": "sales"}),
    )]);
    let mut s = session(Some(fake.clone()), &csv, free());
    let (outcome, events) = ask(&mut s, QUESTION);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, RunStatus::Completed);
    let r = results(&events);
    let first_failure = r.iter().find(|(_, ok, _)| !ok).unwrap();
    assert!(
        first_failure.2.contains("`no_such_column` is not a column") && first_failure.2.contains("ad_spend"),
        "the error names the bad column and lists the real ones: {first_failure:?}"
    );
    // The model saw its error as a tool message before the guard stepped in.
    let second_request = &fake.requests.lock().unwrap()[1];
    assert!(second_request.messages.iter().any(|m| m.content.contains("is not a column")));
    assert!(notices(&events).iter().any(|n| n.contains("failed calls in a row")), "{:?}", notices(&events));
    let answer = outcome.answer.unwrap();
    assert_eq!(answer.key_numbers[0].label, "effect of ad_spend on sales (ATE)");
    assert!(answer.deterministic);
}

#[test]
fn an_unknown_tool_is_refused_with_the_list_of_tools() {
    let dir = sandbox("unknown-tool");
    let (csv, _, _) = simulated_csv(&dir, 4, 800);
    let fake = FaultInjectingModel::new(vec![Reply::Call("run_shell", json!({"cmd": "cat /etc/passwd"}))]);
    let mut s = session(Some(fake), &csv, free());
    let (outcome, events) = ask(&mut s, QUESTION);
    assert_eq!(outcome.unwrap().status, RunStatus::Completed);
    let r = results(&events);
    let refused = r.iter().find(|(tool, _, _)| tool == "run_shell").unwrap();
    assert!(
        !refused.1 && refused.2.contains("unknown tool `run_shell`") && refused.2.contains("estimate_effect")
    );
    // The refused call never ran: every executed tool is one of the agent's.
    let names: Vec<&str> = causa_agent::tools::ToolName::ALL.iter().map(|t| t.as_str()).collect();
    for (tool, ok, _) in &r {
        assert!(!ok || names.contains(&tool.as_str()), "{tool}");
    }
}

#[test]
fn model_errors_are_reported_and_the_plan_continues_without_the_model() {
    let dir = sandbox("model-error");
    let (csv, _, _) = simulated_csv(&dir, 5, 1000);
    let fake = FaultInjectingModel::new(vec![Reply::Fail]);
    let mut s = session(Some(fake.clone()), &csv, free());
    let (outcome, events) = ask(&mut s, QUESTION);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, RunStatus::Completed);
    let errors: Vec<&Event> =
        events.iter().filter(|e| matches!(e, Event::Error { continues: true, .. })).collect();
    assert_eq!(errors.len(), 3, "three model errors, then the model is left out: {errors:?}");
    assert_eq!(fake.calls(), 3);
    assert!(notices(&events).iter().any(|n| n.contains("runs without it")));
    assert_eq!(outcome.answer.unwrap().key_numbers[0].label, "effect of ad_spend on sales (ATE)");
}

#[test]
fn the_step_limit_ends_the_run_with_the_results_so_far() {
    let dir = sandbox("step-limit");
    let (csv, _, _) = simulated_csv(&dir, 6, 800);
    let fake = FaultInjectingModel::new(vec![Reply::Call("describe_data", json!({}))]);
    let config = SessionConfig { max_steps: 3, ..free() };
    let mut s = session(Some(fake), &csv, config);
    let (outcome, events) = ask(&mut s, QUESTION);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, RunStatus::StepLimit);
    assert_eq!(outcome.steps, 3);
    assert!(events.iter().any(
        |e| matches!(e, Event::Error { message, continues: false } if message.contains("step limit of 3"))
    ));
    assert!(matches!(events.last(), Some(Event::RunFinished { status: RunStatus::StepLimit, steps: 3, .. })));
    // No estimate was reached, and the answer says so instead of inventing a number.
    let answer = outcome.answer.unwrap();
    assert!(
        answer.key_numbers.is_empty() && answer.text.contains("could not be estimated"),
        "{}",
        answer.text
    );
}

#[test]
fn a_premature_answer_is_refused_and_the_guard_runs_the_next_step() {
    let dir = sandbox("premature");
    let (csv, _, _) = simulated_csv(&dir, 7, 1000);
    let fake = FaultInjectingModel::new(vec![Reply::Call(
        "final_answer",
        json!({"answer": "ad_spend has no effect on sales."}),
    )]);
    let mut s = session(Some(fake.clone()), &csv, free());
    let (outcome, events) = ask(&mut s, QUESTION);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, RunStatus::Completed);
    let r = results(&events);
    assert_eq!(r[0].0, "final_answer");
    assert!(!r[0].1 && r[0].2.contains("not yet"), "{:?}", r[0]);
    assert_eq!((r[1].0.as_str(), r[1].1), ("describe_data", true));
    assert!(notices(&events).iter().any(|n| n.contains("premature answer refused")));
    // The model's final claim contradicts the estimate (it cites no number): replaced.
    let answer = outcome.answer.unwrap();
    assert!(answer.deterministic);
    assert_eq!(answer.key_numbers[0].label, "effect of ad_spend on sales (ATE)");
    assert!(notices(&events).iter().any(|n| n.contains("did not cite the estimated effect")));
}

#[test]
fn three_failures_in_a_row_end_the_run() {
    let dir = sandbox("three-failures");
    // A constant column makes discovery fail for the model and for the guard alike.
    let mut csv = String::from("ad_spend,sales,flat\n");
    for i in 0..50 {
        csv.push_str(&format!("{},{},1\n", i, 2 * i + (i % 7)));
    }
    let path = dir.join("flat.csv");
    std::fs::write(&path, csv).unwrap();
    let fake = FaultInjectingModel::new(vec![Reply::Call("discover", json!({"algorithm": "pc"}))]);
    let mut s = session(Some(fake), &path, free());
    let (outcome, events) = ask(&mut s, QUESTION);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, RunStatus::Failed);
    // The model's out-of-order calls fail twice, the guard runs the plan's next step (describe,
    // then profile), until the guard's own discover fails too: three failures in a row.
    let r = results(&events);
    let last: Vec<_> = r.iter().rev().take(3).collect();
    assert!(
        last.iter().all(|(t, ok, s)| t == "discover" && !ok && s.contains("`flat` is constant")),
        "{r:?}"
    );
    let ok: Vec<&str> = r.iter().filter(|(_, ok, _)| *ok).map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(ok, ["describe_data", "profile"]);
    assert!(events.iter().any(|e| matches!(e, Event::Error { message, continues: false } if message.contains("3 tool calls failed in a row"))));
}

#[test]
fn a_repeated_call_is_not_run_twice() {
    let dir = sandbox("repeat");
    let (csv, _, _) = simulated_csv(&dir, 8, 800);
    let fake = FaultInjectingModel::new(vec![Reply::Call("describe_data", json!({}))]);
    let mut s = session(Some(fake), &csv, free());
    let (outcome, events) = ask(&mut s, QUESTION);
    assert_eq!(outcome.unwrap().status, RunStatus::Completed);
    let describes = results(&events).iter().filter(|(t, ok, _)| t == "describe_data" && *ok).count();
    assert_eq!(describes, 1);
    assert!(notices(&events).iter().any(|n| n.contains("repeated call of describe_data ignored")));
}

#[test]
fn a_guided_model_chooses_only_what_is_its_to_choose() {
    let dir = sandbox("guided");
    let (csv, _, _) = simulated_csv(&dir, 9, 1000);
    let fake = FaultInjectingModel::new(vec![
        Reply::Call("discover", json!({"algorithm": "ges"})),
        Reply::Call(
            "estimate_effect",
            json!({"treatment": "ad_spend", "outcome": "ad_spend", "method": "regression"}),
        ),
        Reply::Text("yes"),
    ]);
    let config = SessionConfig { guidance: Guidance::Guided, ..SessionConfig::default() };
    let mut s = session(Some(fake.clone()), &csv, config);
    let (outcome, events) = ask(&mut s, QUESTION);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.status, RunStatus::Completed);
    assert_eq!(fake.calls(), 3, "asked only at the discover, estimate and answer steps");
    // Each guided request forces the plan's tool.
    let forced: Vec<causa_llm::ToolChoice> =
        fake.requests.lock().unwrap().iter().map(|r| r.tool_choice.clone()).collect();
    assert_eq!(
        forced,
        ["discover", "estimate_effect", "final_answer"].map(|t| causa_llm::ToolChoice::Tool(t.into()))
    );
    assert!(s.state().graphs[0].source.starts_with("ges"), "the model's algorithm choice is kept");
    assert!(
        notices(&events).iter().any(|n| n.contains("overruled the model's outcome")),
        "{:?}",
        notices(&events)
    );
    let e = &s.state().estimates[0];
    assert_eq!(
        (e.treatment.as_str(), e.outcome.as_str(), e.method.as_str()),
        ("ad_spend", "sales", "regression")
    );
    assert!(e.effect.is_finite());
}

/// A free model may step off the plan to use any tool (here a graph query between the plan's
/// steps); the call runs, and the plan then goes on to the answer.
#[test]
fn a_free_model_is_offered_every_tool_and_may_step_off_the_plan() {
    let dir = sandbox("free-off-plan");
    let (csv, _, _) = simulated_csv(&dir, 10, 1000);
    let fake = FaultInjectingModel::new(vec![
        Reply::Call("describe_data", json!({})),
        Reply::Call("profile", json!({})),
        Reply::Call("discover", json!({"algorithm": "pc"})),
        Reply::Call("graph_query", json!({"query": "parents", "x": "sales"})),
        Reply::Fail,
    ]);
    let mut s = session(Some(fake.clone()), &csv, free());
    let (outcome, events) = ask(&mut s, QUESTION);
    assert_eq!(outcome.unwrap().status, RunStatus::Completed);
    let requests = fake.requests.lock().unwrap().clone();
    let offered: Vec<String> = requests[0].tools.iter().map(|t| t.name.clone()).collect();
    assert_eq!(offered.len(), causa_agent::tools::ToolName::ALL.len(), "{offered:?}");
    assert_eq!(offered[0], "describe_data", "the plan's next tool comes first");
    for tool in ["simulate", "compare_graphs", "graph_query", "final_answer"] {
        assert!(offered.iter().any(|t| t == tool), "{tool} offered: {offered:?}");
    }
    let query = results(&events).into_iter().find(|(t, _, _)| t == "graph_query");
    let (_, ok, summary) = query.expect("the off-plan graph query ran");
    assert!(ok && summary.contains("sales"), "{summary}");
    // The plan still reached its estimate after the detour.
    assert_eq!(s.state().estimates.len(), 1);
}
