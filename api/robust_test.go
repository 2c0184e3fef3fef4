package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/graph"
)

func TestBadInputs(t *testing.T) {
	e := newEnv(t)
	var c caseView
	e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0005"}}, &c)
	checks := []struct {
		role   accounts.Role
		method string
		path   string
		body   any
		status int
		field  string
	}{
		{accounts.RoleAnalyst, "GET", "/api/search", nil, 400, "q"},
		{accounts.RoleAnalyst, "GET", "/api/search?q=" + strings.Repeat("x", 65), nil, 400, "q"},
		{accounts.RoleAnalyst, "GET", "/api/search?q=a&limit=1000", nil, 400, "limit"},
		{accounts.RoleAnalyst, "GET", "/api/search?q=a&types=spaceship", nil, 400, "types"},
		{accounts.RoleAnalyst, "GET", "/api/entities/spaceship/X", nil, 400, "type"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/NOPE", nil, 404, ""},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/~garbage", nil, 400, "id"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/neighbourhood?depth=4", nil, 400, "depth"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/neighbourhood?depth=0", nil, 400, "depth"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/neighbourhood?limit=5000", nil, 400, "limit"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/neighbourhood?from=yesterday", nil, 400, "from"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/neighbourhood?from=2024-02-01&to=2024-01-01", nil, 400, "to"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/claims?limit=0", nil, 400, "limit"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/claims?offset=-1", nil, 400, "offset"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/claims?types=dental", nil, 400, "types"},
		{accounts.RoleAnalyst, "GET", "/api/entities/claim/C00/claims", nil, 400, "type"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/claims?with=PT0002", nil, 400, "with"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/claims?with=patient:PT0002", nil, 400, "with"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/claims?with=phone:P1", nil, 400, "with"},
		{accounts.RoleAnalyst, "GET", "/api/paths?from=PT0001&to=patient:PT0002", nil, 400, "from"},
		{accounts.RoleAnalyst, "GET", "/api/paths?from=patient:PT0001&to=patient:PT0002&max_depth=9", nil, 400, "max_depth"},
		{accounts.RoleAnalyst, "GET", "/api/rings?min_score=2", nil, 400, "min_score"},
		{accounts.RoleAnalyst, "GET", "/api/rings?sort=name", nil, 400, "sort"},
		{accounts.RoleAnalyst, "GET", "/api/rings", nil, 404, ""}, // no job has completed
		{accounts.RoleAnalyst, "GET", "/api/jobs/J999999", nil, 404, ""},
		{accounts.RoleAnalyst, "GET", "/api/jobs/compare?a=J1", nil, 400, "b"},
		{accounts.RoleAnalyst, "POST", "/api/jobs", "{not json", 400, "body"},
		{accounts.RoleAnalyst, "POST", "/api/jobs", map[string]any{"params": 5}, 400, "params"},
		{accounts.RoleAnalyst, "POST", "/api/jobs", map[string]any{"surprise": 1}, 400, "surprise"},
		{accounts.RoleAnalyst, "POST", "/api/cases", map[string]any{}, 400, "entity"},
		{accounts.RoleAnalyst, "POST", "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "NOPE"}}, 400, "entity"},
		{accounts.RoleAnalyst, "POST", "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypeClaim, ID: "C00"}}, 400, "entity"},
		{accounts.RoleSupervisor, "GET", "/api/cases?status=done", nil, 400, "status"},
		{accounts.RoleSupervisor, "GET", "/api/cases?overdue=maybe", nil, 400, "overdue"},
		{accounts.RoleSupervisor, "GET", "/api/cases/C404", nil, 404, ""},
		{accounts.RoleSupervisor, "POST", "/api/cases/" + c.ID + "/transition", map[string]any{"to": "verification"}, 400, "version"},
		{accounts.RoleSupervisor, "POST", "/api/cases/" + c.ID + "/transition", map[string]any{"to": "lead", "version": 1}, 400, "to"},
		{accounts.RoleSupervisor, "POST", "/api/cases/" + c.ID + "/transition", map[string]any{"to": "verification", "version": "1"}, 400, "version"},
		{accounts.RoleSupervisor, "POST", "/api/cases/" + c.ID + "/notes", map[string]any{"text": "", "version": 1}, 400, "text"},
		{accounts.RoleSupervisor, "POST", "/api/cases/" + c.ID + "/assign", map[string]any{"assignee": "analyst", "version": 1}, 400, "assignee"},
		{accounts.RoleSupervisor, "POST", "/api/cases/" + c.ID + "/attachments", map[string]any{"refs": []graph.Ref{{Type: "claim", ID: "NOPE"}}, "version": 1}, 400, "refs"},
		{accounts.RoleSupervisor, "POST", "/api/cases/" + c.ID + "/extension", map[string]any{"action": "request", "reason": "x", "version": 1}, 409, ""},
		{accounts.RoleSupervisor, "POST", "/api/recusals", map[string]any{"reason": "x"}, 400, "case_id"},
		{accounts.RoleSupervisor, "GET", "/api/audit?from=now", nil, 400, "from"},
		{accounts.RoleAdmin, "POST", "/api/users", map[string]any{"username": "Bad Name", "password": "long-enough-password", "role": "analyst"}, 400, "username"},
		{accounts.RoleAdmin, "POST", "/api/users", map[string]any{"username": "bob", "password": "short", "role": "analyst"}, 400, "password"},
		{accounts.RoleAdmin, "POST", "/api/users", map[string]any{"username": "bob", "password": "long-enough-password", "role": "king"}, 400, "role"},
		{accounts.RoleAdmin, "POST", "/api/users", map[string]any{"username": "analyst", "password": "long-enough-password", "role": "analyst"}, 409, ""},
		{accounts.RoleAdmin, "PUT", "/api/users/nobody", map[string]any{"disabled": true}, 404, ""},
		{accounts.RoleAdmin, "PUT", "/api/users/admin", map[string]any{"role": "analyst"}, 409, ""},
		{accounts.RoleAnalyst, "GET", "/api/no-such-route", nil, 404, ""},
		{"", "POST", "/api/auth/login", map[string]any{"username": "analyst"}, 400, "password"},
		{"", "POST", "/api/auth/login", map[string]any{"username": "analyst", "password": "wrong-password"}, 401, ""},
	}
	for _, tc := range checks {
		t.Run(string(tc.role)+" "+tc.method+" "+tc.path, func(t *testing.T) {
			st, b, h := e.raw(e.tokens[tc.role], tc.method, tc.path, tc.body)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %s", st, tc.status, b)
			}
			d := errOf(t, b)
			if d.Field != tc.field || d.Message == "" || d.MessageEN == "" && d.Code != graph.EINVALID || d.RequestID == "" || d.RequestID != h.Get("X-Request-Id") {
				t.Fatalf("error %+v, want field %q", d, tc.field)
			}
		})
	}
	// Oversized body.
	big := `{"note":"` + strings.Repeat("x", 2<<20) + `"}`
	if st, b, _ := e.raw(e.tokens[accounts.RoleAnalyst], "POST", "/api/jobs", big); st != http.StatusRequestEntityTooLarge || errOf(t, b).Field != "body" {
		t.Fatalf("oversized body: %d %s", st, b)
	}
}

// flakyStore wraps a real store and fails with EUNAVAILABLE while down is set, the way the
// Neo4j store reports a lost database; it can also block calls to simulate slow queries.
type flakyStore struct {
	GraphStore
	down  atomic.Bool
	block chan struct{}
}

func (f *flakyStore) err() error {
	if f.down.Load() {
		return graph.Errorf(graph.EUNAVAILABLE, "graph database unreachable")
	}
	return nil
}

func (f *flakyStore) Node(ctx context.Context, r graph.Ref) (graph.Node, error) {
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return graph.Node{}, ctx.Err()
		}
	}
	if err := f.err(); err != nil {
		return graph.Node{}, err
	}
	return f.GraphStore.Node(ctx, r)
}

