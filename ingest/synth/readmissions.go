package synth

import (
	"fmt"

	"github.com/ringtrace/ringtrace/graph"
)

// Look-alikes of split admissions.
const (
	LookalikeChemoCycles      = "chemotherapy_cycles" // oncology patients admitted every 2–4 weeks for a cycle
	LookalikeEarlyReadmission = "early_readmission"   // ordinary patients back within two weeks (relapse, complication)
)

// splitAdmissions plants hospitals that settle one episode as two or three stays (分解住院): a
// patient is discharged and admitted again 0–3 days later for the same illness, each stay
// shorter and cheaper than a whole one, the pair dearer. Each hospital splits the stays of 6–20
// patients over the year, a quarter of them twice; it is one screening lead naming the hospital,
// its admitting doctors and the patients.
func (pl *planner) splitAdmissions() {
	if pl.cfg.SplitAdmissionRate <= 0 {
		return
	}
	var hosps []int32
	for ii := range pl.w.insts {
		if k := pl.w.insts[ii].kind; (k == kindPrivateHospital || k == kindSecondary) && !pl.organisers[-1-int32(ii)] {
			hosps = append(hosps, int32(ii))
		}
	}
	k := min(count(pl.cfg.SplitAdmissionRate, len(hosps)), len(hosps))
	pl.r.Shuffle(len(hosps), func(a, b int) { hosps[a], hosps[b] = hosps[b], hosps[a] })
	dxs := []int{dxPneumonia, dxCOPD, dxStroke}
	for n := 1; n <= k; n++ {
		hosp := hosps[n-1]
		in := &pl.w.insts[hosp]
		pl.organisers[-1-hosp] = true
		var ps, docs []int32
		twice := 0
		for range pl.r.between(6, 20) {
			i := pl.pickPatient(int(in.region), func(i int32) bool { return pl.age(i) >= 45 })
			if i < 0 {
				break
			}
			pl.people[i].role |= roleSplitAdmission
			d := pl.dayBefore(40)
			dx := pl.fitting(i, d, dxs, dxPneumonia)
			doc := pl.w.doctorFor(pl.r, hosp, diagnosisTable[dx].dept, false)
			whole := pl.r.logNormal(inpatientMedianOf(in.kind), 0.4)
			parts := 2
			if pl.r.chance(0.25) {
				parts, twice = 3, twice+1
			}
			for part := range parts {
				los := int32(pl.r.between(3, 6))
				pl.inpatient(i, hosp, doc, dx, int64(d)*86400+int64(9*3600+pl.r.IntN(5*3600)), los, whole*pl.r.uniform(0.6, 0.8), srcFraud)
				if part < parts-1 {
					d += los + int32(pl.r.between(0, 3))
				}
			}
			ps, docs = append(ps, i), append(docs, doc)
		}
		if len(ps) == 0 {
			continue
		}
		tr := pl.group(fid("split", n), graph.KindScreeningRule, ps, docs, []graph.Ref{pl.instRef(hosp)},
			fmt.Sprintf("%d patients' stays split into two (%d into three), readmitted 0–3 days after discharge", len(ps), twice))
		pl.truth.Leads = append(pl.truth.Leads, tr)
		pl.markFraud(pl.instRef(hosp))
		for _, doc := range docs {
			pl.markFraud(pl.docRef(doc))
		}
	}
}

// dayBefore draws a day at least margin days before the end of the range (any day of a range
// shorter than that).
func (pl *planner) dayBefore(margin int32) int32 {
	span := pl.cal.to - pl.cal.from - margin
	if span < 0 {
		span = pl.cal.to - pl.cal.from
	}
	return pl.cal.from + int32(pl.r.IntN(int(span)+1))
}

// inpatientMedianOf is the typical stay amount at an institution of kind k.
func inpatientMedianOf(k uint8) float64 {
	if m := inpatientMedian[k]; m > 0 {
		return m
	}
	return inpatientMedian[kindSecondary]
}

