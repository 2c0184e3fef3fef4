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
	// provCredit is the share of the ring's score credited to each provider (parallel to provs;
	// nil credits fully). A public hospital is not fraudulent because one of its doctors runs a
	// ring, and a pharmacy where a borrowed card was used is not the borrower.
	provCredit []float64
}

// collusionFeatures are the explainable features of one candidate ring, each in [0,1] except
// where noted; docs/detection.md gives the formulas.
type collusionFeatures struct {
	MeanDays      float64 // mean distinct co-visit days over the ring's edges
	MeanSurprise  float64 // mean −log10 Poisson tail of the edges' co-visits
	Density       float64 // edges / possible pairs
	Concentration float64 // members' fund money at the ring's main provider / their total
	Private       float64 // 1 private, 0 public, 0.5 unknown
	Inflation     float64 // geometric mean amount at the main provider / diagnosis peers (ratio)
	SyncAdmit     float64 // share of members' admissions there on a day another member was admitted
	Household     float64 // share of member pairs that share a phone or an address
	Spread        float64 // distinct addresses (or phones) / members with one
	Amount        int64   // members' fund money at the main provider(s), fen
	Claims        int
	AmountCV      float64 // coefficient of variation of the members' amounts there
	DiagShare     float64 // share of those claims with the most common diagnosis
	Weekly        float64 // 0 random days … 1 every co-visit day on the same weekday
	Cadence       float64 // 0 random gaps … 1 sessions at a fixed interval (dialysis, therapy course)
	Schedule      float64 // max(Weekly, Cadence): the group keeps a treatment schedule
	Internal      float64 // share of the members' projection edges inside the group
	CoDays        int     // distinct days with a co-visit
}

// mainUnit returns the provider and doctor (−1 when none dominates) carrying most of a
// candidate's edge weight.
func mainUnit(c candidate) (prov, doc int32, provW, docW map[int32]float64) {
	provW = map[int32]float64{}
	docW = map[int32]float64{}
	for _, e := range c.edges {
		provW[e.Prov] += e.Weight + 1e-9
		if e.Doc >= 0 {
			docW[e.Doc] += e.Weight + 1e-9
		}
	}
	prov, doc = argmaxKey(provW), int32(-1)
	if len(docW) > 0 {
		md := argmaxKey(docW)
		// Only the doctor who carries most of the group's co-visits is named: others may simply
		// share the department.
		if docW[md] >= 0.5*provW[prov] {
			doc = md
		}
	}
	return prov, doc, provW, docW
}

// mergeByOrganiser joins candidates organised by the same doctor at the same provider (or the
// same provider when doctors are not exported): a ring that brings its recruits in rotating
// sub-groups shows up as several communities that never co-visit each other, yet it is one
// operation with one organiser.
func mergeByOrganiser(cands []candidate, mergeable func(candidate) bool) []candidate {
	type key struct{ prov, doc int32 }
	idx := map[key]int{}
	var out []candidate
	for _, c := range cands {
		pv, dc, _, _ := mainUnit(c)
		k := key{pv, dc}
		if dc < 0 || !mergeable(c) {
			// Without a doctor there is no organiser to tie groups together (pharmacies, thin
			// exports), and one holder's cards are not recruits: keep them apart.
			out = append(out, c)
			continue
		}
		if i, ok := idx[k]; ok {
			out[i].patients = append(out[i].patients, c.patients...)
			out[i].edges = append(out[i].edges, c.edges...)
			continue
		}
		idx[k] = len(out)
		out = append(out, candidate{patients: slices.Clone(c.patients), edges: slices.Clone(c.edges), internal: c.internal})
	}
	for i := range out {
		slices.Sort(out[i].patients)
		out[i].patients = slices.Compact(out[i].patients)
	}
	return out
}