func (f *flakyStore) Ping(ctx context.Context) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.GraphStore.Ping(ctx)
}

func TestStoreUnavailableAndRecovery(t *testing.T) {
	fs := &flakyStore{GraphStore: openFixtureStore(t)}
	e := newEnvWithStore(t, fs)
	if st := e.as(accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001", nil, nil); st != 200 {
		t.Fatalf("before: %d", st)
	}
	fs.down.Store(true)
	st, b, h := e.raw(e.tokens[accounts.RoleAnalyst], "GET", "/api/entities/patient/PT0001", nil)
	if st != http.StatusServiceUnavailable || errOf(t, b).Code != graph.EUNAVAILABLE || h.Get("Retry-After") == "" {
		t.Fatalf("while down: %d %s", st, b)
	}
	if st, _, _ := e.raw("", "GET", "/readyz", nil); st != http.StatusServiceUnavailable {
		t.Fatalf("readyz while down: %d", st)
	}
	if st, _, _ := e.raw("", "GET", "/healthz", nil); st != http.StatusOK {
		t.Fatalf("healthz while down: %d", st)
	}
	fs.down.Store(false)
	if st := e.as(accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001", nil, nil); st != 200 {
		t.Fatalf("after recovery: %d", st)
	}
	if st, _, _ := e.raw("", "GET", "/readyz", nil); st != http.StatusOK {
		t.Fatalf("readyz after recovery: %d", st)
	}
}

