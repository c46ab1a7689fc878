//! Structural checks of the SVG writer, made by reading the figure back: its elements, their
//! coordinates and their markers, against the graph it was drawn from.

use proptest::prelude::*;

use super::write_svg;
use crate::graph::{CausalGraph, Edge, EdgeKind, Mark, NodeId};
use crate::io::{parse_bif, parse_text};
use crate::test_support::benchdata;

/// A node box as read back: its rectangle and its label.
#[derive(Debug)]
struct DrawnNode {
    name: String,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

impl DrawnNode {
    fn overlaps(&self, other: &DrawnNode) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }

    /// True if `(px, py)` lies on the border of the box, within `tol`.
    fn on_border(&self, (px, py): (f64, f64), tol: f64) -> bool {
        let inside_outer = px >= self.x - tol
            && px <= self.x + self.width + tol
            && py >= self.y - tol
            && py <= self.y + self.height + tol;
        let inside_inner = px > self.x + tol
            && px < self.x + self.width - tol
            && py > self.y + tol
            && py < self.y + self.height - tol;
        inside_outer && !inside_inner
    }
}

/// An edge path as read back.
#[derive(Debug)]
struct DrawnEdge {
    title: String,
    class: String,
    d: String,
    marker_start: Option<String>,
    marker_end: Option<String>,
    dashed: bool,
}

impl DrawnEdge {
    fn numbers(&self) -> Vec<f64> {
        self.d
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect()
    }

    fn start(&self) -> (f64, f64) {
        let n = self.numbers();
        (n[0], n[1])
    }

    fn end(&self) -> (f64, f64) {
        let n = self.numbers();
        (n[n.len() - 2], n[n.len() - 1])
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

fn number_attr(tag: &str, name: &str) -> f64 {
    attr(tag, name).unwrap_or_else(|| panic!("no {name} in {tag}")).parse().unwrap()
}

/// The text between `open` (an element's opening tag prefix) and the next `close`, for every match.
fn chunks<'a>(svg: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find(open) {
        let len = rest[i..].find(close).unwrap_or_else(|| panic!("unclosed {open}"));
        out.push(&rest[i..i + len + close.len()]);
        rest = &rest[i + len + close.len()..];
    }
    out
}

fn inner_text(chunk: &str, element: &str) -> String {
    let open = chunk.find(&format!("<{element}")).unwrap();
    let start = open + chunk[open..].find('>').unwrap() + 1;
    let len = chunk[start..].find(&format!("</{element}>")).unwrap();
    unescape(&chunk[start..start + len])
}

fn drawn_nodes(svg: &str) -> Vec<DrawnNode> {
    chunks(svg, "<g class=\"node\">", "</g>")
        .into_iter()
        .map(|chunk| {
            let rect = chunks(chunk, "<rect", "/>")[0];
            DrawnNode {
                name: inner_text(chunk, "text"),
                x: number_attr(rect, "x"),
                y: number_attr(rect, "y"),
                width: number_attr(rect, "width"),
                height: number_attr(rect, "height"),
            }
        })
        .collect()
}

fn drawn_edges(svg: &str) -> Vec<DrawnEdge> {
    chunks(svg, "<path class=\"edge ", "</path>")
        .into_iter()
        .map(|chunk| DrawnEdge {
            title: inner_text(chunk, "title"),
            class: attr(chunk, "class").unwrap(),
            d: attr(chunk, "d").unwrap(),
            marker_start: attr(chunk, "marker-start"),
            marker_end: attr(chunk, "marker-end"),
            dashed: attr(chunk, "stroke-dasharray").is_some(),
        })
        .collect()
}

fn view_box(svg: &str) -> (f64, f64) {
    let root = chunks(svg, "<svg", ">")[0];
    let values: Vec<f64> = attr(root, "viewBox").unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
    assert_eq!(values[..2], [0.0, 0.0]);
    (values[2], values[3])
}

