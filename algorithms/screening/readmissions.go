package screening

import (
	"math"
	"slices"
	"strings"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// Thresholds of the split-admission test. A hospital is a lead when its early readmissions for
// the same illness are improbable at the rate of the other hospitals (Poisson, corrected for the
// number of hospitals tested), at least splitMinCount of them and splitMinRatio times what that
// rate expects; the rate never falls below splitFloorRate, the share of stays that come back
// within two weeks at an honest hospital even where the export shows fewer.
const (
	splitMinCount    = 3
	splitMinRatio    = 2.0
	splitMinSurprise = 2.0 // −log10 p after the correction
	splitFloorRate   = 0.01
)

// split is one early readmission: stay b of a patient began within the window after stay a at
// the same hospital ended, for the same illness.
type split struct{ a, b int32 }

// SplitAdmissionLeads finds split admissions (分解住院): a hospital that discharges patients and
// admits them again within SplitAdmissionDays for the same illness (same ICD three-character
// category), so that one episode is settled as two stays. Care that comes in planned cycles is
// not a split: chemotherapy and radiotherapy sessions and malignant neoplasms (their cycles),
// dialysis, rehabilitation; nor a readmission after a stay elsewhere (a transfer). Any hospital
// has some early readmissions, so one lead per hospital whose count is improbable against the
// rate of the others (estimated without the hospitals that are themselves improbable at the
// pooled rate). Members are the hospital, the doctors who admitted the readmissions and their
// patients; the amount is the fund money of the readmission stays, an upper bound of the
// duplicated per-stay payments.
func SplitAdmissionLeads(d *dataset.Claims, o Options, minScore float64) []finding.Candidate {
	if o.SplitAdmissionDays <= 0 || !d.Has.Inpatient {
		return nil
	}
	plannedDx := make([]bool, d.Diags.Len())
	categoryDx := make([]string, d.Diags.Len())
	for i, code := range d.Diags.Strs {
		plannedDx[i], categoryDx[i] = PlannedCycle(code), IllnessCategory(code)
	}
	planned := func(c int32) bool { return d.CDiag[c] >= 0 && plannedDx[d.CDiag[c]] }
	category := func(c int32) string {
		if d.CDiag[c] < 0 {
			return ""
		}
		return categoryDx[d.CDiag[c]]
	}
	stays := make([]int, d.NProv())
	splits := make([][]split, d.NProv())
	var ins []int32
	for p := int32(0); int(p) < d.NPat(); p++ {
		ins = ins[:0]
		for _, c := range d.ClaimsOf(p) {
			if d.CType[c] == dataset.Inpatient {
				ins = append(ins, c)
			}
		}
		for i, b := range ins {
			stays[d.CProv[b]]++
			if i == 0 {
				continue
			}
			a := ins[i-1]
			if d.CProv[a] != d.CProv[b] || d.CEnd[a] == 0 {
				continue
			}
			gap := d.Day(b) - d.EndDay(a)
			if gap < 0 || int(gap) > o.SplitAdmissionDays || planned(a) || planned(b) {
				continue
			}
			if ca := category(a); ca == "" || ca != category(b) {
				continue
			}
			splits[d.CProv[b]] = append(splits[d.CProv[b]], split{a, b})
		}
	}
	var tested []int32
	for pv := range stays {
		if len(splits[pv]) > 0 {
			tested = append(tested, int32(pv))
		}
	}
	if len(tested) == 0 {
		return nil
	}
	nTested := 0
	for pv := range stays {
		if stays[pv] > 0 && d.ProvKind[pv] == dataset.Institution {
			nTested++
		}
	}
	correction := math.Log10(float64(max(nTested, 1)))
	// A hospital is judged against the rate of the other hospitals, without those that are
	// themselves improbable at it (finding.PeelRates).
	counts, exposures := make([]float64, len(stays)), make([]float64, len(stays))
	for pv := range stays {
		if d.ProvKind[pv] == dataset.Institution {
			counts[pv], exposures[pv] = float64(len(splits[pv])), float64(stays[pv])
		}
	}
	surprise := func(pv int, rate float64) (float64, float64) {
		exp := float64(stays[pv]) * rate
		return finding.PoissonSurprise(len(splits[pv]), exp) - correction, exp
	}
	rates := finding.PeelRates(counts, exposures, splitFloorRate, func(pv int, rate float64) bool {
		s, _ := surprise(pv, rate)
		return s >= splitMinSurprise
	})
	var out []finding.Candidate
	for _, pv := range tested {
		sp := splits[pv]
		s, exp := surprise(int(pv), rates.Rate(int(pv)))
		ratio := float64(len(sp)) / exp
		if len(sp) < splitMinCount || ratio < splitMinRatio || s < splitMinSurprise {
			continue
		}
		score := math.Min(0.85, 0.5+0.1*math.Log2(ratio/splitMinRatio))
		if score < minScore {
			continue
		}
		pats, docs := map[int32]bool{}, map[int32]bool{}
		var fund int64
		gaps := make([]int, 0, len(sp))
		for _, x := range sp {
			pats[d.CPat[x.b]] = true
			if doc := d.CDoc[x.b]; doc >= 0 {
				docs[doc] = true
			}
			fund += d.CFund[x.b]
			gaps = append(gaps, int(d.Day(x.b)-d.EndDay(x.a)))
		}
		slices.Sort(gaps)
		ps, ds := finding.SortedKeys(pats), finding.SortedKeys(docs)
		refs := []graph.Ref{d.ProvRef(pv)}
		for _, doc := range ds {
			refs = append(refs, d.DocRef(doc))
		}
		for _, p := range ps {
			refs = append(refs, d.PatRef(p))
		}
		vals := map[string]float64{
			"readmissions": float64(len(sp)), "stays": float64(stays[pv]), "expected": finding.Round4(exp),
			"ratio": finding.Round4(ratio), "patients": float64(len(ps)), "median_gap_days": float64(gaps[len(gaps)/2]),
			"window_days": float64(o.SplitAdmissionDays), "surprise": finding.Round4(s),
		}
		reason := finding.Reason("split_admission", score, vals,
			"住院 %[1]d 人次中有 %[2]d 次为出院后 %[3]d 天内以同一疾病再次入院（%[4]d 名参保人，间隔中位数 %[5]d 天），按其他医院的比例应为 %.1[6]f 次：疑似分解住院",
			"%[2]d of %[1]d stays were readmissions for the same illness within %[3]d days of discharge (%[4]d patients, median gap %[5]d days), against %.1[6]f expected at the other hospitals' rate: suspected split admissions",
			stays[pv], len(sp), o.SplitAdmissionDays, len(ps), gaps[len(gaps)/2], exp)
		out = append(out, finding.Candidate{Lead: true, Pats: ps, Provs: []int32{pv}, Docs: ds, Ring: graph.Ring{
			ID: finding.ID(graph.KindScreeningRule, refs), Kind: graph.KindScreeningRule, Score: finding.Round4(score),
			Members: refs, Amount: graph.Money(fund), Claims: len(sp), Region: d.RegionOf(pv),
			Reasons: []graph.Reason{reason},
		}})
	}
	return out
}

// PlannedCycle reports whether a diagnosis is care that comes back on a schedule, so that an early
// readmission for it is no split: chemotherapy and radiotherapy sessions and malignant neoplasms
// (their cycles), dialysis, rehabilitation.
func PlannedCycle(code string) bool {
	switch dataset.ClassifyDiagnosis(code) {
	case dataset.DiagDialysis, dataset.DiagRehab, dataset.DiagOncology:
		return true
	}
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(code)), "C")
}

// IllnessCategory is the ICD three-character category of a diagnosis code ("J44.1" → "J44"), by
// which two stays are "for the same illness"; "" when there is no code.
func IllnessCategory(code string) string {
	c := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), ".", ""))
	if len(c) > 3 {
		c = c[:3]
	}
	return c
}
