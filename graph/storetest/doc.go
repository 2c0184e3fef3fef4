// Package storetest holds the one conformance suite that every graph.Store implementation must
// pass: RunAll(t, newStore). The same hand-built fixture goes into every store and the same
// answers, written out in the tests, must come back.
//
// It must not import any store implementation (graph/embedded, graph/neo4j): each store's own
// test calls RunAll with a constructor, so the suite stays the single statement of the contract.
//
// # Decisions where graph/store.go is ambiguous
//
// The doc comments in graph/store.go are the contract. Where they leave a choice open, the suite
// decides as follows, and every store must behave this way:
//
//   - Type order. "Ordered by type" means the byte order of the EntityType string ("address" <
//     "claim" < "doctor" < "institution" < "patient" < "pharmacy" < "phone" < "terminal"), which
//     is also the order of the Neo4j labels, so ORDER BY works in Cypher. Ids compare byte-wise.
//   - Node.Label is the name when the entity has one, else the id. Node.Props hold the entity's
//     properties as strings under their JSON field names, with empty or zero values left out
//     except money, which is always present:
//     dates (birth_date, death_date) as "2006-01-02"; claim times (start_time, end_time) as
//     RFC 3339 in UTC; money (total_amount, fund_amount) as graph.Money.String() yuan, e.g.
//     "120.50"; provider_type and claim_type as their string values. Phone, address and terminal
//     nodes have no props (a nil or empty map). Typed reads return UTC times; tests compare
//     times with time.Time.Equal.
//   - Derived nodes. A phone node exists while at least one patient has that phone, an address
//     node while at least one patient lives at it, a terminal node ("provider_id/terminal_id")
//     while at least one claim was made on it. Stores take the phone and address text as given
//     (ingest normalises it). When the last relationship to a derived node is removed by an
//     upsert, the node is removed too, so counts never include orphans.
//   - Relationships: FILED for every claim; AT to the claim's provider; TREATED_BY only when
//     DoctorID is set; ON_TERMINAL only when TerminalID is set; WORKS_AT only when a doctor's
//     InstitutionID is set; HAS_PHONE / LIVES_AT only when Phone / Address is set. The suite
//     always writes endpoints before the claims and doctors that refer to them; what a store
//     does with a dangling reference is not part of the contract.
//   - Validation. A record with an empty id, a claim without patient or provider, or a claim
//     whose ProviderType is not institution or pharmacy makes the whole batch fail with EINVALID
//     (Field names the JSON field) and nothing of the batch is written.
//   - Counts list every EntityType and every RelType, with 0 for the absent ones.
//   - Node with an unknown EntityType is EINVALID (field "type"); Exists answers false for it.
//     Exists keeps the order of its input; an empty input gives an empty non-nil slice.
//   - Search returns parties only (patient, doctor, institution, pharmacy). An empty prefix
//     matches every party. limit < 1 is EINVALID (field "limit"). Latin letters compare
//     case-insensitively in both id and name; other text (Chinese) compares exactly.
//   - Neighbourhood: Depth outside 1..3 is EINVALID (field "depth"), Limit < 1 is EINVALID
//     (field "limit"). Nodes not passing the Types or time filter are neither returned nor
//     traversed through. Nodes are ordered start first, then by hop distance, then type, then
//     id. Edges are ordered by From (type, id), then Type, then To (type, id), and each
//     relationship appears once with its stored direction. Truncated is true exactly when a
//     qualifying node within Depth was left out.
//   - ShortestPath: maxDepth < 1 is EINVALID (field "max_depth"). Nodes are ordered along the
//     path from a to b and edges likewise, each edge with its stored direction. a == b gives
//     the single node and no edges. When several shortest paths exist any one may be returned
//     (the fixture's expected paths are unique). No path gives empty non-nil Nodes and Edges.
//   - Claims: Party must be a patient, doctor, institution or pharmacy (else EINVALID, field
//     "party.type"); a missing party is ENOTFOUND; Offset or Limit below 0 is EINVALID.
//   - ClaimItems of a missing claim is ENOTFOUND; of a claim without items, an empty slice.
//   - Scan* call fn in byte order of id (claim items: claim id, then Seq) and return an error
//     for which errors.Is(err, errFromFn) holds when fn fails.
//   - Re-putting the same records changes no count; re-putting with changed properties moves
//     the derived relationships and index entries (search names, claim time ranges).
package storetest