// groupFeatures computes the explainable features of a co-visit group at its main provider.
func groupFeatures(d *dataset, dp *diagnosisPeers, c candidate, p Params) (f collusionFeatures, mainProv, mainDoc int32, ok bool) {
	mainProv, mainDoc, _, _ = mainUnit(c)
	days, surprise := 0.0, 0.0
	for _, e := range c.edges {
		days += float64(e.Days)
		surprise += math.Min(e.Surprise, 30)
	}
	if len(c.edges) == 0 {
		return f, -1, -1, false
	}
	f.MeanSurprise = surprise / float64(len(c.edges))
	f.Internal = c.internal
	n := len(c.patients)
	f.MeanDays = days / float64(len(c.edges))
	// Connectedness: the share of member pairs linked, saturating at 0.3 so that rings brought in
	// rotating sub-groups (merged by organiser) or with patchy attendance keep full credit, while
	// chains of chance co-visits through a busy department do not.
	f.Density = math.Min(1, float64(len(c.edges))/float64(n*(n-1)/2)/0.3)
	switch d.provOwn[mainProv] {
	case ownPrivate:
		f.Private = 1
	case ownPublic:
		f.Private = 0
	default:
		f.Private = 0.5
	}
	var atMain, total int64
	var logSum, amtSum, amtSum2 float64
	var logN, coClaims int
	diagN := map[int32]int{}
	admitDays := map[int32]int{} // day → members admitted at the main provider
	var admits []int32
	// Windows in which at least two members were at the main provider: the amount and
	// diagnosis pattern is read on these co-visit claims only, not on members' own visits.
	winSec := int64(p.WindowMinutes) * 60
	winN := map[int64]int{}
	for _, pt := range c.patients {
		last := int64(math.MinInt64)
		for _, ci := range d.claimsOf(pt) {
			if d.cProv[ci] == mainProv {
				if w := floorDiv(d.cStart[ci], winSec); w != last {
					winN[w]++
					last = w
				}
			}
		}
	}
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
			if winN[floorDiv(d.cStart[ci], winSec)] >= 2 {
				a := float64(d.cTotal[ci])
				amtSum += a
				amtSum2 += a * a
				diagN[d.cDiag[ci]]++
				coClaims++
			}
		}
	}
	f.Amount = atMain
	// Schedule regularity: a chronic-disease clinic day is the same weekday every week; recruits
	// are brought in when the organiser needs the money.
	// Only group sessions count (at least a quarter of the members): members of a clinic's
	// cohort also meet by chance on other days.
	session := max(2, (n+3)/4)
	var wd [7]int
	seenDay := map[int64]bool{}
	for w, k := range winN {
		if k < session {
			continue
		}
		day := floorDiv(w*winSec, secondsPerDay)
		if !seenDay[day] {
			seenDay[day] = true
			wd[((day+4)%7+7)%7]++ // 1970-01-01 was a Thursday
		}
	}
	f.CoDays = len(seenDay)
	if f.CoDays >= 4 {
		// A few days can share a weekday by chance; trust the share from twelve days on.
		f.Weekly = clamp01((float64(slices.Max(wd[:]))/float64(f.CoDays)-1.0/7)/(1-1.0/7)) * clamp01(float64(f.CoDays-4)/8)
	}
	// Cadence: dialysis shifts (every two or three days), a daily therapy course or a weekly
	// clinic come back at a fixed interval; recruits are brought in on irregular days, whose gaps
	// vary as much as their mean (coefficient of variation about 1 for random days).
	if f.CoDays >= 6 {
		days := make([]int64, 0, len(seenDay))
		for dd := range seenDay {
			days = append(days, dd)
		}
		slices.Sort(days)
		var gs, gs2 float64
		for i := 1; i < len(days); i++ {
			g := float64(days[i] - days[i-1])
			gs += g
			gs2 += g * g
		}
		m := gs / float64(len(days)-1)
		cv := math.Sqrt(math.Max(gs2/float64(len(days)-1)-m*m, 0)) / m
		f.Cadence = clamp01(1-cv/0.8) * clamp01(float64(f.CoDays-5)/6)
	}
	f.Schedule = math.Max(f.Weekly, f.Cadence)
	f.AmountCV = 1
	if coClaims > 0 {
		mean := amtSum / float64(coClaims)
		if mean > 0 {
			f.AmountCV = math.Sqrt(math.Max(amtSum2/float64(coClaims)-mean*mean, 0)) / mean
		}
		top := 0
		for dg, k := range diagN {
			if dg >= 0 && k > top {
				top = k
			}
		}
		f.DiagShare = float64(top) / float64(coClaims)
	}
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

	return f, mainProv, mainDoc, true
}

