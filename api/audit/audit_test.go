package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/state"
)

// stoppedTrail writes ten records through a Log, as a server would, closes the state database
// and returns its directory.
func stoppedTrail(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	log := New(st, func() time.Time { return now })
	for i := 0; i < 10; i++ {
		rec := Record{Actor: "analyst", Role: "analyst", Action: "read_entity", Entities: []string{fmt.Sprintf("patient:PT%04d", i)}, Detail: "masked"}
		if err := log.Append(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	log.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := VerifyDir(dir); err != nil || !v.OK || v.Records != 10 {
		t.Fatalf("intact trail: %+v %v", v, err)
	}
	return dir
}

func editAudit(t *testing.T, dir string, fn func(b *bolt.Bucket, meta *bolt.Bucket)) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, state.File), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { fn(tx.Bucket(state.Audit), tx.Bucket(state.Meta)); return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestAuditTamperDetection(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(b, meta *bolt.Bucket)
		broken  uint64
		message string
	}{
		{"edit a record", func(b, _ *bolt.Bucket) {
			var r Record
			_ = json.Unmarshal(b.Get(seqKey(3)), &r)
			r.Actor = "someone-else"
			v, _ := json.Marshal(r)
			_ = b.Put(seqKey(3), v)
		}, 3, "edited"},
		{"edit a record and recompute its hash", func(b, _ *bolt.Bucket) {
			var r Record
			_ = json.Unmarshal(b.Get(seqKey(2)), &r)
			r.Action = "nothing"
			r.Hash, _ = chainHash(r)
			v, _ := json.Marshal(r)
			_ = b.Put(seqKey(2), v)
		}, 3, "does not link"},
		{"delete a record", func(b, _ *bolt.Bucket) { _ = b.Delete(seqKey(4)) }, 4, "missing"},
		{"delete the newest record", func(b, _ *bolt.Bucket) {
			k, _ := b.Cursor().Last()
			_ = b.Delete(k)
		}, 0, "newest records deleted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := stoppedTrail(t)
			editAudit(t, dir, tc.tamper)
			v, err := VerifyDir(dir)
			if err == nil || v.OK || !errors.Is(err, ErrBroken) {
				t.Fatalf("tampering not detected: %+v %v", v, err)
			}
			if tc.broken != 0 && v.FirstBroken != tc.broken {
				t.Fatalf("first broken = %d, want %d (%s)", v.FirstBroken, tc.broken, v.Reason)
			}
			if !strings.Contains(v.Reason, tc.message) {
				t.Fatalf("reason %q does not say %q", v.Reason, tc.message)
			}
		})
	}
}
