package synth

import (
	"fmt"

	"github.com/ringtrace/ringtrace/graph"
)

// Look-alike kinds written to truth.json: honest groups that share the surface features of fraud.
const (
	LookalikeHousehold        = "household"         // a family visiting together, same address and phone
	LookalikeChronicClinic    = "chronic_clinic"    // a community clinic's weekly chronic-disease day
	LookalikeWorkplaceCheckup = "workplace_checkup" // an employer's health check on one day
	LookalikePharmacyRush     = "pharmacy_rush"     // a pharmacy's crowded promotion (member) day
	LookalikeCodingError      = "coding_error"      // one claim with a mistyped diagnosis that misfits the patient
	LookalikeProxyPurchase    = "proxy_purchase"    // family buys an admitted patient's usual drugs at the usual pharmacy
	LookalikeDialysisShift    = "dialysis_shift"    // haemodialysis patients sharing a shift three times a week
	LookalikeTherapyCourse    = "therapy_course"    // a clinic's physiotherapy/TCM patients on daily courses
)

// households plants families who often fall ill and visit together: children with a cold, a
// couple at the same clinic. They share address and phone, like card-lending groups.
func (pl *planner) households() {
	if pl.cfg.HouseholdRate <= 0 {
		return
	}
	n := 0
	for h := range pl.hhs {
		hh := pl.hhs[h]
		if hh.size < 2 || !pl.r.chance(pl.cfg.HouseholdRate) {
			continue
		}
		var ms []int32
		for k := int32(0); k < int32(hh.size); k++ {
			if pl.free(hh.start + k) {
				ms = append(ms, hh.start+k)
			}
		}
		if len(ms) < 2 {
			continue
		}
		n++
		for _, i := range ms {
			pl.people[i].role |= roleHouseholdCoVisit
		}
		p0 := &pl.people[ms[0]]
		hasChild := false
		for _, i := range ms {
			if pl.age(i) < 14 {
				hasChild = true
			}
		}
		var provs []graph.Ref
		var docs []int32
		days := pl.r.between(3, 10)
		for _, d := range pl.distinctDays(days, pl.cal.from, pl.cal.to, false) {
			if !pl.cfg.Thin && pl.r.chance(0.25) {
				// Shopping together at the family's pharmacy: one terminal, minutes apart,
				// each with their own card — a two- or three-card "burst".
				ph := p0.homePharm
				term := 1 + pl.r.IntN(pl.w.pharms[ph].terminals)
				sec := int64(d)*86400 + pl.w.pharmacyTime(pl.r, ph)
				bought := 0
				for _, i := range ms {
					if pl.age(i) < 16 {
						continue
					}
					dx := -1
					for ci, cc := range chronicConditions {
						if pl.people[i].chronic&(1<<ci) != 0 {
							dx = cc.dx
							break
						}
					}
					sec += int64(20 + pl.r.IntN(150))
					pl.purchase(i, ph, dx, sec, pl.r.logNormal(120, 0.6), pick(pl.r, []float64{0, 0.5, 0.6}), term, srcLookalike)
					bought++
				}
				if bought > 0 {
					provs = append(provs, pl.pharmRef(ph))
					continue
				}
			}
			inst := p0.homeClinic
			if pl.r.chance(0.45) {
				inst = p0.tertiary
			} else if pl.r.chance(0.1) {
				inst = pick(pl.r, pl.w.regions[p0.region].byKind[kindClinic])
			}
			in := &pl.w.insts[inst]
			shared := pl.w.doctorFor(pl.r, inst, deptGeneral, hasChild)
			dx := pick(pl.r, []int{dxURTI, dxURTI, dxFever, dxGastroenteritis, dxBronchitis, dxConjunctivitis})
			sec := int64(d)*86400 + outpatientSecond(pl.r, false)
			k := pl.r.between(2, len(ms))
			for _, idx := range pl.r.Perm(len(ms))[:k] {
				i := ms[idx]
				doc := shared
				if pl.r.chance(0.4) {
					doc = pl.w.doctorFor(pl.r, inst, diagnosisTable[dx].dept, pl.age(i) < 14)
				}
				cdx := pl.fitting(i, d, []int{dx}, dxURTI)
				pl.outpatient(i, inst, doc, cdx, sec+int64(pl.r.IntN(15*60)), pl.r.logNormal(outpatientMedian[in.kind]*0.9, 0.6), outpatientShare[in.kind], srcLookalike)
				docs = append(docs, doc)
			}
			provs = append(provs, pl.instRef(inst))
		}
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("household", n), LookalikeHousehold, ms, docs, provs,
			fmt.Sprintf("%d family members sharing address and phone visit together on %d days", len(ms), days)))
	}
}

