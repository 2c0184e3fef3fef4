package dataset

import "math"

// DiagnosisPeers holds, per (diagnosis, claim type, provider level), the mean and spread of log
// total amount, so that a claim's amount can be compared with peers treating the same condition
// the same way at the same level of care (amount inflation, 过度医疗/超标准收费): a tertiary
// hospital legitimately costs a multiple of a community centre. Without levels (thin exports) the
// provider kind stands in.
type DiagnosisPeers struct {
	mean map[uint64]float64
	n    map[uint64]int
	all  [3]float64 // per claim type, when the diagnosis is missing or too rare
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
	type acc struct{ n, s float64 }
	m := map[uint64]*acc{}
	var tot [3]acc
	for c := range d.CPat {
		if d.CTotal[c] <= 0 {
			continue
		}
		l := math.Log(float64(d.CTotal[c]))
		ct := d.CType[c]
		tot[ct].n++
		tot[ct].s += l
		k := d.peerKey(c)
		a := m[k]
		if a == nil {
			a = &acc{}
			m[k] = a
		}
		a.n++
		a.s += l
	}
	dp := &DiagnosisPeers{mean: map[uint64]float64{}, n: map[uint64]int{}}
	for i := range tot {
		if tot[i].n > 0 {
			dp.all[i] = tot[i].s / tot[i].n
		}
	}
	for k, a := range m {
		dp.mean[k] = a.s / a.n
		dp.n[k] = int(a.n)
	}
	return dp
}

// LogRatio returns log(amount / peer geometric mean) of claim c, and whether a diagnosis peer
// group of at least MinPeerClaims claims was available.
func (dp *DiagnosisPeers) LogRatio(d *Claims, c int32) (float64, bool) {
	if d.CTotal[c] <= 0 {
		return 0, false
	}
	l := math.Log(float64(d.CTotal[c]))
	k := d.peerKey(int(c))
	if d.CDiag[c] >= 0 && dp.n[k] >= MinPeerClaims {
		return l - dp.mean[k], true
	}
	return l - dp.all[d.CType[c]], false
}
