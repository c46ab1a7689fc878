//! FCI: causal discovery that allows latent confounders.
//!
//! PC assumes every common cause is measured; when one is not, PC can invent edges and
//! orientations. FCI (Spirtes, Meek and Richardson 1995; Zhang 2008) instead learns a PAG: the
//! common features of the maximal ancestral graphs (MAGs) Markov equivalent to the truth, with a
//! circle wherever the class disagrees. An arrowhead at `b` on `a *-> b` says `b` is not an
//! ancestor of `a`; a tail at `a` on `a -> b` says `a` is an ancestor of `b`.
//!
//! Steps: the adjacency search of PC ([`crate::skeleton`]); unshielded colliders; the
//! possible-d-separation stage, which removes edges that only a set outside the adjacencies
//! separates (with latents, a separating set need not lie in the neighbourhoods), after which the
//! colliders are found again from scratch; then Zhang's orientation rules R1-R4 (arrowheads and the
//! discriminating-path rule) and R8-R10 (tails). R5-R7 concern selection bias and are not used, so
//! the output assumes there is none.
//!
//! Background knowledge is used where it has a meaning for ancestral graphs: an edge forbidden in
//! both directions is never kept; a tier order puts an arrowhead at the later node (it cannot be an
//! ancestor of the earlier one); a required edge `a -> b` becomes `a -> b`. A forbidden direct edge
//! says nothing about ancestry, so it orients nothing.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use causa_graph::{CausalGraph, Mark};
use rayon::prelude::*;

use crate::citest::{CachedTest, CiTest};
use crate::error::Result;
use crate::knowledge::Knowledge;
use crate::skeleton::{
    Marks, SeparatingSets, SkeletonParams, check_alpha_and_threads, checked_inputs, for_each_subset,
    search_skeleton,
};

/// Parameters of FCI; see [`FciParams::default`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FciParams {
    /// Significance level in (0, 1); default 0.05.
    pub alpha: f64,
    /// Largest conditioning-set size in the adjacency search (`None`, the default: no limit).
    pub max_depth: Option<usize>,
    /// Largest conditioning-set size in the possible-d-separation stage (default `None`: no limit).
    pub max_pds_depth: Option<usize>,
    /// Run the possible-d-separation stage (default true; without it the skeleton may keep
    /// edges that only a set outside the adjacencies separates).
    pub possible_dsep: bool,
    /// Worker threads (`None`, the default: rayon's global pool).
    pub threads: Option<usize>,
}

impl Default for FciParams {
    fn default() -> Self {
        Self { alpha: 0.05, max_depth: None, max_pds_depth: None, possible_dsep: true, threads: None }
    }
}

impl FciParams {
    /// Fails, naming the parameter, unless every value is usable.
    pub fn check(&self) -> Result<()> {
        check_alpha_and_threads(self.alpha, self.threads)
    }
}

/// What FCI found.
#[derive(Clone, Debug)]
pub struct FciResult {
    /// The PAG over the variable names: edges `->`, `<->`, `o->` and `o-o` (no `--`, since
    /// selection bias is assumed absent).
    pub graph: CausalGraph,
    /// Separating set of each non-adjacent pair, by name.
    pub separating_sets: BTreeMap<(String, String), Vec<String>>,
    /// Independence tests actually computed.
    pub tests_run: u64,
    /// Tests requested, cache hits included.
    pub tests_requested: u64,
    /// Edges removed by the possible-d-separation stage, by name.
    pub removed_by_possible_dsep: Vec<(String, String)>,
    /// Wall-clock time.
    pub elapsed: Duration,
}

/// Runs FCI with the test `test` over the variables `names` (variable `i` is `names[i]`).
pub fn fci(
    test: &dyn CiTest,
    names: &[String],
    params: &FciParams,
    knowledge: Option<&Knowledge>,
) -> Result<FciResult> {
    params.check()?;
    let knowledge = checked_inputs(test, names, knowledge)?;
    let start = Instant::now();
    let cached = CachedTest::new(test);
    let (marks, sepsets, removed) =
        crate::parallel::install(params.threads, || run_fci(&cached, params, knowledge))?;
    let stats = cached.stats();
    Ok(FciResult {
        graph: marks.to_graph(names)?,
        separating_sets: sepsets.named(names),
        tests_run: stats.tests_run(),
        tests_requested: stats.requests,
        removed_by_possible_dsep: removed
            .into_iter()
            .map(|(a, b)| (names[a].clone(), names[b].clone()))
            .collect(),
        elapsed: start.elapsed(),
    })
}

