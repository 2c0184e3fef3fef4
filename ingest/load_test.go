package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/ringtrace/ringtrace/graph"
)

// writeDir writes files into a new temporary directory and returns it.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// goodFiles is a small clean export. patients.csv uses Chinese headers in a free order with a
// BOM; claims use canonical names.
func goodFiles() map[string]string {
	return map[string]string{
		"patients.csv": "\ufeff姓名,参保人编号,性别,出生日期,统筹区,联系电话,住址,死亡日期\n" +
			"张三,P001,男,1960-01-02,530102,13800000001,昆明市五华区1号,\n" +
			"李四,P002,女,1975/3/4,530102,13800000002,昆明市五华区2号,\n" +
			"王五,P003,M,19800506,530103,,,2024-01-01\n",
		"institutions.csv": "institution_id,name,level,ownership,region\n" +
			"H001,第一医院,三级甲等,公立,530102\n" +
			"H002,康复诊所,一级,民营,530103\n",
		"pharmacies.csv": "药店编码,药店名称,统筹区\nPH01,平安药店,530102\n",
		"doctors.csv":    "doctor_id,name,institution_id,department\nD01,赵医生,H001,内科\nD02,钱医生,H002,\n",
		"claims.csv": "claim_id,patient_id,provider_id,doctor_id,claim_type,start_time,end_time,diagnosis_code,total_amount,fund_amount,terminal_id\n" +
			"C001,P001,H001,D01,门诊,2024-03-05 09:31,,J06.9,\"1,234.50\",800,\n" +
			"C002,P002,H001,D01,住院,2024/3/5 10:00:00,2024-03-10,I10,12000,9000.5,\n" +
			"C003,P003,PH01,,购药,20240306,,,56.8,0,T9\n",
		"claim_items.csv": "claim_id,item_code,item_name,category,quantity,unit_price,amount\n" +
			"C001,X1,阿莫西林,西药,2,10.5,21\n" +
			"C001,X2,血常规,检查,1,30,30\n" +
			"C003,X3,感冒灵,drug,1,56.8,56.8\n",
	}
}

func load(t *testing.T, dir string, sink Sink, opts Options) (Summary, []Reject) {
	t.Helper()
	var rejects []Reject
	opts.OnReject = func(r Reject) { rejects = append(rejects, r) }
	s, err := Load(context.Background(), dir, sink, opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s, rejects
}

func TestLoadGood(t *testing.T) {
	sink := newMemSink()
	s, rejects := load(t, writeDir(t, goodFiles()), sink, Options{})
	if len(rejects) != 0 {
		t.Fatalf("unexpected rejects: %+v", rejects)
	}
	if s.Loaded() != 3+2+1+2+3+3 {
		t.Errorf("loaded %d rows, want 14: %+v", s.Loaded(), s.Files)
	}
	p := sink.patients["P001"]
	if p.Name != "张三" || p.Sex != "M" || !p.BirthDate.Equal(time.Date(1960, 1, 2, 0, 0, 0, 0, time.UTC)) || p.Address != "昆明市五华区1号" {
		t.Errorf("patient P001 = %+v", p)
	}
	if !sink.patients["P003"].DeathDate.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("death date of P003 = %v", sink.patients["P003"].DeathDate)
	}
	if in := sink.insts["H002"]; in.Ownership != "private" || in.Level != "一级" {
		t.Errorf("institution H002 = %+v", in)
	}
	c := sink.claims["C001"]
	if c.TotalAmount != 123450 || c.FundAmount != 80000 || c.ProviderType != graph.TypeInstitution || c.Type != graph.ClaimOutpatient ||
		!c.Start.Equal(time.Date(2024, 3, 5, 9, 31, 0, 0, time.UTC)) {
		t.Errorf("claim C001 = %+v", c)
	}
	if c := sink.claims["C003"]; c.ProviderType != graph.TypePharmacy || c.TerminalID != "T9" || c.Type != graph.ClaimPharmacy {
		t.Errorf("claim C003 = %+v", c)
	}
	if c := sink.claims["C002"]; !c.End.Equal(time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)) || c.FundAmount != 900050 {
		t.Errorf("claim C002 = %+v", c)
	}
	if it := sink.items["C001/2"]; it.ItemName != "血常规" || it.Category != "exam" || it.Amount != 3000 {
		t.Errorf("item C001/2 = %+v", it)
	}
	if it := sink.items["C003/1"]; it.Quantity != 1 || it.UnitPrice != 5680 {
		t.Errorf("item C003/1 = %+v", it)
	}
	if f, _ := s.File("patients.csv"); f.Encoding != EncodingUTF8BOM {
		t.Errorf("patients.csv encoding = %q", f.Encoding)
	}
}

