package billing

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// Rule-table file names inside a rules directory.
const (
	CatalogueFile = "catalogue.csv"
	PairsFile     = "pairs.csv"
)

// Item is one catalogue row. Zero limits mean "no limit".
type Item struct {
	Line           int // line in catalogue.csv, for the hit's rule reference
	Code           string
	Name           string
	MaxUnitPrice   graph.Money // 超标准收费 above it
	Sex            string      // "M" or "F": the only sex it may be billed for; "" any
	MinAge         int         // years at the day of care; 0 no limit
	MaxAge         int         // years; 0 no limit
	MaxQtyPerDay   float64     // per patient and day, across claims (重复收费, 超量)
	MaxQtyPerClaim float64
	HighValue      bool     // 高值耗材: every line is listed for review
	Includes       []string // codes this item's price already covers (分解收费 when billed beside it)
}

// Pair is one pairs.csv row: two items that are never billed for one patient on one day.
type Pair struct {
	Line   int
	A, B   string
	Reason string
}

// RuleSet is a loaded rules directory. Version is the SHA-256 (first 12 hex digits) of the two
// files as read, so that every hit can say which edition of the tables fired.
type RuleSet struct {
	Version string
	Items   map[string]Item
	Pairs   []Pair
}

// columns of each table: name → Chinese aliases accepted in the header.
var catalogueColumns = map[string][]string{
	"item_code": {"项目编码", "编码"}, "item_name": {"项目名称", "名称"}, "max_unit_price": {"最高限价", "限价"},
	"sex": {"限定性别", "性别"}, "min_age": {"最小年龄"}, "max_age": {"最大年龄"},
	"max_qty_per_day": {"每日最大数量", "日限量"}, "max_qty_per_claim": {"单次最大数量", "单次限量"},
	"high_value": {"高值耗材"}, "includes": {"包含项目", "打包项目"},
}

var pairColumns = map[string][]string{"item_a": {"项目A"}, "item_b": {"项目B"}, "reason": {"说明", "理由"}}

// Load reads catalogue.csv (required) and pairs.csv (optional) from dir. Errors name the file,
// the line and the column.
func Load(dir string) (RuleSet, error) {
	cat, err := os.ReadFile(filepath.Join(dir, CatalogueFile))
	if err != nil {
		return RuleSet{}, fmt.Errorf("rules: %w", err)
	}
	pairs, err := os.ReadFile(filepath.Join(dir, PairsFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return RuleSet{}, fmt.Errorf("rules: %w", err)
	}
	return Parse(cat, pairs)
}

// Parse builds a RuleSet from the two tables' bytes (pairs may be nil).
func Parse(catalogue, pairs []byte) (RuleSet, error) {
	h := sha256.New()
	h.Write(catalogue)
	h.Write([]byte{0})
	h.Write(pairs)
	rs := RuleSet{Version: hex.EncodeToString(h.Sum(nil))[:12], Items: map[string]Item{}}
	err := readTable(CatalogueFile, catalogue, catalogueColumns, []string{"item_code"}, func(line int, get func(string) string) error {
		it := Item{Line: line, Code: get("item_code"), Name: get("item_name"), Sex: strings.ToUpper(get("sex"))}
		if _, dup := rs.Items[it.Code]; dup {
			return colErr("item_code", "item %s listed twice", it.Code)
		}
		switch it.Sex {
		case "", "M", "F":
		case "男":
			it.Sex = "M"
		case "女":
			it.Sex = "F"
		default:
			return colErr("sex", "must be M, F, 男, 女 or empty, not %q", it.Sex)
		}
		var err error
		if s := get("max_unit_price"); s != "" {
			y, perr := strconv.ParseFloat(s, 64)
			if perr != nil || y <= 0 {
				return colErr("max_unit_price", "must be a positive amount in yuan, not %q", s)
			}
			it.MaxUnitPrice = graph.FromYuan(y)
		}
		if it.MinAge, err = intCol(get, "min_age"); err != nil {
			return err
		}
		if it.MaxAge, err = intCol(get, "max_age"); err != nil {
			return err
		}
		if it.MaxAge != 0 && it.MaxAge < it.MinAge {
			return colErr("max_age", "is below min_age")
		}
		if it.MaxQtyPerDay, err = qtyCol(get, "max_qty_per_day"); err != nil {
			return err
		}
		if it.MaxQtyPerClaim, err = qtyCol(get, "max_qty_per_claim"); err != nil {
			return err
		}
		switch v := get("high_value"); v {
		case "", "0", "false", "否", "N":
		case "1", "true", "是", "Y":
			it.HighValue = true
		default:
			return colErr("high_value", "must be 1/0, true/false or 是/否, not %q", v)
		}
		if s := get("includes"); s != "" {
			for _, c := range strings.Split(s, "|") {
				if c = strings.TrimSpace(c); c != "" && c != it.Code {
					it.Includes = append(it.Includes, c)
				}
			}
		}
		rs.Items[it.Code] = it
		return nil
	})
	if err != nil {
		return RuleSet{}, err
	}
	if len(pairs) > 0 {
		err = readTable(PairsFile, pairs, pairColumns, []string{"item_a", "item_b"}, func(line int, get func(string) string) error {
			p := Pair{Line: line, A: get("item_a"), B: get("item_b"), Reason: get("reason")}
			if p.A == p.B {
				return colErr("item_b", "equals item_a")
			}
			rs.Pairs = append(rs.Pairs, p)
			return nil
		})
		if err != nil {
			return RuleSet{}, err
		}
	}
	return rs, nil
}

type columnError struct{ col, msg string }

func (e *columnError) Error() string { return e.col + ": " + e.msg }

func colErr(col, format string, args ...any) error {
	return &columnError{col, fmt.Sprintf(format, args...)}
}

func intCol(get func(string) string, col string) (int, error) {
	s := get(col)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 150 {
		return 0, colErr(col, "must be a whole number of years 0–150, not %q", s)
	}
	return n, nil
}

func qtyCol(get func(string) string, col string) (float64, error) {
	s := get(col)
	if s == "" {
		return 0, nil
	}
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || q <= 0 {
		return 0, colErr(col, "must be a positive quantity, not %q", s)
	}
	return q, nil
}

// readTable reads a CSV with a header (BOM stripped, English or Chinese column names) and calls
// row for every data line with a getter by canonical column name.
func readTable(file string, b []byte, columns map[string][]string, required []string, row func(line int, get func(string) string) error) error {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return graph.FieldErrorf(file, "%s: header: %v", file, err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		found := ""
		for name, aliases := range columns {
			if strings.EqualFold(h, name) || contains(aliases, h) {
				found = name
			}
		}
		if found == "" {
			return graph.FieldErrorf(file, "%s line 1: unknown column %q", file, h)
		}
		index[found] = i
	}
	for _, c := range required {
		if _, ok := index[c]; !ok {
			return graph.FieldErrorf(file, "%s line 1: column %s is required", file, c)
		}
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return graph.FieldErrorf(file, "%s line %d: %v", file, line, err)
		}
		get := func(col string) string {
			if i, ok := index[col]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		for _, c := range required {
			if get(c) == "" {
				return graph.FieldErrorf(file, "%s line %d: %s: is empty", file, line, c)
			}
		}
		if err := row(line, get); err != nil {
			return graph.FieldErrorf(file, "%s line %d: %v", file, line, err)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
