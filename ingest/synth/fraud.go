package synth

import (
	"fmt"
	"math"

	"github.com/ringtrace/ringtrace/graph"
)

// ringDiagnoses are the vague, hard-to-verify complaints collusion rings bill for (腰痛, 胃炎,
// 高血压 …): plausible for any adult and cheap to fake.
var ringDiagnoses = []int{dxBackPain, dxGastritis, dxHypertension, dxKneeOA, dxDiabetes, dxCHD, dxCOPD, dxMigraine}

// rings plants collusion rings (串通参保人员): recruited patients co-visiting one doctor at one
// institution on the same days, with inflated amounts in some rings and group admissions
// (挂床住院) in others. Patterns and sizes vary so that no single threshold separates them.
func (pl *planner) rings() {
	target := 0
	if pl.cfg.RingRate > 0 {
		target = max(pl.cfg.RingSizeMin, int(math.Round(pl.cfg.RingRate*float64(pl.cfg.Patients))))
	}
	n := 0
	for planted := 0; planted < target; n++ {
		// Sizes skew small: most real rings are a handful of recruits, a few are large.
		span := pl.cfg.RingSizeMax - pl.cfg.RingSizeMin + 1
		size := pl.cfg.RingSizeMin + int(float64(span)*math.Pow(pl.r.Float64(), 1.6))
		size = min(size, max(pl.cfg.RingSizeMin, target-planted))
		got := pl.ring(n+1, size)
		if got == 0 {
			break
		}
		planted += got
	}
}

