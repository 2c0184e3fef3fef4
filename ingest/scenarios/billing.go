package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// Billing-line violations (费用明细违规) against the bureau's rule tables (rules.go,
// docs/billing-rules.md), and honest billing that resembles them.
//
// These patterns were added after the late stage, so they run as a third stage after it, each
// on its own stream, and they only add: new visits and stays whose lines are drawn here, when
// the claim is planted (itemsExplicit), numbered after every earlier claim and written without
// drawing from the item streams. A claim is placed only on a day on which the patient has no
// other claim and no stay nearby (gen.clear), so its lines are the only ones of the day: a
// violation is exactly the lines planted for it, and the look-alikes break no rule. One fraud
// instance is one provider and one rule family, recorded as a lead (kind billing_rule) with the
// patients whose claims carry the violating lines.

// billingPatterns plants its look-alikes first: they need providers tied to no fraud, which
// the fraud patterns (preferring those too, then providers already tied to fraud) would
// otherwise use up at high fraud scales. A fraud instance never uses a billing look-alike's
// provider, so the look-alikes' members stay honest.
var billingPatterns = []pattern{
	{"package_without_components", false, 1, (*gen).packageWithoutComponents},
	{"two_providers_one_day", false, 1, (*gen).twoProvidersOneDay},
	{"long_stay_daily_bed", false, 0.8, (*gen).longStayDailyBed},
	{"expensive_chronic_refills", false, 0.8, (*gen).expensiveChronicRefills},
	{"high_value_implants", false, 0.8, (*gen).highValueImplants},
	{"priced_at_maximum", false, 0.8, (*gen).pricedAtMaximum},

	{"overcharge", true, 1, (*gen).overcharge},
	{"unbundling", true, 0.8, (*gen).unbundling},
	{"duplicate_daily_charge", true, 0.8, (*gen).duplicateDailyCharge},
	{"sex_or_age_mismatch", true, 0.6, (*gen).sexOrAgeMismatch},
	{"excessive_quantity", true, 0.6, (*gen).excessiveQuantity},
	{"mutually_exclusive_pair", true, 0.6, (*gen).mutuallyExclusivePair},
}

// billState is the billing stage's state.
type billState struct {
	// leads holds, per fraud pattern, the providers that already carry its lead (one lead per
	// provider and rule family); lookProv the providers of billing look-alikes.
	leads    map[string]map[int32]bool
	lookProv map[int32]bool
}

func (g *gen) beginBilling() {
	g.bt = &billState{leads: map[string]map[int32]bool{}, lookProv: map[int32]bool{}}
	g.lines = map[claimKey][]itemLine{}
	g.stage = stageBilling
}

func line(it catalogueItem, qty int) itemLine { return itemLine{it, int64(qty)} }

// at10 rounds fen to the jiao.
func at10(x float64) int64 { return (int64(x) + 5) / 10 * 10 }

// billPlan is one claim drawn but not yet planted; an instance plants its claims only when it
// is complete, so that a failed draw leaves no claim without truth.
type billPlan struct {
	p, prov, doc int32
	start, end   int32 // end: stays only
	dx           int
	lines        []itemLine
	stay         bool
	chronic      bool
	bad          bool // carries the violating lines
}

// planner collects an instance's claims and the days they take per patient.
type planner struct {
	g     *gen
	plans []billPlan
	taken map[int32][][2]int
}

func (g *gen) planner() *planner { return &planner{g: g, taken: map[int32][][2]int{}} }

// free reports whether patient p can be given a claim on days [a, b]: no earlier claim starts
// on them and no stay is within margin days (gen.clear), nor anything this instance planned.
func (pl *planner) free(p int32, a, b, margin int) bool {
	if !pl.g.clear(p, a, b, margin) {
		return false
	}
	for _, s := range pl.taken[p] {
		if a-margin <= s[1] && b+margin >= s[0] {
			return false
		}
	}
	return true
}

// span finds a start day in [from, from+period) for days [d, d+los] that are free for p.
func (pl *planner) span(rng *rand.Rand, p int32, from, period, los, margin int) int {
	for try := 0; try < 12; try++ {
		if d := from + rng.IntN(max(1, period)); pl.free(p, d, d+los, margin) {
			return d
		}
	}
	return -1
}

func (pl *planner) visit(p, prov, doc int32, start int32, dx int, lines []itemLine, chronic, bad bool) {
	pl.plans = append(pl.plans, billPlan{p: p, prov: prov, doc: doc, start: start, dx: dx, lines: lines, chronic: chronic, bad: bad})
	d := int(start / daySec)
	pl.taken[p] = append(pl.taken[p], [2]int{d, d})
}

func (pl *planner) stay(p, prov, doc int32, a, los int, dx int, lines []itemLine, bad bool) {
	rng := pl.g.rng
	pl.plans = append(pl.plans, billPlan{p: p, prov: prov, doc: doc, start: at(a, between(rng, 8, 16), rng.IntN(60), rng.IntN(60)),
		end: at(a+los, between(rng, 9, 11), rng.IntN(60), 0), dx: dx, lines: lines, stay: true, bad: bad})
	pl.taken[p] = append(pl.taken[p], [2]int{a, a + los})
}

// patients returns the patients of the plans, those with violating lines when bad is set.
func (pl *planner) patients(badOnly bool) []int32 {
	m := map[int32]bool{}
	for _, c := range pl.plans {
		if c.bad || !badOnly {
			m[c.p] = true
		}
	}
	return keys(m)
}

// doctors returns the doctors of the plans (of those with violating lines when badOnly is set).
func (pl *planner) doctors(badOnly bool) []int32 {
	m := map[int32]bool{}
	for _, c := range pl.plans {
		if c.doc >= 0 && (c.bad || !badOnly) {
			m[c.doc] = true
		}
	}
	return keys(m)
}

func (pl *planner) providers() []int32 {
	m := map[int32]bool{}
	for _, c := range pl.plans {
		m[c.prov] = true
	}
	return keys(m)
}

func (pl *planner) count(badOnly bool) int {
	n := 0
	for _, c := range pl.plans {
		if c.bad || !badOnly {
			n++
		}
	}
	return n
}

// commit plants the planned claims. Each claim's total is the sum of its lines.
func (pl *planner) commit() {
	g := pl.g
	for _, c := range pl.plans {
		start := c.start
		for {
			if _, ok := g.lines[claimKey{start, c.p, c.prov}]; !ok {
				break
			}
			start++
		}
		total := linesTotal(c.lines)
		if c.stay {
			g.admit(c.p, c.prov, c.doc, start, c.end, c.dx, total, fundShare(g.rng, ctInpatient, g.w.providers[c.prov].kind, false), itemsExplicit)
		} else {
			typ := ctOutpatient
			if g.w.providers[c.prov].kind == kindPharmacy {
				typ = ctPharmacy
			}
			g.visit(c.p, c.prov, c.doc, typ, start, c.dx, total, itemsExplicit, c.chronic)
		}
		g.lines[claimKey{start, c.p, c.prov}] = c.lines
	}
}

