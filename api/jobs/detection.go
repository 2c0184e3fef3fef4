package jobs

import (
	"context"
	"encoding/json"

	"github.com/ringtrace/ringtrace/graph"
)

// Source is the graph a job reads: it is scanned by the detector and counted for the job's
// snapshot. Both graph stores satisfy it.
type Source interface {
	graph.Scanner
	Counts(ctx context.Context) (graph.Counts, error)
}

// Detector runs ring detection over src with JSON parameters (already normalised by
// Detection.Normalize) and reports progress as a phase name and a percentage (0–100). It must
// honour ctx cancellation.
type Detector func(ctx context.Context, src graph.Scanner, params json.RawMessage, progress func(phase string, pct float64)) (graph.Findings, error)

// Detection is the detection engine as the service sees it.
type Detection struct {
	// Detect runs a job.
	Detect Detector
	// Defaults returns the default parameters (GET /api/config/params).
	Defaults func() json.RawMessage
	// Normalize merges user parameters over the defaults and validates them; errors are
	// *graph.Error EINVALID naming the field ("params.<key>"). It returns the complete parameter
	// set stored with the job, so that a run can be reproduced.
	Normalize func(user json.RawMessage) (json.RawMessage, error)
}

// Annotator amends a new run's findings before they are stored (the blacklist marks listed
// parties, api/blacklist).
type Annotator func(ctx context.Context, f *graph.Findings) error
