package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
)

// benchRead measures one authenticated, audited GET of path through the whole handler stack
// (no network), in parallel, as the analyst.
func benchRead(b *testing.B, path string) {
	e := newEnv(b)
	if os.Getenv("RT_BENCH_NOSYNC") != "" {
		e.svc.State.Bolt().NoSync = true
	}
	tok := e.tokens[accounts.RoleAnalyst]
	h := e.s.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

// BenchmarkEntityLookup measures one entity read.
func BenchmarkEntityLookup(b *testing.B) { benchRead(b, "/api/entities/patient/PT0001") }

// BenchmarkNeighbourhood measures a depth-2 neighbourhood read.
func BenchmarkNeighbourhood(b *testing.B) {
	benchRead(b, "/api/entities/institution/H53010200001/neighbourhood?depth=2&limit=500")
}
