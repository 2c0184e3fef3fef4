package pharmacy

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// cashOutMinCards is the fewest cards buying one basket that make a cash-out group.
const cashOutMinCards = 5

// cashOutGroups finds cardholders cashing out their cards at a pharmacy (套现, 变现个人账户):
// many cards buying the very same high-value basket, each again and again, at ordinary times
// one by one (so no burst shows). A basket is the claim's item list (its exact amount when the
// export has no items); it is high-value when it costs several times the pharmacy's median
// sale. Chronic patients refilling one standard pack also share a basket, but an ordinary one.
func cashOutGroups(d *dataset.Claims, minScore float64) []finding.Candidate {
	type key struct {
		prov int32
		b    uint64
	}
	byKey := map[key][]int32{}
	sales := map[int32][]float64{}
	for c := int32(0); int(c) < d.NClaims(); c++ {
		pv := d.CProv[c]
		if d.ProvKind[pv] != dataset.Pharmacy || d.CTotal[c] <= 0 {
			continue
		}
		sales[pv] = append(sales[pv], float64(d.CTotal[c]))
		b := uint64(d.CTotal[c]) | 1<<63
		if it := d.CItems[c]; it.Lines >= 2 {
			b = uint64(it.Hash)
		}
		byKey[key{pv, b}] = append(byKey[key{pv, b}], c)
	}
	median := map[int32]float64{}
	for pv, s := range sales {
		slices.Sort(s)
		median[pv] = s[len(s)/2]
	}
	keys := make([]key, 0, len(byKey))
	for k, cs := range byKey {
		if len(cs) >= 2*cashOutMinCards {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.prov, b.prov); c != 0 {
			return c
		}
		return cmp.Compare(a.b, b.b)
	})
	var out []finding.Candidate
	for _, k := range keys {
		cs := byKey[k]
		per := map[int32]int{}
		var amount float64
		for _, c := range cs {
			per[d.CPat[c]]++
			amount += float64(d.CTotal[c])
		}
		amount /= float64(len(cs))
		var cards []int32
		repeat := 0
		for p, n := range per {
			if n >= 2 {
				cards = append(cards, p)
				repeat += n
			}
		}
		if len(cards) < cashOutMinCards || median[k.prov] <= 0 {
			continue
		}
		slices.Sort(cards)
		ratio := amount / median[k.prov]
		value := finding.Clamp01((ratio - 2) / 4)
		if value == 0 {
			continue
		}
		coord := 1 - math.Exp(-float64(repeat)/15)
		// Cards that come only for this basket.
		in := map[int32]bool{}
		for _, c := range cs {
			in[c] = true
		}
		only := 0.0
		for _, p := range cards {
			other := false
			for _, c := range d.ClaimsOf(p) {
				if d.CProv[c] == k.prov && !in[c] {
					other = true
					break
				}
			}
			if !other {
				only++
			}
		}
		only /= float64(len(cards))
		score := coord * math.Sqrt(value) * (0.7 + 0.3*only)
		if score < minScore {
			continue
		}
		var fund int64
		claims := 0
		set := map[int32]bool{}
		for _, p := range cards {
			set[p] = true
		}
		for _, c := range cs {
			if set[d.CPat[c]] {
				fund += d.CFund[c]
				claims++
			}
		}
		reasons := []graph.Reason{
			finding.Reason("identical_high_value_baskets", coord*math.Sqrt(value), map[string]float64{
				"cards": float64(len(cards)), "purchases": float64(repeat), "amount_yuan": finding.Round4(amount / 100), "ratio_to_median": finding.Round4(ratio)},
				"%[1]d 张卡在同一药店反复购买完全相同的一篮商品（共 %[2]d 次，每次约 %.2[3]f 元，为该店中位销售额的 %.1[4]f 倍）：疑似刷卡套现",
				"%[1]d cards bought the very same basket at this pharmacy again and again (%[2]d purchases of about %.2[3]f yuan, %.1[4]f× the pharmacy's median sale): likely cashing out the cards",
				len(cards), repeat, amount/100, ratio),
			finding.Reason("basket_only_cards", 0.3*only, map[string]float64{"share": finding.Round4(only)},
				"%.0f%% 的卡在该店只买这一篮商品", "%.0f%% of the cards buy nothing else at this pharmacy", 100*only),
		}
		finding.SortReasons(reasons)
		refs := make([]graph.Ref, 0, len(cards)+1)
		for _, p := range cards {
			refs = append(refs, d.PatRef(p))
		}
		refs = append(refs, d.ProvRef(k.prov))
		out = append(out, finding.Candidate{Pats: cards, Provs: []int32{k.prov}, Ring: graph.Ring{
			ID: finding.ID(graph.KindCollusionRing, refs), Kind: graph.KindCollusionRing, Score: finding.Round4(score),
			Members: refs, Amount: graph.Money(fund), Claims: claims, Region: d.RegionOf(k.prov), Reasons: reasons,
		}})
	}
	return out
}
