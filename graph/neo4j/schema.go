package neo4j

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ringtrace/ringtrace/graph"
)

// itemLabel is the label of claim lines. They are nodes without relationships: they are read
// only through their claim id, and leaving them unlinked keeps them out of neighbourhoods, paths
// and the per-label counts, which list graph.EntityTypes only.
const itemLabel = "ClaimItem"

// schemaStatements returns the constraints and indexes, in creation order. Every label gets a
// uniqueness constraint on id first: MERGE relies on its backing index to find a node in
// O(log n), and the constraint is what makes a concurrent double insert impossible.
func schemaStatements() []string {
	var out []string
	for _, t := range graph.EntityTypes {
		l := t.Label()
		out = append(out, fmt.Sprintf("CREATE CONSTRAINT %s_id IF NOT EXISTS FOR (n:%s) REQUIRE n.id IS UNIQUE", snake(l), l))
	}
	out = append(out,
		"CREATE CONSTRAINT claim_item_key IF NOT EXISTS FOR (n:"+itemLabel+") REQUIRE n.key IS UNIQUE",
		"CREATE INDEX claim_item_claim IF NOT EXISTS FOR (n:"+itemLabel+") ON (n.claim_id)",
		// Claims of a party in a time range: equality on the party id, range on start.
		"CREATE INDEX claim_patient_start IF NOT EXISTS FOR (n:Claim) ON (n.patient_id, n.start_time)",
		"CREATE INDEX claim_provider_start IF NOT EXISTS FOR (n:Claim) ON (n.provider_id, n.start_time)",
		"CREATE INDEX claim_doctor_start IF NOT EXISTS FOR (n:Claim) ON (n.doctor_id, n.start_time)",
	)
	// Prefix search on lower-cased id and name (range indexes serve STARTS WITH).
	for _, t := range partyTypes {
		l := t.Label()
		out = append(out,
			fmt.Sprintf("CREATE INDEX %s_id_fold IF NOT EXISTS FOR (n:%s) ON (n.id_fold)", snake(l), l),
			fmt.Sprintf("CREATE INDEX %s_name_fold IF NOT EXISTS FOR (n:%s) ON (n.name_fold)", snake(l), l),
		)
	}
	return out
}

// partyTypes are the node kinds Search returns, in type order.
var partyTypes = []graph.EntityType{graph.TypeDoctor, graph.TypeInstitution, graph.TypePatient, graph.TypePharmacy}

func snake(label string) string {
	var b []byte
	for i := 0; i < len(label); i++ {
		c := label[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b = append(b, '_')
			}
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// createSchema creates the constraints and indexes and waits until they are online. Schema
// statements cannot share a transaction with each other or with data writes, so each runs in
// its own auto-commit transaction.
func (s *Store) createSchema(ctx context.Context) error {
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	run := func(cypher string) error {
		res, err := sess.Run(ctx, cypher, nil)
		if err != nil {
			return err
		}
		_, err = res.Consume(ctx)
		return err
	}
	for _, stmt := range schemaStatements() {
		if err := run(stmt); err != nil {
			return s.mapError("create schema", err)
		}
	}
	if err := run(fmt.Sprintf("CALL db.awaitIndexes(%d)", schemaAwaitTimeout)); err != nil {
		return s.mapError("await indexes", err)
	}
	return nil
}