type FciOutcome = (Marks, SeparatingSets, Vec<(usize, usize)>);

fn run_fci(test: &dyn CiTest, params: &FciParams, knowledge: Option<&Knowledge>) -> Result<FciOutcome> {
    let skeleton_params = SkeletonParams { alpha: params.alpha, max_depth: params.max_depth, stable: true };
    let skeleton = search_skeleton(test, &skeleton_params, knowledge)?;
    let mut sepsets = skeleton.sepsets;
    let mut marks = Marks::from_adjacency(&skeleton.adjacent, Mark::Circle);
    orient_colliders(&mut marks, &sepsets);
    let mut removed = Vec::new();
    if params.possible_dsep {
        removed = possible_dsep_stage(test, params, &mut marks, &mut sepsets)?;
        for a in 0..marks.len() {
            for b in marks.neighbours(a).collect::<Vec<_>>() {
                marks.set_mark(a, b, Mark::Circle);
            }
        }
        orient_colliders(&mut marks, &sepsets);
    }
    if let Some(k) = knowledge {
        apply_knowledge(&mut marks, k);
    }
    orient_by_rules(&mut marks, &sepsets);
    Ok((marks, sepsets, removed))
}

/// `x *-> y <-* z` for every unshielded triple whose middle node is in no separating set of the ends.
fn orient_colliders(marks: &mut Marks, sepsets: &SeparatingSets) {
    let mut colliders = Vec::new();
    for y in 0..marks.len() {
        let neighbours: Vec<usize> = marks.neighbours(y).collect();
        for (i, &x) in neighbours.iter().enumerate() {
            for &z in &neighbours[i + 1..] {
                if !marks.adjacent(x, z) && !sepsets.get(x, z).is_some_and(|s| s.contains(&y)) {
                    colliders.push((x, y, z));
                }
            }
        }
    }
    for (x, y, z) in colliders {
        marks.set_mark(y, x, Mark::Arrow);
        marks.set_mark(y, z, Mark::Arrow);
    }
}

/// Possible-D-SEP(x): nodes `v` reachable from `x` by a path on which every inner node is a
/// collider or the middle of a triangle.
fn possible_dsep(marks: &Marks, x: usize) -> BTreeSet<usize> {
    let n = marks.len();
    let mut found = BTreeSet::new();
    let mut seen = vec![false; n * n];
    let mut queue = VecDeque::new();
    for b in marks.neighbours(x) {
        found.insert(b);
        seen[x * n + b] = true;
        queue.push_back((x, b));
    }
    while let Some((a, b)) = queue.pop_front() {
        for c in marks.neighbours(b) {
            if c == a || c == x || seen[b * n + c] {
                continue;
            }
            let collider = marks.mark(b, a) == Some(Mark::Arrow) && marks.mark(b, c) == Some(Mark::Arrow);
            if collider || marks.adjacent(a, c) {
                seen[b * n + c] = true;
                found.insert(c);
                queue.push_back((b, c));
            }
        }
    }
    found
}

