package algorithms

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Region-partitioned detection. Claims settle per pooling region (统筹区) and co-visit rings are
// local to providers and days, so one region-year is the natural unit of work: each region's
// claims (those at its providers) are detected on their own, bounded by a number of workers,
// and a stitching run over the parties that act in more than one region finds what no region
// sees whole — cross-region duplicate reimbursement, stays overlapping across regions, card
// groups and rings whose members claim in several regions. Its findings are kept only when
// they span at least two regions; everything else is the regions' to report.
//
// A region run reads the source with a filter, so its memory is that of its region; every run
// reads the whole source once. Where regions are separate exports (one directory or store per
// region), `detect --region` runs on each machine and only the stitching run needs the parties
// of several regions.

// RegionOptions configure a partitioned run.
type RegionOptions struct {
	// Regions restricts the run to these pooling-region codes (empty: every region found).
	Regions []string
	// Workers is the number of regions detected at once (at least 1).
	Workers int
	// Stitch runs the cross-region pass (the province run); false runs the regions only.
	Stitch bool
}

// RegionPlan is what the pre-pass learns of the source: the region of every provider and the
// regions every patient claims in.
type RegionPlan struct {
	// Regions are the pooling regions of the claims' providers, sorted; a claim whose provider
	// has no region is in the region "".
	Regions  []string
	Claims   map[string]int // claims per region
	provReg  map[string]int32
	patReg   map[string]int32   // region index, or multiRegion
	multi    map[string][]int32 // the regions of the patients who claim in several
	stitched map[string]bool    // patients of the stitching run
}

const multiRegion = -1

// CrossRegionPatients is the number of patients in the stitching run.
func (rp *RegionPlan) CrossRegionPatients() int { return len(rp.stitched) }

