//! Reading and writing graphs in the formats people and tools already use.
//!
//! Graphs arrive from many places: typed on the command line (`A -> B; B <-> C`), pasted from a
//! benchmark question ("Given a DAG with nodes ..."), exported by causal-discovery tools as JSON or
//! Graphviz DOT, or taken from the bnlearn repository as BIF. Each format lives in its own file;
//! this module names the formats, guesses which one a file or a string is in, and offers one entry
//! point, [`read_graph_arg`], for command-line arguments that may be a path or the graph itself.
//!
//! Every reader reports problems as [`GraphError::Parse`] with the 1-based line and the offending
//! token, and never panics. Every writer is deterministic (nodes in insertion order, edges sorted),
//! and the text, JSON and DOT writers read back to the same graph.
//!
//! Across readers, an edge given twice (same ends, same marks) is kept once: repeating an edge does
//! not change the graph it describes, while a self-loop is always an error.

mod ascii;
mod bif;
mod clear;
mod dot;
mod json;
mod mermaid;
mod svg;
mod text;

#[cfg(test)]
mod data_tests;
#[cfg(test)]
mod roundtrip_tests;

use std::path::Path;

pub use ascii::write_ascii;
pub use bif::{BifNetwork, BifVariable, parse_bif};
pub use clear::{looks_like_clear, parse_clear};
pub use dot::{parse_dot, write_dot};
pub use json::{parse_json, write_json};
pub use mermaid::write_mermaid;
pub use svg::write_svg;
pub use text::{parse_text, write_text};

use crate::error::{GraphError, Result};
use crate::graph::{CausalGraph, Mark, NodeId};

/// A graph file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GraphFormat {
    /// Edge-list text (`A -> B; B <-> C`), which also accepts CLEAR-style descriptions.
    Text,
    /// `{"nodes": [...], "edges": [{"from", "to", "kind"}]}`.
    Json,
    /// Graphviz DOT (`digraph { A -> B }`).
    Dot,
    /// Bayesian Interchange Format (read only): the parent -> child arcs of its CPTs.
    Bif,
    /// Mermaid `flowchart` (write only), for Markdown reports.
    Mermaid,
    /// A drawing for terminals (write only).
    Ascii,
    /// A standalone SVG figure (write only), for reports.
    Svg,
}

impl GraphFormat {
    /// Every format, readable ones first.
    pub const ALL: [GraphFormat; 7] = [
        GraphFormat::Text,
        GraphFormat::Json,
        GraphFormat::Dot,
        GraphFormat::Bif,
        GraphFormat::Mermaid,
        GraphFormat::Ascii,
        GraphFormat::Svg,
    ];

    /// A short lowercase name, e.g. `dot`.
    pub fn name(self) -> &'static str {
        match self {
            GraphFormat::Text => "text",
            GraphFormat::Json => "json",
            GraphFormat::Dot => "dot",
            GraphFormat::Bif => "bif",
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Ascii => "ascii",
            GraphFormat::Svg => "svg",
        }
    }

    /// True for the formats this module can read.
    pub fn is_readable(self) -> bool {
        matches!(self, GraphFormat::Text | GraphFormat::Json | GraphFormat::Dot | GraphFormat::Bif)
    }

    /// True for the formats this module can write.
    pub fn is_writable(self) -> bool {
        self != GraphFormat::Bif
    }

    /// The format a file extension stands for (`.txt`/`.edges`, `.json`, `.dot`/`.gv`, `.bif`,
    /// `.mmd`/`.mermaid`, `.svg`), case-insensitively.
    pub fn from_extension(path: &Path) -> Option<GraphFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "edges" | "edgelist" => Some(GraphFormat::Text),
            "json" => Some(GraphFormat::Json),
            "dot" | "gv" => Some(GraphFormat::Dot),
            "bif" => Some(GraphFormat::Bif),
            "mmd" | "mermaid" => Some(GraphFormat::Mermaid),
            "svg" => Some(GraphFormat::Svg),
            _ => None,
        }
    }

    /// The readable format some content is most likely in, judged by its first word:
    /// `{` is JSON, `graph`/`digraph`/`strict` followed by a brace is DOT, `network`/`variable`/
    /// `probability` followed by a brace is BIF, anything else is edge-list text.
    pub fn detect(content: &str) -> GraphFormat {
        let body = skip_leading_comments(content);
        if body.starts_with('{') || body.starts_with('[') {
            return GraphFormat::Json;
        }
        let first: String =
            body.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>().to_lowercase();
        let has_brace = content.contains('{');
        match first.as_str() {
            "graph" | "digraph" | "strict" if has_brace => GraphFormat::Dot,
            "network" | "variable" | "probability" if has_brace => GraphFormat::Bif,
            _ => GraphFormat::Text,
        }
    }
}

