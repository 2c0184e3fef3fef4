package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/graph"
)

// The committed openapi.json is what `go generate ./api` writes from the route table.
func TestOpenAPIGenerated(t *testing.T) {
	src, err := os.ReadFile("openapi_source.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := BuildOpenAPI(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, openAPIJSON) {
		t.Fatal("api/openapi.json is stale: run `go generate ./api`")
	}
}

// A route without an operation in the source fails the generation, naming it.
func TestOpenAPIGenerationNamesUndescribedRoutes(t *testing.T) {
	src, err := os.ReadFile("openapi_source.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(src, &m); err != nil {
		t.Fatal(err)
	}
	ops := m["operations"].(map[string]any)
	delete(ops, "get /api/audit/verify")
	ops["get /api/no-such-route"] = map[string]any{"responses": map[string]any{}}
	b, _ := json.Marshal(m)
	_, err = BuildOpenAPI(b)
	if err == nil || !strings.Contains(err.Error(), "GET /api/audit/verify") || !strings.Contains(err.Error(), "get /api/no-such-route") {
		t.Fatalf("err = %v; want both differences named", err)
	}
}

func loadKinDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIJSON)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

// The document validates as OpenAPI 3 with kin-openapi.
func TestOpenAPIValidates(t *testing.T) { loadKinDoc(t) }

// The responses of the main routes validate against the operation the document gives for
// their method, path and status (kin-openapi's response validation: status declared, content
// type declared, body matching the schema).
func TestResponsesValidateAgainstOpenAPI(t *testing.T) {
	doc := loadKinDoc(t)
	doc.Servers = nil // match the request's path whatever its host
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	job := e.runJob(nil)
	c := e.policeCase()
	checks := []struct {
		role         accounts.Role
		method, path string
		body         any
	}{
		{accounts.RoleAnalyst, "GET", "/api/auth/me", nil},
		{accounts.RoleAnalyst, "GET", "/api/search?q=%E5%BC%A0", nil},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001", nil},
		{accounts.RoleSupervisor, "GET", "/api/entities/patient/PT0001", nil},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/neighbourhood?depth=2", nil},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/claims", nil},
		{accounts.RolePolice, "GET", "/api/entities/patient/PT0001/claims", nil},
		{accounts.RoleAnalyst, "GET", "/api/paths?from=patient:PT0001&to=patient:PT0002", nil},
		{accounts.RoleAnalyst, "GET", "/api/jobs", nil},
		{accounts.RoleAnalyst, "GET", "/api/jobs/" + job.ID, nil},
		{accounts.RoleAnalyst, "GET", "/api/jobs/compare?a=" + job.ID + "&b=" + job.ID, nil},
		{accounts.RoleAnalyst, "GET", "/api/config/params", nil},
		{accounts.RoleAnalyst, "GET", "/api/rings", nil},
		{accounts.RoleAnalyst, "GET", "/api/rings/R1", nil},
		{accounts.RoleAnalyst, "GET", "/api/rings/R1/subgraph", nil},
		{accounts.RoleSupervisor, "GET", "/api/cases", nil},
		{accounts.RoleSupervisor, "GET", "/api/cases/" + c.ID, nil},
		{accounts.RolePolice, "GET", "/api/cases/" + c.ID, nil},
		{accounts.RoleInvestigator, "POST", "/api/recusals", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0006"}, "reason": "亲属"}},
		{accounts.RoleInvestigator, "GET", "/api/recusals", nil},
		{accounts.RoleAnalyst, "GET", "/api/blacklist", nil},
		{accounts.RoleSupervisor, "GET", "/api/audit", nil},
		{accounts.RoleSupervisor, "GET", "/api/audit/verify", nil},
		{accounts.RoleSupervisor, "GET", "/api/statistics/monthly", nil},
		{accounts.RoleAdmin, "GET", "/api/users", nil},
		{accounts.RoleAdmin, "GET", "/api/admin/setup-checks", nil},
		{accounts.RoleIntake, "GET", "/api/reports", nil},
		{"", "GET", "/healthz", nil},
		{"", "GET", "/readyz", nil},
		{"", "GET", "/api/openapi.json", nil},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/NOPE", nil},
		{accounts.RoleAnalyst, "GET", "/api/users", nil},
		{"", "GET", "/api/auth/me", nil},
		{"", "POST", "/api/auth/login", map[string]string{"username": "analyst", "password": testPassword}},
		{"", "POST", "/api/auth/login", map[string]string{"username": "analyst", "password": "wrong-password-1"}},
	}
	for _, ck := range checks {
		t.Run(string(ck.role)+" "+ck.method+" "+ck.path, func(t *testing.T) {
			st, b, h := e.raw(e.tokens[ck.role], ck.method, ck.path, ck.body)
			if st >= 500 {
				t.Fatalf("status %d: %s", st, b)
			}
			var rd io.Reader
			if ck.body != nil {
				bb, _ := json.Marshal(ck.body)
				rd = bytes.NewReader(bb)
			}
			req := httptest.NewRequest(ck.method, ck.path, rd)
			req.Header.Set("Content-Type", "application/json")
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no operation in openapi.json: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				t.Errorf("request does not validate: %v", err)
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: st, Header: h,
				Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			out.SetBodyBytes(b)
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("response %d does not validate: %v\n%.400s", st, err, b)
			}
		})
	}
}
