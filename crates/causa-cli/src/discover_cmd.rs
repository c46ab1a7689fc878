//! `causa discover DATA`: learn a causal graph from a data file.
//!
//! The algorithms live in `causa-discovery`; this file chooses one (or lets the data profile of
//! `causa-data` choose, printing its reasons), checks that the data and parameters suit it before
//! any work starts, runs it (optionally on bootstrap resamples for edge confidence) and prints the
//! graph with the algorithm's diagnostics.
//!
//! Checks and decisions, so that bad input gives an error (exit 2) rather than a silently wrong
//! graph:
//! - every column must vary and no two columns may be identical (an exact copy makes every
//!   conditional test degenerate); there must be more rows than columns (except for time series,
//!   whose own checks count time points);
//! - Fisher-z, GES with BIC, LiNGAM and NOTEARS refuse text (categorical) columns, whose codes are
//!   arbitrary, and warn on numeric discrete columns (the result then reflects linear relations
//!   of the codes only);
//! - the G-test and chi-square test refuse continuous columns (declare integer columns discrete
//!   with `--discrete` if that is what they are);
//! - background knowledge is used by PC, FCI and GES only; with another algorithm `--knowledge`
//!   is an error, as are options the chosen algorithm does not use (`--ci-test`, `--alpha`,
//!   `--max-depth`, `--max-lag`);
//! - bootstrap resampling of rows would destroy the time order, so it is refused for Granger and
//!   PCMCI.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use causa_data::load::{ColumnType, LoadedData};
use causa_data::profile::{Algorithm, CiTestName, ProfileOptions, Recommendation};
use causa_data::{ColumnKind, Dataset};
use causa_discovery::bootstrap::{BootstrapParams, BootstrapResult, MAX_REPLICATES, bootstrap};
use causa_discovery::citest::{
    CiTest, DiscreteStatistic, DiscreteTest, FisherZ, KernelTest, KernelTestParams,
};
use causa_discovery::fci::{FciParams, fci};
use causa_discovery::ges::{Ges, GesParams, NoConstraints};
use causa_discovery::lingam::{DirectLingam, DirectLingamParams};
use causa_discovery::notears::{Notears, NotearsParams};
use causa_discovery::pc::{PcParams, pc};
use causa_discovery::score::{BdeuParams, BdeuScore, BicParams, BicScore};
use causa_discovery::timeseries::granger::{GrangerParams, granger};
use causa_discovery::timeseries::pcmci::{PcmciParams, pcmci};
use causa_discovery::{DiscoveryError, Knowledge};
use causa_graph::io::{self, GraphFormat};
use causa_graph::{CausalGraph, EdgeKind};
use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use crate::data_args::DataArgs;
use crate::exit::InputError;
use crate::output;

/// Default largest lag of the time-series algorithms.
const DEFAULT_MAX_LAG: usize = 2;

/// Arguments of `causa discover`.
#[derive(Args, Debug)]
pub struct DiscoverArgs {
    /// Data file: CSV/TSV (delimiter detected), Parquet (.parquet) or JSON (.json, .jsonl).
    pub data: PathBuf,
    /// The algorithm; `auto` follows the data profile's recommendation and prints why.
    #[arg(long, value_enum, default_value_t = AlgoArg::Auto)]
    pub algo: AlgoArg,
    /// Conditional-independence test of PC and FCI (default: the profile's, or fisher-z).
    #[arg(long, value_enum)]
    pub ci_test: Option<CiTestArg>,
    /// Significance level in (0, 1) of PC, FCI, Granger and PCMCI [default: 0.05].
    #[arg(long, allow_negative_numbers = true)]
    pub alpha: Option<f64>,
    /// Largest conditioning-set size of PC, FCI and PCMCI (default: no limit).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Background knowledge file (`forbid A -> B`, `require A -> B`, `tier N: A, B`) for PC,
    /// FCI and GES.
    #[arg(long)]
    pub knowledge: Option<PathBuf>,
    /// Run the algorithm on N bootstrap resamples of the rows (1 to 100000) and report each edge's
    /// frequency.
    #[arg(long, value_name = "N")]
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap resampling and of the kernel test's random features.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads, 1 to 1024 (default: all cores); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output format: `text` and `json` print a report; `dot` and `mermaid` print the graph.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Same as `--format json`.
    #[arg(long)]
    pub json: bool,
    /// Also write the graph, in --format (`text`: the edge list; `json`: the graph JSON), to this
    /// file (atomically).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// Largest lag of Granger and PCMCI [default: 2].
    #[arg(long)]
    pub max_lag: Option<usize>,
    #[command(flatten)]
    pub input: DataArgs,
}

