//! The PC algorithm: adjacency search, collider orientation, Meek's rules.
//!
//! PC (Spirtes, Glymour and Scheines) learns a CPDAG from conditional independences: the
//! [`crate::skeleton`] search removes edges between variables that some set separates, the
//! unshielded triples `x - y - z` (with `x`, `z` not adjacent) whose middle node is judged a
//! collider become `x -> y <- z`, and Meek's rules orient what else follows. The options mirror
//! causal-learn's `pc` so results can be compared edge by edge, but as enums instead of integers:
//!
//! - [`UcRule`] decides which triples are colliders: by the separating set (`Sepset`, the
//!   classic rule), by the largest p-value over the conditioning sets drawn from both endpoints'
//!   neighbourhoods with and without `y` (`MaxP`, Ramsey 2016), or by `DefiniteMaxP`, which only
//!   decides triples on which all those tests agree at level alpha and also propagates the definite
//!   non-colliders.
//! - [`UcPriority`] settles conflicts between colliders that claim the same edge in opposite
//!   directions: the later one overwrites, a bidirected edge records the conflict, the earlier one
//!   wins, or (after sorting the colliders by strength) the stronger one wins.
//!
//! causal-learn's final step applies Meek's rules R1-R3 only (R4 is never needed without background
//! knowledge, and causal-learn does not use it with knowledge either); so does this module, through
//! [`causa_graph::equivalence::apply_meek_rules_with`]. On sampled data the collider step can leave a
//! graph that no DAG extends (conflicting colliders, bidirected edges); the graph crate's rules
//! refuse such graphs, and then the rules are applied the way causal-learn applies them: repeated
//! passes over the unshielded triples (R1), triangles (R2) and kites (R3), skipping any
//! orientation that would close a directed cycle or contradict the background knowledge.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use causa_graph::equivalence::{MeekRule, apply_meek_rules_with};
use causa_graph::{CausalGraph, EdgeKind, Mark};
use rayon::prelude::*;

use crate::citest::{CachedTest, CiTest};
use crate::error::{DiscoveryError, Result};
use crate::knowledge::Knowledge;
use crate::skeleton::{
    Marks, SeparatingSets, SkeletonParams, check_alpha_and_threads, checked_inputs, search_skeleton,
};

/// How PC decides that an unshielded triple `x - y - z` is a collider (causal-learn's `uc_rule`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UcRule {
    /// `y` is in no separating set of `x` and `z` (causal-learn `uc_rule=0`).
    #[default]
    Sepset,
    /// The largest p-value of `x ⊥ z | S` over sets `S` without `y` exceeds that over sets with
    /// `y` (causal-learn `uc_rule=1`).
    MaxP,
    /// Like `MaxP`, but only triples where every set with `y` rejects (collider) or every set
    /// without `y` rejects (definite non-collider) are decided (causal-learn `uc_rule=2`).
    DefiniteMaxP,
}

/// How PC resolves colliders that conflict (causal-learn's `uc_priority`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UcPriority {
    /// Each collider is applied in turn and overwrites earlier orientations (`0`).
    Overwrite,
    /// A conflicting edge becomes bidirected (`1`).
    OrientBidirected,
    /// A collider is applied only if neither of its edges already points out of `y` (`2`;
    /// causal-learn's default for `pc`).
    #[default]
    ExistingColliders,
    /// Colliders are applied in increasing order of the largest p-value of `x ⊥ z | S ∪ {y}`
    /// (the most clearly dependent first), then as with `ExistingColliders` (`3`).
    StrongerColliders,
    /// Colliders are applied in decreasing order of the largest p-value of `x ⊥ z | S` without
    /// `y`, then as with `ExistingColliders` (`4`).
    StrongerStarColliders,
}

/// Parameters of PC; see [`PcParams::default`] for the defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PcParams {
    /// Significance level in (0, 1); default 0.05.
    pub alpha: f64,
    /// Largest conditioning-set size (`None`, the default: no limit).
    pub max_depth: Option<usize>,
    /// Order-independent adjacency search (default true).
    pub stable: bool,
    /// Collider rule (default [`UcRule::Sepset`]).
    pub uc_rule: UcRule,
    /// Conflict resolution (default [`UcPriority::ExistingColliders`]).
    pub uc_priority: UcPriority,
    /// Worker threads for the tests (`None`, the default: rayon's global pool). The result does
    /// not depend on it.
    pub threads: Option<usize>,
}

