package cards

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// A holder who registered none of the lent cards with their own phone leaves no contact to
// start from, and rarely uses two of the cards one after another at one counter: on an outing
// card A pays at a clinic, card B at the pharmacy down the street an hour later, card C at a
// hospital. What marks such cards is being used on the same outings at *different* providers,
// again and again. Honest people who come to one provider together (a household, a chronic-
// clinic day, a collusion ring's session) meet at that provider, not at two different ones.
//
// Testing every pair of cards in a pooling region for that would be quadratic, so candidates
// are the pairs seen at least once at the same provider on the same day within outingMinutes
// of each other (the holder does sometimes take two cards to one place). For each candidate
// pair, the days on which the two cards claim at different providers within outingMinutes are
// compared with what their own visit days make likely (a Poisson null, as in outingCoUse), each
// card keeping to its own days of the week (sameWeekdays): two patients of one weekly clinic day
// or dialysis shift meet on those weekdays by their schedules, not because one person carries
// both cards. There are far more candidate pairs than holders, so a pair is not linked on its own surprise:
// it is linked when it is surprising (crossOutingSurprise) and closes a triangle with two other
// such pairs, the three tested together (one weaker side, down to weakOutingSurprise, carried by
// two strong ones: a holder with five cards takes two or three on each outing, so not every pair
// meets often). Three cards meeting pairwise on outings at different providers is the group-level
// evidence: in the development sets (docs/eval.md) such triangles were holder groups, while
// isolated surprising pairs and chains were chance. (Accepting 4-cycles as well added false
// groups there and found no more holders.) A holder's cards that never met at one provider are
// reached in two steps: a card met at one provider by one side of a strong pair is tested
// against the other side, its surprise corrected for the partners searched (twoStep). Days on
// which both claims are chronic follow-ups are not outings: clinics that hold their chronic
// days on one schedule bring their patients out on the same mornings.
const (
	// crossOutingSurprise is the per-pair surprise (-log10 p) a candidate pair needs.
	crossOutingSurprise = 2.5
	// weakOutingSurprise is the least surprise of a pair that can close another's triangle.
	weakOutingSurprise = 1.5
	// crossOutingMinDays is the fewest distinct days of cross-provider co-use a pair needs.
	crossOutingMinDays = 2
	// maxCandidateNeighbours bounds how many later claims at one provider each claim is paired
	// with, so that a provider's busiest day does not emit a quadratic number of pairs.
	maxCandidateNeighbours = 48
	// maxTwoStepRounds bounds how far the two-step search spreads from the first strong pairs.
	maxTwoStepRounds = 3
)

// edge is a pair of cards with its cross-outing surprise.
type edge struct {
	k  [2]int32
	sp float64
}

// outingLink is a pair of cards to link as used on outings together, with its co-use and
// surprise.
type outingLink struct {
	k  [2]int32
	s  *pairStat
	sp float64
}

// crossOutingLinks returns, in order of the candidate pairs, the triangle-supported pairs of
// cards used on the same outings at different providers. It reads only the claims, so it runs
// beside the counter co-use; linkOuting adds its pairs afterwards.
func crossOutingLinks(d *dataset.Claims, amb *ambulatory) []outingLink {
	window := int64(outingMinutes) * 60
	cands := sameProviderPairs(d, window)
	if len(cands) == 0 {
		return nil
	}
	within := math.Min(1, 2*float64(window)/(12*3600))
	first := edgesInChunks(cands, 50000, func(pr uint64, out []edge) []edge {
		a, b := int32(pr>>32), int32(uint32(pr))
		if sp, ok := crossOutingTest(amb, a, b, window, within, 0); ok {
			out = append(out, edge{[2]int32{a, b}, sp})
		}
		return out
	})
	var kept []edge
	adj := map[int32][]int32{}
	sps := map[[2]int32]float64{}
	add := func(e edge) {
		kept = append(kept, e)
		adj[e.k[0]] = append(adj[e.k[0]], e.k[1])
		adj[e.k[1]] = append(adj[e.k[1]], e.k[0])
		sps[e.k] = max(sps[e.k], e.sp)
	}
	for _, e := range first {
		add(e)
	}
	// Two steps through the candidates: a holder's cards that never met at one provider are
	// tested when one of them met, at one provider, a card x that has a strong cross-outing pair
	// with the other (a-x a candidate, x-b strong). The pair a-b was picked among x's candidate
	// partners, so its surprise is corrected by log10 of their number. New strong pairs extend
	// the search, up to maxTwoStepRounds rounds.
	nb := candidateNeighbours(d.NPat(), cands)
	var frontier [][2]int32
	for _, e := range kept {
		if e.sp >= crossOutingSurprise {
			frontier = append(frontier, e.k)
		}
	}
	test := func(a, b int32, tried int) (float64, bool) {
		return crossOutingTest(amb, a, b, window, within, math.Log10(float64(tried)))
	}
	for round := 0; round < maxTwoStepRounds && len(frontier) > 0; round++ {
		found := twoStep(frontier, nb, sps, test)
		frontier = frontier[:0]
		for _, e := range found {
			add(e)
			if e.sp >= crossOutingSurprise {
				frontier = append(frontier, e.k)
			}
		}
	}
	classes := d.DiagClasses()
	var links []outingLink
	for _, e := range kept {
		if e.sp < crossOutingSurprise || !closesTriangle(e.k, e.sp, adj, sps) {
			continue
		}
		s := outingPair(d, classes, amb.of(e.k[0]), amb.of(e.k[1]), window)
		s.cross = true
		links = append(links, outingLink{e.k, s, e.sp})
	}
	return links
}

