package api

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/api/throttle"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

// wideStore is a store where one hospital has 400 patients, so that a neighbourhood read returns
// hundreds of nodes — the reads that made the trail grow by kilobytes each.
func wideStore(t testing.TB) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	ins := []graph.Institution{{ID: "H53010200001", Name: "昆明市某民营医院", Level: "一级", Ownership: "private", Region: "530102"}}
	docs := []graph.Doctor{{ID: "D530102000001", Name: "王医生", InstitutionID: "H53010200001", Department: "内科"}}
	var ps []graph.Patient
	var cs []graph.Claim
	for i := 0; i < 400; i++ {
		ps = append(ps, graph.Patient{ID: fmt.Sprintf("PT%04d", i+1), Name: "张三丰", Sex: "M", Region: "530102",
			Phone: fmt.Sprintf("1381234%04d", i), Address: "云南省昆明市五华区某街道", BirthDate: time.Date(1960, 1, 2, 0, 0, 0, 0, time.UTC)})
		for d := 0; d < 2; d++ {
			cs = append(cs, graph.Claim{ID: fmt.Sprintf("C%04d%d", i, d), PatientID: ps[i].ID, ProviderID: "H53010200001", ProviderType: graph.TypeInstitution,
				DoctorID: "D530102000001", Type: graph.ClaimOutpatient, Start: time.Date(2024, 6, 1+d, 9, 0, 0, 0, time.UTC), DiagnosisCode: "E11.9", TotalAmount: 50000, FundAmount: 40000})
		}
	}
	if err := st.PutInstitutions(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if err := st.PutDoctors(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := st.PutPatients(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if err := st.PutClaims(ctx, cs); err != nil {
		t.Fatal(err)
	}
	return st
}

// graphReadMix is 1,000 graph reads: a quarter each of depth-2 neighbourhoods, entities, claim
// lists and searches.
func graphReadMix(i int) string {
	switch i % 4 {
	case 0:
		return "/api/entities/institution/H53010200001/neighbourhood?depth=2&limit=500"
	case 1:
		return fmt.Sprintf("/api/entities/patient/PT%04d", i%400+1)
	case 2:
		return fmt.Sprintf("/api/entities/patient/PT%04d/claims", i%400+1)
	default:
		return "/api/search?q=%E5%BC%A0"
	}
}

// auditStorage is what the trail occupies: the pages of the live audit bucket in state.db plus
// the sealed segment files.
func auditStorage(t testing.TB, e *env) (int64, int64) {
	t.Helper()
	var live int64
	err := e.svc.State.Bolt().View(func(tx *bolt.Tx) error {
		s := tx.Bucket(state.Audit).Stats()
		live = int64(s.BranchAlloc + s.LeafAlloc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var segs int64
	ents, _ := os.ReadDir(filepath.Join(e.dir, "audit"))
	for _, de := range ents {
		if fi, err := de.Info(); err == nil {
			segs += fi.Size()
		}
	}
	return live, segs
}

// TestAuditGrowthPerGraphRead measures the trail's growth over 1,000 graph reads and holds it to
// 600 KB: a few analysts' scripts must not fill a disk. "live" keeps every record in state.db
// (the default segment size is larger than 1,000 records); "sealed" seals every 64 KiB, so that
// most records end up in compressed segment files.
func TestAuditGrowthPerGraphRead(t *testing.T) {
	for _, tc := range []struct {
		name    string
		segment int64
	}{{"live", 0}, {"sealed", 64 << 10}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvWithStore(t, wideStore(t))
			if tc.segment > 0 {
				e.svc.Audit.SetSegmentBytes(tc.segment)
			}
			tok := e.tokens[accounts.RoleAnalyst]
			fi0, _ := os.Stat(filepath.Join(e.dir, state.File))
			live0, seg0 := auditStorage(t, e)
			for i := 0; i < 1000; i++ {
				if st, b, _ := e.raw(tok, http.MethodGet, graphReadMix(i), nil); st != http.StatusOK {
					t.Fatalf("read %d: %d %s", i, st, b)
				}
			}
			live1, seg1 := auditStorage(t, e)
			fi1, _ := os.Stat(filepath.Join(e.dir, state.File))
			stats, err := e.svc.Audit.Stats()
			if err != nil {
				t.Fatal(err)
			}
			grown := live1 - live0 + seg1 - seg0
			t.Logf("1000 graph reads: audit storage +%d bytes (live bucket pages %d→%d, segment files %d→%d; record bytes live %d, %d segments), state.db file %d→%d",
				grown, live0, live1, seg0, seg1, stats.LiveBytes, stats.Segments, fi0.Size(), fi1.Size())
			if grown > 600_000 {
				t.Errorf("1000 graph reads grew the audit storage by %d bytes, want ≤ 600000", grown)
			}
			if tc.segment > 0 && stats.Segments == 0 {
				t.Errorf("no segment sealed at %d bytes", tc.segment)
			}
			if v, err := e.svc.Audit.Verify(); err != nil || !v.OK {
				t.Fatalf("verify: %+v %v", v, err)
			}
		})
	}
}

// TestAnalystRealNumberLookup: an analyst finds a patient by the complete insurance number
// (masked, audited) but not by a prefix of real numbers; an investigator still searches by prefix.
func TestAnalystRealNumberLookup(t *testing.T) {
	e := newEnv(t)
	var res searchResult
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/search?q=PT0002", nil, &res); st != http.StatusOK || len(res.Results) != 1 || !res.Results[0].Masked {
		t.Fatalf("exact real number: %d %+v", st, res)
	}
	recs, _, _ := e.svc.Audit.Query(audit.Query{Action: "search", Actor: "analyst", Limit: 1})
	if len(recs) != 1 || len(recs[0].Entities) != 1 || recs[0].Entities[0] != "patient:PT0002" {
		t.Fatalf("audit of the look-up: %+v", recs)
	}
	res = searchResult{}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/search?q=PT000", nil, &res); st != http.StatusOK || len(res.Results) != 0 {
		t.Fatalf("prefix of real numbers as analyst: %d %+v", st, res)
	}
	res = searchResult{}
	if st := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/search?q=PT000", nil, &res); st != http.StatusOK || len(res.Results) < 6 {
		t.Fatalf("prefix as investigator: %d, %d results", st, len(res.Results))
	}
	res = searchResult{}
	if st := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/search?q=H5301", nil, &res); st != http.StatusOK || len(res.Results) == 0 {
		t.Fatalf("provider prefix as analyst: %d %+v", st, res)
	}
}