impl std::str::FromStr for GraphFormat {
    type Err = GraphError;

    /// Parses a format name as [`GraphFormat::name`] writes it (case-insensitive); `txt`,
    /// `edges` and `gv` are accepted as aliases.
    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "txt" | "edges" => "text",
            "gv" | "graphviz" => "dot",
            other => other,
        };
        GraphFormat::ALL.into_iter().find(|f| f.name() == alias).ok_or_else(|| {
            let names: Vec<&str> = GraphFormat::ALL.iter().map(|f| f.name()).collect();
            GraphError::InvalidArgument(format!(
                "unknown graph format `{s}`; expected one of {}",
                names.join(", ")
            ))
        })
    }
}

impl std::fmt::Display for GraphFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a graph from text in the given format; fails for the write-only formats.
pub fn read_graph(content: &str, format: GraphFormat) -> Result<CausalGraph> {
    match format {
        GraphFormat::Text => parse_text(content),
        GraphFormat::Json => parse_json(content),
        GraphFormat::Dot => parse_dot(content),
        GraphFormat::Bif => parse_bif(content)?.to_graph(),
        GraphFormat::Mermaid | GraphFormat::Ascii | GraphFormat::Svg => Err(GraphError::InvalidArgument(
            format!("the {format} format can be written but not read; read text, json, dot or bif"),
        )),
    }
}

/// Writes a graph in the given format; fails for BIF, which needs probabilities the graph lacks.
pub fn write_graph(graph: &CausalGraph, format: GraphFormat) -> Result<String> {
    match format {
        GraphFormat::Text => Ok(write_text(graph)),
        GraphFormat::Json => Ok(write_json(graph)),
        GraphFormat::Dot => Ok(write_dot(graph)),
        GraphFormat::Mermaid => Ok(write_mermaid(graph)),
        GraphFormat::Ascii => Ok(write_ascii(graph)),
        GraphFormat::Svg => Ok(write_svg(graph)),
        GraphFormat::Bif => Err(GraphError::InvalidArgument(
            "a graph alone cannot be written as BIF (it has no probability tables); \
             write text, json, dot, mermaid, ascii or svg"
                .into(),
        )),
    }
}

/// Reads a graph file, choosing the format by extension and, failing that, by content.
pub fn read_graph_file(path: &Path) -> Result<CausalGraph> {
    let content = std::fs::read_to_string(path)
        .map_err(|source| GraphError::Io { path: path.to_path_buf(), source })?;
    let format = GraphFormat::from_extension(path)
        .filter(|f| f.is_readable())
        .unwrap_or_else(|| GraphFormat::detect(&content));
    read_graph(&content, format)
}

