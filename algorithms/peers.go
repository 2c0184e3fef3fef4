package algorithms

import "math"

// diagnosisPeers holds, per (diagnosis, claim type, provider level), the mean and spread of log
// total amount, so that a claim's amount can be compared with peers treating the same condition
// the same way at the same level of care (amount inflation, 过度医疗/超标准收费): a tertiary
// hospital legitimately costs a multiple of a community centre. Without levels (thin exports) the
// provider kind stands in.
type diagnosisPeers struct {
	mean map[uint64]float64
	sd   map[uint64]float64
	all  [3]float64 // per claim type, when the diagnosis is missing or too rare
	n    map[uint64]int
}

func peerKey(d *dataset, c int) uint64 {
	lvl := d.provLevel[d.cProv[c]]
	if lvl < 0 {
		lvl = -2 - int32(d.provKind[d.cProv[c]])
	}
	return uint64(uint32(d.cDiag[c]))<<32 | uint64(uint32(lvl))<<8 | uint64(d.cType[c])
}

func newDiagnosisPeers(d *dataset) *diagnosisPeers {
	type acc struct{ n, s, s2 float64 }
	m := map[uint64]*acc{}
	var tot [3]acc
	for c := range d.cPat {
		if d.cTotal[c] <= 0 {
			continue
		}
		l := math.Log(float64(d.cTotal[c]))
		ct := d.cType[c]
		tot[ct].n++
		tot[ct].s += l
		k := peerKey(d, c)
		a := m[k]
		if a == nil {
			a = &acc{}
			m[k] = a
		}
		a.n++
		a.s += l
		a.s2 += l * l
	}
	dp := &diagnosisPeers{mean: map[uint64]float64{}, sd: map[uint64]float64{}, n: map[uint64]int{}}
	for i := range tot {
		if tot[i].n > 0 {
			dp.all[i] = tot[i].s / tot[i].n
		}
	}
	for k, a := range m {
		mu := a.s / a.n
		dp.mean[k] = mu
		dp.sd[k] = math.Sqrt(math.Max(a.s2/a.n-mu*mu, 0))
		dp.n[k] = int(a.n)
	}
	return dp
}

// logRatio returns log(amount / peer geometric mean) of claim c, and whether a diagnosis peer
// group of at least 20 claims was available.
func (dp *diagnosisPeers) logRatio(d *dataset, c int) (float64, bool) {
	if d.cTotal[c] <= 0 {
		return 0, false
	}
	l := math.Log(float64(d.cTotal[c]))
	k := peerKey(d, c)
	if d.cDiag[c] >= 0 && dp.n[k] >= 20 {
		return l - dp.mean[k], true
	}
	return l - dp.all[d.cType[c]], false
}
