package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/algorithms"
	"github.com/ringtrace/ringtrace/graph"
	bolt "go.etcd.io/bbolt"
)

func TestJobsFindingsAndCompare(t *testing.T) {
	e := newEnv(t)
	a := e.runJob(map[string]any{"min_days": 3})
	if a.Status != JobSucceeded || a.Summary == nil || a.Summary.Rings != 1 || a.Snapshot == nil || a.Snapshot.Counts.Nodes[graph.TypePatient] != 6 || a.Snapshot.ParamsSHA256 == "" {
		t.Fatalf("job a %+v", a)
	}
	var params map[string]any
	_ = json.Unmarshal(a.Params, &params)
	if params["min_days"] != float64(3) || params["block"] != false {
		t.Fatalf("stored params not normalised: %s", a.Params)
	}
	b := e.runJob(map[string]any{"min_days": 6})
	if b.Summary.Rings != 0 {
		t.Fatalf("job b rings %d", b.Summary.Rings)
	}
	var cmp JobComparison
	if st := e.as(RoleAnalyst, http.MethodGet, "/api/jobs/compare?a="+a.ID+"&b="+b.ID, nil, &cmp); st != http.StatusOK {
		t.Fatalf("compare: %d", st)
	}
	if len(cmp.OnlyA) != 1 || len(cmp.OnlyB) != 0 || len(cmp.Matched) != 0 || cmp.ParamsDiff["min_days"].A != float64(3) {
		t.Fatalf("comparison %+v", cmp)
	}
	if st := e.as(RoleAnalyst, http.MethodGet, "/api/jobs/compare?a="+a.ID+"&b="+a.ID, nil, &cmp); st != http.StatusOK || len(cmp.Matched) != 1 || cmp.Matched[0].Jaccard != 1 {
		t.Fatalf("self comparison %+v", cmp)
	}
	// The findings list defaults to the latest succeeded job (b, empty); job=a selects a.
	var page ringPage
	e.as(RoleAnalyst, http.MethodGet, "/api/rings", nil, &page)
	if page.JobID != b.ID || page.Total != 0 {
		t.Fatalf("latest findings %+v", page)
	}
	for q, want := range map[string]int{
		"":                          1,
		"&kind=collusion_ring":      1,
		"&kind=card_lending":        0,
		"&min_score=0.95":           0,
		"&provider=H53010200001":    1,
		"&provider=H00":             0,
		"&region=530102&sort=-size": 1,
		"&region=999999":            0,
		"&sort=amount&offset=1":     1, // total counts all matches, the page is empty
	} {
		page = ringPage{}
		if st := e.as(RoleAnalyst, http.MethodGet, "/api/rings?job="+a.ID+q, nil, &page); st != http.StatusOK || page.Total != want {
			t.Errorf("rings%s: %d total %d, want %d", q, st, page.Total, want)
		}
	}
	var sg subgraphView
	if st := e.as(RoleAnalyst, http.MethodGet, "/api/rings/R1/subgraph?job="+a.ID, nil, &sg); st != http.StatusOK {
		t.Fatalf("ring subgraph: %d", st)
	}
	// 3 patients + doctor + institution + the 15 claims that tie them.
	if len(sg.Nodes) != 20 || len(sg.Edges) != 45 || sg.Truncated {
		t.Fatalf("ring subgraph %d nodes %d edges truncated=%v", len(sg.Nodes), len(sg.Edges), sg.Truncated)
	}
	if st := e.as(RoleAnalyst, http.MethodGet, "/api/rings/R1/subgraph?job="+a.ID+"&limit=6", nil, &sg); st != http.StatusOK || !sg.Truncated || len(sg.Nodes) != 6 {
		t.Fatalf("limited ring subgraph: %d nodes truncated=%v", len(sg.Nodes), sg.Truncated)
	}
	if st := e.as(RoleAnalyst, http.MethodGet, "/api/rings/R9?job="+a.ID, nil, nil); st != http.StatusNotFound {
		t.Fatalf("missing ring: %d", st)
	}
}

func TestJobCancel(t *testing.T) {
	e := newEnv(t)
	var j Job
	if st := e.as(RoleAnalyst, http.MethodPost, "/api/jobs", map[string]any{"params": map[string]any{"block": true}}, &j); st != http.StatusAccepted {
		t.Fatalf("start: %d", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for j.Status != JobRunning && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		e.as(RoleAnalyst, http.MethodGet, "/api/jobs/"+j.ID, nil, &j)
	}
	if j.Phase != "scan" || j.Percent != 10 {
		t.Fatalf("progress not reported: %+v", j)
	}
	if st := e.as(RoleAnalyst, http.MethodPost, "/api/jobs/"+j.ID+"/cancel", nil, &j); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	for j.Status == JobRunning && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		e.as(RoleAnalyst, http.MethodGet, "/api/jobs/"+j.ID, nil, &j)
	}
	if j.Status != JobCancelled {
		t.Fatalf("after cancel: %+v", j)
	}
	if st := e.as(RoleAnalyst, http.MethodPost, "/api/jobs/"+j.ID+"/cancel", nil, nil); st != http.StatusConflict {
		t.Fatalf("cancel finished job: %d", st)
	}
	var out struct {
		Error errorDetail `json:"error"`
	}
	if st := e.as(RoleAnalyst, http.MethodPost, "/api/jobs", map[string]any{"params": map[string]any{"min_days": 0}}, &out); st != http.StatusBadRequest || out.Error.Field != "params.min_days" {
		t.Fatalf("bad params: %d %+v", st, out)
	}
}

