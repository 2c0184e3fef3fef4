package stays

import (
	"slices"
	"testing"
)

func TestCoAdmissionsCountsBatchesTogether(t *testing.T) {
	for _, tc := range []struct {
		a, b []int32
		want int
	}{
		{[]int32{10, 50, 90}, []int32{11, 52, 140}, 2}, // together twice, apart once
		{[]int32{10, 50}, []int32{13, 47}, 0},          // three days apart is not together
		{[]int32{10, 11, 12}, []int32{11}, 1},          // one stay of b meets three of a: once
		{nil, []int32{5}, 0},
	} {
		if got := coAdmissions(tc.a, tc.b, 2); got != tc.want {
			t.Errorf("coAdmissions(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// Two groups at one hospital admitted on the same days in November (one operation when the
// batches are chained) meet once; their members' histories split them.
func TestSplitOperationSeparatesGroupsAdmittedTogetherOnce(t *testing.T) {
	days := map[int32][]int32{}
	var w []stay
	add := func(p int32, ds ...int32) {
		days[p] = ds
		for _, d := range ds {
			w = append(w, stay{c: int32(len(w)), pat: p, day: d})
		}
	}
	for p := int32(0); p < 5; p++ { // group A: days 11, 215, 320
		add(p, 11+p%2, 215, 320+p%2)
	}
	for p := int32(10); p < 15; p++ { // group B: days 40, 100, 321
		add(p, 40+p%2, 100, 321)
	}
	add(20, 12) // admitted once, in A's first batch
	parts := splitOperation(w, 2, days)
	if len(parts) != 2 {
		t.Fatalf("got %d parts, want 2: %v", len(parts), parts)
	}
	for _, part := range parts {
		var pats []int32
		for _, s := range part {
			if !slices.Contains(pats, s.pat) {
				pats = append(pats, s.pat)
			}
		}
		slices.Sort(pats)
		if !slices.Equal(pats, []int32{0, 1, 2, 3, 4, 20}) && !slices.Equal(pats, []int32{10, 11, 12, 13, 14}) {
			t.Errorf("part %v mixes the groups", pats)
		}
	}
	// One group alone is left whole.
	if parts := splitOperation(w[:15], 2, days); len(parts) != 1 || len(parts[0]) != 15 {
		t.Errorf("one group split into %d parts", len(parts))
	}
}
