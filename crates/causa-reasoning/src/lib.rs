//! The deterministic half of the causal-reasoning benchmarks Causa is scored on.
//!
//! COLD ([`cold`]) has only a loader here: its items test commonsense knowledge of daily
//! activities, which no formal engine holds.
//!
//! Each suite (Corr2Cause, CLEAR, CLadder) is scored in up to three modes: a model answers directly,
//! a model translates the item into a formal query that the engine answers, or a deterministic
//! parser translates and the engine answers. This crate holds everything that needs no model: a
//! loader for the official file format, the formal query type, the text parser, the engine solver,
//! a generator of fresh items whose ground truth the engine computes, and the official metric.
//! Keeping it free of model code lets the benchmark runner treat the engine as one more
//! "respondent" and lets the tests check the engine on the published development slices.

pub mod benchdata;
pub mod cladder;
pub mod clear;
pub mod cold;
pub mod corr2cause;
pub mod csv;

pub use causa_graph::{GraphError, Result};