// TestLoadRejects proves each bad-input rule: every bad row is counted and reported with file,
// line, column and reason, and the good rows around it still load.
func TestLoadRejects(t *testing.T) {
	files := goodFiles()
	files["patients.csv"] += "" +
		"重复,P001,男,1960-01-02,530102,13800000001,昆明市五华区1号,\n" + // line 5: identical duplicate of P001 (with 姓名 differing → conflict)
		"张三,P001,男,1960-01-02,530102,13800000001,昆明市五华区1号,\n" + // line 6: identical duplicate → fine
		"无号,,女,1990-01-01,530102,,,\n" + // line 7: missing key
		"坏日,P004,女,1990-13-01,530102,,,\n" + // line 8: bad date
		"截断,P005,女\n" + // line 9: truncated row
		"性别,P006,X,1990-01-01,530102,,,\n" // line 10: bad sex
	files["claims.csv"] += "" +
		"C004,P001,H999,D01,门诊,2024-03-05,,,10,5,\n" + // line 5: unknown provider
		"C005,P999,H001,D01,门诊,2024-03-05,,,10,5,\n" + // line 6: unknown patient
		"C006,P001,H001,D01,门诊,2024-03-05,,,-10,5,\n" + // line 7: negative amount
		"C007,P001,H001,D01,门诊,2024-03-05,,,abc,5,\n" + // line 8: non-numeric amount
		"C008,P001,H001,D01,门诊,5 March 2024,,,10,5,\n" + // line 9: unparsable date
		"C001,P001,H001,D01,门诊,2024-03-05 09:31,,J06.9,1234.5,800,\n" + // line 10: identical duplicate (other spelling)
		"C001,P001,H001,D01,门诊,2024-03-05 09:31,,J06.9,1234.5,801,\n" + // line 11: conflicting duplicate
		"C009,P001,H001,D77,门诊,2024-03-05,,,10,5,\n" + // line 12: unknown doctor
		"C010,P001,H001,D01,体检,2024-03-05,,,10,5,\n" + // line 13: bad claim type
		"C011,P002,H001,D01,住院,2024-03-05,2024-03-01,,10,5,\n" + // line 14: end before start
		"C012,P001,H001,D01,门诊,\"2024-03-05,,,10,5,\n" + // line 15: unterminated quote
		"C013,P001,H001,D01,门诊,2024-03-05,,,10,5,,extra\n" // line 16: extra field
	files["claim_items.csv"] += "" +
		"C004,X9,x,drug,1,1,1\n" + // line 5: item of a rejected claim
		"C001,X9,x,food,1,1,1\n" + // line 6: bad category
		"C001,X9,x,drug,-1,1,1\n" // line 7: negative quantity
	files["doctors.csv"] += "D03,孙医生,H404,外科\n" // line 4: unknown institution

	dir := writeDir(t, files)
	rejPath := filepath.Join(t.TempDir(), "out", "rejects.csv")
	sink := newMemSink()
	s, rejects := load(t, dir, sink, Options{RejectsPath: rejPath, BatchSize: 3})

	type key struct {
		file   string
		line   int
		column string
		reason Reason
	}
	want := []key{
		{"patients.csv", 5, "patient_id", ReasonDuplicateConflict},
		{"patients.csv", 7, "patient_id", ReasonMissingValue},
		{"patients.csv", 8, "birth_date", ReasonBadDate},
		{"patients.csv", 9, "", ReasonFieldCount},
		{"patients.csv", 10, "sex", ReasonBadValue},
		{"doctors.csv", 4, "institution_id", ReasonUnknownInst},
		{"claims.csv", 5, "provider_id", ReasonUnknownProvider},
		{"claims.csv", 6, "patient_id", ReasonUnknownPatient},
		{"claims.csv", 7, "total_amount", ReasonNegativeAmount},
		{"claims.csv", 8, "total_amount", ReasonBadAmount},
		{"claims.csv", 9, "start_time", ReasonBadDate},
		{"claims.csv", 11, "claim_id", ReasonDuplicateConflict},
		{"claims.csv", 12, "doctor_id", ReasonUnknownDoctor},
		{"claims.csv", 13, "claim_type", ReasonBadValue},
		{"claims.csv", 14, "end_time", ReasonEndBeforeStart},
		{"claims.csv", 15, "", ReasonBadQuote},
		{"claims.csv", 16, "", ReasonFieldCount},
		{"claim_items.csv", 5, "claim_id", ReasonUnknownClaim},
		{"claim_items.csv", 6, "category", ReasonBadValue},
		{"claim_items.csv", 7, "quantity", ReasonNegativeAmount},
	}
	var got []key
	for _, r := range rejects {
		got = append(got, key{r.File, r.Line, r.Column, r.Reason})
	}
	if !slices.Equal(got, want) {
		t.Errorf("rejects:\n got %v\nwant %v", got, want)
	}
	// Nothing lost: every row read is loaded, an identical duplicate, or rejected.
	for _, f := range s.Files {
		if f.Read != f.Loaded+f.Duplicates+f.Rejected {
			t.Errorf("%s: read %d != loaded %d + duplicates %d + rejected %d", f.File, f.Read, f.Loaded, f.Duplicates, f.Rejected)
		}
	}
	if f, _ := s.File("claims.csv"); f.Read != 15 || f.Loaded != 3 || f.Duplicates != 1 || f.Rejected != 11 {
		t.Errorf("claims.csv summary = %+v", f)
	}
	if sink.claims["C001"].FundAmount != 80000 {
		t.Errorf("the later conflicting duplicate replaced the first: %+v", sink.claims["C001"])
	}
	if sink.patients["P001"].Name != "张三" {
		t.Errorf("patient P001 name %q", sink.patients["P001"].Name)
	}
	if _, ok := sink.patients["P004"]; ok {
		t.Error("patient with a bad date was loaded")
	}
	// The rejects file has the header and one row per reject, raw row included.
	rf, err := os.Open(rejPath)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	rows, err := csv.NewReader(rf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want)+1 || strings.TrimPrefix(strings.Join(rows[0], ","), "\ufeff") != "file,line,column,reason,raw,detail" {
		t.Fatalf("rejects file has %d rows, header %q", len(rows), rows[0])
	}
	if r := rows[7]; r[0] != "claims.csv" || r[1] != "5" || r[3] != "unknown_provider" || !strings.HasPrefix(r[4], "C004,P001,H999") {
		t.Errorf("rejects row = %q", r)
	}
	if _, err := os.Stat(rejPath + ".partial"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial rejects file left behind: %v", err)
	}
}

