package covisit

import (
	"context"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/community"
	"github.com/ringtrace/ringtrace/algorithms/csr"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// maxDayPairVisits bounds the visit days of scope a patient may have to take part in the day
// links: someone at the institution on most days (a dialysis patient, staff) shares days with
// everyone and says nothing about which days belong together. Such patients still join groups in
// refinement.
const maxDayPairVisits = 60

// sessionCandidates returns seed groups found through the days rather than through the pairs of
// patients: two days are linked when they share more repeat visitors than the visitors' own
// frequencies make likely, Louvain gathers days that keep sharing visitors into a series of
// sessions, and each series' seed is the patients who attended at least two of its days. A ring
// whose sessions each bring a different few of its members (rotating attendance) has few pairs
// who meet often, but any two of its sessions share some members, far more than two days of a
// small clinic share by chance; this is the day side of the patient × day block that the pair
// projection sees from the patient side.
func (u *unit) sessionCandidates(ctx context.Context, o Options, sc int, seed uint64) ([][]int32, error) {
	// Active days of the scope, and for every repeat visitor its day indices.
	var days []int
	dayPos := map[int]int32{}
	for i, t := range u.days {
		if u.inScope(t, sc) {
			dayPos[i] = int32(len(days))
			days = append(days, i)
		}
	}
	if len(days) < o.MinSessions {
		return nil, nil
	}
	// pull_t is the day's one-time visitors plus one (as in the pair null): the chance that a
	// visit of window w falls on day t is pull_t / Σ_w pull.
	pull := make([]float64, len(days))
	winPull := map[int32]float64{}
	for j, i := range days {
		pull[j] = 1
		for _, v := range u.dayVisits(i) {
			if u.k[v.pat] == 1 {
				pull[j]++
			}
		}
		winPull[u.window(u.days[i])] += pull[j]
	}
	type patDays struct {
		pat  int32
		days []int32 // positions in days
	}
	var pats []patDays
	byPat := map[int32][]int32{}
	var order []int32
	for _, i := range days {
		for _, v := range u.dayVisits(i) {
			if u.k[v.pat] < 2 {
				continue
			}
			if _, ok := byPat[v.pat]; !ok {
				order = append(order, v.pat)
			}
			byPat[v.pat] = append(byPat[v.pat], dayPos[i])
		}
	}
	for _, p := range order {
		if ds := byPat[p]; len(ds) >= 2 && len(ds) <= maxDayPairVisits {
			pats = append(pats, patDays{p, ds})
		}
	}
	if len(pats) < 2 {
		return nil, nil
	}
	// Observed shared visitors per day pair, and the visitors' window co-occurrence S(w1, w2) =
	// Σ_p v_p,w1 · v_p,w2 (w1 ≠ w2) or Σ_p v_p,w (v_p,w − 1) (w1 = w2), from which the
	// expected number shared by days t1, t2 is S(w1, w2) · pull_t1/Σ_w1 · pull_t2/Σ_w2.
	shared := map[uint64]int32{}
	winCo := map[uint64]float64{}
	for _, pd := range pats {
		for a, x := range pd.days {
			for _, y := range pd.days[a+1:] {
				shared[uint64(x)<<32|uint64(y)]++
			}
		}
		vw := map[int32]float64{}
		for _, x := range pd.days {
			vw[u.window(u.days[days[x]])]++
		}
		for w1, v1 := range vw {
			for w2, v2 := range vw {
				switch {
				case w1 < w2:
					winCo[uint64(uint32(w1))<<32|uint64(uint32(w2))] += v1 * v2
				case w1 == w2:
					winCo[uint64(uint32(w1))<<32|uint64(uint32(w2))] += v1 * (v1 - 1) / 2
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	keys := make([]uint64, 0, len(shared))
	for k, c := range shared {
		if c >= 2 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b := csr.NewBuilder(len(days))
	linked := false
	for _, k := range keys {
		x, y := int32(k>>32), int32(k&0xffffffff)
		w1, w2 := u.window(u.days[days[x]]), u.window(u.days[days[y]])
		lo, hi := min(w1, w2), max(w1, w2)
		exp := winCo[uint64(uint32(lo))<<32|uint64(uint32(hi))] * pull[x] / winPull[w1] * pull[y] / winPull[w2]
		if s := finding.PoissonSurprise(int(shared[k]), exp); s >= 3 {
			b.AddEdge(x, y, math.Min(s, 20))
			linked = true
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
	series := make([][]int32, res.Count)
	for x := range days {
		if g.Degree(int32(x)) > 0 {
			c := res.Community[x]
			series[c] = append(series[c], int32(x))
		}
	}
	var out [][]int32
	for _, ser := range series {
		if len(ser) < o.MinSessions {
			continue
		}
		in := map[int32]bool{}
		for _, x := range ser {
			in[x] = true
		}
		var group []int32
		for _, pd := range pats {
			n := 0
			for _, x := range pd.days {
				if in[x] {
					n++
				}
			}
			if n >= 2 {
				group = append(group, pd.pat)
			}
		}
		if len(group) >= 2 {
			slices.Sort(group)
			out = append(out, group)
		}
	}
	return out, nil
}
