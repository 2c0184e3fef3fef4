package api

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
)

type openAPIDoc struct {
	Paths map[string]map[string]struct {
		Roles    []accounts.Role `json:"x-roles"`
		Security *[]any          `json:"security"`
	} `json:"paths"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var d openAPIDoc
	if err := json.Unmarshal(openAPIJSON, &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return d
}

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// TestOpenAPICoversRoutes keeps api/openapi.json true: every registered route is described,
// every described route is registered, and the roles it lists are the roles the route table
// allows.
func TestOpenAPICoversRoutes(t *testing.T) {
	e := newEnv(t)
	doc := loadOpenAPI(t)
	registered := map[string]bool{}
	for _, r := range e.s.e.Routes() {
		if r.Method == "echo_route_any" || strings.HasSuffix(r.Path, "/*") || r.Method == "RouteNotFound" {
			continue
		}
		p := echoParam.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + p
		registered[key] = true
		ops, ok := doc.Paths[p]
		if !ok {
			t.Errorf("route %s %s is not in openapi.json", r.Method, p)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s: method not in openapi.json", r.Method, p)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !registered[m+" "+p] {
				t.Errorf("openapi.json describes %s %s which is not registered", strings.ToUpper(m), p)
			}
		}
	}
	for _, rt := range e.s.routes {
		p := echoParam.ReplaceAllString(rt.path, "{$1}")
		op := doc.Paths[p][strings.ToLower(rt.method)]
		want := slices.Clone(rt.roles)
		got := slices.Clone(op.Roles)
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
		if !slices.Equal(want, got) {
			t.Errorf("%s %s: route table roles %v, openapi x-roles %v", rt.method, p, want, got)
		}
	}
	st, b, _ := e.raw("", http.MethodGet, "/api/openapi.json", nil)
	if st != http.StatusOK || !json.Valid(b) {
		t.Fatalf("GET /api/openapi.json: %d", st)
	}
}

// TestDocsListEveryRoute keeps the route table of docs/api.md complete: every route the
// description lists appears there with its method.
func TestDocsListEveryRoute(t *testing.T) {
	b, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	docs := string(b)
	for p, ops := range loadOpenAPI(t).Paths {
		for m := range ops {
			if !strings.Contains(docs, "| "+strings.ToUpper(m)+" | `"+p+"` |") {
				t.Errorf("docs/api.md does not list %s %s", strings.ToUpper(m), p)
			}
		}
	}
}
