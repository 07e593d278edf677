//! The call graph of the workspace's functions, and the propagation of facts over it.
//!
//! Every summary the workspace computes to a fixed point (cancel safety, losses on parameters,
//! items given back, race wrappers, blocking work) is a fact about a function that only depends on
//! the same facts about the functions its `.await`s can run. So the facts are computed over the
//! strongly connected components of this graph, callees' components before callers': a function
//! outside a cycle is looked at once, after everything it calls is final, and a cycle is iterated
//! until it stops changing, re-visiting only the callers (inside the cycle) of a function that
//! changed. That is linear in the size of the graph, whatever the order of the files and of the
//! functions in them; sweeping every function until nothing changes was quadratic when callers
//! came first (a chain of n functions took n sweeps).

use std::collections::VecDeque;

use petgraph::graph::{DiGraph, NodeIndex};

use super::workspace::FnRef;

/// The functions of a workspace and which of them each one's awaits can run.
#[derive(Default)]
pub struct CallGraph {
    /// Dense index -> function, in file order then definition order.
    fns: Vec<FnRef>,
    /// Per function, the functions that await it (deduplicated).
    callers: Vec<Vec<u32>>,
    /// Strongly connected components, each sorted, callees' components first.
    components: Vec<Vec<u32>>,
    /// Per function, its component.
    component_of: Vec<u32>,
}

impl CallGraph {
    /// The graph of `counts[file]` functions per file, with an edge from each function to every
    /// function `callees` gives for it.
    pub fn new(counts: &[usize], callees: impl Fn(FnRef) -> Vec<FnRef>) -> CallGraph {
        let mut offsets = Vec::with_capacity(counts.len());
        let mut fns = Vec::new();
        for (file, &count) in counts.iter().enumerate() {
            offsets.push(fns.len());
            fns.extend((0..count).map(|index| FnRef { file, index }));
        }
        let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(fns.len(), fns.len());
        for _ in &fns {
            graph.add_node(());
        }
        let mut callers: Vec<Vec<u32>> = vec![Vec::new(); fns.len()];
        for (caller, &fn_ref) in fns.iter().enumerate() {
            let mut targets: Vec<usize> = callees(fn_ref)
                .into_iter()
                .map(|callee| offsets[callee.file] + callee.index)
                .collect();
            targets.sort_unstable();
            targets.dedup();
            for callee in targets {
                graph.add_edge(NodeIndex::new(caller), NodeIndex::new(callee), ());
                callers[callee].push(caller as u32);
            }
        }
        // Kosaraju's algorithm is iterative (a chain of 100,000 calls does not overflow the
        // stack) and gives the components in reverse topological order: callees first.
        let mut components: Vec<Vec<u32>> = petgraph::algo::kosaraju_scc(&graph)
            .into_iter()
            .map(|component| {
                let mut nodes: Vec<u32> = component
                    .into_iter()
                    .map(|node| node.index() as u32)
                    .collect();
                nodes.sort_unstable();
                nodes
            })
            .collect();
        components.shrink_to_fit();
        let mut component_of = vec![0; fns.len()];
        for (index, component) in components.iter().enumerate() {
            for &node in component {
                component_of[node as usize] = index as u32;
            }
        }
        CallGraph {
            fns,
            callers,
            components,
            component_of,
        }
    }

    /// Every function, in file order then definition order.
    pub fn fns(&self) -> &[FnRef] {
        &self.fns
    }

