package synth

import (
	"math"
	"sort"
)

// Median outpatient and inpatient totals (yuan) and fund shares by institution kind. The shapes
// follow published summaries of basic medical insurance: tertiary care costs about three times
// community care, and the fund pays a larger share the lower the level (分级诊疗 incentive).
var (
	outpatientMedian = [5]float64{280, 180, 85, 120, 200}
	inpatientMedian  = [5]float64{11000, 6000, 2600, 0, 5200}
	outpatientShare  = [5]float64{0.50, 0.55, 0.70, 0.50, 0.50}
	inpatientShare   = [5]float64{0.72, 0.80, 0.88, 0, 0.70}
	deductible       = [5]float64{900, 600, 200, 0, 600} // 起付线 per admission
)

// honestGen generates the honest claims of one patient. It is reused across patients.
type honestGen struct {
	cfg    Config
	w      *world
	cal    *calendar
	r      *rng
	factor float64 // scales acute episodes so that the mean claims per patient meets the target
	out    []claim
	stays  [][2]int32 // admission and discharge days of the patient's stays (honest and planned)
	busy   []int32    // days with planted claims
}

func (g *honestGen) yuan(v float64) int64 { return int64(math.Round(v * 100)) }

// generate appends the honest claims of patient i to g.out, avoiding the planned claims' days.
func (g *honestGen) generate(i int32, p *person, planned []claim) {
	g.out = g.out[:0]
	g.stays = g.stays[:0]
	g.busy = g.busy[:0]
	for _, c := range planned {
		d0 := int32(c.start / 86400)
		if c.ctype == ctInpatient {
			g.stays = append(g.stays, [2]int32{d0, int32(c.end / 86400)})
		} else {
			g.busy = append(g.busy, d0)
		}
	}
	from, to := g.cal.from, g.cal.to
	last := to
	if p.death != noDeath && p.death < last {
		last = p.death
	}
	if last < from {
		return
	}
	years := float64(last-from+1) / 365
	age := ageAt(p.birth, from)

	// A death in hospital: the last stay ends on the day of death (an honest edge case for
	// detectors of claims after death).
	if p.death != noDeath && p.death <= to && g.r.chance(0.45) {
		dx := pick(g.r, []int{dxStroke, dxLungCancer, dxPneumonia, dxCHD})
		los := int32(g.r.between(2, 20))
		g.addStay(i, p, dx, p.death-los, los, true)
	}
	// Inpatient stays.
	pIn := admissionRate(age) * g.cfg.InpatientRateScale
	if p.chronic != 0 {
		pIn += 0.05
	}
	for n := g.r.poisson(pIn * years); n > 0; n-- {
		dx := g.admissionDiagnosis(p, age)
		d := g.cal.pickDay(g.r, from, last, dx, false)
		los := int32(math.Max(1, math.Min(60, math.Round(g.r.logNormal(diagnosisTable[dx].stayDays+1, 0.45)))))
		g.addStay(i, p, dx, d, los, false)
	}
	// Maternity: antenatal visits and a delivery.
	if p.sex == 'F' && age >= 20 && age <= 40 && g.r.chance(0.06*years) {
		d := g.cal.pickDay(g.r, from, last, -1, false)
		inst := g.hospital(p, false)
		doc := g.w.doctorFor(g.r, inst, deptObstetrics, false)
		for k := g.r.between(3, 6); k > 0; k-- {
			vd := d - int32(g.r.between(10, 240))
			if vd >= from {
				g.visit(i, p, inst, doc, dxPregnancy, vd)
			}
		}
		if g.addStayAt(i, p, dxDelivery, inst, d, int32(g.r.between(2, 5)), false) {
			g.visit(i, p, inst, doc, dxPregnancy, d+int32(g.r.between(35, 45)))
		}
	}
	// Chronic care: monthly visits and pharmacy refills (门诊慢特病).
	if p.chronic != 0 {
		for ci, cc := range chronicConditions {
			if p.chronic&(1<<ci) == 0 {
				continue
			}
			if p.role&roleCohort == 0 {
				g.chronicVisits(i, p, cc.dx, from, last)
			}
			if g.r.chance(0.6) {
				g.refills(i, p, cc.dx, from, last)
			}
		}
	}
	// Acute episodes.
	for n := g.r.poisson(acuteRate(age) * g.factor * years); n > 0; n-- {
		g.acute(i, p, from, last)
	}
	// Over-the-counter purchases with the card.
	otc := 1.2
	if age < 16 {
		otc = 0.4
	}
	for n := g.r.poisson(otc * g.factor * years); n > 0; n-- {
		d := g.cal.pickDay(g.r, from, last, dxURTI, true)
		dx := -1
		if g.r.chance(0.5) {
			dx = pick(g.r, []int{dxURTI, dxPharyngitis, dxGastritis, dxBackPain, dxDermatitis})
			if !diagnosisTable[dx].fits(p.sex, ageAt(p.birth, d)) {
				dx = dxURTI
			}
		}
		g.purchase(i, p, g.pharmacyNear(p), dx, d, g.r.logNormal(55, 0.8), pick(g.r, []float64{0, 0, 0, 0.5}))
	}
	// Annual health check for some adults.
	if age >= 25 && g.r.chance(0.12*years) {
		d := g.cal.pickDay(g.r, from, last, -1, false)
		inst := g.hospital(p, false)
		g.visitAmount(i, p, inst, g.w.doctorFor(g.r, inst, deptCheckup, false), dxCheckup, d, g.r.logNormal(380, 0.4))
	}
	g.dropCollisions(p)
}

