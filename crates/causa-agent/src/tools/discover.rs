//! `discover`: learn a causal graph. The algorithm defaults to the profile's recommendation
//! (profiling first if needed) and the choice is checked against the data the same way
//! `causa discover` checks it: constraint tests must suit the column types.

use causa_data::profile::{Algorithm, CiTestName};
use causa_data::{Dataset, LoadedData, ProfileOptions};
use causa_discovery::Knowledge;
use causa_discovery::citest::{
    CiTest, DiscreteStatistic, DiscreteTest, FisherZ, KernelTest, KernelTestParams,
};
use causa_discovery::fci::{FciParams, fci};
use causa_discovery::ges::{Ges, GesParams, NoConstraints};
use causa_discovery::lingam::{DirectLingam, DirectLingamParams};
use causa_discovery::notears::{Notears, NotearsParams};
use causa_discovery::pc::{PcParams, pc};
use causa_discovery::score::{BdeuParams, BdeuScore, BicParams, BicScore};
use causa_graph::CausalGraph;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ToolContext, ToolOutput, ToolResult, column, err, fail, set_arg};
use crate::session::DatasetRecord;

pub(super) const DESCRIPTION: &str = "Learn a causal graph from a dataset. algorithm: auto uses the profile's recommendation. \
     Optional domain knowledge: require or forbid edges like \"age -> income\".";

/// Discovery algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AlgorithmChoice {
    /// The profile's recommendation.
    Auto,
    /// PC (no hidden confounders).
    Pc,
    /// FCI (allows hidden confounders).
    Fci,
    /// Greedy equivalence search.
    Ges,
    /// DirectLiNGAM (linear, non-Gaussian).
    Lingam,
    /// NOTEARS (linear).
    Notears,
}

/// Arguments of `discover`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoverArgs {
    /// Dataset name (default: the loaded one).
    #[serde(default)]
    pub dataset: Option<String>,
    /// Algorithm (default auto).
    #[serde(default)]
    pub algorithm: Option<AlgorithmChoice>,
    /// Edges known to exist, like "a -> b" (pc, fci, ges).
    #[serde(default)]
    pub require: Vec<String>,
    /// Edges known not to exist, like "b -> a" (pc, fci, ges).
    #[serde(default)]
    pub forbid: Vec<String>,
}

fn algorithm_name(a: AlgorithmChoice) -> &'static str {
    match a {
        AlgorithmChoice::Auto => "auto",
        AlgorithmChoice::Pc => "pc",
        AlgorithmChoice::Fci => "fci",
        AlgorithmChoice::Ges => "ges",
        AlgorithmChoice::Lingam => "lingam",
        AlgorithmChoice::Notears => "notears",
    }
}

fn from_recommended(a: Algorithm) -> AlgorithmChoice {
    match a {
        Algorithm::Pc | Algorithm::Pcmci => AlgorithmChoice::Pc,
        Algorithm::Fci => AlgorithmChoice::Fci,
        Algorithm::Ges => AlgorithmChoice::Ges,
        Algorithm::Lingam => AlgorithmChoice::Lingam,
        Algorithm::Notears => AlgorithmChoice::Notears,
    }
}

/// Splits "a -> b" (also "a->b", "a causes b") into repaired column names.
fn parse_edge(dataset: &DatasetRecord, text: &str) -> ToolResult<(String, String)> {
    let parts: Vec<&str> = if text.contains("->") {
        text.splitn(2, "->").collect()
    } else if text.contains(" causes ") {
        text.splitn(2, " causes ").collect()
    } else {
        return err(format!("edge `{text}` must look like \"a -> b\""));
    };
    if parts.len() != 2 {
        return err(format!("edge `{text}` must look like \"a -> b\""));
    }
    Ok((column(dataset, parts[0], "edge end")?, column(dataset, parts[1], "edge end")?))
}

