package referral

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

func testKey(t *testing.T) PrivateKey {
	t.Helper()
	return Ed25519Key(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
}

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixtureCase is a small collusion ring: a private clinic, its doctor and four recruited patients
// who visited together on three days.
func fixtureCase() Case {
	c := Case{
		ID: "AJ-2024-000017", Title: "某民营诊所串通参保人员虚假就医案", Status: "transferred", TransferredTo: "公安机关",
		Summary:  "2024年3月至5月，民营诊所组织参保人员集中就诊，虚构诊疗项目骗取统筹基金。",
		OpenedAt: ts("2024-06-03 10:00"), TransferredAt: ts("2024-07-01 16:30"), Region: "530102",
		Method: "检测任务 J-20240601-1（共同就诊投影 + Louvain 社区发现，种子 42），RingTrace 0.1.0",
	}
	c.Parties = append(c.Parties,
		Party{Type: graph.TypeInstitution, ID: "H53010200077", Name: "昆明某某诊所", Region: "530102", Role: "组织机构"},
		Party{Type: graph.TypeDoctor, ID: "D530102012345", Name: "李医生", Role: "组织者"},
	)
	for i := 1; i <= 4; i++ {
		c.Parties = append(c.Parties, Party{Type: graph.TypePatient, ID: fmt.Sprintf("P%03d", i), Name: fmt.Sprintf("王%d明", i),
			Sex: "M", BirthDate: ts("1960-01-02 00:00"), Phone: "13800001234", Address: "昆明市五华区某路1号", Role: "参与人员"})
	}
	sg := graph.Subgraph{Nodes: []graph.Node{
		{Ref: graph.Ref{Type: graph.TypeInstitution, ID: "H53010200077"}, Label: "昆明某某诊所"},
		{Ref: graph.Ref{Type: graph.TypeDoctor, ID: "D530102012345"}, Label: "李医生"},
	}}
	n := 0
	for day := 0; day < 3; day++ {
		for i := 1; i <= 4; i++ {
			n++
			cl := graph.Claim{ID: fmt.Sprintf("C%05d", n), PatientID: fmt.Sprintf("P%03d", i), ProviderID: "H53010200077",
				ProviderType: graph.TypeInstitution, DoctorID: "D530102012345", Type: graph.ClaimOutpatient,
				Start:         ts("2024-03-05 09:00").AddDate(0, 0, 7*day).Add(time.Duration(i) * 5 * time.Minute),
				DiagnosisCode: "J06.9", TotalAmount: graph.FromYuan(1234.5), FundAmount: graph.FromYuan(987.6), TerminalID: "T1"}
			c.Claims = append(c.Claims, cl)
			claim := graph.Ref{Type: graph.TypeClaim, ID: cl.ID}
			sg.Nodes = append(sg.Nodes, graph.Node{Ref: claim, Label: cl.ID})
			sg.Edges = append(sg.Edges,
				graph.Edge{From: graph.Ref{Type: graph.TypePatient, ID: cl.PatientID}, To: claim, Type: graph.RelFiled},
				graph.Edge{From: claim, To: graph.Ref{Type: graph.TypeInstitution, ID: cl.ProviderID}, Type: graph.RelAt},
				graph.Edge{From: claim, To: graph.Ref{Type: graph.TypeDoctor, ID: cl.DoctorID}, Type: graph.RelTreatedBy})
		}
	}
	for i := 1; i <= 4; i++ {
		sg.Nodes = append(sg.Nodes, graph.Node{Ref: graph.Ref{Type: graph.TypePatient, ID: fmt.Sprintf("P%03d", i)},
			Label: fmt.Sprintf("王%d明", i), Props: map[string]string{"sex": "M", "region": "530102"}})
	}
	c.Subgraph = sg
	c.Rings = []graph.Ring{{ID: "R-collusion-1", Kind: graph.KindCollusionRing, Score: 0.93, Amount: c.FundTotal(),
		Members: []graph.Ref{{Type: graph.TypePatient, ID: "P001"}, {Type: graph.TypeDoctor, ID: "D530102012345"}},
		Reasons: []graph.Reason{{Code: "covisit_days", Text: "4名参保人在3个不同日期同一半天就诊同一医师", TextEN: "4 patients saw the same doctor in the same half-day on 3 distinct days",
			Weight: 0.4, Values: map[string]float64{"patients": 4, "days": 3}}}}}
	c.History = []HistoryEntry{
		{At: ts("2024-06-01 09:00"), Actor: "analyst1", Role: "analyst", Action: "create", To: "lead"},
		{At: ts("2024-06-03 10:00"), Actor: "zhang", Role: "investigator", Action: "transition", From: "verification", To: "opened", Note: "核查属实，立案"},
		{At: ts("2024-07-01 16:30"), Actor: "chen", Role: "supervisor", Action: "transition", From: "opened", To: "transferred", Note: "涉嫌犯罪，移送公安"},
	}
	return c
}

func build(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	meta := Meta{ExportedBy: "chen", ExportedRole: "supervisor", ExportedAt: ts("2024-07-02 08:00"), Software: "ringtrace test"}
	if _, err := Build(&buf, fixtureCase(), meta, testKey(t)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func verify(b []byte, key PublicKey) error {
	_, err := Verify(bytes.NewReader(b), int64(len(b)), key)
	return err
}

func TestBuildVerifies(t *testing.T) {
	b := build(t)
	pub := testKey(t).Public()
	if err := verify(b, pub); err != nil {
		t.Fatalf("fresh package does not verify: %v", err)
	}
	if err := verify(b, PublicKey{}); err != nil {
		t.Fatalf("fresh package does not verify with its own key: %v", err)
	}
	if again := build(t); !bytes.Equal(again, b) {
		t.Error("the same case exported twice gives different bytes")
	}
	other := Ed25519Key(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))).Public()
	if err := verify(b, other); err == nil {
		t.Error("package verified against a key that did not sign it")
	}
}

// rewrite returns a copy of the package with its files transformed by fn (nil drops a file).
func rewrite(t *testing.T, b []byte, fn func(name string, data []byte) []byte, extra map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if data = fn(f.Name, data); data == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	for name, data := range extra {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	return out.Bytes()
}

func TestVerifyDetectsEveryByteChange(t *testing.T) {
	b := build(t)
	pub := testKey(t).Public()
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	for _, f := range zr.File {
		size := int(f.UncompressedSize64)
		// First byte, last byte and a spread of positions in between, in every file.
		positions := map[int]bool{0: true, size - 1: true}
		for i := 1; i < 16; i++ {
			positions[size*i/16] = true
		}
		for pos := range positions {
			t.Run(fmt.Sprintf("%s@%d", f.Name, pos), func(t *testing.T) {
				changed := rewrite(t, b, func(name string, data []byte) []byte {
					if name == f.Name {
						data = append([]byte(nil), data...)
						data[pos] ^= 0x01
					}
					return data
				}, nil)
				err := verify(changed, pub)
				var ve *VerifyError
				if !errors.As(err, &ve) {
					t.Fatalf("verify accepted a package with byte %d of %s changed (err %v)", pos, f.Name, err)
				}
			})
		}
	}
}

func TestVerifyDetectsMissingAndExtraFiles(t *testing.T) {
	b := build(t)
	pub := testKey(t).Public()
	for _, name := range []string{FileReport, FileCase, FileParties, FileClaims, FileReasons, FileHistory, FileGraphML, FileManifest, FileSignature} {
		t.Run("missing "+name, func(t *testing.T) {
			dropped := rewrite(t, b, func(n string, d []byte) []byte {
				if n == name {
					return nil
				}
				return d
			}, nil)
			err := verify(dropped, pub)
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("verify of a package without %s: %v, want an error naming it", name, err)
			}
		})
	}
	added := rewrite(t, b, func(_ string, d []byte) []byte { return d }, map[string][]byte{"note.txt": []byte("added later")})
	if err := verify(added, pub); err == nil || !strings.Contains(err.Error(), "note.txt") {
		t.Fatalf("verify of a package with an unlisted file: %v", err)
	}
	// The raw archive: a flipped byte inside any entry's stored data breaks its CRC-32 or its digest.
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		raw := append([]byte(nil), b...)
		raw[off+int64(f.CompressedSize64)/2] ^= 0xff
		if err := verify(raw, pub); err == nil {
			t.Errorf("verify accepted the archive with a raw byte of %s flipped", f.Name)
		}
	}
}

