package algorithms

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ringtrace/ringtrace/algorithms/centrality"
	"github.com/ringtrace/ringtrace/algorithms/community"
	"github.com/ringtrace/ringtrace/algorithms/csr"
	"github.com/ringtrace/ringtrace/graph"
)

// candidate is a proposed group of patients (indices into the dataset) with the projection
// edges among them.
type candidate struct {
	patients []int32
	edges    []coVisitEdge
	// internal is the share of the members' projection edges that stay inside the group: one
	// holder's cards co-visit only each other, a fragment of a clinic cohort mostly with others.
	internal float64
	// spreadDays is non-zero for groups found by the spread pass (members within that many days
	// rather than in one window).
	spreadDays int
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct{ parent, size []int32 }

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int32) {
	a, b = u.find(a), u.find(b)
	if a == b {
		return
	}
	if u.size[a] < u.size[b] || (u.size[a] == u.size[b] && a > b) {
		a, b = b, a
	}
	u.parent[b] = a
	u.size[a] += u.size[b]
}

// ringCandidates partitions the projection into Louvain communities (Blondel et al. 2008, via
// the CSR implementation in algorithms/community, which keeps every community connected) and
// returns those of MinRingSize..MaxRingSize patients, ordered by their smallest patient index so
// that the result is deterministic for the seed. It also returns each patient's sampled
// betweenness in the projection (Brandes and Pich 2007), which names brokers tying groups.
func ringCandidates(ctx context.Context, edges []coVisitEdge, p Params) ([]candidate, map[int32]float64, error) {
	// Compact node ids over the patients that have edges, in patient order.
	var pats []int32
	for _, e := range edges {
		pats = append(pats, e.A, e.B)
	}
	slices.Sort(pats)
	pats = slices.Compact(pats)
	local := make(map[int32]int32, len(pats))
	for i, x := range pats {
		local[x] = int32(i)
	}
	b := csr.NewBuilder(len(pats))
	b.Grow(len(edges))
	for _, e := range edges {
		b.AddEdge(local[e.A], local[e.B], math.Max(e.Weight, 1e-9))
	}
	g := b.Build()
	res, err := community.Louvain(ctx, g, community.Options{Resolution: p.Resolution, Seed: p.Seed})
	if err != nil {
		return nil, nil, fmt.Errorf("louvain: %w", err)
	}
	groups := make([][]int32, res.Count)
	for i, c := range res.Community {
		groups[c] = append(groups[c], pats[i])
	}
	byGroup := make([][]int, res.Count)
	for i, e := range edges {
		ca, cb := res.Community[local[e.A]], res.Community[local[e.B]]
		if ca == cb {
			byGroup[ca] = append(byGroup[ca], i)
		}
	}
	degree := map[int32]int{}
	for _, e := range edges {
		degree[e.A]++
		degree[e.B]++
	}
	var out []candidate
	for c, g := range groups {
		// Pairs stay: two cards used together can be one holder's (scored as card lending).
		if len(g) < 2 {
			continue
		}
		for _, sub := range splitByUnit(g, edges, byGroup[c]) {
			if len(sub.patients) >= 2 && len(sub.patients) <= p.MaxRingSize {
				total := 0
				for _, x := range sub.patients {
					total += degree[x]
				}
				if total > 0 {
					sub.internal = float64(2*len(sub.edges)) / float64(total)
				}
				out = append(out, sub)
			}
		}
	}
	slices.SortFunc(out, func(a, b candidate) int { return cmp.Compare(a.patients[0], b.patients[0]) })
	var brokers map[int32]float64
	if p.BetweennessSamples > 0 && g.NumNodes() > 0 {
		bc := centrality.Betweenness(ctx, g, p.BetweennessSamples, p.Seed)
		if bc == nil {
			return nil, nil, fmt.Errorf("betweenness: %w", ctx.Err())
		}
		brokers = map[int32]float64{}
		n := float64(g.NumNodes())
		for i, v := range bc {
			// Normalise by the number of ordered pairs so that values compare across graphs.
			if n > 2 && v > 0 {
				brokers[pats[i]] = v / ((n - 1) * (n - 2))
			}
		}
	}
	return out, brokers, nil
}

// ringID returns a stable id for a ring: its kind and a hash of its sorted member refs, so that
// two runs over the same data name the same ring the same way.
func ringID(kind string, members []graph.Ref) string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.String()
	}
	slices.Sort(ids)
	h := sha256.Sum256([]byte(kind + "\x00" + strings.Join(ids, "\x00")))
	prefix := map[string]string{
		graph.KindCollusionRing: "CR", graph.KindCardLending: "CL", graph.KindPharmacyCardCollection: "PC",
		graph.KindDeceasedClaims: "DC", graph.KindScreeningRule: "SR",
	}[kind]
	if prefix == "" {
		prefix = "RG"
	}
	return prefix + "-" + hex.EncodeToString(h[:8])
}

func sortedKeys(m map[int32]bool) []int32 {
	s := make([]int32, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// splitByUnit splits a community by organiser: each patient goes to the provider-doctor unit
// carrying most of its edge weight, and each unit's patients form one candidate with the edges
// among them. Two rings run by different doctors of one small clinic share waiting rooms and
// so co-visit a little; they are two operations.
func splitByUnit(pats []int32, edges []coVisitEdge, es []int) []candidate {
	type unit struct{ prov, doc int32 }
	w := map[int32]map[unit]float64{}
	for _, ei := range es {
		e := edges[ei]
		u := unit{e.Prov, e.Doc}
		for _, x := range []int32{e.A, e.B} {
			if w[x] == nil {
				w[x] = map[unit]float64{}
			}
			w[x][u] += e.Weight + 1e-9
		}
	}
	home := map[int32]unit{}
	for _, x := range pats {
		best, bw := unit{-1, -1}, -1.0
		for u, v := range w[x] {
			if v > bw || (v == bw && (u.prov < best.prov || (u.prov == best.prov && u.doc < best.doc))) {
				best, bw = u, v
			}
		}
		home[x] = best
	}
	idx := map[unit]int{}
	var out []candidate
	for _, x := range pats {
		u := home[x]
		i, ok := idx[u]
		if !ok {
			i = len(out)
			idx[u] = i
			out = append(out, candidate{})
		}
		out[i].patients = append(out[i].patients, x)
	}
	for _, ei := range es {
		e := edges[ei]
		if ua, ub := home[e.A], home[e.B]; ua == ub {
			out[idx[ua]].edges = append(out[idx[ua]].edges, e)
		}
	}
	return out
}
