package neo4j

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// First loads through Neo4j's offline importer (`neo4j-admin database import full`).
//
// An Importer is an ingest sink: the same parser, validation and rejects as every other load
// path hand it patients, providers, doctors, claims and items, and it writes them as the
// importer's node and relationship CSV files, with exactly the properties and relationships
// the Cypher path (write.go) stores. Import then runs the importer into a staging data
// directory, checks that the importer created as many nodes and relationships as were written,
// and only then moves the new database into the server's data directory. The server's first
// Open afterwards creates the constraints and indexes (schema.go), which Community edition's
// importer does not.
//
// It applies to a database that does not exist yet, with the server stopped: NewImporter
// refuses a data directory that already holds the database. Killed at any point, it leaves the
// server's data directory as it was (the staging directory is wiped at the next start), so the
// same command run again gives the same graph as one clean run.

// ImportConfig says where the stopped server keeps its data and how to run the importer.
type ImportConfig struct {
	// DataDir is the server's server.directories.data (e.g. .ci/neo4j/work/data).
	DataDir string
	// Database is the database to create (DefaultDatabase when empty).
	Database string
	// Lib is the directory holding the Neo4j jars (neo4j-import-tool-*.jar among them).
	Lib string
	// Java is the java binary; Java 17 or 21 from /usr/lib/jvm when empty, else `java`.
	Java string
	// Staging receives the CSV files, the importer's database and its log. It is wiped first.
	Staging string
	// Heap is the importer's JVM heap (default 2g); Threads its worker count (default 2).
	Heap    string
	Threads int
	// Output, when set, receives the importer's own progress display as it runs.
	Output io.Writer
}

// Importer writes a first load as importer CSV files and runs the import. It implements the
// ingest sink (graph.Writer plus Exists). It is not safe for concurrent use (ingest writes
// from one goroutine).
type Importer struct {
	cfg   ImportConfig
	csv   string // staging/csv
	files map[string]*importFile
	// Ids written so far, by kind, to decide which relationships exist (a relationship to a
	// node not stored is not created, as the Cypher path's MATCH creates none) and to answer
	// Exists. Claims are not kept: nothing refers to a claim by relationship, and ingest asks
	// Exists only about ids it has not seen in this load.
	ids     map[graph.EntityType]map[string]struct{}
	written graph.Counts
	items   int64
	closed  bool
	// multiline is set when a field holds a line break: the importer then has to be told, which
	// stops it from splitting files into chunks it parses in parallel.
	multiline bool
}

type importFile struct {
	name string // file name in staging/csv
	kind string // "nodes" or "relationships"
	typ  string // label or relationship type
	f    *os.File
	buf  *bufio.Writer
	w    *csv.Writer
	rows int64
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	Counts          graph.Counts  // nodes per kind and relationships per type written and imported
	ClaimItems      int64         // claim item nodes
	Nodes, Rels     int64         // totals reported by the importer
	LogPath         string        // the importer's log, kept
	Elapsed         time.Duration // the importer's run, JVM start included
	DatabaseDir     string        // where the database now lives
	TransactionsDir string        // where its transaction logs now live
}

