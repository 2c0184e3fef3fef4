package synth

import (
	"math"
	"time"
)

const noDeath = math.MaxInt32

// Role bits mark patients that already have a planted part, so that each patient plays at most
// one planted part and the ground truth stays unambiguous.
const (
	roleRing uint16 = 1 << iota
	roleLending
	roleCollected
	roleDeceased
	roleCohort
	roleCheckup
	roleRush
	roleHouseholdCoVisit
	roleCodingError
	roleProxy
	roleDialysis
	roleTherapy
	roleSplitAdmission
	roleChemo
	roleEarlyReadmission
)

// person is the compact part of a patient needed before claims are generated (32 bytes).
// Names, phones and addresses are drawn later, household by household, while writing.
type person struct {
	birth      int32 // days since 1970-01-01
	death      int32 // days since 1970-01-01, noDeath when alive at the end of the range
	household  int32
	homeClinic int32 // community clinic the patient is registered with (家庭医生签约)
	homePharm  int32
	tertiary   int32 // preferred tertiary hospital
	region     uint8
	sex        byte
	chronic    uint8 // bit i set: chronicConditions[i]
	role       uint16
}

type household struct {
	start int32
	size  uint8
}

// day converts a date to days since the Unix epoch.
func day(t time.Time) int32 { return int32(t.Unix() / 86400) }

// dateOf converts days since the epoch to a UTC date.
func dateOf(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// ageAt returns the age in whole years at day d of someone born on day b.
func ageAt(b, d int32) int {
	by, bm, bd := dateOf(b).Date()
	y, m, dd := dateOf(d).Date()
	a := y - by
	if m < bm || (m == bm && dd < bd) {
		a--
	}
	return a
}

// buildPopulation draws households and their members until cfg.Patients people exist.
func buildPopulation(cfg Config, w *world) ([]person, []household) {
	people := make([]person, 0, cfg.Patients)
	hhs := make([]household, 0, cfg.Patients/2)
	r := newRNG(cfg.Seed, streamHouseholds)
	from, to := day(cfg.From), day(cfg.To)
	sizeDist := newCumulative([]float64{0.25, 0.30, 0.24, 0.12, 0.07, 0.02})
	type member struct {
		sex byte
		age int
	}
	var ms []member
	for len(people) < cfg.Patients {
		h := int32(len(hhs))
		r.reseed(cfg.Seed, streamHouseholds|uint64(h))
		size := sizeDist.draw(r) + 1
		ms = ms[:0]
		switch {
		case size == 1:
			ms = append(ms, member{pick(r, []byte{'M', 'F'}), adultAge(r)})
		case size == 2:
			a := adultAge(r)
			s := pick(r, []byte{'M', 'F'})
			ms = append(ms, member{s, a}, member{other(s), clampAge(a + r.between(-6, 6))})
			if a < 45 && r.chance(0.3) { // single parent with a child
				ms[1] = member{pick(r, []byte{'M', 'F'}), r.between(0, max(0, a-20))}
			}
		default:
			a := r.between(25, 52)
			s := pick(r, []byte{'M', 'F'})
			ms = append(ms, member{s, a}, member{other(s), clampAge(a + r.between(-5, 5))})
			rest := size - 2
			if rest >= 2 && r.chance(0.35) || rest == 1 && r.chance(0.15) {
				g := r.between(1, min(2, rest))
				for i := 0; i < g; i++ {
					ms = append(ms, member{pick(r, []byte{'M', 'F'}), clampAge(a + r.between(22, 34))})
				}
				rest -= g
			}
			for i := 0; i < rest; i++ {
				ms = append(ms, member{pick(r, []byte{'M', 'F'}), r.between(0, max(0, min(a-20, 26)))})
			}
		}
		ri := w.regionPop.draw(r)
		rw := &w.regions[ri]
		clinic := pick(r, rw.byKind[kindCommunity])
		pharm := pick(r, rw.pharms)
		tert := rw.byKind[kindTertiary][rw.tertPop.draw(r)]
		if ri != 0 && r.chance(0.1) { // families that prefer the capital's hospitals
			cap0 := &w.regions[0]
			tert = cap0.byKind[kindTertiary][cap0.tertPop.draw(r)]
		}
		hh := household{start: int32(len(people))}
		for _, m := range ms {
			if len(people) == cfg.Patients {
				break
			}
			birth := day(cfg.From.AddDate(-m.age, 0, 0)) - int32(r.IntN(365))
			p := person{
				birth: birth, death: noDeath, household: h, homeClinic: clinic, homePharm: pharm,
				tertiary: tert, region: uint8(ri), sex: m.sex,
			}
			if r.chance(0.2) { // some members use another pharmacy near work
				p.homePharm = pick(r, rw.pharms)
			}
			p.chronic = chronicFor(r, m.age)
			if r.chance(cfg.DeathRate * mortalityFactor(m.age)) {
				p.death = from + int32(r.IntN(int(to-from)+1))
			} else if r.chance(cfg.DeathRate * mortalityFactor(m.age) * 0.5) {
				// Died before the range: still in the register, with no claims.
				p.death = from - 1 - int32(r.IntN(365))
			}
			people = append(people, p)
			hh.size++
		}
		hhs = append(hhs, hh)
	}
	for i := range people {
		rw := &w.regions[people[i].region]
		rw.patients = append(rw.patients, int32(i))
	}
	return people, hhs
}

func other(s byte) byte {
	if s == 'M' {
		return 'F'
	}
	return 'M'
}

func clampAge(a int) int { return max(18, min(a, 98)) }

// adultAge draws an adult's age with the shape of China's adult population (more people in
// their 30s–60s, a long tail to the late 90s).
func adultAge(r *rng) int {
	for {
		a := int(r.NormFloat64()*17 + 48)
		if a >= 18 && a <= 98 {
			return a
		}
	}
}

// chronicFor returns the chronic conditions of a person of the given age: prevalence rises
// from a few percent under 35 to more than half over 65.
func chronicFor(r *rng, age int) uint8 {
	var p float64
	switch {
	case age < 18:
		p = 0.005
	case age < 35:
		p = 0.03
	case age < 50:
		p = 0.14
	case age < 65:
		p = 0.33
	default:
		p = 0.55
	}
	if !r.chance(p) {
		return 0
	}
	var bits uint8
	n := 1
	if age >= 55 && r.chance(0.35) {
		n = 2
	}
	for tries := 0; tries < 10 && n > 0; tries++ {
		ws := make([]float64, len(chronicConditions))
		for i, c := range chronicConditions {
			if age >= c.minAge && bits&(1<<i) == 0 {
				ws[i] = c.weight
			}
		}
		c := newCumulative(ws)
		if c[len(c)-1] == 0 {
			break
		}
		bits |= 1 << c.draw(r)
		n--
	}
	return bits
}

// mortalityFactor scales the mean yearly mortality by age.
func mortalityFactor(age int) float64 {
	switch {
	case age >= 85:
		return 12
	case age >= 75:
		return 5
	case age >= 65:
		return 2
	case age >= 45:
		return 0.5
	default:
		return 0.08
	}
}
