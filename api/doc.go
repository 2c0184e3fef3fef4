// Package api is RingTrace's investigation service: the echo HTTP handlers, authentication and
// graded authorisation (分级授权), masking of personal data, the append-only hash-chained audit
// trail (操作留痕), detection jobs and their stored findings, cases (案件) with their working-day
// deadlines, and the bounded graph queries the workbench draws.
//
// It is the only package that knows HTTP. It reads the graph through the narrow interfaces
// declared in store.go (any graph.Store satisfies them) and runs detection through the Detector
// function type, so it imports neither a store engine nor the algorithms package; cmd/ringtrace
// wires the real ones in. Business rules (case workflow, deadlines, masking, audit chain) return
// *graph.Error values and never HTTP statuses; errors.go maps codes to statuses in one place.
//
// What it must not do: write personal data (names, ID numbers, phones, addresses, diagnoses) to
// logs; build queries from strings; trust any client input without validation; serve a personal
// field to a role that is not entitled to it. The case deadlines follow the fund-supervision
// rules summarised in docs/DOMAIN (15 working days to verify, 5 to transfer once confirmed, 60 to
// close, one 30-day extension with approval).
package api
