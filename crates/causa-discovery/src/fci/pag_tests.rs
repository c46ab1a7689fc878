//! Exact check of FCI against the true PAG, found by brute force without any code from FCI.
//!
//! With a d-separation oracle FCI must return exactly the PAG of the true marginal: at each edge
//! end, the mark shared by every MAG Markov equivalent to the truth, a circle where they differ.
//! Here that class is enumerated directly: every mixed graph over the observed nodes with the
//! right adjacencies and each edge `->`, `<-` or `<->`, kept when it is ancestral and has
//! exactly the truth's m-separations. Only MAGs without undirected edges are enumerated, since the
//! truth has no selection variables (a MAG with undirected edges is equivalent to orientations of
//! them that appear in this list with both directions, so the shared marks are the same).

use std::collections::BTreeMap;

use causa_graph::{CausalGraph, Mark, NodeId};
use proptest::prelude::*;

use super::{FciParams, fci};
use crate::citest::DSeparationOracle;

/// Marks `(at i, at j)` of each adjacency `(i, j)`, `i < j`.
type PagMarks = BTreeMap<(usize, usize), (Mark, Mark)>;

/// m-separation statements among the observed nodes `0..n` of `g`: key `(i, j, mask)` with
/// `i < j` and `mask` a set of the other observed nodes.
fn separations(g: &CausalGraph, n: usize) -> BTreeMap<(usize, usize, u32), bool> {
    let mut out = BTreeMap::new();
    for i in 0..n {
        for j in i + 1..n {
            for mask in 0u32..(1 << n) {
                if mask & (1 << i) != 0 || mask & (1 << j) != 0 {
                    continue;
                }
                let z: Vec<NodeId> =
                    (0..n).filter(|k| mask & (1 << k) != 0).map(NodeId::from_index).collect();
                let sep = g.d_separated(&[NodeId::from_index(i)], &[NodeId::from_index(j)], &z).unwrap();
                out.insert((i, j, mask), sep);
            }
        }
    }
    out
}

/// Orientation of an adjacency `(i, j)`, `i < j`: 0 is `i -> j`, 1 is `i <- j`, 2 is `i <-> j`.
fn mark_pair(o: u8) -> (Mark, Mark) {
    match o {
        0 => (Mark::Tail, Mark::Arrow),
        1 => (Mark::Arrow, Mark::Tail),
        _ => (Mark::Arrow, Mark::Arrow),
    }
}

/// True if the directed part is acyclic and no `a <-> b` has `a` an ancestor of `b`.
fn is_ancestral(g: &CausalGraph) -> bool {
    if g.find_directed_cycle().is_some() {
        return false;
    }
    g.edges().into_iter().all(|e| {
        e.mark_a != Mark::Arrow
            || e.mark_b != Mark::Arrow
            || (!g.ancestors(&[e.b]).contains(&e.a) && !g.ancestors(&[e.a]).contains(&e.b))
    })
}

/// The true PAG over observed nodes `0..n` of the DAG `truth`, as marks `(at i, at j)` per
/// adjacency `(i, j)`, and the number of MAGs in the class.
fn true_pag(truth: &CausalGraph, n: usize) -> (PagMarks, usize) {
    let seps = separations(truth, n);
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .filter(|&(i, j)| !seps.iter().any(|(&(a, b, _), &s)| a == i && b == j && s))
        .collect();
    let adjacent = |a: usize, b: usize| pairs.contains(&(a.min(b), a.max(b)));
    // Unshielded triples `a - b - c`: in a MAG, `b` is a collider iff it is in no separating set
    // of `a` and `c` (a necessary condition, used only to skip candidates before the full check).
    let mut triples = Vec::new();
    for b in 0..n {
        for a in 0..n {
            for c in a + 1..n {
                if a != b && c != b && adjacent(a, b) && adjacent(b, c) && !adjacent(a, c) {
                    let collider =
                        !seps.iter().any(|(&(x, y, m), &s)| x == a && y == c && s && m & (1 << b) != 0);
                    triples.push((a, b, c, collider));
                }
            }
        }
    }
    let index = |a: usize, b: usize| pairs.iter().position(|&p| p == (a.min(b), a.max(b))).unwrap();
    let arrow_at = |orient: &[u8], at: usize, other: usize| {
        let (ma, mb) = mark_pair(orient[index(at, other)]);
        if at < other { ma == Mark::Arrow } else { mb == Mark::Arrow }
    };
    let mut shared: BTreeMap<(usize, usize), (Option<Mark>, Option<Mark>)> = BTreeMap::new();
    let mut count = 0;
    let total = 3usize.pow(pairs.len() as u32);
    let mut orient = vec![0u8; pairs.len()];
    for code in 0..total {
        let mut c = code;
        for o in orient.iter_mut() {
            *o = (c % 3) as u8;
            c /= 3;
        }
        if triples
            .iter()
            .any(|&(a, b, c, collider)| (arrow_at(&orient, b, a) && arrow_at(&orient, b, c)) != collider)
        {
            continue;
        }
        let mut g = CausalGraph::with_nodes((0..n).map(|i| format!("X{i}"))).unwrap();
        for (k, &(i, j)) in pairs.iter().enumerate() {
            let (mi, mj) = mark_pair(orient[k]);
            g.add_edge(NodeId::from_index(i), NodeId::from_index(j), mi, mj).unwrap();
        }
        if !is_ancestral(&g) {
            continue;
        }
        let same = seps.iter().all(|(&(i, j, mask), &s)| {
            let z: Vec<NodeId> = (0..n).filter(|k| mask & (1 << k) != 0).map(NodeId::from_index).collect();
            g.d_separated(&[NodeId::from_index(i)], &[NodeId::from_index(j)], &z).unwrap() == s
        });
        if !same {
            continue;
        }
        count += 1;
        for (k, &(i, j)) in pairs.iter().enumerate() {
            let (mi, mj) = mark_pair(orient[k]);
            let entry = shared.entry((i, j)).or_insert((Some(mi), Some(mj)));
            if entry.0 != Some(mi) {
                entry.0 = None;
            }
            if entry.1 != Some(mj) {
                entry.1 = None;
            }
        }
    }
    let pag = shared
        .into_iter()
        .map(|(k, (a, b))| (k, (a.unwrap_or(Mark::Circle), b.unwrap_or(Mark::Circle))))
        .collect();
    (pag, count)
}

