package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fieldsOf returns the untrimmed fields of a record.
func fieldsOf(r *record) []string {
	out := make([]string, len(r.spans))
	for i, s := range r.spans {
		out[i] = r.text[s.lo:s.hi]
	}
	return out
}

func readAll(t testing.TB, in string) []*record {
	t.Helper()
	rr := newRecordReaderSize(strings.NewReader(in), ',', true, 64)
	var out []*record
	for {
		r, err := rr.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		c := *r
		c.spans = slices.Clone(r.spans)
		c.raw = bytes.Clone(r.raw)
		out = append(out, &c)
	}
}

func TestRecordReader(t *testing.T) {
	in := "a,b,c\r\n" +
		"1,\"x,y\",3\n" +
		"\n" +
		"2,\"he said \"\"hi\"\"\",4\n" +
		"3,\"multi\r\nline\",5\n" +
		"4,bare\"quote,6\n" +
		"5,\"never closed,7\n" +
		"6,after,8"
	recs := readAll(t, in)
	want := []struct {
		line   int
		fields []string
		broken bool
	}{
		{1, []string{"a", "b", "c"}, false},
		{2, []string{"1", "x,y", "3"}, false},
		{4, []string{"2", `he said "hi"`, "4"}, false},
		{5, []string{"3", "multi\nline", "5"}, false},
		{7, []string{"4", `bare"quote`, "6"}, false},
		{8, nil, true},
		{9, []string{"6", "after", "8"}, false},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i, w := range want {
		r := recs[i]
		if r.line != w.line || (r.broken != "") != w.broken || (!w.broken && !slices.Equal(fieldsOf(r), w.fields)) {
			t.Errorf("record %d: line %d fields %q broken %q; want line %d fields %q broken %v", i, r.line, fieldsOf(r), r.broken, w.line, w.fields, w.broken)
		}
	}
	// Offsets locate each record's bytes in the stream (Dir re-reads records by offset).
	for _, r := range recs {
		if r.broken != "" {
			continue
		}
		if got := string(recordBytes([]byte(in[r.off : r.off+int64(r.size)]))); got != string(r.raw) {
			t.Errorf("record at line %d: bytes at offset %d = %q, raw %q", r.line, r.off, got, r.raw)
		}
	}
	if recs[5].rawString() != `5,"never closed,7` {
		t.Errorf("broken raw = %q", recs[5].rawString())
	}
	if got := recs[1].rawString(); got != `1,"x,y",3` {
		t.Errorf("raw of quoted record = %q", got)
	}
}

func TestRecordReaderLongLine(t *testing.T) {
	long := strings.Repeat("x", 64*2+17)
	recs := readAll(t, "a,b\n1,"+long+"\n2,y\n")
	if len(recs) != 3 || fieldsOf(recs[1])[1] != long || recs[2].line != 3 {
		t.Fatalf("long line not read whole: %d records", len(recs))
	}
}

// FuzzParseRow checks the CSV row parser two ways: any bytes fed to the reader and converted as
// claims rows never panic, produce strictly increasing line numbers and either a claim or a
// typed reject; and any fields written by encoding/csv read back unchanged.
//
// CI: go test ./ingest -run '^$' -fuzz '^FuzzParseRow$' -fuzztime=20s
func FuzzParseRow(f *testing.F) {
	seeds := []string{
		"c1,p1,H1,D1,门诊,2024-03-05 09:31,,J06.9,\"1,234.50\",800,T1",
		"c2,p2,P1,,购药,2024/3/5,,,12.5,10,",
		"c3,p3,H1,D1,住院,20240305,20240310,I10,-5,0,",
		"\"c4\",\"p\"\"4\",H1,D1,outpatient,2024-03-05T09:31:00,,,\"multi\nline\",1,T",
		"c5,p5,H1",
		"c6,\"unterminated,H1,D1,门诊,2024-03-05,,,1,1,",
		"\xc4\xe3\xba\xc3,p6,H1,D1,门诊,2024-03-05,,,1,1,",
		",,,,,,,,,,",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	header := strings.Split("claim_id,patient_id,provider_id,doctor_id,claim_type,start_time,end_time,diagnosis_code,total_amount,fund_amount,terminal_id", ",")
	lay, err := resolveHeader(specs[kindClaims], header, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rr := newRecordReaderSize(bytes.NewReader(data), ',', true, 64)
		last := 0
		for {
			rec, err := rr.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("next: %v", err)
			}
			if rec.line <= last {
				t.Fatalf("line %d after %d", rec.line, last)
			}
			last = rec.line
			if rec.broken == "" && utf8.Valid(data) {
				if end := rec.off + int64(rec.size); rec.off < 0 || end > int64(len(data)) || !bytes.Equal(recordBytes(data[rec.off:end]), rec.raw) {
					t.Fatalf("record at line %d: offset %d size %d do not locate its raw bytes %q", rec.line, rec.off, rec.size, rec.raw)
				}
			}
			c, e := lay.parseClaim(rec)
			if e == nil {
				if c.ID == "" || c.PatientID == "" || c.ProviderID == "" || c.Type == "" || c.Start.IsZero() || c.TotalAmount < 0 || c.FundAmount < 0 {
					t.Fatalf("accepted an invalid claim %+v", c)
				}
			} else if e.reason == "" {
				t.Fatalf("reject without reason")
			}
		}
		if bytes.Count(data, []byte("\n"))+1 < last {
			t.Fatalf("line %d beyond the input's line count", last)
		}

		// Round trip: split the input into fields, write them as CSV, read them back. Input that
		// is not UTF-8 is decoded as GB18030 by design, so it cannot round-trip byte for byte.
		if !utf8.Valid(data) {
			return
		}
		fields := strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\x00")
		if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
			return
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write(fields); err != nil {
			return
		}
		w.Flush()
		recs := readAll(t, buf.String())
		if len(recs) != 1 || recs[0].broken != "" || !slices.Equal(fieldsOf(recs[0]), fields) {
			var got []string
			if len(recs) > 0 {
				got = fieldsOf(recs[0])
			}
			t.Fatalf("round trip of %q via %q: got %d records, first %q", fields, buf.String(), len(recs), got)
		}
	})
}

func BenchmarkSplitRecord(b *testing.B) {
	rec := []byte(`C530102202403050000123,P5301020000456789,H53010200001,D530102012345,门诊,2024-03-05 09:31:00,,J06.900,"1,234.50",864.15,T0001`)
	var spans []span
	var out []byte
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		spans, out, _ = splitRecord(spans, out, rec, ',')
	}
}
