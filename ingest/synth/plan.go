package synth

import (
	"fmt"
	"math"
	"sort"

	"github.com/ringtrace/ringtrace/graph"
)

// planner plants fraud and honest look-alike groups before the honest claims are streamed. Its
// claims are few (groups are small) and are merged into each patient's claims while writing.
type planner struct {
	cfg    Config
	w      *world
	cal    *calendar
	people []person
	hhs    []household
	r      *rng
	claims []claim
	truth  graph.Truth
	fraud  map[graph.Ref]bool
	// organisers marks doctors (index ≥ 0) and institutions (-1-index) that organise a ring.
	organisers map[int32]bool
}

func newPlanner(cfg Config, w *world, cal *calendar, people []person, hhs []household) *planner {
	return &planner{
		cfg: cfg, w: w, cal: cal, people: people, hhs: hhs, r: newRNG(cfg.Seed, streamPlan),
		fraud: map[graph.Ref]bool{}, organisers: map[int32]bool{},
		truth: graph.Truth{Generator: GeneratorName, Seed: cfg.Seed, Patients: cfg.Patients, Rings: []graph.TruthRing{}, Lookalikes: []graph.TruthRing{}, Fraudulent: []graph.Ref{}},
	}
}

// plan plants everything, fraud first so that look-alikes are drawn from honest patients, and
// leaves the claims sorted by patient and time.
func (pl *planner) plan() {
	pl.rings()
	pl.lending()
	pl.pharmacyCollection()
	pl.deceased()
	pl.households()
	pl.chronicClinics()
	pl.checkups()
	pl.pharmacyRushes()
	pl.codingErrors()
	pl.proxyPurchases()
	pl.dialysis()
	pl.therapyCourses()
	pl.splitAdmissions()
	pl.chemoCycles()
	pl.earlyReadmissions()
	sort.SliceStable(pl.claims, func(a, b int) bool {
		if pl.claims[a].patient != pl.claims[b].patient {
			return pl.claims[a].patient < pl.claims[b].patient
		}
		return pl.claims[a].start < pl.claims[b].start
	})
	for ref := range pl.fraud {
		pl.truth.Fraudulent = append(pl.truth.Fraudulent, ref)
	}
	sortRefs(pl.truth.Fraudulent)
}

// count returns how many of n units a rate plants: at least one for any positive rate, so that
// small directories still contain every pattern.
func count(rate float64, n int) int {
	if rate <= 0 || n <= 0 {
		return 0
	}
	return max(1, int(math.Round(rate*float64(n))))
}

func (pl *planner) age(i int32) int { return ageAt(pl.people[i].birth, pl.cal.from) }

// free reports whether patient i is alive through the range and has no planted part yet.
func (pl *planner) free(i int32) bool {
	p := &pl.people[i]
	return p.role == 0 && p.death == noDeath
}

// pickPatient draws a free patient of region ri (any region when ri < 0) accepted by ok.
func (pl *planner) pickPatient(ri int, ok func(i int32) bool) int32 {
	for tries := 0; tries < 400; tries++ {
		var i int32
		if ri < 0 {
			i = int32(pl.r.IntN(len(pl.people)))
		} else {
			ps := pl.w.regions[ri].patients
			if len(ps) == 0 {
				return -1
			}
			i = pick(pl.r, ps)
		}
		if pl.free(i) && (ok == nil || ok(i)) {
			return i
		}
	}
	return -1
}

func (pl *planner) yuan(v float64) int64 { return int64(math.Round(v * 100)) }

// outpatient plants an outpatient claim at second sec.
func (pl *planner) outpatient(i, inst, doc int32, dx int, sec int64, total, share float64, src uint8) {
	in := &pl.w.insts[inst]
	pl.claims = append(pl.claims, claim{
		start: sec, total: pl.yuan(total), fund: pl.yuan(total * share), patient: i, provider: inst,
		doctor: doc, dx: int16(dx), ctype: ctOutpatient, terminal: uint8(1 + pl.r.IntN(in.terminals)), src: src,
	})
}

