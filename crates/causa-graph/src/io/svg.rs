//! SVG figures of causal graphs, for reports that must show a graph without Graphviz or Mermaid.
//!
//! The figure is self-contained: no scripts, no external fonts or style sheets, no CSS `<style>`
//! element (which would leak into the page when several figures are inlined in one HTML report);
//! every style is an attribute. Nodes are rounded boxes laid out in layers (see [`layout`]), edges
//! are paths that end on the box borders with the mark of each end: an arrowhead, nothing for a
//! tail, a small open circle for a circle mark. Bidirected edges are dashed and curved so that they
//! stay visible beside a directed edge between the same nodes. A legend explains the edge kinds
//! when any kind other than `->` occurs.
//!
//! Node names are user data: all text is XML-escaped, and characters that XML cannot hold at all
//! become U+FFFD, so any name is inert text. The output is deterministic.

mod layout;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use crate::graph::{CausalGraph, Edge, EdgeKind, Mark};
use layout::{BOX_HEIGHT, FONT_SIZE, Layout, NodeBox, Point, Route, Segment, text_width};

/// Space around the drawing.
const MARGIN: f64 = 16.0;
/// Font size of the legend.
const LEGEND_FONT_SIZE: f64 = 12.0;
/// Height of one legend row, and the length of its sample edge.
const LEGEND_ROW: f64 = 20.0;
const LEGEND_SAMPLE: f64 = 44.0;
const FONT_FAMILY: &str = "Helvetica, Arial, sans-serif";
const STROKE: &str = "#333333";

/// Writes the graph as a standalone SVG document; see the module documentation.
pub fn write_svg(graph: &CausalGraph) -> String {
    let layout = layout::layout(graph);
    let kinds: Vec<EdgeKind> = {
        let mut kinds: Vec<EdgeKind> = graph.edges().into_iter().map(Edge::kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    let legend = kinds.iter().any(|&k| k != EdgeKind::Directed).then_some(kinds.as_slice());
    let (min, max) = bounds(&layout);
    let shift = Point { x: MARGIN - min.x, y: MARGIN - min.y };
    let legend_top = max.y + shift.y + MARGIN;
    let legend_size = legend.map_or((0.0, 0.0), legend_size);
    let width = (max.x - min.x + 2.0 * MARGIN).max(legend_size.0 + 2.0 * MARGIN);
    let height = max.y - min.y + 2.0 * MARGIN + legend.map_or(0.0, |_| legend_size.1 + MARGIN);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         role=\"img\" font-family=\"{FONT_FAMILY}\">",
        w = num(width),
        h = num(height),
    );
    let _ = writeln!(
        out,
        "<title>Causal graph: {} nodes, {} edges</title>",
        graph.node_count(),
        graph.edge_count()
    );
    out.push_str(MARKERS);
    out.push_str("<g class=\"edges\" fill=\"none\">\n");
    for route in &layout.routes {
        write_edge(&mut out, graph, route, shift);
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for v in graph.node_ids() {
        write_node(&mut out, graph.name(v), &layout.boxes[v.index()], shift);
    }
    out.push_str("</g>\n");
    if let Some(kinds) = legend {
        write_legend(&mut out, kinds, Point { x: MARGIN, y: legend_top });
    }
    out.push_str("</svg>\n");
    out
}

/// Arrowheads and circles for either end of a path. Each is drawn after (over) its line, and
/// sized in user units so that it does not grow with the stroke width.
const MARKERS: &str = "<defs>\n\
<marker id=\"causa-arrow-end\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"10\" \
markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
<path d=\"M0,1 L10,5 L0,9 z\" fill=\"#333333\"/></marker>\n\
<marker id=\"causa-arrow-start\" viewBox=\"0 0 10 10\" refX=\"0\" refY=\"5\" markerWidth=\"10\" \
markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
<path d=\"M10,1 L0,5 L10,9 z\" fill=\"#333333\"/></marker>\n\
<marker id=\"causa-circle-end\" viewBox=\"0 0 10 10\" refX=\"9.5\" refY=\"5\" markerWidth=\"10\" \
markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
<circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"#ffffff\" stroke=\"#333333\" stroke-width=\"1.2\"/></marker>\n\
<marker id=\"causa-circle-start\" viewBox=\"0 0 10 10\" refX=\"0.5\" refY=\"5\" markerWidth=\"10\" \
markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
<circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"#ffffff\" stroke=\"#333333\" stroke-width=\"1.2\"/></marker>\n\
</defs>\n";

/// The `marker-start`/`marker-end` attribute for a mark, empty for a tail.
fn marker(mark: Mark, end: &str) -> String {
    match mark {
        Mark::Tail => String::new(),
        Mark::Arrow => format!(" marker-{end}=\"url(#causa-arrow-{end})\""),
        Mark::Circle => format!(" marker-{end}=\"url(#causa-circle-{end})\""),
    }
}

/// The stroke attributes of an edge kind: bidirected edges are dashed.
fn stroke(kind: EdgeKind) -> String {
    let dash = if kind == EdgeKind::Bidirected { " stroke-dasharray=\"6 4\"" } else { "" };
    format!("stroke=\"{STROKE}\" stroke-width=\"1.4\"{dash}")
}

/// The CSS-style class name of an edge kind, e.g. `partially-directed`.
fn class(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Directed => "directed",
        EdgeKind::Undirected => "undirected",
        EdgeKind::Bidirected => "bidirected",
        EdgeKind::PartiallyDirected => "partially-directed",
        EdgeKind::Nondirected => "nondirected",
        EdgeKind::PartiallyUndirected => "partially-undirected",
    }
}

fn write_edge(out: &mut String, graph: &CausalGraph, route: &Route, shift: Point) {
    let edge = route.edge;
    let mut d = format!("M{}", pair(route.start, shift));
    for segment in &route.segments {
        match *segment {
            Segment::Line(p) => {
                let _ = write!(d, " L{}", pair(p, shift));
            }
            Segment::Quad(c, p) => {
                let _ = write!(d, " Q{} {}", pair(c, shift), pair(p, shift));
            }
        }
    }
    let _ = writeln!(
        out,
        "<path class=\"edge {}\" d=\"{d}\" {}{}{}><title>{}</title></path>",
        class(edge.kind()),
        stroke(edge.kind()),
        marker(edge.mark_a, "start"),
        marker(edge.mark_b, "end"),
        escape(&graph.edge_text(edge)),
    );
}

fn write_node(out: &mut String, name: &str, node: &NodeBox, shift: Point) {
    let (x, y) = (node.centre.x + shift.x, node.centre.y + shift.y);
    let _ = writeln!(
        out,
        "<g class=\"node\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#f4f6fb\" \
         stroke=\"#4a5a7a\" stroke-width=\"1.2\"/><text x=\"{}\" y=\"{}\" font-size=\"{}\" \
         text-anchor=\"middle\" fill=\"#111111\">{}</text></g>",
        num(x - node.width / 2.0),
        num(y - BOX_HEIGHT / 2.0),
        num(node.width),
        num(BOX_HEIGHT),
        num(x),
        num(y + 0.35 * FONT_SIZE),
        num(FONT_SIZE),
        escape(name),
    );
}

/// What each edge kind means, as the legend says it.
fn legend_text(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Directed => "directed: cause to effect",
        EdgeKind::Undirected => "undirected: orientation undetermined",
        EdgeKind::Bidirected => "bidirected: hidden common cause",
        EdgeKind::PartiallyDirected => "partially directed: circle end undetermined",
        EdgeKind::Nondirected => "nondirected: both ends undetermined",
        EdgeKind::PartiallyUndirected => "partially undirected: circle end undetermined",
    }
}

