package jobs

import (
	"bytes"
	"encoding/json"
	"github.com/ringtrace/ringtrace/algorithms/evaluate"

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

// matchRings pairs the rings of a with the rings of b of the same kind with the one ring
// matcher (evaluate.PairUp: patient Jaccard ≥ 0.5, greedily by best similarity). Rings left
// over are listed per side.
func matchRings(a, b *Index) (matched []RingMatch, onlyA, onlyB []RingSummary) {
	matched, onlyA, onlyB = []RingMatch{}, []RingSummary{}, []RingSummary{}
	ma := make([][]graph.Ref, len(a.Findings.Rings))
	for i, r := range a.Findings.Rings {
		ma[i] = r.Members
	}
	mb := make([][]graph.Ref, len(b.Findings.Rings))
	for i, r := range b.Findings.Rings {
		mb[i] = r.Members
	}
	usedA, usedB := map[int]bool{}, map[int]bool{}
	for _, p := range evaluate.PairUp(ma, mb, func(i, j int) bool { return a.Findings.Rings[i].Kind == b.Findings.Rings[j].Kind }) {
		usedA[p.A], usedB[p.B] = true, true
		ra, rb := a.Findings.Rings[p.A], b.Findings.Rings[p.B]
		matched = append(matched, RingMatch{A: ra.ID, B: rb.ID, Jaccard: p.Jaccard, ScoreA: ra.Score, ScoreB: rb.Score})
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