/// Tests each remaining edge `x - y` given subsets of Possible-D-SEP(x) and of Possible-D-SEP(y)
/// (computed once, on the graph with colliders), removing it at the first separating set.
fn possible_dsep_stage(
    test: &dyn CiTest,
    params: &FciParams,
    marks: &mut Marks,
    sepsets: &mut SeparatingSets,
) -> Result<Vec<(usize, usize)>> {
    let pds: Vec<BTreeSet<usize>> = (0..marks.len()).map(|x| possible_dsep(marks, x)).collect();
    let mut removed = Vec::new();
    for x in 0..marks.len() {
        for y in marks.neighbours(x).filter(|&y| x < y).collect::<Vec<_>>() {
            let mut separated = None;
            'ends: for (a, b) in [(x, y), (y, x)] {
                let candidates: Vec<usize> = pds[a].iter().copied().filter(|&v| v != a && v != b).collect();
                let limit = params.max_pds_depth.unwrap_or(candidates.len()).min(candidates.len());
                for size in 1..=limit {
                    let mut sets = Vec::new();
                    for_each_subset(&candidates, size, &mut |s| sets.push(s.to_vec()));
                    let p = sets
                        .par_iter()
                        .map(|s| test.test(x, y, s).map(|r| r.p_value))
                        .collect::<Result<Vec<f64>>>()?;
                    if let Some(i) = p.iter().position(|&p| p > params.alpha) {
                        separated = Some(sets.swap_remove(i));
                        break 'ends;
                    }
                }
            }
            if let Some(set) = separated {
                marks.remove(x, y);
                sepsets.set(x, y, &set);
                removed.push((x, y));
            }
        }
    }
    Ok(removed)
}

fn apply_knowledge(marks: &mut Marks, k: &Knowledge) {
    for a in 0..marks.len() {
        for b in marks.neighbours(a).collect::<Vec<_>>() {
            if k.later_tier(b, a) {
                // `b` is later than `a`, so `b` is not an ancestor of `a`: arrowhead at `b`.
                marks.set_mark(b, a, Mark::Arrow);
            }
            if k.is_required(a, b) {
                marks.orient(a, b);
            }
        }
    }
}

/// Zhang's rules R1-R4, then R8-R10, until none applies.
fn orient_by_rules(marks: &mut Marks, sepsets: &SeparatingSets) {
    loop {
        let arrows = rule_1(marks) | rule_2(marks) | rule_3(marks) | rule_4(marks, sepsets);
        if arrows {
            continue;
        }
        if !(rule_8(marks) | rule_9(marks) | rule_10(marks)) {
            break;
        }
    }
}

fn is(marks: &Marks, at: usize, other: usize, mark: Mark) -> bool {
    marks.mark(at, other) == Some(mark)
}

/// R1: `a *-> b o-* c`, `a`, `c` not adjacent ⇒ `b -> c`.
fn rule_1(marks: &mut Marks) -> bool {
    let mut changed = false;
    for b in 0..marks.len() {
        for a in marks.neighbours(b).collect::<Vec<_>>() {
            if !is(marks, b, a, Mark::Arrow) {
                continue;
            }
            for c in marks.neighbours(b).collect::<Vec<_>>() {
                if c != a && !marks.adjacent(a, c) && is(marks, b, c, Mark::Circle) {
                    marks.orient(b, c);
                    changed = true;
                }
            }
        }
    }
    changed
}

/// R2: `a -> b *-> c` or `a *-> b -> c`, and `a *-o c` ⇒ `a *-> c`.
fn rule_2(marks: &mut Marks) -> bool {
    let mut changed = false;
    for a in 0..marks.len() {
        for c in marks.neighbours(a).collect::<Vec<_>>() {
            if !is(marks, c, a, Mark::Circle) {
                continue;
            }
            let through = marks.neighbours(a).filter(|&b| b != c && marks.adjacent(b, c)).any(|b| {
                (marks.directed(a, b) && is(marks, c, b, Mark::Arrow))
                    || (is(marks, b, a, Mark::Arrow) && marks.directed(b, c))
            });
            if through {
                marks.set_mark(c, a, Mark::Arrow);
                changed = true;
            }
        }
    }
    changed
}

/// R3: `a *-> b <-* c`, `a *-o d o-* c`, `a`, `c` not adjacent, `d *-o b` ⇒ `d *-> b`.
fn rule_3(marks: &mut Marks) -> bool {
    let mut changed = false;
    for b in 0..marks.len() {
        for d in marks.neighbours(b).collect::<Vec<_>>() {
            if !is(marks, b, d, Mark::Circle) {
                continue;
            }
            let parents: Vec<usize> =
                marks.neighbours(b).filter(|&a| a != d && is(marks, b, a, Mark::Arrow)).collect();
            let found = parents.iter().enumerate().any(|(i, &a)| {
                parents[i + 1..].iter().any(|&c| {
                    !marks.adjacent(a, c)
                        && marks.adjacent(a, d)
                        && marks.adjacent(c, d)
                        && is(marks, d, a, Mark::Circle)
                        && is(marks, d, c, Mark::Circle)
                })
            });
            if found {
                marks.set_mark(b, d, Mark::Arrow);
                changed = true;
            }
        }
    }
    changed
}

