// Package graph is RingTrace's domain: the parties of public medical insurance (insured patients,
// doctors, designated institutions and pharmacies), their claims, the relationships a claims graph
// is built from, the findings that detection produces (rings, entity risks, reasons), the error
// codes users see, and the small reader/writer interfaces every store implements.
//
// This package imports no store, no HTTP and no algorithm. Leaf packages depend on it:
// graph/embedded and graph/neo4j implement the store contract, graph/storetest checks it,
// ingest writes into it, algorithms read from it, api serves it.
package graph
