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
	graph.KindDeceasedClaims: "死亡人员冒用", graph.KindScreeningRule: "筛查规则", graph.KindGhostHospitalization: "挂床/虚假住院", graph.KindBillingRule: "费用明细违规",
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
	// A single-card lead is evidence against the card, not yet against the provider where it
	// was used: providers get lead evidence from creditLeadProviders, by how surprising their
	// number of lead cards is. A lead of several cards (a screening list of one provider) is
	// about the provider itself and credits it.
	if len(c.Pats) >= 2 {
		for i, x := range c.Provs {
			ev.Prov[x] = append(ev.Prov[x], credited(c.ProvCredit, i))
		}
	}
	for i, x := range c.Docs {
		ev.Doc[x] = append(ev.Doc[x], credited(c.DocCredit, i))
	}
}

// creditLeadProviders credits providers with the single-card leads used at them, by
// concentration: per lead kind, the number of distinct lead cards among the provider's patients
// against the number expected at the kind's rate over all patients with claims (Poisson). One
// dead person's card at a clinic of 30 patients, where such cards are one in two thousand, is
// surprising; one overlapping stay at a hospital of 2,000 patients, where one patient in forty
// has one, is not. The weight is the strongest lead's score scaled by the surprise (full at
// 10^-6) or by the kind's specificity, whichever is higher, so that leads common in an export
// stop outweighing the provider's own evidence while rare ones keep theirs.
func creditLeadProviders(d *dataset.Claims, ev *finding.Evidence, all []finding.Candidate) {
	type key struct {
		kind string
		pv   int32
	}
	type agg struct {
		pats map[int32]bool
		best float64
		amt  graph.Money
	}
	byKey := map[key]*agg{}
	kindPats := map[string]map[int32]bool{}
	for _, c := range all {
		if len(c.Pats) >= 2 {
			continue
		}
		kp := kindPats[c.Ring.Kind]
		if kp == nil {
			kp = map[int32]bool{}
			kindPats[c.Ring.Kind] = kp
		}
		for _, pt := range c.Pats {
			kp[pt] = true
		}
		for i, pv := range c.Provs {
			k := key{c.Ring.Kind, pv}
			a := byKey[k]
			if a == nil {
				a = &agg{pats: map[int32]bool{}}
				byKey[k] = a
			}
			for _, pt := range c.Pats {
				a.pats[pt] = true
			}
			s := c.Ring.Score
			if c.ProvCredit != nil {
				s *= c.ProvCredit[i]
			}
			a.best = math.Max(a.best, s)
			a.amt += c.Ring.Amount
		}
	}
	if len(byKey) == 0 {
		return
	}
	// Distinct patients per provider, and patients with any claim.
	provPats := make([]int32, d.NProv())
	seen := make([]int32, d.NProv())
	for i := range seen {
		seen[i] = -1
	}
	active := 0
	for pt := int32(0); int(pt) < d.NPat(); pt++ {
		cs := d.ClaimsOf(pt)
		if len(cs) > 0 {
			active++
		}
		for _, c := range cs {
			if pv := d.CProv[c]; pv >= 0 && seen[pv] != pt {
				seen[pv] = pt
				provPats[pv]++
			}
		}
	}
	keys := make([]key, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.pv, b.pv), cmp.Compare(a.kind, b.kind))
	})
	for _, k := range keys {
		a := byKey[k]
		rate := float64(len(kindPats[k.kind])) / float64(max(active, 1))
		mu := rate * float64(provPats[k.pv])
		n := len(a.pats)
		surprise := finding.PoissonSurprise(n, mu)
		w := a.best * finding.Clamp01(math.Max(surprise/6, leadSpecificity(rate)))
		ev.Prov[k.pv] = append(ev.Prov[k.pv], finding.Reason("lead_concentration", w,
			map[string]float64{"lead_cards": float64(n), "expected": finding.Round4(mu), "patients": float64(provPats[k.pv]), "surprise": finding.Round4(surprise),
				"kind_rate": finding.Round4(rate)},
			"%d 张参保卡涉及%s线索（按全部参保人的比例预期约 %.1f 张，本机构 %d 名就诊人）",
			"%d cards with %s leads (about %.1f expected at the rate over all patients; %d patients at this provider)",
			n, kindZH[k.kind], mu, provPats[k.pv]))
	}
}

// leadSpecificity is how much one lead of a kind found on this share of all cards says about
// the provider by itself: a kind on fewer than one card in a thousand (a dead person's card
// in use) is specific, so one instance counts almost fully; a kind on one card in a hundred or
// more (overlapping stays in an export full of transfers) is not, and must show concentration.
func leadSpecificity(rate float64) float64 { return finding.Clamp01(1 - 100*rate) }

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
