// Package providers ranks institutions and pharmacies.
//
// Features come from the claims alone, so that they exist in the thinnest export: volume (fund
// money, claims, patients, doctors) and rates (claims per patient, inpatient share, mean stay
// length, amounts against diagnosis peers, share of patients shared with other providers,
// claims per doctor, diagnosis spread, overlapping stays, claims after death), plus what the
// detectors found (the share of the provider's money paid on flagged parties).
//
// The unsupervised index is a fixed combination of robust z-scores (median and MAD over all
// providers of the same kind): exposure (log fund money) plus a quarter of each care-intensity
// rate that fraud inflates (stay length, claims per patient, amounts against peers). Volume is
// part of it on purpose: the expected improper amount of a provider grows with the money it
// handles; the rates say where a provider's money looks less explained by care than its peers'.
//
// With labelled providers (an investigator's closed cases, or a file of verdicts) a re-ranker
// is trained: L2-regularised logistic regression on the standardised features, fitted with
// gonum's L-BFGS (optimize.Minimize), its quality reported as the k-fold cross-validated ROC
// AUC on the labelled providers.
package providers
