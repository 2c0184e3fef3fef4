package algorithms

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// spreadPair is one match of the spread co-visit pass: patients a < b were at the same unit on
// days at most SpreadDays apart; day is the earlier of the two days.
type spreadPair struct {
	key uint64 // a << 32 | b
	day int32
}

// spreadCoVisitProjection links patients who come to the same provider-doctor unit on nearby
// days rather than in the same window: a group told to come "this week" arrives over two or
// three days and never shares a half-day, so the window projection misses it.
//
// It works on distinct visit days. A match is a visit of a and a visit of b at most s =
// SpreadDays apart; matches are grouped into sessions (a new session starts more than s days
// after the previous one began) and the pair needs MinCoVisitDays sessions. Under independent
// scheduling over the unit's D active days (at least the provider's), a visit of a is matched by
// b with probability about k_b·(2s+1)/D, so the expected number of matches is
// E = k_a·k_b·(2s+1)/D; since sessions ≤ matches, the Poisson tail of the session count against
// E is conservative. Only spans of s+1 days with at most MaxBucketPatients patients are
// expanded: at a busy department every pair is matched on some days, which is what the null
// model expects and what would explode the pair count, so those units are left to the window
// pass.
func spreadCoVisitProjection(ctx context.Context, d *dataset, p Params) ([]coVisitEdge, coVisitStats, error) {
	var st coVisitStats
	s := int32(p.SpreadDays)
	if s <= 0 {
		return nil, st, nil
	}
	recs := sortedVisits(d, secondsPerDay) // one record per (unit, day, patient)
	st.Claims = len(recs)
	spanCap := max(p.MaxBucketPatients, 2)

	provDays := map[int32]int{}
	var days []int32
	for lo := 0; lo < len(recs); {
		prov := int32(recs[lo].unit >> 32)
		hi := lo
		days = days[:0]
		for hi < len(recs) && int32(recs[hi].unit>>32) == prov {
			days = append(days, recs[hi].win)
			hi++
		}
		slices.Sort(days)
		provDays[prov] = len(slices.Compact(days))
		lo = hi
	}

	kDay := make([]int32, d.nPat())
	var edges []coVisitEdge
	var pairs []spreadPair
	var cands []coVisitEdge
	for lo := 0; lo < len(recs); {
		hi := lo + 1
		for hi < len(recs) && recs[hi].unit == recs[lo].unit {
			hi++
		}
		unit := recs[lo:hi]
		lo = hi
		st.Units++
		if st.Units%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, st, err
			}
		}
		D := 0
		for i, r := range unit {
			if i == 0 || r.win != unit[i-1].win {
				D++
			}
			kDay[r.pat]++
		}
		pairs = pairs[:0]
		// Day runs: unit is sorted by (day, patient).
		var starts []int
		for i := range unit {
			if i == 0 || unit[i].win != unit[i-1].win {
				starts = append(starts, i)
			}
		}
		starts = append(starts, len(unit))
		for di := 0; di+1 < len(starts); di++ {
			day := unit[starts[di]].win
			// The span [day, day+s] in records.
			end := di + 1
			for end+1 < len(starts) && unit[starts[end]].win <= day+s {
				end++
			}
			span := unit[starts[di]:starts[end]]
			st.Buckets++
			if len(span) > spanCap {
				st.CrowdedBuckets++
				continue
			}
			first := span[:starts[di+1]-starts[di]]
			for _, a := range first {
				if kDay[a.pat] < int32(p.MinCoVisitDays) {
					continue
				}
				for _, b := range span {
					if b.pat == a.pat || kDay[b.pat] < int32(p.MinCoVisitDays) {
						continue
					}
					if b.win == day && b.pat < a.pat {
						continue // same-day pairs once
					}
					x, y := min(a.pat, b.pat), max(a.pat, b.pat)
					pairs = append(pairs, spreadPair{key: uint64(x)<<32 | uint64(y), day: day})
				}
			}
		}
		st.PairRecords += len(pairs)
		if len(pairs) > 0 {
			slices.SortFunc(pairs, func(x, y spreadPair) int {
				if c := cmp.Compare(x.key, y.key); c != 0 {
					return c
				}
				return cmp.Compare(x.day, y.day)
			})
			prov, doc := int32(unit[0].unit>>32), int32(uint32(unit[0].unit))-1
			act := float64(max(D, provDays[prov]))
			for plo := 0; plo < len(pairs); {
				phi := plo + 1
				for phi < len(pairs) && pairs[phi].key == pairs[plo].key {
					phi++
				}
				run := pairs[plo:phi]
				plo = phi
				sessions, begin := int32(0), int32(math.MinInt32)
				for _, pr := range run {
					if pr.day > begin+s {
						sessions++
						begin = pr.day
					}
				}
				if sessions < int32(p.MinCoVisitDays) {
					continue
				}
				a, b := int32(run[0].key>>32), int32(uint32(run[0].key))
				exp := float64(kDay[a]) * float64(kDay[b]) * float64(2*s+1) / act
				sur := poissonSurprise(int(sessions), exp)
				if sur < p.MinEdgeSurprise/2 {
					continue
				}
				hh := d.sameHousehold(a, b)
				wt := math.Min(sur, 30) / 10
				if hh {
					wt *= p.HouseholdDiscount
				}
				cands = append(cands, coVisitEdge{A: a, B: b, Prov: prov, Doc: doc, Windows: sessions, Days: sessions,
					Expected: exp, Surprise: sur, RA: float64(len(run)), Household: hh, Weight: wt})
			}
			edges = append(edges, closedEdges(cands, p.MinEdgeSurprise)...)
			cands = cands[:0]
		}
		for _, r := range unit {
			kDay[r.pat] = 0
		}
	}
	st.Edges = len(edges)
	return edges, st, nil
}

