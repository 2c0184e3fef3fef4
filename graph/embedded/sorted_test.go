package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest"
	"github.com/ringtrace/ringtrace/ingest/synth"
)

// rawKVs returns every key and value of the store, in order.
func rawKVs(t *testing.T, s *Store) (keys, vals [][]byte) {
	t.Helper()
	it, err := s.iter(nil)
	if err != nil {
		t.Fatal(err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		keys = append(keys, bytes.Clone(it.Key()))
		vals = append(vals, bytes.Clone(it.Value()))
	}
	if err := closeIter(it); err != nil {
		t.Fatal(err)
	}
	return keys, vals
}

func loadInto(t *testing.T, data string, sink ingest.Sink) (ingest.Summary, []byte) {
	t.Helper()
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	sum, err := ingest.Load(context.Background(), data, sink, ingest.Options{BatchSize: 700, RejectsPath: rejects})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	b, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	return sum, b
}

// TestSortedLoadIdentical loads one messy export through the batch path and through sorted
// tables (runs and tables made small so that there are many of each) and compares every key and
// value of the two stores, the rejects and the summaries, then the sorted store after a reopen.
func TestSortedLoadIdentical(t *testing.T) {
	defer func(c int, tb uint64, m, w int) {
		chunkBytes, tableBytes, markEvery, mergeWorkers = c, tb, m, w
	}(chunkBytes, tableBytes, markEvery, mergeWorkers)
	chunkBytes, tableBytes, markEvery, mergeWorkers = 256<<10, 1<<20, 64, 3
	data := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.Patients, cfg.Seed, cfg.Messy = 1500, 17, true
	if _, err := synth.Generate(context.Background(), data, cfg, nil); err != nil {
		t.Fatal(err)
	}
	batch, err := OpenWith(filepath.Join(t.TempDir(), "db"), Options{BulkLoad: true})
	if err != nil {
		t.Fatal(err)
	}
	defer batch.Close()
	wantSum, wantRejects := loadInto(t, data, batch)

	dir := filepath.Join(t.TempDir(), "db")
	sorted, err := OpenWith(dir, Options{BulkLoad: true})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := sorted.NewSortedLoader(dir)
	if err != nil {
		t.Fatal(err)
	}
	gotSum, gotRejects := loadInto(t, data, sl)
	if len(sl.runs) < 3 {
		t.Errorf("only %d runs: the merge was not exercised", len(sl.runs))
	}
	if n := len(splitKeys(sl.runs, mergeWorkers)); n != mergeWorkers-1 {
		t.Errorf("the merge was split %d times, want %d", n, mergeWorkers-1)
	}
	if !bytes.Equal(wantRejects, gotRejects) || !bytes.Contains(wantRejects, []byte("\n")) {
		t.Errorf("rejects differ or are empty:\n batch  %q\n sorted %q", clip(wantRejects), clip(gotRejects))
	}
	wantSum.Elapsed, gotSum.Elapsed, wantSum.RejectsPath, gotSum.RejectsPath = 0, 0, "", ""
	if !reflect.DeepEqual(wantSum, gotSum) {
		t.Errorf("summaries differ:\n batch  %+v\n sorted %+v", wantSum, gotSum)
	}
	if _, err := os.Stat(filepath.Join(dir, "sorted-load")); !os.IsNotExist(err) {
		t.Errorf("the runs were left behind: %v", err)
	}
	same := func(what string) {
		t.Helper()
		wk, wv := rawKVs(t, batch)
		gk, gv := rawKVs(t, sorted)
		if len(wk) < 10000 || len(wk) != len(gk) {
			t.Fatalf("%s: batch path %d keys, sorted tables %d", what, len(wk), len(gk))
		}
		for i := range wk {
			if !bytes.Equal(wk[i], gk[i]) || !bytes.Equal(wv[i], gv[i]) {
				t.Fatalf("%s: key #%d differs: batch %q=%q, sorted %q=%q", what, i, wk[i], wv[i], gk[i], gv[i])
			}
		}
		wc, _ := batch.Counts(context.Background())
		gc, _ := sorted.Counts(context.Background())
		if !reflect.DeepEqual(wc, gc) {
			t.Errorf("%s: counts differ:\n batch  %+v\n sorted %+v", what, wc, gc)
		}
	}
	same("after the load")
	// The store serves the loaded graph and takes an incremental load through the batch path.
	var first graph.Claim
	_ = sorted.ScanClaims(context.Background(), func(c graph.Claim) error { first = c; return errStopScan })
	if c, err := sorted.Claim(context.Background(), first.ID); err != nil || !reflect.DeepEqual(c, first) {
		t.Fatalf("claim %q of the sorted store: %+v, %v", first.ID, c, err)
	}
	if err := sorted.Close(); err != nil {
		t.Fatal(err)
	}
	if sorted, err = OpenWith(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer sorted.Close()
	same("after a reopen")
	loadInto(t, data, batch)
	loadInto(t, data, sorted)
	same("after loading the export again through the batch path")
	if _, err := sorted.NewSortedLoader(dir); graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a sorted load of a loaded store: %v; want EINVALID … not empty", err)
	}
}

var errStopScan = errors.New("stop")

func clip(b []byte) []byte { return b[:min(len(b), 300)] }

// A first load that writes one id twice with different content fails instead of picking one.
func TestSortedLoadConflict(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sl, err := s.NewSortedLoader(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := sl.PutInstitutions(ctx, []graph.Institution{{ID: "H1", Name: "一院"}, {ID: "H1", Name: "二院"}}); err != nil {
		t.Fatal(err)
	}
	if err := sl.Finish(ctx); err == nil || !strings.Contains(err.Error(), "written twice") {
		t.Fatalf("Finish: %v; want … written twice", err)
	}
	if c, _ := s.Counts(ctx); c.Nodes[graph.TypeInstitution] != 0 {
		t.Errorf("a failed sorted load left %d institutions", c.Nodes[graph.TypeInstitution])
	}
}

// BenchmarkFirstLoad loads one generated export (RINGTRACE_BENCH_PATIENTS patients, default
// 20,000, ≈ 10 claims each) into an empty store through the batch path and through sorted
// tables; the store is opened as `ringtrace ingest` opens it and closed (synced) inside the
// timing. docs/benchmarks.md has the figures.
func BenchmarkFirstLoad(b *testing.B) {
	patients := 20000
	if v := os.Getenv("RINGTRACE_BENCH_PATIENTS"); v != "" {
		if _, err := fmt.Sscan(v, &patients); err != nil {
			b.Fatalf("RINGTRACE_BENCH_PATIENTS: %v", err)
		}
	}
	data := b.TempDir()
	cfg := synth.DefaultConfig()
	cfg.Patients = patients
	gen, err := synth.Generate(context.Background(), data, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"batches", "sorted"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				dir := filepath.Join(b.TempDir(), "db")
				s, err := OpenWith(dir, Options{BulkLoad: true})
				if err != nil {
					b.Fatal(err)
				}
				var sink ingest.Sink = s
				if path == "sorted" {
					if sink, err = s.NewSortedLoader(dir); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := ingest.Load(context.Background(), data, sink, ingest.Options{}); err != nil {
					b.Fatal(err)
				}
				if err := s.SetBulk(context.Background(), false); err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(gen.Claims)*float64(b.N)/b.Elapsed().Seconds(), "claims/s")
		})
	}
}
