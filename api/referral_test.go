package api

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/export"
	"github.com/ringtrace/ringtrace/api/intake"
	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// syncBuffer is a log sink the server writes from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// testSigningKey is a fixed key so that runs are reproducible.
func testSigningKey() referral.PrivateKey {
	return referral.Ed25519Key(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
}

// referralEnv is a test server with a signing key, an intake user and a captured log.
type referralEnv struct {
	*env
	log *syncBuffer
	key referral.PrivateKey
	// seen collects every response body a non-intake caller received, to search for the
	// reporter's identity.
	seenMu sync.Mutex
	seen   [][]byte
}

func newReferralEnv(t *testing.T, mod ...func(*ReferralConfig)) *referralEnv {
	t.Helper()
	lb := &syncBuffer{}
	rc := ReferralConfig{SigningKey: testSigningKey(), Software: "ringtrace test"}
	for _, m := range mod {
		m(&rc)
	}
	e := newEnv(t, func(c *testConfig) {
		c.Logger = slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.Referral = rc
		c.Core.IntakeSecret = "test intake secret"
	})
	e.addIntakeUser()
	return &referralEnv{env: e, log: lb, key: rc.SigningKey}
}

// addIntakeUser creates the user "intake" with the intake role and logs it in.
func (e *env) addIntakeUser() {
	e.t.Helper()
	if _, err := e.svc.Accounts.CreateUser("intake", testPassword, accounts.RoleIntake, "举报受理"); err != nil {
		e.t.Fatal(err)
	}
	e.tokens[accounts.RoleIntake] = e.login("intake", testPassword)
}

// call sends a request as role ("" for none) and keeps the body when the caller is not intake.
func (re *referralEnv) call(role accounts.Role, method, path string, body any) (int, []byte, http.Header) {
	re.t.Helper()
	st, b, h := re.raw(re.tokens[role], method, path, body)
	if role != accounts.RoleIntake {
		re.seenMu.Lock()
		re.seen = append(re.seen, b)
		re.seenMu.Unlock()
	}
	return st, b, h
}

func (re *referralEnv) callJSON(role accounts.Role, method, path string, body any, want int, out any) {
	re.t.Helper()
	st, b, _ := re.call(role, method, path, body)
	if st != want {
		re.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, role, st, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			re.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// The reporter of the end-to-end test: values distinctive enough that finding any of them in an
// output can only mean a leak.
var whistleblower = reporterIn{Name: "欧阳举报人娜", IDNumber: "53010219851231002X", Phone: "13698765432",
	Employer: "昆明某某药业举报人单位", Address: "昆明市盘龙区举报人巷99号"}

func identityStrings() []string {
	return []string{whistleblower.Name, whistleblower.IDNumber, whistleblower.Phone, whistleblower.Employer, whistleblower.Address}
}

func unzipAll(t *testing.T, pkg []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = b
	}
	return out
}

func rezip(t *testing.T, files map[string][]byte, order []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		b, ok := files[name]
		if !ok {
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

func verifyPkg(pkg []byte, pub referral.PublicKey) error {
	_, err := referral.Verify(bytes.NewReader(pkg), int64(len(pkg)), pub)
	return err
}

// TestReferralEndToEnd files a named report, triages it into a case, walks the case to
// "transferred to police", exports the package as supervisor and as police and verifies it, and
// then searches every output — package files, PDF text, API responses to non-intake roles, the
// audit trail and the server log — for the reporter's identity.
func TestReferralEndToEnd(t *testing.T) {
	re := newReferralEnv(t)
	ctx := context.Background()

	// 1. A named report with an attachment (JSON, base64), and an anonymous one (multipart).
	var receipt ReportReceipt
	re.callJSON("", http.MethodPost, "/api/reports", map[string]any{
		"reporter": whistleblower, "subject": "昆明市某民营医院", "what": "医生组织三名老人每周同日就诊刷卡",
		"where": "五华区", "when": "2024年6月",
		"attachments": []map[string]any{{"name": "收据.jpg", "content_type": "image/jpeg", "data": []byte("\xff\xd8jpeg bytes")}},
	}, http.StatusCreated, &receipt)
	if len(receipt.ReceiptCode) < 16 {
		t.Fatalf("receipt %+v", receipt)
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("anonymous", "true")
	mw.WriteField("subject", "某药店")
	mw.WriteField("what", "代刷社保卡")
	fw, _ := mw.CreateFormFile("attachments", "清单.txt")
	fw.Write([]byte("清单内容"))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, re.ts.URL+"/api/reports", &mp)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := re.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	anonBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("multipart report: %d %s", resp.StatusCode, anonBody)
	}
	re.seen = append(re.seen, anonBody)

	var ps intake.PublicStatus
	re.callJSON("", http.MethodGet, "/api/reports/status?code="+receipt.ReceiptCode, nil, http.StatusOK, &ps)
	if ps.Status != intake.StatusReceived {
		t.Fatalf("public status %+v", ps)
	}
	if st, _, _ := re.call("", http.MethodGet, "/api/reports/status?code=NOTAREALCODE0000", nil); st != http.StatusNotFound {
		t.Fatalf("unknown receipt: %d", st)
	}

	// 2. The intake desk lists the reports and reads the identity; nobody else may.
	var list struct {
		Reports []intake.Report `json:"reports"`
	}
	re.callJSON(accounts.RoleIntake, http.MethodGet, "/api/reports", nil, http.StatusOK, &list)
	if len(list.Reports) != 2 {
		t.Fatalf("reports: %+v", list)
	}
	var named intake.Report
	for _, r := range list.Reports {
		if r.Named {
			named = r
		}
	}
	_, b, _ := re.call(accounts.RoleIntake, http.MethodGet, "/api/reports", nil)
	for _, s := range identityStrings() {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("the report list (intake) carries identity %q: it belongs only to /identity", s)
		}
	}
	var ident intake.Identity
	re.callJSON(accounts.RoleIntake, http.MethodGet, "/api/reports/"+named.ID+"/identity", nil, http.StatusOK, &ident)
	if ident.Name != whistleblower.Name || ident.IDNumber != whistleblower.IDNumber || ident.Phone != whistleblower.Phone {
		t.Fatalf("intake reads identity %+v", ident)
	}
	for _, role := range []accounts.Role{accounts.RoleAnalyst, accounts.RoleInvestigator, accounts.RoleSupervisor, accounts.RolePolice, accounts.RoleAdmin, ""} {
		for _, p := range []string{"/api/reports/" + named.ID + "/identity", "/api/reports/" + named.ID, "/api/reports"} {
			if st, _, _ := re.call(role, http.MethodGet, p, nil); st != http.StatusForbidden && st != http.StatusUnauthorized {
				t.Errorf("%q GET %s: %d, want 401/403", role, p, st)
			}
		}
	}
	var att []byte
	if st, b, _ := re.call(accounts.RoleIntake, http.MethodGet, "/api/reports/"+named.ID+"/attachments/0", nil); st != http.StatusOK {
		t.Fatalf("attachment: %d", st)
	} else {
		att = b
	}
	if string(att) != "\xff\xd8jpeg bytes" {
		t.Fatalf("attachment bytes %q", att)
	}

	// 3. Triage into a new lead on the ring's parties.
	parties := []graph.Ref{{Type: graph.TypePatient, ID: "PT0001"}, {Type: graph.TypePatient, ID: "PT0002"}, {Type: graph.TypePatient, ID: "PT0003"},
		{Type: graph.TypeDoctor, ID: "D530102000001"}, {Type: graph.TypeInstitution, ID: "H53010200001"}}
	var tr TriageResult
	re.callJSON(accounts.RoleIntake, http.MethodPost, "/api/reports/"+named.ID+"/triage", map[string]any{"version": named.Version, "entities": parties,
		"title": "举报线索：某民营医院串通就医"}, http.StatusOK, &tr)
	if tr.CaseID == "" || tr.Report.Status != intake.StatusTriaged {
		t.Fatalf("triage %+v", tr)
	}
	re.callJSON("", http.MethodGet, "/api/reports/status?code="+receipt.ReceiptCode, nil, http.StatusOK, &ps)
	if ps.Status != intake.StatusReceived || strings.Contains(mustJSON(t, ps), tr.CaseID) {
		t.Fatalf("the reporter's view after triage exposes the case: %+v", ps)
	}

	// 4. The case is worked and transferred to police; export is refused before.
	c := re.openTriaged(tr.CaseID)
	steps := []caseStep{
		{"/attachments", map[string]any{"refs": []graph.Ref{{Type: graph.TypeClaim, ID: "C00"}, {Type: graph.TypeClaim, ID: "C01"}, {Type: graph.TypeClaim, ID: "C02"}, {Type: graph.TypeClaim, ID: "C10"}}}},
		{"/notes", map[string]any{"text": "内部备注：核查安排"}},
		{"/recoveries", map[string]any{"kind": "recovered", "amount": 1234.5, "date": cases.Day(testNow), "document": "追回决定书1号"}},
	}
	walkCase(&c, re.asSupervisor, steps)
	if st, b, _ := re.call(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/export", nil); st != http.StatusConflict {
		t.Fatalf("export of an opened case: %d %s", st, b)
	}
	re.callJSON(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"version": c.Version, "to": "transferred",
		"transfer_to": "police", "reason": "涉嫌诈骗罪，移送公安"}, http.StatusOK, &c)

	// 5. Export as supervisor and as police; both verify against the server's key.
	pub := re.key.Public()
	var pkgs [][]byte
	for _, role := range []accounts.Role{accounts.RoleSupervisor, accounts.RolePolice} {
		st, pkg, h := re.call(role, http.MethodPost, "/api/cases/"+c.ID+"/export", nil)
		if st != http.StatusOK || h.Get("Content-Type") != "application/zip" {
			t.Fatalf("export as %s: %d %s", role, st, pkg[:min(len(pkg), 300)])
		}
		if err := verifyPkg(pkg, pub); err != nil {
			t.Fatalf("package exported by %s does not verify: %v", role, err)
		}
		digest := h.Get("X-Manifest-SHA256")
		recs, _, err := re.svc.Audit.Query(audit.Query{Action: "export_case", Actor: string(role), Limit: 10})
		if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Detail, digest) || digest == "" {
			t.Fatalf("export by %s not audit-logged with its digest %s: %+v %v", role, digest, recs, err)
		}
		pkgs = append(pkgs, pkg)
	}
	files := unzipAll(t, pkgs[1])
	var man referral.Manifest
	if err := json.Unmarshal(files[referral.FileManifest], &man); err != nil || man.ExportedBy != "police" || man.ExportedRole != "police" || man.Software != "ringtrace test" {
		t.Fatalf("manifest %+v %v", man, err)
	}
	// Complete data for police: names, phones, claims, reasons, history.
	for _, ck := range []struct{ file, want string }{
		{referral.FileParties, "张三丰"}, {referral.FileParties, "13812340000"}, {referral.FileParties, "1960-01-02"}, {referral.FileParties, "王医生"},
		{referral.FileClaims, "C00"}, {referral.FileClaims, "C10"},
		{referral.FileHistory, "transferred"}, {referral.FileHistory, "涉嫌诈骗罪"},
		{referral.FileGraphML, `<node id="patient:PT0001">`},
		{referral.FileCase, "追回医保基金"}, {referral.FileCase, "追回决定书1号"}, {referral.FileCase, "书面核查结束"},
	} {
		if !bytes.Contains(files[ck.file], []byte(ck.want)) {
			t.Errorf("%s lacks %q", ck.file, ck.want)
		}
	}
	if bytes.Contains(files[referral.FileCase], []byte("内部备注")) {
		t.Error("the bureau's internal note text reached the package")
	}
	if len(files[referral.FileReport]) < 1000 || !bytes.HasPrefix(files[referral.FileReport], []byte("%PDF")) {
		t.Fatal("report.pdf is not a PDF")
	}

	// 6. Verify fails on any byte change in any file, and on a missing file.
	order := make([]string, 0, len(man.Files)+2)
	for _, f := range man.Files {
		order = append(order, f.Name)
	}
	order = append(order, referral.FileManifest, referral.FileSignature)
	if err := verifyPkg(rezip(t, files, order), pub); err != nil {
		t.Fatalf("an unchanged re-zipped package must verify: %v", err)
	}
	for _, name := range order {
		for _, pos := range []int{0, len(files[name]) / 2, len(files[name]) - 1} {
			changed := map[string][]byte{}
			for k, v := range files {
				changed[k] = v
			}
			nb := bytes.Clone(files[name])
			nb[pos] ^= 0x20
			changed[name] = nb
			var ve *referral.VerifyError
			if err := verifyPkg(rezip(t, changed, order), pub); !errors.As(err, &ve) {
				t.Errorf("verify accepted %s with byte %d changed: %v", name, pos, err)
			}
		}
		missing := map[string][]byte{}
		for k, v := range files {
			if k != name {
				missing[k] = v
			}
		}
		if err := verifyPkg(rezip(t, missing, order), pub); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("verify of a package without %s: %v", name, err)
		}
	}

	// 7. The reward: the supervisor confirms 9,999.99 yuan; the reporter sees 500 and claims it.
	var cr ConfirmResult
	re.callJSON(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/confirm-amount", map[string]any{"amount": 9999.99}, http.StatusOK, &cr)
	if cr.Reports != 1 || cr.Rewarded != 1 {
		t.Fatalf("confirm %+v", cr)
	}
	re.callJSON("", http.MethodGet, "/api/reports/status?code="+receipt.ReceiptCode, nil, http.StatusOK, &ps)
	if ps.Status != intake.StatusConfirmed || ps.Reward != graph.FromYuan(500) {
		t.Fatalf("status after confirmation %+v", ps)
	}
	re.callJSON("", http.MethodPost, "/api/reports/claim", map[string]any{"code": receipt.ReceiptCode}, http.StatusOK, &ps)
	if !ps.Claimed {
		t.Fatalf("claim %+v", ps)
	}

	// 8. Other reads by non-intake roles, so that their bodies are searched too.
	for _, role := range []accounts.Role{accounts.RoleSupervisor, accounts.RolePolice, accounts.RoleInvestigator} {
		re.call(role, http.MethodGet, "/api/cases/"+c.ID, nil)
		re.call(role, http.MethodGet, "/api/cases", nil)
		re.call(role, http.MethodGet, "/api/entities/patient/PT0001", nil)
	}
	re.call(accounts.RoleSupervisor, http.MethodGet, "/api/audit?limit=500", nil)

	// 9. Search every output for the reporter's identity.
	type source struct {
		name string
		data []byte
	}
	var sources []source
	for i, pkg := range pkgs {
		for name, data := range unzipAll(t, pkg) {
			sources = append(sources, source{"package " + string([]accounts.Role{accounts.RoleSupervisor, accounts.RolePolice}[i]) + "/" + name, data})
		}
	}
	dir := t.TempDir()
	pdfPath := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(pdfPath, files[referral.FileReport], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdfPath, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		if !bytes.Contains(text, []byte("张三丰")) || !bytes.Contains(text, []byte(c.ID)) {
			t.Errorf("PDF text lacks the parties or the case id")
		}
		sources = append(sources, source{"report.pdf text", text})
		if out, err := exec.Command("pdftoppm", "-r", "30", "-png", pdfPath, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		info, err := exec.Command("pdfinfo", pdfPath).Output()
		if err != nil {
			t.Fatalf("pdfinfo: %v", err)
		}
		pages := 0
		for _, line := range strings.Split(string(info), "\n") {
			if rest, ok := strings.CutPrefix(line, "Pages:"); ok {
				pages, _ = strconv.Atoi(strings.TrimSpace(rest))
			}
		}
		if pngs, _ := filepath.Glob(filepath.Join(dir, "page-*.png")); pages < 1 || len(pngs) != pages {
			t.Fatalf("pdftoppm rendered %d of %d pages", len(pngs), pages)
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("pdftotext missing in CI (apt-get install poppler-utils)")
	}
	re.seenMu.Lock()
	for i, b := range re.seen {
		sources = append(sources, source{"response " + string(rune('0'+i%10)), b})
	}
	re.seenMu.Unlock()
	recs, _, err := re.svc.Audit.Query(audit.Query{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	sources = append(sources, source{"audit trail", []byte(mustJSON(t, recs))})
	sources = append(sources, source{"server log", []byte(re.log.String())})
	if !strings.Contains(re.log.String(), "request") {
		t.Fatal("the log capture caught nothing: the search below would prove nothing")
	}
	for _, src := range sources {
		for _, s := range identityStrings() {
			if bytes.Contains(src.data, []byte(s)) {
				t.Errorf("%s contains the reporter's identity %q", src.name, s)
			}
		}
	}
	// The identity read is audit-logged without the identity.
	recs, _, _ = re.svc.Audit.Query(audit.Query{Action: "read_reporter_identity", Limit: 10})
	if len(recs) != 1 || recs[0].Actor != "intake" || !strings.Contains(recs[0].Detail, named.ID) {
		t.Fatalf("identity read audit: %+v", recs)
	}
	if v, err := re.svc.Audit.Verify(); err != nil || !v.OK {
		t.Fatalf("audit chain: %+v %v", v, err)
	}
	_ = ctx
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openTriaged takes the lead a report was triaged into, assigns it and walks it to opened.
func (re *referralEnv) openTriaged(caseID string) caseView {
	re.t.Helper()
	var c caseView
	re.callJSON(accounts.RoleSupervisor, http.MethodGet, "/api/cases/"+caseID, nil, http.StatusOK, &c)
	walkCase(&c, re.asSupervisor, []caseStep{
		{"/assign", map[string]any{"assignee": "investigator"}},
		{"/transition", map[string]any{"to": "verification"}},
		{"/transition", map[string]any{"to": "opened"}},
	})
	return c
}

// transferredCase walks a case on PT0001 (with a claim attached) to transferred → dest.
func (re *referralEnv) transferredCase(dest string) caseView {
	re.t.Helper()
	var c caseView
	re.callJSON(accounts.RoleSupervisor, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0001"}, "title": "测试案件"}, http.StatusCreated, &c)
	steps := []caseStep{
		{"/assign", map[string]any{"assignee": "investigator"}},
		{"/transition", map[string]any{"to": "verification"}},
		{"/transition", map[string]any{"to": "opened"}},
		{"/transition", map[string]any{"to": "transferred", "transfer_to": dest, "reason": "移送"}},
	}
	if dest == "" {
		steps = steps[:len(steps)-1] // stop at opened
	}
	walkCase(&c, re.asSupervisor, steps)
	return c
}

// TestExportAccess: police cannot export a case transferred to the administrative department;
// nobody can export a case that is not transferred; other roles never; no key, no export.
func TestExportAccess(t *testing.T) {
	re := newReferralEnv(t)
	admin := re.transferredCase(cases.TransferAdministrative)
	police := re.transferredCase(cases.TransferPolice)
	opened := re.transferredCase("")
	if opened.Status != cases.StatusOpened {
		t.Fatalf("fixture case status %s", opened.Status)
	}
	checks := []struct {
		role accounts.Role
		c    caseView
		want int
	}{
		{accounts.RoleSupervisor, admin, http.StatusOK},
		{accounts.RolePolice, admin, http.StatusNotFound}, // not even visible to police
		{accounts.RoleSupervisor, police, http.StatusOK},
		{accounts.RolePolice, police, http.StatusOK},
		{accounts.RoleSupervisor, opened, http.StatusConflict},
		{accounts.RolePolice, opened, http.StatusNotFound},
		{accounts.RoleInvestigator, police, http.StatusForbidden},
		{accounts.RoleAnalyst, police, http.StatusForbidden},
		{accounts.RoleAdmin, police, http.StatusForbidden},
		{accounts.RoleIntake, police, http.StatusForbidden},
		{"", police, http.StatusUnauthorized},
	}
	for _, ck := range checks {
		st, b, _ := re.call(ck.role, http.MethodPost, "/api/cases/"+ck.c.ID+"/export", nil)
		if st != ck.want {
			t.Errorf("%q exports %s case (to %q): %d, want %d: %.200s", ck.role, ck.c.Status, ck.c.TransferTo, st, ck.want, b)
		}
	}
	// A case without a ring or attached claims: all claims of its one patient are the matter.
	st, pkg, _ := re.call(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+police.ID+"/export", nil)
	if st != http.StatusOK {
		t.Fatal(st)
	}
	files := unzipAll(t, pkg)
	for _, id := range []string{"C00", "C40"} {
		if !bytes.Contains(files[referral.FileClaims], []byte(id)) {
			t.Errorf("claims.csv of a one-patient case lacks %s", id)
		}
	}
	if bytes.Contains(files[referral.FileClaims], []byte("C01")) {
		t.Error("claims.csv holds a claim of another patient")
	}

	noKey := newReferralEnv(t, func(rc *ReferralConfig) { rc.SigningKey = referral.PrivateKey{} })
	c := noKey.transferredCase(cases.TransferPolice)
	if st, _, _ := noKey.call(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/export", nil); st != http.StatusServiceUnavailable {
		t.Errorf("export without a signing key: %d, want 503", st)
	}
}

// TestExportCaseCommandLine exports through export.Offline with the server stopped, and is refused
// while the server holds the state database.
// A server configured with an SM2 (国密) key exports packages signed with SM2/SM3 that verify
// against that key and no other.
func TestExportWithSM2Key(t *testing.T) {
	sm2Key, err := referral.SM2KeyFromScalar(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	re := newReferralEnv(t, func(rc *ReferralConfig) { rc.SigningKey = sm2Key })
	c := re.transferredCase(cases.TransferPolice)
	st, pkg, _ := re.call(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/export", nil)
	if st != http.StatusOK {
		t.Fatalf("export with an SM2 key: %d %s", st, pkg[:min(len(pkg), 300)])
	}
	man, err := referral.Verify(bytes.NewReader(pkg), int64(len(pkg)), sm2Key.Public())
	if err != nil {
		t.Fatalf("SM2-signed package does not verify: %v", err)
	}
	if man.SignatureAlgorithm != string(referral.SM2) || man.PublicKey != sm2Key.Public().String() {
		t.Errorf("manifest algorithm %q key %q, want %s and the server's key", man.SignatureAlgorithm, man.PublicKey, referral.SM2)
	}
	if err := verifyPkg(pkg, testSigningKey().Public()); err == nil {
		t.Error("SM2-signed package verified against the Ed25519 test key")
	}
}

func TestExportCaseCommandLine(t *testing.T) {
	re := newReferralEnv(t)
	c := re.transferredCase(cases.TransferPolice)
	opts := export.Options{StateDir: re.dir, Store: re.store, SigningKey: re.key, Username: "police", Software: "ringtrace cli-test", Now: re.clock.Now}
	var buf bytes.Buffer
	if _, err := export.Offline(context.Background(), opts, c.ID, &buf); !errors.Is(err, state.ErrLocked) {
		t.Fatalf("export while the server runs: %v, want state.ErrLocked", err)
	}
	if err := re.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	man, err := export.Offline(context.Background(), opts, c.ID, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if man.ExportedBy != "police" || man.CaseID != c.ID {
		t.Fatalf("manifest %+v", man)
	}
	if err := verifyPkg(buf.Bytes(), re.key.Public()); err != nil {
		t.Fatal(err)
	}
	opened := export.Options{StateDir: re.dir, Store: re.store, SigningKey: re.key, Username: "investigator", Now: re.clock.Now}
	if _, err := export.Offline(context.Background(), opened, c.ID, io.Discard); graph.ErrorCode(err) != graph.ENOTFOUND && graph.ErrorCode(err) != graph.EFORBIDDEN {
		t.Errorf("export by an investigator: %v", err)
	}
	if _, err := export.Offline(context.Background(), export.Options{StateDir: re.dir, Store: re.store, SigningKey: re.key, Username: "nobody"}, c.ID, io.Discard); graph.ErrorField(err) != "user" {
		t.Errorf("export by an unknown user: %v", err)
	}
	v, err := audit.VerifyDir(re.dir)
	if err != nil || !v.OK {
		t.Fatalf("audit chain after a command-line export: %+v %v", v, err)
	}
	st, err := state.OpenReadOnly(re.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	found := false
	_ = st.Bolt().View(func(tx *bolt.Tx) error {
		return state.Each(tx, state.Audit, func(_ []byte, r audit.Record) error {
			if r.Action == "export_case" && r.Actor == "police" && strings.Contains(r.Detail, "command line") {
				found = true
			}
			return nil
		})
	})
	if !found {
		t.Error("the command-line export left no audit record")
	}
}

// TestBlacklist lists a party of a closed case, refuses others, masks patients for analysts, and
// marks listed parties in new findings.
func TestBlacklist(t *testing.T) {
	re := newReferralEnv(t)
	c := re.transferredCase(cases.TransferPolice)
	clinic := graph.Ref{Type: graph.TypeInstitution, ID: "H53010200001"}
	patient := graph.Ref{Type: graph.TypePatient, ID: "PT0001"}
	add := func(ref graph.Ref, caseID string) (int, []byte) {
		st, b, _ := re.call(accounts.RoleSupervisor, http.MethodPost, "/api/blacklist", map[string]any{"entity": ref, "case_id": caseID, "reason": "串通参保人员骗取基金", "until": "2030-01-01"})
		return st, b
	}
	if st, b := add(patient, c.ID); st != http.StatusConflict {
		t.Fatalf("listing a party of an open case: %d %s", st, b)
	}
	re.callJSON(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/transition", map[string]any{"version": c.Version, "to": "closed", "reason": "判决生效"}, http.StatusOK, &c)
	if st, b := add(clinic, c.ID); st != http.StatusConflict {
		t.Fatalf("listing a non-party: %d %s", st, b)
	}
	var entry blacklistView
	st, b := add(patient, c.ID)
	if st != http.StatusCreated || json.Unmarshal(b, &entry) != nil || !entry.Active {
		t.Fatalf("listing a party of a closed case: %d %s", st, b)
	}
	if st, _, _ := re.call(accounts.RoleInvestigator, http.MethodPost, "/api/blacklist", map[string]any{"entity": patient, "case_id": c.ID, "reason": "x"}); st != http.StatusForbidden {
		t.Errorf("investigator lists: %d", st)
	}
	var list struct {
		Entries []blacklistView `json:"entries"`
	}
	re.callJSON(accounts.RoleAnalyst, http.MethodGet, "/api/blacklist?active=true", nil, http.StatusOK, &list)
	if len(list.Entries) != 1 || list.Entries[0].Entity.ID == "PT0001" || !strings.HasPrefix(list.Entries[0].Entity.ID, masking.PseudonymPrefix) {
		t.Fatalf("analyst sees %+v", list.Entries)
	}
	re.callJSON(accounts.RoleSupervisor, http.MethodGet, "/api/blacklist?entity=patient:PT0001", nil, http.StatusOK, &list)
	if len(list.Entries) != 1 || list.Entries[0].Entity.ID != "PT0001" {
		t.Fatalf("supervisor looks up PT0001: %+v", list.Entries)
	}
	// The entity view marks the listing (pseudonymised for the analyst); others are unmarked.
	var ev map[string]json.RawMessage
	re.callJSON(accounts.RoleSupervisor, http.MethodGet, "/api/entities/patient/PT0001", nil, http.StatusOK, &ev)
	var mark blacklistView
	if err := json.Unmarshal(ev["blacklisted"], &mark); err != nil || mark.ID != entry.ID || mark.Entity.ID != "PT0001" || ev["node"] == nil {
		t.Fatalf("supervisor's entity view of a listed patient: %s", mustJSON(t, ev))
	}
	ev = nil
	re.callJSON(accounts.RoleAnalyst, http.MethodGet, "/api/entities/patient/PT0001", nil, http.StatusOK, &ev)
	mark = blacklistView{}
	if err := json.Unmarshal(ev["blacklisted"], &mark); err != nil || !strings.HasPrefix(mark.Entity.ID, masking.PseudonymPrefix) {
		t.Fatalf("analyst's entity view of a listed patient: %s", mustJSON(t, ev))
	}
	ev = nil
	re.callJSON(accounts.RoleSupervisor, http.MethodGet, "/api/entities/patient/PT0002", nil, http.StatusOK, &ev)
	if _, ok := ev["blacklisted"]; ok {
		t.Fatal("an unlisted patient is marked")
	}
	// A new detection run marks the listed patient on its entity and on its ring.
	job := re.runJob(map[string]any{"min_days": 3})
	ix, err := re.svc.Jobs.Findings(job.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := ix.Findings
	marked := 0
	for _, r := range f.Rings {
		for _, rs := range r.Reasons {
			if rs.Code == "blacklisted" {
				marked++
			}
		}
	}
	for _, e := range f.Entities {
		if e.ID == "PT0001" && e.Reasons[len(e.Reasons)-1].Code == "blacklisted" {
			marked++
		}
	}
	if marked != 2 {
		t.Errorf("blacklisted marks in findings: %d, want 2 (ring and entity)", marked)
	}
	var removed blacklistView
	re.callJSON(accounts.RoleSupervisor, http.MethodDelete, "/api/blacklist/"+entry.ID, nil, http.StatusOK, &removed)
	if removed.Active || removed.RemovedBy != "supervisor" {
		t.Fatalf("removed %+v", removed)
	}
	recs, _, _ := re.svc.Audit.Query(audit.Query{Action: "blacklist_add", Limit: 10})
	if len(recs) != 1 {
		t.Errorf("blacklist_add audit records: %d", len(recs))
	}
}

// TestReportLimits: the public form is rate-limited per address and bounded in size.
func TestReportLimits(t *testing.T) {
	re := newReferralEnv(t, func(rc *ReferralConfig) { rc.MaxReportBytes = 64 << 10 })
	body := map[string]any{"anonymous": true, "subject": "某诊所", "what": "挂床住院"}
	got429 := false
	for i := 0; i < 12; i++ {
		st, _, h := re.call("", http.MethodPost, "/api/reports", body)
		if st == http.StatusTooManyRequests {
			got429 = h.Get("Retry-After") != ""
			break
		}
		if st != http.StatusCreated {
			t.Fatalf("report %d: %d", i, st)
		}
	}
	if !got429 {
		t.Error("12 reports from one address in a row were all accepted (want 429 with Retry-After after the burst)")
	}
	re2 := newReferralEnv(t, func(rc *ReferralConfig) { rc.MaxReportBytes = 64 << 10 })
	big := map[string]any{"anonymous": true, "subject": "x", "what": "y", "attachments": []map[string]any{{"name": "a", "data": bytes.Repeat([]byte("a"), 100<<10)}}}
	if st, b, _ := re2.call("", http.MethodPost, "/api/reports", big); st != http.StatusRequestEntityTooLarge || errOf(t, b).Field != "body" {
		t.Errorf("oversized report: %d %s", st, b)
	}
	if st, b, _ := re2.call("", http.MethodPost, "/api/reports", map[string]any{"subject": "x", "what": "y"}); st != http.StatusBadRequest || errOf(t, b).Field != "reporter.name" {
		t.Errorf("named report without a name: %d %s", st, b)
	}
}

// TestReferralResponsesMatchSchemas checks the responses of referral export, intake and the blacklist against openapi.json, so that
// the frontend's generated types stay true.
func TestReferralResponsesMatchSchemas(t *testing.T) {
	re := newReferralEnv(t)
	sc := newSchemaChecker(t)
	check := func(schema string, b []byte) {
		t.Helper()
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: not JSON: %s", schema, b)
		}
		for _, err := range sc.check(schema, map[string]any{"$ref": "#/components/schemas/" + schema}, v) {
			t.Error(err)
		}
	}
	_, b, _ := re.call("", http.MethodPost, "/api/reports", map[string]any{"reporter": whistleblower, "subject": "某诊所", "what": "挂床住院",
		"attachments": []map[string]any{{"name": "a.txt", "content_type": "text/plain", "data": []byte("x")}}})
	check("ReportReceipt", b)
	var receipt ReportReceipt
	json.Unmarshal(b, &receipt)
	_, b, _ = re.call("", http.MethodGet, "/api/reports/status?code="+receipt.ReceiptCode, nil)
	check("ReportStatus", b)
	_, b, _ = re.call(accounts.RoleIntake, http.MethodGet, "/api/reports", nil)
	check("ReportPage", b)
	var page struct {
		Reports []intake.Report `json:"reports"`
	}
	json.Unmarshal(b, &page)
	id := page.Reports[0].ID
	_, b, _ = re.call(accounts.RoleIntake, http.MethodGet, "/api/reports/"+id, nil)
	check("Report", b)
	_, b, _ = re.call(accounts.RoleIntake, http.MethodGet, "/api/reports/"+id+"/identity", nil)
	check("ReporterIdentity", b)
	_, b, _ = re.call(accounts.RoleIntake, http.MethodPost, "/api/reports/"+id+"/triage", map[string]any{"version": 1, "entities": []graph.Ref{{Type: graph.TypePatient, ID: "PT0001"}}})
	check("TriageResult", b)
	var tr TriageResult
	json.Unmarshal(b, &tr)
	c := re.openTriaged(tr.CaseID)
	steps := []caseStep{
		{"/transition", map[string]any{"to": "transferred", "transfer_to": "police"}},
		{"/transition", map[string]any{"to": "closed", "reason": "结案"}},
	}
	walkCase(&c, re.asSupervisor, steps)
	_, b, _ = re.call(accounts.RoleSupervisor, http.MethodPost, "/api/cases/"+c.ID+"/confirm-amount", map[string]any{"amount": 12000})
	check("ConfirmResult", b)
	_, b, _ = re.call(accounts.RoleSupervisor, http.MethodPost, "/api/blacklist", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0001"}, "case_id": c.ID, "reason": "冒名就医"})
	check("BlacklistEntry", b)
	_, b, _ = re.call(accounts.RoleAnalyst, http.MethodGet, "/api/blacklist", nil)
	check("BlacklistPage", b)
	_, b, _ = re.call(accounts.RoleSupervisor, http.MethodGet, "/api/entities/patient/PT0001", nil)
	if !bytes.Contains(b, []byte(`"blacklisted"`)) {
		t.Errorf("entity view of a listed patient has no blacklisted mark: %s", b)
	}
	check("EntityView", b)
	_, b, _ = re.call(accounts.RoleSupervisor, http.MethodPost, "/api/cases/NOPE/export", nil)
	check("Error", b)
}
