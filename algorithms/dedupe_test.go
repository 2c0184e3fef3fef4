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

// TestCounterOnlyGroupInsideRing: cards linked only by use one after another at a counter, or on
// the same outings at different providers, mostly inside a collusion ring at one of its
// providers, are the ring's session seen card by card and are dropped; the same cards with a
// holder's phone, or at a provider the ring does not use, stay.
func TestCounterOnlyGroupInsideRing(t *testing.T) {
	reasons := func(codes ...string) []graph.Reason {
		var rs []graph.Reason
		for _, c := range codes {
			rs = append(rs, graph.Reason{Code: c})
		}
		return rs
	}
	cand := func(id, kind string, pats []int32, provs []int32, rs []graph.Reason) finding.Candidate {
		return finding.Candidate{Pats: pats, Provs: provs, Ring: graph.Ring{ID: id, Kind: kind, Reasons: rs}}
	}
	ring := make([]int32, 12)
	for i := range ring {
		ring[i] = int32(i)
	}
	cs := []finding.Candidate{
		cand("ring", graph.KindCollusionRing, ring, []int32{1}, reasons("covisit_days")),
		// two of three in the ring, at the ring's clinic and a pharmacy: the session
		cand("session-piece", graph.KindCardLending, []int32{2, 5, 30}, []int32{1, 7}, reasons("cards_used_together", "same_diagnosis")),
		// the same cards with a phone on different addresses: a holder may be a ring member
		cand("holder-phone", graph.KindCardLending, []int32{3, 6, 31}, []int32{1}, reasons("cards_used_together", "shared_phone_other_address")),
		// used on outings at several providers: a holder
		cand("outings", graph.KindCardLending, []int32{4, 7, 32}, []int32{1, 8}, reasons("cards_used_on_outings")),
		// linked on outings at different providers only: the members going on to a pharmacy
		// or their own clinic after the session
		cand("session-apart", graph.KindCardLending, []int32{0, 1, 11, 33, 34}, []int32{1, 7}, reasons("cards_used_across_providers", "several_providers")),
		// the same, with a holder's phone on cards of other addresses
		cand("apart-phone", graph.KindCardLending, []int32{0, 11, 35}, []int32{1, 7}, reasons("cards_used_across_providers", "shared_phone_other_address")),
		// at a provider the ring does not use
		cand("elsewhere", graph.KindCardLending, []int32{8, 9}, []int32{9}, reasons("cards_used_together")),
		// one card of three in the ring: not its session
		cand("one-inside", graph.KindCardLending, []int32{10, 40, 41}, []int32{1}, reasons("cards_used_together")),
	}
	var kept []string
	for _, c := range dedupe(cs) {
		kept = append(kept, c.Ring.ID)
	}
	slices.Sort(kept)
	if want := []string{"apart-phone", "elsewhere", "holder-phone", "one-inside", "outings", "ring"}; !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
}
