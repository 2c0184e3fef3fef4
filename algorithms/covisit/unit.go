package covisit

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// visit is one patient-day at an institution: the patient's first claim of the day there.
type visit struct {
	pat   int32
	day   int32
	doc   int32
	claim int32
}

// Scopes of the group test: the two halves of the days (by chunk) and all days. Candidates are
// formed on one half and tested on the other (sample splitting), so that choosing a group for
// the days it shares cannot make those days look surprising.
const (
	scopeA   = 0
	scopeB   = 1
	scopeAll = 2
)

// unit is one institution's visits with the volumes the null model needs.
type unit struct {
	prov   int32
	visits []visit // sorted by (day, pat)
	// days are the active days in order, with dayOff[i]..dayOff[i+1] their visits.
	days   []int32
	dayOff []int32
	// openWeekday marks the weekdays on which the institution had any visit: the days a member
	// could have come, also when nobody else did.
	openWeekday [7]bool
	// onceN is, per active day, the number of its patients who came to the institution once.
	onceN []float64
	half  []uint8 // scope (A or B) of each active day
	// k is each patient's number of visit days (k_s); patDays its visit days, sorted.
	k       map[int32]int32
	patDays map[int32][]int32
	// n is N = Σ n_t per scope.
	n        [3]float64
	blockLen int32
	salt     uint64
	// Jitter windows of jitterLen days: under the null each visit's day is drawn within its
	// window in proportion to the institution's volume (the jitter null of spike-train
	// synchrony, Amarasingham et al. 2012, doi:10.1152/jn.00633.2011), so that patients whose
	// visits cluster in the same weeks (an epidemic, a season) are not mistaken for patients
	// who come on the same day. winN[sc][w] is Σ n_t over window w's days of scope sc, winQ the
	// chance Σ n_t²/N_w² that two visits of the window fall on one day, n_t counting the day's
	// one-time visitors plus one.
	jitterLen int32
	win0      int32
	winN      [3][]float64
	winQ      [3][]float64
	// day0 is the first active day; halfAt and winAt hold halfOf and window for each day from
	// day0 to the last active day (the group tests ask for them millions of times).
	day0   int32
	halfAt []uint8
	winAt  []int32
	// pullAt[sc][t−day0] is day t's pull in scope sc for the group test (test): its one-time
	// visitors plus one on an active day, one on another day of a weekday the institution
	// works, zero outside the scope.
	pullAt [3][]float64
}

// sortedVisits returns every institution visit (distinct patient, provider, day) sorted by
// provider, day and patient.
func sortedVisits(d *dataset.Claims) []visit {
	vs := make([]visit, 0, d.NClaims()/2)
	for c := 0; c < d.NClaims(); c++ {
		if d.ProvKind[d.CProv[c]] != dataset.Institution {
			continue
		}
		vs = append(vs, visit{pat: d.CPat[c], day: d.Day(int32(c)), doc: d.CDoc[c], claim: int32(c)})
	}
	slices.SortFunc(vs, func(a, b visit) int {
		pa, pb := d.CProv[a.claim], d.CProv[b.claim]
		if c := cmp.Compare(pa, pb); c != 0 {
			return c
		}
		if c := cmp.Compare(a.day, b.day); c != 0 {
			return c
		}
		if c := cmp.Compare(a.pat, b.pat); c != 0 {
			return c
		}
		return cmp.Compare(d.CStart[a.claim], d.CStart[b.claim])
	})
	// One visit per patient-day: the first claim of the day.
	out := vs[:0]
	for i, v := range vs {
		if i > 0 {
			p := vs[i-1]
			if d.CProv[p.claim] == d.CProv[v.claim] && p.day == v.day && p.pat == v.pat {
				continue
			}
		}
		out = append(out, v)
	}
	return out
}

