package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/lineaudit"
	"github.com/ringtrace/ringtrace/graph"
)

// policeCase walks a case on patient PT0001 to "transferred to police" and returns it.
func (e *env) policeCase() caseView {
	e.t.Helper()
	var c caseView
	if st := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0001"}, "title": "测试案件"}, &c); st != http.StatusCreated {
		e.t.Fatalf("create case: %d", st)
	}
	steps := []caseStep{
		{"/assign", map[string]any{"assignee": "investigator"}},
		{"/transition", map[string]any{"to": "verification"}},
		{"/transition", map[string]any{"to": "opened"}},
		{"/attachments", map[string]any{"refs": []graph.Ref{{Type: graph.TypeClaim, ID: "C00"}}}},
		{"/transition", map[string]any{"to": "transferred", "transfer_to": "police", "reason": "涉嫌犯罪"}},
	}
	walkCase(&c, e.asSupervisor, steps)
	return c
}

// TestAccessMatrix calls every route of openapi.json as every role (and without a token) and
// checks allow/deny against the roles the description lists: deny by default means 403 for a
// role not listed, 401 without a session.
func TestAccessMatrix(t *testing.T) {
	rules, err := lineaudit.Load("../algorithms/billing/testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *testConfig) { c.Referral.SigningKey = testSigningKey(); c.BillingRules = rules })
	e.addIntakeUser()
	job := e.runJob(nil)
	if job.Status != jobs.Succeeded {
		t.Fatalf("job %+v", job)
	}
	c := e.policeCase()
	// A whistle-blower report for the intake routes.
	var receipt ReportReceipt
	if st := e.do("", http.MethodPost, "/api/reports", map[string]any{"anonymous": true, "subject": "某诊所", "what": "挂床住院"}, &receipt); st != http.StatusCreated {
		t.Fatalf("file a report: %d", st)
	}
	reports, err := e.svc.Intake.Reports(context.Background())
	if err != nil || len(reports) != 1 {
		t.Fatalf("reports %v %v", reports, err)
	}
	doc := loadOpenAPI(t)
	fill := strings.NewReplacer("{type}", "patient", "{username}", "analyst")
	query := map[string]string{
		"/api/search":       "?q=%E5%BC%A0",
		"/api/paths":        "?from=patient:PT0001&to=patient:PT0002",
		"/api/jobs/compare": "?a=" + job.ID + "&b=" + job.ID,
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.Security != nil && len(*op.Security) == 0 {
				continue // public
			}
			p := fill.Replace(path)
			switch {
			case strings.HasPrefix(p, "/api/entities/"):
				p = strings.Replace(p, "{id}", "PT0001", 1)
			case strings.HasPrefix(p, "/api/jobs/"):
				p = strings.Replace(p, "{id}", job.ID, 1)
			case strings.HasPrefix(p, "/api/rings/"):
				p = strings.Replace(p, "{id}", "R1", 1)
			case strings.HasPrefix(p, "/api/cases/"):
				p = strings.Replace(p, "{id}", c.ID, 1)
			case strings.HasPrefix(p, "/api/reports/"):
				p = strings.Replace(strings.Replace(p, "{id}", reports[0].ID, 1), "{n}", "0", 1)
			case strings.HasPrefix(p, "/api/blacklist/"):
				p = strings.Replace(p, "{id}", "BL-000001", 1)
			}
			p += query[path]
			var body any
			if method != "get" {
				body = map[string]any{}
			}
			m := strings.ToUpper(method)
			t.Run(m+" "+path+"/anonymous", func(t *testing.T) {
				if st := e.do("", m, p, body, nil); st != http.StatusUnauthorized {
					t.Errorf("without token: %d, want 401", st)
				}
			})
			for _, role := range accounts.Roles {
				t.Run(fmt.Sprintf("%s %s/%s", m, path, role), func(t *testing.T) {
					token := e.tokens[role]
					if path == "/api/auth/logout" {
						token = e.login(string(role), map[accounts.Role]string{accounts.RoleAdmin: "admin-password-123"}[role]+passwordIfNotAdmin(role))
					}
					st, b, _ := e.raw(token, m, p, body)
					allowed := slices.Contains(op.Roles, role)
					if allowed && (st == http.StatusForbidden || st == http.StatusUnauthorized || st >= 500) {
						t.Errorf("%s may call it but got %d: %s", role, st, b)
					}
					if !allowed && st != http.StatusForbidden {
						t.Errorf("%s may not call it but got %d: %s", role, st, b)
					}
				})
			}
		}
	}
}

func passwordIfNotAdmin(r accounts.Role) string {
	if r == accounts.RoleAdmin {
		return ""
	}
	return testPassword
}

