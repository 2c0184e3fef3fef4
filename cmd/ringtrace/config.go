package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// StoreConfig selects and configures the graph store.
type StoreConfig struct {
	Kind          string // "embedded" (default) or "neo4j"
	Dir           string // embedded store directory
	Neo4jURI      string
	Neo4jUser     string
	Neo4jPassword string
	Neo4jDatabase string
	Neo4jCA       string // PEM trusted for the server certificate with bolt+s:// / neo4j+s://
}

// Validate checks the store configuration; errors name the key.
func (c StoreConfig) Validate() error {
	switch c.Kind {
	case "embedded":
		if c.Dir == "" {
			return fmt.Errorf("config: db: the embedded store needs a directory")
		}
	case "neo4j":
		if c.Neo4jURI == "" {
			return fmt.Errorf("config: neo4j-uri: required when store is neo4j")
		}
	default:
		return fmt.Errorf("config: store: %q is not one of embedded, neo4j", c.Kind)
	}
	return nil
}

// addStoreFlags adds the flags that select a graph store.
func addStoreFlags(fs *pflag.FlagSet) {
	fs.String("store", "embedded", "graph store: embedded or neo4j")
	fs.String("db", "ringtrace-data/graph", "embedded store directory")
	fs.String("neo4j-uri", "", "Neo4j Bolt URI, e.g. bolt://127.0.0.1:7687")
	fs.String("neo4j-user", "neo4j", "Neo4j user")
	fs.String("neo4j-password", "", "Neo4j password (prefer RINGTRACE_NEO4J_PASSWORD)")
	fs.String("neo4j-database", "neo4j", "Neo4j database name")
	fs.String("neo4j-ca", "", "PEM file of the CA (or self-signed certificate) trusted for a bolt+s:// / neo4j+s:// server; default: the system's roots")
}

// bindConfig is the one place where flags, RINGTRACE_* environment variables and the config file
// meet: it returns a viper instance over the parsed flags of a command that resolves, in order of
// precedence, a flag given on the command line, RINGTRACE_<FLAG> (dashes and dots become
// underscores), the config file (--config or RINGTRACE_CONFIG) and the flag's default.
func bindConfig(fs *pflag.FlagSet) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("RINGTRACE")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	if err := v.BindPFlags(fs); err != nil {
		return nil, err
	}
	if f := v.GetString("config"); f != "" {
		v.SetConfigFile(f)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config: %s: %w", f, err)
		}
	}
	return v, nil
}

// storeConfig reads the store flags resolved by v.
func storeConfig(v *viper.Viper) (StoreConfig, error) {
	c := StoreConfig{
		Kind:          strings.ToLower(v.GetString("store")),
		Dir:           v.GetString("db"),
		Neo4jURI:      v.GetString("neo4j-uri"),
		Neo4jUser:     v.GetString("neo4j-user"),
		Neo4jPassword: v.GetString("neo4j-password"),
		Neo4jDatabase: v.GetString("neo4j-database"),
		Neo4jCA:       v.GetString("neo4j-ca"),
	}
	return c, c.Validate()
}

// stateDir returns the state directory: --state-dir, or state/ beside the embedded store's
// --db, or ringtrace-data/state for another store kind.
func stateDir(v *viper.Viper, storeKind string) string {
	if dir := v.GetString("state-dir"); dir != "" {
		return dir
	}
	if storeKind == "embedded" {
		return filepath.Join(filepath.Dir(filepath.Clean(v.GetString("db"))), "state")
	}
	return filepath.Join("ringtrace-data", "state")
}

// addOfflineStateFlags adds the flags of an offline command on a stopped server's state
// directory (`audit verify`, `users …`, `backup`, `restore`); offlineStateDir reads them.
func addOfflineStateFlags(fs *pflag.FlagSet) {
	fs.String("state-dir", "", "the server's state directory (default: state/ beside --db)")
	fs.String("db", "ringtrace-data/graph", "embedded store directory, used to find the default state directory")
}

// offlineStateDir is the state directory the flags of addOfflineStateFlags give.
func offlineStateDir(v *viper.Viper) string { return stateDir(v, "embedded") }

// durationOr returns v's duration for key, or def when unset or invalid.
func durationOr(v *viper.Viper, key string, def time.Duration) time.Duration {
	if d := v.GetDuration(key); d > 0 {
		return d
	}
	return def
}
