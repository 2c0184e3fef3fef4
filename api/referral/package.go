package referral

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Format identifies the package layout; verify refuses packages of another format.
const Format = "ringtrace-referral/1"

// Names of the files inside a package.
const (
	FileReport    = "report.pdf"
	FileCase      = "case.json"
	FileParties   = "parties.csv"
	FileClaims    = "claims.csv"
	FileReasons   = "reasons.csv"
	FileHistory   = "history.csv"
	FileGraphML   = "subgraph.graphml"
	FileManifest  = "manifest.json"
	FileSignature = "manifest.sig"
)

// Manifest lists every file of a package with its digest, and who exported it when.
type Manifest struct {
	Format       string    `json:"format"`
	CaseID       string    `json:"case_id"`
	ExportedBy   string    `json:"exported_by"`
	ExportedRole string    `json:"exported_role"`
	ExportedAt   time.Time `json:"exported_at"`
	Software     string    `json:"software"`
	PublicKey    string    `json:"public_key"` // key that signed manifest.json, in PublicKey.String form
	// SignatureAlgorithm names the scheme of manifest.sig; empty means Ed25519, as in packages
	// of earlier releases.
	SignatureAlgorithm string         `json:"signature_algorithm,omitempty"`
	Files              []ManifestFile `json:"files"`
}

// ManifestFile is one entry of the manifest.
type ManifestFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Build writes the referral package for c to w, signed with key, and returns its manifest.
// The same case, meta and Ed25519 key give a byte-identical package (SM2 signatures are randomised,
// so with an SM2 key only manifest.sig differs).
func Build(w io.Writer, c Case, meta Meta, key PrivateKey) (Manifest, error) {
	if !key.Valid() {
		return Manifest{}, errors.New("referral: no signing key configured")
	}
	if c.ID == "" {
		return Manifest{}, graph.FieldErrorf("case_id", "case id is empty")
	}
	files := []struct {
		name  string
		build func(c Case, meta Meta) ([]byte, error)
	}{
		{FileReport, func(c Case, m Meta) ([]byte, error) { return RenderReport(c, m) }},
		{FileCase, caseJSON},
		{FileParties, partiesCSV},
		{FileClaims, claimsCSV},
		{FileReasons, reasonsCSV},
		{FileHistory, historyCSV},
		{FileGraphML, func(c Case, _ Meta) ([]byte, error) { return GraphML(c.Subgraph) }},
	}
	man := Manifest{
		Format: Format, CaseID: c.ID, ExportedBy: meta.ExportedBy, ExportedRole: meta.ExportedRole,
		ExportedAt: meta.ExportedAt.UTC(), Software: meta.Software,
		PublicKey: key.Public().String(),
	}
	if key.Algorithm() != Ed25519 {
		man.SignatureAlgorithm = string(key.Algorithm())
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		b, err := f.build(c, meta)
		if err != nil {
			return Manifest{}, fmt.Errorf("referral: %s: %w", f.name, err)
		}
		sum := sha256.Sum256(b)
		man.Files = append(man.Files, ManifestFile{Name: f.name, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])})
		if err := writeZipFile(zw, f.name, b, meta.ExportedAt); err != nil {
			return Manifest{}, err
		}
	}
	mb, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	sig, err := key.Sign(mb)
	if err != nil {
		return Manifest{}, fmt.Errorf("referral: signing: %w", err)
	}
	if err := writeZipFile(zw, FileManifest, mb, meta.ExportedAt); err != nil {
		return Manifest{}, err
	}
	if err := writeZipFile(zw, FileSignature, []byte(base64.StdEncoding.EncodeToString(sig)+"\n"), meta.ExportedAt); err != nil {
		return Manifest{}, err
	}
	return man, zw.Close()
}

func writeZipFile(zw *zip.Writer, name string, b []byte, mod time.Time) error {
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod.UTC()})
	if err != nil {
		return fmt.Errorf("referral: %s: %w", name, err)
	}
	_, err = fw.Write(b)
	return err
}

// VerifyError lists every problem verify found in a package.
type VerifyError struct {
	Problems []string
}

func (e *VerifyError) Error() string {
	return "referral package verification failed:\n  " + strings.Join(e.Problems, "\n  ")
}

