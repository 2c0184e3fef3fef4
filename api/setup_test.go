package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
)

// The admin sees the configuration's checks and the live store and audit checks; ok follows
// the failures.
func TestSetupChecks(t *testing.T) {
	fail := false
	e := newEnv(t, func(c *testConfig) {
		c.SetupChecks = func(context.Context) []SetupCheck {
			if fail {
				return []SetupCheck{{Name: "holidays", Status: CheckFail, Detail: "does not cover 2027", Fix: "add 2027"}}
			}
			return []SetupCheck{{Name: "holidays", Status: CheckOK, Detail: "covers 2026 and 2027"}}
		}
	})
	var out struct {
		OK     bool         `json:"ok"`
		Checks []SetupCheck `json:"checks"`
	}
	if st := e.do(e.tokens[accounts.RoleAdmin], http.MethodGet, "/api/admin/setup-checks", nil, &out); st != http.StatusOK {
		t.Fatalf("status %d", st)
	}
	got := map[string]string{}
	for _, c := range out.Checks {
		got[c.Name] = c.Status
	}
	if !out.OK || got["holidays"] != CheckOK || got["store-live"] != CheckOK || got["audit"] != CheckOK {
		t.Fatalf("healthy set-up: %+v", out)
	}
	fail = true
	if st := e.do(e.tokens[accounts.RoleAdmin], http.MethodGet, "/api/admin/setup-checks", nil, &out); st != http.StatusOK || out.OK {
		t.Fatalf("failing check: status %d, %+v", st, out)
	}
	if st := e.do(e.tokens[accounts.RoleSupervisor], http.MethodGet, "/api/admin/setup-checks", nil, nil); st != http.StatusForbidden {
		t.Fatalf("supervisor: %d, want 403", st)
	}
}
