package screening

import (
	"math"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// largeClaimPeerRatio is how many times its peers' typical amount a single large claim must
// cost to be a lead on its own: the special-action rule (单次大额 ≥ LargeClaimYuan) lists every
// such claim for checks, most of them honest surgery; one that also costs many times what
// claims of the same diagnosis, type and level cost is an up-coded or fictitious procedure
// until shown otherwise.
const largeClaimPeerRatio = 5

// LargeClaimLeads returns one lead per claim of at least LargeClaimYuan that costs at least
// largeClaimPeerRatio times the geometric mean of its diagnosis peers (same diagnosis, claim
// type and level; the claim type's mean when the diagnosis has too few peers), in total or, for
// an inpatient stay, per bed day (a two-day stay billed like a nine-day one: 短住院高收费). The
// score grows with the ratio: 0.5 at 5×, 0.8 from 40×. Claims of one card are one lead each.
func LargeClaimLeads(d *dataset.Claims, dp *dataset.DiagnosisPeers, o Options, minScore float64) []finding.Candidate {
	large := int64(math.Round(o.LargeClaimYuan * 100))
	// Beyond three of the peers' standard deviations of log amount too: where amounts of one
	// diagnosis vary widely (case mix inside a diagnosis code), five times the typical amount
	// is not remarkable.
	const zMin = 3.0
	// Twenty times the peers' typical amount needs no spread test: in a small peer group a few
	// such claims inflate the spread they are measured against.
	above := func(z, ratio float64) bool {
		return ratio >= largeClaimPeerRatio && (z >= zMin || ratio >= 4*largeClaimPeerRatio)
	}
	var perDay *dataset.DiagnosisPeers
	var out []finding.Candidate
	for c := int32(0); int(c) < d.NClaims(); c++ {
		if d.CTotal[c] < large {
			continue
		}
		z, lr, byDiag := dp.LogZ(d, c)
		ratio := math.Exp(lr)
		days := 0 // bed days when the stay is above its peers per bed day only
		if !above(z, ratio) {
			// A chemotherapy or radiotherapy cycle is a short stay priced by its drugs, not its
			// bed days: per bed day it is far above stays of the same cancer by design.
			if days = d.BedDays(c); days == 0 || d.CDiag[c] >= 0 && PlannedCycle(d.Diags.Strs[d.CDiag[c]]) {
				continue
			}
			if perDay == nil {
				perDay = dataset.NewBedDayPeers(d)
			}
			z, lr, byDiag = perDay.LogZ(d, c)
			if ratio = math.Exp(lr); !above(z, ratio) {
				continue
			}
		}
		score := math.Min(0.8, 0.5+0.1*math.Log2(ratio/largeClaimPeerRatio))
		if score < minScore {
			continue
		}
		pt, pv := d.CPat[c], d.CProv[c]
		refs := []graph.Ref{d.PatRef(pt)}
		var docs []int32
		if doc := d.CDoc[c]; doc >= 0 {
			refs = append(refs, d.DocRef(doc))
			docs = []int32{doc}
		}
		refs = append(refs, d.ProvRef(pv))
		peers := "同诊断同类型同级别机构"
		peersEN := "claims of the same diagnosis, type and level"
		if !byDiag {
			peers, peersEN = "同类型结算", "claims of the same type"
		}
		yuan := finding.Yuan(d.CTotal[c])
		vals := map[string]float64{"amount_yuan": yuan, "ratio": finding.Round4(ratio), "z": finding.Round4(z), "threshold_yuan": o.LargeClaimYuan, "by_diagnosis": b2f(byDiag)}
		reason := finding.Reason("large_claim_above_peers", score, vals,
			"单次结算 %.2[1]f 元（单次大额），为%[2]s典型金额的 %.1[3]f 倍", "a single claim of %.2[1]f yuan (large-claim rule), %.1[3]f× the typical amount of %[4]s",
			yuan, peers, ratio, peersEN)
		if days > 0 {
			vals["bed_days"] = float64(days)
			reason = finding.Reason("large_claim_per_bed_day", score, vals,
				"住院 %[1]d 天结算 %.2[2]f 元（单次大额），日均费用为%[3]s的 %.1[4]f 倍：短住院高收费", "a stay of %[1]d day(s) billed %.2[2]f yuan (large-claim rule): per bed day %.1[4]f× what %[5]s cost",
				days, yuan, peers, ratio, peersEN)
		}
		out = append(out, finding.Candidate{Lead: true, Pats: []int32{pt}, Provs: []int32{pv}, Docs: docs, Ring: graph.Ring{
			ID: finding.ID(graph.KindScreeningRule, refs), Kind: graph.KindScreeningRule, Score: finding.Round4(score),
			Members: refs, Amount: graph.Money(d.CFund[c]), Claims: 1, Region: d.RegionOf(pv),
			Reasons: []graph.Reason{reason},
		}})
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
