// Package api is RingTrace's investigation service as HTTP: the echo handlers, the one route
// table (routes.go: every route with who may call it and its body limit) and the one mapping of
// error codes to HTTP statuses (errors.go).
//
// What the service owns lives in the HTTP-free packages beside it, which this package calls:
// api/accounts (users, sessions, roles), api/cases (cases, recusals, working-day deadlines),
// api/audit (the hash-chained audit trail), api/jobs (detection jobs and stored findings),
// api/masking (pseudonyms and masked values), api/intake, api/blacklist and api/export (police
// referral packages); api/casework opens them over the state directory. Handlers validate input,
// call the core, record the access in the audit trail and shape the response for the caller's
// role.
//
// What it must not do: open a database, hold a business rule that the core packages could hold,
// write personal data (names, ID numbers, phones, addresses, diagnoses) to logs, build queries
// from strings, trust any client input without validation, or serve a personal field to a role
// that is not entitled to it.
package api
