package audit

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/state"
)

// rotatedTrail writes n records through a Log with a small segment size, closes it and returns
// the state directory and the sealed segments.
func rotatedTrail(t *testing.T, n int) (string, []os.DirEntry) {
	t.Helper()
	dir := t.TempDir()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	log := New(st, func() time.Time { return now })
	log.SetSegmentBytes(4000)
	for i := 0; i < n; i++ {
		rec := Record{Actor: "analyst", Role: "analyst", Action: "read_entity", Entities: []string{fmt.Sprintf("patient:PT%04d", i)}}
		if err := log.Append(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		stats, err := log.Stats()
		if err != nil {
			t.Fatal(err)
		}
		// The live part never holds more than the segment size and one record.
		if stats.LiveBytes > 4000+400 {
			t.Fatalf("after %d records the live part holds %d bytes", i+1, stats.LiveBytes)
		}
	}
	recs, total, err := log.Query(Query{Limit: 1000})
	if err != nil || total != n || len(recs) != n || recs[0].Seq != uint64(n) || recs[n-1].Seq != 1 {
		t.Fatalf("query across segments: total %d, %d records, err %v", total, len(recs), err)
	}
	if _, total, _ := log.Query(Query{Entity: "patient:PT0003", Limit: 10}); total != 1 {
		t.Fatalf("query by an entity in the first segment: %d", total)
	}
	log.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	segs, err := os.ReadDir(filepath.Join(dir, SegmentDir))
	if err != nil || len(segs) < 3 {
		t.Fatalf("want several segments, got %d (%v)", len(segs), err)
	}
	return dir, segs
}

func TestSegmentsRotateAndVerify(t *testing.T) {
	dir, _ := rotatedTrail(t, 200)
	v, err := VerifyDir(dir)
	if err != nil || !v.OK || v.Records != 200 {
		t.Fatalf("verify across segments: %+v %v", v, err)
	}
	// The exported head is the verified head.
	b, err := os.ReadFile(filepath.Join(dir, HeadFile))
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Seq  uint64 `json:"seq"`
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal(b, &h); err != nil || h.Seq != 200 || h.Hash != v.Head {
		t.Fatalf("head file %s, verified head %s", b, v.Head)
	}
	// The fast check at start agrees.
	st, err := state.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if fv, err := VerifyDB(st); err != nil || !fv.OK || fv.Records != 200 || fv.Head != v.Head {
		t.Fatalf("fast verify: %+v %v", fv, err)
	}
}

func TestMissingSegmentIsNamed(t *testing.T) {
	dir, segs := rotatedTrail(t, 200)
	name := segs[1].Name()
	if err := os.Remove(filepath.Join(dir, SegmentDir, name)); err != nil {
		t.Fatal(err)
	}
	_, err := VerifyDir(dir)
	if !errors.Is(err, ErrBroken) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing segment: %v", err)
	}
}

// rewriteSegment decompresses a segment, lets edit change its lines and writes it back.
func rewriteSegment(t *testing.T, path string, edit func(lines [][]byte)) {
	t.Helper()
	var lines [][]byte
	if _, err := readSegment(path, func(l []byte) error { lines = append(lines, append([]byte(nil), l...)); return nil }); err != nil {
		t.Fatal(err)
	}
	edit(lines)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(bytes.Join(lines, []byte("\n")))
	zw.Write([]byte("\n"))
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestEditedRecordInSegmentIsNamed(t *testing.T) {
	dir, segs := rotatedTrail(t, 200)
	path := filepath.Join(dir, SegmentDir, segs[1].Name())
	var edited uint64
	rewriteSegment(t, path, func(lines [][]byte) {
		var r Record
		json.Unmarshal(lines[2], &r)
		edited = r.Seq
		lines[2] = bytes.Replace(lines[2], []byte(`"actor":"analyst"`), []byte(`"actor":"someone"`), 1)
	})
	v, err := VerifyDir(dir)
	want := fmt.Sprintf("record %d (segment %s) was edited", edited, segs[1].Name())
	if !errors.Is(err, ErrBroken) || v.FirstBroken != edited || !strings.Contains(err.Error(), want) {
		t.Fatalf("edited record: %+v %v, want %q", v, err, want)
	}
}

// Dropping a segment from the segment list (and its file) leaves a gap in the seqs, named.
func TestSegmentDroppedFromListIsNamed(t *testing.T) {
	dir, _ := rotatedTrail(t, 200)
	var dropped Segment
	editAudit(t, dir, func(_, meta *bolt.Bucket) {
		var segs []Segment
		if err := json.Unmarshal(meta.Get([]byte(manifestKey)), &segs); err != nil {
			t.Fatal(err)
		}
		dropped = segs[1]
		segs = append(segs[:1], segs[2:]...)
		b, _ := json.Marshal(segs)
		meta.Put([]byte(manifestKey), b)
	})
	v, err := VerifyDir(dir)
	want := fmt.Sprintf("records %d–%d are missing", dropped.First, dropped.Last)
	if !errors.Is(err, ErrBroken) || v.FirstBroken != dropped.First || !strings.Contains(err.Error(), want) {
		t.Fatalf("dropped segment: %+v %v, want %q", v, err, want)
	}
}

// TestStateFileBoundedUnderFlood appends records as a read flood would and checks that state.db
// stays small once segments seal: bbolt reuses the pages the sealed records leave, and only the
// segment list (one entry per sealed segment) grows.
func TestStateFileBoundedUnderFlood(t *testing.T) {
	dir := t.TempDir()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Bolt().NoSync = true // the sizes, not the durability, are under test
	log := New(st, time.Now)
	log.SetSegmentBytes(32 << 10)
	defer log.Close()
	size := func() int64 {
		fi, err := os.Stat(filepath.Join(dir, state.File))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	var sizes []int64
	for i := 1; i <= 20000; i++ {
		rec := Record{Actor: "analyst", Role: "analyst", Action: "read_neighbourhood", Entities: []string{fmt.Sprintf("institution:H%011d", i)}, Count: 500}
		if err := log.Append(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if i%5000 == 0 {
			sizes = append(sizes, size())
		}
	}
	stats, err := log.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("state.db after 5,000, 10,000, 15,000, 20,000 records: %v bytes; %d segments, %d bytes sealed", sizes, stats.Segments, stats.SealedB)
	// The records alone are over 4 MB: kept in state.db it would be larger than that.
	if sizes[3] > 1<<20 {
		t.Fatalf("state.db is %d bytes after 20,000 records sealed every 32 KiB", sizes[3])
	}
}
