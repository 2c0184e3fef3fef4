// Package casework opens the service's own databases in the state directory — state.db, and the
// whistle-blower intake and blacklist files beside it — and builds every core service over them:
// accounts, cases, jobs, the audit trail, masking, intake and the blacklist. cmd/ringtrace opens
// it and hands it to the HTTP server (api.New); tests do the same.
//
// It is the one place that knows how the cores depend on each other: the blacklist asks the cases
// whether a party was confirmed in a closed case, and new detection runs are annotated with the
// blacklist.
//
// What it must not do: know HTTP, or hold business rules of its own.
package casework
