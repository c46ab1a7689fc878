//! The adjacency search shared by PC and FCI, and the endpoint-mark matrix they orient.
//!
//! The search starts from the complete graph and removes the edge `x - y` as soon as some set `S`
//! of `x`'s current neighbours makes `x ⊥ y | S`, trying sets of size 0, 1, 2, ... In the
//! order-independent ("stable", Colombo and Maathuis 2014) variant, the neighbourhoods are frozen at
//! the start of each size, so the result does not depend on the order of the variables; all the
//! tests of one size are then known in advance and run in parallel, and the results are applied in
//! a fixed order, so the output does not depend on the number of threads either.
//!
//! As in causal-learn, the stable search tries every candidate set of a size (it does not stop at
//! the first independence) and records as the separating set of `x` and `y` the union of every set
//! found to separate them at that size, from either end. The collider rule "y is not in the
//! separating set" then means "y is in none of the separating sets found".

use std::collections::{BTreeMap, BTreeSet, HashMap};

use causa_graph::{CausalGraph, Mark, NodeId};
use rayon::prelude::*;

use crate::citest::CiTest;
use crate::error::{DiscoveryError, Result};
use crate::knowledge::Knowledge;

/// Separating sets found by a search, keyed by `(min, max)` of the pair; each sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeparatingSets(BTreeMap<(usize, usize), Vec<usize>>);

impl SeparatingSets {
    /// The separating set recorded for `a` and `b`, if they were separated.
    pub fn get(&self, a: usize, b: usize) -> Option<&[usize]> {
        self.0.get(&(a.min(b), a.max(b))).map(Vec::as_slice)
    }

    /// Adds the members of `set` to the separating set of `a` and `b` (creating it if needed).
    pub fn add(&mut self, a: usize, b: usize, set: &[usize]) {
        let entry = self.0.entry((a.min(b), a.max(b))).or_default();
        entry.extend_from_slice(set);
        entry.sort_unstable();
        entry.dedup();
    }

    /// Replaces the separating set of `a` and `b`.
    pub fn set(&mut self, a: usize, b: usize, set: &[usize]) {
        let mut sorted = set.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        self.0.insert((a.min(b), a.max(b)), sorted);
    }

    /// Every recorded pair with its set.
    pub fn iter(&self) -> impl Iterator<Item = (&(usize, usize), &Vec<usize>)> {
        self.0.iter()
    }

    /// The sets with node names, for results.
    pub fn named(&self, names: &[String]) -> BTreeMap<(String, String), Vec<String>> {
        self.0
            .iter()
            .map(|(&(a, b), set)| {
                ((names[a].clone(), names[b].clone()), set.iter().map(|&v| names[v].clone()).collect())
            })
            .collect()
    }
}

/// Settings of the adjacency search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SkeletonParams {
    /// Significance level: `x ⊥ y | S` is accepted when the p-value exceeds it.
    pub alpha: f64,
    /// Largest conditioning-set size tried (`None`: no limit).
    pub max_depth: Option<usize>,
    /// Order-independent variant (see the module documentation).
    pub stable: bool,
}

/// What the adjacency search found.
#[derive(Clone, Debug)]
pub struct Skeleton {
    /// Sorted neighbours of each variable.
    pub adjacent: Vec<BTreeSet<usize>>,
    /// Separating sets of the removed pairs.
    pub sepsets: SeparatingSets,
    /// Largest conditioning-set size that was tried.
    pub depth_reached: Option<usize>,
}

/// The checks PC and FCI share: `alpha` in (0, 1) and a usable number of threads.
pub(crate) fn check_alpha_and_threads(alpha: f64, threads: Option<usize>) -> Result<()> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(DiscoveryError::InvalidParameter(format!("alpha must be in (0, 1), got {alpha}")));
    }
    crate::parallel::check_threads(threads)
}

/// The inputs of a constraint-based search checked against each other: one name per variable of
/// the test, and knowledge about those names. Returns the knowledge, or `None` when there is none
/// or it is empty (so that the search can skip it).
pub(crate) fn checked_inputs<'k>(
    test: &dyn CiTest,
    names: &[String],
    knowledge: Option<&'k Knowledge>,
) -> Result<Option<&'k Knowledge>> {
    if names.len() != test.variable_count() {
        return Err(DiscoveryError::InvalidParameter(format!(
            "{} names for a test over {} variables",
            names.len(),
            test.variable_count()
        )));
    }
    if let Some(k) = knowledge {
        k.check_names(names)?;
    }
    Ok(knowledge.filter(|k| !k.is_empty()))
}

