package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"

	"github.com/ringtrace/ringtrace/graph"
)

func TestTemporalPathKeepsTimeOrderAndGap(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	claim := func(id, patient, provider string, d int) graph.Claim {
		return graph.Claim{ID: id, PatientID: patient, ProviderType: graph.TypeInstitution, ProviderID: provider, Start: day(d), FundAmount: 100}
	}
	all := []graph.Claim{
		claim("c0", "P3", "H1", 0), // P3 at H1 before P1 ever was: no time-ordered step
		claim("c1", "P1", "H1", 1),
		claim("c2", "P2", "H1", 3),
		claim("c3", "P2", "H2", 20),
		claim("c4", "P3", "H2", 25),
	}
	claims := func(_ context.Context, p graph.Ref) ([]graph.Claim, error) {
		var out []graph.Claim
		for _, c := range all {
			for _, q := range claimParties(c) {
				if q == p {
					out = append(out, c)
				}
			}
		}
		return out, nil
	}
	p := func(id string) graph.Ref { return graph.Ref{Type: graph.TypePatient, ID: id} }
	steps, _, err := temporalPath(context.Background(), claims, p("P1"), p("P3"), 6, 30*24*time.Hour, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, s := range steps {
		ids = append(ids, s.Claim)
		if i > 0 && s.At.Before(steps[i-1].At) {
			t.Fatalf("step %d goes back in time: %+v", i, steps)
		}
	}
	if len(ids) != 4 || ids[0] != "c1" || ids[1] != "c2" || ids[2] != "c3" || ids[3] != "c4" || steps[3].To != p("P3") {
		t.Fatalf("path %v, want c1 c2 c3 c4 (the shortcut through c0 is earlier than c1)", ids)
	}
	// A week's gap cannot bridge day 3 to day 20; three claims are not enough either.
	if steps, _, _ := temporalPath(context.Background(), claims, p("P1"), p("P3"), 6, 7*24*time.Hour, time.Time{}, time.Time{}); steps != nil {
		t.Fatalf("gap 7 days: %+v, want none", steps)
	}
	if steps, _, _ := temporalPath(context.Background(), claims, p("P1"), p("P3"), 3, 30*24*time.Hour, time.Time{}, time.Time{}); steps != nil {
		t.Fatalf("depth 3: %+v, want none", steps)
	}
	// Backwards in time there is the one-claim-each way P3 → H1 (c0) → P1 (c1).
	if steps, _, _ := temporalPath(context.Background(), claims, p("P3"), p("P1"), 6, 30*24*time.Hour, time.Time{}, time.Time{}); len(steps) != 2 || steps[0].Claim != "c0" || steps[1].Claim != "c1" {
		t.Fatalf("P3 to P1: %+v", steps)
	}
}

func TestTemporalPathRoute(t *testing.T) {
	e := newEnv(t)
	var out temporalPathView
	if st := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/paths/temporal?from=patient:PT0001&to=patient:PT0002&max_gap_days=2", nil, &out); st != http.StatusOK {
		t.Fatalf("status %d", st)
	}
	// PT0001 and PT0002 saw the same doctor a minute apart: two claims, in time order, drawn as
	// parties joined through claim nodes.
	if len(out.Steps) != 2 || out.Steps[1].At.Before(out.Steps[0].At) || len(out.Nodes) < 4 {
		t.Fatalf("path %+v (%d nodes)", out.Steps, len(out.Nodes))
	}
	for q, field := range map[string]string{
		"from=claim:C00&to=patient:PT0002":                                        "from",
		"from=patient:PT0001&to=patient:PT0002&max_gap_days=0":                    "max_gap_days",
		"from=patient:PT0001&to=patient:PT0002&since=2024-07-01&until=2024-06-01": "until",
	} {
		var er errorBody
		if st := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/paths/temporal?"+q, nil, &er); st != http.StatusBadRequest || er.Error.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", q, st, er, field)
		}
	}
}
