package cards

import "testing"

func TestDistantRegions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"530100", "530102", false}, // one city (first four digits: province + city)
		{"530100", "530300", true},  // two cities of one province
		{"530100", "110100", true},
		{"530100", "", false}, // unknown is never distant
		{"KM", "KM", false},
		{"KM", "QJ", true}, // different opaque codes
	} {
		if got := distantRegions(c.a, c.b); got != c.want {
			t.Errorf("distantRegions(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// One misfitting diagnosis can be a coding error — unless it is a stay for the other sex's
// condition; two or more weigh clearly more, capped.
func TestEvidenceWeights(t *testing.T) {
	if !(misfitWeight(1, 0) < 0.5 && misfitWeight(1, 1) >= 0.5 && misfitWeight(2, 0) >= 0.6 && misfitWeight(50, 0) <= 0.9) {
		t.Errorf("misfitWeight: 1 → %v, 1 stay → %v, 2 → %v, 50 → %v", misfitWeight(1, 0), misfitWeight(1, 1), misfitWeight(2, 0), misfitWeight(50, 0))
	}
	if !(inpatientWeight(1) == 0.5 && inpatientWeight(10) <= 0.9 && inpatientWeight(3) > inpatientWeight(2)) {
		t.Error("inpatientWeight must start at 0.5, grow, and stay ≤ 0.9")
	}
	if travelWeight(100) > 0.45 {
		t.Error("travelWeight must be capped at 0.45")
	}
}