impl Default for PcParams {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            max_depth: None,
            stable: true,
            uc_rule: UcRule::Sepset,
            uc_priority: UcPriority::ExistingColliders,
            threads: None,
        }
    }
}

impl PcParams {
    /// Fails, naming the parameter, unless every value is usable.
    pub fn check(&self) -> Result<()> {
        check_alpha_and_threads(self.alpha, self.threads)?;
        if self.uc_rule == UcRule::DefiniteMaxP
            && matches!(self.uc_priority, UcPriority::Overwrite | UcPriority::OrientBidirected)
        {
            return Err(DiscoveryError::InvalidParameter(format!(
                "uc_priority {:?} cannot be used with DefiniteMaxP (use ExistingColliders, StrongerColliders or StrongerStarColliders)",
                self.uc_priority
            )));
        }
        Ok(())
    }
}

/// What PC found.
#[derive(Clone, Debug)]
pub struct PcResult {
    /// The CPDAG (PDAG on sampled data; with `OrientBidirected`, possibly `<->` edges) over the
    /// variable names.
    pub graph: CausalGraph,
    /// Separating set of each non-adjacent pair, by name.
    pub separating_sets: BTreeMap<(String, String), Vec<String>>,
    /// Independence tests actually computed.
    pub tests_run: u64,
    /// Tests requested, cache hits included.
    pub tests_requested: u64,
    /// Largest conditioning-set size tried by the adjacency search.
    pub depth_reached: Option<usize>,
    /// True if Meek's rules were applied leniently because the graph had no consistent extension.
    pub lenient_meek: bool,
    /// Wall-clock time.
    pub elapsed: Duration,
}

/// Runs PC with the test `test` over the variables `names` (variable `i` is `names[i]`).
pub fn pc(
    test: &dyn CiTest,
    names: &[String],
    params: &PcParams,
    knowledge: Option<&Knowledge>,
) -> Result<PcResult> {
    params.check()?;
    let knowledge = checked_inputs(test, names, knowledge)?;
    let start = Instant::now();
    let cached = CachedTest::new(test);
    let (graph, sepsets, depth_reached, lenient_meek) =
        crate::parallel::install(params.threads, || run_pc(&cached, names, params, knowledge))?;
    let stats = cached.stats();
    Ok(PcResult {
        graph,
        separating_sets: sepsets.named(names),
        tests_run: stats.tests_run(),
        tests_requested: stats.requests,
        depth_reached,
        lenient_meek,
        elapsed: start.elapsed(),
    })
}

type PcOutcome = (CausalGraph, SeparatingSets, Option<usize>, bool);

fn run_pc(
    test: &dyn CiTest,
    names: &[String],
    params: &PcParams,
    knowledge: Option<&Knowledge>,
) -> Result<PcOutcome> {
    let skeleton_params =
        SkeletonParams { alpha: params.alpha, max_depth: params.max_depth, stable: params.stable };
    let skeleton = search_skeleton(test, &skeleton_params, knowledge)?;
    let mut marks = Marks::from_adjacency(&skeleton.adjacent, Mark::Tail);
    if let Some(k) = knowledge {
        orient_by_knowledge(&mut marks, k);
    }
    let mut orienter =
        Orienter { marks, knowledge, definite_colliders: Vec::new(), definite_non_colliders: Vec::new() };
    match params.uc_rule {
        UcRule::Sepset => orienter.uc_sepset(test, &skeleton.sepsets, params.uc_priority)?,
        UcRule::MaxP => orienter.maxp(test, params.uc_priority)?,
        UcRule::DefiniteMaxP => {
            orienter.definite_maxp(test, params.alpha, params.uc_priority)?;
            orienter.definite_meek();
        }
    }
    let lenient = orienter.meek(names)?;
    Ok((orienter.marks.to_graph(names)?, skeleton.sepsets, skeleton.depth_reached, lenient))
}

/// causal-learn's `orient_by_background_knowledge`: undirected edges that knowledge decides.
fn orient_by_knowledge(marks: &mut Marks, k: &Knowledge) {
    for a in 0..marks.len() {
        for b in a + 1..marks.len() {
            if !marks.undirected(a, b) {
                continue;
            }
            if k.is_forbidden(b, a) {
                marks.orient(a, b);
            } else if k.is_forbidden(a, b) || k.is_required(b, a) {
                marks.orient(b, a);
            } else if k.is_required(a, b) {
                marks.orient(a, b);
            }
        }
    }
}

