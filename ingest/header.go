package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// fileKind names one input file of the contract.
type fileKind int

const (
	kindPatients fileKind = iota
	kindInstitutions
	kindPharmacies
	kindDoctors
	kindClaims
	kindItems
	numKinds
)

// Canonical column positions per file. They index fileSpec.columns and layout.idx.
const (
	pID = iota
	pName
	pSex
	pBirth
	pRegion
	pPhone
	pAddress
	pDeath
)

const (
	iID = iota
	iName
	iLevel
	iOwnership
	iRegion
)

const (
	phID = iota
	phName
	phRegion
)

const (
	dID = iota
	dName
	dInstitution
	dDepartment
)

const (
	cID = iota
	cPatient
	cProvider
	cDoctor
	cType
	cStart
	cEnd
	cDiagnosis
	cTotal
	cFund
	cTerminal
)

const (
	tClaim = iota
	tCode
	tName
	tCategory
	tQuantity
	tUnitPrice
	tAmount
)

// columnSpec is one canonical column: its name, whether the file is unusable without it, and the
// header spellings found in real exports (compared after normalizeHeader).
type columnSpec struct {
	name     string
	required bool
	aliases  []string
}

// fileSpec is one file of the input contract.
type fileSpec struct {
	kind     fileKind
	base     string // "patients"
	required bool
	columns  []columnSpec
}

// fileName returns the file's canonical name, e.g. "patients.csv".
func (s *fileSpec) fileName() string { return s.base + ".csv" }

// Aliases shared by several files. They follow the field names of the national medical-insurance
// information platform (国家医保信息平台) settlement and registration tables, and the shorter
// headings that provincial exports and Excel reports use.
var (
	aliasPatientID  = []string{"参保人编号", "参保人员编号", "人员编号", "个人编号", "参保人id", "患者编号", "医保编号", "个人电脑号"}
	aliasRegion     = []string{"统筹区", "统筹区编码", "统筹区划", "参保地", "参保统筹区", "所属统筹区", "行政区划"}
	aliasInstID     = []string{"机构编码", "医疗机构编码", "定点医疗机构编码", "医院编码", "定点机构编码"}
	aliasDoctorID   = []string{"医师编码", "医生编码", "医保医师编码", "医师代码", "医师编号", "药师编码", "医保医师代码"}
	aliasClaimID    = []string{"结算单号", "结算编号", "结算id", "结算流水号", "单据号", "报销单号", "结算单据号"}
	aliasPatientNam = []string{"姓名", "参保人姓名", "患者姓名", "人员姓名"}
)

