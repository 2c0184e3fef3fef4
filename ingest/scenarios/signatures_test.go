package scenarios_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest"
	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

// claimsOf reads a generated directory back through the project's CSV reader and returns the
// claims by patient and the patients by id.
func claimsOf(t *testing.T, dir string) (map[string][]graph.Claim, map[string]graph.Patient) {
	t.Helper()
	ctx := context.Background()
	d, err := ingest.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	pats := map[string]graph.Patient{}
	if err := d.ScanPatients(ctx, func(p graph.Patient) error { pats[p.ID] = p; return nil }); err != nil {
		t.Fatal(err)
	}
	byPatient := map[string][]graph.Claim{}
	if err := d.ScanClaims(ctx, func(c graph.Claim) error {
		byPatient[c.PatientID] = append(byPatient[c.PatientID], c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return byPatient, pats
}

func ids(refs []graph.Ref, typ graph.EntityType) []string {
	var out []string
	for _, r := range refs {
		if r.Type == typ {
			out = append(out, r.ID)
		}
	}
	return out
}

func dayOf(t time.Time) string { return t.Format(time.DateOnly) }

// age returns whole years at day t.
func age(p graph.Patient, t time.Time) int {
	a := t.Year() - p.BirthDate.Year()
	if t.YearDay() < p.BirthDate.YearDay() {
		a--
	}
	return a
}

// TestPatternSignatures reads the files back and checks that each pattern left the trace its
// documentation promises (docs/scenarios.md): the behaviour is in the claims, not only in
// truth.json.
func TestPatternSignatures(t *testing.T) {
	dir, s := write(t, scenarios.DefaultConfig(6000, 21))
	byPatient, pats := claimsOf(t, dir)
	tr := s.Truth()
	groups := append(append(append([]graph.TruthRing{}, tr.Rings...), tr.Leads...), tr.Lookalikes...)
	checked := map[string]int{}
	for _, g := range groups {
		members := ids(g.Members, graph.TypePatient)
		provs := ids(g.Providers, graph.TypeInstitution)
		provs = append(provs, ids(g.Providers, graph.TypePharmacy)...)
		// at: the members' claims at the group's providers; perDay: members per day there.
		var at []graph.Claim
		perDay := map[string]map[string]bool{}
		for _, m := range members {
			for _, c := range byPatient[m] {
				if slices.Contains(provs, c.ProviderID) {
					at = append(at, c)
					if perDay[dayOf(c.Start)] == nil {
						perDay[dayOf(c.Start)] = map[string]bool{}
					}
					perDay[dayOf(c.Start)][m] = true
				}
			}
		}
		maxDay := 0
		var busyDays []string
		for d, ms := range perDay {
			maxDay = max(maxDay, len(ms))
			if len(ms) >= 3 {
				busyDays = append(busyDays, d)
			}
		}
		slices.Sort(busyDays)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("%s (%s): "+format, append([]any{g.ID, g.Note}, args...)...)
		}
		checked[g.Pattern]++
		switch g.Pattern {
		case "two_doctor_sessions":
			docs := map[string]bool{}
			for _, c := range at {
				if len(perDay[dayOf(c.Start)]) >= 3 {
					docs[c.DoctorID] = true
				}
			}
			if len(docs) < 2 {
				fail("sessions seen by %d doctor(s)", len(docs))
			}
		case "rotating_attendance":
			if len(members) < 10 || maxDay > 10 || len(busyDays) < 5 {
				fail("%d members, at most %d a day, %d days with ≥ 3", len(members), maxDay, len(busyDays))
			}
		case "fixed_cadence_ring":
			var gaps []int
			for i := 1; i < len(busyDays); i++ {
				a, _ := time.Parse(time.DateOnly, busyDays[i-1])
				b, _ := time.Parse(time.DateOnly, busyDays[i])
				gaps = append(gaps, int(b.Sub(a).Hours()/24))
			}
			if len(gaps) < 3 {
				fail("only %d session days", len(busyDays))
				break
			}
			step := slices.Min(gaps)
			for _, gp := range gaps {
				if gp%step != 0 {
					fail("session gaps %v are not multiples of %d", gaps, step)
					break
				}
			}
		case "pharmacy_collection_groups":
			terms := map[string]int{}
			for _, c := range at {
				terms[c.TerminalID]++
			}
			top := 0
			for _, n := range terms {
				top = max(top, n)
			}
			if len(at) < 10 || float64(top) < 0.8*float64(len(at)) {
				fail("%d swipes, %d on the busiest terminal", len(at), top)
			}
		case "ghost_hospitalisation", "induced_admissions":
			elsewhere := 0
			for _, m := range members {
				for _, st := range byPatient[m] {
					if st.Type != graph.ClaimInpatient || !slices.Contains(provs, st.ProviderID) {
						continue
					}
					for _, c := range byPatient[m] {
						if c.ProviderID != st.ProviderID && c.Start.After(st.Start) && c.Start.Before(st.End) {
							elsewhere++
						}
					}
				}
			}
			if (g.Pattern == "ghost_hospitalisation") != (elsewhere > 0) {
				fail("%d claims elsewhere during the stays", elsewhere)
			}
		case "card_lending_group":
			sameDay := false
			for _, ms := range perDay {
				sameDay = sameDay || len(ms) >= 2
			}
			if !sameDay {
				fail("no day with two of the group's cards used")
			}
		case "community_chronic_fabrication":
			batch := false
			for d, ms := range perDay {
				if len(ms) < 5 {
					continue
				}
				var times []time.Time
				for _, c := range at {
					if dayOf(c.Start) == d {
						times = append(times, c.Start)
					}
				}
				slices.SortFunc(times, time.Time.Compare)
				// Five entries typed within twenty minutes.
				for i := 4; i < len(times); i++ {
					batch = batch || times[i].Sub(times[i-4]) <= 20*time.Minute
				}
			}
			if !batch {
				fail("no batch of five entries within 20 minutes")
			}
		case "dialysis_shift":
			for _, m := range members {
				wd := map[time.Weekday]bool{}
				for _, c := range byPatient[m] {
					if c.DiagnosisCode == "N18.500" {
						wd[c.Start.Weekday()] = true
					}
				}
				if len(wd) == 0 || len(wd) > 3 {
					fail("patient %s dialysed on %d weekdays", m, len(wd))
				}
			}
		case "chronic_clinic_day":
			doc := ids(g.Members, graph.TypeDoctor)
			wd := map[time.Weekday]bool{}
			for _, c := range at {
				if slices.Contains(doc, c.DoctorID) && c.Start.Hour() < 12 && len(perDay[dayOf(c.Start)]) >= 3 {
					wd[c.Start.Weekday()] = true
				}
			}
			if len(wd) != 1 {
				fail("clinic days on %d weekdays", len(wd))
			}
		case "household":
			if maxDay < 2 {
				fail("members never at one provider on one day")
			}
		case "impersonation":
			misfit := false
			p := pats[members[0]]
			for _, c := range byPatient[members[0]] {
				switch c.DiagnosisCode {
				case "O80.000", "Z34.900":
					misfit = misfit || p.Sex == "M"
				case "J44.900", "I69.300", "I25.100", "S72.000", "M81.000", "I63.900":
					misfit = misfit || age(p, c.Start) < 40
				}
			}
			if !misfit {
				fail("no claim that misfits the card owner")
			}
		case "cross_region_duplicate":
			var stays []graph.Claim
			for _, c := range byPatient[members[0]] {
				if c.Type == graph.ClaimInpatient && slices.Contains(provs, c.ProviderID) {
					stays = append(stays, c)
				}
			}
			if len(stays) != 2 || stays[0].ProviderID == stays[1].ProviderID || !stays[0].Start.Before(stays[1].End) || !stays[1].Start.Before(stays[0].End) {
				fail("want two overlapping stays at two hospitals, got %d", len(stays))
			}
		case "drug_reselling":
			week := false
			cs := byPatient[members[0]]
			for _, c := range cs {
				where := map[string]bool{}
				for _, e := range cs {
					if e.DiagnosisCode == c.DiagnosisCode && !e.Start.Before(c.Start) && e.Start.Sub(c.Start) < 7*24*time.Hour {
						where[e.ProviderID] = true
					}
				}
				week = week || len(where) >= 3
			}
			if !week {
				fail("no week with one diagnosis at three providers")
			}
		case "split_admission", "chemotherapy_cycles", "early_readmission", "transfer_or_staged", "rehabilitation_after_acute":
			for _, m := range members {
				if why := lateSignature(g, byPatient[m], provs); why != "" {
					fail("patient %s: %s", m, why)
				}
			}
		default:
			checked[g.Pattern]--
		}
	}
	for _, p := range []string{"two_doctor_sessions", "rotating_attendance", "fixed_cadence_ring", "pharmacy_collection_groups",
		"ghost_hospitalisation", "induced_admissions", "card_lending_group", "community_chronic_fabrication",
		"dialysis_shift", "chronic_clinic_day", "household", "impersonation", "cross_region_duplicate", "drug_reselling",
		"split_admission", "chemotherapy_cycles", "early_readmission", "transfer_or_staged", "rehabilitation_after_acute"} {
		if checked[p] == 0 {
			t.Errorf("pattern %s not checked", p)
		}
	}
}

// lateSignature checks one member of a split-admission or readmission group: nothing else is
// billed while they are admitted, and their stays follow one another as the pattern promises.
// It returns what is wrong, or "".
func lateSignature(g graph.TruthRing, cs []graph.Claim, provs []string) string {
	var stays []graph.Claim
	for _, c := range cs {
		if c.Type == graph.ClaimInpatient {
			stays = append(stays, c)
		}
	}
	slices.SortFunc(stays, func(a, b graph.Claim) int { return a.Start.Compare(b.Start) })
	for _, s := range stays {
		for _, c := range cs {
			if c.ID != s.ID && c.Start.After(s.Start) && c.Start.Before(s.End) {
				return fmt.Sprintf("claim %s starts during the stay %s", c.ID, s.ID)
			}
		}
	}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	gap := func(a, b graph.Claim) int { return int(day(b.Start).Sub(day(a.End)).Hours() / 24) }
	cat := func(c graph.Claim) string { return c.DiagnosisCode[:min(3, len(c.DiagnosisCode))] }
	pairs := 0
	for i := 1; i < len(stays); i++ {
		a, b := stays[i-1], stays[i]
		at := slices.Contains(provs, a.ProviderID) && slices.Contains(provs, b.ProviderID)
		switch {
		case g.Pattern == "split_admission":
			if at && a.ProviderID == b.ProviderID && gap(a, b) <= 10 && cat(a) == cat(b) && b.End.Sub(b.Start) < 14*24*time.Hour {
				pairs++
			}
		case g.Pattern == "chemotherapy_cycles":
			d := int(day(b.Start).Sub(day(a.Start)).Hours() / 24)
			chemo := func(c graph.Claim) bool { return c.DiagnosisCode[0] == 'C' || cat(c) == "Z51" }
			if at && chemo(a) && chemo(b) && d >= 12 && d <= 31 && b.End.Sub(b.Start) <= 4*24*time.Hour+12*time.Hour {
				pairs++
			}
		case g.Pattern == "early_readmission":
			if at && a.ProviderID == b.ProviderID && gap(a, b) >= 1 && gap(a, b) <= 15 {
				pairs++
			}
		case g.Kind == "transfer":
			if at && a.ProviderID != b.ProviderID && gap(a, b) <= 1 && !b.Start.Before(a.End) {
				pairs++
			}
		case g.Kind == "staged_treatment":
			if at && a.ProviderID == b.ProviderID && gap(a, b) >= 21 {
				pairs++
			}
		case g.Pattern == "rehabilitation_after_acute":
			rehab := cat(b) == "Z50" || cat(b) == "I69" || cat(b) == "T93"
			if at && (cat(a) == "I63" || cat(a) == "S72") && rehab && gap(a, b) <= 5 && !b.Start.Before(a.End) {
				pairs++
			}
		}
	}
	if pairs == 0 {
		return fmt.Sprintf("no pair of stays with the %s signature among %d stays", g.Pattern, len(stays))
	}
	return ""
}
