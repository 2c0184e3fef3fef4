package neo4j

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ringtrace/ringtrace/graph"
)

// TestWritePlans asks the server to EXPLAIN every bulk write statement and checks the plan
// shape the load speed depends on: every lookup of an existing node is a unique-index seek
// (no label or all-nodes scan, which would make a batch quadratic in the graph's size) and
// there is no Eager operator (which would materialise the whole UNWIND before writing).
func TestWritePlans(t *testing.T) {
	s := openWiped(t)
	ctx := context.Background()
	// The schema must exist for the planner to see the constraints' indexes.
	must(t, s.PutInstitutions(ctx, []graph.Institution{{ID: "H1"}}))
	claim := claimRow(graph.Claim{ID: "C1", PatientID: "U1", ProviderID: "H1", ProviderType: graph.TypeInstitution,
		DoctorID: "D1", Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), TerminalID: "T1"})
	patient := patientRow(graph.Patient{ID: "U1", Phone: "138", Address: "昆明"})
	cases := []struct {
		name, cypher string
		row          map[string]any
		hot          bool // runs once per record of a first load: must not be Eager
	}{
		// The derived-node statements may be Eager: they MERGE a DISTINCT set, and the barrier
		// only holds the batch's distinct phones, addresses or terminals.
		{"patients derived", cypherPatientsDerived, patient, false},
		{"patients new", cypherPatientsNew, patient, true},
		{"claims derived", cypherClaimsDerived, claim, false},
		{"claims new", cypherClaimsNew, claim, true},
		// The MERGE forms (re-loads) use SET n = r so that cleared fields are removed, which
		// costs an Eager; they are checked for seeks only.
		{"patients merge", cypherPatients, patient, false},
		{"claims merge", cypherClaims, claim, false},
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db})
	defer sess.Close(ctx)
	for _, c := range cases {
		res, err := sess.Run(ctx, "EXPLAIN "+c.cypher, map[string]any{"rows": []map[string]any{c.row}})
		must(t, err)
		sum, err := res.Consume(ctx)
		must(t, err)
		// The driver's Children() is unreliable for deep plans, so the check reads the plan's
		// own text rendering, which the server puts in the root's arguments.
		plan, _ := sum.Plan().Arguments()["string-representation"].(string)
		if plan == "" {
			t.Fatalf("%s: EXPLAIN returned no plan text", c.name)
		}
		for _, bad := range []string{"Eager", "LabelScan", "AllNodesScan"} {
			if bad == "Eager" && !c.hot {
				continue
			}
			if strings.Contains(plan, bad) {
				t.Errorf("%s: plan contains %s:\n%s", c.name, bad, plan)
			}
		}
		seeks := strings.Count(plan, "NodeUniqueIndexSeek")
		if seeks == 0 {
			t.Errorf("%s: plan has no unique-index seek:\n%s", c.name, plan)
		}
	}
}
