package jobs

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/ringtrace/ringtrace/graph"
)

// Comparison compares two runs: the parameters that differ and the rings of A matched to the
// rings of B (matchRings).
type Comparison struct {
	A          string                     `json:"a"`
	B          string                     `json:"b"`
	ParamsDiff map[string]ParamDifference `json:"params_diff"`
	Matched    []RingMatch                `json:"matched"`
	OnlyA      []RingSummary              `json:"only_a"`
	OnlyB      []RingSummary              `json:"only_b"`
}

// ParamDifference is one parameter that differs between two runs.
type ParamDifference struct {
	A any `json:"a"`
	B any `json:"b"`
}

// RingMatch is a pair of matching rings.
type RingMatch struct {
	A       string  `json:"a"`
	B       string  `json:"b"`
	Jaccard float64 `json:"jaccard"`
	ScoreA  float64 `json:"score_a"`
	ScoreB  float64 `json:"score_b"`
}

// Compare compares the findings of two runs made with parameters pa and pb.
func Compare(a, b *Index, pa, pb json.RawMessage) Comparison {
	out := Comparison{A: a.JobID, B: b.JobID, ParamsDiff: paramsDiff(pa, pb)}
	out.Matched, out.OnlyA, out.OnlyB = matchRings(a, b)
	return out
}

// paramsDiff lists the keys whose values differ between two parameter objects.
func paramsDiff(pa, pb json.RawMessage) map[string]ParamDifference {
	out := map[string]ParamDifference{}
	var ma, mb map[string]any
	_ = json.Unmarshal(pa, &ma)
	_ = json.Unmarshal(pb, &mb)
	for k, va := range ma {
		vb, ok := mb[k]
		if !ok || !jsonEqual(va, vb) {
			out[k] = ParamDifference{A: va, B: vb}
		}
	}
	for k, vb := range mb {
		if _, ok := ma[k]; !ok {
			out[k] = ParamDifference{A: nil, B: vb}
		}
	}
	return out
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// ring matching: to be replaced by algorithms' matcher
//
// matchRings pairs the rings of a with the rings of b: a ring of A matches a ring of B of the
// same kind when their members have Jaccard similarity ≥ 0.5 (the rule docs/truth.md uses for
// planted rings), greedily by best similarity. Rings left over are listed per side.
func matchRings(a, b *Index) (matched []RingMatch, onlyA, onlyB []RingSummary) {
	matched, onlyA, onlyB = []RingMatch{}, []RingSummary{}, []RingSummary{}
	type cand struct {
		i, j int
		jac  float64
	}
	var cands []cand
	// Only rings sharing a member can match; the member index keeps this near-linear.
	for i, r := range a.Findings.Rings {
		seen := map[int]bool{}
		for _, m := range r.Members {
			for _, jx := range b.ringsOf[m] {
				if seen[jx] || b.Findings.Rings[jx].Kind != r.Kind {
					continue
				}
				seen[jx] = true
				if jac := jaccard(r.Members, b.Findings.Rings[jx].Members); jac >= 0.5 {
					cands = append(cands, cand{i, jx, jac})
				}
			}
		}
	}
	sort.Slice(cands, func(x, y int) bool {
		if cands[x].jac != cands[y].jac {
			return cands[x].jac > cands[y].jac
		}
		if cands[x].i != cands[y].i {
			return cands[x].i < cands[y].i
		}
		return cands[x].j < cands[y].j
	})
	usedA, usedB := map[int]bool{}, map[int]bool{}
	for _, c := range cands {
		if usedA[c.i] || usedB[c.j] {
			continue
		}
		usedA[c.i], usedB[c.j] = true, true
		ra, rb := a.Findings.Rings[c.i], b.Findings.Rings[c.j]
		matched = append(matched, RingMatch{A: ra.ID, B: rb.ID, Jaccard: c.jac, ScoreA: ra.Score, ScoreB: rb.Score})
	}
	for i, r := range a.Findings.Rings {
		if !usedA[i] {
			onlyA = append(onlyA, summary(r))
		}
	}
	for i, r := range b.Findings.Rings {
		if !usedB[i] {
			onlyB = append(onlyB, summary(r))
		}
	}
	return matched, onlyA, onlyB
}

func jaccard(a, b []graph.Ref) float64 {
	set := make(map[graph.Ref]bool, len(a))
	for _, r := range a {
		set[r] = true
	}
	inter, union := 0, len(set)
	seen := map[graph.Ref]bool{}
	for _, r := range b {
		if seen[r] {
			continue
		}
		seen[r] = true
		if set[r] {
			inter++
		} else {
			union++
		}
	}
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
