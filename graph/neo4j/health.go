package neo4j

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// ServerInfo is what a deployment check reports of the server.
type ServerInfo struct {
	Name    string // "Neo4j Kernel"
	Version string // "5.26.0"
	Edition string // "community" or "enterprise"
}

// Server returns the server's name, version and edition (dbms.components).
func (s *Store) Server(ctx context.Context) (ServerInfo, error) {
	return readTx(ctx, s, "server info", func(tx neo4j.ManagedTransaction) (ServerInfo, error) {
		res, err := tx.Run(ctx, "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition", nil)
		if err != nil {
			return ServerInfo{}, err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return ServerInfo{}, err
		}
		var info ServerInfo
		if v, ok := rec.Get("name"); ok {
			info.Name = fmt.Sprint(v)
		}
		if v, ok := rec.Get("version"); ok {
			info.Version = fmt.Sprint(v)
		}
		if v, ok := rec.Get("edition"); ok {
			info.Edition = fmt.Sprint(v)
		}
		return info, nil
	})
}

var schemaName = regexp.MustCompile(`^CREATE (?:CONSTRAINT|INDEX) (\S+) IF NOT EXISTS`)

// SchemaNames returns the names of the constraints and indexes the store relies on.
func SchemaNames() []string {
	var out []string
	for _, stmt := range schemaStatements() {
		if m := schemaName.FindStringSubmatch(stmt); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// MissingSchema returns the constraints and indexes of SchemaNames that the database lacks or
// whose index is not ONLINE, sorted; empty when all are in place.
func (s *Store) MissingSchema(ctx context.Context) ([]string, error) {
	online, err := readTx(ctx, s, "show schema", func(tx neo4j.ManagedTransaction) (map[string]bool, error) {
		got := map[string]bool{}
		for _, q := range []string{"SHOW CONSTRAINTS YIELD name RETURN name, 'ONLINE' AS state", "SHOW INDEXES YIELD name, state RETURN name, state"} {
			res, err := tx.Run(ctx, q, nil)
			if err != nil {
				return nil, err
			}
			recs, err := res.Collect(ctx)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				n, _ := r.Get("name")
				st, _ := r.Get("state")
				if st == "ONLINE" {
					got[fmt.Sprint(n)] = true
				}
			}
		}
		return got, nil
	})
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, n := range SchemaNames() {
		if !online[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	return missing, nil
}
