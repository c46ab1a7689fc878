//! The tools the agent (or the rule-based planner) calls.
//!
//! A tool is an argument struct (`Deserialize + JsonSchema`, flat schema for grammar-constrained
//! decoding), a description written for a small model, and a handler that calls the library
//! crates. Handlers never run shell commands or code and never take a filesystem path from the
//! model, except `load_data` and `attribute_failure`, which accept only files the person gave
//! (matched by name). Everything else is referred to by the name the session gave it.
//!
//! Deterministic code repairs what a small model gets slightly wrong (column names in another
//! case or spelling, a missing dataset name when there is only one) and fills defaults from the
//! profile; what it cannot repair comes back as a [`ToolError`] whose text says what to do.

mod answer;
mod attribute;
mod data;
mod discover;
mod estimate;
mod graph;
mod refute;
mod simulate;

use std::sync::Arc;
use std::time::Instant;

use causa_llm::{ChatModel, ToolSpec};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use answer::FinalAnswerArgs;
pub use attribute::AttributeFailureArgs;
pub use data::{DescribeDataArgs, LoadDataArgs, ProfileArgs};
pub use discover::{AlgorithmChoice, DiscoverArgs};
pub use estimate::{EstimateEffectArgs, MethodChoice};
pub use graph::{CompareGraphsArgs, GraphQueryArgs, QueryKind};
pub use refute::{RefuteArgs, RefuterChoice};
pub use simulate::SimulateArgs;

use crate::question::match_column;
use crate::session::{DatasetRecord, GraphRecord, SessionState};
use crate::workspace::Workspace;

/// The tools by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolName {
    /// Load a data file the person gave.
    LoadData,
    /// Columns, types and summary statistics.
    DescribeData,
    /// The data profile and the recommended discovery algorithm.
    Profile,
    /// Learn a causal graph.
    Discover,
    /// Estimate a causal effect.
    EstimateEffect,
    /// d-separation, adjustment sets, identification, parents/children.
    GraphQuery,
    /// Compare two graphs (SHD, precision, recall).
    CompareGraphs,
    /// Refute an estimate.
    Refute,
    /// Simulate data from a graph.
    Simulate,
    /// Find the agent and step that made a multi-agent run fail.
    AttributeFailure,
    /// Give the answer.
    FinalAnswer,
}

impl ToolName {
    /// Every tool.
    pub const ALL: [ToolName; 11] = [
        ToolName::LoadData,
        ToolName::DescribeData,
        ToolName::Profile,
        ToolName::Discover,
        ToolName::EstimateEffect,
        ToolName::GraphQuery,
        ToolName::CompareGraphs,
        ToolName::Refute,
        ToolName::Simulate,
        ToolName::AttributeFailure,
        ToolName::FinalAnswer,
    ];

    /// The name the model uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ToolName::LoadData => "load_data",
            ToolName::DescribeData => "describe_data",
            ToolName::Profile => "profile",
            ToolName::Discover => "discover",
            ToolName::EstimateEffect => "estimate_effect",
            ToolName::GraphQuery => "graph_query",
            ToolName::CompareGraphs => "compare_graphs",
            ToolName::Refute => "refute",
            ToolName::Simulate => "simulate",
            ToolName::AttributeFailure => "attribute_failure",
            ToolName::FinalAnswer => "final_answer",
        }
    }

    /// The tool called `name` (exact, or ignoring case and separators).
    pub fn parse(name: &str) -> Option<ToolName> {
        let wanted = crate::question::normalise(name);
        Self::ALL.into_iter().find(|t| crate::question::normalise(t.as_str()) == wanted)
    }

    /// The tool's spec for the model: name, description, flat JSON schema of the arguments.
    pub fn spec(self) -> ToolSpec {
        let name = self.as_str();
        match self {
            ToolName::LoadData => ToolSpec::from_type::<LoadDataArgs>(name, data::LOAD_DESCRIPTION),
            ToolName::DescribeData => {
                ToolSpec::from_type::<DescribeDataArgs>(name, data::DESCRIBE_DESCRIPTION)
            }
            ToolName::Profile => ToolSpec::from_type::<ProfileArgs>(name, data::PROFILE_DESCRIPTION),
            ToolName::Discover => ToolSpec::from_type::<DiscoverArgs>(name, discover::DESCRIPTION),
            ToolName::EstimateEffect => {
                ToolSpec::from_type::<EstimateEffectArgs>(name, estimate::DESCRIPTION)
            }
            ToolName::GraphQuery => ToolSpec::from_type::<GraphQueryArgs>(name, graph::QUERY_DESCRIPTION),
            ToolName::CompareGraphs => {
                ToolSpec::from_type::<CompareGraphsArgs>(name, graph::COMPARE_DESCRIPTION)
            }
            ToolName::Refute => ToolSpec::from_type::<RefuteArgs>(name, refute::DESCRIPTION),
            ToolName::Simulate => ToolSpec::from_type::<SimulateArgs>(name, simulate::DESCRIPTION),
            ToolName::AttributeFailure => {
                ToolSpec::from_type::<AttributeFailureArgs>(name, attribute::DESCRIPTION)
            }
            ToolName::FinalAnswer => ToolSpec::from_type::<FinalAnswerArgs>(name, answer::DESCRIPTION),
        }
    }
}

