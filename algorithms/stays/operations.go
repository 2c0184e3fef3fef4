package stays

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// One institution can host several paper-admission operations, each bringing its own recruits
// back wave after wave. Their batches can fall in the same week — one group's wave the day after
// another's, or two groups admitted on the same days — and the batches are then chained into one
// operation that matches neither. What tells them apart is repetition: two recruits of one group
// are admitted together (within the wave gap) in several batches, two recruits of different
// groups meet once, by chance of the calendar.

// coAdmissions returns, for patients a and b, in how many of a's admissions b was admitted
// within gap days (and the same from b's side), the smaller of the two.
func coAdmissions(a, b []int32, gap int32) int {
	near := func(xs, ys []int32) int {
		n := 0
		for _, x := range xs {
			for _, y := range ys {
				if y-x <= gap && x-y <= gap {
					n++
					break
				}
			}
		}
		return n
	}
	return min(near(a, b), near(b, a))
}

// minCore is the fewest patients a group split off an operation must have.
const minCore = 3

// admissionDays returns the admission days at the institution (its inpatient claims byProv) of
// each patient in pats.
func admissionDays(d *dataset.Claims, byProv []int32, pats map[int32]bool) map[int32][]int32 {
	out := make(map[int32][]int32, len(pats))
	for _, c := range byProv {
		if p := d.CPat[c]; pats[p] {
			out[p] = append(out[p], d.Day(c))
		}
	}
	return out
}

// splitOperation splits one operation's stays into the groups whose members were admitted
// together at least twice, by their admission days at the institution (days). It returns the operation unchanged unless that yields two groups
// of at least minCore patients; patients in neither join the group they were admitted with
// most often.
func splitOperation(w []stay, gap int32, days map[int32][]int32) [][]stay {
	var pats []int32
	seen := map[int32]bool{}
	for _, s := range w {
		if !seen[s.pat] {
			seen[s.pat] = true
			pats = append(pats, s.pat)
		}
	}
	if len(pats) < 2*minCore {
		return [][]stay{w}
	}
	slices.Sort(pats)
	co := make([][]int, len(pats))
	for i := range pats {
		co[i] = make([]int, len(pats))
		for j := range i {
			co[i][j] = coAdmissions(days[pats[i]], days[pats[j]], gap)
			co[j][i] = co[i][j]
		}
	}
	comps := finding.Components(len(pats), func(a, b int) bool { return co[a][b] >= 2 })
	var cores [][]int
	for _, c := range comps {
		if len(c) >= minCore {
			cores = append(cores, c)
		}
	}
	if len(cores) < 2 {
		return [][]stay{w}
	}
	group := make([]int, len(pats)) // index into cores, −1 when in none
	for i := range group {
		group[i] = -1
	}
	for g, c := range cores {
		for _, i := range c {
			group[i] = g
		}
	}
	assigned := slices.Clone(group)
	for i := range pats {
		if group[i] >= 0 {
			continue
		}
		best, bestN := -1, 0
		for g, c := range cores {
			n := 0
			for _, j := range c {
				n += co[i][j]
			}
			if n > bestN {
				best, bestN = g, n
			}
		}
		assigned[i] = best
	}
	out := make([][]stay, len(cores)+1) // the last collects patients admitted with no group
	for _, s := range w {
		i, _ := slices.BinarySearch(pats, s.pat)
		g := assigned[i]
		if g < 0 {
			g = len(cores)
		}
		out[g] = append(out[g], s)
	}
	if len(out[len(cores)]) == 0 {
		out = out[:len(cores)]
	}
	for _, g := range out {
		slices.SortFunc(g, func(a, b stay) int { return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.c, b.c)) })
	}
	return out
}

// batchSpans returns the day ranges of an operation's batches: its admission days chained at
// most gap days apart.
func batchSpans(w []stay, gap int32) [][2]int32 {
	ds := make([]int32, len(w))
	for i, s := range w {
		ds[i] = s.day
	}
	slices.Sort(ds)
	var out [][2]int32
	for _, t := range ds {
		if n := len(out); n > 0 && t-out[n-1][1] <= gap {
			out[n-1][1] = t
			continue
		}
		out = append(out, [2]int32{t, t})
	}
	return out
}

