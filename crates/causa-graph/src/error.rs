//! The error type shared by every operation of this crate.
//!
//! Messages are written for the person at the terminal: they name the node, line or token at fault
//! and, where it helps, what would be accepted instead.

use std::path::PathBuf;

/// Everything that can go wrong when building, reading or querying a graph.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// A node name that the graph does not contain.
    #[error("unknown node `{name}`; the graph has: {}", known_list(.known))]
    UnknownNode {
        /// The name that was asked for.
        name: String,
        /// The graph's node names, for the message.
        known: Vec<String>,
    },
    /// A node name that is already taken.
    #[error("node `{0}` is declared twice")]
    DuplicateNode(String),
    /// An edge from a node to itself.
    #[error("edge from `{0}` to itself: self-loops are not allowed")]
    SelfLoop(String),
    /// The same edge (same endpoints and marks) added twice.
    #[error("edge `{0}` is given twice")]
    DuplicateEdge(String),
    /// A directed cycle where an acyclic graph is required.
    #[error("the graph has a directed cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// A partially directed graph whose orientations cannot be completed into a DAG without a
    /// directed cycle or a new v-structure (for instance conflicting Meek-rule orientations).
    #[error("the partially directed graph has no consistent DAG extension: {0}")]
    NotExtendable(String),
    /// The graph has edges of a kind the operation is not defined for.
    #[error("{operation} needs {expected}, but {found}")]
    WrongGraphClass {
        /// What was being done.
        operation: &'static str,
        /// The class of graph the operation accepts.
        expected: &'static str,
        /// What was found instead, e.g. "edge `A o-> B` has a circle mark".
        found: String,
    },
    /// Text that could not be read as a graph.
    #[error("line {line}: {message} (at `{token}`)")]
    Parse {
        /// 1-based line number in the input.
        line: usize,
        /// The offending token or fragment.
        token: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// An argument that is out of range or inconsistent.
    #[error("{0}")]
    InvalidArgument(String),
    /// A file could not be read or written.
    #[error("cannot access `{}`: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

fn known_list(known: &[String]) -> String {
    const SHOWN: usize = 20;
    if known.is_empty() {
        "none (the graph is empty)".into()
    } else if known.len() <= SHOWN {
        known.join(", ")
    } else {
        format!("{}, ... ({} nodes)", known[..SHOWN].join(", "), known.len())
    }
}

/// Result alias for this crate.
pub type Result<T, E = GraphError> = std::result::Result<T, E>;
