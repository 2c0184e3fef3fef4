package algorithms

import (
	"context"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/centrality"
	"github.com/ringtrace/ringtrace/algorithms/csr"
	"github.com/ringtrace/ringtrace/graph"
)

// providerStats are the per-provider figures compared against peers.
type providerStats struct {
	claims, patients         int
	inflation                float64 // mean log(amount / diagnosis peers)
	claimsPerPatient         float64
	inpatientShare, oddShare float64
	fund                     int64
	flaggedFund              int64 // fund money from patients in reported rings
}

// providerAnomaly ranks every provider against its peers (same kind, same level when the export
// has levels) with robust z-scores (median and MAD) of amount inflation against diagnosis peers,
// claims per patient, inpatient share and odd-hour share, and credits providers with the share
// of their fund money that went to patients of reported rings. It works on the thinnest export
// (claims only): every feature comes from the claims themselves.
func providerAnomaly(d *dataset, dp *diagnosisPeers, rings []flagged, ev *evidence, p Params) {
	np := d.nProv()
	st := make([]providerStats, np)
	inRing := make([]bool, d.nPat())
	for _, f := range rings {
		for _, pt := range f.pats {
			inRing[pt] = true
		}
	}
	lastPat := make([]int32, np)
	for i := range lastPat {
		lastPat[i] = -1
	}
	// Claims per patient need distinct patients per provider: walk patients in order.
	for pt := int32(0); int(pt) < d.nPat(); pt++ {
		for _, c := range d.claimsOf(pt) {
			pv := d.cProv[c]
			s := &st[pv]
			s.claims++
			if lastPat[pv] != pt {
				lastPat[pv] = pt
				s.patients++
			}
			lr, _ := dp.logRatio(d, int(c))
			s.inflation += lr
			if d.cType[c] == ctInpatient {
				s.inpatientShare++
			}
			h := int(floorDiv(d.cStart[c], 3600) % 24)
			if isOddHour((h+24)%24, p.OddHourStart, p.OddHourEnd) {
				s.oddShare++
			}
			s.fund += d.cFund[c]
			if inRing[pt] {
				s.flaggedFund += d.cFund[c]
			}
		}
	}
	for i := range st {
		s := &st[i]
		if s.claims > 0 {
			n := float64(s.claims)
			s.inflation /= n
			s.inpatientShare /= n
			s.oddShare /= n
			s.claimsPerPatient = n / float64(max(s.patients, 1))
		}
	}
	// Peer groups: kind × level.
	groups := map[[2]int32][]int32{}
	for i := int32(0); int(i) < np; i++ {
		if st[i].claims == 0 {
			continue
		}
		groups[[2]int32{int32(d.provKind[i]), d.provLevel[i]}] = append(groups[[2]int32{int32(d.provKind[i]), d.provLevel[i]}], i)
	}
	type feature struct {
		code, zh, en string
		get          func(*providerStats) float64
		w            float64
	}
	features := []feature{
		{"peer_amount_inflation", "次均费用相对同诊断同行偏高（同级同类机构中 z=%.1f，均值比 %.2f 倍）", "amounts above diagnosis peers (z=%.1f among peers of the same kind and level, mean ratio %.2f×)", func(s *providerStats) float64 { return s.inflation }, 0.5},
		{"peer_claims_per_patient", "人均就诊次数异常偏高（z=%.1f，人均 %.2f 次）", "unusually many claims per patient (z=%.1f, %.2f per patient)", func(s *providerStats) float64 { return s.claimsPerPatient }, 0.3},
		{"peer_inpatient_share", "住院比例异常偏高（z=%.1f，占比 %.2f）", "unusually high inpatient share (z=%.1f, share %.2f)", func(s *providerStats) float64 { return s.inpatientShare }, 0.3},
		{"peer_odd_hours", "非营业时段结算比例异常（z=%.1f，占比 %.2f）", "unusual share of odd-hour claims (z=%.1f, share %.2f)", func(s *providerStats) float64 { return s.oddShare }, 0.3},
	}
	for _, members := range groups {
		if len(members) < 5 {
			continue // too few peers for a robust comparison
		}
		for _, f := range features {
			vals := make([]float64, len(members))
			for i, m := range members {
				vals[i] = f.get(&st[m])
			}
			med, mad := medianMAD(vals)
			scale := 1.4826 * mad
			if scale < 1e-9 {
				continue
			}
			for i, m := range members {
				z := (vals[i] - med) / scale
				if z < 3 {
					continue
				}
				w := f.w * clamp01((z-3)/5)
				shown := vals[i]
				if f.code == "peer_amount_inflation" {
					shown = math.Exp(vals[i])
				}
				ev.prov[m] = append(ev.prov[m], reason(f.code, w, map[string]float64{"z": round4(z), "value": round4(shown), "peers": float64(len(members))}, f.zh, f.en, z, shown))
			}
		}
	}
	for i := int32(0); int(i) < np; i++ {
		s := &st[i]
		if s.flaggedFund == 0 || s.fund == 0 {
			continue
		}
		share := float64(s.flaggedFund) / float64(s.fund)
		ev.prov[i] = append(ev.prov[i], reason("flagged_patient_share", 0.7*clamp01(share*2), map[string]float64{"share": round4(share), "amount_yuan": yuan(s.flaggedFund)},
			"%.0f%% 的统筹支付（%.2f 元）流向可疑团伙成员", "%.0f%% of its fund payments (%.2f yuan) went to members of flagged rings", 100*share, yuan(s.flaggedFund)))
	}
}

