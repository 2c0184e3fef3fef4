// Package referral builds and verifies the evidence package that goes with a case transferred to
// the public security bureau (移送公安机关): one ZIP holding a Chinese PDF report (A4, embedded CJK
// font), the same data machine-readable (CSV of parties and claims, the subgraph as GraphML, JSON),
// and a manifest with every file's SHA-256 signed with the server's Ed25519 or SM2 (国密, with SM3) key.
//
// The package must stand on its own for police and in court (DOMAIN.md, case handling): who, what,
// when, how much, how it was found, and proof that nothing changed after export. Its input type,
// Case, has no field for a whistle-blower: reporter identity cannot reach a package by construction
// (DOMAIN.md, whistle-blowing: the reporter's identity must never be disclosed).
//
// This package knows nothing of HTTP, roles or storage; api handlers and cmd/ringtrace assemble a
// Case and decide who may export.
package referral
