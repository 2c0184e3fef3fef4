package covisit

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// unitOf builds a unit from (patient, day) visits.
func unitOf(pd [][2]int32) *unit {
	vs := make([]visit, len(pd))
	for i, x := range pd {
		vs[i] = visit{pat: x[0], day: x[1], claim: int32(i)}
	}
	slices.SortFunc(vs, func(a, b visit) int {
		if c := cmp.Compare(a.day, b.day); c != 0 {
			return c
		}
		return cmp.Compare(a.pat, b.pat)
	})
	return newUnit(0, vs, 3, 1)
}

func sessionsOf(days []int32) groupTest {
	slices.Sort(days)
	days = slices.Compact(days)
	g := groupTest{gap: 3}
	for _, t := range days {
		g.sessions = append(g.sessions, [2]int32{t, t})
	}
	return g
}

// TestOperationsSplitsTwoRingsThatMetTwice: two rings of one clinic, each on its own days, that
// both came on two days, are two sets of members.
func TestOperationsSplitsTwoRingsThatMetTwice(t *testing.T) {
	aDays := []int32{6, 30, 58, 83, 111, 140, 166, 190}
	bDays := []int32{15, 30, 47, 70, 94, 111, 125, 152, 171, 199}
	var pd [][2]int32
	var members []int32
	for p := int32(0); p < 12; p++ {
		members = append(members, p)
		for _, d := range aDays {
			pd = append(pd, [2]int32{p, d})
		}
	}
	for p := int32(20); p < 30; p++ {
		members = append(members, p)
		for _, d := range bDays {
			pd = append(pd, [2]int32{p, d})
		}
	}
	u := unitOf(pd)
	g := sessionsOf(append(slices.Clone(aDays), bDays...))
	sets := u.operations(members, &g, DefaultOptions())
	if len(sets) != 2 {
		t.Fatalf("got %d sets, want the two rings: %v", len(sets), sets)
	}
	if !slices.Equal(sets[0], members[:12]) || !slices.Equal(sets[1], members[12:]) {
		t.Errorf("sets %v, want %v and %v", sets, members[:12], members[12:])
	}
}

// TestOperationsKeepsRotatingRingWhole: a ring of 26 whose 17 sessions each bring a different 4–9
// of its members is one operation, although most pairs of members meet only once or twice. (A
// guard: the rotating ring stays connected even under stricter links than the ones used.)
func TestOperationsKeepsRotatingRingWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var pd [][2]int32
	var days []int32
	members := make([]int32, 26)
	for i := range members {
		members[i] = int32(100 + i)
	}
	for s := 0; s < 17; s++ {
		day := int32(5 + 19*s)
		days = append(days, day)
		n := 4 + r.IntN(6)
		for _, i := range r.Perm(len(members))[:n] {
			pd = append(pd, [2]int32{members[i], day})
		}
	}
	u := unitOf(pd)
	g := sessionsOf(days)
	var present []int32
	for _, x := range pd {
		present = append(present, x[0])
	}
	slices.Sort(present)
	present = slices.Compact(present)
	if sets := u.operations(present, &g, DefaultOptions()); sets != nil {
		t.Errorf("rotating ring split into %d sets: %v", len(sets), sets)
	}
}

// TestCoAttendsJoinsPiecesOfOneRotatingRing: two pieces of one rotating ring (found with different
// members and sessions) come to each other's sessions; a second ring of the same clinic, on its
// own days, does not come to theirs. Honest patients fill every day.
func TestCoAttendsJoinsPiecesOfOneRotatingRing(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	var pd [][2]int32
	ring := make([]int32, 24)
	for i := range ring {
		ring[i] = int32(100 + i)
	}
	for s := 0; s < 24; s++ {
		day := int32(3 + 14*s)
		for _, i := range r.Perm(len(ring))[:4+r.IntN(4)] {
			pd = append(pd, [2]int32{ring[i], day})
		}
	}
	other := make([]int32, 10)
	for i := range other {
		other[i] = int32(200 + i)
	}
	for s := 0; s < 12; s++ {
		day := int32(9 + 28*s)
		for _, p := range other {
			pd = append(pd, [2]int32{p, day})
		}
	}
	honest := int32(1000)
	for day := int32(0); day < 340; day++ {
		for range 10 {
			pd = append(pd, [2]int32{honest, day})
			honest++
		}
	}
	u := unitOf(pd)
	// The pieces: the first and the second half of the ring's members, each with the sessions
	// where at least two of them came.
	piece := func(members []int32) scored {
		in := map[int32]bool{}
		for _, m := range members {
			in[m] = true
		}
		count := map[int32]int{}
		for _, x := range pd {
			if in[x[0]] {
				count[x[1]]++
			}
		}
		var days []int32
		for d, n := range count {
			if n >= 2 {
				days = append(days, d)
			}
		}
		return scored{members: members, test: sessionsOf(days)}
	}
	a, b, c := piece(ring[:12]), piece(ring[12:]), piece(other)
	if !coAttends(u, &a, &b) || !coAttends(u, &b, &a) {
		t.Errorf("pieces of one ring not joined: shares %.2f %.2f", u.sessionVisitShare(a.members, &b.test), u.sessionVisitShare(b.members, &a.test))
	}
	if coAttends(u, &a, &c) || coAttends(u, &c, &a) {
		t.Errorf("two rings of one clinic joined: shares %.2f %.2f", u.sessionVisitShare(a.members, &c.test), u.sessionVisitShare(c.members, &a.test))
	}
}

// coAttends asks whether a's members come to b's sessions, as merge does.
func coAttends(u *unit, a, b *scored) bool {
	return u.coAttends(a.members, &b.test, u.sessionShare(&b.test, scopeAll))
}
