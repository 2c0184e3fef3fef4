package scenarios

import (
	"math"
	"math/rand/v2"
	"time"
)

// background draws every patient's honest year: deaths, hospital stays (some referred by the
// home clinic), chronic follow-up with refills, seasonal acute illness with follow-ups, and
// over-the-counter purchases. Honest care never falls inside the patient's own stay and never
// after death.
func (g *gen) background(rng *rand.Rand) {
	for pi := range g.w.patients {
		g.patientYear(rng, int32(pi))
	}
}

// annualMortality by age (China life tables, rounded).
func annualMortality(age int) float64 {
	switch {
	case age < 1:
		return 0.005
	case age < 45:
		return 0.0008
	case age < 60:
		return 0.004
	case age < 70:
		return 0.011
	case age < 80:
		return 0.03
	default:
		return 0.09
	}
}

// admissionRate is the yearly probability of an inpatient stay by age.
func admissionRate(age int) float64 {
	switch {
	case age < 5:
		return 0.08
	case age < 18:
		return 0.03
	case age < 45:
		return 0.045
	case age < 65:
		return 0.1
	case age < 80:
		return 0.2
	default:
		return 0.3
	}
}

func acuteRate(age int) float64 {
	switch {
	case age < 7:
		return 3.5
	case age < 18:
		return 1.8
	case age < 45:
		return 1.0
	case age < 65:
		return 1.5
	default:
		return 2.2
	}
}

func poisson(rng *rand.Rand, mean float64) int {
	l := math.Exp(-mean)
	k, p := 0, rng.Float64()
	for p > l {
		k++
		p *= rng.Float64()
	}
	return k
}

// seasonal weight of a day for respiratory (winter peak) or gastrointestinal (summer peak) illness.
func (g *gen) seasonal(d int, summer bool) float64 {
	doy := float64(g.w.day(d).YearDay())
	if summer {
		return 1 + 0.5*math.Cos(2*math.Pi*(doy-200)/365)
	}
	return 1 + 0.8*math.Cos(2*math.Pi*(doy-15)/365)
}

// outpatientTime draws a visit time on day d at a provider of kind k.
func outpatientTime(rng *rand.Rand, d int, k provKind) int32 {
	if k == kindPharmacy {
		// Opening hours 08:00–22:00 with an after-work peak.
		h := 8 + rng.IntN(14)
		if rng.Float64() < 0.3 {
			h = 17 + rng.IntN(4)
		}
		return at(d, h, rng.IntN(60), rng.IntN(60))
	}
	if rng.Float64() < 0.68 {
		m := 8*60 + rng.IntN(225) // 08:00–11:45
		return at(d, m/60, m%60, rng.IntN(60))
	}
	m := 14*60 + rng.IntN(210) // 14:00–17:30
	return at(d, m/60, m%60, rng.IntN(60))
}

// dayFor draws a day in [0, days) weighted by season, moving primary-care visits off weekends
// most of the time.
func (g *gen) dayFor(rng *rand.Rand, summer bool, weekdayOnly bool) int {
	for {
		d := rng.IntN(g.cfg.Days)
		if rng.Float64()*1.8 > g.seasonal(d, summer) {
			continue
		}
		if weekdayOnly {
			if wd := g.w.weekday(d); (wd == time.Saturday || wd == time.Sunday) && rng.Float64() < 0.7 {
				continue
			}
		}
		return d
	}
}

var childAcute = []int{dxURTI, dxURTI, dxFever, dxBronchitis, dxGastroenteritis, dxConjunctivitis, dxDermatitis, dxCaries, dxFlu}
var adultAcute = []int{dxURTI, dxURTI, dxFlu, dxGastritis, dxBackPain, dxUTI, dxDermatitis, dxHeadache, dxLumbarDisc, dxConjunctivitis, dxCaries, dxGastroenteritis, dxBronchitis}

func deptFor(dx int, age int) string {
	if age < 14 {
		return "儿科"
	}
	switch dx {
	case dxHypertension, dxCHD:
		return "心血管内科"
	case dxDiabetes, dxHyperlipidaemia:
		return "内分泌科"
	case dxCOPD, dxBronchitis, dxPneumonia, dxFlu:
		return "呼吸内科"
	case dxBackPain, dxKneeOA, dxLumbarDisc, dxHipFracture:
		return "骨科"
	case dxGastritis, dxGastroenteritis, dxCholecystitis:
		return "消化内科"
	case dxStroke, dxStrokeSequelae, dxHeadache:
		return "神经内科"
	case dxCKD5:
		return "肾内科"
	case dxDelivery, dxAntenatal:
		return "妇产科"
	case dxAppendicitis:
		return "外科"
	case dxConjunctivitis:
		return "眼科"
	case dxCaries:
		return "口腔科"
	}
	return "内科"
}

