package scenarios

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// Split admissions (分解住院) and the honest readmissions that resemble them.
//
// These patterns were added after results had been measured on fixed seeds, so they run as a
// late stage: after every other pattern, each on its own stream, and they only add claims — no
// drops, no change to the register or to the earlier truth. Their claims are numbered and
// itemised after the earlier ones (write.go), so a seed keeps every row and truth entry it had
// and gains the late stage's. A late stay is placed only on days when the patient has no claim
// and no stay (gen.clear), so it never contradicts what was already generated.

var latePatterns = []pattern{
	{"split_admission", true, 1.2, (*gen).splitAdmission},

	{"chemotherapy_cycles", false, 0.8, (*gen).chemotherapyCycles},
	{"early_readmission", false, 6, (*gen).earlyReadmission},
	{"transfer_or_staged", false, 1, (*gen).transferOrStaged},
	{"rehabilitation_after_acute", false, 1, (*gen).rehabilitationAfterAcute},
}

// lateState indexes what the earlier stages generated.
type lateState struct {
	// off and days: the start days of patient p's earlier claims are days[off[p]:off[p+1]],
	// sorted.
	off  []int32
	days []uint16
	// stays are the honest (background) inpatient claims, as indices into gen.claims, by provider.
	stays map[int32][]int32
	// fraudProv: providers tied to planted fraud (listed fraudulent); lookProv: providers of
	// look-alikes; splitProv: split-admission hospitals (lateHospital).
	fraudProv, lookProv, splitProv map[int32]bool
	// queue holds the hospitals early_readmission has still to visit, shuffled on first use.
	queue  []int32
	queued bool
}

func (g *gen) beginLate() {
	lt := &lateState{stays: map[int32][]int32{}, fraudProv: map[int32]bool{}, lookProv: map[int32]bool{}, splitProv: map[int32]bool{}}
	n := len(g.w.patients)
	lt.off = make([]int32, n+1)
	for i := range g.claims {
		lt.off[g.claims[i].patient+1]++
	}
	for p := 0; p < n; p++ {
		lt.off[p+1] += lt.off[p]
	}
	lt.days = make([]uint16, len(g.claims))
	fill := slices.Clone(lt.off[:n])
	for i := range g.claims {
		c := &g.claims[i]
		lt.days[fill[c.patient]] = uint16(c.start / daySec)
		fill[c.patient]++
		if c.typ == ctInpatient && !c.planted {
			lt.stays[c.prov] = append(lt.stays[c.prov], int32(i))
		}
	}
	for p := 0; p < n; p++ {
		slices.Sort(lt.days[lt.off[p]:lt.off[p+1]])
	}
	byID := map[string]int32{}
	for pi := range g.w.providers {
		if g.fraudulent[g.provRef(int32(pi))] {
			lt.fraudProv[int32(pi)] = true
		}
		byID[g.w.providers[pi].id] = int32(pi)
	}
	g.stage = stageLate
	for _, r := range g.lookalikes {
		for _, ref := range r.Providers {
			lt.lookProv[byID[ref.ID]] = true
		}
	}
	g.lt = lt
}

// clear reports whether patient p is alive and has no claim starting on a day in [a, b] and no
// stay within margin days of it: a late stay there contradicts nothing generated before.
func (g *gen) clear(p int32, a, b, margin int) bool {
	if a < 0 || b >= g.cfg.Days || g.w.patients[p].death != noDeath {
		return false
	}
	lt := g.lt
	ds := lt.days[lt.off[p]:lt.off[p+1]]
	if i, _ := slices.BinarySearch(ds, uint16(a)); i < len(ds) && int(ds[i]) <= b {
		return false
	}
	return !g.stayOverlaps(p, a-margin, b+margin)
}

// stayPlan is one stay drawn but not yet admitted: an instance is committed only when it is
// complete, so that a failed draw leaves no claims without truth.
type stayPlan struct {
	p, prov, doc int32
	start, end   int32
	dx           int
	total        int64
	items        uint8
}

func (g *gen) commit(rng *rand.Rand, plans []stayPlan) {
	for _, s := range plans {
		g.admit(s.p, s.prov, s.doc, s.start, s.end, s.dx, s.total, fundShare(rng, ctInpatient, g.w.providers[s.prov].kind, false), s.items)
	}
}

// stayPerDay is the cost of a day in hospital by level, in fen (as honestStay draws it).
func stayPerDay(k provKind) float64 {
	switch k {
	case kindTertiary:
		return 190000
	case kindSecondary:
		return 110000
	case kindPrivateHosp:
		return 90000
	}
	return 45000
}

