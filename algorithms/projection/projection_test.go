package projection

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest"
	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

var cst = time.FixedZone("CST", 8*3600)

func day(d, h int) time.Time { return time.Date(2025, 3, 1+d, h, 0, 0, 0, cst) }

// TestLocalDefinitions checks each rule of the projection on a hand-made export: repeat
// visitors only, two claims of one day are one visit, crowded days left out, the pair
// threshold, pharmacies not projected but aggregated, the fund falling back to the total.
func TestLocalDefinitions(t *testing.T) {
	d := dataset.New()
	d.AddInstitution(graph.Institution{ID: "H1"})
	d.AddPharmacy(graph.Pharmacy{ID: "P1"})
	add := func(pat, prov string, t time.Time, total, fund graph.Money) {
		kind := graph.TypeInstitution
		if prov[0] == 'P' {
			kind = graph.TypePharmacy
		}
		d.AddClaim(graph.Claim{ID: pat + prov + t.String(), PatientID: pat, ProviderID: prov, ProviderType: kind, Start: t, TotalAmount: total, FundAmount: fund})
	}
	// a and b meet at H1 on days 0 and 1 (a twice on day 0); c meets them on day 0 only.
	add("a", "H1", day(0, 9), 1000, 700)
	add("a", "H1", day(0, 15), 500, 0) // same visit; fund empty → total
	add("b", "H1", day(0, 10), 1000, 700)
	add("c", "H1", day(0, 11), 1000, 700)
	add("c", "H1", day(5, 11), 1000, 700)
	add("a", "H1", day(1, 9), 1000, 700)
	add("b", "H1", day(1, 9), 1000, 700)
	// d and e share two days, but day 2 is crowded (over the cap of 3) and day 3 is not.
	for _, p := range []string{"d", "e", "x", "y"} {
		add(p, "H1", day(2, 9), 100, 100)
	}
	add("d", "H1", day(3, 9), 100, 100)
	add("e", "H1", day(3, 9), 100, 100)
	add("d", "H1", day(4, 9), 100, 100)
	add("e", "H1", day(6, 9), 100, 100)
	// a and b at the pharmacy twice together: aggregated, not projected.
	add("a", "P1", day(7, 9), 300, 300)
	add("b", "P1", day(7, 9), 300, 300)
	add("a", "P1", day(8, 9), 300, 300)
	add("b", "P1", day(8, 9), 300, 300)
	d.Index()
	r, err := Local(d, Options{MaxBucketPatients: 3, MinShared: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Edge{{"H1", "a", "b", 2}}; !reflect.DeepEqual(r.Edges, want) {
		t.Errorf("edges %v, want %v", r.Edges, want)
	}
	if r.Providers[0].Provider != "H1" || r.Providers[0].Claims != 15 || r.Providers[0].Patients != 7 || r.Providers[0].Days != 7 {
		t.Errorf("H1 aggregate %+v", r.Providers[0])
	}
	a := r.Patients[0]
	if a.Patient != "a" || a.Claims != 5 || a.Providers != 2 || a.TotalFen != 3100 || a.FundFen != 700+500+700+300+300 {
		t.Errorf("patient a aggregate %+v", a)
	}
	if err := (Options{MaxBucketPatients: 1, MinShared: 2}).Validate(); err == nil {
		t.Error("a bucket cap of 1 accepted")
	}
}

// TestWriteReadRoundTrip writes a projection and reads it back.
func TestWriteReadRoundTrip(t *testing.T) {
	r := Result{
		Edges:     []Edge{{"H1", "a", "b", 2}, {"H2", "c", "d,e", 3}},
		Providers: []ProviderAgg{{"H1", 4, 2, 2, 4000, 2800}},
		Patients:  []PatientAgg{{"a", 2, 1, 2000, 1400}},
	}
	dir := t.TempDir()
	if err := WriteDir(dir, r); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("read back %+v, wrote %+v", got, r)
	}
	if err := os.WriteFile(filepath.Join(dir, EdgesFile), []byte("provider,a,b,n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDir(dir); err == nil {
		t.Error("a file with the wrong header was read")
	}
}

// TestSparkMatchesLocal runs the Spark job on a real local Spark (spark-submit from
// RINGTRACE_SPARK_SUBMIT; .ci/test.sh installs the PyPI pyspark distribution and sets it) over a
// blind-generator export and checks that its edges and aggregates equal the in-process ones.
func TestSparkMatchesLocal(t *testing.T) {
	submit := os.Getenv("RINGTRACE_SPARK_SUBMIT")
	if submit == "" {
		t.Skip("RINGTRACE_SPARK_SUBMIT not set: no Spark to test against (make test sets it)")
	}
	sc, err := scenarios.Generate(scenarios.DefaultConfig(4000, 77))
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if err := sc.WriteDir(data); err != nil {
		t.Fatal(err)
	}
	src, err := ingest.OpenDir(data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Load(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	local, err := Local(d, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	spark, err := Spark(ctx, data, t.TempDir(), o, SparkOptions{Submit: submit, Master: "local[2]", Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(local.Edges) == 0 || len(local.Providers) == 0 || len(local.Patients) == 0 {
		t.Fatalf("empty local projection: %d edges, %d providers, %d patients", len(local.Edges), len(local.Providers), len(local.Patients))
	}
	compare(t, "edges", local.Edges, spark.Edges)
	compare(t, "provider aggregates", local.Providers, spark.Providers)
	compare(t, "patient aggregates", local.Patients, spark.Patients)
	t.Logf("%d edges, %d providers, %d patients equal on both engines", len(local.Edges), len(local.Providers), len(local.Patients))
}

func compare[T comparable](t *testing.T, what string, local, spark []T) {
	t.Helper()
	if len(local) != len(spark) {
		t.Errorf("%s: %d in process, %d on Spark", what, len(local), len(spark))
	}
	for i := 0; i < min(len(local), len(spark)); i++ {
		if local[i] != spark[i] {
			t.Errorf("%s differ first at %d: in process %+v, Spark %+v", what, i, local[i], spark[i])
			return
		}
	}
}

// TestSubmitEnvUsesTheVirtualEnvironmentsPython: a spark-submit with a python beside it (pip
// into a virtual environment) runs with that python unless PYSPARK_PYTHON is set.
func TestSubmitEnvUsesTheVirtualEnvironmentsPython(t *testing.T) {
	bin := t.TempDir()
	submit := filepath.Join(bin, "spark-submit")
	if err := os.WriteFile(filepath.Join(bin, "python"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := submitEnv(submit, []string{"PATH=/usr/bin"})
	if !slices.Contains(env, "PYSPARK_PYTHON="+filepath.Join(bin, "python")) {
		t.Errorf("env %v lacks the virtual environment's python", env)
	}
	if env := submitEnv(submit, []string{"PYSPARK_PYTHON=/opt/py"}); len(env) != 1 {
		t.Errorf("a PYSPARK_PYTHON already set must be kept: %v", env)
	}
	if env := submitEnv(filepath.Join(t.TempDir(), "spark-submit"), []string{"PATH=/usr/bin"}); len(env) != 1 {
		t.Errorf("no python beside spark-submit: env must be unchanged, got %v", env)
	}
}
