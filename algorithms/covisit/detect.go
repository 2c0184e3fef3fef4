package covisit

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// Stats counts the work of one run, for logs and benchmarks.
type Stats struct {
	Units      int // institutions with repeat visitors
	Visits     int // distinct patient-days at institutions
	Candidates int // communities tested
	Groups     int // groups after refinement and merging
	Reported   int // collusion rings at or above the reporting score
}

// Detect finds collusion rings at every institution of d. Units run on all cores; the result is
// ordered by provider and does not depend on scheduling. minScore is the reporting threshold.
func Detect(ctx context.Context, d *dataset.Claims, dp *dataset.DiagnosisPeers, o Options, seed uint64, minScore float64) ([]finding.Candidate, Stats, error) {
	if err := o.Validate(); err != nil {
		return nil, Stats{}, err
	}
	classes := d.DiagClasses()
	var st Stats
	vs := sortedVisits(d)
	st.Visits = len(vs)
	out, err := detectUnits(ctx, d, dp, classes, vs, o, seed, minScore, &st)
	if err != nil {
		return nil, st, err
	}
	st.Reported = len(out)
	return out, st, nil
}

func detectUnits(ctx context.Context, d *dataset.Claims, dp *dataset.DiagnosisPeers, classes []dataset.DiagClass, vs []visit, o Options, seed uint64, minScore float64, st *Stats) ([]finding.Candidate, error) {
	type span struct{ lo, hi int }
	var units []span
	for lo := 0; lo < len(vs); {
		hi := lo
		pv := d.CProv[vs[lo].claim]
		for hi < len(vs) && d.CProv[vs[hi].claim] == pv {
			hi++
		}
		units = append(units, span{lo, hi})
		lo = hi
	}
	results := make([][]finding.Candidate, len(units))
	counts := make([][2]int, len(units))
	errs := make([]error, len(units))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if ctx.Err() != nil {
					errs[i] = ctx.Err()
					continue
				}
				s := units[i]
				pv := d.CProv[vs[s.lo].claim]
				u := newUnit(pv, vs[s.lo:s.hi], o.SpreadDays+1, seed^uint64(pv)*0x9e3779b97f4a7c15)
				results[i], counts[i], errs[i] = u.detect(ctx, d, dp, classes, o, seed, minScore)
			}
		}()
	}
	for i := range units {
		work <- i
	}
	close(work)
	wg.Wait()
	var out []finding.Candidate
	for i := range units {
		if errs[i] != nil {
			return nil, fmt.Errorf("co-visit groups: %w", errs[i])
		}
		st.Units++
		st.Candidates += counts[i][0]
		st.Groups += counts[i][1]
		out = append(out, results[i]...)
	}
	return out, nil
}

// scored is one refined group of a unit: its members, its test on all days, and the surprise
// of the held-out test (the half of the days it was not formed on).
type scored struct {
	members []int32
	test    groupTest
	heldOut float64
}

// detect runs candidates → refinement → held-out test → merging → scoring at one institution.
// Candidates are formed and refined on one half of the days and tested on the other, both ways
// (cross-fitting); the held-out surprise is what the score uses, so that grouping patients by
// the days they share cannot by itself make the group look coordinated.
func (u *unit) detect(ctx context.Context, d *dataset.Claims, dp *dataset.DiagnosisPeers, classes []dataset.DiagClass, o Options, seed uint64, minScore float64) ([]finding.Candidate, [2]int, error) {
	gap := int32(o.SpreadDays + 1)
	var groups []scored
	tested := 0
	for h := scopeA; h <= scopeB; h++ {
		cands, err := u.candidates(ctx, d, o, h, seed+uint64(h))
		if err != nil {
			return nil, [2]int{}, err
		}
		series, err := u.sessionCandidates(ctx, o, h, seed+uint64(h))
		if err != nil {
			return nil, [2]int{}, err
		}
		cands = append(cands, series...)
		tested += len(cands)
		for _, c := range cands {
			core, _ := u.refine(c, h, 1, o)
			if len(core) < o.MinRingSize {
				continue
			}
			ho := u.test(core, 1-h, gap)
			if ho.surprise <= 0 {
				continue
			}
			groups = append(groups, scored{members: core, heldOut: ho.surprise})
		}
	}
	groups = u.merge(groups, o)
	var out []finding.Candidate
	for _, gr := range groups {
		if len(gr.members) < o.MinRingSize || len(gr.members) > o.MaxRingSize || gr.test.episodes < o.MinSessions {
			continue
		}
		if c, ok := u.ring(d, dp, classes, gr, o, minScore); ok {
			out = append(out, c)
		}
	}
	return out, [2]int{tested, len(groups)}, nil
}