func (pl *planner) ring(n, size int) int {
	// One organiser runs one ring, and a private clinic hosts one ring: two planted rings at one
	// doctor would be one ring to any detector (and to an investigator). Small worlds may run
	// out of organisers, in which case one is reused.
	var (
		ri      int
		rw      *regionWorld
		inst    int32
		in      *institution
		doc     int32
		dxs     []int
		private bool
	)
	for tries := 0; tries < 40; tries++ {
		ri = pl.w.regionPop.draw(pl.r)
		rw = &pl.w.regions[ri]
		if pl.r.chance(pl.cfg.RingPublicShare) {
			switch x := pl.r.Float64(); {
			case x < 0.5:
				inst = pick(pl.r, rw.byKind[kindCommunity])
			case x < 0.85:
				inst = pick(pl.r, rw.byKind[kindSecondary])
			default:
				inst = pick(pl.r, rw.byKind[kindTertiary])
			}
		} else if pl.r.chance(0.65) {
			inst = pick(pl.r, rw.byKind[kindClinic])
		} else {
			inst = pick(pl.r, rw.byKind[kindPrivateHospital])
		}
		in = &pl.w.insts[inst]
		private = in.ownership == "private"
		dxs = dxs[:0]
		for k := pl.r.between(1, 3); k > 0; k-- {
			dxs = append(dxs, pick(pl.r, ringDiagnoses))
		}
		// The organiser usually works in the department that treats what the ring bills for.
		dep := in.dept(diagnosisTable[dxs[0]].dept)
		if dep == nil || pl.r.chance(0.3) {
			dep = &in.depts[pl.r.IntN(len(in.depts))]
		}
		doc = dep.docs[pl.r.IntN(len(dep.docs))]
		if !pl.organisers[doc] && !(private && pl.organisers[-1-inst]) {
			break
		}
	}
	pl.organisers[doc] = true
	pl.organisers[-1-inst] = true // negative keys: institutions hosting a ring

	// Recruits: mostly local, older people are recruited more often (free check-ups, gifts).
	var members []int32
	for len(members) < size {
		region := ri
		if pl.r.chance(0.12) {
			region = -1
		}
		i := pl.pickPatient(region, func(i int32) bool {
			a := pl.age(i)
			switch {
			case a < 18:
				return false
			case a < 40:
				return pl.r.chance(0.35)
			case a < 60:
				return pl.r.chance(0.7)
			}
			return true
		})
		if i < 0 {
			break
		}
		pl.people[i].role |= roleRing
		members = append(members, i)
	}
	if len(members) < 2 {
		for _, i := range members {
			pl.people[i].role &^= roleRing
		}
		return 0
	}
	inflate := 1.0
	if pl.r.chance(0.6) {
		inflate = pl.r.uniform(1.6, 4)
	}
	busy := map[int32][][2]int32{} // member → admitted days

	// Group admissions first so that outpatient sessions avoid the members' stays.
	waves := 0
	// Where members are admitted: the organiser's own beds, or — for a clinic without beds —
	// sometimes a partner private hospital that pays for referrals (诱导住院).
	admitAt, admitDoc := inst, doc
	partner := false
	if !in.admits() && len(rw.byKind[kindPrivateHospital]) > 0 && pl.r.chance(0.4) {
		admitAt = pick(pl.r, rw.byKind[kindPrivateHospital])
		admitDoc = pl.w.doctorFor(pl.r, admitAt, deptInternal, false)
		partner = true
	}
	if pl.w.insts[admitAt].admits() && pl.r.chance(map[bool]float64{true: 0.8, false: 0.35}[private]) {
		waves = pl.r.between(1, 4)
		for w := 0; w < waves; w++ {
			d0 := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to-20, -1, private)
			k := pl.r.between(min(3, len(members)), min(10, len(members)))
			los := int32(pl.r.between(5, 12))
			median := pl.r.uniform(3500, 9000)
			for _, idx := range pl.r.Perm(len(members))[:k] {
				i := members[idx]
				d := d0 + int32(pl.r.between(0, 2)*boolInt(pl.r.chance(0.3)))
				l := los + int32(pl.r.between(-1, 2))
				if overlaps(busy[i], d, d+l) || d+l > pl.cal.to {
					continue
				}
				busy[i] = append(busy[i], [2]int32{d, d + l})
				sec := int64(d)*86400 + int64(8*3600+pl.r.IntN(4*3600))
				pl.inpatient(i, admitAt, admitDoc, pl.fitting(i, d, dxs, dxBackPain), sec, l, median*pl.r.uniform(0.9, 1.1), srcFraud)
			}
		}
	}

	// Outpatient sessions.
	pattern := pick(pl.r, []string{"together", "together", "rotating", "staggered", "sparse"})
	if pattern == "rotating" && len(members) < 8 || pattern == "sparse" && len(members) < 6 {
		pattern = "together"
	}
	// Some rings avoid crowding the clinic: members of one session come over two or three days.
	spread := pl.r.chance(0.25)
	attend := pl.r.uniform(0.6, 0.95)
	var groups [][]int32
	var sessions [][]int32
	switch pattern {
	case "together":
		groups = [][]int32{members}
		sessions = [][]int32{pl.distinctDays(pl.r.between(6, 24), pl.cal.from, pl.cal.to, private)}
	case "rotating":
		g := pl.r.between(2, min(4, len(members)/4))
		groups = make([][]int32, g)
		for k, idx := range pl.r.Perm(len(members)) {
			groups[k%g] = append(groups[k%g], members[idx])
		}
		for range groups {
			sessions = append(sessions, pl.distinctDays(pl.r.between(5, 15), pl.cal.from, pl.cal.to, private))
		}
	case "staggered":
		groups = [][]int32{members}
		sessions = [][]int32{pl.distinctDays(pl.r.between(10, 30), pl.cal.from, pl.cal.to, private)}
		attend = pl.r.uniform(0.3, 0.6)
	case "sparse":
		groups = [][]int32{members}
		sessions = [][]int32{pl.distinctDays(pl.r.between(5, 10), pl.cal.from, pl.cal.to, private)}
		attend = pl.r.uniform(0.45, 0.7)
	}
	base := outpatientMedian[in.kind]
	for gi, grp := range groups {
		for _, d := range sessions[gi] {
			arrive := int64(d)*86400 + int64(8*3600+30*60+pl.r.IntN(6*3600))
			amount := pl.r.logNormal(base, 0.3) * inflate
			for _, i := range grp {
				if !pl.r.chance(attend) {
					continue
				}
				arrive += int64(60 + pl.r.IntN(8*60))
				md, sec := d, arrive
				if spread && pl.r.chance(0.5) {
					md = d + int32(pl.r.between(1, 2))
					sec = int64(md)*86400 + outpatientSecond(pl.r, false)
				}
				if md > pl.cal.to || inStay(busy[i], md) {
					continue
				}
				pl.ringVisit(i, inst, doc, dxs, md, sec, amount, inflate)
			}
		}
	}
	// Members also come on their own now and then, which dilutes the co-visit signal.
	for _, i := range members {
		if !pl.r.chance(0.5) {
			continue
		}
		for k := pl.r.between(1, 3); k > 0; k-- {
			d := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to, -1, private)
			if inStay(busy[i], d) {
				continue
			}
			pl.ringVisit(i, inst, doc, dxs, d, int64(d)*86400+outpatientSecond(pl.r, false), pl.r.logNormal(base, 0.3)*inflate, inflate)
		}
	}
	id := fid("ring", n)
	providers := []graph.Ref{pl.instRef(inst)}
	doctors := []int32{doc}
	where := ""
	if partner && waves > 0 {
		providers = append(providers, pl.instRef(admitAt))
		doctors = append(doctors, admitDoc)
		where = " at partner hospital " + pl.w.insts[admitAt].id
		pl.markFraud(pl.instRef(admitAt), pl.docRef(admitDoc))
	}
	tr := pl.group(id, graph.KindCollusionRing, members, doctors, providers,
		fmt.Sprintf("%s pattern at a %s %s institution, %d group(s), attendance %.2f, inflation ×%.2f, %d admission wave(s)%s",
			pattern+map[bool]string{true: " (spread over days)", false: ""}[spread], in.ownership, in.level, len(groups), attend, inflate, waves, where))
	tr.Providers = []graph.Ref{pl.instRef(inst)} // the organiser first: co-visits happen there
	if partner && waves > 0 {
		tr.Providers = append(tr.Providers, pl.instRef(admitAt))
	}
	pl.truth.Rings = append(pl.truth.Rings, tr)
	for _, i := range members {
		pl.markFraud(pl.patientRef(i))
	}
	pl.markFraud(pl.docRef(doc))
	if private {
		// A private clinic organising a ring is itself fraudulent; a public hospital is not
		// because one of its doctors is.
		pl.markFraud(pl.instRef(inst))
	}
	return len(members)
}