// realDetection adapts algorithms.Detect the way cmd/ringtrace/serve.go does.
func realDetection() Detection {
	return Detection{
		Detect: func(ctx context.Context, src graph.Scanner, raw json.RawMessage, progress func(string, float64)) (graph.Findings, error) {
			p := algorithms.DefaultParams()
			if err := json.Unmarshal(raw, &p); err != nil {
				return graph.Findings{}, err
			}
			return algorithms.Detect(ctx, src, p, progress)
		},
		Defaults: func() json.RawMessage { b, _ := json.Marshal(algorithms.DefaultParams()); return b },
		Normalize: func(user json.RawMessage) (json.RawMessage, error) {
			p := algorithms.DefaultParams()
			if err := strictUnmarshal(user, &p); err != nil {
				return nil, err
			}
			if err := p.Validate(); err != nil {
				return nil, err
			}
			return json.Marshal(p)
		},
	}
}

// TestJobWithRealDetector runs the real detection engine end to end over the embedded store.
func TestJobWithRealDetector(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Detection = realDetection() })
	j := e.runJob(map[string]any{"seed": 7})
	if j.Status != JobSucceeded || j.Summary == nil {
		t.Fatalf("real job %+v", j)
	}
	var p map[string]any
	if st := e.as(RoleAnalyst, http.MethodGet, "/api/config/params", nil, &p); st != http.StatusOK || p["seed"] == nil {
		t.Fatalf("default params: %d %v", st, p)
	}
	if st := e.as(RoleAnalyst, http.MethodPost, "/api/jobs", map[string]any{"params": map[string]any{"no_such_param": 1}}, nil); st != http.StatusBadRequest {
		t.Fatalf("unknown param accepted: %d", st)
	}
}

// TestStateSurvivesRestart: cases, findings and users persist; a job cut by a restart is marked
// failed instead of staying "running" forever.
func TestStateSurvivesRestart(t *testing.T) {
	store := openFixtureStore(t)
	dir := t.TempDir()
	cfg := Config{Store: store, StateDir: dir, Detection: testDetection(), AdminPassword: "admin-password-123", BcryptCost: 4}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := Actor{Username: "sup", Role: RoleSupervisor}
	c, err := s.cases.Create(a, NewCase{Parties: []graph.Ref{{Type: graph.TypePatient, ID: "PT0001"}}})
	if err != nil {
		t.Fatal(err)
	}
	done, err := s.jobs.Start(a, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for j, _ := s.jobs.Get(done.ID); j.Status != JobSucceeded; j, _ = s.jobs.Get(done.ID) {
		time.Sleep(5 * time.Millisecond)
	}
	blocked, err := s.jobs.Start(a, json.RawMessage(`{"block":true}`), "")
	if err != nil {
		t.Fatal(err)
	}
	for j, _ := s.jobs.Get(blocked.ID); j.Status != JobRunning; j, _ = s.jobs.Get(blocked.ID) {
		time.Sleep(5 * time.Millisecond)
	}
	// Simulate a crash: the job record says "running" on disk when the process dies. Shutdown
	// would cancel it cleanly, so write the record back as it was mid-run.
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := OpenState(dir)
	if err != nil {
		t.Fatal(err)
	}
	running := blocked
	running.Status = JobRunning
	if err := st.db.Update(func(tx *bolt.Tx) error { return putJSON(tx, bucketJobs, running.ID, running) }); err != nil {
		t.Fatal(err)
	}
	st.Close()

	s2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Shutdown(context.Background())
	if got, err := s2.cases.Get(a, c.ID); err != nil || got.Version != c.Version {
		t.Fatalf("case after restart: %+v %v", got, err)
	}
	if j, _ := s2.jobs.Get(blocked.ID); j.Status != JobFailed || j.Error == "" {
		t.Fatalf("interrupted job after restart: %+v", j)
	}
	if ix := s2.jobs.Latest(); ix == nil || ix.jobID != done.ID || len(ix.f.Rings) != 1 {
		t.Fatalf("latest findings after restart: %+v", ix)
	}
	if v, err := s2.audit.Verify(); err != nil || !v.OK {
		t.Fatalf("audit after restart: %+v %v", v, err)
	}
}