/// A small well-formedness check: tags nest and close, text holds no raw `<`, and every `&`
/// starts one of the entities the writer uses.
fn assert_well_formed(svg: &str) {
    let mut open: Vec<String> = Vec::new();
    let mut rest = svg.trim_end();
    assert!(rest.starts_with("<svg "), "{svg}");
    while !rest.is_empty() {
        let text_len = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..text_len];
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..text[i..].find(';').map_or(text.len(), |j| i + j + 1)];
            assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity), "bad entity in {text:?}");
        }
        rest = &rest[text_len..];
        if rest.is_empty() {
            break;
        }
        let tag_len = rest.find('>').unwrap() + 1;
        let tag = &rest[..tag_len];
        assert_eq!(tag[1..].matches('<').count(), 0, "raw < inside {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in {tag}");
        let name: String = tag
            .trim_start_matches("</")
            .trim_start_matches('<')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if tag.starts_with("</") {
            assert_eq!(open.pop().as_deref(), Some(name.as_str()), "mismatched {tag}");
        } else if !tag.ends_with("/>") {
            open.push(name);
        }
        rest = &rest[tag_len..];
        if open.is_empty() {
            assert!(rest.trim().is_empty(), "content after </svg>: {rest}");
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}");
}

/// Everything that must hold for any graph: returns the drawn nodes by node id.
fn check_structure(g: &CausalGraph, svg: &str) -> Vec<DrawnNode> {
    assert_well_formed(svg);
    let (width, height) = view_box(svg);
    let nodes = drawn_nodes(svg);
    let mut drawn_names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    let mut names: Vec<&str> = g.names().collect();
    drawn_names.sort_unstable();
    names.sort_unstable();
    assert_eq!(drawn_names, names, "every node drawn once, as its name");
    let by_id: Vec<DrawnNode> = g
        .node_ids()
        .map(|v| {
            let i = nodes.iter().position(|n| n.name == g.name(v)).unwrap();
            DrawnNode { name: nodes[i].name.clone(), ..nodes[i] }
        })
        .collect();
    for (i, a) in by_id.iter().enumerate() {
        assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.width <= width && a.y + a.height <= height, "{a:?}");
        for b in &by_id[i + 1..] {
            assert!(!a.overlaps(b), "boxes overlap: {a:?} {b:?}");
        }
    }
    let edges = drawn_edges(svg);
    assert_eq!(edges.len(), g.edge_count(), "one path per edge");
    let marker_of = |mark: Mark, end: &str| match mark {
        Mark::Tail => None,
        Mark::Arrow => Some(format!("url(#causa-arrow-{end})")),
        Mark::Circle => Some(format!("url(#causa-circle-{end})")),
    };
    for edge in g.edges().into_iter().map(Edge::canonical) {
        let text = g.edge_text(edge);
        let drawn: Vec<&DrawnEdge> = edges.iter().filter(|d| d.title == text).collect();
        assert_eq!(drawn.len(), 1, "{text} drawn once");
        let drawn = drawn[0];
        assert_eq!(drawn.marker_start, marker_of(edge.mark_a, "start"), "{text}");
        assert_eq!(drawn.marker_end, marker_of(edge.mark_b, "end"), "{text}");
        assert_eq!(drawn.dashed, edge.kind() == EdgeKind::Bidirected, "{text}");
        assert!(by_id[edge.a.index()].on_border(drawn.start(), 0.15), "{text} starts on {:?}", drawn.d);
        assert!(by_id[edge.b.index()].on_border(drawn.end(), 0.15), "{text} ends on {:?}", drawn.d);
        for pair in drawn.numbers().chunks(2) {
            assert!((0.0..=width).contains(&pair[0]) && (0.0..=height).contains(&pair[1]), "{}", drawn.d);
        }
    }
    let marks: Vec<Mark> = g.edges().iter().flat_map(|e| [e.mark_a, e.mark_b]).collect();
    assert_eq!(marker_count(&edges, "arrow"), marks.iter().filter(|&&m| m == Mark::Arrow).count());
    assert_eq!(marker_count(&edges, "circle"), marks.iter().filter(|&&m| m == Mark::Circle).count());
    by_id
}

/// How many ends of the edges carry a marker whose id contains `shape` (`arrow`, `circle`).
fn marker_count(edges: &[DrawnEdge], shape: &str) -> usize {
    edges
        .iter()
        .flat_map(|e| [&e.marker_start, &e.marker_end])
        .filter(|m| m.as_deref().is_some_and(|m| m.contains(shape)))
        .count()
}

/// The edge kinds listed in the legend, in order.
fn legend_kinds(svg: &str) -> Vec<String> {
    chunks(svg, "<path class=\"legend-edge ", "/>")
        .into_iter()
        .map(|tag| attr(tag, "class").unwrap().trim_start_matches("legend-edge ").to_string())
        .collect()
}

#[test]
fn mixed_graph_draws_every_node_edge_and_mark() {
    let g = parse_text("A -> B; B <-> C; C -- D; D o-o E; F o-> E; G --o A; A <-> B; lone").unwrap();
    let svg = write_svg(&g);
    check_structure(&g, &svg);
    assert_eq!(
        legend_kinds(&svg),
        ["directed", "undirected", "bidirected", "partially-directed", "nondirected", "partially-undirected"]
    );
}