/// FCI's PAG as marks per adjacency `(i, j)`, `i < j`.
fn fci_pag(truth: &CausalGraph, n: usize) -> PagMarks {
    let observed: Vec<NodeId> = (0..n).map(NodeId::from_index).collect();
    let names = truth.names_of(&observed);
    let oracle = DSeparationOracle::with_observed(truth, observed).unwrap();
    let pag = fci(&oracle, &names, &FciParams::default(), None).unwrap().graph;
    pag.edges()
        .into_iter()
        .map(|e| {
            let (i, j) = (e.a.index().min(e.b.index()), e.a.index().max(e.b.index()));
            ((i, j), (e.mark_at(NodeId::from_index(i)), e.mark_at(NodeId::from_index(j))))
        })
        .collect()
}

/// A DAG over observed `X0..X{n-1}` (arcs along a shuffled order) plus latent roots `L0..`,
/// each with at least two observed children.
fn truth(n: usize, max_latents: usize) -> impl Strategy<Value = CausalGraph> {
    (
        Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
        proptest::collection::vec(proptest::bool::weighted(0.45), n * (n - 1) / 2),
        proptest::collection::vec(
            proptest::sample::subsequence((0..n).collect::<Vec<usize>>(), 2..=3),
            0..=max_latents,
        ),
    )
        .prop_map(move |(order, bits, latents)| {
            let mut g = crate::pc::tests::dag_from_bits(n, &order, &bits);
            for (l, children) in latents.iter().enumerate() {
                let id = g.add_node(format!("L{l}")).unwrap();
                for &c in children {
                    g.add_directed(id, NodeId::from_index(c)).unwrap();
                }
            }
            g
        })
}

fn text(m: &PagMarks) -> Vec<String> {
    let sym = |m: Mark, left: bool| match (m, left) {
        (Mark::Tail, _) => "-",
        (Mark::Arrow, true) => "<",
        (Mark::Arrow, false) => ">",
        (Mark::Circle, _) => "o",
    };
    m.iter().map(|(&(i, j), &(a, b))| format!("X{i} {}-{} X{j}", sym(a, true), sym(b, false))).collect()
}

fn check(g: &CausalGraph, n: usize) -> Result<(), TestCaseError> {
    let (expected, count) = true_pag(g, n);
    prop_assert!(count >= 1, "no MAG matches the m-separations of the truth");
    let found = fci_pag(g, n);
    prop_assert_eq!(
        text(&found),
        text(&expected),
        "truth: {:?}",
        g.edges().iter().map(|e| g.edge_text(*e)).collect::<Vec<_>>()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Four observed nodes, up to three latent confounders.
    #[test]
    fn fci_returns_the_true_pag_on_four_observed(g in truth(4, 3)) {
        check(&g, 4)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Five observed nodes, up to three latent confounders.
    #[test]
    fn fci_returns_the_true_pag_on_five_observed(g in truth(5, 3)) {
        check(&g, 5)?;
    }
}

/// Found by the five-node property with R8-R10 switched off (only R9 kept): the tail at `X3` on
/// `X3 -> X0` needs R10. Before it the PAG has `X1 -> X0 <- X4`, `X3 o-> X0` and `X3 o-o X1`,
/// `X3 o-o X4` with `X1`, `X4` not adjacent: the uncovered potentially directed paths `<X3, X1>`
/// and `<X3, X4>` start with distinct non-adjacent nodes, so `X3` is an ancestor of `X0`.
#[test]
fn rule_10_orients_a_tail_from_two_parents() {
    let mut g = CausalGraph::with_nodes((0..5).map(|i| format!("X{i}"))).unwrap();
    for (a, b) in [("X1", "X0"), ("X3", "X0"), ("X4", "X0"), ("X2", "X1"), ("X3", "X1")] {
        g.add_named(a, b, causa_graph::EdgeKind::Directed).unwrap();
    }
    for c in ["X2", "X3", "X4"] {
        g.add_named("L0", c, causa_graph::EdgeKind::Directed).unwrap();
    }
    check(&g, 5).unwrap();
    let found = fci_pag(&g, 5);
    assert_eq!(found.get(&(0, 3)), Some(&(Mark::Arrow, Mark::Tail)), "X3 -> X0");
    assert_eq!(found.get(&(1, 3)), Some(&(Mark::Circle, Mark::Circle)), "X1 o-o X3");
}
