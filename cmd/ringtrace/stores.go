package main

import (
	"context"
	"fmt"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
	"github.com/ringtrace/ringtrace/graph/neo4j"
)

// openStore opens the graph store that c selects: the embedded store in c.Dir, or a Neo4j server.
// The caller closes it.
func openStore(ctx context.Context, c StoreConfig) (graph.Store, error) {
	if err := c.Validate(); err != nil {
		return nil, graph.FieldErrorf("store", "存储配置无效 / invalid store configuration: %v", err)
	}
	switch c.Kind {
	case "embedded":
		s, err := embedded.Open(c.Dir)
		if err != nil {
			return nil, fmt.Errorf("open embedded store %s: %w", c.Dir, err)
		}
		return s, nil
	case "neo4j":
		s, err := neo4j.Open(ctx, neo4j.Config{URI: c.Neo4jURI, User: c.Neo4jUser, Password: c.Neo4jPassword, Database: c.Neo4jDatabase, CAFile: c.Neo4jCA})
		if err != nil {
			return nil, fmt.Errorf("open neo4j store %s: %w", c.Neo4jURI, err)
		}
		return s, nil
	}
	return nil, graph.FieldErrorf("store", "未知的存储类型 %q / unknown store kind %q (embedded or neo4j)", c.Kind, c.Kind)
}
