// Package finding is the vocabulary the detector families share: a Candidate (a ring or lead in
// the making, holding the dataset indexes of its parties next to the public graph.Ring), the
// bilingual Reason builder, per-party Evidence, stable ids, and the statistics every detector
// states its null model with (Poisson tails).
//
// It imports graph only; detectors import it, never each other.
package finding
