//! Benchmarks for causa: a suite-agnostic, resumable runner ([`runner`]) and the suites that
//! use it: Who&When failure attribution ([`whowhen`]) and the causal-reasoning suites
//! Corr2Cause, CLEAR, CLadder and COLD ([`reasoning`]), each in direct, agent and engine mode.
//!
//! The Who&When suite lives here rather than in `causa-attribution` because it is glue:
//! finding logs in a directory, running an [`causa_attribution::Attributor`] per log, writing
//! per-log records and summaries. The parts with domain meaning (log parsing, the methods,
//! scoring with exact step equality) stay in `causa-attribution`, where `causa attribute` uses
//! them too. In the same way the reasoning suites keep loaders, parsers, engines, generators and
//! official metrics in `causa-reasoning` and add only what involves a model: prompts
//! ([`prompts`]), reading free-text answers ([`answer`]) and the modes.

pub mod answer;
mod error;
pub mod prompts;
pub mod reasoning;
pub mod runner;
pub mod whowhen;

pub use error::{BenchError, Result};
