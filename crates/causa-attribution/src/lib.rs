//! Failure attribution for multi-agent LLM systems: which agent, at which step, made the
//! decisive error that made a task fail.
//!
//! A log ([`AgentLog`], from Who&When JSON or `{step, agent, content}` JSONL) goes to an
//! [`Attributor`] with a [`Method`]: the Abduct-Act-Predict scaffold ([`Method::A2p`]), the
//! Who&When baselines (all-at-once, step-by-step, binary search, hybrid) or a keyword heuristic
//! that needs no model. The split of work is deliberate: the model judges; deterministic code
//! keeps every prompt inside the context window ([`context`]), keeps step indices exact,
//! validates every answer against the log ([`verdict`]) and retries a bounded number of times.
//! Log text is treated as data: it is placed between delimiters it cannot forge, and an answer
//! naming an agent or step outside what was shown is rejected. [`whowhen`] scores predictions
//! against the benchmark's labels.

pub mod context;
mod error;
mod log;
mod method;
mod prompt;
pub mod verdict;
pub mod whowhen;

pub use error::{AttributionError, Result};
pub use log::{AgentLog, GoldLabel, LogFormat, Step, normalise_agent};
pub use method::{Attribution, AttributionConfig, Attributor, Method, heuristic};
pub use prompt::{PROMPTS_ENV, Prompts, placeholders, render_template};
pub use verdict::Verdict;
