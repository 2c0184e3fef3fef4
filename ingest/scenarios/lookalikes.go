package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Honest look-alikes: groups whose claims resemble fraud but are explained by care. Their
// members are never in truth.fraudulent.

func (g *gen) deptDoctors(rng *rand.Rand, prov int32, dept string, n int) []int32 {
	var ds []int32
	for _, d := range g.w.providers[prov].doctors {
		if g.w.doctors[d].dept == dept {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return g.distinctDoctors(rng, prov, n)
	}
	rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	return ds[:min(n, len(ds))]
}

// dialysisShift: haemodialysis patients (N18.5) in a fixed shift at a hospital: three sessions a
// week (Mon/Wed/Fri or Tue/Thu/Sat), morning or afternoon, one nephrologist per shift, a
// regulated price — the same people with the same doctor on ~150 days a year.
func (g *gen) dialysisShift(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	hosp := g.pickProvider(rng, ri, kindTertiary, kindSecondary)
	if hosp < 0 {
		return
	}
	docs := g.deptDoctors(rng, hosp, "肾内科", between(rng, 1, 2))
	pats := g.recruit(rng, ri, between(rng, 8, 30), 30, 85, 0, nil)
	if len(pats) < 2 {
		return
	}
	mwf := rng.IntN(2) == 0
	arrive := 7*60 + 30
	if rng.Float64() < 0.5 {
		arrive = 12*60 + 30
	}
	price := betweenF(rng, 38000, 46000)
	att := betweenF(rng, 0.94, 0.99)
	startDay := map[int32]int{}
	for _, p := range pats {
		if rng.Float64() < 0.2 {
			startDay[p] = rng.IntN(g.cfg.Days / 2)
		}
	}
	sessions := 0
	for d := 0; d < g.cfg.Days; d++ {
		wd := g.w.weekday(d)
		on := (mwf && (wd == time.Monday || wd == time.Wednesday || wd == time.Friday)) ||
			(!mwf && (wd == time.Tuesday || wd == time.Thursday || wd == time.Saturday))
		if !on {
			continue
		}
		sessions++
		doc := docs[(d/7)%len(docs)]
		for _, p := range pats {
			if d < startDay[p] || !g.free(p, d) || rng.Float64() > att {
				continue
			}
			t := d*daySec + (arrive+rng.IntN(60))*60 + rng.IntN(60)
			g.visit(p, hosp, doc, ctOutpatient, int32(t), dxCKD5, around(rng, price, 0.05), itemsDialysis, true)
		}
	}
	days := "Tue/Thu/Sat"
	if mwf {
		days = "Mon/Wed/Fri"
	}
	g.addLookalike(group{pattern: "dialysis_shift", kind: "dialysis_shift", patients: pats, doctors: docs, provs: []int32{hosp},
		note: fmt.Sprintf("%d haemodialysis patients, %s from %02d:%02d, %d shift days, %.0f yuan/session", len(pats), days, arrive/60, arrive%60, sessions, price/100)})
}

// rehabilitationCourse: patients of one clinic take courses of physiotherapy or acupuncture
// (康复理疗, 针灸推拿): 10-20 consecutive days except Sundays, one therapist, one package price,
// courses overlapping for days at a time.
func (g *gen) rehabilitationCourse(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	clinic := g.pickProvider(rng, ri, kindCommunity, kindClinic, kindPrivateHosp)
	if clinic < 0 {
		return
	}
	dept := "康复科"
	if g.w.providers[clinic].kind != kindCommunity {
		dept = "中医科"
	}
	ther := g.deptDoctors(rng, clinic, dept, 1)[0]
	pats := g.recruit(rng, ri, between(rng, 5, 20), 40, 85, 0, nil)
	if len(pats) < 2 {
		return
	}
	price := float64(between(rng, 45, 120) * 100)
	dx := g.dxPicker(rng, []int{dxBackPain, dxKneeOA, dxLumbarDisc, dxStrokeSequelae}, pats)
	centre := rng.IntN(g.cfg.Days - 60)
	visits := 0
	for _, p := range pats {
		own := slot(rng)
		for c := between(rng, 1, 2); c > 0; c-- {
			d := centre + rng.IntN(40) + (c-1)*between(rng, 60, 120)
			for k := between(rng, 10, 20); k > 0 && d < g.cfg.Days; d++ {
				if g.w.weekday(d) == time.Sunday || !g.free(p, d) {
					continue
				}
				g.visit(p, clinic, ther, ctOutpatient, int32(d*daySec+(own+rng.IntN(41)-20)*60+rng.IntN(60)), dx(p), int64(price), itemsRehab, false)
				k--
				visits++
			}
		}
	}
	g.addLookalike(group{pattern: "rehabilitation_course", kind: "therapy_course", patients: pats, doctors: []int32{ther}, provs: []int32{clinic},
		note: fmt.Sprintf("%d patients, courses of 10-20 days, one therapist, %.0f yuan/session, %d visits", len(pats), price/100, visits)})
}

// workplaceCheckup: employees of one employer have their annual health check (Z00.0) at a
// hospital's check-up centre on one weekday morning (or two), all at one package price.
func (g *gen) workplaceCheckup(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	hosp := g.pickProvider(rng, ri, kindTertiary, kindSecondary)
	if hosp < 0 {
		return
	}
	docs := g.deptDoctors(rng, hosp, "体检中心", between(rng, 1, 3))
	pats := g.recruit(rng, ri, between(rng, 15, 80), 20, 60, 0, nil)
	if len(pats) < 2 {
		return
	}
	price := []int64{38000, 58000, 88000, 128000}[rng.IntN(4)]
	d := rng.IntN(g.cfg.Days - 7)
	for w := g.w.weekday(d); w == time.Saturday || w == time.Sunday; w = g.w.weekday(d) {
		d++
	}
	split := rng.Float64() < 0.4
	for i, p := range pats {
		dd := d
		if split && i%2 == 1 {
			dd = d + 1
		}
		if !g.free(p, dd) {
			continue
		}
		t := dd*daySec + (7*60+30+rng.IntN(180))*60 + rng.IntN(60)
		g.visit(p, hosp, docs[rng.IntN(len(docs))], ctOutpatient, int32(t), dxCheckup, price, itemsCheckup, false)
	}
	g.addLookalike(group{pattern: "workplace_checkup", kind: "workplace_checkup", patients: pats, doctors: docs, provs: []int32{hosp},
		note: fmt.Sprintf("%d employees, package %d yuan, split over two days: %v", len(pats), price/100, split)})
}

// householdVisits: a family whose members fall ill together (colds, gastroenteritis) and see
// the same doctor one after the other, or buy medicine together at the family's pharmacy; they
// share an address and often a phone, like a card-lending group.
func (g *gen) householdVisits(rng *rand.Rand) {
	var hi int32 = -1
	for tries := 0; tries < 200; tries++ {
		h := int32(rng.IntN(len(g.w.houses)))
		ms := g.w.houses[h].members
		if len(ms) < 2 || slices.ContainsFunc(ms, func(p int32) bool { pt := &g.w.patients[p]; return pt.used || pt.death != noDeath }) {
			continue
		}
		hi = h
		break
	}
	if hi < 0 {
		return
	}
	ms := g.w.houses[hi].members
	for _, p := range ms {
		g.w.patients[p].used = true
	}
	head := &g.w.patients[ms[0]]
	days := between(rng, 3, 10)
	planted := 0
	var provs []int32
	for k := 0; k < days; k++ {
		d := g.dayFor(rng, false, false)
		who := slices.Clone(ms)
		rng.Shuffle(len(who), func(i, j int) { who[i], who[j] = who[j], who[i] })
		who = who[:between(rng, 2, len(who))]
		shared := []int{dxURTI, dxFlu, dxGastroenteritis, dxFever, dxConjunctivitis}[rng.IntN(5)]
		if rng.Float64() < 0.25 {
			ph := head.pharmacy
			t := int(outpatientTime(rng, d, kindPharmacy))
			for _, p := range who {
				if g.w.patients[p].age < 16 || !g.free(p, d) {
					continue
				}
				ci := g.visit(p, ph, -1, ctPharmacy, int32(t), -1, lognormal(rng, 5000, 0.5), itemsOTC, false)
				g.claims[ci].term = 1
				t += between(rng, 20, 170)
				planted++
			}
			provs = append(provs, ph)
			continue
		}
		prov := head.clinic
		switch x := rng.Float64(); {
		case x < 0.3:
			prov = head.hospital
		case x < 0.45:
			if c := g.pickProvider(rng, head.region, kindClinic); c >= 0 {
				prov = c
			}
		}
		doc := g.w.pickDoctor(rng, prov, "")
		sameDoc := rng.Float64() < 0.6
		t := int(outpatientTime(rng, d, g.w.providers[prov].kind))
		for _, p := range who {
			pt := &g.w.patients[p]
			if !g.free(p, d) {
				continue
			}
			x := shared
			if !diagTable[x].fits(pt.sex, pt.age) {
				x = dxURTI
			}
			dd := doc
			if !sameDoc {
				dd = g.w.pickDoctor(rng, prov, deptFor(x, pt.age))
			}
			g.visit(p, prov, dd, ctOutpatient, int32(t), x, lognormal(rng, g.w.providers[prov].outMedian, 0.4), itemsOrdinary, false)
			t += between(rng, 60, 900)
			planted++
		}
		provs = append(provs, prov)
	}
	slices.Sort(provs)
	provs = slices.Compact(provs)
	g.addLookalike(group{pattern: "household", kind: "household", patients: ms, provs: provs,
		note: fmt.Sprintf("household of %d, %d shared illness days, %d visits together", len(ms), days, planted)})
}

// chronicClinicDay: a community clinic's chronic-disease day (慢病管理日): registered hypertension
// and diabetes patients of the clinic see their family doctor on a fixed weekday every 28 days
// (in 1, 2 or 4 rotations, so the clinic day is monthly, fortnightly or weekly).
func (g *gen) chronicClinicDay(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	clinic := g.pickProvider(rng, ri, kindCommunity, kindTownship)
	if clinic < 0 {
		return
	}
	var cands []int32
	for _, pi := range g.w.regions[ri].patients {
		p := &g.w.patients[pi]
		if p.clinic == clinic && !p.used && p.death == noDeath && len(p.chronic) > 0 {
			cands = append(cands, pi)
		}
	}
	if len(cands) < 4 {
		return
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	pats := cands[:min(len(cands), between(rng, 12, 40))]
	for _, p := range pats {
		g.w.patients[p].used = true
		g.dropAt[p] = clinic
	}
	doc := g.distinctDoctors(rng, clinic, 1)[0]
	rot := []int{1, 2, 4}[rng.IntN(3)]
	first := rng.IntN(7)
	for g.w.weekday(first) == time.Saturday || g.w.weekday(first) == time.Sunday {
		first++
	}
	median := betweenF(rng, 9000, 22000)
	att := betweenF(rng, 0.78, 0.92)
	visits := 0
	for i, p := range pats {
		ch := g.w.patients[p].chronic
		for d := first + 7*(i%rot)*4/rot; d < g.cfg.Days; d += 28 {
			if rng.Float64() > att || !g.free(p, d) {
				continue
			}
			t := d*daySec + (8*60+rng.IntN(210))*60 + rng.IntN(60)
			g.visit(p, clinic, doc, ctOutpatient, int32(t), ch[rng.IntN(len(ch))], lognormal(rng, median, 0.15), itemsOrdinary, true)
			visits++
		}
	}
	g.addLookalike(group{pattern: "chronic_clinic_day", kind: "chronic_clinic", patients: pats, doctors: []int32{doc}, provs: []int32{clinic},
		note: fmt.Sprintf("%d chronic patients, fixed weekday in %d rotation(s), attendance %.2f, %d visits", len(pats), rot, att, visits)})
}

// pharmacyPromotion: a pharmacy's promotion or membership day (会员日) brings many customers of
// the district on one to three days, on every terminal, at ordinary amounts.
func (g *gen) pharmacyPromotion(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	ph := g.pickProvider(rng, ri, kindPharmacy)
	if ph < 0 {
		return
	}
	pats := g.recruit(rng, ri, between(rng, 30, 100), 18, 85, 0, nil)
	if len(pats) < 2 {
		return
	}
	days := sessionDays(rng, between(rng, 1, 3), 0, g.cfg.Days, 20)
	for _, p := range pats {
		d := days[rng.IntN(len(days))]
		if !g.free(p, d) {
			continue
		}
		g.visit(p, ph, -1, ctPharmacy, outpatientTime(rng, d, kindPharmacy), -1, lognormal(rng, 8000, 0.6), itemsOTC, false)
	}
	g.addLookalike(group{pattern: "pharmacy_promotion", kind: "pharmacy_rush", patients: pats, provs: []int32{ph},
		note: fmt.Sprintf("%d customers on %d promotion day(s)", len(pats), len(days))})
}

// schoolVaccination: children of one kindergarten or school class are vaccinated or checked at
// the community clinic on one or two mornings, at one small price.
func (g *gen) schoolVaccination(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	clinic := g.pickProvider(rng, ri, kindCommunity, kindTownship)
	if clinic < 0 {
		return
	}
	docs := g.deptDoctors(rng, clinic, "预防保健科", between(rng, 1, 2))
	kids := g.recruit(rng, ri, between(rng, 20, 60), 1, 12, 0, nil)
	if len(kids) < 2 {
		return
	}
	d := rng.IntN(g.cfg.Days - 3)
	for w := g.w.weekday(d); w == time.Saturday || w == time.Sunday; w = g.w.weekday(d) {
		d++
	}
	dx := dxVaccination
	if rng.Float64() < 0.4 {
		dx = dxChildCheck
	}
	price := int64(between(rng, 10, 60) * 100)
	two := rng.Float64() < 0.4
	for i, k := range kids {
		dd := d
		if two && i%2 == 1 {
			dd++
		}
		if !g.free(k, dd) {
			continue
		}
		t := dd*daySec + (8*60+30+rng.IntN(180))*60 + rng.IntN(60)
		g.visit(k, clinic, docs[rng.IntN(len(docs))], ctOutpatient, int32(t), dx, price, itemsVaccine, false)
	}
	g.addLookalike(group{pattern: "school_vaccination", kind: "school_vaccination", patients: kids, doctors: docs, provs: []int32{clinic},
		note: fmt.Sprintf("%d children, %s, %d yuan", len(kids), diagTable[dx].code, price/100)})
}

// sharedRegistrationPhone: residents of a care home (养老院) are registered with the home's
// phone and address; the contracted family doctor (家庭医生签约) sees them at the home's monthly
// check, each for their own chronic conditions — shared phone and co-visits, no fraud.
func (g *gen) sharedRegistrationPhone(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	pats := g.recruit(rng, ri, between(rng, 5, 20), 68, 99, 0, nil)
	if len(pats) < 2 {
		return
	}
	phone := g.w.newPhone(rng)
	def := g.w.regions[ri].def
	addr := fmt.Sprintf("云南省%s%s%s%d号%s养老院", def.city, def.districts[rng.IntN(len(def.districts))], def.streets[rng.IntN(len(def.streets))], 1+rng.IntN(500), []string{"福寿", "康乐", "夕阳红", "颐养"}[rng.IntN(4)])
	for _, p := range pats {
		g.w.patients[p].phone = phone
		g.w.patients[p].address = addr
	}
	clinic := g.w.patients[pats[0]].clinic
	doc := g.w.patients[pats[0]].famDoc
	monthly := rng.Float64() < 0.6
	visits := 0
	if monthly {
		for _, p := range pats {
			g.dropAt[p] = clinic
		}
		day := rng.IntN(28)
		for d := day; d < g.cfg.Days; d += between(rng, 28, 32) {
			t := d*daySec + 9*3600 + rng.IntN(3600)
			for _, p := range pats {
				if !g.free(p, d) || rng.Float64() > 0.85 {
					continue
				}
				x := dxHypertension
				if ch := g.w.patients[p].chronic; len(ch) > 0 {
					x = ch[rng.IntN(len(ch))]
				}
				g.visit(p, clinic, doc, ctOutpatient, int32(t), x, lognormal(rng, 12000, 0.3), itemsOrdinary, true)
				t += between(rng, 120, 600)
				visits++
			}
		}
	}
	g.addLookalike(group{pattern: "shared_registration_phone", kind: "care_home", patients: pats, doctors: []int32{doc}, provs: []int32{clinic},
		note: fmt.Sprintf("%d care-home residents sharing one phone and address, monthly doctor's round: %v (%d visits)", len(pats), monthly, visits)})
}
