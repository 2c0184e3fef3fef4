// Package neo4j implements the graph.Store contract on a Neo4j 5 server through the official
// Go driver (github.com/neo4j/neo4j-go-driver/v5), so that investigators can also open the
// claims graph in Neo4j's own tools.
//
// What it holds:
//   - Open, which connects one driver for the process, creates a uniqueness constraint on id
//     for every node label (graph.EntityType.Label) and the indexes reads need, then waits for
//     them with CALL db.awaitIndexes();
//   - batched writes: nodes with UNWIND $rows … MERGE … SET n = r.props, relationships with
//     UNWIND … MATCH … MERGE, derived Phone/Address/Terminal nodes whose stale relationships an
//     upsert removes (and the node with them when it is left orphaned); batches whose ids are
//     all new use a CREATE form planned without Eager (unit subqueries attach relationships);
//   - reads: lookups, prefix search, a breadth-first neighbourhood with a node limit, shortest
//     path, claims of a party in a time range, and keyset-paginated scans for the algorithms;
//   - the mapping of driver connectivity failures to graph.EUNAVAILABLE, so the API can answer
//     503 while Neo4j is away; the driver reconnects on its own when the server returns.
//
// What it must not do: build Cypher from data. Every value travels as a $parameter; the only
// text spliced into statements is a label or relationship type taken from the closed sets in
// graph/model.go and the integer hop bound of a variable-length pattern, which Cypher cannot take
// as a parameter. It must not log personal data (names, ID numbers, phones, addresses,
// diagnoses): logs carry counts, durations and error codes only. It imports graph and the
// driver, and nothing else of RingTrace.
//
// The server for tests is started by .ci/neo4j/start.sh; see docs/neo4j.md.
package neo4j
