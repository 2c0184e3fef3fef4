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
	chronic  int  // events where both claims carry one chronic diagnosis (a clinic's chronic day)
	course   int  // events where both cards also came to that provider the day before or after
	outing   bool // linked by use on the same outings (any providers), not at one counter
	cross    bool // linked by outings at different providers (crossoutings.go), not by a phone
	apart    int  // events whose two claims were made at different providers
}

// coUse finds pairs of cards used right after one another at the same counter on several days,
// with the surprise of that co-use given how often each card visits the counter.
func coUse(d *dataset.Claims, o Options) (map[[2]int32]*pairStat, map[[2]int32]float64) {
	classes := d.DiagClasses()
	recs := make([]counterClaim, 0, d.NClaims())
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
	var evs []ev // counted first: tens of millions at a million patients, grown by appending they cost a copy each doubling
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
	n := 0
	eachAdjacent(func(counterClaim, counterClaim) { n++ })
	evs = make([]ev, 0, n)
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
		if sameChronic(d, classes, a.c, b.c) {
			s.chronic++
		}
		if onCourse(d, a.c) && onCourse(d, b.c) {
			s.course++
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
	// The cross-provider outings read only the claims: they are found while the counter co-use
	// is counted, and linked after the phone outings, in that order.
	var amb *ambulatory
	var cross []outingLink
	done := make(chan struct{})
	go func() {
		defer close(done)
		amb = ambulatoryIndex(d)
		cross = crossOutingLinks(d, amb)
	}()
	pairs, surprise := coUse(d, o)
	<-done
	outingCoUse(d, o, amb, pairs, surprise)
	for _, l := range cross {
		linkOuting(pairs, surprise, l.k, l.s, l.sp)
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
	var groups [][]int32
	for _, g := range components(keys) {
		if len(g) <= o.MaxGroupCards {
			groups = append(groups, g)
			continue
		}
		// An oversized component is cards chained by use at busy counters (a collusion ring's
		// sessions, a pharmacy collecting cards), left to those detectors. A holder's cards
		// inside it are linked by outings (a shared phone, or different providers on the same
		// outings), which strangers at one counter are not: keep those.
		in := map[int32]bool{}
		for _, x := range g {
			in[x] = true
		}
		var sub [][2]int32
		for _, k := range keys {
			if in[k[0]] && pairs[k].outing {
				sub = append(sub, k)
			}
		}
		groups = append(groups, components(sub)...)
	}
	var out []finding.Candidate
	for _, g := range groups {
		if len(g) < 2 || len(g) > o.MaxGroupCards {
			continue
		}
		if c, ok := scoreGroup(d, o, g, pairs, surprise, card, minScore); ok {
			out = append(out, c)
		}
	}
	return out
}

// components returns the connected components of the cards linked by keys, each sorted, in
// the order of their smallest card.
func components(keys [][2]int32) [][]int32 {
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
	for _, k := range keys {
		for _, x := range k {
			if _, ok := parent[x]; !ok {
				parent[x] = x
			}
		}
		a, b := find(k[0]), find(k[1])
		if a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	byRoot := map[int32][]int32{}
	for x := range parent {
		r := find(x)
		byRoot[r] = append(byRoot[r], x)
	}
	roots := make([]int32, 0, len(byRoot))
	for r := range byRoot {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	out := make([][]int32, 0, len(roots))
	for _, r := range roots {
		g := byRoot[r]
		slices.Sort(g)
		out = append(out, g)
	}
	return out
}

// scoreGroup scores one holder group.
func scoreGroup(d *dataset.Claims, o Options, g []int32, pairs map[[2]int32]*pairStat, surprise map[[2]int32]float64, card map[int32]*hits, minScore float64) (finding.Candidate, bool) {
	var best, days, coord float64
	var events, sameDiag, ther, acu, apart, chron, course int
	var gapSum, amtDiff float64
	provs := map[int32]bool{}
	nLinked, outings, crosses := 0, 0, 0
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
				if s.cross {
					crosses++
				}
				coord = math.Max(coord, c)
			}
			days = math.Max(days, float64(s.days))
			events += s.events
			sameDiag += s.sameDiag
			ther += s.therapy
			acu += s.acute
			apart += s.apart
			chron += s.chronic
			course += s.course
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
	// A household goes to its clinic together; cards that keep meeting on outings at
	// different providers are carried from one to the next.
	apartShare := float64(apart) / ev
	household *= 1 - 0.7*apartShare
	// Cards linked by outings at different providers were linked as triangles, three cards
	// meeting pairwise (crossoutings.go): the group-level evidence that stands for a holder, as
	// the holder's phone does for a phone's set.
	across := crosses*2 > nLinked
	triangles := 0.0
	if across {
		triangles = 1
	}
	support := finding.NoisyOr(0.5*misfit, 0.35*diagShare, 0.3*finding.Clamp01(1-meanAmtDiff/0.25), 0.4*phoneNoAddr, 0.35*multiProv, 0.2*finding.Clamp01((5-meanGap)/5), 0.2*triangles)
	// Patients of one clinic's chronic day (复诊日) are served one after another for the same
	// chronic condition, at that clinic only; a holder's cards go wherever they pay.
	cohort := 0.0
	if len(provs) == 1 {
		cohort = float64(chron) / ev * (1 - misfit)
	}
	// Patients of one course of treatment (physiotherapy, acupuncture, injections) come to the
	// provider day after day and are booked into neighbouring slots; a holder's cards are used
	// on outings weeks apart. Only a course at its own provider counts: when the co-use spreads
	// over several providers, day-after-day visits are not a booking.
	courseShare := 0.0
	if len(provs) <= 2 {
		courseShare = float64(course) / ev * (1 - misfit)
	}
	score := coord * (1 - 0.85*household) * (1 - 0.9*therapyShare) * (1 - 0.8*cohort) * (1 - 0.8*courseShare) * (0.55 + 0.45*support)
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
	switch {
	case across:
		reasons = append(reasons, finding.Reason(codeUsedAcross, coord, map[string]float64{
			"cards": float64(len(g)), "days": days, "providers": float64(len(provs)), "surprise": finding.Round4(best),
			"mean_gap_minutes": finding.Round4(meanGap), "minutes": outingMinutes, "apart_share": finding.Round4(apartShare)},
			"%[1]d 张卡两两多次在同一趟出行中于不同机构先后使用（%[2]d 家机构，平均相隔 %.0[3]f 分钟），最多的一对在 %.0[4]f 个不同日期如此（随机概率约 10^-%.1[5]f）",
			"%[1]d cards were used, pair by pair, on the same outings at different providers (%[2]d providers, %.0[3]f minutes apart on average), the most frequent pair on %.0[4]f different days (probability about 10^-%.1[5]f by chance)",
			len(g), len(provs), meanGap, days, best))
	case outings*2 > nLinked:
		reasons = append(reasons, finding.Reason("cards_used_on_outings", coord, map[string]float64{
			"cards": float64(len(g)), "days": days, "providers": float64(len(provs)), "surprise": finding.Round4(best),
			"mean_gap_minutes": finding.Round4(meanGap), "minutes": outingMinutes},
			"%[1]d 张登记同一电话的卡在同一趟出行中先后使用（%[2]d 家机构，平均相隔 %.0[3]f 分钟），最多的一对在 %.0[4]f 个不同日期如此（随机概率约 10^-%.1[5]f）",
			"%[1]d cards registered with one phone were used on the same outings (%[2]d providers, %.0[3]f minutes apart on average), the most frequent pair on %.0[4]f different days (probability about 10^-%.1[5]f by chance)",
			len(g), len(provs), meanGap, days, best))
	default:
		reasons = append(reasons, finding.Reason(codeUsedTogether, coord, map[string]float64{
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
	add(0.5*misfit, codeImpersonation, map[string]float64{"cards": float64(misfitCards)},
		"%d 张卡存在冒用迹象（诊断与持卡人不符、住院期间他处就诊或不可能的异地往返）", "%d cards show impersonation evidence (diagnosis not fitting the owner, claims elsewhere during a stay, or impossible travel)", misfitCards)
	add(0.35*diagShare, "same_diagnosis", map[string]float64{"share": finding.Round4(diagShare)},
		"%.0f%% 的相邻结算诊断相同", "%.0f%% of the back-to-back claims carry the same diagnosis", 100*diagShare)
	add(0.4*phoneNoAddr, codeHolderPhone, map[string]float64{"share": finding.Round4(phoneNoAddr)},
		"%.0f%% 的卡两两登记同一电话但住址不同（持卡人的电话）", "%.0f%% of card pairs share a phone but not an address (the holder's phone)", 100*phoneNoAddr)
	add(0.2*triangles, "outing_triangles", nil,
		"各卡以三张为一组两两在不同机构的同一趟出行中相遇（三角关系，团伙层面的证据）", "the cards were linked in triangles, three cards meeting pairwise on outings at different providers (evidence on the group as a whole)")
	add(0.35*multiProv, "several_providers", map[string]float64{"providers": float64(len(provs))},
		"在 %d 家不同机构一起使用", "used together at %d different providers", len(provs))
	add(0.9*therapyShare, "scheduled_therapy", map[string]float64{"share": finding.Round4(therapyShare)},
		"%.0f%% 的相邻结算是透析、康复等定期治疗的相邻预约（降低得分）", "%.0f%% of the back-to-back claims are neighbouring appointments of a scheduled therapy (lowers the score)", 100*therapyShare)
	add(0.8*courseShare, "treatment_course", map[string]float64{"share": finding.Round4(courseShare)},
		"%.0f%% 的相邻结算发生在两张卡都连日到同一机构就诊期间：像一个疗程的相邻预约（降低得分）", "%.0f%% of the back-to-back claims fall in runs of daily visits of both cards to that provider: like neighbouring appointments of one course of treatment (lowers the score)", 100*courseShare)
	add(0.8*cohort, "chronic_clinic_day", map[string]float64{"share": finding.Round4(float64(chron) / ev)},
		"%.0f%% 的相邻结算是同一慢性病、只在一家机构：像该机构的慢病复诊日（降低得分）", "%.0f%% of the back-to-back claims are for one chronic condition at a single provider: like that clinic's chronic follow-up day (lowers the score)", 100*float64(chron)/ev)
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

// onCourse reports whether claim c's patient also claimed at c's provider the day before or the
// day after.
func onCourse(d *dataset.Claims, c int32) bool {
	day, prov := d.Day(c), d.CProv[c]
	for _, x := range d.ClaimsOf(d.CPat[c]) {
		if d.CProv[x] == prov {
			if dd := d.Day(x) - day; dd == 1 || dd == -1 {
				return true
			}
		}
	}
	return false
}

// sameChronic reports whether claims a and b carry the same chronic diagnosis.
func sameChronic(d *dataset.Claims, classes []dataset.DiagClass, a, b int32) bool {
	dg := d.CDiag[a]
	return dg >= 0 && dg == d.CDiag[b] && classes[dg] == dataset.DiagChronic
}

// acute reports whether claim c is for an acute infection.
func acute(d *dataset.Claims, classes []dataset.DiagClass, c int32) bool {
	dg := d.CDiag[c]
	return dg >= 0 && classes[dg] == dataset.DiagAcuteInfection
}

// Reason codes of a holder group that tell how its cards were linked and what marks a holder.
const (
	codeUsedTogether  = "cards_used_together"         // the link: one after another at one counter
	codeUsedAcross    = "cards_used_across_providers" // the link: the same outings at different providers
	codeHolderPhone   = "shared_phone_other_address"
	codeImpersonation = "impersonation_evidence"
)

// CounterOnly reports whether holder group c is linked only by use of its cards one after
// another at one counter or on the same outings at different providers, with nothing that marks
// a holder: no phone on cards of different addresses, no diagnosis that misfits an owner. Such a
// group inside a collusion ring reads as the ring's session seen card by card (the members who
// go on to a pharmacy, or to their own clinic, after the session meet "at different providers").
func CounterOnly(c finding.Candidate) bool {
	if len(c.Ring.Reasons) == 0 || (c.Ring.Reasons[0].Code != codeUsedTogether && c.Ring.Reasons[0].Code != codeUsedAcross) {
		return false
	}
	for _, r := range c.Ring.Reasons {
		if r.Code == codeHolderPhone || r.Code == codeImpersonation {
			return false
		}
	}
	return true
}