/// `--algo` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AlgoArg {
    /// The data profile's recommendation.
    Auto,
    /// PC: a CPDAG from conditional independences (no latent confounders).
    Pc,
    /// FCI: a PAG, allowing latent confounders.
    Fci,
    /// Greedy Equivalence Search: a CPDAG by score (BIC, or BDeu for discrete data).
    Ges,
    /// DirectLiNGAM: a DAG, for linear relations with non-Gaussian noise.
    Lingam,
    /// NOTEARS: a DAG by continuous optimisation (linear).
    Notears,
    /// Granger causality between time series.
    Granger,
    /// PCMCI: lagged causal links between time series.
    Pcmci,
}

impl AlgoArg {
    fn name(self) -> &'static str {
        match self {
            AlgoArg::Auto => "auto",
            AlgoArg::Pc => "pc",
            AlgoArg::Fci => "fci",
            AlgoArg::Ges => "ges",
            AlgoArg::Lingam => "lingam",
            AlgoArg::Notears => "notears",
            AlgoArg::Granger => "granger",
            AlgoArg::Pcmci => "pcmci",
        }
    }

    fn from_recommended(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Pc => AlgoArg::Pc,
            Algorithm::Fci => AlgoArg::Fci,
            Algorithm::Ges => AlgoArg::Ges,
            Algorithm::Lingam => AlgoArg::Lingam,
            Algorithm::Notears => AlgoArg::Notears,
            Algorithm::Pcmci => AlgoArg::Pcmci,
        }
    }

    fn uses_ci_test(self) -> bool {
        matches!(self, AlgoArg::Pc | AlgoArg::Fci)
    }

    fn uses_knowledge(self) -> bool {
        matches!(self, AlgoArg::Pc | AlgoArg::Fci | AlgoArg::Ges)
    }

    fn uses_alpha(self) -> bool {
        matches!(self, AlgoArg::Pc | AlgoArg::Fci | AlgoArg::Granger | AlgoArg::Pcmci)
    }

    fn uses_max_depth(self) -> bool {
        matches!(self, AlgoArg::Pc | AlgoArg::Fci | AlgoArg::Pcmci)
    }

    fn is_time_series(self) -> bool {
        matches!(self, AlgoArg::Granger | AlgoArg::Pcmci)
    }
}

/// `--ci-test` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CiTestArg {
    /// Fisher's z on partial correlations (linear-Gaussian data).
    FisherZ,
    /// The G-test (likelihood ratio) on contingency tables (discrete data).
    GTest,
    /// Pearson's chi-square test on contingency tables (discrete data).
    ChiSquare,
    /// A kernel test with random features (nonlinear relations).
    Kci,
}

impl CiTestArg {
    fn name(self) -> &'static str {
        match self {
            CiTestArg::FisherZ => "fisher-z",
            CiTestArg::GTest => "g-test",
            CiTestArg::ChiSquare => "chi-square",
            CiTestArg::Kci => "kci",
        }
    }
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A readable report (algorithm, edges, drawing, diagnostics).
    Text,
    /// The report as JSON.
    Json,
    /// The graph in Graphviz DOT.
    Dot,
    /// The graph as a Mermaid flowchart.
    Mermaid,
}

/// Everything decided before the work starts.
struct Plan {
    algo: AlgoArg,
    ci_test: Option<CiTestArg>,
    alpha: f64,
    max_depth: Option<usize>,
    max_lag: usize,
    knowledge: Option<Knowledge>,
    seed: u64,
    /// Threads of one algorithm run (`None` inside a bootstrap: the bootstrap's pool).
    threads: Option<usize>,
    /// For GES: BDeu (all columns discrete) instead of BIC.
    bdeu: bool,
}

/// One run's graph with its diagnostics (JSON) and their text lines.
struct Learned {
    graph: CausalGraph,
    diagnostics: Map<String, Value>,
    text: Vec<String>,
}

impl DiscoverArgs {
    /// Parameter checks that need no data.
    fn check(&self) -> Result<()> {
        if let Some(alpha) = self.alpha
            && !(alpha > 0.0 && alpha < 1.0)
        {
            return Err(input(format!("--alpha must be in (0, 1), got {alpha}")));
        }
        if self.threads == Some(0) {
            return Err(input("--threads must be at least 1".into()));
        }
        if let Some(threads) = self.threads.filter(|&t| t > causa_discovery::MAX_THREADS) {
            return Err(input(format!(
                "--threads must be at most {}, got {threads}",
                causa_discovery::MAX_THREADS
            )));
        }
        if self.bootstrap == Some(0) {
            return Err(input("--bootstrap must be at least 1 (it is the number of resamples)".into()));
        }
        if let Some(n) = self.bootstrap.filter(|&n| n > MAX_REPLICATES) {
            return Err(input(format!("--bootstrap must be at most {MAX_REPLICATES}, got {n}")));
        }
        if self.max_lag == Some(0) {
            return Err(input("--max-lag must be at least 1".into()));
        }
        if let Some(path) = &self.out {
            output::refuse_existing(path, self.force)?;
        }
        Ok(())
    }
}

