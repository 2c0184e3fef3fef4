package algorithms

import (
	"slices"
	"testing"

	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// TestCounterGroupInsideRing: a card group used together at one counter that is a collusion
// ring's session seen again (the same cards, or five cards or more of a larger ring at that
// provider) is reported once, as the ring; two to four cards inside a ring can be a holder's
// and stay, as does a group at another provider.
func TestCounterGroupInsideRing(t *testing.T) {
	seq := func(lo, hi int32) []int32 {
		var out []int32
		for i := lo; i < hi; i++ {
			out = append(out, i)
		}
		return out
	}
	cand := func(id, kind string, pats []int32, prov int32) finding.Candidate {
		return finding.Candidate{Pats: pats, Provs: []int32{prov}, Ring: graph.Ring{ID: id, Kind: kind}}
	}
	cs := []finding.Candidate{
		cand("ring", graph.KindCollusionRing, seq(0, 20), 1),
		cand("same-session", graph.KindCardLending, seq(0, 6), 1),   // six of the ring's cards at its clinic
		cand("small-holder", graph.KindCardLending, seq(10, 14), 1), // four cards: may be a holder's
		cand("elsewhere", graph.KindCardLending, seq(0, 6), 2),      // the same cards at another provider
		cand("ring-b", graph.KindCollusionRing, seq(40, 46), 3),
		cand("ring-b-again", graph.KindCardLending, seq(40, 46), 3), // the same six cards twice
	}
	var kept []string
	for _, c := range dedupe(cs) {
		kept = append(kept, c.Ring.ID)
	}
	slices.Sort(kept)
	if want := []string{"elsewhere", "ring", "ring-b", "small-holder"}; !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
}
