//! The agent-log model: one ordered list of steps, whatever file format they came from.
//!
//! Step indices are the positions in the source (`history[i]` in Who&When, the `step` field in
//! JSONL) and are never renumbered, because the benchmark label (`mistake_step`) and the user's
//! own tooling refer to them. Agent names are normalised once here, so every method and the
//! scorer compare the same strings: on Algorithm-Generated logs the agent is `name`; on
//! Hand-Crafted logs it is `role`, where Magentic-One writes sub-roles such as
//! `Orchestrator (thought)` or `Orchestrator (-> WebSurfer)` while the labels say `Orchestrator`,
//! so the parenthesised suffix is dropped (the raw role is kept in [`Step::role`]).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{AttributionError, Result};

/// Which file layout a log came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// Who&When Algorithm-Generated (`history` entries carry `name`).
    WhoWhenAlgorithmGenerated,
    /// Who&When Hand-Crafted (`history` entries carry only `role`).
    WhoWhenHandCrafted,
    /// One `{step, agent, content}` object per line.
    Jsonl,
}

/// One step of a multi-agent run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// 0-based index in the source log.
    pub index: usize,
    /// The acting agent (normalised, see the module docs).
    pub agent: String,
    /// The raw role field, when the source had one.
    pub role: Option<String>,
    /// What the agent wrote.
    pub content: String,
}

/// The labelled decisive error, when the log carries one (Who&When).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldLabel {
    /// The agent responsible.
    pub agent: String,
    /// The 0-based step of the decisive error.
    pub step: usize,
    /// The annotators' explanation.
    pub reason: Option<String>,
}

/// A parsed agent log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentLog {
    /// A short identifier (the file stem).
    pub id: String,
    /// Source layout.
    pub format: LogFormat,
    /// The task the agents were solving, if known.
    pub question: Option<String>,
    /// The task's reference answer (not the attribution label), if known.
    pub ground_truth: Option<String>,
    /// The steps, in order; `steps[i].index == i`.
    pub steps: Vec<Step>,
    /// The attribution label, if the log has one.
    pub gold: Option<GoldLabel>,
}

impl AgentLog {
    /// Reads a log file: Who&When JSON (a `.json` object with `history`) or JSONL.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| AttributionError::Io { path: path.to_path_buf(), source })?;
        let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let origin = path.display().to_string();
        Self::parse(&text, &id, &origin)
    }

    /// Parses log text; `origin` names the source in error messages. A text whose first
    /// non-blank character opens a JSON object that spans the whole text is Who&When JSON,
    /// anything else is read as JSONL.
    pub fn parse(text: &str, id: &str, origin: &str) -> Result<Self> {
        if text.trim().is_empty() {
            return Err(malformed(origin, "the file is empty".into()));
        }
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) if object.contains_key("history") => {
                parse_whowhen(&Value::Object(object), id, origin)
            }
            Ok(Value::Object(object)) if !object.contains_key("step") => Err(malformed(
                origin,
                "a JSON object without `history`: expected a Who&When log (with `history`) or \
                 JSONL lines of {step, agent, content}"
                    .into(),
            )),
            Err(err) if is_broken_document(text) => Err(malformed(origin, format!("not valid JSON: {err}"))),
            Ok(Value::Object(_)) | Err(_) => parse_jsonl(text, id, origin),
            Ok(other) => {
                Err(malformed(origin, format!("expected a JSON object, found {}", json_kind(&other))))
            }
        }
    }

    /// The distinct agents in order of first appearance.
    pub fn agents(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for step in &self.steps {
            if !seen.contains(&step.agent) {
                seen.push(step.agent.clone());
            }
        }
        seen
    }

    /// The agent name as written in this log that `name` refers to: exact match first, then
    /// case-insensitive on the normalised form. `None` when no agent of the log matches.
    pub fn resolve_agent(&self, name: &str) -> Option<String> {
        let agents = self.agents();
        if let Some(hit) = agents.iter().find(|a| a.as_str() == name) {
            return Some(hit.clone());
        }
        let wanted = normalise_agent(name).to_lowercase();
        agents.into_iter().find(|a| a.to_lowercase() == wanted)
    }
}

