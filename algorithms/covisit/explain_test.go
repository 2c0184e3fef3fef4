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
