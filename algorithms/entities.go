package algorithms

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/algorithms/screening"
	"github.com/ringtrace/ringtrace/graph"
)

// kindZH and classZH name kinds and classes in the reason texts.
var kindZH = map[string]string{
	graph.KindCollusionRing: "串通就医团伙", graph.KindCardLending: "借卡/冒名就医", graph.KindPharmacyCardCollection: "药店聚敛盗刷",
	graph.KindDeceasedClaims: "死亡人员冒用", graph.KindScreeningRule: "筛查规则", graph.KindGhostHospitalization: "挂床/虚假住院",
}

// creditParties credits every party of a reported ring or lead with its score (providers and
// doctors with their credit).
func creditParties(ev *finding.Evidence, c finding.Candidate) {
	code, zh, en := "in_ring", "属于可疑团伙 %s（%s，得分 %.2f）", "member of suspicious ring %s (%s, score %.2f)"
	if c.Lead || len(c.Pats) < 2 {
		code, zh, en = "in_lead", "涉及可疑线索 %s（%s，得分 %.2f）", "part of suspicious lead %s (%s, score %.2f)"
	}
	s := c.Ring.Score
	r := finding.Reason(code, s, map[string]float64{"ring_score": s}, zh, en, c.Ring.ID, kindZH[c.Ring.Kind], s)
	for _, x := range c.Pats {
		ev.Pat[x] = append(ev.Pat[x], r)
	}
	credited := func(credit []float64, i int) graph.Reason {
		if credit == nil || credit[i] >= 1 {
			return r
		}
		rp := r
		rp.Weight = finding.Round4(s * credit[i])
		rp.Values = map[string]float64{"ring_score": s, "credit": finding.Round4(credit[i])}
		return rp
	}
	for i, x := range c.Provs {
		ev.Prov[x] = append(ev.Prov[x], credited(c.ProvCredit, i))
	}
	for i, x := range c.Docs {
		ev.Doc[x] = append(ev.Doc[x], credited(c.DocCredit, i))
	}
}

// entityScore combines reasons: the same code counts once (its strongest instance), so that a
// patient in two overlapping rings is not double-counted; the score is the noisy-OR.
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
	finding.SortReasons(out)
	if len(out) > 8 {
		out = out[:8]
	}
	return finding.Round4(finding.NoisyOr(ws...)), out
}

// entities turns the evidence into the sorted entity list. Providers and doctors are always
// listed (so that they can be ranked even when nothing flagged them); patients only when their
// score reaches MinEntityScore.
func entities(d *dataset.Claims, p Params, ev *finding.Evidence, hits screening.Hits) []graph.EntityRisk {
	var out []graph.EntityRisk
	for i := int32(0); int(i) < d.NProv(); i++ {
		s, rs := entityScore(ev.Prov[i])
		ref := d.ProvRef(i)
		out = append(out, graph.EntityRisk{Type: ref.Type, ID: ref.ID, Score: s, Reasons: nonNil(rs)})
	}
	for i := int32(0); int(i) < d.NDoc(); i++ {
		s, rs := entityScore(ev.Doc[i])
		out = append(out, graph.EntityRisk{Type: graph.TypeDoctor, ID: d.Doc.Strs[i], Score: s, Reasons: nonNil(rs)})
	}
	pats := make([]int32, 0, len(ev.Pat))
	for k := range ev.Pat {
		pats = append(pats, k)
	}
	for i, h := range hits {
		if _, ok := ev.Pat[int32(i)]; !ok && h.Any() {
			pats = append(pats, int32(i))
		}
	}
	slices.Sort(pats)
	for _, i := range pats {
		// Score from weights first; text only for patients that are written out.
		best := map[string]float64{}
		keep := func(code string, w float64) { best[code] = math.Max(best[code], w) }
		for _, r := range ev.Pat[i] {
			keep(r.Code, r.Weight)
		}
		var h screening.Hit
		if hits != nil {
			h = hits[i]
			h.Weights(keep)
		}
		ws := make([]float64, 0, len(best))
		for _, w := range best {
			ws = append(ws, w)
		}
		if q := finding.Round4(finding.NoisyOr(ws...)); q < p.MinEntityScore || q == 0 {
			continue
		}
		s, rs := entityScore(append(slices.Clip(ev.Pat[i]), h.Reasons(p.Screening)...))
		out = append(out, graph.EntityRisk{Type: graph.TypePatient, ID: d.Pat.Strs[i], Score: s, Reasons: nonNil(rs)})
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