// inpatient plants a stay from second sec for los days.
func (pl *planner) inpatient(i, inst, doc int32, dx int, sec int64, los int32, total float64, src uint8) {
	in := &pl.w.insts[inst]
	k := in.kind
	share := inpatientShare[k] + pl.r.uniform(-0.03, 0.05)
	fund := math.Max(0, (total-deductible[k])*share)
	if d := int32(sec / 86400); d+los > pl.cal.to {
		los = max(1, pl.cal.to-d)
	}
	end := (sec/86400+int64(los))*86400 + int64(9*3600+pl.r.IntN(3*3600))
	pl.claims = append(pl.claims, claim{
		start: sec, end: end, total: pl.yuan(total), fund: pl.yuan(fund), patient: i, provider: inst,
		doctor: doc, dx: int16(dx), ctype: ctInpatient, terminal: uint8(1 + pl.r.IntN(in.terminals)), src: src,
	})
}

// purchase plants a pharmacy claim.
func (pl *planner) purchase(i, ph int32, dx int, sec int64, total, share float64, terminal int, src uint8) {
	pl.claims = append(pl.claims, claim{
		start: sec, total: pl.yuan(total), fund: pl.yuan(total * share), patient: i, provider: ph,
		doctor: -1, dx: int16(dx), ctype: ctPharmacy, terminal: uint8(terminal), src: src,
	})
}

// fitting returns the first of the diagnoses that fits patient i on day d, or fallback.
func (pl *planner) fitting(i int32, d int32, dxs []int, fallback int) int {
	p := &pl.people[i]
	a := ageAt(p.birth, d)
	start := pl.r.IntN(len(dxs))
	for k := range dxs {
		dx := dxs[(start+k)%len(dxs)]
		if diagnosisTable[dx].fits(p.sex, a) {
			return dx
		}
	}
	return fallback
}

// distinctDays draws n distinct days in [lo, hi] with the public (or private) weights, sorted.
func (pl *planner) distinctDays(n int, lo, hi int32, private bool) []int32 {
	seen := map[int32]bool{}
	var out []int32
	for tries := 0; len(out) < n && tries < n*20; tries++ {
		d := pl.cal.pickDay(pl.r, lo, hi, -1, private)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// Reference helpers.
func (pl *planner) patientRef(i int32) graph.Ref {
	return graph.Ref{Type: graph.TypePatient, ID: patientID(pl.cfg.Seed, i, pl.people[i].region)}
}
func (pl *planner) instRef(ii int32) graph.Ref {
	return graph.Ref{Type: graph.TypeInstitution, ID: pl.w.insts[ii].id}
}
func (pl *planner) pharmRef(pi int32) graph.Ref {
	return graph.Ref{Type: graph.TypePharmacy, ID: pl.w.pharms[pi].id}
}
func (pl *planner) docRef(di int32) graph.Ref {
	return graph.Ref{Type: graph.TypeDoctor, ID: pl.w.docs[di].id}
}

// group assembles a truth ring: patients (sorted by id), then doctors, then providers.
func (pl *planner) group(id, kind string, patients []int32, doctors []int32, providers []graph.Ref, note string) graph.TruthRing {
	tr := graph.TruthRing{ID: id, Kind: kind, Note: note}
	var ps []graph.Ref
	for _, i := range patients {
		ps = append(ps, pl.patientRef(i))
	}
	sortRefs(ps)
	tr.Members = append(tr.Members, ps...)
	seen := map[int32]bool{}
	var ds []graph.Ref
	for _, d := range doctors {
		if d >= 0 && !seen[d] {
			seen[d] = true
			ds = append(ds, pl.docRef(d))
		}
	}
	sortRefs(ds)
	tr.Members = append(tr.Members, ds...)
	prov := dedupRefs(providers)
	tr.Members = append(tr.Members, prov...)
	tr.Providers = prov
	return tr
}

func sortRefs(rs []graph.Ref) {
	order := map[graph.EntityType]int{}
	for k, t := range graph.EntityTypes {
		order[t] = k
	}
	sort.Slice(rs, func(a, b int) bool {
		if rs[a].Type != rs[b].Type {
			return order[rs[a].Type] < order[rs[b].Type]
		}
		return rs[a].ID < rs[b].ID
	})
}

func dedupRefs(rs []graph.Ref) []graph.Ref {
	seen := map[graph.Ref]bool{}
	var out []graph.Ref
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sortRefs(out)
	return out
}

func (pl *planner) markFraud(refs ...graph.Ref) {
	for _, r := range refs {
		pl.fraud[r] = true
	}
}

func fid(prefix string, n int) string { return fmt.Sprintf("%s-%04d", prefix, n) }