// dropCollisions removes honest claims that would contradict the patient's stays, planted
// claims or death: nobody visits a clinic while admitted elsewhere, honestly.
func (g *honestGen) dropCollisions(p *person) {
	keep := g.out[:0]
	for _, c := range g.out {
		d := int32(c.start / 86400)
		if p.death != noDeath && d > p.death {
			continue
		}
		if c.ctype != ctInpatient {
			inStay := false
			for _, s := range g.stays {
				if d >= s[0] && d <= s[1] {
					inStay = true
					break
				}
			}
			if inStay {
				continue
			}
		}
		keep = append(keep, c)
	}
	g.out = keep
}

func admissionRate(age int) float64 {
	switch {
	case age < 5:
		return 0.12
	case age < 45:
		return 0.05
	case age < 65:
		return 0.12
	case age < 80:
		return 0.25
	default:
		return 0.40
	}
}

func acuteRate(age int) float64 {
	switch {
	case age < 7:
		return 4.5
	case age < 18:
		return 2.2
	case age < 45:
		return 1.5
	case age < 65:
		return 1.9
	default:
		return 2.6
	}
}

func (g *honestGen) admissionDiagnosis(p *person, age int) int {
	if p.chronic != 0 && g.r.chance(0.5) {
		for ci, cc := range chronicConditions {
			if p.chronic&(1<<ci) != 0 && diagnosisTable[cc.dx].admit > 0 {
				return cc.dx
			}
		}
	}
	ws := make([]float64, len(acuteWeights))
	for k, a := range acuteWeights {
		d := &diagnosisTable[a.dx]
		if d.admit > 0 && d.fits(p.sex, age) && d.fits(p.sex, age+1) {
			ws[k] = bandWeight(a.child, a.adult, a.older, age) * d.admit
		}
	}
	c := newCumulative(ws)
	if c[len(c)-1] == 0 {
		return dxPneumonia
	}
	return acuteWeights[c.draw(g.r)].dx
}

func bandWeight(child, adult, older float64, age int) float64 {
	switch {
	case age < 16:
		return child
	case age < 60:
		return adult
	default:
		return older
	}
}

// hospital picks an institution for serious care: the preferred tertiary hospital, a secondary
// hospital of the region, or, rarely, a private hospital.
func (g *honestGen) hospital(p *person, allowPrivate bool) int32 {
	rw := &g.w.regions[p.region]
	switch x := g.r.Float64(); {
	case x < 0.58:
		return p.tertiary
	case x < 0.92 || !allowPrivate:
		return pick(g.r, rw.byKind[kindSecondary])
	default:
		return pick(g.r, rw.byKind[kindPrivateHospital])
	}
}

func (g *honestGen) addStay(i int32, p *person, dx int, admit, los int32, dies bool) {
	inst := g.hospital(p, true)
	if dies {
		inst = p.tertiary
	}
	g.addStayAt(i, p, dx, inst, admit, los, dies)
}

