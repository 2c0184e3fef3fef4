package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

// runCLI runs the binary's entry point in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	code := run(context.Background(), args, env)
	return code, out.String(), errb.String()
}

func readFindings(t *testing.T, path string) graph.Findings {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f graph.Findings
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

// TestMainJob runs the main job the way `make demo` does — generate, ingest, detect, eval — and
// checks the contracts other tools rely on: exit codes, idempotent re-ingest, the findings JSON, and
// that detection from the CSV directory and from the store agree.
func TestMainJob(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end CLI run")
	}
	dir := t.TempDir()
	data, db := filepath.Join(dir, "csv"), filepath.Join(dir, "graph")

	if code, _, stderr := runCLI(t, "generate", "--out", data, "--patients", "3000", "--seed", "4242"); code != 0 {
		t.Fatalf("generate exit %d: %s", code, stderr)
	}
	code, out1, stderr := runCLI(t, "ingest", "--data", data, "--db", db)
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, stderr)
	}
	if !strings.Contains(out1+stderr, "claims.csv") {
		t.Errorf("ingest summary does not list claims.csv:\n%s%s", out1, stderr)
	}
	if code, _, stderr := runCLI(t, "ingest", "--data", data, "--db", db); code != 0 {
		t.Fatalf("second ingest exit %d: %s", code, stderr)
	}

	fromStore, fromCSV := filepath.Join(dir, "store.json"), filepath.Join(dir, "csv.json")
	if code, _, stderr := runCLI(t, "detect", "--db", db, "--out", fromStore, "--seed", "7"); code != 0 {
		t.Fatalf("detect --db exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "detect", "--data", data, "--out", fromCSV, "--seed", "7"); code != 0 {
		t.Fatalf("detect --data exit %d: %s", code, stderr)
	}
	a, b := readFindings(t, fromStore), readFindings(t, fromCSV)
	if len(a.Rings) == 0 {
		t.Fatal("no rings found in data with planted fraud")
	}
	for i := 1; i < len(a.Rings); i++ {
		if a.Rings[i].ExpectedAmount > a.Rings[i-1].ExpectedAmount {
			t.Fatalf("rings not sorted by expected amount: %v after %v", a.Rings[i].ExpectedAmount, a.Rings[i-1].ExpectedAmount)
		}
	}
	for _, r := range a.Rings {
		if r.ID == "" || r.Kind == "" || r.Score < 0 || r.Score > 1 || len(r.Members) == 0 || len(r.Reasons) == 0 {
			t.Fatalf("ring breaks the findings contract: %+v", r)
		}
	}
	ra, _ := json.Marshal(a.Rings)
	rb, _ := json.Marshal(b.Rings)
	if !bytes.Equal(ra, rb) {
		t.Error("detect from the store and from the CSV directory disagree on the rings")
	}

	// The province run from the store: one run per region and the stitching run, recorded in
	// the findings; --region and --by-region together are a usage error.
	byRegion := filepath.Join(dir, "regions.json")
	if code, _, stderr := runCLI(t, "detect", "--db", db, "--out", byRegion, "--by-region", "--region-workers", "2"); code != 0 {
		t.Fatalf("detect --by-region exit %d: %s", code, stderr)
	}
	if p := readFindings(t, byRegion).Partition; p == nil || len(p.Runs) < 2 {
		t.Errorf("detect --by-region: partition %+v, want a run per region", p)
	} else if code, _, stderr := runCLI(t, "detect", "--db", db, "--out", byRegion, "--region", p.Runs[0].Region); code != 0 {
		t.Errorf("detect --region %s exit %d: %s", p.Runs[0].Region, code, stderr)
	}
	if code, _, stderr := runCLI(t, "detect", "--db", db, "--out", byRegion, "--region", "530100", "--by-region"); code != 2 || !strings.Contains(stderr, "region") {
		t.Errorf("--region with --by-region: exit %d, %s; want 2 naming the flag", code, stderr)
	}

	code, out, stderr := runCLI(t, "eval", "--truth", filepath.Join(data, "truth.json"), "--findings", fromStore)
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	for _, want := range []string{"precision", "recall", "AUC"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
}

func TestCLIErrors(t *testing.T) {
	if code, _, _ := runCLI(t, "no-such-command"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
	empty := t.TempDir()
	code, out, stderr := runCLI(t, "ingest", "--data", empty, "--db", filepath.Join(t.TempDir(), "g"))
	if code == 0 {
		t.Error("ingest of an empty directory succeeded")
	}
	if !strings.Contains(out+stderr, "patients.csv") {
		t.Errorf("ingest of an empty directory does not name the missing file:\n%s%s", out, stderr)
	}
	if code, _, _ := runCLI(t, "detect", "--store", "cassandra", "--out", filepath.Join(t.TempDir(), "f.json")); code == 0 {
		t.Error("detect with an unknown store succeeded")
	}
}

// TestDetectParams: the --params file, flags, RINGTRACE_* variables and the config file all
// reach algorithms.DecodeParams, so a misspelt key or a bad value is refused naming it, wherever
// it was given.
func TestDetectParams(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out := filepath.Join(dir, "f.json")
	missing := filepath.Join(dir, "no-such-csv")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"misspelt key in the params file", nil, []string{"--params", write("typo.json", `{"window_minute": 600}`)}, "params.window_minute"},
		{"wrong type in the params file", nil, []string{"--params", write("type.json", `{"seed": "seven"}`)}, "params.seed"},
		{"invalid value as a flag", nil, []string{"--min-covisit-days", "0"}, "min_covisit_days"},
		{"non-number in the environment", map[string]string{"RINGTRACE_MIN_COVISIT_DAYS": "many"}, nil, "min-covisit-days"},
		{"invalid value in the config file", nil, []string{"--config", write("c.yaml", "min-ring-score: 7\n")}, "min_ring_score"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, stderr := runCLI(t, append([]string{"detect", "--data", missing, "--out", out}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want 2 naming %q: %s", code, tc.want, stderr)
			}
		})
	}
	// A valid flag over a valid file is accepted; the run then fails on the missing directory.
	code, _, stderr := runCLI(t, "detect", "--data", missing, "--out", out, "--params", write("ok.json", `{"window_minutes": 600}`), "--seed", "3")
	if code == 2 || !strings.Contains(stderr, "no-such-csv") {
		t.Fatalf("valid parameters: exit %d: %s", code, stderr)
	}
}

