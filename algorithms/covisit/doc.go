// Package covisit finds collusion rings (串通参保人员): groups of patients who keep coming to the
// same institution together, more often than the institution's daily volume and their own visit
// frequencies can explain, with no care that explains it.
//
// Method, per institution:
//
//  1. Candidates. The visits (distinct patient-days) of patients who came at least twice form a
//     bipartite graph between patients and time nodes: the provider-day, two staggered blocks of
//     a few days (a group told to come "this week" arrives over several days), and, where a day
//     is too crowded to say anything (a tertiary hospital's morning), the doctor-day and
//     department-day instead. Louvain modularity (Blondel et al. 2008,
//     doi:10.1088/1742-5468/2008/10/P10008) on this graph co-clusters patients with the days
//     they share — bipartite modularity in the sense of Barber (2007,
//     doi:10.1103/PhysRevE.76.066102) — so a ring whose sessions are split between doctors,
//     or whose members rotate (each session brings a different few), is one block of the
//     patient × day matrix, as in dense-block detection (M-Zoom, Shin et al. 2016,
//     doi:10.1007/978-3-319-46128-1_17; D-Cube, Shin et al. WSDM 2017).
//  2. A group-level test. For a candidate group S, the number of days (or blocks) on which at
//     least m members came is compared with what independent scheduling gives: member s visits
//     on day t with probability k_s·n_t/N (k_s its visit days at the institution, n_t the
//     day's patients, N their sum), so the members present on day t are about Poisson(μ_t),
//     μ_t = K·n_t/N with K = Σ k_s, and the number of days with at least m present is Poisson
//     with mean Σ_t P(X ≥ m | μ_t). The group's surprise is the largest −log10 tail over m and
//     over the day/block granularities, less the log of the number of tests. This is the
//     suspiciousness of the block S × T against the product null of CrossSpot (Jiang et al.
//     2015, doi:10.1109/ICDM.2015.139). It does not depend on any pair meeting often: a ring of
//     28 with 4–10 at each session is as visible as a fixed group.
//  3. Refinement by peeling and growing (the local search of M-Zoom): members who attend fewer
//     than two sessions leave; patients of the institution who attend at least two sessions and
//     make most of their visits there join. Groups at one institution whose session days
//     coincide are one operation and are merged. An established group is then completed:
//     the patients who came to its sessions are tested one by one and admitted at a false
//     discovery rate (Benjamini and Hochberg 1995), which finds the members of a rotating
//     ring who came to only two or three sessions, and members who do not attend are pruned.
//  4. Explanation by care, not by calendar. Coordinated attendance has honest causes, and each
//     is discounted only by evidence that explains it: a scheduled therapy (dialysis,
//     rehabilitation, oncology sessions, from diagnoses and billing lines), chronic care
//     (members' own long-term diagnoses, billed at ordinary amounts, each member coming back
//     at a steady interval as prescriptions run out), a shared household or
//     care home (phones and addresses), examinations of people without complaint (check-ups),
//     a single episode (an outbreak or an accident is not a recurring group), courses of daily
//     sessions. Regularity itself is never a discount: a ring that keeps a fixed interval is as
//     suspicious as one that does not (a steady interval is only what a follow-up schedule
//     needs beside the diagnoses; members called to random sessions void it).
//  5. Support. Amount inflation against diagnosis peers, non-covered goods billed as care,
//     private ownership, synchronised admissions and the share of the members' money that goes
//     to the institution raise the score; partner hospitals that take the members' admissions
//     in waves join the ring.
//
// The package reads a dataset.Claims only and returns candidates for the findings; it never
// reads truth and never logs personal data.
package covisit
