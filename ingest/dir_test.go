package ingest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

// scanDir collects everything a Dir delivers into a memSink, checking id order on the way.
func scanDir(t *testing.T, d *Dir) *memSink {
	t.Helper()
	ctx := context.Background()
	m := newMemSink()
	var last string
	order := func(kind, id string) {
		if id < last {
			t.Errorf("%s %s delivered after %s: not in id order", kind, id, last)
		}
		last = id
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.ScanPatients(ctx, func(p graph.Patient) error { order("patient", p.ID); m.patients[p.ID] = p; return nil }))
	last = ""
	must(d.ScanInstitutions(ctx, func(p graph.Institution) error { order("institution", p.ID); m.insts[p.ID] = p; return nil }))
	last = ""
	must(d.ScanPharmacies(ctx, func(p graph.Pharmacy) error { order("pharmacy", p.ID); m.pharms[p.ID] = p; return nil }))
	last = ""
	must(d.ScanDoctors(ctx, func(p graph.Doctor) error { order("doctor", p.ID); m.doctors[p.ID] = p; return nil }))
	last = ""
	must(d.ScanClaims(ctx, func(p graph.Claim) error { order("claim", p.ID); m.claims[p.ID] = p; return nil }))
	last = ""
	lastSeq := 0
	must(d.ScanClaimItems(ctx, func(p graph.ClaimItem) error {
		if p.ClaimID == last && p.Seq <= lastSeq {
			t.Errorf("item %s/%d after seq %d", p.ClaimID, p.Seq, lastSeq)
		}
		order("item", p.ClaimID)
		lastSeq = p.Seq
		m.items[fmt.Sprintf("%s/%d", p.ClaimID, p.Seq)] = p
		return nil
	}))
	return m
}

// TestDirMatchesLoad: scanning a directory yields exactly what loading it stores, for a sorted
// export with bad rows and for the same export shuffled out of id order.
func TestDirMatchesLoad(t *testing.T) {
	files := goodFiles()
	files["claims.csv"] += "C004,P001,H999,D01,门诊,2024-03-05,,,10,5,\n" +
		"C001,P001,H001,D01,门诊,2024-03-05 09:31,,J06.9,1234.5,801,\n" +
		"C0005,P002,H001,,门诊,2024-03-05,,,abc,5,\n"
	files["claim_items.csv"] += "C002,X9,床位费,床位费,1,100,100\nC001,X3,x,drug,1,1,1\nC004,X9,x,drug,1,1,1\n"
	for name, shuffle := range map[string]bool{"clean": false, "dirty": false, "shuffled": true, "shuffled-gb18030": true} {
		t.Run(name, func(t *testing.T) {
			fs := maps2(files)
			if name == "clean" {
				fs = goodFiles()
			}
			if shuffle {
				for k, body := range fs {
					lines := strings.SplitAfter(strings.TrimSuffix(body, "\n"), "\n")
					head, rows := lines[0], lines[1:]
					if len(rows) > 0 && !strings.HasSuffix(rows[len(rows)-1], "\n") {
						rows[len(rows)-1] += "\n"
					}
					slices.Reverse(rows)
					fs[k] = head + strings.Join(rows, "")
				}
			}
			if strings.HasSuffix(name, "gb18030") {
				// Not UTF-8: the unsorted files take the in-memory sort instead of offsets.
				for k, body := range fs {
					fs[k] = gb18030(t, strings.TrimPrefix(body, "\ufeff"))
				}
			}
			dir := writeDir(t, fs)
			want := newMemSink()
			load(t, dir, want, Options{})
			d, err := OpenDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			got := scanDir(t, d)
			if !got.equal(want) {
				t.Errorf("Dir scan differs from Load:\n claims %v\n want   %v\n items %v\n want  %v", got.claims, want.claims, got.items, want.items)
			}
			if len(got.claims) != 3 || len(got.items) < 3 {
				t.Errorf("scanned %d claims and %d items", len(got.claims), len(got.items))
			}
			// The clean export is in id order and takes the streaming path; the others do not.
			if sorted := d.idx[kindClaims].sorted && d.idx[kindItems].sorted; sorted != (name == "clean") {
				t.Errorf("claims and items sorted = %v", sorted)
			}
			// A second scan reuses the index and gives the same result.
			if again := scanDir(t, d); !again.equal(got) {
				t.Error("second scan differs")
			}
		})
	}
}

func maps2(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestOpenDirContract(t *testing.T) {
	files := goodFiles()
	delete(files, "claims.csv")
	if _, err := OpenDir(writeDir(t, files)); graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), "claims.csv") {
		t.Errorf("err = %v", err)
	}
}
