package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

// discardSink accepts every write and knows nothing earlier: it isolates the loader's own cost.
type discardSink struct{}

func (discardSink) PutPatients(context.Context, []graph.Patient) error         { return nil }
func (discardSink) PutInstitutions(context.Context, []graph.Institution) error { return nil }
func (discardSink) PutPharmacies(context.Context, []graph.Pharmacy) error      { return nil }
func (discardSink) PutDoctors(context.Context, []graph.Doctor) error           { return nil }
func (discardSink) PutClaims(context.Context, []graph.Claim) error             { return nil }
func (discardSink) PutClaimItems(context.Context, []graph.ClaimItem) error     { return nil }
func (discardSink) Exists(_ context.Context, refs []graph.Ref) ([]bool, error) {
	return make([]bool, len(refs)), nil
}

// writeBenchDir writes a deterministic export of patients patients and claims claims (and one
// item per claim) shaped like a city bureau's export: 18-digit claim ids, quoted amounts with
// thousands separators on large claims, Chinese claim types.
func writeBenchDir(tb testing.TB, dir string, patients, claims int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	write := func(name string, fill func(w *strings.Builder)) {
		var b strings.Builder
		fill(&b)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	write("patients.csv", func(b *strings.Builder) {
		b.WriteString("patient_id,name,sex,birth_date,region,phone,address,death_date\n")
		for i := range patients {
			fmt.Fprintf(b, "53010%011d,张%d,%s,19%02d-%02d-%02d,530100,138%08d,昆明市五华区%d号,\n", i, i, []string{"男", "女"}[i%2], 30+i%70, 1+i%12, 1+i%28, i, i%5000)
		}
	})
	write("institutions.csv", func(b *strings.Builder) {
		b.WriteString("institution_id,name,level,ownership,region\n")
		for i := range 100 {
			fmt.Fprintf(b, "H5301%07d,医院%d,二级,公立,530100\n", i, i)
		}
	})
	write("pharmacies.csv", func(b *strings.Builder) {
		b.WriteString("pharmacy_id,name,region\n")
		for i := range 100 {
			fmt.Fprintf(b, "P5301%07d,药店%d,530100\n", i, i)
		}
	})
	write("doctors.csv", func(b *strings.Builder) {
		b.WriteString("doctor_id,name,institution_id,department\n")
		for i := range 1000 {
			fmt.Fprintf(b, "D5301%08d,医生%d,H5301%07d,内科\n", i, i, i%100)
		}
	})
	write("claims.csv", func(b *strings.Builder) {
		b.WriteString("claim_id,patient_id,provider_id,doctor_id,claim_type,start_time,end_time,diagnosis_code,total_amount,fund_amount,terminal_id\n")
		for i := range claims {
			p := rng.IntN(patients)
			amt := rng.IntN(2_000_000)
			if i%3 == 0 {
				fmt.Fprintf(b, "5301%014d,53010%011d,P5301%07d,,购药,2024-%02d-%02d %02d:%02d:%02d,,,%d.%02d,%d.%02d,T%02d\n",
					i, p, rng.IntN(100), 1+i%12, 1+i%28, 8+i%10, i%60, i%60, amt/100, amt%100, amt/200, amt%100, i%10)
				continue
			}
			fmt.Fprintf(b, "5301%014d,53010%011d,H5301%07d,D5301%08d,门诊,2024-%02d-%02d %02d:%02d:%02d,,J06.9,\"%s\",%d.%02d,\n",
				i, p, rng.IntN(100), rng.IntN(1000), 1+i%12, 1+i%28, 8+i%10, i%60, i%60, thousands(amt), amt/200, amt%100)
		}
	})
	write("claim_items.csv", func(b *strings.Builder) {
		b.WriteString("claim_id,item_code,item_name,category,quantity,unit_price,amount\n")
		for i := range claims {
			fmt.Fprintf(b, "5301%014d,XA02BCA010E001,奥美拉唑肠溶胶囊,西药,2,10.50,21.00\n", i)
		}
	})
}

func thousands(fen int) string {
	y := fmt.Sprint(fen / 100)
	var b strings.Builder
	for i, c := range y {
		if i > 0 && (len(y)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s.%02d", b.String(), fen%100)
}

// BenchmarkLoadDiscard measures the loader end to end without a store: read, decode, split,
// convert, check references, batch. Reported as claim rows per second.
//
// RINGTRACE_BENCH_DATA=DIR runs it on an existing export instead (e.g. `ringtrace generate`
// output); claims are then counted from the summary.
func BenchmarkLoadDiscard(b *testing.B) {
	dir := os.Getenv("RINGTRACE_BENCH_DATA")
	if dir == "" {
		dir = b.TempDir()
		writeBenchDir(b, dir, 20_000, 200_000)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var claims, rows int64
	for b.Loop() {
		s, err := Load(context.Background(), dir, discardSink{}, Options{})
		if err != nil {
			b.Fatalf("load: %v", err)
		}
		f, _ := s.File("claims.csv")
		claims += f.Read
		for _, f := range s.Files {
			rows += f.Read
		}
	}
	b.ReportMetric(float64(claims)/b.Elapsed().Seconds(), "claims/s")
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkParseClaim(b *testing.B) {
	header := strings.Split("claim_id,patient_id,provider_id,doctor_id,claim_type,start_time,end_time,diagnosis_code,total_amount,fund_amount,terminal_id", ",")
	lay, err := resolveHeader(specs[kindClaims], header, nil)
	if err != nil {
		b.Fatal(err)
	}
	line := `530100000000012345,5301000000012345,H53010000042,D530100000123,门诊,2024-03-05 09:31:00,,J06.9,"1,234.50",617.25,`
	var spans []span
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		spans, out, _ = splitRecord(spans, out, []byte(line), ',')
		rec := record{line: 2, text: string(out), spans: spans}
		if _, e := lay.parseClaim(&rec); e != nil {
			b.Fatal(e.detail)
		}
	}
}

func BenchmarkParseTime(b *testing.B) {
	for b.Loop() {
		if _, err := parseTime("2024-03-05 09:31:00"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMoney(b *testing.B) {
	for b.Loop() {
		if _, err := parseMoney("1,234.50"); err != nil {
			b.Fatal(err)
		}
	}
}

// claimsCSV returns a claims file of n rows in the benchmark shape.
func claimsCSV(b *testing.B, n int) []byte {
	b.Helper()
	dir := b.TempDir()
	writeBenchDir(b, dir, 1000, n)
	data, err := os.ReadFile(filepath.Join(dir, "claims.csv"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkReadRecords is the CSV row reader on a claims file; BenchmarkReadRecordsEncodingCSV
// is the simple way (encoding/csv with ReuseRecord, plus the string copy the loader needs) on the
// same bytes, for the ratio in docs/bench/ingest.md.
func BenchmarkReadRecords(b *testing.B) {
	data := claimsCSV(b, 100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rr := newRecordReader(bytes.NewReader(data), ',', true)
		n := 0
		for {
			rec, err := rr.next()
			if err != nil {
				break
			}
			n += len(rec.spans)
		}
		if n == 0 {
			b.Fatal("no fields")
		}
	}
}

func BenchmarkReadRecordsEncodingCSV(b *testing.B) {
	data := claimsCSV(b, 100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		r.FieldsPerRecord = -1
		n := 0
		for {
			rec, err := r.Read()
			if err != nil {
				break
			}
			n += len(rec)
		}
		if n == 0 {
			b.Fatal("no fields")
		}
	}
}

// BenchmarkDirScanClaims streams every claim of an export through Dir (first pass: index of the
// parties and claims; second pass: delivery). RINGTRACE_BENCH_DATA=DIR selects the export;
// without it the benchmark's own 200,000-claim export is used.
func BenchmarkDirScanClaims(b *testing.B) {
	dir := os.Getenv("RINGTRACE_BENCH_DATA")
	if dir == "" {
		dir = b.TempDir()
		writeBenchDir(b, dir, 20_000, 200_000)
	}
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		d, err := OpenDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.ScanClaims(context.Background(), func(graph.Claim) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	if n == 0 {
		b.Fatal("no claims")
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "claims/s")
}
