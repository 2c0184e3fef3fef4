package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

func TestWritesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var out bytes.Buffer
	if err := run([]string{"--out", dir, "--patients", "1200", "--seed", "9", "--patterns", "two_doctor_sessions, household", "--scale-fraud", "2"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1200 patients") {
		t.Errorf("summary %q", out.String())
	}
	for _, f := range scenarios.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr graph.Truth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Seed != 9 || tr.Patients != 1200 || len(tr.Rings) == 0 || len(tr.Lookalikes) == 0 || len(tr.Leads) != 0 {
		t.Fatalf("truth: seed %d, %d patients, %d rings, %d leads, %d look-alikes", tr.Seed, tr.Patients, len(tr.Rings), len(tr.Leads), len(tr.Lookalikes))
	}
	for _, r := range append(tr.Rings, tr.Lookalikes...) {
		if r.Pattern != "two_doctor_sessions" && r.Pattern != "household" {
			t.Errorf("%s planted by %q", r.ID, r.Pattern)
		}
	}
	for _, f := range scenarios.RuleFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("rule tables are written by default: %v", err)
		}
	}
	// --no-items removes a stale items file of an earlier run, and the rule tables that describe
	// its lines.
	if err := run([]string{"--out", dir, "--patients", "1200", "--no-items"}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "claim_items.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("claim_items.csv after --no-items: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "rules")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("rules/ after --no-items: %v", err)
	}
	// Asked for explicitly, they are written without the items; --rules=false writes none.
	if err := run([]string{"--out", dir, "--patients", "1200", "--no-items", "--rules"}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, scenarios.RuleFiles[0])); err != nil {
		t.Errorf("--no-items --rules: %v", err)
	}
	if err := run([]string{"--out", dir, "--patients", "1200", "--rules=false"}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "rules")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("rules/ after --rules=false: %v", err)
	}
}

func TestList(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"--list"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, p := range scenarios.PatternNames() {
		if !strings.Contains(out.String(), p) {
			t.Errorf("--list lacks %s", p)
		}
	}
}

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		field string
	}{
		{[]string{"--patients", "1000"}, "out"},
		{[]string{"--out", "x", "--patients", "5"}, "patients"},
		{[]string{"--out", "x", "--from", "2025-13-01"}, "from"},
		{[]string{"--out", "x", "--patterns", "fixed_ring,bogus"}, "patterns"},
		{[]string{"--out", "x", "--scale-lookalike", "-2"}, "scale-lookalike"},
	} {
		err := run(tc.args, &bytes.Buffer{})
		var ge *graph.Error
		if !errors.As(err, &ge) || ge.Field != tc.field {
			t.Errorf("%v: error %v, want one naming %q", tc.args, err, tc.field)
		}
	}
	if err := run([]string{"--bogus-flag"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "bogus-flag") {
		t.Errorf("unknown flag: %v", err)
	}
}
