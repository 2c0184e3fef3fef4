package algorithms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

func TestCollusionRingFound(t *testing.T) {
	w := newWorld(1, 2000)
	ring := w.addPatients("R", 8, false)
	// Recruited patients brought together to private H03, doctor D030, on 6 days, with
	// inflated bills.
	for _, day := range []int{10, 24, 40, 61, 90, 130} {
		for i, id := range ring {
			w.claim(graph.Claim{PatientID: id, ProviderID: "H03", ProviderType: graph.TypeInstitution, DoctorID: "D030",
				Type: graph.ClaimOutpatient, Start: at(day, 9, 5*i), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(200 * 3)})
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindCollusionRing, ring)
	if r == nil {
		t.Fatalf("planted ring not reported; rings: %v", kinds(f))
	}
	if r.Score < 0.6 {
		t.Errorf("ring score %.2f, want ≥ 0.6", r.Score)
	}
	codes := map[string]bool{}
	for _, rs := range r.Reasons {
		codes[rs.Code] = true
		if rs.Text == "" || rs.TextEN == "" {
			t.Errorf("reason %s lacks text", rs.Code)
		}
	}
	for _, c := range []string{"covisit_days", "amount_inflation", "private_provider"} {
		if !codes[c] {
			t.Errorf("reason %s missing: %v", c, r.Reasons)
		}
	}
	if r.Amount <= 0 {
		t.Errorf("ring amount %v, want > 0", r.Amount)
	}
	if s := entityScoreOf(f, graph.TypeInstitution, "H03"); s < 0.5 {
		t.Errorf("organising institution score %.2f, want ≥ 0.5", s)
	}
	for _, c := range []string{"H01", "H02", "H04"} {
		if s := entityScoreOf(f, graph.TypeInstitution, c); s >= entityScoreOf(f, graph.TypeInstitution, "H03") {
			t.Errorf("honest %s scores %.2f ≥ the organiser", c, s)
		}
	}
}

func TestChronicClinicCohortNotFlagged(t *testing.T) {
	w := newWorld(2, 400)
	cohort := w.addPatients("K", 25, false)
	// A weekly diabetes clinic day at public community centre H01, doctor D010, every Tuesday
	// morning for 30 weeks, with ordinary amounts.
	for week := 0; week < 30; week++ {
		for i, id := range cohort {
			w.claim(graph.Claim{PatientID: id, ProviderID: "H01", ProviderType: graph.TypeInstitution, DoctorID: "D010",
				Type: graph.ClaimOutpatient, Start: at(7*week+1, 8, 2*i), DiagnosisCode: "E11.9", TotalAmount: graph.FromYuan(260 * (0.9 + 0.01*float64(i%20)))})
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	if r := ringWith(f, graph.KindCollusionRing, cohort); r != nil {
		t.Errorf("chronic clinic cohort reported as ring with score %.2f: %+v", r.Score, r.Reasons)
	}
}

func TestHouseholdNotFlagged(t *testing.T) {
	w := newWorld(3, 400)
	family := w.addPatients("F", 4, true)
	// A family visiting a private clinic together on many days, ordinary amounts.
	for _, day := range []int{5, 20, 33, 47, 80, 101, 150, 170} {
		for i, id := range family {
			w.claim(graph.Claim{PatientID: id, ProviderID: "H00", ProviderType: graph.TypeInstitution, DoctorID: "D000",
				Type: graph.ClaimOutpatient, Start: at(day, 15, 3*i), DiagnosisCode: "J06.9", TotalAmount: graph.FromYuan(150)})
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	for _, kind := range []string{graph.KindCollusionRing, graph.KindCardLending} {
		if r := ringWith(f, kind, family); r != nil {
			t.Errorf("household reported as %s with score %.2f: %+v", kind, r.Score, r.Reasons)
		}
	}
}

func TestCardLending(t *testing.T) {
	w := newWorld(4, 300)
	// An elderly man's card used for pregnancy care: someone else is using it.
	w.g.patients = append(w.g.patients, graph.Patient{ID: "L001", Sex: "M", BirthDate: time.Date(1948, 1, 1, 0, 0, 0, 0, cst), Region: "530102"})
	for _, day := range []int{30, 60, 90} {
		w.claim(graph.Claim{PatientID: "L001", ProviderID: "H02", ProviderType: graph.TypeInstitution, DoctorID: "D020",
			Type: graph.ClaimOutpatient, Start: at(day, 10, 0), DiagnosisCode: "Z34.0", TotalAmount: graph.FromYuan(300)})
	}
	// A card used at a pharmacy while its owner lies in hospital.
	w.g.patients = append(w.g.patients, graph.Patient{ID: "L002", Sex: "F", BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, cst), Region: "530102"})
	w.claim(graph.Claim{PatientID: "L002", ProviderID: "H05", ProviderType: graph.TypeInstitution, Type: graph.ClaimInpatient,
		Start: at(100, 9, 0), End: at(110, 9, 0), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(8000)})
	for _, day := range []int{103, 106} {
		w.claim(graph.Claim{PatientID: "L002", ProviderID: "P01", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
			Start: at(day, 11, 0), TotalAmount: graph.FromYuan(400), TerminalID: "T1"})
	}
	// A card used after its owner's death.
	w.g.patients = append(w.g.patients, graph.Patient{ID: "L003", Sex: "M", BirthDate: time.Date(1940, 1, 1, 0, 0, 0, 0, cst), DeathDate: at(50, 0, 0)})
	w.claim(graph.Claim{PatientID: "L003", ProviderID: "H06", ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient,
		Start: at(80, 9, 0), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(220)})

	f := detectT(t, &w.g, DefaultParams())
	for _, id := range []string{"L001", "L002"} {
		if r := leadWith(f, graph.KindCardLending, []string{id}); r == nil {
			t.Errorf("card %s not reported as a card-lending lead", id)
		} else if r.Class != graph.ClassLead || r.Patients != 1 {
			t.Errorf("card %s: class %q patients %d, want a lead of one card", id, r.Class, r.Patients)
		}
		if r := ringWith(f, graph.KindCardLending, []string{id}); r != nil {
			t.Errorf("single card %s reported as a ring", id)
		}
	}
	if r := leadWith(f, graph.KindDeceasedClaims, []string{"L003"}); r == nil {
		t.Errorf("claims after death not reported")
	}
	// Honest background cards must not be reported.
	for _, r := range append(f.Rings, f.Leads...) {
		if r.Kind != graph.KindCardLending {
			continue
		}
		for _, m := range r.Members {
			if m.Type == graph.TypePatient && m.ID[0] == 'N' {
				t.Errorf("honest card %s reported in %s: %+v", m.ID, r.ID, r.Reasons)
			}
		}
	}
}

func TestPharmacyCardCollection(t *testing.T) {
	w := newWorld(5, 400)
	cards := w.addPatients("S", 12, false)
	for _, id := range cards {
		// Each card's owner has a normal life elsewhere.
		w.visit(id, 4, 20, "I10", 1)
	}
	// P02 swipes all twelve cards at 23:00 on three nights, a minute apart, ~300 yuan each.
	for _, day := range []int{40, 75, 120} {
		for i, id := range cards {
			w.claim(graph.Claim{PatientID: id, ProviderID: "P02", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
				Start: at(day, 23, i), TotalAmount: graph.FromYuan(298 + float64(i%3)), TerminalID: "T9"})
		}
	}
	// A busy honest morning at P01: many cards within minutes, ordinary amounts, regulars.
	for i := 0; i < 12; i++ {
		id := fmt.Sprintf("N%05d", i)
		for _, day := range []int{50, 51} {
			w.claim(graph.Claim{PatientID: id, ProviderID: "P01", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
				Start: at(day, 9, 2*i), TotalAmount: graph.FromYuan(30 + 20*float64(i)), TerminalID: "T1"})
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindPharmacyCardCollection, cards)
	if r == nil {
		t.Fatalf("card collection not reported: %v", kinds(f))
	}
	if !hasMember(r, graph.Ref{Type: graph.TypePharmacy, ID: "P02"}) {
		t.Errorf("ring lacks the pharmacy: %v", r.Members)
	}
	for _, r := range f.Rings {
		if r.Kind == graph.KindPharmacyCardCollection && hasMember(&r, graph.Ref{Type: graph.TypePharmacy, ID: "P01"}) {
			t.Errorf("busy honest pharmacy reported: %+v", r.Reasons)
		}
	}
}

func hasMember(r *graph.Ring, ref graph.Ref) bool {
	for _, m := range r.Members {
		if m == ref {
			return true
		}
	}
	return false
}

func kinds(f graph.Findings) []string {
	var s []string
	for _, r := range append(f.Rings, f.Leads...) {
		s = append(s, fmt.Sprintf("%s/%s(%d,%.2f)", r.Class, r.Kind, len(r.Members), r.Score))
	}
	return s
}

func TestScreeningRules(t *testing.T) {
	w := newWorld(6, 200)
	w.g.patients = append(w.g.patients, graph.Patient{ID: "Q001", Sex: "F", BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, cst)})
	w.claim(graph.Claim{PatientID: "Q001", ProviderID: "H07", ProviderType: graph.TypeInstitution, Type: graph.ClaimInpatient,
		Start: at(10, 9, 0), End: at(20, 9, 0), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(12000)})
	w.claim(graph.Claim{PatientID: "Q001", ProviderID: "H08", ProviderType: graph.TypeInstitution, Type: graph.ClaimInpatient,
		Start: at(15, 9, 0), End: at(25, 9, 0), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(9000)})
	for i := 0; i < 2; i++ {
		w.claim(graph.Claim{PatientID: "Q001", ProviderID: "H09", ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient,
			Start: at(40, 9, i), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(321)})
	}
	f := detectT(t, &w.g, DefaultParams())
	var e *graph.EntityRisk
	for i := range f.Entities {
		if f.Entities[i].ID == "Q001" {
			e = &f.Entities[i]
		}
	}
	if e == nil {
		t.Fatal("patient Q001 not scored")
	}
	got := map[string]bool{}
	for _, r := range e.Reasons {
		got[r.Code] = true
	}
	for _, c := range []string{"screen_large_claim", "screen_overlapping_stays", "screen_duplicate_claims", "screen_high_frequency"} {
		if !got[c] {
			t.Errorf("reason %s missing from %v", c, e.Reasons)
		}
	}
}

func TestThinExport(t *testing.T) {
	w := newWorld(7, 2000)
	ring := w.addPatients("R", 6, false)
	for _, day := range []int{10, 24, 40, 61, 90} {
		for i, id := range ring {
			w.claim(graph.Claim{PatientID: id, ProviderID: "H03", ProviderType: graph.TypeInstitution, DoctorID: "D030",
				Type: graph.ClaimInpatient, Start: at(day, 9, 5*i), End: at(day+5, 9, 0), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(2000)})
		}
	}
	// Strip every optional column: no pharmacies, phones, addresses, ownership, doctors.
	g := w.g
	g.pharmacies = nil
	var claims []graph.Claim
	for _, c := range g.claims {
		if c.Type != graph.ClaimPharmacy {
			c.DoctorID = ""
			claims = append(claims, c)
		}
	}
	g.claims = claims
	var pats []graph.Patient
	for _, p := range g.patients {
		pats = append(pats, graph.Patient{ID: p.ID})
	}
	g.patients = pats
	var insts []graph.Institution
	for _, in := range g.institutions {
		insts = append(insts, graph.Institution{ID: in.ID})
	}
	g.institutions = insts
	g.doctors = nil
	f := detectT(t, &g, DefaultParams())
	un := map[string]bool{}
	for _, u := range f.Unavailable {
		un[u] = true
	}
	for _, want := range []string{"patient_phone", "institution_ownership", "pharmacies", "claim_doctor"} {
		if !un[want] {
			t.Errorf("unavailable signal %s not reported: %v", want, f.Unavailable)
		}
	}
	if r := ringWith(f, graph.KindCollusionRing, ring); r == nil {
		t.Errorf("ring not found on a thin export: %v", kinds(f))
	}
	provs := 0
	for _, e := range f.Entities {
		if e.Type == graph.TypeInstitution {
			provs++
		}
	}
	if provs != 12 {
		t.Errorf("%d institutions ranked, want all 12", provs)
	}
}

func TestDetectDeterministic(t *testing.T) {
	// Property: for any seed, two runs give byte-identical findings.
	for seed := uint64(1); seed <= 4; seed++ {
		w := newWorld(seed, 300)
		ring := w.addPatients("R", 7, false)
		for _, day := range []int{11, 25, 41, 62} {
			for i, id := range ring {
				w.claim(graph.Claim{PatientID: id, ProviderID: "H06", ProviderType: graph.TypeInstitution, DoctorID: "D061",
					Type: graph.ClaimOutpatient, Start: at(day, 14, i), DiagnosisCode: "K29.7", TotalAmount: graph.FromYuan(500)})
			}
		}
		p := DefaultParams()
		p.Seed = seed * 7919
		a, _ := json.Marshal(detectT(t, &w.g, p))
		b, _ := json.Marshal(detectT(t, &w.g, p))
		if string(a) != string(b) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
	}
}

func TestDetectCancelled(t *testing.T) {
	w := newWorld(8, 200)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Detect(ctx, &w.g, DefaultParams(), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestDetectProgress(t *testing.T) {
	w := newWorld(9, 200)
	last := -1.0
	phases := map[string]bool{}
	_, err := Detect(context.Background(), &w.g, DefaultParams(), func(ph string, pct float64) {
		if pct < last-1e-9 {
			t.Errorf("progress went back: %.1f after %.1f", pct, last)
		}
		last = pct
		phases[ph] = true
	})
	if err != nil {
		t.Fatal(err)
	}
	if last < 99.9 || len(phases) < 5 {
		t.Errorf("progress ended at %.1f with phases %v", last, phases)
	}
}

func TestParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	cases := []struct {
		field string
		mut   func(*Params)
	}{
		{"min_covisit_days", func(p *Params) { p.CoVisit.MinSessions = 1 }},
		{"max_ring_size", func(p *Params) { p.MaxRingSize = 1 }},
		{"damping", func(p *Params) { p.Damping = 1 }},
		{"odd_hour_end", func(p *Params) { p.OddHourEnd = 24 }},
		{"large_claim_yuan", func(p *Params) { p.LargeClaimYuan = 0 }},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			p := DefaultParams()
			c.mut(&p)
			err := p.Validate()
			if graph.ErrorCode(err) != graph.EINVALID || graph.ErrorField(err) != c.field {
				t.Errorf("Validate() = %v, want EINVALID on %s", err, c.field)
			}
		})
	}
}

func TestCardLendingLookalikes(t *testing.T) {
	w := newWorld(10, 300)
	// A single mistyped diagnosis (coding error): a man billed once for vaginitis.
	w.g.patients = append(w.g.patients, graph.Patient{ID: "E001", Sex: "M", BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, cst)})
	w.claim(graph.Claim{PatientID: "E001", ProviderID: "H02", ProviderType: graph.TypeInstitution, DoctorID: "D020",
		Type: graph.ClaimOutpatient, Start: at(30, 10, 0), DiagnosisCode: "N76.0", TotalAmount: graph.FromYuan(120)})
	// A relative buys the owner's usual hypertension drugs at the owner's pharmacy during a stay.
	w.g.patients = append(w.g.patients, graph.Patient{ID: "E002", Sex: "F", BirthDate: time.Date(1950, 1, 1, 0, 0, 0, 0, cst)})
	for _, day := range []int{10, 40, 70, 140, 170} {
		w.claim(graph.Claim{PatientID: "E002", ProviderID: "P01", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
			Start: at(day, 10, 0), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(160), TerminalID: "T1"})
	}
	w.claim(graph.Claim{PatientID: "E002", ProviderID: "H05", ProviderType: graph.TypeInstitution, Type: graph.ClaimInpatient,
		Start: at(100, 9, 0), End: at(115, 9, 0), DiagnosisCode: "I63.9", TotalAmount: graph.FromYuan(13000)})
	w.claim(graph.Claim{PatientID: "E002", ProviderID: "P01", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
		Start: at(106, 18, 0), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(150), TerminalID: "T1"})
	f := detectT(t, &w.g, DefaultParams())
	for _, id := range []string{"E001", "E002"} {
		if r := leadWith(f, graph.KindCardLending, []string{id}); r != nil {
			t.Errorf("honest card %s reported as card lending: %+v", id, r.Reasons)
		}
	}
}

// TestScreeningRingRelativeToPeers checks that the screening_rule lead threshold is a surprise
// against the provider's volume and peers: six busy tertiary hospitals with the same modest
// rate of duplicate claims (twelve patients each) are not rings, while a small clinic whose
// twelve duplicate patients stand out against its peers is.
func TestScreeningRingRelativeToPeers(t *testing.T) {
	w := newWorld(8, 2000)
	var busy []string
	for i := 0; i < 6; i++ {
		id := fmt.Sprintf("T%02d", i)
		busy = append(busy, id)
		w.g.institutions = append(w.g.institutions, graph.Institution{ID: id, Ownership: "public", Level: "三级", Region: "530102"})
	}
	dup := func(prov, pat string, day int) {
		for k := 0; k < 2; k++ {
			w.claim(graph.Claim{PatientID: pat, ProviderID: prov, ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient,
				Start: at(day, 10, 20*k), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(233)})
		}
	}
	for i, id := range busy {
		for v := 0; v < 3000; v++ {
			pat := w.g.patients[w.rng.IntN(2000)].ID
			diag := diagnoses[w.rng.IntN(len(diagnoses))].code
			w.claim(graph.Claim{PatientID: pat, ProviderID: id, ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient,
				Start: at(w.rng.IntN(300), 8+w.rng.IntN(8), w.rng.IntN(60)), DiagnosisCode: diag, TotalAmount: graph.FromYuan(300 + 200*w.rng.Float64())})
		}
		for k := 0; k < 12; k++ {
			dup(id, w.g.patients[100*i+k].ID, 5+k)
		}
	}
	var small []string
	for k := 0; k < 12; k++ {
		pat := w.g.patients[1000+k].ID
		small = append(small, pat)
		dup("H05", pat, 30+k)
	}
	f := detectT(t, &w.g, DefaultParams())
	for _, r := range append(f.Rings, f.Leads...) {
		if r.Kind != graph.KindScreeningRule {
			continue
		}
		for _, m := range r.Members {
			if m.Type == graph.TypeInstitution && m.ID[0] == 'T' {
				t.Errorf("busy hospital %s reported as a screening ring (score %.2f, %v)", m.ID, r.Score, r.Reasons)
			}
		}
	}
	// One provider's claim stream is a lead (a list for on-site checks), never a ring.
	if r := ringWith(f, graph.KindScreeningRule, small); r != nil {
		t.Errorf("screening hits of one provider reported as a ring: %v", r.ID)
	}
	r := leadWith(f, graph.KindScreeningRule, small)
	if r == nil {
		t.Fatalf("small provider with 12 duplicate patients not reported; kinds: %v", kinds(f))
	}
	if !hasMember(r, graph.Ref{Type: graph.TypeInstitution, ID: "H05"}) {
		t.Errorf("screening ring lacks H05: %v", r.Members)
	}
	if v := r.Reasons[0].Values["expected_patients"]; v <= 0 || v >= 3 {
		t.Errorf("expected patients at H05 = %v, want a small positive expectation", v)
	}
}