/// Reads a graph from a command-line argument: a path if such a file exists, otherwise the graph
/// itself (inline JSON if it starts with `{`, else edge-list text or a CLEAR description).
///
/// An argument that looks like a path to a graph file (no spaces, a known extension) but names no
/// file is reported as a missing file rather than parsed as text. Anything else that exists is
/// read as a file too (`/dev/stdin`, a named pipe), except a folder, which is an error: read as
/// text, a folder's name would silently become a one-node graph.
pub fn read_graph_arg(arg: &str) -> Result<CausalGraph> {
    let path = Path::new(arg);
    if path.is_dir() {
        return Err(GraphError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("this is a folder, not a graph file"),
        });
    }
    if path.exists() {
        return read_graph_file(path);
    }
    let trimmed = arg.trim();
    let looks_like_path = !trimmed.is_empty()
        && !trimmed.contains(char::is_whitespace)
        && GraphFormat::from_extension(path).is_some();
    if looks_like_path {
        return Err(GraphError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    read_graph(arg, GraphFormat::detect(arg))
}

fn skip_leading_comments(content: &str) -> &str {
    let mut rest = content.trim_start();
    loop {
        if rest.starts_with('#') || rest.starts_with("//") {
            rest = rest.find('\n').map_or("", |i| &rest[i..]).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |i| &after[i + 2..]).trim_start();
        } else {
            return rest;
        }
    }
}

/// A parse error at a line, naming the token and what was expected.
pub(crate) fn parse_error(line: usize, token: impl Into<String>, message: impl Into<String>) -> GraphError {
    GraphError::Parse { line, token: token.into(), message: message.into() }
}

/// For the BIF and DOT lexers: the index just past the `/* ... */` comment that opens at
/// `chars[open]`, adding the newlines inside it to `line`; an unclosed comment is an error at the
/// line where it opens.
pub(crate) fn skip_block_comment(chars: &[char], open: usize, line: &mut usize) -> Result<usize> {
    let open_line = *line;
    let mut i = open + 2;
    while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
        *line += usize::from(chars[i] == '\n');
        i += 1;
    }
    if i >= chars.len() {
        return Err(parse_error(open_line, "/*", "unterminated comment; expected `*/`"));
    }
    Ok(i + 2)
}

/// For the BIF and DOT lexers: the index of the newline ending the line comment at `chars[from]`
/// (or the end of the input).
pub(crate) fn skip_line_comment(chars: &[char], from: usize) -> usize {
    chars[from..].iter().position(|&c| c == '\n').map_or(chars.len(), |n| from + n)
}

/// The node with this name, created if new; an invalid name becomes a parse error at `line`.
pub(crate) fn node_at(graph: &mut CausalGraph, name: &str, line: usize) -> Result<NodeId> {
    graph.ensure_node(name).map_err(|e| parse_error(line, name, e.to_string()))
}

/// Adds an edge unless the identical edge is present; a self-loop becomes a parse error.
pub(crate) fn add_edge_once(
    graph: &mut CausalGraph,
    (a, b): (NodeId, NodeId),
    (mark_a, mark_b): (Mark, Mark),
    line: usize,
    token: &str,
) -> Result<()> {
    let edge = crate::graph::Edge { a, b, mark_a, mark_b };
    if graph.edges_between(a, b).any(|e| e == edge) {
        return Ok(());
    }
    graph.add_edge(a, b, mark_a, mark_b).map_err(|e| parse_error(line, token, e.to_string()))
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes().iter().take(offset).filter(|&&b| b == b'\n').count()
}