// billingProvider picks a provider of region ri of one of kinds (else of fallback) for which ok
// holds (when given). A look-alike's (fraud false) is tied to no planted fraud. A billing
// fraud's is preferably tied to neither fraud nor a look-alike, then to fraud only (not a
// pharmacy: its goods lines already break price limits), then to an earlier stage's look-alike —
// never a billing look-alike's, nor one that already carries this pattern's lead.
func (g *gen) billingProvider(rng *rand.Rand, ri int, kinds, fallback []provKind, fraud bool, pattern string, ok func(int32) bool) int32 {
	levels := 1
	if fraud {
		levels = 3
	}
	for level := 0; level < levels; level++ {
		for _, ks := range [][]provKind{kinds, fallback} {
			var cands []int32
			for _, k := range ks {
				for _, p := range g.w.regions[ri].byKind[k] {
					tied, look := g.lt.fraudProv[p], g.lt.lookProv[p]
					good := !tied
					if fraud {
						switch level {
						case 0:
							good = !tied && !look
						case 1:
							good = tied && !look && k != kindPharmacy
						default:
							good = look
						}
						good = good && !g.bt.lookProv[p] && !g.bt.leads[pattern][p]
					}
					if good && (ok == nil || ok(p)) {
						cands = append(cands, p)
					}
				}
			}
			if len(cands) > 0 {
				return cands[rng.IntN(len(cands))]
			}
		}
	}
	return -1
}

// addBillingLead records a billing-rule lead: the provider and the patients whose claims carry
// the violating lines (fraudulent), with the doctors of those claims for context.
func (g *gen) addBillingLead(pl *planner, pattern string, prov int32, note string) {
	pl.commit()
	if g.bt.leads[pattern] == nil {
		g.bt.leads[pattern] = map[int32]bool{}
	}
	g.bt.leads[pattern][prov] = true
	g.lt.fraudProv[prov] = true
	g.addFraud(group{pattern: pattern, kind: graph.KindBillingRule, patients: pl.patients(true), doctors: pl.doctors(true),
		provs: []int32{prov}, fraudProvs: []int32{prov}, note: note}, true)
}

func (g *gen) addBillingLookalike(pl *planner, pattern, kind string, provs []int32, note string) {
	pl.commit()
	for _, p := range provs {
		g.lt.lookProv[p], g.bt.lookProv[p] = true, true
	}
	g.addLookalike(group{pattern: pattern, kind: kind, patients: pl.patients(false), doctors: pl.doctors(false), provs: provs, note: note})
}

// billingPeriod draws the weeks to months over which an instance bills: [from, from+period).
func (g *gen) billingPeriod(rng *rand.Rand, lo, hi int) (from, period int) {
	period = between(rng, lo, max(lo, min(hi, g.cfg.Days-30)))
	return rng.IntN(max(1, g.cfg.Days-period-20)), period
}

// consultFor is the outpatient consultation fee a provider bills: a tertiary hospital's
// associate chief physicians, a county hospital's half of the time (by provider), else the
// ordinary fee.
func (g *gen) consultFor(prov int32) catalogueItem {
	switch g.w.providers[prov].kind {
	case kindTertiary:
		return itemConsultExp
	case kindSecondary:
		if prov%2 == 0 {
			return itemConsultExp
		}
	}
	return itemConsult
}

// drugLine is a prescription for dx: the regimen's first drug mostly, 1-3 packs.
func drugLine(rng *rand.Rand, dx int) itemLine {
	ds := drugsFor[dx]
	if len(ds) == 0 {
		return line(otcItems[rng.IntN(len(otcItems))], 1)
	}
	it := ds[0]
	if rng.Float64() < 0.3 {
		it = ds[rng.IntN(len(ds))]
	}
	return line(it, between(rng, 1, 3))
}

// fitDx returns one of codes that fits patient p (in random order), or fallback.
func (g *gen) fitDx(rng *rand.Rand, p int32, codes []int, fallback int) int {
	pt := &g.w.patients[p]
	for _, k := range rng.Perm(len(codes)) {
		if diagTable[codes[k]].fits(pt.sex, pt.age) {
			return codes[k]
		}
	}
	return fallback
}

// visitDx is an outpatient diagnosis for p: a chronic condition half of the time, else an acute
// illness that fits.
func (g *gen) visitDx(rng *rand.Rand, p int32) int {
	if ch := g.w.patients[p].chronic; len(ch) > 0 && rng.Float64() < 0.5 {
		return ch[rng.IntN(len(ch))]
	}
	return g.fitDx(rng, p, adultAcute, dxURTI)
}

// outpatientMenu is what a provider bills at a visit besides the consultation and the drugs.
func (g *gen) outpatientMenu(prov int32) []catalogueItem {
	switch g.w.providers[prov].kind {
	case kindPharmacy:
		var out []catalogueItem
		for _, it := range otcItems {
			if it.price >= 800 {
				out = append(out, it)
			}
		}
		return out
	case kindTertiary, kindSecondary, kindPrivateHosp:
		return []catalogueItem{itemBloodTest, itemUrineTest, itemLiverFn, itemECG, itemXRay, itemUltrasound, itemCT}
	}
	return []catalogueItem{itemBloodTest, itemUrineTest, itemGlucose, itemECG, itemInfusion, itemAcupunct, itemMassage, itemElectro}
}

func codes(its []catalogueItem) string {
	var out []string
	for _, it := range its {
		out = append(out, it.code+" "+it.name)
	}
	return strings.Join(out, ", ")
}

// priceRule describes how a provider prices the items it over- or fully charges.
type priceRule struct {
	items  []catalogueItem
	factor []float64 // unit price = limit × factor
}

// pricedVisit draws one visit's lines at provider prov for dx: the consultation, the priced
// items and a prescription (a pharmacy: the items, sometimes another pack). special prices the
// items by the rule, else at list.
func (g *gen) pricedVisit(rng *rand.Rand, prov int32, dx int, pr priceRule, special bool) []itemLine {
	var out []itemLine
	price := func(k int) catalogueItem {
		it := pr.items[k]
		if special {
			it.price = at10(float64(maxPrice(it)) * pr.factor[k])
		}
		return it
	}
	pharmacy := g.w.providers[prov].kind == kindPharmacy
	consult := g.consultFor(prov)
	if !pharmacy && !slices.Contains(pr.items, consult) {
		out = append(out, line(consult, 1))
	}
	for k := range pr.items {
		qty := 1
		if pharmacy {
			qty = between(rng, 1, 2)
		}
		out = append(out, line(price(k), qty))
	}
	if !pharmacy {
		out = append(out, drugLine(rng, dx))
	}
	return out
}

// chooseItems draws 1 - 3 items of a provider's menu (the consultation too at institutions).
func (g *gen) chooseItems(rng *rand.Rand, prov int32) []catalogueItem {
	menu := g.outpatientMenu(prov)
	if g.w.providers[prov].kind != kindPharmacy {
		menu = append(menu, g.consultFor(prov))
	}
	rng.Shuffle(len(menu), func(i, j int) { menu[i], menu[j] = menu[j], menu[i] })
	return menu[:between(rng, 1, min(3, len(menu)))]
}

