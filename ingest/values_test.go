package ingest

import (
	"errors"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

func TestParseTime(t *testing.T) {
	d := func(y, m, dd, h, mi, s int) time.Time { return time.Date(y, time.Month(m), dd, h, mi, s, 0, time.UTC) }
	good := []struct {
		in   string
		want time.Time
	}{
		{"2024-03-05", d(2024, 3, 5, 0, 0, 0)},
		{"2024/3/5", d(2024, 3, 5, 0, 0, 0)},
		{"2024.03.05", d(2024, 3, 5, 0, 0, 0)},
		{"20240305", d(2024, 3, 5, 0, 0, 0)},
		{"2024年3月5日", d(2024, 3, 5, 0, 0, 0)},
		{"2024-03-05 09:31", d(2024, 3, 5, 9, 31, 0)},
		{"2024/3/5 9:31:07", d(2024, 3, 5, 9, 31, 7)},
		{"2024-03-05T09:31:07", d(2024, 3, 5, 9, 31, 7)},
		{"2024-03-05T09:31:07Z", d(2024, 3, 5, 9, 31, 7)},
		{"20240305 23:59:59", d(2024, 3, 5, 23, 59, 59)},
		{"2024-02-29", d(2024, 2, 29, 0, 0, 0)},
		{"2024-03-05 09:31:07.5", time.Date(2024, 3, 5, 9, 31, 7, 500_000_000, time.UTC)},
	}
	for _, c := range good {
		got, err := parseTime(c.in)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	bad := []string{"", "2024", "2024-13-01", "2023-02-29", "2024-04-31", "2024-03-05 24:00", "2024-03-05 09:60",
		"05/03/2024", "2024-03-05x", "2024-3", "abc", "2024-03/05", "2024-03-05 09", "1800-01-01", "20241305"}
	for _, in := range bad {
		if got, err := parseTime(in); !errors.Is(err, errDate) {
			t.Errorf("parseTime(%q) = %v, %v; want errDate", in, got, err)
		}
	}
}

func TestParseMoney(t *testing.T) {
	good := []struct {
		in   string
		want graph.Money
	}{
		{"0", 0}, {"12", 1200}, {"12.5", 1250}, {"12.34", 1234}, {"1,234.50", 123450}, {"12,345,678.90", 1234567890},
		{"¥1,000", 100000}, {"￥3.2元", 320}, {" 7.00 ", 700}, {"0.0125", 1}, {"0.125", 13}, {"0.995", 100},
		{".5", 50}, {"5.", 500}, {"1.2E+04", 1200000}, {"+3", 300},
	}
	for _, c := range good {
		got, err := parseMoney(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseMoney(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want error
	}{
		{"-5", errNegative}, {"(5.00)", errNegative}, {"-1,000.00", errNegative},
		{"", errAmount}, {"abc", errAmount}, {"1,23", errAmount}, {"12,3456", errAmount}, {",123", errAmount},
		{"1.2.3", errAmount}, {"12元5", errAmount}, {"-", errAmount}, {"1234567890123456", errAmount}, {"NaN", errAmount},
	} {
		if got, err := parseMoney(c.in); !errors.Is(err, c.want) {
			t.Errorf("parseMoney(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestEnums(t *testing.T) {
	for in, want := range map[string]string{"男": "M", "F": "F", "female": "F", "2": "F", "": "", "9": ""} {
		if got, err := parseSex(in); err != nil || got != want {
			t.Errorf("parseSex(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseSex("X"); err == nil {
		t.Error("parseSex(X): want error")
	}
	for in, want := range map[string]graph.ClaimType{"门诊": graph.ClaimOutpatient, "普通门诊": graph.ClaimOutpatient,
		"住院": graph.ClaimInpatient, "Inpatient": graph.ClaimInpatient, "41": graph.ClaimPharmacy, "定点药店购药": graph.ClaimPharmacy} {
		if got, err := parseClaimType(in); err != nil || got != want {
			t.Errorf("parseClaimType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseClaimType("体检"); err == nil {
		t.Error("parseClaimType(体检): want error")
	}
	for in, want := range map[string]string{"公立": "public", "民营": "private", "Private": "private", "": ""} {
		if got, err := parseOwnership(in); err != nil || got != want {
			t.Errorf("parseOwnership(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"西药": "drug", "检查": "exam", "耗材": "material", "other": "other"} {
		if got, err := parseCategory(in); err != nil || got != want {
			t.Errorf("parseCategory(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNormalizePhoneAddress(t *testing.T) {
	for in, want := range map[string]string{
		"13800000001": "13800000001", "138-0000-0001": "13800000001", "+86 138 0000 0001": "13800000001",
		"8613800000001": "13800000001", "008613800000001": "13800000001", "１３８００００００01": "13800000001",
		"0871-65123456": "087165123456", "ext 12": "ext 12", "": "", "(0871) 6512 3456": "087165123456",
	} {
		if got := normalizePhone(in); got != want {
			t.Errorf("normalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"昆明市五华区1号": "昆明市五华区1号", "昆明市　五华区  １号Ａ栋": "昆明市 五华区 1号A栋", "a\tb": "a b",
	} {
		if got := normalizeAddress(in); got != want {
			t.Errorf("normalizeAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
