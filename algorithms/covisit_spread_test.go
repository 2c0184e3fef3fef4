package algorithms

import (
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

// TestSpreadRingFound plants recruits who come to one private clinic doctor over three
// consecutive days per session, never two in the same half-day: the window pass cannot link
// them, the spread pass must, and the honest background must not produce spread rings.
func TestSpreadRingFound(t *testing.T) {
	w := newWorld(9, 2000)
	ring := w.addPatients("S", 5, false)
	for _, day := range []int{12, 33, 61, 95, 140, 188} {
		for i, id := range ring {
			w.claim(graph.Claim{PatientID: id, ProviderID: "H06", ProviderType: graph.TypeInstitution, DoctorID: "D060",
				Type: graph.ClaimOutpatient, Start: at(day+i%3, 9+i/3*5, 10), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(200 * 2.5)})
		}
	}
	off := DefaultParams()
	off.SpreadDays = 0
	if r := ringWith(detectT(t, &w.g, off), graph.KindCollusionRing, ring); r != nil {
		t.Fatalf("window pass alone already finds the ring (%v); the scenario does not test the spread pass", r.Reasons)
	}
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindCollusionRing, ring)
	if r == nil {
		t.Fatalf("spread ring not reported; rings: %v", kinds(f))
	}
	if r.Reasons[0].Code != "covisit_spread_days" {
		t.Errorf("first reason %s, want covisit_spread_days", r.Reasons[0].Code)
	}
	planted := map[string]bool{}
	for _, id := range ring {
		planted[id] = true
	}
	for _, x := range f.Rings {
		if x.Reasons[0].Code != "covisit_spread_days" {
			continue
		}
		for _, m := range x.Members {
			if m.Type == graph.TypePatient && !planted[m.ID] {
				t.Errorf("spread ring with honest patient %s: %v", m.ID, x.Reasons)
				break
			}
		}
	}
}

func TestSpreadDaysValidated(t *testing.T) {
	p := DefaultParams()
	p.SpreadDays = -1
	if err := p.Validate(); err == nil {
		t.Error("spread_days −1 accepted")
	}
}

func TestClosedEdges(t *testing.T) {
	cands := []coVisitEdge{
		{A: 1, B: 2, Surprise: 2.5}, {A: 2, B: 3, Surprise: 2.5}, {A: 1, B: 3, Surprise: 2.1}, // triangle
		{A: 4, B: 5, Surprise: 3}, // lone weak pair
		{A: 6, B: 7, Surprise: 5}, // significant on its own
	}
	got := closedEdges(cands, 4)
	if len(got) != 4 {
		t.Fatalf("kept %d edges, want the triangle and the significant pair: %v", len(got), got)
	}
	for _, e := range got {
		if e.A == 4 {
			t.Errorf("lone weak pair kept: %v", e)
		}
	}
}

// TestSpreadGroupOfFoundOrganiser checks that a spread group run by the doctor of a ring the
// window pass already found is not reported as a second ring: one organiser, one operation.
func TestSpreadGroupOfFoundOrganiser(t *testing.T) {
	w := newWorld(10, 2000)
	ring := w.addPatients("R", 8, false)
	for _, day := range []int{10, 24, 40, 61, 90, 130} {
		for i, id := range ring {
			w.claim(graph.Claim{PatientID: id, ProviderID: "H06", ProviderType: graph.TypeInstitution, DoctorID: "D060",
				Type: graph.ClaimOutpatient, Start: at(day, 9, 5*i), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(200 * 3)})
		}
	}
	late := w.addPatients("S", 5, false)
	for _, day := range []int{15, 50, 77, 110, 150, 200} {
		for i, id := range late {
			w.claim(graph.Claim{PatientID: id, ProviderID: "H06", ProviderType: graph.TypeInstitution, DoctorID: "D060",
				Type: graph.ClaimOutpatient, Start: at(day+i%3, 9+i/3*5, 10), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(200 * 2.5)})
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	if ringWith(f, graph.KindCollusionRing, ring) == nil {
		t.Fatalf("window ring not reported; rings: %v", kinds(f))
	}
	for _, r := range f.Rings {
		if r.Reasons[0].Code == "covisit_spread_days" && hasMember(&r, graph.Ref{Type: graph.TypeDoctor, ID: "D060"}) {
			t.Errorf("spread group of the found organiser reported as a second ring: %v", r.Members)
		}
	}
}