/// R4: on a discriminating path `<t, ..., a, b, c>` for `b` with `b o-* c`: if `b` is in the
/// separating set of `t` and `c`, `b -> c`; otherwise `a <-> b <-> c`.
fn rule_4(marks: &mut Marks, sepsets: &SeparatingSets) -> bool {
    let mut changed = false;
    for b in 0..marks.len() {
        for c in marks.neighbours(b).collect::<Vec<_>>() {
            if !is(marks, b, c, Mark::Circle) {
                continue;
            }
            for a in marks.neighbours(b).collect::<Vec<_>>() {
                if a == c || !marks.directed(a, c) {
                    continue;
                }
                // `a` must be a collider on the path: `? *-> a <-* b`.
                if !is(marks, a, b, Mark::Arrow) {
                    continue;
                }
                let Some(t) = discriminating_start(marks, a, b, c) else { continue };
                match sepsets.get(t, c) {
                    Some(set) if set.contains(&b) => marks.orient(b, c),
                    Some(_) => {
                        marks.set_mark(a, b, Mark::Arrow);
                        marks.set_mark(b, a, Mark::Arrow);
                        marks.set_mark(b, c, Mark::Arrow);
                        marks.set_mark(c, b, Mark::Arrow);
                    }
                    None => continue,
                }
                changed = true;
                break;
            }
        }
    }
    changed
}

/// The far end `t` of a shortest discriminating path `<t, ..., a, b, c>`: walking back from `a`,
/// every node before `b` is a collider on the path and a parent of `c`, and `t` is not adjacent
/// to `c`.
fn discriminating_start(marks: &Marks, a: usize, b: usize, c: usize) -> Option<usize> {
    let n = marks.len();
    let mut seen = vec![false; n];
    seen[a] = true;
    seen[b] = true;
    seen[c] = true;
    let mut queue = VecDeque::from([a]);
    while let Some(v) = queue.pop_front() {
        for u in marks.neighbours(v).collect::<Vec<_>>() {
            if seen[u] || !is(marks, v, u, Mark::Arrow) {
                continue;
            }
            if !marks.adjacent(u, c) {
                return Some(u);
            }
            if marks.directed(u, c) && is(marks, u, v, Mark::Arrow) {
                seen[u] = true;
                queue.push_back(u);
            }
        }
    }
    None
}

/// R8: `a -> b -> c` or `a -o b -> c`, and `a o-> c` ⇒ `a -> c`.
fn rule_8(marks: &mut Marks) -> bool {
    let mut changed = false;
    for a in 0..marks.len() {
        for c in marks.neighbours(a).collect::<Vec<_>>() {
            if !(is(marks, a, c, Mark::Circle) && is(marks, c, a, Mark::Arrow)) {
                continue;
            }
            let through = marks.neighbours(a).any(|b| {
                b != c
                    && marks.directed(b, c)
                    && is(marks, a, b, Mark::Tail)
                    && matches!(marks.mark(b, a), Some(Mark::Arrow | Mark::Circle))
            });
            if through {
                marks.set_mark(a, c, Mark::Tail);
                changed = true;
            }
        }
    }
    changed
}

/// True if the edge `u - v` could be directed `u -> v` (no arrowhead at `u`, no tail at `v`).
fn potentially_directed(marks: &Marks, u: usize, v: usize) -> bool {
    marks.adjacent(u, v) && !is(marks, u, v, Mark::Arrow) && !is(marks, v, u, Mark::Tail)
}

/// True if an uncovered potentially directed path `<start, first, ..., target>` exists.
fn uncovered_pd_path(marks: &Marks, start: usize, first: usize, target: usize) -> bool {
    if !potentially_directed(marks, start, first) {
        return false;
    }
    if first == target {
        return true;
    }
    let mut on_path = vec![false; marks.len()];
    on_path[start] = true;
    on_path[first] = true;
    extend_uncovered(marks, start, first, target, &mut on_path)
}

