package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

func TestJobsFindingsAndCompare(t *testing.T) {
	e := newEnv(t)
	a := e.runJob(map[string]any{"min_days": 3})
	if a.Status != jobs.Succeeded || a.Summary == nil || a.Summary.Rings != 1 || a.Snapshot == nil || a.Snapshot.Counts.Nodes[graph.TypePatient] != 6 || a.Snapshot.ParamsSHA256 == "" {
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
	var cmp jobs.Comparison
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/jobs/compare?a="+a.ID+"&b="+b.ID, nil, &cmp); st != http.StatusOK {
		t.Fatalf("compare: %d", st)
	}
	if len(cmp.OnlyA) != 1 || len(cmp.OnlyB) != 0 || len(cmp.Matched) != 0 || cmp.ParamsDiff["min_days"].A != float64(3) {
		t.Fatalf("comparison %+v", cmp)
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/jobs/compare?a="+a.ID+"&b="+a.ID, nil, &cmp); st != http.StatusOK || len(cmp.Matched) != 1 || cmp.Matched[0].Jaccard != 1 {
		t.Fatalf("self comparison %+v", cmp)
	}
	// The findings list defaults to the latest succeeded job (b, empty); job=a selects a.
	var page ringPage
	e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings", nil, &page)
	if page.JobID != b.ID || page.Total != 0 {
		t.Fatalf("latest findings %+v", page)
	}
	for q, want := range map[string]int{
		"":                           1,
		"&kind=collusion_ring":       1,
		"&kind=card_lending":         0,
		"&min_score=0.95":            0,
		"&provider=H53010200001":     1,
		"&provider=H00":              0,
		"&region=530102&sort=-size":  1,
		"&region=999999":             0,
		"&sort=amount&offset=1":      1, // total counts all matches, the page is empty
		"&class=ring&sort=-expected": 1,
		"&class=lead":                0,
	} {
		page = ringPage{}
		if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings?job="+a.ID+q, nil, &page); st != http.StatusOK || page.Total != want {
			t.Errorf("rings%s: %d total %d, want %d", q, st, page.Total, want)
		}
	}
	// The board names providers and doctors beside their codes and counts rings and leads apart.
	page = ringPage{}
	e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings?job="+a.ID, nil, &page)
	if page.Labels["institution:H53010200001"] != "昆明市某民营医院" || page.Labels["doctor:D530102000001"] != "王医生" || page.RingCount != 1 || page.Leads != 0 {
		t.Fatalf("board labels %v, rings %d, leads %d", page.Labels, page.RingCount, page.Leads)
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings?class=group", nil, nil); st != http.StatusBadRequest {
		t.Fatalf("class=group: %d, want 400", st)
	}
	var sg subgraphView
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings/R1/subgraph?job="+a.ID, nil, &sg); st != http.StatusOK {
		t.Fatalf("ring subgraph: %d", st)
	}
	// Aggregate view (default): 3 patients + doctor + institution; one CLAIMED_AT and one
	// SEEN_BY edge per patient and the doctor's BILLED_AT, each carrying the 5 claims' totals.
	if len(sg.Nodes) != 5 || len(sg.Edges) != 7 || sg.Truncated || sg.View != "aggregate" || sg.Claims != 15 {
		t.Fatalf("ring subgraph %d nodes %d edges truncated=%v view %q claims %d", len(sg.Nodes), len(sg.Edges), sg.Truncated, sg.View, sg.Claims)
	}
	var billed int
	for _, ed := range sg.Edges {
		if ed.Type == "BILLED_AT" {
			billed = ed.Claims
		}
	}
	if billed != 15 {
		t.Fatalf("BILLED_AT edge carries %d claims, want 15", billed)
	}
	sg = subgraphView{}
	// Claim view: 3 patients + doctor + institution + the 15 claims that tie them.
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings/R1/subgraph?view=claims&job="+a.ID, nil, &sg); st != http.StatusOK || len(sg.Nodes) != 20 || len(sg.Edges) != 45 || sg.Truncated {
		t.Fatalf("ring claim subgraph: %d, %d nodes %d edges truncated=%v", st, len(sg.Nodes), len(sg.Edges), sg.Truncated)
	}
	// A depth-1 neighbourhood of the ring's doctor, aggregated: its patients joined by SEEN_BY
	// edges and its institution by BILLED_AT, with the claims counted.
	var doctor graph.Ref
	for _, n := range sg.Nodes {
		if n.Type == graph.TypeDoctor {
			doctor = graph.Ref{Type: n.Type, ID: n.ID}
		}
	}
	var nb subgraphView
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/doctor/"+doctor.ID+"/neighbourhood", nil, &nb); st != http.StatusOK || nb.View != "aggregate" || nb.Claims < 15 {
		t.Fatalf("aggregate neighbourhood of %v: %d view %q claims %d", doctor, st, nb.View, nb.Claims)
	}
	seenBy, billedAt := 0, 0
	for _, ed := range nb.Edges {
		switch ed.Type {
		case "SEEN_BY":
			seenBy += ed.Claims
		case "BILLED_AT":
			billedAt += ed.Claims
		}
	}
	if seenBy != nb.Claims || billedAt != nb.Claims {
		t.Fatalf("doctor's aggregated edges fold %d SEEN_BY and %d BILLED_AT claims, want %d each", seenBy, billedAt, nb.Claims)
	}
	// Each aggregated edge opens into the claims behind it: the doctor's claims with that patient
	// (or at that institution) number what the edge says, and each names both parties.
	for _, ed := range nb.Edges {
		if ed.Claims == 0 {
			continue // WORKS_AT
		}
		var cp claimPage
		path := "/api/entities/" + string(ed.To.Type) + "/" + ed.To.ID + "/claims?with=" + string(ed.From.Type) + ":" + ed.From.ID
		if st := e.as(accounts.RoleAnalyst, http.MethodGet, path, nil, &cp); st != http.StatusOK || cp.Total != ed.Claims || len(cp.Claims) != ed.Claims {
			t.Fatalf("claims behind %s edge %v→%v: %d, total %d (%d listed), want %d", ed.Type, ed.From, ed.To, st, cp.Total, len(cp.Claims), ed.Claims)
		}
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings/R1/subgraph?view=bogus&job="+a.ID, nil, nil); st != http.StatusBadRequest {
		t.Fatalf("bad view: %d, want 400", st)
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings/R1/subgraph?job="+a.ID+"&limit=3", nil, &sg); st != http.StatusOK || !sg.Truncated || len(sg.Nodes) != 3 || sg.Parties != 5 {
		t.Fatalf("limited ring subgraph: %d nodes truncated=%v", len(sg.Nodes), sg.Truncated)
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings/R9?job="+a.ID, nil, nil); st != http.StatusNotFound {
		t.Fatalf("missing ring: %d", st)
	}
}

