package neo4j_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ringtrace/ringtrace/graph"
	neo "github.com/ringtrace/ringtrace/graph/neo4j"
	"github.com/ringtrace/ringtrace/graph/storetest"
)

// These tests need a real Neo4j 5 server. CI starts one with .ci/neo4j/start.sh and sets
// RINGTRACE_NEO4J_URI; locally run
//
//	export RINGTRACE_NEO4J_URI=$(.ci/neo4j/start.sh)
//
// The tests wipe the database they are given: never point them at data you want to keep.

const envURI = "RINGTRACE_NEO4J_URI"

// testConfig returns the server configuration from the environment, skipping the test when no
// server is configured.
func testConfig(t testing.TB) neo.Config {
	t.Helper()
	uri := os.Getenv(envURI)
	if uri == "" {
		t.Skipf("%s is not set: no Neo4j server to test against (start one with `export %s=$(.ci/neo4j/start.sh)`)", envURI, envURI)
	}
	return neo.Config{
		URI:      uri,
		User:     os.Getenv("RINGTRACE_NEO4J_USER"),
		Password: os.Getenv("RINGTRACE_NEO4J_PASSWORD"),
		Database: os.Getenv("RINGTRACE_NEO4J_DATABASE"),
	}
}

// wipe deletes every node and relationship, in batches so that a large benchmark graph does
// not need one huge transaction. It uses its own driver: the store has no delete-all on
// purpose.
func wipe(t testing.TB, cfg neo.Config) {
	t.Helper()
	ctx := context.Background()
	auth := neo4j.NoAuth()
	if cfg.User != "" {
		auth = neo4j.BasicAuth(cfg.User, cfg.Password, "")
	}
	drv, err := neo4j.NewDriverWithContext(cfg.URI, auth)
	if err != nil {
		t.Fatalf("wipe: driver: %v", err)
	}
	defer drv.Close(ctx)
	db := cfg.Database
	if db == "" {
		db = neo.DefaultDatabase
	}
	sess := drv.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db})
	defer sess.Close(ctx)
	// CALL … IN TRANSACTIONS must run in an auto-commit transaction, hence Session.Run.
	// Relationships first, then the bare nodes: DETACH DELETE in batches of 10,000 nodes failed
	// with MemoryPoolOutOfMemoryError (dbms.memory.transaction.total.max, 1 GiB) on a graph
	// left by the 1,000,000-claim benchmark; a batch of nodes can hold dense institutions,
	// pharmacies and terminals with thousands of relationships each.
	for _, q := range []string{
		"MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
		"MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
	} {
		res, err := sess.Run(ctx, q, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			t.Fatalf("wipe: %v", err)
		}
	}
}

// newStore opens a store on an emptied database and closes it when the test ends.
func newStore(t *testing.T) graph.Store {
	t.Helper()
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := neo.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", cfg.URI, err)
	}
	wipe(t, cfg)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	testConfig(t)
	storetest.RunAll(t, newStore)
}
