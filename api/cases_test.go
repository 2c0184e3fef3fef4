package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/graph"
)

func deadline(c caseView, kind string) cases.Deadline {
	for _, d := range c.Deadlines {
		if d.Kind == kind {
			return d
		}
	}
	return cases.Deadline{}
}

func TestCaseWorkflowAndDeadlines(t *testing.T) {
	cal, err := cases.LoadWorkingDays("cases/testdata/holidays-cn-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *testConfig) { c.Core.Calendar = cal })
	job := e.runJob(nil)
	// An analyst raises a lead from the ring; it has no assignee and a 15-working-day verify limit.
	var c caseView
	if st := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/cases", map[string]any{"ring_id": "R1", "job_id": job.ID}, &c); st != http.StatusCreated {
		t.Fatalf("create from ring: %d", st)
	}
	if c.Status != cases.StatusLead || c.StatusLabel != "线索" || len(c.Parties) != 5 || c.Assignee != "" {
		t.Fatalf("new case %+v", c)
	}
	// testNow is Mon 2025-03-03: +15 working days = Mon 2025-03-24.
	if d := deadline(c, "verify"); d.Due != "2025-03-24" || !d.Active || d.Overdue {
		t.Fatalf("verify deadline %+v", d)
	}
	// Analysts see the ring's patients pseudonymised in their own lead.
	for _, p := range c.Parties {
		if p.Type == graph.TypePatient && p.ID[:1] != masking.PseudonymPrefix {
			t.Fatalf("analyst sees party id %s", p.ID)
		}
	}
	// Investigators cannot see an unassigned case; verification needs an assignee.
	if st := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/cases/"+c.ID, nil, nil); st != http.StatusNotFound {
		t.Fatalf("unassigned case visible to investigator: %d", st)
	}
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"to": "verification", "version": c.Version}, nil); st != http.StatusConflict {
		t.Fatalf("verification without assignee: %d", st)
	}
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/assign", map[string]any{"assignee": "investigator", "version": c.Version}, &c); st != http.StatusOK {
		t.Fatalf("assign: %d", st)
	}
	// A stale version is a 409.
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases/"+c.ID+"/notes", map[string]any{"text": "x", "version": c.Version - 1}, nil); st != http.StatusConflict {
		t.Fatalf("stale note: %d", st)
	}
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"to": "verification", "version": c.Version}, &c); st != http.StatusOK {
		t.Fatalf("to verification: %d", st)
	}
	// Investigators cannot confirm (立案) on their own.
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"to": "opened", "version": c.Version}, nil); st != http.StatusForbidden {
		t.Fatalf("investigator opens: %d", st)
	}
	// Skipping a stage is refused.
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"to": "transferred", "transfer_to": "police", "version": c.Version}, nil); st != http.StatusConflict {
		t.Fatalf("skip to transferred: %d", st)
	}
	// Opened on Friday 2025-09-26 (next day is a make-up Sunday, then National Day).
	e.setClock(time.Date(2025, 9, 26, 11, 0, 0, 0, cases.ChinaTime))
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"to": "opened", "version": c.Version}, &c); st != http.StatusOK {
		t.Fatalf("open: %d", st)
	}
	// transfer: Sep 28 (Sun, make-up), 29, 30, Oct 9, 10 → 2025-10-10.
	if d := deadline(c, "transfer"); d.Due != "2025-10-10" || !d.Active {
		t.Fatalf("transfer deadline %+v", d)
	}
	if d := deadline(c, "verify"); d.Active || d.Overdue {
		t.Fatalf("verify deadline still active after opening: %+v", d)
	}
	close60 := deadline(c, "close").Due
	// Extension: requested by the investigator, approved by a supervisor, only once.
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases/"+c.ID+"/extension", map[string]any{"action": "request", "reason": "证据量大", "version": c.Version}, &c); st != http.StatusOK {
		t.Fatalf("request extension: %d", st)
	}
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases/"+c.ID+"/extension", map[string]any{"action": "approve", "version": c.Version}, nil); st != http.StatusForbidden {
		t.Fatalf("investigator approves: %d", st)
	}
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/extension", map[string]any{"action": "approve", "version": c.Version}, &c); st != http.StatusOK {
		t.Fatalf("approve: %d", st)
	}
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases/"+c.ID+"/extension", map[string]any{"action": "request", "reason": "again", "version": c.Version}, nil); st != http.StatusConflict {
		t.Fatalf("second extension: %d", st)
	}
	if got, want := deadline(c, "close").Due, cases.Day(cal.AddWorkingDays(time.Date(2025, 9, 26, 11, 0, 0, 0, cases.ChinaTime), 90)); got != want || got == close60 {
		t.Fatalf("close deadline after extension %s, want %s (was %s)", got, want, close60)
	}
	// Two weeks later the transfer is overdue and the case is listed as such.
	e.setClock(time.Date(2025, 10, 13, 9, 0, 0, 0, cases.ChinaTime))
	var list struct {
		Cases []caseView `json:"cases"`
		Total int        `json:"total"`
	}
	if st := e.as(accounts.RoleSupervisor, http.MethodGet, "/api/cases?overdue=true", nil, &list); st != http.StatusOK || list.Total != 1 || !list.Cases[0].Overdue {
		t.Fatalf("overdue list: %d %+v", st, list)
	}
	if st := e.as(accounts.RoleSupervisor, http.MethodGet, "/api/cases?overdue=false", nil, &list); st != http.StatusOK || list.Total != 0 {
		t.Fatalf("not-overdue list: %d %d", st, list.Total)
	}
	// Closing needs a reason; history records who did what.
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"to": "closed", "version": c.Version}, nil); st != http.StatusBadRequest {
		t.Fatalf("close without reason: %d", st)
	}
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"to": "closed", "reason": "已处罚", "version": c.Version}, &c); st != http.StatusOK {
		t.Fatalf("close: %d", st)
	}
	if c.Overdue || len(c.History) < 7 || c.History[len(c.History)-1].By != "supervisor" {
		t.Fatalf("closed case %+v", c)
	}
	// Every change is in the audit trail, with the case's parties.
	for _, action := range []string{"create_case", "case_assign", "case_verification", "case_opened", "case_extension_request", "case_extension_approve", "case_closed"} {
		recs, _, err := e.svc.Audit.Query(audit.Query{Action: action, Limit: 10})
		if err != nil || len(recs) != 1 || len(recs[0].Entities) != 5 || recs[0].Detail != "case "+c.ID {
			t.Errorf("audit of %s: %v %+v", action, err, recs)
		}
	}
	if v, err := e.svc.Audit.Verify(); err != nil || !v.OK {
		t.Fatalf("chain after case changes: %+v %v", v, err)
	}
}