/// Runs the adjacency search, the tests of each level in parallel on the current rayon pool.
pub fn search_skeleton(
    test: &dyn CiTest,
    params: &SkeletonParams,
    knowledge: Option<&Knowledge>,
) -> Result<Skeleton> {
    let p = test.variable_count();
    let mut adjacent: Vec<BTreeSet<usize>> = (0..p).map(|v| (0..p).filter(|&u| u != v).collect()).collect();
    let mut sepsets = SeparatingSets::default();
    let banned = |x: usize, y: usize| knowledge.is_some_and(|k| k.is_forbidden(x, y) && k.is_forbidden(y, x));
    let mut depth_reached = None;
    let mut depth = 0usize;
    loop {
        let max_degree = adjacent.iter().map(BTreeSet::len).max().unwrap_or(0);
        if max_degree == 0 || depth > max_degree - 1 || params.max_depth.is_some_and(|m| depth > m) {
            break;
        }
        depth_reached = Some(depth);
        if params.stable {
            stable_level(test, params.alpha, depth, &mut adjacent, &mut sepsets, &banned)?;
        } else {
            sequential_level(test, params.alpha, depth, &mut adjacent, &mut sepsets, &banned)?;
        }
        depth += 1;
    }
    Ok(Skeleton { adjacent, sepsets, depth_reached })
}

type Job = (usize, usize, Vec<usize>);

fn stable_level(
    test: &dyn CiTest,
    alpha: f64,
    depth: usize,
    adjacent: &mut [BTreeSet<usize>],
    sepsets: &mut SeparatingSets,
    banned: &dyn Fn(usize, usize) -> bool,
) -> Result<()> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut removals: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (x, neighbours) in adjacent.iter().enumerate() {
        for &y in neighbours {
            if banned(x, y) {
                removals.insert((x.min(y), x.max(y)));
                sepsets.add(x, y, &[]);
            }
            let others: Vec<usize> = neighbours.iter().copied().filter(|&v| v != y).collect();
            for_each_subset(&others, depth, &mut |s| jobs.push((x, y, s.to_vec())));
        }
    }
    let mut unique: Vec<Job> = jobs.iter().map(|(x, y, s)| canonical(*x, *y, s)).collect();
    unique.sort();
    unique.dedup();
    let answers: Vec<f64> = unique
        .par_iter()
        .map(|(x, y, s)| test.test(*x, *y, s).map(|r| r.p_value))
        .collect::<Result<Vec<f64>>>()?;
    let p_of: HashMap<&Job, f64> = unique.iter().zip(answers).collect();
    for (x, y, s) in &jobs {
        let key = canonical(*x, *y, s);
        let p =
            p_of.get(&key).copied().ok_or_else(|| DiscoveryError::InvalidParameter("lost a test".into()))?;
        if p > alpha {
            removals.insert(((*x).min(*y), (*x).max(*y)));
            sepsets.add(*x, *y, s);
        }
    }
    for (a, b) in removals {
        adjacent[a].remove(&b);
        adjacent[b].remove(&a);
    }
    Ok(())
}

fn sequential_level(
    test: &dyn CiTest,
    alpha: f64,
    depth: usize,
    adjacent: &mut [BTreeSet<usize>],
    sepsets: &mut SeparatingSets,
    banned: &dyn Fn(usize, usize) -> bool,
) -> Result<()> {
    for x in 0..adjacent.len() {
        let neighbours: Vec<usize> = adjacent[x].iter().copied().collect();
        for y in neighbours {
            if !adjacent[x].contains(&y) {
                continue;
            }
            let mut found: Option<Vec<usize>> = banned(x, y).then(Vec::new);
            if found.is_none() {
                let others: Vec<usize> = adjacent[x].iter().copied().filter(|&v| v != y).collect();
                let mut candidates = Vec::new();
                for_each_subset(&others, depth, &mut |s| candidates.push(s.to_vec()));
                for s in candidates {
                    if test.test(x, y, &s)?.p_value > alpha {
                        found = Some(s);
                        break;
                    }
                }
            }
            if let Some(s) = found {
                adjacent[x].remove(&y);
                adjacent[y].remove(&x);
                sepsets.set(x, y, &s);
            }
        }
    }
    Ok(())
}

