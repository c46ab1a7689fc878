//! A layered (Sugiyama-style) layout: layers, crossing reduction, coordinates and edge routes.
//!
//! Causal graphs read best with causes above effects, so nodes are put in layers by the longest
//! path over the edges that carry an orientation (`->`, `o->`, `--o`). Those edges may contain
//! directed cycles; the edges that close a cycle in a depth-first search are laid out reversed.
//! Edges without an orientation (`--`, `o-o`) follow the resulting order, so they too point down
//! and never run sideways through a layer. Bidirected edges constrain nothing: two nodes sharing a
//! latent cause are often siblings, and their edge is drawn as an arc. Longest-path layers put
//! every cause without parents in the top layer, however far down its effects are; such nodes
//! then move down to just above their effects. Connected parts are drawn side by side.
//!
//! An edge that spans several layers gets a dummy vertex in each layer it crosses, so crossing
//! reduction (barycentre sweeps, keeping the best ordering seen) and horizontal placement treat it
//! like a chain of short edges, and its route bends around the boxes in between. Everything here
//! is deterministic: ties are broken by position and index, never by hashing.

use std::collections::BTreeSet;

use crate::graph::{CausalGraph, Edge, EdgeKind, NodeId};

/// Height of a node box.
pub(super) const BOX_HEIGHT: f64 = 28.0;
/// Font size of node labels, in pixels.
pub(super) const FONT_SIZE: f64 = 13.0;
/// Horizontal padding between a label and its box.
const BOX_PADDING: f64 = 10.0;
/// Narrowest box, so that one-letter names still get a box rather than a pill.
const MIN_BOX_WIDTH: f64 = 36.0;
/// Vertical distance between the centres of two consecutive layers.
const LAYER_STEP: f64 = BOX_HEIGHT + 58.0;
/// Horizontal gap between two boxes, and between a box or a dummy and a dummy.
const NODE_GAP: f64 = 22.0;
const DUMMY_GAP: f64 = 12.0;
/// Horizontal gap between the drawings of two connected parts.
const PART_GAP: f64 = 36.0;
/// Sideways offset of the middle of an edge that shares its two ends with another edge.
const BEND: f64 = 18.0;
/// Barycentre sweeps (down and up count as one each).
const ORDER_SWEEPS: usize = 24;
/// Passes that pull every vertex towards its neighbours while keeping the layer order.
const PLACEMENT_PASSES: usize = 10;

/// A point in layout coordinates (y grows downwards, as in SVG).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Point {
    pub(super) x: f64,
    pub(super) y: f64,
}

impl Point {
    fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    fn mid(self, other: Point) -> Point {
        Point::new((self.x + other.x) / 2.0, (self.y + other.y) / 2.0)
    }
}

/// A node's box: centre and size.
#[derive(Clone, Copy, Debug)]
pub(super) struct NodeBox {
    pub(super) centre: Point,
    pub(super) width: f64,
}

impl NodeBox {
    /// The point where the ray from the centre towards `target` leaves the box.
    fn boundary_towards(&self, target: Point) -> Point {
        let (dx, dy) = (target.x - self.centre.x, target.y - self.centre.y);
        let (half_w, half_h) = (self.width / 2.0, BOX_HEIGHT / 2.0);
        let scale_x = if dx.abs() > 1e-9 { half_w / dx.abs() } else { f64::INFINITY };
        let scale_y = if dy.abs() > 1e-9 { half_h / dy.abs() } else { f64::INFINITY };
        let t = scale_x.min(scale_y);
        if t.is_finite() { Point::new(self.centre.x + t * dx, self.centre.y + t * dy) } else { self.centre }
    }

    fn top(&self) -> f64 {
        self.centre.y - BOX_HEIGHT / 2.0
    }
}

/// One piece of an edge's path after its start point.
#[derive(Clone, Copy, Debug)]
pub(super) enum Segment {
    /// A straight line to the point.
    Line(Point),
    /// A quadratic Bézier curve with this control point to the end point.
    Quad(Point, Point),
}

