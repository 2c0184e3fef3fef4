package state

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/ringtrace/ringtrace/graph"
)

// File is the name of the state database inside the state directory.
const File = "state.db"

// The buckets of state.db and their owners. See docs/decisions/api.md for why the service's state
// lives beside the graph store rather than in it.
var (
	Meta     = []byte("meta")     // secrets (this package), the audit head (api/audit)
	Users    = []byte("users")    // api/accounts
	Sessions = []byte("sessions") // api/accounts
	Jobs     = []byte("jobs")     // api/jobs
	Findings = []byte("findings") // api/jobs
	Cases    = []byte("cases")    // api/cases
	Recusals = []byte("recusals") // api/cases
	Audit    = []byte("audit")    // api/audit
)

var allBuckets = [][]byte{Meta, Users, Sessions, Jobs, Findings, Cases, Recusals, Audit}

// ErrLocked is wrapped by Open's error when another process (normally a running `ringtrace
// serve`) holds the state database.
var ErrLocked = errors.New("the state database is locked by another process")

// DB is the open state database.
type DB struct {
	db *bolt.DB
}

// Open opens (creating when needed) the state database in dir. It fails fast, with an error
// wrapping ErrLocked, when another process holds it.
func Open(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state dir %s: %w", dir, err)
	}
	if err := checkHeader(filepath.Join(dir, File)); err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("open state db %s: %w", dir, ErrLocked)
		}
		return nil, damaged(filepath.Join(dir, File), err)
	}
	if err := checkIntact(db); err != nil {
		db.Close()
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
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
	return &DB{db: db}, nil
}

// OpenExisting is Open for the offline commands that change a stopped server's state
// (`ringtrace users reset-password`, `ringtrace export case`): it refuses to create a state
// database where there is none, which would only hide a wrong --state-dir.
func OpenExisting(dir string) (*DB, error) {
	if _, err := os.Stat(filepath.Join(dir, File)); err != nil {
		return nil, fmt.Errorf("state database: %w (give --state-dir)", err)
	}
	return Open(dir)
}

// OpenReadOnly opens an existing state database without writing, for the offline commands that
// only read (`ringtrace audit verify`, `ringtrace users list`).
func OpenReadOnly(dir string) (*DB, error) {
	p := filepath.Join(dir, File)
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("state db: %w", err)
	}
	if err := checkHeader(p); err != nil {
		return nil, err
	}
	db, err := bolt.Open(p, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			err = ErrLocked
		}
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("open state db %s (is the server running? use GET /api/audit/verify): %w", p, err)
		}
		return nil, damaged(p, err)
	}
	if err := checkIntact(db); err != nil {
		db.Close()
		return nil, err
	}
	return &DB{db: db}, nil
}

// ErrDamaged is wrapped by the open functions' error when state.db is truncated or corrupt.
var ErrDamaged = errors.New("the state database is damaged")

func damaged(path string, cause any) error {
	return fmt.Errorf("%w: %s (%v) — stop the server, keep this file aside for investigation, and restore the state directory from the last backup", ErrDamaged, path, cause)
}

// checkHeader reads the two meta pages of a bbolt file and checks that the file holds every page
// the newer one claims. bbolt trusts its file and would fault on the memory map of a truncated
// one while opening it, so this runs before bolt.Open.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil // created by Open
	}
	if err != nil {
		return damaged(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return damaged(path, err)
	}
	if fi.Size() == 0 {
		return nil // bbolt initialises an empty file
	}
	var best struct{ txid, pages, pageSize uint64 }
	buf := make([]byte, 16+64)
	for _, off := range []int64{0, -1} {
		if off < 0 {
			if best.pageSize == 0 {
				off = 4096
			} else {
				off = int64(best.pageSize)
			}
		}
		if _, err := f.ReadAt(buf, off); err != nil {
			continue
		}
		m := buf[16:]
		if binary.LittleEndian.Uint32(m[0:]) != 0xED0CDAED {
			continue
		}
		ps, pgid, txid := uint64(binary.LittleEndian.Uint32(m[8:])), binary.LittleEndian.Uint64(m[40:]), binary.LittleEndian.Uint64(m[48:])
		if best.pageSize == 0 || txid > best.txid {
			best.txid, best.pages, best.pageSize = txid, pgid, ps
		}
	}
	if best.pageSize == 0 {
		return damaged(path, "no valid header page")
	}
	if need := int64(best.pages * best.pageSize); need > fi.Size() {
		return damaged(path, fmt.Sprintf("file is %d bytes but its header says %d: truncated", fi.Size(), need))
	}
	return nil
}

// checkIntact walks every bucket of an open database, so that a corrupt page becomes an error
// naming the file rather than a crash later, in the middle of a request.
func checkIntact(db *bolt.DB) (err error) {
	path := db.Path()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(path, r)
		}
	}()
	return db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			return b.ForEach(func(_, _ []byte) error { return nil })
		})
	})
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// Dir returns the state directory.
func (s *DB) Dir() string { return filepath.Dir(s.db.Path()) }

// Bolt returns the bbolt handle for the owner packages' transactions.
func (s *DB) Bolt() *bolt.DB { return s.db }

// Ping checks that the database answers.
func (s *DB) Ping() error {
	return s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(Meta) == nil {
			return errors.New("state db: meta bucket missing")
		}
		return nil
	})
}

// Secret returns the named 32-byte secret, creating it on first use.
func (s *DB) Secret(name string) ([]byte, error) {
	var key []byte
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(Meta)
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

// Put stores v as JSON under key.
func Put(tx *bolt.Tx, bucket []byte, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", bucket, key, err)
	}
	return tx.Bucket(bucket).Put([]byte(key), b)
}

// Get decodes the value under key into v; ENOTFOUND when absent.
func Get(tx *bolt.Tx, bucket []byte, key string, v any) error {
	b := tx.Bucket(bucket).Get([]byte(key))
	if b == nil {
		return graph.Errorf(graph.ENOTFOUND, "%s %s not found", bucket, key)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s/%s: %w", bucket, key, err)
	}
	return nil
}

// Each decodes every value of a bucket in key order into a fresh T and calls fn with its key.
func Each[T any](tx *bolt.Tx, bucket []byte, fn func(key []byte, v T) error) error {
	return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		var t T
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("decode %s/%s: %w", bucket, k, err)
		}
		return fn(k, t)
	})
}

// NextID returns the bucket's next sequence number formatted with format (e.g. "J%06d").
func NextID(tx *bolt.Tx, bucket []byte, format string) (string, error) {
	seq, err := tx.Bucket(bucket).NextSequence()
	if err != nil {
		return "", fmt.Errorf("next id in %s: %w", bucket, err)
	}
	return fmt.Sprintf(format, seq), nil
}
