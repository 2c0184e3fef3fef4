package neo4j_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
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

// The importer tests run the real `neo4j-admin database import` into a fresh data directory,
// start a second real server on it (port RINGTRACE_NEO4J_IMPORT_PORT, default the test
// server's port + 1) and compare the graph with the embedded store loaded from the same export.
// They run in the Neo4j pass of the tests (RINGTRACE_NEO4J_URI set).

// TestMain doubles as the helper process of the kill test: with RINGTRACE_IMPORT_HELPER set it
// runs one importer load and reports its phase on stdout; with RINGTRACE_PARALLEL_HELPER set,
// one load into the running server through Parallel (TestParallelKilled).
func TestMain(m *testing.M) {
	if os.Getenv("RINGTRACE_IMPORT_HELPER") == "1" {
		os.Exit(importHelper())
	}
	if os.Getenv("RINGTRACE_PARALLEL_HELPER") == "1" {
		os.Exit(parallelHelper())
	}
	os.Exit(m.Run())
}

func importHelper() int {
	work := os.Getenv("RINGTRACE_IMPORT_WORK")
	im, err := neo.NewImporter(importConfig(work))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	_, err = ingest.Load(context.Background(), os.Getenv("RINGTRACE_IMPORT_DATA"), im, ingest.Options{
		BatchSize: 200, RejectsPath: filepath.Join(work, "rejects.csv"), ProgressEvery: 10 * time.Millisecond,
		Progress: func(p ingest.Progress) { fmt.Printf("progress %s %d\n", p.File, p.RowsRead) },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("importing")
	if _, err := im.Import(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("done")
	return 0
}

// ciDir is the repository's .ci/neo4j (jars and the server scripts).
func ciDir(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", ".ci", "neo4j")
}

func importConfig(work string) neo.ImportConfig {
	_, file, _, _ := runtime.Caller(0)
	return neo.ImportConfig{
		DataDir: filepath.Join(work, "data"), Staging: filepath.Join(work, "staging"),
		Lib: filepath.Join(filepath.Dir(file), "..", "..", ".ci", "neo4j", "lib"), Heap: "1g",
	}
}

// importPort is the Bolt port of the server started on an imported database.
func importPort(t *testing.T) string {
	if p := os.Getenv("RINGTRACE_NEO4J_IMPORT_PORT"); p != "" {
		return p
	}
	u, err := url.Parse(testConfig(t).URI)
	if err != nil {
		t.Fatalf("parse %s: %v", envURI, err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatalf("%s has no port: %v", envURI, err)
	}
	return strconv.Itoa(p + 1)
}

// startImported starts a server on work (the imported data directory) and stops it at cleanup.
func startImported(t *testing.T, work string) neo.Config {
	t.Helper()
	port := importPort(t)
	env := append(os.Environ(), "NEO4J_WORK_DIR="+work, "NEO4J_BOLT_PORT="+port, "NEO4J_HEAP=1g", "NEO4J_PAGECACHE=256m")
	cmd := exec.Command("bash", filepath.Join(ciDir(t), "start.sh"))
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Cleanup(func() {
		stop := exec.Command("bash", filepath.Join(ciDir(t), "stop.sh"))
		stop.Env = env
		if out, err := stop.CombinedOutput(); err != nil {
			t.Errorf("stop the imported server: %v\n%s", err, out)
		}
	})
	if err != nil {
		t.Fatalf("start a server on the imported database: %v\n%s", err, stderr.String())
	}
	return neo.Config{URI: strings.TrimSpace(string(out))}
}

// messyExport writes a generated export with duplicate and invalid rows.
func messyExport(t *testing.T, patients int) string {
	t.Helper()
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.Patients, cfg.Seed, cfg.Messy = patients, 17, true
	if _, err := synth.Generate(context.Background(), dir, cfg, nil); err != nil {
		t.Fatalf("generate: %v", err)
	}
	return dir
}

// embeddedReference loads data into a fresh embedded store, the reference graph and rejects.
func embeddedReference(t *testing.T, data string) (*embedded.Store, []byte) {
	t.Helper()
	dir := t.TempDir()
	st, err := embedded.OpenWith(filepath.Join(dir, "db"), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rejects := filepath.Join(dir, "rejects.csv")
	if _, err := ingest.Load(context.Background(), data, st, ingest.Options{RejectsPath: rejects}); err != nil {
		t.Fatalf("embedded load: %v", err)
	}
	b, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	return st, b
}

// sameGraph compares counts and every scanned record of two stores.
func sameGraph(t *testing.T, want, got graph.Store) {
	t.Helper()
	ctx := context.Background()
	wc, err := want.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gc, err := got.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(wc, gc) {
		t.Errorf("counts differ:\n embedded %+v\n imported %+v", wc, gc)
	}
	scanEqual(t, "patients", want.ScanPatients, got.ScanPatients)
	scanEqual(t, "institutions", want.ScanInstitutions, got.ScanInstitutions)
	scanEqual(t, "pharmacies", want.ScanPharmacies, got.ScanPharmacies)
	scanEqual(t, "doctors", want.ScanDoctors, got.ScanDoctors)
	scanEqual(t, "claims", want.ScanClaims, got.ScanClaims)
	scanEqual(t, "claim items", want.ScanClaimItems, got.ScanClaimItems)
	// A neighbourhood through every relationship kind: a patient with phone, address and claims.
	var start graph.Ref
	_ = want.ScanPatients(ctx, func(p graph.Patient) error {
		if p.Phone != "" && p.Address != "" {
			start = graph.Ref{Type: graph.TypePatient, ID: p.ID}
			return errStop
		}
		return nil
	})
	q := graph.NeighbourhoodQuery{Depth: 2, Limit: 500}
	wn, err := want.Neighbourhood(ctx, start, q)
	if err != nil {
		t.Fatal(err)
	}
	gn, err := got.Neighbourhood(ctx, start, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(wn.Nodes) < 3 || !reflect.DeepEqual(wn, gn) {
		t.Errorf("neighbourhood of %v differs: embedded %d nodes %d edges, imported %d nodes %d edges",
			start, len(wn.Nodes), len(wn.Edges), len(gn.Nodes), len(gn.Edges))
	}
}

var errStop = fmt.Errorf("stop")

func scanEqual[T any](t *testing.T, what string, want, got func(context.Context, func(T) error) error) {
	t.Helper()
	collect := func(scan func(context.Context, func(T) error) error) []T {
		var out []T
		if err := scan(context.Background(), func(v T) error { out = append(out, v); return nil }); err != nil {
			t.Fatalf("scan %s: %v", what, err)
		}
		return out
	}
	w, g := collect(want), collect(got)
	if len(w) == 0 {
		t.Errorf("no %s in the reference load", what)
	}
	if len(w) != len(g) {
		t.Errorf("%s: embedded %d, imported %d", what, len(w), len(g))
		return
	}
	for i := range w {
		if !reflect.DeepEqual(w[i], g[i]) {
			t.Errorf("%s #%d differs:\n embedded %+v\n imported %+v", what, i, w[i], g[i])
			return
		}
	}
}

// openImported starts a server on work, opens the store (which creates the schema) and checks
// the counts against the import.
func openImported(t *testing.T, work string) *neo.Store {
	t.Helper()
	cfg := startImported(t, work)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := neo.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open the imported database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestImportFirstLoad(t *testing.T) {
	testConfig(t)
	data := messyExport(t, 400)
	ref, refRejects := embeddedReference(t, data)

	work := t.TempDir()
	im, err := neo.NewImporter(importConfig(work))
	if err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(work, "rejects.csv")
	sum, err := ingest.Load(context.Background(), data, im, ingest.Options{RejectsPath: rejects})
	if err != nil {
		t.Fatalf("load into the importer: %v", err)
	}
	if sum.Rejected() == 0 {
		t.Fatal("the messy export produced no rejects; the comparison of rejects proves nothing")
	}
	// A record the generator never writes: quotes, a delimiter and a line break in fields, a
	// leading space, a death date with nanoseconds, every optional field empty but one.
	odd := []graph.Patient{
		{ID: "ZZ-odd-1", Name: ` "王", 五`, Address: "昆明市\n盘龙区 1 号", Phone: "13900000000",
			BirthDate: time.Date(1950, 3, 1, 0, 0, 0, 0, time.UTC), DeathDate: time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)},
		{ID: "ZZ-odd-2", Region: "530100"},
	}
	for _, w := range []graph.Writer{ref, im} {
		if err := w.PutPatients(context.Background(), odd); err != nil {
			t.Fatal(err)
		}
	}
	res, err := im.Import(context.Background())
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, refRejects) {
		t.Errorf("rejects differ between the embedded load and the importer load")
	}
	if _, err := os.Stat(res.LogPath); err != nil {
		t.Errorf("the importer's log is not kept: %v", err)
	}

	// A second first load into the same data directory is refused, naming the database.
	if _, err := neo.NewImporter(importConfig(work)); graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("NewImporter on an existing database: %v, want EINVALID … already exists", err)
	}

	s := openImported(t, work)
	if err := neo.CheckCounts(context.Background(), s, res); err != nil {
		t.Error(err)
	}
	sameGraph(t, ref, s)
}

// TestImportKilled kills a real load with SIGKILL while it writes the importer files and again
// while the importer runs, and checks after each kill that the data directory holds no
// database; then a clean run gives the same graph as the embedded reference.
func TestImportKilled(t *testing.T) {
	testConfig(t)
	data := messyExport(t, 3000)
	ref, _ := embeddedReference(t, data)
	work := t.TempDir()
	for _, phase := range []string{"progress claims.csv", "importing"} {
		killAt(t, data, work, phase)
		if _, err := os.Stat(filepath.Join(work, "data", "databases", neo.DefaultDatabase)); !os.IsNotExist(err) {
			t.Fatalf("after a kill at %q the database directory exists (%v): a half-done import is visible", phase, err)
		}
	}
	cmd := helperCmd(data, work)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clean re-run: %v\n%s", err, out)
	}
	s := openImported(t, work)
	sameGraph(t, ref, s)
}

func helperCmd(data, work string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RINGTRACE_IMPORT_HELPER=1", "RINGTRACE_IMPORT_DATA="+data, "RINGTRACE_IMPORT_WORK="+work)
	return cmd
}

// killAt runs the helper and SIGKILLs it once it prints a line starting with phase (for the
// importer phase, after the importer has had a moment to start writing).
func killAt(t *testing.T, data, work, phase string) {
	t.Helper()
	cmd := helperCmd(data, work)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), phase) {
			if phase == "importing" {
				// Wait until the JVM has created the staging database, so the kill lands mid-import.
				deadline := time.Now().Add(2 * time.Minute)
				for time.Now().Before(deadline) {
					if _, err := os.Stat(filepath.Join(work, "staging", "data", "databases", neo.DefaultDatabase)); err == nil {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
		if sc.Text() == "done" {
			break
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("the load finished before it could be killed at %q; stderr:\n%s", phase, stderr.String())
	}
}