fn canonical(x: usize, y: usize, s: &[usize]) -> Job {
    let mut sorted = s.to_vec();
    sorted.sort_unstable();
    (x.min(y), x.max(y), sorted)
}

/// Calls `visit` on every `size`-subset of `items`, in lexicographic order of positions.
pub(crate) fn for_each_subset(items: &[usize], size: usize, visit: &mut dyn FnMut(&[usize])) {
    if size > items.len() {
        return;
    }
    let mut index: Vec<usize> = (0..size).collect();
    let mut chosen: Vec<usize> = Vec::with_capacity(size);
    loop {
        chosen.clear();
        chosen.extend(index.iter().map(|&i| items[i]));
        visit(&chosen);
        let Some(i) = (0..size).rev().find(|&i| index[i] != i + items.len() - size) else { return };
        index[i] += 1;
        for j in i + 1..size {
            index[j] = index[j - 1] + 1;
        }
    }
}

/// A dense matrix of endpoint marks: `mark(i, j)` is the mark at `i` of the edge between `i` and
/// `j` (None: not adjacent). The working form of the orientation phases of PC and FCI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Marks {
    n: usize,
    m: Vec<Option<Mark>>,
}

impl Marks {
    /// Every adjacent pair of `adjacent` joined with mark `mark` at both ends.
    pub(crate) fn from_adjacency(adjacent: &[BTreeSet<usize>], mark: Mark) -> Self {
        let n = adjacent.len();
        let mut m = vec![None; n * n];
        for (a, set) in adjacent.iter().enumerate() {
            for &b in set {
                m[a * n + b] = Some(mark);
            }
        }
        Self { n, m }
    }

    pub(crate) fn len(&self) -> usize {
        self.n
    }

    pub(crate) fn mark(&self, at: usize, other: usize) -> Option<Mark> {
        self.m[at * self.n + other]
    }

    pub(crate) fn adjacent(&self, a: usize, b: usize) -> bool {
        self.mark(a, b).is_some()
    }

    /// Sets the mark at `at` of the existing edge `at - other`.
    pub(crate) fn set_mark(&mut self, at: usize, other: usize, mark: Mark) {
        if self.adjacent(at, other) {
            self.m[at * self.n + other] = Some(mark);
        }
    }

    /// Makes the existing edge `a - b` into `a -> b`.
    pub(crate) fn orient(&mut self, a: usize, b: usize) {
        self.set_mark(a, b, Mark::Tail);
        self.set_mark(b, a, Mark::Arrow);
    }

    pub(crate) fn remove(&mut self, a: usize, b: usize) {
        self.m[a * self.n + b] = None;
        self.m[b * self.n + a] = None;
    }

    pub(crate) fn neighbours(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.n).filter(move |&u| self.adjacent(v, u))
    }

    /// True if `a -> b`.
    pub(crate) fn directed(&self, a: usize, b: usize) -> bool {
        self.mark(a, b) == Some(Mark::Tail) && self.mark(b, a) == Some(Mark::Arrow)
    }

    /// True if `a -- b`.
    pub(crate) fn undirected(&self, a: usize, b: usize) -> bool {
        self.mark(a, b) == Some(Mark::Tail) && self.mark(b, a) == Some(Mark::Tail)
    }

    /// The graph over `names` with these edges.
    pub(crate) fn to_graph(&self, names: &[String]) -> Result<CausalGraph> {
        let mut graph = CausalGraph::with_nodes(names.iter().cloned())?;
        for a in 0..self.n {
            for b in a + 1..self.n {
                if let (Some(ma), Some(mb)) = (self.mark(a, b), self.mark(b, a)) {
                    graph.add_edge(NodeId::from_index(a), NodeId::from_index(b), ma, mb)?;
                }
            }
        }
        Ok(graph)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_come_in_lexicographic_order() {
        let mut seen = Vec::new();
        for_each_subset(&[4, 7, 9], 2, &mut |s| seen.push(s.to_vec()));
        assert_eq!(seen, vec![vec![4, 7], vec![4, 9], vec![7, 9]]);
        let mut count = 0;
        for_each_subset(&[1, 2], 0, &mut |s| {
            assert!(s.is_empty());
            count += 1;
        });
        assert_eq!(count, 1);
        for_each_subset(&[1], 2, &mut |_| count += 10);
        assert_eq!(count, 1);
    }
}