// chemoCycles plants the honest look-alike of split admissions that comes back most often:
// lung-cancer patients admitted to their tertiary hospital for a 1–3-day chemotherapy cycle every
// 14–28 days, four to six cycles. One look-alike per hospital.
func (pl *planner) chemoCycles() {
	if pl.cfg.ChemoRate <= 0 {
		return
	}
	k := count(pl.cfg.ChemoRate, pl.cfg.Patients)
	byHosp := map[int32][]int32{}
	var order []int32
	for range k {
		i := pl.pickPatient(-1, func(i int32) bool { return pl.age(i) >= 40 })
		if i < 0 {
			break
		}
		pl.people[i].role |= roleChemo
		hosp := pl.people[i].tertiary
		doc := pl.w.doctorFor(pl.r, hosp, deptOncology, false)
		d := pl.cal.from + int32(pl.r.IntN(max(1, min(120, int(pl.cal.to-pl.cal.from)))))
		for c := range pl.r.between(4, 6) {
			if d > pl.cal.to-3 {
				break
			}
			los := int32(pl.r.between(1, 3))
			total := pl.r.logNormal(9000, 0.25)
			if c == 0 {
				los, total = int32(pl.r.between(5, 9)), pl.r.logNormal(16000, 0.3)
			}
			pl.inpatient(i, hosp, doc, dxLungCancer, int64(d)*86400+int64(8*3600+pl.r.IntN(4*3600)), los, total, srcContext)
			d += los + int32(pl.r.between(14, 28))
		}
		if len(byHosp[hosp]) == 0 {
			order = append(order, hosp)
		}
		byHosp[hosp] = append(byHosp[hosp], i)
	}
	for n, hosp := range order {
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("chemo", n+1), LookalikeChemoCycles, byHosp[hosp], nil,
			[]graph.Ref{pl.instRef(hosp)}, fmt.Sprintf("%d patients on chemotherapy cycles every 14–28 days", len(byHosp[hosp]))))
	}
}

// earlyReadmissions plants ordinary patients who come back to the hospital that discharged them
// within two weeks — a relapse or a complication, half of them with the same diagnosis — spread
// over every hospital at the same small rate, so that each hospital has the few an honest one has.
func (pl *planner) earlyReadmissions() {
	if pl.cfg.EarlyReadmissionRate <= 0 {
		return
	}
	k := count(pl.cfg.EarlyReadmissionRate, pl.cfg.Patients)
	byHosp := map[int32][]int32{}
	var order []int32
	for range k {
		i := pl.pickPatient(-1, func(i int32) bool { return pl.age(i) >= 18 })
		if i < 0 {
			break
		}
		p := &pl.people[i]
		p.role |= roleEarlyReadmission
		hosp := p.tertiary
		if rw := &pl.w.regions[p.region]; len(rw.byKind[kindSecondary]) > 0 && pl.r.chance(0.5) {
			hosp = pick(pl.r, rw.byKind[kindSecondary])
		}
		d := pl.dayBefore(40)
		dx := pl.fitting(i, d, []int{dxPneumonia, dxCOPD, dxStroke, dxGastritis}, dxPneumonia)
		doc := pl.w.doctorFor(pl.r, hosp, diagnosisTable[dx].dept, false)
		los := int32(pl.r.between(5, 10))
		pl.inpatient(i, hosp, doc, dx, int64(d)*86400+int64(10*3600+pl.r.IntN(6*3600)), los, pl.r.logNormal(inpatientMedianOf(pl.w.insts[hosp].kind), 0.5), srcContext)
		back := dx
		if pl.r.chance(0.5) {
			back = pl.fitting(i, d, []int{dxPneumonia, dxGastritis, dxStroke}, dxPneumonia)
		}
		d += los + int32(pl.r.between(2, 14))
		pl.inpatient(i, hosp, pl.w.doctorFor(pl.r, hosp, diagnosisTable[back].dept, false), back,
			int64(d)*86400+int64(10*3600+pl.r.IntN(6*3600)), int32(pl.r.between(3, 8)), pl.r.logNormal(inpatientMedianOf(pl.w.insts[hosp].kind), 0.5), srcContext)
		if len(byHosp[hosp]) == 0 {
			order = append(order, hosp)
		}
		byHosp[hosp] = append(byHosp[hosp], i)
	}
	for n, hosp := range order {
		pl.truth.Lookalikes = append(pl.truth.Lookalikes, pl.group(fid("readmit", n+1), LookalikeEarlyReadmission, byHosp[hosp], nil,
			[]graph.Ref{pl.instRef(hosp)}, fmt.Sprintf("%d patients readmitted within two weeks (relapse or complication)", len(byHosp[hosp]))))
	}
}