// specs is the input contract (docs/input.md), in load order: parties first (doctors after
// institutions, which they reference), then claims, then claim items.
var specs = [numKinds]*fileSpec{
	kindPatients: {kind: kindPatients, base: "patients", required: true, columns: []columnSpec{
		pID:      {"patient_id", true, aliasPatientID},
		pName:    {"name", false, aliasPatientNam},
		pSex:     {"sex", false, []string{"性别", "gender"}},
		pBirth:   {"birth_date", false, []string{"出生日期", "出生年月", "生日", "birthday"}},
		pRegion:  {"region", false, aliasRegion},
		pPhone:   {"phone", false, []string{"联系电话", "电话", "手机号", "手机号码", "联系方式"}},
		pAddress: {"address", false, []string{"住址", "地址", "家庭住址", "联系地址", "居住地址"}},
		pDeath:   {"death_date", false, []string{"死亡日期", "死亡时间"}},
	}},
	kindInstitutions: {kind: kindInstitutions, base: "institutions", required: true, columns: []columnSpec{
		iID:        {"institution_id", true, aliasInstID},
		iName:      {"name", false, []string{"机构名称", "医疗机构名称", "定点医疗机构名称", "医院名称", "名称"}},
		iLevel:     {"level", false, []string{"医院等级", "机构等级", "等级", "医疗机构等级"}},
		iOwnership: {"ownership", false, []string{"经营性质", "机构性质", "所有制", "经济类型", "公立民营"}},
		iRegion:    {"region", false, aliasRegion},
	}},
	kindPharmacies: {kind: kindPharmacies, base: "pharmacies", required: true, columns: []columnSpec{
		phID:     {"pharmacy_id", true, []string{"药店编码", "定点药店编码", "零售药店编码", "定点零售药店编码", "机构编码"}},
		phName:   {"name", false, []string{"药店名称", "定点药店名称", "零售药店名称", "机构名称", "名称"}},
		phRegion: {"region", false, aliasRegion},
	}},
	kindDoctors: {kind: kindDoctors, base: "doctors", required: true, columns: []columnSpec{
		dID:          {"doctor_id", true, aliasDoctorID},
		dName:        {"name", false, []string{"姓名", "医师姓名", "医生姓名", "药师姓名"}},
		dInstitution: {"institution_id", false, append([]string{"所属机构编码", "执业机构编码"}, aliasInstID...)},
		dDepartment:  {"department", false, []string{"科室", "科室名称", "所属科室", "就诊科室"}},
	}},
	kindClaims: {kind: kindClaims, base: "claims", required: true, columns: []columnSpec{
		cID:        {"claim_id", true, aliasClaimID},
		cPatient:   {"patient_id", true, aliasPatientID},
		cProvider:  {"provider_id", true, []string{"定点医药机构编码", "医药机构编码", "定点机构编码", "机构编码", "provider"}},
		cDoctor:    {"doctor_id", false, aliasDoctorID},
		cType:      {"claim_type", true, []string{"就诊类型", "医疗类别", "结算类型", "就医类型", "type"}},
		cStart:     {"start_time", true, []string{"入院时间", "就诊时间", "就诊日期", "入院日期", "购药时间", "开始时间"}},
		cEnd:       {"end_time", false, []string{"出院时间", "出院日期", "结束时间"}},
		cDiagnosis: {"diagnosis_code", false, []string{"诊断编码", "主诊断编码", "疾病编码", "出院诊断编码", "icd编码", "icd10", "icd-10"}},
		cTotal:     {"total_amount", false, []string{"总金额", "医疗费总额", "费用总额", "总费用", "医疗总费用"}},
		cFund:      {"fund_amount", false, []string{"统筹支付金额", "基金支付金额", "统筹基金支付", "统筹支付", "统筹基金支出", "基金支付总额"}},
		cTerminal:  {"terminal_id", false, []string{"终端编号", "终端号", "终端编码", "pos机号", "刷卡终端"}},
	}},
	kindItems: {kind: kindItems, base: "claim_items", required: false, columns: []columnSpec{
		tClaim:     {"claim_id", true, aliasClaimID},
		tCode:      {"item_code", false, []string{"项目编码", "医保目录编码", "医保项目编码", "药品编码", "收费项目编码"}},
		tName:      {"item_name", false, []string{"项目名称", "医保目录名称", "药品名称", "收费项目名称"}},
		tCategory:  {"category", false, []string{"项目类别", "费用类别", "收费类别", "目录类别"}},
		tQuantity:  {"quantity", false, []string{"数量"}},
		tUnitPrice: {"unit_price", false, []string{"单价"}},
		tAmount:    {"amount", false, []string{"金额", "明细金额", "明细项目费用总额", "费用金额"}},
	}},
}

// normalizeHeader makes header spellings comparable: white space and a BOM trimmed, ASCII
// lower-cased, spaces and hyphens between words turned into underscores, and a trailing unit in
// parentheses such as "(元)" or "（元）" removed.
func normalizeHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.TrimSpace(h)
	for _, unit := range []string{"(元)", "（元）", "(yuan)", "（yuan）"} {
		if len(h) > len(unit) && strings.HasSuffix(strings.ToLower(h), unit) {
			h = strings.TrimSpace(h[:len(h)-len(unit)])
		}
	}
	var b strings.Builder
	b.Grow(len(h))
	for _, r := range h {
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + ('a' - 'A'))
		case r == ' ' || r == '-':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Mapping holds user-supplied header names: a header (as it appears in a file) mapped to a
// canonical column, for one file or for all files. The canonical name "-" ignores the column.
type Mapping struct {
	perFile map[string]map[string]string // file base → normalized header → canonical
	all     map[string]string
}

// ignoreColumn is the canonical name that makes a mapped header ignored.
const ignoreColumn = "-"

// ReadMapping reads a mapping file: CSV rows header,canonical[,file] (UTF-8 or GB18030, like
// the data), where file is a file name with or without ".csv" and limits the row to that file.
// Blank rows and rows whose first field starts with # are comments; a first row
// "header,canonical[,file]" is skipped. Errors name the line.
func ReadMapping(path string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, graph.FieldErrorf("mapping", "无法读取映射文件 / cannot read mapping file %s: %v", path, err)
	}
	defer f.Close()
	r, _, _, err := decodeStream(f)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	return parseMapping(r, path)
}

