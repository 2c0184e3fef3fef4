package api

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ringtrace/ringtrace/graph"
)

// The service's own routes: health, readiness, metrics, the API description and the web UI.

func (s *Server) healthz(r *request) error {
	return r.JSON(http.StatusOK, map[string]any{"status": "ok"})
}

// readyz reports whether the graph store and the state database answer; a load balancer takes
// the instance out while Neo4j is away and back when it returns.
func (s *Server) readyz(r *request) error {
	ctx, cancel := context.WithTimeout(r.ctx(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"graph_store": "ok", "state": "ok"}
	status := http.StatusOK
	if s.closing.Load() {
		checks["server"], status = "shutting down", http.StatusServiceUnavailable
	}
	if err := s.cfg.Store.Ping(ctx); err != nil {
		checks["graph_store"], status = "unavailable", http.StatusServiceUnavailable
		s.log.Warn("readiness: graph store", "err", err)
	}
	if !s.closing.Load() {
		if err := s.svc.State.Ping(); err != nil {
			checks["state"], status = "unavailable", http.StatusServiceUnavailable
		}
	}
	if s.svc.AuditBroken != "" {
		// Serving, but on an audit chain an operator accepted broken: say so on every check.
		checks["audit"] = "broken (accepted at start): " + s.svc.AuditBroken
	}
	if diskLow(s.svc.State.Dir(), s.cfg.DiskWarnFreeBytes) {
		// Still serving, but the trail is about to run out of room.
		checks["disk"] = "low free space for the state directory"
	}
	st := "ok"
	if status != http.StatusOK {
		st = "unavailable"
		r.Response().Header().Set("Retry-After", "5")
	}
	return r.JSON(status, map[string]any{"status": st, "checks": checks})
}

func (s *Server) serveMetrics(r *request) error {
	s.metrics.handler.ServeHTTP(r.Response(), r.Request())
	return nil
}

func (s *Server) openAPI(r *request) error {
	return r.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIJSON)
}

func (s *Server) noSuchRoute(*request) error {
	return userErr(graph.ENOTFOUND, "没有这个接口", "no such API route")
}

// serveUI serves the single-page app: files as they are, /assets/ (content-hashed by Vite) with
// immutable caching, and index.html for every other path so client-side routes work on reload.
func (s *Server) serveUI(r *request) error {
	p := strings.TrimPrefix(path.Clean("/"+r.Param("*")), "/")
	if p == "" {
		p = "index.html"
	}
	if st, err := fs.Stat(s.cfg.UI, p); err != nil || st.IsDir() {
		p = "index.html"
	}
	b, err := fs.ReadFile(s.cfg.UI, p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return userErr(graph.ENOTFOUND, "页面不存在", "no such page")
		}
		return err
	}
	h := r.Response().Header()
	if strings.HasPrefix(p, "assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(r.Response(), r.Request(), p, time.Time{}, strings.NewReader(string(b)))
	return nil
}