func (g *gen) patientYear(rng *rand.Rand, pi int32) {
	w := g.w
	p := &w.patients[pi]
	days := g.cfg.Days
	// Deaths: a few died before the range (in the register, no claims); others die during it.
	if p.age >= 60 && rng.Float64() < annualMortality(p.age)*0.5 {
		p.death = int32(-1 - rng.IntN(700))
		return
	}
	inHospitalDeath := false
	if rng.Float64() < annualMortality(p.age)*float64(days)/365 {
		p.death = int32(rng.IntN(days))
		inHospitalDeath = p.age >= 45 && rng.Float64() < 0.45
	}
	last := min(days-1, int(p.death))
	if last < 0 {
		return
	}
	// Inpatient stays.
	var stays [][2]int
	nStays := 0
	if rng.Float64() < admissionRate(p.age) {
		nStays = 1
		if p.age >= 65 && rng.Float64() < 0.25 {
			nStays = 2
		}
	}
	if p.sex == 'F' && p.age >= 20 && p.age <= 40 && rng.Float64() < 0.05 {
		g.delivery(rng, pi, last)
	}
	for s := 0; s < nStays; s++ {
		g.honestStay(rng, pi, last, false)
	}
	if inHospitalDeath {
		g.honestStay(rng, pi, last, true)
	}
	for _, s := range g.stays[pi] {
		stays = append(stays, [2]int{int(s[0]), int(s[1])})
	}
	busy := func(d int) bool {
		if d < 0 || d > last {
			return true
		}
		for _, s := range stays {
			if d >= s[0] && d <= s[1] {
				return true
			}
		}
		return false
	}
	// Chronic follow-up: a monthly (some fortnightly) visit with a refill in between for some.
	if len(p.chronic) > 0 && rng.Float64() < 0.75 {
		g.chronicYear(rng, pi, busy)
	}
	// Acute illness.
	for k := poisson(rng, acuteRate(p.age)); k > 0; k-- {
		g.acuteEpisode(rng, pi, busy)
	}
	// Over-the-counter purchases.
	for k := poisson(rng, 2.2); k > 0; k-- {
		d := rng.IntN(days)
		if busy(d) {
			continue
		}
		ph := p.pharmacy
		if rng.Float64() < 0.25 {
			ph = g.pickProvider(rng, p.region, kindPharmacy)
		}
		doc := int32(-1)
		if rng.Float64() < 0.3 {
			doc = w.pickDoctor(rng, ph, "")
		}
		g.visit(pi, ph, doc, ctPharmacy, outpatientTime(rng, d, kindPharmacy), -1, lognormal(rng, 4500, 0.6), itemsOTC, false)
	}
}

func (g *gen) chronicYear(rng *rand.Rand, pi int32, busy func(int) bool) {
	w := g.w
	p := &w.patients[pi]
	cadence := 28 + rng.IntN(9) - 3
	if rng.Float64() < 0.15 {
		cadence = 14
	}
	atHospital := rng.Float64() < 0.35
	prov, doc := p.clinic, p.famDoc
	if atHospital {
		prov = p.hospital
		doc = w.pickDoctor(rng, prov, deptFor(p.chronic[0], p.age))
	}
	if !atHospital && p.private >= 0 && rng.Float64() < 0.2 {
		// Follow-up at the family's private clinic, closer or open longer than the public one.
		prov = p.private
		doc = w.pickDoctor(rng, prov, "")
	}
	refills := rng.Float64() < 0.35
	median := float64(14000)
	if atHospital {
		median = 32000
	}
	median *= 1 + 0.3*float64(len(p.chronic)-1)
	for d := rng.IntN(cadence); d < g.cfg.Days; d += cadence + rng.IntN(7) - 3 {
		if rng.Float64() > 0.85 {
			continue
		}
		dd := d
		if busy(dd) {
			continue
		}
		if wd := w.weekday(dd); wd == time.Sunday && !atHospital {
			dd++
			if busy(dd) {
				continue
			}
		}
		dx := p.chronic[rng.IntN(len(p.chronic))]
		if refills && rng.Float64() < 0.5 {
			g.visit(pi, p.pharmacy, w.pickDoctor(rng, p.pharmacy, ""), ctPharmacy, outpatientTime(rng, dd, kindPharmacy), dx,
				lognormal(rng, median*0.8, 0.25), itemsRefill, true)
			continue
		}
		if rng.Float64() < 0.1 {
			doc = w.pickDoctor(rng, prov, deptFor(dx, p.age)) // the usual doctor is away
		}
		g.visit(pi, prov, doc, ctOutpatient, outpatientTime(rng, dd, w.providers[prov].kind), dx, lognormal(rng, median, 0.3), itemsOrdinary, true)
	}
}