func TestJobCancel(t *testing.T) {
	e := newEnv(t)
	var j jobs.Job
	if st := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/jobs", map[string]any{"params": map[string]any{"block": true}}, &j); st != http.StatusAccepted {
		t.Fatalf("start: %d", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for j.Status != jobs.Running && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		e.as(accounts.RoleAnalyst, http.MethodGet, "/api/jobs/"+j.ID, nil, &j)
	}
	if j.Phase != "scan" || j.Percent != 10 {
		t.Fatalf("progress not reported: %+v", j)
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/jobs/"+j.ID+"/cancel", nil, &j); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	for j.Status == jobs.Running && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		e.as(accounts.RoleAnalyst, http.MethodGet, "/api/jobs/"+j.ID, nil, &j)
	}
	if j.Status != jobs.Cancelled {
		t.Fatalf("after cancel: %+v", j)
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/jobs/"+j.ID+"/cancel", nil, nil); st != http.StatusConflict {
		t.Fatalf("cancel finished job: %d", st)
	}
	var out struct {
		Error errorDetail `json:"error"`
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/jobs", map[string]any{"params": map[string]any{"min_days": 0}}, &out); st != http.StatusBadRequest || out.Error.Field != "params.min_days" {
		t.Fatalf("bad params: %d %+v", st, out)
	}
}

// TestJobWithRealDetector runs the real detection engine end to end over the embedded store.
func TestJobWithRealDetector(t *testing.T) {
	e := newEnv(t, func(c *testConfig) { c.Core.Detection = jobs.Algorithms() })
	j := e.runJob(map[string]any{"seed": 7})
	if j.Status != jobs.Succeeded || j.Summary == nil {
		t.Fatalf("real job %+v", j)
	}
	var p map[string]any
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/config/params", nil, &p); st != http.StatusOK || p["seed"] == nil {
		t.Fatalf("default params: %d %v", st, p)
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/jobs", map[string]any{"params": map[string]any{"no_such_param": 1}}, nil); st != http.StatusBadRequest {
		t.Fatalf("unknown param accepted: %d", st)
	}
}

// TestStateSurvivesRestart: cases, findings and users persist; a job cut by a restart is marked
// failed instead of staying "running" forever.
func TestStateSurvivesRestart(t *testing.T) {
	store := openFixtureStore(t)
	dir := t.TempDir()
	s, svc, err := openServer(t, store, dir)
	if err != nil {
		t.Fatal(err)
	}
	a := accounts.Actor{Username: "sup", Role: accounts.RoleSupervisor}
	c, err := svc.Cases.Create(a, cases.NewCase{Parties: []graph.Ref{{Type: graph.TypePatient, ID: "PT0001"}}})
	if err != nil {
		t.Fatal(err)
	}
	done, err := svc.Jobs.Start(a.Username, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for j, _ := svc.Jobs.Get(done.ID); j.Status != jobs.Succeeded; j, _ = svc.Jobs.Get(done.ID) {
		time.Sleep(5 * time.Millisecond)
	}
	blocked, err := svc.Jobs.Start(a.Username, json.RawMessage(`{"block":true}`), "")
	if err != nil {
		t.Fatal(err)
	}
	for j, _ := svc.Jobs.Get(blocked.ID); j.Status != jobs.Running; j, _ = svc.Jobs.Get(blocked.ID) {
		time.Sleep(5 * time.Millisecond)
	}
	// Simulate a crash: the job record says "running" on disk when the process dies. Shutdown
	// would cancel it cleanly, so write the record back as it was mid-run.
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	running := blocked
	running.Status = jobs.Running
	if err := st.Bolt().Update(func(tx *bolt.Tx) error { return state.Put(tx, state.Jobs, running.ID, running) }); err != nil {
		t.Fatal(err)
	}
	st.Close()

	s2, svc2, err := openServer(t, store, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Shutdown(context.Background())
	if got, err := svc2.Cases.Get(a, c.ID); err != nil || got.Version != c.Version {
		t.Fatalf("case after restart: %+v %v", got, err)
	}
	if j, _ := svc2.Jobs.Get(blocked.ID); j.Status != jobs.Failed || j.Error == "" {
		t.Fatalf("interrupted job after restart: %+v", j)
	}
	if ix := svc2.Jobs.Latest(); ix == nil || ix.JobID != done.ID || len(ix.Findings.Rings) != 1 {
		t.Fatalf("latest findings after restart: %+v", ix)
	}
	if v, err := svc2.Audit.Verify(); err != nil || !v.OK {
		t.Fatalf("audit after restart: %+v %v", v, err)
	}
}