fn input(message: String) -> anyhow::Error {
    InputError(message).into()
}

/// Runs `causa discover`.
pub fn run(args: DiscoverArgs) -> Result<()> {
    args.check()?;
    let format = if args.json { FormatArg::Json } else { args.format };
    let loaded = causa_data::load(&args.data, &args.input.load_options()?)?;
    let data = &loaded.dataset;
    let recommendation = (args.algo == AlgoArg::Auto)
        .then(|| causa_data::profile(&loaded, &ProfileOptions::default()).recommendation);
    let mut warnings = Vec::new();
    let plan = plan(&args, &loaded, recommendation.as_ref(), &mut warnings)?;
    check_data(data, &loaded, &plan, &mut warnings)?;
    if let (Some(_), true) = (args.bootstrap, plan.algo.is_time_series()) {
        return Err(input(format!(
            "--bootstrap resamples rows, which would destroy the time order {} relies on; run it without --bootstrap",
            plan.algo.name()
        )));
    }

    let start = Instant::now();
    let learned = learn(data, &plan).map_err(|e| explain(e, &plan))?;
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;

    let boot = match args.bootstrap {
        Some(replicates) => {
            // The replicates run in parallel; each algorithm run shares the same pool.
            let inner = Plan { threads: None, ..plan.clone_for_bootstrap() };
            let params = BootstrapParams { replicates, seed: args.seed, threads: args.threads };
            Some(bootstrap(data, &params, |sample| learn(sample, &inner).map(|l| l.graph))?)
        }
        None => None,
    };

    let report = Report {
        args: &args,
        plan: &plan,
        recommendation: recommendation.as_ref(),
        warnings,
        loaded: &loaded,
    };
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    match format {
        FormatArg::Json => output::print_json(&report.json(&learned, boot.as_ref(), elapsed_ms))?,
        FormatArg::Dot | FormatArg::Mermaid if args.out.is_none() => {
            print!("{}", io::write_graph(&learned.graph, graph_format(format))?);
        }
        _ => print!("{}", report.text(&learned, boot.as_ref(), elapsed_ms)?),
    }
    if let Some(path) = &args.out {
        let mut text = io::write_graph(&learned.graph, graph_format(format))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        output::write_file_atomically(path, &text, args.force)?;
    }
    Ok(())
}

fn graph_format(format: FormatArg) -> GraphFormat {
    match format {
        FormatArg::Text => GraphFormat::Text,
        FormatArg::Json => GraphFormat::Json,
        FormatArg::Dot => GraphFormat::Dot,
        FormatArg::Mermaid => GraphFormat::Mermaid,
    }
}

impl Plan {
    fn clone_for_bootstrap(&self) -> Plan {
        Plan {
            algo: self.algo,
            ci_test: self.ci_test,
            alpha: self.alpha,
            max_depth: self.max_depth,
            max_lag: self.max_lag,
            knowledge: self.knowledge.clone(),
            seed: self.seed,
            threads: self.threads,
            bdeu: self.bdeu,
        }
    }
}

