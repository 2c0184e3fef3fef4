package algorithms

import (
	"context"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/graph"
)

// TestBillingLeadsJoinTheFindings plants prostate tests billed on women's cards at one clinic
// and checks that the audit's lead is among the findings' leads, with a stable id, ranked by
// expected amount with the detectors' leads.
func TestBillingLeadsJoinTheFindings(t *testing.T) {
	w := newWorld(41, 800)
	women := w.addPatients("W", 6, false) // addPatients registers women
	for i, id := range women {
		c := w.claim(graph.Claim{PatientID: id, ProviderID: "H05", ProviderType: graph.TypeInstitution, DoctorID: "D050",
			Type: graph.ClaimOutpatient, Start: at(10+i, 9, 0), DiagnosisCode: "N40", TotalAmount: graph.FromYuan(90)})
		w.item(c, "311201", "前列腺特异抗原测定", 90)
	}
	rs, err := billing.Load("billing/testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	f := detectT(t, &w.g, DefaultParams())
	before := len(f.Leads)
	if err := AddBillingLeads(context.Background(), &w.g, rs, &f); err != nil {
		t.Fatal(err)
	}
	var lead *graph.Ring
	for i := range f.Leads {
		if f.Leads[i].Kind == billing.Kind {
			lead = &f.Leads[i]
		}
	}
	if lead == nil || len(f.Leads) != before+1 {
		t.Fatalf("%d leads before the audit, %d after; billing lead %v", before, len(f.Leads), lead)
	}
	if !strings.HasPrefix(lead.ID, "BL-") || lead.Class != graph.ClassLead || memberCount(lead, women) != len(women) {
		t.Errorf("billing lead %s class %s with %d of the %d cards", lead.ID, lead.Class, memberCount(lead, women), len(women))
	}
	for i := 1; i < len(f.Leads); i++ {
		if f.Leads[i].ExpectedAmount > f.Leads[i-1].ExpectedAmount {
			t.Errorf("leads not ranked by expected amount at %d: %s after %s", i, f.Leads[i].ExpectedAmount, f.Leads[i-1].ExpectedAmount)
			break
		}
	}
	// The same data gives the same id.
	g := detectT(t, &w.g, DefaultParams())
	if err := AddBillingLeads(context.Background(), &w.g, rs, &g); err != nil {
		t.Fatal(err)
	}
	for _, l := range g.Leads {
		if l.Kind == billing.Kind && l.ID != lead.ID {
			t.Errorf("second run names the lead %s, first %s", l.ID, lead.ID)
		}
	}
}

// A card's large-claim lead at a provider whose billing lead names that card is folded into the
// billing lead; a large-claim lead elsewhere stays.
func TestLargeClaimLeadFoldsIntoTheBillingLead(t *testing.T) {
	mk := func(kind, code string, members ...graph.Ref) graph.Ring {
		return graph.Ring{ID: kind + code, Kind: kind, Class: graph.ClassLead, Members: members, Reasons: []graph.Reason{{Code: code}}}
	}
	pat := func(id string) graph.Ref { return graph.Ref{Type: graph.TypePatient, ID: id} }
	inst := func(id string) graph.Ref { return graph.Ref{Type: graph.TypeInstitution, ID: id} }
	w := newWorld(42, 300)
	men := w.addPatients("Q", 3, false)
	for i, id := range men {
		c := w.claim(graph.Claim{PatientID: id, ProviderID: "H05", ProviderType: graph.TypeInstitution, DoctorID: "D050",
			Type: graph.ClaimOutpatient, Start: at(10+i, 9, 0), DiagnosisCode: "N40", TotalAmount: graph.FromYuan(90)})
		w.item(c, "311201", "前列腺特异抗原测定", 90) // addPatients registers women: a sex-limited item
	}
	rs, err := billing.Load("billing/testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	f := graph.Findings{Leads: []graph.Ring{
		mk(graph.KindScreeningRule, "large_claim_above_peers", pat(men[0]), inst("H05")),
		mk(graph.KindScreeningRule, "large_claim_above_peers", pat(men[1]), inst("H07")),
		mk(graph.KindScreeningRule, "repeated_collection", pat(men[2]), inst("H05")),
	}}
	if err := AddBillingLeads(context.Background(), &w.g, rs, &f); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, l := range f.Leads {
		codes = append(codes, l.Kind+"/"+l.Reasons[0].Code)
	}
	want := map[string]int{"screening_rule/large_claim_above_peers": 1, "screening_rule/repeated_collection": 1}
	got := map[string]int{}
	billingLeads := 0
	for _, l := range f.Leads {
		if l.Kind == billing.Kind {
			billingLeads++
			continue
		}
		got[l.Kind+"/"+l.Reasons[0].Code]++
	}
	if billingLeads != 1 || got["screening_rule/large_claim_above_peers"] != want["screening_rule/large_claim_above_peers"] || got["screening_rule/repeated_collection"] != 1 {
		t.Fatalf("leads after the audit: %v; want the H05 large-claim lead folded, the H07 one and the other rule kept", codes)
	}
	for _, l := range f.Leads {
		if l.Kind == graph.KindScreeningRule && l.Reasons[0].Code == "large_claim_above_peers" && hasMember(&l, inst("H05")) {
			t.Errorf("the large-claim lead at H05 was kept beside the billing lead naming the same card")
		}
	}
}
