package dataset

import "math"

// DiagnosisPeers holds, per (diagnosis, claim type, provider level), the mean and spread of log
// total amount, so that a claim's amount can be compared with peers treating the same condition
// the same way at the same level of care (amount inflation, 过度医疗/超标准收费): a tertiary
// hospital legitimately costs a multiple of a community centre. Without levels (thin exports) the
// provider kind stands in.
type DiagnosisPeers struct {
	value func(c int32) float64 // the amount compared: the total, or the total per bed day
	mean  map[uint64]float64
	sd    map[uint64]float64
	n     map[uint64]int
	all   [3]float64 // per claim type, when the diagnosis is missing or too rare
	allSD [3]float64
}

// MinPeerClaims is the smallest peer group whose mean is used; rarer diagnoses compare with the
// claim type's overall mean.
const MinPeerClaims = 20

func (d *Claims) peerKey(c int) uint64 {
	lvl := d.ProvLevel[d.CProv[c]]
	if lvl < 0 {
		lvl = -2 - int32(d.ProvKind[d.CProv[c]])
	}
	return uint64(uint32(d.CDiag[c]))<<32 | uint64(uint32(lvl))<<8 | uint64(d.CType[c])
}

// NewDiagnosisPeers computes the peer means of d.
func NewDiagnosisPeers(d *Claims) *DiagnosisPeers {
	return newPeers(d, func(c int32) float64 { return float64(d.CTotal[c]) })
}

// NewBedDayPeers computes the peer means of the amount per bed day of d's inpatient claims with
// an end time: a stay of two days billed like one of nine is far above its peers per day, though
// not in total. Use it with BedDayAmount.
func NewBedDayPeers(d *Claims) *DiagnosisPeers {
	return newPeers(d, func(c int32) float64 { return d.BedDayAmount(c) })
}

// BedDays returns the bed days of inpatient claim c (nights, at least one), or 0 for a claim
// that is not an inpatient stay with an end time.
func (d *Claims) BedDays(c int32) int {
	if d.CType[c] != Inpatient || d.CEnd[c] <= d.CStart[c] {
		return 0
	}
	return max(1, int(d.EndDay(c)-d.Day(c)))
}

// BedDayAmount returns claim c's total amount (cents) per bed day, or 0 when it is not a stay.
func (d *Claims) BedDayAmount(c int32) float64 {
	if n := d.BedDays(c); n > 0 {
		return float64(d.CTotal[c]) / float64(n)
	}
	return 0
}

// newPeers computes the peer means of log value(c) over the claims with a positive value.
func newPeers(d *Claims, value func(c int32) float64) *DiagnosisPeers {
	type acc struct{ n, s, s2 float64 }
	m := map[uint64]*acc{}
	var tot [3]acc
	for c := range d.CPat {
		v := value(int32(c))
		if v <= 0 {
			continue
		}
		l := math.Log(v)
		ct := d.CType[c]
		tot[ct].n++
		tot[ct].s += l
		tot[ct].s2 += l * l
		k := d.peerKey(c)
		a := m[k]
		if a == nil {
			a = &acc{}
			m[k] = a
		}
		a.n++
		a.s += l
		a.s2 += l * l
	}
	sd := func(a acc) float64 {
		mu := a.s / a.n
		return math.Sqrt(math.Max(a.s2/a.n-mu*mu, 0))
	}
	dp := &DiagnosisPeers{value: value, mean: map[uint64]float64{}, sd: map[uint64]float64{}, n: map[uint64]int{}}
	for i := range tot {
		if tot[i].n > 0 {
			dp.all[i] = tot[i].s / tot[i].n
			dp.allSD[i] = sd(tot[i])
		}
	}
	for k, a := range m {
		dp.mean[k] = a.s / a.n
		dp.sd[k] = sd(*a)
		dp.n[k] = int(a.n)
	}
	return dp
}

// LogZ returns how many peer standard deviations of log amount claim c lies above its peers'
// mean (diagnosis peers when at least MinPeerClaims, else the claim type's), the log ratio, and
// whether diagnosis peers were used. A spread below 0.1 counts as 0.1, so that peers billing one
// fixed price do not make every deviation infinitely surprising.
func (dp *DiagnosisPeers) LogZ(d *Claims, c int32) (z, logRatio float64, byDiag bool) {
	lr, byDiag := dp.LogRatio(d, c)
	s := dp.allSD[d.CType[c]]
	if byDiag {
		s = dp.sd[d.peerKey(int(c))]
	}
	return lr / math.Max(s, 0.1), lr, byDiag
}

// LogRatio returns log(value / peer geometric mean) of claim c (value: the total amount, or for
// NewBedDayPeers the amount per bed day), and whether a diagnosis peer
// group of at least MinPeerClaims claims was available.
func (dp *DiagnosisPeers) LogRatio(d *Claims, c int32) (float64, bool) {
	v := dp.value(c)
	if v <= 0 {
		return 0, false
	}
	l := math.Log(v)
	k := d.peerKey(int(c))
	if d.CDiag[c] >= 0 && dp.n[k] >= MinPeerClaims {
		return l - dp.mean[k], true
	}
	return l - dp.all[d.CType[c]], false
}
