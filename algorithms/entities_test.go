package algorithms

import (
	"fmt"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// A lead kind found on many cards of an export (overlapping stays where transfers are common)
// gives a big provider little evidence unless its lead cards are concentrated there; a rare kind
// (a dead person's card) keeps most of its weight at the one provider where it was used.
func TestCreditLeadProvidersByConcentration(t *testing.T) {
	d := dataset.New()
	day := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	add := func(pat, prov string) {
		d.AddPatient(graph.Patient{ID: pat})
		d.AddClaim(graph.Claim{PatientID: pat, ProviderID: prov, ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient, Start: day, TotalAmount: graph.FromYuan(100)})
	}
	for i := range 2000 {
		add(fmt.Sprintf("A%04d", i), "BIG")
	}
	for i := range 30 {
		add(fmt.Sprintf("B%02d", i), "SMALL")
	}
	for i := range 100 { // 100 lead cards at BIG out of 2,000 patients: its share is everyone's
		add(fmt.Sprintf("C%03d", i), "OTHER")
	}
	d.Index()
	pv := func(id string) int32 {
		for i := int32(0); int(i) < d.NProv(); i++ {
			if d.ProvRef(i).ID == id {
				return i
			}
		}
		t.Fatalf("no provider %s", id)
		return -1
	}
	pat := func(id string) int32 {
		for i := int32(0); int(i) < d.NPat(); i++ {
			if d.PatRef(i).ID == id {
				return i
			}
		}
		t.Fatalf("no patient %s", id)
		return -1
	}
	var all []finding.Candidate
	lead := func(kind, patID, prov string) {
		all = append(all, finding.Candidate{Lead: true, Pats: []int32{pat(patID)}, Provs: []int32{pv(prov)},
			Ring: graph.Ring{ID: kind + patID, Kind: kind, Score: 0.8}})
	}
	for i := range 100 {
		lead(graph.KindGhostHospitalization, fmt.Sprintf("A%04d", i*20), "BIG")
	}
	for i := range 60 { // the same kind elsewhere too: about 7.6 % of all cards
		lead(graph.KindGhostHospitalization, fmt.Sprintf("C%03d", i), "OTHER")
	}
	lead(graph.KindDeceasedClaims, "B07", "SMALL")
	ev := finding.NewEvidence()
	for _, c := range all {
		creditParties(ev, c)
	}
	creditLeadProviders(d, ev, all)
	weight := func(prov string) float64 {
		w := -1.0
		for _, r := range ev.Prov[pv(prov)] {
			if r.Code == "in_lead" {
				t.Errorf("%s credited with a single-card lead's full score: %+v", prov, r)
			}
			if r.Code == "lead_concentration" {
				w = r.Weight
			}
		}
		return w
	}
	if w := weight("BIG"); w < 0 || w > 0.2 {
		t.Errorf("BIG: lead_concentration weight %v, want in [0, 0.2] (100 lead cards of 2,000 where the kind is common)", w)
	}
	if w := weight("OTHER"); w < 0.7 {
		t.Errorf("OTHER: lead_concentration weight %v, want ≥ 0.7 (60 of its 100 cards are leads)", w)
	}
	if w := weight("SMALL"); w < 0.7 {
		t.Errorf("SMALL: lead_concentration weight %v, want ≥ 0.7 (one dead person's card, a kind on 1 card in 2,000)", w)
	}
}
