//! `causa profile DATA`: what a data file looks like, and which discovery algorithm fits it.
//!
//! The decisions are made by `causa_data::profile`; this file only turns arguments into load
//! options and prints the result (the JSON field names are documented on that module).

use std::path::PathBuf;

use anyhow::Result;
use causa_data::profile::{Profile, ProfileOptions};
use clap::Args;

use crate::data_args::DataArgs;
use crate::output;

/// Arguments of `causa profile`.
#[derive(Args, Debug)]
pub struct ProfileArgs {
    /// Data file: CSV/TSV (delimiter detected), Parquet (.parquet) or JSON (.json, .jsonl).
    pub data: PathBuf,
    #[command(flatten)]
    pub input: DataArgs,
    /// Print machine-readable JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `causa profile`.
pub fn run(args: ProfileArgs) -> Result<()> {
    let loaded = causa_data::load(&args.data, &args.input.load_options()?)?;
    let profile = causa_data::profile(&loaded, &ProfileOptions::default());
    if args.json {
        return output::print_json(&profile);
    }
    print!("{}", render(&profile, loaded.rows_dropped));
    Ok(())
}

fn render(p: &Profile, dropped: usize) -> String {
    let mut out = format!("{} rows x {} columns", p.n_rows, p.n_cols);
    if dropped > 0 {
        out.push_str(&format!(" ({dropped} rows with missing values dropped)"));
    }
    if let Some(t) = &p.time_index {
        out.push_str(&format!(", time index `{t}`"));
    }
    out.push_str("\n\n");
    let width = p.columns.iter().map(|c| c.name.len()).max().unwrap_or(6).max(6);
    out.push_str(&format!(
        "{:width$}  {:11}  {:>6}  {:>7}  {:>10}  {:>10}  {}\n",
        "column", "type", "levels", "missing", "mean", "std dev", "gaussian (JB q)"
    ));
    for c in &p.columns {
        let levels = c.levels.map_or("-".to_string(), |l| l.to_string());
        let gauss = match (&c.gaussianity, c.constant) {
            (_, true) => "constant".to_string(),
            (Some(g), _) => format!("{} ({:.3})", if g.gaussian { "yes" } else { "no" }, g.q_value),
            (None, _) => "-".to_string(),
        };
        // A discrete column's mean and spread would be those of its internal level codes,
        // which say nothing about its values: only continuous columns show them.
        let (mean, std_dev) = if c.levels.is_none() {
            (format!("{:.4}", c.mean), format!("{:.4}", c.std_dev))
        } else {
            ("-".to_string(), "-".to_string())
        };
        out.push_str(&format!(
            "{:width$}  {:11}  {:>6}  {:>7}  {:>10}  {:>10}  {}\n",
            c.name, c.column_type, levels, c.missing, mean, std_dev, gauss
        ));
    }
    out.push('\n');
    if !p.near_duplicates.is_empty() {
        for d in &p.near_duplicates {
            out.push_str(&format!("near duplicates: {} and {} (r = {:.4})\n", d.a, d.b, d.correlation));
        }
    }
    out.push_str(&format!(
        "linearity: {} of {} pairs nonlinear\n",
        p.linearity.nonlinear_pairs.len(),
        p.linearity.pairs_tested
    ));
    for pair in p.linearity.nonlinear_pairs.iter().take(5) {
        out.push_str(&format!(
            "  {} on {}: R2 linear {:.3}, +{:.3} nonlinear (q = {:.2e})\n",
            pair.y, pair.x, pair.r2_linear, pair.r2_gain, pair.q_value
        ));
    }
    let r = &p.recommendation;
    out.push_str(&format!("\nrecommended: {}", r.algorithm.name()));
    if let Some(test) = r.ci_test {
        out.push_str(&format!(" with {}", test.name()));
    }
    out.push('\n');
    for reason in &r.reasons {
        out.push_str(&format!("  - {reason}\n"));
    }
    out
}
