package algorithms

import (
	"fmt"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// A hospital that splits one episode into two stays (分解住院) is one screening lead naming it and
// the split patients; the look-alikes stay quiet: chemotherapy cycles every two to three weeks,
// transfers to another hospital the next day, and the few early readmissions any hospital has.
func TestSplitAdmissionsAtOneHospital(t *testing.T) {
	w := newWorld(41, 1500)
	for inst := 1; inst <= 8; inst++ {
		w.honestStays(inst, 60)
	}
	next := 1000 // patients N01000… have no stays from honestStays
	patient := func() string { next++; return fmt.Sprintf("N%05d", next) }
	// Every hospital has an early readmission or two for the same illness (relapse, complication).
	for inst := 1; inst <= 8; inst++ {
		for range 2 {
			id, day := patient(), 20+w.rng.IntN(200)
			w.stay(id, inst, day, 5, "J18.9", 4000)
			w.stay(id, inst, day+5+w.rng.IntN(8), 4, "J18.0", 3500)
		}
	}
	// H05 treats cancer: 12 patients on chemotherapy cycles every 14–21 days.
	for range 12 {
		id, day := patient(), w.rng.IntN(60)
		for cycle := range 6 {
			dx := "Z51.1"
			if cycle == 0 {
				dx = "C34.9"
			}
			w.stay(id, 5, day, 2, dx, 6000)
			day += 14 + w.rng.IntN(8)
		}
	}
	// Transfers: discharged from H02, admitted to H03 the next day with the same illness.
	for range 8 {
		id, day := patient(), 30+w.rng.IntN(200)
		w.stay(id, 2, day, 3, "I63.9", 5000)
		w.stay(id, 3, day+4, 10, "I63.9", 9000)
	}
	// H07 splits: 16 patients discharged and admitted again 0–3 days later for the same
	// illness; four of them split twice.
	var split []string
	for i := range 16 {
		id, day := patient(), 10+w.rng.IntN(250)
		split = append(split, id)
		w.stay(id, 7, day, 4, "J44.1", 3800)
		day += 4 + w.rng.IntN(4)
		w.stay(id, 7, day, 4, "J44.9", 3600)
		if i < 4 {
			w.stay(id, 7, day+4+w.rng.IntN(3), 3, "J44.1", 3000)
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	var leads []*graph.Ring
	for i := range f.Leads {
		if hasReasonCode(&f.Leads[i], "split_admission") {
			leads = append(leads, &f.Leads[i])
		}
	}
	if len(leads) != 1 {
		t.Fatalf("%d split-admission leads, want 1 (H07): %v", len(leads), kinds(f))
	}
	l := leads[0]
	if l.Kind != graph.KindScreeningRule || !hasMember(l, graph.Ref{Type: graph.TypeInstitution, ID: "H07"}) {
		t.Errorf("split-admission lead is %s naming %v, want a screening lead on H07", l.Kind, l.Members)
	}
	if n := memberCount(l, split); n < 15 {
		t.Errorf("lead names %d of the 16 split patients, want ≥ 15", n)
	}
	for _, r := range l.Reasons {
		if r.Code == "split_admission" && r.Values["readmissions"] < 20 {
			t.Errorf("reason counts %v readmissions, want the 20 planted: %v", r.Values["readmissions"], r.Values)
		}
	}
	p := DefaultParams()
	p.Screening.SplitAdmissionDays = 0
	for _, r := range detectT(t, &w.g, p).Leads {
		if hasReasonCode(&r, "split_admission") {
			t.Fatal("split_admission_days 0 still reports split admissions")
		}
	}
}

// Where there are few hospitals, a splitting hospital's own readmissions would make much of the
// pooled rate it is judged against: the rate is the other hospitals'.
func TestSplitAdmissionsAmongFewHospitals(t *testing.T) {
	w := newWorld(43, 1200)
	for inst := 1; inst <= 4; inst++ {
		w.honestStays(inst, 100)
	}
	next := 1000
	for inst := 1; inst <= 4; inst++ { // one honest early readmission at every hospital
		next++
		id, day := fmt.Sprintf("N%05d", next), 30+20*inst
		w.stay(id, inst, day, 5, "J18.9", 4000)
		w.stay(id, inst, day+9, 4, "J18.9", 4000)
	}
	var split []string
	for i := range 8 { // H03 splits eight patients' stays
		next++
		id, day := fmt.Sprintf("N%05d", next), 20+30*i
		split = append(split, id)
		w.stay(id, 3, day, 4, "J44.1", 4000)
		w.stay(id, 3, day+5, 4, "J44.1", 4000)
	}
	f := detectT(t, &w.g, DefaultParams())
	for i := range f.Leads {
		if l := &f.Leads[i]; hasReasonCode(l, "split_admission") && hasMember(l, graph.Ref{Type: graph.TypeInstitution, ID: "H03"}) && memberCount(l, split) >= 8 {
			return
		}
	}
	t.Fatalf("H03's split admissions not reported among four hospitals: %v", kinds(f))
}

// Where several hospitals split stays, the blatant ones are peeled off the rate before the
// milder ones are judged: a hospital splitting one stay in ten is found beside six that split
// two in five.
func TestSplitAdmissionsMildBesideBlatant(t *testing.T) {
	w := newWorld(44, 3000)
	next := 1000
	patient := func() string { next++; return fmt.Sprintf("N%05d", next) }
	// Every hospital: 200 stays, of which it splits share.
	var mild []string
	for inst := 1; inst <= 11; inst++ {
		share := 0.02
		switch {
		case inst <= 6:
			share = 0.4
		case inst == 7:
			share = 0.1
		}
		for i := range 200 {
			id, day := patient(), 5+(i*37+inst*11)%330
			if w.rng.Float64() < share {
				w.stay(id, inst, day, 4, "J44.1", 4000)
				w.stay(id, inst, day+4+1+w.rng.IntN(3), 4, "J44.9", 4000)
				if inst == 7 {
					mild = append(mild, id)
				}
				continue
			}
			w.stay(id, inst, day, 5+w.rng.IntN(5), "J18.9", 4000)
		}
	}
	f := detectT(t, &w.g, DefaultParams())
	for i := range f.Leads {
		if l := &f.Leads[i]; hasReasonCode(l, "split_admission") && hasMember(l, graph.Ref{Type: graph.TypeInstitution, ID: "H07"}) {
			if memberCount(l, mild) < len(mild)*9/10 {
				t.Errorf("H07's lead names %d of its %d split patients", memberCount(l, mild), len(mild))
			}
			return
		}
	}
	t.Fatalf("H07 (one stay in ten split) not reported beside six hospitals splitting two in five: %v", kinds(f))
}

// stay adds an inpatient stay of patient id at institution inst, admitted on day for los days
// by one of its doctors.
func (w *world) stay(id string, inst, day, los int, dx string, yuan float64) {
	adm := at(day, 9, w.rng.IntN(60))
	w.claim(graph.Claim{PatientID: id, ProviderID: fmt.Sprintf("H%02d", inst), ProviderType: graph.TypeInstitution,
		DoctorID: fmt.Sprintf("D%02d%d", inst, w.rng.IntN(3)), Type: graph.ClaimInpatient, Start: adm,
		End: adm.Add(time.Duration(los) * 24 * time.Hour), DiagnosisCode: dx, TotalAmount: graph.FromYuan(yuan)})
}
