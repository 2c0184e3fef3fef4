package api

import _ "embed"

// openAPIJSON is the OpenAPI 3 description of every route, served at /api/openapi.json and
// checked against the router by TestOpenAPICoversRoutes.
//
//go:embed openapi.json
var openAPIJSON []byte

// OpenAPI returns a copy of the OpenAPI 3 description of the API.
func OpenAPI() []byte { return append([]byte(nil), openAPIJSON...) }
