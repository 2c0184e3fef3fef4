// Package csr holds a compact, immutable, undirected weighted graph in compressed sparse row
// (CSR) form, a builder that turns an edge list into one, and a planted-partition generator for
// benchmark and test graphs.
//
// Nodes are the integers 0..n-1; the caller keeps the mapping to domain ids (patients, doctors,
// providers). Every undirected edge {u,v} with u≠v appears in both rows, a self-loop once in its
// own row. Parallel edges are merged by summing their weights, which is what modularity-based
// community detection (Newman 2006, doi:10.1073/pnas.0601602103) and the aggregation step of
// Louvain (Blondel et al. 2008, doi:10.1088/1742-5468/2008/10/P10008) need.
//
// The CSR layout (one offset array, one neighbour array, one weight array) is chosen over
// gonum's map-backed graphs because the algorithm packages (algorithms/community,
// algorithms/centrality) walk every adjacency list many times; flat arrays make those walks
// cache-friendly and allocation-free.
//
// This package knows nothing of claims, stores or HTTP and must not import them; it does no
// I/O and does not log.
package csr