fn extend_uncovered(marks: &Marks, prev: usize, cur: usize, target: usize, on_path: &mut [bool]) -> bool {
    for next in marks.neighbours(cur).collect::<Vec<_>>() {
        if on_path[next] || marks.adjacent(prev, next) || !potentially_directed(marks, cur, next) {
            continue;
        }
        if next == target {
            return true;
        }
        on_path[next] = true;
        if extend_uncovered(marks, cur, next, target, on_path) {
            return true;
        }
        on_path[next] = false;
    }
    false
}

/// R9: `a o-> c` and an uncovered potentially directed path `<a, b, ..., c>` with `b`, `c` not
/// adjacent ⇒ `a -> c`.
fn rule_9(marks: &mut Marks) -> bool {
    let mut changed = false;
    for a in 0..marks.len() {
        for c in marks.neighbours(a).collect::<Vec<_>>() {
            if !(is(marks, a, c, Mark::Circle) && is(marks, c, a, Mark::Arrow)) {
                continue;
            }
            let found = marks
                .neighbours(a)
                .filter(|&b| b != c && !marks.adjacent(b, c))
                .any(|b| uncovered_pd_path(marks, a, b, c));
            if found {
                marks.set_mark(a, c, Mark::Tail);
                changed = true;
            }
        }
    }
    changed
}

/// R10: `a o-> c`, `b -> c <- d`, uncovered potentially directed paths from `a` to `b` and from
/// `a` to `d` whose second nodes `m` and `w` are distinct and not adjacent ⇒ `a -> c`.
fn rule_10(marks: &mut Marks) -> bool {
    let mut changed = false;
    for a in 0..marks.len() {
        for c in marks.neighbours(a).collect::<Vec<_>>() {
            if !(is(marks, a, c, Mark::Circle) && is(marks, c, a, Mark::Arrow)) {
                continue;
            }
            let parents: Vec<usize> =
                marks.neighbours(c).filter(|&p| p != a && marks.directed(p, c)).collect();
            let firsts: Vec<usize> = marks.neighbours(a).filter(|&m| m != c).collect();
            let mut found = false;
            'search: for (i, &b) in parents.iter().enumerate() {
                for &d in &parents[i + 1..] {
                    for &m in &firsts {
                        if !uncovered_pd_path(marks, a, m, b) {
                            continue;
                        }
                        for &w in &firsts {
                            if w != m && !marks.adjacent(m, w) && uncovered_pd_path(marks, a, w, d) {
                                found = true;
                                break 'search;
                            }
                        }
                    }
                }
            }
            if found {
                marks.set_mark(a, c, Mark::Tail);
                changed = true;
            }
        }
    }
    changed
}

#[cfg(test)]
mod pag_tests;

#[cfg(test)]
mod tests {
    use causa_graph::equivalence::enumerate_equivalent_dags;
    use causa_graph::{EdgeKind, NodeId};
    use proptest::prelude::*;

    use super::*;
    use crate::citest::DSeparationOracle;

    fn dag(edges: &[(&str, &str)]) -> CausalGraph {
        let mut g = CausalGraph::new();
        for (a, b) in edges {
            g.add_named(a, b, EdgeKind::Directed).unwrap();
        }
        g
    }

    /// FCI with the oracle of `truth` restricted to the nodes `observed`.
    fn fci_on(truth: &CausalGraph, observed: &[&str]) -> CausalGraph {
        let ids = truth.require_all(observed).unwrap();
        let oracle = DSeparationOracle::with_observed(truth, ids).unwrap();
        let names: Vec<String> = observed.iter().map(|s| s.to_string()).collect();
        fci(&oracle, &names, &FciParams::default(), None).unwrap().graph
    }

    fn edge_texts(g: &CausalGraph) -> Vec<String> {
        let mut v: Vec<String> = g.edges().into_iter().map(|e| g.edge_text(e)).collect();
        v.sort();
        v
    }