func parseMapping(r io.Reader, path string) (*Mapping, error) {
	m := &Mapping{perFile: map[string]map[string]string{}, all: map[string]string{}}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, graph.FieldErrorf("mapping", "映射文件 %s 第 %d 行无法解析 / mapping file %s line %d: %v", path, line, path, line, err)
		}
		if len(row) < 2 || len(row) > 3 {
			return nil, graph.FieldErrorf("mapping", "映射文件 %s 第 %d 行应为 header,canonical[,file] / mapping file %s line %d: want header,canonical[,file], got %d fields", path, line, path, line, len(row))
		}
		h, canon := normalizeHeader(row[0]), strings.TrimSpace(row[1])
		if h == "header" && canon == "canonical" {
			continue
		}
		file := ""
		if len(row) == 3 {
			file = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(row[2])), ".csv")
		}
		if err := checkMappingTarget(file, canon); err != nil {
			return nil, graph.FieldErrorf("mapping", "映射文件 %s 第 %d 行 / mapping file %s line %d: %v", path, line, path, line, err)
		}
		if file == "" {
			m.all[h] = canon
			continue
		}
		if m.perFile[file] == nil {
			m.perFile[file] = map[string]string{}
		}
		m.perFile[file][h] = canon
	}
	return m, nil
}

func checkMappingTarget(file, canon string) error {
	if canon == ignoreColumn {
		if file != "" && specByBase(file) == nil {
			return fmt.Errorf("unknown file %q", file)
		}
		return nil
	}
	for _, s := range specs {
		if file != "" && s.base != file {
			continue
		}
		for _, c := range s.columns {
			if c.name == canon {
				return nil
			}
		}
	}
	if file != "" {
		if specByBase(file) == nil {
			return fmt.Errorf("unknown file %q", file)
		}
		return fmt.Errorf("%q is not a column of %s.csv", canon, file)
	}
	return fmt.Errorf("%q is not a canonical column of any file", canon)
}

func specByBase(base string) *fileSpec {
	for _, s := range specs {
		if s.base == base {
			return s
		}
	}
	return nil
}

// lookup returns the user's canonical name for a normalized header of file base, or "".
func (m *Mapping) lookup(base, h string) string {
	if m == nil {
		return ""
	}
	if c, ok := m.perFile[base][h]; ok {
		return c
	}
	return m.all[h]
}

// layout is a resolved header: for each canonical column of the spec, the field index in the
// file's records, or -1.
type layout struct {
	spec    *fileSpec
	idx     []int
	fields  int      // number of header fields
	ignored []string // header fields that map to no column (reported, not an error)
}

// resolveHeader maps header fields to canonical columns. Precedence: the user's mapping, then
// the canonical name, then the alias table. Two fields for one column, or a missing required
// column, are errors naming the file and the column.
func resolveHeader(spec *fileSpec, header []string, m *Mapping) (*layout, error) {
	lay := &layout{spec: spec, idx: make([]int, len(spec.columns)), fields: len(header)}
	for i := range lay.idx {
		lay.idx[i] = -1
	}
	byName := map[string]int{}
	for i, c := range spec.columns {
		byName[c.name] = i
		for _, a := range c.aliases {
			byName[normalizeHeader(a)] = i
		}
	}
	var problems []string
	for fi, raw := range header {
		h := normalizeHeader(raw)
		if h == "" {
			continue
		}
		col := -1
		if c := m.lookup(spec.base, h); c != "" {
			if c == ignoreColumn {
				lay.ignored = append(lay.ignored, raw)
				continue
			}
			if ci, ok := byName[c]; ok {
				col = ci
			}
		}
		if col < 0 {
			if ci, ok := byName[h]; ok {
				col = ci
			}
		}
		if col < 0 {
			lay.ignored = append(lay.ignored, raw)
			continue
		}
		if prev := lay.idx[col]; prev >= 0 {
			problems = append(problems, fmt.Sprintf("columns %q and %q both mean %s", header[prev], raw, spec.columns[col].name))
			continue
		}
		lay.idx[col] = fi
	}
	// Trailing empty header cells (Excel's selection spilling over) do not make rows without
	// those trailing commas "truncated".
	for lay.fields > 0 && normalizeHeader(header[lay.fields-1]) == "" {
		lay.fields--
	}
	var missing []string
	for ci, c := range spec.columns {
		if c.required && lay.idx[ci] < 0 {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, &graph.Error{Code: graph.EINVALID, Field: spec.fileName() + ": " + strings.Join(missing, ","),
			Message: fmt.Sprintf("%s 缺少必需列 %s / %s is missing required column(s) %s (see docs/input.md for aliases, or use --mapping)",
				spec.fileName(), strings.Join(missing, ", "), spec.fileName(), strings.Join(missing, ", "))}
	}
	if len(problems) > 0 {
		return nil, &graph.Error{Code: graph.EINVALID, Field: spec.fileName(),
			Message: fmt.Sprintf("%s 表头有重复含义的列 / %s header is ambiguous: %s (map one of them to \"-\" with --mapping)",
				spec.fileName(), spec.fileName(), strings.Join(problems, "; "))}
	}
	return lay, nil
}

// col returns field value of canonical column c in rec.
func (l *layout) col(rec *record, c int) string { return rec.field(l.idx[c]) }

// colName returns the canonical name of column c, for reject reports.
func (l *layout) colName(c int) string { return l.spec.columns[c].name }
