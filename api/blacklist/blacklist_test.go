package blacklist

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

var (
	clinic  = graph.Ref{Type: graph.TypeInstitution, ID: "H53010200077"}
	patient = graph.Ref{Type: graph.TypePatient, ID: "P001"}
	day     = func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
)

// closedCase confirms clinic in case AJ-1 (closed) and nothing else.
func closedCase(_ context.Context, caseID string, e graph.Ref) error {
	if caseID == "AJ-1" && e == clinic {
		return nil
	}
	return graph.Errorf(graph.ECONFLICT, "%s was not confirmed in a closed case %s", e, caseID)
}

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "bl.db"), closedCase)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAddRequiresConfirmedClosedCase(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.Add(ctx, Entry{Entity: patient, Reason: "冒名就医", CaseID: "AJ-1", From: day("2024-01-01")}); graph.ErrorCode(err) != graph.ECONFLICT {
		t.Errorf("listing a party not confirmed in the case: %v", err)
	}
	for _, c := range []struct {
		e     Entry
		field string
	}{
		{Entry{Entity: graph.Ref{Type: graph.TypeClaim, ID: "C1"}, Reason: "x", CaseID: "AJ-1", From: day("2024-01-01")}, "entity"},
		{Entry{Entity: clinic, CaseID: "AJ-1", From: day("2024-01-01")}, "reason"},
		{Entry{Entity: clinic, Reason: "x", From: day("2024-01-01")}, "case_id"},
		{Entry{Entity: clinic, Reason: "x", CaseID: "AJ-1", From: day("2024-01-01"), Until: day("2023-01-01")}, "until"},
	} {
		if _, err := s.Add(ctx, c.e); graph.ErrorField(err) != c.field {
			t.Errorf("Add(%+v): %v, want field %s", c.e, err, c.field)
		}
	}
}

func TestPeriodAndRemoval(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	e, err := s.Add(ctx, Entry{Entity: clinic, Reason: "串通参保人员骗取基金", CaseID: "AJ-1", From: day("2024-07-01"), Until: day("2027-07-01"), ListedBy: "chen"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   string
		want bool
	}{{"2024-06-30", false}, {"2024-07-01", true}, {"2027-06-30", true}, {"2027-07-01", false}} {
		active, _ := s.Active(ctx, day(c.at))
		if _, ok := active[clinic]; ok != c.want {
			t.Errorf("active on %s = %v, want %v", c.at, ok, c.want)
		}
	}
	if _, err := s.Remove(ctx, e.ID, "chen", day("2025-01-01")); err != nil {
		t.Fatal(err)
	}
	if active, _ := s.Active(ctx, day("2025-02-01")); len(active) != 0 {
		t.Errorf("removed entry still active: %v", active)
	}
	if all, _ := s.List(ctx, false, day("2025-02-01")); len(all) != 1 {
		t.Errorf("removed entry not kept in the record: %v", all)
	}
}

func TestAnnotate(t *testing.T) {
	f := graph.Findings{
		Rings:    []graph.Ring{{ID: "R1", Members: []graph.Ref{patient, clinic}}, {ID: "R2", Members: []graph.Ref{patient}}},
		Entities: []graph.EntityRisk{{Type: graph.TypePatient, ID: "P001", Score: 0.4}},
	}
	Annotate(&f, map[graph.Ref]Entry{clinic: {Entity: clinic, CaseID: "AJ-1", Reason: "骗保"}})
	if len(f.Rings[0].Reasons) != 1 || f.Rings[0].Reasons[0].Code != "blacklisted" {
		t.Errorf("ring with a listed member not marked: %+v", f.Rings[0].Reasons)
	}
	if len(f.Rings[1].Reasons) != 0 {
		t.Errorf("ring without listed members marked: %+v", f.Rings[1].Reasons)
	}
	if len(f.Entities) != 2 || f.Entities[1].ID != clinic.ID || f.Entities[1].Reasons[0].Code != "blacklisted" {
		t.Errorf("listed entity not added: %+v", f.Entities)
	}
	if f.Entities[0].Score != 0.4 || len(f.Entities[0].Reasons) != 0 {
		t.Errorf("unlisted entity changed: %+v", f.Entities[0])
	}
}
