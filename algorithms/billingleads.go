package algorithms

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// AddBillingLeads runs the billing-line audit (algorithms/billing, docs/billing-rules.md) over
// src with the rule tables rs and adds its leads to f: one lead per provider and rule with the
// money at stake, ranked among the detectors' leads by expected amount. A lead's id is stable
// across runs (its kind, provider, patients and rule hashed, as the detectors' ids are).
func AddBillingLeads(ctx context.Context, src graph.Scanner, rs billing.RuleSet, f *graph.Findings) error {
	res, err := billing.Audit(ctx, src, rs)
	if err != nil {
		return fmt.Errorf("detect: billing audit: %w", err)
	}
	for _, l := range res.Leads {
		refs := append([]graph.Ref{{Type: "rule", ID: l.Reasons[0].Code}}, l.Members...)
		l.ID = finding.ID(billing.Kind, refs)
		f.Leads = append(f.Leads, l)
	}
	graph.SortFindings(f.Leads)
	slog.Info("detect: billing audit", "rules_version", res.RulesVersion, "lines", res.Lines, "hits", len(res.Hits), "leads", len(res.Leads))
	return nil
}