// gb18030 encodes s as Excel does for Chinese Windows.
func gb18030(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadGB18030ChineseHeaders(t *testing.T) {
	files := goodFiles()
	files["patients.csv"] = gb18030(t, "参保人编号,姓名,性别,出生日期,统筹区,联系电话,住址,死亡日期\r\n"+
		"P001,张三,男,1960-01-02,530102,13800000001,昆明市五华区1号,\r\n"+
		"P002,李四,女,1975/3/4,530102,,,\r\n"+
		"P003,王五,男,1980-05-06,530103,,,\r\n")
	files["claims.csv"] = gb18030(t, "结算单号,参保人编号,定点医药机构编码,医师编码,就诊类型,就诊时间,出院时间,诊断编码,总金额(元),统筹支付金额,终端编号\r\n"+
		"C001,P001,H001,D01,门诊,2024-03-05 09:31,,J06.9,\"1,234.50\",800,\r\n"+
		"C002,P002,H001,D01,住院,2024/3/5 10:00:00,2024-03-10,I10,12000,9000.5,\r\n"+
		"C003,P003,PH01,,购药,20240306,,,56.8,0,T9\r\n")
	sink := newMemSink()
	s, rejects := load(t, writeDir(t, files), sink, Options{})
	if len(rejects) != 0 {
		t.Fatalf("rejects: %+v", rejects)
	}
	if f, _ := s.File("patients.csv"); f.Encoding != EncodingGB18030 || f.Loaded != 3 {
		t.Errorf("patients.csv = %+v", f)
	}
	if p := sink.patients["P001"]; p.Name != "张三" || p.Address != "昆明市五华区1号" {
		t.Errorf("P001 = %+v", p)
	}
	if c := sink.claims["C001"]; c.TotalAmount != 123450 || c.Type != graph.ClaimOutpatient {
		t.Errorf("C001 = %+v", c)
	}
}

func TestLoadMissingFileOrColumn(t *testing.T) {
	files := goodFiles()
	delete(files, "doctors.csv")
	sink := newMemSink()
	rej := filepath.Join(t.TempDir(), "rejects.csv")
	_, err := Load(context.Background(), writeDir(t, files), sink, Options{RejectsPath: rej})
	if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(graph.ErrorField(err), "doctors.csv") {
		t.Errorf("missing file: err = %v", err)
	}
	files = goodFiles()
	files["claims.csv"] = strings.Replace(files["claims.csv"], "start_time", "when", 1)
	_, err = Load(context.Background(), writeDir(t, files), sink, Options{RejectsPath: rej})
	if graph.ErrorCode(err) != graph.EINVALID || graph.ErrorField(err) != "claims.csv: start_time" || !strings.Contains(err.Error(), "start_time") {
		t.Errorf("missing column: err = %v", err)
	}
	if sink.batches != 0 {
		t.Errorf("%d batches written before the contract check failed", sink.batches)
	}
	if _, err := os.Stat(rej); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("rejects file created on a contract failure")
	}
}

