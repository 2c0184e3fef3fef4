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
	// A card's large claim at a provider whose billing lines break the tables for that card is
	// the billing lead's case (an inflated quantity or price makes the claim large): one finding,
	// the one that names the rule and the money at stake, not two.
	billed := map[[2]graph.Ref]bool{}
	for _, l := range res.Leads {
		for _, pv := range l.Members {
			if pv.Type != graph.TypeInstitution && pv.Type != graph.TypePharmacy {
				continue
			}
			for _, pt := range l.Members {
				if pt.Type == graph.TypePatient {
					billed[[2]graph.Ref{pt, pv}] = true
				}
			}
		}
	}
	kept, dropped := f.Leads[:0], 0
	for _, l := range f.Leads {
		if pt, pv, ok := largeClaimLead(l); ok && billed[[2]graph.Ref{pt, pv}] {
			dropped++
			continue
		}
		kept = append(kept, l)
	}
	f.Leads = kept
	for _, l := range res.Leads {
		refs := append([]graph.Ref{{Type: "rule", ID: l.Reasons[0].Code}}, l.Members...)
		l.ID = finding.ID(billing.Kind, refs)
		f.Leads = append(f.Leads, l)
	}
	graph.SortFindings(f.Leads)
	slog.Info("detect: billing audit", "rules_version", res.RulesVersion, "lines", res.Lines, "hits", len(res.Hits), "leads", len(res.Leads), "large_claim_leads_folded", dropped)
	return nil
}

// largeClaimLead returns the card and provider of a single-claim large-claim screening lead.
func largeClaimLead(l graph.Ring) (pt, pv graph.Ref, ok bool) {
	if l.Kind != graph.KindScreeningRule || len(l.Reasons) == 0 {
		return pt, pv, false
	}
	switch l.Reasons[0].Code {
	case "large_claim_above_peers", "large_claim_per_bed_day":
	default:
		return pt, pv, false
	}
	for _, m := range l.Members {
		switch m.Type {
		case graph.TypePatient:
			pt = m
		case graph.TypeInstitution, graph.TypePharmacy:
			pv = m
		}
	}
	return pt, pv, pt.ID != "" && pv.ID != ""
}