#[test]
fn bidirected_edges_are_curved_beside_a_directed_edge() {
    let g = parse_text("A -> B; A <-> B; B -> C; A <-> C").unwrap();
    let svg = write_svg(&g);
    check_structure(&g, &svg);
    let edges = drawn_edges(&svg);
    let directed = edges.iter().find(|e| e.title == "A -> B").unwrap();
    let bidirected = edges.iter().find(|e| e.title == "A <-> B").unwrap();
    assert!(!directed.d.contains('Q') && bidirected.d.contains('Q'), "{directed:?} {bidirected:?}");
    assert!(bidirected.class.contains("bidirected"));
}

#[test]
fn two_cycle_edges_take_different_paths() {
    let g = parse_text("A -> B; B -> A").unwrap();
    let svg = write_svg(&g);
    check_structure(&g, &svg);
    let edges = drawn_edges(&svg);
    assert_ne!(edges[0].numbers(), edges[1].numbers());
}

#[test]
fn cyclic_graph_still_draws() {
    let g = parse_text("A -> B; B -> C; C -> A; C -> D; D -> E; E -> C; F -> A").unwrap();
    assert!(g.find_directed_cycle().is_some());
    let svg = write_svg(&g);
    let nodes = check_structure(&g, &svg);
    let f = g.require("F").unwrap().index();
    let a = g.require("A").unwrap().index();
    assert!(nodes[f].y < nodes[a].y, "edges outside the cycles still point down");
}

#[test]
fn pag_with_circle_marks_has_a_circle_per_circle_mark() {
    let g = parse_text("A o-> C; B o-> C; C -> D; A o-o B; D --o E").unwrap();
    let svg = write_svg(&g);
    check_structure(&g, &svg);
    let circles = marker_count(&drawn_edges(&svg), "circle");
    assert_eq!(circles, 5, "A o->, B o->, A o-o B (two), --o E");
    assert_eq!(legend_kinds(&svg), ["directed", "partially-directed", "nondirected", "partially-undirected"]);
}

#[test]
fn dags_have_no_legend() {
    let svg = write_svg(&parse_text("A -> B; A -> C; B -> C").unwrap());
    assert!(!svg.contains("class=\"legend"), "{svg}");
    assert!(write_svg(&parse_text("A -- B").unwrap()).contains("class=\"legend\""));
}

#[test]
fn names_are_escaped_into_inert_text() {
    let mut g = CausalGraph::new();
    let evil = "<script>alert(\"x&y\")</script>";
    let a = g.add_node(evil).unwrap();
    let b = g.add_node("it's \u{1} <b>").unwrap();
    g.add_directed(a, b).unwrap();
    let svg = write_svg(&g);
    assert_well_formed(&svg);
    assert!(!svg.contains("<script") && !svg.contains("<b>") && !svg.contains('\u{1}'), "{svg}");
    let names: Vec<String> = drawn_nodes(&svg).into_iter().map(|n| n.name).collect();
    assert_eq!(names, [evil, "it's \u{FFFD} <b>"]);
    let edges = drawn_edges(&svg);
    assert_eq!(edges[0].title, format!("{evil} -> it's \u{FFFD} <b>"));
}

#[test]
fn output_is_deterministic() {
    let g = parse_text("A -> C; B -> C; C -> D; A <-> D; D o-o E; E -> A").unwrap();
    let svg = write_svg(&g);
    assert_eq!(svg, write_svg(&g.clone()));
    assert_eq!(svg, write_svg(&parse_text("A -> C; B -> C; C -> D; A <-> D; D o-o E; E -> A").unwrap()));
}

#[test]
fn empty_graph_is_a_valid_empty_figure() {
    let g = CausalGraph::new();
    let svg = write_svg(&g);
    check_structure(&g, &svg);
    let (width, height) = view_box(&svg);
    assert!(width > 0.0 && height > 0.0);
    assert!(!svg.contains("<rect") && !svg.contains("class=\"legend"));
}

