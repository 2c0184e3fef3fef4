package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
)

// stoppedEnvWithAudit makes a server, does a few audited things and stops it, returning the
// state directory.
func stoppedEnvWithAudit(t *testing.T) string {
	t.Helper()
	e := newEnv(t)
	for i := 0; i < 3; i++ {
		e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0001", nil, nil)
	}
	if err := e.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, err := audit.VerifyDir(e.dir); err != nil || !v.OK || v.Records < 8 {
		t.Fatalf("intact trail: %+v %v", v, err)
	}
	return e.dir
}

func TestAuditQueryAndVerifyRoute(t *testing.T) {
	e := newEnv(t)
	e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0002", nil, nil)
	var page struct {
		Records []audit.Record `json:"records"`
		Total   int            `json:"total"`
	}
	if st := e.as(accounts.RoleSupervisor, http.MethodGet, "/api/audit?actor=analyst&entity=patient:PT0002", nil, &page); st != http.StatusOK || page.Total != 1 {
		t.Fatalf("audit query: %d %+v", st, page)
	}
	r := page.Records[0]
	if r.Action != actEntity || r.Role != "analyst" || r.Remote == "" || r.RequestID == "" || r.Hash == "" {
		t.Fatalf("record lacks who/what/where: %+v", r)
	}
	var v audit.Verification
	if st := e.as(accounts.RoleSupervisor, http.MethodGet, "/api/audit/verify", nil, &v); st != http.StatusOK || !v.OK {
		t.Fatalf("verify: %d %+v", st, v)
	}
}

// TestResetPasswordOffline is the recovery path of `ringtrace users reset-password`: a stopped
// server's user gets a one-time password, and the reset is in the (intact) audit trail.
func TestResetPasswordOffline(t *testing.T) {
	dir := stoppedEnvWithAudit(t)
	pw, err := accounts.ResetPassword(dir, "admin")
	if err != nil || len(pw) < accounts.MinPasswordLen {
		t.Fatalf("ResetPassword: %q %v", pw, err)
	}
	if _, err := accounts.ResetPassword(dir, "nobody"); err == nil {
		t.Fatal("reset of an unknown user succeeded")
	}
	us, err := accounts.ListUsers(dir)
	if err != nil || len(us) != 5 {
		t.Fatalf("ListUsers: %v %v", us, err)
	}
	v, err := audit.VerifyDir(dir)
	if err != nil || !v.OK {
		t.Fatalf("trail after reset: %+v %v", v, err)
	}
	s, svc, err := openServer(t, openFixtureStore(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	_, _, u, err := svc.Accounts.Login("admin", pw)
	if err != nil || !u.MustChangePassword {
		t.Fatalf("login with reset password: %v must_change=%v", err, u.MustChangePassword)
	}
	recs, _, _ := svc.Audit.Query(audit.Query{Action: "reset_password", Limit: 5})
	if len(recs) != 1 || recs[0].Actor != "cli" {
		t.Fatalf("reset not audited: %+v", recs)
	}
}