/// Drops a Magentic-One sub-role suffix: `Orchestrator (thought)` → `Orchestrator`.
pub fn normalise_agent(role: &str) -> String {
    let trimmed = role.trim();
    match trimmed.find(" (") {
        Some(at) if trimmed.ends_with(')') && at > 0 => trimmed[..at].trim().to_string(),
        _ => trimmed.to_string(),
    }
}

fn malformed(origin: &str, reason: String) -> AttributionError {
    AttributionError::MalformedLog { origin: origin.to_string(), reason }
}

/// True when a text that is not valid JSON is a JSON document cut short or broken, not JSONL:
/// its first line does not hold a complete value (a pretty-printed object opens with `{` alone, a
/// truncated one-line object ends early). Reading such a text as JSONL would blame "line 1" for
/// not being a `{step, agent, content}` object, which misleads.
fn is_broken_document(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    serde_json::from_str::<Value>(first).is_err_and(|e| e.is_eof())
}

/// A serde_json message without its "at line 1 column N" suffix, which counts within one JSONL
/// line and contradicts the file line the message gives.
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn optional_text(object: &Value, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn parse_whowhen(root: &Value, id: &str, origin: &str) -> Result<AgentLog> {
    let Some(history) = root.get("history").and_then(Value::as_array) else {
        return Err(malformed(origin, "`history` must be an array of steps".into()));
    };
    if history.is_empty() {
        return Err(malformed(origin, "`history` is empty".into()));
    }
    let algorithm_generated = history.iter().any(|entry| entry.get("name").is_some());
    let mut steps = Vec::with_capacity(history.len());
    for (index, entry) in history.iter().enumerate() {
        if !entry.is_object() {
            return Err(malformed(
                origin,
                format!("history[{index}] is {}, expected an object", json_kind(entry)),
            ));
        }
        let field = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_string);
        let content = match entry.get("content") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => {
                return Err(malformed(origin, format!("history[{index}] has no `content`")));
            }
            Some(other) => other.to_string(),
        };
        let role = field("role");
        let agent = if algorithm_generated { field("name") } else { role.as_deref().map(normalise_agent) };
        let Some(agent) = agent.filter(|a| !a.trim().is_empty()) else {
            let key = if algorithm_generated { "name" } else { "role" };
            return Err(malformed(origin, format!("history[{index}] has no `{key}` naming the agent")));
        };
        steps.push(Step { index, agent, role, content });
    }
    let gold = parse_gold(root, steps.len(), origin)?;
    let format = if algorithm_generated {
        LogFormat::WhoWhenAlgorithmGenerated
    } else {
        LogFormat::WhoWhenHandCrafted
    };
    Ok(AgentLog {
        id: id.to_string(),
        format,
        question: optional_text(root, "question"),
        ground_truth: optional_text(root, "ground_truth"),
        steps,
        gold,
    })
}

fn parse_gold(root: &Value, len: usize, origin: &str) -> Result<Option<GoldLabel>> {
    let agent = root.get("mistake_agent").and_then(Value::as_str).map(str::to_string);
    let step =
        match root.get("mistake_step") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim().parse::<usize>().map_err(|_| {
                malformed(origin, format!("`mistake_step` \"{s}\" is not a non-negative integer"))
            })?),
            Some(Value::Number(n)) => Some(n.as_u64().map(|v| v as usize).ok_or_else(|| {
                malformed(origin, format!("`mistake_step` {n} is not a non-negative integer"))
            })?),
            Some(other) => {
                return Err(malformed(origin, format!("`mistake_step` is {}", json_kind(other))));
            }
        };
    match (agent, step) {
        (Some(agent), Some(step)) => {
            if step >= len {
                return Err(malformed(
                    origin,
                    format!("`mistake_step` {step} is out of range: `history` has {len} steps (0-based)"),
                ));
            }
            let reason = optional_text(root, "mistake_reason");
            Ok(Some(GoldLabel { agent: normalise_agent(&agent), step, reason }))
        }
        (None, None) => Ok(None),
        (Some(_), None) => Err(malformed(origin, "`mistake_agent` is given without `mistake_step`".into())),
        (None, Some(_)) => Err(malformed(origin, "`mistake_step` is given without `mistake_agent`".into())),
    }
}

