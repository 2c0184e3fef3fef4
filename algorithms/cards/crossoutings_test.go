package cards

import (
	"math"
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