/// Chooses the algorithm and test and checks that every option given is used by it.
fn plan(
    args: &DiscoverArgs,
    loaded: &LoadedData,
    recommendation: Option<&Recommendation>,
    warnings: &mut Vec<String>,
) -> Result<Plan> {
    let data = &loaded.dataset;
    let algo = match recommendation {
        Some(r) => AlgoArg::from_recommended(r.algorithm),
        None => args.algo,
    };
    let picked = |what: &str| {
        if recommendation.is_some() {
            format!("{what} (auto picked {})", algo.name())
        } else {
            what.to_string()
        }
    };
    if args.ci_test.is_some() && !algo.uses_ci_test() {
        return Err(input(picked(&format!("--ci-test is used by pc and fci only, not by {}", algo.name()))));
    }
    if args.alpha.is_some() && !algo.uses_alpha() {
        return Err(input(picked(&format!(
            "--alpha is used by pc, fci, granger and pcmci only, not by {}",
            algo.name()
        ))));
    }
    if args.max_depth.is_some() && !algo.uses_max_depth() {
        return Err(input(picked(&format!(
            "--max-depth is used by pc, fci and pcmci only, not by {}",
            algo.name()
        ))));
    }
    if args.max_lag.is_some() && !algo.is_time_series() {
        return Err(input(picked(&format!(
            "--max-lag is used by granger and pcmci only, not by {}",
            algo.name()
        ))));
    }
    if args.knowledge.is_some() && !algo.uses_knowledge() {
        return Err(input(picked(&format!(
            "{} does not use background knowledge; --knowledge works with pc, fci and ges",
            algo.name()
        ))));
    }
    let ci_test = if algo.uses_ci_test() {
        Some(args.ci_test.unwrap_or_else(|| match recommendation.and_then(|r| r.ci_test) {
            Some(CiTestName::GTest) => CiTestArg::GTest,
            Some(CiTestName::Kci) => CiTestArg::Kci,
            Some(CiTestName::FisherZ) => CiTestArg::FisherZ,
            None if data.is_all_discrete() => CiTestArg::GTest,
            None => CiTestArg::FisherZ,
        }))
    } else {
        None
    };
    let knowledge = match &args.knowledge {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| input(format!("cannot read the knowledge file `{}`: {e}", path.display())))?;
            Some(
                Knowledge::parse(&text, data.names())
                    .with_context(|| format!("in the knowledge file `{}`", path.display()))?,
            )
        }
        None => None,
    };
    if algo == AlgoArg::Ges && knowledge.as_ref().is_some_and(|k| k.required_edges().next().is_some()) {
        warnings.push(
            "GES never deletes a required edge but does not force one in if the score never adds it".into(),
        );
    }
    Ok(Plan {
        algo,
        ci_test,
        alpha: args.alpha.unwrap_or(0.05),
        max_depth: args.max_depth,
        max_lag: args.max_lag.unwrap_or(DEFAULT_MAX_LAG),
        knowledge,
        seed: args.seed,
        threads: args.threads,
        bdeu: algo == AlgoArg::Ges && data.is_all_discrete(),
    })
}

/// Data checks that depend on the chosen method; see the module documentation.
fn check_data(data: &Dataset, loaded: &LoadedData, plan: &Plan, warnings: &mut Vec<String>) -> Result<()> {
    let names = data.names();
    if data.n_cols() < 2 {
        return Err(input(format!("discovery needs at least two columns, the data have {}", data.n_cols())));
    }
    if data.n_rows() == 0 {
        return Err(input("the data have no rows".into()));
    }
    for (j, name) in names.iter().enumerate() {
        let column = data.column(j);
        let first = column[0];
        if column.iter().all(|&v| v == first) {
            return Err(input(format!(
                "column `{name}` is constant: nothing can be learnt about it; leave it out with --columns"
            )));
        }
    }
    for a in 0..data.n_cols() {
        for b in a + 1..data.n_cols() {
            if data.column(a) == data.column(b) {
                return Err(input(format!(
                    "columns `{}` and `{}` are identical, which makes every test involving them degenerate; leave one out with --columns",
                    names[a], names[b]
                )));
            }
        }
    }
    if !plan.algo.is_time_series() && data.n_rows() <= data.n_cols() {
        return Err(input(format!(
            "{} rows for {} columns: discovery needs more rows than variables",
            data.n_rows(),
            data.n_cols()
        )));
    }
    let categorical: Vec<&str> = loaded
        .columns
        .iter()
        .filter(|c| c.column_type == ColumnType::Categorical)
        .map(|c| c.name.as_str())
        .collect();
    let discrete: Vec<&str> =
        names.iter().zip(data.kinds()).filter(|(_, k)| k.is_discrete()).map(|(n, _)| n.as_str()).collect();
    let continuous: Vec<&str> = names
        .iter()
        .zip(data.kinds())
        .filter(|(_, k)| matches!(k, ColumnKind::Continuous))
        .map(|(n, _)| n.as_str())
        .collect();
    let linear_method = match (plan.algo, plan.ci_test) {
        (_, Some(CiTestArg::FisherZ)) => Some("the Fisher-z test"),
        (AlgoArg::Ges, _) if !plan.bdeu => Some("GES with the BIC score"),
        (AlgoArg::Lingam, _) => Some("LiNGAM"),
        (AlgoArg::Notears, _) => Some("NOTEARS"),
        (AlgoArg::Granger, _) => Some("Granger causality"),
        (AlgoArg::Pcmci, _) => Some("PCMCI (partial correlation)"),
        _ => None,
    };
    if let Some(method) = linear_method {
        if let Some(first) = categorical.first() {
            return Err(input(format!(
                "column `{first}` is categorical (text), but {method} needs numeric columns: the codes of categories are arbitrary{}",
                if plan.ci_test.is_some() { "; use --ci-test g-test for discrete data" } else { "" }
            )));
        }
        // These fit a linear-Gaussian (or continuous-series) model whose score refuses discrete
        // columns; saying so here, with the flags that fix it, beats the library's bare refusal.
        let refuses_discrete = matches!(
            plan.algo,
            AlgoArg::Ges | AlgoArg::Lingam | AlgoArg::Notears | AlgoArg::Granger | AlgoArg::Pcmci
        );
        if refuses_discrete && let Some(first) = discrete.first() {
            return Err(input(format!(
                "column `{first}` is discrete, but {method} needs continuous columns; if its values \
                 are measurements, declare it with --continuous {first}, otherwise leave it out with \
                 --columns or use --algo pc or fci (with --ci-test kci or g-test)"
            )));
        }
        if !discrete.is_empty() {
            warnings.push(format!(
                "{method} treats the discrete columns {} as numbers, so it sees only linear relations of their codes{}",
                discrete.join(", "),
                if data.is_all_discrete() && plan.ci_test.is_some() {
                    "; --ci-test g-test is the test for discrete data"
                } else {
                    ""
                }
            ));
        }
    }
    if matches!(plan.ci_test, Some(CiTestArg::GTest | CiTestArg::ChiSquare))
        && let Some(first) = continuous.first()
    {
        return Err(input(format!(
            "column `{first}` is continuous, but the {} test needs discrete columns (declare integer-coded columns with --discrete, or use --ci-test fisher-z or kci)",
            plan.ci_test.map_or("", CiTestArg::name)
        )));
    }
    Ok(())
}