// node and relationship files, with the importer's typed headers. Column order is the order
// the write* methods emit.
var importHeaders = []struct{ name, kind, typ, header string }{
	{"patients.csv", "nodes", "Patient", "id:ID(Patient),id_fold,name,name_fold,sex,birth_date:datetime,region,phone,address,death_date:datetime"},
	{"institutions.csv", "nodes", "Institution", "id:ID(Institution),id_fold,name,name_fold,level,ownership,region"},
	{"pharmacies.csv", "nodes", "Pharmacy", "id:ID(Pharmacy),id_fold,name,name_fold,region"},
	{"doctors.csv", "nodes", "Doctor", "id:ID(Doctor),id_fold,name,name_fold,institution_id,department"},
	{"claims.csv", "nodes", "Claim", "id:ID(Claim),patient_id,provider_id,provider_type,doctor_id,claim_type,start_time:datetime,end_time:datetime,diagnosis_code,total_amount:long,fund_amount:long,terminal_id"},
	{"claim_items.csv", "nodes", itemLabel, "key:ID(" + itemLabel + "),claim_id,seq:long,item_code,item_name,category,quantity:double,unit_price:long,amount:long"},
	{"phones.csv", "nodes", "Phone", "id:ID(Phone)"},
	{"addresses.csv", "nodes", "Address", "id:ID(Address)"},
	{"terminals.csv", "nodes", "Terminal", "id:ID(Terminal)"},
	{"has_phone.csv", "relationships", "HAS_PHONE", ":START_ID(Patient),:END_ID(Phone)"},
	{"lives_at.csv", "relationships", "LIVES_AT", ":START_ID(Patient),:END_ID(Address)"},
	{"works_at.csv", "relationships", "WORKS_AT", ":START_ID(Doctor),:END_ID(Institution)"},
	{"filed.csv", "relationships", "FILED", ":START_ID(Patient),:END_ID(Claim)"},
	{"at_institution.csv", "relationships", "AT", ":START_ID(Claim),:END_ID(Institution)"},
	{"at_pharmacy.csv", "relationships", "AT", ":START_ID(Claim),:END_ID(Pharmacy)"},
	{"treated_by.csv", "relationships", "TREATED_BY", ":START_ID(Claim),:END_ID(Doctor)"},
	{"on_terminal.csv", "relationships", "ON_TERMINAL", ":START_ID(Claim),:END_ID(Terminal)"},
}

// NewImporter checks that the database does not exist yet, wipes the staging directory and
// opens the CSV files. It returns EINVALID naming the setting at fault.
func NewImporter(cfg ImportConfig) (*Importer, error) {
	if cfg.Database == "" {
		cfg.Database = DefaultDatabase
	}
	if cfg.DataDir == "" {
		return nil, graph.FieldErrorf("data_dir", "未指定 Neo4j 数据目录 / the Neo4j data directory is not set")
	}
	if cfg.Staging == "" {
		return nil, graph.FieldErrorf("staging", "未指定导入暂存目录 / the import staging directory is not set")
	}
	if cfg.Lib == "" || !hasImportTool(cfg.Lib) {
		return nil, graph.FieldErrorf("lib", "在 %q 中找不到 neo4j-import-tool 的 jar / no neo4j-import-tool jar in %q (resolve the jars: .ci/neo4j/start.sh does)", cfg.Lib, cfg.Lib)
	}
	if cfg.Heap == "" {
		cfg.Heap = "2g"
	}
	if cfg.Threads <= 0 {
		cfg.Threads = 2
	}
	if cfg.Java == "" {
		cfg.Java = pickJava()
	}
	db := filepath.Join(cfg.DataDir, "databases", cfg.Database)
	if _, err := os.Stat(db); err == nil {
		return nil, graph.FieldErrorf("database", "数据库 %s 已存在（%s）：离线导入只用于新数据库；请改用增量导入，或停止服务器并删除该数据库 / database %s already exists (%s): the offline importer only creates a new database; load incrementally instead, or stop the server and remove it", cfg.Database, db, cfg.Database, db)
	}
	// Transaction logs without a database are what an import killed while moving into place
	// leaves (see Import): they belong to no database and are removed.
	if err := os.RemoveAll(filepath.Join(cfg.DataDir, "transactions", cfg.Database)); err != nil {
		return nil, fmt.Errorf("remove stale transaction logs: %w", err)
	}
	if err := os.RemoveAll(cfg.Staging); err != nil {
		return nil, fmt.Errorf("wipe import staging %s: %w", cfg.Staging, err)
	}
	im := &Importer{cfg: cfg, csv: filepath.Join(cfg.Staging, "csv"), files: map[string]*importFile{},
		ids: map[graph.EntityType]map[string]struct{}{}, written: graph.Counts{Nodes: map[graph.EntityType]int64{}, Relationships: map[graph.RelType]int64{}}}
	if err := os.MkdirAll(im.csv, 0o755); err != nil {
		return nil, fmt.Errorf("create import staging: %w", err)
	}
	for _, h := range importHeaders {
		f, err := os.Create(filepath.Join(im.csv, h.name))
		if err != nil {
			im.closeFiles()
			return nil, fmt.Errorf("create import file: %w", err)
		}
		buf := bufio.NewWriterSize(f, 1<<20)
		w := csv.NewWriter(buf)
		if err := w.Write(strings.Split(h.header, ",")); err != nil {
			_ = f.Close()
			im.closeFiles()
			return nil, err
		}
		im.files[h.name] = &importFile{name: h.name, kind: h.kind, typ: h.typ, f: f, buf: buf, w: w}
	}
	for _, t := range graph.EntityTypes {
		im.ids[t] = map[string]struct{}{}
	}
	return im, nil
}