fn legend_label(kind: EdgeKind) -> String {
    format!("{}  {}", kind.connector(), legend_text(kind))
}

fn legend_size(kinds: &[EdgeKind]) -> (f64, f64) {
    let text = kinds.iter().map(|&k| text_width(&legend_label(k), LEGEND_FONT_SIZE)).fold(0.0, f64::max);
    (LEGEND_SAMPLE + 10.0 + text, kinds.len() as f64 * LEGEND_ROW)
}

fn write_legend(out: &mut String, kinds: &[EdgeKind], top_left: Point) {
    out.push_str("<g class=\"legend\" fill=\"none\">\n");
    for (i, &kind) in kinds.iter().enumerate() {
        let y = top_left.y + (i as f64 + 0.5) * LEGEND_ROW;
        let (start, end) = kind.marks();
        let _ = writeln!(
            out,
            "<path class=\"legend-edge {}\" d=\"M{},{} L{},{}\" {}{}{}/>\
             <text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"#111111\">{}</text>",
            class(kind),
            num(top_left.x),
            num(y),
            num(top_left.x + LEGEND_SAMPLE),
            num(y),
            stroke(kind),
            marker(start, "start"),
            marker(end, "end"),
            num(top_left.x + LEGEND_SAMPLE + 10.0),
            num(y + 0.35 * LEGEND_FONT_SIZE),
            num(LEGEND_FONT_SIZE),
            escape(&legend_label(kind)),
        );
    }
    out.push_str("</g>\n");
}

/// The smallest and largest coordinates of the boxes and the edges' points.
fn bounds(layout: &Layout) -> (Point, Point) {
    let corners = layout.boxes.iter().flat_map(|b| {
        let half = Point { x: b.width / 2.0, y: BOX_HEIGHT / 2.0 };
        [
            Point { x: b.centre.x - half.x, y: b.centre.y - half.y },
            Point { x: b.centre.x + half.x, y: b.centre.y + half.y },
        ]
    });
    // The markers reach a few units past the ends of the paths.
    let reach = 6.0;
    let edge_points =
        layout.routes.iter().flat_map(Route::points).flat_map(|p| {
            [Point { x: p.x - reach, y: p.y - reach }, Point { x: p.x + reach, y: p.y + reach }]
        });
    let mut min = Point { x: f64::INFINITY, y: f64::INFINITY };
    let mut max = Point { x: f64::NEG_INFINITY, y: f64::NEG_INFINITY };
    for p in corners.chain(edge_points) {
        min = Point { x: min.x.min(p.x), y: min.y.min(p.y) };
        max = Point { x: max.x.max(p.x), y: max.y.max(p.y) };
    }
    if min.x.is_finite() { (min, max) } else { (Point { x: 0.0, y: 0.0 }, Point { x: 0.0, y: 0.0 }) }
}

/// `x,y` of a point moved by `shift`.
fn pair(p: Point, shift: Point) -> String {
    format!("{},{}", num(p.x + shift.x), num(p.y + shift.y))
}

/// A coordinate with one decimal, never `-0.0`.
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    format!("{:.1}", if rounded == 0.0 { 0.0 } else { rounded })
}

/// Text safe inside an element or a double-quoted attribute: the five XML specials become
/// entities, and characters XML 1.0 forbids (most control characters) become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
