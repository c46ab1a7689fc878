//! `refute`: re-run a stored estimate under perturbations that a causal effect should survive
//! (placebo treatment, an added random common cause, a data subset) plus the E-value
//! sensitivity analysis, all from `causa-estimate`.

use causa_estimate::refute::Refuter;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ToolContext, ToolOutput, ToolResult, err, fail, set_arg};
use crate::question::match_column;
use crate::session::RefutationRecord;

pub(super) const DESCRIPTION: &str = "Check an effect estimate with refutation tests (placebo treatment, random common cause, data subset, E-value).";

/// Refutation tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefuterChoice {
    /// Every test.
    All,
    /// Replace the treatment by a random permutation: the effect should vanish.
    Placebo,
    /// Add a random covariate: the effect should not move.
    RandomCommonCause,
    /// Re-estimate on 80% of the rows: the effect should not move.
    Subset,
    /// How strong an unmeasured confounder would have to be.
    EValue,
}

/// Arguments of `refute`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuteArgs {
    /// Estimate name, e.g. "e1" (default: the latest).
    #[serde(default)]
    pub estimate: Option<String>,
    /// Tests to run (default all).
    #[serde(default)]
    pub tests: Vec<RefuterChoice>,
}

pub(super) fn run(
    args: RefuteArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let all = &ctx.state.estimates;
    if all.is_empty() {
        return err("there is no estimate yet; call estimate_effect first");
    }
    let names: Vec<String> = all.iter().map(|e| e.name.clone()).collect();
    let record = match args.estimate.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => all[all.len() - 1].clone(),
        Some(n) => match match_column(n, &names).and_then(|m| all.iter().find(|e| e.name == m)) {
            Some(e) => e.clone(),
            None => return err(format!("no estimate `{n}`; estimates: {}", names.join(", "))),
        },
    };
    set_arg(repaired, "estimate", record.name.clone());
    let mut refuters = Vec::new();
    let tests = if args.tests.is_empty() { vec![RefuterChoice::All] } else { args.tests.clone() };
    for t in &tests {
        let add: &[Refuter] = match t {
            RefuterChoice::All => &Refuter::ALL,
            RefuterChoice::Placebo => &[Refuter::PlaceboTreatment],
            RefuterChoice::RandomCommonCause => &[Refuter::RandomCommonCause],
            RefuterChoice::Subset => &[Refuter::DataSubset],
            RefuterChoice::EValue => &[Refuter::EValue],
        };
        for r in add {
            if !refuters.contains(r) {
                refuters.push(*r);
            }
        }
    }
    set_arg(repaired, "tests", refuters.iter().map(|r| r.name()).collect::<Vec<_>>());
    let mut planned = super::estimate::replan(ctx, &record)?;
    planned.options.refuters = refuters;
    let loaded = ctx.workspace.data(ctx.state, &record.dataset).map_err(fail)?;
    let report = super::estimate::estimate_with(&loaded.dataset, &planned.spec, &planned.options)?;
    let results: Vec<RefutationRecord> = report
        .refutations
        .iter()
        .map(|f| RefutationRecord {
            refuter: f.refuter.name().to_string(),
            passed: f.passed,
            new_value: f.new_value,
            detail: f.detail.clone(),
        })
        .collect();
    if let Some(e) = ctx.state.estimates.iter_mut().find(|e| e.name == record.name) {
        for r in &results {
            e.refutations.retain(|old| old.refuter != r.refuter);
            e.refutations.push(r.clone());
        }
    }
    let verdict = |p: Option<bool>| match p {
        Some(true) => "pass",
        Some(false) => "FAIL",
        None => "n/a",
    };
    let passed = results.iter().filter(|r| r.passed == Some(true)).count();
    let failed = results.iter().filter(|r| r.passed == Some(false)).count();
    let lines: Vec<String> =
        results.iter().map(|r| format!("{}: {} ({})", r.refuter, verdict(r.passed), r.detail)).collect();
    Ok(ToolOutput {
        summary: format!("`{}`: {passed} refutations passed, {failed} failed", record.name),
        result: json!({"estimate": record.name, "refutations": results}),
        observation: format!("refutations of `{}`:\n{}", record.name, lines.join("\n")),
    })
}