// ringVisit plants one outpatient claim of ring member i on day d at second sec: around the
// session amount when the ring inflates, an ordinary amount otherwise.
func (pl *planner) ringVisit(i, inst, doc int32, dxs []int, d int32, sec int64, amount, inflate float64) {
	in := &pl.w.insts[inst]
	total := amount * pl.r.uniform(0.93, 1.07)
	if inflate == 1 {
		total = pl.r.logNormal(outpatientMedian[in.kind]*1.1, 0.6)
	}
	share := outpatientShare[in.kind] + pl.r.uniform(0, 0.1)
	pl.outpatient(i, inst, doc, pl.fitting(i, d, dxs, dxBackPain), sec, total, share, srcFraud)
	if inflate > 2.5 {
		pl.claims[len(pl.claims)-1].extra = 1 // billed non-covered goods as drugs (串换)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func overlaps(stays [][2]int32, a, b int32) bool {
	for _, s := range stays {
		if a <= s[1]+1 && b >= s[0]-1 {
			return true
		}
	}
	return false
}

func inStay(stays [][2]int32, d int32) bool {
	for _, s := range stays {
		if d >= s[0] && d <= s[1] {
			return true
		}
	}
	return false
}

// mismatchDiagnoses returns the diagnoses that do not fit patient i on day d: what a borrower
// of another sex or age would be treated for (冒名就医 shows up as a male card in obstetrics).
func (pl *planner) mismatchDiagnoses(i int32, d int32) []int {
	p := &pl.people[i]
	a := ageAt(p.birth, d)
	var out []int
	for _, dx := range []int{dxDelivery, dxPregnancy, dxMenorrhagia, dxVaginitis, dxBPH, dxChildCheckup, dxNeonatalJaundice} {
		if !diagnosisTable[dx].fits(p.sex, a) {
			out = append(out, dx)
		}
	}
	return out
}

// lending plants card lending (将本人社会保障卡转借他人 / 冒用他人社会保障卡): a card used for
// someone of another sex or age, a card used while its owner is in hospital elsewhere, and a
// borrower who uses several cards at one provider.
func (pl *planner) lending() {
	target := count(pl.cfg.LendingRate, pl.cfg.Patients)
	n := 0
	for planted := 0; planted < target; {
		n++
		var got int
		switch x := pl.r.Float64(); {
		case x < 0.45:
			got = pl.lendMismatch(n)
		case x < 0.8:
			got = pl.lendWhileInpatient(n)
		default:
			got = pl.lendMultiCard(n, min(pl.r.between(2, 4), max(1, target-planted)))
		}
		if got == 0 {
			break
		}
		planted += got
	}
}

func (pl *planner) lendMismatch(n int) int {
	i := pl.pickPatient(-1, func(i int32) bool { return pl.age(i) >= 16 })
	if i < 0 {
		return 0
	}
	pl.people[i].role |= roleLending
	p := &pl.people[i]
	rw := &pl.w.regions[p.region]
	if pl.r.chance(0.2) { // the borrower lives elsewhere (异地冒名就医)
		rw = &pl.w.regions[pl.w.regionPop.draw(pl.r)]
	}
	d0 := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to-40, -1, false)
	dxs := pl.mismatchDiagnoses(i, d0)
	dx := pick(pl.r, dxs)
	inst := pick(pl.r, rw.byKind[kindSecondary])
	if pl.r.chance(0.4) {
		inst = pick(pl.r, rw.byKind[kindClinic])
	}
	if dx == dxDelivery && !pl.w.insts[inst].admits() {
		inst = pick(pl.r, rw.byKind[kindSecondary])
	}
	doc := pl.w.doctorFor(pl.r, inst, diagnosisTable[dx].dept, dx == dxChildCheckup || dx == dxNeonatalJaundice)
	docs := []int32{doc}
	k := pl.r.between(2, 5)
	d := d0
	for j := 0; j < k; j++ {
		if d > pl.cal.to {
			break
		}
		sec := int64(d)*86400 + outpatientSecond(pl.r, false)
		base := outpatientMedian[pl.w.insts[inst].kind] * diagnosisTable[dx].cost
		if dx == dxDelivery && j == k-1 {
			pl.inpatient(i, inst, doc, dxDelivery, sec, int32(pl.r.between(2, 4)), pl.r.logNormal(4500, 0.3), srcFraud)
			break
		}
		cdx := dx
		if dx == dxDelivery {
			cdx = dxPregnancy
		}
		pl.outpatient(i, inst, doc, cdx, sec, pl.r.logNormal(base, 0.5), outpatientShare[pl.w.insts[inst].kind], srcFraud)
		d += int32(pl.r.between(7, 30))
	}
	pl.truth.Rings = append(pl.truth.Rings, pl.group(fid("lend", n), graph.KindCardLending, []int32{i}, docs,
		[]graph.Ref{pl.instRef(inst)}, fmt.Sprintf("sex/age mismatch: %s billed on the card of a %c aged %d", diagnosisTable[dx].code, p.sex, ageAt(p.birth, d0))))
	pl.markFraud(pl.patientRef(i))
	return 1
}

