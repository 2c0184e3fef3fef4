package api

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/api/state/backup"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

// bucketCopy returns every key and value of a bucket of db.
func bucketCopy(t *testing.T, db *bolt.DB, bucket []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error { out[string(k)] = string(v); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOnlineBackupUnderLoadRestores takes a backup through the running server's socket while
// analysts read (audit appends, segments sealing) and supervisors open cases, restores it into
// new directories and checks that the restored trail verifies, every restored case is the live
// case byte for byte, the cases opened before the backup are all there, and the restored graph
// store holds the same graph.
func TestOnlineBackupUnderLoadRestores(t *testing.T) {
	root := t.TempDir()
	gdir := filepath.Join(root, "graph")
	store, err := embedded.Open(gdir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	loadFixture(t, store, "")
	e := newEnvWithStore(t, store, func(c *testConfig) { c.Core.AuditSegmentBytes = 8 << 10 })
	newCase := func() int {
		return e.as(accounts.RoleSupervisor, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0001"}, "title": "测试案件"}, nil)
	}
	for i := 0; i < 5; i++ {
		if st := newCase(); st != http.StatusCreated {
			t.Fatalf("case: %d", st)
		}
	}
	before := bucketCopy(t, e.svc.State.Bolt(), state.Cases)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var writes atomic.Int64
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				if w == 0 && i%5 == 0 {
					newCase()
				} else {
					e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/institution/H53010200001/neighbourhood", nil, nil)
				}
				writes.Add(1)
			}
		}(w)
	}
	// Let the load run, then back up in the middle of it.
	for writes.Load() < 100 {
		e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0002", nil, nil)
	}
	var archive bytes.Buffer
	err = backup.Request(filepath.Join(e.dir, backup.SocketFile), &archive)
	during := writes.Load()
	for writes.Load() < during+50 {
		e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0002", nil, nil)
	}
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	m, err := backup.Check(bytes.NewReader(archive.Bytes()))
	if err != nil || !m.Graph {
		t.Fatalf("archive: %+v %v", m, err)
	}
	segs := 0
	for _, f := range m.Files {
		if strings.HasPrefix(f.Name, "state/audit/segment-") {
			segs++
		}
	}
	if segs == 0 {
		t.Fatalf("the archive holds no sealed audit segment: %+v", m.Files)
	}
	live := bucketCopy(t, e.svc.State.Bolt(), state.Cases)
	liveStats, _ := e.svc.Audit.Stats()
	if liveStats.Segments == 0 || liveStats.Seq <= m.AuditSeq {
		t.Fatalf("the load did not go on past the backup (segments %d, live seq %d, backup seq %d)", liveStats.Segments, liveStats.Seq, m.AuditSeq)
	}

	sdir, rgdir := filepath.Join(root, "restored", "state"), filepath.Join(root, "restored", "graph")
	res, err := backup.Restore(bytes.NewReader(archive.Bytes()), sdir, rgdir, false, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := audit.VerifyDir(sdir); err != nil || !v.OK || v.Records != m.AuditSeq || res.Audit.Head != v.Head {
		t.Fatalf("restored trail: %+v %v", v, err)
	}
	rdb, err := state.OpenReadOnly(sdir)
	if err != nil {
		t.Fatal(err)
	}
	restored := bucketCopy(t, rdb.Bolt(), state.Cases)
	rdb.Close()
	for k, v := range before {
		if restored[k] != v {
			t.Errorf("case %s opened before the backup is missing or differs", k)
		}
	}
	for k, v := range restored {
		if live[k] != v {
			t.Errorf("restored case %s is not the live case", k)
		}
	}
	rs, err := embedded.Open(rgdir)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	c1, _ := store.Counts(context.Background())
	c2, err := rs.Counts(context.Background())
	if err != nil || !reflect.DeepEqual(c1, c2) {
		t.Fatalf("restored graph counts %+v, live %+v (%v)", c2, c1, err)
	}
	// The restored state opens as a server's would and its audit trail carries the backup.
	_, svc, err := openServer(t, rs, sdir)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if recs, n, _ := svc.Audit.Query(audit.Query{Action: "backup", Limit: 5}); n != 1 || recs[0].Actor != "(operator)" {
		t.Fatalf("backup record: %d %+v", n, recs)
	}
	// A second restore over the now non-empty directory is refused without force.
	if _, err := backup.Restore(bytes.NewReader(archive.Bytes()), sdir, rgdir, false, testNow); err == nil {
		t.Fatal("restore over a non-empty state directory was not refused")
	}
}
