package scenarios_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
	"github.com/ringtrace/ringtrace/ingest"
	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

// write generates cfg into a fresh directory and returns it.
func write(t *testing.T, cfg scenarios.Config) (string, *scenarios.Scenario) {
	t.Helper()
	s, err := scenarios.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	return dir, s
}

func readTruth(t *testing.T, dir string) graph.Truth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr graph.Truth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestIngestsWithoutRejects loads a generated directory with the project's loader into the
// embedded store: every row must load, and every party truth.json names must exist in the store.
func TestIngestsWithoutRejects(t *testing.T) {
	ctx := context.Background()
	dir, s := write(t, scenarios.DefaultConfig(3000, 7))
	store, err := embedded.Open(filepath.Join(t.TempDir(), "graph"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var rejects []ingest.Reject
	sum, err := ingest.Load(ctx, dir, store, ingest.Options{OnReject: func(r ingest.Reject) { rejects = append(rejects, r) }})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rejects {
		if i < 10 {
			t.Errorf("reject %s line %d %s %s: %s", r.File, r.Line, r.Column, r.Reason, r.Detail)
		}
	}
	if sum.Rejected() != 0 {
		t.Fatalf("%d rows rejected", sum.Rejected())
	}
	cs, ok := sum.File("claims.csv")
	if !ok || cs.Loaded != int64(s.Claims()) {
		t.Fatalf("claims loaded %d, generated %d", cs.Loaded, s.Claims())
	}
	if items, ok := sum.File("claim_items.csv"); !ok || items.Loaded < cs.Loaded {
		t.Fatalf("claim_items.csv: %+v, want at least one item per claim (%d)", items, cs.Loaded)
	}
	for _, f := range sum.Files {
		if f.Duplicates != 0 || len(f.IgnoredColumns) != 0 {
			t.Errorf("%s: %d duplicates, ignored columns %v", f.File, f.Duplicates, f.IgnoredColumns)
		}
	}

	tr := readTruth(t, dir)
	if tr.Generator != "rtscenarios 1" || tr.Seed != 7 || tr.Patients != 3000 {
		t.Fatalf("truth header %q %d %d", tr.Generator, tr.Seed, tr.Patients)
	}
	var refs []graph.Ref
	for _, groups := range [][]graph.TruthRing{tr.Rings, tr.Leads, tr.Lookalikes} {
		for _, r := range groups {
			refs = append(refs, r.Members...)
			refs = append(refs, r.Providers...)
		}
	}
	refs = append(refs, tr.Fraudulent...)
	found, err := store.Exists(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	for i, ok := range found {
		if !ok {
			t.Errorf("truth names %s %s, which is not in the files", refs[i].Type, refs[i].ID)
		}
	}
}

// TestTruthShape checks the truth's promises: every enabled pattern planted at least once, rings
// with two patients or more, leads with one (split admissions: two or more), fraud and look-alikes disjoint, every ring member
// patient listed as fraudulent, no patient in two planted groups.
func TestTruthShape(t *testing.T) {
	_, s := write(t, scenarios.DefaultConfig(3000, 11))
	tr := s.Truth()
	planted := map[string]int{}
	seen := map[string]string{}
	fraud := map[graph.Ref]bool{}
	for _, r := range tr.Fraudulent {
		fraud[r] = true
	}
	check := func(r graph.TruthRing, wantFraud bool) {
		planted[r.Pattern]++
		if scenarios.IsFraudPattern(r.Pattern) != wantFraud {
			t.Errorf("%s: pattern %q filed under the wrong list", r.ID, r.Pattern)
		}
		for _, m := range r.Members {
			if m.Type != graph.TypePatient {
				continue
			}
			if prev, ok := seen[m.ID]; ok {
				t.Errorf("patient %s is in %s and %s", m.ID, prev, r.ID)
			}
			seen[m.ID] = r.ID
			if fraud[m] != wantFraud {
				t.Errorf("%s: patient %s fraudulent=%v", r.ID, m.ID, fraud[m])
			}
		}
	}
	patients := func(r graph.TruthRing) int {
		n := 0
		for _, m := range r.Members {
			if m.Type == graph.TypePatient {
				n++
			}
		}
		return n
	}
	for _, r := range tr.Rings {
		if patients(r) < 2 {
			t.Errorf("ring %s has %d patient(s)", r.ID, patients(r))
		}
		check(r, true)
	}
	for _, r := range tr.Leads {
		// A lead is one card, or one provider's claim stream: a split_admission lead is the
		// hospital with the patients whose stays it split, a billing_rule lead the provider with
		// the patients whose claims carry the violating lines.
		if n := patients(r); n != 1 && ((r.Pattern != "split_admission" && r.Kind != graph.KindBillingRule) || n < 2) {
			t.Errorf("lead %s (%s) has %d patients", r.ID, r.Pattern, n)
		}
		check(r, true)
	}
	for _, r := range tr.Lookalikes {
		check(r, false)
	}
	for _, p := range scenarios.PatternNames() {
		if planted[p] == 0 {
			t.Errorf("pattern %s not planted", p)
		}
	}
	// Each ring names the provider it is tied to.
	for _, r := range tr.Rings {
		if len(r.Providers) == 0 {
			t.Errorf("ring %s (%s) names no provider", r.ID, r.Pattern)
		}
	}
}

// TestClaimsRespectDeaths: the only claims after a death date are the planted post-death claims.
func TestClaimsRespectDeaths(t *testing.T) {
	ctx := context.Background()
	dir, s := write(t, scenarios.DefaultConfig(4000, 3))
	d, err := ingest.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	deaths := map[string]graph.Patient{}
	if err := d.ScanPatients(ctx, func(p graph.Patient) error {
		if !p.DeathDate.IsZero() {
			deaths[p.ID] = p
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	planted := map[string]bool{}
	for _, r := range s.Truth().Leads {
		if r.Pattern == "deceased_card_claims" {
			planted[r.Members[0].ID] = true
		}
	}
	after := map[string]int{}
	if err := d.ScanClaims(ctx, func(c graph.Claim) error {
		if p, ok := deaths[c.PatientID]; ok && c.Start.After(p.DeathDate.AddDate(0, 0, 1)) {
			after[c.PatientID]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for id, n := range after {
		if !planted[id] {
			t.Errorf("patient %s has %d honest claim(s) after death", id, n)
		}
	}
	for id := range planted {
		if after[id] == 0 {
			t.Errorf("deceased card %s has no claim after death", id)
		}
	}
	if len(planted) == 0 {
		t.Fatal("no deceased card planted")
	}
}

// TestDeterministic: the same seed and config give byte-identical files; another seed does not.
func TestDeterministic(t *testing.T) {
	cfg := scenarios.DefaultConfig(1500, 42)
	a, _ := write(t, cfg)
	b, _ := write(t, cfg)
	cfg.Seed = 43
	c, _ := write(t, cfg)
	differs := false
	for _, f := range scenarios.Files {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
		z, err := os.ReadFile(filepath.Join(c, f))
		if err != nil {
			t.Fatal(err)
		}
		differs = differs || !bytes.Equal(x, z)
	}
	if !differs {
		t.Error("seed 43 wrote the same files as seed 42")
	}
}

// TestPatternSelection: --patterns plants only the named patterns; scale 0 plants none.
func TestPatternSelection(t *testing.T) {
	cfg := scenarios.DefaultConfig(2000, 5)
	cfg.Patterns = []string{"rotating_attendance", "dialysis_shift"}
	_, s := write(t, cfg)
	var got []string
	tr := s.Truth()
	for _, groups := range [][]graph.TruthRing{tr.Rings, tr.Leads, tr.Lookalikes} {
		for _, r := range groups {
			if !slices.Contains(got, r.Pattern) {
				got = append(got, r.Pattern)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"dialysis_shift", "rotating_attendance"}) {
		t.Fatalf("planted %v", got)
	}
	cfg = scenarios.DefaultConfig(2000, 5)
	cfg.ScaleFraud = 0
	_, s = write(t, cfg)
	if tr := s.Truth(); len(tr.Rings)+len(tr.Leads)+len(tr.Fraudulent) != 0 || len(tr.Lookalikes) == 0 {
		t.Fatalf("scale-fraud 0: %d rings, %d leads, %d fraudulent, %d look-alikes", len(tr.Rings), len(tr.Leads), len(tr.Fraudulent), len(tr.Lookalikes))
	}
}

// TestBadConfig: each bad setting is refused with an error naming its field.
func TestBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*scenarios.Config)
		field string
	}{
		{"too few patients", func(c *scenarios.Config) { c.Patients = 10 }, "patients"},
		{"negative fraud scale", func(c *scenarios.Config) { c.ScaleFraud = -1 }, "scale-fraud"},
		{"huge look-alike scale", func(c *scenarios.Config) { c.ScaleLookalike = 1000 }, "scale-lookalike"},
		{"short range", func(c *scenarios.Config) { c.Days = 30 }, "days"},
		{"unknown pattern", func(c *scenarios.Config) { c.Patterns = []string{"fixed_ring", "no_such_pattern"} }, "patterns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := scenarios.DefaultConfig(1000, 1)
			tc.edit(&cfg)
			_, err := scenarios.Generate(cfg)
			var ge *graph.Error
			if !errors.As(err, &ge) || ge.Field != tc.field {
				t.Fatalf("error %v, want one naming field %q", err, tc.field)
			}
		})
	}
}

// TestDocsListEveryPattern keeps docs/scenarios.md in step with the pattern table.
func TestDocsListEveryPattern(t *testing.T) {
	b, err := os.ReadFile("../../docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range scenarios.PatternNames() {
		if !bytes.Contains(b, []byte("| `"+p+"` |")) {
			t.Errorf("docs/scenarios.md has no table row for pattern %s", p)
		}
	}
}

// latePatterns and billingPatterns are the patterns added after results had been measured on
// fixed seeds (readmissions.go, then billing.go). They must only add to what a seed generated
// without them.
var (
	latePatterns    = []string{"split_admission", "chemotherapy_cycles", "early_readmission", "transfer_or_staged", "rehabilitation_after_acute"}
	billingPatterns = append(slices.Clone(billingFraud), billingLookalikes...)
)

// TestLateStageOnlyAdds: with a later stage's patterns enabled, every line of every file generated
// without them is still there, in the same order, and every truth entry is unchanged — so
// results measured on a seed before those patterns existed still describe the same claims. It
// is checked for the late stage over the first, for the billing stage over the first two, and
// for the billing stage over the first alone.
func TestLateStageOnlyAdds(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, added []string // patterns left out before; the patterns enabling adds
	}{
		{"late", slices.Concat(latePatterns, billingPatterns), latePatterns},
		{"billing", billingPatterns, billingPatterns},
		{"billing without late", slices.Concat(latePatterns, billingPatterns), billingPatterns},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := scenarios.DefaultConfig(4000, 4711)
			cfg.ScaleLookalike = 2
			var without, with []string
			for _, p := range scenarios.PatternNames() {
				if !slices.Contains(tc.before, p) {
					without = append(without, p)
					with = append(with, p)
				} else if slices.Contains(tc.added, p) {
					with = append(with, p)
				}
			}
			cfg.Patterns = without
			before, _ := write(t, cfg)
			cfg.Patterns = with
			after, _ := write(t, cfg)
			onlyAdds(t, before, after, tc.added)
		})
	}
}

func onlyAdds(t *testing.T, before, after string, added []string) {
	t.Helper()
	for _, f := range scenarios.Files {
		if f == "truth.json" {
			continue
		}
		x, err := os.ReadFile(filepath.Join(before, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(after, f))
		if err != nil {
			t.Fatal(err)
		}
		old, all := bytes.SplitAfter(x, []byte("\n")), bytes.SplitAfter(y, []byte("\n"))
		j := 0
		for _, l := range all {
			if j < len(old) && bytes.Equal(l, old[j]) {
				j++
			}
		}
		if j < len(old) {
			t.Errorf("%s: line %d of %d generated without the added patterns is missing or out of order: %q", f, j+1, len(old), old[j])
		} else if f == "claims.csv" && len(all) == len(old) {
			t.Errorf("%s: the added patterns added no claims", f)
		}
	}
	tb, ta := readTruth(t, before), readTruth(t, after)
	for _, l := range []struct {
		name       string
		old, added []graph.TruthRing
	}{{"rings", tb.Rings, ta.Rings}, {"leads", tb.Leads, ta.Leads}, {"lookalikes", tb.Lookalikes, ta.Lookalikes}} {
		if len(l.added) < len(l.old) {
			t.Errorf("truth %s: %d entries, %d without the added patterns", l.name, len(l.added), len(l.old))
			continue
		}
		for i := range l.old {
			x, _ := json.Marshal(l.old[i])
			y, _ := json.Marshal(l.added[i])
			if !bytes.Equal(x, y) {
				t.Errorf("truth %s[%d] changed:\n%s\n%s", l.name, i, x, y)
			}
		}
		for _, r := range l.added[len(l.old):] {
			if !slices.Contains(added, r.Pattern) {
				t.Errorf("truth %s: %s added by %s, not an added pattern", l.name, r.ID, r.Pattern)
			}
		}
	}
	fraud := map[graph.Ref]bool{}
	for _, r := range ta.Fraudulent {
		fraud[r] = true
	}
	for _, r := range tb.Fraudulent {
		if !fraud[r] {
			t.Errorf("%s %s is no longer fraudulent", r.Type, r.ID)
		}
	}
}