func (g *gen) pickKinds(rng *rand.Rand, kinds []provKind, weights []float64) provKind {
	x := rng.Float64()
	for i, w := range weights {
		if x < w {
			return kinds[i]
		}
		x -= w
	}
	return kinds[len(kinds)-1]
}

// overcharge: a provider bills some of its items above the catalogue's limit (超标准收费) — by
// 10-80 % — on a share of the claims that carry them, over weeks to months.
func (g *gen) overcharge(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	want := g.pickKinds(rng, []provKind{kindClinic, kindPrivateHosp, kindCommunity, kindSecondary, kindPharmacy}, []float64{0.35, 0.2, 0.15, 0.15, 0.15})
	prov := g.billingProvider(rng, ri, []provKind{want}, []provKind{kindClinic, kindPrivateHosp, kindCommunity}, true, "overcharge", nil)
	if prov < 0 {
		return
	}
	items := g.chooseItems(rng, prov)
	lo := betweenF(rng, 0.1, 0.5)
	hi := min(0.8, lo+betweenF(rng, 0.05, 0.3))
	pr := priceRule{items: items}
	for range items {
		pr.factor = append(pr.factor, 1+betweenF(rng, lo, hi))
	}
	share := betweenF(rng, 0.2, 0.6)
	from, period := g.billingPeriod(rng, 21, 180)
	pats := g.recruit(rng, ri, between(rng, 10, 30), 18, 85, 0.5, nil)
	if len(pats) < 4 {
		return
	}
	pl := g.planner()
	k := g.w.providers[prov].kind
	for _, p := range pats {
		for v := between(rng, 1, 4); v > 0; v-- {
			d := from + rng.IntN(period)
			if !pl.free(p, d, d, 0) {
				continue
			}
			dx := g.visitDx(rng, p)
			bad := rng.Float64() < share
			doc := int32(-1)
			if k != kindPharmacy {
				doc = g.w.pickDoctor(rng, prov, deptFor(dx, g.w.patients[p].age))
			} else {
				dx = -1
			}
			pl.visit(p, prov, doc, outpatientTime(rng, d, k), dx, g.pricedVisit(rng, prov, dx, pr, bad), false, bad)
		}
	}
	if len(pl.patients(true)) < 2 {
		return
	}
	g.addBillingLead(pl, "overcharge", prov, fmt.Sprintf("%s bills %s at %.0f-%.0f %% above the catalogue's limit on %d of %d claims (%.0f %%, habit %.0f %%) over %d days from day %d",
		kindName2(k), codes(items), 100*lo, 100*hi, pl.count(true), pl.count(false), 100*float64(pl.count(true))/float64(pl.count(false)), 100*share, period, from))
}

// kindName2 names any provider kind for notes.
func kindName2(k provKind) string {
	switch k {
	case kindCommunity:
		return "community clinic"
	case kindClinic:
		return "private clinic"
	case kindPharmacy:
		return "pharmacy"
	}
	return kindName(k) + " hospital"
}

// stayLines are the daily lines of a stay of los days — bed, nursing and the inpatient
// consultation, one a day (the discharge day is not billed, 算入不算出) — and a daily drug for
// dx with a drip.
func stayLines(rng *rand.Rand, los int, nursing catalogueItem, dx int) []itemLine {
	out := []itemLine{line(itemBed, los), line(nursing, los), line(itemConsultInpat, los), line(itemInfusion, los), line(itemSaline, 2*los)}
	if ds := drugsFor[dx]; len(ds) > 0 {
		out = append(out, line(ds[rng.IntN(len(ds))], los*between(rng, 1, 2)))
	}
	return append(out, line(itemBloodTest, 1), line(itemLiverFn, 1))
}

// surgery is an operation billed as a package (打包) or per item.
type surgery struct {
	name    string
	dx      int
	dept    string
	pkg     catalogueItem
	los     [2]int
	minAge  int
	implant func(rng *rand.Rand) []itemLine // materials billed beside the package
}

var surgeries = []surgery{
	{"laparoscopic cholecystectomy", dxCholecystitis, "外科", itemCholePackage, [2]int{3, 6}, 30,
		func(rng *rand.Rand) []itemLine { return []itemLine{line(itemTrocar, between(rng, 3, 4))} }},
	{"total knee replacement", dxKneeOA, "骨科", itemKneePackage, [2]int{7, 13}, 55,
		func(rng *rand.Rand) []itemLine { return []itemLine{line(itemKneeImplant, 1)} }},
}

// surgeryLines are the lines of a packaged operation's stay: the package, one anaesthesia, the
// materials, the stay's daily lines and an imaging exam.
func surgeryLines(rng *rand.Rand, s surgery, los int) []itemLine {
	anaes := itemGeneralAnaes
	if s.dx == dxKneeOA && rng.Float64() < 0.5 {
		anaes = itemSpinalAnaes
	}
	out := []itemLine{line(s.pkg, 1), line(anaes, 1)}
	out = append(out, s.implant(rng)...)
	out = append(out, stayLines(rng, los, itemNursing, s.dx)...)
	return append(out, line(itemXRay, 1))
}

