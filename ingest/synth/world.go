package synth

import (
	"fmt"
	"math"
	"strings"
)

// Institution kinds. Ownership and admission capability follow from the kind.
const (
	kindTertiary        uint8 = iota // 三级 public general hospital
	kindSecondary                    // 二级 public county/district hospital
	kindCommunity                    // 社区卫生服务中心 / 乡镇卫生院 (public primary care)
	kindClinic                       // private clinic or outpatient department (no beds)
	kindPrivateHospital              // private hospital (民营医院, has beds)
)

type institution struct {
	id, name, level, ownership string
	region                     int
	kind                       uint8
	terminals                  int
	depts                      []department
}

// department is one department of an institution with its doctors and their popularity.
type department struct {
	name string
	docs []int32
	pop  cumulative
}

type pharmacy struct {
	id, name  string
	region    int
	terminals int
	allNight  bool // a 24-hour pharmacy (24小时药房): honest sales at night too
}

type doctor struct {
	id, name, dept string
	inst           int32
}

// regionWorld holds one region's providers by kind with their popularity distributions.
type regionWorld struct {
	info     regionInfo
	byKind   [5][]int32
	tertPop  cumulative // Zipf popularity of the region's tertiary hospitals
	pharms   []int32
	patients []int32 // filled after the population is built
}

// world is the fixed part of a generated directory: regions, providers and doctors.
type world struct {
	regions   []regionWorld
	regionPop cumulative
	insts     []institution
	pharms    []pharmacy
	docs      []doctor
}

// buildWorld creates the providers and doctors for cfg, scaled to the number of patients.
func buildWorld(cfg Config) *world {
	r := newRNG(cfg.Seed, streamWorld)
	w := &world{}
	weights := make([]float64, cfg.Regions)
	total := 0.0
	for i := 0; i < cfg.Regions; i++ {
		weights[i] = regionTable[i].weight
		total += weights[i]
	}
	w.regionPop = newCumulative(weights)
	n := float64(cfg.Patients)
	// Expected visits per year drive the number of doctors: a doctor sees roughly 2,500
	// claims a year; tertiary hospitals take about 40 % of visits, community clinics 25 %.
	visits := n * cfg.ClaimsPerPatient * 0.75
	instSeq := make([]int, cfg.Regions)
	docSeq := make([]int, cfg.Regions)
	for ri := 0; ri < cfg.Regions; ri++ {
		info := regionTable[ri]
		share := weights[ri] / total
		nr := n * share
		rw := regionWorld{info: info}
		counts := [5]int{
			kindTertiary:        atLeast(1, math.Round(nr/150_000)),
			kindSecondary:       atLeast(1, math.Round(nr/60_000)),
			kindCommunity:       atLeast(2, math.Round(nr/12_000)),
			kindClinic:          atLeast(2, math.Round(nr/8_000)),
			kindPrivateHospital: atLeast(1, math.Round(nr/90_000)),
		}
		visitShare := [5]float64{0.40, 0.15, 0.27, 0.12, 0.06}
		var regionInsts []int
		for k := uint8(0); k < 5; k++ {
			perInst := visits * share * visitShare[k] / float64(counts[k])
			for j := 0; j < counts[k]; j++ {
				in := newInstitution(r, info, k, j)
				in.region = ri
				ndocs := int(math.Round(perInst / 2500))
				w.staffInstitution(r, &in, ndocs, len(w.insts))
				regionInsts = append(regionInsts, len(w.insts))
				w.insts = append(w.insts, in)
			}
		}
		// Ids are assigned in a shuffled order so that an id does not reveal the kind.
		r.Shuffle(len(regionInsts), func(a, b int) { regionInsts[a], regionInsts[b] = regionInsts[b], regionInsts[a] })
		for _, ii := range regionInsts {
			instSeq[ri]++
			w.insts[ii].id = fmt.Sprintf("H%s%05d", info.code, instSeq[ri])
		}
		for ii := range w.insts {
			if w.insts[ii].region == ri {
				rw.byKind[w.insts[ii].kind] = append(rw.byKind[w.insts[ii].kind], int32(ii))
			}
		}
		rw.tertPop = zipf(len(rw.byKind[kindTertiary]), 1.1)
		np := atLeast(3, math.Round(nr/2_500))
		for j := 0; j < np; j++ {
			rw.pharms = append(rw.pharms, int32(len(w.pharms)))
			w.pharms = append(w.pharms, newPharmacy(r, info, ri, j))
		}
		w.regions = append(w.regions, rw)
	}
	// Doctor ids per region, shuffled for the same reason as institution ids.
	order := r.Perm(len(w.docs))
	for _, di := range order {
		ri := w.insts[w.docs[di].inst].region
		docSeq[ri]++
		w.docs[di].id = fmt.Sprintf("D%s%06d", regionTable[ri].code, docSeq[ri]*7+r.IntN(7))
	}
	return w
}

