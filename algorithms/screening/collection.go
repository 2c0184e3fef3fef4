package screening

import (
	"math"
	"slices"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// Repeated collection (重复开药, 倒买倒卖): one card collects the drugs of one condition at
// several providers within a few days, month after month — far more than one person takes. A
// patient seen at a clinic who then buys the prescription at a pharmacy touches two providers;
// collection rounds need at least collectionProviders distinct providers for the same
// diagnosis within RepeatPrescriptionDays, in at least collectionMonths different months.
const (
	collectionProviders = 3
	collectionMonths    = 3
)

// CollectionLeads returns one lead per card with repeated collection rounds.
func CollectionLeads(d *dataset.Claims, o Options, minScore float64) []finding.Candidate {
	window := int64(max(o.RepeatPrescriptionDays, 1)) * dataset.SecondsPerDay
	var out []finding.Candidate
	for pt := int32(0); int(pt) < d.NPat(); pt++ {
		cs := d.ClaimsOf(pt)
		if len(cs) < collectionProviders*collectionMonths {
			continue
		}
		type round struct {
			month int
			provs map[int32]bool
			fund  int64
			n     int
		}
		var rounds []round
		var used map[int32]bool // claims already in a counted round
		for i, c := range cs {
			if d.CType[c] == dataset.Inpatient || d.CDiag[c] < 0 || used[c] {
				continue
			}
			provs := map[int32]bool{d.CProv[c]: true}
			members := []int32{c}
			for _, o := range cs[i+1:] {
				if d.CStart[o]-d.CStart[c] > window {
					break
				}
				if d.CType[o] != dataset.Inpatient && d.CDiag[o] == d.CDiag[c] && !used[o] {
					provs[d.CProv[o]] = true
					members = append(members, o)
				}
			}
			if len(provs) < collectionProviders {
				continue
			}
			if used == nil {
				used = map[int32]bool{}
			}
			r := round{provs: provs, n: len(members)}
			t := time.Unix(d.CStart[c], 0).UTC()
			r.month = t.Year()*12 + int(t.Month())
			for _, m := range members {
				used[m] = true
				r.fund += d.CFund[m]
			}
			rounds = append(rounds, r)
		}
		months := map[int]bool{}
		for _, r := range rounds {
			months[r.month] = true
		}
		if len(months) < collectionMonths {
			continue
		}
		provs := map[int32]bool{}
		var fund int64
		claims := 0
		for _, r := range rounds {
			for p := range r.provs {
				provs[p] = true
			}
			fund += r.fund
			claims += r.n
		}
		score := math.Min(0.8, 0.5+0.05*float64(len(months)-collectionMonths))
		if score < minScore {
			continue
		}
		pv := finding.SortedKeys(provs)
		slices.Sort(pv)
		refs := []graph.Ref{d.PatRef(pt)}
		for _, p := range pv {
			refs = append(refs, d.ProvRef(p))
		}
		// The providers that filled the prescriptions were used, not complicit, as far as one
		// card shows.
		credit := make([]float64, len(pv))
		for i := range credit {
			credit[i] = 0.1
		}
		out = append(out, finding.Candidate{Lead: true, Pats: []int32{pt}, Provs: pv, ProvCredit: credit, Ring: graph.Ring{
			ID: finding.ID(graph.KindScreeningRule, refs), Kind: graph.KindScreeningRule, Score: finding.Round4(score),
			Members: refs, Amount: graph.Money(fund), Claims: claims, Region: d.RegionOf(pv[0]),
			Reasons: []graph.Reason{finding.Reason("repeated_collection", score,
				map[string]float64{"rounds": float64(len(rounds)), "months": float64(len(months)), "providers": float64(len(pv)), "claims": float64(claims), "days": float64(o.RepeatPrescriptionDays)},
				"同一诊断在 %[5]d 天内到 %[3]d 家以上机构取药/就诊，共 %[1]d 轮，分布在 %[2]d 个月（%[4]d 笔结算）：疑似重复开药、倒卖药品",
				"the same diagnosis collected at %[3]d or more providers within %[5]d days, %[1]d rounds over %[2]d months (%[4]d claims): likely collecting drugs to resell",
				len(rounds), len(months), collectionProviders, claims, o.RepeatPrescriptionDays)},
		}})
	}
	return out
}
