package prescreen

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/graph"
)

type memHistory struct {
	patients map[string]graph.Patient
	claims   []graph.Claim
}

func (m memHistory) Patient(_ context.Context, id string) (graph.Patient, error) {
	p, ok := m.patients[id]
	if !ok {
		return graph.Patient{}, &graph.Error{Code: graph.ENOTFOUND, Message: "no such patient"}
	}
	return p, nil
}

func (m memHistory) Claims(_ context.Context, q graph.ClaimQuery) ([]graph.Claim, int, error) {
	var out []graph.Claim
	for _, c := range m.claims {
		if c.PatientID == q.Party.ID && !c.Start.Before(q.From) {
			out = append(out, c)
		}
	}
	return out, len(out), nil
}

func day(m, d int) time.Time { return time.Date(2025, time.Month(m), d, 9, 0, 0, 0, time.UTC) }

func claim(id, patient string, at time.Time, total float64) graph.Claim {
	return graph.Claim{ID: id, PatientID: patient, ProviderID: "H1", ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient, Start: at, TotalAmount: graph.FromYuan(total), FundAmount: graph.FromYuan(total * 0.8)}
}

func TestScreen(t *testing.T) {
	h := memHistory{patients: map[string]graph.Patient{
		"PT1": {ID: "PT1", Sex: "M"}, "PT2": {ID: "PT2", Sex: "F", DeathDate: day(2, 1)}, "PT3": {ID: "PT3"}, "PT4": {ID: "PT4"}, "PT5": {ID: "PT5", Sex: "F"},
	}, claims: []graph.Claim{
		claim("S1", "PT1", day(1, 5), 100), claim("S2", "PT1", day(2, 5), 100), // two stored this year
		{ID: "S3", PatientID: "PT4", ProviderID: "H1", ProviderType: graph.TypeInstitution, Type: graph.ClaimInpatient, Start: day(3, 1), End: day(3, 10)},
	}}
	rs, err := billing.Load("../../algorithms/billing/testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	s := &Screener{
		Listed: func(context.Context, time.Time) (map[graph.Ref]bool, error) {
			return map[graph.Ref]bool{{Type: graph.TypeDoctor, ID: "D9"}: true}, nil
		},
		RingMember: func(r graph.Ref) bool { return r == graph.Ref{Type: graph.TypePatient, ID: "PT3"} },
		Billing: func(ctx context.Context, src billing.Source) (billing.Result, error) {
			return billing.Audit(ctx, src, rs)
		},
	}
	stay := graph.Claim{ID: "N5", PatientID: "PT4", ProviderID: "H2", ProviderType: graph.TypeInstitution, Type: graph.ClaimInpatient, Start: day(3, 8), End: day(3, 12)}
	blk := claim("N7", "PT1", day(1, 2), 50)
	blk.DoctorID = "D9"
	batch := []graph.Claim{
		claim("N1", "PT1", day(3, 5), 100),    // third of the year: passes
		claim("N2", "PT1", day(3, 6), 100),    // fourth: high frequency
		claim("N3", "PT2", day(3, 1), 100),    // after death
		claim("N4", "PT3", day(3, 1), 12_000), // large and ring member
		stay,                                  // overlaps S3
		claim("N6", "PT5", day(3, 1), 90),     // PSA for a woman: billing rule
		blk,                                   // blacklisted doctor; earliest of PT1's batch, so it is the 3rd
		claim("N8", "PT9", day(3, 1), 10),     // unknown patient
		claim("N9", "PT5", day(3, 2), 9_999.99),
	}
	items := []graph.ClaimItem{{ClaimID: "N6", Seq: 1, ItemCode: "311201", Quantity: 1, UnitPrice: graph.FromYuan(90), Amount: graph.FromYuan(90)}}
	vs, err := s.Screen(context.Background(), h, batch, items, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"N1": {ReasonFrequency}, "N2": {ReasonFrequency}, "N3": {ReasonDeceased}, "N4": {ReasonRing, ReasonLarge}, "N5": {ReasonOverlap},
		"N6": {ReasonBilling}, "N7": {ReasonBlacklist}, "N8": {ReasonUnknown}, "N9": {},
	}
	// PT1 has S1, S2 stored, then N7 (3rd), N1 (4th), N2 (5th): N1 and N2 are held.
	for _, v := range vs {
		var got []string
		for _, r := range v.Reasons {
			got = append(got, r.Code)
		}
		w := want[v.ClaimID]
		slices.Sort(got)
		w = slices.Sorted(slices.Values(w))
		if !slices.Equal(got, w) {
			t.Errorf("%s: reasons %v, want %v (%+v)", v.ClaimID, got, w, v.Reasons)
		}
		if (len(w) == 0) != (v.Verdict == Pass) {
			t.Errorf("%s: verdict %s", v.ClaimID, v.Verdict)
		}
	}
	if vs[5].Reasons[0].Text == "" || !strings.Contains(vs[5].Reasons[0].Text, "catalogue.csv 第 5 行") {
		t.Errorf("billing reason %+v", vs[5].Reasons)
	}
	for _, bad := range []struct {
		claims []graph.Claim
		items  []graph.ClaimItem
		want   string
	}{
		{nil, nil, "1–10000"},
		{[]graph.Claim{{ID: "X"}}, nil, "patient_id is empty"},
		{[]graph.Claim{claim("X", "PT1", day(1, 1), 1), claim("X", "PT1", day(1, 1), 1)}, nil, "appears twice"},
		{[]graph.Claim{claim("X", "PT1", day(1, 1), 1)}, []graph.ClaimItem{{ClaimID: "Y"}}, `items[0]: claim "Y"`},
	} {
		if _, err := s.Screen(context.Background(), h, bad.claims, bad.items, Options{}); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("error %v, want %q", err, bad.want)
		}
	}
}

