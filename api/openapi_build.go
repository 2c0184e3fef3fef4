package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// openAPISource is the part of the OpenAPI description the route table cannot give: the
// operations' summaries, parameters, request bodies and responses (keyed "method /path" with
// {param} segments), and the component schemas. BuildOpenAPI adds what the table gives.
type openAPISource struct {
	OpenAPI         string                    `json:"openapi"`
	Info            any                       `json:"info"`
	Servers         any                       `json:"servers"`
	Security        any                       `json:"security"`
	Tags            any                       `json:"tags"`
	SecuritySchemes any                       `json:"securitySchemes"`
	Operations      map[string]map[string]any `json:"operations"`
	Schemas         any                       `json:"schemas"`
}

// BuildOpenAPI writes the OpenAPI 3 description of the API from the route table (the paths,
// their methods, who may call each — x-roles — and which need no session) and source
// (api/openapi_source.json). A route without an operation in source, or an operation without a
// route, is an error naming it, so the description cannot fall behind the table.
func BuildOpenAPI(source []byte) ([]byte, error) {
	var src openAPISource
	dec := json.NewDecoder(bytes.NewReader(source))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&src); err != nil {
		return nil, fmt.Errorf("openapi source: %w", err)
	}
	paths := map[string]map[string]any{}
	used := map[string]bool{}
	var missing []string
	for _, rt := range (&Server{}).table() {
		if rt.method == anyMethod || strings.HasSuffix(rt.path, "/*") {
			continue // the API's 404 and the UI's files
		}
		p := echoParamPattern.ReplaceAllString(rt.path, "{$1}")
		key := strings.ToLower(rt.method) + " " + p
		desc, ok := src.Operations[key]
		if !ok {
			missing = append(missing, strings.ToUpper(rt.method)+" "+p)
			continue
		}
		used[key] = true
		op := make(map[string]any, len(desc)+2)
		for k, v := range desc {
			op[k] = v
		}
		if rt.access == signedIn {
			roles := make([]string, len(rt.roles))
			for i, r := range rt.roles {
				roles[i] = string(r)
			}
			op["x-roles"] = roles
		} else {
			op["security"] = []any{} // no session needed
		}
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.method)] = op
	}
	var unused []string
	for k := range src.Operations {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 || len(unused) > 0 {
		return nil, fmt.Errorf("openapi source and route table differ: routes without an operation: %v; operations without a route: %v", missing, unused)
	}
	doc := map[string]any{
		"openapi": src.OpenAPI, "info": src.Info, "servers": src.Servers, "security": src.Security, "tags": src.Tags,
		"paths":      paths,
		"components": map[string]any{"securitySchemes": src.SecuritySchemes, "schemas": src.Schemas},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// echoParamPattern finds the :param segments of an echo path.
var echoParamPattern = regexp.MustCompile(`:([a-z_]+)`)