func TestEvalLabels(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	labels := write("labels.csv", "provider_id,potential_fraud\nP1,Yes\nP2,No\nP3,No\n")
	findings := write("findings.json", `{"version":"2","rings":[],"leads":[],"entities":[
		{"type":"institution","id":"P1","score":0.9,"reasons":[]},
		{"type":"institution","id":"P2","score":0.1,"reasons":[]},
		{"type":"institution","id":"P3","score":0.95,"reasons":[]}]}`)
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "claims.csv"), []byte("claim_id,patient_id,provider_id,fund_amount\nc1,a,P1,10\nc2,b,P1,10\nc3,c,P1,10\nc4,d,P2,5\nc5,e,P3,50\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "eval", "--labels", labels, "--findings", findings, "--data", data, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Labelled, Positives int
		AUC                 float64
		Baselines           map[string]float64
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// P1 (fraud, 0.9) beats P2 (0.1), loses to P3 (0.95): AUC 0.5. Claims: P1 has 3, beats both: 1.
	// Fund: P1 30 beats P2 5, loses to P3 50: 0.5.
	if rep.Labelled != 3 || rep.Positives != 1 || rep.AUC != 0.5 || rep.Baselines["claims"] != 1 || rep.Baselines["fund_amount"] != 0.5 {
		t.Errorf("report %+v", rep)
	}
	if code, _, errOut := runCLI(t, "eval", "--findings", findings); code != 2 || !strings.Contains(errOut, "--labels") {
		t.Errorf("without --truth and --labels: exit %d, %q; want 2 naming the flags", code, errOut)
	}
}
