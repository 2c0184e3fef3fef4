package covisit

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/community"
	"github.com/ringtrace/ringtrace/algorithms/csr"
	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// bucket is the repeat visitors seen together in one time node: a provider-day, a block of
// days, or where a day is crowded a doctor-day.
type bucket struct {
	pats  []int32 // local ids of repeat visitors, sorted, distinct
	total int     // every patient of the node, repeat visitor or not
}

// candidates returns seed groups for refinement from the days of scope sc: repeat visitors are
// linked when they share more provider-days (doctor-days where a day is crowded) or blocks of
// days than their visit frequencies and the institution's volumes make likely, and Louvain
// clusters the links. A seed needs only to catch part of a ring with the right sessions:
// refinement grows it to the members who attend them.
func (u *unit) candidates(ctx context.Context, d *dataset.Claims, o Options, sc int, seed uint64) ([][]int32, error) {
	local := map[int32]int32{}
	var pats []int32
	id := func(p int32) int32 {
		if v, ok := local[p]; ok {
			return v
		}
		v := int32(len(pats))
		local[p] = v
		pats = append(pats, p)
		return v
	}
	capN := o.MaxBucketPatients
	var dayBuckets, blockBuckets []bucket
	// Day buckets: the provider-day, or its doctor-days when crowded.
	for i, t := range u.days {
		if !u.inScope(t, sc) {
			continue
		}
		vs := u.dayVisits(i)
		if len(vs) <= capN {
			b := bucket{total: len(vs)}
			for _, v := range vs {
				if u.k[v.pat] >= 2 {
					b.pats = append(b.pats, id(v.pat))
				}
			}
			dayBuckets = append(dayBuckets, b)
			continue
		}
		byDoc := map[int32]*bucket{}
		var docs []int32
		for _, v := range vs {
			if v.doc < 0 {
				continue
			}
			b := byDoc[v.doc]
			if b == nil {
				b = &bucket{}
				byDoc[v.doc] = b
				docs = append(docs, v.doc)
			}
			b.total++
			if u.k[v.pat] >= 2 {
				b.pats = append(b.pats, id(v.pat))
			}
		}
		slices.Sort(docs)
		for _, doc := range docs {
			if b := byDoc[doc]; b.total <= capN {
				dayBuckets = append(dayBuckets, *b)
			}
		}
	}
	// Block buckets (offset-0 blocks are whole chunks, so they stay inside one half).
	if u.blockLen > 1 {
		blocks := map[int32]*bucket{}
		var order []int32
		seen := map[[2]int32]bool{}
		for i, t := range u.days {
			if !u.inScope(t, sc) {
				continue
			}
			bl := u.block(t, 0)
			b := blocks[bl]
			if b == nil {
				b = &bucket{}
				blocks[bl] = b
				order = append(order, bl)
			}
			for _, v := range u.dayVisits(i) {
				b.total++
				if u.k[v.pat] >= 2 && !seen[[2]int32{v.pat, bl}] {
					seen[[2]int32{v.pat, bl}] = true
					b.pats = append(b.pats, id(v.pat))
				}
			}
		}
		for _, bl := range order {
			if b := blocks[bl]; b.total <= capN*int(u.blockLen) {
				blockBuckets = append(blockBuckets, *b)
			}
		}
	}
	if len(pats) < 2 {
		return nil, nil
	}
	// Each patient's visits of the scope per jitter window, for the pair null.
	runs := make([][]windowVisits, len(pats))
	for i, p := range pats {
		for _, t := range u.patDays[p] {
			if !u.inScope(t, sc) {
				continue
			}
			w := u.window(t)
			if r := runs[i]; len(r) > 0 && r[len(r)-1].w == w {
				r[len(r)-1].n++
			} else {
				runs[i] = append(r, windowVisits{w, 1})
			}
		}
	}
	b := csr.NewBuilder(len(pats))
	linked := false
	for bi, buckets := range [][]bucket{dayBuckets, blockBuckets} {
		const minShared, minLink = 2, 2.0
		type link struct {
			x, y int32
			w    float64
		}
		var links []link
		sets := make([][]int32, len(buckets))
		for i, bk := range buckets {
			sets[i] = bk.pats
		}
		csr.SharedPairs(sets, len(pats), minShared, func(x, y int32, shared int32) {
			s := finding.PoissonSurprise(int(shared), pairExpected(runs[x], runs[y], u.winQ[sc], u.win0, bi == 1, u.blockLen))
			if s >= minLink {
				links = append(links, link{x, y, math.Min(s, 20)})
			}
		})
		// The links in order of x then y, whatever the order of counting.
		slices.SortFunc(links, func(a, b link) int {
			if a.x != b.x {
				return cmp.Compare(a.x, b.x)
			}
			return cmp.Compare(a.y, b.y)
		})
		for _, l := range links {
			b.AddEdge(l.x, l.y, l.w)
			linked = true
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if !linked {
		return nil, nil
	}
	g := b.Build()
	res, err := community.Louvain(ctx, g, community.Options{Resolution: o.Resolution, Seed: seed})
	if err != nil {
		return nil, err
	}
	groups := make([][]int32, res.Count)
	for i, pt := range pats {
		if g.Degree(int32(i)) > 0 {
			c := res.Community[i]
			groups[c] = append(groups[c], pt)
		}
	}
	out := groups[:0]
	for _, gr := range groups {
		if len(gr) >= 2 {
			slices.Sort(gr)
			out = append(out, gr)
		}
	}
	return out, nil
}

// windowVisits is a patient's number of visits in one jitter window.
type windowVisits struct {
	w, n int32
}

// pairExpected returns the expected number of days (blocks when block is set) two patients with
// the given visits per jitter window share under the jitter null: Σ over windows of v_a,w ·
// v_b,w · Q_w, with Q_w (winQ[w−win0]) the chance that two visits of the window fall on one day
// (for blocks, the window's blocks: about blockLen times more).
func pairExpected(a, b []windowVisits, winQ []float64, win0 int32, block bool, blockLen int32) float64 {
	var e float64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch wa, wb := a[i].w, b[j].w; {
		case wa < wb:
			i++
		case wb < wa:
			j++
		default:
			q := winQ[wa-win0]
			if block {
				q = math.Min(1, q*float64(blockLen))
			}
			e += float64(a[i].n*b[j].n) * q
			i++
			j++
		}
	}
	return e
}
