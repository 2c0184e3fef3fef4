package scenarios

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/ringtrace/ringtrace/graph"
)

// GeneratorName names this generator and its truth format in truth.json.
const GeneratorName = "rtscenarios 1"

// Claim-type labels as exported; claim.label indexes this table.
var claimLabels = []string{"门诊", "普通门诊", "门诊慢特病", "住院", "购药", "定点药店购药", "急诊"}

const (
	lblOutpatient uint8 = iota
	lblOrdinaryOut
	lblChronicOut
	lblInpatient
	lblPharmacy
	lblPharmacyLong
	lblEmergency
)

// Scenario is a generated world: the register, the claims and the truth.
type Scenario struct {
	cfg    Config
	w      *world
	claims []claim
	truth  graph.Truth
	// lines are the billing stage's claims' lines (itemsExplicit), by claim.
	lines map[claimKey][]itemLine
}

// gen holds the state while a scenario is generated.
type gen struct {
	cfg    Config
	w      *world
	claims []claim
	// stays holds every inpatient stay per patient as [admission day, discharge day], honest and
	// planted, so that planted care never lands inside an honest stay by accident.
	stays map[int32][][2]int32
	// dropAfter removes a patient's honest claims after a day (a death planted after the
	// background was drawn).
	dropAfter  map[int32]int32
	rings      []graph.TruthRing
	leads      []graph.TruthRing
	lookalikes []graph.TruthRing
	fraudulent map[graph.Ref]bool
	counters   map[string]int
	// dropRange removes a patient's honest claims within [a, b] days (the patient was in a planted
	// stay where care was really delivered, so the background must not show them elsewhere).
	dropRange map[int32][][2]int32
	// dropAt removes a patient's honest claims at one provider: their routine follow-ups there
	// are replaced by a planted schedule (a chronic-disease day, a care home's doctor's round).
	dropAt map[int32]int32
	// planting is set while patterns run: their claims are marked planted and survive applyDrops.
	planting bool
	// rng is the random stream of the stage running now (background, or one pattern).
	rng *rand.Rand
	// lt is the late stage's state (readmissions.go), nil until its first pattern runs (the
	// billing stage uses its index too).
	lt *lateState
	// stage is the stage whose claims are being added (stageEarly until the late stage begins).
	stage uint8
	// bt is the billing stage's state (billing.go), nil until its first pattern runs; lines holds
	// its claims' explicit lines.
	bt    *billState
	lines map[claimKey][]itemLine
}

// Generate builds the world for cfg: the honest register and background claims, then every
// enabled pattern's instances. It is deterministic for a given config.
func Generate(cfg Config) (*Scenario, error) {
	if err := cfg.normalise(); err != nil {
		return nil, err
	}
	g := &gen{cfg: cfg, stays: map[int32][][2]int32{}, dropAfter: map[int32]int32{}, dropRange: map[int32][][2]int32{}, dropAt: map[int32]int32{},
		fraudulent: map[graph.Ref]bool{}, counters: map[string]int{}}
	g.w = buildWorld(cfg, stream(cfg.Seed, "world"))
	g.claims = make([]claim, 0, cfg.Patients*10)
	g.rng = stream(cfg.Seed, "background")
	g.background(g.rng)
	g.planting = true
	for i, p := range patterns {
		if !cfg.enabled(p.name) {
			continue
		}
		scale := cfg.ScaleLookalike
		if p.fraud {
			scale = cfg.ScaleFraud
		}
		rng := stream(cfg.Seed, "pattern/"+p.name)
		n := instances(rng, p.per10k*float64(cfg.Patients)/10000*scale)
		if scale > 0 && n == 0 {
			n = 1
		}
		if i >= len(earlyPatterns) && n > 0 && g.lt == nil {
			// The late stage starts: every earlier claim is final (bar applyDrops, which only
			// removes honest claims that contradict earlier patterns).
			g.beginLate()
		}
		if i >= len(earlyPatterns)+len(latePatterns) && n > 0 && g.bt == nil {
			// The billing stage starts after the late stage's last claim.
			g.beginBilling()
		}
		g.rng = rng
		// A draw can fail (no region with enough unused people of the right age, no free days);
		// it is retried so that the number of instances follows the rate.
		for planted, tries := 0, 0; planted < n && tries < 3*n+5; tries++ {
			before := len(g.rings) + len(g.leads) + len(g.lookalikes)
			p.plant(g, rng)
			if len(g.rings)+len(g.leads)+len(g.lookalikes) > before {
				planted++
			}
		}
	}
	g.applyDrops()
	s := &Scenario{cfg: cfg, w: g.w, claims: g.claims, lines: g.lines}
	s.truth = g.buildTruth()
	return s, nil
}

// Truth returns the planted ground truth (fraud rings, leads, honest look-alikes).
func (s *Scenario) Truth() graph.Truth { return s.truth }

// Claims returns the number of claims generated.
func (s *Scenario) Claims() int { return len(s.claims) }

func stream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

func instances(rng *rand.Rand, x float64) int {
	k := int(x)
	if rng.Float64() < x-math.Floor(x) {
		k++
	}
	return k
}

