package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The importer path's refusals, which need no Java: the end-to-end import runs in graph/neo4j's
// tests against the real importer and server.
func TestIngestImportRefusals(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "export")
	if code, _, stderr := runCLI(t, "generate", "--patients", "50", "--seed", "3", "--out", data); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	neoData := filepath.Join(dir, "neo4j", "data")

	// Only Neo4j has an importer.
	code, _, stderr := runCLI(t, "ingest", "--data", data, "--store", "embedded", "--neo4j-import-data", neoData)
	if code != 2 || !strings.Contains(stderr, "--store neo4j") {
		t.Errorf("embedded with --neo4j-import-data: exit %d, stderr %q; want 2 naming --store neo4j", code, stderr)
	}

	// No jars: refused before anything is written, naming the directory.
	code, _, stderr = runCLI(t, "ingest", "--data", data, "--store", "neo4j", "--neo4j-import-data", neoData, "--neo4j-lib", filepath.Join(dir, "nolib"))
	if code != 1 || !strings.Contains(stderr, "neo4j-import-tool") {
		t.Errorf("missing jars: exit %d, stderr %q; want 1 naming neo4j-import-tool", code, stderr)
	}

	// An existing database is refused, and left as it was.
	lib := filepath.Join(dir, "lib")
	db := filepath.Join(neoData, "databases", "neo4j")
	for _, d := range []string{lib, db} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(lib, "neo4j-import-tool-5.26.30.jar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(db, "neostore")
	if err := os.WriteFile(marker, []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "ingest", "--data", data, "--store", "neo4j", "--neo4j-import-data", neoData, "--neo4j-lib", lib)
	if code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("existing database: exit %d, stderr %q; want 1 … already exists", code, stderr)
	}
	if b, err := os.ReadFile(marker); err != nil || string(b) != "kept" {
		t.Errorf("the existing database was touched: %q, %v", b, err)
	}
}

// The flags of loads into a running Neo4j are checked before anything is opened.
func TestIngestNeo4jLoadFlags(t *testing.T) {
	data := filepath.Join(t.TempDir(), "export")
	if code, _, stderr := runCLI(t, "generate", "--patients", "20", "--seed", "3", "--out", data); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{{"--neo4j-workers", "0"}, {"--neo4j-workers", "65"}, {"--neo4j-batch", "0"}} {
		code, _, stderr := runCLI(t, append([]string{"ingest", "--data", data, "--store", "neo4j", "--neo4j-uri", "bolt://127.0.0.1:1"}, args...)...)
		if code != 2 || !strings.Contains(stderr, args[0]) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", args, code, stderr, args[0])
		}
	}
}
