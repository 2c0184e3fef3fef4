package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ringtrace/ringtrace/algorithms"
	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/graph"
)

// Algorithms is the detection engine of algorithms/ as a Detection. Parameters are decoded by
// algorithms.DecodeParams, the one strict decoder: a job body and the job runner refuse a
// misspelt key exactly as `ringtrace detect --params` does, naming it as "params.<key>".
func Algorithms() Detection { return AlgorithmsWithRules(nil) }

// AlgorithmsWithRules is Algorithms with the billing-line audit's leads added to every job's
// findings when rules is not nil (`ringtrace serve --rules DIR`), as `ringtrace detect --rules`
// adds them.
func AlgorithmsWithRules(rules *billing.RuleSet) Detection {
	return Detection{
		Detect: func(ctx context.Context, src graph.Scanner, raw json.RawMessage, progress func(string, float64)) (graph.Findings, error) {
			p, err := algorithms.DecodeParams(raw, algorithms.DefaultParams())
			if err != nil {
				return graph.Findings{}, fmt.Errorf("job params: %w", err)
			}
			f, err := algorithms.Detect(ctx, src, p, progress)
			if err != nil || rules == nil {
				return f, err
			}
			return f, algorithms.AddBillingLeads(ctx, src, *rules, &f)
		},
		Defaults: func() json.RawMessage {
			b, err := json.Marshal(algorithms.DefaultParams())
			if err != nil {
				panic(err) // a plain struct always marshals
			}
			return b
		},
		Normalize: func(user json.RawMessage) (json.RawMessage, error) {
			p, err := algorithms.DecodeParams(user, algorithms.DefaultParams())
			if err != nil {
				return nil, err
			}
			return json.Marshal(p)
		},
	}
}
