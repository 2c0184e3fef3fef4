package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/graph"
)

func TestBuildTimelineFillsGapsAndBucketsInChinaTime(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	cs := []graph.Claim{
		{ID: "C1", Start: at(2024, 1, 31, 17), FundAmount: 100, Type: graph.ClaimOutpatient}, // 1 Feb in China
		{ID: "C2", Start: at(2024, 4, 10, 2), FundAmount: 250, Type: graph.ClaimPharmacy},
		{ID: "C3", Start: at(2024, 4, 11, 2), FundAmount: 50, Type: graph.ClaimInpatient},
	}
	tl, err := buildTimeline("month", cs)
	if err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, b := range tl.Series {
		starts = append(starts, b.Start)
	}
	if got := len(tl.Series); got != 3 || starts[0] != "2024-02-01" || starts[1] != "2024-03-01" || tl.Series[1].Claims != 0 {
		t.Fatalf("month buckets %v (%+v): want Feb, an empty March, April", starts, tl.Series)
	}
	if a := tl.Series[2]; a.Claims != 2 || a.Fund != 300 || a.Pharmacy != 1 || a.Inpatient != 1 {
		t.Fatalf("April bucket %+v", a)
	}
	if tl.Claims != 3 || tl.Fund != 400 || tl.First != "2024-02-01" || tl.Last != "2024-04-11" {
		t.Fatalf("totals %+v", tl)
	}
	wk, err := buildTimeline("week", cs)
	if err != nil {
		t.Fatal(err)
	}
	// 1 Feb 2024 was a Thursday: its ISO week starts on Monday 29 January.
	if wk.Series[0].Start != "2024-01-29" || wk.Series[len(wk.Series)-1].Start != "2024-04-08" {
		t.Fatalf("weeks from %s to %s", wk.Series[0].Start, wk.Series[len(wk.Series)-1].Start)
	}
	long := []graph.Claim{{Start: at(2020, 1, 1, 2)}, {Start: at(2024, 1, 1, 2)}}
	if _, err := buildTimeline("day", long); err == nil {
		t.Fatal("four years of days: want an error naming bucket")
	}
	if empty, err := buildTimeline("day", nil); err != nil || len(empty.Series) != 0 || empty.Series == nil {
		t.Fatalf("no claims: %+v %v", empty, err)
	}
}

func TestTimelineRoute(t *testing.T) {
	e := newEnv(t)
	var tl timelineView
	// The hospital: 15 outpatient claims on 1-5 June 2024 and 3 stays in July, ¥400 and ¥9,000 each.
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/institution/H53010200001/timeline", nil, &tl); st != http.StatusOK {
		t.Fatalf("status %d", st)
	}
	if tl.Bucket != "month" || len(tl.Series) != 2 || tl.Series[0].Claims != 15 || tl.Series[1].Inpatient != 3 || tl.Claims != 18 || tl.Fund != graph.Money(15*40000+3*900000) {
		t.Fatalf("monthly timeline %+v", tl)
	}
	tl = timelineView{}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/institution/H53010200001/timeline?bucket=day", nil, &tl); st != http.StatusOK || len(tl.Series) != 35 {
		t.Fatalf("daily timeline: %d, %d buckets, want 35 (1 June to 5 July)", st, len(tl.Series))
	}
	// A patient's stays are personal data: the analyst, who sees patients masked, gets none.
	var ev entityView
	e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0004", nil, &ev)
	tl = timelineView{}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/"+ev.Node.ID+"/timeline", nil, &tl); st != http.StatusOK || tl.Claims != 1 || len(tl.Events) != 0 || tl.Party == nil || tl.Party.ID == "PT0004" {
		t.Fatalf("analyst's patient timeline: %d %+v", st, tl)
	}
	for path, field := range map[string]string{
		"/api/entities/institution/H53010200001/timeline?bucket=year": "bucket",
		"/api/entities/claim/C00/timeline":                            "type",
		"/api/entities/institution/H53010200001/timeline?from=x":      "from",
	} {
		var er errorBody
		if st := e.as(accounts.RoleAnalyst, http.MethodGet, path, nil, &er); st != http.StatusBadRequest || er.Error.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", path, st, er, field)
		}
	}
	// A ring's timeline buckets the claims that tie it: ring R1's 15 co-visits in June 2024.
	j := e.runJob(nil)
	tl = timelineView{}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/rings/R1/timeline?bucket=day&job="+j.ID, nil, &tl); st != http.StatusOK || tl.Claims != 15 || len(tl.Series) != 5 || tl.Party != nil {
		t.Fatalf("ring timeline: %d %+v", st, tl)
	}
	if st := e.as(accounts.RolePolice, http.MethodGet, "/api/entities/patient/PT0004/timeline", nil, nil); st != http.StatusForbidden {
		t.Fatalf("police outside a transferred case: %d, want 403", st)
	}
}
