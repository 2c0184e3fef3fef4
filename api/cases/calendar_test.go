package cases

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, ChinaTime)
	if err != nil {
		panic(err)
	}
	return t.Add(15 * time.Hour) // mid-afternoon: the time of day must not matter
}

func TestAddWorkingDays(t *testing.T) {
	cn2025, err := LoadWorkingDays("testdata/holidays-cn-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	plain := &WorkingDays{}
	// Year-end calendar: 2025-12-31 Wed; 2026-01-01 is a holiday in this test calendar, and
	// 2026-01-04 (Sunday) a make-up working day.
	yearEnd, err := NewWorkingDays([]string{"2026-01-01", "2026-01-02"}, []string{"2026-01-04"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		cal   *WorkingDays
		start string
		n     int
		want  string
	}{
		{"zero days is the same day", plain, "2025-03-05", 0, "2025-03-05"},
		{"Friday plus 1 skips the weekend", plain, "2025-03-07", 1, "2025-03-10"},
		{"Saturday plus 1 is Monday", plain, "2025-03-08", 1, "2025-03-10"},
		{"Monday plus 5 is next Monday", plain, "2025-03-03", 5, "2025-03-10"},
		{"15 working days, no holidays", plain, "2025-03-03", 15, "2025-03-24"},
		{"60 working days, no holidays", plain, "2025-03-03", 60, "2025-05-26"},
		// National Day 2025: Oct 1–8 off, Sat Oct 11 worked. From Tue Sep 30: Oct 9 (1), 10 (2), 11 Sat make-up (3).
		{"across National Day with make-up Saturday", cn2025, "2025-09-30", 3, "2025-10-11"},
		// Sun Sep 28 is a make-up working day: Fri Sep 26 + 1 = Sun Sep 28.
		{"make-up Sunday counts", cn2025, "2025-09-26", 1, "2025-09-28"},
		// Spring Festival 2025: Jan 28–Feb 4 off (weekdays), Sun Jan 26 and Sat Feb 8 worked.
		// From Fri Jan 24: Jan 26 (1), Jan 27 (2), Feb 5 (3), 6 (4), 7 (5), 8 Sat (6).
		{"across Spring Festival", cn2025, "2025-01-24", 6, "2025-02-08"},
		{"verify deadline over Labour Day", cn2025, "2025-04-25", 15, "2025-05-20"},
		{"year end with new-year holiday and make-up Sunday", yearEnd, "2025-12-30", 3, "2026-01-05"},
		{"year end weekends only", plain, "2025-12-30", 3, "2026-01-02"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cal.AddWorkingDays(day(tc.start), tc.n)
			if s := dateOf(got).String(); s != tc.want {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", tc.start, tc.n, s, tc.want)
			}
			if b := tc.cal.Between(day(tc.start), got); b != tc.n {
				t.Fatalf("Between(%s, %s) = %d, want %d", tc.start, tc.want, b, tc.n)
			}
		})
	}
}

func TestWorkingDayFlags(t *testing.T) {
	cn2025, err := LoadWorkingDays("testdata/holidays-cn-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]bool{
		"2025-10-01": false, // holiday (Wednesday)
		"2025-10-11": true,  // make-up Saturday
		"2025-10-12": false, // ordinary Sunday
		"2025-10-09": true,  // ordinary Thursday
	} {
		if got := cn2025.IsWorkingDay(day(s)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", s, got, want)
		}
	}
	// UTC evening of Sep 30 is already Oct 1 in China.
	if cn2025.IsWorkingDay(time.Date(2025, 9, 30, 17, 0, 0, 0, time.UTC)) {
		t.Error("2025-09-30T17:00Z is 2025-10-01 01:00 in China, a holiday")
	}
}

func TestCalendarErrors(t *testing.T) {
	if _, err := NewWorkingDays([]string{"2025-13-01"}, nil); err == nil {
		t.Error("bad date accepted")
	}
	if _, err := NewWorkingDays([]string{"2025-10-01"}, []string{"2025-10-01"}); err == nil {
		t.Error("date both holiday and workday accepted")
	}
	if _, err := LoadWorkingDays("testdata/no-such-file.json"); err == nil {
		t.Error("missing file accepted")
	}
}

// A deadline that runs into a year the calendar does not list is flagged with that year.
func TestUncoveredYears(t *testing.T) {
	cn2025, err := LoadWorkingDays("testdata/holidays-cn-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := cn2025.Uncovered(day("2025-03-03"), day("2025-04-01")); got != nil {
		t.Fatalf("inside 2025: %v", got)
	}
	if got := cn2025.Uncovered(day("2025-12-10"), day("2026-01-20")); len(got) != 1 || got[0] != 2026 {
		t.Fatalf("2025 into 2026: %v, want [2026]", got)
	}
	if got := (&WorkingDays{}).Uncovered(day("2025-03-03"), day("2025-03-04")); len(got) != 1 || got[0] != 2025 {
		t.Fatalf("no calendar: %v, want [2025]", got)
	}
}