// chronicClinics plants community clinics' chronic-disease days (慢病门诊日): a cohort of
// hypertension and diabetes patients registered with the clinic sees the same family doctor on a
// fixed weekday, every four weeks, with near-identical standard refills. Structurally this is
// the closest honest twin of a collusion ring.
func (pl *planner) chronicClinics() {
	var clinics []int32
	for ri := range pl.w.regions {
		clinics = append(clinics, pl.w.regions[ri].byKind[kindCommunity]...)
	}
	k := count(pl.cfg.ChronicClinicRate, len(clinics))
	if k == 0 {
		return
	}
	// Candidates per clinic: registered chronic patients with hypertension or diabetes.
	cand := map[int32][]int32{}
	for i := range pl.people {
		p := &pl.people[i]
		if p.chronic&0b11 != 0 && pl.free(int32(i)) {
			cand[p.homeClinic] = append(cand[p.homeClinic], int32(i))
		}
	}
	order := pl.r.Perm(len(clinics))
	n := 0
	for _, o := range order[:k] {
		inst := clinics[o]
		cs := cand[inst]
		if len(cs) < 6 {
			continue
		}
		size := min(len(cs), pl.r.between(12, 40))
		var cohort []int32
		for _, idx := range pl.r.Perm(len(cs))[:size] {
			cohort = append(cohort, cs[idx])
			pl.people[cs[idx]].role |= roleCohort
		}
		n++
		doc := pl.w.doctorFor(pl.r, inst, deptGeneral, false)
		weekday := pl.r.IntN(5)
		// First clinic day on the chosen weekday.
		first := pl.cal.from
		for pl.cal.wd(first) != weekday {
			first++
		}
		rotations := pick(pl.r, []int{1, 2, 4})
		median := pl.r.uniform(110, 180)
		for m, i := range cohort {
			offset := int32(7 * (m % rotations))
			dx := dxHypertension
			if pl.people[i].chronic&0b01 == 0 {
				dx = dxDiabetes
			}
			for d := first + offset; d <= pl.cal.to; d += 28 {
				if !pl.r.chance(0.85) {
					continue
				}
				sec := int64(d)*86400 + int64(8*3600+pl.r.IntN(3*3600+30*60))
				pl.outpatient(i, inst, doc, pl.fitting(i, d, []int{dx}, dx), sec, pl.r.logNormal(median, 0.15), 0.7, srcLookalike)
			}
		}
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("cohort", n), LookalikeChronicClinic, cohort, []int32{doc},
			[]graph.Ref{pl.instRef(inst)}, fmt.Sprintf("%d chronic patients see one family doctor every 4 weeks on weekday %d in %d rotation(s)", len(cohort), weekday+1, rotations)))
	}
}

