// Package evaluate scores findings against labelled truth, and matches the findings of two runs.
// It holds RingTrace's one ring matcher: a reported group matches a planted (or another run's)
// group when their patient members have Jaccard similarity ≥ MatchJaccard (groups without
// patients are compared on all members).
//
// Rings are scored against planted rings and leads against planted leads, so that a lead
// reported as a ring is a miss of the lead and a false ring; recall is reported per planted
// kind and per scenario pattern, with the worst pattern named; precision@K is over the top K
// rings in the findings' own order (expected improper amount); honest look-alikes are counted
// among the top 20 rings; ROC AUC per party type uses the entity scores.
package evaluate
