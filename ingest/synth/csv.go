package synth

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Canonical headers of the input contract, and the Chinese aliases real exports use.
var (
	patientHeader     = []string{"patient_id", "name", "sex", "birth_date", "region", "phone", "address", "death_date"}
	institutionHeader = []string{"institution_id", "name", "level", "ownership", "region"}
	pharmacyHeader    = []string{"pharmacy_id", "name", "region"}
	doctorHeader      = []string{"doctor_id", "name", "institution_id", "department"}
	claimHeader       = []string{"claim_id", "patient_id", "provider_id", "doctor_id", "claim_type", "start_time", "end_time", "diagnosis_code", "total_amount", "fund_amount", "terminal_id"}
	itemHeader        = []string{"claim_id", "item_code", "item_name", "category", "quantity", "unit_price", "amount"}
)

// zhHeaders maps canonical column names to the Chinese aliases of the contract. File-specific
// names (a pharmacy's name, the provider of a claim) are keyed "file:column".
var zhHeaders = map[string]string{
	"patient_id": "参保人编号", "name": "姓名", "sex": "性别", "birth_date": "出生日期", "region": "统筹区",
	"phone": "联系电话", "address": "住址", "death_date": "死亡日期",
	"institution_id": "机构编码", "institutions:name": "机构名称", "level": "医院等级", "ownership": "所有制",
	"pharmacy_id": "药店编码", "pharmacies:name": "药店名称",
	"doctor_id": "医师编码", "doctors:name": "医师姓名", "department": "科室",
	"claim_id": "结算单号", "provider_id": "定点机构编码", "claim_type": "就诊类型", "start_time": "就诊时间",
	"end_time": "出院时间", "diagnosis_code": "诊断编码", "total_amount": "总金额", "fund_amount": "统筹支付金额",
	"terminal_id": "终端编号",
	"item_code":   "项目编码", "item_name": "项目名称", "category": "项目类别", "quantity": "数量",
	"unit_price": "单价", "amount": "金额",
}

// zhValues maps enumerated values to the Chinese spellings exports use with Chinese headers
// (性别 男/女, 就诊类型 门诊/住院/购药 …), so that the loader's value aliases are exercised too.
var zhValues = map[string]string{
	"M": "男", "F": "女",
	"outpatient": "门诊", "inpatient": "住院", "pharmacy": "购药",
	"public": "公立", "private": "民营",
	"drug": "药品", "exam": "检查", "treatment": "诊疗", "material": "耗材", "other": "其他",
}

// value returns v in the configured language.
func value(v, lang string) string {
	if lang == "zh" {
		if z, ok := zhValues[v]; ok {
			return z
		}
	}
	return v
}

// headerFor returns the header of file (without .csv) in the configured language.
func headerFor(file string, cols []string, lang string) []string {
	if lang != "zh" {
		return cols
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		if v, ok := zhHeaders[file+":"+c]; ok {
			out[i] = v
		} else if v, ok := zhHeaders[c]; ok {
			out[i] = v
		} else {
			out[i] = c
		}
	}
	return out
}

// csvFile is one output file: rows are built in a reused byte slice and written through a large
// buffer (and a GB18030 encoder when asked). encoding/csv is avoided on the hot path because it
// checks every field for quoting; only free text (names, addresses) can need quotes here.
type csvFile struct {
	name string
	f    *os.File
	enc  io.WriteCloser // the GB18030 transformer, or nil
	w    *bufio.Writer
	row  []byte
	rows int64
	crlf bool // Windows line endings (messy exports)
}

func createCSV(dir, file string, cols []string, cfg Config) (*csvFile, error) {
	path := filepath.Join(dir, file+".csv")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	c := &csvFile{name: path, f: f}
	var dst io.Writer = f
	if cfg.Encoding == "gb18030" {
		c.enc = transform.NewWriter(f, simplifiedchinese.GB18030.NewEncoder())
		dst = c.enc
	}
	c.w = bufio.NewWriterSize(dst, 1<<20)
	if cfg.Messy {
		c.crlf = true
		if cfg.Encoding == "utf-8" {
			c.w.WriteString("\ufeff") // Excel's UTF-8 byte-order mark
		}
	}
	for i, h := range headerFor(file, cols, cfg.Headers) {
		if i > 0 {
			c.row = append(c.row, ',')
		}
		c.row = appendField(c.row, h)
	}
	c.end()
	c.rows = 0
	return c, c.err()
}