func TestLoadSheddingAndTimeout(t *testing.T) {
	fs := &flakyStore{GraphStore: openFixtureStore(t), block: make(chan struct{})}
	e := newEnvWithStore(t, fs, func(c *testConfig) {
		c.MaxInflight, c.QueueWait, c.RequestTimeout = 2, 20*time.Millisecond, 300*time.Millisecond
	})
	var wg sync.WaitGroup
	statuses := make(chan int, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _, _ := e.raw(e.tokens[accounts.RoleAnalyst], "GET", "/api/entities/institution/H53010200001", nil)
			statuses <- st
		}()
	}
	wg.Wait()
	close(statuses)
	var shed, timedOut int
	for st := range statuses {
		switch st {
		case http.StatusServiceUnavailable:
			shed++
		default:
			t.Errorf("unexpected status %d", st)
		}
	}
	_ = timedOut
	if shed != 6 {
		t.Fatalf("want all 6 refused (4 shed, 2 timed out), got %d", shed)
	}
	// The service recovers once the store answers again.
	close(fs.block)
	if st := e.as(accounts.RoleAnalyst, "GET", "/api/entities/institution/H53010200001", nil, nil); st != 200 {
		t.Fatalf("after overload: %d", st)
	}
	if st, b, _ := e.raw("", "GET", "/metrics", nil); st != 200 || !strings.Contains(string(b), "ringtrace_http_shed_total 4") {
		t.Fatalf("metrics: %d shed counter missing", st)
	}
}

