// Package throttle limits attempts per client address with token buckets: failed logins, public
// whistle-blower submissions and failed receipt-code look-ups. An empty bucket refuses every
// attempt from that address until a token returns — that is what stops password and receipt-code
// guessing without costing the server anything.
//
// What it must not do: know HTTP (the caller passes the address it trusts) or log addresses.
package throttle
