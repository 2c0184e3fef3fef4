package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/casework"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

// testNow is the fixed clock of most tests: Monday 2025-03-03 10:00 China time.
var testNow = time.Date(2025, 3, 3, 10, 0, 0, 0, cases.ChinaTime)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// prefixedFixture is the fixture with every id prefixed, so that a shared database (Neo4j in
// CI) keeps this package's data apart from other packages' tests.
func prefixedFixture(px string) ([]graph.Institution, []graph.Doctor, []graph.Patient, []graph.Claim) {
	ins := []graph.Institution{{ID: px + "H53010200001", Name: "昆明市某民营医院", Level: "一级", Ownership: "private", Region: "530102"}}
	docs := []graph.Doctor{{ID: px + "D530102000001", Name: "王医生", InstitutionID: px + "H53010200001", Department: "内科"}}
	names := []string{"张三丰", "李四", "王小五", "赵六", "钱七", "孙八"}
	var ps []graph.Patient
	for i, n := range names {
		ps = append(ps, graph.Patient{ID: fmt.Sprintf("%sPT%04d", px, i+1), Name: n, Sex: "M", Region: "530102",
			Phone: fmt.Sprintf("1381234%04d", i), Address: "云南省昆明市五华区某街道" + fmt.Sprint(i) + "号", BirthDate: time.Date(1960+i, 1, 2, 0, 0, 0, 0, time.UTC)})
	}
	var cs []graph.Claim
	// Patients 1–3 visit the same doctor on the same five days: the ring.
	for d := 0; d < 5; d++ {
		for p := 0; p < 3; p++ {
			cs = append(cs, graph.Claim{ID: fmt.Sprintf("%sC%d%d", px, d, p), PatientID: ps[p].ID, ProviderID: px + "H53010200001", ProviderType: graph.TypeInstitution,
				DoctorID: px + "D530102000001", Type: graph.ClaimOutpatient, Start: time.Date(2024, 6, 1+d, 9, p, 0, 0, time.UTC),
				DiagnosisCode: "E11.9", TotalAmount: 50000, FundAmount: 40000})
		}
	}
	for p := 3; p < 6; p++ {
		cs = append(cs, graph.Claim{ID: fmt.Sprintf("%sCX%d", px, p), PatientID: ps[p].ID, ProviderID: px + "H53010200001", ProviderType: graph.TypeInstitution,
			Type: graph.ClaimInpatient, Start: time.Date(2024, 7, p, 9, 0, 0, 0, time.UTC), End: time.Date(2024, 7, p+3, 9, 0, 0, 0, time.UTC), TotalAmount: 1200000, FundAmount: 900000,
			TerminalID: "T9"})
	}
	return ins, docs, ps, cs
}

// openFixtureStore opens a real embedded store in a temp dir and loads the fixture.
func openFixtureStore(t testing.TB) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatalf("open embedded store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	loadFixture(t, st, "")
	return st
}