// crossOutingTest is the surprise, less correction, of the days on which cards a and b were
// used on the same outings at different providers, and whether it reaches weakOutingSurprise.
// Their shared visit days bound those days: when even all of them would not be surprising
// enough, the claims are not read.
func crossOutingTest(amb *ambulatory, a, b int32, window int64, within, correction float64) (float64, bool) {
	shared := amb.sharedDays(a, b)
	if shared < crossOutingMinDays {
		return 0, false
	}
	e := amb.sameWeekdays(a, b) * within
	// P(X ≥ k) ≥ P(X = k): the surprise is at most -log10 of the point probability.
	if bound := (e - float64(shared)*math.Log(e) + finding.LogFactorial(shared)) / math.Ln10; bound-correction < weakOutingSurprise {
		return 0, false
	}
	n := crossProviderDays(amb.usesOf(a), amb.usesOf(b), window)
	if n < crossOutingMinDays {
		return 0, false
	}
	sp := finding.PoissonSurprise(n, e) - correction
	return sp, sp >= weakOutingSurprise
}

// edgesInChunks runs each over items in parallel chunks (at least perWorker items a worker,
// at most GOMAXPROCS workers) and returns the edges each appended, chunk after chunk, so the
// result does not depend on the number of workers.
func edgesInChunks[T any](items []T, perWorker int, each func(item T, out []edge) []edge) []edge {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(items)/perWorker))
	chunk := (len(items) + workers - 1) / workers
	parts := make([][]edge, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for _, it := range items[min(len(items), w*chunk):min(len(items), (w+1)*chunk)] {
				parts[w] = each(it, parts[w])
			}
		}(w)
	}
	wg.Wait()
	return slices.Concat(parts...)
}

// twoStep tests, for each pair x-b of frontier, the pairs a-b with a a candidate partner of x
// (and likewise from b's side) that are neither candidates nor already found, in parallel
// chunks, and returns those test keeps, each once (with its best surprise), sorted by pair.
func twoStep(frontier [][2]int32, nb *neighbours, found map[[2]int32]float64, test func(a, b int32, tried int) (float64, bool)) []edge {
	all := edgesInChunks(frontier, 1000, func(e [2]int32, out []edge) []edge {
		for side := range 2 {
			x, b := e[side], e[1-side]
			xs := nb.of(x)
			for _, a := range xs {
				if a == b {
					continue
				}
				k := [2]int32{min(a, b), max(a, b)}
				sp, ok := test(k[0], k[1], len(xs))
				if !ok || nb.has(k[0], k[1]) {
					continue
				}
				if _, seen := found[k]; !seen {
					out = append(out, edge{k, sp})
				}
			}
		}
		return out
	})
	slices.SortFunc(all, func(p, q edge) int {
		if c := cmp.Compare(p.k[0], q.k[0]); c != 0 {
			return c
		}
		if c := cmp.Compare(p.k[1], q.k[1]); c != 0 {
			return c
		}
		return cmp.Compare(q.sp, p.sp)
	})
	return slices.CompactFunc(all, func(p, q edge) bool { return p.k == q.k })
}

// neighbours is the candidate pairs as adjacency lists (CSR), each list sorted.
type neighbours struct {
	off, end []int32 // p's partners are to[off[p]:end[p]]
	to       []int32
}