// looksLikeLending reports whether a group reads as one holder's cards: few cards, no shared
// address, the same diagnosis and near-identical amounts on their co-visits.
func looksLikeLending(f collusionFeatures, n int) bool {
	return n <= maxLendingCards && f.Household < 0.5 && f.AmountCV <= 0.2 && f.DiagShare >= 0.8 && f.Internal >= 0.6
}

// scoreCollusion turns a candidate into a reported ring (collusion ring, or card lending for a
// small group that reads as one holder's cards), or returns ok=false when it scores below
// MinRingScore.
func scoreCollusion(d *dataset, dp *diagnosisPeers, c candidate, p Params) (flagged, bool) {
	f, mainProv, mainDoc, ok := groupFeatures(d, dp, c, p)
	if !ok {
		return flagged{}, false
	}
	n := len(c.patients)
	if c.spreadDays > 0 {
		// Spread edges are kept below the edge threshold only when they close triangles; a
		// connected group of such pairs is jointly far less likely than any one pair (a
		// triangle of pairs at p is about p³ under independence), credited conservatively as
		// (1 + density) times the mean pair surprise.
		f.MeanSurprise *= 1 + f.Density
	}
	cov := coVisitEvidence(f.MeanSurprise) * math.Sqrt(f.Density)
	// At a pharmacy (no prescriber) a small group swiped together is read as one holder's cards
	// even when purchases carry no diagnosis.
	atPharmacy := d.provKind[mainProv] == provPharmacy
	if c.spreadDays > 0 && looksLikeLending(f, n) {
		// One holder carrying several cards swipes them in one visit; cards that only come
		// within days of each other are not one holder, and too few to be a ring on this alone.
		return flagged{}, false
	}
	if looksLikeLending(f, n) || (atPharmacy && n <= maxLendingCards && f.Household < 0.5 && f.Internal >= 0.6 && f.AmountCV <= 0.2) {
		return lendingGroup(d, c, f, cov, mainProv, mainDoc, p)
	}
	if n < p.MinRingSize || d.provKind[mainProv] == provPharmacy {
		// Recruits need a prescriber: a larger group at a pharmacy is a card collection (its own
		// detector) or regulars refilling on the same days.
		return flagged{}, false
	}
	// Evidence that the group really moves together, then how abnormal what it does is.
	// Co-visiting alone is what chronic-clinic cohorts do too, so it is necessary but not
	// sufficient: the score is evidence × (a floor + abnormality), discounted for households.
	infl := clamp01((f.Inflation - 1.15) / 1.0)
	abn := noisyOr(0.55*infl, 0.4*f.Private, 0.35*f.SyncAdmit, 0.25*f.Concentration)
	hhPen := 1 - 0.9*f.Household
	score := clamp01(cov * (0.3 + 0.7*abn) * hhPen * (0.8 + 0.2*f.Spread) * (1 - 0.7*f.Schedule))
	score = math.Pow(score, 0.6) // spread the scale so that typical rings land in 0.5..0.9
	if score < p.MinRingScore {
		return flagged{}, false
	}

	reasons := []graph.Reason{covisitReason(c, f, cov)}
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
		reasons = append(reasons, reason("synchronised_admissions", 0.35*f.SyncAdmit, map[string]float64{"share": round4(f.SyncAdmit)},
			"%.0f%% 的住院与其他成员同日入院", "%.0f%% of the admissions were on the same day as another member's", 100*f.SyncAdmit))
	}
	reasons = append(reasons, reason("spending_concentration", 0.25*f.Concentration, map[string]float64{"share": round4(f.Concentration), "amount_yuan": yuan(f.Amount)},
		"成员统筹支付的 %.0f%%（%.2f 元）集中在该机构", "%.0f%% of the members' fund payments (%.2f yuan) went to this provider", 100*f.Concentration, yuan(f.Amount)))
	if f.Schedule > 0.3 {
		reasons = append(reasons, reason("regular_schedule", 0.7*f.Schedule, map[string]float64{"weekly": round4(f.Weekly), "cadence": round4(f.Cadence), "days": float64(f.CoDays)},
			"共同就诊按固定日程进行（每周同日 %.2f、固定间隔 %.2f，共 %d 天），像慢病门诊日、透析排班或疗程（降低风险）",
			"co-visits follow a fixed schedule (same weekday %.2f, fixed interval %.2f, over %d days), like a chronic-disease clinic day, a dialysis shift or a therapy course (lowers the score)", f.Weekly, f.Cadence, f.CoDays))
	}
	if f.Household > 0 {
		reasons = append(reasons, reason("shared_household", 0.9*f.Household, map[string]float64{"share": round4(f.Household)},
			"%.0f%% 的成员对共用电话或地址（可能是家庭成员，降低风险）", "%.0f%% of member pairs share a phone or address (possibly a family; lowers the score)", 100*f.Household))
	}
	slices.SortStableFunc(reasons, func(a, b graph.Reason) int { return cmp.Compare(b.Weight, a.Weight) })

	// A public institution is credited only in proportion to how much of its business the ring
	// is: one doctor's ring does not make a public hospital fraudulent.
	credit := 1.0
	switch d.provOwn[mainProv] {
	case ownPublic:
		credit = math.Max(0.3, math.Min(1, 3*d.fundShare(mainProv, f.Amount)))
	case ownUnknown:
		credit = math.Max(0.6, math.Min(1, 3*d.fundShare(mainProv, f.Amount)))
	}
	fl := groupRing(d, graph.KindCollusionRing, c.patients, mainProv, mainDoc, credit, score, f, reasons)
	for _, ph := range partnerHospitals(d, c.patients, mainProv) {
		fl.provs = append(fl.provs, ph.prov)
		fl.provCredit = append(fl.provCredit, 0.8)
		fl.ring.Members = append(fl.ring.Members, d.provRef(ph.prov))
		fl.ring.Reasons = append(fl.ring.Reasons, reason("partner_admissions", 0.35, map[string]float64{"members": float64(ph.members), "waves": float64(ph.waves)},
			"%d 名成员分 %d 批在另一家医院同期入院（合作医院，挂床住院嫌疑）", "%d members were admitted together in %d waves at another hospital (a partner hospital: suspected paper admissions)", ph.members, ph.waves))
	}
	fl.ring.ID = ringID(graph.KindCollusionRing, fl.ring.Members)
	return fl, true
}

