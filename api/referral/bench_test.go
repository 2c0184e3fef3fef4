package referral

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// largeCase is a ring case at the size bounds the API assembles: 40 patients, a doctor and a
// clinic, 50 claims per patient (2,000 claims, 12 pages of claims in the PDF), one node per party
// and claim in the subgraph.
func largeCase(patients, claimsPer int) Case {
	c := fixtureCase()
	c.Parties, c.Claims, c.Subgraph = nil, nil, graph.Subgraph{}
	clinic := graph.Ref{Type: graph.TypeInstitution, ID: "H53010200077"}
	doc := graph.Ref{Type: graph.TypeDoctor, ID: "D530102012345"}
	c.Parties = append(c.Parties, Party{Type: clinic.Type, ID: clinic.ID, Name: "某民营诊所"}, Party{Type: doc.Type, ID: doc.ID, Name: "李医生"})
	c.Subgraph.Nodes = append(c.Subgraph.Nodes, graph.Node{Ref: clinic, Label: "某民营诊所"}, graph.Node{Ref: doc, Label: "李医生"})
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	for p := 0; p < patients; p++ {
		pid := fmt.Sprintf("P%03d", p)
		pref := graph.Ref{Type: graph.TypePatient, ID: pid}
		c.Parties = append(c.Parties, Party{Type: graph.TypePatient, ID: pid, Name: fmt.Sprintf("王%d明", p), Sex: "M", Phone: fmt.Sprintf("1380000%04d", p), Address: "云南省昆明市五华区某路1号", Role: "参与人员"})
		c.Subgraph.Nodes = append(c.Subgraph.Nodes, graph.Node{Ref: pref, Label: fmt.Sprintf("王%d明", p)})
		for k := 0; k < claimsPer; k++ {
			id := fmt.Sprintf("C%03d%03d", p, k)
			c.Claims = append(c.Claims, graph.Claim{ID: id, PatientID: pid, ProviderID: clinic.ID, ProviderType: clinic.Type, DoctorID: doc.ID,
				Type: graph.ClaimOutpatient, Start: start.AddDate(0, 0, k*7).Add(time.Duration(p) * time.Minute), DiagnosisCode: "J06.9", TotalAmount: 123450, FundAmount: 98760})
			cref := graph.Ref{Type: graph.TypeClaim, ID: id}
			c.Subgraph.Nodes = append(c.Subgraph.Nodes, graph.Node{Ref: cref, Label: id})
			c.Subgraph.Edges = append(c.Subgraph.Edges, graph.Edge{From: pref, To: cref, Type: graph.RelFiled}, graph.Edge{From: cref, To: clinic, Type: graph.RelAt}, graph.Edge{From: cref, To: doc, Type: graph.RelTreatedBy})
		}
	}
	return c
}

// BenchmarkBuild measures a whole signed package (PDF, CSVs, GraphML, manifest) for a large ring
// case; docs/bench/referral.md records the figure.
func BenchmarkBuild(b *testing.B) {
	c := largeCase(40, 50)
	key := Ed25519Key(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	meta := Meta{ExportedBy: "chen", ExportedRole: "supervisor", ExportedAt: ts("2024-07-02 08:00"), Software: "ringtrace bench"}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if _, err := Build(&buf, c, meta, key); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/package")
}

// BenchmarkVerify measures verification of the same package.
func BenchmarkVerify(b *testing.B) {
	c := largeCase(40, 50)
	key := Ed25519Key(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	var buf bytes.Buffer
	if _, err := Build(&buf, c, Meta{ExportedBy: "chen", ExportedAt: ts("2024-07-02 08:00")}, key); err != nil {
		b.Fatal(err)
	}
	pkg := buf.Bytes()
	for b.Loop() {
		if _, err := Verify(bytes.NewReader(pkg), int64(len(pkg)), key.Public()); err != nil {
			b.Fatal(err)
		}
	}
}
