package cards

import (
	"math"
	"math/bits"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// A holder carrying other people's cards does not always use them at one counter: on one
// outing the cards pay at a clinic, a pharmacy down the street and a hospital, each card where
// it is not known. Such cards meet on the same outings (claims within outingMinutes of each
// other on one day, at any providers) far more often than their own visit days make likely.
// Testing every pair of cards in a region for that would be quadratic, so candidates are the
// cards registered with one phone (the holder registers lent cards with their own phone; the
// honest owners of one phone — a family, a village doctor's phone on elderly neighbours' cards
// — rarely use them on the same outings, which the null below measures).
const (
	outingMinutes = 120
	// maxPhoneCards skips phones on more cards than this (a care home's or a clinic's phone):
	// such a set is not one holder's, and the pairs would be many.
	maxPhoneCards = 12
)

// outingCoUse adds to pairs (and surprise) the pairs of cards sharing a phone that are used on
// the same outings. The test is on the phone's set of cards as a whole, since a holder uses a
// different two or three of the cards on each outing and few pairs meet often: two cards
// visiting on v_a and v_b of D days independently share v_a·v_b/D days, and on a shared day
// are within the outing window with probability about 2·window/12 h; the set's outing days
// summed over its pairs are compared with the sum of those expectations (Poisson), less the log
// of the number of phones tested. In a surprising set, every pair that met on an outing is
// linked with the set's surprise; a pair that is surprising by itself (MinCoUseDays or more
// days) is linked with its own, likewise corrected. A pair already linked at one counter keeps
// the larger surprise. Outing surprises are corrected for the tests, counter ones are not:
// scoreGroup maps each on its own scale.
func outingCoUse(d *dataset.Claims, o Options, amb *ambulatory, pairs map[[2]int32]*pairStat, surprise map[[2]int32]float64) {
	byPhone := map[int32][]int32{}
	for p := int32(0); int(p) < d.NPat(); p++ {
		if ph := d.PatPhone[p]; ph >= 0 && len(d.ClaimsOf(p)) > 0 {
			byPhone[ph] = append(byPhone[ph], p)
		}
	}
	// Only phones on cards of more than one address: one phone on one family's cards at one
	// address is a household, whose outings together are honest (a family that lends its
	// cards among itself is left to the counter co-use).
	phones := make([]int32, 0, len(byPhone))
	for ph, ps := range byPhone {
		if len(ps) < 2 || len(ps) > maxPhoneCards {
			continue
		}
		addrs := map[int32]bool{}
		for _, p := range ps {
			addrs[d.PatAddr[p]] = true
		}
		if len(addrs) >= 2 {
			phones = append(phones, ph)
		}
	}
	if len(phones) == 0 {
		return
	}
	slices.Sort(phones)
	window := int64(outingMinutes) * 60
	within := math.Min(1, 2*float64(window)/(12*3600))
	correction := math.Log10(float64(len(phones)))
	classes := d.DiagClasses()
	type met struct {
		k  [2]int32
		s  *pairStat
		sp float64
	}
	for _, ph := range phones {
		ps := byPhone[ph]
		claims := make([][]int32, len(ps))
		days := make([]float64, len(ps))
		for i, p := range ps {
			claims[i], days[i] = amb.of(p), amb.days[p]
		}
		var seen []met
		observed, expected := 0, 0.0
		for i := range ps {
			for j := i + 1; j < len(ps); j++ {
				e := days[i] * days[j] / amb.span * within
				expected += e
				a, b, ca, cb := ps[i], ps[j], claims[i], claims[j]
				if a > b {
					a, b, ca, cb = b, a, cb, ca
				}
				s := outingPair(d, classes, ca, cb, window)
				if s.days == 0 {
					continue
				}
				observed += s.days
				seen = append(seen, met{[2]int32{a, b}, s, finding.PoissonSurprise(s.days, e)})
			}
		}
		group := finding.PoissonSurprise(observed, expected) - correction
		for _, m := range seen {
			sp := m.sp - correction
			switch {
			case group >= 2:
				linkOuting(pairs, surprise, m.k, m.s, math.Max(group, sp))
			case m.s.days >= o.MinCoUseDays && sp >= 2:
				linkOuting(pairs, surprise, m.k, m.s, sp)
			}
		}
	}
}

// linkOuting records an outing link of surprise sp for pair k with stats s. A pair already
// linked keeps its stats and takes the larger surprise (and the outing kind with it).
func linkOuting(pairs map[[2]int32]*pairStat, surprise map[[2]int32]float64, k [2]int32, s *pairStat, sp float64) {
	s.outing = true
	if old, ok := pairs[k]; ok {
		if sp > surprise[k] {
			surprise[k] = sp
			old.outing, old.cross = true, old.cross || s.cross
		}
		return
	}
	pairs[k] = s
	surprise[k] = sp
}

// ambulatory holds each patient's claims other than admissions, sorted by start (flat, with
// offsets), their visit days, and the number of days the claims span. uses holds each claim's
// start, day and provider beside it, so that scanning a pair of cards reads two short runs of
// memory instead of three columns of the whole dataset.
type ambulatory struct {
	off    []int32
	claims []int32
	uses   []use
	days   []float64
	span   float64
	// weekdays holds, 7 per patient, the patient's visit days on each day of the week.
	weekdays []uint16
	// dayBits holds, words per patient, the patient's visit days as bits from the first day:
	// a pair's shared days are a few ANDs, which bound its co-use before its claims are read.
	dayBits []uint64
	words   int
	first   int32
}

// sharedDays is the number of days on which both x and y made an ambulatory claim.
func (a *ambulatory) sharedDays(x, y int32) int {
	bx, by := a.dayBits[a.words*int(x):a.words*int(x)+a.words], a.dayBits[a.words*int(y):a.words*int(y)+a.words]
	n := 0
	for i := range bx {
		n += bits.OnesCount64(bx[i] & by[i])
	}
	return n
}

// sameWeekdays is the expected number of days on which patients a and b both visit if each
// keeps to their own days of the week and is otherwise independent of the other: Σ over the
// weekdays of n_a·n_b / weeks. For visits spread over the week it is days_a·days_b/span; for two
// patients of one weekly clinic day or one dialysis shift it is several times that, so their
// meetings on those days are not evidence.
func (a *ambulatory) sameWeekdays(x, y int32) float64 {
	wx, wy := a.weekdays[7*int(x):7*int(x)+7], a.weekdays[7*int(y):7*int(y)+7]
	s := 0.0
	for i := range 7 {
		s += float64(wx[i]) * float64(wy[i])
	}
	return s / math.Max(1, a.span/7)
}

// use is one ambulatory claim's start (seconds), local day and provider, and whether its
// diagnosis is a chronic condition's (a scheduled follow-up).
type use struct {
	t       int64
	day     int32
	prov    int32
	chronic bool
}

func ambulatoryIndex(d *dataset.Claims) *ambulatory {
	classes := d.DiagClasses()
	a := &ambulatory{off: make([]int32, d.NPat()+1), claims: make([]int32, 0, d.NClaims()), days: make([]float64, d.NPat()), weekdays: make([]uint16, 7*d.NPat())}
	lo, hi := int32(math.MaxInt32), int32(math.MinInt32)
	for p := int32(0); int(p) < d.NPat(); p++ {
		n, last := 0, int32(math.MinInt32)
		for _, c := range d.ClaimsOf(p) {
			day := d.Day(c)
			lo, hi = min(lo, day), max(hi, day)
			if d.CType[c] == dataset.Inpatient {
				continue
			}
			a.claims = append(a.claims, c)
			dg := d.CDiag[c]
			a.uses = append(a.uses, use{t: d.CStart[c], day: day, prov: d.CProv[c], chronic: dg >= 0 && classes[dg] == dataset.DiagChronic})
			if day != last {
				n++
				last = day
				a.weekdays[7*int(p)+dataset.Weekday(day)]++
			}
		}
		a.off[p+1] = int32(len(a.claims))
		a.days[p] = float64(n)
	}
	a.span = float64(hi - lo + 1)
	if hi >= lo {
		a.first, a.words = lo, int(hi-lo)/64+1
		a.dayBits = make([]uint64, a.words*d.NPat())
		for p := range d.NPat() {
			row := a.dayBits[a.words*p : a.words*p+a.words]
			for _, u := range a.uses[a.off[p]:a.off[p+1]] {
				i := u.day - lo
				row[i/64] |= 1 << (i % 64)
			}
		}
	}
	return a
}

// of returns patient p's ambulatory claims.
func (a *ambulatory) of(p int32) []int32 { return a.claims[a.off[p]:a.off[p+1]] }

// usesOf returns patient p's ambulatory claims as uses, in the same order as of.
func (a *ambulatory) usesOf(p int32) []use { return a.uses[a.off[p]:a.off[p+1]] }

// outingPair pairs each claim of ca with the nearest claim of cb on the same day within window
// and collects the pair's co-use.
func outingPair(d *dataset.Claims, classes []dataset.DiagClass, ca, cb []int32, window int64) *pairStat {
	s := &pairStat{provs: map[int32]bool{}, lastDay: math.MinInt32}
	j := 0
	for _, x := range ca {
		for j < len(cb) && d.CStart[cb[j]] < d.CStart[x]-window {
			j++
		}
		best, bestGap := int32(-1), window+1
		for k := j; k < len(cb) && d.CStart[cb[k]] <= d.CStart[x]+window; k++ {
			y := cb[k]
			if d.Day(y) != d.Day(x) {
				continue
			}
			if g := absInt64(d.CStart[y] - d.CStart[x]); g < bestGap {
				best, bestGap = y, g
			}
		}
		if best < 0 {
			continue
		}
		if day := d.Day(x); day != s.lastDay {
			s.days++
			s.lastDay = day
		}
		s.events++
		s.provs[d.CProv[x]] = true
		s.provs[d.CProv[best]] = true
		if d.CProv[x] != d.CProv[best] {
			s.apart++
		}
		if d.CDiag[x] >= 0 && d.CDiag[x] == d.CDiag[best] {
			s.sameDiag++
		}
		s.gapSum += float64(bestGap) / 60
		if u, v := float64(d.CTotal[x]), float64(d.CTotal[best]); u+v > 0 {
			s.amtDiff += math.Abs(u-v) / ((u + v) / 2)
		}
		if therapy(d, classes, x) && therapy(d, classes, best) {
			s.therapy++
		}
		if acute(d, classes, x) && acute(d, classes, best) {
			s.acute++
		}
		if sameChronic(d, classes, x, best) {
			s.chronic++
		}
		if onCourse(d, x) && onCourse(d, best) {
			s.course++
		}
	}
	return s
}

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
