package algorithms

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// MatchJaccard is the patient-member Jaccard similarity at which a reported ring counts as
// finding a planted ring (the evaluation rule).
const MatchJaccard = 0.5

// RingEval counts ring-level matches for one slice of the results (all kinds, or one kind).
type RingEval struct {
	Reported  int     `json:"reported"`  // reported rings in the slice
	Matched   int     `json:"matched"`   // reported rings that match a planted ring
	Planted   int     `json:"planted"`   // planted rings in the slice
	Found     int     `json:"found"`     // planted rings matched by at least one reported ring
	Precision float64 `json:"precision"` // Matched / Reported (NaN when nothing was reported)
	Recall    float64 `json:"recall"`    // Found / Planted (NaN when nothing was planted)
}

// EvalReport is the outcome of comparing findings with labelled truth.
type EvalReport struct {
	K            int                 `json:"k"`
	Rings        RingEval            `json:"rings"`
	PrecisionAtK float64             `json:"precision_at_k"` // share of the top K reported rings that match
	PerKind      map[string]RingEval `json:"per_kind"`       // planted kinds by Found/Planted, reported kinds by Matched/Reported
	// LookalikesTop20 counts reported rings among the top 20 whose patients match an honest
	// look-alike group (household, chronic clinic cohort) with Jaccard ≥ 0.5.
	LookalikesTop20 int `json:"lookalikes_top20"`
	// LookalikesReported counts all reported rings matching a look-alike.
	LookalikesReported int `json:"lookalikes_reported"`
	// AUC is the entity-level ROC AUC per party type ("provider" = institutions and pharmacies
	// together, "patient", "doctor"); NaN when a type has no positives or no negatives.
	AUC map[string]float64 `json:"auc"`
	// Missed lists the ids of planted rings no reported ring matched.
	Missed []string `json:"missed,omitempty"`
}