/// Adds advice to errors that the user can act on.
fn explain(err: DiscoveryError, plan: &Plan) -> anyhow::Error {
    match err {
        DiscoveryError::Singular(_) => anyhow::Error::new(err).context(format!(
            "{} cannot use collinear columns (some column is an exact linear combination of others); leave one out with --columns",
            plan.algo.name()
        )),
        // The library words this in its own parameter names (tau_max, max_conds_dim); the user
        // needs the flags that set them.
        DiscoveryError::UnsuitableData(ref message) if message.starts_with("too few time points") => {
            let depth = if plan.algo == AlgoArg::Pcmci { ", or cap the conditioning sets with --max-depth" } else { "" };
            anyhow::Error::new(err).context(format!("the series is too short: lower --max-lag{depth}"))
        }
        other => other.into(),
    }
}

fn ci_test_for(data: &Dataset, plan: &Plan) -> std::result::Result<Box<dyn CiTest>, DiscoveryError> {
    Ok(match plan.ci_test.unwrap_or(CiTestArg::FisherZ) {
        CiTestArg::FisherZ => Box::new(FisherZ::new(data)?),
        CiTestArg::GTest => Box::new(DiscreteTest::new(data, DiscreteStatistic::GSquared)?),
        CiTestArg::ChiSquare => Box::new(DiscreteTest::new(data, DiscreteStatistic::ChiSquared)?),
        CiTestArg::Kci => Box::new(KernelTest::new(
            data,
            KernelTestParams { seed: plan.seed, ..KernelTestParams::default() },
        )?),
    })
}

fn sepset_json(sepsets: &std::collections::BTreeMap<(String, String), Vec<String>>) -> (Value, Vec<String>) {
    let list: Vec<Value> =
        sepsets.iter().map(|((x, y), set)| json!({ "x": x, "y": y, "set": set })).collect();
    let text = sepsets.iter().map(|((x, y), set)| format!("{x} _||_ {y} | {{{}}}", set.join(", "))).collect();
    (Value::Array(list), text)
}