func atLeast(min int, v float64) int {
	if int(v) < min {
		return min
	}
	return int(v)
}

func newInstitution(r *rng, info regionInfo, kind uint8, j int) institution {
	d := pick(r, info.districts)
	in := institution{kind: kind}
	switch kind {
	case kindTertiary:
		names := []string{"第一人民医院", "第二人民医院", "中医医院", "第三人民医院", "妇幼保健院", "延安医院", "中心医院", "第一附属医院", "第二附属医院"}
		if j < len(names) {
			in.name = info.short + "市" + names[j]
			if strings.Contains(info.city, "州") {
				in.name = info.short + "州" + names[j]
			}
		} else {
			in.name = fmt.Sprintf("%s第%d人民医院", info.short, j+1)
		}
		in.level = levelTertiaryA
		if j >= 3 && r.chance(0.4) {
			in.level = levelTertiaryB
		}
		in.ownership = "public"
		in.terminals = r.between(10, 30)
	case kindSecondary:
		in.name = d + pick(r, []string{"人民医院", "中医医院", "第二人民医院", "妇幼保健院", "中西医结合医院"})
		in.level = pick(r, []string{levelSecondaryA, levelSecondaryA, levelSecondaryB})
		in.ownership = "public"
		in.terminals = r.between(4, 10)
	case kindCommunity:
		if r.chance(0.6) {
			in.name = d + strings.TrimSuffix(pick(r, streets), "路") + "社区卫生服务中心"
			in.level = levelCommunity
		} else {
			in.name = d + pick(r, []string{"龙泉", "马街", "小板桥", "阿拉", "大板桥", "沙朗", "团结", "双龙", "太平", "青龙"}) + "镇卫生院"
			in.level = levelTownship
		}
		in.ownership = "public"
		in.terminals = r.between(1, 3)
	case kindClinic:
		if r.chance(0.7) {
			in.name = d + pick(r, shopWords) + pick(r, []string{"诊所", "中医诊所", "口腔诊所", "门诊部", "综合门诊部"})
			in.level = levelClinic
		} else {
			in.name = info.short + pick(r, shopWords) + "门诊部"
			in.level = levelOutpatient
		}
		in.ownership = "private"
		in.terminals = 1
	case kindPrivateHospital:
		in.name = info.short + pick(r, shopWords) + pick(r, []string{"医院", "骨科医院", "康复医院", "中医医院", "妇产医院"})
		in.level = pick(r, []string{levelPrivateHos, levelSecondaryB, "未定级"})
		in.ownership = "private"
		in.terminals = r.between(1, 3)
	}
	return in
}

