package scenarios

import (
	"math/rand/v2"
	"slices"
)

// pattern is one named scenario: fraud to be found or an honest look-alike not to be flagged.
// per10k is the number of instances per 10,000 patients at scale 1 (at least one instance is
// planted when the pattern is enabled and its scale is positive). plant draws one instance,
// its parameters drawn afresh from the pattern's ranges (docs/scenarios.md).
type pattern struct {
	name   string
	fraud  bool
	per10k float64
	plant  func(g *gen, rng *rand.Rand)
}

// patterns are planted in this order: earlyPatterns, then latePatterns (readmissions.go), then
// billingPatterns (billing.go). The later two were added after results had been measured on
// fixed seeds and run as stages that only add claims, so that a seed's earlier claims and truth
// stay as they were.
var patterns = slices.Concat(earlyPatterns, latePatterns, billingPatterns)

// earlyPatterns are the original patterns, fraud first.
var earlyPatterns = []pattern{
	{"fixed_ring", true, 2.5, (*gen).fixedRing},
	{"two_doctor_sessions", true, 2, (*gen).twoDoctorSessions},
	{"rotating_attendance", true, 2, (*gen).rotatingAttendance},
	{"fixed_cadence_ring", true, 2, (*gen).fixedCadenceRing},
	{"spread_arrivals", true, 2, (*gen).spreadArrivals},
	{"card_lending_group", true, 2, (*gen).cardLendingGroup},
	{"pharmacy_collection_groups", true, 1, (*gen).pharmacyCollectionGroups},
	{"pharmacy_cashout", true, 1, (*gen).pharmacyCashout},
	{"ghost_hospitalisation", true, 1.5, (*gen).ghostHospitalisation},
	{"induced_admissions", true, 1.2, (*gen).inducedAdmissions},
	{"community_chronic_fabrication", true, 0.8, (*gen).communityChronicFabrication},
	{"deceased_card_claims", true, 1.5, (*gen).deceasedCardClaims},
	{"impersonation", true, 1.5, (*gen).impersonation},
	{"single_large_claim", true, 1, (*gen).singleLargeClaim},
	{"cross_region_duplicate", true, 0.8, (*gen).crossRegionDuplicate},
	{"drug_reselling", true, 1, (*gen).drugReselling},

	{"dialysis_shift", false, 1.2, (*gen).dialysisShift},
	{"rehabilitation_course", false, 1.5, (*gen).rehabilitationCourse},
	{"workplace_checkup", false, 1, (*gen).workplaceCheckup},
	{"household", false, 12, (*gen).householdVisits},
	{"chronic_clinic_day", false, 1.5, (*gen).chronicClinicDay},
	{"pharmacy_promotion", false, 0.8, (*gen).pharmacyPromotion},
	{"school_vaccination", false, 0.8, (*gen).schoolVaccination},
	{"shared_registration_phone", false, 0.8, (*gen).sharedRegistrationPhone},
}

// vagueDx are the codes collusion rings bill: hard to disprove, fit for repeated visits.
var vagueDx = []int{dxBackPain, dxGastritis, dxHypertension, dxKneeOA, dxDiabetes, dxCOPD, dxCHD, dxHeadache, dxLumbarDisc}

func isChronicDx(dx int) bool {
	switch dx {
	case dxHypertension, dxDiabetes, dxCOPD, dxCHD, dxCKD5, dxStrokeSequelae:
		return true
	}
	return false
}

// dxPicker returns, per member, one of codes (drawn once per member) that fits them, else
// low back pain.
func (g *gen) dxPicker(rng *rand.Rand, codes []int, members []int32) func(int32) int {
	m := map[int32]int{}
	for _, p := range members {
		pt := &g.w.patients[p]
		dx := dxBackPain
		for _, k := range rng.Perm(len(codes)) {
			if diagTable[codes[k]].fits(pt.sex, pt.age) {
				dx = codes[k]
				break
			}
		}
		m[p] = dx
	}
	return func(p int32) int { return m[p] }
}

func pickCodes(rng *rand.Rand, from []int, n int) []int {
	out := slices.Clone(from)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(n, len(out))]
}

// around returns base·(1 ± spread), uniform.
func around(rng *rand.Rand, base float64, spread float64) int64 {
	return max(100, roundFen(base*(1+spread*(2*rng.Float64()-1))))
}

// arrivals returns n arrival offsets in seconds within window minutes, sorted.
func arrivals(rng *rand.Rand, n, window int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = rng.IntN(max(1, window*60))
	}
	slices.Sort(out)
	return out
}

// session plants one outpatient session on day d starting at startMin (minutes after midnight):
// the attendees arrive in random order within window minutes; doc gives the doctor of the i-th
// arrival. Attendees admitted or dead that day are skipped. It returns the visits planted.
func (g *gen) session(rng *rand.Rand, prov int32, d, startMin, window int, att []int32,
	doc func(i int, p int32) int32, dx func(int32) int, amount func() int64, items uint8) int {
	order := slices.Clone(att)
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	offs := arrivals(rng, len(order), window)
	n := 0
	for i, p := range order {
		if !g.free(p, d) {
			continue
		}
		x := dx(p)
		g.visit(p, prov, doc(i, p), ctOutpatient, int32(d*daySec+startMin*60+offs[i]), x, amount(), items, isChronicDx(x))
		n++
	}
	return n
}

// ringProvider picks the provider a collusion ring works through: mostly private clinics,
// sometimes a community clinic or a private hospital's outpatient department.
func (g *gen) ringProvider(rng *rand.Rand, ri int, minDoctors int) int32 {
	for tries := 0; tries < 50; tries++ {
		var p int32
		switch x := rng.Float64(); {
		case x < 0.6:
			p = g.pickProvider(rng, ri, kindClinic)
		case x < 0.8:
			p = g.pickProvider(rng, ri, kindCommunity, kindTownship)
		default:
			p = g.pickProvider(rng, ri, kindPrivateHosp)
		}
		if p >= 0 && len(g.w.providers[p].doctors) >= minDoctors {
			return p
		}
	}
	// Fall back to the largest private hospital or community clinic of the region.
	best := int32(-1)
	for _, k := range []provKind{kindPrivateHosp, kindCommunity, kindSecondary} {
		for _, p := range g.w.regions[ri].byKind[k] {
			if best < 0 || len(g.w.providers[p].doctors) > len(g.w.providers[best].doctors) {
				best = p
			}
		}
	}
	return best
}

// colluders returns the provider when it is private (a public clinic is not fraudulent because
// one of its doctors is), for truth.fraudulent.
func (g *gen) colluders(provs ...int32) []int32 {
	var out []int32
	for _, p := range provs {
		if !g.w.providers[p].public {
			out = append(out, p)
		}
	}
	return out
}

// distinctDoctors picks n different doctors of provider p.
func (g *gen) distinctDoctors(rng *rand.Rand, p int32, n int) []int32 {
	ds := slices.Clone(g.w.providers[p].doctors)
	rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	return ds[:min(n, len(ds))]
}
