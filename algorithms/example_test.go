package algorithms_test

import (
	"fmt"

	"github.com/ringtrace/ringtrace/algorithms"
	"github.com/ringtrace/ringtrace/algorithms/evaluate"
	"github.com/ringtrace/ringtrace/graph"
)

// Evaluate matches reported rings to planted ones on their patient members (Jaccard ≥ 0.5).
func ExampleEvaluate() {
	p := func(ids ...string) []graph.Ref {
		var r []graph.Ref
		for _, id := range ids {
			r = append(r, graph.Ref{Type: graph.TypePatient, ID: id})
		}
		return r
	}
	truth := graph.Truth{Rings: []graph.TruthRing{{ID: "t1", Kind: graph.KindCollusionRing, Members: p("a", "b", "c", "d")}}}
	findings := graph.Findings{Rings: []graph.Ring{
		{ID: "CR-1", Kind: graph.KindCollusionRing, Score: 0.8, Members: p("a", "b", "c")},
		{ID: "CR-2", Kind: graph.KindCollusionRing, Score: 0.6, Members: p("x", "y", "z")},
	}}
	rep := evaluate.Evaluate(truth, findings, 1)
	fmt.Printf("precision %.2f recall %.2f precision@1 %.2f\n", rep.Rings.Precision, rep.Rings.Recall, rep.PrecisionAtK)
	// Output: precision 0.50 recall 1.00 precision@1 1.00
}

// DefaultParams are the documented thresholds; Validate names the bad field.
func ExampleParams_Validate() {
	p := algorithms.DefaultParams()
	p.CoVisit.MinSessions = 1
	err := p.Validate()
	fmt.Println(graph.ErrorCode(err), graph.ErrorField(err))
	// Output: invalid min_covisit_days
}