func TestLoadMapping(t *testing.T) {
	files := goodFiles()
	files["claims.csv"] = strings.Replace(files["claims.csv"], "start_time", "visit_ts", 1)
	files["claims.csv"] = strings.Replace(files["claims.csv"], "terminal_id", "pos", 1)
	mf := filepath.Join(t.TempDir(), "mapping.csv")
	os.WriteFile(mf, []byte("header,canonical,file\n# our export\nVisit_TS,start_time,claims.csv\npos,-\n"), 0o600)
	m, err := ReadMapping(mf)
	if err != nil {
		t.Fatal(err)
	}
	sink := newMemSink()
	s, _ := load(t, writeDir(t, files), sink, Options{Mapping: m})
	if f, _ := s.File("claims.csv"); f.Loaded != 3 || !slices.Equal(f.IgnoredColumns, []string{"pos"}) {
		t.Errorf("claims.csv = %+v", f)
	}
	if sink.claims["C003"].TerminalID != "" {
		t.Error("ignored column was loaded")
	}
	for _, bad := range []string{"a,nonsense\n", "a,start_time,nofile\n", "a,b,c,d\n", "a,level,claims\n"} {
		os.WriteFile(mf, []byte(bad), 0o600)
		if _, err := ReadMapping(mf); graph.ErrorCode(err) != graph.EINVALID || graph.ErrorField(err) != "mapping" {
			t.Errorf("mapping %q: err = %v", bad, err)
		}
	}
}

func TestLoadAmbiguousHeader(t *testing.T) {
	files := goodFiles()
	files["pharmacies.csv"] = "药店编码,机构编码,名称\nPH01,PH01,x\n"
	_, err := Load(context.Background(), writeDir(t, files), newMemSink(), Options{})
	if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), "pharmacy_id") {
		t.Errorf("err = %v", err)
	}
}