// newUnit indexes one institution's visits (sorted by day and patient).
func newUnit(prov int32, vs []visit, blockLen int, salt uint64) *unit {
	u := &unit{prov: prov, visits: vs, k: map[int32]int32{}, patDays: map[int32][]int32{}, blockLen: int32(max(blockLen, 1)), salt: salt}
	if len(vs) > 0 {
		u.day0 = vs[0].day
		u.halfAt = make([]uint8, vs[len(vs)-1].day-u.day0+1)
		for i := range u.halfAt {
			u.halfAt[i] = u.hashHalf(u.day0 + int32(i))
		}
	}
	for lo := 0; lo < len(vs); {
		hi := lo
		for hi < len(vs) && vs[hi].day == vs[lo].day {
			hi++
		}
		t := vs[lo].day
		h := u.halfOf(t)
		u.openWeekday[dataset.Weekday(t)] = true
		u.days = append(u.days, t)
		u.dayOff = append(u.dayOff, int32(lo))
		u.half = append(u.half, h)
		nt := float64(hi - lo)
		u.n[h] += nt
		u.n[scopeAll] += nt
		lo = hi
	}
	u.dayOff = append(u.dayOff, int32(len(vs)))
	for _, v := range vs {
		u.k[v.pat]++
		u.patDays[v.pat] = append(u.patDays[v.pat], v.day)
	}
	u.jitterLen = u.blockLen * max(jitterBlocks, (jitterDays+u.blockLen-1)/u.blockLen)
	u.winAt = make([]int32, len(u.halfAt))
	for i := range u.winAt {
		u.winAt[i] = int32(dataset.FloorDiv(int64(u.day0)+int64(i), int64(u.jitterLen)))
	}
	if len(u.days) > 0 {
		u.win0 = u.window(u.days[0])
		nw := int(u.window(u.days[len(u.days)-1])-u.win0) + 1
		var sq [3][]float64
		for sc := range u.winN {
			u.winN[sc] = make([]float64, nw)
			u.winQ[sc] = make([]float64, nw)
			sq[sc] = make([]float64, nw)
		}
		for i, t := range u.days {
			w := u.window(t) - u.win0
			// The day's pull is measured on the patients who came once (plus one for an open
			// day): repeat visitors are the suspects, and a ring that fills a small clinic's
			// days must not make those days look busy enough to explain its members' meetings.
			nt := 1.0
			for _, v := range u.visits[u.dayOff[i]:u.dayOff[i+1]] {
				if u.k[v.pat] == 1 {
					nt++
				}
			}
			u.onceN = append(u.onceN, nt-1)
			for _, sc := range []int{int(u.half[i]), scopeAll} {
				u.winN[sc][w] += nt
				sq[sc][w] += nt * nt
			}
		}
		for sc := range u.winN {
			for w, n := range u.winN[sc] {
				if n > 0 {
					u.winQ[sc][w] = sq[sc][w] / (n * n)
				}
			}
		}
		for sc := range u.pullAt {
			u.pullAt[sc] = make([]float64, len(u.halfAt))
			for i := range u.pullAt[sc] {
				if t := u.day0 + int32(i); u.inScope(t, sc) && u.open(t) {
					u.pullAt[sc][i] = 1
				}
			}
			for i, t := range u.days {
				if u.inScope(t, sc) {
					u.pullAt[sc][t-u.day0] = u.onceN[i] + 1
				}
			}
		}
	}
	return u
}

// pull returns day t's pull in scope sc (pullAt), zero before the first or after the last
// active day.
func (u *unit) pull(t int32, sc int) float64 {
	if i := t - u.day0; i >= 0 && int(i) < len(u.pullAt[sc]) {
		return u.pullAt[sc][i]
	}
	return 0
}

// jitterBlocks is the least number of blocks in a jitter window (which is at least 15 days:
// five blocks of three days by default).
const jitterBlocks = 5

// jitterDays is the least length of a jitter window.
var jitterDays int32 = 63

// window returns the jitter window of day t.
func (u *unit) window(t int32) int32 {
	if i := t - u.day0; i >= 0 && int(i) < len(u.winAt) {
		return u.winAt[i]
	}
	return int32(dataset.FloorDiv(int64(t), int64(u.jitterLen)))
}

// open reports whether day t is a day the institution works (one of its weekdays).
func (u *unit) open(t int32) bool { return u.openWeekday[dataset.Weekday(t)] }

// halfOf returns the scope (A or B) of day t: chunks of blockLen days are assigned to halves by
// a hash, so that a fixed cadence (every 7 or 14 days) cannot put all sessions in one half.
func (u *unit) halfOf(t int32) uint8 {
	if i := t - u.day0; i >= 0 && int(i) < len(u.halfAt) {
		return u.halfAt[i]
	}
	return u.hashHalf(t)
}

