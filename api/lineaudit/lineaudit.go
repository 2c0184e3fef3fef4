package lineaudit

import (
	"context"

	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/graph"
)

// Auditor runs the billing-line audit with one loaded rule set.
type Auditor struct {
	rules billing.RuleSet
}

// Load reads the rule tables of dir (catalogue.csv, pairs.csv).
func Load(dir string) (*Auditor, error) {
	rs, err := billing.Load(dir)
	if err != nil {
		return nil, err
	}
	return &Auditor{rules: rs}, nil
}

// ErrNoRules answers when the server was started without rule tables.
var ErrNoRules = bilingual.New(graph.EUNAVAILABLE, "服务器未配置费用明细审核规则表（--rules）", "no billing rule tables are configured (--rules)")

// Version is the rule tables' version, or "" on a nil Auditor.
func (a *Auditor) Version() string {
	if a == nil {
		return ""
	}
	return a.rules.Version
}

// Rules returns the loaded rule set, or nil on a nil Auditor.
func (a *Auditor) Rules() *billing.RuleSet {
	if a == nil {
		return nil
	}
	return &a.rules
}

// Run audits every billing line of src. A nil Auditor answers ErrNoRules.
func (a *Auditor) Run(ctx context.Context, src billing.Source) (billing.Result, error) {
	if a == nil {
		return billing.Result{}, ErrNoRules
	}
	return billing.Audit(ctx, src, a.rules)
}
