package dataset

import "testing"

// TestWeekday: days a week apart share a weekday, before 1970 too, and the index stays in 0..6.
func TestWeekday(t *testing.T) {
	for _, day := range []int32{-15, -8, -7, -1, 0, 1, 6, 7, 20426} {
		w := Weekday(day)
		if w < 0 || w > 6 || Weekday(day+7) != w || Weekday(day-7) != w {
			t.Errorf("day %d: weekday %d, a week later %d, earlier %d", day, w, Weekday(day+7), Weekday(day-7))
		}
		if Weekday(day+1) == w {
			t.Errorf("days %d and %d share weekday %d", day, day+1, w)
		}
	}
	if Weekday(0) != 0 || Weekday(-1) != 6 {
		t.Errorf("1 January 1970 is %d, the day before %d; want 0 and 6", Weekday(0), Weekday(-1))
	}
}