// loadFixture writes the (prefixed) fixture into a store.
func loadFixture(t testing.TB, st graph.Writer, px string) {
	t.Helper()
	ctx := context.Background()
	ins, docs, ps, cs := prefixedFixture(px)
	if err := st.PutInstitutions(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if err := st.PutDoctors(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := st.PutPatients(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if err := st.PutClaims(ctx, cs); err != nil {
		t.Fatal(err)
	}
}

// coVisitDetector is a tiny detector for tests of the service's own logic: patients seen by the
// same doctor on 3 or more distinct days form one ring with that doctor and provider.
func coVisitDetector(ctx context.Context, src graph.Scanner, params json.RawMessage, progress func(string, float64)) (graph.Findings, error) {
	var p struct {
		MinDays int  `json:"min_days"`
		Block   bool `json:"block"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return graph.Findings{}, err
	}
	progress("scan", 10)
	if p.Block {
		<-ctx.Done()
		return graph.Findings{}, ctx.Err()
	}
	days := map[string]map[string]map[string]bool{} // doctor → patient → day
	provOf := map[string]graph.Ref{}
	err := src.ScanClaims(ctx, func(c graph.Claim) error {
		if c.DoctorID == "" {
			return nil
		}
		if days[c.DoctorID] == nil {
			days[c.DoctorID] = map[string]map[string]bool{}
		}
		if days[c.DoctorID][c.PatientID] == nil {
			days[c.DoctorID][c.PatientID] = map[string]bool{}
		}
		days[c.DoctorID][c.PatientID][c.Start.Format("2006-01-02")] = true
		provOf[c.DoctorID] = graph.Ref{Type: c.ProviderType, ID: c.ProviderID}
		return nil
	})
	if err != nil {
		return graph.Findings{}, err
	}
	f := graph.Findings{Version: "test", Rings: []graph.Ring{}, Entities: []graph.EntityRisk{}}
	var docsSorted []string
	for d := range days {
		docsSorted = append(docsSorted, d)
	}
	sort.Strings(docsSorted)
	for i, d := range docsSorted {
		var members []graph.Ref
		var pats []string
		for pid, ds := range days[d] {
			if len(ds) >= p.MinDays {
				pats = append(pats, pid)
			}
		}
		sort.Strings(pats)
		for _, pid := range pats {
			members = append(members, graph.Ref{Type: graph.TypePatient, ID: pid})
			f.Entities = append(f.Entities, graph.EntityRisk{Type: graph.TypePatient, ID: pid, Score: 0.8,
				Reasons: []graph.Reason{{Code: "covisit_days", Text: "与同伙共同就诊", TextEN: "co-visits", Weight: 1}}})
		}
		if len(members) < 2 {
			continue
		}
		members = append(members, graph.Ref{Type: graph.TypeDoctor, ID: d}, provOf[d])
		f.Rings = append(f.Rings, graph.Ring{ID: fmt.Sprintf("R%d", i+1), Kind: graph.KindCollusionRing, Score: 0.9, Members: members, Amount: 600000, Region: "530102",
			Reasons: []graph.Reason{{Code: "covisit_days", Text: "共同就诊天数多", TextEN: "many co-visit days", Weight: 1}}})
	}
	progress("done", 100)
	return f, nil
}

func testDetection() jobs.Detection {
	return jobs.Detection{
		Detect:   coVisitDetector,
		Defaults: func() json.RawMessage { return json.RawMessage(`{"min_days":3,"block":false}`) },
		Normalize: func(user json.RawMessage) (json.RawMessage, error) {
			p := map[string]any{"min_days": 3, "block": false}
			var u map[string]any
			if err := json.Unmarshal(user, &u); err != nil {
				return nil, graph.FieldErrorf("params", "not an object")
			}
			for k, v := range u {
				if _, ok := p[k]; !ok {
					return nil, graph.FieldErrorf("params."+k, "unknown parameter")
				}
				p[k] = v
			}
			if md, ok := p["min_days"].(float64); ok && md < 1 {
				return nil, graph.FieldErrorf("params.min_days", "must be at least 1")
			}
			return json.Marshal(p)
		},
	}
}

// testConfig is what a test may change before the services and the server are built: the
// server's configuration and the core's.
type testConfig struct {
	Config
	Core casework.Config
}

// openServer opens the services over the state directory dir and builds a server on store, the
// way cmd/ringtrace does. Shutdown closes both.
func openServer(t testing.TB, store GraphStore, dir string, mod ...func(*testConfig)) (*Server, *casework.Services, error) {
	t.Helper()
	cfg := testConfig{
		Config: Config{Store: store},
		Core:   casework.Config{StateDir: dir, Source: store, StoreKind: "embedded", Detection: testDetection(), BcryptCost: bcrypt.MinCost},
	}
	for _, m := range mod {
		m(&cfg)
	}
	if cfg.Core.Logger == nil {
		cfg.Core.Logger = cfg.Logger
	}
	if cfg.Core.Now == nil {
		cfg.Core.Now = cfg.Now
	}
	svc, err := casework.Open(cfg.Core)
	if err != nil {
		return nil, nil, err
	}
	cfg.Services = svc
	s, err := New(cfg.Config)
	if err != nil {
		svc.Close()
		return nil, nil, err
	}
	return s, svc, nil
}

// env is a running test server with one user per role.
type env struct {
	t      testing.TB
	s      *Server
	svc    *casework.Services
	ts     *httptest.Server
	clock  *clock
	tokens map[accounts.Role]string
	store  GraphStore
	dir    string
}

const testPassword = "correct-horse-battery"

func newEnv(t testing.TB, mod ...func(*testConfig)) *env {
	t.Helper()
	return newEnvWithStore(t, openFixtureStore(t), mod...)
}

func newEnvWithStore(t testing.TB, store GraphStore, mod ...func(*testConfig)) *env {
	t.Helper()
	clk := &clock{t: testNow}
	dir := t.TempDir()
	adminPassword := "admin-password-123"
	s, svc, err := openServer(t, store, dir, append([]func(*testConfig){func(c *testConfig) {
		c.Now, c.LoginBurst, c.LoginPerMinute = clk.Now, 100, 100
		c.ReadBurst, c.ReadsPerMinute = 100_000, 100_000
		c.Core.AdminPassword = adminPassword
	}}, append(mod, func(c *testConfig) { adminPassword = c.Core.AdminPassword })...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s.Handler())
	e := &env{t: t, s: s, svc: svc, ts: ts, clock: clk, tokens: map[accounts.Role]string{}, store: store, dir: dir}
	t.Cleanup(func() {
		ts.Close()
		_ = s.Shutdown(context.Background())
	})
	for _, r := range []accounts.Role{accounts.RoleAnalyst, accounts.RoleInvestigator, accounts.RoleSupervisor, accounts.RolePolice} {
		if _, err := svc.Accounts.CreateUser(string(r), testPassword, r, string(r)); err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = e.login(string(r), testPassword)
	}
	if adminPassword != "" {
		e.tokens[accounts.RoleAdmin] = e.login("admin", adminPassword)
	}
	return e
}

func (e *env) login(user, pw string) string {
	e.t.Helper()
	var out loginResponse
	if st := e.do("", http.MethodPost, "/api/auth/login", map[string]string{"username": user, "password": pw}, &out); st != http.StatusOK {
		e.t.Fatalf("login %s: status %d", user, st)
	}
	return out.Token
}

// do sends a request with the token of a role (or none) and decodes a JSON response into out.
func (e *env) do(token, method, path string, body any, out any) int {
	e.t.Helper()
	status, b, _ := e.raw(token, method, path, body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", method, path, b, err)
		}
	}
	return status
}

func (e *env) raw(token, method, path string, body any) (int, []byte, http.Header) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func (e *env) as(r accounts.Role, method, path string, body any, out any) int {
	e.t.Helper()
	return e.do(e.tokens[r], method, path, body, out)
}

// runJob starts a job as analyst and waits for it to finish.
func (e *env) runJob(params map[string]any) jobs.Job {
	e.t.Helper()
	var j jobs.Job
	if st := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/jobs", map[string]any{"params": params}, &j); st != http.StatusAccepted {
		e.t.Fatalf("start job: %d", st)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		e.as(accounts.RoleAnalyst, http.MethodGet, "/api/jobs/"+j.ID, nil, &j)
		if j.Status != jobs.Queued && j.Status != jobs.Running {
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatalf("job %s did not finish: %+v", j.ID, j)
	return j
}

// errBody decodes the JSON error shape.
func errOf(t testing.TB, b []byte) errorDetail {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(b, &eb); err != nil {
		t.Fatalf("not a JSON error: %q", b)
	}
	return eb.Error
}

// setClock moves the clock and logs every role in again (sessions expire with time).
func (e *env) setClock(t time.Time) {
	e.t.Helper()
	e.clock.Set(t)
	for r := range e.tokens {
		pw := testPassword
		if r == accounts.RoleAdmin {
			pw = "admin-password-123"
		}
		e.tokens[r] = e.login(string(r), pw)
	}
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// caseStep is one change to a case: the route under /api/cases/{id} and its body.
type caseStep struct {
	path string
	body map[string]any
}

// walkCase applies steps to c in order, each with the case's current version, through post
// (which fails the test on an unexpected status) and keeps each answer in c.
func walkCase(c *caseView, post func(path string, body map[string]any, out *caseView), steps []caseStep) {
	for _, s := range steps {
		s.body["version"] = c.Version
		post("/api/cases/"+c.ID+s.path, s.body, c)
	}
}

// asSupervisor is walkCase's post as the supervisor, expecting 200.
func (e *env) asSupervisor(path string, body map[string]any, out *caseView) {
	e.t.Helper()
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, path, body, out); st != http.StatusOK {
		e.t.Fatalf("case step %s: %d", path, st)
	}
}

// asSupervisor is walkCase's post as the supervisor through call, so that the answer is searched
// for the reporter's identity too.
func (re *referralEnv) asSupervisor(path string, body map[string]any, out *caseView) {
	re.t.Helper()
	re.callJSON(accounts.RoleSupervisor, http.MethodPost, path, body, http.StatusOK, out)
}