func (pl *planner) lendWhileInpatient(n int) int {
	i := pl.pickPatient(-1, func(i int32) bool { return pl.age(i) >= 20 })
	if i < 0 {
		return 0
	}
	pl.people[i].role |= roleLending
	p := &pl.people[i]
	rw := &pl.w.regions[p.region]
	// The owner's genuine stay.
	hosp := p.tertiary
	los := int32(pl.r.between(6, 16))
	admit := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to-los-1, -1, false)
	sdx := pl.fitting(i, admit, []int{dxPneumonia, dxFracture, dxGallstones, dxStroke, dxCHD, dxAppendicitis}, dxPneumonia)
	pl.inpatient(i, hosp, pl.w.doctorFor(pl.r, hosp, diagnosisTable[sdx].dept, false), sdx,
		int64(admit)*86400+int64(9*3600+pl.r.IntN(8*3600)), los, pl.r.logNormal(12000, 0.4), srcContext)
	// The borrower uses the card elsewhere during the stay.
	var providers []graph.Ref
	var docs []int32
	for k := pl.r.between(1, 3); k > 0; k-- {
		d := admit + 1 + int32(pl.r.IntN(int(los-1)))
		dx := pl.fitting(i, d, []int{dxURTI, dxGastritis, dxBackPain, dxDermatitis, dxHypertension}, dxURTI)
		if pl.r.chance(0.4) && !pl.cfg.Thin {
			ph := pick(pl.r, rw.pharms)
			if pl.r.chance(0.3) {
				ph = int32(pl.r.IntN(len(pl.w.pharms))) // bought while travelling
			}
			pl.purchase(i, ph, dx, int64(d)*86400+pl.w.pharmacyTime(pl.r, ph), pl.r.logNormal(180, 0.5), 0.5, 1+pl.r.IntN(pl.w.pharms[ph].terminals), srcFraud)
			providers = append(providers, pl.pharmRef(ph))
			continue
		}
		inst := pick(pl.r, rw.byKind[kindClinic])
		if pl.r.chance(0.4) {
			inst = pick(pl.r, rw.byKind[kindCommunity])
		}
		doc := pl.w.doctorFor(pl.r, inst, diagnosisTable[dx].dept, false)
		pl.outpatient(i, inst, doc, dx, int64(d)*86400+outpatientSecond(pl.r, false), pl.r.logNormal(160, 0.6), 0.5, srcFraud)
		providers = append(providers, pl.instRef(inst))
		docs = append(docs, doc)
	}
	pl.truth.Rings = append(pl.truth.Rings, pl.group(fid("lend", n), graph.KindCardLending, []int32{i}, docs, providers,
		fmt.Sprintf("card used elsewhere while its owner was admitted at %s from %s for %d days", pl.w.insts[hosp].id, dateOf(admit).Format("2006-01-02"), los)))
	pl.markFraud(pl.patientRef(i))
	return 1
}

