package synth

import "time"

// Claim kinds as small integers; claimTypeNames gives their contract spelling.
const (
	ctOutpatient uint8 = iota
	ctInpatient
	ctPharmacy
)

var claimTypeNames = [...]string{"outpatient", "inpatient", "pharmacy"}

// Who planted a claim. Only honest claims are ever dropped when they collide with a stay or a
// death; planted ones are kept exactly as the plan (and truth.json) says.
const (
	srcHonest    uint8 = iota
	srcLookalike       // part of an honest look-alike group
	srcContext         // a genuine claim planted as the setting of a fraud (the owner's real stay)
	srcFraud           // a fraudulent claim
)

// claim is one settlement before it is written. Times are seconds since the epoch of the
// local (China Standard Time) wall clock, written without a zone as exports do.
type claim struct {
	start, end int64
	total      int64 // fen
	fund       int64 // fen
	patient    int32
	provider   int32 // index into world.insts, or world.pharms when ctype is ctPharmacy
	doctor     int32 // index into world.docs, -1 when none
	dx         int16 // index into diagnosisTable, -1 when none
	ctype      uint8
	terminal   uint8 // 1-based terminal number, 0 for none
	src        uint8
	extra      uint8 // items hint: 1 adds non-covered goods (串换), 2 is a haemodialysis session
}

// springFestival holds the Lunar New Year's day for the years the generator is used with; the
// week around it is quiet in clinics (people travel home) and busy nowhere.
var springFestival = map[int]time.Time{
	2022: time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC),
	2023: time.Date(2023, 1, 22, 0, 0, 0, 0, time.UTC),
	2024: time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC),
	2025: time.Date(2025, 1, 29, 0, 0, 0, 0, time.UTC),
	2026: time.Date(2026, 2, 17, 0, 0, 0, 0, time.UTC),
	2027: time.Date(2027, 2, 6, 0, 0, 0, 0, time.UTC),
	2028: time.Date(2028, 1, 26, 0, 0, 0, 0, time.UTC),
}

// calendar precomputes per-day weights for the configured range.
type calendar struct {
	from, to int32     // days since epoch, inclusive
	public   []float64 // relative outpatient volume at public hospitals (weekday, holidays)
	private  []float64 // clinics and pharmacies: open every day, less weekday variation
	winter   []float64 // respiratory season multiplier
	summer   []float64 // gastro-intestinal season multiplier
}

func newCalendar(cfg Config) *calendar {
	c := &calendar{from: day(cfg.From), to: day(cfg.To)}
	n := int(c.to-c.from) + 1
	c.public = make([]float64, n)
	c.private = make([]float64, n)
	c.winter = make([]float64, n)
	c.summer = make([]float64, n)
	pub := [7]float64{1.30, 1.15, 1.10, 1.05, 1.00, 0.62, 0.48} // Monday first
	pri := [7]float64{1.0, 1.0, 1.0, 1.0, 1.05, 1.0, 0.9}
	for i := 0; i < n; i++ {
		t := dateOf(c.from + int32(i))
		wd := (int(t.Weekday()) + 6) % 7
		c.public[i] = pub[wd]
		c.private[i] = pri[wd]
		if sf, ok := springFestival[t.Year()]; ok {
			d := t.Sub(sf).Hours() / 24
			if d >= -2 && d <= 6 {
				c.public[i] *= 0.35
				c.private[i] *= 0.5
			}
		}
		if t.Month() == time.October && t.Day() <= 7 { // National Day holiday
			c.public[i] *= 0.55
			c.private[i] *= 0.8
		}
		switch t.Month() {
		case time.December, time.January, time.February:
			c.winter[i], c.summer[i] = 1.8, 0.7
		case time.March, time.November:
			c.winter[i], c.summer[i] = 1.3, 0.9
		case time.June, time.July, time.August:
			c.winter[i], c.summer[i] = 0.6, 1.6
		case time.September:
			c.winter[i], c.summer[i] = 0.8, 1.3
		default:
			c.winter[i], c.summer[i] = 1.0, 1.0
		}
	}
	return c
}

// pickDay draws a day in [lo, hi] (days since epoch, clipped to the range) with the public
// weekday and holiday weights times the season of diagnosis dx (-1 for none).
func (c *calendar) pickDay(r *rng, lo, hi int32, dx int, private bool) int32 {
	lo, hi = max(lo, c.from), min(hi, c.to)
	if hi < lo {
		return lo
	}
	w := c.public
	if private {
		w = c.private
	}
	season := 0
	if dx >= 0 {
		season = diagnosisTable[dx].season
	}
	for tries := 0; ; tries++ {
		d := lo + int32(r.IntN(int(hi-lo)+1))
		i := d - c.from
		p := w[i]
		switch season {
		case 1:
			p *= c.winter[i]
		case 2:
			p *= c.summer[i]
		}
		if tries > 20 || r.Float64()*2.4 < p {
			return d
		}
	}
}

// wd returns the weekday (0 = Monday) of day d.
func (c *calendar) wd(d int32) int { return int((d%7 + 7 + 3) % 7) } // 1970-01-01 was a Thursday

// outpatientSecond draws a time of day for a clinic visit: a morning peak, an afternoon session
// and, at hospitals with an emergency department, a thin evening tail.
func outpatientSecond(r *rng, evening bool) int64 {
	var h float64
	switch x := r.Float64(); {
	case x < 0.64:
		h = 8 + (r.Float64()+r.Float64()+r.Float64())/3*3.8 // peak around 10:00
	case x < 0.95 || !evening:
		h = 14 + r.Float64()*3.5
	default:
		h = 18 + r.Float64()*5.5
	}
	return int64(h*3600) + int64(r.IntN(60))
}

// pharmacySecond draws a time of day for a pharmacy purchase between 08:00 and 21:30, with a
// morning and an after-work peak.
func pharmacySecond(r *rng) int64 {
	var h float64
	if r.chance(0.04) { // caller-independent night tail, kept only at 24-hour pharmacies
		return nightSecond(r)
	}
	if r.chance(0.45) {
		h = 8.5 + (r.Float64()+r.Float64())/2*4
	} else if r.chance(0.6) {
		h = 17 + (r.Float64()+r.Float64())/2*4.5
	} else {
		h = 8 + r.Float64()*13.5
	}
	return int64(h*3600) + int64(r.IntN(60))
}

// nightSecond draws a time between 21:30 and 07:00 (sales at a 24-hour pharmacy).
func nightSecond(r *rng) int64 {
	s := int64(21*3600+1800) + int64(r.IntN(int(9.5*3600)))
	return s % 86400
}

// pharmacyTime draws the time of day of an ordinary sale at pharmacy ph: night sales only
// happen at 24-hour pharmacies; elsewhere they become after-work purchases.
func (w *world) pharmacyTime(r *rng, ph int32) int64 {
	sec := pharmacySecond(r)
	if (sec < 8*3600 || sec >= 21*3600+1800) && !w.pharms[ph].allNight {
		sec = int64(17*3600 + r.IntN(4*3600))
	}
	return sec
}