// addStayAt adds an admission unless it overlaps another stay or a planted claim.
func (g *honestGen) addStayAt(i int32, p *person, dx int, inst int32, admit, los int32, dies bool) bool {
	los = max(los, 1)
	dis := admit + los
	if dis > g.cal.to && !dies {
		// Stays are exported when settled at discharge: keep the whole stay inside the range.
		admit -= dis - g.cal.to
		dis = g.cal.to
	}
	if admit < g.cal.from {
		return false
	}
	for _, s := range g.stays {
		if admit <= s[1]+1 && dis >= s[0]-1 {
			return false
		}
	}
	for _, b := range g.busy {
		if b >= admit && b <= dis {
			return false
		}
	}
	in := &g.w.insts[inst]
	age := ageAt(p.birth, admit)
	if !diagnosisTable[dx].fits(p.sex, age) {
		return false
	}
	doc := g.w.doctorFor(g.r, inst, diagnosisTable[dx].dept, age < 14)
	k := in.kind
	total := g.r.logNormal(inpatientMedian[k], 0.55) * math.Sqrt(diagnosisTable[dx].cost) * math.Pow(float64(max(los, 1))/7, 0.7)
	share := inpatientShare[k] + g.r.uniform(-0.04, 0.04)
	if age >= 60 {
		share += 0.04
	}
	fund := math.Max(0, (total-deductible[k])*share)
	admitSec := outpatientSecond(g.r, true)
	disSec := int64(9*3600 + g.r.IntN(3*3600))
	if dies {
		disSec = int64(g.r.IntN(86400))
	}
	g.stays = append(g.stays, [2]int32{admit, dis})
	g.out = append(g.out, claim{
		start: int64(admit)*86400 + admitSec, end: int64(dis)*86400 + disSec,
		total: g.yuan(total), fund: g.yuan(fund), patient: i, provider: inst, doctor: doc,
		dx: int16(dx), ctype: ctInpatient, terminal: uint8(1 + g.r.IntN(in.terminals)),
	})
	return true
}

// visit adds an outpatient claim with an amount typical for the institution and diagnosis.
func (g *honestGen) visit(i int32, p *person, inst, doc int32, dx int, d int32) {
	k := g.w.insts[inst].kind
	g.visitAmount(i, p, inst, doc, dx, d, g.r.logNormal(outpatientMedian[k]*diagnosisTable[dx].cost, 0.75))
}

func (g *honestGen) visitAmount(i int32, p *person, inst, doc int32, dx int, d int32, total float64) {
	if d < g.cal.from || d > g.cal.to || !diagnosisTable[dx].fits(p.sex, ageAt(p.birth, d)) {
		return
	}
	in := &g.w.insts[inst]
	share := outpatientShare[in.kind] + g.r.uniform(-0.05, 0.05)
	if ageAt(p.birth, d) >= 60 {
		share += 0.05
	}
	if g.r.chance(0.22) { // paid from the personal account only (门诊统筹起付线 not reached)
		share = 0
	}
	total = math.Max(total, 3)
	g.out = append(g.out, claim{
		start: int64(d)*86400 + outpatientSecond(g.r, in.kind <= kindSecondary), total: g.yuan(total),
		fund: g.yuan(total * share), patient: i, provider: inst, doctor: doc, dx: int16(dx),
		ctype: ctOutpatient, terminal: uint8(1 + g.r.IntN(in.terminals)),
	})
}

// purchase adds a pharmacy claim.
func (g *honestGen) purchase(i int32, p *person, ph int32, dx int, d int32, total, share float64) {
	if d < g.cal.from || d > g.cal.to || dx >= 0 && !diagnosisTable[dx].fits(p.sex, ageAt(p.birth, d)) {
		return
	}
	total = math.Max(total, 2)
	sec := g.w.pharmacyTime(g.r, ph)
	g.out = append(g.out, claim{
		start: int64(d)*86400 + sec, total: g.yuan(total), fund: g.yuan(total * share),
		patient: i, provider: ph, doctor: -1, dx: int16(dx), ctype: ctPharmacy,
		terminal: uint8(1 + g.r.IntN(g.w.pharms[ph].terminals)),
	})
}

func (g *honestGen) pharmacyNear(p *person) int32 {
	if g.r.chance(0.75) {
		return p.homePharm
	}
	return pick(g.r, g.w.regions[p.region].pharms)
}

