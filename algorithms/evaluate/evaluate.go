package evaluate

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// MatchJaccard is the patient-member Jaccard similarity at which a reported group counts as
// finding a planted one.
const MatchJaccard = 0.5

// Counts are matches for one slice of the results.
type Counts struct {
	Reported  int     `json:"reported"`  // reported findings in the slice
	Matched   int     `json:"matched"`   // reported findings that match a planted one
	Planted   int     `json:"planted"`   // planted findings in the slice
	Found     int     `json:"found"`     // planted findings matched by at least one reported one
	Precision float64 `json:"precision"` // Matched / Reported (NaN when nothing was reported)
	Recall    float64 `json:"recall"`    // Found / Planted (NaN when nothing was planted)
}

func (c *Counts) finish() {
	c.Precision, c.Recall = ratio(c.Matched, c.Reported), ratio(c.Found, c.Planted)
}

// Report is the outcome of comparing findings with labelled truth.
type Report struct {
	K            int     `json:"k"`
	Rings        Counts  `json:"rings"`          // reported rings against planted rings
	Leads        Counts  `json:"leads"`          // reported leads against planted leads
	PrecisionAtK float64 `json:"precision_at_k"` // share of the top K reported rings that match a planted ring
	// PerKind holds ring counts per kind (planted kinds by Found/Planted, reported kinds by
	// Matched/Reported); LeadPerKind likewise for leads.
	PerKind     map[string]Counts `json:"per_kind"`
	LeadPerKind map[string]Counts `json:"lead_per_kind"`
	// PerPattern holds recall per scenario pattern of planted rings and leads (truth items
	// carrying a pattern), and per look-alike pattern the reported rings matching it.
	PerPattern map[string]Counts `json:"per_pattern,omitempty"`
	// WorstPattern is the planted pattern with the lowest recall (ties: the larger pattern).
	WorstPattern string `json:"worst_pattern,omitempty"`
	// LeadsAsRings counts reported rings that match a planted lead and no planted ring.
	LeadsAsRings int `json:"leads_as_rings"`
	// LookalikesTop20 counts reported rings among the top 20 that match an honest look-alike;
	// LookalikesReported counts all of them.
	LookalikesTop20    int `json:"lookalikes_top20"`
	LookalikesReported int `json:"lookalikes_reported"`
	// AUC is the entity-level ROC AUC per party type ("provider" = institutions and pharmacies,
	// "patient", "doctor"); NaN when a type has no positives or no negatives.
	AUC map[string]float64 `json:"auc"`
	// Missed lists the ids of planted rings and leads nothing matched.
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

// Match reports, for member lists a and b, which of a match some item of b and which of b are
// matched by some item of a (patient Jaccard ≥ MatchJaccard). It is the one ring matcher of
// RingTrace: evaluation against truth and the comparison of two runs both use it.
func Match(a, b [][]graph.Ref) (aHit, bHit []bool) {
	bs := make([]map[string]bool, len(b))
	index := map[string][]int{}
	for i, m := range b {
		bs[i] = patientSet(m)
		for k := range bs[i] {
			index[k] = append(index[k], i)
		}
	}
	aHit, bHit = make([]bool, len(a)), make([]bool, len(b))
	for ai, m := range a {
		as := patientSet(m)
		seen := map[int]bool{}
		for k := range as {
			for _, bi := range index[k] {
				if seen[bi] {
					continue
				}
				seen[bi] = true
				if jaccard(as, bs[bi]) >= MatchJaccard {
					aHit[ai], bHit[bi] = true, true
				}
			}
		}
	}
	return aHit, bHit
}

// BestMatch returns, for each item of a, the index of the item of b with the highest patient
// Jaccard similarity at or above MatchJaccard, or −1.
func BestMatch(a, b [][]graph.Ref) []int {
	bs := make([]map[string]bool, len(b))
	index := map[string][]int{}
	for i, m := range b {
		bs[i] = patientSet(m)
		for k := range bs[i] {
			index[k] = append(index[k], i)
		}
	}
	out := make([]int, len(a))
	for ai, m := range a {
		out[ai] = -1
		as := patientSet(m)
		best := 0.0
		seen := map[int]bool{}
		for k := range as {
			for _, bi := range index[k] {
				if seen[bi] {
					continue
				}
				seen[bi] = true
				if j := jaccard(as, bs[bi]); j >= MatchJaccard && (j > best || (j == best && bi < out[ai])) {
					best, out[ai] = j, bi
				}
			}
		}
	}
	return out
}

func members[T any](xs []T, f func(T) []graph.Ref) [][]graph.Ref {
	out := make([][]graph.Ref, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func ringMembers(r graph.Ring) []graph.Ref       { return r.Members }
func truthMembers(r graph.TruthRing) []graph.Ref { return r.Members }

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// Evaluate compares findings with truth (both normalised to version 2 first).
func Evaluate(truth graph.Truth, f graph.Findings, k int) Report {
	f.Normalize()
	truth.Normalize()
	rep := Report{K: k, PerKind: map[string]Counts{}, LeadPerKind: map[string]Counts{}, PerPattern: map[string]Counts{}, AUC: map[string]float64{}}
	score := func(reported []graph.Ring, planted []graph.TruthRing, tot *Counts, per map[string]Counts) []bool {
		hit, found := Match(members(reported, ringMembers), members(planted, truthMembers))
		tot.Reported, tot.Planted = len(reported), len(planted)
		for i, h := range hit {
			e := per[reported[i].Kind]
			e.Reported++
			if h {
				tot.Matched++
				e.Matched++
			}
			per[reported[i].Kind] = e
		}
		for i, h := range found {
			t := planted[i]
			e := per[t.Kind]
			e.Planted++
			pe := rep.PerPattern[t.Pattern]
			pe.Planted++
			if h {
				tot.Found++
				e.Found++
				pe.Found++
			} else {
				rep.Missed = append(rep.Missed, t.ID)
			}
			per[t.Kind] = e
			if t.Pattern != "" {
				rep.PerPattern[t.Pattern] = pe
			}
		}
		tot.finish()
		for kd, e := range per {
			e.finish()
			per[kd] = e
		}
		return hit
	}
	hit := score(f.Rings, truth.Rings, &rep.Rings, rep.PerKind)
	score(f.Leads, truth.Leads, &rep.Leads, rep.LeadPerKind)
	top := 0
	for i := 0; i < min(k, len(hit)); i++ {
		if hit[i] {
			top++
		}
	}
	rep.PrecisionAtK = ratio(top, min(k, len(hit)))
	asLead, _ := Match(members(f.Rings, ringMembers), members(truth.Leads, truthMembers))
	for i := range f.Rings {
		if asLead[i] && !hit[i] {
			rep.LeadsAsRings++
		}
	}
	look := BestMatch(members(f.Rings, ringMembers), members(truth.Lookalikes, truthMembers))
	for i, li := range look {
		if li < 0 || hit[i] {
			continue
		}
		rep.LookalikesReported++
		if i < 20 {
			rep.LookalikesTop20++
		}
		if p := truth.Lookalikes[li].Pattern; p != "" {
			e := rep.PerPattern[p]
			e.Reported++
			e.Matched++
			rep.PerPattern[p] = e
		}
	}
	worst, worstRecall := "", 2.0
	for p, e := range rep.PerPattern {
		if e.Planted == 0 {
			continue
		}
		e.finish()
		rep.PerPattern[p] = e
		if e.Recall < worstRecall || (e.Recall == worstRecall && p < worst) {
			worst, worstRecall = p, e.Recall
		}
	}
	for p, e := range rep.PerPattern {
		if e.Planted == 0 {
			e.finish()
			rep.PerPattern[p] = e
		}
	}
	rep.WorstPattern = worst
	if len(rep.PerPattern) == 0 {
		rep.PerPattern = nil
	}
	rep.AUC = entityAUC(truth, f)
	return rep
}

// entityAUC computes the ROC AUC of entity scores per party type. Parties missing from the
// findings score 0; truth.Patients, when set, counts the unlisted honest patients.
func entityAUC(truth graph.Truth, f graph.Findings) map[string]float64 {
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
	out := map[string]float64{}
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
		out[g] = RocAUC(scores, labels, extraNeg)
	}
	return out
}

// RocAUC returns the Mann–Whitney estimate of the ROC AUC (ties count one half), with extraNeg
// further negatives of score 0.
func RocAUC(scores []float64, labels []bool, extraNeg int) float64 {
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

// Pair is one matched pair of items of two member lists.
type Pair struct {
	A, B    int
	Jaccard float64
}

// PairUp matches the items of a one-to-one with the items of b, greedily by the highest patient
// Jaccard similarity at or above MatchJaccard (ties by index), among the pairs allowed by ok
// (nil allows every pair). Comparing the findings of two runs uses it.
func PairUp(a, b [][]graph.Ref, ok func(i, j int) bool) []Pair {
	bs := make([]map[string]bool, len(b))
	index := map[string][]int{}
	for i, m := range b {
		bs[i] = patientSet(m)
		for k := range bs[i] {
			index[k] = append(index[k], i)
		}
	}
	var cands []Pair
	for i, m := range a {
		as := patientSet(m)
		seen := map[int]bool{}
		for k := range as {
			for _, j := range index[k] {
				if seen[j] || (ok != nil && !ok(i, j)) {
					continue
				}
				seen[j] = true
				if jac := jaccard(as, bs[j]); jac >= MatchJaccard {
					cands = append(cands, Pair{i, j, jac})
				}
			}
		}
	}
	slices.SortFunc(cands, func(x, y Pair) int {
		if c := cmp.Compare(y.Jaccard, x.Jaccard); c != 0 {
			return c
		}
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	usedA, usedB := map[int]bool{}, map[int]bool{}
	var out []Pair
	for _, c := range cands {
		if usedA[c.A] || usedB[c.B] {
			continue
		}
		usedA[c.A], usedB[c.B] = true, true
		out = append(out, c)
	}
	return out
}