func (g *gen) acuteEpisode(rng *rand.Rand, pi int32, busy func(int) bool) {
	w := g.w
	p := &w.patients[pi]
	dx := adultAcute[rng.IntN(len(adultAcute))]
	if p.age < 14 {
		dx = childAcute[rng.IntN(len(childAcute))]
	}
	if !diagTable[dx].fits(p.sex, p.age) {
		dx = dxURTI
	}
	summer := dx == dxGastroenteritis
	d := g.dayFor(rng, summer, false)
	if busy(d) {
		return
	}
	// Where: home clinic, the preferred hospital, a private clinic, another hospital, or (rarely)
	// somewhere in another region (异地就医).
	ri := p.region
	var prov int32
	x := rng.Float64()
	switch {
	case p.private >= 0 && rng.Float64() < 0.45:
		prov = p.private
	case x < 0.03:
		ri = rng.IntN(len(w.regions))
		prov = g.pickProvider(rng, ri, kindTertiary, kindSecondary, kindClinic)
	case x < 0.40:
		prov = p.clinic
	case x < 0.62:
		prov = p.hospital
	case x < 0.80 && p.age >= 14:
		prov = g.pickProvider(rng, ri, kindClinic)
	case x < 0.92:
		prov = g.pickProvider(rng, ri, kindSecondary, kindTertiary)
	default:
		prov = g.pickProvider(rng, ri, kindPrivateHosp, kindClinic)
	}
	k := w.providers[prov].kind
	if k.primary() || k == kindClinic {
		if wd := w.weekday(d); (wd == time.Saturday || wd == time.Sunday) && rng.Float64() < 0.5 {
			d = min(d+int(8-wd)%7, g.cfg.Days-1)
			if busy(d) {
				return
			}
		}
	}
	doc := w.pickDoctor(rng, prov, deptFor(dx, p.age))
	if prov == p.clinic && rng.Float64() < 0.5 {
		doc = p.famDoc
	}
	median := w.providers[prov].outMedian
	if p.age < 7 {
		median *= 0.8
	}
	items := itemsOrdinary
	lbl := false
	start := outpatientTime(rng, d, k)
	if (k == kindTertiary || k == kindSecondary) && rng.Float64() < 0.08 {
		// Emergency visit at night.
		start = at(d, []int{0, 1, 2, 19, 20, 21, 22, 23}[rng.IntN(8)], rng.IntN(60), rng.IntN(60))
		median *= 1.8
		lbl = true
	}
	ci := g.visit(pi, prov, doc, ctOutpatient, start, dx, lognormal(rng, median, 0.55), items, false)
	if lbl {
		g.claims[ci].label = lblEmergency
	}
	// Follow-up visit.
	if rng.Float64() < 0.25 {
		f := d + 2 + rng.IntN(6)
		if !busy(f) && f < g.cfg.Days {
			if rng.Float64() < 0.3 {
				doc = w.pickDoctor(rng, prov, deptFor(dx, p.age))
			}
			g.visit(pi, prov, doc, ctOutpatient, outpatientTime(rng, f, k), dx, lognormal(rng, median*0.7, 0.5), itemsOrdinary, false)
		}
	}
	// Buying something at the pharmacy the same or next day.
	if rng.Float64() < 0.2 {
		f := d + rng.IntN(2)
		if !busy(f) && f < g.cfg.Days {
			g.visit(pi, p.pharmacy, -1, ctPharmacy, outpatientTime(rng, f, kindPharmacy), -1, lognormal(rng, 4000, 0.5), itemsOTC, false)
		}
	}
}

var inpatientDx = []int{dxPneumonia, dxPneumonia, dxStroke, dxCHD, dxCOPD, dxAppendicitis, dxCholecystitis, dxHipFracture, dxLumbarDisc, dxGastroenteritis, dxDiabetes, dxHypertension}

