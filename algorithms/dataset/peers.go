package dataset

import "math"

// DiagnosisPeers holds, per (diagnosis, claim type, provider level), the mean and spread of log
// total amount, so that a claim's amount can be compared with peers treating the same condition
// the same way at the same level of care (amount inflation, 过度医疗/超标准收费): a tertiary
// hospital legitimately costs a multiple of a community centre. Without levels (thin exports) the
// provider kind stands in.
type DiagnosisPeers struct {
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
	type acc struct{ n, s, s2 float64 }
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
	dp := &DiagnosisPeers{mean: map[uint64]float64{}, sd: map[uint64]float64{}, n: map[uint64]int{}}
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