// TestGraphReadsLimitedPerUser: over the per-user read limit a graph route answers 429 with
// Retry-After, the refusals are audited as one counted record, and another user still reads.
func TestGraphReadsLimitedPerUser(t *testing.T) {
	e := newEnv(t, func(c *testConfig) { c.ReadBurst, c.ReadsPerMinute = 5, 1 })
	tok := e.tokens[accounts.RoleAnalyst]
	for i := 0; i < 5; i++ {
		if st, b, _ := e.raw(tok, http.MethodGet, "/api/entities/patient/PT0001", nil); st != http.StatusOK {
			t.Fatalf("read %d within the limit: %d %s", i, st, b)
		}
	}
	for i := 0; i < 20; i++ {
		st, b, h := e.raw(tok, http.MethodGet, "/api/entities/institution/H53010200001/neighbourhood", nil)
		if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Fatalf("read %d over the limit: %d %s (Retry-After %q)", i, st, b, h.Get("Retry-After"))
		}
	}
	if st := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/entities/patient/PT0001", nil, nil); st != http.StatusOK {
		t.Fatalf("another user is limited too: %d", st)
	}
	recs, total, err := e.svc.Audit.Query(audit.Query{Action: "read_refused", Limit: 10})
	if err != nil || total != 1 || recs[0].Actor != "analyst" || recs[0].Detail != "1 refused" {
		t.Fatalf("refusals in the trail: %d %+v %v", total, recs, err)
	}
	// A minute later the next refusal is recorded with the count since the last record.
	e.clock.Set(testNow.Add(61 * time.Second))
	e.s.reads = throttle.New(1, 1, e.clock.Now)
	e.raw(tok, http.MethodGet, "/api/search?q=PT", nil)
	st, _, _ := e.raw(tok, http.MethodGet, "/api/search?q=PT", nil)
	recs, total, _ = e.svc.Audit.Query(audit.Query{Action: "read_refused", Limit: 10})
	if st != http.StatusTooManyRequests || total != 2 || recs[0].Detail != "20 refused" {
		t.Fatalf("second summary: status %d, %d records %+v", st, total, recs)
	}
}

// TestAuditHeadAndDiskMetrics: /metrics carries the head of the chain, the trail's size and the
// disk's free space, and the head file holds the same head after shutdown.
func TestAuditHeadAndDiskMetrics(t *testing.T) {
	e := newEnv(t, func(c *testConfig) { c.DiskWarnFreeBytes = 1 << 62 })
	e.as(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0001", nil, nil)
	_, b, _ := e.raw("", http.MethodGet, "/metrics", nil)
	v, err := e.svc.Audit.Verify()
	if err != nil || !v.OK {
		t.Fatal(v, err)
	}
	for _, want := range []string{
		fmt.Sprintf("ringtrace_audit_head_info{hash=%q} %d", v.Head, v.Records),
		fmt.Sprintf("ringtrace_audit_head_seq %d", v.Records),
		"ringtrace_audit_storage_bytes ", "ringtrace_state_disk_free_bytes ",
		"ringtrace_state_disk_low 1", // the threshold is set above any disk
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	var ready struct {
		Checks map[string]string `json:"checks"`
	}
	e.do("", http.MethodGet, "/readyz", nil, &ready)
	if ready.Checks["disk"] == "" {
		t.Errorf("readyz does not warn of the low disk: %v", ready.Checks)
	}
	if err := e.svc.Audit.ExportHead(); err != nil {
		t.Fatal(err)
	}
	hb, err := os.ReadFile(filepath.Join(e.dir, audit.HeadFile))
	if err != nil || !strings.Contains(string(hb), v.Head) {
		t.Fatalf("head file %s (%v), want hash %s", hb, err, v.Head)
	}
}
