package community

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ringtrace/ringtrace/algorithms/csr"
)

// defaultRandomness is θ of the Leiden refinement, the value of the reference implementation
// (Traag, Waltman and van Eck 2019, "Methods": θ = 0.01).
const defaultRandomness = 0.01

// Leiden partitions g into communities of high modularity with the Leiden algorithm (Traag,
// Waltman and van Eck, Sci. Rep. 9, 5233 (2019), doi:10.1038/s41598-019-41695-z): Louvain's fast
// local moving, followed at each level by a refinement that splits every community into
// well-connected sub-communities; the graph is aggregated by the refined partition while the
// unrefined one seeds the next level. Unlike Louvain it never leaves a community held together
// only through nodes that belong elsewhere, which is why investigators should prefer it for
// proposing rings. Options are those of Louvain plus Randomness (θ of the refinement). Errors are
// those of Louvain.
func Leiden(ctx context.Context, g *csr.Graph, opt Options) (Result, error) {
	gamma, err := resolution(opt)
	if err != nil {
		return Result{}, err
	}
	theta := opt.Randomness
	if theta == 0 {
		theta = defaultRandomness
	}
	if !(theta > 0) || math.IsInf(theta, 0) {
		return Result{}, invalid("randomness", fmt.Sprintf("随机性参数必须为正数，收到 %v / randomness must be positive, got %v", opt.Randomness, opt.Randomness))
	}
	n := g.NumNodes()
	member := make([]int32, n) // original node → node of the current (aggregated) level
	for i := range member {
		member[i] = int32(i)
	}
	if n == 0 || g.TotalWeight() == 0 {
		return Result{Community: member, Count: n}, nil
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6c656964656e)) // "leiden"
	mv := newMover(n)
	rf := newRefiner(n)
	cur := g
	var init []int32 // partition of cur's nodes the next local moving starts from
	for pass := 1; ; pass++ {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("leiden level %d: %w", pass, err)
		}
		comm, _, err := mv.localMoving(ctx, cur, gamma, rng, init)
		if err != nil {
			return Result{}, fmt.Errorf("leiden level %d: %w", pass, err)
		}
		k := renumber(comm)
		// Done when every community is a single node of this level: refinement and aggregation
		// could change nothing more.
		if k == cur.NumNodes() || (opt.MaxPasses > 0 && pass >= opt.MaxPasses) {
			for i, c := range member {
				member[i] = comm[c]
			}
			break
		}
		refined := rf.refine(cur, comm, k, gamma, theta, rng)
		kr := renumber(refined)
		if kr == cur.NumNodes() {
			// Refinement merged nothing, so aggregating by it would repeat this level forever;
			// aggregate by the unrefined partition instead, as the reference implementation does.
			copy(refined, comm)
			kr = k
		}
		next := make([]int32, kr) // each refined community starts in its unrefined community
		for u, r := range refined {
			next[r] = comm[u]
		}
		for i, c := range member {
			member[i] = refined[c]
		}
		cur = aggregate(cur, refined, kr)
		init = next
		if opt.Progress != nil {
			// The aggregate keeps strengths and internal weights, so Q of init on it is Q of
			// the level's partition on g.
			opt.Progress(pass, Modularity(cur, init, gamma))
		}
	}
	// Refinement already makes communities connected; the split is a cheap guarantee that also
	// renumbers by lowest node.
	count := splitDisconnected(g, member)
	return Result{Community: member, Count: count, Modularity: Modularity(g, member, gamma)}, nil
}

// refiner holds the scratch arrays of the Leiden refinement.
type refiner struct {
	refined []int32   // node → refined community (a node id)
	rtot    []float64 // strength of each refined community
	rext    []float64 // weight from each refined community to the rest of its community
	rsize   []int32   // members of each refined community
	ctot    []float64 // strength of each unrefined community
	win     []float64 // weight from each node to the rest of its community
	nw      []float64
	mark    []bool
	touched []int32
	order   []int32
	prob    []float64
}