// checkups plants workplace health checks (单位体检): dozens of working-age adults at one
// hospital's check-up centre on one or two mornings, with package prices.
func (pl *planner) checkups() {
	k := count(pl.cfg.CheckupRate/10000, pl.cfg.Patients)
	for n := 1; n <= k; n++ {
		ri := pl.w.regionPop.draw(pl.r)
		rw := &pl.w.regions[ri]
		inst := rw.byKind[kindTertiary][rw.tertPop.draw(pl.r)]
		if pl.r.chance(0.3) {
			inst = pick(pl.r, rw.byKind[kindSecondary])
		}
		doc := pl.w.doctorFor(pl.r, inst, deptCheckup, false)
		size := pl.r.between(15, 80)
		var staff []int32
		for len(staff) < size {
			i := pl.pickPatient(ri, func(i int32) bool { a := pl.age(i); return a >= 22 && a <= 60 })
			if i < 0 {
				break
			}
			pl.people[i].role |= roleCheckup
			staff = append(staff, i)
		}
		if len(staff) < 2 {
			continue
		}
		d0 := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to-1, -1, false)
		if pl.cal.wd(d0) >= 5 {
			d0 -= int32(pl.cal.wd(d0) - 4)
		}
		price := pick(pl.r, []float64{380, 580, 880, 1280})
		twoDays := pl.r.chance(0.4)
		for _, i := range staff {
			d := d0
			if twoDays && pl.r.chance(0.5) && d+1 <= pl.cal.to {
				d++
			}
			sec := int64(d)*86400 + int64(7*3600+30*60+pl.r.IntN(3*3600))
			pl.outpatient(i, inst, doc, dxCheckup, sec, price, pl.r.uniform(0.3, 0.5), srcLookalike)
		}
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("checkup", n), LookalikeWorkplaceCheckup, staff, []int32{doc},
			[]graph.Ref{pl.instRef(inst)}, fmt.Sprintf("%d employees, package price %.0f, %s", len(staff), price, map[bool]string{true: "two mornings", false: "one morning"}[twoDays])))
	}
}

// pharmacyRushes plants pharmacy member days (会员日): many customers on one or a few days, on
// all terminals, during opening hours, with varied amounts.
func (pl *planner) pharmacyRushes() {
	if pl.cfg.Thin {
		return
	}
	k := count(pl.cfg.PharmacyRushRate, len(pl.w.pharms))
	order := pl.r.Perm(len(pl.w.pharms))
	n := 0
	for _, o := range order {
		if n == k {
			break
		}
		ph := int32(o)
		p := &pl.w.pharms[ph]
		if p.terminals < 2 {
			continue
		}
		n++
		days := pl.distinctDays(pl.r.between(1, 3), pl.cal.from, pl.cal.to, true)
		size := pl.r.between(30, 100)
		var customers []int32
		for len(customers) < size {
			i := pl.pickPatient(p.region, func(i int32) bool { return pl.age(i) >= 18 })
			if i < 0 {
				break
			}
			pl.people[i].role |= roleRush
			customers = append(customers, i)
		}
		for _, i := range customers {
			d := pick(pl.r, days)
			dx := -1
			if pl.people[i].chronic&1 != 0 && pl.r.chance(0.6) {
				dx = dxHypertension
			}
			pl.purchase(i, ph, dx, int64(d)*86400+pl.w.pharmacyTime(pl.r, ph), pl.r.logNormal(150, 0.7), pick(pl.r, []float64{0, 0.5, 0.6}), 1+pl.r.IntN(p.terminals), srcLookalike)
		}
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("rush", n), LookalikePharmacyRush, customers, nil,
			[]graph.Ref{pl.pharmRef(ph)}, fmt.Sprintf("%d customers on %d promotion day(s), all terminals, opening hours", len(customers), len(days))))
	}
}

// codingErrors plants clerical errors: one claim whose diagnosis code was mistyped into a code
// that does not fit the patient (N40 prostate for N39.0 urinary infection on a woman's card,
// N76.0 on a man's). Real claims contain such errors; a card-lending detector that fires on a
// single misfit claim will flag them.
func (pl *planner) codingErrors() {
	k := count(pl.cfg.CodingErrorRate, pl.cfg.Patients)
	for n := 1; n <= k; n++ {
		i := pl.pickPatient(-1, func(i int32) bool { return pl.age(i) >= 16 })
		if i < 0 {
			return
		}
		p := &pl.people[i]
		p.role |= roleCodingError
		dx := dxBPH
		if p.sex == 'M' {
			dx = dxVaginitis
		}
		inst := p.homeClinic
		if pl.r.chance(0.5) {
			inst = p.tertiary
		}
		doc := pl.w.doctorFor(pl.r, inst, deptUrology, false)
		d := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to, -1, false)
		in := &pl.w.insts[inst]
		pl.outpatient(i, inst, doc, dx, int64(d)*86400+outpatientSecond(pl.r, false), pl.r.logNormal(outpatientMedian[in.kind]*0.8, 0.6), outpatientShare[in.kind], srcLookalike)
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("coding", n), LookalikeCodingError, []int32{i}, []int32{doc},
			[]graph.Ref{pl.instRef(inst)}, fmt.Sprintf("one claim coded %s on the card of a %c patient (typing error)", diagnosisTable[dx].code, p.sex)))
	}
}