// repeatMates returns the stays at institution pv of patients outside the operation who were
// admitted, by one of the operation's doctors, within a day of its batches in at least two of
// them: the recruits whose own stays left no trace elsewhere but who came with the group
// again and again. A patient of the institution's ordinary flow is admitted beside two batches
// of one group by one of its doctors only by rare chance.
func repeatMates(d *dataset.Claims, byProv []int32, w []stay, in map[int32]bool, gap int32) []stay {
	spans := batchSpans(w, gap)
	if len(spans) < 2 {
		return nil
	}
	docs := map[int32]bool{}
	for _, s := range w {
		docs[d.CDoc[s.c]] = true
	}
	spanOf := func(day int32) int {
		for i, sp := range spans {
			if day >= sp[0]-1 && day <= sp[1]+1 {
				return i
			}
		}
		return -1
	}
	hits := map[int32]map[int]bool{}
	var cand []stay
	for _, c := range byProv {
		p := d.CPat[c]
		if in[p] || !docs[d.CDoc[c]] {
			continue
		}
		i := spanOf(d.Day(c))
		if i < 0 {
			continue
		}
		if hits[p] == nil {
			hits[p] = map[int]bool{}
		}
		hits[p][i] = true
		cand = append(cand, stay{c: c, pat: p, prov: d.CProv[c], day: d.Day(c), overProv: -1, mate: repeatMate})
	}
	var out []stay
	for _, s := range cand {
		if len(hits[s.pat]) >= 2 {
			out = append(out, s)
		}
	}
	for _, s := range out {
		in[s.pat] = true
	}
	return out
}

// admissionLoad is what surgeMates needs to know of an institution's ordinary admissions.
type admissionLoad struct {
	perDoc  map[[2]int32]int // inpatient admissions per (institution, doctor) over the export
	days    float64          // the days the export covers
	tests   float64          // surge tests the run may make (the multiple-testing correction)
	minSurp float64          // the surprise a surge needs, after the correction
}

// surgeMates tests each batch of an operation for a surge of its doctors' admissions: the stays
// at the institution that the doctors of the batch's ghost-looking stays admitted within a day
// of it, against Poisson(the doctors' admissions over the export × the window's share of it).
// A doctor who admits a patient a week and nine in three days, beside stays whose patients were
// seen elsewhere meanwhile, is writing admissions on paper; an outbreak brings a surge too, which
// is why a surge alone is not a finding (admissionWaves asks for repeated waves) and here it only
// brings the batch's other admissions into a ring that has ghost evidence of its own. It returns
// the stays of the surging batches whose patients are not in the operation yet (marking them in
// in) and the largest surge's surprise.
func surgeMates(d *dataset.Claims, byProv []int32, w []stay, in map[int32]bool, gap int32, load admissionLoad) ([]stay, float64) {
	best := math.Inf(-1)
	var out []stay
	for _, sp := range batchSpans(w, gap) {
		docs := map[int32]bool{}
		for _, s := range w {
			if doc := d.CDoc[s.c]; s.day >= sp[0] && s.day <= sp[1] && doc >= 0 {
				docs[doc] = true
			}
		}
		if len(docs) == 0 {
			continue
		}
		lo, hi := sp[0]-1, sp[1]+1
		var lambda float64
		for doc := range docs {
			lambda += float64(load.perDoc[[2]int32{w[0].prov, doc}])
		}
		lambda *= float64(hi-lo+1) / math.Max(load.days, 1)
		pats := map[int32]bool{}
		var cand []stay
		for _, c := range byProv {
			if t := d.Day(c); t >= lo && t <= hi && docs[d.CDoc[c]] {
				pats[d.CPat[c]] = true
				if !in[d.CPat[c]] {
					cand = append(cand, stay{c: c, pat: d.CPat[c], prov: d.CProv[c], day: t, overProv: -1, mate: surgeMate})
				}
			}
		}
		s := finding.PoissonSurprise(len(pats), lambda) - math.Log10(math.Max(load.tests, 1))
		if s < load.minSurp {
			continue
		}
		best = math.Max(best, s)
		for _, m := range cand {
			if !in[m.pat] {
				in[m.pat] = true
				out = append(out, m)
			}
		}
	}
	return out, best
}
