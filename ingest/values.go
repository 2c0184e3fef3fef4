package ingest

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Value parse errors. Their text becomes the detail column of a reject.
var (
	errDate     = errors.New("not a date or time: want 2024-03-05, 2024/3/5, 20240305 or 2024年3月5日, optionally with 09:31[:00] or ISO T")
	errAmount   = errors.New("not an amount: want digits with optional thousands separators and up to 2 decimals, e.g. 1,234.50")
	errNegative = errors.New("negative amount")
	errNumber   = errors.New("not a number")
	errEnum     = errors.New("not one of the accepted values")
)

// parseTime parses the date and date-time shapes of the input contract without time.Parse (it is
// the hot path: two per claim): YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYYMMDD, YYYY年M月D日, each
// optionally followed by a space or "T" and H:MM, H:MM:SS or H:MM:SS.fraction, and an optional "Z".
// Times are wall-clock times as exported (China Standard Time in practice) held in UTC without
// conversion, so that a date never shifts by a day.
func parseTime(s string) (time.Time, error) {
	i := 0
	num := func(min, max int) (int, bool) {
		j := i
		v := 0
		for j < len(s) && j-i < max && s[j] >= '0' && s[j] <= '9' {
			v = v*10 + int(s[j]-'0')
			j++
		}
		if j-i < min {
			return 0, false
		}
		i = j
		return v, true
	}
	var y, mo, d int
	var ok bool
	if len(s) >= 8 && allDigits(s[:8]) && (len(s) == 8 || s[8] == ' ' || s[8] == 'T') {
		y, mo, d = atoi(s[0:4]), atoi(s[4:6]), atoi(s[6:8])
		i = 8
	} else {
		if y, ok = num(4, 4); !ok {
			return time.Time{}, errDate
		}
		sep := ""
		switch {
		case strings.HasPrefix(s[i:], "-"), strings.HasPrefix(s[i:], "/"), strings.HasPrefix(s[i:], "."):
			sep = s[i : i+1]
		case strings.HasPrefix(s[i:], "年"):
			sep = "年"
		default:
			return time.Time{}, errDate
		}
		i += len(sep)
		if mo, ok = num(1, 2); !ok {
			return time.Time{}, errDate
		}
		if sep == "年" {
			if !strings.HasPrefix(s[i:], "月") {
				return time.Time{}, errDate
			}
			i += len("月")
		} else {
			if !strings.HasPrefix(s[i:], sep) {
				return time.Time{}, errDate
			}
			i += len(sep)
		}
		if d, ok = num(1, 2); !ok {
			return time.Time{}, errDate
		}
		if sep == "年" && strings.HasPrefix(s[i:], "日") {
			i += len("日")
		}
	}
	if y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return time.Time{}, errDate
	}
	var h, mi, sec, nsec int
	if i < len(s) {
		if s[i] != ' ' && s[i] != 'T' {
			return time.Time{}, errDate
		}
		i++
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if h, ok = num(1, 2); !ok || i >= len(s) || s[i] != ':' {
			return time.Time{}, errDate
		}
		i++
		if mi, ok = num(2, 2); !ok {
			return time.Time{}, errDate
		}
		if i < len(s) && s[i] == ':' {
			i++
			if sec, ok = num(2, 2); !ok {
				return time.Time{}, errDate
			}
			if i < len(s) && s[i] == '.' {
				i++
				j := i
				frac, ok := num(1, 9)
				if !ok {
					return time.Time{}, errDate
				}
				for k := i - j; k < 9; k++ {
					frac *= 10
				}
				nsec = frac
			}
		}
		if i < len(s) && s[i] == 'Z' {
			i++
		}
		if i != len(s) || h > 23 || mi > 59 || sec > 59 {
			return time.Time{}, errDate
		}
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC), nil
}

// lowerASCII lower-cases ASCII letters, returning s itself (no allocation) when it has none in
// upper case; strings.ToLower would copy every Chinese value.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseMoney parses an amount of yuan into fen. Accepted: digits with an optional decimal part,
// thousands separators "," in groups of three, a leading ¥ or ￥, a trailing 元, surrounding
// spaces, and Excel's scientific notation (1.2E+04). More than two decimals are rounded half away
// from zero to the fen (unit prices of tablets have four). Negative amounts — "-5" or the
// accounting form "(5)" — are errNegative: a refund is a separate settlement, not a claim line.
func parseMoney(s string) (graph.Money, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "¥")
	s = strings.TrimPrefix(s, "￥")
	s = strings.TrimSuffix(s, "元")
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errAmount
	}
	if s[0] == '-' || (s[0] == '(' && s[len(s)-1] == ')') {
		if _, err := parseMoney(strings.Trim(s, "-()")); err == nil {
			return 0, errNegative
		}
		return 0, errAmount
	}
	s = strings.TrimPrefix(s, "+")
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
			return 0, errAmount
		}
		if f < 0 {
			return 0, errNegative
		}
		return graph.FromYuan(f), nil
	}
	intPart, frac := s, ""
	if k := strings.IndexByte(s, '.'); k >= 0 {
		intPart, frac = s[:k], s[k+1:]
	}
	if intPart == "" && frac == "" {
		return 0, errAmount
	}
	// Digits with optional "," separators, validated in one pass without allocating: the first
	// group has 1-3 digits, every later group exactly 3.
	var v int64
	digits, group, commas := 0, 0, 0
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c == ',' {
			if group == 0 || group > 3 || (commas > 0 && group != 3) {
				return 0, errAmount
			}
			commas++
			group = 0
			continue
		}
		if c < '0' || c > '9' {
			return 0, errAmount
		}
		v = v*10 + int64(c-'0')
		group++
		if digits++; digits > 15 {
			return 0, errAmount
		}
	}
	if commas > 0 && group != 3 {
		return 0, errAmount
	}
	var fen int64
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, errAmount
		}
		switch {
		case i < 2:
			fen = fen*10 + int64(c-'0')
		case i == 2 && c >= '5':
			fen++ // round half away from zero on the third decimal
		}
	}
	if len(frac) == 1 {
		fen *= 10
	}
	return graph.Money(v*100 + fen), nil
}