/// Runs the planned algorithm once on `data`.
fn learn(data: &Dataset, plan: &Plan) -> std::result::Result<Learned, DiscoveryError> {
    let names = data.names();
    let mut d = Map::new();
    let mut text = Vec::new();
    let graph = match plan.algo {
        AlgoArg::Pc | AlgoArg::Auto => {
            let test = ci_test_for(data, plan)?;
            let params = PcParams {
                alpha: plan.alpha,
                max_depth: plan.max_depth,
                threads: plan.threads,
                ..PcParams::default()
            };
            let r = pc(test.as_ref(), names, &params, plan.knowledge.as_ref())?;
            d.insert("tests_run".into(), json!(r.tests_run));
            d.insert("tests_requested".into(), json!(r.tests_requested));
            d.insert("depth_reached".into(), json!(r.depth_reached));
            d.insert("lenient_meek".into(), json!(r.lenient_meek));
            let (sets, lines) = sepset_json(&r.separating_sets);
            d.insert("separating_sets".into(), sets);
            text.push(format!(
                "independence tests: {} run ({} requested), largest conditioning set {}",
                r.tests_run,
                r.tests_requested,
                r.depth_reached.map_or("-".into(), |v| v.to_string())
            ));
            if r.lenient_meek {
                text.push("the colliders conflicted; Meek's rules were applied leniently".into());
            }
            text.push("separating sets:".into());
            text.extend(lines.into_iter().map(|l| format!("  {l}")));
            r.graph
        }
        AlgoArg::Fci => {
            let test = ci_test_for(data, plan)?;
            let params = FciParams {
                alpha: plan.alpha,
                max_depth: plan.max_depth,
                threads: plan.threads,
                ..FciParams::default()
            };
            let r = fci(test.as_ref(), names, &params, plan.knowledge.as_ref())?;
            d.insert("tests_run".into(), json!(r.tests_run));
            d.insert("tests_requested".into(), json!(r.tests_requested));
            let removed: Vec<Value> = r.removed_by_possible_dsep.iter().map(|(a, b)| json!([a, b])).collect();
            d.insert("removed_by_possible_dsep".into(), Value::Array(removed));
            let (sets, lines) = sepset_json(&r.separating_sets);
            d.insert("separating_sets".into(), sets);
            text.push(format!("independence tests: {} run ({} requested)", r.tests_run, r.tests_requested));
            for (a, b) in &r.removed_by_possible_dsep {
                text.push(format!("removed by the possible-d-sep stage: {a} - {b}"));
            }
            text.push("separating sets:".into());
            text.extend(lines.into_iter().map(|l| format!("  {l}")));
            r.graph
        }
        AlgoArg::Ges => {
            let ges = Ges::new(GesParams::default())?;
            let (r, score_name) = if plan.bdeu {
                let score = BdeuScore::new(data, BdeuParams::default())?;
                (fit_ges(&ges, &score, plan)?, "bdeu")
            } else {
                let score = BicScore::new(data, BicParams::default())?;
                (fit_ges(&ges, &score, plan)?, "bic")
            };
            d.insert("score_name".into(), json!(score_name));
            d.insert("score".into(), json!(r.score));
            d.insert("forward_steps".into(), json!(r.forward_steps));
            d.insert("backward_steps".into(), json!(r.backward_steps));
            d.insert("converged".into(), json!(r.converged));
            d.insert("score_evaluations".into(), json!(r.score_evaluations));
            text.push(format!(
                "score ({score_name}, higher is better): {:.4}; {} insertions, {} deletions, {} local scores{}",
                r.score,
                r.forward_steps,
                r.backward_steps,
                r.score_evaluations,
                if r.converged { "" } else { "; stopped at the step limit" }
            ));
            r.cpdag
        }
        AlgoArg::Lingam => {
            let r = DirectLingam::new(DirectLingamParams::default())?.fit(data)?;
            let order: Vec<&str> = r.causal_order.iter().map(|&i| names[i].as_str()).collect();
            d.insert("causal_order".into(), json!(order));
            d.insert("weights".into(), weights_json(&r.weights, names));
            text.push(format!("causal order: {}", order.join(", ")));
            text.extend(weights_text(&r.weights, names));
            r.graph
        }
        AlgoArg::Notears => {
            let r = Notears::new(NotearsParams::default())?.fit(data)?;
            d.insert("h".into(), json!(r.h));
            d.insert("rho".into(), json!(r.rho));
            d.insert("iterations".into(), json!(r.iterations));
            d.insert("converged".into(), json!(r.converged));
            d.insert("cycle_edges_removed".into(), json!(r.cycle_edges_removed));
            d.insert("weights".into(), weights_json(&r.weights, names));
            text.push(format!(
                "acyclicity h(W) = {:.2e} after {} iterations{}",
                r.h,
                r.iterations,
                if r.converged { "" } else { " (not converged)" }
            ));
            text.extend(weights_text(&r.weights, names));
            r.graph
        }
        AlgoArg::Granger => {
            let params = GrangerParams { alpha: plan.alpha, ..GrangerParams::new(plan.max_lag) };
            let r = granger(data, &params)?;
            let tests: Vec<Value> = r
                .tests
                .iter()
                .filter(|t| t.significant)
                .map(|t| {
                    json!({
                        "from": names[t.cause], "to": names[t.effect], "f_statistic": t.f_statistic,
                        "p_value": t.p_value, "adjusted_p_value": t.adjusted_p_value,
                        "lags": t.lags.iter().map(|l| json!({"lag": l.lag, "coefficient": l.coefficient, "p_value": l.p_value})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            d.insert("tests_run".into(), json!(r.tests.len()));
            d.insert("time_points".into(), json!(r.n_samples));
            d.insert("significant".into(), Value::Array(tests));
            text.push(format!(
                "{} Granger tests (lags 1..{}, {} time points, Benjamini-Hochberg adjusted)",
                r.tests.len(),
                plan.max_lag,
                r.n_samples
            ));
            for t in r.tests.iter().filter(|t| t.significant) {
                text.push(format!(
                    "  {} Granger-causes {}: F = {:.3}, adjusted p = {:.3e}",
                    names[t.cause], names[t.effect], t.f_statistic, t.adjusted_p_value
                ));
            }
            r.graph
        }
        AlgoArg::Pcmci => {
            let mut params = PcmciParams::new(plan.max_lag);
            params.alpha_level = plan.alpha;
            params.max_conds_dim = plan.max_depth;
            let r = pcmci(data, &params)?;
            let links: Vec<Value> = r
                .links
                .iter()
                .map(|l| {
                    json!({
                        "from": names[l.source], "to": names[l.target], "lag": l.lag,
                        "partial_correlation": l.partial_correlation, "p_value": l.p_value,
                        "adjusted_p_value": l.adjusted_p_value,
                    })
                })
                .collect();
            d.insert("tests_run".into(), json!(r.tests_run));
            d.insert("time_points".into(), json!(r.n_samples));
            d.insert("lagged_links".into(), Value::Array(links));
            text.push(format!(
                "{} tests, lags 1..{}, {} time points; lagged links:",
                r.tests_run, plan.max_lag, r.n_samples
            ));
            for l in &r.links {
                text.push(format!(
                    "  {}(t-{}) -> {}(t)  partial r = {:.3}, p = {:.2e}",
                    names[l.source], l.lag, names[l.target], l.partial_correlation, l.p_value
                ));
            }
            r.summary_graph
        }
    };
    Ok(Learned { graph, diagnostics: d, text })
}

fn fit_ges(
    ges: &Ges,
    score: &dyn causa_discovery::score::Score,
    plan: &Plan,
) -> std::result::Result<causa_discovery::ges::GesResult, DiscoveryError> {
    match &plan.knowledge {
        Some(k) => ges.fit_with(score, k),
        None => ges.fit_with(score, &NoConstraints),
    }
}

/// Non-zero weights; LiNGAM and NOTEARS both store `weights[[from, to]]`.
fn nonzero_weights<'a>(weights: &ndarray::Array2<f64>, names: &'a [String]) -> Vec<(&'a str, &'a str, f64)> {
    weights
        .indexed_iter()
        .filter(|(_, w)| **w != 0.0)
        .map(|((from, to), &w)| (names[from].as_str(), names[to].as_str(), w))
        .collect()
}

fn weights_json(weights: &ndarray::Array2<f64>, names: &[String]) -> Value {
    nonzero_weights(weights, names)
        .into_iter()
        .map(|(from, to, w)| json!({ "from": from, "to": to, "weight": w }))
        .collect()
}

fn weights_text(weights: &ndarray::Array2<f64>, names: &[String]) -> Vec<String> {
    let mut out = vec!["weights:".to_string()];
    out.extend(
        nonzero_weights(weights, names).into_iter().map(|(from, to, w)| format!("  {from} -> {to}: {w:.4}")),
    );
    out
}

/// What the output is built from.
struct Report<'a> {
    args: &'a DiscoverArgs,
    plan: &'a Plan,
    recommendation: Option<&'a Recommendation>,
    warnings: Vec<String>,
    loaded: &'a LoadedData,
}

fn kind_name(kind: EdgeKind) -> Value {
    serde_json::to_value(kind).unwrap_or(Value::Null)
}

/// Edges as `(from, to, kind)` names, as written (`from -> to`).
fn edge_list(graph: &CausalGraph) -> Vec<(String, String, EdgeKind)> {
    graph
        .edges()
        .into_iter()
        .map(|e| {
            let e = e.canonical();
            (graph.name(e.a).to_string(), graph.name(e.b).to_string(), e.kind())
        })
        .collect()
}

impl Report<'_> {
    fn algorithm_line(&self) -> String {
        let mut line = self.plan.algo.name().to_string();
        if let Some(test) = self.plan.ci_test {
            line.push_str(&format!(" with {}", test.name()));
        }
        if self.plan.algo == AlgoArg::Ges {
            line.push_str(if self.plan.bdeu { " with the BDeu score" } else { " with the BIC score" });
        }
        line
    }

    fn params(&self) -> Value {
        let p = self.plan;
        json!({
            "alpha": p.algo.uses_alpha().then_some(p.alpha),
            "ci_test": p.ci_test.map(CiTestArg::name),
            "score": (p.algo == AlgoArg::Ges).then_some(if p.bdeu { "bdeu" } else { "bic" }),
            "max_depth": p.max_depth,
            "max_lag": p.algo.is_time_series().then_some(p.max_lag),
            "knowledge": self.args.knowledge.as_ref().map(|k| k.display().to_string()),
            "bootstrap": self.args.bootstrap,
            "seed": self.args.seed,
            "threads": self.args.threads,
        })
    }

    fn json(&self, learned: &Learned, boot: Option<&BootstrapResult>, elapsed_ms: f64) -> Value {
        let edges: Vec<Value> = edge_list(&learned.graph)
            .into_iter()
            .map(|(from, to, kind)| {
                let mut e = json!({ "from": from, "to": to, "kind": kind_name(kind) });
                if let Some(b) = boot {
                    e["frequency"] = json!(b.edge_frequency(&from, &to, kind));
                }
                e
            })
            .collect();
        let mut out = json!({
            "algorithm": self.plan.algo.name(),
            "nodes": learned.graph.names().collect::<Vec<_>>(),
            "edges": edges,
            "params": self.params(),
            "elapsed_ms": elapsed_ms,
            "rows": self.loaded.dataset.n_rows(),
            "rows_dropped": self.loaded.rows_dropped,
            "diagnostics": Value::Object(learned.diagnostics.clone()),
            "warnings": self.warnings,
        });
        if let Some(r) = self.recommendation {
            out["recommendation"] = serde_json::to_value(r).unwrap_or(Value::Null);
        }
        if let Some(b) = boot {
            out["bootstrap"] = json!({
                "replicates": b.replicates,
                "succeeded": b.succeeded,
                "failures": b.failures.iter().map(|(r, m)| json!({"replicate": r, "error": m})).collect::<Vec<_>>(),
                "edges": b.edges.iter().map(|e| json!({"from": e.from, "to": e.to, "kind": kind_name(e.kind), "frequency": e.frequency})).collect::<Vec<_>>(),
                "adjacencies": b.adjacencies.iter().map(|e| json!({"a": e.a, "b": e.b, "frequency": e.frequency})).collect::<Vec<_>>(),
            });
        }
        out
    }

    fn text(&self, learned: &Learned, boot: Option<&BootstrapResult>, elapsed_ms: f64) -> Result<String> {
        let data = &self.loaded.dataset;
        let mut out = format!("algorithm: {}", self.algorithm_line());
        match self.recommendation {
            Some(r) => {
                out.push_str(" (auto: recommended by the data profile)\n");
                for reason in &r.reasons {
                    out.push_str(&format!("  - {reason}\n"));
                }
            }
            None => out.push('\n'),
        }
        out.push_str(&format!("data: {} rows x {} columns", data.n_rows(), data.n_cols()));
        if self.loaded.rows_dropped > 0 {
            out.push_str(&format!(" ({} rows with missing values dropped)", self.loaded.rows_dropped));
        }
        out.push('\n');
        if let Some(k) = &self.args.knowledge {
            out.push_str(&format!("background knowledge: {}\n", k.display()));
        }
        for w in &self.warnings {
            out.push_str(&format!("warning: {w}\n"));
        }
        let edges = edge_list(&learned.graph);
        out.push_str(&format!("\nedges ({}):\n", edges.len()));
        for (from, to, kind) in &edges {
            out.push_str(&format!("  {from} {} {to}", kind.connector()));
            if let Some(b) = boot {
                out.push_str(&format!("  (bootstrap {:.2})", b.edge_frequency(from, to, *kind)));
            }
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&io::write_graph(&learned.graph, GraphFormat::Ascii)?);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("\ndiagnostics:\n");
        for line in &learned.text {
            out.push_str(&format!("  {line}\n"));
        }
        if let Some(b) = boot {
            out.push_str(&format!(
                "\nbootstrap: {} of {} resamples succeeded (seed {}); edge frequencies:\n",
                b.succeeded, b.replicates, self.args.seed
            ));
            for e in &b.edges {
                out.push_str(&format!("  {:.2}  {} {} {}\n", e.frequency, e.from, e.kind.connector(), e.to));
            }
            for (r, m) in b.failures.iter().take(5) {
                out.push_str(&format!("  resample {r} failed: {m}\n"));
            }
        }
        out.push_str(&format!("\nelapsed: {elapsed_ms:.1} ms\n"));
        Ok(out)
    }
}