func hasImportTool(lib string) bool {
	m, _ := filepath.Glob(filepath.Join(lib, "neo4j-import-tool-*.jar"))
	return len(m) > 0
}

// pickJava returns the first Java Neo4j 5.26 supports (17 or 21), else `java` on PATH.
func pickJava() string {
	for _, j := range []string{"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "/usr/lib/jvm/java-21-openjdk-amd64/bin/java"} {
		if _, err := os.Stat(j); err == nil {
			return j
		}
	}
	return "java"
}

func (im *Importer) closeFiles() {
	for _, f := range im.files {
		_ = f.f.Close()
	}
}

func (im *Importer) write(file string, rec ...string) error {
	f := im.files[file]
	f.rows++
	if !im.multiline {
		for _, v := range rec {
			if strings.ContainsAny(v, "\r\n") {
				im.multiline = true
				break
			}
		}
	}
	return f.w.Write(rec)
}

func (im *Importer) node(t graph.EntityType, file, id string, rec ...string) error {
	if im.closed {
		return errors.New("neo4j import: write after Import")
	}
	set := im.ids[t]
	if _, dup := set[id]; dup {
		return graph.FieldErrorf("id", "离线导入中 %s %s 出现两次 / %s %s written twice to the offline importer (each id is written once)", t, id, t, id)
	}
	set[strings.Clone(id)] = struct{}{}
	im.written.Nodes[t]++
	return im.write(file, rec...)
}

// derived writes a phone, address or terminal node the first time its id is seen.
func (im *Importer) derived(t graph.EntityType, file, id string) error {
	if _, ok := im.ids[t][id]; ok {
		return nil
	}
	im.ids[t][strings.Clone(id)] = struct{}{}
	im.written.Nodes[t]++
	return im.write(file, id)
}