// between returns an integer uniform in [lo, hi].
func between(rng *rand.Rand, lo, hi int) int { return lo + rng.IntN(hi-lo+1) }

// betweenF returns a float uniform in [lo, hi).
func betweenF(rng *rand.Rand, lo, hi float64) float64 { return lo + rng.Float64()*(hi-lo) }

func (g *gen) add(c claim) {
	c.planted = g.planting
	c.stage = g.stage
	g.claims = append(g.claims, c)
}

// visit appends an outpatient or pharmacy claim and returns its index.
func (g *gen) visit(p, prov, doc int32, typ uint8, start int32, dx int, total int64, items uint8, chronic bool) int {
	pr := &g.w.providers[prov]
	c := claim{start: start, patient: p, prov: prov, doctor: doc, total: total, dx: int16(dx), typ: typ,
		term: uint8(1 + int(uint32(start)*2654435761>>7)%pr.terminals), items: items}
	c.fund = roundFen(float64(total) * fundShare(g.rng, typ, pr.kind, chronic))
	switch {
	case typ == ctPharmacy && chronic:
		c.label = lblPharmacyLong
	case typ == ctPharmacy:
		c.label = lblPharmacy
	case chronic:
		c.label = lblChronicOut
	case pr.kind == kindTertiary || pr.kind == kindSecondary:
		c.label = lblOrdinaryOut
	default:
		c.label = lblOutpatient
	}
	g.add(c)
	return len(g.claims) - 1
}

// admit appends an inpatient stay and records it.
func (g *gen) admit(p, prov, doc int32, start, end int32, dx int, total int64, fundShare float64, items uint8) {
	pr := &g.w.providers[prov]
	c := claim{start: start, end: end, patient: p, prov: prov, doctor: doc, total: total, dx: int16(dx),
		typ: ctInpatient, term: uint8(1 + int(p)%pr.terminals), items: items, label: lblInpatient}
	if c.end <= c.start {
		c.end = c.start + 6*3600
	}
	c.fund = roundFen(float64(total) * fundShare)
	g.add(c)
	g.stays[p] = append(g.stays[p], [2]int32{c.start / daySec, c.end / daySec})
}

// inStay reports whether day d falls within one of patient p's recorded stays.
func (g *gen) inStay(p int32, d int) bool {
	for _, s := range g.stays[p] {
		if int32(d) >= s[0] && int32(d) <= s[1] {
			return true
		}
	}
	return false
}

// stayOverlaps reports whether [a, b] overlaps one of p's recorded stays.
func (g *gen) stayOverlaps(p int32, a, b int) bool {
	for _, s := range g.stays[p] {
		if int32(a) <= s[1] && int32(b) >= s[0] {
			return true
		}
	}
	return false
}

// free reports whether patient p can plausibly make a visit on day d: alive and not admitted.
func (g *gen) free(p int32, d int) bool {
	pt := &g.w.patients[p]
	return int32(d) <= pt.death && !g.inStay(p, d) && d >= 0 && d < g.cfg.Days
}

// recruit picks n unused patients of region ri aged lo..hi at the start of the range, alive to
// its end, for which ok (when given) holds, and marks them used. elder > 0 favours older
// people (recruiters target the elderly). It may return fewer than n when the region is small.
func (g *gen) recruit(rng *rand.Rand, ri, n, lo, hi int, elder float64, ok func(int32) bool) []int32 {
	pool := g.w.regions[ri].patients
	var out []int32
	for tries := 0; len(out) < n && tries < n*200; tries++ {
		pi := pool[rng.IntN(len(pool))]
		p := &g.w.patients[pi]
		if p.used || p.death != noDeath || p.age < lo || p.age > hi {
			continue
		}
		if elder > 0 && rng.Float64() > math.Pow(float64(p.age)/float64(hi), elder) {
			continue
		}
		if ok != nil && !ok(pi) {
			continue
		}
		p.used = true
		out = append(out, pi)
	}
	return out
}

// pickRegion picks a region weighted by population.
func (g *gen) pickRegion(rng *rand.Rand) int {
	x := rng.IntN(len(g.w.patients))
	for ri := range g.w.regions {
		if x < len(g.w.regions[ri].patients) {
			return ri
		}
		x -= len(g.w.regions[ri].patients)
	}
	return 0
}

// pickProvider picks a provider of one of the kinds in region ri, or -1.
func (g *gen) pickProvider(rng *rand.Rand, ri int, kinds ...provKind) int32 {
	var n int
	for _, k := range kinds {
		n += len(g.w.regions[ri].byKind[k])
	}
	if n == 0 {
		return -1
	}
	x := rng.IntN(n)
	for _, k := range kinds {
		l := g.w.regions[ri].byKind[k]
		if x < len(l) {
			return l[x]
		}
		x -= len(l)
	}
	return -1
}

