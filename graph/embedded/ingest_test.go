package embedded_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph/embedded"
	"github.com/ringtrace/ringtrace/ingest"
)

// TestIngestDir runs the real CSV pipeline (ingest.Load) into a fresh embedded store, so that a
// CPU profile of a whole load can be taken with go test's -cpuprofile. It is skipped unless
// RINGTRACE_EMBEDDED_INGEST_DATA names a directory written by `ringtrace generate`:
//
//	RINGTRACE_EMBEDDED_INGEST_DATA=/tmp/g200k go test -run TestIngestDir -v -cpuprofile /tmp/cpu.out ./graph/embedded
func TestIngestDir(t *testing.T) {
	data := os.Getenv("RINGTRACE_EMBEDDED_INGEST_DATA")
	if data == "" {
		t.Skip("set RINGTRACE_EMBEDDED_INGEST_DATA=<generated claims dir> to profile a real load")
	}
	ctx := context.Background()
	// Tuning knobs for measuring alternatives (docs/bench/embedded.md); unset means the default.
	o := embedded.Options{
		BulkLoad:          os.Getenv("RINGTRACE_EMBEDDED_BULK") == "1",
		MemTableBytes:     uint64(envInt("RINGTRACE_EMBEDDED_MEMTABLE_MB", 0)) << 20,
		MemTables:         envInt("RINGTRACE_EMBEDDED_MEMTABLES", 0),
		Compactions:       envInt("RINGTRACE_EMBEDDED_COMPACTIONS", 0),
		L0Compaction:      envInt("RINGTRACE_EMBEDDED_L0", 0),
		LBaseBytes:        int64(envInt("RINGTRACE_EMBEDDED_LBASE_MB", 0)) << 20,
		UpperUncompressed: os.Getenv("RINGTRACE_EMBEDDED_NOCOMPRESS") == "1",
	}
	s, err := embedded.OpenWith(filepath.Join(t.TempDir(), "db"), o)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := ingest.Load(ctx, data, s, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	claims, _ := sum.File("claims.csv")
	if claims.Loaded == 0 {
		t.Fatalf("no claims loaded from %s", data)
	}
	el := time.Since(start)
	t.Logf("loaded %d rows (%d claims) in %v: %.0f claims/s wall", sum.Loaded(), claims.Loaded, el, float64(claims.Loaded)/el.Seconds())
}