/// The graph of a session graph record (for front ends and tests).
pub fn graph_of_record(record: &GraphRecord) -> crate::Result<causa_graph::CausalGraph> {
    crate::workspace::graph_of(record)
}

/// The specs of every tool, in [`ToolName::ALL`] order.
pub fn all_specs() -> Vec<ToolSpec> {
    ToolName::ALL.iter().map(|t| t.spec()).collect()
}

/// A tool error, written for the model: what was wrong and what would work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError(pub String);

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Result of a tool handler.
pub type ToolResult<T> = std::result::Result<T, ToolError>;

pub(crate) fn err<T>(message: impl Into<String>) -> ToolResult<T> {
    Err(ToolError(message.into()))
}

pub(crate) fn fail(e: impl std::fmt::Display) -> ToolError {
    ToolError(e.to_string())
}

/// What a tool produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// One line for people.
    pub summary: String,
    /// The compact result (events, results.json).
    pub result: Value,
    /// What the model sees: short text (tables summarised, graphs as edge lists).
    pub observation: String,
}

/// What a tool may touch: the session state, the loaded tables, the model (for attribution).
pub struct ToolContext<'a> {
    /// The session state (graphs, estimates, ... are added here).
    pub state: &'a mut SessionState,
    /// Loaded tables.
    pub(crate) workspace: &'a mut Workspace,
    /// The model, for tools that can use one (attribute_failure).
    pub model: Option<Arc<dyn ChatModel>>,
    /// Seed of randomised steps.
    pub seed: u64,
}

impl ToolContext<'_> {
    /// The dataset named `name` (fuzzy), or the only/last one when `name` is absent.
    pub(crate) fn dataset(&self, name: Option<&str>) -> ToolResult<DatasetRecord> {
        let all = &self.state.datasets;
        if all.is_empty() {
            let files: Vec<&str> = self.state.files.iter().map(|f| f.name.as_str()).collect();
            return err(if files.is_empty() {
                "no data is loaded and no data file was given; ask the person for a data file".to_string()
            } else {
                format!("no data is loaded yet; call load_data with one of: {}", files.join(", "))
            });
        }
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return Ok(all[all.len() - 1].clone());
        };
        let names: Vec<String> = all.iter().map(|d| d.name.clone()).collect();
        let by_file = all.iter().find(|d| d.file == name);
        match match_column(name, &names).and_then(|n| all.iter().find(|d| d.name == n)).or(by_file) {
            Some(d) => Ok(d.clone()),
            None if all.len() == 1 => Ok(all[0].clone()),
            None => err(format!("no dataset `{name}`; datasets: {}", names.join(", "))),
        }
    }

    /// The dataset named `name` (as [`Self::dataset`]) and its loaded table; records the resolved
    /// name in the repaired arguments.
    pub(crate) fn load_dataset(
        &mut self,
        name: Option<&str>,
        repaired: &mut Value,
    ) -> ToolResult<(DatasetRecord, Arc<causa_data::LoadedData>)> {
        let record = self.dataset(name)?;
        set_arg(repaired, "dataset", record.name.clone());
        let loaded = self.workspace.data(self.state, &record.name).map_err(fail)?;
        Ok((record, loaded))
    }

    /// The graph named `name` (fuzzy), or the last one when absent.
    pub(crate) fn graph(&self, name: Option<&str>) -> ToolResult<GraphRecord> {
        let all = &self.state.graphs;
        if all.is_empty() {
            return err("there is no graph yet; call discover first");
        }
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return Ok(all[all.len() - 1].clone());
        };
        let names: Vec<String> = all.iter().map(|g| g.name.clone()).collect();
        match match_column(name, &names).and_then(|n| all.iter().find(|g| g.name == n)) {
            Some(g) => Ok(g.clone()),
            None => err(format!("no graph `{name}`; graphs: {}", names.join(", "))),
        }
    }
}

/// The column of `dataset` that `text` names (repaired: case, separators, plural, unique prefix,
/// one typo), or an error listing the columns.
pub(crate) fn column(dataset: &DatasetRecord, text: &str, role: &str) -> ToolResult<String> {
    let names: Vec<String> = dataset.columns.iter().map(|c| c.name.clone()).collect();
    match match_column(text.trim(), &names) {
        Some(c) => Ok(c.to_string()),
        None => err(format!(
            "{role} `{text}` is not a column of `{}`; columns: {}",
            dataset.name,
            names.join(", ")
        )),
    }
}

