//! The Causa analysis agent: a person's question and data file in, a causal analysis and a clear
//! answer out.
//!
//! The split of work is deliberate. Deterministic code does what a small language model does
//! badly: it validates and repairs every tool argument (fuzzy column names), picks defaults from
//! the data profile, and guards the analysis plan (profile, discover, identify and estimate the
//! effect asked about, refute, answer), running a required step itself when the model skips or
//! fumbles it and recording that it did. The model adds what it can: choices among valid options
//! and the interpretation text, which is checked against the numbers the tools produced. Without
//! a model a rule-based planner runs the same plan from the question's wording.
//!
//! Every front end consumes the same [`Event`] stream ([`event`]); a [`Session`] holds the state
//! as plain serde data and saves it after every step ([`session`]); [`report`] writes Markdown,
//! HTML and JSON reports of a session.

pub mod agent;
mod error;
pub mod event;
mod fsutil;
pub mod planner;
pub mod prompts;
pub mod question;
pub mod report;
pub mod session;
mod time;
pub mod tools;
mod workspace;

pub use error::{AgentError, Result};
pub use event::{
    CallOrigin, ChannelSink, CollectSink, Event, EventSink, JsonlSink, KeyNumber, NullSink, RunStatus, Tee,
};
pub use fsutil::write_atomically;
pub use session::{
    AnswerRecord, DatasetRecord, EstimateRecord, FileKind, GraphRecord, Guidance, RunOutcome, Session,
    SessionConfig, SessionInfo, SessionState, SessionStore, StepRecord, Turn, UserFile,
};
pub use time::compact_stamp;
