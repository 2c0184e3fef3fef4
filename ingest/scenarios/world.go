package scenarios

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

const noDeath = math.MaxInt32

// provider is an institution or a pharmacy.
type provider struct {
	id        string
	name      string
	level     string
	public    bool
	kind      provKind
	region    int
	doctors   []int32 // doctors (or pharmacists) working there
	weights   []float64
	terminals int
	// outMedian is the median outpatient (or pharmacy) claim, in fen; a provider-specific level.
	outMedian float64
}

type doctor struct {
	id   string
	name string
	prov int32 // -1 for pharmacists (pharmacies are not institutions)
	dept string
}

type patient struct {
	id      string
	name    string
	sex     byte
	birth   time.Time
	age     int // whole years at the start of the range
	region  int
	house   int32
	phone   string
	address string
	death   int32 // day index (negative: before the range); noDeath when alive

	clinic   int32 // home community clinic / township health centre
	hospital int32 // preferred hospital (secondary or tertiary)
	pharmacy int32 // usual pharmacy
	private  int32 // a private clinic the family goes to for minor illness; -1 none
	famDoc   int32 // family doctor at the home clinic
	chronic  []int // chronic diagnoses

	used bool // already plays a planted part
}

type household struct {
	region  int
	members []int32
	address string
}

type regionState struct {
	def      regionDef
	patients []int32
	byKind   [kindPharmacy + 1][]int32
	houses   []int32
}

// world is the honest register: regions, providers, doctors, patients, households.
type world struct {
	cfg       Config
	regions   []regionState
	providers []provider
	doctors   []doctor
	patients  []patient
	houses    []household
	phones    map[string]bool
	ids       map[string]bool
}

func (w *world) day(d int) time.Time { return w.cfg.From.AddDate(0, 0, d) }

// weekday of day index d.
func (w *world) weekday(d int) time.Weekday { return w.day(d).Weekday() }

func buildWorld(cfg Config, rng *rand.Rand) *world {
	w := &world{cfg: cfg, phones: map[string]bool{}, ids: map[string]bool{}}
	nr := cfg.Patients / 12000
	nr = max(2, min(nr, len(regionDefs)))
	// Population shares: the capital region is larger.
	shares := make([]float64, nr)
	for i := range shares {
		shares[i] = 1 + rng.Float64()*0.6
	}
	shares[0] += 1.2
	var sum float64
	for _, s := range shares {
		sum += s
	}
	for i := 0; i < nr; i++ {
		w.regions = append(w.regions, regionState{def: regionDefs[i]})
	}
	for i := range w.regions {
		size := float64(cfg.Patients) * shares[i] / sum
		w.buildProviders(rng, i, size)
	}
	w.buildPatients(rng, shares, sum)
	return w
}

func scaled(rng *rand.Rand, size, per float64, minimum int) int {
	n := size / per
	k := int(n)
	if rng.Float64() < n-float64(k) {
		k++
	}
	return max(minimum, k)
}

var depts = map[provKind][]string{
	kindTertiary:    {"内科", "心血管内科", "内分泌科", "呼吸内科", "消化内科", "肾内科", "神经内科", "外科", "骨科", "妇产科", "儿科", "眼科", "口腔科", "急诊科", "康复医学科", "体检中心", "中医科"},
	kindSecondary:   {"内科", "外科", "妇产科", "儿科", "肾内科", "骨科", "急诊科", "康复医学科", "体检中心", "中医科"},
	kindPrivateHosp: {"内科", "外科", "骨科", "妇科", "康复医学科", "中医科"},
	kindCommunity:   {"全科", "全科", "中医科", "预防保健科", "康复科"},
	kindTownship:    {"全科", "中医科", "预防保健科"},
	kindClinic:      {"全科", "中医科"},
}