func (pl *planner) lendMultiCard(n, k int) int {
	if k < 2 {
		k = 2
	}
	ri := pl.w.regionPop.draw(pl.r)
	rw := &pl.w.regions[ri]
	var owners []int32
	for len(owners) < k {
		i := pl.pickPatient(ri, func(i int32) bool { return pl.age(i) >= 18 })
		if i < 0 {
			break
		}
		pl.people[i].role |= roleLending
		owners = append(owners, i)
	}
	if len(owners) < 2 {
		for _, i := range owners {
			pl.people[i].role &^= roleLending
		}
		return 0
	}
	atPharmacy := pl.r.chance(0.4) && !pl.cfg.Thin
	inst := pick(pl.r, rw.byKind[kindClinic])
	ph := pick(pl.r, rw.pharms)
	dx := pick(pl.r, []int{dxGastritis, dxBackPain, dxDiabetes, dxHypertension})
	doc := int32(-1)
	if !atPharmacy {
		doc = pl.w.doctorFor(pl.r, inst, diagnosisTable[dx].dept, false)
	}
	base := pl.r.uniform(120, 400)
	for _, d := range pl.distinctDays(pl.r.between(3, 8), pl.cal.from, pl.cal.to, true) {
		sec := int64(d)*86400 + outpatientSecond(pl.r, false)
		for _, i := range owners {
			sec += int64(60 + pl.r.IntN(9*60))
			cdx := pl.fitting(i, d, []int{dx}, dxGastritis)
			if atPharmacy {
				pl.purchase(i, ph, cdx, sec, base*pl.r.uniform(0.9, 1.1), 0.55, 1, srcFraud)
			} else {
				pl.outpatient(i, inst, doc, cdx, sec, base*pl.r.uniform(0.9, 1.1), 0.55, srcFraud)
			}
		}
	}
	prov := pl.instRef(inst)
	if atPharmacy {
		prov = pl.pharmRef(ph)
	}
	pl.truth.Rings = append(pl.truth.Rings, pl.group(fid("lend", n), graph.KindCardLending, owners, []int32{doc}, []graph.Ref{prov},
		fmt.Sprintf("one borrower uses %d cards minutes apart at %s", len(owners), prov.ID)))
	for _, i := range owners {
		pl.markFraud(pl.patientRef(i))
	}
	return len(owners)
}