// merge unites the cores found on either half that are one operation (mostly the same members,
// or the same sessions once refined on all days: a ring whose members rotate, or whose sessions
// are split between doctors, can come out as several communities meeting on the same days),
// refines each union on all days and keeps the best held-out surprise of its parts, less the
// penalty for the two directions tested.
func (u *unit) merge(groups []scored, o Options) []scored {
	if len(groups) == 0 {
		return nil
	}
	orig := groups
	collect := func(comps [][]int) []scored {
		out := make([]scored, 0, len(comps))
		for _, comp := range comps {
			set := map[int32]bool{}
			best := 0.0
			for _, i := range comp {
				for _, s := range groups[i].members {
					set[s] = true
				}
				best = math.Max(best, groups[i].heldOut)
			}
			m, g := u.refine(finding.SortedKeys(set), scopeAll, 2, o)
			out = append(out, scored{members: m, test: g, heldOut: best})
			// A union can be bridged by a loose candidate spanning two operations; when its
			// refinement keeps less than half of a part, the part stands on its own (one of
			// several such parts that are one operation).
			var parts []scored
			for _, i := range comp {
				gi := groups[i]
				if len(gi.members) < o.MinRingSize || keptShare(gi.members, m) >= 0.5 {
					continue
				}
				pm, pg := u.refine(gi.members, scopeAll, 2, o)
				if len(pm) >= o.MinRingSize && keptShare(pm, m) < 0.5 {
					parts = append(parts, scored{members: pm, test: pg, heldOut: gi.heldOut})
				}
			}
			out = append(out, dropContained(parts)...)
		}
		return out
	}
	groups = collect(finding.Components(len(groups), func(i, j int) bool {
		return finding.Jaccard(groups[i].members, groups[j].members) >= 0.3
	}))
	// Second round: refined groups meeting on the same days, or coming to each other's sessions
	// (coAttends), are one operation. The refinement can return more groups than it was given
	// (parts that stand on their own), so the components are made anew.
	days := make([][]int32, len(groups))
	share := make([]float64, len(groups))
	for i, g := range groups {
		for _, s := range g.test.sessions {
			for t := s[0]; t <= s[1]; t++ {
				days[i] = append(days[i], t)
			}
		}
		share[i] = u.sessionShare(&g.test, scopeAll)
	}
	comps := finding.Components(len(groups), func(i, j int) bool {
		return finding.Jaccard(days[i], days[j]) >= 0.5 || finding.Jaccard(groups[i].members, groups[j].members) >= 0.3 ||
			(u.coAttends(groups[i].members, &groups[j].test, share[j]) && u.coAttends(groups[j].members, &groups[i].test, share[i]))
	})
	if len(comps) < len(groups) {
		groups = collect(comps)
	}
	groups = u.splitOperations(groups, orig, o)
	for i := range groups {
		groups[i].heldOut = math.Max(0, math.Max(groups[i].heldOut-math.Log10(2), groups[i].test.surprise-allDaysPenalty))
	}
	return u.complete(groups, o)
}

// splitOperations parts a refined group whose members fall into sets that never meet: two or
// three rings recruited for one clinic, each coming on its own days, are drawn into one group
// once a candidate bridges them, because every member attends the union's sessions. Members
// are linked when they attended at least two of the same sessions, and at least a third of the
// sessions of the one who came less (two rings at one clinic meet by chance on a day or two;
// members of one ring, even one whose attendance rotates, keep meeting); when the links leave two or
// more sets of at least MinRingSize members, each is refined on its own and stands for itself
// (members linked to no set join the set they shared most sessions with). A part's held-out
// surprise is the best of the cores it holds most of, never the union's.
func (u *unit) splitOperations(groups, cores []scored, o Options) []scored {
	var out []scored
	for _, g := range groups {
		parts := u.operations(g.members, &g.test, o)
		if len(parts) < 2 {
			out = append(out, g)
			continue
		}
		for _, pm := range parts {
			m, t := u.refine(pm, scopeAll, 2, o)
			if len(m) < o.MinRingSize {
				continue
			}
			best := 0.0
			for _, c := range cores {
				if keptShare(c.members, m) >= 0.5 {
					best = math.Max(best, c.heldOut)
				}
			}
			out = append(out, scored{members: m, test: t, heldOut: best})
		}
	}
	return out
}

