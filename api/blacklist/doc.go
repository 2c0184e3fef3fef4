// Package blacklist keeps the list (黑名单) of institutions, pharmacies, doctors and patients
// confirmed in closed cases, each with a reason and a period, and marks listed parties in findings
// so that a new detection run shows that a flagged party is a repeat offender (DOMAIN.md: repeat
// offenders go on a blacklist).
//
// Whether an entity was confirmed in a closed case is the case store's knowledge: the caller passes
// a CaseCheck. This package knows nothing of HTTP or roles.
package blacklist
