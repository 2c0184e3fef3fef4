package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// BenchmarkEntityLookup measures one authenticated, audited entity read through the whole
// handler stack (no network), in parallel.
func BenchmarkEntityLookup(b *testing.B) {
	e := newEnv(b)
	if os.Getenv("RT_BENCH_NOSYNC") != "" {
		e.s.state.db.NoSync = true
	}
	tok := e.tokens[RoleAnalyst]
	h := e.s.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/api/entities/patient/PT0001", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

// BenchmarkNeighbourhood measures a depth-2 neighbourhood read through the handler stack.
func BenchmarkNeighbourhood(b *testing.B) {
	e := newEnv(b)
	tok := e.tokens[RoleAnalyst]
	h := e.s.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/api/entities/institution/H53010200001/neighbourhood?depth=2&limit=500", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