// unbundling: a hospital bills a package (a packaged operation, or the biochemistry panel) and,
// for the same patient the same day, items the package already includes (分解收费) — on the
// same claim or on a second one — on a share of its package claims, over weeks to months.
func (g *gen) unbundling(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	panel := rng.Float64() < 0.5
	kinds := []provKind{kindTertiary, kindSecondary, kindPrivateHosp}
	if panel {
		kinds = append(kinds, kindCommunity)
	}
	prov := g.billingProvider(rng, ri, kinds, []provKind{kindSecondary, kindPrivateHosp}, true, "unbundling", nil)
	if prov < 0 {
		return
	}
	share := betweenF(rng, 0.4, 1)
	sameClaim := betweenF(rng, 0.5, 1)
	from, period := g.billingPeriod(rng, 30, 240)
	pl := g.planner()
	k := g.w.providers[prov].kind
	var what string
	if panel {
		pats := g.recruit(rng, ri, between(rng, 8, 25), 30, 85, 0.5, nil)
		if len(pats) < 4 {
			return
		}
		incl := rule(itemBioPanel).includes
		for _, p := range pats {
			for v := between(rng, 1, 2); v > 0; v-- {
				d := from + rng.IntN(period)
				if !pl.free(p, d, d, 0) {
					continue
				}
				dx := g.checkDx(rng, p)
				doc := g.w.pickDoctor(rng, prov, deptFor(dx, g.w.patients[p].age))
				t := outpatientTime(rng, d, k)
				lines := []itemLine{line(g.consultFor(prov), 1), line(itemBioPanel, 1), line(itemBloodTest, 1)}
				bad := rng.Float64() < share
				var extra []itemLine
				if bad {
					for _, j := range rng.Perm(len(incl))[:between(rng, 1, 3)] {
						extra = append(extra, line(incl[j], 1))
					}
				}
				if !bad || rng.Float64() < sameClaim {
					pl.visit(p, prov, doc, t, dx, append(lines, extra...), isChronicDx(dx), bad)
					continue
				}
				// The included tests billed again on a second settlement later that day (补记账).
				pl.visit(p, prov, doc, t, dx, lines, isChronicDx(dx), false)
				pl.plans = append(pl.plans, billPlan{p: p, prov: prov, doc: doc, start: t + int32(between(rng, 3600, 4*3600)), dx: dx, lines: extra, chronic: isChronicDx(dx), bad: true})
			}
		}
		what = fmt.Sprintf("the biochemistry panel %s and 1-3 of the tests it includes", itemBioPanel.code)
	} else {
		s := surgeries[rng.IntN(len(surgeries))]
		pats := g.recruit(rng, ri, between(rng, 4, 15), s.minAge, 85, 0.5, func(p int32) bool { return diagTable[s.dx].fits(g.w.patients[p].sex, g.w.patients[p].age) })
		if len(pats) < 3 {
			return
		}
		docs := g.deptDoctors(rng, prov, s.dept, between(rng, 1, 3))
		for _, p := range pats {
			los := between(rng, s.los[0], s.los[1])
			a := pl.span(rng, p, from, period, los, 1)
			if a < 0 {
				continue
			}
			lines := surgeryLines(rng, s, los)
			bad := rng.Float64() < share
			if bad {
				monitor := rng.Float64() < 0.7
				if monitor {
					lines = append(lines, line(itemAnaesMonitor, 1))
				}
				if !monitor || rng.Float64() < 0.7 {
					lines = append(lines, line(itemDressing, between(rng, 1, los)))
				}
			}
			pl.stay(p, prov, docs[rng.IntN(len(docs))], a, los, s.dx, lines, bad)
		}
		what = fmt.Sprintf("%s package %s and the anaesthesia monitoring or dressings it includes", s.name, s.pkg.code)
	}
	if len(pl.patients(true)) < 2 {
		return
	}
	g.addBillingLead(pl, "unbundling", prov, fmt.Sprintf("%s bills %s on %d of its %d package claims (habit %.0f %%; %.0f %% on the same claim, else on a second one that day) over %d days from day %d",
		kindName2(k), what, pl.count(true), countPackages(pl), 100*share, 100*sameClaim, period, from))
}

// countPackages counts the plans billing a package.
func countPackages(pl *planner) int {
	n := 0
	for _, c := range pl.plans {
		if slices.ContainsFunc(c.lines, func(l itemLine) bool { return len(rule(l.it).includes) > 0 }) {
			n++
		}
	}
	return n
}

// checkDx is the diagnosis of a check-up visit: a chronic condition, else a health check.
func (g *gen) checkDx(rng *rand.Rand, p int32) int {
	pt := &g.w.patients[p]
	if len(pt.chronic) > 0 {
		return pt.chronic[rng.IntN(len(pt.chronic))]
	}
	return g.fitDx(rng, p, []int{dxCheckup, dxHyperlipidaemia}, dxHypertension)
}

// dialysisDays returns the session days of a thrice-weekly shift from day from for weeks weeks.
func (g *gen) dialysisDays(rng *rand.Rand, from, weeks int) []int {
	var out []int
	mwf := rng.IntN(2) == 0
	for d := from; d < min(g.cfg.Days, from+7*weeks); d++ {
		switch g.w.weekday(d) {
		case 1, 3, 5:
			if mwf {
				out = append(out, d)
			}
		case 2, 4, 6:
			if !mwf {
				out = append(out, d)
			}
		}
	}
	return out
}

// dialysisSessions plans thrice-weekly sessions at hospital hosp for patient p from day from
// for weeks weeks; extra, when it returns lines, adds them to a session (on the same claim, or
// on a second claim that day when second is set) and marks it violating.
// dialysisCourse recruits 4–maxPats patients of region ri and plants 4–16 weeks of dialysis
// sessions for each at hosp from day from, billing extra on a share of the sessions — on a
// settlement of its own when separate, else on the session's — and reports the weeks, or false
// when fewer than three patients could be recruited.
func (pl *planner) dialysisCourse(rng *rand.Rand, ri int, hosp int32, from, maxPats int, share float64, extra catalogueItem, separate bool) (int, bool) {
	g := pl.g
	pats := g.recruit(rng, ri, between(rng, 4, maxPats), 30, 85, 0, nil)
	if len(pats) < 3 {
		return 0, false
	}
	docs := g.deptDoctors(rng, hosp, "肾内科", between(rng, 1, 2))
	weeks := between(rng, 4, 16)
	for _, p := range pats {
		pl.dialysisSessions(rng, p, hosp, docs[rng.IntN(len(docs))], from+rng.IntN(14), weeks, func() ([]itemLine, bool) {
			if rng.Float64() < share {
				return []itemLine{line(extra, 1)}, separate
			}
			return nil, false
		})
	}
	return weeks, true
}

func (pl *planner) dialysisSessions(rng *rand.Rand, p, hosp, doc int32, from, weeks int, extra func() ([]itemLine, bool)) {
	g := pl.g
	slotMin := 7*60 + 30
	if rng.Float64() < 0.5 {
		slotMin = 12*60 + 30
	}
	for _, d := range g.dialysisDays(rng, from, weeks) {
		if !pl.free(p, d, d, 0) || rng.Float64() > 0.96 {
			continue
		}
		t := int32(d*daySec + (slotMin+rng.IntN(60))*60 + rng.IntN(60))
		lines := []itemLine{line(itemDialysis, 1), line(itemDialyser, 1), line(itemHeparin, 1)}
		more, second := extra()
		switch {
		case len(more) == 0:
			pl.visit(p, hosp, doc, t, dxCKD5, lines, true, false)
		case second:
			pl.visit(p, hosp, doc, t, dxCKD5, lines, true, false)
			pl.plans = append(pl.plans, billPlan{p: p, prov: hosp, doc: doc, start: t + int32(between(rng, 3*3600, 5*3600)), dx: dxCKD5, lines: more, chronic: true, bad: true})
		default:
			pl.visit(p, hosp, doc, t, dxCKD5, append(lines, more...), true, true)
		}
	}
}

