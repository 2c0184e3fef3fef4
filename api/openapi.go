package api

import _ "embed"

// openAPIJSON is the OpenAPI 3 description of every route, served at /api/openapi.json. It is
// generated from the route table and openapi_source.json by `go generate ./api`;
// TestOpenAPIGenerated fails when it is stale.
//
//go:generate go run ./internal/openapigen -source openapi_source.json -out openapi.json
//go:embed openapi.json
var openAPIJSON []byte

// OpenAPI returns a copy of the OpenAPI 3 description of the API.
func OpenAPI() []byte { return append([]byte(nil), openAPIJSON...) }
