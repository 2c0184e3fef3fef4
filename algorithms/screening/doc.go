// Package screening applies the special-action plans' screening rules (DOMAIN.md): single claim
// ≥ LargeClaimYuan, ≥ HighFrequencyPerYear reimbursements in a calendar year, the TopSpenders
// patients by inpatient and by outpatient cost, overlapping inpatient stays, duplicate claims
// and repeated prescriptions. They are lists for on-site checks, not proof: each adds a small
// weight to the patient. A provider becomes a screening lead only when the number of its
// patients hitting the strong rules is surprising against its peers' rate per claim.
package screening
