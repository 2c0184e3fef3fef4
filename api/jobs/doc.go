// Package jobs runs ring-detection jobs one at a time in the background and keeps each job's
// record and findings in state.db: complete normalised parameters and an input snapshot so that a
// run can be reproduced, progress and cancellation, the latest succeeded job's findings indexed in
// memory for entity lookups, and the comparison of two runs.
//
// It runs detection through the Detection it is given (cmd/ringtrace adapts algorithms.Detect and
// algorithms.DecodeParams to it), so it holds no detection method of its own; a new detector is
// added in algorithms/, not here.
//
// What it must not do: know HTTP or roles, or write the graph.
package jobs
