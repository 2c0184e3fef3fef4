package cards

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// counterKey is where one person stands to be served: the provider and the doctor (or the
// terminal, when there is no doctor), so that "one after another" means at the same counter.
func counterKey(d *dataset.Claims, c int32) uint64 {
	k := uint64(uint32(d.CProv[c])) << 32
	switch {
	case d.CDoc[c] >= 0:
		k |= 1<<31 | uint64(uint32(d.CDoc[c]))
	case d.CTerm[c] >= 0:
		k |= uint64(uint32(d.CTerm[c]))
	default:
		k |= 0x7fffffff
	}
	return k
}

// adjacencySlots is how many following claims at a counter count as "right after": the holder's
// next card, with room for one stranger served in between.
const adjacencySlots = 2

type counterClaim struct {
	key uint64
	day int32
	t   int64
	c   int32
}

// pairStat is the co-use of two cards.
type pairStat struct {
	days     int
	lastDay  int32
	provs    map[int32]bool
	sameDiag int
	events   int
	gapSum   float64
	amtDiff  float64
	therapy  int  // events where both claims are scheduled therapy (dialysis, rehabilitation, oncology)
	acute    int  // events where both claims are for an infection (a family catching the same cold)
	outing   bool // linked by use on the same outings (any providers), not at one counter
}

// coUse finds pairs of cards used right after one another at the same counter on several days,
// with the surprise of that co-use given how often each card visits the counter.
func coUse(d *dataset.Claims, o Options) (map[[2]int32]*pairStat, map[[2]int32]float64) {
	classes := d.DiagClasses()
	var recs []counterClaim
	for c := int32(0); int(c) < d.NClaims(); c++ {
		if d.CType[c] == dataset.Inpatient {
			continue // admissions are not served at a counter one after another
		}
		recs = append(recs, counterClaim{counterKey(d, c), d.Day(c), d.CStart[c], c})
	}
	slices.SortFunc(recs, func(a, b counterClaim) int {
		if x := cmp.Compare(a.key, b.key); x != 0 {
			return x
		}
		if x := cmp.Compare(a.t, b.t); x != 0 {
			return x
		}
		return cmp.Compare(a.c, b.c)
	})
	window := int64(o.TogetherMinutes) * 60
	type kd struct {
		key uint64
		day int32
	}
	// Pass 1: every adjacent pair as (pair, day), sorted, to find the pairs seen on enough days
	// without a map entry for each of the millions seen once.
	type ev struct {
		pair uint64
		day  int32
	}
	var evs []ev
	eachAdjacent := func(fn func(a, b counterClaim)) {
		for lo := 0; lo < len(recs); {
			hi := lo
			for hi < len(recs) && recs[hi].key == recs[lo].key && recs[hi].day == recs[lo].day {
				hi++
			}
			for i := lo; i < hi; i++ {
				for j := i + 1; j < min(hi, i+1+adjacencySlots); j++ {
					if recs[j].t-recs[i].t > window {
						break
					}
					if d.CPat[recs[i].c] != d.CPat[recs[j].c] {
						fn(recs[i], recs[j])
					}
				}
			}
			lo = hi
		}
	}
	pairOf := func(a, b counterClaim) uint64 {
		pa, pb := d.CPat[a.c], d.CPat[b.c]
		return uint64(uint32(min(pa, pb)))<<32 | uint64(uint32(max(pa, pb)))
	}
	eachAdjacent(func(a, b counterClaim) { evs = append(evs, ev{pairOf(a, b), a.day}) })
	slices.SortFunc(evs, func(a, b ev) int {
		if c := cmp.Compare(a.pair, b.pair); c != 0 {
			return c
		}
		return cmp.Compare(a.day, b.day)
	})
	pairs := map[[2]int32]*pairStat{}
	for lo := 0; lo < len(evs); {
		hi, days := lo, 0
		for hi < len(evs) && evs[hi].pair == evs[lo].pair {
			if hi == lo || evs[hi].day != evs[hi-1].day {
				days++
			}
			hi++
		}
		if days >= o.MinCoUseDays {
			k := [2]int32{int32(evs[lo].pair >> 32), int32(uint32(evs[lo].pair))}
			pairs[k] = &pairStat{provs: map[int32]bool{}, lastDay: math.MinInt32}
		}
		lo = hi
	}
	evs = nil
	// Pass 2: the details of the kept pairs, and n per counter-day for the null.
	dayN := map[kd]int32{}
	for lo := 0; lo < len(recs); {
		hi := lo
		for hi < len(recs) && recs[hi].key == recs[lo].key && recs[hi].day == recs[lo].day {
			hi++
		}
		dayN[kd{recs[lo].key, recs[lo].day}] = int32(hi - lo)
		lo = hi
	}
	eachAdjacent(func(a, b counterClaim) {
		p := pairOf(a, b)
		s := pairs[[2]int32{int32(p >> 32), int32(uint32(p))}]
		if s == nil {
			return
		}
		if s.lastDay != a.day {
			s.days++
			s.lastDay = a.day
		}
		s.events++
		s.provs[d.CProv[a.c]] = true
		if d.CDiag[a.c] >= 0 && d.CDiag[a.c] == d.CDiag[b.c] {
			s.sameDiag++
		}
		s.gapSum += float64(b.t-a.t) / 60
		if x, y := float64(d.CTotal[a.c]), float64(d.CTotal[b.c]); x+y > 0 {
			s.amtDiff += math.Abs(x-y) / ((x + y) / 2)
		}
		if therapy(d, classes, a.c) && therapy(d, classes, b.c) {
			s.therapy++
		}
		if acute(d, classes, a.c) && acute(d, classes, b.c) {
			s.acute++
		}
	})
	// Null for the kept pairs: two cards visiting a counter on days drawn independently share
	// v_a·v_b/D days of it (D the counter's active days), and on a shared day are within the
	// window of each other with probability about 2·window/opening hours (12 h).
	activeDays := map[uint64]float64{}
	for k := range dayN {
		activeDays[k.key]++
	}
	within := math.Min(1, 2*float64(window)/(12*3600))
	surprise := map[[2]int32]float64{}
	visits := func(p int32) map[uint64]float64 {
		m := map[uint64]float64{}
		seen := map[kd]bool{}
		for _, c := range d.ClaimsOf(p) {
			if d.CType[c] == dataset.Inpatient {
				continue
			}
			x := kd{counterKey(d, c), d.Day(c)}
			if !seen[x] {
				seen[x] = true
				m[x.key]++
			}
		}
		return m
	}
	for k, s := range pairs {
		va, vb := visits(k[0]), visits(k[1])
		var e float64
		for key, na := range va {
			if nb := vb[key]; nb > 0 {
				e += math.Min(na, na*nb/activeDays[key]) * within
			}
		}
		surprise[k] = finding.PoissonSurprise(s.days, e)
	}
	return pairs, surprise
}

