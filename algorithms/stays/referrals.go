package stays

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// referralBatchMin is the least number of patients, seen at one clinic and admitted at one
// hospital within a day, that make a referral batch.
const referralBatchMin = 3

// referral is one admission preceded by a visit at another institution the same day or the day
// before.
type referral struct {
	pat, adm     int32 // patient, admission claim
	clinic, hosp int32
	day          int32
}

// referralBatches finds induced admissions (诱导住院): patients seen at one clinic and admitted
// together at one hospital the same or the next day, in several batches weeks apart. A clinic
// does refer patients, but one or two a day at random: the count of referrals per day of the
// (clinic, hospital) pair is compared with Poisson(its own daily mean), and a pair with at least
// two surprising batches at least fourteen days apart is reported with the batches' patients,
// the clinic as organiser and the hospital as partner.
func referralBatches(d *dataset.Claims, minScore float64) []finding.Candidate {
	var refs []referral
	for pt := int32(0); int(pt) < d.NPat(); pt++ {
		cs := d.ClaimsOf(pt)
		for i, c := range cs {
			if d.CType[c] != dataset.Inpatient || d.ProvKind[d.CProv[c]] != dataset.Institution {
				continue
			}
			day := d.Day(c)
			for j := i - 1; j >= 0; j-- {
				o := cs[j]
				if day-d.Day(o) > 1 {
					break
				}
				if d.CType[o] == dataset.Outpatient && d.CProv[o] != d.CProv[c] && d.ProvKind[d.CProv[o]] == dataset.Institution {
					refs = append(refs, referral{pt, c, d.CProv[o], d.CProv[c], day})
					break
				}
			}
		}
	}
	slices.SortFunc(refs, func(a, b referral) int {
		if c := cmp.Compare(a.clinic, b.clinic); c != 0 {
			return c
		}
		if c := cmp.Compare(a.hosp, b.hosp); c != 0 {
			return c
		}
		return cmp.Compare(a.day, b.day)
	})
	var out []finding.Candidate
	for lo := 0; lo < len(refs); {
		hi := lo
		for hi < len(refs) && refs[hi].clinic == refs[lo].clinic && refs[hi].hosp == refs[lo].hosp {
			hi++
		}
		pair := refs[lo:hi]
		lo = hi
		if len(pair) < 2*referralBatchMin {
			continue
		}
		// Batches: referrals within a day of each other.
		var batches [][]referral
		for i := 0; i < len(pair); {
			j := i + 1
			for j < len(pair) && pair[j].day-pair[j-1].day <= 1 {
				j++
			}
			batches = append(batches, pair[i:j])
			i = j
		}
		span := float64(pair[len(pair)-1].day-pair[0].day) + 1
		rate := float64(len(pair)) / math.Max(span, 30) // referrals per day, at least over a month
		var big [][]referral
		var surprise float64
		for _, b := range batches {
			if distinct(b) >= referralBatchMin {
				big = append(big, b)
				surprise += finding.PoissonSurprise(distinct(b), 2*rate)
			}
		}
		if len(big) < 2 || big[len(big)-1][0].day-big[0][len(big[0])-1].day < 14 {
			continue
		}
		surprise -= math.Log10(float64(len(batches)))
		coord := 1 - math.Exp(-math.Max(0, surprise-3)/4)
		priv := 0.0
		if d.ProvOwn[pair[0].hosp] == dataset.OwnPrivate {
			priv = 1
		}
		score := coord * (0.75 + 0.25*priv)
		if score < minScore {
			continue
		}
		pats := map[int32]bool{}
		var fund int64
		claims := 0
		for _, b := range big {
			for _, r := range b {
				pats[r.pat] = true
				fund += d.CFund[r.adm]
				claims++
			}
		}
		ps := finding.SortedKeys(pats)
		members := make([]graph.Ref, 0, len(ps)+2)
		for _, p := range ps {
			members = append(members, d.PatRef(p))
		}
		clinic, hosp := pair[0].clinic, pair[0].hosp
		members = append(members, d.ProvRef(clinic), d.ProvRef(hosp))
		reasons := []graph.Reason{finding.Reason("referral_batches", coord, map[string]float64{
			"patients": float64(len(ps)), "batches": float64(len(big)), "referrals": float64(len(pair)), "surprise": finding.Round4(surprise)},
			"%[1]d 名参保人分 %[2]d 批在 %[3]s 就诊后当天或次日集中住进 %[4]s（按两机构平时的转诊量，概率约 10^-%.1[5]f）",
			"%[1]d patients were seen at %[3]s and admitted together to %[4]s the same or the next day, in %[2]d batches (probability about 10^-%.1[5]f at the two institutions' usual referral rate)",
			len(ps), len(big), d.Prov.Strs[clinic], d.Prov.Strs[hosp], surprise)}
		if priv > 0 {
			reasons = append(reasons, finding.Reason("private_provider", 0.25, nil, "收治医院为民营机构", "the admitting hospital is privately owned"))
		}
		out = append(out, finding.Candidate{Pats: ps, Provs: []int32{clinic, hosp}, ProvCredit: []float64{1, 0.8}, Ring: graph.Ring{
			ID: finding.ID(graph.KindCollusionRing, members), Kind: graph.KindCollusionRing, Score: finding.Round4(score),
			Members: members, Amount: graph.Money(fund), Claims: claims, Region: d.RegionOf(clinic), Reasons: reasons,
		}})
	}
	return out
}

func distinct(b []referral) int {
	m := map[int32]bool{}
	for _, r := range b {
		m[r.pat] = true
	}
	return len(m)
}