// TestDataLevelAccess checks the rules inside routes: police see only what was transferred to
// them, investigators only their cases, analysts only masked data.
func TestDataLevelAccess(t *testing.T) {
	e := newEnv(t)
	e.runJob(nil)
	// Before any case: police may not read PT0001, investigator sees it masked.
	if st := e.as(accounts.RolePolice, http.MethodGet, "/api/entities/patient/PT0001", nil, nil); st != http.StatusForbidden {
		t.Fatalf("police before transfer: %d", st)
	}
	var ev entityView
	e.as(accounts.RoleInvestigator, http.MethodGet, "/api/entities/patient/PT0001", nil, &ev)
	if !ev.Node.Masked || ev.Node.Label != "张*丰" {
		t.Fatalf("investigator without case sees %+v", ev.Node)
	}
	// The ring picture is cached between reads, unmasked; masking stays per reader and per read.
	var rp ringPage
	e.as(accounts.RoleInvestigator, http.MethodGet, "/api/rings", nil, &rp)
	ringPicturePT0001 := func() (nodeView, bool) {
		var sg subgraphView
		if st := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/rings/"+rp.Rings[0].ID+"/subgraph", nil, &sg); st != http.StatusOK {
			t.Fatalf("ring picture: %d", st)
		}
		for _, n := range sg.Nodes {
			if n.Type == graph.TypePatient && (n.ID == "PT0001" || n.Label == "张*丰") {
				return n, true
			}
		}
		return nodeView{}, false
	}
	if len(rp.Rings) == 0 {
		t.Fatal("no ring found")
	}
	if n, ok := ringPicturePT0001(); !ok || !n.Masked || n.ID == "PT0001" {
		t.Fatalf("investigator without case, ring picture: %+v (found %v)", n, ok)
	}
	c := e.policeCase()
	if n, ok := ringPicturePT0001(); !ok || n.Masked || n.Label != "张三丰" {
		t.Fatalf("assigned investigator, cached ring picture: %+v (found %v)", n, ok)
	}
	// Police now read the party and the attached claim, in full.
	ev = entityView{}
	if st := e.as(accounts.RolePolice, http.MethodGet, "/api/entities/patient/PT0001", nil, &ev); st != http.StatusOK || ev.Node.Masked || ev.Node.Label != "张三丰" {
		t.Fatalf("police after transfer: %d %+v", st, ev.Node)
	}
	if st := e.as(accounts.RolePolice, http.MethodGet, "/api/entities/patient/PT0002", nil, nil); st != http.StatusForbidden {
		t.Fatalf("police on a party outside the case: %d", st)
	}
	var cv caseView
	if st := e.as(accounts.RolePolice, http.MethodGet, "/api/cases/"+c.ID, nil, &cv); st != http.StatusOK || len(cv.Notes) != 0 {
		t.Fatalf("police case read: %d notes %v", st, cv.Notes)
	}
	// The assigned investigator sees the party in full; the analyst never does.
	ev = entityView{}
	e.as(accounts.RoleInvestigator, http.MethodGet, "/api/entities/patient/PT0001", nil, &ev)
	if ev.Node.Masked || ev.Node.Props["phone"] != "13812340000" {
		t.Fatalf("assigned investigator sees %+v", ev.Node)
	}
	ev = entityView{}
	e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0001", nil, &ev)
	if !ev.Node.Masked || ev.Node.Props["phone"] != "138****0000" || strings.Contains(ev.Node.ID, "PT0001") {
		t.Fatalf("analyst sees %+v", ev.Node)
	}
	if ev.Risk == nil || ev.Risk.Score != 0.8 || len(ev.Rings) != 1 {
		t.Fatalf("risk/rings missing from entity view: %+v", ev)
	}
	// The analyst can navigate by pseudonym.
	var nb subgraphView
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/"+ev.Node.ID+"/neighbourhood?depth=2&limit=50", nil, &nb); st != http.StatusOK || len(nb.Nodes) < 3 {
		t.Fatalf("neighbourhood by pseudonym: %d %d nodes", st, len(nb.Nodes))
	}
	for _, n := range nb.Nodes {
		if n.Type == graph.TypePatient && (!n.Masked || strings.HasPrefix(n.ID, "PT")) {
			t.Fatalf("analyst neighbourhood leaks %+v", n)
		}
	}
	for _, ed := range nb.Edges {
		if strings.HasPrefix(ed.From.ID, "PT") || strings.HasPrefix(ed.To.ID, "PT") {
			t.Fatalf("analyst edge leaks a patient id: %+v", ed)
		}
	}
	// Claims: analyst sees pseudonymised patient ids and no diagnosis.
	var cp claimPage
	e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/institution/H53010200001/claims?limit=100", nil, &cp)
	if cp.Total != 18 || len(cp.Claims) != 18 {
		t.Fatalf("claims total %d len %d", cp.Total, len(cp.Claims))
	}
	for _, cl := range cp.Claims {
		if strings.HasPrefix(cl.PatientID, "PT") || cl.DiagnosisCode != "" || !cl.Masked {
			t.Fatalf("analyst claim leaks %+v", cl)
		}
	}
	// Another investigator (not assigned) cannot read the case.
	if _, err := e.svc.Accounts.CreateUser("inv2", testPassword, accounts.RoleInvestigator, "调查员二"); err != nil {
		t.Fatal(err)
	}
	tok := e.login("inv2", testPassword)
	if st := e.do(tok, http.MethodGet, "/api/cases/"+c.ID, nil, nil); st != http.StatusNotFound {
		t.Fatalf("unassigned investigator reads case: %d", st)
	}
	// Every read above left an audit record with the entity.
	recs, _, err := e.svc.Audit.Query(audit.Query{Actor: "police", Entity: "patient:PT0001", Limit: 100})
	if err != nil || len(recs) == 0 {
		t.Fatalf("no audit record of police reading PT0001: %v", err)
	}
}

// TestTerminalIDWithSlash checks that ids containing "/" (terminals are "provider/terminal")
// can be addressed with %2F.
func TestTerminalIDWithSlash(t *testing.T) {
	e := newEnv(t)
	var ev entityView
	if st := e.as(accounts.RoleAnalyst, "GET", "/api/entities/terminal/H53010200001%2FT9", nil, &ev); st != http.StatusOK || ev.Node.ID != "H53010200001/T9" {
		t.Fatalf("terminal with slash: %d %+v", st, ev.Node)
	}
}