// honestStay plants one genuine stay; dying ends the patient's last stay on the death day.
func (g *gen) honestStay(rng *rand.Rand, pi int32, last int, dying bool) {
	w := g.w
	p := &w.patients[pi]
	dx := inpatientDx[rng.IntN(len(inpatientDx))]
	for tries := 0; !diagTable[dx].fits(p.sex, p.age) && tries < 10; tries++ {
		dx = inpatientDx[rng.IntN(len(inpatientDx))]
	}
	if !diagTable[dx].fits(p.sex, p.age) {
		dx = dxPneumonia
	}
	los := 3 + int(math.Round(math.Exp(1.6+0.5*rng.NormFloat64())))
	los = min(los, 40)
	var adm int
	if dying {
		adm = int(p.death) - los
	} else {
		adm = rng.IntN(max(1, last-los+1))
	}
	adm = max(adm, 0)
	dis := adm + los
	if dying {
		dis = int(p.death)
	}
	dis = min(dis, g.cfg.Days-1)
	if dis <= adm || g.stayOverlaps(pi, adm-1, dis+1) {
		return
	}
	hosp := p.hospital
	x := rng.Float64()
	switch {
	case x < 0.25:
		hosp = g.pickProvider(rng, p.region, kindTertiary, kindSecondary)
	case x < 0.33:
		hosp = g.pickProvider(rng, p.region, kindPrivateHosp)
	case x < 0.40 && p.age >= 60:
		hosp = g.pickProvider(rng, p.region, kindTownship)
	}
	hp := &w.providers[hosp]
	doc := w.pickDoctor(rng, hosp, deptFor(dx, p.age))
	// Referral: the home clinic saw the patient a few days before (转诊).
	if rng.Float64() < 0.3 && hosp != p.clinic {
		rd := adm - 1 - rng.IntN(4)
		if rd >= 0 && !g.inStay(pi, rd) {
			g.visit(pi, p.clinic, p.famDoc, ctOutpatient, outpatientTime(rng, rd, kindCommunity), dx,
				lognormal(rng, w.providers[p.clinic].outMedian, 0.4), itemsOrdinary, false)
		}
	}
	admTime := at(adm, 8+rng.IntN(10), rng.IntN(60), rng.IntN(60))
	if rng.Float64() < 0.4 {
		// Seen in the outpatient or emergency department first, then admitted.
		ot := outpatientTime(rng, adm, hp.kind)
		g.visit(pi, hosp, doc, ctOutpatient, ot, dx, lognormal(rng, hp.outMedian, 0.4), itemsOrdinary, false)
		admTime = ot + int32(1800+rng.IntN(7200))
	}
	disTime := at(dis, 9+rng.IntN(3), rng.IntN(60), 0)
	if dying {
		disTime = at(dis, rng.IntN(24), rng.IntN(60), 0)
	}
	if disTime <= admTime {
		disTime = admTime + 3600
	}
	perDay := map[provKind]float64{kindTertiary: 190000, kindSecondary: 110000, kindPrivateHosp: 90000, kindTownship: 45000}[hp.kind]
	total := lognormal(rng, 150000+perDay*float64(dis-adm), 0.35)
	g.admit(pi, hosp, doc, admTime, disTime, dx, total, fundShare(rng, ctInpatient, hp.kind, false), itemsStay)
}

// delivery plants antenatal visits and a delivery stay.
func (g *gen) delivery(rng *rand.Rand, pi int32, last int) {
	w := g.w
	p := &w.patients[pi]
	hosp := p.hospital
	dd := 60 + rng.IntN(max(1, last-60))
	if dd > last || g.stayOverlaps(pi, dd-1, dd+4) {
		return
	}
	doc := w.pickDoctor(rng, hosp, "妇产科")
	for k := between(rng, 3, 7); k > 0; k-- {
		v := dd - 7 - rng.IntN(150)
		if v >= 0 && !g.inStay(pi, v) {
			g.visit(pi, hosp, doc, ctOutpatient, outpatientTime(rng, v, w.providers[hosp].kind), dxAntenatal,
				lognormal(rng, 22000, 0.4), itemsOrdinary, false)
		}
	}
	los := 2 + rng.IntN(4)
	g.admit(pi, hosp, doc, at(dd, rng.IntN(24), rng.IntN(60), 0), at(min(dd+los, g.cfg.Days-1), 10, rng.IntN(60), 0),
		dxDelivery, lognormal(rng, 420000, 0.25), 0.7, itemsStay)
}