// Verify checks a package: the manifest's signature (with trusted when given, else with the key the
// manifest names — which only proves integrity, not origin, and callers should say so), every listed
// file present with its size and SHA-256, and no file that the manifest does not list. It returns the
// manifest and a *VerifyError naming every problem.
func Verify(r io.ReaderAt, size int64, trusted PublicKey) (Manifest, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Manifest{}, &VerifyError{Problems: []string{"not a readable ZIP archive: " + err.Error()}}
	}
	contents := map[string][]byte{}
	var problems []string
	for _, f := range zr.File {
		if _, dup := contents[f.Name]; dup {
			problems = append(problems, f.Name+": appears more than once")
			continue
		}
		rc, err := f.Open()
		if err != nil {
			problems = append(problems, f.Name+": cannot be read: "+err.Error())
			continue
		}
		b, err := io.ReadAll(io.LimitReader(rc, 1<<30))
		rc.Close()
		if err != nil {
			problems = append(problems, f.Name+": cannot be read: "+err.Error())
			continue
		}
		contents[f.Name] = b
	}
	mb, ok := contents[FileManifest]
	if !ok {
		return Manifest{}, &VerifyError{Problems: append(problems, FileManifest+": missing")}
	}
	var man Manifest
	if err := json.Unmarshal(mb, &man); err != nil {
		return Manifest{}, &VerifyError{Problems: append(problems, FileManifest+": not valid JSON: "+err.Error())}
	}
	if man.Format != Format {
		problems = append(problems, fmt.Sprintf("%s: format %q, want %q", FileManifest, man.Format, Format))
	}
	signer, err := ParsePublicKey(man.PublicKey)
	if err != nil {
		problems = append(problems, FileManifest+": "+err.Error())
	} else if want := manifestAlgorithm(man); signer.Algorithm() != want {
		problems = append(problems, fmt.Sprintf("%s: signature_algorithm %s but public_key is an %s key", FileManifest, want, signer.Algorithm()))
		signer = PublicKey{}
	}
	key := signer
	if !trusted.IsZero() {
		if !signer.IsZero() && !signer.Equal(trusted) {
			problems = append(problems, FileManifest+": signed by key "+signer.Fingerprint()+", not by the trusted key "+trusted.Fingerprint())
		}
		key = trusted
	}
	sigText, ok := contents[FileSignature]
	if !ok {
		problems = append(problems, FileSignature+": missing")
	} else if sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(string(sigText), "\n")); err != nil {
		problems = append(problems, FileSignature+": not base64: "+err.Error())
	} else if string(sigText) != base64.StdEncoding.EncodeToString(sig)+"\n" {
		// Accept exactly what Build writes: any other byte is a change to the package.
		problems = append(problems, FileSignature+": not in the canonical form")
	} else if !key.IsZero() && !key.Verify(mb, sig) {
		problems = append(problems, FileSignature+": signature does not match manifest.json")
	}
	listed := map[string]bool{FileManifest: true, FileSignature: true}
	for _, f := range man.Files {
		listed[f.Name] = true
		b, ok := contents[f.Name]
		if !ok {
			problems = append(problems, f.Name+": missing")
			continue
		}
		sum := sha256.Sum256(b)
		if int64(len(b)) != f.Size {
			problems = append(problems, fmt.Sprintf("%s: size %d, manifest says %d", f.Name, len(b), f.Size))
		}
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			problems = append(problems, f.Name+": SHA-256 does not match the manifest")
		}
	}
	var extra []string
	for name := range contents {
		if !listed[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		problems = append(problems, name+": not listed in the manifest")
	}
	if len(problems) > 0 {
		return man, &VerifyError{Problems: problems}
	}
	return man, nil
}

// manifestAlgorithm is the signature scheme a manifest declares.
func manifestAlgorithm(m Manifest) Algorithm {
	if m.SignatureAlgorithm == "" {
		return Ed25519
	}
	return Algorithm(m.SignatureAlgorithm)
}

