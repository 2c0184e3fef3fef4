// Package embedded is the default RingTrace graph store: a pure-Go, serverless store kept in one
// data directory on top of the Pebble LSM key-value engine (github.com/cockroachdb/pebble), the
// storage engine of CockroachDB. Open(dir) returns a *Store that implements every interface of
// graph.Store and passes graph/storetest.RunAll.
//
// Why Pebble rather than a B-tree (bbolt) or SQLite: an ingest writes ~10 million claims with
// several index entries each; an LSM turns those into sequential memtable inserts and sorted
// flushes, where a B-tree pays random page writes once the tree outgrows the page cache. The
// queries the API serves are all prefix scans over sorted keys (a node's neighbours in type/id
// order, a provider's claims in time order), which an LSM iterator answers directly. A batch is
// atomic and, committed with Sync, durable across a crash.
//
// Options{BulkLoad: true}, which `ringtrace ingest` uses, commits batches without fsync and
// tunes the LSM for random-order bulk inserts; a crash then loses whole trailing batches only,
// never part of one, so a load run again ends in the same graph (see SetBulk).
//
// The key layout (keys.go) and the graph schema it implements are documented in
// docs/graph-schema.md; trade-offs and measurements in docs/decisions/embedded.md and
// docs/bench/embedded.md.
//
// This package must not import any other store, the algorithms, ingest or HTTP code (only its
// external test TestIngestDir drives the real ingest pipeline, to measure loads), and it
// must not log personal data (names, ID numbers, phones, addresses, diagnoses): ids and names
// only ever appear in returned values, never in log lines or error messages.
package embedded
