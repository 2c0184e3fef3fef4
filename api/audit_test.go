package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// stoppedEnvWithAudit makes a server, does a few audited things and stops it, returning the
// state directory.
func stoppedEnvWithAudit(t *testing.T) string {
	t.Helper()
	e := newEnv(t)
	for i := 0; i < 3; i++ {
		e.as(RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0001", nil, nil)
	}
	if err := e.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, err := VerifyAudit(e.dir); err != nil || !v.OK || v.Records < 8 {
		t.Fatalf("intact trail: %+v %v", v, err)
	}
	return e.dir
}

func editAudit(t *testing.T, dir string, fn func(b *bolt.Bucket, meta *bolt.Bucket)) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, StateFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { fn(tx.Bucket(bucketAudit), tx.Bucket(bucketMeta)); return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestAuditTamperDetection(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(b, meta *bolt.Bucket)
		broken  uint64
		message string
	}{
		{"edit a record", func(b, _ *bolt.Bucket) {
			var r AuditRecord
			_ = json.Unmarshal(b.Get(seqKey(3)), &r)
			r.Actor = "someone-else"
			v, _ := json.Marshal(r)
			_ = b.Put(seqKey(3), v)
		}, 3, "edited"},
		{"edit a record and recompute its hash", func(b, _ *bolt.Bucket) {
			var r AuditRecord
			_ = json.Unmarshal(b.Get(seqKey(2)), &r)
			r.Action = "nothing"
			r.Hash, _ = chainHash(r)
			v, _ := json.Marshal(r)
			_ = b.Put(seqKey(2), v)
		}, 3, "does not link"},
		{"delete a record", func(b, _ *bolt.Bucket) { _ = b.Delete(seqKey(4)) }, 4, "missing"},
		{"delete the newest record", func(b, _ *bolt.Bucket) {
			k, _ := b.Cursor().Last()
			_ = b.Delete(k)
		}, 0, "newest records deleted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := stoppedEnvWithAudit(t)
			editAudit(t, dir, tc.tamper)
			v, err := VerifyAudit(dir)
			if err == nil || v.OK || !errors.Is(err, ErrAuditBroken) {
				t.Fatalf("tampering not detected: %+v %v", v, err)
			}
			if tc.broken != 0 && v.FirstBroken != tc.broken {
				t.Fatalf("first broken = %d, want %d (%s)", v.FirstBroken, tc.broken, v.Reason)
			}
			if !strings.Contains(v.Reason, tc.message) {
				t.Fatalf("reason %q does not say %q", v.Reason, tc.message)
			}
		})
	}
}

func TestAuditQueryAndVerifyRoute(t *testing.T) {
	e := newEnv(t)
	e.as(RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0002", nil, nil)
	var page struct {
		Records []AuditRecord `json:"records"`
		Total   int           `json:"total"`
	}
	if st := e.as(RoleSupervisor, http.MethodGet, "/api/audit?actor=analyst&entity=patient:PT0002", nil, &page); st != http.StatusOK || page.Total != 1 {
		t.Fatalf("audit query: %d %+v", st, page)
	}
	r := page.Records[0]
	if r.Action != actEntity || r.Role != "analyst" || r.Remote == "" || r.RequestID == "" || r.Hash == "" {
		t.Fatalf("record lacks who/what/where: %+v", r)
	}
	var v AuditVerification
	if st := e.as(RoleSupervisor, http.MethodGet, "/api/audit/verify", nil, &v); st != http.StatusOK || !v.OK {
		t.Fatalf("verify: %d %+v", st, v)
	}
}

// TestResetPasswordOffline is the recovery path of `ringtrace users reset-password`: a stopped
// server's user gets a one-time password, and the reset is in the (intact) audit trail.
func TestResetPasswordOffline(t *testing.T) {
	dir := stoppedEnvWithAudit(t)
	pw, err := ResetPassword(dir, "admin")
	if err != nil || len(pw) < minPasswordLen {
		t.Fatalf("ResetPassword: %q %v", pw, err)
	}
	if _, err := ResetPassword(dir, "nobody"); err == nil {
		t.Fatal("reset of an unknown user succeeded")
	}
	us, err := ListUsers(dir)
	if err != nil || len(us) != 5 {
		t.Fatalf("ListUsers: %v %v", us, err)
	}
	v, err := VerifyAudit(dir)
	if err != nil || !v.OK {
		t.Fatalf("trail after reset: %+v %v", v, err)
	}
	s, err := New(Config{Store: openFixtureStore(t), StateDir: dir, Detection: testDetection(), BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	_, _, u, err := s.accounts.Login("admin", pw)
	if err != nil || !u.MustChangePassword {
		t.Fatalf("login with reset password: %v must_change=%v", err, u.MustChangePassword)
	}
	recs, _, _ := s.audit.Query(AuditQuery{Action: "reset_password", Limit: 5})
	if len(recs) != 1 || recs[0].Actor != "cli" {
		t.Fatalf("reset not audited: %+v", recs)
	}
}