/// Unshielded triples `(x, y, z)` with `x < z`, in causal-learn's order (by `y`, then `x`, then `z`).
fn unshielded_triples(marks: &Marks) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for y in 0..marks.len() {
        let neighbours: Vec<usize> = marks.neighbours(y).collect();
        for &x in &neighbours {
            for &z in &neighbours {
                if x < z && !marks.adjacent(x, z) {
                    out.push((x, y, z));
                }
            }
        }
    }
    out
}

/// The largest conditioning set examined by the maxP rules; their sets are all subsets of two
/// neighbourhoods, so larger neighbourhoods would mean millions of tests per triple.
const MAXP_NEIGHBOURHOOD_LIMIT: usize = 20;

struct Orienter<'k> {
    marks: Marks,
    knowledge: Option<&'k Knowledge>,
    definite_colliders: Vec<(usize, usize, usize)>,
    definite_non_colliders: Vec<(usize, usize, usize)>,
}

impl Orienter<'_> {
    /// True if knowledge forbids orienting `a -> b`.
    fn blocked(&self, a: usize, b: usize) -> bool {
        self.knowledge.is_some_and(|k| k.is_forbidden(a, b) || k.is_required(b, a))
    }

    fn collider_blocked(&self, (x, y, z): (usize, usize, usize)) -> bool {
        self.knowledge.is_some_and(|k| {
            k.is_forbidden(x, y) || k.is_forbidden(z, y) || k.is_required(y, x) || k.is_required(y, z)
        })
    }

    /// Applies a collider now, under one of the immediate priorities.
    fn apply_immediately(&mut self, (x, y, z): (usize, usize, usize), priority: UcPriority) {
        match priority {
            UcPriority::Overwrite => {
                self.marks.orient(x, y);
                self.marks.orient(z, y);
            }
            UcPriority::OrientBidirected => {
                for end in [x, z] {
                    if self.marks.undirected(end, y) {
                        self.marks.orient(end, y);
                    } else if self.marks.directed(y, end) {
                        self.marks.set_mark(end, y, Mark::Arrow);
                        self.marks.set_mark(y, end, Mark::Arrow);
                    }
                }
            }
            _ => {
                self.apply_if_not_out_of_middle((x, y, z));
            }
        }
    }

    /// The `ExistingColliders` step: orient `x -> y <- z` unless `y -> x` or `y -> z`.
    fn apply_if_not_out_of_middle(&mut self, (x, y, z): (usize, usize, usize)) -> bool {
        if self.marks.directed(y, x) || self.marks.directed(y, z) {
            return false;
        }
        self.marks.orient(x, y);
        self.marks.orient(z, y);
        true
    }

    /// Applies the deferred colliders, sorted by their strength as the priority asks.
    fn apply_sorted(&mut self, mut found: Vec<((usize, usize, usize), f64)>, priority: UcPriority) {
        match priority {
            UcPriority::StrongerColliders => found.sort_by(|a, b| a.1.total_cmp(&b.1)),
            UcPriority::StrongerStarColliders => found.sort_by(|a, b| b.1.total_cmp(&a.1)),
            _ => {}
        }
        for (triple, _) in found {
            if !self.collider_blocked(triple) {
                self.apply_if_not_out_of_middle(triple);
            }
        }
    }

    fn deferred(priority: UcPriority) -> bool {
        matches!(priority, UcPriority::StrongerColliders | UcPriority::StrongerStarColliders)
    }

    fn uc_sepset(&mut self, test: &dyn CiTest, sepsets: &SeparatingSets, priority: UcPriority) -> Result<()> {
        let mut found = Vec::new();
        for triple in unshielded_triples(&self.marks) {
            let (x, y, z) = triple;
            if self.collider_blocked(triple) || sepsets.get(x, z).is_some_and(|s| s.contains(&y)) {
                continue;
            }
            if Self::deferred(priority) {
                found.push(triple);
            } else {
                self.apply_immediately(triple, priority);
            }
        }
        if Self::deferred(priority) {
            let with_mid = priority == UcPriority::StrongerColliders;
            let scored = found
                .into_iter()
                .map(|t| Ok((t, self.max_p(test, t, with_mid)?)))
                .collect::<Result<Vec<_>>>()?;
            self.apply_sorted(scored, priority);
        }
        Ok(())
    }

    /// Every subset of the neighbourhood of `x` and of `z`, once each, sorted.
    fn condition_sets(&self, x: usize, z: usize) -> Result<Vec<Vec<usize>>> {
        let mut sets = BTreeSet::new();
        for end in [x, z] {
            let neighbours: Vec<usize> = self.marks.neighbours(end).collect();
            if neighbours.len() > MAXP_NEIGHBOURHOOD_LIMIT {
                return Err(DiscoveryError::InvalidParameter(format!(
                    "the maxP collider rules test every subset of a neighbourhood, and variable {end} has {} neighbours (at most {MAXP_NEIGHBOURHOOD_LIMIT}); use UcRule::Sepset or a smaller alpha",
                    neighbours.len()
                )));
            }
            for mask in 0u32..(1 << neighbours.len()) {
                let set: Vec<usize> =
                    (0..neighbours.len()).filter(|i| mask & (1 << i) != 0).map(|i| neighbours[i]).collect();
                sets.insert(set);
            }
        }
        Ok(sets.into_iter().collect())
    }

    /// The largest p-value of `x ⊥ z | S` over the condition sets with (or without) `y`.
    fn max_p(&self, test: &dyn CiTest, (x, y, z): (usize, usize, usize), with_mid: bool) -> Result<f64> {
        let sets: Vec<Vec<usize>> =
            self.condition_sets(x, z)?.into_iter().filter(|s| s.contains(&y) == with_mid).collect();
        let p =
            sets.par_iter().map(|s| test.test(x, z, s).map(|r| r.p_value)).collect::<Result<Vec<f64>>>()?;
        Ok(p.into_iter().fold(0.0, f64::max))
    }

    fn maxp(&mut self, test: &dyn CiTest, priority: UcPriority) -> Result<()> {
        let mut found = Vec::new();
        for triple in unshielded_triples(&self.marks) {
            if self.collider_blocked(triple) {
                continue;
            }
            let with_mid = self.max_p(test, triple, true)?;
            let without_mid = self.max_p(test, triple, false)?;
            if without_mid <= with_mid {
                continue;
            }
            match priority {
                UcPriority::StrongerColliders => found.push((triple, with_mid)),
                UcPriority::StrongerStarColliders => found.push((triple, without_mid)),
                _ => self.apply_immediately(triple, priority),
            }
        }
        self.apply_sorted(found, priority);
        Ok(())
    }

    fn definite_maxp(&mut self, test: &dyn CiTest, alpha: f64, priority: UcPriority) -> Result<()> {
        let mut found = Vec::new();
        for triple in unshielded_triples(&self.marks) {
            let (x, y, z) = triple;
            let sets = self.condition_sets(x, z)?;
            let (with_mid, without_mid): (Vec<&Vec<usize>>, Vec<&Vec<usize>>) =
                sets.iter().partition(|s| s.contains(&y));
            let (mut max_with, mut max_without) = (0.0_f64, 0.0_f64);
            let mut collider = true;
            for s in with_mid {
                let p = test.test(x, z, s)?.p_value;
                if p > alpha {
                    collider = false;
                    break;
                }
                max_with = max_with.max(p);
            }
            let mut non_collider = true;
            for s in without_mid {
                let p = test.test(x, z, s)?.p_value;
                if p > alpha {
                    non_collider = false;
                    if !collider {
                        break;
                    }
                }
                max_without = max_without.max(p);
            }
            let score = if priority == UcPriority::StrongerStarColliders { max_without } else { max_with };
            match (collider, non_collider) {
                (true, true) if max_without > max_with => found.push((triple, score)),
                (true, true) => self.definite_non_colliders.push(triple),
                (true, false) => found.push((triple, score)),
                (false, true) => self.definite_non_colliders.push(triple),
                (false, false) => {}
            }
        }
        match priority {
            UcPriority::StrongerColliders => found.sort_by(|a, b| a.1.total_cmp(&b.1)),
            UcPriority::StrongerStarColliders => found.sort_by(|a, b| b.1.total_cmp(&a.1)),
            _ => {}
        }
        for (triple, _) in found {
            if !self.collider_blocked(triple) && self.apply_if_not_out_of_middle(triple) {
                self.definite_colliders.push(triple);
            }
        }
        Ok(())
    }

    /// True if there is a directed path `from -> ... -> to`.
    fn is_ancestor(&self, from: usize, to: usize) -> bool {
        let mut seen = vec![false; self.marks.len()];
        let mut stack = vec![from];
        seen[from] = true;
        while let Some(v) = stack.pop() {
            if v == to {
                return true;
            }
            for c in self.marks.neighbours(v).filter(|&c| self.marks.directed(v, c)).collect::<Vec<_>>() {
                if !seen[c] {
                    seen[c] = true;
                    stack.push(c);
                }
            }
        }
        false
    }

    /// Orients `a -> b` unless knowledge forbids it or `b` is already an ancestor of `a`.
    fn try_orient(&mut self, a: usize, b: usize) -> bool {
        if self.blocked(a, b) || self.is_ancestor(b, a) {
            return false;
        }
        self.marks.orient(a, b);
        true
    }

    fn triangles(&self) -> Vec<(usize, usize, usize)> {
        let n = self.marks.len();
        let mut out = Vec::new();
        for j in 0..n {
            for i in self.marks.neighbours(j) {
                for k in self.marks.neighbours(j) {
                    if i != k && self.marks.adjacent(i, k) {
                        out.push((i, j, k));
                    }
                }
            }
        }
        out
    }

    /// `(i, j, k, l)`: triangles `i, j, l` and `i, k, l` with `j < k` not adjacent.
    fn kites(&self) -> Vec<(usize, usize, usize, usize)> {
        let n = self.marks.len();
        let mut out = Vec::new();
        for i in 0..n {
            for l in self.marks.neighbours(i) {
                let common: Vec<usize> =
                    self.marks.neighbours(i).filter(|&m| m != l && self.marks.adjacent(m, l)).collect();
                for (a, &j) in common.iter().enumerate() {
                    for &k in &common[a + 1..] {
                        if !self.marks.adjacent(j, k) {
                            out.push((i, j, k, l));
                        }
                    }
                }
            }
        }
        out
    }

    /// causal-learn's `definite_meek`, run after `DefiniteMaxP`.
    fn definite_meek(&mut self) {
        let triangles = self.triangles();
        let kites = self.kites();
        let non_colliders = self.definite_non_colliders.clone();
        let colliders: BTreeSet<(usize, usize, usize)> = self.definite_colliders.iter().copied().collect();
        let non_set: BTreeSet<(usize, usize, usize)> = non_colliders.iter().copied().collect();
        let mut changed = true;
        while changed {
            changed = false;
            for &(i, j, k) in &non_colliders {
                if self.marks.directed(i, j) && self.marks.undirected(j, k) && !self.blocked(j, k) {
                    changed |= self.try_orient(j, k);
                } else if self.marks.directed(k, j) && self.marks.undirected(j, i) && !self.blocked(j, i) {
                    changed |= self.try_orient(j, i);
                }
            }
            changed |= self.rule_two(&triangles);
            for &(i, j, k, l) in &kites {
                let definite_collider = colliders.contains(&(j, l, k)) || colliders.contains(&(k, l, j));
                let definite_non = non_set.contains(&(j, i, k)) || non_set.contains(&(k, i, j));
                if definite_collider && definite_non && self.marks.undirected(i, l) {
                    changed |= self.try_orient(i, l);
                }
            }
        }
    }

    fn rule_two(&mut self, triangles: &[(usize, usize, usize)]) -> bool {
        let mut changed = false;
        for &(i, j, k) in triangles {
            if self.marks.directed(i, j) && self.marks.directed(j, k) && self.marks.undirected(i, k) {
                changed |= self.try_orient(i, k);
            }
        }
        changed
    }

    /// Meek's R1-R3 through the graph crate when the graph is a PDAG with a consistent extension
    /// and no knowledge applies; otherwise causal-learn's lenient passes. Returns true if lenient.
    fn meek(&mut self, names: &[String]) -> Result<bool> {
        if self.knowledge.is_none() {
            let mut graph = self.marks.to_graph(names)?;
            let pdag =
                graph.edges().iter().all(|e| matches!(e.kind(), EdgeKind::Directed | EdgeKind::Undirected));
            if pdag && apply_meek_rules_with(&mut graph, &[MeekRule::R1, MeekRule::R2, MeekRule::R3]).is_ok()
            {
                for e in graph.edges() {
                    self.marks.set_mark(e.a.index(), e.b.index(), e.mark_a);
                    self.marks.set_mark(e.b.index(), e.a.index(), e.mark_b);
                }
                return Ok(false);
            }
        }
        let unshielded: Vec<(usize, usize, usize)> = {
            let mut all = Vec::new();
            for (x, y, z) in unshielded_triples(&self.marks) {
                all.push((x, y, z));
                all.push((z, y, x));
            }
            all
        };
        let triangles = self.triangles();
        let kites = self.kites();
        let mut changed = true;
        while changed {
            changed = false;
            for &(i, j, k) in &unshielded {
                if self.marks.directed(i, j) && self.marks.undirected(j, k) && !self.blocked(j, k) {
                    changed |= self.try_orient(j, k);
                }
            }
            changed |= self.rule_two(&triangles);
            for &(i, j, k, l) in &kites {
                let premise = self.marks.undirected(i, j)
                    && self.marks.undirected(i, k)
                    && self.marks.directed(j, l)
                    && self.marks.directed(k, l)
                    && self.marks.undirected(i, l);
                if premise && !self.blocked(i, l) {
                    changed |= self.try_orient(i, l);
                }
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use causa_graph::equivalence::cpdag;
    use causa_graph::{CausalGraph, NodeId};
    use proptest::prelude::*;

    use super::*;
    use crate::citest::DSeparationOracle;

    /// A DAG on `n` nodes `X0..`, with the arc `order[i] -> order[j]` (i < j) when its bit is set.
    pub(crate) fn dag_from_bits(n: usize, order: &[usize], bits: &[bool]) -> CausalGraph {
        let mut g = CausalGraph::with_nodes((0..n).map(|i| format!("X{i}"))).unwrap();
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                if bits[k] {
                    g.add_directed(NodeId::from_index(order[i]), NodeId::from_index(order[j])).unwrap();
                }
                k += 1;
            }
        }
        g
    }

    fn edge_texts(g: &CausalGraph) -> Vec<String> {
        let mut v: Vec<String> = g.edges().into_iter().map(|e| g.edge_text(e)).collect();
        v.sort();
        v
    }

    fn names(g: &CausalGraph) -> Vec<String> {
        g.names().map(str::to_string).collect()
    }

    fn random_dag() -> impl Strategy<Value = CausalGraph> {
        (2usize..=8).prop_flat_map(|n| {
            (
                Just(n),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                proptest::collection::vec(proptest::bool::weighted(0.35), n * (n - 1) / 2),
            )
                .prop_map(|(n, order, bits)| dag_from_bits(n, &order, &bits))
        })
    }

    const SETTINGS: [(UcRule, UcPriority); 11] = [
        (UcRule::Sepset, UcPriority::Overwrite),
        (UcRule::Sepset, UcPriority::OrientBidirected),
        (UcRule::Sepset, UcPriority::ExistingColliders),
        (UcRule::Sepset, UcPriority::StrongerColliders),
        (UcRule::Sepset, UcPriority::StrongerStarColliders),
        (UcRule::MaxP, UcPriority::Overwrite),
        (UcRule::MaxP, UcPriority::ExistingColliders),
        (UcRule::MaxP, UcPriority::StrongerColliders),
        (UcRule::DefiniteMaxP, UcPriority::ExistingColliders),
        (UcRule::DefiniteMaxP, UcPriority::StrongerColliders),
        (UcRule::DefiniteMaxP, UcPriority::StrongerStarColliders),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn oracle_pc_returns_the_cpdag(dag in random_dag()) {
            let oracle = DSeparationOracle::new(&dag).unwrap();
            let expected = edge_texts(&cpdag(&dag).unwrap());
            for (uc_rule, uc_priority) in SETTINGS {
                for stable in [true, false] {
                    let params = PcParams { uc_rule, uc_priority, stable, ..PcParams::default() };
                    let result = pc(&oracle, &names(&dag), &params, None).unwrap();
                    prop_assert_eq!(edge_texts(&result.graph), expected.clone(), "{:?} {:?} stable={}", uc_rule, uc_priority, stable);
                    prop_assert!(!result.lenient_meek);
                }
            }
        }

        #[test]
        fn separating_sets_really_separate(dag in random_dag()) {
            let oracle = DSeparationOracle::new(&dag).unwrap();
            let result = pc(&oracle, &names(&dag), &PcParams::default(), None).unwrap();
            for ((a, b), set) in &result.separating_sets {
                let ids = |v: &[String]| dag.require_all(v).unwrap();
                prop_assert!(dag.d_separated(&ids(std::slice::from_ref(a)), &ids(std::slice::from_ref(b)), &ids(set)).unwrap());
            }
        }
    }

    #[test]
    fn tiers_orient_a_chain_that_data_cannot() {
        let mut dag = CausalGraph::new();
        dag.add_named("A", "B", EdgeKind::Directed).unwrap();
        dag.add_named("B", "C", EdgeKind::Directed).unwrap();
        let oracle = DSeparationOracle::new(&dag).unwrap();
        let names = names(&dag);
        let plain = pc(&oracle, &names, &PcParams::default(), None).unwrap();
        assert_eq!(edge_texts(&plain.graph), vec!["A -- B", "B -- C"]);
        let k = Knowledge::parse("tier 1: A\ntier 2: B", &names).unwrap();
        let result = pc(&oracle, &names, &PcParams::default(), Some(&k)).unwrap();
        // B -> C follows by Meek's R1 from A -> B.
        assert_eq!(edge_texts(&result.graph), vec!["A -> B", "B -> C"]);
        let k = Knowledge::parse("require C -> B", &names).unwrap();
        let result = pc(&oracle, &names, &PcParams::default(), Some(&k)).unwrap();
        // Then R1 on C -> B -- A (C, A not adjacent) gives B -> A.
        assert_eq!(edge_texts(&result.graph), vec!["B -> A", "C -> B"]);
    }

    #[test]
    fn forbidding_both_directions_removes_an_edge() {
        let mut dag = CausalGraph::new();
        dag.add_named("A", "B", EdgeKind::Directed).unwrap();
        dag.add_named("B", "C", EdgeKind::Directed).unwrap();
        let oracle = DSeparationOracle::new(&dag).unwrap();
        let names = names(&dag);
        let k = Knowledge::parse("forbid A -> B\nforbid B -> A", &names).unwrap();
        let result = pc(&oracle, &names, &PcParams::default(), Some(&k)).unwrap();
        assert_eq!(edge_texts(&result.graph), vec!["B -- C"]);
    }

    #[test]
    fn parameters_are_validated_before_any_test() {
        let dag = dag_from_bits(3, &[0, 1, 2], &[true, false, true]);
        let oracle = DSeparationOracle::new(&dag).unwrap();
        for bad in [0.0, 1.0, -0.1, f64::NAN] {
            let err =
                pc(&oracle, &names(&dag), &PcParams { alpha: bad, ..PcParams::default() }, None).unwrap_err();
            assert!(err.to_string().contains("alpha"), "{err}");
        }
        let params = PcParams {
            uc_rule: UcRule::DefiniteMaxP,
            uc_priority: UcPriority::Overwrite,
            ..PcParams::default()
        };
        assert!(pc(&oracle, &names(&dag), &params, None).unwrap_err().to_string().contains("DefiniteMaxP"));
        assert!(
            pc(&oracle, &names(&dag), &PcParams { threads: Some(0), ..PcParams::default() }, None).is_err()
        );
        assert!(pc(&oracle, &["a".to_string()], &PcParams::default(), None).is_err());
    }

    #[test]
    fn max_depth_limits_the_conditioning_sets() {
        // X0 -> X1 -> X3, X0 -> X2 -> X3: X0 and X3 need a set of two to be separated.
        let mut dag = CausalGraph::new();
        for (a, b) in [("X0", "X1"), ("X1", "X3"), ("X0", "X2"), ("X2", "X3")] {
            dag.add_named(a, b, EdgeKind::Directed).unwrap();
        }
        let oracle = DSeparationOracle::new(&dag).unwrap();
        let limited =
            pc(&oracle, &names(&dag), &PcParams { max_depth: Some(1), ..PcParams::default() }, None).unwrap();
        let x0 = limited.graph.require("X0").unwrap();
        let x3 = limited.graph.require("X3").unwrap();
        assert!(limited.graph.is_adjacent(x0, x3));
        assert_eq!(limited.depth_reached, Some(1));
        let full = pc(&oracle, &names(&dag), &PcParams::default(), None).unwrap();
        assert!(!full.graph.is_adjacent(x0, x3));
        assert_eq!(full.tests_requested, full.tests_run, "a stable level asks each question once");
        let maxp =
            pc(&oracle, &names(&dag), &PcParams { uc_rule: UcRule::MaxP, ..PcParams::default() }, None)
                .unwrap();
        assert!(
            maxp.tests_requested > maxp.tests_run,
            "maxP asks again what the search asked; the cache answers"
        );
    }
}
