package covisit

import (
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// Granularities of the group test.
const (
	granDay = iota
	granBlock0
	granBlock1
)

// groupTest is the outcome of the group-level test of one patient set at one institution.
type groupTest struct {
	surprise float64 // −log10 tail of the best granularity and threshold, less the test penalty
	gran     int
	m        int        // at least m members present makes a session
	observed int        // sessions (days or blocks) with at least m members
	expected float64    // expected such sessions under independent scheduling
	sessions [][2]int32 // first and last day of each session, in order
	episodes int        // sessions separated by more than gap days
	gap      int32
}

// inSession reports whether day t falls in a session.
func (g *groupTest) inSession(t int32) bool { return g.sessionIndex(t) >= 0 }

// sessionIndex returns the index of the session day t falls in, or -1.
func (g *groupTest) sessionIndex(t int32) int {
	i, _ := slices.BinarySearchFunc(g.sessions, t, func(s [2]int32, t int32) int {
		switch {
		case s[1] < t:
			return -1
		case s[0] > t:
			return 1
		}
		return 0
	})
	if i < len(g.sessions) && g.sessions[i][0] <= t && t <= g.sessions[i][1] {
		return i
	}
	return -1
}

// episodeOf returns the episode index of day t (which must fall in a session).
func (g *groupTest) episodeOf(t int32) int {
	ep := -1
	for i, s := range g.sessions {
		if i == 0 || s[0]-g.sessions[i-1][1] > g.gap {
			ep++
		}
		if s[0] <= t && t <= s[1] {
			return ep
		}
	}
	return ep
}

// test runs the group-level test for members over the days of scope sc: the number of days (or
// blocks) on which at least m members came, against the jitter null (each member visit's day
// drawn within its jitter window in proportion to the institution's daily volume), maximised
// over m and granularity and penalised by the number of tests.
func (u *unit) test(members []int32, sc int, gap int32) groupTest {
	if u.n[sc] == 0 {
		return groupTest{gap: gap}
	}
	// Member visits per jitter window, and members present per day.
	winV := map[int32]float64{}
	dayCount := map[int32]int32{}
	for _, s := range members {
		for _, t := range u.patDays[s] {
			if u.inScope(t, sc) {
				winV[u.window(t)-u.win0]++
				dayCount[t]++
			}
		}
	}
	// μ_t for every open day of the scope in a window with member visits. The day's pull is
	// its patients who came to the institution only once, plus one: repeat visitors are the
	// suspects, so neither this ring nor another ring at the same institution may make a day
	// look busy enough to explain a meeting, and a day on which nobody else came is still a
	// day the members could have come (a small private hospital is busy only when its rings
	// come; weekdays it never works on are left out).
	mu := map[int32]float64{}
	for w, v := range winV {
		first := (w + u.win0) * u.jitterLen
		var others float64
		for t := first; t < first+u.jitterLen; t++ {
			others += u.pull(t, sc)
		}
		for t := first; t < first+u.jitterLen; t++ {
			if x := u.pull(t, sc); x > 0 {
				mu[t] = v * x / others
			}
		}
	}
	best := groupTest{surprise: -1, gap: gap}
	tests := 0
	eval := func(gran int, counts map[int32]int32, mus map[int32]float64) {
		maxX := int32(0)
		for _, x := range counts {
			maxX = max(maxX, x)
		}
		if maxX < 2 {
			return
		}
		// obs[m]: sessions with at least m members; exp[m]: their expectation under the null.
		obs := make([]int, maxX+2)
		for _, x := range counts {
			obs[x]++
		}
		for m := maxX - 1; m >= 0; m-- {
			obs[m] += obs[m+1]
		}
		exp := make([]float64, maxX+1)
		tails := make([]float64, maxX+1)
		for _, v := range mus {
			poissonTails(v, tails)
			for m := 2; m <= int(maxX); m++ {
				exp[m] += tails[m]
			}
		}
		for m := 2; m <= int(maxX); m++ {
			tests++
			s := finding.PoissonSurprise(obs[m], exp[m])
			if s > best.surprise {
				best = groupTest{surprise: s, gran: gran, m: m, observed: obs[m], expected: exp[m], gap: gap}
			}
		}
	}
	eval(granDay, dayCount, mu)
	var blockCount [2]map[int32]int32
	if u.blockLen > 1 {
		for o := 0; o < 2; o++ {
			if o == 1 && sc != scopeAll {
				continue // shifted blocks straddle the halves
			}
			bc := u.presentCounts(members, granBlock0+o, sc)
			bmu := map[int32]float64{}
			for t, v := range mu {
				bmu[u.block(t, o)] += v
			}
			blockCount[o] = bc
			eval(granBlock0+o, bc, bmu)
		}
	}
	if best.surprise < 0 {
		return groupTest{gap: gap}
	}
	best.surprise = math.Max(0, best.surprise-math.Log10(float64(max(tests, 1))))
	counts := dayCount
	if best.gran != granDay {
		counts = blockCount[best.gran-granBlock0]
	}
	best.sessions = u.sessionsFrom(counts, best.gran, best.m)
	for i, s := range best.sessions {
		if i == 0 || s[0]-best.sessions[i-1][1] > gap {
			best.episodes++
		}
	}
	return best
}

// presentCounts returns, per day (gran granDay) or block of scope sc, the number of members
// who came then.
func (u *unit) presentCounts(members []int32, gran, sc int) map[int32]int32 {
	counts := map[int32]int32{}
	for _, s := range members {
		last := int32(math.MinInt32)
		for _, t := range u.patDays[s] {
			if !u.inScope(t, sc) {
				continue
			}
			b := t
			if gran != granDay {
				b = u.block(t, gran-granBlock0)
			}
			if b != last {
				counts[b]++
				last = b
			}
		}
	}
	return counts
}

// sessionsFrom returns the sessions of counts (presentCounts at granularity gran): the days or
// blocks on which at least m members came, as first and last day, in order.
func (u *unit) sessionsFrom(counts map[int32]int32, gran, m int) [][2]int32 {
	var out [][2]int32
	for b, x := range counts {
		if int(x) < m {
			continue
		}
		if gran == granDay {
			out = append(out, [2]int32{b, b})
		} else {
			first, last := u.blockDays(b, gran-granBlock0)
			out = append(out, [2]int32{first, last})
		}
	}
	slices.SortFunc(out, func(a, b [2]int32) int { return int(a[0] - b[0]) })
	return out
}

// attendance returns how many of patient s's visit days at u in scope sc fall in g's sessions.
func (u *unit) attendance(s int32, g *groupTest, sc int) int {
	n := 0
	for _, t := range u.patDays[s] {
		if u.inScope(t, sc) && g.inSession(t) {
			n++
		}
	}
	return n
}

// sessionShare returns the share of u's patient-days in scope sc that fall in g's sessions: the
// chance that one visit of an unrelated patient lands in a session.
func (u *unit) sessionShare(g *groupTest, sc int) float64 {
	if u.n[sc] == 0 {
		return 0
	}
	var in float64
	for _, se := range g.sessions {
		for t := se[0]; t <= se[1]; t++ {
			if i := u.dayIndex(t); i >= 0 && u.inScope(t, sc) {
				in += float64(u.dayOff[i+1] - u.dayOff[i])
			}
		}
	}
	return in / u.n[sc]
}

// binomialSurprise returns −log10 P(Bin(k, q) ≥ a).
func binomialSurprise(a, k int, q float64) float64 {
	if a <= 0 {
		return 0
	}
	if q <= 0 {
		return 300
	}
	if q >= 1 || a > k {
		return 0
	}
	tail := 0.0
	lq, l1q := math.Log(q), math.Log1p(-q)
	lc := finding.LogFactorial(k)
	for j := a; j <= k; j++ {
		tail += math.Exp(lc - finding.LogFactorial(j) - finding.LogFactorial(k-j) + float64(j)*lq + float64(k-j)*l1q)
	}
	if tail <= 0 {
		return 300
	}
	return -math.Log10(math.Min(1, tail))
}

// refine peels members whose attendance of the sessions of scope sc could be chance and grows
// the group by patients whose attendance could not (the local search of M-Zoom): a patient
// with k visits at u in the scope, a of them in sessions that hold a share q of the
// institution's patient-days, belongs when a ≥ minAttend, most of its visits are in sessions
// and P(Bin(k, q) ≥ a) is below 1% over the patients considered. It re-tests after each round
// and returns the refined members (sorted) and their test on sc.
func (u *unit) refine(members []int32, sc, minAttend int, o Options) ([]int32, groupTest) {
	gap := int32(o.SpreadDays + 1)
	cur := slices.Clone(members)
	slices.Sort(cur)
	g := u.test(cur, sc, gap)
	for round := 0; round < 3 && len(g.sessions) > 0; round++ {
		q := u.sessionShare(&g, sc)
		cand := map[int32]bool{}
		for _, s := range cur {
			cand[s] = true
		}
		for _, se := range g.sessions {
			for t := se[0]; t <= se[1]; t++ {
				i := u.dayIndex(t)
				if i < 0 || !u.inScope(t, sc) {
					continue
				}
				for _, v := range u.dayVisits(i) {
					if u.k[v.pat] >= 2 {
						cand[v.pat] = true
					}
				}
			}
		}
		need := 2 + math.Log10(float64(len(cand)))
		next := make([]int32, 0, len(cur))
		for _, s := range finding.SortedKeys(cand) {
			a, k := u.attendance(s, &g, sc), u.kIn(s, sc)
			if a >= minAttend && 3*a >= k && (binomialSurprise(a, k, q) >= need) {
				next = append(next, s)
			}
		}
		if slices.Equal(next, cur) || len(next) < 2 {
			break
		}
		ng := u.test(next, sc, gap)
		if ng.surprise < g.surprise-1 && len(next) < len(cur) {
			break // peeling lost the signal: keep the larger group
		}
		cur, g = next, ng
		if len(cur) > 4*o.MaxRingSize {
			break
		}
	}
	return cur, g
}