// caseJSON is case.json: the case as referral.Case holds it, with the package format, the
// totals and who exported it. Lists are [] rather than null and times of history in UTC, so
// that the file reads the same whoever assembled the case.
func caseJSON(c Case, meta Meta) ([]byte, error) {
	c.Parties, c.Claims, c.Rings, c.Risks = nonNil(c.Parties), nonNil(c.Claims), nonNil(c.Rings), nonNil(c.Risks)
	c.Procedure = nonNil(c.Procedure)
	history := make([]HistoryEntry, 0, len(c.History))
	for _, h := range c.History {
		h.At = h.At.UTC()
		history = append(history, h)
	}
	c.History = history
	doc := struct {
		Format string `json:"format"`
		Case
		TotalAmount graph.Money `json:"total_amount"`
		FundAmount  graph.Money `json:"fund_amount"`
		ExportedBy  string      `json:"exported_by"`
		ExportedAt  time.Time   `json:"exported_at"`
	}{Format, c, c.Total(), c.FundTotal(), meta.ExportedBy, meta.ExportedAt.UTC()}
	return json.MarshalIndent(doc, "", "  ")
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// writeCSV writes rows with a UTF-8 BOM, so that Excel — what most receiving offices open CSV with —
// shows the Chinese text instead of mojibake.
func writeCSV(header []string, rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func partiesCSV(c Case, _ Meta) ([]byte, error) {
	rows := make([][]string, 0, len(c.Parties))
	for _, p := range c.Parties {
		rows = append(rows, []string{string(p.Type), cell(p.ID), cell(p.Name), cell(p.Sex), date(p.BirthDate), cell(p.Phone), cell(p.Address), cell(p.Region), cell(p.Role)})
	}
	return writeCSV([]string{"type", "id", "name", "sex", "birth_date", "phone", "address", "region", "role"}, rows)
}

func claimsCSV(c Case, _ Meta) ([]byte, error) {
	rows := make([][]string, 0, len(c.Claims))
	for _, cl := range c.Claims {
		rows = append(rows, []string{cell(cl.ID), cell(cl.PatientID), cell(cl.ProviderID), string(cl.ProviderType), cell(cl.DoctorID), string(cl.Type),
			datetime(cl.Start), datetime(cl.End), cell(cl.DiagnosisCode), cl.TotalAmount.String(), cl.FundAmount.String(), cell(cl.TerminalID)})
	}
	return writeCSV([]string{"claim_id", "patient_id", "provider_id", "provider_type", "doctor_id", "claim_type",
		"start_time", "end_time", "diagnosis_code", "total_amount", "fund_amount", "terminal_id"}, rows)
}

func reasonsCSV(c Case, _ Meta) ([]byte, error) {
	var rows [][]string
	add := func(subject, kind string, score float64, rs []graph.Reason) {
		for _, r := range rs {
			rows = append(rows, []string{cell(subject), kind, strconv.FormatFloat(score, 'f', 3, 64), r.Code,
				strconv.FormatFloat(r.Weight, 'f', 3, 64), cell(r.Text), cell(r.TextEN), values(r.Values)})
		}
	}
	for _, r := range c.Rings {
		add("ring:"+r.ID, r.Kind, r.Score, r.Reasons)
	}
	for _, e := range c.Risks {
		add(string(e.Type)+":"+e.ID, "entity", e.Score, e.Reasons)
	}
	return writeCSV([]string{"subject", "kind", "score", "reason_code", "weight", "text_zh", "text_en", "values"}, rows)
}

func historyCSV(c Case, _ Meta) ([]byte, error) {
	rows := make([][]string, 0, len(c.History))
	for _, h := range c.History {
		rows = append(rows, []string{datetime(h.At.In(cst)), cell(h.Actor), h.Role, h.Action, h.From, h.To, cell(h.Note)})
	}
	return writeCSV([]string{"time_beijing", "actor", "role", "action", "from_status", "to_status", "note"}, rows)
}

// cell guards a text cell against spreadsheet formula injection (OWASP "CSV injection"): names,
// addresses and notes come from claims exports and case workers, and a cell starting with = + - @
// would run as a formula in the Excel most receiving offices open the file with. Such a cell is
// prefixed with an apostrophe, which Excel shows as text; amounts and times are never text cells.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func values(v map[string]float64) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+strconv.FormatFloat(v[k], 'f', -1, 64))
	}
	return strings.Join(parts, "; ")
}

// China Standard Time: dates in the package are local to the bureau, as they are in the claims.
var cst = time.FixedZone("CST", 8*3600)

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// beijing formats an instant (a case event) in China Standard Time, saying so.
func beijing(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04:05") + "（北京时间）"
}

// datetime formats a time as it is held: claim times are the wall-clock times of the export.
func datetime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04:05")
}
