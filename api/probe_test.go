package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/state"
)

// Probes an attacker or an unlucky operator would try, over real HTTP against the real server.

// A user the admin creates must choose their own password: the admin's stays one-time.
func TestAdminCreatedUserMustChangePassword(t *testing.T) {
	e := newEnv(t)
	if st := e.as("admin", "POST", "/api/users", map[string]any{"username": "newbie", "password": "admin-chosen-pw-1", "role": "analyst"}, nil); st != http.StatusCreated {
		t.Fatalf("create user: %d", st)
	}
	var lr loginResponse
	if st := e.do("", "POST", "/api/auth/login", map[string]string{"username": "newbie", "password": "admin-chosen-pw-1"}, &lr); st != 200 {
		t.Fatalf("login: %d", st)
	}
	if !lr.MustChangePassword {
		t.Fatal("an admin-created user is not asked to change the admin-chosen password")
	}
	if st := e.do(lr.Token, "GET", "/api/search?q=PT0001", nil, nil); st != http.StatusForbidden {
		t.Fatalf("graph route before changing the one-time password: %d, want 403", st)
	}
	if st := e.do(lr.Token, "POST", "/api/auth/password", map[string]string{"old_password": "admin-chosen-pw-1", "new_password": "my-own-secret-pw"}, nil); st != 204 {
		t.Fatalf("change password: %d", st)
	}
}

// Wrong old passwords on a password change are limited per user and audited, as refused logins
// are.
func TestPasswordChangeGuessingLimitedAndAudited(t *testing.T) {
	e := newEnv(t, func(c *testConfig) { c.LoginBurst, c.LoginPerMinute = 3, 1 })
	tok := e.tokens["analyst"]
	var statuses []int
	for i := 0; i < 6; i++ {
		statuses = append(statuses, e.do(tok, "POST", "/api/auth/password", map[string]string{"old_password": "guess-number-" + string(rune('a'+i)), "new_password": "whatever-new-pw"}, nil))
	}
	if statuses[0] != 400 || statuses[5] != http.StatusTooManyRequests {
		t.Fatalf("statuses of 6 wrong old passwords: %v, want 400 first and 429 at the end", statuses)
	}
	// Refused logins from one address.
	for i := 0; i < 5; i++ {
		e.do("", "POST", "/api/auth/login", map[string]string{"username": "police", "password": "wrong-password-x"}, nil)
	}
	recs, _, err := e.svc.Audit.Query(audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range recs {
		got[r.Action]++
	}
	if got["change_password_failed"] != 3 || got["change_password_refused"] != 1 || got["login_refused"] != 1 {
		t.Fatalf("audited actions: %v, want 3 change_password_failed, 1 change_password_refused, 1 login_refused", got)
	}
}

// Bodies of the wrong shape are refused naming the field; bodies over the limit are 413.
func TestWrongShapedAndOversizedBodies(t *testing.T) {
	e := newEnv(t, func(c *testConfig) { c.MaxBodyBytes = 1024 })
	for _, tc := range []struct{ name, body string }{{"null", "null"}, {"array", "[1,2]"}, {"number", "7"}} {
		st, b, _ := e.raw(e.tokens["analyst"], "POST", "/api/jobs", tc.body)
		if st != 400 || errOf(t, b).Field != "body" {
			t.Errorf("%s body on POST /api/jobs: %d %s, want 400 naming body", tc.name, st, b)
		}
	}
	big := `{"note":"` + strings.Repeat("x", 4096) + `"}`
	if st, b, _ := e.raw(e.tokens["analyst"], "POST", "/api/jobs", big); st != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d %s, want 413", st, b)
	}
}

// serve refuses a state directory whose audit chain was edited, unless the operator accepts it;
// then /readyz says so.
func TestStartRefusesBrokenAuditChain(t *testing.T) {
	e := newEnv(t)
	dir, store := e.dir, e.store
	for i := 0; i < 3; i++ {
		e.as("analyst", "GET", "/api/findings", nil, nil)
	}
	e.ts.Close()
	if err := e.s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(dir, state.File), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(state.Audit)
		k, v := b.Cursor().First()
		return b.Put(k, []byte(strings.Replace(string(v), `"actor":"`, `"actor":"x`, 1)))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := openServer(t, store, dir); !errors.Is(err, audit.ErrBroken) || !strings.Contains(err.Error(), "record 1") {
		t.Fatalf("start on an edited chain: %v, want an error naming record 1", err)
	}
	s, _, err := openServer(t, store, dir, func(c *testConfig) { c.Core.AcceptBrokenAudit = true })
	if err != nil {
		t.Fatalf("start with AcceptBrokenAudit: %v", err)
	}
	defer s.Shutdown(t.Context())
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Addr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "broken (accepted at start)") {
		t.Fatalf("/readyz after accepting a broken chain: %s", b)
	}
}

// The server speaks HTTPS itself: TLS 1.3, HSTS, and plain HTTP gets no answer.
func TestServeHTTPS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writeTestCert(t, dir)
	tlsCfg, err := LoadTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := openServer(t, openFixtureStore(t), t.TempDir(), func(c *testConfig) { c.TLS = tlsCfg; c.Core.AdminPassword = "admin-password-123" })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(certFile)
	pool.AppendCertsFromPEM(pem)
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12}}}
	if _, err := cl.Get("https://" + s.Addr() + "/healthz"); err == nil {
		t.Fatal("a TLS 1.2 client was served")
	}
	cl = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := cl.Get("https://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatalf("https: %v", err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.Version != tls.VersionTLS13 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("https answer: tls=%v hsts=%q", resp.TLS != nil, resp.Header.Get("Strict-Transport-Security"))
	}
	if resp, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil && resp.StatusCode == 200 {
		t.Fatal("plain HTTP was answered 200 on the HTTPS listener")
	}
}

// writeTestCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeTestCert(t *testing.T, dir string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ringtrace test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kf, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cf, kf
}