// sessionDays draws n distinct days in [lo, hi) at least gap apart, sorted.
func sessionDays(rng *rand.Rand, n, lo, hi, gap int) []int {
	var out []int
	for tries := 0; len(out) < n && tries < n*100; tries++ {
		d := lo + rng.IntN(hi-lo)
		ok := true
		for _, e := range out {
			if d-e < gap && e-d < gap {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// nextNumber numbers the instances of one pattern.
func (g *gen) nextNumber(name string) string {
	g.counters[name]++
	return fmt.Sprintf("%s-%03d", name, g.counters[name])
}

func (g *gen) provRef(pi int32) graph.Ref {
	p := &g.w.providers[pi]
	if p.kind == kindPharmacy {
		return graph.Ref{Type: graph.TypePharmacy, ID: p.id}
	}
	return graph.Ref{Type: graph.TypeInstitution, ID: p.id}
}

// group is one planted instance as truth records it.
type group struct {
	pattern  string
	kind     string
	patients []int32
	doctors  []int32
	provs    []int32 // providers the group is tied to
	note     string
	// fraudDoctors and fraudProvs are the colluding parties (listed in truth.fraudulent with
	// the patients); members also include the other doctors and providers for context.
	fraudDoctors []int32
	fraudProvs   []int32
}

func (g *gen) refs(gr group) []graph.Ref {
	var pats, docs, provs []graph.Ref
	seen := map[graph.Ref]bool{}
	addTo := func(dst *[]graph.Ref, r graph.Ref) {
		if !seen[r] {
			seen[r] = true
			*dst = append(*dst, r)
		}
	}
	for _, p := range gr.patients {
		addTo(&pats, graph.Ref{Type: graph.TypePatient, ID: g.w.patients[p].id})
	}
	for _, d := range append(slices.Clone(gr.doctors), gr.fraudDoctors...) {
		addTo(&docs, graph.Ref{Type: graph.TypeDoctor, ID: g.w.doctors[d].id})
	}
	for _, p := range append(slices.Clone(gr.provs), gr.fraudProvs...) {
		addTo(&provs, g.provRef(p))
	}
	byID := func(a, b graph.Ref) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(pats, byID)
	slices.SortFunc(docs, byID)
	slices.SortFunc(provs, func(a, b graph.Ref) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
	})
	return append(append(pats, docs...), provs...)
}

func (g *gen) truthRing(gr group) graph.TruthRing {
	r := graph.TruthRing{ID: g.nextNumber(gr.pattern), Kind: gr.kind, Members: g.refs(gr), Note: gr.note, Pattern: gr.pattern}
	for _, p := range gr.provs {
		r.Providers = append(r.Providers, g.provRef(p))
	}
	return r
}

// addFraud records a planted fraud group (a ring when it has two cards or more, else a lead).
func (g *gen) addFraud(gr group, lead bool) {
	r := g.truthRing(gr)
	if lead {
		g.leads = append(g.leads, r)
	} else {
		g.rings = append(g.rings, r)
	}
	for _, p := range gr.patients {
		g.fraudulent[graph.Ref{Type: graph.TypePatient, ID: g.w.patients[p].id}] = true
	}
	for _, d := range gr.fraudDoctors {
		g.fraudulent[graph.Ref{Type: graph.TypeDoctor, ID: g.w.doctors[d].id}] = true
	}
	for _, p := range gr.fraudProvs {
		g.fraudulent[g.provRef(p)] = true
	}
}

// addLookalike records an honest group that resembles fraud.
func (g *gen) addLookalike(gr group) { g.lookalikes = append(g.lookalikes, g.truthRing(gr)) }

func (g *gen) applyDrops() {
	out := g.claims[:0]
	for _, c := range g.claims {
		if !c.planted && g.dropped(c) {
			continue
		}
		out = append(out, c)
	}
	g.claims = out
}

// dropped reports whether an honest claim contradicts a planted fact: it starts after a planted
// death or inside a planted stay where the patient really was in hospital.
func (g *gen) dropped(c claim) bool {
	d := c.start / daySec
	if last, ok := g.dropAfter[c.patient]; ok && d > last {
		return true
	}
	if p, ok := g.dropAt[c.patient]; ok && p == c.prov && c.label == lblChronicOut {
		return true
	}
	for _, r := range g.dropRange[c.patient] {
		if d >= r[0] && d <= r[1] {
			return true
		}
	}
	return false
}

func (g *gen) buildTruth() graph.Truth {
	t := graph.Truth{Generator: GeneratorName, Seed: g.cfg.Seed, Patients: g.cfg.Patients,
		Rings: g.rings, Leads: g.leads, Lookalikes: g.lookalikes}
	if t.Rings == nil {
		t.Rings = []graph.TruthRing{}
	}
	if t.Lookalikes == nil {
		t.Lookalikes = []graph.TruthRing{}
	}
	order := map[graph.EntityType]int{}
	for i, k := range graph.EntityTypes {
		order[k] = i
	}
	for r := range g.fraudulent {
		t.Fraudulent = append(t.Fraudulent, r)
	}
	slices.SortFunc(t.Fraudulent, func(a, b graph.Ref) int {
		return cmp.Or(cmp.Compare(order[a.Type], order[b.Type]), cmp.Compare(a.ID, b.ID))
	})
	if t.Fraudulent == nil {
		t.Fraudulent = []graph.Ref{}
	}
	return t
}