func kindName(k provKind) string {
	switch k {
	case kindTertiary:
		return "tertiary"
	case kindSecondary:
		return "county (secondary)"
	case kindPrivateHosp:
		return "private"
	case kindTownship:
		return "township"
	}
	return "other"
}

// relatedCodes returns the other codes of dx's ICD-10 three-character category.
func relatedCodes(dx int) []int {
	var out []int
	for x := range diagTable {
		if x != dx && diagTable[x].code[:3] == diagTable[dx].code[:3] {
			out = append(out, x)
		}
	}
	return out
}

// fitting returns the codes that fit patient p.
func (g *gen) fitting(codes []int, p int32) []int {
	pt := &g.w.patients[p]
	var out []int
	for _, x := range codes {
		if diagTable[x].fits(pt.sex, pt.age) {
			out = append(out, x)
		}
	}
	return out
}

// lateHospital picks a hospital of region ri of one of kinds (else of one of fallback). A
// look-alike's (split false) is never tied to planted fraud. A split-admission hospital (split
// true) is preferably tied to neither fraud nor a look-alike, then to no fraud, and at worst to
// earlier fraud of another kind — never one that already splits admissions.
func (g *gen) lateHospital(rng *rand.Rand, ri int, kinds, fallback []provKind, split bool) int32 {
	levels := 1
	if split {
		levels = 3
	}
	for level := 0; level < levels; level++ {
		for _, ks := range [][]provKind{kinds, fallback} {
			var cands []int32
			for _, k := range ks {
				for _, p := range g.w.regions[ri].byKind[k] {
					ok := !g.lt.fraudProv[p]
					switch {
					case split && level == 0:
						ok = ok && !g.lt.lookProv[p]
					case split && level == 2:
						ok = !g.lt.splitProv[p]
					}
					if ok {
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

// splitDx are the diagnoses split stays carry: medical and orthopaedic conditions whose care
// can be cut in two without the break showing in the record.
var splitDx = []int{dxPneumonia, dxCOPD, dxCHD, dxStroke, dxDiabetes, dxLumbarDisc, dxKneeOA, dxGastritis, dxCholecystitis, dxBackPain, dxHypertension, dxStrokeSequelae}

// splitAdmission: a hospital discharges inpatients and re-admits them within days for the same
// illness (分解住院), so that one episode of care is billed as two or three stays, each earning
// its own per-admission payment. Over a period of weeks to months a share of the hospital's
// inpatients are split; the rest of its stays are ordinary.
func (g *gen) splitAdmission(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	var want provKind
	switch x := rng.Float64(); {
	case x < 0.35:
		want = kindTownship
	case x < 0.7:
		want = kindPrivateHosp
	case x < 0.95:
		want = kindSecondary
	default:
		want = kindTertiary
	}
	hosp := g.lateHospital(rng, ri, []provKind{want}, []provKind{kindTownship, kindPrivateHosp, kindSecondary}, true)
	if hosp < 0 {
		return
	}
	hp := &g.w.providers[hosp]
	// The hospital's habit.
	size := map[provKind][2]int{kindTownship: {10, 30}, kindPrivateHosp: {12, 40}, kindSecondary: {20, 70}, kindTertiary: {30, 90}}[hp.kind]
	longest := 240
	if hp.kind == kindSecondary || hp.kind == kindTertiary {
		longest = 150
	}
	period := between(rng, 21, max(21, min(longest, g.cfg.Days-60)))
	from := rng.IntN(max(1, g.cfg.Days-period-40))
	share := betweenF(rng, 0.15, 0.6)
	twice := betweenF(rng, 0, 0.4)
	var gapLo, gapHi int
	switch x := rng.Float64(); {
	case x < 0.2:
		gapLo, gapHi = 0, 1
	case x < 0.75:
		gapLo, gapHi = 1, 3
	default:
		gapLo = between(rng, 2, 4)
		gapHi = min(10, gapLo+between(rng, 2, 6))
	}
	sameCode := betweenF(rng, 0.4, 0.95)
	sameDoc := betweenF(rng, 0.5, 0.95)
	docs := g.distinctDoctors(rng, hosp, between(rng, 1, 4))
	codes := pickCodes(rng, splitDx, between(rng, 2, 5))
	losLo := between(rng, 6, 9)
	losHi := losLo + between(rng, 2, 5)
	perDay := stayPerDay(hp.kind)

	pats := g.recruit(rng, ri, between(rng, size[0], size[1]), 35, 90, 1, nil)
	if len(pats) < 4 {
		return
	}
	honest := 0
	for _, ci := range g.lt.stays[hosp] {
		if d := int(g.claims[ci].start / daySec); d >= from && d < from+period {
			honest++
		}
	}
	// The hospital's stays in the period are its honest ones and the episodes planted here; the
	// first nSplit planted patients are split.
	nSplit := min(len(pats), max(2, int(math.Round(share*float64(honest+len(pats))))))
	dx := g.dxPicker(rng, codes, pats)
	var plans []stayPlan
	var split []int32
	docsUsed := map[int32]bool{}
	twiceN, ordinary, stays, minPart, maxPart := 0, 0, 0, 99, 0
	for i, p := range pats {
		x := dx(p)
		L := between(rng, losLo, losHi)
		full := float64(lognormal(rng, 150000+perDay*float64(L), 0.25))
		if i >= nSplit {
			// An ordinary stay for the same kind of illness.
			for try := 0; try < 5; try++ {
				if a := from + rng.IntN(period); g.clear(p, a, a+L, 1) {
					plans = append(plans, stayPlan{p, hosp, g.w.pickDoctor(rng, hosp, deptFor(x, g.w.patients[p].age)),
						at(a, between(rng, 8, 16), rng.IntN(60), rng.IntN(60)), at(a+L, between(rng, 8, 11), rng.IntN(60), 0), x, int64(full), itemsStay})
					ordinary++
					break
				}
			}
			continue
		}
		k := 2
		if rng.Float64() < twice {
			k = 3
		}
		// Each part is shorter than the whole stay and costs less than it; the parts together
		// cost more (one per-admission payment each).
		los := make([]int, k)
		gaps := make([]int, k-1)
		span := 0
		for j := range los {
			f := betweenF(rng, 0.5, 0.72)
			if k == 3 {
				f = betweenF(rng, 0.34, 0.5)
			}
			los[j] = min(L-1, max(2, int(math.Round(float64(L)*f))))
			span += los[j]
		}
		for j := range gaps {
			gaps[j] = between(rng, gapLo, gapHi)
			if rng.Float64() < 0.1 {
				gaps[j] = between(rng, 0, 10)
			}
			span += gaps[j]
		}
		ratio := make([]float64, k)
		sum := 0.0
		for j := range ratio {
			ratio[j] = (150000 + perDay*float64(los[j])) / (150000 + perDay*float64(L)) * math.Exp(0.08*rng.NormFloat64())
			sum += ratio[j]
		}
		if sum < 1.08 {
			f := betweenF(rng, 1.1, 1.35) / sum
			for j := range ratio {
				ratio[j] *= f
			}
		}
		a := -1
		for try := 0; try < 5 && a < 0; try++ {
			if d := from + rng.IntN(period); g.clear(p, d, d+span, 1) {
				a = d
			}
		}
		if a < 0 {
			continue
		}
		doc := docs[rng.IntN(len(docs))]
		code := x
		t := at(a, between(rng, 8, 16), rng.IntN(60), rng.IntN(60))
		for j := range los {
			dis := a + los[j]
			plans = append(plans, stayPlan{p, hosp, doc, t, at(dis, between(rng, 8, 10), rng.IntN(60), 0), code, roundFen(full * min(ratio[j], 0.92)), itemsStay})
			docsUsed[doc] = true
			minPart, maxPart = min(minPart, los[j]), max(maxPart, los[j])
			stays++
			if j == k-1 {
				break
			}
			a = dis + gaps[j]
			if gaps[j] == 0 {
				t = at(a, between(rng, 13, 18), rng.IntN(60), rng.IntN(60)) // re-admitted the afternoon of the discharge
			} else {
				t = at(a, between(rng, 8, 16), rng.IntN(60), rng.IntN(60))
			}
			if rng.Float64() >= sameDoc {
				doc = docs[rng.IntN(len(docs))]
			}
			code = x
			if rng.Float64() >= sameCode {
				if rel := g.fitting(relatedCodes(x), p); len(rel) > 0 {
					code = rel[rng.IntN(len(rel))]
				}
			}
		}
		split = append(split, p)
		if k == 3 {
			twiceN++
		}
	}
	if len(split) < 2 {
		return
	}
	g.commit(rng, plans)
	g.lt.fraudProv[hosp], g.lt.splitProv[hosp] = true, true
	ds := keys(docsUsed)
	episodes := honest + ordinary + len(split)
	var names []string
	for _, c := range codes {
		names = append(names, diagTable[c].code)
	}
	g.addFraud(group{pattern: "split_admission", kind: graph.KindScreeningRule, patients: split, doctors: ds, provs: []int32{hosp},
		fraudDoctors: ds, fraudProvs: []int32{hosp},
		note: fmt.Sprintf("%s hospital splits %d of its %d inpatient episodes (%.0f %%, habit %.0f %%) over %d days from day %d into %d stays (%d patients split twice); re-admitted %d-%d days after discharge (1 in 10 anywhere in 0-10), same code %.0f %% else one of its ICD-10 category; %s; %d doctor(s); split stays %d-%d days against %d-%d for a whole stay, each ≤ 92 %% of a whole stay's cost, together more",
			kindName(hp.kind), len(split), episodes, 100*float64(len(split))/float64(episodes), 100*share, period, from, stays, twiceN,
			gapLo, gapHi, 100*sameCode, strings.Join(names, "/"), len(ds), minPart, maxPart, losLo, losHi)}, true)
}

// cancerDx are the malignancies treated with cycles of chemotherapy.
var cancerDx = []int{dxLungCancer, dxBreastCancer, dxColonCancer, dxGastricCancer, dxRectalCancer}

// chemotherapyCycles: oncology patients of one hospital admitted every 14-28 days for a short
// stay (化疗): a cycle of a regimen, coded with the cancer or with Z51.1.
func (g *gen) chemotherapyCycles(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	kinds, fallback := []provKind{kindTertiary}, []provKind{kindSecondary}
	if rng.Float64() < 0.3 {
		kinds, fallback = fallback, kinds
	}
	hosp := g.lateHospital(rng, ri, kinds, fallback, false)
	if hosp < 0 {
		return
	}
	docs := g.deptDoctors(rng, hosp, "内科", between(rng, 1, 3))
	pats := g.recruit(rng, ri, between(rng, 8, 30), 35, 85, 0, nil)
	if len(pats) < 2 {
		return
	}
	coding := rng.IntN(3)
	losLo := between(rng, 1, 2)
	losHi := min(4, losLo+between(rng, 1, 2))
	cancer := g.dxPicker(rng, cancerDx, pats)
	var plans []stayPlan
	var members []int32
	cycles := 0
	for _, p := range pats {
		c0 := cancer(p)
		cadence := []int{14, 21, 21, 28}[rng.IntN(4)]
		n := between(rng, 3, 8)
		first := rng.IntN(max(1, g.cfg.Days-n*cadence))
		median := betweenF(rng, 400000, 1600000)
		doc := docs[rng.IntN(len(docs))]
		var mine []stayPlan
		last := -10
		for k := 0; k < n; k++ {
			d := first + k*cadence + rng.IntN(3) - 1
			los := between(rng, losLo, losHi)
			// A cycle is put off by a day or two when something is in the way.
			for _, shift := range []int{0, 1, 2, -1} {
				dd := d + shift
				if dd <= last+1 || !g.clear(p, dd, dd+los, 1) {
					continue
				}
				x := c0
				if coding == 0 || (coding == 2 && len(mine) > 0) {
					x = dxChemotherapy
				}
				mine = append(mine, stayPlan{p, hosp, doc, at(dd, between(rng, 8, 15), rng.IntN(60), rng.IntN(60)),
					at(dd+los, between(rng, 9, 16), rng.IntN(60), 0), x, lognormal(rng, median, 0.1), itemsChemo})
				last = dd + los
				break
			}
		}
		if len(mine) >= 2 {
			plans = append(plans, mine...)
			members = append(members, p)
			cycles += len(mine)
		}
	}
	if len(members) < 2 {
		return
	}
	g.commit(rng, plans)
	g.lt.lookProv[hosp] = true
	g.addLookalike(group{pattern: "chemotherapy_cycles", kind: "chemotherapy", patients: members, doctors: docs, provs: []int32{hosp},
		note: fmt.Sprintf("%d oncology patients, %d chemotherapy stays of %d-%d days every 14, 21 or 28 days (± 1-2), coded %s",
			len(members), cycles, losLo, losHi, []string{"Z51.1", "with the cancer", "with the cancer, then Z51.1"}[coding])})
}

// complications are what an honest patient comes back with after a stay for a diagnosis.
var complications = map[int][]int{
	dxPneumonia:       {dxCOPDExacerbation, dxHeartFailure, dxUTI},
	dxStroke:          {dxPneumonia, dxUTI, dxBronchitis},
	dxCHD:             {dxHeartFailure, dxHypertension, dxPneumonia},
	dxCOPD:            {dxPneumonia, dxHeartFailure},
	dxAppendicitis:    {dxFever, dxGastroenteritis, dxUTI},
	dxCholecystitis:   {dxFever, dxGastritis, dxPneumonia},
	dxHipFracture:     {dxPneumonia, dxUTI},
	dxLumbarDisc:      {dxBackPain, dxSciatica},
	dxGastroenteritis: {dxGastritis, dxFever},
	dxDiabetes:        {dxUTI, dxPneumonia, dxHypertension},
	dxHypertension:    {dxCHD, dxStroke, dxHeartFailure},
}

// readmissionDx draws the diagnosis an honest readmission after a stay for first carries: the
// same category with probability same (the code itself, sometimes a sibling), else a
// complication.
func (g *gen) readmissionDx(rng *rand.Rand, first int, p int32, same float64) (int, bool) {
	if rng.Float64() < same {
		if rel := g.fitting(relatedCodes(first), p); len(rel) > 0 && rng.Float64() < 0.3 {
			return rel[rng.IntN(len(rel))], true
		}
		return first, true
	}
	cs := complications[first]
	if len(cs) == 0 {
		cs = []int{dxPneumonia, dxUTI}
	}
	if cs = g.fitting(cs, p); len(cs) > 0 {
		return cs[rng.IntN(len(cs))], false
	}
	return dxPneumonia, false
}

// earlyReadmission: at a hospital, a few percent of its honest inpatients come back within 15
// days of discharge — with a complication, sometimes with the same illness. One instance is one
// hospital; the instances visit the hospitals in random order, each at most once.
func (g *gen) earlyReadmission(rng *rand.Rand) {
	lt := g.lt
	if !lt.queued {
		lt.queued = true
		for pi := range g.w.providers {
			switch g.w.providers[pi].kind {
			case kindTertiary, kindSecondary, kindPrivateHosp, kindTownship:
				if len(lt.stays[int32(pi)]) > 0 {
					lt.queue = append(lt.queue, int32(pi))
				}
			}
		}
		rng.Shuffle(len(lt.queue), func(i, j int) { lt.queue[i], lt.queue[j] = lt.queue[j], lt.queue[i] })
	}
	for len(lt.queue) > 0 {
		h := lt.queue[0]
		lt.queue = lt.queue[1:]
		if !lt.fraudProv[h] && g.readmitAt(rng, h) {
			return
		}
	}
}

func (g *gen) readmitAt(rng *rand.Rand, hosp int32) bool {
	stays := g.lt.stays[hosp]
	rate := betweenF(rng, 0.02, 0.07)
	n := instances(rng, rate*float64(len(stays)))
	if n == 0 {
		return false
	}
	sameShare := betweenF(rng, 0.2, 0.45)
	kind := g.w.providers[hosp].kind
	var plans []stayPlan
	var pats, docs []int32
	same := 0
	for _, k := range rng.Perm(len(stays)) {
		if len(pats) >= n {
			break
		}
		c := &g.claims[stays[k]]
		p := c.patient
		pt := &g.w.patients[p]
		if pt.used || pt.death != noDeath || c.dx == dxDelivery || c.dx < 0 {
			continue
		}
		x, isSame := g.readmissionDx(rng, int(c.dx), p, sameShare)
		los := min(30, 2+int(math.Round(math.Exp(1.5+0.5*rng.NormFloat64()))))
		dis := int(c.end / daySec)
		a := -1
		for try := 0; try < 4 && a < 0; try++ {
			if d := dis + 1 + int(14*math.Pow(rng.Float64(), 1.4)); g.clear(p, d, d+los, 0) {
				a = d
			}
		}
		if a < 0 {
			continue
		}
		pt.used = true
		doc := g.w.pickDoctor(rng, hosp, deptFor(x, pt.age))
		if isSame && c.doctor >= 0 && rng.Float64() < 0.6 {
			doc = c.doctor
		}
		start := at(a, between(rng, 8, 17), rng.IntN(60), rng.IntN(60))
		if rng.Float64() < 0.25 {
			// Back through the emergency department at night.
			start = at(a, []int{0, 1, 2, 19, 20, 21, 22, 23}[rng.IntN(8)], rng.IntN(60), rng.IntN(60))
		}
		plans = append(plans, stayPlan{p, hosp, doc, start, at(a+los, between(rng, 9, 11), rng.IntN(60), 0), x,
			lognormal(rng, 150000+stayPerDay(kind)*float64(los), 0.35), itemsStay})
		pats = append(pats, p)
		docs = append(docs, doc)
		if isSame {
			same++
		}
	}
	if len(pats) == 0 {
		return false
	}
	g.commit(rng, plans)
	g.lt.lookProv[hosp] = true
	slices.Sort(docs)
	docs = slices.Compact(docs)
	g.addLookalike(group{pattern: "early_readmission", kind: "early_readmission", patients: pats, doctors: docs, provs: []int32{hosp},
		note: fmt.Sprintf("%s hospital: %d of its %d honest stays (rate %.1f %%) followed by a readmission 1-15 days after discharge, %d in the same ICD-10 category, the others with a complication",
			kindName(kind), len(pats), len(stays), 100*rate, same)})
	return true
}

// transferOrStaged: care that honestly spans two stays — a transfer to a higher-level hospital
// the same or the next day (转院), or a planned second stage weeks or months later.
func (g *gen) transferOrStaged(rng *rand.Rand) {
	if rng.Float64() < 0.5 {
		g.transfers(rng)
	} else {
		g.stagedTreatment(rng)
	}
}

func (g *gen) transfers(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	low := []provKind{kindTownship, kindPrivateHosp}
	if rng.Float64() < 0.4 {
		low = []provKind{kindSecondary}
	}
	lower := g.lateHospital(rng, ri, low, []provKind{kindSecondary, kindTownship}, false)
	if lower < 0 {
		return
	}
	up := []provKind{kindSecondary, kindTertiary}
	if g.w.providers[lower].kind == kindSecondary {
		up = []provKind{kindTertiary}
	}
	higher := g.lateHospital(rng, ri, up, []provKind{kindTertiary}, false)
	if higher < 0 || higher == lower {
		return
	}
	pats := g.recruit(rng, ri, between(rng, 3, 12), 45, 90, 1, nil)
	if len(pats) < 2 {
		return
	}
	sameDay := betweenF(rng, 0.4, 0.8)
	dx := g.dxPicker(rng, []int{dxStroke, dxCHD, dxHipFracture, dxPneumonia, dxCholecystitis, dxAppendicitis, dxCOPDExacerbation}, pats)
	lk, hk := g.w.providers[lower].kind, g.w.providers[higher].kind
	var plans []stayPlan
	var members, docs []int32
	for _, p := range pats {
		x := dx(p)
		age := g.w.patients[p].age
		losA := between(rng, 0, 2)
		losB := between(rng, 6, 18)
		gap := 0
		if rng.Float64() >= sameDay {
			gap = 1
		}
		span := losA + gap + losB + 1 // a transfer late in the evening is admitted after midnight
		a := -1
		for try := 0; try < 5 && a < 0; try++ {
			if d := rng.IntN(max(1, g.cfg.Days-span-1)); g.clear(p, d, d+span, 1) {
				a = d
			}
		}
		if a < 0 {
			continue
		}
		var admA, disA int32
		if losA == 0 {
			admA = at(a, between(rng, 6, 15), rng.IntN(60), rng.IntN(60))
			disA = admA + int32(between(rng, 2, 6)*3600+rng.IntN(3600))
		} else {
			admA = at(a, rng.IntN(24), rng.IntN(60), rng.IntN(60))
			disA = at(a+losA, between(rng, 8, 15), rng.IntN(60), 0)
		}
		admB := disA + int32(between(rng, 1, 4)*3600+rng.IntN(3600))
		if gap == 1 {
			admB = at(a+losA+1, between(rng, 8, 16), rng.IntN(60), rng.IntN(60))
		}
		xB := x
		if rel := g.fitting(relatedCodes(x), p); len(rel) > 0 && rng.Float64() < 0.25 {
			xB = rel[rng.IntN(len(rel))]
		}
		dA, dB := g.w.pickDoctor(rng, lower, deptFor(x, age)), g.w.pickDoctor(rng, higher, deptFor(x, age))
		plans = append(plans,
			stayPlan{p, lower, dA, admA, disA, x, lognormal(rng, 30000+stayPerDay(lk)*max(0.5, float64(losA)), 0.3), itemsStay},
			stayPlan{p, higher, dB, admB, at(int(admB/daySec)+losB, between(rng, 9, 11), rng.IntN(60), 0), xB,
				lognormal(rng, 150000+stayPerDay(hk)*float64(losB), 0.3), itemsStay})
		members = append(members, p)
		docs = append(docs, dA, dB)
	}
	if len(members) < 2 {
		return
	}
	g.commit(rng, plans)
	g.lt.lookProv[lower], g.lt.lookProv[higher] = true, true
	slices.Sort(docs)
	g.addLookalike(group{pattern: "transfer_or_staged", kind: "transfer", patients: members, doctors: slices.Compact(docs), provs: []int32{lower, higher},
		note: fmt.Sprintf("%d patients admitted at a %s hospital for 0-2 days and transferred to a %s hospital the same day (%.0f %%) or the next, same code 75 %% else one of its category",
			len(members), kindName(lk), kindName(hk), 100*sameDay)})
}

// procedure is a course of care in two planned stays at one hospital.
type procedure struct {
	name          string
	first, second int // diagnoses; second -1: the first's code or one of its category
	dept          string
	gapLo, gapHi  int
	los1, los2    [2]int
	cost1, cost2  float64 // median in fen; 0: a medical stay priced per day
	items1        uint8
	items2        uint8
}

var procedures = []procedure{
	{"cholecystectomy after an attack treated conservatively", dxCholecystitis, -1, "外科", 28, 70, [2]int{5, 9}, [2]int{4, 7}, 0, 2_500_000, itemsStay, itemsSurgery},
	{"knee replacement, the second knee later", dxKneeOA, -1, "骨科", 21, 90, [2]int{7, 12}, [2]int{7, 12}, 5_000_000, 5_000_000, itemsSurgery, itemsSurgery},
	{"fracture fixation, the implant removed months later", dxHipFracture, dxImplantRemoval, "骨科", 90, 200, [2]int{8, 16}, [2]int{3, 6}, 4_500_000, 1_200_000, itemsSurgery, itemsSurgery},
}

func (g *gen) stagedTreatment(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	kinds, fallback := []provKind{kindTertiary}, []provKind{kindSecondary}
	if rng.Float64() < 0.5 {
		kinds, fallback = fallback, kinds
	}
	hosp := g.lateHospital(rng, ri, kinds, fallback, false)
	if hosp < 0 {
		return
	}
	pats := g.recruit(rng, ri, between(rng, 3, 10), 40, 85, 0, nil)
	if len(pats) < 2 {
		return
	}
	perDay := stayPerDay(g.w.providers[hosp].kind)
	var plans []stayPlan
	var members, docs []int32
	used := map[string]bool{}
	for _, p := range pats {
		pt := &g.w.patients[p]
		var pr procedure
		ok := false
		for _, k := range rng.Perm(len(procedures)) {
			if pr = procedures[k]; diagTable[pr.first].fits(pt.sex, pt.age) {
				ok = true
				break
			}
		}
		if !ok {
			continue
		}
		los1, los2 := between(rng, pr.los1[0], pr.los1[1]), between(rng, pr.los2[0], pr.los2[1])
		gap := between(rng, pr.gapLo, pr.gapHi)
		a := -1
		for try := 0; try < 6 && a < 0; try++ {
			d := rng.IntN(max(1, g.cfg.Days-los1-gap-los2-1))
			if b := d + los1 + gap; g.clear(p, d, d+los1, 1) && g.clear(p, b, b+los2, 1) {
				a = d
			}
		}
		if a < 0 {
			continue
		}
		x2 := pr.second
		if x2 < 0 {
			x2 = pr.first
			if rel := g.fitting(relatedCodes(pr.first), p); len(rel) > 0 && rng.Float64() < 0.5 {
				x2 = rel[rng.IntN(len(rel))]
			}
		}
		cost := func(median float64, los int) int64 {
			if median == 0 {
				median = 150000 + perDay*float64(los)
			}
			return lognormal(rng, median, 0.25)
		}
		doc := g.w.pickDoctor(rng, hosp, pr.dept)
		b := a + los1 + gap
		plans = append(plans,
			stayPlan{p, hosp, doc, at(a, rng.IntN(24), rng.IntN(60), rng.IntN(60)), at(a+los1, between(rng, 9, 11), rng.IntN(60), 0), pr.first, cost(pr.cost1, los1), pr.items1},
			stayPlan{p, hosp, doc, at(b, between(rng, 8, 15), rng.IntN(60), rng.IntN(60)), at(b+los2, between(rng, 9, 11), rng.IntN(60), 0), x2, cost(pr.cost2, los2), pr.items2})
		members = append(members, p)
		docs = append(docs, doc)
		used[pr.name] = true
	}
	if len(members) < 2 {
		return
	}
	g.commit(rng, plans)
	g.lt.lookProv[hosp] = true
	var names []string
	for _, pr := range procedures {
		if used[pr.name] {
			names = append(names, pr.name)
		}
	}
	slices.Sort(docs)
	g.addLookalike(group{pattern: "transfer_or_staged", kind: "staged_treatment", patients: members, doctors: slices.Compact(docs), provs: []int32{hosp},
		note: fmt.Sprintf("%d patients of a %s hospital with care planned in two stays, the second 21-200 days after the first: %s",
			len(members), kindName(g.w.providers[hosp].kind), strings.Join(names, "; "))})
}

// rehabilitationAfterAcute: after an acute stay for a stroke or a hip fracture the patient is
// admitted again within days for rehabilitation (康复), on the hospital's own rehabilitation ward
// or at another hospital, coded Z50 or with the sequelae.
func (g *gen) rehabilitationAfterAcute(rng *rand.Rand) {
	ri := g.pickRegion(rng)
	acute := g.lateHospital(rng, ri, []provKind{kindTertiary, kindSecondary}, []provKind{kindSecondary}, false)
	if acute < 0 {
		return
	}
	rehab, where := acute, "the acute hospital's own rehabilitation ward"
	switch x := rng.Float64(); {
	case x < 0.3:
		if r := g.lateHospital(rng, ri, []provKind{kindPrivateHosp}, nil, false); r >= 0 {
			rehab, where = r, "a private hospital"
		}
	case x < 0.5:
		if r := g.lateHospital(rng, ri, []provKind{kindSecondary}, nil, false); r >= 0 && r != acute {
			rehab, where = r, "a county hospital"
		}
	}
	rehabDocs := g.deptDoctors(rng, rehab, "康复医学科", between(rng, 1, 2))
	sequelae := rng.Float64() < 0.5
	perDay := betweenF(rng, 40000, 80000)
	want := between(rng, 3, 12)
	pats := g.recruit(rng, ri, 2*want, 55, 90, 1, nil)
	ak := g.w.providers[acute].kind
	var plans []stayPlan
	var members, docs []int32
	for _, p := range pats {
		if len(members) >= want {
			break
		}
		age := g.w.patients[p].age
		x := dxStroke
		losA := between(rng, 7, 16)
		if age >= 60 && rng.Float64() < 0.4 {
			x = dxHipFracture
			losA = between(rng, 8, 18)
		}
		gap := between(rng, 2, 5)
		switch r := rng.Float64(); {
		case r < 0.35:
			gap = 0
		case r < 0.65:
			gap = 1
		}
		losR := between(rng, 14, 35)
		span := losA + gap + losR
		a := -1
		for try := 0; try < 6 && a < 0; try++ {
			if d := rng.IntN(max(1, g.cfg.Days-span-2)); g.clear(p, d, d+span, 1) {
				a = d
			}
		}
		if a < 0 {
			continue
		}
		rx := dxRehabCare
		if sequelae {
			rx = dxStrokeSequelae
			if x == dxHipFracture {
				rx = dxFemurSequelae
			}
		}
		disA := at(a+losA, between(rng, 9, 11), rng.IntN(60), 0)
		admR := disA + int32(between(rng, 1, 5)*3600+rng.IntN(3600))
		if gap > 0 {
			admR = at(a+losA+gap, between(rng, 9, 15), rng.IntN(60), rng.IntN(60))
		}
		costA := 150000 + stayPerDay(ak)*float64(losA)
		if x == dxHipFracture {
			costA += 2_000_000 // the operation
		}
		docA, docR := g.w.pickDoctor(rng, acute, deptFor(x, age)), rehabDocs[rng.IntN(len(rehabDocs))]
		plans = append(plans,
			stayPlan{p, acute, docA, at(a, rng.IntN(24), rng.IntN(60), rng.IntN(60)), disA, x, lognormal(rng, costA, 0.3), itemsStay},
			stayPlan{p, rehab, docR, admR, at(a+losA+gap+losR, between(rng, 9, 11), rng.IntN(60), 0), rx,
				lognormal(rng, betweenF(rng, 100000, 200000)+perDay*float64(losR), 0.2), itemsRehabStay})
		members = append(members, p)
		docs = append(docs, docA, docR)
	}
	if len(members) < 2 {
		return
	}
	g.commit(rng, plans)
	provs := []int32{rehab}
	if acute != rehab {
		provs = append(provs, acute)
	}
	for _, p := range provs {
		g.lt.lookProv[p] = true
	}
	code := "Z50.9"
	if sequelae {
		code = "the sequelae (I69.3, T93.1)"
	}
	slices.Sort(docs)
	g.addLookalike(group{pattern: "rehabilitation_after_acute", kind: "rehabilitation", patients: members, doctors: slices.Compact(docs), provs: provs,
		note: fmt.Sprintf("%d patients after a stroke or hip fracture at a %s hospital, admitted for 14-35 days of rehabilitation 0-5 days after discharge at %s, coded %s, %.0f yuan/day",
			len(members), kindName(ak), where, code, perDay/100)})
}