type partner struct {
	prov           int32
	members, waves int
}

// partnerHospitals returns institutions other than the ring's own where at least three members
// were admitted within two days of each other (a wave), in at least one wave: the hospital that
// takes the group's paper admissions (挂床住院).
func partnerHospitals(d *dataset, pats []int32, main int32) []partner {
	type adm struct {
		prov int32
		day  int64
		pat  int32
	}
	var as []adm
	for _, pt := range pats {
		for _, c := range d.claimsOf(pt) {
			if d.cType[c] == ctInpatient && d.cProv[c] != main && d.provKind[d.cProv[c]] == provInstitution {
				as = append(as, adm{d.cProv[c], floorDiv(d.cStart[c], secondsPerDay), pt})
			}
		}
	}
	slices.SortFunc(as, func(a, b adm) int {
		if c := cmp.Compare(a.prov, b.prov); c != 0 {
			return c
		}
		return cmp.Compare(a.day, b.day)
	})
	var out []partner
	for lo := 0; lo < len(as); {
		hi := lo
		for hi < len(as) && as[hi].prov == as[lo].prov {
			hi++
		}
		members := map[int32]bool{}
		waves := 0
		for i := lo; i < hi; {
			j := i
			wave := map[int32]bool{}
			for j < hi && as[j].day-as[i].day <= 2 {
				wave[as[j].pat] = true
				j++
			}
			if len(wave) >= 3 {
				waves++
				for x := range wave {
					members[x] = true
				}
			}
			i = j
		}
		if waves > 0 {
			out = append(out, partner{as[lo].prov, len(members), waves})
		}
		lo = hi
	}
	return out
}

// coVisitEvidence maps the mean edge surprise (−log10 p) to [0,1]: 0 at p = 0.01, about 0.5 at
// the default edge threshold p = 1e-4, 0.9 at p = 1e-9.
func coVisitEvidence(meanSurprise float64) float64 {
	return clamp01(1 - math.Exp(-(meanSurprise-2)/3))
}

// maxLendingCards is the largest co-visit group read as one borrower carrying several cards
// rather than as a recruited ring.
const maxLendingCards = 4

