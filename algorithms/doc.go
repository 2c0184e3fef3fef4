// Package algorithms is RingTrace's detection engine: it streams a claims graph out of a
// graph.Scanner into compact columnar arrays and runs the detectors that flag fraud in public
// medical insurance (医保) claims, each with explainable reasons in Chinese and English:
//
//   - the co-visit projection: patients linked when they are seen by the same provider and
//     doctor in the same short window on several distinct days, weighted by how surprising the
//     co-occurrence is against each provider's volume (observed vs expected co-visits, Poisson
//     tail) and by inverse bucket size (resource allocation, Zhou, Lü & Zhang 2009,
//     doi:10.1140/epjb/e2009-00335-8), never materialising the pairs of crowded buckets; and
//     a spread pass that links patients arriving within a few days of each other at small
//     units (sessions against a multi-day Poisson null, pairs kept when significant or when
//     they close a triangle), clustered and scored on its own;
//   - community detection on that projection (Louvain modularity, Blondel et al. 2008,
//     doi:10.1088/1742-5468/2008/10/P10008) to propose collusion rings, scored from explainable
//     features (co-visit days, spending concentration, private ownership, amount inflation
//     against diagnosis peers, synchronised admissions, shared addresses);
//   - card lending and impersonation (冒名就医/借卡): sex/age-incompatible diagnoses, claims
//     while the owner is an inpatient elsewhere, impossible travel between regions, claims after
//     death, clusters of cards tied by phone/address used together;
//   - pharmacy card collection (聚敛盗刷): one terminal swiping many cards in bursts;
//   - the screening rules of the special-action plans (single claim ≥ 10,000 yuan, ≥ 4
//     reimbursements a year, top spenders, overlapping stays, duplicate claims, repeated
//     prescriptions), all thresholds configurable in Params; a provider becomes a screening
//     ring only when its patient count is surprising against its peers' rate per claim;
//   - entity risk for every patient, doctor, institution and pharmacy, combining the above with
//     peer-relative provider anomaly and personalised PageRank (Page et al. 1999; Haveliwala
//     2002) spreading risk from flagged parties to their neighbours;
//   - Evaluate, which scores findings against labelled truth (ring precision/recall with
//     Jaccard ≥ 0.5 matching, precision@K, ROC AUC per entity type).
//
// The package knows nothing of HTTP, CSV files or storage engines: it reads only through
// graph.Scanner and returns graph.Findings. It never reads truth (graph.Truth is used by
// Evaluate only) and never logs personal data (names, ID numbers, phones, addresses,
// diagnoses); logs carry counts and timings only. Results are deterministic for a fixed
// Params.Seed.
package algorithms
