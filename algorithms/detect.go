package algorithms

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/cards"
	"github.com/ringtrace/ringtrace/algorithms/covisit"
	"github.com/ringtrace/ringtrace/algorithms/csr"
	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/algorithms/pharmacy"
	"github.com/ringtrace/ringtrace/algorithms/screening"
	"github.com/ringtrace/ringtrace/algorithms/stays"
	"github.com/ringtrace/ringtrace/graph"
)

// FindingsVersion is the version of the findings JSON contract written by Detect
// (docs/findings.md).
const FindingsVersion = graph.FindingsVersion

// phase is one step of a detection run with its share of the progress bar.
type phase struct {
	name   string
	weight float64
}

var phases = []phase{
	{"load", 0.30}, {"covisit", 0.35}, {"cards", 0.05}, {"pharmacy", 0.05}, {"stays", 0.05},
	{"screening", 0.05}, {"providers", 0.05}, {"centrality", 0.05}, {"entities", 0.05},
}

// progressMeter maps per-phase fractions to one overall percentage.
type progressMeter struct {
	fn   func(string, float64)
	done float64
}

func (m *progressMeter) phase(name string) func(float64) {
	start := m.done
	var w float64
	for _, ph := range phases {
		if ph.name == name {
			w = ph.weight
		}
	}
	m.done += w
	return func(f float64) {
		if m.fn != nil {
			m.fn(name, 100*(start+w*finding.Clamp01(f)))
		}
	}
}

// Labels are known verdicts on providers (true: fraudulent), from closed cases or a file. With
// labels, Detect trains the provider re-ranker and reports its cross-validated quality.
type Labels map[graph.Ref]bool

// Detect runs every detector over the graph streamed from src and returns the findings: rings
// and leads of every kind sorted by expected improper amount, and the risk of every party.
// progress, when not nil, is called with the current phase and the overall percentage. Detect
// honours ctx cancellation and returns ctx's error wrapped. The result is deterministic for
// p.Seed.
func Detect(ctx context.Context, src graph.Scanner, p Params, progress func(phase string, pct float64)) (graph.Findings, error) {
	return DetectLabelled(ctx, src, p, nil, progress)
}

// DetectLabelled is Detect with provider labels for the re-ranker (nil: unsupervised).
func DetectLabelled(ctx context.Context, src graph.Scanner, p Params, labels Labels, progress func(phase string, pct float64)) (graph.Findings, error) {
	if err := p.Validate(); err != nil {
		return graph.Findings{}, err
	}
	if p.ByRegion || len(p.Regions) > 0 {
		o := RegionOptions{Regions: p.Regions, Workers: cmp.Or(p.RegionWorkers, 2), Stitch: p.ByRegion}
		f, err := DetectByRegion(ctx, src, p.whole(), labels, o, progress)
		if err == nil {
			f.Params = p.AsMap()
		}
		return f, err
	}
	pm := &progressMeter{fn: progress}
	t0 := time.Now()
	d, err := dataset.Load(ctx, src, pm.phase("load"))
	if err != nil {
		return graph.Findings{}, fmt.Errorf("detect: load: %w", err)
	}
	slog.Info("detect: loaded", "patients", d.NPat(), "providers", d.NProv(), "doctors", d.NDoc(), "claims", d.NClaims(), "elapsed", time.Since(t0).Round(time.Millisecond))
	return detectLoaded(ctx, d, p, labels, pm)
}

// family is one detector family's output.
type family struct {
	name  string
	found []finding.Candidate
	ev    *finding.Evidence
	err   error
}