/// How one edge is drawn: from its canonical first end `edge.a` to `edge.b`.
#[derive(Clone, Debug)]
pub(super) struct Route {
    /// The edge in canonical orientation (as [`Edge::canonical`] gives it).
    pub(super) edge: Edge,
    /// Where the path starts, on the border of `edge.a`'s box.
    pub(super) start: Point,
    /// The rest of the path, ending on the border of `edge.b`'s box.
    pub(super) segments: Vec<Segment>,
}

impl Route {
    /// Every point of the path, control points included; the curve lies within their hull.
    pub(super) fn points(&self) -> impl Iterator<Item = Point> + '_ {
        std::iter::once(self.start).chain(self.segments.iter().flat_map(|s| match *s {
            Segment::Line(p) => vec![p],
            Segment::Quad(c, p) => vec![c, p],
        }))
    }
}

/// Boxes for every node (indexed by node id) and a route for every edge (in `edges()` order).
pub(super) struct Layout {
    pub(super) boxes: Vec<NodeBox>,
    pub(super) routes: Vec<Route>,
}

/// The estimated width of a label in the node font; generous, so that text stays inside its box
/// whatever sans-serif font the viewer substitutes.
pub(super) fn text_width(text: &str, font_size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.32,
            'm' | 'w' | 'M' | 'W' | '@' => 0.9,
            c if c.is_ascii_uppercase() || c.is_ascii_digit() => 0.7,
            c if c.is_ascii() => 0.58,
            c if u32::from(c) >= 0x1100 => 1.05,
            _ => 0.7,
        })
        .sum();
    ems * font_size
}

/// Lays the graph out; see the module documentation.
///
/// Each connected part is laid out on its own and the parts are set side by side, so that a small
/// part is not stretched across the width of a large one.
pub(super) fn layout(graph: &CausalGraph) -> Layout {
    let parts = connected_parts(graph);
    if parts.len() <= 1 {
        return layout_connected(graph);
    }
    let placeholder = NodeBox { centre: Point::new(0.0, 0.0), width: 0.0 };
    let mut boxes = vec![placeholder; graph.node_count()];
    let mut routes = Vec::with_capacity(graph.edge_count());
    let mut left = 0.0;
    for part in parts {
        let sub = layout_connected(&graph.induced_subgraph(&part));
        let box_sides =
            sub.boxes.iter().flat_map(|b| [b.centre.x - b.width / 2.0, b.centre.x + b.width / 2.0]);
        let route_xs = sub.routes.iter().flat_map(Route::points).map(|p| p.x);
        let (min, max) = box_sides
            .chain(route_xs)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
        let shift = |p: Point| Point::new(p.x + left - min, p.y);
        for (i, b) in sub.boxes.iter().enumerate() {
            boxes[part[i].index()] = NodeBox { centre: shift(b.centre), width: b.width };
        }
        for r in sub.routes {
            let edge = Edge { a: part[r.edge.a.index()], b: part[r.edge.b.index()], ..r.edge };
            let segments = r
                .segments
                .iter()
                .map(|s| match *s {
                    Segment::Line(p) => Segment::Line(shift(p)),
                    Segment::Quad(c, p) => Segment::Quad(shift(c), shift(p)),
                })
                .collect();
            routes.push(Route { edge, start: shift(r.start), segments });
        }
        left += max - min + PART_GAP;
    }
    Layout { boxes, routes }
}

/// The nodes of each connected part, each part in increasing order, parts by their first node.
fn connected_parts(graph: &CausalGraph) -> Vec<Vec<NodeId>> {
    let mut part_of: Vec<Option<usize>> = vec![None; graph.node_count()];
    let mut parts: Vec<Vec<NodeId>> = Vec::new();
    for root in graph.node_ids() {
        if part_of[root.index()].is_some() {
            continue;
        }
        let id = parts.len();
        part_of[root.index()] = Some(id);
        let mut members = vec![root];
        let mut next = 0;
        while let Some(&v) = members.get(next) {
            next += 1;
            for w in graph.adjacent(v) {
                if part_of[w.index()].is_none() {
                    part_of[w.index()] = Some(id);
                    members.push(w);
                }
            }
        }
        members.sort_unstable();
        parts.push(members);
    }
    parts
}