    /// Runs `step` on every function until no call changes anything: `step` updates the facts
    /// of one function from the facts of its callees and says whether they changed. Facts must
    /// only grow (so that this ends), and `step` must only read the facts of the function's
    /// callees in this graph.
    ///
    /// The components go callees first; inside a component the functions go in file order, and
    /// a change re-queues the callers of the changed function that are in the same component
    /// (callers in later components run after this one is final anyway). In debug builds a
    /// last sweep over every function checks that `step` reads nothing the graph has no edge
    /// for, and panics if it does.
    pub fn propagate(&self, mut step: impl FnMut(FnRef) -> bool) {
        let mut queued = vec![false; self.fns.len()];
        let mut queue = VecDeque::new();
        for (index, component) in self.components.iter().enumerate() {
            if let [only] = component.as_slice() {
                let node = *only as usize;
                // A function alone in its component, and not calling itself, needs one look.
                if !self.callers[node].contains(only) {
                    step(self.fns[node]);
                    continue;
                }
            }
            queue.extend(component.iter().copied());
            for &node in component {
                queued[node as usize] = true;
            }
            while let Some(node) = queue.pop_front() {
                let node = node as usize;
                queued[node] = false;
                if !step(self.fns[node]) {
                    continue;
                }
                for &caller in &self.callers[node] {
                    let caller_index = caller as usize;
                    if self.component_of[caller_index] as usize == index && !queued[caller_index] {
                        queued[caller_index] = true;
                        queue.push_back(caller);
                    }
                }
            }
        }
        // The check that `step` reads nothing the graph has no edge for: a sweep over every
        // function must change nothing. Debug builds (the test suite) make it, and panic when it
        // finds something; it would double the cost of a release run.
        if cfg!(debug_assertions) {
            let missed = self.fns.iter().filter(|&&fn_ref| step(fn_ref)).count();
            assert_eq!(
                missed, 0,
                "a summary read the facts of a function its call graph has no edge to"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::{HashMap, HashSet};

    use super::*;

    fn f(index: usize) -> FnRef {
        FnRef { file: 0, index }
    }

    /// A graph of `n` functions of one file with these edges (caller, callee).
    fn graph(n: usize, edges: &[(usize, usize)]) -> CallGraph {
        let mut callees: HashMap<usize, Vec<FnRef>> = HashMap::new();
        for &(caller, callee) in edges {
            callees.entry(caller).or_default().push(f(callee));
        }
        CallGraph::new(&[n], |fn_ref| {
            callees.get(&fn_ref.index).cloned().unwrap_or_default()
        })
    }

    #[test]
    fn components_come_callees_first() {
        // 0 -> 1 -> {2 <-> 3} -> 4
        let graph = graph(5, &[(0, 1), (1, 2), (2, 3), (3, 2), (3, 4)]);
        let order: Vec<Vec<u32>> = graph.components.clone();
        assert_eq!(order, vec![vec![4], vec![2, 3], vec![1], vec![0]]);
    }

    #[test]
    fn a_chain_written_callers_first_is_looked_at_once_per_function() {
        let n = 100_000;
        let edges: Vec<(usize, usize)> = (0..n - 1).map(|index| (index, index + 1)).collect();
        let graph = graph(n, &edges);
        // "Unsafe" starts at the last function and flows to its callers.
        let unsafe_fns = RefCell::new(HashSet::from([n - 1]));
        let steps = RefCell::new(0usize);
        graph.propagate(|fn_ref| {
            *steps.borrow_mut() += 1;
            let mut unsafe_fns = unsafe_fns.borrow_mut();
            let found =
                !unsafe_fns.contains(&fn_ref.index) && unsafe_fns.contains(&(fn_ref.index + 1));
            if found {
                unsafe_fns.insert(fn_ref.index);
            }
            found
        });
        assert_eq!(unsafe_fns.borrow().len(), n);
        // One look each, and the checking sweep of debug builds.
        let sweeps = if cfg!(debug_assertions) { 2 } else { 1 };
        assert_eq!(*steps.borrow(), sweeps * n);
    }

    #[test]
    fn a_cycle_is_iterated_until_it_stops_changing() {
        // 0 <-> 1 <-> 2, and 2 -> 3, which is "unsafe".
        let graph = graph(4, &[(0, 1), (1, 0), (1, 2), (2, 1), (2, 3)]);
        let callees = |index: usize| -> Vec<usize> {
            match index {
                0 => vec![1],
                1 => vec![0, 2],
                2 => vec![1, 3],
                _ => vec![],
            }
        };
        let unsafe_fns = RefCell::new(HashSet::from([3]));
        graph.propagate(|fn_ref| {
            let mut unsafe_fns = unsafe_fns.borrow_mut();
            let found = !unsafe_fns.contains(&fn_ref.index)
                && callees(fn_ref.index)
                    .iter()
                    .any(|callee| unsafe_fns.contains(callee));
            if found {
                unsafe_fns.insert(fn_ref.index);
            }
            found
        });
        assert_eq!(unsafe_fns.into_inner(), HashSet::from([0, 1, 2, 3]));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "no edge")]
    fn debug_builds_catch_a_fact_read_without_an_edge() {
        // 0 reads 1 and 2, 1 reads 0, 2 is unsafe; the graph has none of these edges, so
        // whatever the order, someone is looked at before what it reads is final.
        let graph = graph(3, &[]);
        let unsafe_fns = RefCell::new(HashSet::new());
        graph.propagate(|fn_ref| {
            let mut unsafe_fns = unsafe_fns.borrow_mut();
            let found = match fn_ref.index {
                0 => unsafe_fns.contains(&1) || unsafe_fns.contains(&2),
                1 => unsafe_fns.contains(&0),
                _ => true,
            };
            found && unsafe_fns.insert(fn_ref.index)
        });
    }
}