// staffInstitution creates n doctors (at least one per department) for institution in.
func (w *world) staffInstitution(r *rng, in *institution, n int, instIndex int) {
	var depts []string
	switch in.kind {
	case kindTertiary:
		depts = tertiaryDepts
	case kindSecondary:
		depts = secondaryDepts
	case kindCommunity:
		depts = communityDepts
	case kindClinic:
		depts = pick(r, clinicDepts)
	case kindPrivateHospital:
		depts = privateHospitalDepts
	}
	if n < len(depts) {
		n = len(depts)
	}
	// Big departments get more doctors: weight general/internal/paediatrics/emergency double.
	weights := make([]float64, len(depts))
	for i, d := range depts {
		weights[i] = 1
		switch d {
		case deptGeneral, deptInternal, deptPaediatrics, deptEmergency, deptSurgery:
			weights[i] = 2.5
		}
	}
	pop := newCumulative(weights)
	counts := make([]int, len(depts))
	for i := range counts {
		counts[i] = 1
	}
	for i := len(depts); i < n; i++ {
		counts[pop.draw(r)]++
	}
	for i, d := range depts {
		dep := department{name: d}
		for j := 0; j < counts[i]; j++ {
			dep.docs = append(dep.docs, int32(len(w.docs)))
			w.docs = append(w.docs, doctor{name: personName(r, pick(r, []byte{'M', 'F'})), dept: d, inst: int32(instIndex)})
		}
		dep.pop = zipf(len(dep.docs), 0.8)
		in.depts = append(in.depts, dep)
	}
}

func newPharmacy(r *rng, info regionInfo, ri, j int) pharmacy {
	d := pick(r, info.districts)
	p := pharmacy{region: ri, terminals: r.between(1, 3), id: fmt.Sprintf("P%s%05d", info.code, j+1), allNight: r.chance(0.06)}
	if r.chance(0.6) {
		p.name = pick(r, pharmacyChains) + d + strings.TrimSuffix(pick(r, streets), "路") + "店"
	} else {
		p.name = d + pick(r, shopWords) + pick(r, []string{"大药房", "药店", "医药超市", "堂药店"})
	}
	return p
}

// doctorFor picks a doctor of institution ii for a diagnosis's department, falling back to the
// department that treats everything else at that kind of provider.
func (w *world) doctorFor(r *rng, ii int32, dept string, child bool) int32 {
	in := &w.insts[ii]
	// Some patients choose traditional Chinese medicine, some go to the emergency department.
	switch x := r.Float64(); {
	case x < 0.06:
		if d := in.dept(deptTCM); d != nil {
			return d.docs[d.pop.draw(r)]
		}
	case x < 0.09:
		if d := in.dept(deptEmergency); d != nil {
			return d.docs[d.pop.draw(r)]
		}
	case x < 0.11 && dept == deptOrthopaedic:
		if d := in.dept(deptRehab); d != nil {
			return d.docs[d.pop.draw(r)]
		}
	}
	if child {
		for i := range in.depts {
			if in.depts[i].name == deptPaediatrics {
				return in.depts[i].docs[in.depts[i].pop.draw(r)]
			}
		}
	}
	for i := range in.depts {
		if in.depts[i].name == dept {
			return in.depts[i].docs[in.depts[i].pop.draw(r)]
		}
	}
	for _, fb := range []string{deptGeneral, deptInternal} {
		for i := range in.depts {
			if in.depts[i].name == fb {
				return in.depts[i].docs[in.depts[i].pop.draw(r)]
			}
		}
	}
	d := &in.depts[r.IntN(len(in.depts))]
	return d.docs[d.pop.draw(r)]
}

// dept returns the named department, or nil.
func (in *institution) dept(name string) *department {
	for i := range in.depts {
		if in.depts[i].name == name {
			return &in.depts[i]
		}
	}
	return nil
}

// admits reports whether the institution has beds.
func (in *institution) admits() bool { return in.kind != kindClinic }

// personName returns a plausible Chinese name: a surname and one or two given-name characters.
func personName(r *rng, sex byte) string {
	given := givenMale
	if sex == 'F' {
		given = givenFemale
	}
	s := pick(r, surnames) + pick(r, given)
	if r.chance(0.7) {
		s += pick(r, given)
	}
	return s
}