// chronicVisits adds roughly monthly visits for a chronic condition at the patient's usual place.
func (g *honestGen) chronicVisits(i int32, p *person, dx int, from, last int32) {
	var inst int32
	switch x := g.r.Float64(); {
	case x < 0.55:
		inst = p.homeClinic
	case x < 0.9:
		inst = p.tertiary
	default:
		inst = pick(g.r, g.w.regions[p.region].byKind[kindSecondary])
	}
	doc := g.w.doctorFor(g.r, inst, diagnosisTable[dx].dept, false)
	interval := g.r.uniform(26, 45)
	d := from + int32(g.r.IntN(int(interval)))
	for d <= last {
		// Chronic patients come on weekdays; Saturday moves to Friday, Sunday to Monday.
		switch g.cal.wd(d) {
		case 5:
			d--
		case 6:
			d++
		}
		if d > last {
			break
		}
		if g.r.chance(0.9) {
			g.visit(i, p, inst, doc, dx, d)
		}
		d += int32(interval + g.r.NormFloat64()*4)
	}
}

// refills adds pharmacy refills of a chronic condition's drugs every one to two months.
func (g *honestGen) refills(i int32, p *person, dx int, from, last int32) {
	interval := g.r.uniform(28, 60)
	median := g.r.logNormal(160, 0.4)
	d := from + int32(g.r.IntN(int(interval)))
	for d <= last {
		code := dx
		if g.r.chance(0.25) {
			code = -1
		}
		g.purchase(i, p, p.homePharm, code, d, g.r.logNormal(median, 0.25), g.r.uniform(0.5, 0.68))
		d += int32(interval + g.r.NormFloat64()*5)
	}
}

// acute adds one acute episode: a diagnosis fitting the patient and the season, a visit (or an
// over-the-counter purchase) and sometimes a follow-up.
func (g *honestGen) acute(i int32, p *person, from, last int32) {
	d := g.cal.pickDay(g.r, from, last, -1, false)
	age := ageAt(p.birth, d)
	ws := make([]float64, len(acuteWeights))
	ci := d - g.cal.from
	for k, a := range acuteWeights {
		dd := &diagnosisTable[a.dx]
		if !dd.fits(p.sex, age) {
			continue
		}
		w := bandWeight(a.child, a.adult, a.older, age)
		switch dd.season {
		case 1:
			w *= g.cal.winter[ci]
		case 2:
			w *= g.cal.summer[ci]
		}
		ws[k] = w
	}
	c := newCumulative(ws)
	if c[len(c)-1] == 0 {
		return
	}
	a := acuteWeights[c.draw(g.r)]
	dx := a.dx
	if a.pharmacy && g.r.chance(0.3) {
		g.purchase(i, p, g.pharmacyNear(p), dx, d, g.r.logNormal(70, 0.7), pick(g.r, []float64{0, 0, 0.5}))
		return
	}
	inst := g.outpatientProvider(p, age)
	doc := g.w.doctorFor(g.r, inst, diagnosisTable[dx].dept, age < 14)
	g.visit(i, p, inst, doc, dx, d)
	if g.r.chance(0.3) {
		g.visit(i, p, inst, doc, dx, d+int32(g.r.between(3, 10)))
	}
}

// outpatientProvider chooses where an acute visit happens: mostly the preferred tertiary
// hospital or the community clinic, sometimes a private clinic, and now and then in another
// pooling region (异地就医).
func (g *honestGen) outpatientProvider(p *person, age int) int32 {
	ri := int(p.region)
	if g.r.chance(g.cfg.CrossRegionRate) && len(g.w.regions) > 1 {
		other := g.w.regionPop.draw(g.r)
		if other != ri {
			rw := &g.w.regions[other]
			if g.r.chance(0.6) {
				return rw.byKind[kindTertiary][rw.tertPop.draw(g.r)]
			}
			return pick(g.r, rw.byKind[kindCommunity])
		}
	}
	rw := &g.w.regions[ri]
	x := g.r.Float64()
	if age < 14 {
		switch {
		case x < 0.45:
			return p.tertiary
		case x < 0.80:
			return p.homeClinic
		case x < 0.93:
			return pick(g.r, rw.byKind[kindSecondary])
		default:
			return pick(g.r, rw.byKind[kindClinic])
		}
	}
	switch {
	case x < 0.36:
		return p.tertiary
	case x < 0.68:
		return p.homeClinic
	case x < 0.84:
		return pick(g.r, rw.byKind[kindSecondary])
	case x < 0.97:
		return pick(g.r, rw.byKind[kindClinic])
	default:
		return pick(g.r, rw.byKind[kindPrivateHospital])
	}
}

// sortClaims orders a patient's claims by start time (then provider) for writing.
func sortClaims(cs []claim) {
	sort.SliceStable(cs, func(a, b int) bool {
		if cs[a].start != cs[b].start {
			return cs[a].start < cs[b].start
		}
		return cs[a].provider < cs[b].provider
	})
}