func candidateNeighbours(n int, cands []uint64) *neighbours {
	g := &neighbours{off: make([]int32, n+1), to: make([]int32, 2*len(cands))}
	for _, pr := range cands {
		g.off[int32(pr>>32)+1]++
		g.off[int32(uint32(pr))+1]++
	}
	for i := 1; i <= n; i++ {
		g.off[i] += g.off[i-1]
	}
	next := slices.Clone(g.off[:n])
	for _, pr := range cands {
		a, b := int32(pr>>32), int32(uint32(pr))
		g.to[next[a]], next[a] = b, next[a]+1
		g.to[next[b]], next[b] = a, next[b]+1
	}
	g.end = make([]int32, n)
	for p := range n {
		l := g.to[g.off[p]:g.off[p+1]]
		slices.Sort(l)
		g.end[p] = g.off[p] + int32(len(slices.Compact(l))) // a pair met at two providers is listed twice
	}
	return g
}

// of returns p's candidate partners, sorted.
func (g *neighbours) of(p int32) []int32 { return g.to[g.off[p]:g.end[p]] }

// has reports whether a and b are a candidate pair (tested already).
func (g *neighbours) has(a, b int32) bool {
	_, ok := slices.BinarySearch(g.of(a), b)
	return ok
}

// sameProviderPairs returns the distinct pairs of patients (lower index in the high half) with
// ambulatory claims at one provider on one day within window of each other. Claims are bucketed
// by provider and each provider's pairs deduplicated on their own (small sorts); a pair met at
// two providers appears twice, which only repeats its test.
func sameProviderPairs(d *dataset.Claims, window int64) []uint64 {
	start := make([]int32, d.NProv()+1)
	for c := int32(0); int(c) < d.NClaims(); c++ {
		if d.CType[c] != dataset.Inpatient {
			start[d.CProv[c]+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	byProv := make([]int32, start[len(start)-1])
	next := slices.Clone(start[:len(start)-1])
	for c := int32(0); int(c) < d.NClaims(); c++ {
		if d.CType[c] != dataset.Inpatient {
			byProv[next[d.CProv[c]]] = c
			next[d.CProv[c]]++
		}
	}
	var out, local []uint64
	for pv := range d.NProv() {
		cs := byProv[start[pv]:start[pv+1]]
		slices.SortFunc(cs, func(a, b int32) int {
			if x := cmp.Compare(d.CStart[a], d.CStart[b]); x != 0 {
				return x
			}
			return cmp.Compare(a, b)
		})
		local = local[:0]
		for i, a := range cs {
			pa, da, ta := d.CPat[a], d.Day(a), d.CStart[a]
			for _, b := range cs[i+1 : min(len(cs), i+1+maxCandidateNeighbours)] {
				if d.Day(b) != da || d.CStart[b]-ta > window {
					break
				}
				if pb := d.CPat[b]; pb != pa {
					local = append(local, uint64(uint32(min(pa, pb)))<<32|uint64(uint32(max(pa, pb))))
				}
			}
		}
		slices.Sort(local)
		out = append(out, slices.Compact(local)...)
	}
	return out
}

// crossProviderDays counts the distinct days on which a claim of ca and a claim of cb (each
// sorted by start time) were made at different providers within window of each other, unless
// both are follow-ups of chronic conditions: two patients whose clinics hold their chronic days
// on one schedule meet that way every month by appointment.
func crossProviderDays(ca, cb []use, window int64) int {
	n, last, j := 0, int32(math.MinInt32), 0
	for _, x := range ca {
		if x.day == last {
			continue
		}
		for j < len(cb) && cb[j].t < x.t-window {
			j++
		}
		for _, y := range cb[j:] {
			if y.t > x.t+window {
				break
			}
			if y.day == x.day && y.prov != x.prov && !(x.chronic && y.chronic) {
				n++
				last = x.day
				break
			}
		}
	}
	return n
}

// closesTriangle reports whether pair k (of surprise sp) closes a triangle with two other
// pairs whose surprises, with sp, sum to three times crossOutingSurprise: the triangle is tested
// as a whole, so one weaker side (down to weakOutingSurprise) is carried by two strong ones. The
// lists are short: a card has few surprising partners.
func closesTriangle(k [2]int32, sp float64, adj map[int32][]int32, sps map[[2]int32]float64) bool {
	pair := func(a, b int32) [2]int32 { return [2]int32{min(a, b), max(a, b)} }
	for _, x := range adj[k[0]] {
		if x == k[1] || !slices.Contains(adj[k[1]], x) {
			continue
		}
		if sp+sps[pair(k[0], x)]+sps[pair(k[1], x)] >= 3*crossOutingSurprise {
			return true
		}
	}
	return false
}