// proxyPurchases plants families who buy an admitted chronic patient's usual drugs at the usual
// pharmacy with the patient's card during a long stay (家属代购药). The card is used elsewhere
// during a stay, like a lent card, but for the owner's own drugs at the owner's own pharmacy.
func (pl *planner) proxyPurchases() {
	if pl.cfg.Thin {
		return
	}
	k := count(pl.cfg.ProxyPurchaseRate, pl.cfg.Patients)
	for n := 1; n <= k; n++ {
		i := pl.pickPatient(-1, func(i int32) bool { return pl.age(i) >= 50 && pl.people[i].chronic != 0 })
		if i < 0 {
			return
		}
		p := &pl.people[i]
		p.role |= roleProxy
		dx := dxHypertension
		for ci, cc := range chronicConditions {
			if p.chronic&(1<<ci) != 0 {
				dx = cc.dx
				break
			}
		}
		los := int32(pl.r.between(10, 21))
		admit := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to-los-1, -1, false)
		hosp := p.tertiary
		doc := pl.w.doctorFor(pl.r, hosp, diagnosisTable[dx].dept, false)
		sdx := pl.fitting(i, admit, []int{dxStroke, dxPneumonia, dxCHD, dx}, dx)
		pl.inpatient(i, hosp, doc, sdx, int64(admit)*86400+int64(9*3600+pl.r.IntN(8*3600)), los, pl.r.logNormal(13000, 0.4), srcLookalike)
		for k := pl.r.between(1, 2); k > 0; k-- {
			d := admit + 2 + int32(pl.r.IntN(int(los-3)))
			pl.purchase(i, p.homePharm, dx, int64(d)*86400+pl.w.pharmacyTime(pl.r, p.homePharm), pl.r.logNormal(160, 0.25), 0.6, 1+pl.r.IntN(pl.w.pharms[p.homePharm].terminals), srcLookalike)
		}
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("proxy", n), LookalikeProxyPurchase, []int32{i}, []int32{doc},
			[]graph.Ref{pl.pharmRef(p.homePharm), pl.instRef(hosp)}, fmt.Sprintf("usual %s drugs bought at the usual pharmacy during a %d-day stay", diagnosisTable[dx].code, los)))
	}
}

// dialysis plants haemodialysis patients (血液透析, 门诊特殊病): three sessions a week at their
// tertiary hospital's dialysis unit, always in the same shift (Monday/Wednesday/Friday or
// Tuesday/Thursday/Saturday, morning or afternoon), at a regulated price. Patients of one shift
// co-visit one provider and one nephrologist on about 150 days a year with near-identical
// amounts: the strongest honest co-visit signal there is.
func (pl *planner) dialysis() {
	k := count(pl.cfg.DialysisRate, pl.cfg.Patients)
	if pl.cfg.DialysisRate <= 0 {
		return
	}
	type shiftKey struct {
		hosp  int32
		shift int
	}
	groups := map[shiftKey][]int32{}
	var keys []shiftKey
	for n := 0; n < k; n++ {
		i := pl.pickPatient(-1, func(i int32) bool { return pl.age(i) >= 30 })
		if i < 0 {
			break
		}
		pl.people[i].role |= roleDialysis
		key := shiftKey{pl.people[i].tertiary, pl.r.IntN(4)}
		if _, ok := groups[key]; !ok {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], i)
	}
	for g, key := range keys {
		members := groups[key]
		in := &pl.w.insts[key.hosp]
		doc := pl.w.doctorFor(pl.r, key.hosp, deptNephrology, false)
		price := pl.r.uniform(380, 460)
		for _, i := range members {
			start := pl.cal.from
			if pl.r.chance(0.2) { // started dialysis during the range
				start = pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to, -1, false)
			}
			for d := start; d <= pl.cal.to; d++ {
				wd := pl.cal.wd(d)
				if wd == 6 || wd%2 != key.shift/2 || !pl.r.chance(0.97) {
					continue // Sunday, not this shift's day, or a missed session
				}
				sec := int64(d)*86400 + int64(7*3600+30*60+pl.r.IntN(3600))
				if key.shift%2 == 1 {
					sec += 5 * 3600
				}
				total := price * pl.r.uniform(0.98, 1.05)
				pl.claims = append(pl.claims, claim{
					start: sec, total: pl.yuan(total), fund: pl.yuan(total * 0.88), patient: i, provider: key.hosp,
					doctor: doc, dx: int16(dxESRD), ctype: ctOutpatient, terminal: uint8(1 + pl.r.IntN(in.terminals)),
					src: srcLookalike, extra: 2,
				})
			}
		}
		days := "Monday/Wednesday/Friday"
		if key.shift/2 == 1 {
			days = "Tuesday/Thursday/Saturday"
		}
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("dialysis", g+1), LookalikeDialysisShift, members, []int32{doc},
			[]graph.Ref{pl.instRef(key.hosp)}, fmt.Sprintf("%d haemodialysis patients, %s %s shift, about %.0f yuan a session", len(members), days, map[bool]string{true: "afternoon", false: "morning"}[key.shift%2 == 1], price)))
	}
}

