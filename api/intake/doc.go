// Package intake receives whistle-blower reports (举报), keeps the reporter's identity apart from
// everything else, gives the reporter a receipt code to follow the report without seeing the case,
// and computes rewards by the published rule (DOMAIN.md, whistle-blowing and rewards; Yunnan rule,
// art. 18).
//
// Confidentiality is structural: a Report holds no identity; the identity lives in a separate
// bucket, sealed with AES-256-GCM under a key the server is configured with, and only Store.Identity
// returns it — the API lets only the intake role call that. Nothing here logs report contents.
// This package knows nothing of HTTP or roles.
package intake
