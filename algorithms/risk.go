package algorithms

import (
	"context"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/centrality"
	"github.com/ringtrace/ringtrace/algorithms/csr"
	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// riskGraph is the patient–doctor–provider graph risk spreads on: patients are nodes 0..np−1,
// providers follow, then doctors; an edge ties a patient to each provider and doctor it claimed
// with, weighted by log fund money. It reads the claims only, so it is built while the
// findings are still being ranked.
func riskGraph(d *dataset.Claims) *csr.Graph {
	np, nv, nd := d.NPat(), d.NProv(), d.NDoc()
	b := csr.NewBuilder(np + nv + nd)
	acc := map[int32]float64{}
	var keys []int32
	for pt := int32(0); int(pt) < np; pt++ {
		clear(acc)
		for _, c := range d.ClaimsOf(pt) {
			w := math.Log1p(math.Max(float64(d.CFund[c])/100, 1))
			acc[int32(np)+d.CProv[c]] += w
			if d.CDoc[c] >= 0 {
				acc[int32(np+nv)+d.CDoc[c]] += w
			}
		}
		keys = keys[:0]
		for k := range acc {
			keys = append(keys, k)
		}
		slices.Sort(keys) // fixed insertion order: sums do not depend on map order
		for _, k := range keys {
			b.AddEdge(pt, k, acc[k])
		}
	}
	return b.Build()
}

// spreadRisk propagates risk from flagged parties to their neighbours with personalised
// PageRank (Haveliwala 2002) on the risk graph g (riskGraph): the restart set is every patient
// and doctor with evidence of weight ≥ 0.5 (providers are ranked on their own), weighted by its
// score. Proximity = rank / strength, scaled to the largest of its kind, adds a small reason
// ("risk_proximity") to doctors and patients no detector flagged directly.
func spreadRisk(ctx context.Context, g *csr.Graph, d *dataset.Claims, p Params, ev *finding.Evidence) error {
	np, nv, nd := d.NPat(), d.NProv(), d.NDoc()
	docNode := func(i int32) int32 { return int32(np+nv) + i }
	restart := map[int32]float64{}
	add := func(node int32, s float64) {
		if s >= 0.5 {
			restart[node] = s
		}
	}
	for k, rs := range ev.Pat {
		s, _ := entityScore(rs)
		add(k, s)
	}
	for k, rs := range ev.Doc {
		s, _ := entityScore(rs)
		add(docNode(k), s)
	}
	if len(restart) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Proximity is read to two decimals; 1e-6 in the L2 norm is far below that.
	pr := centrality.PersonalizedPageRank(g, restart, p.Damping, 1e-6)
	if err := ctx.Err(); err != nil {
		return err
	}
	norm := func(lo, hi int) float64 {
		m := 0.0
		for i := lo; i < hi; i++ {
			if s := g.Strength(int32(i)); s > 0 {
				m = math.Max(m, pr[i]/s)
			}
		}
		return m
	}
	mp, md := norm(0, np), norm(np+nv, np+nv+nd)
	for i := 0; i < np; i++ {
		if _, flagged := restart[int32(i)]; flagged || mp == 0 {
			continue
		}
		if s := g.Strength(int32(i)); s > 0 {
			if x := pr[i] / s / mp; x >= 0.05 {
				ev.Pat[int32(i)] = append(ev.Pat[int32(i)], finding.Reason("risk_proximity", 0.3*math.Sqrt(x), map[string]float64{"proximity": finding.Round4(x)},
					"与可疑主体关联紧密（个性化 PageRank 邻近度 %.2f）", "closely tied to flagged parties (personalised PageRank proximity %.2f)", x))
			}
		}
	}
	for i := 0; i < nd; i++ {
		node := np + nv + i
		if _, flagged := restart[int32(node)]; flagged || md == 0 {
			continue
		}
		if s := g.Strength(int32(node)); s > 0 {
			if x := pr[node] / s / md; x >= 0.05 {
				ev.Doc[int32(i)] = append(ev.Doc[int32(i)], finding.Reason("risk_proximity", 0.4*math.Sqrt(x), map[string]float64{"proximity": finding.Round4(x)},
					"与可疑主体关联紧密（个性化 PageRank 邻近度 %.2f）", "closely tied to flagged parties (personalised PageRank proximity %.2f)", x))
			}
		}
	}
	return nil
}