func TestPackageContents(t *testing.T) {
	b := build(t)
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	files := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(data)
	}
	checks := []struct{ file, want string }{
		{FileParties, "王1明"},
		{FileParties, "13800001234"}, // police receive complete personal data
		{FileClaims, "C00012"},
		{FileClaims, "987.60"},
		{FileReasons, "covisit_days"},
		{FileHistory, "涉嫌犯罪，移送公安"},
		{FileGraphML, `<node id="patient:P001">`},
		{FileGraphML, `source="patient:P001" target="claim:C00001"`},
		{FileCase, `"fund_amount": 11851.2`},
		{FileManifest, `"exported_by": "chen"`},
	}
	for _, c := range checks {
		if !strings.Contains(files[c.file], c.want) {
			t.Errorf("%s does not contain %q", c.file, c.want)
		}
	}
	if !strings.HasPrefix(files[FileClaims], "\ufeff") {
		t.Error("claims.csv has no UTF-8 BOM for Excel")
	}
}

// TestReportRenders opens the PDF with poppler (pdftoppm renders every page, pdftotext extracts the
// Chinese text). CI installs poppler-utils; elsewhere the test skips when it is absent.
func TestReportRenders(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftoppm not installed in CI (apt-get install poppler-utils)")
		}
		t.Skip("pdftoppm not installed (apt-get install poppler-utils)")
	}
	c := fixtureCase()
	// A summary long enough to wrap three times: every character must survive the line breaks.
	summary := strings.Repeat("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥", 8)
	c.Summary = summary
	c.History = append(c.History, HistoryEntry{At: ts("2024-07-01 10:00"), Actor: "chen", Role: "supervisor", Action: "transition", From: "opened", To: "transferred", Note: "police 涉嫌犯罪"})
	pdf, err := RenderReport(c, Meta{ExportedBy: "chen", ExportedRole: "supervisor", Names: map[string]string{"chen": "陈主任"}, ExportedAt: ts("2024-07-02 08:00"), Software: "ringtrace test"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	var pages int
	for _, line := range strings.Split(string(info), "\n") {
		if strings.HasPrefix(line, "Pages:") {
			fmt.Sscan(strings.TrimSpace(strings.TrimPrefix(line, "Pages:")), &pages)
		}
		if strings.HasPrefix(line, "Page size:") && !strings.Contains(line, "595.28 x 841.89") {
			t.Errorf("not A4: %s", line)
		}
	}
	if pages < 2 {
		t.Fatalf("report has %d pages, want at least 2", pages)
	}
	if out, err := exec.Command("pdftoppm", "-r", "40", "-png", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pngs) != pages {
		t.Fatalf("pdftoppm rendered %d pages of %d", len(pngs), pages)
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"医疗保障基金欺诈骗保案件移送材料", "涉案金额", "¥11,851.20", "王1明", "八、案件处理记录", "陈主任（chen） · 科室负责人", "移送公安机关 涉嫌犯罪"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("rendered text lacks %q", want)
		}
	}
	if flat := strings.NewReplacer("\n", "", " ", "").Replace(string(text)); !strings.Contains(flat, summary) {
		t.Errorf("the wrapped summary lost characters:\n%s", text)
	}
	// Roles, statuses and kinds are written in Chinese, never as the enum values.
	for _, raw := range []string{"supervisor", "investigator", "police", "transition", "collusion_ring", "deceased_claims"} {
		if strings.Contains(string(text), raw) {
			t.Errorf("rendered text contains the raw value %q", raw)
		}
	}
	if out := os.Getenv("RINGTRACE_ARTIFACTS"); out != "" {
		os.MkdirAll(out, 0o755)
		os.WriteFile(filepath.Join(out, "referral-report.pdf"), pdf, 0o644)
	}
}

