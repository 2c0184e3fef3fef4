package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// ringPlan is one collusion ring's drawn parameters: where it works, who is in it, when it
// meets and what it bills. The collusion patterns differ in how they fill it and how a session
// is held.
type ringPlan struct {
	ri      int
	prov    int32
	doctors []int32
	members []int32
	median  float64 // fen, the ring's usual claim
	spread  float64 // relative spread of amounts around median
	items   uint8   // item profile: inflated (extra exams, infusions) or ordinary-looking
	dx      func(int32) int
}

// planRing draws a ring of minSize..maxSize recruited adults at a provider with at least
// nDoc doctors, nDoc of whom collude. It reports false when the region cannot supply five
// members (a tiny world).
func (g *gen) planRing(rng *rand.Rand, minSize, maxSize, nDoc int) (ringPlan, bool) {
	ri := g.pickRegion(rng)
	prov := g.ringProvider(rng, ri, nDoc)
	if prov < 0 {
		return ringPlan{}, false
	}
	size := between(rng, minSize, maxSize)
	members := g.recruit(rng, ri, size, 18, 88, betweenF(rng, 0, 2.5), nil)
	if len(members) < 5 {
		return ringPlan{}, false
	}
	pl := ringPlan{ri: ri, prov: prov, members: members,
		doctors: g.distinctDoctors(rng, prov, nDoc),
		// From the provider's ordinary level (a ring that bills modestly and often) to five
		// times it, within 80 – 800 yuan.
		median: min(80000, max(8000, g.w.providers[prov].outMedian*betweenF(rng, 0.9, 5))),
		spread: betweenF(rng, 0.03, 0.35),
		items:  itemsInflated}
	if rng.Float64() < 0.4 {
		pl.items = itemsOrdinary
	}
	pl.dx = g.dxPicker(rng, pickCodes(rng, vagueDx, between(rng, 1, 4)), members)
	return pl, true
}

func (pl *ringPlan) amount(rng *rand.Rand) func() int64 {
	return func() int64 { return around(rng, pl.median, pl.spread) }
}

// slot draws a session start (minutes after midnight): morning or afternoon clinic hours.
func slot(rng *rand.Rand) int {
	if rng.Float64() < 0.65 {
		return between(rng, 8*60, 10*60+30)
	}
	return between(rng, 14*60, 16*60)
}

