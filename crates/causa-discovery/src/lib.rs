//! Causal discovery: learning a causal graph from data.
//!
//! Algorithms are assembled from shared steps: independence tests behind the `CiTest` trait
//! (with a cache keyed by the canonical `(x, y | S)`), scores behind the `Score` trait, and the
//! graph operations of `causa-graph` (Meek rules, CPDAGs). A d-separation oracle implements
//! `CiTest` so every constraint-based algorithm can be tested exactly against a known graph.

pub mod bootstrap;
pub mod citest;
pub mod error;
pub mod fci;
pub mod ges;
pub mod knowledge;
pub mod linalg;
pub mod lingam;
pub mod notears;
mod parallel;
pub mod pc;
pub mod score;
pub mod skeleton;
pub mod timeseries;

pub use error::{DiscoveryError, Result};
pub use knowledge::Knowledge;
pub use parallel::MAX_THREADS;