// duplicateDailyCharge: an item the catalogue allows once a day billed twice for one day (重复收费):
// a hospital's stays billing the inpatient consultation or Ⅰ-level nursing twice a day, or a
// dialysis session billed a second time the same day on another settlement.
func (g *gen) duplicateDailyCharge(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	dialysis := rng.Float64() < 0.4
	kinds := []provKind{kindPrivateHosp, kindSecondary, kindTownship, kindTertiary}
	if dialysis {
		kinds = []provKind{kindSecondary, kindTertiary}
	}
	prov := g.billingProvider(rng, ri, kinds, []provKind{kindSecondary, kindPrivateHosp}, true, "duplicate_daily_charge", nil)
	if prov < 0 {
		return
	}
	k := g.w.providers[prov].kind
	share := betweenF(rng, 0.3, 1)
	from, period := g.billingPeriod(rng, 30, 240)
	pl := g.planner()
	var what string
	if dialysis {
		share = betweenF(rng, 0.1, 0.4)
		weeks, ok := pl.dialysisCourse(rng, ri, prov, from, 12, share, itemDialysis, true)
		if !ok {
			return
		}
		what = fmt.Sprintf("a second haemodialysis session (%s) on another settlement the same day on %.0f %% of the sessions of %d weeks of thrice-weekly dialysis", itemDialysis.code, 100*share, weeks)
	} else {
		item := itemConsultInpat
		nursing := itemNursing
		if rng.Float64() < 0.4 {
			item, nursing = itemNursing1, itemNursing1
		}
		pats := g.recruit(rng, ri, between(rng, 5, 15), 35, 85, 1, nil)
		if len(pats) < 3 {
			return
		}
		docs := g.distinctDoctors(rng, prov, between(rng, 1, 3))
		losLo := between(rng, 4, 8)
		losHi := losLo + between(rng, 2, 6)
		for _, p := range pats {
			los := between(rng, losLo, losHi)
			a := pl.span(rng, p, from, period, los, 1)
			if a < 0 {
				continue
			}
			dx := g.fitDx(rng, p, inpatientDx, dxPneumonia)
			lines := stayLines(rng, los, nursing, dx)
			bad := rng.Float64() < share
			if bad {
				for i := range lines {
					if lines[i].it == item {
						lines[i].qty *= 2
					}
				}
			}
			pl.stay(p, prov, docs[rng.IntN(len(docs))], a, los, dx, lines, bad)
		}
		what = fmt.Sprintf("%s %s twice a day on %.0f %% of its stays of %d-%d days", item.code, item.name, 100*share, losLo, losHi)
	}
	if len(pl.patients(true)) < 2 {
		return
	}
	g.addBillingLead(pl, "duplicate_daily_charge", prov, fmt.Sprintf("%s bills %s (%d of %d claims) over %d days from day %d",
		kindName2(k), what, pl.count(true), pl.count(false), period, from))
}

// mismatch is an item billed on the card of a patient it cannot be for.
type mismatch struct {
	it      catalogueItem
	who     string
	sex     byte // the patients' sex (0 any)
	lo, hi  int  // their ages at the start of the range
	dx      []int
	hosp    bool // needs a hospital's equipment
	noDrugs bool
}

var mismatches = []mismatch{
	{itemGynExam, "men", 'M', 18, 80, []int{dxUTI, dxBackPain}, false, false},
	{itemObstetricUS, "men", 'M', 18, 60, []int{dxBackPain, dxGastritis}, true, false},
	{itemPSA, "women", 'F', 40, 85, []int{dxUTI, dxHypertension}, false, false},
	{itemPaedGranules, "adults", 0, 30, 85, []int{dxURTI, dxFlu}, false, true},
	{itemNeonatalBili, "adults", 0, 18, 85, []int{dxFever, dxGastritis}, false, false},
	{itemGeriatric, "young adults", 0, 18, 45, []int{dxBackPain, dxHeadache}, false, false},
}

// sexOrAgeMismatch: a provider bills items on cards whose owners they cannot be for (a
// gynaecological exam on a man's card, a paediatric drug on an adult's): services typed in
// without the patient (虚构医疗服务), caught by the catalogue's sex and age limits.
func (g *gen) sexOrAgeMismatch(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	m := mismatches[rng.IntN(len(mismatches))]
	kinds := []provKind{kindClinic, kindPrivateHosp, kindCommunity, kindTownship, kindSecondary}
	if m.hosp {
		kinds = []provKind{kindPrivateHosp, kindSecondary}
	}
	prov := g.billingProvider(rng, ri, kinds, []provKind{kindPrivateHosp, kindClinic}, true, "sex_or_age_mismatch", nil)
	if prov < 0 {
		return
	}
	pats := g.recruit(rng, ri, between(rng, 3, 10), m.lo, m.hi, 0, func(p int32) bool { return m.sex == 0 || g.w.patients[p].sex == m.sex })
	if len(pats) < 2 {
		return
	}
	from, period := g.billingPeriod(rng, 30, 240)
	k := g.w.providers[prov].kind
	docs := g.distinctDoctors(rng, prov, between(rng, 1, 2))
	pl := g.planner()
	for _, p := range pats {
		dx := g.fitDx(rng, p, m.dx, dxURTI)
		for v := between(rng, 1, 3); v > 0; v-- {
			d := from + rng.IntN(period)
			if !pl.free(p, d, d, 0) {
				continue
			}
			lines := []itemLine{line(g.consultFor(prov), 1), line(m.it, 1)}
			if !m.noDrugs {
				lines = append(lines, drugLine(rng, dx))
			}
			pl.visit(p, prov, docs[rng.IntN(len(docs))], outpatientTime(rng, d, k), dx, lines, isChronicDx(dx), true)
		}
	}
	if len(pl.patients(true)) < 2 {
		return
	}
	r := rule(m.it)
	limit := fmt.Sprintf("sex %c", r.sex)
	if r.sex == 0 {
		limit = fmt.Sprintf("ages %d-%d", r.minAge, r.maxAge)
		if r.maxAge == 0 {
			limit = fmt.Sprintf("ages %d and over", r.minAge)
		}
	}
	g.addBillingLead(pl, "sex_or_age_mismatch", prov, fmt.Sprintf("%s bills %s %s (catalogue: %s) on the cards of %d %s aged %d-%d, %d claims over %d days from day %d",
		kindName2(k), m.it.code, m.it.name, limit, len(pl.patients(true)), m.who, m.lo, m.hi, pl.count(true), period, from))
}

