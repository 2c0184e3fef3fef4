package pharmacy

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// Options are the pharmacy detector's thresholds (JSON names are detection-parameter keys).
type Options struct {
	// BurstGapMinutes: consecutive swipes of distinct cards at most this far apart form a burst.
	BurstGapMinutes int `json:"burst_gap_minutes"`
	// BurstMinCards is the minimum number of distinct cards in a burst.
	BurstMinCards int `json:"burst_min_cards"`
	// OddHourStart and OddHourEnd delimit the odd hours (local time, [start, end) wrapping
	// midnight) in which swipes are suspicious.
	OddHourStart int `json:"odd_hour_start"`
	OddHourEnd   int `json:"odd_hour_end"`
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{BurstGapMinutes: 5, BurstMinCards: 5, OddHourStart: 22, OddHourEnd: 6}
}

// Validate returns an EINVALID *graph.Error naming the first bad field.
func (o Options) Validate() error {
	switch {
	case o.BurstGapMinutes < 1:
		return graph.FieldErrorf("burst_gap_minutes", "burst_gap_minutes 参数无效 (invalid): must be at least 1")
	case o.BurstMinCards < 2:
		return graph.FieldErrorf("burst_min_cards", "burst_min_cards 参数无效 (invalid): must be at least 2")
	case o.OddHourStart < 0 || o.OddHourStart > 23:
		return graph.FieldErrorf("odd_hour_start", "odd_hour_start 参数无效 (invalid): must be an hour 0..23")
	case o.OddHourEnd < 0 || o.OddHourEnd > 23:
		return graph.FieldErrorf("odd_hour_end", "odd_hour_end 参数无效 (invalid): must be an hour 0..23")
	}
	return nil
}

// IsOddHour reports whether hour h is in [start, end), wrapping midnight.
func IsOddHour(h, start, end int) bool {
	if start == end {
		return false
	}
	if start < end {
		return h >= start && h < end
	}
	return h >= start || h < end
}

// burst is one run of swipes at one terminal.
type burst struct {
	claims []int32
	cards  map[int32]bool
	day    int32
}

// burstAmountTolerance is how far (relative) a swipe's amount may be from the median of the
// burst so far and still belong to it: a collector bills each card for about the same basket,
// not the very same sum.
const burstAmountTolerance = 0.15

// median returns the median of xs (not modified).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// swipe is one pharmacy claim: its pharmacy and terminal (key), time, claim and card.
type swipe struct {
	key  int64
	t    int64
	c    int32
	card int32
}

// segment collects, from run[s] on, the swipes whose amount is within burstAmountTolerance of
// the anchor, tolerating two interleaved other sales; with follow the anchor moves to the
// median of the amounts collected. run[s] always belongs. It returns the indexes and amounts.
func segment(d *dataset.Claims, run []swipe, s int, anchor float64, follow bool) ([]int, []float64) {
	seg := []int{s}
	amounts := []float64{float64(d.CTotal[run[s].c])}
	skipped := 0
	for k := s + 1; k < len(run) && skipped <= 2; k++ {
		if a := float64(d.CTotal[run[k].c]); anchor > 0 && math.Abs(a-anchor) <= burstAmountTolerance*anchor {
			seg = append(seg, k)
			amounts = append(amounts, a)
			skipped = 0
			if follow {
				anchor = median(amounts)
			}
		} else {
			skipped++
		}
	}
	return seg, amounts
}

