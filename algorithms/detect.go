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

// FindingsVersion is the version of the findings JSON contract written by Detect
// (docs/findings.md).
const FindingsVersion = "1"

// phase is one step of a detection run with its share of the progress bar.
type phase struct {
	name   string
	weight float64
}

var phases = []phase{
	{"load", 0.30}, {"covisit", 0.25}, {"communities", 0.10}, {"card_lending", 0.10},
	{"pharmacy", 0.05}, {"screening", 0.05}, {"providers", 0.05}, {"centrality", 0.05}, {"entities", 0.05},
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
			m.fn(name, 100*(start+w*clamp01(f)))
		}
	}
}

// Detect runs every detector over the graph streamed from src and returns the findings: rings of
// every kind sorted by descending score and the risk of every party. progress, when not nil,
// is called with the current phase and the overall percentage (0..100). Detect honours ctx
// cancellation and returns ctx's error wrapped. The result is deterministic for p.Seed.
func Detect(ctx context.Context, src graph.Scanner, p Params, progress func(phase string, pct float64)) (graph.Findings, error) {
	if err := p.Validate(); err != nil {
		return graph.Findings{}, err
	}
	pm := &progressMeter{fn: progress}
	t0 := time.Now()
	d, err := load(ctx, src, pm.phase("load"))
	if err != nil {
		return graph.Findings{}, fmt.Errorf("detect: load: %w", err)
	}
	slog.Info("detect: loaded", "patients", d.nPat(), "providers", d.nProv(), "doctors", d.nDoc(), "claims", d.nClaims(), "elapsed", time.Since(t0).Round(time.Millisecond))
	return detectLoaded(ctx, d, p, pm)
}

