//! `final_answer`: the model's interpretation. The loop checks it against the numbers the tools
//! produced before it becomes the answer (see `agent`).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{ToolOutput, ToolResult, err};

pub(super) const DESCRIPTION: &str =
    "Give the final answer to the question, citing the estimated effect and its 95% interval.";

/// Arguments of `final_answer`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FinalAnswerArgs {
    /// The answer in two or three sentences.
    #[schemars(length(min = 1, max = 400))]
    pub answer: String,
}

pub(super) fn check(args: FinalAnswerArgs) -> ToolResult<ToolOutput> {
    let text = args.answer.trim();
    if text.is_empty() {
        return err("the answer is empty; write two or three sentences with the numbers");
    }
    Ok(ToolOutput {
        summary: "answer given".into(),
        result: json!({"answer": text}),
        observation: "ok".into(),
    })
}