func TestGenerateAndLoadKey(t *testing.T) {
	for _, alg := range []Algorithm{Ed25519, SM2} {
		path := filepath.Join(t.TempDir(), "signing.key")
		pub, err := GenerateKey(path, alg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := GenerateKey(path, alg); err == nil {
			t.Errorf("%s: GenerateKey overwrote an existing key", alg)
		}
		priv, err := LoadPrivateKey(path)
		if err != nil {
			t.Fatal(err)
		}
		if priv.Algorithm() != alg || !pub.Equal(priv.Public()) {
			t.Errorf("%s: loaded key (%s) does not match the generated one", alg, priv.Algorithm())
		}
		if back, err := ParsePublicKey(pub.String()); err != nil || !back.Equal(pub) {
			t.Errorf("%s: public key %q does not parse back: %v", alg, pub, err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: key file mode %v, want 0600", alg, fi.Mode().Perm())
		}
	}
}

// An SM2 (国密) key signs a package that verifies against that key only, names its algorithm in
// the manifest, and is refused against any other key, with an edited file, or with a manifest that
// relabels its algorithm — the same guarantees as the Ed25519 package.
func TestSM2PackageVerifies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sm2.key")
	if _, err := GenerateKey(path, SM2); err != nil {
		t.Fatal(err)
	}
	key, err := LoadPrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	meta := Meta{ExportedBy: "chen", ExportedRole: "supervisor", ExportedAt: time.Date(2024, 7, 2, 8, 0, 0, 0, time.UTC), Software: "ringtrace test"}
	man, err := Build(&buf, fixtureCase(), meta, key)
	if err != nil {
		t.Fatal(err)
	}
	if man.SignatureAlgorithm != string(SM2) || !strings.HasPrefix(man.PublicKey, "sm2:04") {
		t.Errorf("manifest names algorithm %q and key %.10s…, want %s and an sm2: key", man.SignatureAlgorithm, man.PublicKey, SM2)
	}
	b := buf.Bytes()
	if err := verify(b, key.Public()); err != nil {
		t.Fatalf("SM2 package does not verify against its key: %v", err)
	}
	if err := verify(b, PublicKey{}); err != nil {
		t.Fatalf("SM2 package does not verify with the key it names: %v", err)
	}
	if err := verify(b, testKey(t).Public()); err == nil || !strings.Contains(err.Error(), "not by the trusted key") {
		t.Errorf("SM2 package verified against an unrelated Ed25519 key: %v", err)
	}
	other, _ := SM2KeyFromScalar(bytes.Repeat([]byte{3}, 32))
	if err := verify(b, other.Public()); err == nil {
		t.Error("SM2 package verified against another SM2 key")
	}
	edited := rewrite(t, b, func(name string, data []byte) []byte {
		if name == FileParties {
			return append(data, []byte("P9,假名\n")...)
		}
		return data
	}, nil)
	if err := verify(edited, key.Public()); err == nil || !strings.Contains(err.Error(), FileParties) {
		t.Errorf("edited parties.csv passed: %v", err)
	}
	// A manifest that claims Ed25519 for an SM2 key is refused before any signature check.
	relabelled := rewrite(t, b, func(name string, data []byte) []byte {
		if name == FileManifest {
			return bytes.Replace(data, []byte(`"signature_algorithm": "SM2-SM3"`), []byte(`"signature_algorithm": "Ed25519"`), 1)
		}
		return data
	}, nil)
	if err := verify(relabelled, PublicKey{}); err == nil || !strings.Contains(err.Error(), "signature_algorithm") {
		t.Errorf("relabelled manifest passed: %v", err)
	}
}

// TestCSVCellsCannotRunFormulas: a provider name or note that starts like a formula is written as
// text, and event times are Beijing time.
func TestCSVCellsCannotRunFormulas(t *testing.T) {
	c := fixtureCase()
	c.Parties[0].Name = `=HYPERLINK("http://evil.example","点击")`
	c.History[0].Note = "+1 需核实"
	c.History[0].At = time.Date(2024, 6, 1, 16, 30, 0, 0, time.UTC)
	parties, err := partiesCSV(c, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(parties), `'=HYPERLINK(`) {
		t.Errorf("formula name not neutralised:\n%s", parties)
	}
	history, err := historyCSV(c, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(history), "'+1 需核实") || !strings.Contains(string(history), "2024-06-02 00:30:00") {
		t.Errorf("history.csv:\n%s", history)
	}
	claims, _ := claimsCSV(c, Meta{})
	if strings.Contains(string(claims), "'") {
		t.Errorf("ordinary claims were altered:\n%s", claims)
	}
}