func patientSet(refs []graph.Ref) map[string]bool {
	s := map[string]bool{}
	for _, r := range refs {
		if r.Type == graph.TypePatient {
			s[r.ID] = true
		}
	}
	if len(s) == 0 {
		// Groups without patients (a provider pair) are matched on all their members.
		for _, r := range refs {
			s[r.String()] = true
		}
	}
	return s
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// bestMatch returns, for each reported ring, whether it matches any group of targets.
func matches(rings []graph.Ring, targets []graph.TruthRing) (reportedHit []bool, targetHit []bool) {
	ts := make([]map[string]bool, len(targets))
	index := map[string][]int{}
	for i, t := range targets {
		ts[i] = patientSet(t.Members)
		for k := range ts[i] {
			index[k] = append(index[k], i)
		}
	}
	reportedHit = make([]bool, len(rings))
	targetHit = make([]bool, len(targets))
	for ri, r := range rings {
		rs := patientSet(r.Members)
		seen := map[int]bool{}
		for k := range rs {
			for _, ti := range index[k] {
				if seen[ti] {
					continue
				}
				seen[ti] = true
				if jaccard(rs, ts[ti]) >= MatchJaccard {
					reportedHit[ri] = true
					targetHit[ti] = true
				}
			}
		}
	}
	return reportedHit, targetHit
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// Evaluate compares findings with truth: ring precision and recall under Jaccard ≥ 0.5 matching
// of patient members, precision at k, results per kind, honest look-alikes among the top 20,
// and entity-level ROC AUC for providers, patients and doctors (parties missing from the
// findings score 0; truth.Patients, when set, counts the unlisted honest patients).
func Evaluate(truth graph.Truth, f graph.Findings, k int) EvalReport {
	rings := slices.Clone(f.Rings)
	slices.SortStableFunc(rings, func(a, b graph.Ring) int { return cmp.Compare(b.Score, a.Score) })
	rep := EvalReport{K: k, PerKind: map[string]RingEval{}, AUC: map[string]float64{}}
	hit, found := matches(rings, truth.Rings)
	rep.Rings.Reported, rep.Rings.Planted = len(rings), len(truth.Rings)
	for i, h := range hit {
		if h {
			rep.Rings.Matched++
		}
		kind := rings[i].Kind
		e := rep.PerKind[kind]
		e.Reported++
		if h {
			e.Matched++
		}
		rep.PerKind[kind] = e
	}
	for i, h := range found {
		if h {
			rep.Rings.Found++
		} else {
			rep.Missed = append(rep.Missed, truth.Rings[i].ID)
		}
		kind := truth.Rings[i].Kind
		e := rep.PerKind[kind]
		e.Planted++
		if h {
			e.Found++
		}
		rep.PerKind[kind] = e
	}
	rep.Rings.Precision = ratio(rep.Rings.Matched, rep.Rings.Reported)
	rep.Rings.Recall = ratio(rep.Rings.Found, rep.Rings.Planted)
	for kind, e := range rep.PerKind {
		e.Precision, e.Recall = ratio(e.Matched, e.Reported), ratio(e.Found, e.Planted)
		rep.PerKind[kind] = e
	}
	top := 0
	for i := 0; i < min(k, len(hit)); i++ {
		if hit[i] {
			top++
		}
	}
	rep.PrecisionAtK = ratio(top, min(k, len(hit)))
	look, _ := matches(rings, truth.Lookalikes)
	for i, h := range look {
		if h {
			rep.LookalikesReported++
			if i < 20 {
				rep.LookalikesTop20++
			}
		}
	}

	fraud := map[graph.Ref]bool{}
	for _, r := range truth.Fraudulent {
		fraud[r] = true
	}
	group := func(t graph.EntityType) string {
		switch t {
		case graph.TypeInstitution, graph.TypePharmacy:
			return "provider"
		case graph.TypePatient:
			return "patient"
		case graph.TypeDoctor:
			return "doctor"
		}
		return ""
	}
	type scored struct {
		s   float64
		pos bool
	}
	byGroup := map[string][]scored{}
	listed := map[graph.Ref]bool{}
	for _, e := range f.Entities {
		g := group(e.Type)
		if g == "" {
			continue
		}
		ref := graph.Ref{Type: e.Type, ID: e.ID}
		if listed[ref] {
			continue
		}
		listed[ref] = true
		byGroup[g] = append(byGroup[g], scored{e.Score, fraud[ref]})
	}
	for r := range fraud {
		if g := group(r.Type); g != "" && !listed[r] {
			byGroup[g] = append(byGroup[g], scored{0, true})
		}
	}
	for _, g := range []string{"provider", "patient", "doctor"} {
		ss := byGroup[g]
		extraNeg := 0
		if g == "patient" && truth.Patients > 0 {
			extraNeg = max(truth.Patients-len(ss), 0)
		}
		scores := make([]float64, len(ss))
		labels := make([]bool, len(ss))
		for i, s := range ss {
			scores[i], labels[i] = s.s, s.pos
		}
		rep.AUC[g] = rocAUC(scores, labels, extraNeg)
	}
	return rep
}

// rocAUC returns the Mann–Whitney estimate of the ROC AUC (ties count one half), with extraNeg
// further negatives of score 0.
func rocAUC(scores []float64, labels []bool, extraNeg int) float64 {
	type pt struct {
		s        float64
		pos, neg float64
	}
	ps := make([]pt, 0, len(scores)+1)
	var nPos, nNeg float64
	for i := range scores {
		if labels[i] {
			ps = append(ps, pt{s: scores[i], pos: 1})
			nPos++
		} else {
			ps = append(ps, pt{s: scores[i], neg: 1})
			nNeg++
		}
	}
	if extraNeg > 0 {
		ps = append(ps, pt{s: 0, neg: float64(extraNeg)})
		nNeg += float64(extraNeg)
	}
	if nPos == 0 || nNeg == 0 {
		return math.NaN()
	}
	slices.SortFunc(ps, func(a, b pt) int { return cmp.Compare(a.s, b.s) })
	// Walk tie groups in ascending score: each positive beats the negatives below its group and
	// ties half of those in it.
	var sum, negBelow float64
	for i := 0; i < len(ps); {
		var pos, neg float64
		j := i
		for ; j < len(ps) && ps[j].s == ps[i].s; j++ {
			pos += ps[j].pos
			neg += ps[j].neg
		}
		sum += pos * (negBelow + neg/2)
		negBelow += neg
		i = j
	}
	return sum / (nPos * nNeg)
}
