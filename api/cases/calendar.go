package cases

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// ChinaTime is the zone deadlines are counted in. A fixed UTC+8 offset (China has no daylight
// saving) avoids depending on the host's tzdata.
var ChinaTime = time.FixedZone("CST", 8*3600)

// WorkingDays is a working-day calendar: Monday to Friday are working days, except listed
// holidays; listed make-up working days (调休, usually a Saturday or Sunday) are working days.
// The zero value counts weekends only. Dates are calendar days in China time (UTC+8).
type WorkingDays struct {
	holidays map[civilDate]bool
	makeUp   map[civilDate]bool
	years    []int // the years the calendar file covers, for the "calendar ends" warning
}

// civilDate is a calendar day without time or zone.
type civilDate struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) civilDate {
	y, m, d := t.In(ChinaTime).Date()
	return civilDate{y, m, d}
}

func (c civilDate) time() time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, ChinaTime) }

func (c civilDate) String() string { return fmt.Sprintf("%04d-%02d-%02d", c.y, c.m, c.d) }

// Day returns the calendar day of t in China time as YYYY-MM-DD, the form deadlines are due on.
func Day(t time.Time) string { return dateOf(t).String() }

// CalendarFile is the JSON layout of a holiday calendar file (--holidays FILE):
//
//	{"holidays": ["2025-10-01", …], "workdays": ["2025-09-28", …]}
//
// "holidays" are days off that would otherwise be working days (法定节假日), "workdays" are weekend
// days that are working days (调休上班). The State Council publishes both each December.
type CalendarFile struct {
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// NewWorkingDays builds a calendar from holiday and make-up working-day dates (YYYY-MM-DD). A
// date in both lists is an error.
func NewWorkingDays(holidays, workdays []string) (*WorkingDays, error) {
	w := &WorkingDays{holidays: map[civilDate]bool{}, makeUp: map[civilDate]bool{}}
	years := map[int]bool{}
	for i, s := range holidays {
		d, err := parseCivil(s)
		if err != nil {
			return nil, graph.FieldErrorf(fmt.Sprintf("holidays[%d]", i), "%q: %v", s, err)
		}
		w.holidays[d] = true
		years[d.y] = true
	}
	for i, s := range workdays {
		d, err := parseCivil(s)
		if err != nil {
			return nil, graph.FieldErrorf(fmt.Sprintf("workdays[%d]", i), "%q: %v", s, err)
		}
		if w.holidays[d] {
			return nil, graph.FieldErrorf(fmt.Sprintf("workdays[%d]", i), "%s is also listed as a holiday", s)
		}
		w.makeUp[d] = true
		years[d.y] = true
	}
	for y := range years {
		w.years = append(w.years, y)
	}
	sort.Ints(w.years)
	return w, nil
}

// LoadWorkingDays reads a calendar file (see CalendarFile). An empty path gives the
// weekends-only calendar.
func LoadWorkingDays(path string) (*WorkingDays, error) {
	if path == "" {
		return &WorkingDays{}, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("holiday calendar: %w", err)
	}
	var f CalendarFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("holiday calendar %s: %w", path, err)
	}
	w, err := NewWorkingDays(f.Holidays, f.Workdays)
	if err != nil {
		return nil, fmt.Errorf("holiday calendar %s: %w", path, err)
	}
	return w, nil
}

// Years returns the years the calendar lists holidays or make-up days for, ascending.
func (w *WorkingDays) Years() []int { return append([]int(nil), w.years...) }

// Uncovered returns the years from a to b (China time) that the calendar does not cover, or nil;
// a calendar without any year (weekends only) covers none.
func (w *WorkingDays) Uncovered(a, b time.Time) []int {
	var out []int
	for y := dateOf(a).y; y <= dateOf(b).y; y++ {
		if _, ok := slices.BinarySearch(w.years, y); !ok {
			out = append(out, y)
		}
	}
	return out
}

func parseCivil(s string) (civilDate, error) {
	t, err := time.ParseInLocation("2006-01-02", s, ChinaTime)
	if err != nil {
		return civilDate{}, fmt.Errorf("not a YYYY-MM-DD date")
	}
	return dateOf(t), nil
}

// IsWorkingDay reports whether the calendar day of t (in China time) is a working day.
func (w *WorkingDays) IsWorkingDay(t time.Time) bool { return w.isWorking(dateOf(t)) }

func (w *WorkingDays) isWorking(d civilDate) bool {
	if w.makeUp[d] {
		return true
	}
	if w.holidays[d] {
		return false
	}
	wd := d.time().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the day that is n working days after the day of start: the day of
// start itself does not count (a lead found on Friday with n=1 is due on Monday), as time limits
// in administrative procedure start counting on the following day. The result is midnight
// (China time) at the start of the due day; a matter is overdue once that whole day has passed.
// n must be non-negative.
func (w *WorkingDays) AddWorkingDays(start time.Time, n int) time.Time {
	if n < 0 {
		panic("cases: AddWorkingDays with negative n")
	}
	d := dateOf(start).time()
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if w.isWorking(dateOf(d)) {
			n--
		}
	}
	return d
}

// Between returns the number of working days after the day of a up to and including the day of
// b; it is negative when b is before a. Between(a, AddWorkingDays(a, n)) == n.
func (w *WorkingDays) Between(a, b time.Time) int {
	da, db := dateOf(a).time(), dateOf(b).time()
	sign := 1
	if db.Before(da) {
		da, db, sign = db, da, -1
	}
	n := 0
	for d := da.AddDate(0, 0, 1); !d.After(db); d = d.AddDate(0, 0, 1) {
		if w.isWorking(dateOf(d)) {
			n++
		}
	}
	return sign * n
}