func newRefiner(n int) *refiner {
	return &refiner{
		refined: make([]int32, n), rtot: make([]float64, n), rext: make([]float64, n),
		rsize: make([]int32, n), ctot: make([]float64, n), win: make([]float64, n),
		nw: make([]float64, n), mark: make([]bool, n), order: make([]int32, n),
	}
}

// refine is Leiden's RefinePartition with MergeNodesSubset: inside each community C of comm,
// starting from singletons, every node that is still alone and well connected to C
// (w(v, C−v) ≥ γ·k_v·(K_C − k_v)/2m) joins a well-connected refined community r of C with
// non-negative gain ΔH = w(v,r) − γ·k_v·K_r/2m, chosen at random with probability ∝ exp(ΔH/θ).
// ΔH is in edge-weight units, as in the reference implementation. It returns the refined label
// of each node (node ids, not consecutive).
func (rf *refiner) refine(g *csr.Graph, comm []int32, k int, gamma, theta float64, rng *rand.Rand) []int32 {
	n := g.NumNodes()
	refined, rtot, rext, rsize := rf.refined[:n], rf.rtot[:n], rf.rext[:n], rf.rsize[:n]
	ctot, win, nw, mark, order := rf.ctot[:k], rf.win[:n], rf.nw[:n], rf.mark[:n], rf.order[:n]
	clear(ctot)
	for u := range int32(n) {
		su := g.Strength(u)
		ctot[comm[u]] += su
		refined[u], rtot[u], rsize[u] = u, su, 1
		nb, ws := g.Neighbors(u)
		var w float64
		for j, v := range nb {
			if v != u && comm[v] == comm[u] {
				w += ws[j]
			}
		}
		win[u], rext[u] = w, w
		order[u] = u
	}
	rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	scale := gamma / (2 * g.TotalWeight())
	for _, v := range order {
		if rsize[refined[v]] != 1 || refined[v] != v {
			continue // only nodes still alone move (Traag et al., Algorithm A.2)
		}
		c := comm[v]
		kv := g.Strength(v)
		if win[v] < kv*(ctot[c]-kv)*scale {
			continue // v is not well connected to its community
		}
		nb, ws := g.Neighbors(v)
		touched := rf.touched[:0]
		for j, u := range nb {
			if u == v || comm[u] != c {
				continue
			}
			r := refined[u]
			if !mark[r] {
				mark[r] = true
				nw[r] = 0
				touched = append(touched, r)
			}
			nw[r] += ws[j]
		}
		// Candidates: well-connected refined communities with ΔH ≥ 0. Probabilities are
		// exp((ΔH − max ΔH)/θ) so the largest term is 1 and nothing overflows.
		prob := rf.prob[:0]
		best := math.Inf(-1)
		for _, r := range touched {
			mark[r] = false
			if rext[r] < rtot[r]*(ctot[c]-rtot[r])*scale {
				prob = append(prob, math.Inf(-1))
				continue
			}
			dh := nw[r] - kv*rtot[r]*scale
			if dh < 0 {
				dh = math.Inf(-1)
			}
			prob = append(prob, dh)
			best = max(best, dh)
		}
		rf.touched, rf.prob = touched, prob
		if math.IsInf(best, -1) {
			continue
		}
		var sum float64
		for i, dh := range prob {
			p := 0.0
			if !math.IsInf(dh, -1) {
				p = math.Exp((dh - best) / theta)
			}
			prob[i] = p
			sum += p
		}
		x := rng.Float64() * sum
		choice := int32(-1)
		for i, p := range prob {
			if p == 0 {
				continue
			}
			choice = touched[i]
			if x < p {
				break
			}
			x -= p
		}
		// Joining r turns the edges between v and r into internal edges of r.
		r := choice
		rext[r] += win[v] - 2*nw[r]
		rtot[r] += kv
		rsize[r]++
		rsize[v] = 0
		refined[v] = r
	}
	return refined
}
