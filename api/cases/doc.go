// Package cases holds the cases (案件) and recusals (回避) of the service in state.db: the
// workflow 线索 lead → 核查 verification → 立案 opened → 移送 transferred → 结案 closed with who may
// make each move, optimistic versions, the case-level access rule (who sees which case, whose
// parties in full), and the working-day deadlines the fund-supervision rules set (DOMAIN.md, case
// handling: 15 working days to verify, 5 to transfer once confirmed, 60 to close, one 30-day
// extension with approval) on a holiday calendar (calendar.go).
//
// Every change commits together with its audit record in one transaction: a change cannot exist
// without its trace. A new case state is added here: the status constant and label, its line in
// transitions, and the deadlines it keeps active.
//
// What it must not do: know HTTP, read the graph (the caller checks that refs exist), or reveal
// that a case the actor may not see exists.
package cases
