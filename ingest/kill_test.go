package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
	"github.com/ringtrace/ringtrace/ingest"
)

// The helper process: when RINGTRACE_INGEST_HELPER is set, the test binary loads the directory
// into the embedded store and reports progress on stdout, so that the parent can SIGKILL it in
// the middle of claims.csv.
func TestMain(m *testing.M) {
	if os.Getenv("RINGTRACE_INGEST_HELPER") == "1" {
		os.Exit(helperLoad(os.Getenv("RINGTRACE_INGEST_DATA"), os.Getenv("RINGTRACE_INGEST_DB")))
	}
	os.Exit(m.Run())
}

func helperLoad(data, db string) int {
	// Opened as `ringtrace ingest` opens it: bulk load, batches committed without fsync.
	st, err := embedded.OpenWith(db, embedded.Options{BulkLoad: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer st.Close()
	var sink ingest.Sink = st
	if os.Getenv("RINGTRACE_INGEST_SORTED") == "1" {
		// As `ringtrace ingest` loads an empty store: through sorted tables.
		if sink, err = st.NewSortedLoader(db); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
	}
	// Paced so that the load is still in claims.csv at a progress report however fast the
	// machine: the kill must land in the middle of the file for the test to prove anything.
	// The wrappers keep the optional interfaces Load looks for.
	switch s := sink.(type) {
	case finishingSink:
		sink = pacedFinishingSink{s}
	case countingSink:
		sink = pacedSink{s}
	default:
		fmt.Fprintf(os.Stderr, "helper: unexpected sink %T\n", sink)
		return 3
	}
	_, err = ingest.Load(context.Background(), data, sink, ingest.Options{
		BatchSize:     500,
		RejectsPath:   filepath.Join(filepath.Dir(db), "rejects.csv"),
		ProgressEvery: 20 * time.Millisecond,
		Progress: func(p ingest.Progress) {
			fmt.Printf("progress %s %d\n", p.File, p.RowsRead)
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("done")
	return 0
}

type finishingSink interface {
	ingest.Sink
	ingest.Finisher
}

type countingSink interface {
	ingest.Sink
	graph.Counter
}

// pacedSink and pacedFinishingSink wait before each batch of claims they hand on.
type pacedSink struct{ countingSink }

func (p pacedSink) PutClaims(ctx context.Context, cs []graph.Claim) error {
	time.Sleep(10 * time.Millisecond)
	return p.countingSink.PutClaims(ctx, cs)
}

type pacedFinishingSink struct{ finishingSink }

func (p pacedFinishingSink) PutClaims(ctx context.Context, cs []graph.Claim) error {
	time.Sleep(10 * time.Millisecond)
	return p.finishingSink.PutClaims(ctx, cs)
}

// writeKillDir writes a deterministic export big enough that a load takes a few seconds.
func writeKillDir(t *testing.T, dir string, patients, claims int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	var b strings.Builder
	b.WriteString("参保人编号,姓名,性别,出生日期,统筹区,联系电话,住址\n")
	for i := range patients {
		fmt.Fprintf(&b, "P%07d,患者%d,%s,1970-01-%02d,530100,139%08d,地址%d\n", i, i, []string{"男", "女"}[i%2], 1+i%28, i/3, i/4)
	}
	write(t, dir, "patients.csv", b.String())
	write(t, dir, "institutions.csv", "institution_id,name,ownership\nH01,一院,公立\nH02,二院,民营\n")
	write(t, dir, "pharmacies.csv", "pharmacy_id,name\nPH1,药店一\n")
	write(t, dir, "doctors.csv", "doctor_id,institution_id\nD1,H01\nD2,H02\n")
	b.Reset()
	b.WriteString("claim_id,patient_id,provider_id,doctor_id,claim_type,start_time,end_time,total_amount,fund_amount,terminal_id\n")
	for i := range claims {
		prov, doc, typ := []string{"H01", "H02", "PH1"}[i%3], []string{"D1", "D2", ""}[i%3], []string{"门诊", "住院", "购药"}[i%3]
		end := ""
		if typ == "住院" {
			end = "2024-02-10"
		}
		fmt.Fprintf(&b, "C%08d,P%07d,%s,%s,%s,2024-02-%02d 10:00,%s,%d.%02d,%d,T%d\n", i, rng.IntN(patients), prov, doc, typ, 1+i%9, end, rng.IntN(5000), i%100, rng.IntN(300), i%7)
	}
	b.WriteString("C00000001,P9999999,H01,D1,门诊,2024-02-01,,1,1,\n") // one reject (conflict and unknown patient)
	write(t, dir, "claims.csv", b.String())
	b.Reset()
	b.WriteString("claim_id,item_name,category,quantity,unit_price,amount\n")
	for i := range claims {
		fmt.Fprintf(&b, "C%08d,药%d,西药,1,%d,%d\n", i, i%13, i%50, i%50)
		if i%4 == 0 {
			fmt.Fprintf(&b, "C%08d,检查,检查,1,30,30\n", i)
		}
	}
	write(t, dir, "claim_items.csv", b.String())
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func loadInto(t *testing.T, data, db string) ingest.Summary { return loadWith(t, data, db, false) }

// loadWith loads data into the store in db, through sorted tables when sorted is set.
func loadWith(t *testing.T, data, db string, sorted bool) ingest.Summary {
	t.Helper()
	// Opened as `ringtrace ingest` opens it: bulk load, batches committed without fsync.
	st, err := embedded.OpenWith(db, embedded.Options{BulkLoad: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var sink ingest.Sink = st
	if sorted {
		if sink, err = st.NewSortedLoader(db); err != nil {
			t.Fatal(err)
		}
	}
	s, err := ingest.Load(context.Background(), data, sink, ingest.Options{BatchSize: 500})
	if err != nil {
		t.Fatalf("load into %s: %v", db, err)
	}
	return s
}

// TestKillMidLoadThenRerun starts an ingest into an embedded store in a child process, SIGKILLs
// it in the middle of claims.csv, runs the load again, and compares the result with an
// uninterrupted load into another directory: counts of every node and relationship kind, and a
// sample of patients, claims and claim items.
func TestKillMidLoadThenRerun(t *testing.T) { killMidLoadThenRerun(t, false) }

// TestKillSortedLoadThenRerun is the same for a first load through sorted tables: the kill
// leaves the store empty, and the re-run (sorted again) gives the batch path's clean graph.
func TestKillSortedLoadThenRerun(t *testing.T) { killMidLoadThenRerun(t, true) }

func killMidLoadThenRerun(t *testing.T, sorted bool) {
	if testing.Short() {
		t.Skip("kill test builds a 12,000-claim export; skipped with -short")
	}
	data := t.TempDir()
	const patients, claims = 1500, 12000
	writeKillDir(t, data, patients, claims)
	killedDB := filepath.Join(t.TempDir(), "graph")

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RINGTRACE_INGEST_HELPER=1", "RINGTRACE_INGEST_DATA="+data, "RINGTRACE_INGEST_DB="+killedDB)
	if sorted {
		cmd.Env = append(cmd.Env, "RINGTRACE_INGEST_SORTED=1")
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		var file string
		var rows int
		if n, _ := fmt.Sscanf(sc.Text(), "progress %s %d", &file, &rows); n == 2 && file == "claims.csv" && rows > patients+claims/4 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			break
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatal("the helper finished before it could be killed in claims.csv; the test proves nothing")
	}

	// The kill left a partial graph: some claims, not all.
	st, err := embedded.Open(killedDB)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	mid, err := st.Counts(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n := mid.Nodes[graph.TypeClaim]; n >= claims {
		t.Fatalf("after the kill the store already holds %d claims of %d: not killed mid-way", n, claims)
	}
	if sorted {
		for typ, n := range mid.Nodes {
			if n != 0 {
				t.Errorf("a sorted load killed before its end left %d %s nodes visible", n, typ)
			}
		}
	}
	t.Logf("killed with %d of %d claims stored", mid.Nodes[graph.TypeClaim], claims)

	rerun := loadWith(t, data, killedDB, sorted)
	cleanDB := filepath.Join(t.TempDir(), "graph")
	clean := loadInto(t, data, cleanDB)
	if rerun.Loaded() != clean.Loaded() || rerun.Rejected() != clean.Rejected() || clean.Rejected() != 1 {
		t.Errorf("re-run loaded %d rejected %d; clean loaded %d rejected %d", rerun.Loaded(), rerun.Rejected(), clean.Loaded(), clean.Rejected())
	}

	a, err := embedded.Open(killedDB)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := embedded.Open(cleanDB)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	ca, err := a.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range graph.EntityTypes {
		if ca.Nodes[k] != cb.Nodes[k] {
			t.Errorf("%s nodes: killed+rerun %d, clean %d", k, ca.Nodes[k], cb.Nodes[k])
		}
	}
	for _, r := range graph.RelTypes {
		if ca.Relationships[r] != cb.Relationships[r] {
			t.Errorf("%s relationships: killed+rerun %d, clean %d", r, ca.Relationships[r], cb.Relationships[r])
		}
	}
	if cb.Nodes[graph.TypeClaim] != claims || cb.Nodes[graph.TypePatient] != patients {
		t.Errorf("clean load holds %d claims and %d patients", cb.Nodes[graph.TypeClaim], cb.Nodes[graph.TypePatient])
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for range 200 {
		pid := fmt.Sprintf("P%07d", rng.IntN(patients))
		pa, errA := a.Patient(ctx, pid)
		pb, errB := b.Patient(ctx, pid)
		if errA != nil || errB != nil || pa != pb {
			t.Errorf("patient %s: %+v (%v) vs %+v (%v)", pid, pa, errA, pb, errB)
		}
		cid := fmt.Sprintf("C%08d", rng.IntN(claims))
		xa, errA := a.Claim(ctx, cid)
		xb, errB := b.Claim(ctx, cid)
		if errA != nil || errB != nil || !sameClaim(xa, xb) {
			t.Errorf("claim %s: %+v (%v) vs %+v (%v)", cid, xa, errA, xb, errB)
		}
		ia, errA := a.ClaimItems(ctx, cid)
		ib, errB := b.ClaimItems(ctx, cid)
		if errA != nil || errB != nil || !slices.Equal(ia, ib) || len(ia) == 0 {
			t.Errorf("items of %s: %+v (%v) vs %+v (%v)", cid, ia, errA, ib, errB)
		}
	}
}

func sameClaim(a, b graph.Claim) bool {
	return a.ID == b.ID && a.PatientID == b.PatientID && a.ProviderID == b.ProviderID && a.ProviderType == b.ProviderType &&
		a.DoctorID == b.DoctorID && a.Type == b.Type && a.Start.Equal(b.Start) && a.End.Equal(b.End) &&
		a.TotalAmount == b.TotalAmount && a.FundAmount == b.FundAmount && a.TerminalID == b.TerminalID
}

// BenchmarkLoadEmbedded measures the whole ingest into the embedded store (fresh directory per
// iteration): 20,000 patients, 200,000 claims, 200,000 items.
func BenchmarkLoadEmbedded(b *testing.B) {
	data := b.TempDir()
	const claims = 200_000
	ingest.WriteBenchDir(b, data, 20_000, claims)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := filepath.Join(b.TempDir(), "graph")
		// Opened as `ringtrace ingest` opens it: bulk load, batches committed without fsync.
		st, err := embedded.OpenWith(db, embedded.Options{BulkLoad: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		s, err := ingest.Load(context.Background(), data, st, ingest.Options{})
		if err != nil || s.Rejected() != 0 {
			b.Fatalf("load: %v, %d rejected", err, s.Rejected())
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(claims)*float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}