// closedEdges keeps the candidate edges of one unit that are significant on their own (surprise ≥
// full) or close a triangle of candidates: each pair of a three-member group seen over a few
// sessions is only mildly surprising, but three such pairs among the same patients are not
// what independent scheduling produces (for pairwise probability q the triangle has about q³).
func closedEdges(cands []coVisitEdge, full float64) []coVisitEdge {
	adj := map[int32]map[int32]bool{}
	link := func(a, b int32) {
		if adj[a] == nil {
			adj[a] = map[int32]bool{}
		}
		adj[a][b] = true
	}
	for _, e := range cands {
		link(e.A, e.B)
		link(e.B, e.A)
	}
	var out []coVisitEdge
	for _, e := range cands {
		keep := e.Surprise >= full
		if !keep {
			na, nb := adj[e.A], adj[e.B]
			if len(nb) < len(na) {
				na, nb = nb, na
			}
			for c := range na {
				if nb[c] {
					keep = true
					break
				}
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return out
}

// newSpreadEdges returns the spread edges of pairs not already linked at the same unit by the
// window pass.
func newSpreadEdges(win, spread []coVisitEdge) []coVisitEdge {
	if len(spread) == 0 {
		return nil
	}
	type key struct{ a, b, prov, doc int32 }
	have := make(map[key]bool, len(win))
	for _, e := range win {
		have[key{e.A, e.B, e.Prov, e.Doc}] = true
	}
	var out []coVisitEdge
	for _, e := range spread {
		if !have[key{e.A, e.B, e.Prov, e.Doc}] {
			out = append(out, e)
		}
	}
	return out
}

// spreadCollusionRings finds and scores co-visit groups on the spread edges alone, keeping those
// whose patients do not overlap (Jaccard ≥ 0.3) a collusion ring already found.
func spreadCollusionRings(ctx context.Context, d *dataset, dp *diagnosisPeers, spread []coVisitEdge, have []flagged, p Params) ([]flagged, error) {
	if len(spread) == 0 {
		return nil, nil
	}
	cands, _, err := ringCandidates(ctx, spread, p)
	if err != nil {
		return nil, err
	}
	cands = mergeByOrganiser(cands, func(c candidate) bool {
		f, _, _, ok := groupFeatures(d, dp, c, p)
		return ok && !looksLikeLending(f, len(c.patients))
	})
	// Organisers (provider, doctor) of the collusion rings already found: a spread group run by
	// the same doctor at the same provider is part of that operation (as in mergeByOrganiser),
	// not a second ring.
	type unit struct{ prov, doc int32 }
	organisers := map[unit]bool{}
	for _, h := range have {
		if h.ring.Kind == graph.KindCollusionRing && len(h.docs) > 0 {
			organisers[unit{h.provs[0], h.docs[0]}] = true
		}
	}
	var out []flagged
	for _, c := range cands {
		c.spreadDays = p.SpreadDays
		f, ok := scoreCollusion(d, dp, c, p)
		if !ok {
			continue
		}
		dup := len(f.docs) > 0 && organisers[unit{f.provs[0], f.docs[0]}]
		for _, h := range have {
			if jaccardIdx(f.pats, h.pats) >= 0.3 {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, f)
		}
	}
	return out, nil
}
