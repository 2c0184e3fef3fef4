package algorithms

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// evidence collects the reasons of every party during a run; the entity score is the noisy-OR of
// the reason weights (independent pieces of evidence), so one strong reason dominates and many
// weak ones add up without exceeding 1.
type evidence struct {
	pat  map[int32][]graph.Reason
	prov map[int32][]graph.Reason
	doc  map[int32][]graph.Reason
	// screen holds each patient's screening-rule hits (nil when none), formatted lazily.
	screen []screenHit
}

func newEvidence() *evidence {
	return &evidence{pat: map[int32][]graph.Reason{}, prov: map[int32][]graph.Reason{}, doc: map[int32][]graph.Reason{}}
}

// merge appends o's reasons to ev's.
func (ev *evidence) merge(o *evidence) {
	for _, pair := range [][2]map[int32][]graph.Reason{{ev.pat, o.pat}, {ev.prov, o.prov}, {ev.doc, o.doc}} {
		for k, rs := range pair[1] {
			pair[0][k] = append(pair[0][k], rs...)
		}
	}
	if o.screen != nil {
		ev.screen = o.screen
	}
}

// addRing credits every party of a reported ring with the ring's score.
func (ev *evidence) addRing(f flagged) {
	r := reason("in_ring", f.ring.Score, map[string]float64{"ring_score": f.ring.Score},
		"属于可疑团伙 %s（%s，得分 %.2f）", "member of suspicious ring %s (%s, score %.2f)", f.ring.ID, f.ring.Kind, f.ring.Score)
	for _, x := range f.pats {
		ev.pat[x] = append(ev.pat[x], r)
	}
	for i, x := range f.provs {
		rp := r
		if f.provCredit != nil && f.provCredit[i] < 1 {
			rp.Weight = round4(r.Weight * f.provCredit[i])
			rp.Values = map[string]float64{"ring_score": f.ring.Score, "credit": round4(f.provCredit[i])}
		}
		ev.prov[x] = append(ev.prov[x], rp)
	}
	for _, x := range f.docs {
		ev.doc[x] = append(ev.doc[x], r)
	}
}

// entityScore combines reasons: the same code counts once (its strongest instance), so that a
// patient in two overlapping rings is not double-counted.
func entityScore(rs []graph.Reason) (float64, []graph.Reason) {
	best := map[string]graph.Reason{}
	for _, r := range rs {
		if b, ok := best[r.Code]; !ok || r.Weight > b.Weight {
			best[r.Code] = r
		}
	}
	out := make([]graph.Reason, 0, len(best))
	ws := make([]float64, 0, len(best))
	for _, r := range best {
		out = append(out, r)
		ws = append(ws, r.Weight)
	}
	slices.SortFunc(out, func(a, b graph.Reason) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	if len(out) > 8 {
		out = out[:8]
	}
	return round4(noisyOr(ws...)), out
}

// entities turns the collected evidence into the sorted entity list. Providers and doctors are
// always listed (so that they can be ranked even when nothing flagged them); patients only when
// their score reaches MinEntityScore.
func (ev *evidence) entities(d *dataset, p Params) []graph.EntityRisk {
	var out []graph.EntityRisk
	for i := int32(0); int(i) < d.nProv(); i++ {
		s, rs := entityScore(ev.prov[i])
		ref := d.provRef(i)
		out = append(out, graph.EntityRisk{Type: ref.Type, ID: ref.ID, Score: s, Reasons: nonNil(rs)})
	}
	for i := int32(0); int(i) < d.nDoc(); i++ {
		s, rs := entityScore(ev.doc[i])
		out = append(out, graph.EntityRisk{Type: graph.TypeDoctor, ID: d.doc.strs[i], Score: s, Reasons: nonNil(rs)})
	}
	pats := make([]int32, 0, len(ev.pat))
	for k := range ev.pat {
		pats = append(pats, k)
	}
	for i, h := range ev.screen {
		if _, ok := ev.pat[int32(i)]; !ok && h.any() {
			pats = append(pats, int32(i))
		}
	}
	slices.Sort(pats)
	for _, i := range pats {
		// Score from weights first; text only for patients that are written out.
		best := map[string]float64{}
		keep := func(code string, w float64) { best[code] = math.Max(best[code], w) }
		for _, r := range ev.pat[i] {
			keep(r.Code, r.Weight)
		}
		var h screenHit
		if ev.screen != nil {
			h = ev.screen[i]
			h.weights(keep)
		}
		ws := make([]float64, 0, len(best))
		for _, w := range best {
			ws = append(ws, w)
		}
		if q := round4(noisyOr(ws...)); q < p.MinEntityScore || q == 0 {
			continue
		}
		s, rs := entityScore(append(slices.Clip(ev.pat[i]), h.reasons(p)...))
		out = append(out, graph.EntityRisk{Type: graph.TypePatient, ID: d.pat.strs[i], Score: s, Reasons: nonNil(rs)})
	}
	slices.SortStableFunc(out, func(a, b graph.EntityRisk) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func nonNil(rs []graph.Reason) []graph.Reason {
	if rs == nil {
		return []graph.Reason{}
	}
	return rs
}