// excessiveQuantity: more of an item on one claim than the catalogue allows (超量): two or three
// consultation fees on one visit, four to six months of a targeted cancer drug on one
// prescription, or more coronary stents than one operation places.
func (g *gen) excessiveQuantity(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	variant := rng.IntN(3)
	share := betweenF(rng, 0.3, 1)
	from, period := g.billingPeriod(rng, 60, 300)
	pl := g.planner()
	var prov int32
	var what string
	switch variant {
	case 0:
		prov = g.billingProvider(rng, ri, []provKind{kindSecondary, kindTertiary}, nil, true, "excessive_quantity", func(p int32) bool { return g.consultFor(p) == itemConsultExp })
		if prov < 0 {
			return
		}
		pats := g.recruit(rng, ri, between(rng, 6, 20), 18, 85, 0.5, nil)
		if len(pats) < 3 {
			return
		}
		for _, p := range pats {
			for v := between(rng, 1, 3); v > 0; v-- {
				d := from + rng.IntN(period)
				if !pl.free(p, d, d, 0) {
					continue
				}
				dx := g.visitDx(rng, p)
				bad := rng.Float64() < share
				n := 1
				if bad {
					n = between(rng, 2, 3)
				}
				lines := []itemLine{line(itemConsultExp, n), line(g.outpatientMenu(prov)[rng.IntN(4)], 1), drugLine(rng, dx)}
				pl.visit(p, prov, g.w.pickDoctor(rng, prov, deptFor(dx, g.w.patients[p].age)), outpatientTime(rng, d, g.w.providers[prov].kind), dx, lines, isChronicDx(dx), bad)
			}
		}
		what = fmt.Sprintf("%s %s × 2-3 on one visit (limit 1)", itemConsultExp.code, itemConsultExp.name)
	case 1:
		prov = g.billingProvider(rng, ri, []provKind{kindTertiary, kindPharmacy}, []provKind{kindSecondary}, true, "excessive_quantity", nil)
		if prov < 0 {
			return
		}
		pats := g.recruit(rng, ri, between(rng, 3, 8), 45, 85, 0, nil)
		if len(pats) < 2 {
			return
		}
		pharmacy := g.w.providers[prov].kind == kindPharmacy
		for _, p := range pats {
			doc := int32(-1)
			if !pharmacy {
				doc = g.w.pickDoctor(rng, prov, "内科")
			}
			first := from + rng.IntN(30)
			for d := first; d < from+period && d < g.cfg.Days; d += between(rng, 28, 31) {
				if !pl.free(p, d, d, 0) {
					continue
				}
				bad := rng.Float64() < share
				n := 1
				if bad {
					n = between(rng, 4, 6)
				}
				lines := []itemLine{line(itemOsimertinib, n)}
				if !pharmacy {
					lines = append([]itemLine{line(g.consultFor(prov), 1)}, lines...)
				}
				pl.visit(p, prov, doc, outpatientTime(rng, d, g.w.providers[prov].kind), dxLungCancer, lines, true, bad)
			}
		}
		what = fmt.Sprintf("%s %s × 4-6 packs on one monthly refill (limit 3)", itemOsimertinib.code, itemOsimertinib.name)
	default:
		prov = g.billingProvider(rng, ri, []provKind{kindTertiary}, []provKind{kindSecondary}, true, "excessive_quantity", nil)
		if prov < 0 {
			return
		}
		pats := g.recruit(rng, ri, between(rng, 4, 10), 45, 85, 1, nil)
		if len(pats) < 3 {
			return
		}
		docs := g.deptDoctors(rng, prov, "心血管内科", between(rng, 1, 2))
		for _, p := range pats {
			los := between(rng, 2, 5)
			a := pl.span(rng, p, from, period, los, 1)
			if a < 0 {
				continue
			}
			bad := rng.Float64() < share
			n := between(rng, 1, 3)
			if bad {
				n = between(rng, 4, 6)
			}
			pl.stay(p, prov, docs[rng.IntN(len(docs))], a, los, dxCHD, pciLines(rng, los, n), bad)
		}
		what = fmt.Sprintf("%s %s × 4-6 in one operation (limit 3)", itemStent.code, itemStent.name)
	}
	if len(pl.patients(true)) < 2 {
		return
	}
	g.addBillingLead(pl, "excessive_quantity", prov, fmt.Sprintf("%s bills %s on %d of %d claims (habit %.0f %%) over %d days from day %d",
		kindName2(g.w.providers[prov].kind), what, pl.count(true), pl.count(false), 100*share, period, from))
}

// pciLines are the lines of a coronary stenting stay of los days with n stents.
func pciLines(rng *rand.Rand, los, n int) []itemLine {
	out := []itemLine{line(itemAngiography, 1), line(itemPCI, 1), line(itemStent, n)}
	out = append(out, stayLines(rng, los, itemNursing1, dxCHD)...)
	return append(out, line(itemECG, 1))
}

// mutuallyExclusivePair: both items of a pairs.csv row billed for one patient on one day (互斥
// 项目同时收费): two anaesthesia methods for one operation, two nursing levels for the same days,
// or haemodialysis and haemofiltration in one session.
func (g *gen) mutuallyExclusivePair(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	variant := rng.IntN(3)
	share := betweenF(rng, 0.3, 1)
	from, period := g.billingPeriod(rng, 30, 240)
	pl := g.planner()
	var prov int32
	var pair pairRule
	switch variant {
	case 0, 1:
		kinds := []provKind{kindTertiary, kindSecondary, kindPrivateHosp}
		if variant == 1 {
			kinds = append(kinds, kindTownship)
		}
		prov = g.billingProvider(rng, ri, kinds, []provKind{kindSecondary}, true, "mutually_exclusive_pair", nil)
		if prov < 0 {
			return
		}
		s := surgeries[0]
		pair = billingPairs[0]
		if variant == 1 {
			pair = billingPairs[1]
		}
		pats := g.recruit(rng, ri, between(rng, 4, 12), s.minAge, 85, 0.5, nil)
		if len(pats) < 3 {
			return
		}
		docs := g.distinctDoctors(rng, prov, between(rng, 1, 3))
		for _, p := range pats {
			los := between(rng, 3, 9)
			if variant == 0 {
				los = between(rng, s.los[0], s.los[1])
			}
			a := pl.span(rng, p, from, period, los, 1)
			if a < 0 {
				continue
			}
			bad := rng.Float64() < share
			var lines []itemLine
			dx := s.dx
			if variant == 0 {
				// The packaged cholecystectomy under general anaesthesia, and a spinal one billed too.
				lines = surgeryLines(rng, s, los)
				if bad {
					lines = append(lines, line(itemSpinalAnaes, 1))
				}
			} else {
				// Ⅰ-level nursing for the stay, and Ⅱ-level for the same days.
				dx = g.fitDx(rng, p, inpatientDx, dxPneumonia)
				lines = stayLines(rng, los, itemNursing1, dx)
				if bad {
					lines = append(lines, line(itemNursing, los))
				}
			}
			pl.stay(p, prov, docs[rng.IntN(len(docs))], a, los, dx, lines, bad)
		}
	default:
		prov = g.billingProvider(rng, ri, []provKind{kindSecondary, kindTertiary}, nil, true, "mutually_exclusive_pair", nil)
		if prov < 0 {
			return
		}
		pair = billingPairs[2]
		share = betweenF(rng, 0.2, 0.6)
		if _, ok := pl.dialysisCourse(rng, ri, prov, from, 10, share, itemHaemofilter, false); !ok {
			return
		}
	}
	if len(pl.patients(true)) < 2 {
		return
	}
	g.addBillingLead(pl, "mutually_exclusive_pair", prov, fmt.Sprintf("%s bills %s %s with %s %s (%s) on %d of %d claims (habit %.0f %%) over %d days from day %d",
		kindName2(g.w.providers[prov].kind), pair.a.code, pair.a.name, pair.b.code, pair.b.name, pair.reason, pl.count(true), pl.count(false), 100*share, period, from))
}

