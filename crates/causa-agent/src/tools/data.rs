//! `load_data`, `describe_data` and `profile`: getting to know the data before any causal claim.

use causa_data::ProfileOptions;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ToolContext, ToolOutput, ToolResult, err, fail, set_arg, short};
use crate::session::{FileKind, UserFile};

pub(super) const LOAD_DESCRIPTION: &str =
    "Load a data file the user gave, by its file name. Only the user's files can be loaded.";
pub(super) const DESCRIBE_DESCRIPTION: &str =
    "List the columns of a dataset with their types and basic statistics.";
pub(super) const PROFILE_DESCRIPTION: &str =
    "Profile a dataset: linearity, Gaussianity, and which discovery algorithm fits the data.";

/// Arguments of `load_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadDataArgs {
    /// File name of a data file the user gave, e.g. "sales.csv".
    pub file: String,
}

/// Arguments of `describe_data`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribeDataArgs {
    /// Dataset name (default: the loaded one).
    #[serde(default)]
    pub dataset: Option<String>,
}

/// Arguments of `profile`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileArgs {
    /// Dataset name (default: the loaded one).
    #[serde(default)]
    pub dataset: Option<String>,
}

/// The user file that `text` names: by its session name or its file name, case-insensitively.
/// The model's text is only compared with names; no path the model wrote is ever opened.
pub(crate) fn user_file(ctx: &ToolContext<'_>, text: &str, kind: FileKind) -> ToolResult<UserFile> {
    let files: Vec<&UserFile> = ctx.state.files.iter().filter(|f| f.kind == kind).collect();
    let what = match kind {
        FileKind::Data => "data files",
        FileKind::AgentLog => "agent log files",
    };
    if files.is_empty() {
        return err(format!("the user gave no {what}; only files given on the command line can be read"));
    }
    let wanted = text.trim();
    let last = wanted.rsplit(['/', '\\']).next().unwrap_or(wanted);
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let found = files.iter().find(|f| same(&f.name, wanted)).or_else(|| {
        // A path is accepted only when it is exactly the path the user gave.
        files.iter().find(|f| f.path.to_string_lossy() == wanted)
    });
    let found = found.or_else(|| {
        (!wanted.contains(['/', '\\'])).then(|| files.iter().find(|f| same(&f.name, last))).flatten()
    });
    let found = found.or_else(|| (files.len() == 1 && wanted.is_empty()).then(|| &files[0]));
    match found {
        Some(f) => Ok((*f).clone()),
        None => {
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            err(format!(
                "`{wanted}` is not one of the user's {what}; only these can be read: {}",
                names.join(", ")
            ))
        }
    }
}

pub(super) fn load(
    args: LoadDataArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let file = user_file(ctx, &args.file, FileKind::Data)?;
    set_arg(repaired, "file", file.name.clone());
    let record = ctx.workspace.load_dataset(ctx.state, &file).map_err(fail)?;
    let columns: Vec<String> =
        record.columns.iter().map(|c| format!("{} ({})", c.name, c.column_type)).collect();
    Ok(ToolOutput {
        summary: format!("loaded `{}`: {} rows, {} columns", record.name, record.rows, record.columns.len()),
        result: json!({"dataset": record.name, "rows": record.rows, "columns": record.columns.iter().map(|c| json!({"name": c.name, "type": c.column_type})).collect::<Vec<_>>()}),
        observation: format!(
            "dataset `{}`: {} rows; columns: {}",
            record.name,
            record.rows,
            columns.join(", ")
        ),
    })
}

pub(super) fn describe(
    args: DescribeDataArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let (record, loaded) = ctx.load_dataset(args.dataset.as_deref(), repaired)?;
    let data = &loaded.dataset;
    let mut columns = Vec::new();
    let mut lines = Vec::new();
    for (j, info) in loaded.columns.iter().enumerate() {
        let col = data.column(j);
        let n = col.len().max(1) as f64;
        let mean = col.sum() / n;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        let min = col.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = col.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let sd = var.sqrt();
        columns.push(json!({"name": info.name, "type": info.column_type.name(), "mean": mean, "sd": sd, "min": min, "max": max, "missing": info.missing}));
        lines.push(format!(
            "{} ({}): mean {}, sd {}, range [{}, {}]",
            info.name,
            info.column_type.name(),
            short(mean),
            short(sd),
            short(min),
            short(max)
        ));
    }
    let dropped = if loaded.rows_dropped > 0 {
        format!(" ({} rows with missing values dropped)", loaded.rows_dropped)
    } else {
        String::new()
    };
    Ok(ToolOutput {
        summary: format!("`{}`: {} rows x {} columns{dropped}", record.name, data.n_rows(), data.n_cols()),
        result: json!({"dataset": record.name, "rows": data.n_rows(), "rows_dropped": loaded.rows_dropped, "columns": columns}),
        observation: format!(
            "dataset `{}`: {} rows{dropped}\n{}",
            record.name,
            data.n_rows(),
            lines.join("\n")
        ),
    })
}

pub(super) fn profile(
    args: ProfileArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let (record, loaded) = ctx.load_dataset(args.dataset.as_deref(), repaired)?;
    let p = causa_data::profile(&loaded, &ProfileOptions::default());
    let rec = &p.recommendation;
    let compact = json!({
        "rows": p.n_rows,
        "columns": p.n_cols,
        "linear": p.linearity.linear,
        "gaussian": p.gaussian,
        "constant_columns": p.constant_columns,
        "near_duplicates": p.near_duplicates.iter().map(|d| json!([d.a, d.b, d.correlation])).collect::<Vec<_>>(),
        "nonlinear_pairs": p.linearity.nonlinear_pairs.iter().take(5).map(|q| json!([q.x, q.y])).collect::<Vec<_>>(),
        "recommendation": {
            "algorithm": rec.algorithm.name(),
            "ci_test": rec.ci_test.map(|t| t.name()),
            "data_model": rec.data_model,
            "reasons": rec.reasons,
        },
    });
    if let Some(d) = ctx.state.datasets.iter_mut().find(|d| d.name == record.name) {
        d.profile = Some(compact.clone());
    }
    let gaussian = match p.gaussian {
        Some(true) => "Gaussian",
        Some(false) => "non-Gaussian",
        None => "no continuous columns",
    };
    let linear = if p.linearity.linear { "linear" } else { "nonlinear" };
    let mut observation = format!(
        "`{}`: {} rows; relations look {linear}; noise looks {gaussian}.\nrecommended algorithm: {}{}. Why: {}",
        record.name,
        p.n_rows,
        rec.algorithm.name(),
        rec.ci_test.map(|t| format!(" with the {} test", t.name())).unwrap_or_default(),
        rec.reasons.join(" ")
    );
    if !p.constant_columns.is_empty() {
        observation.push_str(&format!("\nconstant columns: {}", p.constant_columns.join(", ")));
    }
    Ok(ToolOutput {
        summary: format!("{linear}, {gaussian}: recommends {}", rec.algorithm.name()),
        result: compact,
        observation,
    })
}
