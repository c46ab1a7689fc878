//! `attribute_failure`: which agent, at which step, made a multi-agent run fail, with
//! `causa-attribution` (Abduct-Act-Predict with a model, the keyword heuristic without one).
//! Only log files the person gave can be read, matched by name.

use causa_attribution::{AgentLog, AttributionConfig, Attributor, Method, Prompts};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::data::user_file;
use super::{ToolContext, ToolOutput, ToolResult, fail, set_arg};
use crate::session::FileKind;

pub(super) const DESCRIPTION: &str =
    "Find which agent and which step caused a failed multi-agent run, from a log file the user gave.";

/// Arguments of `attribute_failure`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeFailureArgs {
    /// File name of the agent log the user gave.
    pub file: String,
}

pub(super) async fn run(
    args: AttributeFailureArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let file = user_file(ctx, &args.file, FileKind::AgentLog)?;
    set_arg(repaired, "file", file.name.clone());
    let log = AgentLog::load(&file.path).map_err(fail)?;
    let mut notes = Vec::new();
    let attribution = match &ctx.model {
        Some(model) => {
            let attributor =
                Attributor::new(Some(model.clone()), Prompts::default(), AttributionConfig::default())
                    .map_err(fail)?;
            match attributor.attribute(&log, Method::A2p).await {
                Ok(a) if a.agent.is_some() => a,
                Ok(_) | Err(_) => {
                    notes.push("the model gave no valid verdict; the keyword heuristic was used".to_string());
                    causa_attribution::heuristic(&log)
                }
            }
        }
        None => causa_attribution::heuristic(&log),
    };
    let result = json!({"file": file.name, "attribution": attribution, "notes": notes});
    ctx.state.attributions.push(result.clone());
    let who = attribution.agent.clone().unwrap_or_else(|| "no agent".into());
    let step = attribution.step.map_or_else(|| "no step".into(), |s| format!("step {s}"));
    let text = format!(
        "{} ({}): {who} at {step}; reason: {}",
        file.name,
        attribution.method.name(),
        attribution.reason
    );
    Ok(ToolOutput {
        summary: format!("{who} at {step} ({})", attribution.method.name()),
        result,
        observation: text,
    })
}
