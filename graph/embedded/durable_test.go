package embedded_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

// TestReopen checks that data and counters survive Close/Open, and that re-putting the same
// claims after a reopen is an upsert (the claim filter is rebuilt from disk, not reset).
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	g := newSynth(2000, 3)
	if err := loadSynth(ctx, s, g, 20_000); err != nil {
		t.Fatal(err)
	}
	before, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); graph.ErrorCode(err) != graph.EUNAVAILABLE {
		t.Errorf("Ping after Close = %v, want EUNAVAILABLE", err)
	}
	if _, err := s.Node(ctx, graph.Ref{Type: graph.TypePatient, ID: patientID(1)}); graph.ErrorCode(err) != graph.EUNAVAILABLE {
		t.Errorf("Node after Close = %v, want EUNAVAILABLE", err)
	}

	s, err = embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range graph.EntityTypes {
		if before.Nodes[typ] != after.Nodes[typ] {
			t.Errorf("nodes[%s]: %d before close, %d after open", typ, before.Nodes[typ], after.Nodes[typ])
		}
	}
	if after.Nodes[graph.TypeClaim] != 20_000 || after.Nodes[graph.TypePatient] != 2000 {
		t.Errorf("counts after reopen = %v", after.Nodes)
	}
	// Same generator, same seed: the same claims again.
	g2 := newSynth(2000, 3)
	if err := loadSynth(ctx, s, g2, 20_000); err != nil {
		t.Fatal(err)
	}
	again, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range graph.RelTypes {
		if again.Relationships[rel] != before.Relationships[rel] {
			t.Errorf("relationships[%s]: %d, want %d after re-load", rel, again.Relationships[rel], before.Relationships[rel])
		}
	}
	if again.Nodes[graph.TypeClaim] != 20_000 {
		t.Errorf("claims after re-load = %d, want 20000", again.Nodes[graph.TypeClaim])
	}
	c, err := s.Claim(ctx, claimID(12345))
	if err != nil {
		t.Fatal(err)
	}
	if want := newSynthClaim(3, 2000, 12345); c.PatientID != want.PatientID || !c.Start.Equal(want.Start) {
		t.Errorf("claim after reopen = %+v, want %+v", c, want)
	}
}

// newSynthClaim regenerates claim i of a synth with the given seed.
func newSynthClaim(seed uint64, patients, i int) graph.Claim {
	g := newSynth(patients, seed)
	var c graph.Claim
	for j := 0; j <= i; j++ {
		c = g.claim(j)
	}
	return c
}

// TestConcurrentReaders runs readers against a writer; run with -race to check the locking.
func TestConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	s, err := embedded.OpenWith(t.TempDir(), embedded.Options{CacheBytes: 8 << 20, MemTableBytes: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := newSynth(500, 5)
	if err := g.loadParties(ctx, s, 100); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]graph.Claim, 0, 500)
		for i := 0; i < 10; i++ {
			buf = g.claimBatch(buf, i*500)
			if err := s.PutClaims(ctx, buf); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				p := graph.Ref{Type: graph.TypePatient, ID: patientID((r*50 + i) % 500)}
				sg, err := s.Neighbourhood(ctx, p, graph.NeighbourhoodQuery{Depth: 2, Limit: 100})
				if err != nil {
					t.Error(err)
					return
				}
				if len(sg.Nodes) == 0 || sg.Nodes[0].Ref != p {
					t.Errorf("neighbourhood of %v starts with %v", p, sg.Nodes)
					return
				}
				if _, err := s.Counts(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}(r)
	}
	wg.Wait()
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Nodes[graph.TypeClaim] != 5000 || c.Relationships[graph.RelFiled] != 5000 {
		t.Errorf("after concurrent load: claims %d, FILED %d, want 5000", c.Nodes[graph.TypeClaim], c.Relationships[graph.RelFiled])
	}
}

// TestRejectsNUL checks that ids with a NUL byte, which the key layout uses as a terminator,
// are refused as invalid input rather than stored under a corrupted key.
func TestRejectsNUL(t *testing.T) {
	s := openTemp(t)
	err := s.PutPatients(context.Background(), []graph.Patient{{ID: "a\x00b"}})
	if graph.ErrorCode(err) != graph.EINVALID || graph.ErrorField(err) != "id" {
		t.Errorf("PutPatients(NUL id) = %v, want EINVALID id", err)
	}
	err = s.PutClaims(context.Background(), []graph.Claim{{ID: "c", PatientID: "p", ProviderID: "h", ProviderType: graph.TypeInstitution, TerminalID: "t\x00"}})
	if graph.ErrorCode(err) != graph.EINVALID || graph.ErrorField(err) != "terminal_id" {
		t.Errorf("PutClaims(NUL terminal) = %v, want EINVALID terminal_id", err)
	}
}

// TestOpenEmptyDir checks the error for a missing directory argument.
func TestOpenEmptyDir(t *testing.T) {
	if _, err := embedded.Open(""); graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("Open(\"\") = %v, want EINVALID", err)
	}
}

// TestFormatStamp checks that a store is stamped with its format at creation and reopens.
func TestFormatStamp(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		s, err := embedded.Open(dir)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if err := s.PutInstitutions(context.Background(), []graph.Institution{{ID: "H1"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReopenPatientUpsert checks that the patient and derived-node filters, rebuilt on Open, do
// not hide stored records: a patient re-put with a new phone after a reopen moves the phone.
func TestReopenPatientUpsert(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := graph.Patient{ID: "5301000000000001", Name: "甲", Phone: "13800000001", Address: "昆明市一号"}
	q := graph.Patient{ID: "5301000000000002", Name: "乙", Phone: "13800000001", Address: "昆明市一号"}
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutPatients(ctx, []graph.Patient{p, q}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = embedded.Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p.Phone = "13800000002"
	q.Phone = "13800000002"
	if err := s.PutPatients(ctx, []graph.Patient{p}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Nodes[graph.TypePatient] != 2 || c.Nodes[graph.TypePhone] != 2 || c.Relationships[graph.RelHasPhone] != 2 || c.Nodes[graph.TypeAddress] != 1 {
		t.Fatalf("after moving one patient's phone: %v %v", c.Nodes, c.Relationships)
	}
	if err := s.PutPatients(ctx, []graph.Patient{q}); err != nil {
		t.Fatal(err)
	}
	if c, err = s.Counts(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Nodes[graph.TypePatient] != 2 || c.Nodes[graph.TypePhone] != 1 || c.Relationships[graph.RelHasPhone] != 2 {
		t.Fatalf("after moving both: %v %v", c.Nodes, c.Relationships)
	}
	if _, err := s.Node(ctx, graph.Ref{Type: graph.TypePhone, ID: "13800000001"}); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("old phone after both moved: %v, want ENOTFOUND", err)
	}
}
