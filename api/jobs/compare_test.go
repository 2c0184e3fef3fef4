package jobs

import (
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

func refs(ids ...string) []graph.Ref {
	out := make([]graph.Ref, len(ids))
	for i, id := range ids {
		out[i] = graph.Ref{Type: graph.TypePatient, ID: id}
	}
	return out
}

func TestMatchRings(t *testing.T) {
	a := newIndex("A", graph.Findings{Rings: []graph.Ring{
		{ID: "a1", Kind: graph.KindCollusionRing, Members: refs("1", "2", "3", "4")},
		{ID: "a2", Kind: graph.KindCollusionRing, Members: refs("7", "8")},
		{ID: "a3", Kind: graph.KindCardLending, Members: refs("1", "2")},
	}})
	b := newIndex("B", graph.Findings{Rings: []graph.Ring{
		{ID: "b1", Kind: graph.KindCollusionRing, Members: refs("1", "2", "3")},      // J(a1) = 3/4
		{ID: "b2", Kind: graph.KindCollusionRing, Members: refs("1", "2", "3", "4")}, // J(a1) = 1: wins
		{ID: "b3", Kind: graph.KindCollusionRing, Members: refs("1", "2")},           // same members as a3, other kind
		{ID: "b4", Kind: graph.KindCollusionRing, Members: refs("7", "9", "10")},     // J(a2) = 1/4 < 0.5
	}})
	matched, onlyA, onlyB := matchRings(a, b)
	if len(matched) != 1 || matched[0].A != "a1" || matched[0].B != "b2" || matched[0].Jaccard != 1 {
		t.Fatalf("matched %+v", matched)
	}
	if len(onlyA) != 2 || onlyA[0].ID != "a2" || onlyA[1].ID != "a3" {
		t.Fatalf("only in A %+v", onlyA)
	}
	if len(onlyB) != 3 {
		t.Fatalf("only in B %+v", onlyB)
	}
}

func TestTyingClaims(t *testing.T) {
	claim := func(id, patient, provider, doctor string) graph.Claim {
		return graph.Claim{ID: id, PatientID: patient, ProviderID: provider, ProviderType: graph.TypeInstitution, DoctorID: doctor}
	}
	claims := []graph.Claim{
		claim("c1", "1", "H1", "D1"),
		claim("c2", "2", "H1", ""),
		claim("c3", "1", "H2", "D2"),
		claim("c4", "2", "H3", "D1"),
	}
	ids := func(cs []graph.Claim) (out []string) {
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	// With an organiser among the members: claims at a member provider or by a member doctor.
	withDoctor := append(refs("1", "2"), graph.Ref{Type: graph.TypeDoctor, ID: "D1"})
	if got := ids(TyingClaims(withDoctor, claims)); len(got) != 2 || got[0] != "c1" || got[1] != "c4" {
		t.Errorf("ring with a doctor: %v, want [c1 c4]", got)
	}
	// Patients only: claims at providers two or more of them share.
	if got := ids(TyingClaims(refs("1", "2"), claims)); len(got) != 2 || got[0] != "c1" || got[1] != "c2" {
		t.Errorf("patients only: %v, want [c1 c2]", got)
	}
}