var levels = map[provKind][]string{
	kindTertiary:    {"三级甲等"},
	kindSecondary:   {"二级甲等", "二级乙等"},
	kindPrivateHosp: {"二级", "一级", "未定级"},
	kindCommunity:   {"社区卫生服务中心"},
	kindTownship:    {"一级"},
	kindClinic:      {"诊所", "门诊部", "未定级"},
}

func (w *world) newID(prefix string, region string, width int, rng *rand.Rand) string {
	for {
		id := fmt.Sprintf("%s%s%0*d", prefix, region, width, rng.Int64N(int64(math.Pow10(width))))
		if !w.ids[id] {
			w.ids[id] = true
			return id
		}
	}
}

func (w *world) buildProviders(rng *rand.Rand, ri int, size float64) {
	r := &w.regions[ri]
	def := r.def
	counts := map[provKind]int{
		kindTertiary:    scaled(rng, size, 45000, 1),
		kindSecondary:   scaled(rng, size, 14000, 1),
		kindPrivateHosp: scaled(rng, size, 12000, 1),
		kindCommunity:   scaled(rng, size, 3500, 2),
		kindTownship:    scaled(rng, size, 5000, 1),
		kindClinic:      scaled(rng, size, 1800, 3),
		kindPharmacy:    scaled(rng, size, 900, 4),
	}
	for k := kindTertiary; k <= kindPharmacy; k++ {
		for j := 0; j < counts[k]; j++ {
			p := provider{kind: k, region: ri}
			district := def.districts[rng.IntN(len(def.districts))]
			switch k {
			case kindTertiary:
				p.name = []string{def.city + "第一人民医院", def.city + "中医医院", def.city + "第二人民医院", def.city + "妇幼保健院", def.city + "第三人民医院"}[j%5]
				p.public, p.terminals, p.outMedian = true, 12+rng.IntN(10), 30000
			case kindSecondary:
				p.name = fmt.Sprintf("%s人民医院", district)
				if j >= len(def.districts) {
					p.name = fmt.Sprintf("%s第%d人民医院", district, j/len(def.districts)+1)
				}
				p.public, p.terminals, p.outMedian = true, 5+rng.IntN(5), 19000
			case kindPrivateHosp:
				p.name = district + []string{"仁爱", "康华", "博爱", "华夏", "协和", "益民", "安康", "同济"}[rng.IntN(8)] + []string{"医院", "骨科医院", "中西医结合医院", "康复医院"}[rng.IntN(4)]
				p.terminals, p.outMedian = 2+rng.IntN(3), 24000
			case kindCommunity:
				p.name = fmt.Sprintf("%s%s社区卫生服务中心", district, def.streets[j%len(def.streets)])
				if j >= len(def.streets) {
					p.name = fmt.Sprintf("%s%s第%d社区卫生服务站", district, def.streets[j%len(def.streets)], j/len(def.streets)+1)
				}
				p.public, p.terminals, p.outMedian = true, 2+rng.IntN(2), 7500
			case kindTownship:
				p.name = fmt.Sprintf("%s%s乡卫生院", district, []string{"东", "西", "南", "北", "中", "新", "和平", "太平", "龙泉", "石门", "青山", "金沙"}[j%12])
				if j >= 12 {
					p.name = fmt.Sprintf("%s第%d乡卫生院", district, j)
				}
				p.public, p.terminals, p.outMedian = true, 1+rng.IntN(2), 5500
			case kindClinic:
				p.name = district + []string{"康宁", "济生", "仁心", "百草", "和顺", "德馨", "杏林", "春晖", "惠民", "安泰"}[rng.IntN(10)] + []string{"诊所", "中医诊所", "门诊部", "综合门诊部"}[rng.IntN(4)]
				p.terminals, p.outMedian = 1+rng.IntN(2), 9000
			case kindPharmacy:
				chain := []string{"健之佳", "一心堂", "老百姓", "大参林", "鸿翔", "", ""}[rng.IntN(7)]
				if chain == "" {
					p.name = district + []string{"康泰", "福寿", "同心", "万家", "益康", "仁和"}[rng.IntN(6)] + "大药房"
				} else {
					p.name = fmt.Sprintf("%s连锁药房%s%s店", chain, district, def.streets[rng.IntN(len(def.streets))])
				}
				p.terminals, p.outMedian = 1+rng.IntN(3), 5500
			}
			p.outMedian *= math.Exp(rng.NormFloat64() * 0.2)
			if k != kindPharmacy {
				p.level = levels[k][rng.IntN(len(levels[k]))]
				p.id = w.newID("H", def.code, 5, rng)
			} else {
				p.id = w.newID("P", def.code, 5, rng)
			}
			pi := int32(len(w.providers))
			w.providers = append(w.providers, p)
			r.byKind[k] = append(r.byKind[k], pi)
			w.buildDoctors(rng, pi)
			if k == kindClinic && rng.Float64() < 0.35 {
				w.addVisitingDoctor(rng, ri, pi)
			}
		}
	}
}