pub(super) fn run(
    args: DiscoverArgs,
    ctx: &mut ToolContext<'_>,
    repaired: &mut Value,
) -> ToolResult<ToolOutput> {
    let (record, loaded) = ctx.load_dataset(args.dataset.as_deref(), repaired)?;
    let data = &loaded.dataset;
    check_data(data)?;
    let requested = args.algorithm.unwrap_or(AlgorithmChoice::Auto);
    let profile = causa_data::profile(&loaded, &ProfileOptions::default());
    let recommendation = profile.recommendation.clone();
    let (algorithm, reasons) = match requested {
        AlgorithmChoice::Auto => auto_choice(&profile),
        chosen => (chosen, Vec::new()),
    };
    set_arg(repaired, "algorithm", algorithm_name(algorithm));
    let mut knowledge = Knowledge::new(data.names());
    let mut required = Vec::new();
    for e in &args.require {
        let (a, b) = parse_edge(&record, e)?;
        knowledge.require(&a, &b).map_err(fail)?;
        required.push(format!("{a} -> {b}"));
    }
    let mut forbidden = Vec::new();
    for e in &args.forbid {
        let (a, b) = parse_edge(&record, e)?;
        knowledge.forbid(&a, &b).map_err(fail)?;
        forbidden.push(format!("{a} -> {b}"));
    }
    set_arg(repaired, "require", required.clone());
    set_arg(repaired, "forbid", forbidden.clone());
    let uses_knowledge =
        matches!(algorithm, AlgorithmChoice::Pc | AlgorithmChoice::Fci | AlgorithmChoice::Ges);
    if !knowledge.is_empty() && !uses_knowledge {
        return err(format!(
            "{} cannot use required or forbidden edges; use pc, fci or ges with domain knowledge",
            algorithm_name(algorithm)
        ));
    }
    if algorithm == AlgorithmChoice::Lingam
        && recommendation.data_model == causa_data::DataModel::LinearGaussian
    {
        return err(
            "lingam needs non-Gaussian noise, but the profile found Gaussian noise: use auto, pc or ges",
        );
    }
    let ci = ci_test_name(&loaded, algorithm, recommendation.ci_test)?;
    let graph = learn(data, algorithm, ci, (!knowledge.is_empty()).then_some(&knowledge), ctx.seed)?;
    let source = match ci {
        Some(t) if matches!(algorithm, AlgorithmChoice::Pc | AlgorithmChoice::Fci) => {
            format!("{} ({} test, alpha 0.05)", algorithm_name(algorithm), t.name())
        }
        _ => algorithm_name(algorithm).to_string(),
    };
    let name = crate::workspace::unique(&format!("g{}", ctx.state.graphs.len() + 1), |n| {
        ctx.state.graphs.iter().any(|g| g.name == n)
    });
    let graph_record = super::graph::record_of(&name, Some(&record.name), &source, &graph, reasons.clone());
    let mut violated = Vec::new();
    for e in &required {
        if !graph_record.edges.iter().any(|x| x == e) {
            violated.push(format!("required {e} is missing"));
        }
    }
    ctx.state.graphs.push(graph_record.clone());
    let undirected = graph_record.edges.iter().filter(|e| !e.contains("->")).count();
    let mut observation = format!(
        "graph `{name}` from {source}: {} edges\n{}",
        graph_record.edges.len(),
        graph_record.edges.join("\n")
    );
    if !reasons.is_empty() {
        observation.push_str(&format!("\nwhy {}: {}", algorithm_name(algorithm), reasons.join(" ")));
    }
    if undirected > 0 {
        observation.push_str(&format!("\n{undirected} edges have no direction (the data cannot tell)"));
    }
    if !violated.is_empty() {
        observation.push_str(&format!("\nconflicts with domain knowledge: {}", violated.join("; ")));
    }
    Ok(ToolOutput {
        summary: format!("`{name}`: {} edges by {source}", graph_record.edges.len()),
        result: json!({
            "graph": name,
            "algorithm": algorithm_name(algorithm),
            "source": source,
            "reasons": reasons,
            "edges": graph_record.edges,
            "required": required,
            "forbidden": forbidden,
            "knowledge_conflicts": violated,
        }),
        observation,
    })
}

/// The profile's recommendation and its reasons.
fn auto_choice(profile: &causa_data::Profile) -> (AlgorithmChoice, Vec<String>) {
    let rec = &profile.recommendation;
    (from_recommended(rec.algorithm), rec.reasons.clone())
}

