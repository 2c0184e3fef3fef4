package pharmacy

import (
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// cashOutMinCards is the fewest cards with repeated overpriced purchases that make a cash-out
// group.
const cashOutMinCards = 5

// cashOutGroups finds a pharmacy selling goods on the card (刷卡销售生活用品, 串换药品,
// 变现个人账户): cardholders come one by one at ordinary times, so no burst forms, but their
// purchases bill items at several times the price the same item code has everywhere else in
// the export (ItemSummary.Overpriced) — protein powder or cooking oil entered under a drug's
// code at a round price. The test is the pharmacy's number of such purchases against the rate
// at every other pharmacy (Poisson, less the log of the number of pharmacies tested); the group
// is the cards that bought so at least twice. Honest chronic refills repeat one pack at its
// usual price and do not count, however expensive the pack.
//
// Without billing lines the purchase's total stands in for its lines (roundHigh): goods sold as
// drugs are rung up at the goods' shelf price, a whole number of yuan, and cost several times
// what the pharmacy's customers usually spend, while a basket of drugs sums prices to the fen.
// The same test against the other pharmacies' rate keeps a pharmacy whose prices are all round
// from standing out by that alone.
//
// Cards already in a reported collection group (collected) are left out: a collector's stack
// billed as goods is that group's finding, and the cash-out group is the pharmacy's other
// customers.
func cashOutGroups(d *dataset.Claims, collected map[int32]bool, minScore float64) []finding.Candidate {
	nProv := d.NProv()
	byProv := make([][]int32, nProv)
	for c := int32(0); int(c) < d.NClaims(); c++ {
		if pv := d.CProv[c]; d.ProvKind[pv] == dataset.Pharmacy {
			byProv[pv] = append(byProv[pv], c)
		}
	}
	suspect := func(c int32) bool { return d.CItems[c].Overpriced > 0 }
	if !d.Has.Items {
		suspect = roundHigh(d, byProv)
	}
	claims := make([]int, nProv)
	over := make([]int, nProv)
	var allClaims, allOver float64
	pharmacies := 0
	for pv, cs := range byProv {
		if len(cs) == 0 {
			continue
		}
		pharmacies++
		claims[pv] = len(cs)
		allClaims += float64(len(cs))
		for _, c := range cs {
			if suspect(c) {
				over[pv]++
				allOver++
			}
		}
	}
	if allOver == 0 {
		return nil
	}
	correction := math.Log10(float64(max(pharmacies, 1)))
	// The rate a pharmacy is judged against is that of the other pharmacies, without those that
	// are themselves improbable at it (finding.PeelRates): where several pharmacies cash out,
	// their sales would otherwise raise the rate enough to hide a smaller one among honest stores.
	counts, exposures := make([]float64, nProv), make([]float64, nProv)
	for pv := range counts {
		counts[pv], exposures[pv] = float64(over[pv]), float64(claims[pv])
	}
	test := func(pv int, rate float64) (surprise, expected float64) {
		mu := rate * float64(claims[pv])
		return finding.PoissonSurprise(over[pv], mu) - correction, mu
	}
	rates := finding.PeelRates(counts, exposures, 0.5/allClaims, func(pv int, rate float64) bool {
		s, _ := test(pv, rate)
		return s >= 3
	})
	var out []finding.Candidate
	for pv := int32(0); int(pv) < nProv; pv++ {
		if over[pv] < 2*cashOutMinCards {
			continue
		}
		surprise, mu := test(int(pv), rates.Rate(int(pv)))
		if surprise < 3 {
			continue
		}
		// The cards with repeated overpriced purchases here.
		perCard := map[int32][2]int{} // overpriced, all purchases at pv
		for _, c := range byProv[pv] {
			if collected[d.CPat[c]] {
				continue
			}
			x := perCard[d.CPat[c]]
			x[1]++
			if suspect(c) {
				x[0]++
			}
			perCard[d.CPat[c]] = x
		}
		var cards []int32
		repeat, only := 0, 0.0
		for p, x := range perCard {
			if x[0] >= 2 {
				cards = append(cards, p)
				repeat += x[0]
				if x[0] == x[1] {
					only++
				}
			}
		}
		if len(cards) < cashOutMinCards {
			continue
		}
		slices.Sort(cards)
		only /= float64(len(cards))
		coord := 1 - math.Exp(-surprise/4)
		score := coord * (0.7 + 0.3*only)
		if score < minScore {
			continue
		}
		set := map[int32]bool{}
		for _, p := range cards {
			set[p] = true
		}
		var fund int64
		n := 0
		for _, c := range byProv[pv] {
			if set[d.CPat[c]] && suspect(c) {
				fund += d.CFund[c]
				n++
			}
		}
		values := map[string]float64{
			"cards": float64(len(cards)), "purchases": float64(repeat), "overpriced_claims": float64(over[pv]),
			"expected": finding.Round4(mu), "surprise": finding.Round4(surprise)}
		var lead graph.Reason
		if d.Has.Items {
			values["ratio"] = dataset.OverpriceRatio
			lead = finding.Reason("overpriced_items", coord, values,
				"%[1]d 张卡在该店反复购买按药品编码结算、单价为全部数据中同编码中位价 %[5]d 倍以上的商品（%[2]d 次；该店共 %[3]d 笔，按其他药店比例预期约 %.1[4]f 笔）：疑似串换药品、刷卡销售生活用品",
				"%[1]d cards repeatedly bought items billed at %[5]d× or more the median price of the same item code elsewhere (%[2]d purchases; %[3]d such sales at this pharmacy against about %.1[4]f expected at other pharmacies' rate): goods sold on the card under drug codes",
				len(cards), repeat, over[pv], mu, dataset.OverpriceRatio)
		} else {
			values["ratio"] = roundHighFactor
			lead = finding.Reason("round_high_purchases", coord, values,
				"%[1]d 张卡在该店反复以整元金额消费、且金额达该店常见消费的 %[5]d 倍以上（%[2]d 次；该店共 %[3]d 笔，按其他药店比例预期约 %.1[4]f 笔）：疑似按商品标价刷卡销售生活用品（导出数据无费用明细，依据结算总额）",
				"%[1]d cards repeatedly paid whole-yuan amounts of %[5]d× or more the pharmacy's usual purchase (%[2]d purchases; %[3]d such sales at this pharmacy against about %.1[4]f expected at other pharmacies' rate): goods rung up at their shelf price on the card (the export has no billing lines; judged on claim totals)",
				len(cards), repeat, over[pv], mu, roundHighFactor)
		}
		reasons := []graph.Reason{
			lead,
			finding.Reason("basket_only_cards", 0.3*only, map[string]float64{"share": finding.Round4(only)},
				"%.0f%% 的卡在该店只买这类商品", "%.0f%% of the cards buy nothing else at this pharmacy", 100*only),
		}
		finding.SortReasons(reasons)
		refs := make([]graph.Ref, 0, len(cards)+1)
		for _, p := range cards {
			refs = append(refs, d.PatRef(p))
		}
		refs = append(refs, d.ProvRef(pv))
		out = append(out, finding.Candidate{Pats: cards, Provs: []int32{pv}, Ring: graph.Ring{
			ID: finding.ID(graph.KindPharmacyCardCollection, refs), Kind: graph.KindPharmacyCardCollection, Score: finding.Round4(score),
			Members: refs, Amount: graph.Money(fund), Claims: n, Region: d.RegionOf(pv), Reasons: reasons,
		}})
	}
	return out
}

// roundHighFactor is how many times a pharmacy's median purchase a round purchase must cost to
// look like goods rung up at their shelf price.
const roundHighFactor = 2

// roundHigh returns, for an export without billing lines, whether a pharmacy purchase is a
// whole number of yuan and costs at least roundHighFactor times the median purchase at its
// pharmacy (byProv: each pharmacy's claims).
func roundHigh(d *dataset.Claims, byProv [][]int32) func(int32) bool {
	median := make([]int64, len(byProv))
	var amts []int64
	for pv, cs := range byProv {
		if len(cs) == 0 {
			continue
		}
		amts = amts[:0]
		for _, c := range cs {
			amts = append(amts, d.CTotal[c])
		}
		slices.Sort(amts)
		median[pv] = amts[len(amts)/2]
	}
	return func(c int32) bool {
		t := d.CTotal[c]
		return t > 0 && t%100 == 0 && t >= roundHighFactor*median[d.CProv[c]]
	}
}