    #[test]
    fn two_colliders_sharing_a_confounded_edge() {
        // A -> B <- L -> C <- D with L latent: the marginal MAG is A -> B <-> C <- D, and the
        // colliders at B and C (A, C and B, D are marginally independent) give the PAG below.
        let truth = dag(&[("A", "B"), ("L", "B"), ("L", "C"), ("D", "C")]);
        let pag = fci_on(&truth, &["A", "B", "C", "D"]);
        assert_eq!(edge_texts(&pag), vec!["A o-> B", "B <-> C", "D o-> C"]);
    }

    #[test]
    fn y_structure_with_a_confounded_tail() {
        // A -> C <- B, C -> D, D <- L -> E (L latent). Collider at C (A ⊥ B); collider at D
        // (C ⊥ E); R1 on A *-> C o-> D (A, D not adjacent) makes C -> D; E's mark stays a circle.
        let truth = dag(&[("A", "C"), ("B", "C"), ("C", "D"), ("L", "D"), ("L", "E")]);
        let pag = fci_on(&truth, &["A", "B", "C", "D", "E"]);
        assert_eq!(edge_texts(&pag), vec!["A o-> C", "B o-> C", "C -> D", "E o-> D"]);
    }

    #[test]
    fn discriminating_path_orients_a_tail() {
        // T -> A <- L -> B, A -> C, B -> C; L latent. MAG: T -> A <-> B, A -> C, B -> C.
        // Colliders: T *-> A <-* B. R1: A -> C. R2: B *-> A -> C gives B *-> C. On the
        // discriminating path <T, A, B, C>, B is in Sepset(T, C) = {A, B}, so R4: B -> C.
        let truth = dag(&[("T", "A"), ("L", "A"), ("L", "B"), ("A", "C"), ("B", "C")]);
        let pag = fci_on(&truth, &["T", "A", "B", "C"]);
        assert_eq!(edge_texts(&pag), vec!["A -> C", "B -> C", "B o-> A", "T o-> A"]);
    }

    #[test]
    fn discriminating_path_orients_bidirected_edges() {
        // As above but B <- L2 -> C instead of B -> C: Sepset(T, C) = {A} lacks B, so R4 gives
        // A <-> B <-> C.
        let truth = dag(&[("T", "A"), ("L", "A"), ("L", "B"), ("A", "C"), ("L2", "B"), ("L2", "C")]);
        let pag = fci_on(&truth, &["T", "A", "B", "C"]);
        assert_eq!(edge_texts(&pag), vec!["A -> C", "A <-> B", "B <-> C", "T o-> A"]);
    }

    #[test]
    fn tiers_add_arrowheads_at_later_nodes() {
        // A -> B with nothing else: FCI alone leaves A o-o B.
        let truth = dag(&[("A", "B")]);
        let oracle = DSeparationOracle::new(&truth).unwrap();
        let names = vec!["A".to_string(), "B".to_string()];
        let plain = fci(&oracle, &names, &FciParams::default(), None).unwrap();
        assert_eq!(edge_texts(&plain.graph), vec!["A o-o B"]);
        let k = Knowledge::parse("tier 1: A\ntier 2: B", &names).unwrap();
        let informed = fci(&oracle, &names, &FciParams::default(), Some(&k)).unwrap();
        assert_eq!(edge_texts(&informed.graph), vec!["A o-> B"]);
        let k = Knowledge::parse("require A -> B", &names).unwrap();
        let informed = fci(&oracle, &names, &FciParams::default(), Some(&k)).unwrap();
        assert_eq!(edge_texts(&informed.graph), vec!["A -> B"]);
    }