// appendField appends s, quoted per RFC 4180 when it contains a delimiter, quote or newline.
func appendField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}

func (c *csvFile) str(s string) *csvFile {
	if len(c.row) > 0 {
		c.row = append(c.row, ',')
	}
	c.row = appendField(c.row, s)
	return c
}

// raw appends a field known to need no quoting (ids, numbers, dates).
func (c *csvFile) raw(b []byte) *csvFile {
	if len(c.row) > 0 {
		c.row = append(c.row, ',')
	}
	c.row = append(c.row, b...)
	return c
}

// first starts a row with a field that needs no quoting (and no separator).
func (c *csvFile) first(s string) *csvFile {
	c.row = append(c.row[:0], s...)
	return c
}

func (c *csvFile) money(fen int64) *csvFile {
	c.row = append(c.row, ',')
	c.row = appendMoney(c.row, fen)
	return c
}

func appendMoney(b []byte, fen int64) []byte {
	if fen < 0 {
		b = append(b, '-')
		fen = -fen
	}
	b = strconv.AppendInt(b, fen/100, 10)
	b = append(b, '.', byte('0'+fen%100/10), byte('0'+fen%10))
	return b
}

// end terminates the row and hands it to the buffer.
func (c *csvFile) end() {
	if c.crlf {
		c.row = append(c.row, '\r')
	}
	c.row = append(c.row, '\n')
	c.w.Write(c.row) // errors are sticky in bufio.Writer and reported by err/close
	c.row = c.row[:0]
	c.rows++
}

func (c *csvFile) err() error {
	if _, err := c.w.Write(nil); err != nil {
		return fmt.Errorf("write %s: %w", c.name, err)
	}
	return nil
}

func (c *csvFile) close() error {
	if err := c.w.Flush(); err != nil {
		c.f.Close()
		return fmt.Errorf("write %s: %w", c.name, err)
	}
	if c.enc != nil {
		if err := c.enc.Close(); err != nil {
			c.f.Close()
			return fmt.Errorf("encode %s: %w", c.name, err)
		}
	}
	if err := c.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", c.name, err)
	}
	return nil
}

// appendDate appends day d (days since epoch) as 2024-03-05.
func appendDate(b []byte, d int32) []byte {
	y, m, dd := dateOf(d).Date()
	b = appendPad(b, y, 4)
	b = append(b, '-')
	b = appendPad(b, int(m), 2)
	b = append(b, '-')
	return appendPad(b, dd, 2)
}

// appendDateTime appends a wall-clock second as 2024-03-05 09:31:00.
func appendDateTime(b []byte, sec int64) []byte {
	d := sec / 86400
	s := sec % 86400
	b = appendDate(b, int32(d))
	b = append(b, ' ')
	b = appendPad(b, int(s/3600), 2)
	b = append(b, ':')
	b = appendPad(b, int(s/60%60), 2)
	b = append(b, ':')
	return appendPad(b, int(s%60), 2)
}

func appendPad(b []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || i == len(tmp) {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	for len(tmp)-i < width {
		i--
		tmp[i] = '0'
	}
	return append(b, tmp[i:]...)
}

// appendSlashTime appends a wall-clock second the way spreadsheets re-save it: 2024/3/5 9:31.
func appendSlashTime(b []byte, sec int64) []byte {
	y, m, d := dateOf(int32(sec / 86400)).Date()
	s := sec % 86400
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(m), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(d), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, s/3600, 10)
	b = append(b, ':')
	return appendPad(b, int(s/60%60), 2)
}

// appendGroupedMoney appends fen as a quoted amount with thousands separators: "12,345.60".
func appendGroupedMoney(b []byte, fen int64) []byte {
	plain := appendMoney(nil, fen)
	dot := len(plain) - 3
	b = append(b, '"')
	for i := 0; i < dot; i++ {
		if i > 0 && (dot-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, plain[i])
	}
	b = append(b, plain[dot:]...)
	return append(b, '"')
}