/// The layout of a graph whose nodes are all connected.
fn layout_connected(graph: &CausalGraph) -> Layout {
    let n = graph.node_count();
    let edges: Vec<Edge> = graph.edges().into_iter().map(Edge::canonical).collect();
    let rank = rank_order(graph, &edges);
    let layer = layers(n, &edges, &rank);
    let mut layered = Layered::new(graph, &edges, &rank, &layer);
    layered.reduce_crossings();
    let x = layered.place();
    let boxes: Vec<NodeBox> = (0..n)
        .map(|v| NodeBox { centre: Point::new(x[v], layer[v] as f64 * LAYER_STEP), width: layered.width[v] })
        .collect();
    let vertex_point = |u: usize| Point::new(x[u], layered.layer_of[u] as f64 * LAYER_STEP);
    let bends = bends(&edges);
    let routes = edges
        .iter()
        .zip(&layered.chains)
        .zip(bends)
        .map(|((&edge, chain), bend)| route(edge, chain, bend, &boxes, &vertex_point))
        .collect();
    Layout { boxes, routes }
}

/// The two ends of an edge in the order that its orientation puts them (upper end first), for
/// the kinds that have one.
fn oriented(edge: Edge) -> Option<(usize, usize)> {
    match edge.kind() {
        EdgeKind::Directed | EdgeKind::PartiallyDirected | EdgeKind::PartiallyUndirected => {
            Some((edge.a.index(), edge.b.index()))
        }
        EdgeKind::Undirected | EdgeKind::Nondirected | EdgeKind::Bidirected => None,
    }
}

