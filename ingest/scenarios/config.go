package scenarios

import (
	"slices"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Config says what world to generate.
type Config struct {
	Patients int    // insured persons in the register (≥ 200)
	Seed     uint64 // the same seed and config give byte-identical files
	// From is the first day of the claims range; Days its length. Zero values mean 2025-01-01
	// and 365.
	From time.Time
	Days int
	// ScaleFraud and ScaleLookalike multiply the number of planted fraud and look-alike
	// instances (1 = the documented rates per 10,000 patients; 0 = none).
	ScaleFraud     float64
	ScaleLookalike float64
	// Patterns restricts planting to the named patterns; empty plants every pattern.
	Patterns []string
	// NoItems skips claim_items.csv (the file is optional in the contract).
	NoItems bool
	// Rules writes the bureau's rule tables for the generator's catalogue (RuleFiles: the
	// rules/ directory, docs/billing-rules.md) beside the export.
	Rules bool
}

// DefaultConfig returns a config with the documented defaults for n patients and a seed (the
// rule tables written, like the items).
func DefaultConfig(n int, seed uint64) Config {
	return Config{Patients: n, Seed: seed, ScaleFraud: 1, ScaleLookalike: 1, Rules: true}
}

func (c *Config) normalise() error {
	if c.Patients < 200 {
		return graph.FieldErrorf("patients", "至少 200 名参保人 / --patients must be at least 200, got %d", c.Patients)
	}
	if c.Patients > 5_000_000 {
		return graph.FieldErrorf("patients", "--patients must be at most 5,000,000, got %d", c.Patients)
	}
	if c.ScaleFraud < 0 || c.ScaleFraud > 50 {
		return graph.FieldErrorf("scale-fraud", "--scale-fraud must be within 0..50, got %g", c.ScaleFraud)
	}
	if c.ScaleLookalike < 0 || c.ScaleLookalike > 50 {
		return graph.FieldErrorf("scale-lookalike", "--scale-lookalike must be within 0..50, got %g", c.ScaleLookalike)
	}
	if c.From.IsZero() {
		c.From = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	c.From = time.Date(c.From.Year(), c.From.Month(), c.From.Day(), 0, 0, 0, 0, time.UTC)
	if c.Days == 0 {
		c.Days = 365
	}
	if c.Days < 120 || c.Days > 3*366 {
		return graph.FieldErrorf("days", "the range must be 120..1098 days, got %d", c.Days)
	}
	for _, p := range c.Patterns {
		if !slices.ContainsFunc(patterns, func(q pattern) bool { return q.name == p }) {
			return graph.FieldErrorf("patterns", "unknown pattern %q (known: %s)", p, strings.Join(PatternNames(), ", "))
		}
	}
	return nil
}

func (c *Config) enabled(name string) bool {
	return len(c.Patterns) == 0 || slices.Contains(c.Patterns, name)
}

// PatternNames lists every pattern in planting order: the original patterns (fraud, then
// look-alikes), then the late stage's (split admissions, then their look-alikes), then the
// billing stage's (its look-alikes, then the billing-line violations).
func PatternNames() []string {
	out := make([]string, len(patterns))
	for i, p := range patterns {
		out[i] = p.name
	}
	return out
}

// IsFraudPattern reports whether the named pattern plants fraud (false: an honest look-alike or
// an unknown name).
func IsFraudPattern(name string) bool {
	for _, p := range patterns {
		if p.name == name {
			return p.fraud
		}
	}
	return false
}