// pharmacyCollection plants pharmacies that collect insured persons' cards and swipe them in
// bursts on one terminal (聚敛盗刷社保卡), at odd hours or month ends, with similar amounts.
func (pl *planner) pharmacyCollection() {
	if pl.cfg.Thin {
		return // no pharmacy claims in a thin (hospital-side) export
	}
	k := count(pl.cfg.PharmacyCollectionRate, len(pl.w.pharms))
	order := pl.r.Perm(len(pl.w.pharms))
	for n := 0; n < k && n < len(order); n++ {
		ph := int32(order[n])
		p := &pl.w.pharms[ph]
		size := pl.r.between(pl.cfg.CollectionSizeMin, pl.cfg.CollectionSizeMax)
		// Some pharmacies collect whole families' cards (several cards per address).
		byHousehold := pl.r.chance(0.4)
		var cards []int32
		for len(cards) < size {
			i := pl.pickPatient(p.region, func(i int32) bool {
				a := pl.age(i)
				if a < 18 {
					return false
				}
				return a >= 55 || pl.people[i].chronic != 0 || pl.r.chance(0.3)
			})
			if i < 0 {
				break
			}
			pl.people[i].role |= roleCollected
			cards = append(cards, i)
			if byHousehold {
				// The household's other adults hand over their cards too.
				hh := pl.hhs[pl.people[i].household]
				for j := hh.start; j < hh.start+int32(hh.size) && len(cards) < size; j++ {
					if j != i && pl.free(j) && pl.age(j) >= 18 {
						pl.people[j].role |= roleCollected
						cards = append(cards, j)
					}
				}
			}
		}
		if len(cards) < 2 {
			continue
		}
		terminal := 1 + pl.r.IntN(p.terminals)
		if pl.r.chance(0.5) {
			terminal = p.terminals + 1 // a terminal that ordinary sales never use
		}
		style := pick(pl.r, []string{"night", "night", "month_end", "lunch", "business_hours"})
		base := pick(pl.r, []float64{199, 299, 198, 188}) * pl.r.uniform(0.7, 1.0)
		exact := pl.r.chance(0.3)
		days := pl.collectionDays(style, pl.r.between(6, 20))
		frac := pl.r.uniform(0.5, 1)
		for _, d := range days {
			var sec int64
			switch style {
			case "night":
				if pl.r.chance(0.7) {
					sec = int64(21*3600 + pl.r.IntN(2*3600+30*60))
				} else {
					sec = int64(6*3600 + pl.r.IntN(90*60))
				}
			case "lunch":
				sec = int64(12*3600 + pl.r.IntN(60*60))
			default:
				sec = int64(9*3600 + pl.r.IntN(7*3600))
			}
			sec += int64(d) * 86400
			for _, idx := range pl.r.Perm(len(cards)) {
				if !pl.r.chance(frac) {
					continue
				}
				i := cards[idx]
				sec += int64(15 + pl.r.IntN(150))
				total := base * pl.r.uniform(0.97, 1.03)
				if exact {
					total = math.Round(base)
				}
				dx := dxRepeatPrescription
				for ci, cc := range chronicConditions {
					if pl.people[i].chronic&(1<<ci) != 0 {
						dx = cc.dx
						break
					}
				}
				if pl.r.chance(0.2) {
					dx = -1
				}
				pl.purchase(i, ph, dx, sec, total, pl.r.uniform(0.55, 0.7), terminal, srcFraud)
			}
		}
		pl.truth.Rings = append(pl.truth.Rings, pl.group(fid("pharm", n+1), graph.KindPharmacyCardCollection, cards, nil,
			[]graph.Ref{pl.pharmRef(ph)}, fmt.Sprintf("%d cards (by household %v) swiped in %d %s bursts on terminal T%02d, amounts around %.2f (exact %v)", len(cards), byHousehold, len(days), style, terminal, base, exact)))
		pl.markFraud(pl.pharmRef(ph))
		for _, i := range cards {
			pl.markFraud(pl.patientRef(i))
		}
	}
}