    /// A random DAG on `n` nodes X0.. whose arcs follow a shuffled order.
    fn random_dag(max_nodes: usize) -> impl Strategy<Value = CausalGraph> {
        (3usize..=max_nodes).prop_flat_map(|n| {
            (
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                proptest::collection::vec(proptest::bool::weighted(0.4), n * (n - 1) / 2),
            )
                .prop_map(move |(order, bits)| {
                    let mut g = CausalGraph::with_nodes((0..n).map(|i| format!("X{i}"))).unwrap();
                    let mut k = 0;
                    for i in 0..n {
                        for j in i + 1..n {
                            if bits[k] {
                                g.add_directed(NodeId::from_index(order[i]), NodeId::from_index(order[j]))
                                    .unwrap();
                            }
                            k += 1;
                        }
                    }
                    g
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Without latents the PAG has the DAG's skeleton, and every arrowhead or tail it commits
        /// to is shared by every DAG of the Markov equivalence class.
        #[test]
        fn marks_are_invariant_across_the_equivalence_class(truth in random_dag(7)) {
            let names: Vec<String> = truth.names().map(str::to_string).collect();
            let oracle = DSeparationOracle::new(&truth).unwrap();
            let pag = fci(&oracle, &names, &FciParams::default(), None).unwrap().graph;
            let class = enumerate_equivalent_dags(&truth, 10_000).unwrap();
            prop_assert!(!class.truncated);
            let skeleton = |g: &CausalGraph| -> BTreeSet<(usize, usize)> {
                g.edges().iter().map(|e| (e.a.index().min(e.b.index()), e.a.index().max(e.b.index()))).collect()
            };
            prop_assert_eq!(skeleton(&pag), skeleton(&truth));
            for e in pag.edges() {
                for (at, other, mark) in [(e.a, e.b, e.mark_a), (e.b, e.a, e.mark_b)] {
                    for member in &class.dags {
                        match mark {
                            Mark::Arrow => prop_assert!(member.has_directed(other, at), "arrowhead at {} on {}", pag.name(at), pag.edge_text(e)),
                            Mark::Tail => prop_assert!(member.has_directed(at, other), "tail at {} on {}", pag.name(at), pag.edge_text(e)),
                            Mark::Circle => {}
                        }
                    }
                }
            }
        }

        /// With latents: the PAG's adjacencies are exactly the pairs no set of observed nodes
        /// separates (brute force over all sets), each arrowhead at `b` on `a *-> b` means `b` is not
        /// an ancestor of `a` in the true DAG, and each tail at `a` means `a` is an ancestor of `b`.
        #[test]
        fn pag_with_latents_is_sound(truth in random_dag(8), latent_bits in proptest::collection::vec(proptest::bool::weighted(0.3), 8)) {
            let n = truth.node_count();
            let observed: Vec<NodeId> = truth.node_ids().filter(|v| !latent_bits[v.index()]).collect();
            prop_assume!(observed.len() >= 3);
            let names = truth.names_of(&observed);
            let oracle = DSeparationOracle::with_observed(&truth, observed.clone()).unwrap();
            let pag = fci(&oracle, &names, &FciParams::default(), None).unwrap().graph;
            let m = observed.len();
            for i in 0..m {
                for j in i + 1..m {
                    let others: Vec<usize> = (0..m).filter(|&k| k != i && k != j).collect();
                    let mut separable = false;
                    for mask in 0u32..(1 << others.len()) {
                        let z: Vec<NodeId> = (0..others.len()).filter(|b| mask & (1 << b) != 0).map(|b| observed[others[b]]).collect();
                        if truth.d_separated(&[observed[i]], &[observed[j]], &z).unwrap() {
                            separable = true;
                            break;
                        }
                    }
                    let adjacent = pag.is_adjacent(NodeId::from_index(i), NodeId::from_index(j));
                    prop_assert_eq!(adjacent, !separable, "{} - {}", &names[i], &names[j]);
                }
            }
            let _ = n;
            for e in pag.edges() {
                let (ta, tb) = (observed[e.a.index()], observed[e.b.index()]);
                for (at, other, mark) in [(ta, tb, e.mark_a), (tb, ta, e.mark_b)] {
                    let at_is_ancestor = truth.ancestors(&[other]).contains(&at);
                    match mark {
                        Mark::Arrow => prop_assert!(!at_is_ancestor, "arrowhead at an ancestor on {}", pag.edge_text(e)),
                        Mark::Tail => prop_assert!(at_is_ancestor, "tail at a non-ancestor on {}", pag.edge_text(e)),
                        Mark::Circle => {}
                    }
                }
            }
        }
    }
}
