package covisit

import (
	"math"
	"slices"
)

// Completion of a group whose sessions are already established.
const (
	// completeMinSurprise is the all-days group surprise a group needs before its membership is
	// completed: only a group that is clearly an operation has sessions worth attending.
	completeMinSurprise = 4
	// completeFDR is the false discovery rate at which patients are admitted (Benjamini and
	// Hochberg 1995, doi:10.1111/j.2517-6161.1995.tb02031.x).
	completeFDR = 0.1
	// completeMaxShare is the largest share of the institution's patient-days a group's
	// sessions may hold for completion: where the sessions are most of the institution's work,
	// attending them says nothing.
	completeMaxShare = 0.3
	// completeMinPresent is the fewest members present that make a day one of the group's
	// sessions for completion.
	completeMinPresent = 3
	// completeRounds bounds the rounds of completion (each re-derives the sessions).
	completeRounds = 3
)

// complete admits to each established group the patients whose attendance of its sessions,
// tested one by one, is significant at a false discovery rate rather than under the
// per-patient bar of refine. A ring whose attendance rotates (each session brings a different
// few of its members) has members who came to two or three of its sessions and nowhere else:
// alone each could be chance against refine's Bonferroni bar, but a dozen of them together are
// not, and the FDR procedure admits them while holding the expected share of chance members
// under completeFDR. Once the sessions are known, which patients attend them is a multiple
// testing question of exactly that kind.
//
// Guards: only completable groups are completed, at most doubling; a patient of another group
// of the institution that tests at least as high, or of two groups, is never admitted (two
// rings at one clinic stay apart); a round whose members no longer all meet (operations) or
// whose test weakens is not kept. Completion chooses members on the days it tests, so the
// held-out surprise may rise only to the completed group's all-days surprise less
// allDaysPenalty, as for any group refined on all days.
func (u *unit) complete(groups []scored, o Options) []scored {
	gap := int32(o.SpreadDays + 1)
	owner := map[int32]int{}
	for i, g := range groups {
		for _, s := range g.members {
			if j, ok := owner[s]; ok && j != i {
				owner[s] = -1 // in two groups: belongs to neither's completion
				continue
			}
			owner[s] = i
		}
	}
	type hyp struct {
		s      int32
		p      float64
		member bool
	}
	for i := range groups {
		g := &groups[i]
		if !completable(g, o) {
			continue
		}
		limit := 2 * len(g.members)
		for round := 0; round < completeRounds && len(g.members) < limit; round++ {
			loose := u.looseSessions(g)
			q := u.sessionShare(&loose, scopeAll)
			if !(q > 0) || q > completeMaxShare {
				break
			}
			seen := map[int32]bool{}
			var hs []hyp
			for _, se := range loose.sessions {
				for t := se[0]; t <= se[1]; t++ {
					di := u.dayIndex(t)
					if di < 0 {
						continue
					}
					for _, v := range u.dayVisits(di) {
						s := v.pat
						if seen[s] || u.k[s] < 2 {
							continue
						}
						seen[s] = true
						a, k := u.attendance(s, &loose, scopeAll), u.kIn(s, scopeAll)
						_, member := slices.BinarySearch(g.members, s)
						p := 1.0
						if a >= 2 && 2*a >= k {
							p = math.Pow(10, -binomialSurprise(a, k, q))
						}
						hs = append(hs, hyp{s: s, p: p, member: member})
					}
				}
			}
			slices.SortStableFunc(hs, func(a, b hyp) int {
				switch {
				case a.p < b.p:
					return -1
				case a.p > b.p:
					return 1
				}
				return int(a.s - b.s)
			})
			r := 0
			for j, h := range hs {
				if h.p <= completeFDR*float64(j+1)/float64(len(hs)) {
					r = j + 1
				}
			}
			var add []int32
			for _, h := range hs[:r] {
				if j, ok := owner[h.s]; !h.member && (!ok || j == i || (j >= 0 && groups[j].test.surprise < g.test.surprise)) {
					add = append(add, h.s)
				}
			}
			if len(add) == 0 || len(g.members)+len(add) > limit {
				break
			}
			next := append(slices.Clone(g.members), add...)
			slices.Sort(next)
			ng := u.test(next, scopeAll, gap)
			if ng.surprise < g.test.surprise || u.operations(next, &ng, o) != nil {
				break
			}
			for _, s := range add {
				owner[s] = i
			}
			g.members, g.test = next, ng
			g.heldOut = math.Max(g.heldOut, ng.surprise-allDaysPenalty)
		}
		u.prune(g, o)
	}
	return groups
}

// completable reports whether g is established enough to be completed and pruned: it tests at
// least completeMinSurprise on all days and has at most a quarter of MaxRingSize members.
func completable(g *scored, o Options) bool {
	return g.test.surprise >= completeMinSurprise && len(g.members) <= o.MaxRingSize/4 && len(g.test.sessions) > 0
}

// looseSessions returns g's sessions for completion and pruning: the group test's threshold m
// is the one that best separates its sessions from chance, but a rotating ring also meets on
// days when fewer of the members found so far came, so a session is a day (or block, at the
// test's granularity) on which max(completeMinPresent, m/2) of them came, never more than m.
func (u *unit) looseSessions(g *scored) groupTest {
	m := min(g.test.m, max(completeMinPresent, g.test.m/2))
	return groupTest{sessions: u.sessionsFrom(u.presentCounts(g.members, g.test.gran, scopeAll), g.test.gran, m)}
}

// prune drops from an established group the members who do not attend its sessions (counted
// as in complete) by refine's rule: at least two of them, and a third of the member's visits.
// Refinement keeps the unpeeled set when peeling weakens the group test, and with it regular
// patients who happened to come on a session day or two; once the group is established, they
// are not members. The pruned group must still test at least completeMinSurprise.
func (u *unit) prune(g *scored, o Options) {
	if !completable(g, o) {
		return
	}
	loose := u.looseSessions(g)
	kept := make([]int32, 0, len(g.members))
	for _, s := range g.members {
		if a, k := u.attendance(s, &loose, scopeAll), u.kIn(s, scopeAll); a >= 2 && 3*a >= k {
			kept = append(kept, s)
		}
	}
	if len(kept) == len(g.members) || len(kept) < o.MinRingSize {
		return
	}
	nt := u.test(kept, scopeAll, int32(o.SpreadDays+1))
	if nt.surprise < completeMinSurprise {
		return
	}
	g.members, g.test = kept, nt
}