fn check_data(data: &Dataset) -> ToolResult<()> {
    if data.n_cols() < 2 {
        return err(format!("discovery needs at least two columns; the data have {}", data.n_cols()));
    }
    if data.n_rows() <= data.n_cols() {
        return err(format!(
            "{} rows for {} columns: discovery needs more rows than columns",
            data.n_rows(),
            data.n_cols()
        ));
    }
    for (j, name) in data.names().iter().enumerate() {
        let col = data.column(j);
        if col.iter().all(|&v| v == col[0]) {
            return err(format!("column `{name}` is constant; nothing can be learnt about it"));
        }
    }
    Ok(())
}

/// The conditional-independence test for PC/FCI: the recommendation's, or by column types.
fn ci_test_name(
    loaded: &LoadedData,
    algorithm: AlgorithmChoice,
    recommended: Option<CiTestName>,
) -> ToolResult<Option<CiTestName>> {
    let data = &loaded.dataset;
    let categorical = loaded.columns.iter().find(|c| c.column_type == causa_data::ColumnType::Categorical);
    let linear_only = matches!(algorithm, AlgorithmChoice::Lingam | AlgorithmChoice::Notears)
        || (algorithm == AlgorithmChoice::Ges && !data.is_all_discrete());
    if linear_only && let Some(c) = categorical {
        return err(format!(
            "column `{}` is categorical text; {} needs numeric columns (use pc)",
            c.name,
            algorithm_name(algorithm)
        ));
    }
    if !matches!(algorithm, AlgorithmChoice::Pc | AlgorithmChoice::Fci) {
        return Ok(None);
    }
    let by_types = if data.is_all_discrete() { CiTestName::GTest } else { CiTestName::FisherZ };
    let test = match recommended {
        Some(CiTestName::GTest) if !data.is_all_discrete() => by_types,
        Some(t) => t,
        None => by_types,
    };
    Ok(Some(test))
}

fn learn(
    data: &Dataset,
    algorithm: AlgorithmChoice,
    ci: Option<CiTestName>,
    knowledge: Option<&Knowledge>,
    seed: u64,
) -> ToolResult<CausalGraph> {
    let names = data.names();
    let test = |ci: Option<CiTestName>| -> ToolResult<Box<dyn CiTest>> {
        Ok(match ci.unwrap_or(CiTestName::FisherZ) {
            CiTestName::FisherZ => Box::new(FisherZ::new(data).map_err(fail)?),
            CiTestName::GTest => {
                Box::new(DiscreteTest::new(data, DiscreteStatistic::GSquared).map_err(fail)?)
            }
            CiTestName::Kci => Box::new(
                KernelTest::new(data, KernelTestParams { seed, ..KernelTestParams::default() })
                    .map_err(fail)?,
            ),
        })
    };
    let graph = match algorithm {
        AlgorithmChoice::Pc | AlgorithmChoice::Auto => {
            pc(test(ci)?.as_ref(), names, &PcParams::default(), knowledge).map_err(fail)?.graph
        }
        AlgorithmChoice::Fci => {
            fci(test(ci)?.as_ref(), names, &FciParams::default(), knowledge).map_err(fail)?.graph
        }
        AlgorithmChoice::Ges => {
            let ges = Ges::new(GesParams::default()).map_err(fail)?;
            let result = if data.is_all_discrete() {
                let score = BdeuScore::new(data, BdeuParams::default()).map_err(fail)?;
                match knowledge {
                    Some(k) => ges.fit_with(&score, k),
                    None => ges.fit_with(&score, &NoConstraints),
                }
            } else {
                let score = BicScore::new(data, BicParams::default()).map_err(fail)?;
                match knowledge {
                    Some(k) => ges.fit_with(&score, k),
                    None => ges.fit_with(&score, &NoConstraints),
                }
            };
            result.map_err(fail)?.cpdag
        }
        AlgorithmChoice::Lingam => {
            DirectLingam::new(DirectLingamParams::default()).map_err(fail)?.fit(data).map_err(fail)?.graph
        }
        AlgorithmChoice::Notears => {
            Notears::new(NotearsParams::default()).map_err(fail)?.fit(data).map_err(fail)?.graph
        }
    };
    Ok(graph)
}