func medianMAD(v []float64) (float64, float64) {
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	for i := range s {
		s[i] = math.Abs(s[i] - med)
	}
	slices.Sort(s)
	return med, s[len(s)/2]
}

// spreadRisk propagates risk from flagged parties to their neighbours with personalised
// PageRank (Haveliwala 2002) on the patient–doctor–provider graph: nodes are parties, an edge
// ties a patient to each provider and doctor it claimed with, weighted by the fund money. The
// restart set is every party with a reason of weight ≥ 0.5, weighted by its score. A party's
// proximity is its rank relative to the largest rank among parties of its kind, and adds a small
// reason ("risk_proximity") to doctors and patients that no detector flagged directly.
func spreadRisk(ctx context.Context, d *dataset, p Params, ev *evidence) error {
	np, nv, nd := d.nPat(), d.nProv(), d.nDoc()
	provNode := func(i int32) int32 { return int32(np) + i }
	docNode := func(i int32) int32 { return int32(np+nv) + i }
	restart := map[int32]float64{}
	add := func(node int32, rs []graph.Reason) {
		s, _ := entityScore(rs)
		if s >= 0.5 {
			restart[node] = s
		}
	}
	for k, rs := range ev.pat {
		add(k, rs)
	}
	for k, rs := range ev.prov {
		add(provNode(k), rs)
	}
	for k, rs := range ev.doc {
		add(docNode(k), rs)
	}
	if len(restart) == 0 {
		return nil
	}
	// One edge per (patient, party) with the claims' weights summed, accumulated per patient so
	// that the builder holds distinct ties rather than every claim.
	b := csr.NewBuilder(np + nv + nd)
	acc := map[int32]float64{}
	var keys []int32
	for pt := int32(0); int(pt) < np; pt++ {
		clear(acc)
		for _, c := range d.claimsOf(pt) {
			w := math.Log1p(math.Max(float64(d.cFund[c])/100, 1))
			acc[provNode(d.cProv[c])] += w
			if d.cDoc[c] >= 0 {
				acc[docNode(d.cDoc[c])] += w
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
	if err := ctx.Err(); err != nil {
		return err
	}
	g := b.Build()
	// Proximity is read to two decimals; 1e-6 in the L2 norm is far below that.
	pr := centrality.PersonalizedPageRank(g, restart, p.Damping, 1e-6)
	if err := ctx.Err(); err != nil {
		return err
	}
	// Normalise by each node's stationary share under plain degree weighting so that hubs do
	// not look risky merely for being big: proximity = rank / strength, scaled per kind.
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
			x := pr[i] / s / mp
			if x >= 0.05 {
				ev.pat[int32(i)] = append(ev.pat[int32(i)], reason("risk_proximity", 0.3*math.Sqrt(x), map[string]float64{"proximity": round4(x)},
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
			x := pr[node] / s / md
			if x >= 0.05 {
				ev.doc[int32(i)] = append(ev.doc[int32(i)], reason("risk_proximity", 0.4*math.Sqrt(x), map[string]float64{"proximity": round4(x)},
					"与可疑主体关联紧密（个性化 PageRank 邻近度 %.2f）", "closely tied to flagged parties (personalised PageRank proximity %.2f)", x))
			}
		}
	}
	return nil
}

// addBrokers credits patients with high betweenness in the co-visit projection.
func addBrokers(brokers map[int32]float64, ev *evidence) {
	keys := make([]int32, 0, len(brokers))
	for k := range brokers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b := brokers[k]
		if b < 0.01 {
			continue
		}
		ev.pat[k] = append(ev.pat[k], reason("broker", 0.3*clamp01(b*10), map[string]float64{"betweenness": round4(b)},
			"在共同就诊网络中处于中介位置（归一化介数 %.3f），可能是组织者", "a broker in the co-visit network (normalised betweenness %.3f), possibly an organiser", b))
	}
}
