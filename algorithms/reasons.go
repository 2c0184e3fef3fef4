package algorithms

import (
	"fmt"
	"math"

	"github.com/ringtrace/ringtrace/graph"
)

// reason builds a graph.Reason. zh and en are format strings over the same args, so the two
// texts always cite the same numbers; vals carries those numbers for machines.
func reason(code string, weight float64, vals map[string]float64, zh, en string, args ...any) graph.Reason {
	return graph.Reason{
		Code:   code,
		Text:   fmt.Sprintf(zh, args...),
		TextEN: fmt.Sprintf(en, args...),
		Weight: round4(clamp01(weight)),
		Values: vals,
	}
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func yuan(fen int64) float64 { return math.Round(float64(fen)) / 100 }

// noisyOr combines independent pieces of evidence in [0,1]: 1 − Π(1 − wᵢ).
func noisyOr(ws ...float64) float64 {
	q := 1.0
	for _, w := range ws {
		q *= 1 - clamp01(w)
	}
	return 1 - q
}
