package neo4j_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
	neo "github.com/ringtrace/ringtrace/graph/neo4j"
	"github.com/ringtrace/ringtrace/ingest"
	"github.com/ringtrace/ringtrace/ingest/synth"
)

// Incremental loads through Parallel, against the real server of RINGTRACE_NEO4J_URI: a base
// export, then a month of new patients and claims on top of it, compared with the embedded store
// loaded from the same two exports.

// incrementExport writes a month of claims (January 2025) of patients new to the base export:
// a generated export whose patient ids get the prefix N and claim ids the prefix M, so nothing
// collides with the base; its institutions, pharmacies and doctors keep their ids and are
// upserts of the base's.
func incrementExport(t testing.TB, patients int) string {
	t.Helper()
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.Patients, cfg.Seed = patients, 5
	cfg.From, cfg.To = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(context.Background(), dir, cfg, nil); err != nil {
		t.Fatalf("generate: %v", err)
	}
	prefix := func(file string, fields ...string) {
		path := filepath.Join(dir, file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i := 1; i < len(lines); i++ {
			if lines[i] == "" {
				continue
			}
			cols := strings.SplitN(lines[i], ",", len(fields)+1)
			for j, p := range fields {
				if p != "" {
					cols[j] = p + cols[j]
				}
			}
			lines[i] = strings.Join(cols, ",")
		}
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prefix("patients.csv", "N")    // patient_id
	prefix("claims.csv", "M", "N") // claim_id, patient_id
	prefix("claim_items.csv", "M") // claim_id
	return dir
}

// openParallel opens the test server for loads, wiped, with the driver's retries as ingest sets them.
func openParallel(t *testing.T) *neo.Store {
	t.Helper()
	cfg := testConfig(t)
	cfg.RetryTime = 2 * time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := neo.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", cfg.URI, err)
	}
	wipe(t, cfg)
	t.Cleanup(func() { s.Close() })
	return s
}

// loadDirs loads the exports one after another into sink and returns the last summary.
func loadDirs(t *testing.T, sink ingest.Sink, batch int, dirs ...string) ingest.Summary {
	t.Helper()
	var sum ingest.Summary
	for _, d := range dirs {
		var err error
		sum, err = ingest.Load(context.Background(), d, sink, ingest.Options{BatchSize: batch, RejectsPath: filepath.Join(t.TempDir(), "rejects.csv")})
		if err != nil {
			t.Fatalf("load %s: %v", d, err)
		}
	}
	return sum
}

// embeddedIncrement is the reference: the exports loaded into a fresh embedded store.
func embeddedIncrement(t *testing.T, dirs ...string) *embedded.Store {
	t.Helper()
	st, err := embedded.OpenWith(filepath.Join(t.TempDir(), "db"), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loadDirs(t, st, 0, dirs...)
	return st
}

func counts(t *testing.T, s graph.Store) graph.Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestParallelIncrement loads a base and an increment with four workers and with one, compares
// both with the embedded store, then re-runs the increment and checks that nothing changed.
func TestParallelIncrement(t *testing.T) {
	testConfig(t)
	base, inc := messyExport(t, 400), incrementExport(t, 300)
	ref := embeddedIncrement(t, base, inc)
	s := openParallel(t)
	for _, w := range []struct{ workers, txRows, batch int }{{4, 37, 300}, {1, 5000, 5000}} {
		t.Run(fmt.Sprintf("workers=%d", w.workers), func(t *testing.T) {
			wipe(t, testConfig(t))
			p := s.Parallel(w.workers, w.txRows)
			loadDirs(t, p, w.batch, base, inc)
			sameGraph(t, ref, s)
			before := counts(t, s)
			sum := loadDirs(t, p, w.batch, inc)
			if after := counts(t, s); !reflect.DeepEqual(before, after) {
				t.Errorf("re-running the increment changed the counts:\n before %+v\n after  %+v", before, after)
			}
			if f, _ := sum.File("claims.csv"); f.Loaded == 0 {
				t.Errorf("the re-run loaded no claims (%+v): it did not exercise the upserts", f)
			}
			for typ, n := range sum.Created.Nodes {
				if n != 0 {
					t.Errorf("the re-run created %d %s nodes", n, typ)
				}
			}
			sameGraph(t, ref, s)
		})
	}
}

// parallelHelper is the helper process of TestParallelKilled: it loads one export into the server
// through Parallel and reports progress on stdout.
func parallelHelper() int {
	s, err := neo.Open(context.Background(), neo.Config{URI: os.Getenv(envURI), RetryTime: 2 * time.Minute})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer s.Close()
	_, err = ingest.Load(context.Background(), os.Getenv("RINGTRACE_PARALLEL_DATA"), s.Parallel(3, 40), ingest.Options{
		BatchSize: 120, RejectsPath: os.Getenv("RINGTRACE_PARALLEL_REJECTS"), ProgressEvery: 10 * time.Millisecond,
		Progress: func(p ingest.Progress) { fmt.Printf("progress %s %d\n", p.File, p.RowsRead) },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("done")
	return 0
}

func parallelHelperCmd(t *testing.T, data string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RINGTRACE_PARALLEL_HELPER=1", "RINGTRACE_PARALLEL_DATA="+data,
		"RINGTRACE_PARALLEL_REJECTS="+filepath.Join(t.TempDir(), "rejects.csv"))
	return cmd
}

// TestParallelKilled SIGKILLs an incremental load in the middle of claims.csv and then of
// claim_items.csv, runs it again to the end, and compares the graph with the embedded store.
func TestParallelKilled(t *testing.T) {
	testConfig(t)
	base, inc := messyExport(t, 400), incrementExport(t, 4000)
	ref := embeddedIncrement(t, base, inc)
	s := openParallel(t)
	loadDirs(t, s.Parallel(2, 500), 1000, base)
	for _, at := range []string{"progress claims.csv", "progress claim_items.csv"} {
		cmd := parallelHelperCmd(t, inc)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killed, seen := false, 0
		for sc := bufio.NewScanner(out); sc.Scan(); {
			if strings.HasPrefix(sc.Text(), at) {
				// A few progress lines into the file, so that some of its batches are committed.
				if seen++; seen == 5 {
					_ = cmd.Process.Signal(syscall.SIGKILL)
					killed = true
					break
				}
			}
		}
		_ = cmd.Wait()
		if !killed {
			t.Fatalf("the load finished before it could be killed at %q; stderr:\n%s", at, stderr.String())
		}
		if c := counts(t, s); c.Nodes[graph.TypeClaim] == counts(t, ref).Nodes[graph.TypeClaim] && at == "progress claims.csv" {
			t.Fatalf("killed in claims.csv but every claim is stored: the kill did not land mid-load")
		}
	}
	if out, err := parallelHelperCmd(t, inc).CombinedOutput(); err != nil {
		t.Fatalf("clean re-run: %v\n%s", err, out)
	}
	sameGraph(t, ref, s)
}
