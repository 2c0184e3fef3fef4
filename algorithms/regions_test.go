package algorithms

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/algorithms/evaluate"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest"
	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

// TestPartitionedAgreesWithWhole runs the detectors on independently generated claims of several
// pooling regions with planted cross-region duplicate stays, once whole and once partitioned by
// region with the stitching pass: the partitioned run finds what the whole run finds — most of
// the same groups, ring recall and precision and lead recall within 0.1 (not equal: a region's
// peer statistics are its own: item price references, institutions' rates, the multiple-testing
// bar of a smaller population; docs/eval.md lists the differences) — and the cross-region
// duplicates with both regions named.
func TestPartitionedAgreesWithWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and detects 10,000 patients twice")
	}
	ctx := context.Background()
	cfg := scenarios.DefaultConfig(10000, 4711)
	cfg.ScaleFraud = 2
	s, src := blindScenario(t, cfg)
	truth := s.Truth()
	p := DefaultParams()
	whole, err := Detect(ctx, src, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	part, err := DetectByRegion(ctx, src, p, nil, RegionOptions{Workers: 2, Stitch: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanRegions(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Regions) < 2 || plan.CrossRegionPatients() == 0 {
		t.Fatalf("the data should span regions with cross-region patients: %v, %d", plan.Regions, plan.CrossRegionPatients())
	}
	if part.Partition == nil || len(part.Partition.Runs) != len(plan.Regions)+1 || !part.Partition.Stitched {
		t.Fatalf("partition %+v, want one run per region of %v and the stitching run", part.Partition, plan.Regions)
	}

	checkReasonTexts(t, whole)
	checkReasonTexts(t, part)

	ew, ep := evaluate.Evaluate(truth, whole, 20), evaluate.Evaluate(truth, part, 20)
	t.Logf("whole: rings P %.3f R %.3f, leads R %.3f; partitioned: rings P %.3f R %.3f, leads R %.3f",
		ew.Rings.Precision, ew.Rings.Recall, ew.Leads.Recall, ep.Rings.Precision, ep.Rings.Recall, ep.Leads.Recall)
	if ep.Rings.Recall < ew.Rings.Recall-0.1 || ep.Rings.Precision < ew.Rings.Precision-0.1 || ep.Leads.Recall < ew.Leads.Recall-0.1 {
		t.Errorf("partitioned run worse than the whole run: %+v / %+v vs %+v / %+v", ep.Rings, ep.Leads, ew.Rings, ew.Leads)
	}
	// The whole run's rings are found again by the partitioned run.
	hit, _ := evaluate.Match(refsOf(whole.Rings), refsOf(part.Rings))
	same := 0
	for _, h := range hit {
		if h {
			same++
		}
	}
	if len(whole.Rings) == 0 || float64(same) < 0.8*float64(len(whole.Rings)) {
		t.Errorf("%d of the whole run's %d rings found again partitioned", same, len(whole.Rings))
	}

	// Every planted cross-region duplicate is a lead naming both regions.
	var dups [][]graph.Ref
	for _, l := range truth.Leads {
		if l.Pattern == "cross_region_duplicate" {
			dups = append(dups, l.Members)
		}
	}
	if len(dups) == 0 {
		t.Fatal("no cross-region duplicate planted")
	}
	var cross []graph.Ring
	for _, l := range part.Leads {
		if len(l.Regions) >= 2 {
			cross = append(cross, l)
		}
	}
	found, _ := evaluate.Match(dups, refsOf(cross))
	for i, ok := range found {
		if !ok {
			t.Errorf("planted cross-region duplicate %v not reported as a lead spanning two regions", dups[i])
		}
	}

	// One region alone: only its providers' findings.
	one, err := DetectByRegion(ctx, src, p, nil, RegionOptions{Regions: plan.Regions[:1], Workers: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range [][]graph.Ring{one.Rings, one.Leads} {
		for _, r := range rs {
			if r.Region != plan.Regions[0] || len(r.Regions) > 0 {
				t.Errorf("region %s run reported %s in %q %v", plan.Regions[0], r.ID, r.Region, r.Regions)
			}
		}
	}
	if _, err := DetectByRegion(ctx, src, p, nil, RegionOptions{Regions: []string{"999999"}, Workers: 1}, nil); err == nil {
		t.Error("an unknown region should be refused")
	} else if fe := (*graph.Error)(nil); !errors.As(err, &fe) || fe.Field != "region" {
		t.Errorf("unknown region: %v, want a field error naming region", err)
	}
}

// checkReasonTexts fails on a reason whose Chinese or English text is empty or holds a
// formatting error (fmt's "%!" marks: a wrong verb, index or argument count), which no vet
// check sees through finding.Reason's two format strings.
func checkReasonTexts(t *testing.T, f graph.Findings) {
	t.Helper()
	seen := map[string]bool{}
	check := func(owner string, rs []graph.Reason) {
		for _, r := range rs {
			if seen[r.Code] {
				continue
			}
			if r.Text == "" || r.TextEN == "" || strings.Contains(r.Text, "%!") || strings.Contains(r.TextEN, "%!") {
				seen[r.Code] = true
				t.Errorf("%s: reason %s is malformed: %q / %q", owner, r.Code, r.Text, r.TextEN)
			}
		}
	}
	for _, r := range append(append([]graph.Ring(nil), f.Rings...), f.Leads...) {
		check(r.ID, r.Reasons)
	}
	for _, e := range f.Entities {
		check(e.ID, e.Reasons)
	}
}

func refsOf(rs []graph.Ring) [][]graph.Ref {
	out := make([][]graph.Ref, len(rs))
	for i, r := range rs {
		out[i] = r.Members
	}
	return out
}

// TestMergeRegions: region findings held whole by a cross-region finding of their kind give way
// to it, one finding per id, the stitching run's one-region findings are the regions' to report,
// and an entity keeps its highest risk.
func TestMergeRegions(t *testing.T) {
	pat := func(id string) graph.Ref { return graph.Ref{Type: graph.TypePatient, ID: id} }
	ring := func(id, kind string, regions []string, class string, ms ...graph.Ref) graph.Ring {
		return graph.Ring{ID: id, Kind: kind, Members: ms, Regions: regions, Class: class, ExpectedAmount: graph.Money(len(ms))}
	}
	a := graph.Findings{
		Rings:    []graph.Ring{ring("R1", graph.KindCardLending, nil, graph.ClassRing, pat("1"), pat("2")), ring("R2", graph.KindCollusionRing, nil, graph.ClassRing, pat("3"), pat("4"))},
		Entities: []graph.EntityRisk{{Type: graph.TypePatient, ID: "1", Score: 0.4}},
	}
	b := graph.Findings{
		Rings:    []graph.Ring{ring("R2", graph.KindCollusionRing, nil, graph.ClassRing, pat("3"), pat("4"))},
		Entities: []graph.EntityRisk{{Type: graph.TypePatient, ID: "1", Score: 0.7}},
	}
	st := graph.Findings{
		Rings: []graph.Ring{
			ring("X1", graph.KindCardLending, []string{"A", "B"}, graph.ClassRing, pat("1"), pat("2"), pat("9")),
			ring("X2", graph.KindCollusionRing, nil, graph.ClassRing, pat("7"), pat("8")),
		},
		Leads: []graph.Ring{ring("L1", graph.KindGhostHospitalization, []string{"A", "B"}, graph.ClassLead, pat("5"))},
	}
	out := mergeRegions([]graph.Findings{a, b}, &st)
	var ids []string
	for _, r := range append(out.Rings, out.Leads...) {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	if want := []string{"L1", "R2", "X1"}; !slices.Equal(ids, want) {
		t.Errorf("merged %v, want %v", ids, want)
	}
	if len(out.Entities) != 1 || out.Entities[0].Score != 0.7 {
		t.Errorf("entities %+v, want patient 1 at its highest risk 0.7", out.Entities)
	}
}

// blindScenario generates cfg's claims with the blind scenario generator, writes them as the
// input contract's CSV files to a temporary directory and opens it.
func blindScenario(tb testing.TB, cfg scenarios.Config) (*scenarios.Scenario, *ingest.Dir) {
	tb.Helper()
	s, err := scenarios.Generate(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if err := s.WriteDir(dir); err != nil {
		tb.Fatal(err)
	}
	src, err := ingest.OpenDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return s, src
}
