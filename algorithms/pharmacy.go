package algorithms

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// burst is a run of swipes at one pharmacy terminal, consecutive swipes at most BurstGapMinutes
// apart, with at least BurstMinCards distinct cards.
type burst struct {
	claims []int32
	cards  map[int32]bool
}

// detectPharmacyCollection flags pharmacies whose terminals swipe many distinct cards in bursts
// (聚敛盗刷社保卡): minutes apart, at odd hours, with similar amounts, on cards that otherwise
// never visit that pharmacy. A busy honest pharmacy also has runs of distinct cards, so a burst
// counts only through how unusual it is: its odd-hour share, its amount similarity (coefficient
// of variation) and the share of its cards that are strangers to the pharmacy.
func detectPharmacyCollection(d *dataset, p Params, ev *evidence) []flagged {
	// Group pharmacy claims by terminal (or by pharmacy when terminals are not exported).
	type rec struct {
		key  int64
		t    int64
		c    int32
		card int32
	}
	var recs []rec
	for c := range d.cPat {
		if d.provKind[d.cProv[c]] != provPharmacy {
			continue
		}
		key := int64(d.cProv[c]) << 32
		if d.cTerm[c] >= 0 {
			key |= int64(d.cTerm[c] + 1)
		}
		recs = append(recs, rec{key: key, t: d.cStart[c], c: int32(c), card: d.cPat[c]})
	}
	slices.SortFunc(recs, func(a, b rec) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return cmp.Compare(a.c, b.c)
	})
	gap := int64(p.BurstGapMinutes) * 60
	perPharm := map[int32][]burst{}
	for lo := 0; lo < len(recs); {
		hi := lo + 1
		for hi < len(recs) && recs[hi].key == recs[lo].key && recs[hi].t-recs[hi-1].t <= gap {
			hi++
		}
		run := recs[lo:hi]
		lo = hi
		cards := map[int32]bool{}
		for _, r := range run {
			cards[r.card] = true
		}
		if len(cards) < p.BurstMinCards {
			continue
		}
		b := burst{cards: cards}
		for _, r := range run {
			b.claims = append(b.claims, r.c)
		}
		pv := int32(run[0].key >> 32)
		perPharm[pv] = append(perPharm[pv], b)
	}
	pharms := make([]int32, 0, len(perPharm))
	for k := range perPharm {
		pharms = append(pharms, k)
	}
	slices.Sort(pharms)
	var out []flagged
	for _, pv := range pharms {
		var kept []burst
		var keptScores []float64
		var odd, cvSum, strangers, cardsN float64
		for _, b := range perPharm[pv] {
			o, cv, s := burstFeatures(d, p, pv, b)
			bs := noisyOr(0.5*o, 0.35*clamp01(1-cv/0.3), 0.5*s)
			if bs < 0.45 {
				continue
			}
			kept = append(kept, b)
			keptScores = append(keptScores, bs)
			odd += o * float64(len(b.cards))
			cvSum += cv * float64(len(b.cards))
			strangers += s * float64(len(b.cards))
			cardsN += float64(len(b.cards))
		}
		if len(kept) == 0 {
			continue
		}
		odd, cvSum, strangers = odd/cardsN, cvSum/cardsN, strangers/cardsN
		cards := map[int32]bool{}
		var fund int64
		claims := 0
		for _, b := range kept {
			for c := range b.cards {
				cards[c] = true
			}
			for _, c := range b.claims {
				fund += d.cFund[c]
				claims++
			}
		}
		mean := 0.0
		for _, s := range keptScores {
			mean += s
		}
		mean /= float64(len(keptScores))
		// Repeated bursts are stronger evidence than one: a single odd run can be a tour group.
		score := clamp01(mean * (0.75 + 0.25*math.Min(1, float64(len(kept)-1)/3)) * (0.8 + 0.2*math.Min(1, float64(len(cards))/20)))
		score = math.Pow(score, 0.7)
		if score < p.MinRingScore {
			continue
		}
		vals := map[string]float64{"bursts": float64(len(kept)), "cards": float64(len(cards)), "claims": float64(claims),
			"odd_hour_share": round4(odd), "amount_cv": round4(cvSum), "stranger_share": round4(strangers), "gap_minutes": float64(p.BurstGapMinutes)}
		reasons := []graph.Reason{
			reason("swipe_bursts", score, vals,
				"同一终端 %d 次连刷（间隔不超过 %d 分钟），共 %d 张不同的卡、%d 笔结算",
				"%d bursts on one terminal (swipes at most %d minutes apart): %d distinct cards, %d claims", len(kept), p.BurstGapMinutes, len(cards), claims),
		}
		if odd > 0 {
			reasons = append(reasons, reason("odd_hours", 0.5*odd, map[string]float64{"share": round4(odd)},
				"%.0f%% 的连刷发生在非营业时段（%d 点至 %d 点）", "%.0f%% of the burst swipes were at odd hours (%d:00–%d:00)", 100*odd, p.OddHourStart, p.OddHourEnd))
		}
		reasons = append(reasons, reason("similar_amounts", 0.35*clamp01(1-cvSum/0.3), map[string]float64{"cv": round4(cvSum)},
			"连刷金额高度相近（变异系数 %.2f）", "burst amounts are very similar (coefficient of variation %.2f)", cvSum))
		if strangers > 0 {
			reasons = append(reasons, reason("stranger_cards", 0.5*strangers, map[string]float64{"share": round4(strangers)},
				"%.0f%% 的卡除连刷外从未在该药店消费", "%.0f%% of the cards never visit this pharmacy outside the bursts", 100*strangers))
		}
		slices.SortStableFunc(reasons, func(a, b graph.Reason) int { return -cmpF(a.Weight, b.Weight) })
		pats := sortedKeys(cards)
		refs := make([]graph.Ref, 0, len(pats)+1)
		for _, pt := range pats {
			refs = append(refs, d.patRef(pt))
		}
		refs = append(refs, d.provRef(pv))
		out = append(out, flagged{pats: pats, provs: []int32{pv}, ring: graph.Ring{
			ID: ringID(graph.KindPharmacyCardCollection, refs), Kind: graph.KindPharmacyCardCollection, Score: round4(score),
			Members: refs, Amount: graph.Money(fund), Claims: claims, Region: d.regionOf(pv), Reasons: reasons,
		}})
	}
	return out
}