// detectLoaded runs the detectors on a loaded dataset.
func detectLoaded(ctx context.Context, d *dataset, p Params, pm *progressMeter) (graph.Findings, error) {
	t0 := time.Now()
	ev := newEvidence()
	var rings []flagged
	dp := newDiagnosisPeers(d)

	// The per-person detectors read the dataset only and keep their own evidence, so they run
	// concurrently with the co-visit projection (two cores) and are merged in a fixed order for determinism.
	type result struct {
		rings []flagged
		ev    *evidence
	}
	detectors := []struct {
		name string
		run  func(*evidence) []flagged
	}{
		{"card_lending", func(e *evidence) []flagged { return detectCardLending(d, p, e) }},
		{"pharmacy", func(e *evidence) []flagged { return detectPharmacyCollection(d, p, e) }},
		{"screening", func(e *evidence) []flagged { return screeningRules(d, p, e) }},
	}
	results := make([]result, len(detectors))
	var wg sync.WaitGroup
	for i, dt := range detectors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := newEvidence()
			results[i] = result{dt.run(e), e}
		}()
	}
	defer wg.Wait() // never return while a detector still reads the dataset

	prog := pm.phase("covisit")
	edges, st, err := coVisitProjection(ctx, d, p)
	if err != nil {
		return graph.Findings{}, fmt.Errorf("detect: co-visit projection: %w", err)
	}
	slog.Info("detect: co-visit projection", "units", st.Units, "buckets", st.Buckets, "crowded_buckets", st.CrowdedBuckets,
		"pair_records", st.PairRecords, "edges", st.Edges, "elapsed", time.Since(t0).Round(time.Millisecond))
	spread, sst, err := spreadCoVisitProjection(ctx, d, p)
	if err != nil {
		return graph.Findings{}, fmt.Errorf("detect: spread co-visit projection: %w", err)
	}
	spread = newSpreadEdges(edges, spread)
	prog(1)
	slog.Info("detect: spread co-visit projection", "spans", sst.Buckets, "crowded_spans", sst.CrowdedBuckets,
		"pair_records", sst.PairRecords, "edges", sst.Edges, "new_edges", len(spread), "elapsed", time.Since(t0).Round(time.Millisecond))

	prog = pm.phase("communities")
	cands, brokers, err := ringCandidates(ctx, edges, p)
	if err != nil {
		return graph.Findings{}, fmt.Errorf("detect: communities: %w", err)
	}
	cands = mergeByOrganiser(cands, func(c candidate) bool {
		f, _, _, ok := groupFeatures(d, dp, c, p)
		return ok && !looksLikeLending(f, len(c.patients))
	})
	for _, c := range cands {
		if f, ok := scoreCollusion(d, dp, c, p); ok {
			rings = append(rings, f)
		}
	}
	addBrokers(brokers, ev)
	// Groups seen only by the spread pass are detected on their own edges, so that they cannot
	// reshape the communities of the window pass, and a group overlapping a window ring is left
	// to that ring.
	spreadRings, err := spreadCollusionRings(ctx, d, dp, spread, rings, p)
	if err != nil {
		return graph.Findings{}, fmt.Errorf("detect: spread communities: %w", err)
	}
	rings = append(rings, spreadRings...)
	prog(1)
	slog.Info("detect: collusion rings", "candidates", len(cands), "reported", len(rings), "elapsed", time.Since(t0).Round(time.Millisecond))

	wg.Wait()
	if err := ctx.Err(); err != nil {
		return graph.Findings{}, fmt.Errorf("detect: %w", err)
	}
	for i, dt := range detectors {
		prog = pm.phase(dt.name)
		rings = append(rings, results[i].rings...)
		ev.merge(results[i].ev)
		prog(1)
		slog.Info("detect: "+dt.name, "rings", len(results[i].rings), "elapsed", time.Since(t0).Round(time.Millisecond))
	}

	rings = dedupeRings(rings)
	for _, f := range rings {
		ev.addRing(f)
	}
	prog = pm.phase("providers")
	providerAnomaly(d, dp, rings, ev, p)
	prog(1)
	if err := ctx.Err(); err != nil {
		return graph.Findings{}, fmt.Errorf("detect: providers: %w", err)
	}
	prog = pm.phase("centrality")
	if err := spreadRisk(ctx, d, p, ev); err != nil {
		return graph.Findings{}, fmt.Errorf("detect: centrality: %w", err)
	}
	prog(1)

	prog = pm.phase("entities")
	out := graph.Findings{
		Version:     FindingsVersion,
		Params:      p.asMap(),
		Unavailable: d.unavailable(),
		Rings:       make([]graph.Ring, 0, len(rings)),
	}
	for _, f := range rings {
		out.Rings = append(out.Rings, f.ring)
	}
	slices.SortStableFunc(out.Rings, func(a, b graph.Ring) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out.Rings = slices.CompactFunc(out.Rings, func(a, b graph.Ring) bool { return a.ID == b.ID })
	out.Entities = ev.entities(d, p)
	prog(1)
	slog.Info("detect: done", "rings", len(out.Rings), "entities", len(out.Entities), "elapsed", time.Since(t0).Round(time.Millisecond))
	return out, nil
}

// dedupeRings drops co-visit groups at a pharmacy that a pharmacy card-collection ring already
// explains (the collected cards are swiped together, so they co-visit too): one operation is
// reported once, under the kind that names it.
func dedupeRings(rings []flagged) []flagged {
	byPharm := map[int32][]int{}
	for i, f := range rings {
		if f.ring.Kind == graph.KindPharmacyCardCollection {
			byPharm[f.provs[0]] = append(byPharm[f.provs[0]], i)
		}
	}
	out := rings[:0:0]
	for _, f := range rings {
		drop := false
		if f.ring.Kind == graph.KindCollusionRing || f.ring.Kind == graph.KindCardLending {
			for _, pv := range f.provs {
				for _, j := range byPharm[pv] {
					if jaccardIdx(f.pats, rings[j].pats) >= 0.3 {
						drop = true
					}
				}
			}
		}
		if !drop {
			out = append(out, f)
		}
	}
	return out
}

func jaccardIdx(a, b []int32) float64 {
	in := map[int32]bool{}
	for _, x := range a {
		in[x] = true
	}
	inter := 0
	for _, x := range b {
		if in[x] {
			inter++
		}
	}
	u := len(a) + len(b) - inter
	if u == 0 {
		return 0
	}
	return float64(inter) / float64(u)
}