// operations returns the sets of members of g that meet one another (see splitOperations), or
// nil when they are one set.
func (u *unit) operations(members []int32, g *groupTest, o Options) [][]int32 {
	if len(g.sessions) < 2 || len(members) < 2*o.MinRingSize || len(members) > 4*o.MaxRingSize {
		return nil
	}
	att := make([][]bool, len(members))
	n := make([]int, len(members)) // sessions attended
	for i, s := range members {
		att[i] = make([]bool, len(g.sessions))
		for _, t := range u.patDays[s] {
			if j := g.sessionIndex(t); j >= 0 && !att[i][j] {
				att[i][j] = true
				n[i]++
			}
		}
	}
	shared := func(a, b int) int {
		k := 0
		for j := range att[a] {
			if att[a][j] && att[b][j] {
				k++
			}
		}
		return k
	}
	comps := finding.Components(len(members), func(a, b int) bool {
		sh := shared(a, b)
		return sh >= 2 && 3*sh >= min(n[a], n[b])
	})
	set := make([]int, len(members)) // index into sets, or -1 for a member of a small component
	var sets [][]int32
	for _, c := range comps {
		k := -1
		if len(c) >= o.MinRingSize {
			k = len(sets)
			sets = append(sets, nil)
		}
		for _, i := range c {
			set[i] = k
		}
	}
	if len(sets) < 2 {
		return nil
	}
	for i, s := range members {
		k := set[i]
		if k < 0 {
			// Linked to no large set: the set it shared most sessions with.
			bestN := -1
			for a := range members {
				if set[a] >= 0 {
					if sh := shared(i, a); sh > bestN {
						bestN, k = sh, set[a]
					}
				}
			}
		}
		sets[k] = append(sets[k], s)
	}
	return sets
}

// keptShare is the share of part's members that are in whole (both sorted).
func keptShare(part, whole []int32) float64 {
	if len(part) == 0 {
		return 0
	}
	n := 0
	for _, x := range part {
		if _, ok := slices.BinarySearch(whole, x); ok {
			n++
		}
	}
	return float64(n) / float64(len(part))
}

// dropContained resolves groups one of which holds most (70 %) of the other's members: they
// are one operation, and the one with the higher test surprise stands for it — a part kept on
// its own and the looser union it came from are not both reported.
func dropContained(gs []scored) []scored {
	drop := make([]bool, len(gs))
	for i, g := range gs {
		for j, h := range gs {
			if i == j || drop[i] || drop[j] || len(g.members) > len(h.members) || (len(g.members) == len(h.members) && i > j) {
				continue
			}
			// g is the smaller (or, at equal size, the earlier).
			if keptShare(g.members, h.members) < 0.7 {
				continue
			}
			if h.test.surprise > g.test.surprise {
				drop[i] = true
			} else {
				drop[j] = true
			}
		}
	}
	out := gs[:0:0]
	for i, g := range gs {
		if !drop[i] {
			out = append(out, g)
		}
	}
	return out
}

// allDaysPenalty is subtracted from the all-days surprise of a refined group (chosen on the
// same days it is tested on) before it can stand in for the held-out surprise.
var allDaysPenalty = 6.0

// Two pieces of one rotating ring (each session brings a different few of its members) come out
// of the candidate step with different members and different session days, so neither overlap
// test above unites them; but the members of each keep coming to the other's sessions, which
// the institution's other patients do not. Pieces are united when, both ways, at least
// coAttendShare of one piece's visits fall in the other's sessions and at least coAttendRatio
// times the share of all the institution's visits that fall there. Two rings of one clinic
// that come on their own days do not (their members meet on a day or two); if a union still
// joins two operations, splitOperations parts it again.
const (
	coAttendShare = 0.1
	coAttendRatio = 5.0
)

// coAttends reports whether members come to g's sessions far more than the institution's other
// patients do, share being the part of all its visits that fall there (sessionShare; see
// coAttendShare).
func (u *unit) coAttends(members []int32, g *groupTest, share float64) bool {
	return u.sessionVisitShare(members, g) >= math.Max(coAttendShare, coAttendRatio*share)
}

// sessionVisitShare returns the share of members' visits at u that fall in g's sessions.
func (u *unit) sessionVisitShare(members []int32, g *groupTest) float64 {
	var in, all int
	for _, s := range members {
		in += u.attendance(s, g, scopeAll)
		all += int(u.k[s])
	}
	if all == 0 {
		return 0
	}
	return float64(in) / float64(all)
}