// addVisitingDoctor lets a hospital doctor of the region also see patients at clinic pi
// (多点执业: registered at the hospital, evenings and weekends at the clinic). doctors.csv lists
// the hospital; the clinic's claims carry the doctor.
func (w *world) addVisitingDoctor(rng *rand.Rand, ri int, pi int32) {
	hs := append(append([]int32{}, w.regions[ri].byKind[kindSecondary]...), w.regions[ri].byKind[kindTertiary]...)
	if len(hs) == 0 {
		return
	}
	h := &w.providers[pickOf(rng, hs)]
	d := h.doctors[rng.IntN(len(h.doctors))]
	p := &w.providers[pi]
	p.doctors = append(p.doctors, d)
	p.weights = append(p.weights, 0.5*math.Exp(rng.NormFloat64()*0.3))
}

func (w *world) buildDoctors(rng *rand.Rand, pi int32) {
	p := &w.providers[pi]
	var n int
	switch p.kind {
	case kindTertiary:
		n = 50 + rng.IntN(40)
	case kindSecondary:
		n = 18 + rng.IntN(15)
	case kindPrivateHosp:
		n = 6 + rng.IntN(8)
	case kindCommunity:
		n = 4 + rng.IntN(6)
	case kindTownship:
		n = 3 + rng.IntN(4)
	case kindClinic:
		n = 1 + rng.IntN(3)
	case kindPharmacy:
		n = 1 + rng.IntN(2)
	}
	region := w.regions[p.region].def.code
	for i := 0; i < n; i++ {
		d := doctor{id: w.newID("D", region, 6, rng), name: w.personName(rng), prov: pi}
		if p.kind == kindPharmacy {
			d.prov, d.dept = -1, "药房"
		} else {
			ds := depts[p.kind]
			d.dept = ds[i%len(ds)]
		}
		p.doctors = append(p.doctors, int32(len(w.doctors)))
		// Popularity: a few doctors see many more patients (Zipf-like).
		p.weights = append(p.weights, 1/math.Pow(float64(i+1), 0.6)*math.Exp(rng.NormFloat64()*0.3))
		w.doctors = append(w.doctors, d)
	}
}

func (w *world) personName(rng *rand.Rand) string {
	s := surnames[rng.IntN(len(surnames))]
	g := string(givenChars[rng.IntN(len(givenChars))])
	if rng.Float64() < 0.7 {
		g += string(givenChars[rng.IntN(len(givenChars))])
	}
	return s + g
}

