package cards

import (
	"math"
	"slices"
	"testing"
)

// TestSameWeekdays: cards visiting on any day of the week expect days_a·days_b/span shared
// days; two patients of one weekly clinic day expect many more, so their meetings on it are not
// evidence.
func TestSameWeekdays(t *testing.T) {
	amb := &ambulatory{span: 364, weekdays: make([]uint16, 7*4)}
	set := func(p int, counts [7]uint16) { copy(amb.weekdays[7*p:], counts[:]) }
	set(0, [7]uint16{2, 2, 2, 2, 2, 2, 2}) // 14 days spread over the week
	set(1, [7]uint16{2, 2, 2, 2, 2, 2, 2})
	set(2, [7]uint16{0, 0, 0, 14, 0, 0, 0}) // 14 Thursdays: a clinic's chronic day
	set(3, [7]uint16{0, 0, 0, 14, 0, 0, 0})
	if got, want := amb.sameWeekdays(0, 1), 14.0*14/364; math.Abs(got-want) > 1e-9 {
		t.Errorf("spread visits: %.4f expected shared days, want %.4f", got, want)
	}
	if got := amb.sameWeekdays(2, 3); got < 6*amb.sameWeekdays(0, 1) {
		t.Errorf("one weekly clinic day: %.4f expected shared days, want several times %.4f", got, amb.sameWeekdays(0, 1))
	}
	if got := amb.sameWeekdays(0, 2); got > amb.sameWeekdays(0, 1) {
		t.Errorf("a spread card and a Thursday card: %.4f, want no more than two spread cards", got)
	}
}

// TestTriangleTestedTogether: a pair closes a triangle when the three surprises together reach
// three times the pair threshold (7.5), one weak side carried by two strong ones; a triangle
// that sums to less does not.
func TestTriangleTestedTogether(t *testing.T) {
	adj := map[int32][]int32{1: {2, 3}, 2: {1, 3}, 3: {1, 2}}
	sps := map[[2]int32]float64{{1, 2}: 5, {1, 3}: 3, {2, 3}: 1.6}
	if !closesTriangle([2]int32{1, 2}, 5, adj, sps) {
		t.Error("5 + 3 + 1.6: want a triangle")
	}
	sps[[2]int32{1, 2}], sps[[2]int32{1, 3}] = 3, 2.5
	if closesTriangle([2]int32{1, 2}, 3, adj, sps) {
		t.Error("3 + 2.5 + 1.6: want no triangle")
	}
	if closesTriangle([2]int32{1, 4}, 9, adj, sps) {
		t.Error("a pair with no common partner closes no triangle")
	}
}

// TestChronicFollowUpsAtTwoClinicsAreNotAnOuting: two patients whose clinics hold their chronic
// days on one schedule claim within the hour at different providers every month; that is not a
// day on the same outing unless one of the two claims is something else.
func TestChronicFollowUpsAtTwoClinicsAreNotAnOuting(t *testing.T) {
	const h = 3600
	var a, b []use
	for m := range int32(4) {
		day := 28 * m
		a = append(a, use{t: int64(day)*86400 + 9*h, day: day, prov: 1, chronic: true})
		b = append(b, use{t: int64(day)*86400 + 9*h + 1800, day: day, prov: 2, chronic: true})
	}
	if n := crossProviderDays(a, b, 2*h); n != 0 {
		t.Errorf("chronic follow-ups on one schedule: %d outing days, want 0", n)
	}
	b[1].chronic, b[3].chronic = false, false
	if n := crossProviderDays(a, b, 2*h); n != 2 {
		t.Errorf("two days with another claim: %d outing days, want 2", n)
	}
}

// TestSharedDaysBoundTheTest: the visit-day bits give the days two cards share, and a pair
// whose shared days could not be surprising is rejected before its claims are read, while one
// that is surprising passes with the same surprise as the full test.
func TestSharedDaysBoundTheTest(t *testing.T) {
	const h = 3600
	amb := &ambulatory{span: 364, weekdays: make([]uint16, 7*2), words: 6, dayBits: make([]uint64, 12)}
	var ua, ub []use
	for i, day := range []int32{3, 70, 130, 200, 300} {
		ua = append(ua, use{t: int64(day)*86400 + 9*h, day: day, prov: 1})
		ub = append(ub, use{t: int64(day)*86400 + 10*h, day: day, prov: 2 + int32(i)})
		for p := range 2 {
			amb.dayBits[6*p+int(day)/64] |= 1 << (day % 64)
			amb.weekdays[7*p+int(day)%7]++
		}
	}
	amb.uses = append(ua, ub...)
	amb.off = []int32{0, 5, 10}
	if got := amb.sharedDays(0, 1); got != 5 {
		t.Fatalf("shared days %d, want 5", got)
	}
	sp, ok := crossOutingTest(amb, 0, 1, 2*h, 1.0/3, 0)
	if !ok || sp < 5 {
		t.Errorf("five outings at different providers: surprise %.2f (kept %v), want ≥ 5", sp, ok)
	}
	if _, ok := crossOutingTest(amb, 0, 1, 2*h, 1.0/3, 20); ok {
		t.Error("a correction larger than any five days can carry: want the pair rejected")
	}
}

// TestTwoStepReachesCardsThatNeverMetAtOneProvider: a and x met at one provider, x and b are a
// strong cross-outing pair, a and b never met at one provider: a-b is tested with the number of
// x's candidate partners (its correction) and returned once; pairs that are candidates (tested
// already) or already found are not returned.
func TestTwoStepReachesCardsThatNeverMetAtOneProvider(t *testing.T) {
	pair := func(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }
	// cards: a=0, x=1, b=2, c=3 (a candidate partner of x and of b), y=4 (x's partner, found)
	nb := candidateNeighbours(5, []uint64{pair(0, 1), pair(1, 3), pair(2, 3), pair(1, 4), pair(0, 1)})
	if got := nb.of(1); !slices.Equal(got, []int32{0, 3, 4}) {
		t.Fatalf("x's partners %v, want [0 3 4] (a duplicate pair listed once)", got)
	}
	found := map[[2]int32]float64{{1, 2}: 4, {2, 4}: 2}
	test := func(a, b int32, tried int) (float64, bool) { return 3 + float64(tried)/10, true }
	got := twoStep([][2]int32{{1, 2}, {2, 1}}, nb, found, test)
	if len(got) != 1 || got[0].k != [2]int32{0, 2} || math.Abs(got[0].sp-3.3) > 1e-9 {
		t.Errorf("two-step pairs %v, want only 0-2, tried among x's 3 partners", got)
	}
}