// An admission to the hospital that discharged the patient a few days earlier, for the same
// illness, is held as a possible split admission (分解住院) — also when both stays are in the
// batch; a later admission, planned chemotherapy, a return after a stay elsewhere and another
// illness pass.
func TestScreenEarlyReadmission(t *testing.T) {
	stay := func(id, patient, prov, dx string, from, to time.Time) graph.Claim {
		return graph.Claim{ID: id, PatientID: patient, ProviderID: prov, ProviderType: graph.TypeInstitution, Type: graph.ClaimInpatient,
			Start: from, End: to, DiagnosisCode: dx, TotalAmount: graph.FromYuan(3000)}
	}
	pats := map[string]graph.Patient{}
	for _, id := range []string{"PT1", "PT2", "PT3", "PT4", "PT5", "PT6"} {
		pats[id] = graph.Patient{ID: id}
	}
	h := memHistory{patients: pats, claims: []graph.Claim{
		stay("S1", "PT1", "H1", "J44.1", day(3, 1), day(3, 10)),
		stay("S2", "PT2", "H1", "J44.1", day(3, 1), day(3, 10)),
		stay("S3", "PT3", "H1", "Z51.1", day(3, 1), day(3, 3)),
		stay("S4", "PT4", "H1", "I63.9", day(3, 1), day(3, 5)), stay("S5", "PT4", "H2", "I63.9", day(3, 6), day(3, 15)),
		stay("S6", "PT6", "H1", "J18.9", day(3, 1), day(3, 10)),
	}}
	batch := []graph.Claim{
		stay("B1", "PT1", "H1", "J44.9", day(3, 12), day(3, 18)), // 2 days after S1, same category: held
		stay("B2", "PT2", "H1", "J44.1", day(4, 10), day(4, 15)), // 31 days later
		stay("B3", "PT3", "H1", "Z51.1", day(3, 20), day(3, 22)), // the next chemotherapy cycle
		stay("B4", "PT4", "H1", "I63.9", day(3, 18), day(3, 25)), // back from H2
		stay("B5", "PT5", "H1", "K35.8", day(3, 1), day(3, 4)),
		stay("B6", "PT5", "H1", "K35.8", day(3, 6), day(3, 9)),   // 2 days after B5, both in the batch: held
		stay("B7", "PT6", "H1", "S72.0", day(3, 12), day(3, 20)), // another illness
	}
	vs, err := (&Screener{}).Screen(context.Background(), h, batch, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"B1": true, "B6": true}
	for _, v := range vs {
		held := slices.ContainsFunc(v.Reasons, func(r Reason) bool { return r.Code == ReasonReadmit })
		if held != want[v.ClaimID] {
			t.Errorf("%s: early readmission held %v, want %v (%+v)", v.ClaimID, held, want[v.ClaimID], v.Reasons)
		}
		if held && !strings.Contains(v.Reasons[0].Text, "分解住院") {
			t.Errorf("%s: reason %q does not say 分解住院", v.ClaimID, v.Reasons[0].Text)
		}
	}
	if _, err := (&Screener{}).Screen(context.Background(), h, batch, nil, Options{SplitAdmissionDays: 91}); graph.ErrorField(err) != "split_admission_days" {
		t.Errorf("split_admission_days 91: %v, want an error naming the field", err)
	}
}
