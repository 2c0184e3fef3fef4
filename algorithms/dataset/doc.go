// Package dataset holds the claims graph as detection reads it: compact columns streamed once
// out of a graph.Scanner (ids interned to int32, times as local seconds, money in fen), the
// patient → claims index, a per-claim summary of the billing lines (what care was delivered),
// diagnosis peers for amount comparison, and the domain tables the detectors share (which
// diagnoses fit whose sex and age, which diagnoses and items are scheduled therapies, chronic
// care, check-ups or injuries).
//
// The package knows nothing of detectors, HTTP or storage engines. A loaded Claims value is
// read-only: every detector may read it concurrently.
package dataset