// attendees returns the members who come to one session, each with probability p (at least two).
func attendees(rng *rand.Rand, members []int32, p float64) []int32 {
	var out []int32
	for _, m := range members {
		if rng.Float64() < p {
			out = append(out, m)
		}
	}
	for len(out) < 2 && len(members) >= 2 {
		out = append(out, members[rng.IntN(len(members))])
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

// recordRing records a collusion ring: patients, the colluding doctors and the provider when
// it is private.
func (g *gen) recordRing(pattern string, pl ringPlan, note string) {
	g.addFraud(group{pattern: pattern, kind: graph.KindCollusionRing, patients: pl.members,
		doctors: pl.doctors, provs: []int32{pl.prov}, note: note,
		fraudDoctors: pl.doctors, fraudProvs: g.colluders(pl.prov)}, false)
}

func oneDoctor(d int32) func(int, int32) int32 { return func(int, int32) int32 { return d } }

// fixedRing: a recruiter brings the same group to one colluding doctor on scattered days; the
// members arrive together within a short window (串通就医, 虚构医疗服务 with real cards).
func (g *gen) fixedRing(rng *rand.Rand) {
	pl, ok := g.planRing(rng, 5, 30, 1)
	if !ok {
		return
	}
	n := between(rng, 6, 24)
	att := betweenF(rng, 0.7, 1)
	window := between(rng, 15, 90)
	days := sessionDays(rng, n, 0, g.cfg.Days, 2)
	for _, d := range days {
		g.session(rng, pl.prov, d, slot(rng), window, attendees(rng, pl.members, att), oneDoctor(pl.doctors[0]), pl.dx, pl.amount(rng), pl.items)
	}
	g.recordRing("fixed_ring", pl, fmt.Sprintf("%d members, %d sessions, attendance %.2f, window %d min, 1 doctor, median %.0f yuan", len(pl.members), len(days), att, window, pl.median/100))
}

// twoDoctorSessions: the ring's sessions are shared between two or three doctors of one
// clinic (each member keeps "their" doctor, or the arrivals are split, or assigned at random).
func (g *gen) twoDoctorSessions(rng *rand.Rand) {
	nd := between(rng, 2, 3)
	pl, ok := g.planRing(rng, 6, 30, nd)
	if !ok || len(pl.doctors) < 2 {
		return
	}
	n := between(rng, 6, 22)
	att := betweenF(rng, 0.6, 0.95)
	window := between(rng, 20, 120)
	mode := []string{"per_member", "split", "random"}[rng.IntN(3)]
	own := map[int32]int32{}
	for _, m := range pl.members {
		own[m] = pl.doctors[rng.IntN(len(pl.doctors))]
	}
	days := sessionDays(rng, n, 0, g.cfg.Days, 2)
	for _, d := range days {
		a := attendees(rng, pl.members, att)
		doc := func(i int, p int32) int32 {
			switch mode {
			case "per_member":
				return own[p]
			case "split":
				return pl.doctors[i*len(pl.doctors)/len(a)]
			}
			return pl.doctors[rng.IntN(len(pl.doctors))]
		}
		g.session(rng, pl.prov, d, slot(rng), window, a, doc, pl.dx, pl.amount(rng), pl.items)
	}
	g.recordRing("two_doctor_sessions", pl, fmt.Sprintf("%d members, %d sessions, %d doctors (%s), attendance %.2f, window %d min", len(pl.members), len(days), len(pl.doctors), mode, att, window))
}

// rotatingAttendance: a large ring of which each session brings a different handful, so that
// any two members meet rarely although the ring as a whole keeps coming.
func (g *gen) rotatingAttendance(rng *rand.Rand) {
	pl, ok := g.planRing(rng, 10, 30, between(rng, 1, 2))
	if !ok {
		return
	}
	n := between(rng, 12, 36)
	lo := between(rng, 3, 5)
	hi := min(len(pl.members), between(rng, 6, 10))
	window := between(rng, 20, 90)
	days := sessionDays(rng, n, 0, g.cfg.Days, 1)
	for _, d := range days {
		k := between(rng, lo, max(lo, hi))
		a := slices.Clone(pl.members)
		rng.Shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
		a = a[:min(k, len(a))]
		doc := func(int, int32) int32 { return pl.doctors[rng.IntN(len(pl.doctors))] }
		g.session(rng, pl.prov, d, slot(rng), window, a, doc, pl.dx, pl.amount(rng), pl.items)
	}
	g.recordRing("rotating_attendance", pl, fmt.Sprintf("%d members, %d sessions of %d-%d, %d doctor(s), window %d min", len(pl.members), len(days), lo, hi, len(pl.doctors), window))
}

// fixedCadenceRing: the ring meets at a fixed interval (every 7-20 days) in the same slot, like
// a therapy shift, billing the same vague diagnoses.
func (g *gen) fixedCadenceRing(rng *rand.Rand) {
	pl, ok := g.planRing(rng, 5, 28, between(rng, 1, 2))
	if !ok {
		return
	}
	interval := between(rng, 7, 20)
	first := rng.IntN(max(1, g.cfg.Days/3))
	n := between(rng, 8, 26)
	att := betweenF(rng, 0.7, 0.97)
	start := slot(rng)
	window := between(rng, 15, 60)
	sessions := 0
	for d := first; d < g.cfg.Days && sessions < n; d += interval {
		doc := func(int, int32) int32 { return pl.doctors[rng.IntN(len(pl.doctors))] }
		g.session(rng, pl.prov, d, start+rng.IntN(21)-10, window, attendees(rng, pl.members, att), doc, pl.dx, pl.amount(rng), pl.items)
		sessions++
	}
	g.recordRing("fixed_cadence_ring", pl, fmt.Sprintf("%d members, every %d days × %d, attendance %.2f, %d doctor(s)", len(pl.members), interval, sessions, att, len(pl.doctors)))
}

// spreadArrivals: members are told to come "some time on" the session day, or over two or
// three adjacent days, so that they never arrive together.
func (g *gen) spreadArrivals(rng *rand.Rand) {
	pl, ok := g.planRing(rng, 5, 30, between(rng, 1, 3))
	if !ok {
		return
	}
	n := between(rng, 6, 20)
	span := between(rng, 1, 3)
	att := betweenF(rng, 0.6, 0.95)
	days := sessionDays(rng, n, 0, g.cfg.Days-3, span+2)
	for _, d := range days {
		for _, p := range attendees(rng, pl.members, att) {
			dd := d + rng.IntN(span)
			if !g.free(p, dd) {
				continue
			}
			k := g.w.providers[pl.prov].kind
			x := pl.dx(p)
			g.visit(p, pl.prov, pl.doctors[rng.IntN(len(pl.doctors))], ctOutpatient, outpatientTime(rng, dd, k), x, around(rng, pl.median, pl.spread), pl.items, isChronicDx(x))
		}
	}
	g.recordRing("spread_arrivals", pl, fmt.Sprintf("%d members, %d sessions spread over %d day(s), attendance %.2f, %d doctor(s)", len(pl.members), len(days), span, att, len(pl.doctors)))
}

// cardLendingGroup: one holder uses their own card and 2-5 borrowed or bought cards (relatives,
// neighbours, elderly villagers), often registered with the holder's phone, at several
// providers; the diagnoses fit the holder, not the owners (转借/冒用社保卡).
func (g *gen) cardLendingGroup(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	holder := g.recruit(rng, ri, 1, 22, 65, 0, nil)
	if len(holder) == 0 {
		return
	}
	h := holder[0]
	hp := &g.w.patients[h]
	lent := g.recruit(rng, ri, between(rng, 2, 5), 0, 90, 0, func(p int32) bool { return g.w.patients[p].house != hp.house })
	if len(lent) < 1 {
		return
	}
	phoneShare := betweenF(rng, 0.3, 1)
	shared := 0
	for _, p := range lent {
		if rng.Float64() < phoneShare {
			g.w.patients[p].phone = hp.phone
			shared++
		}
	}
	cards := append([]int32{h}, lent...)
	// The holder's own ailments, billed on whichever card has balance.
	var dxs []int
	for _, x := range append(slices.Clone(hp.chronic), adultAcute...) {
		if diagTable[x].fits(hp.sex, hp.age) {
			dxs = append(dxs, x)
		}
	}
	// The providers the holder uses: a few pharmacies and clinics around them.
	var provs []int32
	for k := between(rng, 3, 6); k > 0; k-- {
		var p int32
		switch x := rng.Float64(); {
		case x < 0.45:
			p = g.pickProvider(rng, ri, kindPharmacy)
		case x < 0.75:
			p = g.pickProvider(rng, ri, kindClinic, kindCommunity)
		default:
			p = g.pickProvider(rng, ri, kindSecondary, kindTertiary, kindPrivateHosp)
		}
		if p >= 0 && !slices.Contains(provs, p) {
			provs = append(provs, p)
		}
	}
	from := rng.IntN(g.cfg.Days / 2)
	to := min(g.cfg.Days, from+between(rng, 90, 330))
	trips := between(rng, 6, 24)
	used := map[int32]bool{}
	for t := 0; t < trips; t++ {
		d := from + rng.IntN(to-from)
		if !g.free(h, d) {
			continue
		}
		// One outing: 2-4 card uses within a few hours, at one or several providers.
		tm := int(outpatientTime(rng, d, kindClinic)) - d*daySec
		for u := between(rng, 2, 4); u > 0; u-- {
			card := cards[rng.IntN(len(cards))]
			prov := provs[rng.IntN(len(provs))]
			pr := &g.w.providers[prov]
			x := dxs[rng.IntN(len(dxs))]
			doc := int32(-1)
			if pr.kind != kindPharmacy || rng.Float64() < 0.3 {
				doc = g.w.pickDoctor(rng, prov, deptFor(x, hp.age))
			}
			typ, items, amt := ctOutpatient, itemsOrdinary, lognormal(rng, pr.outMedian*1.3, 0.4)
			if pr.kind == kindPharmacy {
				typ, items, amt = ctPharmacy, itemsRefill, lognormal(rng, 18000, 0.5)
			}
			g.visit(card, prov, doc, typ, int32(d*daySec+min(tm, 21*3600)), x, amt, items, isChronicDx(x))
			used[card] = true
			tm += between(rng, 2, 90) * 60
		}
	}
	var members []int32
	for _, c := range cards {
		if used[c] {
			members = append(members, c)
		}
	}
	if len(members) < 2 {
		return
	}
	g.addFraud(group{pattern: "card_lending_group", kind: graph.KindCardLending, patients: members, provs: provs,
		note: fmt.Sprintf("holder %s and %d lent card(s), %d registered with the holder's phone, %d outings at %d providers", hp.id, len(members)-1, shared, trips, len(provs))}, false)
}

// pharmacyCollectionGroups: two or three collectors each hold a stack of cards (8-25) and swipe
// them at one pharmacy, each group on its own days, terminal and hour (聚敛盗刷社保卡); the
// pharmacy pays out cash or goods.
func (g *gen) pharmacyCollectionGroups(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	ph := g.pickProvider(rng, ri, kindPharmacy)
	if ph < 0 {
		return
	}
	pr := &g.w.providers[ph]
	ng := between(rng, 2, 3)
	for k := 0; k < ng; k++ {
		cards := g.recruit(rng, ri, between(rng, 8, 25), 18, 90, betweenF(rng, 0, 2), nil)
		if len(cards) < 3 {
			continue
		}
		term := uint8(1 + (k % pr.terminals))
		hour := []int{8, 9, 12, 13, 19, 20, 21}[rng.IntN(7)]
		cadence := between(rng, 25, 35)
		offset := k * 7
		amount := float64([]int{20000, 30000, 40000, 50000}[rng.IntN(4)])
		exact := rng.Float64() < 0.5
		burst := between(rng, 5, 40)
		swipes := 0
		for d := offset + rng.IntN(10); d < g.cfg.Days; d += cadence + rng.IntN(5) - 2 {
			t := hour*60 + rng.IntN(30)
			offs := arrivals(rng, len(cards), burst)
			for i, c := range cards {
				if !g.free(c, d) || rng.Float64() > 0.9 {
					continue
				}
				amt := int64(amount)
				if !exact {
					amt = around(rng, amount, 0.15)
				}
				dx := -1
				items := itemsGoods
				if ch := g.w.patients[c].chronic; len(ch) > 0 && rng.Float64() < 0.5 {
					dx, items = ch[0], itemsRefill
				}
				ci := g.visit(c, ph, -1, ctPharmacy, int32(d*daySec+t*60+offs[i]), dx, amt, items, dx >= 0)
				g.claims[ci].term = term
				swipes++
			}
		}
		g.addFraud(group{pattern: "pharmacy_collection_groups", kind: graph.KindPharmacyCardCollection, patients: cards,
			provs: []int32{ph}, fraudProvs: []int32{ph},
			note: fmt.Sprintf("group %d of %d at one pharmacy: %d cards swiped on terminal T%02d around %02d:00 every ~%d days within %d min, %d swipes", k+1, ng, len(cards), term, hour, cadence, burst, swipes)}, false)
	}
}

// pharmacyCashout: a pharmacy sells daily goods, food and tonics on the card (刷卡销售生活用品,
// 变现个人账户) to regular customers who come on their own, at round amounts.
func (g *gen) pharmacyCashout(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	ph := g.pickProvider(rng, ri, kindPharmacy)
	if ph < 0 {
		return
	}
	cards := g.recruit(rng, ri, between(rng, 10, 40), 18, 85, 0.5, nil)
	if len(cards) < 2 {
		return
	}
	prices := []int64{9800, 12800, 16800, 19800, 29800, 39800}
	for _, c := range cards {
		for k := between(rng, 3, 10); k > 0; k-- {
			d := rng.IntN(g.cfg.Days)
			if !g.free(c, d) {
				continue
			}
			amt := prices[rng.IntN(len(prices))] * int64(between(rng, 1, 2))
			g.visit(c, ph, -1, ctPharmacy, outpatientTime(rng, d, kindPharmacy), -1, amt, itemsGoods, false)
		}
	}
	g.addFraud(group{pattern: "pharmacy_cashout", kind: graph.KindPharmacyCardCollection, patients: cards,
		provs: []int32{ph}, fraudProvs: []int32{ph},
		note: fmt.Sprintf("%d customers buying goods billed as drugs at round prices, individually", len(cards))}, false)
}