// PlanRegions reads the providers, claims and patients of src once and partitions them by the
// region of the claims' providers. A patient is stitched when they claim in two regions or
// share a phone with a patient who claims in another region (a lent card's holder, a family
// split across a regional border).
func PlanRegions(ctx context.Context, src graph.Scanner) (*RegionPlan, error) {
	rp := &RegionPlan{Claims: map[string]int{}, provReg: map[string]int32{}, patReg: map[string]int32{}, multi: map[string][]int32{}, stitched: map[string]bool{}}
	index := map[string]int32{}
	regionOf := func(code string) int32 {
		i, ok := index[code]
		if !ok {
			i = int32(len(rp.Regions))
			index[code] = i
			rp.Regions = append(rp.Regions, code)
		}
		return i
	}
	if err := src.ScanInstitutions(ctx, func(in graph.Institution) error {
		rp.provReg[in.ID] = regionOf(in.Region)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("regions: institutions: %w", err)
	}
	if err := src.ScanPharmacies(ctx, func(ph graph.Pharmacy) error {
		rp.provReg[ph.ID] = regionOf(ph.Region)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("regions: pharmacies: %w", err)
	}
	if err := src.ScanClaims(ctx, func(c graph.Claim) error {
		r, ok := rp.provReg[c.ProviderID]
		if !ok {
			r = regionOf("")
			rp.provReg[c.ProviderID] = r
		}
		rp.Claims[rp.Regions[r]]++
		if old, ok := rp.patReg[c.PatientID]; !ok {
			rp.patReg[c.PatientID] = r
		} else if old != r && old != multiRegion {
			rp.patReg[c.PatientID] = multiRegion
			rp.multi[c.PatientID] = []int32{old, r}
			rp.stitched[c.PatientID] = true
		} else if old == multiRegion && !slices.Contains(rp.multi[c.PatientID], r) {
			rp.multi[c.PatientID] = append(rp.multi[c.PatientID], r)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("regions: claims: %w", err)
	}
	// Phones: the region of the patients who share one, multiRegion when they differ.
	phoneReg := map[string]int32{}
	phonePats := map[string][]string{}
	if err := src.ScanPatients(ctx, func(p graph.Patient) error {
		r, ok := rp.patReg[p.ID]
		if !ok || p.Phone == "" {
			return nil
		}
		if old, seen := phoneReg[p.Phone]; !seen {
			phoneReg[p.Phone] = r
		} else if old != r {
			phoneReg[p.Phone] = multiRegion
		}
		phonePats[p.Phone] = append(phonePats[p.Phone], p.ID)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("regions: patients: %w", err)
	}
	for ph, r := range phoneReg {
		if r == multiRegion {
			for _, id := range phonePats[ph] {
				rp.stitched[id] = true
			}
		}
	}
	// Regions sorted by code, the indices remapped.
	order := slices.Clone(rp.Regions)
	slices.Sort(order)
	remap := make([]int32, len(rp.Regions))
	for i, code := range rp.Regions {
		j, _ := slices.BinarySearch(order, code)
		remap[i] = int32(j)
	}
	for id, r := range rp.provReg {
		rp.provReg[id] = remap[r]
	}
	for id, r := range rp.patReg {
		if r != multiRegion {
			rp.patReg[id] = remap[r]
		}
	}
	for _, rs := range rp.multi {
		for i, r := range rs {
			rs[i] = remap[r]
		}
	}
	rp.Regions = order
	return rp, nil
}

// regionScanner is src seen through a filter: the patients, providers and claims of one region,
// or those of the stitching run.
type regionScanner struct {
	src      graph.Scanner
	keepPat  func(id string) bool
	keepProv func(id string) bool
	keepClm  func(c graph.Claim) bool
	mu       sync.Mutex
	claims   map[string]bool // claims kept, for their items
}

// RegionScanner returns src restricted to the claims at providers of region code, their
// patients and the region's providers (doctors are all kept: they are few, and a claim can name
// a doctor registered elsewhere).
func (rp *RegionPlan) RegionScanner(src graph.Scanner, code string) (graph.Scanner, error) {
	ri, ok := slices.BinarySearch(rp.Regions, code)
	if !ok {
		return nil, graph.FieldErrorf("region", "no claims at providers of region %q (regions: %v)", code, rp.Regions)
	}
	r := int32(ri)
	return &regionScanner{
		src: src,
		keepPat: func(id string) bool {
			pr, ok := rp.patReg[id]
			return ok && (pr == r || pr == multiRegion && slices.Contains(rp.multi[id], r))
		},
		keepProv: func(id string) bool { return rp.provReg[id] == r },
		keepClm:  func(c graph.Claim) bool { return rp.provReg[c.ProviderID] == r },
		claims:   map[string]bool{},
	}, nil
}

// StitchScanner returns src restricted to the stitched patients, all their claims and every
// provider.
func (rp *RegionPlan) StitchScanner(src graph.Scanner) graph.Scanner {
	return &regionScanner{
		src:      src,
		keepPat:  func(id string) bool { return rp.stitched[id] },
		keepProv: func(string) bool { return true },
		keepClm:  func(c graph.Claim) bool { return rp.stitched[c.PatientID] },
		claims:   map[string]bool{},
	}
}

func (s *regionScanner) ScanPatients(ctx context.Context, fn func(graph.Patient) error) error {
	return s.src.ScanPatients(ctx, func(p graph.Patient) error {
		if !s.keepPat(p.ID) {
			return nil
		}
		return fn(p)
	})
}

func (s *regionScanner) ScanInstitutions(ctx context.Context, fn func(graph.Institution) error) error {
	return s.src.ScanInstitutions(ctx, func(in graph.Institution) error {
		if !s.keepProv(in.ID) {
			return nil
		}
		return fn(in)
	})
}

func (s *regionScanner) ScanPharmacies(ctx context.Context, fn func(graph.Pharmacy) error) error {
	return s.src.ScanPharmacies(ctx, func(ph graph.Pharmacy) error {
		if !s.keepProv(ph.ID) {
			return nil
		}
		return fn(ph)
	})
}

func (s *regionScanner) ScanDoctors(ctx context.Context, fn func(graph.Doctor) error) error {
	return s.src.ScanDoctors(ctx, fn)
}

func (s *regionScanner) ScanClaims(ctx context.Context, fn func(graph.Claim) error) error {
	return s.src.ScanClaims(ctx, func(c graph.Claim) error {
		if !s.keepClm(c) {
			return nil
		}
		s.mu.Lock()
		s.claims[c.ID] = true
		s.mu.Unlock()
		return fn(c)
	})
}

func (s *regionScanner) ScanClaimItems(ctx context.Context, fn func(graph.ClaimItem) error) error {
	return s.src.ScanClaimItems(ctx, func(it graph.ClaimItem) error {
		s.mu.Lock()
		keep := s.claims[it.ClaimID]
		s.mu.Unlock()
		if !keep {
			return nil
		}
		return fn(it)
	})
}

// DetectByRegion runs Detect once per region of src (o.Workers at a time) and, with o.Stitch,
// once over the stitched parties, and merges the findings: every region finding, the stitching
// run's findings that span two regions or more, one finding per id, and a region finding
// dropped when a cross-region finding of its kind holds all its members. An entity's risk is
// its highest in any run. The provider re-ranker is per run and not reported.
func DetectByRegion(ctx context.Context, src graph.Scanner, p Params, labels Labels, o RegionOptions, progress func(phase string, pct float64)) (graph.Findings, error) {
	p = p.whole()
	if err := p.Validate(); err != nil {
		return graph.Findings{}, err
	}
	if o.Workers < 1 {
		return graph.Findings{}, graph.FieldErrorf("region_workers", "must be at least 1, got %d", o.Workers)
	}
	t0 := time.Now()
	rp, err := PlanRegions(ctx, src)
	if err != nil {
		return graph.Findings{}, err
	}
	codes := rp.Regions
	if len(o.Regions) > 0 {
		codes = nil
		for _, c := range o.Regions {
			if _, ok := slices.BinarySearch(rp.Regions, c); !ok {
				return graph.Findings{}, graph.FieldErrorf("region", "no claims at providers of region %q (regions: %v)", c, rp.Regions)
			}
			codes = append(codes, c)
		}
	}
	slog.Info("detect: regions planned", "regions", len(rp.Regions), "run", len(codes), "cross_region_patients", rp.CrossRegionPatients(), "elapsed", time.Since(t0).Round(time.Millisecond))

	type job struct {
		code string
		src  func() (graph.Scanner, error)
	}
	var jobs []job
	for _, c := range codes {
		jobs = append(jobs, job{c, func() (graph.Scanner, error) { return rp.RegionScanner(src, c) }})
	}
	if o.Stitch && rp.CrossRegionPatients() > 0 {
		jobs = append(jobs, job{"*", func() (graph.Scanner, error) { return rp.StitchScanner(src), nil }})
	}
	results := make([]graph.Findings, len(jobs))
	runs := make([]graph.RegionRun, len(jobs))
	errs := make([]error, len(jobs))
	var mu sync.Mutex
	done := 0
	report := func() {
		if progress != nil {
			progress("regions", 100*float64(done)/float64(len(jobs)))
		}
	}
	sem := make(chan struct{}, o.Workers)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			start := time.Now()
			sc, err := j.src()
			if err == nil {
				results[i], err = DetectLabelled(ctx, sc, p, labels, nil)
			}
			if err != nil {
				errs[i] = fmt.Errorf("region %q: %w", j.code, err)
				return
			}
			n := rp.Claims[j.code]
			if j.code == "*" {
				n = len(sc.(*regionScanner).claims)
			}
			el := time.Since(start)
			runs[i] = graph.RegionRun{Region: j.code, Claims: n, Rings: len(results[i].Rings), Leads: len(results[i].Leads), ElapsedMS: float64(el.Milliseconds())}
			mu.Lock()
			done++
			report()
			mu.Unlock()
			slog.Info("detect: region done", "region", j.code, "rings", runs[i].Rings, "leads", runs[i].Leads, "elapsed", el.Round(time.Millisecond))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return graph.Findings{}, err
		}
	}
	var stitched *graph.Findings
	if len(jobs) > len(codes) {
		stitched = &results[len(codes)]
	}
	out := mergeRegions(results[:len(codes)], stitched)
	out.Params = p.AsMap()
	out.Partition = &graph.Partition{Stitched: stitched != nil, Runs: runs}
	return out, nil
}

// whole is p without its partition: the parameters of each region's run.
func (p Params) whole() Params {
	p.Regions, p.ByRegion, p.RegionWorkers = nil, false, 0
	return p
}

// mergeRegions merges the region runs' findings with the stitching run's cross-region ones.
func mergeRegions(regions []graph.Findings, stitched *graph.Findings) graph.Findings {
	out := graph.Findings{Version: FindingsVersion, Rings: []graph.Ring{}, Leads: []graph.Ring{}}
	unavail := map[string]bool{}
	var cross []graph.Ring
	if stitched != nil {
		for _, rs := range [][]graph.Ring{stitched.Rings, stitched.Leads} {
			for _, r := range rs {
				if len(r.Regions) >= 2 {
					cross = append(cross, r)
				}
			}
		}
	}
	contained := func(r graph.Ring) bool {
		for _, c := range cross {
			if c.Kind == r.Kind && subset(r.Members, c.Members) {
				return true
			}
		}
		return false
	}
	seen := map[string]bool{}
	add := func(r graph.Ring) {
		if seen[r.ID] {
			return
		}
		seen[r.ID] = true
		if r.Class == graph.ClassLead {
			out.Leads = append(out.Leads, r)
		} else {
			out.Rings = append(out.Rings, r)
		}
	}
	for _, c := range cross {
		add(c)
	}
	best := map[graph.Ref]graph.EntityRisk{}
	all := regions
	if stitched != nil {
		all = append(slices.Clip(regions), *stitched)
	}
	for i, f := range all {
		for _, u := range f.Unavailable {
			unavail[u] = true
		}
		if i < len(regions) {
			for _, rs := range [][]graph.Ring{f.Rings, f.Leads} {
				for _, r := range rs {
					if !contained(r) {
						add(r)
					}
				}
			}
		}
		for _, e := range f.Entities {
			k := graph.Ref{Type: e.Type, ID: e.ID}
			if b, ok := best[k]; !ok || e.Score > b.Score {
				best[k] = e
			}
		}
	}
	graph.SortFindings(out.Rings)
	graph.SortFindings(out.Leads)
	for _, e := range best {
		out.Entities = append(out.Entities, e)
	}
	slices.SortFunc(out.Entities, func(a, b graph.EntityRisk) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for u := range unavail {
		out.Unavailable = append(out.Unavailable, u)
	}
	slices.Sort(out.Unavailable)
	return out
}

// subset reports whether every member of a is in b.
func subset(a, b []graph.Ref) bool {
	in := make(map[graph.Ref]bool, len(b))
	for _, m := range b {
		in[m] = true
	}
	for _, m := range a {
		if !in[m] {
			return false
		}
	}
	return true
}
