package graph

import "testing"

func TestNormalizeVersion1(t *testing.T) {
	p := func(id string) Ref { return Ref{Type: TypePatient, ID: id} }
	inst := Ref{Type: TypeInstitution, ID: "H1"}
	f := Findings{Version: "1", Rings: []Ring{
		{ID: "DC-1", Kind: KindDeceasedClaims, Score: 0.9, Members: []Ref{p("a"), inst}, Amount: 100_00},
		{ID: "CR-1", Kind: KindCollusionRing, Score: 0.6, Members: []Ref{p("b"), p("c"), p("d"), inst}, Amount: 1000_00},
		{ID: "CL-1", Kind: KindCardLending, Score: 0.7, Members: []Ref{p("e"), inst}, Amount: 50_00},
		{ID: "CR-2", Kind: KindCollusionRing, Score: 0.9, Members: []Ref{p("f"), p("g"), inst}, Amount: 200_00},
	}}
	f.Normalize()
	if len(f.Rings) != 2 || len(f.Leads) != 2 {
		t.Fatalf("rings %d leads %d, want 2 and 2", len(f.Rings), len(f.Leads))
	}
	if f.Rings[0].ID != "CR-1" || f.Rings[0].ExpectedAmount != 600_00 || f.Rings[0].Patients != 3 || f.Rings[0].Class != ClassRing {
		t.Fatalf("first ring %+v: want CR-1 ranked by expected amount 600 yuan, 3 patients", f.Rings[0])
	}
	if f.Leads[0].ID != "DC-1" || f.Leads[1].ID != "CL-1" || f.Leads[0].Class != ClassLead {
		t.Fatalf("leads %v %v, want DC-1 then CL-1", f.Leads[0].ID, f.Leads[1].ID)
	}
	before := f
	f.Normalize()
	if len(f.Rings) != len(before.Rings) || f.Rings[0].ExpectedAmount != before.Rings[0].ExpectedAmount {
		t.Fatal("Normalize is not idempotent")
	}
}