// bursts returns each pharmacy's bursts, by pharmacy.
func bursts(d *dataset.Claims, o Options) map[int32][]burst {
	var recs []swipe
	for c := 0; c < d.NClaims(); c++ {
		if d.ProvKind[d.CProv[c]] != dataset.Pharmacy {
			continue
		}
		key := int64(d.CProv[c]) << 32
		if d.CTerm[c] >= 0 {
			key |= int64(d.CTerm[c] + 1)
		}
		recs = append(recs, swipe{key: key, t: d.CStart[c], c: int32(c), card: d.CPat[c]})
	}
	slices.SortFunc(recs, func(a, b swipe) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return cmp.Compare(a.c, b.c)
	})
	gap := int64(o.BurstGapMinutes) * 60
	per := map[int32][]burst{}
	for lo := 0; lo < len(recs); {
		hi := lo + 1
		for hi < len(recs) && recs[hi].key == recs[lo].key && recs[hi].t-recs[hi-1].t <= gap {
			hi++
		}
		run := recs[lo:hi]
		lo = hi
		if len(run) < o.BurstMinCards {
			continue
		}
		for s := 0; s < len(run); {
			// The segment's anchor follows the median of its amounts; once formed, the
			// segment is taken again around its final median, so that a first swipe at the
			// edge of the basket's range does not decide which swipes belong.
			seg, amounts := segment(d, run, s, float64(d.CTotal[run[s].c]), true)
			if len(seg) > 1 {
				if again, _ := segment(d, run, s, median(amounts), false); len(again) > len(seg) {
					seg = again
				}
			}
			next := seg[len(seg)-1] + 1
			if len(seg) == 1 {
				next = s + 1
			}
			s = next
			cards := map[int32]bool{}
			for _, x := range seg {
				cards[run[x].card] = true
			}
			if len(cards) < o.BurstMinCards {
				continue
			}
			b := burst{cards: cards, day: d.Day(run[seg[0]].c)}
			for _, x := range seg {
				b.claims = append(b.claims, run[x].c)
			}
			pv := int32(run[0].key >> 32)
			per[pv] = append(per[pv], b)
		}
	}
	return per
}

// Detect returns the collection groups of every pharmacy with bursts.
func Detect(d *dataset.Claims, o Options, minScore float64) ([]finding.Candidate, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	per := bursts(d, o)
	pharms := make([]int32, 0, len(per))
	for k := range per {
		pharms = append(pharms, k)
	}
	slices.Sort(pharms)
	var out []finding.Candidate
	collected := map[int32]bool{} // cards of reported collection groups
	for _, pv := range pharms {
		for _, g := range collectionGroups(per[pv]) {
			if c, ok := scoreGroup(d, o, pv, g, minScore); ok {
				out = append(out, c)
				for _, p := range c.Pats {
					collected[p] = true
				}
			}
		}
	}
	return append(out, cashOutGroups(d, collected, minScore)...), nil
}

// group is one set of collected cards with the bursts that swiped them.
type group struct {
	cards  []int32
	bursts []burst
}

