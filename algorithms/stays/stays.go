package stays

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// Options are the ghost-hospitalisation thresholds (JSON names are detection-parameter keys).
type Options struct {
	// InpatientGraceHours is ignored at both ends of a stay before a claim elsewhere counts as
	// made during it; the run sets it from the card detector's inpatient_grace_hours.
	InpatientGraceHours float64 `json:"-"`
	// WaveDays: admissions at most this many days apart are one batch.
	WaveDays int `json:"admission_wave_days"`
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options { return Options{InpatientGraceHours: 12, WaveDays: 2} }

// Validate returns an EINVALID *graph.Error naming the first bad field.
func (o Options) Validate() error {
	if o.WaveDays < 0 || o.WaveDays > 30 {
		return graph.FieldErrorf("admission_wave_days", "admission_wave_days 参数无效 (invalid): must be between 0 and 30")
	}
	return nil
}

// stay is one inpatient claim with its ghost evidence.
type stay struct {
	c         int32
	pat       int32
	prov      int32
	day       int32
	elsewhere int   // claims at other providers during the stay
	overlap   bool  // another stay elsewhere overlaps it
	overProv  int32 // the provider of the first such stay, −1 when none
	noCare    bool  // lines show nothing but bed, nursing and consultation
	copied    bool  // the same item list is on three or more other patients' stays here
	mate      mateKind
	weight    float64
}

// mateKind says why a stay without ghost evidence of its own joins a ghost ring.
type mateKind uint8

const (
	notMate      mateKind = iota
	examlessMate          // a stay of three days or more whose lines have no examination (withBatchMates)
	repeatMate            // admitted beside the operation's batches again and again (repeatMates)
	surgeMate             // admitted in a surge of the batch's doctors' admissions (surgeMates)
)

// withBatchMates adds to batch w the stays at its institution without any examination line
// admitted within a day of one of the batch's admissions, of patients not yet in it. The
// result never shares its array with w (which shares it with the next batches).
func withBatchMates(w []stay, mates []stay, pats map[int32]bool) []stay {
	out := slices.Clip(w)
	if len(mates) == 0 {
		return out
	}
	days := map[int32]bool{}
	for _, s := range w {
		for t := s.day - 1; t <= s.day+1; t++ {
			days[t] = true
		}
	}
	for _, m := range mates {
		if days[m.day] && !pats[m.pat] {
			pats[m.pat] = true
			out = append(out, m)
		}
	}
	return out
}

func (s *stay) evidence() float64 {
	var ws []float64
	if s.elsewhere > 0 {
		ws = append(ws, math.Min(0.85, 0.6+0.1*float64(s.elsewhere-1)))
	}
	if s.overlap {
		ws = append(ws, 0.5)
	}
	if s.noCare {
		ws = append(ws, 0.5)
	}
	if s.copied {
		ws = append(ws, 0.25)
	}
	return finding.NoisyOr(ws...)
}

// Detect returns ghost-hospitalisation rings and leads.
func Detect(d *dataset.Claims, o Options, minScore float64, ev *finding.Evidence) ([]finding.Candidate, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	grace := int64(o.InpatientGraceHours * 3600)
	var all []stay
	// Identical item lists per institution, to spot copied records.
	hashPats := map[[2]int64]map[int32]bool{}
	for c := int32(0); int(c) < d.NClaims(); c++ {
		if d.CType[c] == dataset.Inpatient && d.CItems[c].Lines >= 3 {
			k := [2]int64{int64(d.CProv[c]), int64(d.CItems[c].Hash)}
			if hashPats[k] == nil {
				hashPats[k] = map[int32]bool{}
			}
			hashPats[k][d.CPat[c]] = true
		}
	}
	for pt := int32(0); int(pt) < d.NPat(); pt++ {
		cs := d.ClaimsOf(pt)
		for _, c := range cs {
			if d.CType[c] != dataset.Inpatient || d.CEnd[c] <= d.CStart[c] {
				continue
			}
			s := stay{c: c, pat: pt, prov: d.CProv[c], day: d.Day(c), overProv: -1}
			start, end := d.CStart[c], d.CEnd[c]
			for _, o := range cs {
				if o == c || d.CProv[o] == s.prov {
					continue
				}
				if d.CType[o] == dataset.Inpatient {
					if d.CStart[o] < end-grace && d.CEnd[o] > start+grace {
						if !s.overlap {
							s.overProv = d.CProv[o]
						}
						s.overlap = true
					}
					continue
				}
				if d.CStart[o] > start+grace && d.CStart[o] < end-grace && !d.UsualErrand(cs, o, start, end) {
					s.elsewhere++
				}
			}
			if it := d.CItems[c]; it.Lines > 0 && !it.Delivered() {
				s.noCare = true
			}
			if it := d.CItems[c]; it.Lines >= 3 && len(hashPats[[2]int64{int64(s.prov), int64(it.Hash)}]) >= 4 {
				s.copied = true
			}
			s.weight = s.evidence()
			if s.weight > 0 {
				all = append(all, s)
			}
		}
	}
	// Stays per institution, and the rate of ghost-looking stays (weight ≥ 0.5) everywhere.
	stays := make([]int, d.NProv())
	admitted := map[[2]int32]int{} // stays per (institution, admission day)
	inpatAt := map[int32][]int32{} // inpatient claims per institution
	load := admissionLoad{perDoc: map[[2]int32]int{}, minSurp: 3}
	firstDay, lastDay := int32(math.MaxInt32), int32(math.MinInt32)
	for c := int32(0); int(c) < d.NClaims(); c++ {
		if d.CType[c] == dataset.Inpatient {
			stays[d.CProv[c]]++
			inpatAt[d.CProv[c]] = append(inpatAt[d.CProv[c]], c)
			if d.CDoc[c] >= 0 {
				load.perDoc[[2]int32{d.CProv[c], d.CDoc[c]}]++
			}
			firstDay, lastDay = min(firstDay, d.Day(c)), max(lastDay, d.Day(c))
			admitted[[2]int32{d.CProv[c], d.Day(c)}]++
		}
	}
	// Stays without any examination line (when the export has billing lines): nobody is
	// admitted for a week without a test. Alone they prove nothing; admitted in the same batch
	// as ghost-looking stays, they are the batch's other paper admissions.
	mates := map[int32][]stay{}
	for c := int32(0); int(c) < d.NClaims(); c++ {
		it := d.CItems[c]
		if d.CType[c] == dataset.Inpatient && it.Lines > 0 && it.Flags&dataset.CareExam == 0 && d.CEnd[c]-d.CStart[c] >= 3*dataset.SecondsPerDay {
			mates[d.CProv[c]] = append(mates[d.CProv[c]], stay{c: c, pat: d.CPat[c], prov: d.CProv[c], day: d.Day(c), mate: examlessMate, weight: 0.3})
		}
	}
	ghostAt := map[int32][]stay{}
	var totalGhost, totalStays float64
	for _, n := range stays {
		totalStays += float64(n)
	}
	load.days = float64(lastDay-firstDay) + 1
	for _, s := range all {
		if s.weight >= 0.5 {
			ghostAt[s.prov] = append(ghostAt[s.prov], s)
			totalGhost++
		}
		ev.Pat[s.pat] = append(ev.Pat[s.pat], stayReason(d, s))
	}
	provs := make([]int32, 0, len(ghostAt))
	for p := range ghostAt {
		provs = append(provs, p)
	}
	slices.Sort(provs)
	tested := math.Max(1, float64(len(provs)))
	load.tests = totalGhost
	var out []finding.Candidate
	for _, pv := range provs {
		gs := ghostAt[pv]
		// Expected ghost-looking stays at the others' rate (leave this institution out).
		others := math.Max(totalStays-float64(stays[pv]), 1)
		rate := math.Max((totalGhost-float64(len(gs)))/others, 0.5/totalStays)
		surprise := finding.PoissonSurprise(len(gs), rate*float64(stays[pv])) - math.Log10(tested)
		globalRate := totalGhost / math.Max(totalStays, 1)
		gap := int32(o.WaveDays)
		for _, w := range waves(gs, o.WaveDays) {
			pats := map[int32]bool{}
			for _, s := range w {
				pats[s.pat] = true
			}
			if len(pats) < 2 {
				for _, s := range w {
					if s.weight >= minScore {
						out = append(out, ghostLead(d, s))
					}
				}
				continue
			}
			// The batch's own test: its ghost-looking stays against the share of such stays
			// everywhere, over the stays this institution admitted on the batch's days — a
			// big hospital with a steady trickle of odd stays is not surprising as a whole,
			// but eight of them admitted in one week are.
			days := map[int32]bool{}
			for _, s := range w {
				days[s.day] = true
			}
			admittedOn := 0
			for t := range days {
				admittedOn += admitted[[2]int32{pv, t}]
			}
			batch := finding.PoissonSurprise(len(w), globalRate*float64(admittedOn)) - math.Log10(math.Max(totalGhost, 1))
			ghosts := w
			surge, surged := surgeMates(d, inpatAt[pv], w, pats, gap, load)
			w = withBatchMates(w, mates[pv], pats)
			w = append(w, repeatMates(d, inpatAt[pv], ghosts, pats, gap)...)
			w = append(w, surge...)
			for _, part := range splitOperation(w, gap, admissionDays(d, inpatAt[pv], pats)) {
				if c, ok := ghostRing(d, pv, part, max(surprise, batch), surged, minScore); ok {
					out = append(out, c)
				}
			}
		}
	}
	out = mergeOverlapLeads(out)
	out = append(out, referralBatches(d, minScore)...)
	return append(out, admissionWaves(d, minScore)...), nil
}

// waveSpan is the longest a batch of admissions lasts, in days.
const waveSpan = 7

// waves groups an institution's ghost-looking stays into batches: stays admitted within wave
// days of another stay of the batch, chained, within waveSpan days; batches that share a
// patient are one.
func waves(gs []stay, wave int) [][]stay {
	slices.SortFunc(gs, func(a, b stay) int {
		if c := cmp.Compare(a.day, b.day); c != 0 {
			return c
		}
		return cmp.Compare(a.c, b.c)
	})
	var out [][]stay
	for i := 0; i < len(gs); {
		j := i + 1
		// A batch is admissions chained at most wave days apart, within a week of its first:
		// two groups admitted at one institution in alternate weeks are two batches.
		for j < len(gs) && gs[j].day-gs[j-1].day <= int32(wave) && gs[j].day-gs[i].day <= waveSpan {
			j++
		}
		out = append(out, gs[i:j])
		i = j
	}
	// Batches sharing a patient, or batches whose patients come back together, are one
	// operation: merge batches that share any patient.
	for changed := true; changed; {
		changed = false
		for a := 0; a < len(out) && !changed; a++ {
			for b := a + 1; b < len(out) && !changed; b++ {
				if sharePatient(out[a], out[b]) {
					out[a] = append(append([]stay{}, out[a]...), out[b]...)
					out = append(out[:b], out[b+1:]...)
					changed = true
				}
			}
		}
	}
	return out
}

func sharePatient(a, b []stay) bool {
	for _, x := range a {
		for _, y := range b {
			if x.pat == y.pat {
				return true
			}
		}
	}
	return false
}

func stayReason(d *dataset.Claims, s stay) graph.Reason {
	zh, en := "", ""
	if s.overlap {
		zh, en = zh+"，与他院住院重叠", en+", overlapping a stay elsewhere"
	}
	if s.noCare {
		zh, en = zh+"，费用明细只有床位/护理/诊查费", en+", lines bill only bed, nursing and consultation"
	}
	if s.copied {
		zh, en = zh+"，明细与多名他人的住院完全相同", en+", item list identical to several other patients' stays"
	}
	r := finding.Reason("ghost_stay_evidence", s.weight, map[string]float64{
		"claims_elsewhere": float64(s.elsewhere), "overlapping_stay": b2f(s.overlap), "no_care_items": b2f(s.noCare), "copied_items": b2f(s.copied)},
		"在 %s 住院期间本人在他处结算 %d 次", "during the stay at %s the patient settled %d claims elsewhere", d.Prov.Strs[s.prov], s.elsewhere)
	r.Text += zh
	r.TextEN += en
	return r
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ghostRing scores one batch group of ghost-looking stays at institution pv.
// surprise is the ghost-looking stays' own test (against the other institutions' rate, or the
// batch's against the share of such stays everywhere), surge that of the surge of the batch
// doctors' admissions (−Inf when none).
func ghostRing(d *dataset.Claims, pv int32, w []stay, surprise, surge, minScore float64) (finding.Candidate, bool) {
	pats := map[int32]bool{}
	var wsum, fund int64
	var ev float64
	elsewhere, noCare, overlap := 0, 0, 0
	ghosts, repeats, surged := 0, 0, 0
	for _, s := range w {
		pats[s.pat] = true
		switch s.mate {
		case repeatMate:
			repeats++
		case surgeMate:
			surged++
		}
		if s.mate == notMate {
			// The batch's evidence is that of its ghost-looking stays; its mates (stays without
			// examinations, repeat and surge admissions) join the ring without diluting it.
			ev += s.weight
			ghosts++
		}
		fund += d.CFund[s.c]
		wsum++
		if s.elsewhere > 0 {
			elsewhere++
		}
		if s.noCare {
			noCare++
		}
		if s.overlap {
			overlap++
		}
	}
	ev /= float64(max(ghosts, 1))
	n := len(pats)
	batch := finding.Clamp01(float64(n-1) / 4)
	if surged == 0 {
		surge = math.Inf(-1)
	}
	coord := 1 - math.Exp(-math.Max(0, max(surprise, surge))/3)
	score := ev * (0.6 + 0.4*batch) * (0.4 + 0.6*coord)
	if d.ProvOwn[pv] == dataset.OwnPrivate {
		score = finding.NoisyOr(score, 0.1)
	}
	if score < minScore {
		return finding.Candidate{}, false
	}
	reasons := []graph.Reason{
		finding.Reason("ghost_admissions", ev, map[string]float64{"patients": float64(n), "stays": float64(wsum),
			"claims_elsewhere_stays": float64(elsewhere), "no_care_stays": float64(noCare), "overlapping_stays": float64(overlap), "surprise": finding.Round4(surprise)},
			"%d 名参保人在该机构分批入院的 %d 次住院中：%d 次期间本人在他处就诊或购药，%d 次费用明细只有床位/护理/诊查费，%d 次与他院住院重叠（按其他机构的比例，这样多的可疑住院概率约 10^-%.1f）",
			"%d patients admitted in batches at this institution, %d stays: in %d the patient was treated or bought drugs elsewhere meanwhile, %d bill only bed, nursing and consultation fees, %d overlap a stay elsewhere (so many such stays has probability about 10^-%.1f at the other institutions' rate)",
			n, wsum, elsewhere, noCare, overlap, math.Max(surprise, 0)),
		finding.Reason("batch_admissions", 0.4*batch, map[string]float64{"patients": float64(n)},
			"%d 人分批集中入院", "%d patients admitted in batches", n),
	}
	if repeats > 0 {
		reasons = append(reasons, finding.Reason("repeat_batch_admissions", 0, map[string]float64{"stays": float64(repeats)},
			"另有 %d 次住院：本人由同一批医生在该团伙的两批及以上入院时一同收治",
			"%d more stays of patients admitted by the same doctors beside two or more of the group's batches", repeats))
	}
	if surged > 0 {
		reasons = append(reasons, finding.Reason("admission_surge", 1-math.Exp(-math.Max(0, surge)/3), map[string]float64{"stays": float64(surged), "surprise": finding.Round4(surge)},
			"另有 %d 次住院：同批次经治医生在这几天的收治量远超其平日水平（概率约 10^-%.1f）",
			"%d more stays admitted in a surge of the batch doctors' admissions, far above their usual load (probability about 10^-%.1f)", surged, surge))
	}
	if d.ProvOwn[pv] == dataset.OwnPrivate {
		reasons = append(reasons, finding.Reason("private_provider", 0.1, nil, "主要机构为民营机构", "the institution is privately owned"))
	}
	finding.SortReasons(reasons)
	ps := finding.SortedKeys(pats)
	refs := make([]graph.Ref, 0, n+1)
	for _, p := range ps {
		refs = append(refs, d.PatRef(p))
	}
	refs = append(refs, d.ProvRef(pv))
	return finding.Candidate{Pats: ps, Provs: []int32{pv}, ProvCredit: []float64{providerCredit(d, pv)}, Ring: graph.Ring{
		ID: finding.ID(graph.KindGhostHospitalization, refs), Kind: graph.KindGhostHospitalization, Score: finding.Round4(score),
		Members: refs, Amount: graph.Money(fund), Claims: int(wsum), Region: d.RegionOf(pv), Reasons: reasons,
	}}, true
}

// mergeOverlapLeads makes the leads of two overlapping stays, which name the same patient and
// institutions, one lead with both stays' claims, amounts and reasons.
func mergeOverlapLeads(cs []finding.Candidate) []finding.Candidate {
	at := map[string]int{}
	out := cs[:0]
	for _, c := range cs {
		i, dup := at[c.Ring.ID]
		if !dup || !c.Lead || c.Ring.Kind != graph.KindGhostHospitalization {
			at[c.Ring.ID] = len(out)
			out = append(out, c)
			continue
		}
		m := &out[i]
		m.Ring.Amount += c.Ring.Amount
		m.Ring.Claims += c.Ring.Claims
		m.Ring.Score = max(m.Ring.Score, c.Ring.Score)
		m.Ring.Reasons = append(slices.Clip(m.Ring.Reasons), c.Ring.Reasons...)
		finding.SortReasons(m.Ring.Reasons)
	}
	return out
}

// providerCredit: paper admissions need the institution.
func providerCredit(d *dataset.Claims, pv int32) float64 {
	if d.ProvOwn[pv] == dataset.OwnPublic {
		return 0.6
	}
	return 1
}

// ghostLead reports one ghost-looking stay. A stay overlapping a stay elsewhere names both
// institutions: the two stays are one lead (mergeOverlapLeads), wherever the second was billed
// — in another pooling region it is the cross-region duplicate reimbursement of the special
// actions.
func ghostLead(d *dataset.Claims, s stay) finding.Candidate {
	refs := []graph.Ref{d.PatRef(s.pat), d.ProvRef(s.prov)}
	provs, credit := []int32{s.prov}, []float64{0.5}
	if s.overProv >= 0 {
		refs = append(refs, d.ProvRef(s.overProv))
		provs, credit = append(provs, s.overProv), append(credit, 0.5)
	}
	r := stayReason(d, s)
	return finding.Candidate{Lead: true, Pats: []int32{s.pat}, Provs: provs, ProvCredit: credit, Ring: graph.Ring{
		ID: finding.ID(graph.KindGhostHospitalization, refs), Kind: graph.KindGhostHospitalization, Score: finding.Round4(s.weight),
		Members: refs, Amount: graph.Money(d.CFund[s.c]), Claims: 1, Region: d.RegionOf(s.prov), Reasons: []graph.Reason{r},
	}}
}