#[derive(Deserialize)]
struct JsonlStep {
    step: Value,
    agent: Value,
    content: Value,
}

fn parse_jsonl(text: &str, id: &str, origin: &str) -> Result<AgentLog> {
    let mut steps = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        if line.trim().is_empty() {
            continue;
        }
        let entry: JsonlStep = serde_json::from_str(line).map_err(|e| {
            malformed(
                origin,
                format!(
                    "line {number}, column {}: expected {{\"step\", \"agent\", \"content\"}}: {}",
                    e.column(),
                    without_position(&e)
                ),
            )
        })?;
        let Some(index) = entry.step.as_u64().map(|v| v as usize) else {
            return Err(malformed(origin, format!("line {number}: `step` must be a non-negative integer")));
        };
        if index != steps.len() {
            return Err(malformed(
                origin,
                format!(
                    "line {number}: `step` is {index} but {} was expected (steps count 0, 1, 2, ...)",
                    steps.len()
                ),
            ));
        }
        let Some(agent) = entry.agent.as_str().map(str::trim).filter(|a| !a.is_empty()) else {
            return Err(malformed(origin, format!("line {number}: `agent` must be a non-empty string")));
        };
        let content = match entry.content {
            Value::String(s) => s,
            other => other.to_string(),
        };
        steps.push(Step { index, agent: agent.to_string(), role: None, content });
    }
    if steps.is_empty() {
        return Err(malformed(origin, "no steps".into()));
    }
    Ok(AgentLog {
        id: id.to_string(),
        format: LogFormat::Jsonl,
        question: None,
        ground_truth: None,
        steps,
        gold: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn benchdata() -> std::path::PathBuf {
        let start = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        start
            .ancestors()
            .map(|dir| dir.join("shared/benchdata/who_and_when"))
            .find(|dir| dir.is_dir())
            .unwrap_or_else(|| panic!("shared/benchdata/who_and_when not found above {}", start.display()))
    }

    #[test]
    fn algorithm_generated_uses_name_and_the_zero_based_string_step() {
        let log = AgentLog::load(&benchdata().join("Algorithm-Generated/100.json")).unwrap();
        assert_eq!(log.format, LogFormat::WhoWhenAlgorithmGenerated);
        assert_eq!(log.steps.len(), 10);
        let gold = log.gold.clone().unwrap();
        // The file says "mistake_step": "2" and "mistake_agent": "Movie_Expert".
        assert_eq!(gold.step, 2);
        assert_eq!(gold.agent, "Movie_Expert");
        assert_eq!(log.steps[2].agent, "Movie_Expert");
        assert!(log.steps.iter().enumerate().all(|(i, s)| s.index == i));
        assert!(log.agents().contains(&"Computer_terminal".to_string()));
        assert!(log.question.is_some() && log.ground_truth.is_some());
    }

    #[test]
    fn hand_crafted_uses_the_role_without_its_sub_role() {
        let log = AgentLog::load(&benchdata().join("Hand-Crafted/35.json")).unwrap();
        assert_eq!(log.format, LogFormat::WhoWhenHandCrafted);
        assert_eq!(log.steps.len(), 44);
        assert_eq!(log.gold.as_ref().map(|g| (g.agent.as_str(), g.step)), Some(("WebSurfer", 12)));
        assert_eq!(log.steps[12].agent, "WebSurfer");
        assert_eq!(log.steps[0].agent, "human");
        let agents = log.agents();
        assert!(agents.contains(&"Orchestrator".to_string()), "{agents:?}");
        assert!(agents.iter().all(|a| !a.contains('(')), "{agents:?}");
        assert!(log.steps.iter().any(|s| s.role.as_deref() == Some("Orchestrator (thought)")));
    }

    #[test]
    fn every_development_log_parses_with_a_label_naming_one_of_its_agents() {
        let mut off_step = Vec::new();
        for subset in ["Algorithm-Generated", "Hand-Crafted"] {
            for entry in std::fs::read_dir(benchdata().join(subset)).unwrap() {
                let path = entry.unwrap().path();
                let log = AgentLog::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let gold = log.gold.clone().unwrap();
                assert!(log.agents().contains(&gold.agent), "{}", path.display());
                if log.steps[gold.step].agent != gold.agent {
                    off_step.push(log.id.clone());
                }
            }
        }
        // The labels are scored separately: in 15.json the labelled agent (Boggle_Board_Expert)
        // is not the one acting at the labelled step 6 (Verification_Expert).
        assert_eq!(off_step, vec!["15".to_string()]);
    }

    #[test]
    fn normalises_sub_roles_only() {
        assert_eq!(normalise_agent("Orchestrator (-> WebSurfer)"), "Orchestrator");
        assert_eq!(normalise_agent("Orchestrator (thought)"), "Orchestrator");
        assert_eq!(normalise_agent("WebSurfer"), "WebSurfer");
        assert_eq!(normalise_agent("(odd)"), "(odd)");
    }

    #[test]
    fn jsonl_keeps_exact_indices() {
        let text = "{\"step\":0,\"agent\":\"Planner\",\"content\":\"plan\"}\n\n{\"step\":1,\"agent\":\"Coder\",\"content\":\"code\"}\n";
        let log = AgentLog::parse(text, "t", "t.jsonl").unwrap();
        assert_eq!(log.format, LogFormat::Jsonl);
        assert_eq!(log.steps.len(), 2);
        assert_eq!((log.steps[1].index, log.steps[1].agent.as_str()), (1, "Coder"));
        assert_eq!(log.resolve_agent("coder").as_deref(), Some("Coder"));
        assert_eq!(log.resolve_agent("Nobody"), None);
        // A single-line JSONL log is an object too, and must not be taken for Who&When.
        let one = AgentLog::parse("{\"step\":0,\"agent\":\"A\",\"content\":\"x\"}", "o", "o.jsonl").unwrap();
        assert_eq!(one.steps.len(), 1);
    }

    #[test]
    fn malformed_logs_get_errors_naming_the_entry() {
        let cases = [
            ("", "empty"),
            ("[1,2]", "found an array"),
            ("{\"question\": \"q\"}", "without `history`"),
            ("{\"history\": []}", "`history` is empty"),
            ("{\"history\": [{\"content\": \"a\", \"role\": \"x\"}, 3]}", "history[1]"),
            ("{\"history\": [{\"role\": \"x\"}]}", "history[0] has no `content`"),
            (
                "{\"history\": [{\"content\": \"a\", \"name\": \"A\"}, {\"content\": \"b\", \"role\": \"r\"}]}",
                "history[1] has no `name`",
            ),
            (
                "{\"history\": [{\"content\": \"a\", \"role\": \"x\"}], \"mistake_agent\": \"x\", \"mistake_step\": \"1\"}",
                "out of range",
            ),
            (
                "{\"history\": [{\"content\": \"a\", \"role\": \"x\"}], \"mistake_agent\": \"x\", \"mistake_step\": \"one\"}",
                "\"one\"",
            ),
            ("{\"step\":1,\"agent\":\"A\",\"content\":\"x\"}", "`step` is 1 but 0"),
            ("{\"step\":0,\"agent\":\"\",\"content\":\"x\"}", "`agent`"),
            ("{\"step\":0,\"agent\":\"A\",\"content\":\"x\"}\nnot json", "line 2, column 2: expected"),
            // A Who&When file cut short is broken JSON, not a JSONL file with a bad first line.
            (
                "{\"history\": [{\"content\": \"hi\", \"role\": \"a\"}",
                "not valid JSON: EOF while parsing a list at line 1",
            ),
            (
                "{\n  \"history\": [\n    {\"content\": \"hi\",\n",
                "not valid JSON: EOF while parsing a value at line 4",
            ),
        ];
        for (text, needle) in cases {
            let err = AgentLog::parse(text, "x", "bad.json").unwrap_err().to_string();
            assert!(err.contains(needle) && err.contains("bad.json"), "{text}: {err}");
            if err.contains("expected {\"step\"") {
                assert!(
                    !err.contains(" at line "),
                    "a position within a JSONL line is not a file line: {err}"
                );
            }
        }
    }
}
