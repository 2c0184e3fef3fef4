// Package stays finds ghost hospitalisation (挂床住院, 虚假住院): admissions on paper.
//
// Each inpatient stay is checked for signs that nobody was cared for: the patient settled
// outpatient visits or pharmacy purchases at other providers while supposedly in bed (relatives'
// errands for the patient's own usual drugs excepted), another stay elsewhere overlapping it,
// billing lines that show no care beyond bed, nursing and consultation fees, or an item list
// copied verbatim onto other patients' stays. Stays with such signs at one institution that were
// admitted in batches (within two days of each other) form a ghost-hospitalisation ring,
// scored against the rate of such stays at every other institution (a Poisson null, so that a
// large hospital with a few honest oddities is not a ring); a single stay is a lead.
//
// Most recruits of a paper operation leave no trace elsewhere, so a batch with ghost evidence
// takes in the stays admitted beside it that have none: those its doctors admitted in a surge
// (their admissions in the batch's days against Poisson(their admissions over the export × the
// days' share), an outbreak's surge alone being no finding), and those of patients admitted by
// its doctors beside two or more of its batches. Several operations at one institution whose
// batches fall in the same weeks are told apart by repetition: recruits of one group are
// admitted together in two batches or more, recruits of two groups meet once.
//
// Induced admissions (诱导住院) show as referral batches: patients seen at one clinic and admitted
// together at one hospital the same or the next day, batch after batch.
package stays
