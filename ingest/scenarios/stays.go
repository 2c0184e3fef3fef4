package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// stayDx are the codes paper admissions carry: chronic or pain conditions nobody can disprove
// after the fact.
var stayDx = []int{dxBackPain, dxLumbarDisc, dxKneeOA, dxCHD, dxStrokeSequelae, dxCOPD, dxHypertension, dxDiabetes, dxGastritis}

func (g *gen) stayHospital(rng *rand.Rand, ri int, privateShare float64) int32 {
	if rng.Float64() < privateShare {
		if p := g.pickProvider(rng, ri, kindPrivateHosp); p >= 0 {
			return p
		}
	}
	return g.pickProvider(rng, ri, kindTownship, kindPrivateHosp, kindSecondary)
}

// ghostHospitalisation: a hospital admits recruited patients on paper (挂床/虚假住院) in waves:
// each wave's members are admitted within three days, "stay" 5-16 days with bed and nursing
// billed and no care delivered, and many of them are seen elsewhere during the stay (they are
// at home: a pharmacy purchase, a visit to their own clinic).
func (g *gen) ghostHospitalisation(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	hosp := g.stayHospital(rng, ri, 0.75)
	if hosp < 0 {
		return
	}
	docs := g.distinctDoctors(rng, hosp, between(rng, 1, 2))
	members := g.recruit(rng, ri, between(rng, 5, 20), 35, 88, betweenF(rng, 0, 2), nil)
	if len(members) < 2 {
		return
	}
	dx := g.dxPicker(rng, pickCodes(rng, stayDx, between(rng, 1, 3)), members)
	waves := between(rng, 1, 4)
	losLo := between(rng, 5, 8)
	losHi := losLo + between(rng, 2, 8)
	perDay := betweenF(rng, 30000, 90000)
	active := betweenF(rng, 0.3, 0.85)
	share := betweenF(rng, 0.7, 0.88)
	admitted := map[int32]bool{}
	elsewhere := 0
	for _, wd := range sessionDays(rng, waves, 0, g.cfg.Days-20, 25) {
		for _, m := range attendees(rng, members, betweenF(rng, 0.5, 1)) {
			adm := wd + rng.IntN(3)
			los := between(rng, losLo, losHi)
			dis := min(adm+los, g.cfg.Days-1)
			if g.stayOverlaps(m, adm-1, dis+1) {
				continue
			}
			g.admit(m, hosp, docs[rng.IntN(len(docs))], at(adm, between(rng, 8, 16), rng.IntN(60), rng.IntN(60)),
				at(dis, between(rng, 8, 11), rng.IntN(60), 0), dx(m), lognormal(rng, perDay*float64(dis-adm), 0.12), share, itemsGhostStay)
			admitted[m] = true
			if rng.Float64() < active {
				p := &g.w.patients[m]
				for k := between(rng, 1, 3); k > 0; k-- {
					d := adm + 1 + rng.IntN(max(1, dis-adm-1))
					if rng.Float64() < 0.5 {
						g.visit(m, p.pharmacy, -1, ctPharmacy, outpatientTime(rng, d, kindPharmacy), -1, lognormal(rng, 4500, 0.5), itemsOTC, false)
					} else {
						x := dxURTI
						if len(p.chronic) > 0 {
							x = p.chronic[0]
						}
						g.visit(m, p.clinic, p.famDoc, ctOutpatient, outpatientTime(rng, d, kindCommunity), x, lognormal(rng, g.w.providers[p.clinic].outMedian, 0.4), itemsOrdinary, isChronicDx(x))
					}
					elsewhere++
				}
			}
		}
	}
	pats := keys(admitted)
	if len(pats) < 2 {
		return
	}
	g.addFraud(group{pattern: "ghost_hospitalisation", kind: graph.KindGhostHospitalization, patients: pats, doctors: docs,
		provs: []int32{hosp}, fraudDoctors: docs, fraudProvs: []int32{hosp},
		note: fmt.Sprintf("%d patients admitted on paper in %d wave(s), stays %d-%d days at %.0f yuan/day, %d claims elsewhere during the stays", len(pats), waves, losLo, losHi, perDay/100, elsewhere)}, false)
}