// hashHalf computes halfOf(t).
func (u *unit) hashHalf(t int32) uint8 {
	x := uint64(dataset.FloorDiv(int64(t), int64(u.blockLen))) ^ u.salt
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return uint8(x & 1)
}

// inScope reports whether day t counts in scope s.
func (u *unit) inScope(t int32, s int) bool { return s == scopeAll || int(u.halfOf(t)) == s }

// block returns the block of day t at offset o (0 or 1): blocks of blockLen days, the second
// series shifted by half a block so that a session straddling one series' boundary lies inside
// a block of the other. Offset-0 blocks are the chunks of the halves.
func (u *unit) block(t int32, o int) int32 {
	shift := int32(0)
	if o == 1 {
		shift = (u.blockLen + 1) / 2
	}
	return int32(dataset.FloorDiv(int64(t+shift), int64(u.blockLen)))
}

// blockDays returns the first and last day of block b at offset o.
func (u *unit) blockDays(b int32, o int) (int32, int32) {
	shift := int32(0)
	if o == 1 {
		shift = (u.blockLen + 1) / 2
	}
	first := b*u.blockLen - shift
	return first, first + u.blockLen - 1
}

// dayVisits returns the visits of active day index i.
func (u *unit) dayVisits(i int) []visit { return u.visits[u.dayOff[i]:u.dayOff[i+1]] }

// dayIndex returns the index of day t among the active days, or −1.
func (u *unit) dayIndex(t int32) int {
	i, ok := slices.BinarySearch(u.days, t)
	if !ok {
		return -1
	}
	return i
}

// kIn returns patient s's visit days at u within scope sc.
func (u *unit) kIn(s int32, sc int) int {
	if sc == scopeAll {
		return int(u.k[s])
	}
	n := 0
	for _, t := range u.patDays[s] {
		if u.inScope(t, sc) {
			n++
		}
	}
	return n
}

// poissonTail returns P(X ≥ m) for X ~ Poisson(mu).
func poissonTail(m int, mu float64) float64 {
	if m <= 0 {
		return 1
	}
	if mu <= 0 {
		return 0
	}
	// Sum the head for small m (stable), the tail directly when the head is close to 1.
	if float64(m) <= mu+1 {
		head, term := 0.0, math.Exp(-mu)
		for k := 0; k < m; k++ {
			head += term
			term *= mu / float64(k+1)
		}
		return math.Max(0, 1-head)
	}
	term := math.Exp(-mu + float64(m)*math.Log(mu) - finding.LogFactorial(m))
	sum := 0.0
	for k := m; k < m+200; k++ {
		sum += term
		term *= mu / float64(k+1)
		if term < 1e-15*sum {
			break
		}
	}
	return sum
}

// poissonTails sets tails[m] = P(X ≥ m) for every m < len(tails), X ~ Poisson(mu): the point
// probabilities upwards from e^−μ, the last tail as poissonTail computes it, then the others
// downwards by adding the point probabilities. One exponential serves the whole vector, and
// tails is its only storage.
func poissonTails(mu float64, tails []float64) {
	n := len(tails)
	if n == 0 {
		return
	}
	if mu <= 0 || mu > 500 { // no mass above 0, or e^−μ below the floating-point range
		for m := range tails {
			tails[m] = poissonTail(m, mu)
		}
		return
	}
	// tails[k] = P(X = k) first (they only underflow where they are negligible).
	p, head := math.Exp(-mu), 0.0
	for k := range tails {
		tails[k] = p
		if k < n-1 {
			head += p
		}
		p *= mu / float64(k+1)
	}
	top := n - 1
	t := 0.0
	if float64(top) <= mu+1 {
		t = math.Max(0, 1-head)
	} else {
		for k, term := top, tails[top]; k < top+200 && term > 0; k++ {
			t += term
			term *= mu / float64(k+1)
			if term < 1e-15*t {
				break
			}
		}
	}
	tails[top] = t
	for m := top - 1; m >= 0; m-- {
		tails[m] += tails[m+1]
	}
	tails[0] = 1
}