func TestLoadIdempotentAndNextMonth(t *testing.T) {
	dir := writeDir(t, goodFiles())
	once, twice := newMemSink(), newMemSink()
	load(t, dir, once, Options{BatchSize: 2})
	load(t, dir, twice, Options{BatchSize: 2})
	s2, _ := load(t, dir, twice, Options{BatchSize: 2})
	if !once.equal(twice) {
		t.Error("loading the same directory twice changed the graph")
	}
	if s2.Loaded() != 14 || s2.Rejected() != 0 {
		t.Errorf("second load: loaded %d rejected %d", s2.Loaded(), s2.Rejected())
	}

	// Next month: only new claims and one new patient; references to last month's parties and
	// items of last month's claim resolve through the store.
	next := writeDir(t, map[string]string{
		"patients.csv":     "patient_id,name\nP010,新人\n",
		"institutions.csv": "institution_id\n",
		"pharmacies.csv":   "pharmacy_id\n",
		"doctors.csv":      "doctor_id,institution_id\nD05,H002\n",
		"claims.csv": "claim_id,patient_id,provider_id,doctor_id,claim_type,start_time\n" +
			"C101,P001,H002,D05,门诊,2024-04-01\n" +
			"C102,P010,PH01,D01,购药,2024-04-02\n" +
			"C103,P404,H001,,门诊,2024-04-02\n",
		"claim_items.csv": "claim_id,item_name,amount\nC002,床位费,100\nC101,x,1\n",
	})
	s, rejects := load(t, next, once, Options{})
	if s.Loaded() != 1+1+2+2 || len(rejects) != 1 || rejects[0].Reason != ReasonUnknownPatient {
		t.Errorf("next month: loaded %d, rejects %+v", s.Loaded(), rejects)
	}
	if c := once.claims["C102"]; c.ProviderType != graph.TypePharmacy {
		t.Errorf("C102 = %+v", c)
	}
	if len(once.claims) != 5 || once.items["C002/1"].Amount != 10000 {
		t.Errorf("after next month: %d claims, item %+v", len(once.claims), once.items["C002/1"])
	}
}

// TestLoadCrashRerun simulates a crash between batches (the store refuses every batch after the
// fifth) and checks that running the load again ends in the graph of an uninterrupted load.
func TestLoadCrashRerun(t *testing.T) {
	dir := writeDir(t, goodFiles())
	clean := newMemSink()
	load(t, dir, clean, Options{BatchSize: 1})
	for _, after := range []int{1, 3, 5, 8, 12} {
		crashed := newMemSink()
		crashed.failAfter = after
		_, err := Load(context.Background(), dir, crashed, Options{BatchSize: 1})
		if !errors.Is(err, errCrash) {
			t.Fatalf("crash after %d batches: err = %v", after, err)
		}
		if crashed.equal(clean) {
			t.Fatalf("crash after %d batches left a complete graph; the test proves nothing", after)
		}
		crashed.failAfter = 0
		load(t, dir, crashed, Options{BatchSize: 1})
		if !crashed.equal(clean) {
			t.Errorf("crash after %d batches and re-run: graph differs from an uninterrupted load", after)
		}
	}
}

func TestLoadCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, writeDir(t, goodFiles()), newMemSink(), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestLoadTrailingEmptyHeaderAndTabs(t *testing.T) {
	files := goodFiles()
	files["pharmacies.csv"] = "pharmacy_id,name,region,,\nPH01,平安药店,530102\n"
	files["institutions.csv"] = "institution_id\tname\townership\nH001\t第一医院\t公立\nH002\t康复诊所\t民营\n"
	sink := newMemSink()
	s, rejects := load(t, writeDir(t, files), sink, Options{})
	if len(rejects) != 0 || s.Loaded() != 14 {
		t.Errorf("loaded %d, rejects %+v", s.Loaded(), rejects)
	}
	if sink.insts["H002"].Ownership != "private" || sink.pharms["PH01"].Region != "530102" {
		t.Errorf("insts %+v pharms %+v", sink.insts, sink.pharms)
	}
}