// burstFeatures returns the odd-hour share, the amount coefficient of variation and the share of
// the burst's cards that have no claim at this pharmacy outside this burst.
func burstFeatures(d *dataset, p Params, pv int32, b burst) (odd, cv, strangers float64) {
	var sum, sum2 float64
	inBurst := map[int32]bool{}
	for _, c := range b.claims {
		inBurst[c] = true
		h := int(floorDiv(d.cStart[c], 3600) % 24)
		if h < 0 {
			h += 24
		}
		if isOddHour(h, p.OddHourStart, p.OddHourEnd) {
			odd++
		}
		a := float64(d.cTotal[c])
		sum += a
		sum2 += a * a
	}
	n := float64(len(b.claims))
	odd /= n
	mean := sum / n
	if mean > 0 {
		cv = math.Sqrt(math.Max(sum2/n-mean*mean, 0)) / mean
	}
	for card := range b.cards {
		stranger := true
		for _, c := range d.claimsOf(card) {
			if d.cProv[c] == pv && !inBurst[c] {
				stranger = false
				break
			}
		}
		if stranger {
			strangers++
		}
	}
	strangers /= float64(len(b.cards))
	return odd, cv, strangers
}

func isOddHour(h, start, end int) bool {
	if start == end {
		return false
	}
	if start < end {
		return h >= start && h < end
	}
	return h >= start || h < end
}