// inducedAdmissions: a private hospital buses elderly people in (free meals, gifts; 诱导住院) and
// admits them together for care they did not need: real stays with excessive items, whole
// groups admitted within hours of each other, repeatedly over the year.
func (g *gen) inducedAdmissions(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	hosp := g.stayHospital(rng, ri, 0.9)
	if hosp < 0 {
		return
	}
	docs := g.distinctDoctors(rng, hosp, between(rng, 1, 3))
	members := g.recruit(rng, ri, between(rng, 8, 25), 58, 90, 0, nil)
	if len(members) < 2 {
		return
	}
	dx := g.dxPicker(rng, pickCodes(rng, stayDx, between(rng, 2, 4)), members)
	waves := between(rng, 2, 5)
	perDay := betweenF(rng, 80000, 160000)
	admitted := map[int32]bool{}
	for _, wd := range sessionDays(rng, waves, 0, g.cfg.Days-20, 40) {
		bus := between(rng, 8, 14)*3600 + rng.IntN(3600)
		for _, m := range attendees(rng, members, betweenF(rng, 0.5, 0.95)) {
			los := between(rng, 6, 14)
			dis := min(wd+los, g.cfg.Days-1)
			if g.stayOverlaps(m, wd-1, dis+1) || !g.free(m, wd) {
				continue
			}
			g.admit(m, hosp, docs[rng.IntN(len(docs))], int32(wd*daySec+bus+rng.IntN(5400)),
				at(dis, between(rng, 8, 11), rng.IntN(60), 0), dx(m), lognormal(rng, 150000+perDay*float64(dis-wd), 0.15), betweenF(rng, 0.65, 0.85), itemsStay)
			g.dropRange[m] = append(g.dropRange[m], [2]int32{int32(wd), int32(dis)})
			admitted[m] = true
		}
	}
	pats := keys(admitted)
	if len(pats) < 2 {
		return
	}
	g.addFraud(group{pattern: "induced_admissions", kind: graph.KindCollusionRing, patients: pats, doctors: docs,
		provs: []int32{hosp}, fraudDoctors: docs, fraudProvs: []int32{hosp},
		note: fmt.Sprintf("%d elderly patients admitted in %d bus wave(s), %.0f yuan/day of unneeded care", len(pats), waves, perDay/100)}, false)
}