// therapyCourses plants courses of physiotherapy, acupuncture or massage (康复理疗, 针灸推拿) at
// clinics with a TCM, rehabilitation or orthopaedic department: older patients with back or knee
// pain come on 7–14 consecutive working days to one therapist at one package price. Patients of
// one clinic overlap for days at a time, like a private-clinic ring, but honestly.
func (pl *planner) therapyCourses() {
	k := count(pl.cfg.TherapyRate, pl.cfg.Patients)
	if pl.cfg.TherapyRate <= 0 {
		return
	}
	var clinics []int32
	for ii := range pl.w.insts {
		in := &pl.w.insts[ii]
		if (in.kind == kindClinic || in.kind == kindCommunity) && (in.dept(deptTCM) != nil || in.dept(deptRehab) != nil) {
			if !pl.organisers[-1-int32(ii)] {
				clinics = append(clinics, int32(ii))
			}
		}
	}
	if len(clinics) == 0 {
		return
	}
	byClinic := map[int32][]int32{}
	var order []int32
	for n := 0; n < k; n++ {
		inst := pick(pl.r, clinics)
		in := &pl.w.insts[inst]
		i := pl.pickPatient(in.region, func(i int32) bool { return pl.age(i) >= 40 })
		if i < 0 {
			break
		}
		pl.people[i].role |= roleTherapy
		if _, ok := byClinic[inst]; !ok {
			order = append(order, inst)
		}
		byClinic[inst] = append(byClinic[inst], i)
	}
	for g, inst := range order {
		in := &pl.w.insts[inst]
		dep := in.dept(deptTCM)
		if dep == nil {
			dep = in.dept(deptRehab)
		}
		doc := dep.docs[dep.pop.draw(pl.r)]
		price := pick(pl.r, []float64{45, 60, 80, 98, 120})
		members := byClinic[inst]
		for _, i := range members {
			dx := pl.fitting(i, pl.cal.from, []int{dxBackPain, dxKneeOA}, dxBackPain)
			for c := pl.r.between(1, 2); c > 0; c-- {
				d := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to, -1, true)
				for s := pl.r.between(7, 14); s > 0 && d <= pl.cal.to; d++ {
					if pl.cal.wd(d) == 6 {
						continue
					}
					sec := int64(d)*86400 + outpatientSecond(pl.r, false)
					pl.outpatient(i, inst, doc, dx, sec, price, outpatientShare[in.kind], srcLookalike)
					s--
				}
			}
		}
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("therapy", g+1), LookalikeTherapyCourse, members, []int32{doc},
			[]graph.Ref{pl.instRef(inst)}, fmt.Sprintf("%d patients on 7–14 day therapy courses at %.0f yuan a session", len(members), price)))
	}
}
