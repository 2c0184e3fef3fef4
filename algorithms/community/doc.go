// Package community finds communities — candidate collusion rings — in a compact undirected
// weighted graph (algorithms/csr) by maximising modularity.
//
// Louvain is the method of Blondel, Guillaume, Lambiotte and Lefebvre, "Fast unfolding of
// communities in large networks", J. Stat. Mech. (2008) P10008, doi:10.1088/1742-5468/2008/10/P10008:
// repeated local moving of single nodes to the neighbouring community with the largest modularity
// gain, then aggregation of each community into one node, until nothing moves. Modularity with a
// resolution parameter γ is that of Reichardt and Bornholdt, doi:10.1103/PhysRevE.74.016110, the
// same definition gonum's community.Q uses, so results can be compared with
// gonum.org/v1/gonum/graph/community (the tests do exactly that).
//
// Louvain may return communities that are internally disconnected (Traag, Waltman and van Eck,
// "From Louvain to Leiden: guaranteeing well-connected communities", Sci. Rep. 9, 5233 (2019),
// doi:10.1038/s41598-019-41695-z). Louvain here splits every community into its connected
// components after the last level; that never lowers modularity and guarantees connected
// communities, but not Leiden's stronger γ-connectivity of sub-communities. Leiden implements
// that paper: the same fast local moving, then a randomised refinement of each community into
// well-connected sub-communities by which the graph is aggregated. It costs about twice the CPU
// time of Louvain for the same modularity on the benchmark graph (docs/bench/community.md).
//
// Both use queue-based "fast local moving" (Traag et al. 2019; Ozaki, Tezuka and Inaba 2016):
// after a first pass over all nodes only neighbours of moved nodes are revisited.
//
// Results are deterministic for a given Options.Seed: the node order of local moving (and of
// the refinement, and its random choices) comes from a PCG stream of that seed, and ties keep a
// node where it is. The package does no I/O, does not log and
// knows nothing of claims, stores or HTTP; mapping nodes to patients, doctors and providers is
// the caller's business (algorithms' projection code).
package community
