// Command openapigen writes api/openapi.json, the OpenAPI 3 description of the API, from the
// route table (api/routes.go) and api/openapi_source.json. Run it with `go generate ./api`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ringtrace/ringtrace/api"
)

func main() {
	in := flag.String("source", "openapi_source.json", "operations and schemas")
	out := flag.String("out", "openapi.json", "the OpenAPI document to write")
	flag.Parse()
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapigen:", err)
		os.Exit(1)
	}
	doc, err := api.BuildOpenAPI(src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapigen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "openapigen:", err)
		os.Exit(1)
	}
}
