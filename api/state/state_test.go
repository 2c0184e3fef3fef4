package state

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestOpenRefusesASecondHolderAndAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenExisting(dir); err == nil {
		t.Fatal("OpenExisting created a state database where there was none")
	}
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	a, err := st.Secret("k")
	if err != nil || len(a) != 32 {
		t.Fatalf("secret %x %v", a, err)
	}
	if b, _ := st.Secret("k"); string(a) != string(b) {
		t.Fatal("a secret changed between reads")
	}
}

// A state.db cut in half is an error naming the file, never a crash.
func TestDamagedStateFileIsNamed(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Bolt().Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(Audit)
		for i := 0; i < 5000; i++ {
			if err := b.Put([]byte(fmt.Sprintf("k%06d", i)), bytes.Repeat([]byte("v"), 200)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	p := filepath.Join(dir, File)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = b[:len(b)/2]
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, open := range map[string]func(string) (*DB, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		db, err := open(dir)
		if err == nil {
			db.Close()
			t.Fatalf("%s of a truncated state.db succeeded", name)
		}
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "backup") {
			t.Fatalf("%s of a truncated state.db: %v, want ErrDamaged naming %s and the recovery", name, err, p)
		}
	}
}