// packageWithoutComponents: a hospital bills packages honestly — the packaged operation or the
// biochemistry panel without the items they include, beside items they do not include (the
// anaesthesia itself, a blood count, a PSA test for men) — expensive, and a reader who does not
// check the includes list takes it for unbundling.
func (g *gen) packageWithoutComponents(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	panel := rng.Float64() < 0.5
	prov := g.billingProvider(rng, ri, []provKind{kindTertiary, kindSecondary, kindPrivateHosp}, nil, false, "", nil)
	if prov < 0 {
		return
	}
	from, period := g.billingPeriod(rng, 30, 300)
	pl := g.planner()
	k := g.w.providers[prov].kind
	var what string
	if panel {
		pats := g.recruit(rng, ri, between(rng, 6, 20), 30, 85, 0, nil)
		for _, p := range pats {
			d := from + rng.IntN(period)
			if !pl.free(p, d, d, 0) {
				continue
			}
			pt := &g.w.patients[p]
			dx := g.checkDx(rng, p)
			lines := []itemLine{line(g.consultFor(prov), 1), line(itemBioPanel, 1), line(itemBloodTest, 1), line(itemUrineTest, 1)}
			switch {
			case pt.sex == 'M' && pt.age >= 45 && rng.Float64() < 0.6:
				lines = append(lines, line(itemPSA, 1))
			case pt.sex == 'F' && pt.age <= 65 && rng.Float64() < 0.4:
				lines = append(lines, line(itemGynExam, 1))
			}
			if rng.Float64() < 0.4 {
				lines = append(lines, line(itemECG, 1))
			}
			pl.visit(p, prov, g.w.pickDoctor(rng, prov, deptFor(dx, pt.age)), outpatientTime(rng, d, k), dx, lines, isChronicDx(dx), false)
		}
		what = fmt.Sprintf("the biochemistry panel %s with a blood count, urine test, PSA for men or a gynaecological exam for women, none of which it includes", itemBioPanel.code)
	} else {
		s := surgeries[rng.IntN(len(surgeries))]
		pats := g.recruit(rng, ri, between(rng, 4, 15), s.minAge, 85, 0, func(p int32) bool { return diagTable[s.dx].fits(g.w.patients[p].sex, g.w.patients[p].age) })
		docs := g.deptDoctors(rng, prov, s.dept, between(rng, 1, 3))
		for _, p := range pats {
			los := between(rng, s.los[0], s.los[1])
			if a := pl.span(rng, p, from, period, los, 1); a >= 0 {
				pl.stay(p, prov, docs[rng.IntN(len(docs))], a, los, s.dx, surgeryLines(rng, s, los), false)
			}
		}
		what = fmt.Sprintf("%s package %s with the anaesthesia and materials it does not include", s.name, s.pkg.code)
	}
	if len(pl.patients(false)) < 2 {
		return
	}
	g.addBillingLookalike(pl, "package_without_components", "package_billing", []int32{prov},
		fmt.Sprintf("%s bills %s: %d patients, %d claims over %d days", kindName2(k), what, len(pl.patients(false)), len(pl.plans), period))
}

// twoProvidersOneDay: patients seen at two providers on one day — their community clinic or
// private clinic in the morning, referred to a hospital in the afternoon — each provider billing
// its one consultation fee (allowed: one per visit).
func (g *gen) twoProvidersOneDay(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	pats := g.recruit(rng, ri, between(rng, 6, 20), 18, 85, 0.5, nil)
	from, period := g.billingPeriod(rng, 60, 330)
	pl := g.planner()
	free := func(p int32) bool { return p >= 0 && !g.lt.fraudProv[p] }
	for _, p := range pats {
		pt := &g.w.patients[p]
		first := pt.clinic
		if pt.private >= 0 && rng.Float64() < 0.3 {
			first = pt.private
		}
		if !free(first) {
			first = g.billingProvider(rng, ri, []provKind{kindCommunity, kindTownship, kindClinic}, nil, false, "", nil)
		}
		second := pt.hospital
		if rng.Float64() < 0.3 {
			second = g.pickProvider(rng, ri, kindTertiary, kindSecondary)
		}
		if !free(second) {
			second = g.billingProvider(rng, ri, []provKind{kindTertiary, kindSecondary}, []provKind{kindPrivateHosp}, false, "", nil)
		}
		if !free(first) || !free(second) || first == second {
			continue
		}
		for v := between(rng, 1, 2); v > 0; v-- {
			d := from + rng.IntN(period)
			if !pl.free(p, d, d, 0) {
				continue
			}
			dx := g.visitDx(rng, p)
			t1 := at(d, between(rng, 8, 10), rng.IntN(60), rng.IntN(60))
			t2 := at(d, between(rng, 14, 16), rng.IntN(60), rng.IntN(60))
			a := []itemLine{line(g.consultFor(first), 1)}
			if rng.Float64() < 0.5 {
				a = append(a, line(itemBloodTest, 1))
			}
			b := []itemLine{line(g.consultFor(second), 1), line([]catalogueItem{itemCT, itemUltrasound, itemXRay, itemECG}[rng.IntN(4)], 1), drugLine(rng, dx)}
			pl.visit(p, first, g.w.pickDoctor(rng, first, deptFor(dx, pt.age)), t1, dx, a, isChronicDx(dx), false)
			pl.plans = append(pl.plans, billPlan{p: p, prov: second, doc: g.w.pickDoctor(rng, second, deptFor(dx, pt.age)), start: t2, dx: dx, lines: b, chronic: isChronicDx(dx)})
		}
	}
	if len(pl.patients(false)) < 2 {
		return
	}
	provs := pl.providers()
	g.addBillingLookalike(pl, "two_providers_one_day", "multi_provider_day", provs,
		fmt.Sprintf("%d patients seen at their clinic in the morning and at a hospital in the afternoon, one consultation fee at each: %d days, %d providers", len(pl.patients(false)), len(pl.plans)/2, len(provs)))
}

// longStayDailyBed: long stays (25-60 days: stroke sequelae, hip fractures, COPD) billing one
// bed-day, one nursing day and one inpatient consultation a day — large quantities on one
// settlement that a reader counting them on a single day takes for duplicates.
func (g *gen) longStayDailyBed(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	prov := g.billingProvider(rng, ri, []provKind{kindSecondary, kindPrivateHosp, kindTownship, kindTertiary}, nil, false, "", nil)
	if prov < 0 {
		return
	}
	pats := g.recruit(rng, ri, between(rng, 3, 10)*2, 60, 90, 0, func(p int32) bool { return len(g.w.patients[p].chronic) == 0 })
	losLo := between(rng, 25, 35)
	losHi := losLo + between(rng, 5, 25)
	nursing := itemNursing
	if rng.Float64() < 0.3 {
		nursing = itemNursing1
	}
	docs := g.distinctDoctors(rng, prov, between(rng, 1, 3))
	pl := g.planner()
	want := len(pats) / 2
	for _, p := range pats {
		if len(pl.plans) >= want {
			break
		}
		los := between(rng, losLo, losHi)
		a := pl.span(rng, p, 0, g.cfg.Days-los-2, los, 1)
		if a < 0 {
			continue
		}
		dx := g.fitDx(rng, p, []int{dxStrokeSequelae, dxHipFracture, dxCOPD, dxStroke}, dxPneumonia)
		lines := stayLines(rng, los, nursing, dx)
		lines = append(lines, line(itemRehab, los), line(itemCT, 1), line(itemXRay, 1))
		pl.stay(p, prov, docs[rng.IntN(len(docs))], a, los, dx, lines, false)
	}
	if len(pl.plans) < 2 {
		return
	}
	g.addBillingLookalike(pl, "long_stay_daily_bed", "long_stay", []int32{prov},
		fmt.Sprintf("%s: %d stays of %d-%d days, each billing one bed-day, %s and inpatient consultation a day (算入不算出) and daily therapy", kindName2(g.w.providers[prov].kind), len(pl.plans), losLo, losHi, nursing.name))
}

