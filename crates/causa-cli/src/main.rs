//! The `causa` binary: argument parsing and wiring only; the work is done by the library crates.

mod agent_args;
mod ask_cmd;
mod attribute_cmd;
mod bench_cmd;
mod chat_cmd;
mod data_args;
mod discover_cmd;
mod estimate_cmd;
mod exit;
mod graph_cmd;
mod models_cmd;
mod output;
mod profile_cmd;
mod simulate_cmd;
mod values;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Causa: a causal-analysis copilot.
///
/// Exit codes: 0 success; 1 a failure not caused by the input (e.g. an output file could not be
/// written); 2 invalid input (bad arguments, a malformed or unreadable graph, an unknown node, a
/// graph of the wrong class).
#[derive(Parser, Debug)]
#[command(name = "causa", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Query, convert and compare causal graphs (DAG, CPDAG, PAG, ADMG).
    Graph(graph_cmd::GraphArgs),
    /// Profile a data file: column types, missingness, linearity, Gaussianity, and the
    /// discovery algorithm that fits.
    Profile(profile_cmd::ProfileArgs),
    /// Simulate data from a graph (or a random DAG) with a known causal truth.
    Simulate(simulate_cmd::SimulateArgs),
    /// Learn a causal graph from a data file.
    Discover(Box<discover_cmd::DiscoverArgs>),
    /// Fetch, list and locate the language models Causa runs locally.
    Models(models_cmd::ModelsArgs),
    /// Estimate a causal effect from data and a graph (or controls, or an instrument).
    Estimate(estimate_cmd::EstimateArgs),
    /// Find the agent and step of the decisive error in a failed multi-agent run.
    Attribute(attribute_cmd::AttributeArgs),
    /// Run accuracy benchmarks (Who&When failure attribution; Corr2Cause, CLEAR, CLadder and COLD
    /// causal reasoning), generate benchmark items, compare runs.
    Bench(bench_cmd::BenchArgs),
    /// Ask a causal question about a data file: the agent profiles the data, learns a graph,
    /// estimates and refutes the effect asked about, and answers with the numbers.
    Ask(Box<ask_cmd::AskArgs>),
    /// Chat with the analysis agent in the terminal; sessions are saved and can be resumed.
    Chat(chat_cmd::ChatArgs),
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Graph(args) => graph_cmd::run(args),
        Command::Profile(args) => profile_cmd::run(args).map(|()| ExitCode::SUCCESS),
        Command::Simulate(args) => simulate_cmd::run(args).map(|()| ExitCode::SUCCESS),
        Command::Discover(args) => discover_cmd::run(*args).map(|()| ExitCode::SUCCESS),
        Command::Models(args) => models_cmd::run(args),
        Command::Estimate(args) => estimate_cmd::run(args).map(|()| ExitCode::SUCCESS),
        Command::Attribute(args) => attribute_cmd::run(args),
        Command::Bench(args) => bench_cmd::run(args),
        Command::Ask(args) => ask_cmd::run(*args),
        Command::Chat(args) => chat_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    }
}

/// Restores the default action of SIGPIPE, which the Rust runtime ignores, so that
/// `causa ... | head` ends quietly when the reader stops instead of panicking in `println!`.
#[cfg(unix)]
#[allow(unsafe_code)]
fn restore_default_sigpipe() {
    // SAFETY: runs first thing in `main`, before any other thread exists, and installs the
    // system's default disposition, which is always a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
