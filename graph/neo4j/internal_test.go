package neo4j

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ringtrace/ringtrace/graph"
)

// openWiped opens a store on RINGTRACE_NEO4J_URI and empties its database (skips without one).
func openWiped(t *testing.T) *Store {
	t.Helper()
	uri := os.Getenv("RINGTRACE_NEO4J_URI")
	if uri == "" {
		t.Skip("RINGTRACE_NEO4J_URI is not set: no Neo4j server to test against")
	}
	ctx := context.Background()
	s, err := Open(ctx, Config{URI: uri, User: os.Getenv("RINGTRACE_NEO4J_USER"),
		Password: os.Getenv("RINGTRACE_NEO4J_PASSWORD"), Database: os.Getenv("RINGTRACE_NEO4J_DATABASE")})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db})
	defer sess.Close(ctx)
	// Relationships first, then the bare nodes: DETACH DELETE in batches of 10,000 nodes failed
	// with MemoryPoolOutOfMemoryError (dbms.memory.transaction.total.max, 1 GiB) on a graph
	// left by the 1,000,000-claim benchmark; a batch of nodes can hold dense institutions,
	// pharmacies and terminals with thousands of relationships each.
	for _, q := range []string{
		"MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
		"MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
	} {
		res, err := sess.Run(ctx, q, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			t.Fatalf("wipe: %v", err)
		}
	}
	return s
}

// TestSmallChunksAndPages shrinks the statement chunk and the scan page so that a small batch
// crosses their boundaries: a batch split over several statements must still be one atomic,
// correct write, and a scan over several pages must see every record once, in order.
func TestSmallChunksAndPages(t *testing.T) {
	s := openWiped(t)
	oldChunk, oldPage := chunkRows, scanPage
	chunkRows, scanPage = 3, 4
	t.Cleanup(func() { chunkRows, scanPage = oldChunk, oldPage })
	ctx := context.Background()

	is := []graph.Institution{{ID: "H1", Name: "一院"}, {ID: "H2", Name: "二院"}}
	must(t, s.PutInstitutions(ctx, is))
	var ps []graph.Patient
	for i := range 11 {
		ps = append(ps, graph.Patient{ID: fmt.Sprintf("U%02d", i), Name: fmt.Sprintf("患者%d", i), Phone: fmt.Sprintf("139%d", i%4)})
	}
	// A repeated id inside one batch: the last record wins.
	ps = append(ps, graph.Patient{ID: "U03", Name: "改名", Phone: "1399"})
	must(t, s.PutPatients(ctx, ps))
	var cs []graph.Claim
	for i := range 10 {
		cs = append(cs, graph.Claim{ID: fmt.Sprintf("C%02d", i), PatientID: fmt.Sprintf("U%02d", i), ProviderID: is[i%2].ID,
			ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient, Start: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC),
			TerminalID: "T1", TotalAmount: graph.Money(100 * i)})
	}
	must(t, s.PutClaims(ctx, cs))
	var items []graph.ClaimItem
	for seq := 12; seq >= 1; seq-- { // Seq 10 must sort after 9, not after 1
		items = append(items, graph.ClaimItem{ClaimID: "C01", Seq: seq, ItemName: "药", Amount: graph.Money(seq)})
	}
	items = append(items, graph.ClaimItem{ClaimID: "C00", Seq: 1})
	must(t, s.PutClaimItems(ctx, items))

	c, err := s.Counts(ctx)
	must(t, err)
	wantNodes := map[graph.EntityType]int64{graph.TypePatient: 11, graph.TypeInstitution: 2, graph.TypeClaim: 10,
		graph.TypePhone: 5, graph.TypeTerminal: 2, graph.TypeDoctor: 0, graph.TypePharmacy: 0, graph.TypeAddress: 0}
	for typ, n := range wantNodes {
		if c.Nodes[typ] != n {
			t.Errorf("nodes[%s] = %d, want %d", typ, c.Nodes[typ], n)
		}
	}
	if c.Relationships[graph.RelFiled] != 10 || c.Relationships[graph.RelAt] != 10 || c.Relationships[graph.RelHasPhone] != 11 {
		t.Errorf("relationships = %v, want 10 FILED, 10 AT, 11 HAS_PHONE", c.Relationships)
	}
	p, err := s.Patient(ctx, "U03")
	must(t, err)
	if p.Name != "改名" || p.Phone != "1399" {
		t.Errorf("U03 = %+v, want the last record of the batch", p)
	}

	var ids []string
	must(t, s.ScanPatients(ctx, func(p graph.Patient) error { ids = append(ids, p.ID); return nil }))
	if len(ids) != 11 || !slices.IsSorted(ids) {
		t.Errorf("ScanPatients over pages of 4 = %v, want 11 ids in order", ids)
	}
	var seqs []int
	must(t, s.ScanClaimItems(ctx, func(it graph.ClaimItem) error {
		if it.ClaimID == "C01" {
			seqs = append(seqs, it.Seq)
		}
		return nil
	}))
	if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; !slices.Equal(seqs, want) {
		t.Errorf("ScanClaimItems seqs of C01 = %v, want %v", seqs, want)
	}
	got, total, err := s.Claims(ctx, graph.ClaimQuery{Party: graph.Ref{Type: graph.TypeInstitution, ID: "H2"}, Offset: 1, Limit: 2})
	must(t, err)
	if total != 5 || len(got) != 2 || got[0].ID != "C03" || got[1].ID != "C05" {
		t.Errorf("Claims(H2, offset 1, limit 2) = %v total %d, want C03 C05 of 5", got, total)
	}
}

// TestConcurrentFirstInsert writes the same new claims from two goroutines at once. Both may
// see "none exists" and take the CREATE path; the loser must be rejected by the uniqueness
// constraint and redo its batch with MERGE, leaving one node and one relationship set per claim.
func TestConcurrentFirstInsert(t *testing.T) {
	s := openWiped(t)
	ctx := context.Background()
	must(t, s.PutInstitutions(ctx, []graph.Institution{{ID: "H1"}}))
	var ps []graph.Patient
	var cs []graph.Claim
	for i := range 200 {
		ps = append(ps, graph.Patient{ID: fmt.Sprintf("U%03d", i)})
		cs = append(cs, graph.Claim{ID: fmt.Sprintf("C%03d", i), PatientID: fmt.Sprintf("U%03d", i), ProviderID: "H1",
			ProviderType: graph.TypeInstitution, TerminalID: "T1"})
	}
	must(t, s.PutPatients(ctx, ps))
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				batch := slices.Clone(cs)
				for i := range batch {
					batch[i].ID = fmt.Sprintf("R%d-%s", round, batch[i].ID)
				}
				errs[w] = s.PutClaims(ctx, batch)
			}()
		}
		wg.Wait()
		for w, err := range errs {
			if err != nil {
				t.Errorf("round %d writer %d: %v", round, w, err)
			}
		}
	}
	c, err := s.Counts(ctx)
	must(t, err)
	if c.Nodes[graph.TypeClaim] != 600 || c.Relationships[graph.RelFiled] != 600 || c.Relationships[graph.RelAt] != 600 ||
		c.Relationships[graph.RelOnTerminal] != 600 || c.Nodes[graph.TypeTerminal] != 1 {
		t.Errorf("after concurrent inserts: nodes %v relationships %v, want 600 claims with one FILED, AT, ON_TERMINAL each and 1 terminal",
			c.Nodes, c.Relationships)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