// collectionDays picks burst days for a collection style: month ends for "month_end", any
// day otherwise.
func (pl *planner) collectionDays(style string, n int) []int32 {
	if style != "month_end" {
		return pl.distinctDays(n, pl.cal.from, pl.cal.to, true)
	}
	var out []int32
	seen := map[int32]bool{}
	for tries := 0; len(out) < n && tries < 200; tries++ {
		d := pl.cal.pickDay(pl.r, pl.cal.from, pl.cal.to, -1, true)
		t := dateOf(d)
		if t.AddDate(0, 0, 3).Month() == t.Month() || seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	return out
}

// deceased plants cards used after their owner's death (死亡人员冒用): refills at the family's
// pharmacy, chronic visits at the community clinic, or a stay an institution fabricated.
func (pl *planner) deceased() {
	k := count(pl.cfg.DeceasedRate, pl.cfg.Patients)
	span := pl.cal.to - pl.cal.from
	for n := 1; n <= k; n++ {
		i := pl.pickPatient(-1, func(i int32) bool { return pl.age(i) >= 55 || pl.r.chance(0.1) && pl.age(i) >= 18 })
		if i < 0 {
			return
		}
		p := &pl.people[i]
		p.role |= roleDeceased
		death := pl.cal.from + span/5 + int32(pl.r.IntN(int(span/2)+1))
		p.death = death
		if pl.r.chance(0.45) { // died in hospital
			los := int32(pl.r.between(2, 15))
			dx := pl.fitting(i, death-los, []int{dxStroke, dxPneumonia, dxLungCancer, dxCHD}, dxPneumonia)
			hosp := p.tertiary
			c := len(pl.claims)
			pl.inpatient(i, hosp, pl.w.doctorFor(pl.r, hosp, diagnosisTable[dx].dept, false), dx,
				int64(death-los)*86400+int64(10*3600+pl.r.IntN(6*3600)), los, pl.r.logNormal(15000, 0.5), srcContext)
			pl.claims[c].end = int64(death)*86400 + int64(pl.r.IntN(86400))
		}
		chronicDx := dxHypertension
		for ci, cc := range chronicConditions {
			if p.chronic&(1<<ci) != 0 {
				chronicDx = cc.dx
				break
			}
		}
		if !diagnosisTable[chronicDx].fits(p.sex, ageAt(p.birth, death)) {
			chronicDx = dxRepeatPrescription
		}
		var providers []graph.Ref
		var docs []int32
		variant := pick(pl.r, []string{"pharmacy", "pharmacy", "pharmacy", "clinic", "clinic", "fabricated_stay"})
		if variant == "pharmacy" && pl.cfg.Thin {
			variant = "clinic"
		}
		d := death + int32(pl.r.between(3, 40))
		first := d
		interval := pl.r.uniform(25, 40)
		switch variant {
		case "pharmacy":
			for ; d <= pl.cal.to; d += int32(interval + pl.r.NormFloat64()*3) {
				pl.purchase(i, p.homePharm, chronicDx, int64(d)*86400+pl.w.pharmacyTime(pl.r, p.homePharm), pl.r.logNormal(200, 0.3), 0.6, 1+pl.r.IntN(pl.w.pharms[p.homePharm].terminals), srcFraud)
			}
			providers = append(providers, pl.pharmRef(p.homePharm))
		case "clinic":
			doc := pl.w.doctorFor(pl.r, p.homeClinic, deptGeneral, false)
			for ; d <= pl.cal.to; d += int32(interval + pl.r.NormFloat64()*3) {
				pl.outpatient(i, p.homeClinic, doc, chronicDx, int64(d)*86400+outpatientSecond(pl.r, false), pl.r.logNormal(120, 0.3), 0.7, srcFraud)
			}
			providers = append(providers, pl.instRef(p.homeClinic))
			docs = append(docs, doc)
		case "fabricated_stay":
			rw := &pl.w.regions[p.region]
			hosp := pick(pl.r, rw.byKind[kindPrivateHospital])
			doc := pl.w.doctorFor(pl.r, hosp, deptInternal, false)
			los := int32(pl.r.between(7, 20))
			if d+los > pl.cal.to {
				d = death + 3
				first = d
				los = min(los, max(1, pl.cal.to-d))
			}
			pl.inpatient(i, hosp, doc, chronicDx, int64(d)*86400+int64(9*3600+pl.r.IntN(6*3600)), los, pl.r.logNormal(7000, 0.3), srcFraud)
			providers = append(providers, pl.instRef(hosp))
			docs = append(docs, doc)
			pl.markFraud(pl.instRef(hosp), pl.docRef(doc))
		}
		pl.truth.Rings = append(pl.truth.Rings, pl.group(fid("dead", n), graph.KindDeceasedClaims, []int32{i}, docs, providers,
			fmt.Sprintf("%s: claims from %d days after death on %s", variant, first-death, dateOf(death).Format("2006-01-02"))))
		pl.markFraud(pl.patientRef(i))
	}
}
