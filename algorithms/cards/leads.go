package cards

import (
	"math"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// hits counts the impersonation evidence against one card.
type hits struct {
	misfit     int
	misfitRule *dataset.Fit
	// misfitStays counts misfitting claims that are inpatient stays for a diagnosis of the other
	// sex: an admission with its records and procedure is no typing error.
	misfitStays int
	// unlikely counts claims for a condition of old age on a young card; away those of them
	// settled outside the owner's pooling region.
	unlikely     int
	unlikelyAway int
	unlikelyRule *dataset.Fit
	inpatient    int // outpatient/pharmacy claims elsewhere during an inpatient stay
	proxy        int // such claims that look like a relative's errand for the owner
	travel       int // claims in distant regions closer in time than possible
	fund         int64
	claims       int
	provs        map[int32]bool
}

func (h *hits) weight() float64 {
	var ws []float64
	if h.misfit > 0 {
		ws = append(ws, misfitWeight(h.misfit, h.misfitStays))
	}
	if h.inpatient > 0 {
		ws = append(ws, inpatientWeight(h.inpatient))
	}
	if h.travel > 0 {
		ws = append(ws, travelWeight(h.travel))
	}
	if h.unlikely > 0 {
		ws = append(ws, unlikelyWeight(h.unlikely, h.unlikelyAway))
	}
	return finding.NoisyOr(ws...)
}

// unlikelyWeight: one claim for a condition of old age on a young card can be a young patient
// (0.25); two or more, or one settled far from the owner's home region, are a pattern of
// someone older using the card.
func unlikelyWeight(n, away int) float64 {
	w := math.Min(0.8, 0.25*float64(n))
	if away > 0 {
		w = finding.NoisyOr(w, 0.35)
	}
	return w
}

func (h *hits) add(d *dataset.Claims, c int32) {
	h.fund += d.CFund[c]
	h.claims++
	h.provs[d.CProv[c]] = true
}

// travelWeight grows with the number of implausible region hops; it stays below the default
// reporting threshold on its own, because settlements are often posted in batches.
func travelWeight(n int) float64 { return math.Min(0.45, 0.15+0.1*float64(n)) }

// misfitWeight: one misfitting claim can be a coding error; two or more are a pattern of
// someone else using the card.
func misfitWeight(n, stays int) float64 {
	if n <= 1 {
		if stays > 0 {
			return 0.6
		}
		return 0.35
	}
	return math.Min(0.9, 0.6+0.1*float64(n-2))
}

func inpatientWeight(n int) float64 { return 0.5 + 0.1*math.Min(float64(n-1), 4) }

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

// cardHits scans every card for impersonation evidence and collects deceased-card leads.
func cardHits(d *dataset.Claims, o Options) (map[int32]*hits, []finding.Candidate) {
	grace := int64(o.InpatientGraceHours * 3600)
	travel := int64(o.ImpossibleTravelHours * 3600)
	out := map[int32]*hits{}
	var deceased []finding.Candidate
	fits := dataset.NewFits(d)
	get := func(pt int32) *hits {
		h := out[pt]
		if h == nil {
			h = &hits{provs: map[int32]bool{}}
			out[pt] = h
		}
		return h
	}
	for pt := int32(0); int(pt) < d.NPat(); pt++ {
		cs := d.ClaimsOf(pt)
		if len(cs) == 0 {
			continue
		}
		if death := d.PatDeath[pt]; death != dataset.NoDate {
			var post []int32
			for _, c := range cs {
				if d.Day(c) > death {
					post = append(post, c)
				}
			}
			if len(post) > 0 {
				deceased = append(deceased, deceasedLead(d, pt, post))
			}
		}
		var stayStart, stayEnd int64
		stayProv := int32(-1)
		for i, c := range cs {
			if d.PatDeath[pt] != dataset.NoDate && d.Day(c) > d.PatDeath[pt] {
				continue // claims after death are their own lead
			}
			age := d.AgeAt(pt, d.Day(c))
			if r := fits.Misfit(d.CDiag[c], d.PatSex[pt], age); r != nil {
				h := get(pt)
				h.misfit++
				h.misfitRule = r
				if d.CType[c] == dataset.Inpatient && r.WrongSex(d.PatSex[pt]) {
					h.misfitStays++
				}
				h.add(d, c)
			} else if r := fits.Unlikely(d.CDiag[c], age); r != nil {
				h := get(pt)
				h.unlikely++
				h.unlikelyRule = r
				if home, at := d.PatRegion[pt], d.ProvRegion[d.CProv[c]]; home >= 0 && at >= 0 && home != at {
					h.unlikelyAway++
				}
				h.add(d, c)
			}
			if d.CType[c] == dataset.Inpatient {
				if end := d.CEnd[c]; end > stayEnd {
					stayStart, stayEnd, stayProv = d.CStart[c], end, d.CProv[c]
				}
			} else if stayProv >= 0 && d.CProv[c] != stayProv && d.CStart[c] > stayStart+grace && d.CStart[c] < stayEnd-grace {
				// A relative fetching the owner's usual drugs at the owner's usual place
				// (家属代购药) is not a borrower.
				if d.UsualErrand(cs, c, stayStart, stayEnd) {
					get(pt).proxy++
				} else {
					h := get(pt)
					h.inpatient++
					h.add(d, c)
				}
			}
			if i > 0 && travel > 0 {
				prev := cs[i-1]
				ra, rb := d.ProvRegion[d.CProv[prev]], d.ProvRegion[d.CProv[c]]
				if ra >= 0 && rb >= 0 && d.CStart[c]-d.CStart[prev] < travel && d.CType[prev] != dataset.Inpatient &&
					distantRegions(d.Regions.Strs[ra], d.Regions.Strs[rb]) {
					h := get(pt)
					h.travel++
					h.add(d, c)
				}
			}
		}
	}
	return out, deceased
}

// cardReasons returns the entity reasons of one card's evidence.
func cardReasons(h *hits, o Options) []graph.Reason {
	var rs []graph.Reason
	if h.misfit > 0 {
		rs = append(rs, finding.Reason("diagnosis_misfit", misfitWeight(h.misfit, h.misfitStays), map[string]float64{"claims": float64(h.misfit), "stays_other_sex": float64(h.misfitStays)},
			"%[1]d 次就诊的诊断（%[2]s）与持卡人性别/年龄不符", "%[1]d claims carry a diagnosis (%[3]s) that does not fit the card owner's sex or age", h.misfit, h.misfitRule.ZH, h.misfitRule.EN))
	}
	if h.inpatient > 0 {
		rs = append(rs, finding.Reason("claim_during_inpatient_stay", inpatientWeight(h.inpatient), map[string]float64{"claims": float64(h.inpatient)},
			"持卡人在一家机构住院期间，%d 次在其他机构门诊或购药", "%d outpatient/pharmacy claims elsewhere while the owner was an inpatient", h.inpatient))
	}
	if h.unlikely > 0 {
		rs = append(rs, finding.Reason("diagnosis_unlikely_for_age", unlikelyWeight(h.unlikely, h.unlikelyAway), map[string]float64{"claims": float64(h.unlikely), "away": float64(h.unlikelyAway)},
			"%[1]d 次就诊的诊断（%[2]s）在持卡人的年龄很少见（%[4]d 次在参保地以外）", "%[1]d claims carry a diagnosis (%[3]s) rare at the card owner's age (%[4]d outside the owner's pooling region)",
			h.unlikely, h.unlikelyRule.ZH, h.unlikelyRule.EN, h.unlikelyAway))
	}
	if h.proxy > 0 {
		rs = append(rs, finding.Reason("proxy_purchase_likely", 0.05, map[string]float64{"claims": float64(h.proxy)},
			"住院期间 %d 次在本人常去的机构按本人常见诊断结算，可能是家属代购药", "%d claims during a stay at the owner's usual provider for the owner's usual diagnosis: likely a relative's errand", h.proxy))
	}
	if h.travel > 0 {
		rs = append(rs, finding.Reason("impossible_travel", travelWeight(h.travel), map[string]float64{"claims": float64(h.travel), "hours": o.ImpossibleTravelHours},
			"%d 次在相距遥远的统筹区之间不足 %.0f 小时内先后结算", "%d claims in distant pooling regions less than %.0f hours apart", h.travel, o.ImpossibleTravelHours))
	}
	return rs
}

// impostorLead reports one card with impersonation evidence.
func impostorLead(d *dataset.Claims, pt int32, h *hits, o Options) finding.Candidate {
	refs := []graph.Ref{d.PatRef(pt)}
	pv := finding.SortedKeys(h.provs)
	for _, x := range pv {
		refs = append(refs, d.ProvRef(x))
	}
	credit := make([]float64, len(pv))
	for i := range credit {
		credit[i] = 0.2 // where a borrowed card was used says little about the provider
	}
	rs := cardReasons(h, o)
	finding.SortReasons(rs)
	region := ""
	if len(pv) > 0 {
		region = d.RegionOf(pv[0])
	}
	return finding.Candidate{Lead: true, Pats: []int32{pt}, Provs: pv, ProvCredit: credit, Ring: graph.Ring{
		ID: finding.ID(graph.KindCardLending, refs), Kind: graph.KindCardLending, Score: finding.Round4(h.weight()),
		Members: refs, Amount: graph.Money(h.fund), Claims: h.claims, Region: region, Reasons: rs,
	}}
}

// deceasedLead reports the claims made on a dead person's card (死亡后仍发生医保结算).
func deceasedLead(d *dataset.Claims, pt int32, post []int32) finding.Candidate {
	var fund int64
	provs := map[int32]bool{}
	for _, c := range post {
		fund += d.CFund[c]
		provs[d.CProv[c]] = true
	}
	daysAfter := float64(d.Day(post[0]) - d.PatDeath[pt])
	score := finding.NoisyOr(0.85, 0.05*float64(len(post)))
	refs := []graph.Ref{d.PatRef(pt)}
	pv := finding.SortedKeys(provs)
	for _, x := range pv {
		refs = append(refs, d.ProvRef(x))
	}
	r := finding.Reason("claims_after_death", score, map[string]float64{"claims": float64(len(post)), "days_after_death": daysAfter, "amount_yuan": finding.Yuan(fund)},
		"持卡人死亡后仍有 %d 次结算（首次在死亡后 %.0f 天），统筹支付 %.2f 元",
		"%d claims after the card owner's death (the first %.0f days after), %.2f yuan paid by the fund", len(post), daysAfter, finding.Yuan(fund))
	// A fabricated stay needs the institution; refills at the family's pharmacy need only a
	// relative with the card.
	credit := make([]float64, len(pv))
	for i, x := range pv {
		credit[i] = 0.25
		for _, c := range post {
			if d.CProv[c] == x && d.CType[c] == dataset.Inpatient && d.ProvOwn[x] != dataset.OwnPublic {
				credit[i] = 0.9
			}
		}
	}
	return finding.Candidate{Lead: true, Pats: []int32{pt}, Provs: pv, ProvCredit: credit, Ring: graph.Ring{
		ID: finding.ID(graph.KindDeceasedClaims, refs), Kind: graph.KindDeceasedClaims, Score: finding.Round4(score),
		Members: refs, Amount: graph.Money(fund), Claims: len(post), Region: d.RegionOf(pv[0]), Reasons: []graph.Reason{r},
	}}
}
