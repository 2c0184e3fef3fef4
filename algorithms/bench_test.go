package algorithms

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// benchDataset builds a loaded dataset directly in columns (no scanner, no strings per claim):
// n patients with about ten claims each over one year at institutions (10 doctors each, one per
// 4,000 patients) and pharmacies (one per 2,500 patients), with a home provider bias, plus a
// few planted rings, so that the benchmark measures detection after loading.
func benchDataset(n int, seed uint64) *dataset {
	r := rand.New(rand.NewPCG(seed, 99))
	d := &dataset{
		pat: newInterner(), prov: newInterner(), doc: newInterner(),
		regions: newInterner(), levels: newInterner(), phones: newInterner(), addrs: newInterner(),
		diags: newInterner(), terms: newInterner(),
	}
	nInst := max(4, n/4000)
	nPharm := max(2, n/2500)
	levels := []string{"三级甲等", "二级甲等", "社区卫生服务中心", "诊所"}
	for i := 0; i < nInst; i++ {
		pv := d.provider(fmt.Sprintf("H%06d", i), provInstitution)
		d.provOwn[pv] = int8(i % 3 / 2) // one in three private
		d.provLevel[pv] = d.levels.id(levels[i%4])
		d.provRegion[pv] = d.regions.id(fmt.Sprintf("53%02d00", i%8))
		for j := 0; j < 10; j++ {
			di := d.doc.id(fmt.Sprintf("D%06d%d", i, j))
			d.docInst = append(d.docInst, pv)
			_ = di
		}
	}
	for i := 0; i < nPharm; i++ {
		pv := d.provider(fmt.Sprintf("P%06d", i), provPharmacy)
		d.provRegion[pv] = d.regions.id(fmt.Sprintf("53%02d00", i%8))
	}
	codes := []string{"J06.9", "I10", "E11.9", "K29.7", "M54.5", "J20.9", "H10.9", "L30.9", "R50.9", "A09", "I25.1", "M17.9"}
	for _, c := range codes {
		d.diags.id(c)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := 0; i < n; i++ {
		sex := "M"
		if i%2 == 1 {
			sex = "F"
		}
		pt := d.addPatient(graph.Patient{ID: strconv.Itoa(1_000_000_000 + i), Sex: sex,
			BirthDate: time.Date(1940+i%70, time.Month(1+i%12), 1, 0, 0, 0, 0, time.UTC), Region: "530100",
			Phone: strconv.Itoa(13_900_000_000 + i/3), Address: strconv.Itoa(i / 3)})
		home := int32(r.IntN(nInst))
		pharm := int32(nInst + r.IntN(nPharm))
		for k := 0; k < 4+r.IntN(13); k++ {
			pv := home
			if r.IntN(3) == 0 {
				pv = int32(r.IntN(nInst))
			}
			ct := ctOutpatient
			doc := pv*10 + int32(r.IntN(10))
			if r.IntN(4) == 0 {
				pv, ct, doc = pharm, ctPharmacy, -1
			}
			t := start + int64(r.IntN(365))*secondsPerDay + int64(8*3600+r.IntN(10*3600))
			amt := int64(math.Exp(r.NormFloat64()*0.5) * 15000)
			d.cPat = append(d.cPat, pt)
			d.cProv = append(d.cProv, pv)
			d.cDoc = append(d.cDoc, doc)
			d.cType = append(d.cType, ct)
			d.cStart = append(d.cStart, t)
			d.cEnd = append(d.cEnd, 0)
			d.cDiag = append(d.cDiag, int32(r.IntN(len(codes))))
			d.cTotal = append(d.cTotal, amt)
			d.cFund = append(d.cFund, amt*7/10)
			d.cTerm = append(d.cTerm, -1)
		}
	}
	// Rings: groups of 8 brought to a private institution's doctor on 8 days, inflated.
	for g := 0; g < n/2000; g++ {
		pv := int32(3*r.IntN(nInst/3) + 2)
		doc := pv*10 + int32(r.IntN(10))
		base := r.IntN(n - 8)
		for day := 0; day < 8; day++ {
			t := start + int64(r.IntN(365))*secondsPerDay + 9*3600
			for m := 0; m < 8; m++ {
				d.cPat = append(d.cPat, int32(base+m))
				d.cProv = append(d.cProv, pv)
				d.cDoc = append(d.cDoc, doc)
				d.cType = append(d.cType, ctOutpatient)
				d.cStart = append(d.cStart, t+int64(m*300))
				d.cEnd = append(d.cEnd, 0)
				d.cDiag = append(d.cDiag, 4)
				d.cTotal = append(d.cTotal, 45000)
				d.cFund = append(d.cFund, 31500)
				d.cTerm = append(d.cTerm, -1)
			}
		}
	}
	d.has.sex, d.has.birth, d.has.region, d.has.phone, d.has.addr, d.has.ownership = true, true, true, true, true, true
	d.has.level, d.has.doctor, d.has.diag, d.has.pharmacy = true, true, true, true
	d.index()
	return d
}

// BenchmarkDetectLoaded measures detection after loading: 10,000 patients by default,
// RINGTRACE_BENCH_PATIENTS=1000000 for the scale (about 10 million claims).
func BenchmarkDetectLoaded(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("RINGTRACE_BENCH_PATIENTS")); err == nil && v > 0 {
		n = v
	}
	d := benchDataset(n, 1)
	b.ReportMetric(float64(d.nClaims()), "claims")
	b.ResetTimer()
	for range b.N {
		f, err := detectLoaded(context.Background(), d, DefaultParams(), &progressMeter{})
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Rings) == 0 {
			b.Fatal("no rings found")
		}
	}
}

func TestBenchDatasetFindsRings(t *testing.T) {
	d := benchDataset(20000, 3)
	f, err := detectLoaded(context.Background(), d, DefaultParams(), &progressMeter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range f.Rings {
		if r.Kind == graph.KindCollusionRing {
			n++
		}
	}
	// Ten groups are planted on 50 doctors; groups sharing a doctor are reported together.
	if n < 5 {
		t.Errorf("%d collusion rings found, want at least 5 for the 10 planted groups", n)
	}
}