func TestLoginRateLimitAndSessions(t *testing.T) {
	e := newEnv(t, func(c *testConfig) { c.LoginBurst, c.LoginPerMinute = 3, 1; c.Core.SessionTTL = time.Hour })
	for i := 0; i < 3; i++ {
		if st := e.do("", "POST", "/api/auth/login", map[string]string{"username": "analyst", "password": "wrong-password-x"}, nil); st != 401 {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	st, _, h := e.raw("", "POST", "/api/auth/login", map[string]string{"username": "analyst", "password": testPassword})
	if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d", st)
	}
	// Sessions expire.
	tok := e.tokens[accounts.RoleAnalyst]
	if st := e.do(tok, "GET", "/api/auth/me", nil, nil); st != 200 {
		t.Fatalf("me: %d", st)
	}
	e.clock.Set(testNow.Add(61 * time.Minute))
	if st := e.do(tok, "GET", "/api/auth/me", nil, nil); st != 401 {
		t.Fatalf("expired session: %d", st)
	}
	e.clock.Set(testNow)
	// Logout ends the session; disabling a user ends theirs.
	if st := e.do(tok, "POST", "/api/auth/logout", nil, nil); st != 204 {
		t.Fatalf("logout: %d", st)
	}
	if st := e.do(tok, "GET", "/api/auth/me", nil, nil); st != 401 {
		t.Fatalf("after logout: %d", st)
	}
	if st := e.as(accounts.RoleAdmin, "PUT", "/api/users/police", map[string]any{"disabled": true}, nil); st != 200 {
		t.Fatalf("disable: %d", st)
	}
	if st := e.as(accounts.RolePolice, "GET", "/api/auth/me", nil, nil); st != 401 {
		t.Fatalf("disabled user: %d", st)
	}
}

func TestFirstAdminOneTimePassword(t *testing.T) {
	var out strings.Builder
	e := newEnv(t, func(c *testConfig) { c.Core.AdminPassword, c.Core.AdminPasswordOut = "", &out })
	_ = e
	line := out.String()
	i := strings.Index(line, "one-time password ")
	if i < 0 {
		t.Fatalf("no password printed: %q", line)
	}
	pw := strings.Fields(line[i+len("one-time password "):])[0]
	var lr loginResponse
	if st := e.do("", "POST", "/api/auth/login", map[string]string{"username": "admin", "password": pw}, &lr); st != 200 || !lr.MustChangePassword {
		t.Fatalf("login with printed password: %d %+v", st, lr)
	}
	if st := e.do(lr.Token, "GET", "/api/users", nil, nil); st != http.StatusForbidden {
		t.Fatalf("users before password change: %d", st)
	}
	if st := e.do(lr.Token, "POST", "/api/auth/password", map[string]string{"old_password": pw, "new_password": "a-new-long-password"}, nil); st != 204 {
		t.Fatalf("change password: %d", st)
	}
	// The old session ended with the password change; the new password works.
	tok := e.login("admin", "a-new-long-password")
	if st := e.do(tok, "GET", "/api/users", nil, nil); st != 200 {
		t.Fatalf("users after change: %d", st)
	}
}

func TestGracefulShutdown(t *testing.T) {
	fs := &flakyStore{GraphStore: openFixtureStore(t), block: make(chan struct{})}
	clk := &clock{t: testNow}
	s, svc, err := openServer(t, fs, t.TempDir(), func(c *testConfig) { c.Now = clk.Now; c.Core.AdminPassword = "admin-password-123" })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accounts.CreateUser("analyst", testPassword, accounts.RoleAnalyst, ""); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, s: s, svc: svc, clock: clk}
	e.ts = nil
	base := "http://" + s.Addr()
	tok := loginAt(t, base, "analyst", testPassword)
	res := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", base+"/api/entities/institution/H53010200001", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			res <- -1
			return
		}
		resp.Body.Close()
		res <- resp.StatusCode
	}()
	time.Sleep(50 * time.Millisecond) // the request is now waiting on the store
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- s.Shutdown(ctx)
	}()
	time.Sleep(50 * time.Millisecond)
	close(fs.block) // the in-flight request finishes during shutdown
	if st := <-res; st != 200 {
		t.Fatalf("in-flight request during shutdown: %d", st)
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func loginAt(t *testing.T, base, user, pw string) string {
	t.Helper()
	resp, err := http.Post(base+"/api/auth/login", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+pw+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr loginResponse
	if err := jsonDecode(resp.Body, &lr); err != nil || lr.Token == "" {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return lr.Token
}

func TestServeUI(t *testing.T) {
	ui := fstest.MapFS{
		"index.html":      {Data: []byte("<html>RingTrace</html>")},
		"assets/app-1.js": {Data: []byte("console.log(1)")},
	}
	e := newEnv(t, func(c *testConfig) { c.UI = ui })
	st, b, h := e.raw("", "GET", "/assets/app-1.js", nil)
	if st != 200 || !strings.Contains(h.Get("Cache-Control"), "immutable") || string(b) != "console.log(1)" {
		t.Fatalf("asset: %d %q %q", st, h.Get("Cache-Control"), b)
	}
	st, b, h = e.raw("", "GET", "/cases/C1", nil)
	if st != 200 || !strings.Contains(string(b), "RingTrace") || h.Get("Cache-Control") != "no-cache" {
		t.Fatalf("SPA fallback: %d %q", st, b)
	}
	st, b, _ = e.raw("", "GET", "/api/nothing", nil)
	if st != 404 || errOf(t, b).Code != graph.ENOTFOUND {
		t.Fatalf("unknown API route under UI: %d %s", st, b)
	}
}

// TestForwardedForIgnoredByDefault: a client cannot escape the login limit by inventing
// X-Forwarded-For addresses unless the server is configured to trust a proxy.
func TestForwardedForIgnoredByDefault(t *testing.T) {
	e := newEnv(t, func(c *testConfig) { c.LoginBurst, c.LoginPerMinute = 2, 1 })
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/auth/login", strings.NewReader(`{"username":"analyst","password":"wrong-password-x"}`))
		req.Header.Set("X-Forwarded-For", "10.0.0."+string(rune('1'+i)))
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{true: 401, false: 429}[i < 2]; resp.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
}
