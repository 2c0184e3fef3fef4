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
		if len(run) < p.BurstMinCards {
			continue
		}
		// Within a run, collected cards are swiped back to back for near-identical amounts; on a
		// shared terminal an ordinary sale may slip in between. Segments follow an anchor amount
		// (±6%) and tolerate two interleaved sales.
		for s := 0; s < len(run); {
			anchor := float64(d.cTotal[run[s].c])
			seg := []int{s}
			skipped := 0
			k := s + 1
			for ; k < len(run) && skipped <= 2; k++ {
				if a := float64(d.cTotal[run[k].c]); anchor > 0 && math.Abs(a-anchor) <= 0.06*anchor {
					seg = append(seg, k)
					skipped = 0
				} else {
					skipped++
				}
			}
			next := seg[len(seg)-1] + 1
			if len(seg) == 1 {
				next = s + 1
			}
			s = next
			cards := map[int32]bool{}
			for _, x := range seg {
				cards[run[x].card] = true
			}
			if len(cards) < p.BurstMinCards {
				continue
			}
			b := burst{cards: cards}
			for _, x := range seg {
				b.claims = append(b.claims, run[x].c)
			}
			pv := int32(run[0].key >> 32)
			perPharm[pv] = append(perPharm[pv], b)
		}
	}
	pharms := make([]int32, 0, len(perPharm))
	for k := range perPharm {
		pharms = append(pharms, k)
	}
	slices.Sort(pharms)
	var out []flagged
	for _, pv := range pharms {
		bursts := perPharm[pv]
		var odd, cvSum, strangers, cardsN float64
		cards := map[int32]bool{}
		cardDays := map[int32]map[int32]bool{}
		var fund int64
		claims := 0
		for _, b := range bursts {
			o, cv, s := burstFeatures(d, p, pv, b)
			odd += o * float64(len(b.cards))
			cvSum += cv * float64(len(b.cards))
			strangers += s * float64(len(b.cards))
			cardsN += float64(len(b.cards))
			day := int32(floorDiv(d.cStart[b.claims[0]], secondsPerDay))
			for c := range b.cards {
				cards[c] = true
				if cardDays[c] == nil {
					cardDays[c] = map[int32]bool{}
				}
				cardDays[c][day] = true
			}
			for _, c := range b.claims {
				fund += d.cFund[c]
				claims++
			}
		}
		odd, cvSum, strangers = odd/cardsN, cvSum/cardsN, strangers/cardsN
		recurring := 0.0
		for _, days := range cardDays {
			if len(days) >= 2 {
				recurring++
			}
		}
		recurring /= float64(len(cards))
		// The same cards swiped together on different days is what a promotion rush or a busy
		// morning never produces; it gates the score, and the burst's look raises it.
		sim := clamp01(1 - cvSum/0.3)
		volume := math.Min(1, float64(len(bursts)-1)/4)
		score := clamp01((0.3 + 0.7*recurring) * noisyOr(0.5*sim, 0.45*odd, 0.35*strangers, 0.3*volume))
		score = math.Pow(score, 0.7)
		if score < p.MinRingScore {
			continue
		}
		kept := bursts
		if recurring > 0 {
			// Keep only cards that recur: one-off customers caught in a burst are not collected.
			for c, days := range cardDays {
				if len(days) < 2 {
					delete(cards, c)
				}
			}
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
		reasons = append(reasons, reason("recurring_cards", 0.7*recurring, map[string]float64{"share": round4(recurring)},
			"%.0f%% 的卡在不同日期的连刷中反复出现", "%.0f%% of the cards recur in bursts on different days", 100*recurring))
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
