// Package scenarios is an independent generator of claims exports with planted fraud and honest
// look-alikes, written from the fraud patterns the regulations name (docs/scenarios.md) and the
// CSV input contract (docs/input.md) only. It exists to evaluate detection on data that the
// detectors were not tuned against: it shares no code and no proportions with ingest/synth.
//
// It holds: an honest world (pooling regions, hospitals, clinics, pharmacies, doctors, households
// sharing addresses and phones, chronic patients with follow-ups and refills, acute illness,
// stays, deaths), a table of named patterns each drawing its parameters per instance from wide
// ranges, and a writer for the contract's CSV files plus truth.json (graph.Truth, generator
// "rtscenarios 1", every planted group named by its pattern).
//
// It must not: import the detection packages or tune anything to their output, or be
// non-deterministic — one random stream per stage (world, background, each pattern, items) is
// derived from the seed, so adding a pattern does not shift the others and the same seed and
// config give byte-identical files. Patterns added after results were measured on fixed seeds
// (split admissions and their look-alikes, readmissions.go; billing-line violations and their
// look-alikes, billing.go) run as later stages that only add claims and truth entries, so a
// seed's earlier rows and truth stay exactly as they were. The bureau's rule tables for the
// generator's own catalogue (rules.go) are written beside the export.
package scenarios
