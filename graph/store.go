package graph

import (
	"context"
	"time"
)

// The store contract. Every store (graph/embedded, graph/neo4j) implements all of these
// interfaces and passes graph/storetest.RunAll. Consumers declare the narrow subset they need.
//
// Common rules:
//   - writes are upserts keyed by id: writing the same value twice changes nothing, writing a
//     new value for an existing id replaces its properties (last write wins) and its relationships
//     derived from those properties (a claim's provider, doctor, terminal; a patient's phone and
//     address; a doctor's institution);
//   - a write batch is atomic: after a crash either all of it or none of it is visible;
//   - relationships to a node that does not exist yet are created when the node arrives, or the
//     caller writes nodes first (ingest does: patients, providers, doctors, then claims);
//   - reads of a missing entity return an *Error with code ENOTFOUND; empty results are empty
//     non-nil slices;
//   - results are returned in a deterministic order documented per method.

// Writer stores parties and claims.
type Writer interface {
	PutPatients(ctx context.Context, ps []Patient) error
	PutInstitutions(ctx context.Context, is []Institution) error
	PutPharmacies(ctx context.Context, ps []Pharmacy) error
	PutDoctors(ctx context.Context, ds []Doctor) error
	PutClaims(ctx context.Context, cs []Claim) error
	PutClaimItems(ctx context.Context, items []ClaimItem) error
}

// Lookup reads single entities.
type Lookup interface {
	// Node returns the node with its properties, or ENOTFOUND.
	Node(ctx context.Context, ref Ref) (Node, error)
	// Patient, Claim … return typed values, or ENOTFOUND.
	Patient(ctx context.Context, id string) (Patient, error)
	Claim(ctx context.Context, id string) (Claim, error)
	// Exists reports which of the given refs exist (used by ingest to check references).
	Exists(ctx context.Context, refs []Ref) ([]bool, error)
}

// Searcher finds parties by id or name prefix.
type Searcher interface {
	// Search returns at most limit parties whose id or name starts with prefix (case-insensitive
	// for Latin letters), restricted to types when non-empty, ordered by type then id.
	Search(ctx context.Context, prefix string, types []EntityType, limit int) ([]Node, error)
}

// NeighbourhoodQuery bounds a neighbourhood expansion.
type NeighbourhoodQuery struct {
	Depth int          // hops from the start node, 1..3
	Limit int          // maximum number of nodes returned, including the start node
	Types []EntityType // when non-empty, only nodes of these kinds are visited (the start node always is)
	From  time.Time    // when non-zero, claim nodes starting before From are skipped
	To    time.Time    // when non-zero, claim nodes starting at or after To are skipped
}

// Traverser answers graph-shaped questions.
type Traverser interface {
	// Neighbourhood returns the start node and the nodes within q.Depth hops (breadth first,
	// relationships followed in both directions), and every edge among the returned nodes.
	// When more than q.Limit nodes qualify, the nearest q.Limit are returned (ties broken by
	// type then id) and Truncated is set. ENOTFOUND when the start node does not exist.
	Neighbourhood(ctx context.Context, start Ref, q NeighbourhoodQuery) (Subgraph, error)
	// ShortestPath returns the nodes and edges of one shortest undirected path between a and b of
	// at most maxDepth hops, or an empty Subgraph when none exists. ENOTFOUND when a or b is missing.
	ShortestPath(ctx context.Context, a, b Ref, maxDepth int) (Subgraph, error)
}

// ClaimQuery selects claims of one party.
type ClaimQuery struct {
	Party  Ref         // patient, doctor (treating doctor), institution or pharmacy (provider)
	From   time.Time   // inclusive; zero means unbounded
	To     time.Time   // exclusive; zero means unbounded
	Types  []ClaimType // when non-empty, only these claim types
	Offset int
	Limit  int // 0 means no limit
}

// ClaimReader lists and streams claims.
type ClaimReader interface {
	// Claims returns the page of the party's claims selected by q, ordered by start time then
	// claim id, and the total number that match q without Offset/Limit.
	Claims(ctx context.Context, q ClaimQuery) ([]Claim, int, error)
	// ClaimItems returns the items of one claim ordered by Seq.
	ClaimItems(ctx context.Context, claimID string) ([]ClaimItem, error)
}

// Scanner streams the whole graph out for the algorithms without materialising it twice.
// Each method calls fn once per record in id order and stops at the first error fn returns.
type Scanner interface {
	ScanPatients(ctx context.Context, fn func(Patient) error) error
	ScanInstitutions(ctx context.Context, fn func(Institution) error) error
	ScanPharmacies(ctx context.Context, fn func(Pharmacy) error) error
	ScanDoctors(ctx context.Context, fn func(Doctor) error) error
	ScanClaims(ctx context.Context, fn func(Claim) error) error
	ScanClaimItems(ctx context.Context, fn func(ClaimItem) error) error
}

// Counter reports the size of the graph.
type Counter interface {
	Counts(ctx context.Context) (Counts, error)
}

// Store is everything a store implements, plus Close. Only cmd/ and graph/storetest should need
// the whole of it.
type Store interface {
	Writer
	Lookup
	Searcher
	Traverser
	ClaimReader
	Scanner
	Counter
	// Ping reports whether the backing database is reachable (EUNAVAILABLE when not).
	Ping(ctx context.Context) error
	Close() error
}