// collectionGroups splits a pharmacy's burst cards into groups: cards swiped in the same bursts
// on at least two days belong together. Cards in bursts on one day only stay apart (one-off
// customers caught in a rush).
func collectionGroups(bs []burst) []group {
	together := map[[2]int32]map[int32]bool{}
	for _, b := range bs {
		cs := finding.SortedKeys(b.cards)
		for i, x := range cs {
			for _, y := range cs[i+1:] {
				k := [2]int32{x, y}
				if together[k] == nil {
					together[k] = map[int32]bool{}
				}
				together[k][b.day] = true
			}
		}
	}
	parent := map[int32]int32{}
	var find func(int32) int32
	find = func(x int32) int32 {
		p, ok := parent[x]
		if !ok {
			parent[x] = x
			return x
		}
		if p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	keys := make([][2]int32, 0, len(together))
	for k, days := range together {
		if len(days) >= 2 {
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
	}
	members := map[int32][]int32{}
	for _, k := range keys {
		for _, x := range k {
			r := find(x)
			if !slices.Contains(members[r], x) {
				members[r] = append(members[r], x)
			}
		}
	}
	roots := make([]int32, 0, len(members))
	for r := range members {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	var out []group
	for _, r := range roots {
		cs := members[r]
		slices.Sort(cs)
		in := map[int32]bool{}
		for _, c := range cs {
			in[c] = true
		}
		g := group{cards: cs}
		for _, b := range bs {
			hit := 0
			for c := range b.cards {
				if in[c] {
					hit++
				}
			}
			if 2*hit >= len(b.cards) {
				g.bursts = append(g.bursts, b)
			}
		}
		out = append(out, g)
	}
	return out
}

// scoreGroup scores one collection group at pharmacy pv.
func scoreGroup(d *dataset.Claims, o Options, pv int32, g group, minScore float64) (finding.Candidate, bool) {
	if len(g.cards) < 2 || len(g.bursts) < 2 {
		return finding.Candidate{}, false
	}
	in := map[int32]bool{}
	for _, c := range g.cards {
		in[c] = true
	}
	inBurst := map[int32]bool{}
	var odd, sum, sum2, n float64
	var fund int64
	claims := 0
	cardDays := map[int32]map[int32]bool{}
	for _, b := range g.bursts {
		for _, c := range b.claims {
			if !in[d.CPat[c]] {
				continue
			}
			inBurst[c] = true
			if IsOddHour(d.Hour(c), o.OddHourStart, o.OddHourEnd) {
				odd++
			}
			a := float64(d.CTotal[c])
			sum += a
			sum2 += a * a
			n++
			fund += d.CFund[c]
			claims++
			p := d.CPat[c]
			if cardDays[p] == nil {
				cardDays[p] = map[int32]bool{}
			}
			cardDays[p][b.day] = true
		}
	}
	odd /= n
	mean := sum / n
	cv := 0.0
	if mean > 0 {
		cv = math.Sqrt(math.Max(sum2/n-mean*mean, 0)) / mean
	}
	strangers, recurring := 0.0, 0.0
	for _, p := range g.cards {
		stranger := true
		for _, c := range d.ClaimsOf(p) {
			if d.CProv[c] == pv && !inBurst[c] {
				stranger = false
				break
			}
		}
		if stranger {
			strangers++
		}
		if len(cardDays[p]) >= 2 {
			recurring++
		}
	}
	strangers /= float64(len(g.cards))
	recurring /= float64(len(g.cards))
	sim := finding.Clamp01(1 - cv/0.3)
	volume := math.Min(1, float64(len(g.bursts)-1)/4)
	score := math.Pow(finding.Clamp01((0.3+0.7*recurring)*finding.NoisyOr(0.5*sim, 0.45*odd, 0.35*strangers, 0.3*volume)), 0.7)
	if score < minScore {
		return finding.Candidate{}, false
	}
	vals := map[string]float64{"bursts": float64(len(g.bursts)), "cards": float64(len(g.cards)), "claims": float64(claims),
		"odd_hour_share": finding.Round4(odd), "amount_cv": finding.Round4(cv), "stranger_share": finding.Round4(strangers), "gap_minutes": float64(o.BurstGapMinutes)}
	reasons := []graph.Reason{finding.Reason("swipe_bursts", score, vals,
		"同一终端 %d 次连刷（间隔不超过 %d 分钟），同一批 %d 张卡、%d 笔结算",
		"%d bursts on one terminal (swipes at most %d minutes apart) of one set of %d cards, %d claims", len(g.bursts), o.BurstGapMinutes, len(g.cards), claims)}
	if odd > 0 {
		reasons = append(reasons, finding.Reason("odd_hours", 0.5*odd, map[string]float64{"share": finding.Round4(odd)},
			"%.0f%% 的连刷发生在非营业时段（%d 点至 %d 点）", "%.0f%% of the burst swipes were at odd hours (%d:00–%d:00)", 100*odd, o.OddHourStart, o.OddHourEnd))
	}
	reasons = append(reasons, finding.Reason("recurring_cards", 0.7*recurring, map[string]float64{"share": finding.Round4(recurring)},
		"%.0f%% 的卡在不同日期的连刷中反复出现", "%.0f%% of the cards recur in bursts on different days", 100*recurring))
	reasons = append(reasons, finding.Reason("similar_amounts", 0.35*sim, map[string]float64{"cv": finding.Round4(cv)},
		"连刷金额高度相近（变异系数 %.2f）", "burst amounts are very similar (coefficient of variation %.2f)", cv))
	if strangers > 0 {
		reasons = append(reasons, finding.Reason("stranger_cards", 0.5*strangers, map[string]float64{"share": finding.Round4(strangers)},
			"%.0f%% 的卡除连刷外从未在该药店消费", "%.0f%% of the cards never visit this pharmacy outside the bursts", 100*strangers))
	}
	finding.SortReasons(reasons)
	refs := make([]graph.Ref, 0, len(g.cards)+1)
	for _, p := range g.cards {
		refs = append(refs, d.PatRef(p))
	}
	refs = append(refs, d.ProvRef(pv))
	return finding.Candidate{Pats: g.cards, Provs: []int32{pv}, Ring: graph.Ring{
		ID: finding.ID(graph.KindPharmacyCardCollection, refs), Kind: graph.KindPharmacyCardCollection, Score: finding.Round4(score),
		Members: refs, Amount: graph.Money(fund), Claims: claims, Region: d.RegionOf(pv), Reasons: reasons,
	}}, true
}
