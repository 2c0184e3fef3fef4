package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/casework"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

// segmentedState writes a stopped server's state directory whose trail spans several sealed
// segments, beside an (empty) embedded store.
func segmentedState(t *testing.T) (stateDir, db string) {
	t.Helper()
	root := t.TempDir()
	stateDir, db = filepath.Join(root, "state"), filepath.Join(root, "graph")
	gs, err := embedded.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	gs.Close()
	st, err := state.Open(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(st, time.Now)
	log.SetSegmentBytes(3000)
	for i := 0; i < 120; i++ {
		if err := log.Append(context.Background(), audit.Record{Actor: "analyst", Role: "analyst", Action: "read_entity", Entities: []string{fmt.Sprintf("patient:PT%04d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	log.Close()
	st.Close()
	return stateDir, db
}

func segmentFiles(t *testing.T, stateDir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(stateDir, audit.SegmentDir, "segment-*.jsonl.gz"))
	if err != nil || len(m) < 2 {
		t.Fatalf("segments: %v %v", m, err)
	}
	return m
}

// A missing segment and an edited record in a segment make `audit verify` exit 1 naming the
// segment and the record — never a crash trace.
func TestAuditVerifyNamesMissingSegmentAndEditedRecord(t *testing.T) {
	dir, _ := segmentedState(t)
	if code, out, errOut := runCLI(t, "audit", "verify", "--state-dir", dir); code != 0 || !strings.Contains(out, "120 records") {
		t.Fatalf("intact: exit %d %q %q", code, out, errOut)
	}
	segs := segmentFiles(t, dir)
	// Edit one record of the second segment.
	b, err := os.ReadFile(segs[1])
	if err != nil {
		t.Fatal(err)
	}
	zr, _ := gzip.NewReader(bytes.NewReader(b))
	plain, _ := io.ReadAll(zr)
	edited := bytes.Replace(plain, []byte(`"actor":"analyst"`), []byte(`"actor":"nobody"`), 1)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(edited)
	zw.Close()
	if err := os.WriteFile(segs[1], buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "audit", "verify", "--state-dir", dir)
	if code != 1 || !strings.Contains(out, "was edited") || !strings.Contains(out, filepath.Base(segs[1])) || strings.Contains(errOut, "goroutine") {
		t.Fatalf("edited record: exit %d %q %q", code, out, errOut)
	}
	if err := os.WriteFile(segs[1], b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(segs[0]); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "audit", "verify", "--state-dir", dir)
	if code != 1 || !strings.Contains(out, filepath.Base(segs[0])+" (records 1–") || !strings.Contains(out, "is missing") {
		t.Fatalf("missing segment: exit %d %q %q", code, out, errOut)
	}
}

// backup of a stopped server, restore into empty directories (the audit trail verifies there),
// restore refused over a non-empty directory without --force and a cut archive refused by name.
func TestBackupRestoreCommands(t *testing.T) {
	dir, db := segmentedState(t)
	out := filepath.Join(t.TempDir(), "backup.tar.gz")
	code, so, se := runCLI(t, "backup", "--state-dir", dir, "--db", db, "--out", out)
	if code != 0 || !strings.Contains(so, "backup written (offline)") || !strings.Contains(so, "120 audit records") || !strings.Contains(so, "graph store true") {
		t.Fatalf("backup: exit %d %q %q", code, so, se)
	}
	root := t.TempDir()
	rs, rdb := filepath.Join(root, "state"), filepath.Join(root, "graph")
	code, so, se = runCLI(t, "restore", "--in", out, "--state-dir", rs, "--db", rdb)
	if code != 0 || !strings.Contains(so, "audit trail OK: 120 records") {
		t.Fatalf("restore: exit %d %q %q", code, so, se)
	}
	if code, so, se := runCLI(t, "audit", "verify", "--state-dir", rs); code != 0 || !strings.Contains(so, "120 records") {
		t.Fatalf("verify restored: exit %d %q %q", code, so, se)
	}
	if _, err := os.Stat(filepath.Join(rdb, "CURRENT")); err != nil {
		t.Fatalf("restored graph store: %v", err)
	}
	code, _, se = runCLI(t, "restore", "--in", out, "--state-dir", rs, "--db", rdb)
	if code != 1 || !strings.Contains(se, "not empty") || !strings.Contains(se, "--force") {
		t.Fatalf("restore over a non-empty dir: exit %d %q", code, se)
	}
	code, so, se = runCLI(t, "restore", "--in", out, "--state-dir", rs, "--db", rdb, "--force")
	if code != 0 || !strings.Contains(so, "moved aside: "+rs+".before-restore-") {
		t.Fatalf("restore --force: exit %d %q %q", code, so, se)
	}
	b, _ := os.ReadFile(out)
	cut := filepath.Join(t.TempDir(), "cut.tar.gz")
	os.WriteFile(cut, b[:len(b)*2/3], 0o600)
	code, _, se = runCLI(t, "restore", "--in", cut, "--state-dir", filepath.Join(root, "other"), "--db", filepath.Join(root, "other-graph"))
	if code != 1 || !strings.Contains(se, "not a complete RingTrace backup") {
		t.Fatalf("cut archive: exit %d %q", code, se)
	}
	if _, err := os.Stat(filepath.Join(root, "other")); !os.IsNotExist(err) {
		t.Fatalf("a refused restore left the target behind: %v", err)
	}
}

// With the server's services holding the databases, `ringtrace backup` asks them over the
// socket and gets the graph store too.
func TestBackupCommandOnline(t *testing.T) {
	root := t.TempDir()
	stateDir, db := filepath.Join(root, "state"), filepath.Join(root, "graph")
	gs, err := embedded.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer gs.Close()
	svc, err := casework.Open(casework.Config{StateDir: stateDir, Source: gs, StoreKind: "embedded", Detection: jobs.Algorithms(), AdminPassword: "admin-password-123"})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	out := filepath.Join(root, "b.tar.gz")
	code, so, se := runCLI(t, "backup", "--state-dir", stateDir, "--db", db, "--out", out)
	if code != 0 || !strings.Contains(so, "backup written (online)") || !strings.Contains(so, "graph store true") {
		t.Fatalf("online backup: exit %d %q %q", code, so, se)
	}
}