/// Parses arguments into `T`, with an error the model can act on.
pub(crate) fn parse_args<T: DeserializeOwned>(tool: ToolName, args: &Value) -> ToolResult<T> {
    let args = if args.is_null() { Value::Object(Default::default()) } else { args.clone() };
    serde_json::from_value(args).map_err(|e| {
        ToolError(format!(
            "invalid arguments for {}: {e}; expected {}",
            tool.as_str(),
            tool.spec().parameters
        ))
    })
}

/// Runs tool `tool` with `args`. Returns the output and the arguments as run (after repair).
pub async fn call(
    tool: ToolName,
    args: &Value,
    ctx: &mut ToolContext<'_>,
) -> (ToolResult<ToolOutput>, Value, u64) {
    let start = Instant::now();
    let mut repaired = args.clone();
    let r = &mut repaired;
    let result = match tool {
        ToolName::LoadData => parse_args(tool, args).and_then(|a| data::load(a, ctx, r)),
        ToolName::DescribeData => parse_args(tool, args).and_then(|a| data::describe(a, ctx, r)),
        ToolName::Profile => parse_args(tool, args).and_then(|a| data::profile(a, ctx, r)),
        ToolName::Discover => parse_args(tool, args).and_then(|a| discover::run(a, ctx, r)),
        ToolName::EstimateEffect => parse_args(tool, args).and_then(|a| estimate::run(a, ctx, r)),
        ToolName::GraphQuery => parse_args(tool, args).and_then(|a| graph::query(a, ctx, r)),
        ToolName::CompareGraphs => parse_args(tool, args).and_then(|a| graph::compare(a, ctx, r)),
        ToolName::Refute => parse_args(tool, args).and_then(|a| refute::run(a, ctx, r)),
        ToolName::Simulate => parse_args(tool, args).and_then(|a| simulate::run(a, ctx, r)),
        ToolName::AttributeFailure => match parse_args(tool, args) {
            Ok(a) => attribute::run(a, ctx, r).await,
            Err(e) => Err(e),
        },
        ToolName::FinalAnswer => parse_args(tool, args).and_then(answer::check),
    };
    (result, repaired, start.elapsed().as_millis() as u64)
}

/// Writes `value` under `key` in a JSON object (the repaired arguments).
pub(crate) fn set_arg(args: &mut Value, key: &str, value: impl Into<Value>) {
    if !args.is_object() {
        *args = Value::Object(Default::default());
    }
    if let Value::Object(map) = args {
        map.insert(key.to_string(), value.into());
    }
}

/// A number rounded to 4 significant digits for observations (full precision stays in results).
pub(crate) fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (4 - 1 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
    format!("{x:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::PlanStep;
    use serde_json::json;

    #[test]
    fn schemas_are_flat_and_closed() {
        for spec in all_specs() {
            let text = spec.parameters.to_string();
            assert!(
                !text.contains("$ref") && !text.contains("definitions") && !text.contains("$defs"),
                "{text}"
            );
            assert_eq!(spec.parameters["additionalProperties"], json!(false), "{}", spec.name);
            assert!(spec.description.len() < 220, "{}: keep descriptions short for a small model", spec.name);
        }
        assert_eq!(all_specs().len(), ToolName::ALL.len());
        for t in ToolName::ALL {
            assert_eq!(ToolName::parse(t.as_str()), Some(t));
        }
        assert_eq!(ToolName::parse("Estimate-Effect"), Some(ToolName::EstimateEffect));
        assert_eq!(ToolName::parse("shell"), None);
    }

    #[test]
    fn the_plans_own_arguments_satisfy_the_schemas() {
        let state = SessionState::new();
        let steps = [
            PlanStep::LoadData { file: "a.csv".into() },
            PlanStep::Describe,
            PlanStep::Profile,
            PlanStep::Discover { require: vec!["a -> b".into()] },
            PlanStep::CheckKnowledge { edges: vec!["a -> b".into()] },
            PlanStep::Identify { treatment: "a".into(), outcome: "b".into() },
            PlanStep::Estimate { treatment: "a".into(), outcome: "b".into() },
            PlanStep::Refute { treatment: "a".into(), outcome: "b".into() },
            PlanStep::Parents { outcome: "b".into() },
            PlanStep::Attribute { file: "log.json".into() },
        ];
        for step in steps {
            let spec = step.tool().spec();
            let args = step.arguments(&state);
            // A missing estimate name is null, which the schema allows (optional field).
            assert_eq!(causa_llm::schema::validate(&spec.parameters, &args), Ok(()), "{}: {args}", spec.name);
        }
    }
}
