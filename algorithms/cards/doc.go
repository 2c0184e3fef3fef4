// Package cards finds cards used by someone other than their owner (冒名就医, 借卡, 转借社保卡):
//
//   - leads on one card: diagnoses that cannot be the owner's (sex or age, ICD-10 rules in
//     algorithms/dataset), outpatient or pharmacy claims elsewhere while the owner is an
//     inpatient, claims in distant regions closer in time than travel allows, and claims after
//     the owner's death (死亡人员冒用);
//   - holder groups: several cards repeatedly used one after another, minutes apart, at the
//     same counter — one person carrying other people's cards — assembled across providers.
//     Two cards are linked when such co-use happens on more distinct days, and at more
//     providers, than the cards' own visit frequencies at those providers make likely (a
//     Poisson null over the opening minutes of a day). Cards registered with one phone across
//     several addresses are also tested as a set for use on the same outings — claims within
//     two hours at any providers, the holder paying with each card where it is not known
//     (outings.go). Cards with no contact in common are tested pair by pair for use on the same
//     outings at *different* providers (candidates: pairs seen at one provider the same day),
//     against the cards' visits on each day of the week (schedules are not coordination), and
//     such a pair is linked only when it closes a triangle with two other such pairs, the three
//     tested together — the group-level evidence that separates a holder from chance; cards
//     that never met at one provider are reached in two steps through a strong pair, corrected
//     for the partners searched; two chronic follow-ups are never an outing
//     (crossoutings.go). Linked cards
//     form groups (an oversized component, cards chained at busy counters, keeps only its
//     outing links), which are scored on the co-use, the diagnoses, the amounts and the
//     contacts they share, and discounted when they read as one household going to its usual
//     clinic (shared address, diagnoses that fit each owner, one or two providers, together
//     rather than at different providers), as people who caught the same infection together,
//     as one clinic's chronic follow-up day (one chronic diagnosis, one provider), or as one
//     course of treatment (both cards at that provider day after day).
//
// A single card is a lead; a group of two or more cards is a ring.
package cards
