package api

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Statuses of a setup check.
const (
	CheckOK   = "OK"
	CheckWarn = "WARN"
	CheckFail = "FAIL"
)

// SetupCheck is one line of `ringtrace doctor`, as the admin sees it on the running server.
type SetupCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"` // CheckOK, CheckWarn or CheckFail
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// setupChecks is GET /api/admin/setup-checks: the configuration's checks (Config.SetupChecks),
// then whether the graph store answers and the audit chain verifies; ok is false when one fails.
func (s *Server) setupChecks(r *request) error {
	ctx, cancel := context.WithTimeout(r.ctx(), 20*time.Second)
	defer cancel()
	var checks []SetupCheck
	if s.cfg.SetupChecks != nil {
		checks = append(checks, s.cfg.SetupChecks(ctx)...)
	}
	if err := s.cfg.Store.Ping(ctx); err != nil {
		checks = append(checks, SetupCheck{Name: "store-live", Status: CheckFail, Detail: "the graph store does not answer / 图数据库无响应: " + err.Error(),
			Fix: "check the store (ringtrace doctor with serve's flags); a Neo4j server may be down"})
	} else {
		checks = append(checks, SetupCheck{Name: "store-live", Status: CheckOK, Detail: "the graph store answers"})
	}
	v, err := s.svc.Audit.Verify()
	switch {
	case err != nil || !v.OK:
		reason := v.Reason
		if err != nil {
			reason = err.Error()
		}
		checks = append(checks, SetupCheck{Name: "audit", Status: CheckFail, Detail: fmt.Sprintf("audit chain BROKEN at record %d: %s / 审计链被破坏", v.FirstBroken, reason),
			Fix: "stop the server and restore the state directory from the last good backup (ringtrace restore)"})
	default:
		checks = append(checks, SetupCheck{Name: "audit", Status: CheckOK, Detail: fmt.Sprintf("audit chain holds: %d records, head %s", v.Records, v.Head)})
	}
	ok := true
	for _, c := range checks {
		if c.Status == CheckFail {
			ok = false
		}
	}
	return r.JSON(http.StatusOK, map[string]any{"ok": ok, "checks": checks})
}
