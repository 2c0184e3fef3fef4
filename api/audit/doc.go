// Package audit is the append-only, hash-chained audit trail (操作留痕) in state.db: who did what
// to which entities, when and from where. Appends from concurrent requests are group-committed
// (one bbolt transaction, one fsync) and each caller waits until its record is durable; changes
// that must not exist without their trace (case updates, recusals, offline password resets and
// exports) append inside their own transaction with AppendTx. Verify walks the chain and names
// the first broken record.
//
// What it must not do: know HTTP or roles beyond the role name it records, or put personal data
// in a record's Detail (entities are recorded as "type:id" refs, read only by supervisors).
package audit
