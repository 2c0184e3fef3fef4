package api

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	bolt "go.etcd.io/bbolt"
)

// The state database holds what the service itself owns — users, sessions, jobs, findings,
// cases, recusals and the audit trail — in one bbolt file beside the graph store, so that it works
// the same with the embedded store and with Neo4j, and so that the audit chain and the cases it
// records commit in the same ACID store. See docs/decisions/api.md.
var (
	bucketMeta      = []byte("meta")
	bucketUsers     = []byte("users")
	bucketSessions  = []byte("sessions")
	bucketJobs      = []byte("jobs")
	bucketFindings  = []byte("findings")
	bucketCases     = []byte("cases")
	bucketRecusals  = []byte("recusals")
	bucketAudit     = []byte("audit")
	allStateBuckets = [][]byte{bucketMeta, bucketUsers, bucketSessions, bucketJobs, bucketFindings, bucketCases, bucketRecusals, bucketAudit}
)

// StateFile is the name of the state database inside the state directory.
const StateFile = "state.db"

// State is the service's own database.
type State struct {
	db *bolt.DB
}

// OpenState opens (creating when needed) the state database in dir. It fails fast when another
// process holds it.
func OpenState(dir string) (*State, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state dir %s: %w", dir, err)
	}
	db, err := bolt.Open(filepath.Join(dir, StateFile), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open state db %s: %w", dir, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allStateBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init state db: %w", err)
	}
	return &State{db: db}, nil
}

// openStateReadOnly opens the state database without writing, for `ringtrace audit verify`.
func openStateReadOnly(dir string) (*State, error) {
	p := filepath.Join(dir, StateFile)
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("state db: %w", err)
	}
	db, err := bolt.Open(p, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open state db %s (is the server running? use GET /api/audit/verify): %w", p, err)
	}
	return &State{db: db}, nil
}

// Close closes the database.
func (s *State) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *State) Ping() error {
	return s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("state db: meta bucket missing")
		}
		return nil
	})
}

// secret returns the named 32-byte secret, creating it on first use.
func (s *State) secret(name string) ([]byte, error) {
	var key []byte
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if v := b.Get([]byte(name)); len(v) == 32 {
			key = append([]byte(nil), v...)
			return nil
		}
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		return b.Put([]byte(name), key)
	})
	if err != nil {
		return nil, fmt.Errorf("state secret %s: %w", name, err)
	}
	return key, nil
}

func putJSON(tx *bolt.Tx, bucket []byte, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", bucket, key, err)
	}
	return tx.Bucket(bucket).Put([]byte(key), b)
}

// getJSON decodes the value under key into v; ENOTFOUND when absent.
func getJSON(tx *bolt.Tx, bucket []byte, key string, v any) error {
	b := tx.Bucket(bucket).Get([]byte(key))
	if b == nil {
		return graph.Errorf(graph.ENOTFOUND, "%s %s not found", bucket, key)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s/%s: %w", bucket, key, err)
	}
	return nil
}

// eachJSON decodes every value of a bucket in key order into a fresh T and calls fn.
func eachJSON[T any](tx *bolt.Tx, bucket []byte, fn func(T) error) error {
	return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		var t T
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("decode %s/%s: %w", bucket, k, err)
		}
		return fn(t)
	})
}
