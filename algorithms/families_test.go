package algorithms

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// The tests below plant, on the honest background of newWorld, one instance of each habit that
// hid rings from the first detectors (split sessions, rotating attendance, a fixed cadence,
// lent cards spread over providers, two collection groups at one pharmacy, admissions on
// paper) and of the honest look-alikes that must stay quiet (dialysis shifts).

func TestRingSplitBetweenTwoDoctors(t *testing.T) {
	w := newWorld(21, 2000)
	ring := w.addPatients("S", 10, false)
	// Each session at private H06 is split between two of its doctors: the first half of the
	// ring sees D060, the second half D061.
	for _, day := range []int{8, 22, 37, 55, 71, 96, 120} {
		for i, id := range ring {
			doc := "D060"
			if i >= len(ring)/2 {
				doc = "D061"
			}
			w.claim(graph.Claim{PatientID: id, ProviderID: "H06", ProviderType: graph.TypeInstitution, DoctorID: doc,
				Type: graph.ClaimOutpatient, Start: at(day, 9, 4*i), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(520)})
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindCollusionRing, ring)
	if r == nil {
		t.Fatalf("ring split between two doctors not reported; findings: %v", kinds(f))
	}
	if n := memberCount(r, ring); n < 8 {
		t.Errorf("ring has %d of the 10 planted cards, want ≥ 8", n)
	}
	for _, doc := range []string{"D060", "D061"} {
		if !hasMember(r, graph.Ref{Type: graph.TypeDoctor, ID: doc}) {
			t.Errorf("ring lacks doctor %s: %v", doc, r.Members)
		}
	}
}

func TestRotatingAttendanceRing(t *testing.T) {
	w := newWorld(22, 2000)
	ring := w.addPatients("A", 20, false)
	// Each session brings a different 6 of the 20 members, so that few pairs meet three times;
	// the ring as a whole keeps coming to H09 on 14 days.
	for s := 0; s < 14; s++ {
		day := 5 + 11*s + w.rng.IntN(3)
		perm := w.rng.Perm(len(ring))
		for k, i := range perm[:6] {
			w.claim(graph.Claim{PatientID: ring[i], ProviderID: "H09", ProviderType: graph.TypeInstitution, DoctorID: "D090",
				Type: graph.ClaimOutpatient, Start: at(day, 14, 6*k), DiagnosisCode: "K29.7", TotalAmount: graph.FromYuan(540)})
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindCollusionRing, ring)
	if r == nil {
		t.Fatalf("rotating ring not reported; findings: %v", kinds(f))
	}
	if r.Score < 0.5 {
		t.Errorf("rotating ring scores %.2f, want ≥ 0.5", r.Score)
	}
}

// A ring that comes every 14 days is not discounted for its regularity: the calendar is not
// evidence of honesty, care is.
// TestTwoRingsOfOneClinicStayApart: a clinic recruits two groups, each coming on its own days;
// on two days both groups came. They are two rings, not one ring of both. (A guard: in this
// small world the candidates already keep them apart; covisit's TestOperations* test the
// splitting of a group that a bridging candidate has united.)
func TestTwoRingsOfOneClinicStayApart(t *testing.T) {
	w := newWorld(29, 2000)
	a, b := w.addPatients("A", 12, false), w.addPatients("B", 10, false)
	visit := func(ids []string, days []int, hour int) {
		for _, day := range days {
			for i, id := range ids {
				w.claim(graph.Claim{PatientID: id, ProviderID: "H06", ProviderType: graph.TypeInstitution, DoctorID: "D060",
					Type: graph.ClaimOutpatient, Start: at(day, hour, 3*i), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(480)})
			}
		}
	}
	visit(a, []int{6, 30, 58, 83, 111, 140, 166, 190}, 9)
	visit(b, []int{15, 30, 47, 70, 94, 111, 125, 152, 171, 199}, 9)
	f := detectT(t, &w.g, DefaultParams())
	ringsApart(t, f, graph.KindCollusionRing, a, b, 2)
}

func TestFixedCadenceRingNotDiscounted(t *testing.T) {
	score := func(cadence bool) float64 {
		w := newWorld(23, 2000)
		ring := w.addPatients("C", 9, false)
		for s := 0; s < 9; s++ {
			day := 6 + 14*s
			if !cadence {
				day = []int{6, 15, 41, 50, 77, 95, 103, 131, 150}[s]
			}
			for i, id := range ring {
				w.claim(graph.Claim{PatientID: id, ProviderID: "H03", ProviderType: graph.TypeInstitution, DoctorID: "D031",
					Type: graph.ClaimOutpatient, Start: at(day, 10, 5*i), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(560)})
			}
		}
		f := detectT(t, &w.g, DefaultParams())
		r := ringWith(f, graph.KindCollusionRing, ring)
		if r == nil {
			t.Fatalf("ring (cadence %v) not reported; findings: %v", cadence, kinds(f))
		}
		for _, rs := range r.Reasons {
			if rs.Code == "regular_schedule" {
				t.Errorf("ring discounted for its schedule: %+v", rs)
			}
		}
		return r.Score
	}
	regular, irregular := score(true), score(false)
	if regular < irregular-0.1 {
		t.Errorf("a ring every 14 days scores %.2f, the same ring on irregular days %.2f", regular, irregular)
	}
}

func TestDialysisShiftNotFlagged(t *testing.T) {
	w := newWorld(24, 1500)
	shift := w.addPatients("Y", 12, false)
	// A public hospital's Monday-Wednesday-Friday morning dialysis shift for 30 weeks: kidney
	// failure on dialysis, the same patients every time, high but ordinary session amounts.
	for week := 0; week < 30; week++ {
		for _, dow := range []int{0, 2, 4} {
			for i, id := range shift {
				w.claim(graph.Claim{PatientID: id, ProviderID: "H04", ProviderType: graph.TypeInstitution, DoctorID: "D040",
					Type: graph.ClaimOutpatient, Start: at(7*week+dow, 7, 3*i), DiagnosisCode: "N18.5", TotalAmount: graph.FromYuan(480)})
			}
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	if r := ringWith(f, graph.KindCollusionRing, shift); r != nil {
		t.Errorf("dialysis shift reported as a ring with score %.2f: %+v", r.Score, r.Reasons)
	}
}

func TestCardLendingGroupAssembled(t *testing.T) {
	w := newWorld(25, 1500)
	// One holder uses four cards sharing his phone at three providers: the cards are swiped one
	// after the other, minutes apart, on the same visits.
	group := w.addPatients("G", 4, false)
	for i := range w.g.patients {
		if p := &w.g.patients[i]; p.ID[0] == 'G' {
			p.Phone = "13800000001"
		}
	}
	provs := []string{"H02", "H05", "H08", "P02"}
	for s := 0; s < 10; s++ {
		day, prov := 9+17*s, provs[s%len(provs)]
		for k, id := range group {
			c := graph.Claim{PatientID: id, ProviderID: prov, ProviderType: graph.TypeInstitution, DoctorID: "D" + prov[1:] + "0",
				Type: graph.ClaimOutpatient, Start: at(day, 16, 3*k), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(330)}
			if prov[0] == 'P' {
				c.ProviderType, c.Type, c.DoctorID, c.TerminalID = graph.TypePharmacy, graph.ClaimPharmacy, "", "T1"
			}
			w.claim(c)
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindCardLending, group)
	if r == nil {
		t.Fatalf("card group not assembled into one ring; findings: %v", kinds(f))
	}
	if n := memberCount(r, group); n < 3 {
		t.Errorf("card group has %d of the 4 cards, want ≥ 3", n)
	}
	if r.Class != graph.ClassRing {
		t.Errorf("card group class %q, want ring", r.Class)
	}
}

func TestTwoCollectionGroupsAtOnePharmacy(t *testing.T) {
	w := newWorld(26, 1500)
	a, b := w.addPatients("U", 10, false), w.addPatients("V", 10, false)
	// Two collectors at pharmacy P03, each swiping his own set of cards in a burst on his own
	// days, at one terminal.
	swipe := func(cards []string, days []int, hour int) {
		for _, day := range days {
			for k, id := range cards {
				w.claim(graph.Claim{PatientID: id, ProviderID: "P03", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
					Start: at(day, hour, 2*k), TotalAmount: graph.FromYuan(380), TerminalID: "T9"})
			}
		}
	}
	swipe(a, []int{12, 42, 73, 104, 135}, 20)
	swipe(b, []int{25, 56, 88, 119, 150}, 21)
	f := detectT(t, &w.g, DefaultParams())
	ringsApart(t, f, graph.KindPharmacyCardCollection, a, b, 2)
}

// TestCollectionBasketsOfVaryingAmount: a collector bills each card for about the same basket,
// not the same sum — amounts within about ±12 % of 380 yuan, the first swipe of a day not
// necessarily the typical one — and the burst is still one set of cards.
func TestCollectionBasketsOfVaryingAmount(t *testing.T) {
	w := newWorld(28, 1500)
	cards := w.addPatients("W", 10, false)
	for _, day := range []int{9, 40, 71, 99, 131} {
		for k, id := range cards {
			yuan := 380 * (1 + 0.12*math.Sin(1.7*float64(k)+float64(day)))
			w.claim(graph.Claim{PatientID: id, ProviderID: "P04", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
				Start: at(day, 9, 3*k), TotalAmount: graph.FromYuan(math.Round(yuan*100) / 100), TerminalID: "T2"})
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindPharmacyCardCollection, cards)
	if r == nil {
		t.Fatalf("collection group of varying amounts not reported; findings: %v", kinds(f))
	}
	if n := memberCount(r, cards); n < 9 {
		t.Errorf("group has %d of the 10 collected cards, want ≥ 9", n)
	}
}

func TestGhostHospitalisationBatch(t *testing.T) {
	w := newWorld(27, 1500)
	ghosts := w.addPatients("Z", 8, false)
	// Private H00 admits the eight in two batches; during each stay the patient shows up at a
	// pharmacy and at another clinic, and no care is billed beyond the bed.
	for b, start := range []int{40, 160} {
		for i, id := range ghosts {
			adm := at(start+i%2, 9, 10*i)
			w.claim(graph.Claim{PatientID: id, ProviderID: "H00", ProviderType: graph.TypeInstitution, DoctorID: "D000",
				Type: graph.ClaimInpatient, Start: adm, End: adm.Add(9 * 24 * time.Hour), DiagnosisCode: "M54.5",
				TotalAmount: graph.FromYuan(6800 + 100*float64(b))})
			w.claim(graph.Claim{PatientID: id, ProviderID: "P01", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
				Start: at(start+3, 11, i), TotalAmount: graph.FromYuan(90), TerminalID: "T1"})
			w.visit(id, 7, start+5, "J06.9", 1)
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindGhostHospitalization, ghosts)
	if r == nil {
		t.Fatalf("ghost admissions not reported as a ring; findings: %v", kinds(f))
	}
	if !hasMember(r, graph.Ref{Type: graph.TypeInstitution, ID: "H00"}) {
		t.Errorf("ghost ring lacks the admitting hospital: %v", r.Members)
	}
}

// Every reported ring has at least two cards and every finding's expected amount is score ×
// amount; leads and rings are ranked by it.
func TestRingsAndLeadsApart(t *testing.T) {
	w := newWorld(28, 1500)
	ring := w.addPatients("R", 8, false)
	for _, day := range []int{10, 24, 40, 61, 90, 130} {
		for i, id := range ring {
			w.claim(graph.Claim{PatientID: id, ProviderID: "H03", ProviderType: graph.TypeInstitution, DoctorID: "D030",
				Type: graph.ClaimOutpatient, Start: at(day, 9, 5*i), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(600)})
		}
	}
	w.g.patients = append(w.g.patients, graph.Patient{ID: "X001", Sex: "M", BirthDate: time.Date(1938, 1, 1, 0, 0, 0, 0, cst), DeathDate: at(20, 0, 0)})
	for _, day := range []int{40, 70, 100} {
		w.claim(graph.Claim{PatientID: "X001", ProviderID: "H06", ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient,
			Start: at(day, 9, 0), DiagnosisCode: "I10", TotalAmount: graph.FromYuan(250)})
	}
	f := detectT(t, &w.g, DefaultParams())
	if len(f.Rings) == 0 || len(f.Leads) == 0 {
		t.Fatalf("want both rings and leads; findings: %v", kinds(f))
	}
	for class, rs := range map[string][]graph.Ring{graph.ClassRing: f.Rings, graph.ClassLead: f.Leads} {
		for i, r := range rs {
			if r.Class != class {
				t.Errorf("%s in the %s list has class %q", r.ID, class, r.Class)
			}
			if class == graph.ClassRing && r.Patients < 2 {
				t.Errorf("ring %s has %d cards", r.ID, r.Patients)
			}
			if want := graph.Money(float64(r.Amount)*r.Score + 0.5); r.ExpectedAmount != want {
				t.Errorf("%s expected amount %v, want score × amount %v", r.ID, r.ExpectedAmount, want)
			}
			if i > 0 && r.ExpectedAmount > rs[i-1].ExpectedAmount {
				t.Errorf("%s list not ranked by expected amount at %d", class, i)
			}
		}
	}
	if leadWith(f, graph.KindDeceasedClaims, []string{"X001"}) == nil {
		t.Errorf("claims after death not a lead; findings: %v", kinds(f))
	}
	if ringWith(f, graph.KindCollusionRing, ring) == nil {
		t.Errorf("collusion ring not reported; findings: %v", kinds(f))
	}
}

// ringsApart checks that groups a and b planted at one provider are reported as two rings of
// kind, neither holding more than foreign members of the other, and returns them.
func ringsApart(t *testing.T, f graph.Findings, kind string, a, b []string, foreign int) (ra, rb *graph.Ring) {
	t.Helper()
	ra, rb = ringWith(f, kind, a), ringWith(f, kind, b)
	if ra == nil || rb == nil {
		t.Fatalf("%s groups not both reported (A %v, B %v); findings: %v", kind, ra != nil, rb != nil, kinds(f))
	}
	if ra.ID == rb.ID {
		t.Fatalf("the two %s groups are one ring %s", kind, ra.ID)
	}
	if memberCount(ra, b) > foreign || memberCount(rb, a) > foreign {
		t.Errorf("groups mixed: A ring holds %d of B, B ring holds %d of A, want ≤ %d", memberCount(ra, b), memberCount(rb, a), foreign)
	}
	return ra, rb
}

func memberCount(r *graph.Ring, ids []string) int {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	n := 0
	for _, m := range r.Members {
		if m.Type == graph.TypePatient && want[m.ID] {
			n++
		}
	}
	return n
}

// honestStays adds n ordinary inpatient stays at institution inst, admitted by its three
// doctors on random days, the patients seen nowhere else meanwhile.
func (w *world) honestStays(inst, n int) {
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("N%05d", w.rng.IntN(len(w.g.patients)/2))
		adm := at(w.rng.IntN(300), 8+w.rng.IntN(8), w.rng.IntN(60))
		w.claim(graph.Claim{PatientID: id, ProviderID: fmt.Sprintf("H%02d", inst), ProviderType: graph.TypeInstitution,
			DoctorID: fmt.Sprintf("D%02d%d", inst, w.rng.IntN(3)), Type: graph.ClaimInpatient, Start: adm,
			End: adm.Add(time.Duration(3+w.rng.IntN(8)) * 24 * time.Hour), DiagnosisCode: "J20.9", TotalAmount: graph.FromYuan(3000 + 2000*w.rng.Float64())})
	}
}

// paperStays admits ids at institution inst by doctor doc on the days of each batch (the
// members spread over two days); members with an even index are seen at a pharmacy and a
// clinic during the stay, the others leave no trace.
func (w *world) paperStays(ids []string, inst int, doc string, batches ...int) {
	for _, start := range batches {
		for i, id := range ids {
			adm := at(start+i%2, 9, 10*i)
			w.claim(graph.Claim{PatientID: id, ProviderID: fmt.Sprintf("H%02d", inst), ProviderType: graph.TypeInstitution, DoctorID: doc,
				Type: graph.ClaimInpatient, Start: adm, End: adm.Add(8 * 24 * time.Hour), DiagnosisCode: "M54.5", TotalAmount: graph.FromYuan(5200)})
			if i%2 == 0 {
				w.claim(graph.Claim{PatientID: id, ProviderID: "P01", ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
					Start: at(start+3, 11, i), TotalAmount: graph.FromYuan(90), TerminalID: "T1"})
				w.visit(id, 7, start+5, "J06.9", 1)
			}
		}
	}
}

// Two paper-admission groups at one public hospital with an ordinary inpatient flow, sharing a
// doctor, admitted on the same days once: two rings, each holding its own recruits — also those
// whose stays left no trace elsewhere — and not the other group's.
func TestTwoGhostGroupsAtOneHospitalStayApart(t *testing.T) {
	w := newWorld(29, 1500)
	w.honestStays(1, 120)
	a, b := w.addPatients("GA", 8, false), w.addPatients("GB", 8, false)
	w.paperStays(a, 1, "D010", 40, 150, 260)
	w.paperStays(b, 1, "D010", 90, 200, 261)
	f := detectT(t, &w.g, DefaultParams())
	ra, rb := ringsApart(t, f, graph.KindGhostHospitalization, a, b, 1)
	if memberCount(ra, a) < 7 || memberCount(rb, b) < 7 {
		t.Errorf("rings hold %d of A's and %d of B's 8 recruits, want ≥ 7 each", memberCount(ra, a), memberCount(rb, b))
	}
}

// One batch of nine admitted in two days by a doctor who admits about one patient a week; only
// the even-indexed five were seen elsewhere meanwhile. The surge brings the other four in.
func TestGhostBatchTakesTheDoctorsSurge(t *testing.T) {
	w := newWorld(30, 1500)
	w.honestStays(2, 150)
	g := w.addPatients("GS", 9, false)
	w.paperStays(g, 2, "D021", 120)
	f := detectT(t, &w.g, DefaultParams())
	r := ringWith(f, graph.KindGhostHospitalization, g)
	if r == nil {
		t.Fatalf("ghost batch not reported; findings: %v", kinds(f))
	}
	if n := memberCount(r, g); n < 9 {
		t.Errorf("ring holds %d of the 9 admitted, want 9 (reasons %v)", n, r.Reasons)
	}
	if r.Patients > 11 {
		t.Errorf("ring has %d patients: the doctor's ordinary admissions of those days swamp it", r.Patients)
	}
}