// detectLoaded runs the detectors on a loaded dataset.
func detectLoaded(ctx context.Context, d *dataset.Claims, p Params, labels Labels, pm *progressMeter) (graph.Findings, error) {
	t0 := time.Now()
	dp := dataset.NewDiagnosisPeers(d)
	p.Stays.InpatientGraceHours = p.Cards.InpatientGraceHours
	var hits screening.Hits
	// The per-person detectors read the dataset only and keep their own evidence; they run
	// beside the co-visit detector and are merged in a fixed order, so that the result does
	// not depend on scheduling.
	runs := []struct {
		name string
		run  func(ev *finding.Evidence) ([]finding.Candidate, error)
	}{
		{"cards", func(ev *finding.Evidence) ([]finding.Candidate, error) {
			return cards.Detect(d, p.Cards, p.MinRingScore, ev)
		}},
		{"pharmacy", func(*finding.Evidence) ([]finding.Candidate, error) {
			return pharmacy.Detect(d, p.Pharmacy, p.MinRingScore)
		}},
		{"stays", func(ev *finding.Evidence) ([]finding.Candidate, error) {
			return stays.Detect(d, p.Stays, p.MinRingScore, ev)
		}},
		{"screening", func(ev *finding.Evidence) ([]finding.Candidate, error) {
			c, h := screening.Detect(d, p.Screening, p.MinRingScore, ev)
			hits = h
			c = append(c, screening.LargeClaimLeads(d, dp, p.Screening, p.MinRingScore)...)
			c = append(c, screening.SplitAdmissionLeads(d, p.Screening, p.MinRingScore)...)
			return append(c, screening.CollectionLeads(d, p.Screening, p.MinRingScore)...), nil
		}},
	}
	results := make([]family, len(runs))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, r := range runs {
			ev := finding.NewEvidence()
			found, err := r.run(ev)
			results[i] = family{r.name, found, ev, err}
			if ctx.Err() != nil {
				return
			}
		}
	}()
	defer wg.Wait() // never return while a detector still reads the dataset

	prog := pm.phase("covisit")
	rings, st, err := covisit.Detect(ctx, d, dp, p.CoVisit, p.Seed, p.MinRingScore)
	if err != nil {
		return graph.Findings{}, fmt.Errorf("detect: co-visit groups: %w", err)
	}
	prog(1)
	slog.Info("detect: co-visit groups", "units", st.Units, "visits", st.Visits, "candidates", st.Candidates, "groups", st.Groups, "reported", st.Reported, "elapsed", time.Since(t0).Round(time.Millisecond))
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return graph.Findings{}, fmt.Errorf("detect: %w", err)
	}
	// The risk graph needs only the claims: it is built while the findings are merged and the
	// providers ranked.
	riskG := make(chan *csr.Graph, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		riskG <- riskGraph(d)
	}()
	ev := finding.NewEvidence()
	all := rings
	for _, r := range results {
		prog := pm.phase(r.name)
		if r.err != nil {
			return graph.Findings{}, fmt.Errorf("detect: %s: %w", r.name, r.err)
		}
		all = append(all, r.found...)
		ev.Merge(r.ev)
		prog(1)
		slog.Info("detect: "+r.name, "found", len(r.found), "elapsed", time.Since(t0).Round(time.Millisecond))
	}
	all = dedupe(all)

	prog = pm.phase("providers")
	model := rankProviders(d, dp, all, ev, labels)
	prog(1)
	if err := ctx.Err(); err != nil {
		return graph.Findings{}, fmt.Errorf("detect: providers: %w", err)
	}
	prog = pm.phase("centrality")
	for _, c := range all {
		creditParties(ev, c)
	}
	creditLeadProviders(d, ev, all)
	if err := spreadRisk(ctx, <-riskG, d, p, ev); err != nil {
		return graph.Findings{}, fmt.Errorf("detect: centrality: %w", err)
	}
	prog(1)

	prog = pm.phase("entities")
	out := graph.Findings{
		Version:       FindingsVersion,
		Params:        p.AsMap(),
		Unavailable:   d.Unavailable(),
		Rings:         []graph.Ring{},
		Leads:         []graph.Ring{},
		ProviderModel: model,
	}
	for _, c := range all {
		r := c.Ring
		r.Patients = len(c.Pats)
		r.ExpectedAmount = graph.Money(float64(r.Amount)*r.Score + 0.5)
		r.Regions = regions(d, c.Provs)
		if c.Lead || r.Patients < 2 {
			r.Class = graph.ClassLead
			out.Leads = append(out.Leads, r)
		} else {
			r.Class = graph.ClassRing
			out.Rings = append(out.Rings, r)
		}
	}
	for _, rs := range []*[]graph.Ring{&out.Rings, &out.Leads} {
		graph.SortFindings(*rs)
		*rs = slices.CompactFunc(*rs, func(a, b graph.Ring) bool { return a.ID == b.ID })
	}
	out.Entities = entities(d, p, ev, hits)
	prog(1)
	slog.Info("detect: done", "rings", len(out.Rings), "leads", len(out.Leads), "entities", len(out.Entities), "elapsed", time.Since(t0).Round(time.Millisecond))
	return out, nil
}

// regions lists the pooling regions of a finding's providers when there is more than one.
func regions(d *dataset.Claims, provs []int32) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range provs {
		if r := d.RegionOf(p); r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if len(out) < 2 {
		return nil
	}
	slices.Sort(out)
	return out
}

