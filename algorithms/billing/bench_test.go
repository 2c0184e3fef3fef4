package billing

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// benchSource makes n claims of 3 lines each over n/10 patients, cycling through the sample
// catalogue's codes so that every rule is evaluated.
func benchSource(n int) memSource {
	codes := []string{"250101", "250102", "250199", "311201", "311301", "XB01", "PED1", "UNLISTED"}
	m := memSource{}
	for i := range max(n/10, 1) {
		sex := "M"
		if i%2 == 1 {
			sex = "F"
		}
		m.patients = append(m.patients, graph.Patient{ID: fmt.Sprintf("PT%07d", i), Sex: sex, BirthDate: time.Date(1950+i%70, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	for i := range n {
		id := fmt.Sprintf("C%08d", i)
		m.claims = append(m.claims, graph.Claim{ID: id, PatientID: fmt.Sprintf("PT%07d", i%len(m.patients)), ProviderID: fmt.Sprintf("H%03d", i%300),
			ProviderType: graph.TypeInstitution, Start: time.Date(2025, 1, 1+i%365, 9, 0, 0, 0, china)})
		for s := range 3 {
			m.items = append(m.items, graph.ClaimItem{ClaimID: id, Seq: s + 1, ItemCode: codes[(i+s)%len(codes)], Quantity: 1, UnitPrice: 2500, Amount: 2500})
		}
	}
	return m
}

func BenchmarkAudit(b *testing.B) {
	rs, err := Load("testdata/rules")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10_000, 100_000} {
		src := benchSource(n)
		b.Run(fmt.Sprintf("claims=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Audit(context.Background(), src, rs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(3*n), "ns/line")
		})
	}
}