func (w *world) newPhone(rng *rand.Rand) string {
	prefixes := []string{"139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "187", "188", "182", "133", "153", "180", "189", "130", "131", "132", "155", "156", "185", "186", "177", "199"}
	for {
		ph := fmt.Sprintf("%s%08d", prefixes[rng.IntN(len(prefixes))], rng.IntN(100_000_000))
		if !w.phones[ph] {
			w.phones[ph] = true
			return ph
		}
	}
}

func (w *world) newAddress(rng *rand.Rand, ri int) string {
	def := w.regions[ri].def
	d := def.districts[rng.IntN(len(def.districts))]
	s := def.streets[rng.IntN(len(def.streets))]
	if rng.Float64() < 0.3 {
		return fmt.Sprintf("云南省%s%s%s村%s组%d号", def.city, d, []string{"大营", "小河", "杨家", "李家", "新村", "石桥", "龙潭", "河口"}[rng.IntN(8)], []string{"一", "二", "三", "四", "五", "六"}[rng.IntN(6)], 1+rng.IntN(80))
	}
	return fmt.Sprintf("云南省%s%s%s%d号%d栋%d单元%d室", def.city, d, s, 1+rng.IntN(999), 1+rng.IntN(30), 1+rng.IntN(4), 101+rng.IntN(28)*100/4+rng.IntN(4))
}

// ageSample draws an age from a population pyramid shaped like Yunnan's (2020 census, rounded).
func ageSample(rng *rand.Rand) int {
	bands := []struct {
		lo, hi int
		w      float64
	}{{0, 6, 8}, {7, 17, 13}, {18, 29, 14}, {30, 44, 22}, {45, 59, 23}, {60, 69, 11}, {70, 79, 6}, {80, 99, 3}}
	var sum float64
	for _, b := range bands {
		sum += b.w
	}
	x := rng.Float64() * sum
	for _, b := range bands {
		if x < b.w {
			return b.lo + rng.IntN(b.hi-b.lo+1)
		}
		x -= b.w
	}
	return 40
}

func (w *world) buildPatients(rng *rand.Rand, shares []float64, sum float64) {
	n := w.cfg.Patients
	w.patients = make([]patient, 0, n)
	target := make([]int, len(w.regions))
	acc := 0
	for i := range target {
		target[i] = int(float64(n) * shares[i] / sum)
		acc += target[i]
	}
	target[0] += n - acc
	for ri := range w.regions {
		for len(w.regions[ri].patients) < target[ri] {
			w.addHousehold(rng, ri, target[ri]-len(w.regions[ri].patients))
		}
	}
}

// addHousehold adds one household of up to room members: a head (adult), maybe a spouse,
// children and elderly parents, sharing an address; children and many elderly are registered
// with a family member's phone.
func (w *world) addHousehold(rng *rand.Rand, ri int, room int) {
	r := &w.regions[ri]
	hi := int32(len(w.houses))
	h := household{region: ri, address: w.newAddress(rng, ri)}
	type m struct {
		age int
		sex byte
	}
	var ms []m
	head := ageSample(rng)
	switch {
	case head < 18 && rng.Float64() < 0.85:
		head = 25 + rng.IntN(40)
	case head < 18:
		head = 18 + rng.IntN(5)
	}
	hsex := byte('M')
	if rng.Float64() < 0.45 {
		hsex = 'F'
	}
	ms = append(ms, m{head, hsex})
	single := rng.Float64() < 0.22 || head > 85
	if !single && head < 90 {
		s := head + rng.IntN(7) - 3
		ms = append(ms, m{max(18, s), map[byte]byte{'M': 'F', 'F': 'M'}[hsex]})
		if head >= 22 && head <= 55 {
			for k := rng.IntN(3); k > 0; k-- {
				ca := head - 20 - rng.IntN(15)
				if ca >= 0 {
					sx := byte('M')
					if rng.IntN(2) == 0 {
						sx = 'F'
					}
					ms = append(ms, m{ca, sx})
				}
			}
			if rng.Float64() < 0.25 {
				ms = append(ms, m{head + 24 + rng.IntN(10), []byte{'M', 'F'}[rng.IntN(2)]})
			}
		}
	}
	if len(ms) > room {
		ms = ms[:room]
	}
	homeClinic := pickOf(rng, append(append([]int32{}, r.byKind[kindCommunity]...), r.byKind[kindTownship]...))
	hospital := pickOf(rng, r.byKind[kindSecondary])
	if rng.Float64() < 0.5 {
		hospital = pickOf(rng, r.byKind[kindTertiary])
	}
	pharm := pickOf(rng, r.byKind[kindPharmacy])
	private := int32(-1)
	if rng.Float64() < 0.3 {
		private = pickOf(rng, r.byKind[kindClinic])
	}
	famPhone := w.newPhone(rng) // the head's phone, also registered for children and many elders
	for k, mm := range ms {
		p := patient{sex: mm.sex, age: mm.age, region: ri, house: hi, address: h.address, death: noDeath,
			clinic: homeClinic, hospital: hospital, pharmacy: pharm, private: private, name: w.personName(rng)}
		if k > 0 && mm.age < 18 {
			// Children carry the head's surname.
			p.name = string([]rune(w.patients[len(w.patients)-k].name)[:1]) + string([]rune(p.name)[1:])
		}
		switch {
		case k == 0:
			p.phone = famPhone
		case mm.age < 16 || (mm.age >= 70 && rng.Float64() < 0.7):
			p.phone = famPhone
		case rng.Float64() < 0.06:
			p.phone = "" // not registered
		default:
			p.phone = w.newPhone(rng)
		}
		if rng.Float64() < 0.04 {
			p.address = "" // the register lacks it
		}
		if rng.Float64() < 0.3 {
			// Some people use a pharmacy other than the family's.
			p.pharmacy = pickOf(rng, r.byKind[kindPharmacy])
		}
		p.birth = w.cfg.From.AddDate(-mm.age, 0, -rng.IntN(365))
		p.age = mm.age
		p.famDoc = w.pickDoctor(rng, p.clinic, "")
		p.chronic = chronicFor(rng, p.sex, mm.age)
		pi := int32(len(w.patients))
		p.id = w.patientID(rng, ri)
		w.patients = append(w.patients, p)
		h.members = append(h.members, pi)
		r.patients = append(r.patients, pi)
	}
	w.houses = append(w.houses, h)
	r.houses = append(r.houses, hi)
}

func (w *world) patientID(rng *rand.Rand, ri int) string {
	return w.newID(w.regions[ri].def.code, "", 10, rng)
}

// pickDoctor picks a doctor of provider pi by popularity, preferring department dept when given.
func (w *world) pickDoctor(rng *rand.Rand, pi int32, dept string) int32 {
	p := &w.providers[pi]
	if dept != "" {
		var cands []int32
		for _, d := range p.doctors {
			if w.doctors[d].dept == dept {
				cands = append(cands, d)
			}
		}
		if len(cands) > 0 {
			return cands[rng.IntN(len(cands))]
		}
	}
	var sum float64
	for _, x := range p.weights {
		sum += x
	}
	x := rng.Float64() * sum
	for i, wt := range p.weights {
		if x < wt {
			return p.doctors[i]
		}
		x -= wt
	}
	return p.doctors[len(p.doctors)-1]
}

// chronicFor draws the chronic conditions of a person (prevalences rounded from China's
// national surveys: hypertension ≈ 27 % of adults, diabetes ≈ 11 %, rising with age).
func chronicFor(rng *rand.Rand, sex byte, age int) []int {
	var out []int
	if age < 35 {
		return nil
	}
	older := float64(age-35) / 45
	if rng.Float64() < 0.08+0.45*older {
		out = append(out, dxHypertension)
	}
	if rng.Float64() < 0.04+0.16*older {
		out = append(out, dxDiabetes)
	}
	if age >= 55 && rng.Float64() < 0.06+0.1*older {
		out = append(out, dxCHD)
	}
	if age >= 55 && rng.Float64() < 0.04+0.08*older {
		out = append(out, dxCOPD)
	}
	if age >= 50 && rng.Float64() < 0.05 {
		out = append(out, dxKneeOA)
	}
	if sex == 'M' && age >= 55 && rng.Float64() < 0.08 {
		out = append(out, dxBPH)
	}
	return out
}

func pickOf(rng *rand.Rand, xs []int32) int32 { return xs[rng.IntN(len(xs))] }