// rel writes a relationship when its party end (the node of kind party with id partyID) is
// stored; the other end is the record being written.
func (im *Importer) rel(r graph.RelType, file, from, to string, party graph.EntityType, partyID string) error {
	if _, ok := im.ids[party][partyID]; !ok {
		return nil
	}
	im.written.Relationships[r]++
	return im.write(file, from, to)
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func csvInt(v int64) string { return strconv.FormatInt(v, 10) }

// PutPatients writes patients with their phone and address nodes and relationships.
func (im *Importer) PutPatients(_ context.Context, ps []graph.Patient) error {
	for _, p := range ps {
		if p.ID == "" {
			return graph.FieldErrorf("id", "参保人编号为空 / patient id is empty")
		}
		if err := im.node(graph.TypePatient, "patients.csv", p.ID, p.ID, fold(p.ID), p.Name, fold(p.Name), p.Sex,
			csvTime(p.BirthDate), p.Region, p.Phone, p.Address, csvTime(p.DeathDate)); err != nil {
			return err
		}
		if p.Phone != "" {
			if err := im.derived(graph.TypePhone, "phones.csv", p.Phone); err != nil {
				return err
			}
			if err := im.rel(graph.RelHasPhone, "has_phone.csv", p.ID, p.Phone, graph.TypePhone, p.Phone); err != nil {
				return err
			}
		}
		if p.Address != "" {
			if err := im.derived(graph.TypeAddress, "addresses.csv", p.Address); err != nil {
				return err
			}
			if err := im.rel(graph.RelLivesAt, "lives_at.csv", p.ID, p.Address, graph.TypeAddress, p.Address); err != nil {
				return err
			}
		}
	}
	return nil
}

// PutInstitutions writes designated medical institutions.
func (im *Importer) PutInstitutions(_ context.Context, is []graph.Institution) error {
	for _, v := range is {
		if v.ID == "" {
			return graph.FieldErrorf("id", "医疗机构编号为空 / institution id is empty")
		}
		if err := im.node(graph.TypeInstitution, "institutions.csv", v.ID, v.ID, fold(v.ID), v.Name, fold(v.Name), v.Level, v.Ownership, v.Region); err != nil {
			return err
		}
	}
	return nil
}

// PutPharmacies writes designated retail pharmacies.
func (im *Importer) PutPharmacies(_ context.Context, ps []graph.Pharmacy) error {
	for _, v := range ps {
		if v.ID == "" {
			return graph.FieldErrorf("id", "药店编号为空 / pharmacy id is empty")
		}
		if err := im.node(graph.TypePharmacy, "pharmacies.csv", v.ID, v.ID, fold(v.ID), v.Name, fold(v.Name), v.Region); err != nil {
			return err
		}
	}
	return nil
}

// PutDoctors writes doctors and WORKS_AT to an institution written before.
func (im *Importer) PutDoctors(_ context.Context, ds []graph.Doctor) error {
	for _, v := range ds {
		if v.ID == "" {
			return graph.FieldErrorf("id", "医师编号为空 / doctor id is empty")
		}
		if err := im.node(graph.TypeDoctor, "doctors.csv", v.ID, v.ID, fold(v.ID), v.Name, fold(v.Name), v.InstitutionID, v.Department); err != nil {
			return err
		}
		if v.InstitutionID != "" {
			if err := im.rel(graph.RelWorksAt, "works_at.csv", v.ID, v.InstitutionID, graph.TypeInstitution, v.InstitutionID); err != nil {
				return err
			}
		}
	}
	return nil
}

// PutClaims writes claims with FILED, AT, TREATED_BY and ON_TERMINAL to parties written before.
func (im *Importer) PutClaims(_ context.Context, cs []graph.Claim) error {
	for _, c := range cs {
		switch {
		case c.ID == "":
			return graph.FieldErrorf("id", "结算单编号为空 / claim id is empty")
		case c.PatientID == "":
			return graph.FieldErrorf("patient_id", "结算单 %s 缺少参保人 / claim %s has no patient", c.ID, c.ID)
		case c.ProviderID == "":
			return graph.FieldErrorf("provider_id", "结算单 %s 缺少机构或药店 / claim %s has no provider", c.ID, c.ID)
		case !c.ProviderType.IsProvider():
			return graph.FieldErrorf("provider_type", "结算单 %s 的机构类型无效 / claim %s: provider type must be institution or pharmacy", c.ID, c.ID)
		}
		if im.closed {
			return errors.New("neo4j import: write after Import")
		}
		// Claim ids are unique per load (ingest rejects a conflicting repeat and skips an
		// identical one); the importer itself refuses a duplicate id.
		im.written.Nodes[graph.TypeClaim]++
		if err := im.write("claims.csv", c.ID, c.PatientID, c.ProviderID, string(c.ProviderType), c.DoctorID, string(c.Type),
			csvTime(c.Start), csvTime(c.End), c.DiagnosisCode, csvInt(int64(c.TotalAmount)), csvInt(int64(c.FundAmount)), c.TerminalID); err != nil {
			return err
		}
		if err := im.rel(graph.RelFiled, "filed.csv", c.PatientID, c.ID, graph.TypePatient, c.PatientID); err != nil {
			return err
		}
		var err error
		if c.ProviderType == graph.TypeInstitution {
			err = im.rel(graph.RelAt, "at_institution.csv", c.ID, c.ProviderID, graph.TypeInstitution, c.ProviderID)
		} else {
			err = im.rel(graph.RelAt, "at_pharmacy.csv", c.ID, c.ProviderID, graph.TypePharmacy, c.ProviderID)
		}
		if err != nil {
			return err
		}
		if c.DoctorID != "" {
			if err := im.rel(graph.RelTreatedBy, "treated_by.csv", c.ID, c.DoctorID, graph.TypeDoctor, c.DoctorID); err != nil {
				return err
			}
		}
		if c.TerminalID != "" {
			term := c.ProviderID + "/" + c.TerminalID
			if err := im.derived(graph.TypeTerminal, "terminals.csv", term); err != nil {
				return err
			}
			if err := im.rel(graph.RelOnTerminal, "on_terminal.csv", c.ID, term, graph.TypeTerminal, term); err != nil {
				return err
			}
		}
	}
	return nil
}

// PutClaimItems writes claim lines.
func (im *Importer) PutClaimItems(_ context.Context, items []graph.ClaimItem) error {
	for _, it := range items {
		if it.ClaimID == "" {
			return graph.FieldErrorf("claim_id", "费用明细缺少结算单编号 / claim item has no claim id")
		}
		im.items++
		if err := im.write("claim_items.csv", itemKey(it.ClaimID, it.Seq), it.ClaimID, csvInt(int64(it.Seq)), it.ItemCode, it.ItemName,
			it.Category, strconv.FormatFloat(it.Quantity, 'g', -1, 64), csvInt(int64(it.UnitPrice)), csvInt(int64(it.Amount))); err != nil {
			return err
		}
	}
	return nil
}

// Exists reports which refs were written to this import. The database is new, so nothing else
// exists; claims are reported missing (see Importer.ids).
func (im *Importer) Exists(_ context.Context, refs []graph.Ref) ([]bool, error) {
	out := make([]bool, len(refs))
	for i, r := range refs {
		_, out[i] = im.ids[r.Type][r.ID]
	}
	return out, nil
}

// Import runs the importer over the files written, checks its counts, and moves the new
// database into the server's data directory. The server must stay stopped until it returns.
func (im *Importer) Import(ctx context.Context) (ImportResult, error) {
	res := ImportResult{Counts: im.written, ClaimItems: im.items, LogPath: filepath.Join(im.cfg.Staging, "import.log")}
	if im.closed {
		return res, errors.New("neo4j import: Import called twice")
	}
	im.closed = true
	var args []string
	for _, h := range importHeaders {
		f := im.files[h.name]
		err := f.w.Error()
		if f.w.Flush(); err == nil {
			err = f.w.Error()
		}
		if err == nil {
			err = f.buf.Flush()
		}
		if cerr := f.f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return res, fmt.Errorf("write import file %s: %w", h.name, err)
		}
		if f.rows > 0 {
			args = append(args, fmt.Sprintf("--%s=%s=%s", f.kind, f.typ, filepath.Join(im.csv, h.name)))
		}
	}
	stageData := filepath.Join(im.cfg.Staging, "data")
	conf := filepath.Join(im.cfg.Staging, "conf")
	for _, d := range []string{stageData, conf, filepath.Join(im.cfg.Staging, "logs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return res, err
		}
	}
	confText := "server.directories.data=" + stageData + "\nserver.directories.logs=" + filepath.Join(im.cfg.Staging, "logs") +
		"\nserver.memory.pagecache.size=1g\ndbms.usage_report.enabled=false\n"
	if err := os.WriteFile(filepath.Join(conf, "neo4j.conf"), []byte(confText), 0o644); err != nil {
		return res, err
	}
	logf, err := os.Create(res.LogPath)
	if err != nil {
		return res, err
	}
	defer logf.Close()
	cmdArgs := []string{"-Xmx" + im.cfg.Heap,
		"--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
		"--add-opens=java.base/java.lang=ALL-UNNAMED",
		"-cp", filepath.Join(im.cfg.Lib, "*"), "org.neo4j.cli.AdminTool", "database", "import", "full"}
	cmdArgs = append(cmdArgs, args...)
	// Empty unquoted fields are nulls (the property is not stored, as in the Cypher path).
	// Fields with line breaks are quoted by the writer; the importer reads them only when told.
	cmdArgs = append(cmdArgs, "--multiline-fields="+strconv.FormatBool(im.multiline), "--threads="+strconv.Itoa(im.cfg.Threads),
		"--high-parallel-io=off", "--overwrite-destination=true",
		"--report-file="+filepath.Join(im.cfg.Staging, "import.report"), im.cfg.Database)
	cmd := osexec.CommandContext(ctx, im.cfg.Java, cmdArgs...)
	cmd.Env = append(os.Environ(), "NEO4J_HOME="+im.cfg.Staging, "NEO4J_CONF="+conf)
	var out io.Writer = logf
	if im.cfg.Output != nil {
		out = io.MultiWriter(logf, im.cfg.Output)
	}
	cmd.Stdout, cmd.Stderr = out, out
	dieWithParent(cmd)
	start := time.Now()
	err = cmd.Run()
	res.Elapsed = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("neo4j-admin database import failed (%v); its log: %s", err, res.LogPath)
	}
	if err := logf.Sync(); err != nil {
		return res, err
	}
	logText, err := os.ReadFile(res.LogPath)
	if err != nil {
		return res, err
	}
	res.Nodes, res.Rels, err = importedCounts(string(logText))
	if err != nil {
		return res, fmt.Errorf("%w; its log: %s", err, res.LogPath)
	}
	var wantNodes, wantRels int64 = im.items, 0
	for _, n := range im.written.Nodes {
		wantNodes += n
	}
	for _, n := range im.written.Relationships {
		wantRels += n
	}
	if res.Nodes != wantNodes || res.Rels != wantRels {
		return res, fmt.Errorf("neo4j import: the importer created %d nodes and %d relationships, %d and %d were written; nothing was moved into %s; its log: %s",
			res.Nodes, res.Rels, wantNodes, wantRels, im.cfg.DataDir, res.LogPath)
	}
	// Into place: transaction logs first, the database directory last. The database exists for
	// the server (and for NewImporter) only once its directory is there; logs moved without it
	// are removed by the next NewImporter.
	res.DatabaseDir = filepath.Join(im.cfg.DataDir, "databases", im.cfg.Database)
	res.TransactionsDir = filepath.Join(im.cfg.DataDir, "transactions", im.cfg.Database)
	for _, d := range []string{filepath.Dir(res.DatabaseDir), filepath.Dir(res.TransactionsDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return res, err
		}
	}
	if err := os.Rename(filepath.Join(stageData, "transactions", im.cfg.Database), res.TransactionsDir); err != nil {
		return res, fmt.Errorf("move imported transaction logs into place: %w", err)
	}
	if err := syncDir(filepath.Dir(res.TransactionsDir)); err != nil {
		return res, err
	}
	if err := os.Rename(filepath.Join(stageData, "databases", im.cfg.Database), res.DatabaseDir); err != nil {
		return res, fmt.Errorf("move imported database into place: %w", err)
	}
	if err := syncDir(filepath.Dir(res.DatabaseDir)); err != nil {
		return res, err
	}
	// The CSV files are large and no longer needed; the log stays.
	if err := os.RemoveAll(im.csv); err != nil {
		return res, err
	}
	return res, os.RemoveAll(stageData)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// importedCounts reads the totals the importer prints at the end:
//
//	IMPORT DONE in 2s 3ms.
//	Imported:
//	  1000 nodes
//	  1500 relationships
var (
	importedNodes = regexp.MustCompile(`(?m)^\s*(\d+) nodes\s*$`)
	importedRels  = regexp.MustCompile(`(?m)^\s*(\d+) relationships\s*$`)
)

func importedCounts(log string) (nodes, rels int64, err error) {
	i := strings.LastIndex(log, "IMPORT DONE")
	if i < 0 {
		return 0, 0, errors.New("neo4j import: the importer did not report IMPORT DONE")
	}
	tail := log[i:]
	n, r := importedNodes.FindStringSubmatch(tail), importedRels.FindStringSubmatch(tail)
	if n == nil || r == nil {
		return 0, 0, errors.New("neo4j import: the importer's totals are missing from its log")
	}
	nodes, _ = strconv.ParseInt(n[1], 10, 64)
	rels, _ = strconv.ParseInt(r[1], 10, 64)
	return nodes, rels, nil
}

// CheckCounts compares a store's counts with what an import wrote (after the server started
// on the imported database). It returns an error naming the first kind that differs.
func CheckCounts(ctx context.Context, s *Store, res ImportResult) error {
	got, err := s.Counts(ctx)
	if err != nil {
		return err
	}
	for _, t := range graph.EntityTypes {
		if got.Nodes[t] != res.Counts.Nodes[t] {
			return fmt.Errorf("neo4j import check: %d %s nodes in the database, %d imported", got.Nodes[t], t, res.Counts.Nodes[t])
		}
	}
	for _, r := range graph.RelTypes {
		if got.Relationships[r] != res.Counts.Relationships[r] {
			return fmt.Errorf("neo4j import check: %d %s relationships in the database, %d imported", got.Relationships[r], r, res.Counts.Relationships[r])
		}
	}
	return nil
}