// linked reports whether a pair's co-use links its cards: a counter surprise (per pair, not
// corrected) of 3, or an outing surprise (corrected for the phones tested) of 2.
func linked(s *pairStat, sp float64) bool {
	if s != nil && s.outing {
		return sp >= 2
	}
	return sp >= 3
}

// holderGroups links cards whose co-use is surprising (linked) and scores the connected
// groups of at most MaxGroupCards cards.
func holderGroups(d *dataset.Claims, o Options, card map[int32]*hits, minScore float64) []finding.Candidate {
	pairs, surprise := coUse(d, o)
	outingCoUse(d, o, pairs, surprise)
	parent := map[int32]int32{}
	var find func(int32) int32
	find = func(x int32) int32 {
		p, ok := parent[x]
		if !ok || p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	keys := make([][2]int32, 0, len(surprise))
	for k, s := range surprise {
		if linked(pairs[k], s) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b [2]int32) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	for _, k := range keys {
		a, b := find(k[0]), find(k[1])
		if a != b {
			parent[max(a, b)] = min(a, b)
		}
		if _, ok := parent[k[0]]; !ok {
			parent[k[0]] = k[0]
		}
		if _, ok := parent[k[1]]; !ok {
			parent[k[1]] = k[1]
		}
	}
	groups := map[int32][]int32{}
	for x := range parent {
		r := find(x)
		groups[r] = append(groups[r], x)
	}
	roots := make([]int32, 0, len(groups))
	for r := range groups {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	var out []finding.Candidate
	for _, r := range roots {
		g := groups[r]
		if len(g) < 2 || len(g) > o.MaxGroupCards {
			continue
		}
		slices.Sort(g)
		if c, ok := scoreGroup(d, o, g, pairs, surprise, card, minScore); ok {
			out = append(out, c)
		}
	}
	return out
}

// scoreGroup scores one holder group.
func scoreGroup(d *dataset.Claims, o Options, g []int32, pairs map[[2]int32]*pairStat, surprise map[[2]int32]float64, card map[int32]*hits, minScore float64) (finding.Candidate, bool) {
	var best, days, coord float64
	var events, sameDiag, ther, acu int
	var gapSum, amtDiff float64
	provs := map[int32]bool{}
	nLinked, outings := 0, 0
	for i, a := range g {
		for _, b := range g[i+1:] {
			k := [2]int32{a, b}
			s := pairs[k]
			if s == nil {
				continue
			}
			if sp := surprise[k]; linked(s, sp) {
				nLinked++
				best = math.Max(best, sp)
				// Counter surprises are per pair (threshold 3, not corrected); outing ones are
				// already corrected for the phones tested.
				c := 1 - math.Exp(-math.Max(0, sp-3)/4)
				if s.outing {
					outings++
					c = 1 - math.Exp(-(sp+1)/4)
				}
				coord = math.Max(coord, c)
			}
			days = math.Max(days, float64(s.days))
			events += s.events
			sameDiag += s.sameDiag
			ther += s.therapy
			acu += s.acute
			gapSum += s.gapSum
			amtDiff += s.amtDiff
			for p := range s.provs {
				provs[p] = true
			}
		}
	}
	if events == 0 {
		return finding.Candidate{}, false
	}
	ev := float64(events)
	diagShare := float64(sameDiag) / ev
	meanGap := gapSum / ev
	meanAmtDiff := amtDiff / ev
	// Impersonation evidence on the group's cards.
	misfitCards := 0
	for _, p := range g {
		if h := card[p]; h != nil && h.weight() >= 0.35 {
			misfitCards++
		}
	}
	misfit := float64(misfitCards) / float64(len(g))
	// Contacts: one phone on cards of different addresses is the holder's; one address is a
	// household.
	phoneNoAddr, sameAddr := 0.0, 0.0
	nPairs := float64(len(g) * (len(g) - 1) / 2)
	for i, a := range g {
		for _, b := range g[i+1:] {
			sp := d.PatPhone[a] >= 0 && d.PatPhone[a] == d.PatPhone[b]
			sa := d.PatAddr[a] >= 0 && d.PatAddr[a] == d.PatAddr[b]
			if sa {
				sameAddr++
			} else if sp {
				phoneNoAddr++
			}
		}
	}
	sameAddr /= nPairs
	phoneNoAddr /= nPairs
	// A household has its clinic and its pharmacy; a holder goes wherever the cards pay.
	multiProv := finding.Clamp01(float64(len(provs)-2) / 2)
	// Patients of one therapy course are booked into consecutive slots every day.
	therapyShare := float64(ther) / ev
	// A family at one address with diagnoses that fit each owner is a household wherever it
	// goes; most of all at its own clinic and pharmacy, or where an infection they share takes
	// them. A holder's cards carry the holder's condition (misfit diagnoses) or the holder's
	// phone on cards of different addresses.
	acuteShare := float64(acu) / ev
	household := sameAddr * (1 - misfit) * math.Max(1-0.5*multiProv, acuteShare)
	// Cards used one after another mostly for the same infection are people who caught it
	// together (a couple, a family whose address is missing from the export, colleagues):
	// a holder's cards carry the holder's own complaints, whatever the season.
	household = math.Max(household, 0.8*acuteShare*(1-misfit))
	support := finding.NoisyOr(0.5*misfit, 0.35*diagShare, 0.3*finding.Clamp01(1-meanAmtDiff/0.25), 0.4*phoneNoAddr, 0.35*multiProv, 0.2*finding.Clamp01((5-meanGap)/5))
	score := coord * (1 - 0.85*household) * (1 - 0.9*therapyShare) * (0.55 + 0.45*support)
	if score < minScore {
		return finding.Candidate{}, false
	}
	var fund int64
	claims := 0
	for _, p := range g {
		for _, c := range d.ClaimsOf(p) {
			if provs[d.CProv[c]] {
				fund += d.CFund[c]
				claims++
			}
		}
	}
	var reasons []graph.Reason
	if outings*2 > nLinked {
		reasons = append(reasons, finding.Reason("cards_used_on_outings", coord, map[string]float64{
			"cards": float64(len(g)), "days": days, "providers": float64(len(provs)), "surprise": finding.Round4(best),
			"mean_gap_minutes": finding.Round4(meanGap), "minutes": outingMinutes},
			"%[1]d 张登记同一电话的卡在同一趟出行中先后使用（%[2]d 家机构，平均相隔 %.0[3]f 分钟），最多的一对在 %.0[4]f 个不同日期如此（随机概率约 10^-%.1[5]f）",
			"%[1]d cards registered with one phone were used on the same outings (%[2]d providers, %.0[3]f minutes apart on average), the most frequent pair on %.0[4]f different days (probability about 10^-%.1[5]f by chance)",
			len(g), len(provs), meanGap, days, best))
	} else {
		reasons = append(reasons, finding.Reason("cards_used_together", coord, map[string]float64{
			"cards": float64(len(g)), "days": days, "providers": float64(len(provs)), "surprise": finding.Round4(best),
			"mean_gap_minutes": finding.Round4(meanGap), "minutes": float64(o.TogetherMinutes)},
			"%[1]d 张卡在 %[2]d 家机构同一窗口一张接一张使用（平均间隔 %.1[3]f 分钟），最多的一对在 %.0[4]f 个不同日期如此（随机概率约 10^-%.1[5]f）",
			"%[1]d cards were used one after another at the same counter at %[2]d providers (%.1[3]f minutes apart on average), the most frequent pair on %.0[4]f different days (probability about 10^-%.1[5]f by chance)",
			len(g), len(provs), meanGap, days, best))
	}
	add := func(w float64, code string, vals map[string]float64, zh, en string, args ...any) {
		if w > 0.005 {
			reasons = append(reasons, finding.Reason(code, w, vals, zh, en, args...))
		}
	}
	add(0.5*misfit, "impersonation_evidence", map[string]float64{"cards": float64(misfitCards)},
		"%d 张卡存在冒用迹象（诊断与持卡人不符、住院期间他处就诊或不可能的异地往返）", "%d cards show impersonation evidence (diagnosis not fitting the owner, claims elsewhere during a stay, or impossible travel)", misfitCards)
	add(0.35*diagShare, "same_diagnosis", map[string]float64{"share": finding.Round4(diagShare)},
		"%.0f%% 的相邻结算诊断相同", "%.0f%% of the back-to-back claims carry the same diagnosis", 100*diagShare)
	add(0.4*phoneNoAddr, "shared_phone_other_address", map[string]float64{"share": finding.Round4(phoneNoAddr)},
		"%.0f%% 的卡两两登记同一电话但住址不同（持卡人的电话）", "%.0f%% of card pairs share a phone but not an address (the holder's phone)", 100*phoneNoAddr)
	add(0.35*multiProv, "several_providers", map[string]float64{"providers": float64(len(provs))},
		"在 %d 家不同机构一起使用", "used together at %d different providers", len(provs))
	add(0.9*therapyShare, "scheduled_therapy", map[string]float64{"share": finding.Round4(therapyShare)},
		"%.0f%% 的相邻结算是透析、康复等定期治疗的相邻预约（降低得分）", "%.0f%% of the back-to-back claims are neighbouring appointments of a scheduled therapy (lowers the score)", 100*therapyShare)
	add(0.85*household, "shared_household", map[string]float64{"share": finding.Round4(sameAddr)},
		"这些卡同一住址、诊断各自相符、只在常去的机构使用：像一家人（降低得分）", "the cards share an address, their diagnoses fit each owner and they are used at their usual providers: like one household (lowers the score)")
	finding.SortReasons(reasons)
	refs := make([]graph.Ref, 0, len(g)+len(provs))
	for _, p := range g {
		refs = append(refs, d.PatRef(p))
	}
	pv := finding.SortedKeys(provs)
	credit := make([]float64, len(pv))
	for i, x := range pv {
		refs = append(refs, d.ProvRef(x))
		credit[i] = 0.2
	}
	return finding.Candidate{Pats: g, Provs: pv, ProvCredit: credit, Ring: graph.Ring{
		ID: finding.ID(graph.KindCardLending, refs), Kind: graph.KindCardLending, Score: finding.Round4(score),
		Members: refs, Amount: graph.Money(fund), Claims: claims, Region: d.RegionOf(pv[0]), Reasons: reasons,
	}}, true
}

// therapy reports whether claim c is a scheduled therapy session by its lines or diagnosis.
func therapy(d *dataset.Claims, classes []dataset.DiagClass, c int32) bool {
	if d.CItems[c].Therapy() {
		return true
	}
	if dg := d.CDiag[c]; dg >= 0 {
		switch classes[dg] {
		case dataset.DiagDialysis, dataset.DiagRehab, dataset.DiagOncology:
			return true
		}
	}
	return false
}

// acute reports whether claim c is for an acute infection.
func acute(d *dataset.Claims, classes []dataset.DiagClass, c int32) bool {
	dg := d.CDiag[c]
	return dg >= 0 && classes[dg] == dataset.DiagAcuteInfection
}