// communityChronicFabrication: a community clinic's doctor bills monthly chronic follow-ups that
// never happened for registered chronic patients of the clinic (虚构医疗服务), typed in one batch
// after hours at the same amount each month — whether the patient is in hospital or not.
func (g *gen) communityChronicFabrication(rng *rand.Rand) {
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
	if len(cands) < 5 {
		return
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	members := cands[:min(len(cands), between(rng, 10, 30))]
	for _, m := range members {
		g.w.patients[m].used = true
	}
	doc := g.distinctDoctors(rng, clinic, 1)[0]
	months := between(rng, 4, 12)
	first := rng.IntN(max(1, g.cfg.Days-months*30))
	hour := []int{12, 17, 18, 19, 20, 21}[rng.IntN(6)]
	fixed := rng.Float64() < 0.7
	amount := map[int32]int64{}
	for _, m := range members {
		amount[m] = roundFen(betweenF(rng, 12000, 28000))
	}
	for k := 0; k < months; k++ {
		d := first + k*30 + rng.IntN(5) - 2
		if d < 0 || d >= g.cfg.Days {
			continue
		}
		t := d*daySec + hour*3600 + rng.IntN(1800)
		for _, m := range members {
			if rng.Float64() > 0.9 {
				continue
			}
			amt := amount[m]
			if !fixed {
				amt = around(rng, float64(amt), 0.08)
			}
			ch := g.w.patients[m].chronic
			g.visit(m, clinic, doc, ctOutpatient, int32(t), ch[rng.IntN(len(ch))], amt, itemsOrdinary, true)
			t += between(rng, 20, 240)
		}
	}
	g.addFraud(group{pattern: "community_chronic_fabrication", kind: graph.KindCollusionRing, patients: members, doctors: []int32{doc},
		provs: []int32{clinic}, fraudDoctors: []int32{doc}, fraudProvs: []int32{clinic},
		note: fmt.Sprintf("%d registered chronic patients billed monthly × %d, entered in one batch around %02d:00, fixed amounts %v", len(members), months, hour, fixed)}, false)
}

// deceasedCardClaims: a person dies (the register has the death date) and the card goes on
// being used: the family refills the chronic drugs, the clinic keeps billing follow-ups, or a
// hospital bills a stay.
func (g *gen) deceasedCardClaims(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	ps := g.recruit(rng, ri, 1, 55, 92, 0, func(p int32) bool { return len(g.stays[p]) == 0 })
	if len(ps) == 0 {
		return
	}
	pi := ps[0]
	p := &g.w.patients[pi]
	death := between(rng, 30, g.cfg.Days-60)
	p.death = int32(death)
	g.dropAfter[pi] = int32(death)
	dx := dxHypertension
	if len(p.chronic) > 0 {
		dx = p.chronic[0]
	}
	gr := group{pattern: "deceased_card_claims", kind: graph.KindDeceasedClaims, patients: []int32{pi}}
	variant := []string{"family_refills", "clinic_follow_ups", "hospital_stay"}[rng.IntN(3)]
	n := 0
	switch variant {
	case "family_refills":
		for d := death + between(rng, 5, 40); d < g.cfg.Days && n < between(rng, 2, 10); d += between(rng, 25, 35) {
			g.visit(pi, p.pharmacy, -1, ctPharmacy, outpatientTime(rng, d, kindPharmacy), dx, lognormal(rng, 16000, 0.3), itemsRefill, true)
			n++
		}
		gr.provs = []int32{p.pharmacy}
	case "clinic_follow_ups":
		for d := death + between(rng, 10, 40); d < g.cfg.Days && n < between(rng, 2, 8); d += between(rng, 26, 34) {
			g.visit(pi, p.clinic, p.famDoc, ctOutpatient, outpatientTime(rng, d, kindCommunity), dx, lognormal(rng, 15000, 0.2), itemsOrdinary, true)
			n++
		}
		gr.provs, gr.doctors, gr.fraudProvs, gr.fraudDoctors = []int32{p.clinic}, []int32{p.famDoc}, []int32{p.clinic}, []int32{p.famDoc}
	default:
		hosp := g.stayHospital(rng, ri, 0.8)
		doc := g.w.pickDoctor(rng, hosp, "")
		adm := min(death+between(rng, 10, 50), g.cfg.Days-20)
		los := between(rng, 5, 15)
		g.admit(pi, hosp, doc, at(adm, between(rng, 8, 16), rng.IntN(60), 0), at(adm+los, 10, rng.IntN(60), 0), dx,
			lognormal(rng, 60000*float64(los), 0.2), 0.75, itemsGhostStay)
		n = 1
		gr.provs, gr.doctors, gr.fraudProvs, gr.fraudDoctors = []int32{hosp}, []int32{doc}, []int32{hosp}, []int32{doc}
	}
	gr.note = fmt.Sprintf("died on day %d; %d claim(s) after death (%s)", death, n, variant)
	g.addFraud(gr, true)
}

// impersonation: somebody else is treated on a person's card (冒名就医/冒名住院): the diagnoses
// do not fit the owner's sex or age, often in another pooling region.
func (g *gen) impersonation(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	variant := []string{"delivery_on_male_card", "elderly_care_on_young_card", "admission_elsewhere"}[rng.IntN(3)]
	var ok func(int32) bool
	switch variant {
	case "delivery_on_male_card":
		ok = func(p int32) bool { return g.w.patients[p].sex == 'M' && len(g.stays[p]) == 0 }
	default:
		ok = func(p int32) bool { return len(g.stays[p]) == 0 }
	}
	// Owners young enough that every code billed on the card misfits them.
	lo, hi := 20, 45
	switch variant {
	case "elderly_care_on_young_card":
		lo, hi = 18, 35
	case "admission_elsewhere":
		lo, hi = 18, 38
	}
	ps := g.recruit(rng, ri, 1, lo, hi, 0, ok)
	if len(ps) == 0 {
		return
	}
	pi := ps[0]
	where := ri
	if len(g.w.regions) > 1 && rng.Float64() < 0.6 {
		where = (ri + 1 + rng.IntN(len(g.w.regions)-1)) % len(g.w.regions)
	}
	gr := group{pattern: "impersonation", kind: graph.KindCardLending, patients: []int32{pi}}
	n := 0
	switch variant {
	case "delivery_on_male_card":
		hosp := g.pickProvider(rng, where, kindSecondary, kindPrivateHosp, kindTertiary)
		doc := g.w.pickDoctor(rng, hosp, "妇产科")
		dd := between(rng, 60, g.cfg.Days-10)
		for k := between(rng, 1, 4); k > 0; k-- {
			if v := dd - 7 - rng.IntN(120); v >= 0 && g.free(pi, v) {
				g.visit(pi, hosp, doc, ctOutpatient, outpatientTime(rng, v, kindSecondary), dxAntenatal, lognormal(rng, 22000, 0.4), itemsOrdinary, false)
				n++
			}
		}
		g.admit(pi, hosp, doc, at(dd, rng.IntN(24), rng.IntN(60), 0), at(dd+between(rng, 2, 5), 10, 0, 0), dxDelivery, lognormal(rng, 450000, 0.2), 0.7, itemsStay)
		n++
		gr.provs = []int32{hosp}
	case "elderly_care_on_young_card":
		codes := []int{dxCOPD, dxStrokeSequelae, dxCHD, dxHipFracture, dxOsteoporosis}
		for k := between(rng, 4, 10); k > 0; k-- {
			prov := g.pickProvider(rng, where, kindClinic, kindCommunity, kindSecondary)
			d := rng.IntN(g.cfg.Days)
			if !g.free(pi, d) {
				continue
			}
			x := codes[rng.IntN(len(codes))]
			g.visit(pi, prov, g.w.pickDoctor(rng, prov, deptFor(x, 70)), ctOutpatient, outpatientTime(rng, d, g.w.providers[prov].kind), x, lognormal(rng, 26000, 0.4), itemsOrdinary, true)
			gr.provs = append(gr.provs, prov)
			n++
		}
	default:
		hosp := g.pickProvider(rng, where, kindSecondary, kindPrivateHosp, kindTertiary)
		x := []int{dxStroke, dxHipFracture, dxCOPD}[rng.IntN(3)]
		adm := between(rng, 0, g.cfg.Days-25)
		los := between(rng, 7, 20)
		g.admit(pi, hosp, g.w.pickDoctor(rng, hosp, deptFor(x, 75)), at(adm, between(rng, 8, 20), rng.IntN(60), 0), at(adm+los, 10, 0, 0), x,
			lognormal(rng, 150000+120000*float64(los), 0.25), 0.7, itemsStay)
		n = 1
		gr.provs = []int32{hosp}
	}
	slices.Sort(gr.provs)
	gr.provs = slices.Compact(gr.provs)
	gr.note = fmt.Sprintf("card of a %d-year-old %c used by someone else: %s, %d claim(s), region %s", g.w.patients[pi].age, g.w.patients[pi].sex, variant, n, g.w.regions[where].def.code)
	g.addFraud(gr, true)
}

// singleLargeClaim: one settlement of 10,000 yuan or more (单次大额) fabricated or inflated at a
// private hospital: a short stay with a surgery line, or an outpatient "procedure".
func (g *gen) singleLargeClaim(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	ps := g.recruit(rng, ri, 1, 18, 85, 0, nil)
	hosp := g.pickProvider(rng, ri, kindPrivateHosp)
	if len(ps) == 0 || hosp < 0 {
		return
	}
	pi := ps[0]
	doc := g.w.pickDoctor(rng, hosp, "外科")
	x := g.dxPicker(rng, []int{dxLumbarDisc, dxKneeOA, dxCholecystitis, dxBackPain}, ps)(pi)
	total := roundFen(betweenF(rng, 1_000_000, 6_000_000))
	variant := "short_stay"
	d := rng.IntN(g.cfg.Days - 10)
	if rng.Float64() < 0.35 {
		variant = "outpatient_procedure"
		if !g.free(pi, d) {
			return
		}
		g.visit(pi, hosp, doc, ctOutpatient, outpatientTime(rng, d, kindPrivateHosp), x, min(total, 2_500_000), itemsSurgery, false)
	} else {
		los := between(rng, 2, 6)
		if g.stayOverlaps(pi, d-1, d+los+1) {
			return
		}
		g.admit(pi, hosp, doc, at(d, between(rng, 8, 15), rng.IntN(60), 0), at(d+los, 10, rng.IntN(60), 0), x, total, betweenF(rng, 0.6, 0.8), itemsSurgery)
		g.dropRange[pi] = append(g.dropRange[pi], [2]int32{int32(d), int32(d + los)})
	}
	g.addFraud(group{pattern: "single_large_claim", kind: graph.KindScreeningRule, patients: ps, doctors: []int32{doc},
		provs: []int32{hosp}, fraudDoctors: []int32{doc}, fraudProvs: []int32{hosp},
		note: fmt.Sprintf("%s of %.0f yuan", variant, float64(total)/100)}, true)
}

// keys returns the set's members sorted.
func keys(m map[int32]bool) []int32 {
	out := make([]int32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// crossRegionDuplicate: one stay reimbursed twice (异地就医重复报销): a genuine stay at the
// patient's hospital, and a second settlement for the same days, diagnosis and about the same
// amount at a hospital of another pooling region (a forged bill filed there).
func (g *gen) crossRegionDuplicate(rng *rand.Rand) {
	if len(g.w.regions) < 2 {
		return
	}
	ri := g.pickRegion(rng)
	ps := g.recruit(rng, ri, 1, 30, 85, 1, func(p int32) bool { return len(g.stays[p]) == 0 })
	if len(ps) == 0 {
		return
	}
	pi := ps[0]
	p := &g.w.patients[pi]
	other := (ri + 1 + rng.IntN(len(g.w.regions)-1)) % len(g.w.regions)
	forged := g.pickProvider(rng, other, kindPrivateHosp, kindSecondary)
	if forged < 0 {
		return
	}
	x := g.dxPicker(rng, []int{dxPneumonia, dxCHD, dxCOPD, dxStroke, dxCholecystitis, dxLumbarDisc}, ps)(pi)
	adm := rng.IntN(g.cfg.Days - 25)
	los := between(rng, 5, 15)
	total := lognormal(rng, 150000+150000*float64(los), 0.3)
	home := g.w.pickDoctor(rng, p.hospital, deptFor(x, p.age))
	g.admit(pi, p.hospital, home, at(adm, between(rng, 8, 18), rng.IntN(60), 0), at(adm+los, 10, rng.IntN(60), 0), x, total, 0.68, itemsStay)
	g.dropRange[pi] = append(g.dropRange[pi], [2]int32{int32(adm), int32(adm + los)})
	shift := rng.IntN(3) - 1
	doc := g.w.pickDoctor(rng, forged, deptFor(x, p.age))
	g.admit(pi, forged, doc, at(adm+shift, between(rng, 8, 18), rng.IntN(60), 0), at(adm+los+shift, 10, rng.IntN(60), 0), x,
		around(rng, float64(total), 0.1), 0.7, itemsStay)
	gr := group{pattern: "cross_region_duplicate", kind: graph.KindScreeningRule, patients: ps, doctors: []int32{home, doc},
		provs: []int32{p.hospital, forged},
		note:  fmt.Sprintf("a %d-day stay at home and the same stay (shifted %+d day) billed in region %s", los, shift, g.w.regions[other].def.code)}
	if !g.w.providers[forged].public {
		gr.fraudProvs, gr.fraudDoctors = []int32{forged}, []int32{doc}
	}
	g.addFraud(gr, true)
}

// drugReselling: a chronic patient collects the same expensive drugs at several providers within
// days, month after month (重复开药, 倒买倒卖): far more than one person can take.
func (g *gen) drugReselling(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	ps := g.recruit(rng, ri, 1, 45, 85, 0, func(p int32) bool { return len(g.w.patients[p].chronic) > 0 })
	if len(ps) == 0 {
		return
	}
	pi := ps[0]
	p := &g.w.patients[pi]
	x := p.chronic[rng.IntN(len(p.chronic))]
	var provs []int32
	for k := between(rng, 3, 5); k > 0; k-- {
		var q int32
		if rng.Float64() < 0.5 {
			q = g.pickProvider(rng, ri, kindPharmacy)
		} else {
			q = g.pickProvider(rng, ri, kindCommunity, kindClinic, kindSecondary, kindTertiary)
		}
		if q >= 0 && !slices.Contains(provs, q) {
			provs = append(provs, q)
		}
	}
	months := between(rng, 4, 12)
	first := rng.IntN(max(1, g.cfg.Days-months*30))
	n := 0
	for m := 0; m < months; m++ {
		d := first + 30*m
		for _, q := range provs {
			dd := d + rng.IntN(6)
			if dd >= g.cfg.Days || !g.free(pi, dd) {
				continue
			}
			pr := &g.w.providers[q]
			if pr.kind == kindPharmacy {
				g.visit(pi, q, -1, ctPharmacy, outpatientTime(rng, dd, kindPharmacy), x, lognormal(rng, 30000, 0.25), itemsRefill, true)
			} else {
				g.visit(pi, q, g.w.pickDoctor(rng, q, deptFor(x, p.age)), ctOutpatient, outpatientTime(rng, dd, pr.kind), x, lognormal(rng, 35000, 0.25), itemsRefill, true)
			}
			n++
		}
	}
	g.addFraud(group{pattern: "drug_reselling", kind: graph.KindScreeningRule, patients: ps, provs: provs,
		note: fmt.Sprintf("%s collected at %d providers within a week, monthly × %d (%d claims)", diagTable[x].code, len(provs), months, n)}, true)
}