// parseQuantity parses a non-negative decimal quantity with optional thousands separators.
func parseQuantity(s string) (float64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errNumber
	}
	if f < 0 {
		return 0, errNegative
	}
	return f, nil
}

// parseSex maps the spellings of sex to "M" or "F"; GB/T 2261.1 codes 0 (unknown) and 9 (not
// stated) map to "".
func parseSex(s string) (string, error) {
	switch lowerASCII(s) {
	case "m", "male", "男", "1", "男性":
		return "M", nil
	case "f", "female", "女", "2", "女性":
		return "F", nil
	case "", "0", "9", "未知", "未说明", "unknown":
		return "", nil
	}
	return "", errEnum
}

// parseClaimType maps claim-type spellings, including the national 医疗类别 codes (11 普通门诊,
// 12 门诊挂号, 13 急诊, 14 门诊慢特病, 21 住院, 41 定点药店购药) and headings that contain 门诊,
// 急诊, 住院, 购药 or 药店.
func parseClaimType(s string) (graph.ClaimType, error) {
	switch lowerASCII(s) {
	case "outpatient", "门诊", "11", "12", "13", "14", "o":
		return graph.ClaimOutpatient, nil
	case "inpatient", "住院", "21", "i":
		return graph.ClaimInpatient, nil
	case "pharmacy", "购药", "41", "p":
		return graph.ClaimPharmacy, nil
	}
	switch {
	case strings.Contains(s, "住院"):
		return graph.ClaimInpatient, nil
	case strings.Contains(s, "购药"), strings.Contains(s, "药店"):
		return graph.ClaimPharmacy, nil
	case strings.Contains(s, "门诊"), strings.Contains(s, "急诊"):
		return graph.ClaimOutpatient, nil
	}
	return "", errEnum
}

// parseOwnership maps ownership spellings to "public" or "private".
func parseOwnership(s string) (string, error) {
	switch lowerASCII(s) {
	case "":
		return "", nil
	case "public", "公立", "公办", "政府办", "非营利性", "国有":
		return "public", nil
	case "private", "民营", "私立", "民办", "营利性", "社会办", "非公立":
		return "private", nil
	}
	return "", errEnum
}

// parseCategory maps item-category spellings to drug, exam, treatment, material or other.
func parseCategory(s string) (string, error) {
	switch lowerASCII(s) {
	case "":
		return "", nil
	case "drug", "药品", "西药", "中成药", "中草药", "中药饮片", "西药费", "中成药费", "中草药费":
		return "drug", nil
	case "exam", "检查", "化验", "检验", "检查费", "化验费":
		return "exam", nil
	case "treatment", "诊疗", "诊疗项目", "治疗", "治疗费", "手术", "手术费", "床位费", "护理费", "诊察费":
		return "treatment", nil
	case "material", "耗材", "材料", "医用耗材", "卫生材料", "材料费":
		return "material", nil
	case "other", "其他", "其它":
		return "other", nil
	}
	return "", errEnum
}

// normalizePhone makes one phone number one node: formatting characters (spaces, hyphens, dots,
// parentheses) and a +86/0086/86 country prefix before an 11-digit mobile number are removed,
// and full-width digits become ASCII. Card-lending detection links patients through shared phone
// nodes, so "138-0000-0001" and "+86 13800000001" must be the same node.
func normalizePhone(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			clean = false
			break
		}
	}
	if clean && len(s) != 13 && len(s) != 15 {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r >= '０' && r <= '９':
			b = append(b, byte('0'+r-'０'))
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '+' || r == '\u3000' || r == '－' || r == '（' || r == '）':
		default:
			// Letters or other text (an extension, "无"): keep the value as written.
			return s
		}
	}
	out := string(b)
	for _, p := range []string{"0086", "86"} {
		if len(out) == len(p)+11 && strings.HasPrefix(out, p) && out[len(p)] == '1' {
			return out[len(p):]
		}
	}
	return out
}

// normalizeAddress collapses runs of white space (including U+3000) into one space and narrows
// full-width ASCII characters (Ａ１－) that IMEs produce, so that one address is one node.
func normalizeAddress(s string) string {
	simple := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' && i+1 < len(s) && s[i+1] == ' ' || c == '\t' || c == 0xEF || c == 0xE3 {
			simple = false
			break
		}
	}
	if simple {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\u3000':
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case r >= '！' && r <= '～':
			r = r - '！' + '!'
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