// dedupe reports one operation once, under the kind that names it best:
//   - a co-visit or card group at a pharmacy whose cards a collection group explains;
//   - a co-visit group of at most four cards that a holder group explains (one person with
//     several cards comes "together" by construction);
//   - a card group used together at one counter that is a collusion ring of more than four
//     cards at that provider seen again, or five cards or more of it (the ring's session seen
//     card by card: recruits, not a lender); two to four cards inside a ring can be a holder's
//     and stay — unless they are linked only by use one after another at a counter, with no
//     phone or misfit diagnosis of a holder: then most of them (60 %) inside a ring at one of
//     its providers are the ring's session seen card by card, whatever their number;
//   - of a ghost-hospitalisation batch and a collusion ring with mostly the same patients
//     (a ring sending its recruits to a partner hospital), the one with the larger expected
//     amount.
func dedupe(cs []finding.Candidate) []finding.Candidate {
	drop := make([]bool, len(cs))
	expected := func(c finding.Candidate) float64 { return float64(c.Ring.Amount) * c.Ring.Score }
	// Every rule below needs the two groups to share a card, so each group is compared with the
	// groups that share one (in index order, as a scan of all pairs would meet them).
	groupsOf := map[int32][]int{}
	for i, c := range cs {
		if !c.Lead {
			for _, p := range c.Pats {
				groupsOf[p] = append(groupsOf[p], i)
			}
		}
	}
	var sharing []int
	for i, a := range cs {
		if a.Lead {
			continue
		}
		sharing = sharing[:0]
		for _, p := range a.Pats {
			sharing = append(sharing, groupsOf[p]...)
		}
		slices.Sort(sharing)
		for _, j := range slices.Compact(sharing) {
			b := cs[j]
			if i == j || drop[i] || drop[j] {
				continue
			}
			ka, kb := a.Ring.Kind, b.Ring.Kind
			jac := finding.Jaccard(a.Pats, b.Pats)
			switch {
			case kb == graph.KindPharmacyCardCollection && (ka == graph.KindCollusionRing || ka == graph.KindCardLending) && sharesProvider(a, b) && jac >= 0.3:
				drop[i] = true
			case ka == graph.KindCollusionRing && kb == graph.KindCardLending && len(a.Pats) <= 4 && jac >= 0.5:
				drop[i] = true
			case ka == graph.KindCardLending && kb == graph.KindCollusionRing && len(a.Provs) == 1 && len(b.Pats) > 4 &&
				sharesProvider(a, b) && (jac >= 0.8 || len(a.Pats) >= 5 && containedShare(a.Pats, b.Pats) >= 0.8):
				drop[i] = true
			case ka == graph.KindCardLending && kb == graph.KindCollusionRing && len(b.Pats) > 4 && cards.CounterOnly(a) &&
				sharesProvider(a, b) && containedShare(a.Pats, b.Pats) >= 0.6:
				drop[i] = true
			case ka == graph.KindGhostHospitalization && kb == graph.KindCollusionRing && jac >= 0.5:
				if expected(a) < expected(b) || (expected(a) == expected(b) && i > j) {
					drop[i] = true
				} else {
					drop[j] = true
				}
			}
		}
	}
	// One card with claims elsewhere during its stay is either a borrowed card (the owner was
	// really in hospital) or a paper stay (the owner was not): the billing lines decide. A stay
	// that shows no care, or overlaps another stay, is the ghost stay; otherwise the card lead.
	byPat := map[int32][]int{}
	for i, c := range cs {
		if c.Lead && len(c.Pats) == 1 && (c.Ring.Kind == graph.KindCardLending || c.Ring.Kind == graph.KindGhostHospitalization) {
			byPat[c.Pats[0]] = append(byPat[c.Pats[0]], i)
		}
	}
	for _, is := range byPat {
		ghost, card := -1, -1
		for _, i := range is {
			if cs[i].Ring.Kind == graph.KindGhostHospitalization {
				ghost = i
			} else {
				card = i
			}
		}
		if ghost < 0 || card < 0 {
			continue
		}
		v := cs[ghost].Ring.Reasons[0].Values
		if v["no_care_items"] > 0 || v["overlapping_stay"] > 0 {
			drop[card] = true
		} else {
			drop[ghost] = true
		}
	}
	// A card lead of a patient who is a member of a reported ring is that ring's business when
	// the ring explains it: the claims elsewhere of a ghost inpatient are what makes the stay a
	// paper one, a collected card is swiped at the collecting pharmacy, a lent card is the
	// holder group's, and follow-ups a clinic billed while its ring member lay in hospital are
	// the ring's fabrication.
	ringsOf := map[int32][]int{}
	for i, c := range cs {
		if !c.Lead && !drop[i] {
			for _, p := range c.Pats {
				ringsOf[p] = append(ringsOf[p], i)
			}
		}
	}
	for i, c := range cs {
		if !c.Lead || c.Ring.Kind != graph.KindCardLending || len(c.Pats) != 1 || drop[i] {
			continue
		}
		for _, j := range ringsOf[c.Pats[0]] {
			k := cs[j].Ring.Kind
			if k == graph.KindGhostHospitalization || k == graph.KindCardLending ||
				((k == graph.KindPharmacyCardCollection || k == graph.KindCollusionRing) && sharesProvider(c, cs[j])) {
				drop[i] = true
			}
		}
	}
	out := cs[:0:0]
	for i, c := range cs {
		if !drop[i] {
			out = append(out, c)
		}
	}
	return out
}

// containedShare is the share of the cards of a that are in b (both sorted).
func containedShare(a, b []int32) float64 {
	if len(a) == 0 {
		return 0
	}
	n := 0
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); ok {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

func sharesProvider(a, b finding.Candidate) bool {
	for _, x := range a.Provs {
		if slices.Contains(b.Provs, x) {
			return true
		}
	}
	return false
}
