package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/graph"
)

// schemaChecker checks JSON values against the OpenAPI component schemas: every key present
// must be declared (no undocumented fields) and every required key must be present. It is
// deliberately small — objects, arrays, $ref and basic types — which is all openapi.json uses.
type schemaChecker struct {
	schemas map[string]map[string]any
}

func newSchemaChecker(t *testing.T) *schemaChecker {
	t.Helper()
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIJSON, &doc); err != nil {
		t.Fatal(err)
	}
	return &schemaChecker{schemas: doc.Components.Schemas}
}

func (sc *schemaChecker) check(path string, schema map[string]any, v any) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s, ok := sc.schemas[name]
		if !ok {
			return []string{path + ": unknown schema " + name}
		}
		return sc.check(path, s, v)
	}
	if v == nil {
		return nil
	}
	var errs []string
	switch schema["type"] {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want object, got %T", path, v)}
		}
		props, _ := schema["properties"].(map[string]any)
		addl, hasAddl := schema["additionalProperties"].(map[string]any)
		for k, val := range obj {
			ps, declared := props[k].(map[string]any)
			switch {
			case declared:
				errs = append(errs, sc.check(path+"."+k, ps, val)...)
			case hasAddl:
				errs = append(errs, sc.check(path+"."+k, addl, val)...)
			case props != nil:
				errs = append(errs, path+"."+k+": not in the schema")
			}
		}
		if req, ok := schema["required"].([]any); ok {
			for _, k := range req {
				if _, ok := obj[k.(string)]; !ok {
					errs = append(errs, path+"."+k.(string)+": required but missing")
				}
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want array, got %T", path, v)}
		}
		items, _ := schema["items"].(map[string]any)
		for i, x := range arr {
			errs = append(errs, sc.check(fmt.Sprintf("%s[%d]", path, i), items, x)...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			errs = append(errs, fmt.Sprintf("%s: want string, got %T", path, v))
		}
	case "integer", "number":
		if _, ok := v.(float64); !ok {
			errs = append(errs, fmt.Sprintf("%s: want number, got %T", path, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Sprintf("%s: want boolean, got %T", path, v))
		}
	}
	return errs
}

// TestResponsesMatchSchemas calls the main routes and checks each response body against the
// schema openapi.json declares for it, so that the frontend's generated types stay true.
func TestResponsesMatchSchemas(t *testing.T) {
	e := newEnv(t)
	job := e.runJob(nil)
	c := e.policeCase()
	sc := newSchemaChecker(t)
	checks := []struct {
		role   accounts.Role
		method string
		path   string
		body   any
		schema string
	}{
		{accounts.RoleAnalyst, "GET", "/api/auth/me", nil, "User"},
		{accounts.RoleAnalyst, "GET", "/api/search?q=%E5%BC%A0", nil, "SearchResult"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001", nil, "EntityView"},
		{accounts.RoleSupervisor, "GET", "/api/entities/patient/PT0001", nil, "EntityView"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/neighbourhood?depth=2", nil, "Subgraph"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/PT0001/claims", nil, "ClaimPage"},
		{accounts.RoleSupervisor, "GET", "/api/entities/patient/PT0001/claims", nil, "ClaimPage"},
		{accounts.RoleAnalyst, "GET", "/api/paths?from=patient:PT0001&to=patient:PT0002", nil, "Subgraph"},
		{accounts.RoleAnalyst, "GET", "/api/jobs", nil, "JobPage"},
		{accounts.RoleAnalyst, "GET", "/api/jobs/" + job.ID, nil, "Job"},
		{accounts.RoleAnalyst, "GET", "/api/jobs/compare?a=" + job.ID + "&b=" + job.ID, nil, "JobComparison"},
		{accounts.RoleAnalyst, "GET", "/api/rings", nil, "RingPage"},
		{accounts.RoleAnalyst, "GET", "/api/rings/R1", nil, "Ring"},
		{accounts.RoleAnalyst, "GET", "/api/rings/R1/subgraph", nil, "Subgraph"},
		{accounts.RoleSupervisor, "GET", "/api/cases", nil, "CasePage"},
		{accounts.RoleSupervisor, "GET", "/api/cases/" + c.ID, nil, "Case"},
		{accounts.RolePolice, "GET", "/api/cases/" + c.ID, nil, "Case"},
		{accounts.RoleInvestigator, "POST", "/api/recusals", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0006"}, "reason": "亲属"}, "Recusal"},
		{accounts.RoleSupervisor, "GET", "/api/audit", nil, "AuditPage"},
		{accounts.RoleSupervisor, "GET", "/api/audit/verify", nil, "AuditVerify"},
		{accounts.RoleAdmin, "GET", "/api/users", nil, "UserList"},
		{"", "GET", "/healthz", nil, "Health"},
		{"", "GET", "/readyz", nil, "Health"},
		{accounts.RoleAnalyst, "GET", "/api/entities/patient/NOPE", nil, "Error"},
		{"", "POST", "/api/auth/login", map[string]string{"username": "analyst", "password": testPassword}, "LoginResponse"},
	}
	for _, ck := range checks {
		t.Run(string(ck.role)+" "+ck.method+" "+ck.path, func(t *testing.T) {
			st, b, _ := e.raw(e.tokens[ck.role], ck.method, ck.path, ck.body)
			if st >= 500 {
				t.Fatalf("status %d: %s", st, b)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("not JSON: %s", b)
			}
			for _, err := range sc.check(ck.schema, map[string]any{"$ref": "#/components/schemas/" + ck.schema}, v) {
				t.Error(err)
			}
		})
	}
}
