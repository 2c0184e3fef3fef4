package api

import (
	"context"
	"encoding/json"

	"github.com/ringtrace/ringtrace/graph"
)

// GraphStore is what the service reads from the claims graph. Both graph/embedded and
// graph/neo4j satisfy it; the service never writes the graph.
type GraphStore interface {
	Node(ctx context.Context, ref graph.Ref) (graph.Node, error)
	Search(ctx context.Context, prefix string, types []graph.EntityType, limit int) ([]graph.Node, error)
	Neighbourhood(ctx context.Context, start graph.Ref, q graph.NeighbourhoodQuery) (graph.Subgraph, error)
	ShortestPath(ctx context.Context, a, b graph.Ref, maxDepth int) (graph.Subgraph, error)
	Claims(ctx context.Context, q graph.ClaimQuery) ([]graph.Claim, int, error)
	Counts(ctx context.Context) (graph.Counts, error)
	Ping(ctx context.Context) error
	graph.Scanner
}

// Detector runs ring detection over src with JSON parameters (already normalised by
// Detection.Normalize) and reports progress as a phase name and a percentage (0–100). It must
// honour ctx cancellation. cmd/ringtrace adapts algorithms.Detect to it.
type Detector func(ctx context.Context, src graph.Scanner, params json.RawMessage, progress func(phase string, pct float64)) (graph.Findings, error)

// Detection is the detection engine as the service sees it.
type Detection struct {
	// Detect runs a job.
	Detect Detector
	// Defaults returns the default parameters (GET /api/config/params).
	Defaults func() json.RawMessage
	// Normalize merges user parameters over the defaults and validates them; errors are
	// *graph.Error EINVALID naming the field. It returns the complete parameter set stored with
	// the job, so that a run can be reproduced.
	Normalize func(user json.RawMessage) (json.RawMessage, error)
}
