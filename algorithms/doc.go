// Package algorithms is RingTrace's detection engine. It streams a claims graph out of a
// graph.Scanner once into a read-only columnar dataset (algorithms/dataset) and runs one
// sub-package per detector family, each with its own narrow options and a stated null model,
// then merges their candidates into the findings contract (graph.Findings: rings and leads
// apart, ranked by expected improper amount = score × amount):
//
//   - covisit: collusion rings — groups of patients who keep coming to one institution together,
//     found as dense blocks of the patient × day matrix (bipartite Louvain on patient–day
//     graphs at provider-day, staggered-block and, where a day is crowded, doctor- and
//     department-day level) and tested as a group against independent scheduling (CrossSpot /
//     M-Zoom family), so that split sessions and rotating attendance stay visible; honest
//     look-alikes are discounted only by the care that explains them, never by regularity;
//   - cards: single-card leads (diagnoses impossible or, repeatedly, unlikely for the owner,
//     claims elsewhere during a stay, impossible travel, claims after death) and holder groups —
//     cards used one after another at the same counter, or cards of one phone used on the same
//     outings at several providers, assembled into one group;
//   - pharmacy: collection groups at a pharmacy's terminals (recurring bursts of the same cards)
//     and goods sold on the card under drug codes (items at several times their code's price);
//   - stays: ghost hospitalisation (admissions on paper, in batches) and induced admissions
//     (referral batches, patients bused in and admitted together);
//   - screening: the special-action plans' rules as weak per-patient evidence, a provider lead
//     only when its count is surprising against its peers' rate, and leads for one claim far
//     above its diagnosis peers and for drugs collected at several providers month after month;
//   - providers: the provider features, the unsupervised risk index and the re-ranker trained
//     on labelled providers (`detect --labels`), with its cross-validated AUC;
//   - billing and fundwatch: billing-line audit against the catalogue, and fund early warning;
//   - evaluate: scoring findings against truth or labels (docs/eval.md).
//
// This package wires them (Detect, DetectLabelled), credits parties with the findings they are
// in (a single-card lead reaches its provider only by concentration: creditLeadProviders), and
// spreads risk to neighbours by personalised PageRank (Page et al. 1999; Haveliwala 2002).
//
// It knows nothing of HTTP, CSV files or storage engines, never reads truth, and never logs
// personal data (names, ID numbers, phones, addresses, diagnoses); logs carry counts and timings
// only. Results are deterministic for a fixed Params.Seed. Methods: docs/detection.md.
package algorithms