#[test]
fn connected_parts_are_drawn_side_by_side() {
    let g = parse_text("A -> B; B -> C; C -> D; A -> E; E -> D; X -> Y; lone").unwrap();
    let svg = write_svg(&g);
    let nodes = check_structure(&g, &svg);
    let span = |names: &[&str]| {
        let boxes: Vec<&DrawnNode> = names.iter().map(|n| &nodes[g.require(n).unwrap().index()]).collect();
        let left = boxes.iter().map(|b| b.x).fold(f64::INFINITY, f64::min);
        let right = boxes.iter().map(|b| b.x + b.width).fold(f64::NEG_INFINITY, f64::max);
        (left, right)
    };
    let (big, small, lone) = (span(&["A", "B", "C", "D", "E"]), span(&["X", "Y"]), span(&["lone"]));
    assert!(big.1 < small.0 && small.1 < lone.0, "{big:?} {small:?} {lone:?}");
    let top = |n: &str| nodes[g.require(n).unwrap().index()].y;
    assert_eq!((top("A"), top("X"), top("lone")), (top("A"), top("A"), top("A")), "parts start at the top");
}

#[test]
fn long_edges_route_around_the_layers_they_cross() {
    // A -> D skips two layers; its path must bend through the gaps rather than cross B or C.
    let g = parse_text("A -> B; B -> C; C -> D; A -> D").unwrap();
    let svg = write_svg(&g);
    let nodes = check_structure(&g, &svg);
    let long = drawn_edges(&svg).into_iter().find(|e| e.title == "A -> D").unwrap();
    let numbers = long.numbers();
    for point in numbers.chunks(2) {
        for v in ["B", "C"] {
            let n = &nodes[g.require(v).unwrap().index()];
            let inside =
                point[0] > n.x && point[0] < n.x + n.width && point[1] > n.y && point[1] < n.y + n.height;
            assert!(!inside, "A -> D passes through {v}: {}", long.d);
        }
    }
}

#[test]
fn alarm_network_is_drawn_with_parents_above_children() {
    let path = benchdata().join("bnlearn/bif/alarm.bif");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let g = parse_bif(&text).unwrap().to_graph().unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (37, 46));
    let svg = write_svg(&g);
    let nodes = check_structure(&g, &svg);
    assert_parents_above_children(&g, &nodes);
    assert!(!svg.contains("class=\"legend"));
}

fn assert_parents_above_children(g: &CausalGraph, nodes: &[DrawnNode]) {
    for e in g.edges().into_iter().map(Edge::canonical) {
        let (parent, child) = (&nodes[e.a.index()], &nodes[e.b.index()]);
        assert!(parent.y + parent.height < child.y, "{} is not above {}", parent.name, child.name);
    }
}

/// A random DAG on up to 12 nodes: edges go from lower to higher index in a shuffled naming.
fn dag_strategy() -> impl Strategy<Value = CausalGraph> {
    (2usize..12)
        .prop_flat_map(|n| {
            let pairs = n * (n - 1) / 2;
            let names = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
            (Just(n), proptest::collection::vec(proptest::bool::weighted(0.3), pairs), names)
        })
        .prop_map(|(n, present, names)| {
            let mut g = CausalGraph::with_nodes(names.iter().map(|i| format!("node{i}"))).unwrap();
            let mut k = 0;
            for i in 0..n {
                for j in i + 1..n {
                    if present[k] {
                        g.add_directed(NodeId::from_index(i), NodeId::from_index(j)).unwrap();
                    }
                    k += 1;
                }
            }
            g
        })
}

/// A random graph with any marks, several edges per pair and cycles allowed.
fn mixed_strategy() -> impl Strategy<Value = CausalGraph> {
    let mark = prop_oneof![Just(Mark::Tail), Just(Mark::Arrow), Just(Mark::Circle)];
    (2usize..10).prop_flat_map(move |n| {
        let edge = (0..n, 0..n, mark.clone(), mark.clone());
        proptest::collection::vec(edge, 0..(2 * n)).prop_map(move |edges| {
            let mut g = CausalGraph::with_nodes((0..n).map(|i| format!("v{i}"))).unwrap();
            for (a, b, ma, mb) in edges {
                let _ = g.add_edge(NodeId::from_index(a), NodeId::from_index(b), ma, mb);
            }
            g
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_dags_put_every_parent_above_its_children(g in dag_strategy()) {
        let nodes = check_structure(&g, &write_svg(&g));
        assert_parents_above_children(&g, &nodes);
    }

    #[test]
    fn random_mixed_graphs_draw_cleanly(g in mixed_strategy()) {
        let svg = write_svg(&g);
        check_structure(&g, &svg);
        let has_other_kinds = g.edges().iter().any(|e| e.kind() != EdgeKind::Directed);
        prop_assert_eq!(svg.contains("class=\"legend\""), has_other_kinds);
    }
}
