package embedded_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

const (
	bulkPatients = 2000
	bulkClaims   = 120_000
	bulkSeed     = 17
)

// bulkLoad loads the synthetic graph into dir in bulk mode, printing "batch N" after every claim
// batch so that a parent process can kill it in the middle.
func bulkLoad(ctx context.Context, dir string, progress bool) error {
	s, err := embedded.OpenWith(dir, embedded.Options{BulkLoad: true})
	if err != nil {
		return err
	}
	g := newSynth(bulkPatients, bulkSeed)
	if err := g.loadParties(ctx, s, claimBatchSize); err != nil {
		return err
	}
	buf := make([]graph.Claim, 0, claimBatchSize)
	for i := 0; i < bulkClaims; i += claimBatchSize {
		buf = g.claimBatch(buf[:0:min(claimBatchSize, bulkClaims-i)], i)
		if err := s.PutClaims(ctx, buf); err != nil {
			return err
		}
		if progress {
			fmt.Printf("batch %d\n", i/claimBatchSize+1)
		}
	}
	if err := s.SetBulk(ctx, false); err != nil {
		return err
	}
	return s.Close()
}

// TestBulkKillRerun checks the crash rule in bulk mode (batches committed without fsync): a load
// killed with SIGKILL half-way leaves a prefix of whole batches with exact counters, and running
// the load again ends in the same graph as an uninterrupted load.
func TestBulkKillRerun(t *testing.T) {
	if dir := os.Getenv("RINGTRACE_EMBEDDED_BULK_CHILD"); dir != "" {
		if err := bulkLoad(context.Background(), dir, true); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	ctx := context.Background()
	killed := filepath.Join(t.TempDir(), "killed")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestBulkKillRerun$")
	cmd.Env = append(os.Environ(), "RINGTRACE_EMBEDDED_BULK_CHILD="+killed)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	seen := false
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "batch 4" {
			seen = true
			break
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !seen {
		t.Fatal("the child load ended before batch 4")
	}

	// After the kill: whole batches only, and the counters agree with the records.
	s, err := embedded.Open(killed)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(0)
	if err := s.ScanClaims(ctx, func(graph.Claim) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != c.Nodes[graph.TypeClaim] || n%claimBatchSize != 0 || n >= bulkClaims {
		t.Fatalf("after the kill: %d claim records, counter %d: want equal whole batches of %d, fewer than %d",
			n, c.Nodes[graph.TypeClaim], claimBatchSize, bulkClaims)
	}
	t.Logf("killed after %d of %d claims reached the disk", n, bulkClaims)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Run again over the killed store, and once uninterrupted into a fresh one.
	if err := bulkLoad(ctx, killed, false); err != nil {
		t.Fatal(err)
	}
	whole := filepath.Join(t.TempDir(), "whole")
	if err := bulkLoad(ctx, whole, false); err != nil {
		t.Fatal(err)
	}
	got, want := countsOf(t, killed), countsOf(t, whole)
	if got != want {
		t.Errorf("re-run after kill:\n%s\nuninterrupted:\n%s", got, want)
	}
	if !strings.Contains(want, fmt.Sprintf("claim=%d ", bulkClaims)) {
		t.Errorf("uninterrupted load counts %s, want %d claims", want, bulkClaims)
	}
}

// countsOf reopens the store in dir and renders its counters and a digest of its claims.
func countsOf(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, typ := range graph.EntityTypes {
		fmt.Fprintf(&b, "%s=%d ", typ, c.Nodes[typ])
	}
	for _, r := range graph.RelTypes {
		fmt.Fprintf(&b, "%s=%d ", r, c.Relationships[r])
	}
	var sum int64
	if err := s.ScanClaims(ctx, func(cl graph.Claim) error { sum += cl.Start.Unix() + int64(cl.TotalAmount); return nil }); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "digest=%d", sum)
	return b.String()
}
