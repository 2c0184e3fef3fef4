package algorithms

import (
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// cardHits counts the impersonation evidence against one card.
type cardHits struct {
	misfit     int
	misfitRule *diagnosisFit
	inpatient  int // outpatient/pharmacy claims elsewhere during an inpatient stay
	proxy      int // such claims that look like a relative's errand for the owner
	travel     int // claims in distant regions closer in time than possible
	fund       int64
	provs      map[int32]bool
}

func (h *cardHits) weight() float64 {
	var ws []float64
	if h.misfit > 0 {
		ws = append(ws, misfitWeight(h.misfit))
	}
	if h.inpatient > 0 {
		ws = append(ws, 0.5+0.1*math.Min(float64(h.inpatient-1), 4))
	}
	if h.travel > 0 {
		ws = append(ws, travelWeight(h.travel))
	}
	return noisyOr(ws...)
}

// distantRegions reports whether two pooling-region codes are far apart: different codes whose
// first four characters (province + city in the national division code) differ, or different
// opaque codes.
func distantRegions(a, b string) bool {
	if a == b || a == "" || b == "" {
		return false
	}
	if len(a) >= 4 && len(b) >= 4 && isDigits(a) && isDigits(b) {
		return a[:4] != b[:4]
	}
	return true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// detectCardLending flags cards used by someone other than their owner (冒名就医/借卡) and cards
// used after the owner's death, and groups cards tied by shared phone/address that are used
// together with impersonation evidence into card-lending rings.
func detectCardLending(d *dataset, p Params, ev *evidence) []flagged {
	var out []flagged
	grace := int64(p.InpatientGraceHours * 3600)
	travel := int64(p.ImpossibleTravelHours * 3600)
	hits := map[int32]*cardHits{}
	fits := newFitCache(d)
	get := func(pt int32) *cardHits {
		h := hits[pt]
		if h == nil {
			h = &cardHits{provs: map[int32]bool{}}
			hits[pt] = h
		}
		return h
	}
	for pt := int32(0); int(pt) < d.nPat(); pt++ {
		cs := d.claimsOf(pt)
		if len(cs) == 0 {
			continue
		}
		// Claims after death (死亡后就医): a separate kind, one ring per card.
		if death := d.patDeath[pt]; death != noDate {
			var post []int32
			var fund int64
			provs := map[int32]bool{}
			for _, c := range cs {
				if int32(floorDiv(d.cStart[c], secondsPerDay)) > death {
					post = append(post, c)
					fund += d.cFund[c]
					provs[d.cProv[c]] = true
				}
			}
			if len(post) > 0 {
				out = append(out, deceasedRing(d, pt, post, fund, provs))
			}
		}
		var stayStart, stayEnd int64
		stayProv := int32(-1)
		for i, c := range cs {
			day := int32(floorDiv(d.cStart[c], secondsPerDay))
			if len(fits[max(d.cDiag[c], 0)]) > 0 && d.cDiag[c] >= 0 {
				if r := fits.misfitID(d.cDiag[c], d.patSex[pt], d.ageAt(pt, day)); r != nil {
					h := get(pt)
					h.misfit++
					h.misfitRule = r
					h.fund += d.cFund[c]
					h.provs[d.cProv[c]] = true
				}
			}
			if d.cType[c] == ctInpatient {
				if end := d.cEnd[c]; end > stayEnd {
					stayStart, stayEnd, stayProv = d.cStart[c], end, d.cProv[c]
				}
			} else if stayProv >= 0 && d.cProv[c] != stayProv && d.cStart[c] > stayStart+grace && d.cStart[c] < stayEnd-grace {
				// A relative fetching the owner's usual drugs at the owner's usual place
				// (家属代购药) is not a borrower: same provider and diagnosis as the owner's own
				// visits outside the stay.
				if usualErrand(d, cs, c, stayStart, stayEnd) {
					get(pt).proxy++
				} else {
					h := get(pt)
					h.inpatient++
					h.fund += d.cFund[c]
					h.provs[d.cProv[c]] = true
				}
			}
			if i > 0 && travel > 0 {
				prev := cs[i-1]
				ra, rb := d.provRegion[d.cProv[prev]], d.provRegion[d.cProv[c]]
				if ra >= 0 && rb >= 0 && d.cStart[c]-d.cStart[prev] < travel && d.cType[prev] != ctInpatient &&
					distantRegions(d.regions.strs[ra], d.regions.strs[rb]) {
					h := get(pt)
					h.travel++
					h.fund += d.cFund[c]
					h.provs[d.cProv[c]] = true
				}
			}
		}
	}
	for pt, h := range hits {
		w := h.weight()
		if h.misfit > 0 {
			ev.pat[pt] = append(ev.pat[pt], reason("diagnosis_misfit", misfitWeight(h.misfit), map[string]float64{"claims": float64(h.misfit)},
				"%[1]d 次就诊的诊断（%[2]s）与持卡人性别/年龄不符", "%[1]d claims carry a diagnosis (%[3]s) that does not fit the card owner's sex or age", h.misfit, h.misfitRule.zh, h.misfitRule.en))
		}
		if h.inpatient > 0 {
			ev.pat[pt] = append(ev.pat[pt], reason("claim_during_inpatient_stay", 0.5+0.1*math.Min(float64(h.inpatient-1), 4), map[string]float64{"claims": float64(h.inpatient)},
				"持卡人在一家机构住院期间，%d 次在其他机构门诊或购药", "%d outpatient/pharmacy claims elsewhere while the owner was an inpatient", h.inpatient))
		}
		if h.proxy > 0 {
			ev.pat[pt] = append(ev.pat[pt], reason("proxy_purchase_likely", 0.05, map[string]float64{"claims": float64(h.proxy)},
				"住院期间 %d 次在本人常去的机构按本人常见诊断结算，可能是家属代购药", "%d claims during a stay at the owner's usual provider for the owner's usual diagnosis: likely a relative's errand", h.proxy))
		}
		if h.travel > 0 {
			ev.pat[pt] = append(ev.pat[pt], reason("impossible_travel", travelWeight(h.travel), map[string]float64{"claims": float64(h.travel), "hours": p.ImpossibleTravelHours},
				"%d 次在相距遥远的统筹区之间不足 %.0f 小时内先后结算", "%d claims in distant pooling regions less than %.0f hours apart", h.travel, p.ImpossibleTravelHours))
		}
		_ = w
	}
	out = append(out, cardLendingRings(d, p, hits)...)
	return out
}

// cardLendingRings groups suspicious cards with the cards they share a phone or address with,
// when those cards are used at the same provider within TogetherMinutes: one borrower carrying
// several lent cards. A group without any impersonation evidence is a household and is not
// reported, unless more cards share the phone/address than any household has.
func cardLendingRings(d *dataset, p Params, hits map[int32]*cardHits) []flagged {
	n := d.nPat()
	uf := newUnionFind(n)
	byPhone := groupBy(d.patPhone, len(d.phones.strs))
	byAddr := groupBy(d.patAddr, len(d.addrs.strs))
	bigGroup := map[int32]int{} // patient → size of its largest phone/address group
	together := int64(p.TogetherMinutes) * 60
	link := func(groups [][]int32) {
		for _, g := range groups {
			// Groups of hundreds sharing one "phone" are placeholders (00000000, a clinic's
			// switchboard), not households or lenders; pairwise checks would be quadratic.
			if len(g) < 2 || len(g) > 200 {
				continue
			}
			for _, x := range g {
				bigGroup[x] = max(bigGroup[x], len(g))
			}
			// Link members used together: same provider within the together window.
			for i, a := range g {
				for _, b := range g[i+1:] {
					// An ordinary household's cards used together are family life: only groups
					// larger than any household tie a suspicious card to its neighbours.
					if len(g) > p.MaxHouseholdCards && usedTogether(d, a, b, together) {
						uf.union(a, b)
					}
				}
			}
		}
	}
	link(byPhone)
	link(byAddr)
	comps := map[int32][]int32{}
	for pt := range hits {
		r := uf.find(pt)
		comps[r] = nil
	}
	for pt, s := range bigGroup {
		if s > p.MaxHouseholdCards {
			comps[uf.find(pt)] = nil
		}
	}
	for pt := int32(0); int(pt) < n; pt++ {
		r := uf.find(pt)
		if _, ok := comps[r]; ok {
			comps[r] = append(comps[r], pt)
		}
	}
	roots := make([]int32, 0, len(comps))
	for r := range comps {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	var out []flagged
	for _, r := range roots {
		members := comps[r]
		var ws []float64
		var fund int64
		provs := map[int32]bool{}
		hitCards := 0
		maxGroup := 0
		for _, pt := range members {
			if h := hits[pt]; h != nil {
				ws = append(ws, h.weight())
				fund += h.fund
				hitCards++
				for pv := range h.provs {
					provs[pv] = true
				}
			}
			maxGroup = max(maxGroup, bigGroup[pt])
		}
		var reasons []graph.Reason
		score := noisyOr(ws...)
		if hitCards > 0 {
			reasons = append(reasons, reason("impersonation_evidence", score, map[string]float64{"cards": float64(hitCards)},
				"%d 张卡存在冒用迹象（诊断与持卡人不符、住院期间他处就诊或不可能的异地往返）",
				"%d cards show impersonation evidence (diagnosis not fitting the owner, claims elsewhere during a stay, or impossible travel)", hitCards))
		}
		if len(members) > 1 {
			// Cards of one household used together is family life; it adds weight only when
			// more cards share the phone/address than any household holds.
			w := 0.0
			if maxGroup > p.MaxHouseholdCards {
				w = 0.6
			}
			score = noisyOr(score, w*math.Min(1, float64(len(members)-1)/3))
			reasons = append(reasons, reason("cards_used_together", w, map[string]float64{"cards": float64(len(members)), "group_size": float64(maxGroup), "minutes": float64(p.TogetherMinutes)},
				"%d 张共用电话/地址的卡在同一机构 %d 分钟内先后使用（同号/同址共 %d 张卡）",
				"%d cards sharing a phone/address were used at the same provider within %d minutes (%d cards share it)", len(members), p.TogetherMinutes, maxGroup))
		}
		if score < p.MinRingScore {
			continue
		}
		refs := make([]graph.Ref, 0, len(members)+len(provs))
		for _, pt := range members {
			refs = append(refs, d.patRef(pt))
		}
		pv := sortedKeys(provs)
		for _, x := range pv {
			refs = append(refs, d.provRef(x))
		}
		slices.SortStableFunc(reasons, func(a, b graph.Reason) int { return -cmpF(a.Weight, b.Weight) })
		credit := make([]float64, len(pv))
		for i := range credit {
			credit[i] = 0.2 // where a borrowed card was used says little about the provider
		}
		out = append(out, flagged{
			pats: members, provs: pv, provCredit: credit,
			ring: graph.Ring{ID: ringID(graph.KindCardLending, refs), Kind: graph.KindCardLending, Score: round4(score),
				Members: refs, Amount: graph.Money(fund), Reasons: reasons},
		})
	}
	return out
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// usedTogether reports whether cards a and b claimed at the same provider within window
// seconds of each other (both claim lists are sorted by time).
func usedTogether(d *dataset, a, b int32, window int64) bool {
	ca, cb := d.claimsOf(a), d.claimsOf(b)
	j := 0
	for _, x := range ca {
		for j < len(cb) && d.cStart[cb[j]] < d.cStart[x]-window {
			j++
		}
		for k := j; k < len(cb) && d.cStart[cb[k]] <= d.cStart[x]+window; k++ {
			if d.cProv[cb[k]] == d.cProv[x] {
				return true
			}
		}
	}
	return false
}

// deceasedRing reports the claims made on a dead person's card (死亡后仍发生医保结算).
func deceasedRing(d *dataset, pt int32, post []int32, fund int64, provs map[int32]bool) flagged {
	first := d.cStart[post[0]]
	daysAfter := float64(floorDiv(first, secondsPerDay) - int64(d.patDeath[pt]))
	score := noisyOr(0.85, 0.05*float64(len(post)))
	refs := []graph.Ref{d.patRef(pt)}
	pv := sortedKeys(provs)
	for _, x := range pv {
		refs = append(refs, d.provRef(x))
	}
	r := reason("claims_after_death", score, map[string]float64{"claims": float64(len(post)), "days_after_death": daysAfter, "amount_yuan": yuan(fund)},
		"持卡人死亡后仍有 %d 次结算（首次在死亡后 %.0f 天），统筹支付 %.2f 元",
		"%d claims after the card owner's death (the first %.0f days after), %.2f yuan paid by the fund", len(post), daysAfter, yuan(fund))
	// A fabricated stay needs the institution; refills at the family's pharmacy need only a
	// relative with the card.
	credit := make([]float64, len(pv))
	for i, x := range pv {
		credit[i] = 0.25
		for _, c := range post {
			if d.cProv[c] == x && d.cType[c] == ctInpatient && d.provOwn[x] != ownPublic {
				credit[i] = 0.9
			}
		}
	}
	return flagged{pats: []int32{pt}, provs: pv, provCredit: credit, ring: graph.Ring{
		ID: ringID(graph.KindDeceasedClaims, refs), Kind: graph.KindDeceasedClaims, Score: round4(score),
		Members: refs, Amount: graph.Money(fund), Claims: len(post), Reasons: []graph.Reason{r},
	}}
}

// travelWeight grows with the number of implausible region hops: one can be a clock skew or a
// settlement posted late, three are a pattern.
// It stays below the default reporting threshold on its own: settlement times are often posted
// in batches, so travel only corroborates other evidence.
func travelWeight(n int) float64 { return math.Min(0.45, 0.15+0.1*float64(n)) }

// misfitWeight: one misfitting claim can be a coding error (a mistyped diagnosis); two or more
// are a pattern of someone else using the card.
func misfitWeight(n int) float64 {
	if n <= 1 {
		return 0.35
	}
	return math.Min(0.9, 0.6+0.1*float64(n-2))
}

// usualErrand reports whether claim c, made during the owner's stay [stayStart, stayEnd), is for
// one of the owner's own recurring diagnoses (at least two claims outside the stay) and is a
// pharmacy purchase or at a provider the owner used before: a relative fetching the owner's
// usual drugs.
func usualErrand(d *dataset, cs []int32, c int32, stayStart, stayEnd int64) bool {
	if d.cDiag[c] < 0 {
		return false
	}
	visits, sameDiag := 0, 0
	for _, o := range cs {
		if o == c || (d.cStart[o] >= stayStart && d.cStart[o] < stayEnd) {
			continue
		}
		if d.cProv[o] == d.cProv[c] {
			visits++
		}
		if d.cDiag[o] == d.cDiag[c] {
			sameDiag++
		}
	}
	return sameDiag >= 2 && (d.cType[c] == ctPharmacy || visits >= 1)
}

// groupBy returns, for each key 0..n-1, the patients whose key is it, in patient order (a
// counting sort: one pass to count, one to place, no maps).
func groupBy(keys []int32, n int) [][]int32 {
	off := make([]int32, n+1)
	for _, k := range keys {
		if k >= 0 {
			off[k+1]++
		}
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	flat := make([]int32, off[n])
	pos := slices.Clone(off[:n])
	for pt, k := range keys {
		if k >= 0 {
			flat[pos[k]] = int32(pt)
			pos[k]++
		}
	}
	out := make([][]int32, n)
	for k := 0; k < n; k++ {
		out[k] = flat[off[k]:off[k+1]:off[k+1]]
	}
	return out
}
