package providers

import (
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
)

// FeatureNames names the columns of Features, in order.
var FeatureNames = []string{
	"log_fund", "log_claims", "log_patients", "claims_per_patient", "inpatient_share", "mean_stay_days",
	"amount_vs_peers", "shared_patient_share", "log_doctors", "claims_per_doctor", "diagnosis_spread",
	"overlapping_stay_share", "after_death_share", "flagged_fund_share",
}

// Features returns one row per provider (index = provider id) of the features above; rows of
// providers without claims are nil. flagged marks patients in reported findings.
func Features(d *dataset.Claims, dp *dataset.DiagnosisPeers, flagged []bool) [][]float64 {
	np := d.NProv()
	type acc struct {
		claims, inp, stayDays, logRatio, shared, overlap, after float64
		fund, flaggedFund                                       float64
		pats                                                    int
		docs, diags                                             map[int32]bool
	}
	a := make([]acc, np)
	last := make([]int32, np)
	for i := range last {
		last[i] = -1
	}
	for pt := int32(0); int(pt) < d.NPat(); pt++ {
		cs := d.ClaimsOf(pt)
		provs := map[int32]bool{}
		for _, c := range cs {
			provs[d.CProv[c]] = true
		}
		var stays [][3]int64 // start, end, provider
		for _, c := range cs {
			if d.CType[c] == dataset.Inpatient && d.CEnd[c] > d.CStart[c] {
				stays = append(stays, [3]int64{d.CStart[c], d.CEnd[c], int64(d.CProv[c])})
			}
		}
		for _, c := range cs {
			pv := d.CProv[c]
			s := &a[pv]
			s.claims++
			s.fund += float64(d.CFund[c])
			if flagged != nil && flagged[pt] {
				s.flaggedFund += float64(d.CFund[c])
			}
			if last[pv] != pt {
				last[pv] = pt
				s.pats++
				if len(provs) > 1 {
					s.shared++
				}
			}
			if doc := d.CDoc[c]; doc >= 0 {
				if s.docs == nil {
					s.docs = map[int32]bool{}
				}
				s.docs[doc] = true
			}
			if dg := d.CDiag[c]; dg >= 0 {
				if s.diags == nil {
					s.diags = map[int32]bool{}
				}
				s.diags[dg] = true
			}
			lr, _ := dp.LogRatio(d, c)
			s.logRatio += lr
			if d.CType[c] == dataset.Inpatient {
				s.inp++
				if d.CEnd[c] > d.CStart[c] {
					s.stayDays += float64(d.CEnd[c]-d.CStart[c]) / dataset.SecondsPerDay
					for _, o := range stays {
						if o[2] != int64(pv) && o[0] < d.CEnd[c] && o[1] > d.CStart[c] {
							s.overlap++
							break
						}
					}
				}
			}
			if death := d.PatDeath[pt]; death != dataset.NoDate && d.Day(c) > death {
				s.after++
			}
		}
	}
	out := make([][]float64, np)
	for pv := range a {
		s := &a[pv]
		if s.claims == 0 {
			continue
		}
		n := s.claims
		stay := 0.0
		if s.inp > 0 {
			stay = s.stayDays / s.inp
		}
		docs := float64(len(s.docs))
		perDoc := 0.0
		if docs > 0 {
			perDoc = n / docs
		}
		out[pv] = []float64{
			math.Log1p(s.fund / 100), math.Log1p(n), math.Log1p(float64(s.pats)), n / float64(max(s.pats, 1)), s.inp / n, stay,
			s.logRatio / n, s.shared / float64(max(s.pats, 1)), math.Log1p(docs), perDoc, float64(len(s.diags)) / math.Sqrt(n),
			s.overlap / math.Max(s.inp, 1), s.after / n, s.flaggedFund / math.Max(s.fund, 1),
		}
	}
	return out
}

// robustZ returns (x − median) / (1.4826·MAD) for one column over the rows of group (nil rows
// skipped); a column without spread gives zeros.
func robustZ(rows [][]float64, col int, group []int) map[int]float64 {
	var v []float64
	for _, i := range group {
		v = append(v, rows[i][col])
	}
	out := map[int]float64{}
	if len(v) == 0 {
		return out
	}
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	for i := range s {
		s[i] = math.Abs(s[i] - med)
	}
	slices.Sort(s)
	scale := 1.4826 * s[len(s)/2]
	if scale < 1e-9 {
		// Fall back to the mean absolute deviation when most providers share one value.
		var m float64
		for _, x := range s {
			m += x
		}
		scale = 1.2533 * m / float64(len(s))
	}
	for _, i := range group {
		if scale < 1e-9 {
			out[i] = 0
		} else {
			out[i] = (rows[i][col] - med) / scale
		}
	}
	return out
}
