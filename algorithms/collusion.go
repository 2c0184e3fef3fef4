package algorithms

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// flagged is a reported ring together with the dataset indices of its parties, so that entity
// scoring can credit them without parsing refs back.
type flagged struct {
	ring  graph.Ring
	pats  []int32
	provs []int32
	docs  []int32
}

// collusionFeatures are the explainable features of one candidate ring, each in [0,1] except
// where noted; docs/detection.md gives the formulas.
type collusionFeatures struct {
	MeanDays      float64 // mean distinct co-visit days over the ring's edges
	Density       float64 // edges / possible pairs
	Concentration float64 // members' fund money at the ring's main provider / their total
	Private       float64 // 1 private, 0 public, 0.5 unknown
	Inflation     float64 // geometric mean amount at the main provider / diagnosis peers (ratio)
	SyncAdmit     float64 // share of members' admissions there on a day another member was admitted
	Household     float64 // share of member pairs that share a phone or an address
	Spread        float64 // distinct addresses (or phones) / members with one
	Amount        int64   // members' fund money at the main provider(s), fen
	Claims        int
}

// scoreCollusion turns a candidate into a reported ring, or returns ok=false when it scores
// below MinRingScore.
func scoreCollusion(d *dataset, dp *diagnosisPeers, c candidate, p Params) (flagged, bool) {
	// Main provider and doctor: the unit carrying most edge weight among members.
	provW := map[int32]float64{}
	docW := map[int32]float64{}
	days := 0.0
	for _, e := range c.edges {
		provW[e.Prov] += e.Weight + 1e-9
		if e.Doc >= 0 {
			docW[e.Doc] += e.Weight + 1e-9
		}
		days += float64(e.Days)
	}
	mainProv := argmaxKey(provW)
	var f collusionFeatures
	n := len(c.patients)
	f.MeanDays = days / float64(len(c.edges))
	f.Density = float64(len(c.edges)) / float64(n*(n-1)/2)
	f.Density = math.Min(f.Density, 1)
	switch d.provOwn[mainProv] {
	case ownPrivate:
		f.Private = 1
	case ownPublic:
		f.Private = 0
	default:
		f.Private = 0.5
	}
	var atMain, total int64
	var logSum float64
	var logN int
	admitDays := map[int32]int{} // day → members admitted at the main provider
	var admits []int32
	for _, pt := range c.patients {
		for _, ci := range d.claimsOf(pt) {
			total += d.cFund[ci]
			if d.cProv[ci] != mainProv {
				continue
			}
			atMain += d.cFund[ci]
			f.Claims++
			if lr, _ := dp.logRatio(d, int(ci)); d.cTotal[ci] > 0 {
				logSum += lr
				logN++
			}
			if d.cType[ci] == ctInpatient {
				day := int32(floorDiv(d.cStart[ci], secondsPerDay))
				admitDays[day]++
				admits = append(admits, day)
			}
		}
	}
	f.Amount = atMain
	if total > 0 {
		f.Concentration = float64(atMain) / float64(total)
	}
	if logN > 0 {
		f.Inflation = math.Exp(logSum / float64(logN))
	} else {
		f.Inflation = 1
	}
	if len(admits) > 0 {
		sync := 0
		for _, day := range admits {
			if admitDays[day] >= 2 {
				sync++
			}
		}
		f.SyncAdmit = float64(sync) / float64(len(admits))
	}
	hhPairs, pairs := 0, 0
	addrs := map[int32]bool{}
	withAddr := 0
	for i, a := range c.patients {
		key := d.patAddr[a]
		if key < 0 {
			key = -2 - d.patPhone[a] // phones in a disjoint range
			if d.patPhone[a] < 0 {
				key = math.MinInt32
			}
		}
		if key != math.MinInt32 {
			addrs[key] = true
			withAddr++
		}
		for _, b := range c.patients[i+1:] {
			pairs++
			if d.sameHousehold(a, b) {
				hhPairs++
			}
		}
	}
	f.Household = float64(hhPairs) / float64(pairs)
	if withAddr > 0 {
		f.Spread = float64(len(addrs)) / float64(withAddr)
	} else {
		f.Spread = 0.5
	}

	// Evidence that the group really moves together, then how abnormal what it does is.
	// Co-visiting alone is what chronic-clinic cohorts do too, so it is necessary but not
	// sufficient: the score is evidence × (a floor + abnormality), discounted for households.
	cov := clamp01(1-math.Exp(-(f.MeanDays-1)/3)) * math.Sqrt(f.Density)
	infl := clamp01((f.Inflation - 1.15) / 1.0)
	abn := noisyOr(0.55*infl, 0.4*f.Private, 0.35*f.SyncAdmit, 0.25*f.Concentration)
	hhPen := 1 - 0.9*f.Household
	score := clamp01(cov * (0.3 + 0.7*abn) * hhPen * (0.8 + 0.2*f.Spread))
	score = math.Pow(score, 0.6) // spread the scale so that typical rings land in 0.5..0.9
	if score < p.MinRingScore {
		return flagged{}, false
	}

	reasons := []graph.Reason{
		reason("covisit_days", cov, map[string]float64{"mean_days": round4(f.MeanDays), "density": round4(f.Density), "edges": float64(len(c.edges)), "patients": float64(n)},
			"%d 名参保人在同一机构/医生同一时段反复共同就诊，平均每对 %.1f 个不同日期（远超按就诊量的期望），关联密度 %.0f%%",
			"%d patients were repeatedly seen together by the same provider/doctor in the same window, %.1f distinct days per pair on average (far above what their volumes predict), pair density %.0f%%",
			n, f.MeanDays, 100*f.Density),
	}
	if infl > 0 {
		reasons = append(reasons, reason("amount_inflation", 0.55*infl, map[string]float64{"ratio": round4(f.Inflation)},
			"成员在该机构的费用为同诊断同类型同行的 %.2f 倍", "members' amounts at this provider are %.2f× those of peers with the same diagnosis and claim type", f.Inflation))
	}
	switch f.Private {
	case 1:
		reasons = append(reasons, reason("private_provider", 0.4, nil, "主要机构为民营机构", "the main provider is privately owned"))
	case 0.5:
		reasons = append(reasons, reason("ownership_unknown", 0.2, nil, "主要机构性质（公立/民营）未知", "the main provider's ownership (public/private) is unknown"))
	}
	if f.SyncAdmit > 0 {
		reasons = append(reasons, reason("synchronised_admissions", 0.35*f.SyncAdmit, map[string]float64{"share": round4(f.SyncAdmit), "admissions": float64(len(admits))},
			"%.0f%% 的住院与其他成员同日入院（共 %d 次住院）", "%.0f%% of the %d admissions were on the same day as another member's", 100*f.SyncAdmit, len(admits)))
	}
	reasons = append(reasons, reason("spending_concentration", 0.25*f.Concentration, map[string]float64{"share": round4(f.Concentration), "amount_yuan": yuan(atMain)},
		"成员统筹支付的 %.0f%%（%.2f 元）集中在该机构", "%.0f%% of the members' fund payments (%.2f yuan) went to this provider", 100*f.Concentration, yuan(atMain)))
	if f.Household > 0 {
		reasons = append(reasons, reason("shared_household", 0.9*f.Household, map[string]float64{"share": round4(f.Household)},
			"%.0f%% 的成员对共用电话或地址（可能是家庭成员，降低风险）", "%.0f%% of member pairs share a phone or address (possibly a family; lowers the score)", 100*f.Household))
	}
	slices.SortStableFunc(reasons, func(a, b graph.Reason) int { return cmp.Compare(b.Weight, a.Weight) })

	fl := flagged{pats: c.patients, provs: []int32{mainProv}}
	members := make([]graph.Ref, 0, n+2)
	for _, pt := range c.patients {
		members = append(members, d.patRef(pt))
	}
	if len(docW) > 0 {
		md := argmaxKey(docW)
		// Only the doctor who carries most of the ring's co-visits is named: others may simply
		// share the department.
		if docW[md] >= 0.5*provW[mainProv] {
			fl.docs = []int32{md}
			members = append(members, d.docRef(md))
		}
	}
	members = append(members, d.provRef(mainProv))
	fl.ring = graph.Ring{
		ID: ringID(graph.KindCollusionRing, members), Kind: graph.KindCollusionRing, Score: round4(score),
		Members: members, Amount: graph.Money(atMain), Claims: f.Claims, Region: d.regionOf(mainProv), Reasons: reasons,
	}
	return fl, true
}

func (d *dataset) regionOf(prov int32) string {
	if r := d.provRegion[prov]; r >= 0 {
		return d.regions.strs[r]
	}
	return ""
}

// argmaxKey returns the key with the largest value, the smallest key on ties.
func argmaxKey(m map[int32]float64) int32 {
	best, bv := int32(-1), math.Inf(-1)
	for k, v := range m {
		if v > bv || (v == bv && k < best) {
			best, bv = k, v
		}
	}
	return best
}