// expensiveChronicRefills: lung-cancer patients on a targeted drug refill it every month at
// its normal price (one pack; two or three before a long holiday, within the limit of three) at
// their hospital or a designated pharmacy (双通道) — thousands of yuan a month per card.
func (g *gen) expensiveChronicRefills(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	kinds := []provKind{kindTertiary}
	if rng.Float64() < 0.3 {
		kinds = []provKind{kindPharmacy}
	}
	prov := g.billingProvider(rng, ri, kinds, []provKind{kindTertiary, kindSecondary, kindPharmacy}, false, "", nil)
	if prov < 0 {
		return
	}
	pharmacy := g.w.providers[prov].kind == kindPharmacy
	pats := g.recruit(rng, ri, between(rng, 3, 10), 45, 85, 0, nil)
	docs := []int32{-1}
	if !pharmacy {
		docs = g.deptDoctors(rng, prov, "内科", between(rng, 1, 2))
	}
	pl := g.planner()
	for _, p := range pats {
		months := between(rng, 3, 12)
		doc := docs[rng.IntN(len(docs))]
		d := rng.IntN(max(1, g.cfg.Days-months*30))
		for m := 0; m < months && d < g.cfg.Days; m++ {
			next := d + 30
			for _, shift := range []int{0, 1, 2, -1} {
				dd := d + shift
				if dd < 0 || !pl.free(p, dd, dd, 0) {
					continue
				}
				n := 1
				if rng.Float64() < 0.12 {
					n = between(rng, 2, 3) // before a long holiday or a trip
				}
				lines := []itemLine{line(itemOsimertinib, n)}
				if !pharmacy {
					lines = append([]itemLine{line(itemConsultExp, 1)}, lines...)
				}
				pl.visit(p, prov, doc, outpatientTime(rng, dd, g.w.providers[prov].kind), dxLungCancer, lines, true, false)
				next = dd + between(rng, 28, 31)*n
				break
			}
			d = next
		}
	}
	if len(pl.patients(false)) < 2 {
		return
	}
	g.addBillingLookalike(pl, "expensive_chronic_refills", "expensive_refills", []int32{prov},
		fmt.Sprintf("%s: %d lung-cancer patients refilling %s %s (%.0f yuan a pack) every month at its list price, %d refills", kindName2(g.w.providers[prov].kind), len(pl.patients(false)), itemOsimertinib.code, itemOsimertinib.name, float64(itemOsimertinib.price)/100, len(pl.plans)))
}

// highValueImplants: operations with high-value implants and materials (高值耗材) — knee
// prostheses, coronary stents, laparoscopic trocars — within the quantity limits and priced at
// list: every line is listed for review by the table, none breaks a rule.
func (g *gen) highValueImplants(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	prov := g.billingProvider(rng, ri, []provKind{kindTertiary, kindSecondary}, []provKind{kindPrivateHosp}, false, "", nil)
	if prov < 0 {
		return
	}
	variant := rng.IntN(3)
	from, period := g.billingPeriod(rng, 60, 330)
	pl := g.planner()
	var what string
	switch variant {
	case 0, 1:
		s := surgeries[1-variant]
		pats := g.recruit(rng, ri, between(rng, 4, 12), s.minAge, 85, 0, func(p int32) bool { return diagTable[s.dx].fits(g.w.patients[p].sex, g.w.patients[p].age) })
		docs := g.deptDoctors(rng, prov, s.dept, between(rng, 1, 2))
		for _, p := range pats {
			los := between(rng, s.los[0], s.los[1])
			if a := pl.span(rng, p, from, period, los, 1); a >= 0 {
				lines := surgeryLines(rng, s, los)
				if s.pkg == itemKneePackage && rng.Float64() < 0.15 {
					// Both knees in one operation: two packages, two prostheses (the limit).
					for i := range lines {
						if lines[i].it == itemKneePackage || lines[i].it == itemKneeImplant {
							lines[i].qty = 2
						}
					}
				}
				pl.stay(p, prov, docs[rng.IntN(len(docs))], a, los, s.dx, lines, false)
			}
		}
		what = s.name
	default:
		pats := g.recruit(rng, ri, between(rng, 4, 12), 45, 85, 1, nil)
		docs := g.deptDoctors(rng, prov, "心血管内科", between(rng, 1, 2))
		for _, p := range pats {
			los := between(rng, 2, 5)
			if a := pl.span(rng, p, from, period, los, 1); a >= 0 {
				pl.stay(p, prov, docs[rng.IntN(len(docs))], a, los, dxCHD, pciLines(rng, los, between(rng, 1, 3)), false)
			}
		}
		what = "coronary stenting with 1-3 stents"
	}
	if len(pl.plans) < 2 {
		return
	}
	g.addBillingLookalike(pl, "high_value_implants", "high_value_implant", []int32{prov},
		fmt.Sprintf("%s: %d stays for %s, high-value materials at list price within the quantity limits", kindName2(g.w.providers[prov].kind), len(pl.plans), what))
}

// pricedAtMaximum: a provider whose prices for some items are the catalogue's limits exactly —
// allowed, the limit is a ceiling — on every claim that carries them.
func (g *gen) pricedAtMaximum(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	want := g.pickKinds(rng, []provKind{kindClinic, kindPrivateHosp, kindPharmacy, kindCommunity}, []float64{0.4, 0.25, 0.2, 0.15})
	prov := g.billingProvider(rng, ri, []provKind{want}, []provKind{kindClinic, kindCommunity, kindTownship, kindPrivateHosp, kindSecondary, kindPharmacy}, false, "", nil)
	if prov < 0 {
		return
	}
	items := g.chooseItems(rng, prov)
	pr := priceRule{items: items}
	for range items {
		pr.factor = append(pr.factor, 1)
	}
	from, period := g.billingPeriod(rng, 30, 300)
	pats := g.recruit(rng, ri, between(rng, 8, 25), 18, 85, 0.5, nil)
	pl := g.planner()
	k := g.w.providers[prov].kind
	for _, p := range pats {
		for v := between(rng, 1, 3); v > 0; v-- {
			d := from + rng.IntN(period)
			if !pl.free(p, d, d, 0) {
				continue
			}
			dx := g.visitDx(rng, p)
			doc := int32(-1)
			if k != kindPharmacy {
				doc = g.w.pickDoctor(rng, prov, deptFor(dx, g.w.patients[p].age))
			} else {
				dx = -1
			}
			pl.visit(p, prov, doc, outpatientTime(rng, d, k), dx, g.pricedVisit(rng, prov, dx, pr, true), false, false)
		}
	}
	if len(pl.patients(false)) < 2 {
		return
	}
	g.addBillingLookalike(pl, "priced_at_maximum", "priced_at_limit", []int32{prov},
		fmt.Sprintf("%s bills %s at exactly the catalogue's limit: %d patients, %d claims over %d days", kindName2(k), codes(items), len(pl.patients(false)), len(pl.plans), period))
}
