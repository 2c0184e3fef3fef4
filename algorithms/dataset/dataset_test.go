package dataset

import (
	"slices"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestClaimsIndexedByPatientInTimeOrder(t *testing.T) {
	d := New()
	d.AddPatient(graph.Patient{ID: "P1", Phone: " 138 0000 0000 ", Address: "昆明市  五华区 1号"})
	d.AddPatient(graph.Patient{ID: "P2", Phone: "138 0000 0000"})
	d.AddPatient(graph.Patient{ID: "P3", Address: "昆明市 五华区 1号"})
	d.AddPatient(graph.Patient{ID: "P4"})
	d.AddInstitution(graph.Institution{ID: "H1", Level: "三级甲等"})
	d.AddInstitution(graph.Institution{ID: "H2", Level: "社区卫生服务中心"})
	times := []time.Time{day(2025, 3, 9), day(2025, 1, 2), day(2025, 2, 5)}
	for i, at := range times {
		d.AddClaim(graph.Claim{ID: string(rune('a' + i)), PatientID: "P1", ProviderID: "H1", ProviderType: graph.TypeInstitution,
			Type: graph.ClaimOutpatient, Start: at, TotalAmount: graph.FromYuan(10)})
	}
	d.AddClaim(graph.Claim{PatientID: "P2", ProviderID: "H2", ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient, Start: day(2025, 1, 1)})
	d.AddClaim(graph.Claim{PatientID: "PX", ProviderID: "H9", ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient, Start: day(2025, 1, 1)}) // referenced only by a claim
	d.Index()
	p1 := d.patient("P1")
	cs := d.ClaimsOf(p1)
	if len(cs) != 3 || !slices.IsSortedFunc(cs, func(a, b int32) int { return int(d.CStart[a] - d.CStart[b]) }) {
		t.Fatalf("claims of P1 = %v, want 3 in time order", cs)
	}
	if d.Day(cs[0]) != int32(day(2025, 1, 2).Unix()/SecondsPerDay) {
		t.Errorf("first claim day %d", d.Day(cs[0]))
	}
	if d.NPat() != 5 || d.NProv() != 3 {
		t.Errorf("NPat %d, NProv %d: want the claim-only patient and provider interned too", d.NPat(), d.NProv())
	}
	// Phones and addresses are compared after folding spaces.
	if !d.SameHousehold(p1, d.patient("P2")) || !d.SameHousehold(p1, d.patient("P3")) || d.SameHousehold(p1, d.patient("P4")) {
		t.Error("SameHousehold: P1 shares a phone with P2 and an address with P3, nothing with P4")
	}
	if d.Tier(d.provider("H1", Institution)) != TierTertiary || d.Tier(d.provider("H2", Institution)) != TierPrimary || d.Tier(d.provider("H9", Institution)) != TierUnknown {
		t.Error("Tier from level text")
	}
}

func TestAgeAt(t *testing.T) {
	d := New()
	d.AddPatient(graph.Patient{ID: "A", BirthDate: day(1980, 6, 15)})
	d.AddPatient(graph.Patient{ID: "B"})
	at := func(tm time.Time) int32 { return int32(tm.Unix() / SecondsPerDay) }
	a := d.patient("A")
	for _, c := range []struct {
		on   time.Time
		want int
	}{{day(2025, 6, 14), 44}, {day(2025, 6, 15), 45}, {day(2025, 12, 31), 45}, {day(1980, 6, 15), 0}} {
		if got := d.AgeAt(a, at(c.on)); got != c.want {
			t.Errorf("AgeAt(%s) = %d, want %d", c.on.Format(time.DateOnly), got, c.want)
		}
	}
	if d.AgeAt(d.patient("B"), at(day(2025, 1, 1))) != -1 {
		t.Error("unknown birth date must give −1")
	}
}

// TestHouseholdInfections: the infections a household passes around are one class, whether
// coded by the pathogen, the organ or the symptom; chronic codes are not.
func TestHouseholdInfections(t *testing.T) {
	for code, want := range map[string]DiagClass{
		"J11.101": DiagAcuteInfection, "J06.900": DiagAcuteInfection, "A09.900": DiagAcuteInfection,
		"H10.900": DiagAcuteInfection, "R50.900": DiagAcuteInfection, "U07.1": DiagAcuteInfection,
		"B18.1": DiagChronic, "J44.9": DiagChronic, "H25.9": DiagOther, "R51": DiagOther,
	} {
		if got := ClassifyDiagnosis(code); got != want {
			t.Errorf("%s: class %d, want %d", code, got, want)
		}
	}
}
