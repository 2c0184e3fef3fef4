package embedded_test

import (
	"testing"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
	"github.com/ringtrace/ringtrace/graph/storetest"
)

func openTemp(t testing.TB) *embedded.Store {
	t.Helper()
	s, err := embedded.OpenWith(t.TempDir(), embedded.Options{CacheBytes: 8 << 20, MemTableBytes: 4 << 20})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.RunAll(t, func(t *testing.T) graph.Store { return openTemp(t) })
}

// TestConformanceBulkLoad runs the contract suite against a store opened for a bulk load
// (no fsync per batch, write-heavy LSM shape, upper levels uncompressed): the tuning must not
// change any answer.
func TestConformanceBulkLoad(t *testing.T) {
	storetest.RunAll(t, func(t *testing.T) graph.Store {
		s, err := embedded.OpenWith(t.TempDir(), embedded.Options{BulkLoad: true, CacheBytes: 8 << 20, MemTableBytes: 4 << 20})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}