func covisitReason(c candidate, f collusionFeatures, cov float64) graph.Reason {
	n := len(c.patients)
	if c.spreadDays > 0 {
		return reason("covisit_spread_days", cov, map[string]float64{"mean_sessions": round4(f.MeanDays), "group_surprise": round4(f.MeanSurprise), "density": round4(f.Density), "edges": float64(len(c.edges)), "patients": float64(n), "spread_days": float64(c.spreadDays)},
			"%d 名参保人反复在相隔不超过 %d 天内到同一机构/医生就诊，平均每对 %.1f 次（按就诊量期望的群体概率约 10^-%.1f）",
			"%d patients repeatedly came to the same provider/doctor within %d days of each other, %.1f sessions per pair on average (group probability about 10^-%.1f given their volumes)",
			n, c.spreadDays, f.MeanDays, f.MeanSurprise)
	}
	return reason("covisit_days", cov, map[string]float64{"mean_days": round4(f.MeanDays), "mean_surprise": round4(f.MeanSurprise), "density": round4(f.Density), "edges": float64(len(c.edges)), "patients": float64(n)},
		"%d 名参保人在同一机构/医生同一时段反复共同就诊，平均每对 %.1f 个不同日期（按就诊量期望的概率约 10^-%.1f）",
		"%d patients were repeatedly seen together by the same provider/doctor in the same window, %.1f distinct days per pair on average (probability about 10^-%.1f given their volumes)",
		n, f.MeanDays, f.MeanSurprise)
}

// lendingGroup scores a small co-visit group whose claims look like one person's: the same
// diagnosis, near-identical amounts, minutes apart, at one provider (一人持多卡).
func lendingGroup(d *dataset, c candidate, f collusionFeatures, cov float64, prov, doc int32, p Params) (flagged, bool) {
	// Small groups are judged on pair density: every pair of one holder's cards co-visits.
	n := len(c.patients)
	pairDensity := math.Min(1, float64(len(c.edges))/float64(n*(n-1)/2))
	cov = coVisitEvidence(f.MeanSurprise) * math.Sqrt(pairDensity)
	sim := clamp01(1 - f.AmountCV/0.25)
	score := clamp01(math.Sqrt(cov) * noisyOr(0.5*sim, 0.4*f.DiagShare, 0.2*f.Concentration) * (1 - 0.7*f.Schedule))
	if score < p.MinRingScore {
		return flagged{}, false
	}
	reasons := []graph.Reason{
		covisitReason(c, f, cov),
		reason("one_holder_many_cards", noisyOr(0.5*sim, 0.4*f.DiagShare), map[string]float64{"cards": float64(n), "amount_cv": round4(f.AmountCV), "diagnosis_share": round4(f.DiagShare)},
			"%d 张无共同住址的卡总在同一时段先后结算，诊断相同（%.0f%%）、金额几乎一致（变异系数 %.2f），疑为一人持多卡",
			"%d cards with no shared address are always settled together, with the same diagnosis (%.0f%%) and near-identical amounts (CV %.2f): one holder using several cards",
			n, 100*f.DiagShare, f.AmountCV),
	}
	return groupRing(d, graph.KindCardLending, c.patients, prov, doc, 0.3, score, f, reasons), true
}

// groupRing assembles the reported ring of a co-visit group.
func groupRing(d *dataset, kind string, pats []int32, prov, doc int32, credit, score float64, f collusionFeatures, reasons []graph.Reason) flagged {
	fl := flagged{pats: pats, provs: []int32{prov}, provCredit: []float64{credit}}
	members := make([]graph.Ref, 0, len(pats)+2)
	for _, pt := range pats {
		members = append(members, d.patRef(pt))
	}
	if doc >= 0 {
		fl.docs = []int32{doc}
		members = append(members, d.docRef(doc))
	}
	members = append(members, d.provRef(prov))
	fl.ring = graph.Ring{
		ID: ringID(kind, members), Kind: kind, Score: round4(score),
		Members: members, Amount: graph.Money(f.Amount), Claims: f.Claims, Region: d.regionOf(prov), Reasons: reasons,
	}
	return fl
}

// fundShare returns amount as a share of the provider's total fund money.
func (d *dataset) fundShare(prov int32, amount int64) float64 {
	if d.provFund[prov] <= 0 {
		return 0
	}
	return float64(amount) / float64(d.provFund[prov])
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
