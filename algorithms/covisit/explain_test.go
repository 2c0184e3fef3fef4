package covisit

import (
	"testing"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
)

// A chronic-disease day explains a group only when nearly every session claim is a long-term
// condition's follow-up: a group that also comes, session after session, for back pain or a
// cold beside its chronic claims is not a clinic's follow-up day.
func TestChronicDayNeedsNearlyEveryClaimChronic(t *testing.T) {
	day := func(share float64) float64 {
		f := features{chronicDiag: share, inflation: 1, batchGap: -1}
		return explain(f, dataset.OwnPublic, dataset.TierPrimary).chronic
	}
	if got := day(0.98); got < 0.9 {
		t.Errorf("98 %% chronic session claims: chronic-day explanation %.2f, want ≥ 0.9", got)
	}
	if got := day(0.75); got > 0.5 {
		t.Errorf("75 %% chronic session claims: chronic-day explanation %.2f, want ≤ 0.5", got)
	}
	if got := day(0.6); got != 0 {
		t.Errorf("60 %% chronic session claims: chronic-day explanation %.2f, want 0", got)
	}
}

// A chronic-disease day is a schedule: each patient comes back at a steady interval, as the
// prescription runs out (a skipped month does not change the typical interval). Members
// called to random sessions come back at irregular intervals, and the explanation is withheld
// (and says so).
func TestIrregularFollowUpsVoidChronicDay(t *testing.T) {
	if v, ok := intervalSpread([]int32{0, 28, 56, 112, 140, 168}); !ok || v > 0.01 {
		t.Errorf("monthly follow-ups with a skipped month: spread %.2f (%v), want 0", v, ok)
	}
	if v, ok := intervalSpread([]int32{0, 7, 30, 37, 80, 84}); !ok || v <= 0.25 {
		t.Errorf("sessions at random: spread %.2f (%v), want > 0.25", v, ok)
	}
	if _, ok := intervalSpread([]int32{0, 28, 56}); ok {
		t.Error("three visits: want no interval spread")
	}
	ex := func(irregular float64) explanation {
		f := features{chronicDiag: 0.98, inflation: 1, batchGap: -1, irregular: irregular}
		return explain(f, dataset.OwnPublic, dataset.TierPrimary)
	}
	if e := ex(0.1); e.chronic < 0.9 || e.unsteadyChronic != 0 {
		t.Errorf("10 %% irregular members: explanation %.2f (withheld %.2f), want ≥ 0.9 (none)", e.chronic, e.unsteadyChronic)
	}
	if e := ex(0.9); e.chronic != 0 || e.unsteadyChronic < 0.9 {
		t.Errorf("90 %% irregular members: explanation %.2f (withheld %.2f), want 0 (≥ 0.9)", e.chronic, e.unsteadyChronic)
	}
}
