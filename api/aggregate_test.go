package api

import (
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/graph"
)

// An aggregated edge dates its claims by the day they were settled in China: a claim at 00:30 on
// 1 April Beijing time (31 March in UTC) is first on 2024-04-01.
func TestAggregatedEdgeDatesAreChinaDays(t *testing.T) {
	a := newClaimAggregate()
	pat := graph.Ref{Type: graph.TypePatient, ID: "PT1"}
	prov := graph.Ref{Type: graph.TypePharmacy, ID: "P1"}
	a.addClaim(graph.Claim{ID: "C1", PatientID: pat.ID, ProviderType: prov.Type, ProviderID: prov.ID, Start: time.Date(2024, 3, 31, 16, 30, 0, 0, time.UTC), FundAmount: 10})
	a.addClaim(graph.Claim{ID: "C2", PatientID: pat.ID, ProviderType: prov.Type, ProviderID: prov.ID, Start: time.Date(2024, 11, 30, 15, 59, 0, 0, time.UTC), FundAmount: 5})
	g := graph.Subgraph{Nodes: []graph.Node{{Ref: pat}, {Ref: prov}}}
	m, err := masking.NewMasker([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	full := map[graph.Ref]bool{pat: true}
	out := subgraphViewOf(masking.NewViewer(m, full), g, a.among(map[graph.Ref]bool{pat: true, prov: true}), nil, 0)
	if len(out.Edges) != 1 {
		t.Fatalf("edges: %+v", out.Edges)
	}
	e := out.Edges[0]
	if e.First != "2024-04-01" || e.Last != "2024-11-30" || e.Claims != 2 || *e.Fund != 15 {
		t.Fatalf("edge %+v: want 2 claims ¥15 from 2024-04-01 to 2024-11-30", e)
	}
}