/// A name written as is when it is a plain identifier, in double quotes (with `\"` and `\\`
/// escaped) otherwise.
pub(crate) fn quote_if_needed(name: &str, plain: impl Fn(&str) -> bool) -> String {
    if plain(name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_an_error_and_a_special_file_is_read() {
        let dir = std::env::temp_dir().join(format!("causa-graph-arg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = read_graph_arg(dir.to_str().unwrap()).unwrap_err();
        assert!(matches!(err, GraphError::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("folder"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        // `/dev/null` is not a regular file but reads as an empty graph, not as the text "/dev/null".
        let graph = read_graph_arg("/dev/null").unwrap();
        assert_eq!(graph.node_count(), 0);
        let err = graph.require("t").unwrap_err();
        assert!(err.to_string().ends_with("the graph has: none (the graph is empty)"), "{err}");
    }

    #[test]
    fn detects_formats_by_extension() {
        let cases = [
            ("g.txt", Some(GraphFormat::Text)),
            ("g.edges", Some(GraphFormat::Text)),
            ("g.JSON", Some(GraphFormat::Json)),
            ("a/b.dot", Some(GraphFormat::Dot)),
            ("g.gv", Some(GraphFormat::Dot)),
            ("alarm.bif", Some(GraphFormat::Bif)),
            ("figure.SVG", Some(GraphFormat::Svg)),
            ("g.csv", None),
            ("noext", None),
        ];
        for (path, want) in cases {
            assert_eq!(GraphFormat::from_extension(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn format_names_parse_back() {
        for format in GraphFormat::ALL {
            assert_eq!(format.name().parse::<GraphFormat>().unwrap(), format);
        }
        assert_eq!("GV".parse::<GraphFormat>().unwrap(), GraphFormat::Dot);
        let err = "png".parse::<GraphFormat>().unwrap_err().to_string();
        assert!(err.contains("`png`") && err.contains("mermaid"), "{err}");
    }

    #[test]
    fn detects_formats_by_content() {
        assert_eq!(GraphFormat::detect("  {\"edges\": []}"), GraphFormat::Json);
        assert_eq!(GraphFormat::detect("// made by hand\ndigraph G { a -> b }"), GraphFormat::Dot);
        assert_eq!(GraphFormat::detect("strict graph { a -- b }"), GraphFormat::Dot);
        assert_eq!(GraphFormat::detect("network x {\n}\nvariable a {"), GraphFormat::Bif);
        assert_eq!(GraphFormat::detect("# comment\ngraph -> x"), GraphFormat::Text);
        assert_eq!(GraphFormat::detect("A -> B"), GraphFormat::Text);
    }

    #[test]
    fn inline_arguments_are_parsed_by_their_look() {
        let g = read_graph_arg("A -> B; B <-> C").unwrap();
        assert_eq!(g.edge_count(), 2);
        let g = read_graph_arg(r#"{"edges": [{"from": "X", "to": "Y", "kind": "undirected"}]}"#).unwrap();
        assert_eq!(g.edge_text(g.edges()[0]), "X -- Y");
        let g =
            read_graph_arg("Given a DAG (directed acyclic graph) with nodes A, B and directed edges A->B.")
                .unwrap();
        assert_eq!(g.node_count(), 2);
    }

    #[test]
    fn missing_graph_file_is_an_io_error_naming_the_path() {
        let err = read_graph_arg("no/such/graph.dot").unwrap_err();
        assert!(matches!(err, GraphError::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("no/such/graph.dot"), "{err}");
    }

    #[test]
    fn existing_file_is_read_by_extension() {
        let dir = std::env::temp_dir().join(format!("causa-io-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("g.gv");
        std::fs::write(&path, "digraph { a -> b; b -> c [dir=both] }").unwrap();
        let g = read_graph_arg(path.to_str().unwrap()).unwrap();
        let texts: Vec<String> = g.edges().iter().map(|e| g.edge_text(*e)).collect();
        assert_eq!(texts, vec!["a -> b", "b <-> c"]);
        let unreadable = dir.join("dir.json");
        std::fs::create_dir_all(&unreadable).unwrap();
        assert!(matches!(read_graph_file(&unreadable), Err(GraphError::Io { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn write_only_and_read_only_formats_are_refused() {
        let g = CausalGraph::with_nodes(["A"]).unwrap();
        assert!(write_graph(&g, GraphFormat::Bif).is_err());
        assert!(read_graph("A", GraphFormat::Mermaid).is_err());
        for format in GraphFormat::ALL.into_iter().filter(|f| f.is_writable()) {
            assert!(write_graph(&g, format).unwrap().contains('A'), "{format}");
        }
    }
}
