package stays

import (
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// Admission waves (诱导住院 by free transport, meals or gifts): a bus brings a group of elderly
// patients and they are admitted together within an hour or two, wave after wave weeks apart.
// Hospitals admit at all hours and some days are busier than others, so the count of
// admissions in the busiest waveWindow of a day is compared with Poisson(the institution's
// mean admissions on that weekday × waveWindow / 10 working hours), corrected for the number
// of institution-days tested. An institution with at least two surprising waves of at least
// waveMin patients is reported with the waves' patients; one wave alone can be an accident or
// an outbreak.
const (
	waveWindowHours = 2
	waveMin         = 5
)

type admit struct {
	c   int32
	pat int32
	t   int64
}

// admissionWaves returns the admission-wave rings.
func admissionWaves(d *dataset.Claims, minScore float64) []finding.Candidate {
	per := map[int32][]admit{}
	for c := int32(0); int(c) < d.NClaims(); c++ {
		if d.CType[c] == dataset.Inpatient && d.ProvKind[d.CProv[c]] == dataset.Institution {
			per[d.CProv[c]] = append(per[d.CProv[c]], admit{c, d.CPat[c], d.CStart[c]})
		}
	}
	provs := make([]int32, 0, len(per))
	tests := 0
	for pv, as := range per {
		if len(as) >= 2*waveMin {
			provs = append(provs, pv)
		}
		days := map[int32]bool{}
		for _, a := range as {
			days[int32(dataset.FloorDiv(a.t, dataset.SecondsPerDay))] = true
		}
		tests += len(days)
	}
	slices.Sort(provs)
	correction := math.Log10(float64(max(tests, 1)))
	window := int64(waveWindowHours * 3600)
	var out []finding.Candidate
	for _, pv := range provs {
		as := per[pv]
		slices.SortFunc(as, func(a, b admit) int { return int(a.t - b.t) })
		// Mean admissions per day of each weekday, over the weeks the institution admitted.
		var perWeekday [7]float64
		first, last := as[0].t, as[len(as)-1].t
		weeks := math.Max(1, float64(last-first)/(7*dataset.SecondsPerDay))
		for _, a := range as {
			perWeekday[weekdayOf(a.t)]++
		}
		var waves []wave
		for i := 0; i < len(as); {
			// The densest window starting at each admission; waves do not overlap.
			j := i
			for j < len(as) && as[j].t-as[i].t <= window {
				j++
			}
			pats := map[int32]bool{}
			for _, a := range as[i:j] {
				pats[a.pat] = true
			}
			lambda := perWeekday[weekdayOf(as[i].t)] / weeks * float64(waveWindowHours) / 10
			s := finding.PoissonSurprise(len(pats), lambda) - correction
			if len(pats) >= waveMin && s >= 3 {
				w := wave{pats: finding.SortedKeys(pats), score: s, n: j - i}
				for _, a := range as[i:j] {
					w.fund += d.CFund[a.c]
				}
				waves = append(waves, w)
				i = j
				continue
			}
			i++
		}
		// Waves that share patients are one operation (the same recruits brought again); two
		// groups bused to one hospital are two.
		for _, comp := range finding.Components(len(waves), func(a, b int) bool { return sharesAny(waves[a].pats, waves[b].pats) }) {
			if len(comp) < 2 {
				continue
			}
			ws := make([]wave, len(comp))
			for i, k := range comp {
				ws[i] = waves[k]
			}
			if c, ok := waveRing(d, pv, ws, minScore); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

type wave struct {
	pats  []int32
	score float64
	fund  int64
	n     int
}

func sharesAny(a, b []int32) bool {
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); ok {
			return true
		}
	}
	return false
}

// waveRing scores one group of admission waves at institution pv.
func waveRing(d *dataset.Claims, pv int32, waves []wave, minScore float64) (finding.Candidate, bool) {
	all := map[int32]bool{}
	best := 0.0
	var fund int64
	claims := 0
	for _, w := range waves {
		for _, p := range w.pats {
			all[p] = true
		}
		best = math.Max(best, w.score)
		fund += w.fund
		claims += w.n
	}
	coord := 1 - math.Exp(-best/4)
	repeat := finding.Clamp01(float64(len(waves)-1) / 2)
	score := coord * (0.7 + 0.3*repeat)
	if d.ProvOwn[pv] == dataset.OwnPrivate {
		score = finding.NoisyOr(score, 0.15)
	}
	if score < minScore {
		return finding.Candidate{}, false
	}
	pats := finding.SortedKeys(all)
	refs := make([]graph.Ref, 0, len(pats)+1)
	for _, p := range pats {
		refs = append(refs, d.PatRef(p))
	}
	refs = append(refs, d.ProvRef(pv))
	reasons := []graph.Reason{finding.Reason("admission_waves", coord, map[string]float64{
		"waves": float64(len(waves)), "patients": float64(len(pats)), "hours": waveWindowHours, "surprise": finding.Round4(best)},
		"%[1]d 批、共 %[2]d 名参保人在 %[3]d 小时内集中入院（按该机构平日入院量，概率约 10^-%.1[4]f）：疑似组织、诱导住院",
		"%[2]d patients admitted in %[1]d waves, each within %[3]d hours (probability about 10^-%.1[4]f at the institution's usual admissions): organised or induced admissions",
		len(waves), len(pats), waveWindowHours, best)}
	if d.ProvOwn[pv] == dataset.OwnPrivate {
		reasons = append(reasons, finding.Reason("private_provider", 0.15, nil, "主要机构为民营机构", "the institution is privately owned"))
	}
	finding.SortReasons(reasons)
	return finding.Candidate{Pats: pats, Provs: []int32{pv}, ProvCredit: []float64{providerCredit(d, pv)}, Ring: graph.Ring{
		ID: finding.ID(graph.KindCollusionRing, refs), Kind: graph.KindCollusionRing, Score: finding.Round4(score),
		Members: refs, Amount: graph.Money(fund), Claims: claims, Region: d.RegionOf(pv), Reasons: reasons,
	}}, true
}

// weekdayOf returns the weekday index (0..6) of local seconds t.
func weekdayOf(t int64) int {
	return dataset.Weekday(int32(dataset.FloorDiv(t, dataset.SecondsPerDay)))
}
