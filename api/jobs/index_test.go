package jobs

import (
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

// Leads are found, listed and tied to their members as rings are, and version 1 findings (one
// list, no class) read as today's.
func TestIndexHoldsRingsAndLeads(t *testing.T) {
	p := graph.Ref{Type: graph.TypePatient, ID: "PT1"}
	f := graph.Findings{
		Rings: []graph.Ring{{ID: "R1", Kind: graph.KindCollusionRing, Class: graph.ClassRing, Score: 0.9, Members: []graph.Ref{p, {Type: graph.TypePatient, ID: "PT2"}}}},
		Leads: []graph.Ring{{ID: "L1", Kind: graph.KindDeceasedClaims, Class: graph.ClassLead, Score: 0.8, Members: []graph.Ref{p}}},
	}
	ix := newIndex("J1", f)
	if _, ok := ix.Ring("L1"); !ok {
		t.Fatal("lead L1 not found")
	}
	if len(ix.All()) != 2 || len(ix.RingsOf(p, 10)) != 2 {
		t.Fatalf("all %d, rings of PT1 %d: want 2 and 2", len(ix.All()), len(ix.RingsOf(p, 10)))
	}
	old := newIndex("J0", graph.Findings{Rings: []graph.Ring{{ID: "D1", Kind: graph.KindDeceasedClaims, Score: 0.9, Members: []graph.Ref{p}}}})
	if r, ok := old.Ring("D1"); !ok || r.Class != graph.ClassLead || len(old.Findings.Leads) != 1 {
		t.Fatalf("version 1 single-card finding: %+v %v", r, ok)
	}
}
