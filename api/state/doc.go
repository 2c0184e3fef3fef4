// Package state is the handle on the service's own database, state.db: one bbolt file in the
// state directory that holds what the service owns — users and sessions, detection jobs and
// their findings, cases and recusals, and the audit trail — the same way whichever graph store is
// used. It opens the file (refusing a second process, which bbolt's file lock would otherwise make
// wait), creates the buckets, keeps the secrets the service derives keys from, and offers the
// JSON helpers every owner uses.
//
// Each bucket has one owner package, which alone writes it: Users and Sessions belong to
// api/accounts, Jobs and Findings to api/jobs, Cases and Recusals to api/cases, Audit and the
// audit head in Meta to api/audit. The list is in state.go so that the file's layout can be read
// in one place.
//
// What it must not do: know HTTP, roles or any bucket's meaning beyond its name.
package state