/// A total order of the nodes (rank per node) that every oriented edge follows except those that
/// close a cycle: depth-first search finds those back edges, then Kahn's algorithm (smallest index
/// first) orders the rest, so nodes without constraints keep their insertion order.
fn rank_order(graph: &CausalGraph, edges: &[Edge]) -> Vec<usize> {
    let n = graph.node_count();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (from, to) in edges.iter().filter_map(|&e| oriented(e)) {
        out[from].push(to);
    }
    for targets in &mut out {
        targets.sort_unstable();
        targets.dedup();
    }
    let back = back_edges(&out);
    let mut indegree = vec![0usize; n];
    for (from, targets) in out.iter().enumerate() {
        for &to in targets.iter().filter(|&&to| !back.contains(&(from, to))) {
            indegree[to] += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut rank = vec![0usize; n];
    let mut next = 0;
    while let Some(v) = ready.pop_first() {
        rank[v] = next;
        next += 1;
        for &to in out[v].iter().filter(|&&to| !back.contains(&(v, to))) {
            indegree[to] -= 1;
            if indegree[to] == 0 {
                ready.insert(to);
            }
        }
    }
    rank
}

/// The edges that lead back to a node on the depth-first search stack (roots and children in
/// index order); without them the graph is acyclic.
fn back_edges(out: &[Vec<usize>]) -> BTreeSet<(usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnStack,
        Done,
    }
    let mut state = vec![State::New; out.len()];
    let mut back = BTreeSet::new();
    for root in 0..out.len() {
        if state[root] != State::New {
            continue;
        }
        state[root] = State::OnStack;
        let mut stack = vec![(root, 0usize)];
        while let Some((v, next)) = stack.last_mut() {
            let v = *v;
            if let Some(&to) = out[v].get(*next) {
                *next += 1;
                match state[to] {
                    State::New => {
                        state[to] = State::OnStack;
                        stack.push((to, 0));
                    }
                    State::OnStack => {
                        back.insert((v, to));
                    }
                    State::Done => {}
                }
            } else {
                state[v] = State::Done;
                stack.pop();
            }
        }
    }
    back
}

/// The ends of an edge in layout order (upper first), or `None` for an edge that constrains
/// nothing (bidirected).
fn layout_direction(edge: Edge, rank: &[usize]) -> Option<(usize, usize)> {
    if edge.kind() == EdgeKind::Bidirected {
        return None;
    }
    let (a, b) = (edge.a.index(), edge.b.index());
    Some(if rank[a] < rank[b] { (a, b) } else { (b, a) })
}

/// Layers: first each node one layer below the deepest node that must be above it (the fewest
/// layers), then every node with more edges going down than coming in moves down as far as its
/// lower neighbours allow, which shortens the edges of causes that would otherwise all wait in the
/// top layer. A node joined to others only by bidirected edges joins its highest spouse's layer.
fn layers(n: usize, edges: &[Edge], rank: &[usize]) -> Vec<usize> {
    let mut above: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (upper, lower) in edges.iter().filter_map(|&e| layout_direction(e, rank)) {
        above[lower].push(upper);
        below[upper].push(lower);
    }
    let mut by_rank: Vec<usize> = (0..n).collect();
    by_rank.sort_by_key(|&v| rank[v]);
    let mut layer = vec![0usize; n];
    for &v in &by_rank {
        layer[v] = above[v].iter().map(|&u| layer[u] + 1).max().unwrap_or(0);
    }
    for &v in by_rank.iter().rev() {
        if below[v].len() > above[v].len()
            && let Some(lowest) = below[v].iter().map(|&w| layer[w]).min()
        {
            layer[v] = layer[v].max(lowest - 1);
        }
    }
    for v in 0..n {
        if above[v].is_empty() && below[v].is_empty() {
            let spouses = edges.iter().filter(|e| e.kind() == EdgeKind::Bidirected).filter_map(|e| {
                let (a, b) = (e.a.index(), e.b.index());
                (a == v).then_some(b).or((b == v).then_some(a))
            });
            layer[v] = spouses.map(|s| layer[s]).min().unwrap_or(0);
        }
    }
    layer
}

/// The layered graph: real nodes `0..n`, then one dummy vertex per layer an edge passes through.
struct Layered {
    layer_of: Vec<usize>,
    width: Vec<f64>,
    is_dummy: Vec<bool>,
    /// Vertices of each layer, left to right.
    layers: Vec<Vec<usize>>,
    /// Neighbours in the layer above and in the layer below.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    /// For every edge, its vertices from `edge.a` to `edge.b`.
    chains: Vec<Vec<usize>>,
}

impl Layered {
    fn new(graph: &CausalGraph, edges: &[Edge], rank: &[usize], layer: &[usize]) -> Self {
        let n = graph.node_count();
        let mut layered = Layered {
            layer_of: layer.to_vec(),
            width: graph
                .node_ids()
                .map(|v| (text_width(graph.name(v), FONT_SIZE) + 2.0 * BOX_PADDING).max(MIN_BOX_WIDTH))
                .collect(),
            is_dummy: vec![false; n],
            layers: Vec::new(),
            up: vec![Vec::new(); n],
            down: vec![Vec::new(); n],
            chains: Vec::with_capacity(edges.len()),
        };
        for &edge in edges {
            let chain = layered.chain(edge, rank);
            layered.chains.push(chain);
        }
        let layer_count = layered.layer_of.iter().max().map_or(0, |l| l + 1);
        layered.layers = vec![Vec::new(); layer_count];
        let mut vertices: Vec<usize> = (0..layered.layer_of.len()).collect();
        vertices.sort_by_key(|&u| (u >= n, if u < n { rank[u] } else { u }));
        for u in vertices {
            layered.layers[layered.layer_of[u]].push(u);
        }
        layered
    }

    /// The vertices of an edge from `edge.a` to `edge.b`, adding dummies and the links between
    /// consecutive layers.
    fn chain(&mut self, edge: Edge, rank: &[usize]) -> Vec<usize> {
        let (a, b) = (edge.a.index(), edge.b.index());
        let (upper, lower) = match layout_direction(edge, rank) {
            Some(ends) => ends,
            None if self.layer_of[a] <= self.layer_of[b] => (a, b),
            None => (b, a),
        };
        let (top, bottom) = (self.layer_of[upper], self.layer_of[lower]);
        if top == bottom {
            return vec![a, b];
        }
        let mut chain = vec![upper];
        for layer in top + 1..bottom {
            let dummy = self.layer_of.len();
            self.layer_of.push(layer);
            self.width.push(0.0);
            self.is_dummy.push(true);
            self.up.push(Vec::new());
            self.down.push(Vec::new());
            chain.push(dummy);
        }
        chain.push(lower);
        for pair in chain.windows(2) {
            self.down[pair[0]].push(pair[1]);
            self.up[pair[1]].push(pair[0]);
        }
        if upper != a {
            chain.reverse();
        }
        chain
    }

    /// Barycentre sweeps down and up, keeping the ordering with the fewest crossings.
    fn reduce_crossings(&mut self) {
        let mut best = self.layers.clone();
        let mut best_crossings = self.crossings();
        for sweep in 0..ORDER_SWEEPS {
            if best_crossings == 0 {
                break;
            }
            let downward = sweep % 2 == 0;
            let count = self.layers.len();
            for step in 1..count {
                let (fixed, free) =
                    if downward { (step - 1, step) } else { (count - step, count - step - 1) };
                self.order_by_barycentre(fixed, free, downward);
            }
            let crossings = self.crossings();
            if crossings < best_crossings {
                best_crossings = crossings;
                best = self.layers.clone();
            }
        }
        self.layers = best;
    }

    fn order_by_barycentre(&mut self, fixed: usize, free: usize, downward: bool) {
        let position = positions(&self.layers[fixed], self.layer_of.len());
        let mut keyed: Vec<(f64, usize, usize)> = self.layers[free]
            .iter()
            .enumerate()
            .map(|(i, &u)| {
                let neighbours = if downward { &self.up[u] } else { &self.down[u] };
                let bary = if neighbours.is_empty() {
                    i as f64 * position.len().max(1) as f64 / self.layers[free].len().max(1) as f64
                } else {
                    neighbours.iter().map(|&w| position[w] as f64).sum::<f64>() / neighbours.len() as f64
                };
                (bary, i, u)
            })
            .collect();
        keyed.sort_by(|l, r| l.0.total_cmp(&r.0).then(l.1.cmp(&r.1)));
        self.layers[free] = keyed.into_iter().map(|(_, _, u)| u).collect();
    }

    /// Crossings between the links of all consecutive layers.
    fn crossings(&self) -> usize {
        let position = {
            let mut position = vec![0usize; self.layer_of.len()];
            for layer in &self.layers {
                for (i, &u) in layer.iter().enumerate() {
                    position[u] = i;
                }
            }
            position
        };
        self.layers
            .iter()
            .map(|layer| {
                let mut links: Vec<(usize, usize)> = layer
                    .iter()
                    .flat_map(|&u| self.down[u].iter().map(move |&w| (u, w)))
                    .map(|(u, w)| (position[u], position[w]))
                    .collect();
                links.sort_unstable();
                inversions(links.into_iter().map(|(_, lower)| lower))
            })
            .sum()
    }

    /// The x coordinate of every vertex's centre: layers packed, then pulled towards their
    /// neighbours while keeping order and spacing.
    fn place(&self) -> Vec<f64> {
        let mut x = vec![0.0; self.layer_of.len()];
        let widest = self.layers.iter().map(|l| self.packed_width(l)).fold(0.0, f64::max);
        for layer in &self.layers {
            let mut left = (widest - self.packed_width(layer)) / 2.0;
            for (i, &u) in layer.iter().enumerate() {
                if i > 0 {
                    left += self.gap(layer[i - 1], u);
                }
                x[u] = left + self.width[u] / 2.0;
                left += self.width[u];
            }
        }
        for pass in 0..PLACEMENT_PASSES {
            let both = pass + 2 >= PLACEMENT_PASSES;
            let downward = pass % 2 == 0;
            let count = self.layers.len();
            for step in 0..count {
                let layer = if downward { step } else { count - 1 - step };
                let desired: Vec<f64> = self.layers[layer]
                    .iter()
                    .map(|&u| {
                        let neighbours: Vec<usize> = match (both, downward) {
                            (true, _) => self.up[u].iter().chain(&self.down[u]).copied().collect(),
                            (false, true) => self.up[u].clone(),
                            (false, false) => self.down[u].clone(),
                        };
                        if neighbours.is_empty() {
                            x[u]
                        } else {
                            neighbours.iter().map(|&w| x[w]).sum::<f64>() / neighbours.len() as f64
                        }
                    })
                    .collect();
                for (u, value) in self.layers[layer].iter().zip(self.spaced(&self.layers[layer], &desired)) {
                    x[*u] = value;
                }
            }
        }
        x
    }

    /// The positions closest on average to `desired` that keep the layer's order and spacing:
    /// the mean of the left-to-right and the right-to-left push, both of which keep the spacing.
    fn spaced(&self, layer: &[usize], desired: &[f64]) -> Vec<f64> {
        let len = layer.len();
        let separation = |i: usize| {
            (self.width[layer[i]] + self.width[layer[i + 1]]) / 2.0 + self.gap(layer[i], layer[i + 1])
        };
        let mut from_left = desired.to_vec();
        for i in 1..len {
            from_left[i] = from_left[i].max(from_left[i - 1] + separation(i - 1));
        }
        let mut from_right = desired.to_vec();
        for i in (0..len.saturating_sub(1)).rev() {
            from_right[i] = from_right[i].min(from_right[i + 1] - separation(i));
        }
        from_left.iter().zip(&from_right).map(|(l, r)| (l + r) / 2.0).collect()
    }

    fn gap(&self, left: usize, right: usize) -> f64 {
        if self.is_dummy[left] || self.is_dummy[right] { DUMMY_GAP } else { NODE_GAP }
    }

    fn packed_width(&self, layer: &[usize]) -> f64 {
        let widths: f64 = layer.iter().map(|&u| self.width[u]).sum();
        widths + layer.windows(2).map(|p| self.gap(p[0], p[1])).sum::<f64>()
    }
}

/// Position within its layer of every vertex of `layer`, indexed by vertex.
fn positions(layer: &[usize], vertex_count: usize) -> Vec<usize> {
    let mut position = vec![0usize; vertex_count];
    for (i, &u) in layer.iter().enumerate() {
        position[u] = i;
    }
    position
}

/// Pairs `i < j` with `values[i] > values[j]`, with a Fenwick tree over the values.
fn inversions(values: impl Iterator<Item = usize>) -> usize {
    let values: Vec<usize> = values.collect();
    let size = values.iter().max().map_or(0, |m| m + 1);
    let mut tree = vec![0usize; size + 1];
    let mut count = 0;
    for (seen, &value) in values.iter().enumerate() {
        let mut at_most = 0;
        let mut i = value + 1;
        while i > 0 {
            at_most += tree[i];
            i &= i - 1;
        }
        count += seen - at_most;
        let mut i = value + 1;
        while i <= size {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    count
}

/// The sideways offset of every edge: edges that share both ends with another edge are bent apart
/// (straight-line kinds to one side, bidirected edges, which are always bent, to the other).
fn bends(edges: &[Edge]) -> Vec<f64> {
    let pair = |e: &Edge| (e.a.min(e.b), e.a.max(e.b));
    edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if e.kind() == EdgeKind::Bidirected {
                return 1.5 * BEND;
            }
            let earlier_straight = edges[..i]
                .iter()
                .filter(|other| pair(other) == pair(e) && other.kind() != EdgeKind::Bidirected)
                .count();
            -(earlier_straight as f64) * BEND
        })
        .collect()
}

/// The path of one edge through the vertices of its chain.
fn route(
    edge: Edge,
    chain: &[usize],
    bend: f64,
    boxes: &[NodeBox],
    vertex: &impl Fn(usize) -> Point,
) -> Route {
    let (from, to) = (&boxes[edge.a.index()], &boxes[edge.b.index()]);
    if chain.len() == 2 && from.centre.y == to.centre.y {
        return arc(edge, from, to);
    }
    if chain.len() == 2 {
        let (low, high) = if edge.a < edge.b { (from, to) } else { (to, from) };
        let (dx, dy) = (high.centre.x - low.centre.x, high.centre.y - low.centre.y);
        let length = dx.hypot(dy).max(1e-9);
        let control = from.centre.mid(to.centre);
        let control = Point::new(control.x - 2.0 * bend * dy / length, control.y + 2.0 * bend * dx / length);
        let start = from.boundary_towards(if bend == 0.0 { to.centre } else { control });
        let end = to.boundary_towards(if bend == 0.0 { from.centre } else { control });
        let segment = if bend == 0.0 { Segment::Line(end) } else { Segment::Quad(control, end) };
        return Route { edge, start, segments: vec![segment] };
    }
    let inner: Vec<Point> = chain[1..chain.len() - 1].iter().map(|&u| vertex(u)).collect();
    let start = from.boundary_towards(inner[0]);
    let end = to.boundary_towards(inner[inner.len() - 1]);
    let mut segments = vec![Segment::Line(start.mid(inner[0]))];
    for (i, &p) in inner.iter().enumerate() {
        let next = inner.get(i + 1).copied().unwrap_or(end);
        segments.push(Segment::Quad(p, p.mid(next)));
    }
    segments.push(Segment::Line(end));
    Route { edge, start, segments }
}

/// A bidirected edge within one layer: an arc over the top of the boxes, clear of the boxes in
/// between because both ends sit on the tops.
fn arc(edge: Edge, from: &NodeBox, to: &NodeBox) -> Route {
    let direction = if to.centre.x >= from.centre.x { 1.0 } else { -1.0 };
    let start = Point::new(from.centre.x + direction * from.width / 4.0, from.top());
    let end = Point::new(to.centre.x - direction * to.width / 4.0, to.top());
    let height = (24.0 + 0.2 * (end.x - start.x).abs()).min(LAYER_STEP);
    let control = Point::new((start.x + end.x) / 2.0, from.top() - height);
    Route { edge, start, segments: vec![Segment::Quad(control, end)] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::parse_text;

    fn layers_of(g: &CausalGraph) -> Vec<usize> {
        let edges: Vec<Edge> = g.edges().into_iter().map(Edge::canonical).collect();
        layers(g.node_count(), &edges, &rank_order(g, &edges))
    }

    #[test]
    fn inversions_match_brute_force() {
        let values = [3usize, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
        let brute = (0..values.len())
            .flat_map(|i| (i + 1..values.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| values[i] > values[j])
            .count();
        assert_eq!(inversions(values.iter().copied()), brute);
        assert_eq!(inversions(std::iter::empty()), 0);
    }

    #[test]
    fn cycle_edges_are_reversed_so_layers_still_exist() {
        let g = parse_text("A -> B; B -> C; C -> A; C -> D").unwrap();
        let layer = layers_of(&g);
        assert_eq!(layer, vec![0, 1, 2, 3], "A, B, C, D in a column; C -> A drawn upwards");
    }

    #[test]
    fn undirected_edges_follow_the_order_and_bidirected_edges_constrain_nothing() {
        let g = parse_text("A -- B; B -> C; A <-> C; D <-> A").unwrap();
        let layer = layers_of(&g);
        assert_eq!(layer, vec![0, 1, 2, 0]);
    }

    #[test]
    fn causes_sit_just_above_their_effects_and_lone_spouses_beside_their_spouse() {
        let g = parse_text("A -> B; B -> C; C -> D; S -> D; T -> B; T -> D; Q <-> C").unwrap();
        let layer = layers_of(&g);
        let of = |name: &str| layer[g.require(name).unwrap().index()];
        assert_eq!([of("A"), of("B"), of("C"), of("D")], [0, 1, 2, 3]);
        assert_eq!(of("S"), 2, "S has one child, D: it moves down to just above D");
        assert_eq!(of("T"), 0, "T's highest child is B");
        assert_eq!(of("Q"), 2, "Q has only the bidirected edge to C");
    }

    #[test]
    fn crossing_reduction_untangles_a_twisted_bipartite_graph() {
        let g = parse_text("A -> X; B -> Y; C -> Z").unwrap();
        let edges: Vec<Edge> = g.edges().into_iter().map(Edge::canonical).collect();
        let rank = rank_order(&g, &edges);
        let mut layered = Layered::new(&g, &edges, &rank, &layers_of(&g));
        layered.layers[1].reverse();
        assert_eq!(layered.crossings(), 3, "X, Y, Z reversed under A, B, C");
        layered.reduce_crossings();
        assert_eq!(layered.crossings(), 0);
    }
}