func TestRecusal(t *testing.T) {
	e := newEnv(t)
	// The investigator is related to PT0003 and declares it.
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/recusals", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0003"}, "reason": "亲属关系"}, nil); st != http.StatusCreated {
		t.Fatalf("recuse: %d", st)
	}
	// They can no longer open a case on that party …
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0003"}}, nil); st != http.StatusForbidden {
		t.Fatalf("recused investigator opens case: %d", st)
	}
	// … nor be assigned one.
	var c caseView
	e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0003"}}, &c)
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/assign", map[string]any{"assignee": "investigator", "version": c.Version}, nil); st != http.StatusConflict {
		t.Fatalf("assign recused investigator: %d", st)
	}
	// Recusing from an assigned case removes the assignment and the access.
	var c2 caseView
	e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0004"}}, &c2)
	if c2.Assignee != "investigator" {
		t.Fatalf("creator investigator not assigned: %+v", c2)
	}
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/recusals", map[string]any{"case_id": c2.ID, "reason": "同事关系"}, nil); st != http.StatusCreated {
		t.Fatalf("recuse case: %d", st)
	}
	if st := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/cases/"+c2.ID, nil, nil); st != http.StatusNotFound {
		t.Fatalf("recused investigator still reads case: %d", st)
	}
	var rs struct {
		Recusals []cases.Recusal `json:"recusals"`
	}
	if e.as(accounts.RoleSupervisor, http.MethodGet, "/api/recusals", nil, &rs); len(rs.Recusals) != 2 {
		t.Fatalf("supervisor sees %d recusals", len(rs.Recusals))
	}
}

// A workbench canvas is saved with the case by name (same name replaces), for the case workers
// only; a link that is not a workbench location is refused naming the field.
func TestSavedViewsOnCase(t *testing.T) {
	e := newEnv(t)
	var c caseView
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0001"}, "title": "视图"}, &c); st != http.StatusCreated {
		t.Fatalf("create case: %d", st)
	}
	link := "#/workbench?entity=patient:PT0001&v=eyJ4IjpbXX0"
	walkCase(&c, e.asSupervisor, []caseStep{
		{"/views", map[string]any{"name": "初步关系图", "link": link}},
		{"/views", map[string]any{"name": "初步关系图", "link": link + "x"}},
		{"/views", map[string]any{"name": "药店视角", "link": "#/rings/R1?job=J000001"}},
	})
	if len(c.Views) != 2 || c.Views[0].Name != "初步关系图" || c.Views[0].Link != link+"x" || c.Views[0].By != "supervisor" {
		t.Fatalf("views %+v", c.Views)
	}
	// The case names the people it mentions by display name (the test users' are their usernames).
	if c.People["supervisor"] != "supervisor" {
		t.Fatalf("people %v", c.People)
	}
	for _, bad := range []string{"https://evil.example/", "#/cases/C1", "#/rings/R1\"><script>"} {
		var er errorBody
		if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/views", map[string]any{"name": "x", "link": bad, "version": c.Version}, &er); st != http.StatusBadRequest || er.Error.Field != "link" {
			t.Errorf("link %q: %d %+v", bad, st, er)
		}
	}
	// An analyst does not read this case at all (404); were one given the case view, its views
	// would be left out, as for the police.
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/cases/"+c.ID, nil, nil); st != http.StatusNotFound {
		t.Fatalf("analyst reads the supervisor's case: %d, want 404", st)
	}
	for _, role := range []accounts.Role{accounts.RoleAnalyst, accounts.RolePolice} {
		if v := e.s.caseView(accounts.Actor{Username: string(role), Role: role}, c.Case); len(v.Views) != 0 {
			t.Fatalf("the %s's case view carries saved views: %+v", role, v.Views)
		}
	}
	if st := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/cases/"+c.ID+"/views", map[string]any{"name": "x", "link": link, "version": c.Version}, nil); st != http.StatusForbidden {
		t.Fatalf("analyst saves a view: %d, want 403", st)
	}
}
