package covisit

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// rotatingClinic builds a clinic open every day of a year with background patients (one-time
// visitors, occasional patients with two to four visits, regulars coming every 28 days) and a
// rotating ring of ringSize members (ids 1000…) whose sessions each bring a different 4–6 of
// them. A second, fixed ring (ids 2000…, 8 members) comes on its own days. It returns the
// visits, the ring's members and the second ring's members.
func rotatingClinic(seed uint64, ringSize int) (pd [][2]int32, ring, other []int32) {
	r := rand.New(rand.NewPCG(seed, 3))
	for p := int32(0); p < 1500; p++ { // one-time visitors: the daily volume
		pd = append(pd, [2]int32{p, int32(r.IntN(365))})
	}
	for p := int32(1500); p < 1900; p++ { // occasional patients
		n := 2 + r.IntN(3)
		for range n {
			pd = append(pd, [2]int32{p, int32(r.IntN(365))})
		}
	}
	for p := int32(1900); p < 1960; p++ { // regulars
		for t := int32(r.IntN(28)); t < 365; t += 28 {
			pd = append(pd, [2]int32{p, t})
		}
	}
	for i := range ringSize {
		ring = append(ring, int32(1000+i))
	}
	for s := range 14 {
		day := int32(9 + 25*s)
		n := 4 + r.IntN(3)
		for _, i := range r.Perm(ringSize)[:n] {
			pd = append(pd, [2]int32{ring[i], day})
		}
	}
	for i := range 8 {
		other = append(other, int32(2000+i))
	}
	for s := range 10 {
		day := int32(20 + 33*s)
		for _, p := range other {
			pd = append(pd, [2]int32{p, day})
		}
	}
	return pd, ring, other
}

func countIn(xs, set []int32) int {
	n := 0
	for _, x := range xs {
		if slices.Contains(set, x) {
			n++
		}
	}
	return n
}

// TestCompleteAdmitsRotatingMembers: a group holding half of a rotating ring, with three
// regulars who happened to come on its days, is completed to most of the ring over ten
// clinics; the regulars and the other ring of the clinic stay out, and the patients admitted by
// chance stay near the false discovery rate (each start holds 10 of 20 members; without
// completion the mean would be 10 found).
func TestCompleteAdmitsRotatingMembers(t *testing.T) {
	o := DefaultOptions()
	const clinics = 10
	found, chance := 0, 0
	for seed := uint64(1); seed <= clinics; seed++ {
		pd, ring, other := rotatingClinic(seed, 20)
		u := unitOf(pd)
		gap := int32(o.SpreadDays + 1)
		// The start: the ten members who came most, and three regulars.
		byVisits := slices.Clone(ring)
		slices.SortStableFunc(byVisits, func(a, b int32) int { return int(u.k[b] - u.k[a]) })
		start := append(slices.Clone(byVisits[:10]), 1900, 1901, 1902)
		slices.Sort(start)
		g := scored{members: start, test: u.test(start, scopeAll, gap)}
		if g.test.surprise < completeMinSurprise {
			t.Fatalf("seed %d: the start group tests %.2f, below %d: the fixture is too weak", seed, g.test.surprise, completeMinSurprise)
		}
		o2 := scored{members: other, test: u.test(other, scopeAll, gap)}
		got := u.complete([]scored{g, o2}, o)
		m := got[0].members
		if n := countIn(m, []int32{1900, 1901, 1902}); n > 0 {
			t.Errorf("seed %d: %d regulars kept", seed, n)
		}
		if n := countIn(m, other); n > 0 {
			t.Errorf("seed %d: %d members of the other ring absorbed", seed, n)
		}
		if !slices.Equal(got[1].members, other) {
			t.Errorf("seed %d: the other ring changed: %v", seed, got[1].members)
		}
		if got[0].test.surprise < g.test.surprise {
			t.Errorf("seed %d: test fell from %.2f to %.2f", seed, g.test.surprise, got[0].test.surprise)
		}
		found += countIn(m, ring)
		chance += len(m) - countIn(m, ring)
	}
	if mean := float64(found) / clinics; mean < 15 {
		t.Errorf("mean ring members in the completed group %.1f of 20, want at least 15", mean)
	}
	if share := float64(chance) / float64(found+chance); share > 0.15 {
		t.Errorf("%.0f%% of the completed members are not of the ring, want at most 15%% (FDR %.0f%%)", 100*share, 100*completeFDR)
	}
}

// TestCompleteLeavesWeakGroups: a group below completeMinSurprise is returned as it was.
func TestCompleteLeavesWeakGroups(t *testing.T) {
	o := DefaultOptions()
	pd, _, _ := rotatingClinic(9, 20)
	u := unitOf(pd)
	weak := []int32{1500, 1501, 1502, 1503}
	g := scored{members: weak, test: u.test(weak, scopeAll, int32(o.SpreadDays+1)), heldOut: 0.5}
	if g.test.surprise >= completeMinSurprise {
		t.Fatalf("fixture: occasional patients test %.2f", g.test.surprise)
	}
	got := u.complete([]scored{g}, o)
	if !slices.Equal(got[0].members, weak) || got[0].heldOut != 0.5 {
		t.Errorf("weak group changed: %v held-out %.2f", got[0].members, got[0].heldOut)
	}
}
