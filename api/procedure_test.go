package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/graph"
)

// A case through the procedure of the Yunnan anti-fraud measures over HTTP: verification counted
// from the application's receipt, the hand-over to the administrative department and its
// feedback, the party's statement, an appeal and the money recovered — each step audited.
func TestCaseProcedureOverHTTP(t *testing.T) {
	cal, err := cases.LoadWorkingDays("cases/testdata/holidays-cn-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *testConfig) { c.Core.Calendar = cal })
	e.setClock(time.Date(2025, 9, 23, 10, 0, 0, 0, cases.ChinaTime))
	var c caseView
	body := map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0001"}, "application_received": "2025-09-22"}
	if st := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases", body, &c); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	// 15 working days after Monday 22 September across National Day: 17 October.
	if d := deadline(c, "verify"); d.Due != "2025-10-17" || d.Basis != "application" {
		t.Fatalf("verify deadline %+v", d)
	}
	post := func(role accounts.Role, path string, body map[string]any, want int) {
		t.Helper()
		body["version"] = c.Version
		var out any
		if want == http.StatusOK {
			out = &c
		}
		if st := e.as(role, http.MethodPost, "/api/cases/"+c.ID+path, body, out); st != want {
			t.Fatalf("POST %s as %s: %d, want %d", path, role, st, want)
		}
	}
	post(accounts.RoleInvestigator, "/application", map[string]any{"application_received": "2025-09-31"}, http.StatusBadRequest)
	post(accounts.RoleInvestigator, "/application", map[string]any{"application_received": "2025-09-19"}, http.StatusOK)
	if d := deadline(c, "verify"); d.Due != "2025-10-16" {
		t.Fatalf("verify deadline after correction %+v", d)
	}
	post(accounts.RoleInvestigator, "/transition", map[string]any{"to": "verification"}, http.StatusOK)
	e.setClock(time.Date(2025, 9, 30, 10, 0, 0, 0, cases.ChinaTime))
	post(accounts.RoleSupervisor, "/transition", map[string]any{"to": "opened"}, http.StatusOK)
	if d := deadline(c, "transfer"); d.Due != "2025-10-14" || d.Basis != "verified" || !d.Active {
		t.Fatalf("transfer deadline %+v", d)
	}
	post(accounts.RoleInvestigator, "/handovers", map[string]any{"kind": "administrative", "department": "市人社局"}, http.StatusForbidden)
	post(accounts.RoleSupervisor, "/handovers", map[string]any{"kind": "administrative", "department": "市人社局", "extra": 1}, http.StatusBadRequest)
	post(accounts.RoleSupervisor, "/handovers", map[string]any{"kind": "administrative", "department": "市人社局"}, http.StatusOK)
	if d := deadline(c, "transfer"); d.Active || len(c.Handovers) != 1 {
		t.Fatalf("after hand-over: %+v %+v", d, c.Handovers)
	}
	e.setClock(time.Date(2025, 10, 15, 10, 0, 0, 0, cases.ChinaTime))
	post(accounts.RoleInvestigator, "/handovers/1/feedback", map[string]any{"received": "2025-10-15", "outcome": "已立案调查"}, http.StatusOK)
	post(accounts.RoleInvestigator, "/handovers/x/feedback", map[string]any{"received": "2025-10-15", "outcome": "x"}, http.StatusBadRequest)
	post(accounts.RoleSupervisor, "/statement", map[string]any{"action": "notify", "notified": "2025-10-15", "working_days": 5, "document": "告知书〔2025〕3号"}, http.StatusOK)
	if d := deadline(c, "statement"); d.Due != "2025-10-22" || !d.Active {
		t.Fatalf("statement deadline %+v", d)
	}
	post(accounts.RoleInvestigator, "/statement", map[string]any{"action": "waive", "submitted": "2025-10-15"}, http.StatusOK)
	post(accounts.RoleInvestigator, "/appeals", map[string]any{"action": "file", "kind": "litigation", "filed": "2025-10-15", "body": "区人民法院"}, http.StatusOK)
	post(accounts.RoleInvestigator, "/recoveries", map[string]any{"kind": "recovered", "amount": 100, "date": "2025-10-15"}, http.StatusForbidden)
	post(accounts.RoleSupervisor, "/recoveries", map[string]any{"kind": "recovered", "date": "2025-10-15"}, http.StatusBadRequest)
	post(accounts.RoleSupervisor, "/recoveries", map[string]any{"kind": "recovered", "amount": 18770.5, "date": "2025-10-15"}, http.StatusOK)
	post(accounts.RoleSupervisor, "/recoveries", map[string]any{"kind": "penalty", "amount": 37541, "date": "2025-10-15"}, http.StatusOK)
	if c.RecoveredTotal != graph.FromYuan(18770.5) || c.PenaltyTotal != graph.FromYuan(37541) || !c.Statement.Waived || c.Appeals[0].KindLabel != "行政诉讼" {
		t.Fatalf("case %+v", c)
	}
	for _, action := range []string{"case_application_received", "case_handover", "case_handover_feedback", "case_statement_notify", "case_statement_waive", "case_appeal_file", "case_recovery"} {
		recs, _, err := e.svc.Audit.Query(audit.Query{Action: action, Limit: 10})
		if err != nil || len(recs) == 0 || recs[0].Detail != "case "+c.ID {
			t.Errorf("audit of %s: %v %+v", action, err, recs)
		}
	}
}
