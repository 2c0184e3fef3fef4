package community

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ringtrace/ringtrace/algorithms/csr"
	"github.com/ringtrace/ringtrace/graph"
)

// Options tunes Louvain and Leiden. The zero value is usable: resolution 1, seed 0, passes until no node
// moves, no progress reports.
type Options struct {
	// Resolution is γ of Reichardt and Bornholdt: above 1 favours smaller communities, below 1
	// larger ones. Zero means 1; negative values are rejected.
	Resolution float64
	// Seed fixes the node order of local moving; the same seed and graph give the same result.
	Seed uint64
	// MaxPasses bounds the number of levels (local moving followed by aggregation); zero means
	// until a level moves no node.
	MaxPasses int
	// Progress, when not nil, is called after each level with the level number (from 1) and the
	// modularity reached so far.
	Progress func(pass int, q float64)
	// Randomness is θ of the Leiden refinement (ignored by Louvain): near 0 a node joins the
	// sub-community with the largest gain, larger values explore more. Zero means 0.01, the
	// value of Traag et al.; Leiden rejects negative values.
	Randomness float64
}

// Result is a partition of the graph's nodes.
type Result struct {
	// Community holds each node's community, numbered 0..Count-1 in order of each community's
	// lowest node.
	Community []int32
	// Count is the number of communities.
	Count int
	// Modularity is Q of the partition at the requested resolution.
	Modularity float64
}

// minGain is the smallest gain, relative to the node's strength, for which a node moves. A
// gain that small changes Q by less than 1e-12·k_i/m: far below anything meaningful, but above
// the rounding error of the community totals.
const minGain = 1e-12

// Louvain partitions g into communities of high modularity with the Louvain method. It returns
// an EINVALID *graph.Error for a negative or non-finite resolution and ctx's error, wrapped, when
// ctx is cancelled. Each community of the result is connected in g (see the package comment).
func Louvain(ctx context.Context, g *csr.Graph, opt Options) (Result, error) {
	gamma, err := resolution(opt)
	if err != nil {
		return Result{}, err
	}
	n := g.NumNodes()
	member := make([]int32, n) // original node → node of the current level
	for i := range member {
		member[i] = int32(i)
	}
	if n == 0 || g.TotalWeight() == 0 {
		// Without edges every partition has Q = 0; singletons are the honest answer.
		return Result{Community: member, Count: n}, nil
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6c6f757661696e)) // "louvain"
	mv := newMover(n)
	cur := g
	for pass := 1; opt.MaxPasses == 0 || pass <= opt.MaxPasses; pass++ {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("louvain level %d: %w", pass, err)
		}
		comm, moved, err := mv.localMoving(ctx, cur, gamma, rng, nil)
		if err != nil {
			return Result{}, fmt.Errorf("louvain level %d: %w", pass, err)
		}
		if !moved {
			break
		}
		k := renumber(comm)
		for i, c := range member {
			member[i] = comm[c]
		}
		cur = aggregate(cur, comm, k)
		if opt.Progress != nil {
			opt.Progress(pass, singletonModularity(cur, gamma))
		}
		if k == 1 {
			break
		}
	}
	count := splitDisconnected(g, member)
	return Result{Community: member, Count: count, Modularity: Modularity(g, member, gamma)}, nil
}

// resolution validates the options shared by Louvain and Leiden and returns γ.
func resolution(opt Options) (float64, error) {
	gamma := opt.Resolution
	if gamma == 0 {
		gamma = 1
	}
	if !(gamma > 0) || math.IsInf(gamma, 0) {
		return 0, invalid("resolution", fmt.Sprintf("分辨率参数必须为正数，收到 %v / resolution must be positive, got %v", opt.Resolution, opt.Resolution))
	}
	if opt.MaxPasses < 0 {
		return 0, invalid("max_passes", fmt.Sprintf("最大轮数不能为负，收到 %d / max passes must not be negative, got %d", opt.MaxPasses, opt.MaxPasses))
	}
	return gamma, nil
}

// invalid returns the EINVALID error users see for a bad option, in Chinese then English.
func invalid(field, msg string) error {
	return &graph.Error{Code: graph.EINVALID, Field: field, Message: msg}
}

// mover holds the scratch arrays of local moving, sized once for the first (largest) level and
// reused by every later level so that the inner loop never allocates.
type mover struct {
	comm    []int32
	tot     []float64 // sum of strengths of the nodes in each community
	nw      []float64 // weight from the current node to each community
	mark    []bool    // whether nw[c] is in use for the current node
	touched []int32
	order   []int32
	queue   []int32 // ring buffer of nodes to visit; each node is in it at most once
	inQueue []bool
}

func newMover(n int) *mover {
	return &mover{
		comm:    make([]int32, n),
		tot:     make([]float64, n),
		nw:      make([]float64, n),
		mark:    make([]bool, n),
		order:   make([]int32, n),
		queue:   make([]int32, n),
		inQueue: make([]bool, n),
	}
}

// localMoving runs Louvain's first phase on g: starting from singletons (or from the partition
// init, labels in 0..n-1, when not nil), each node in a random order moves to the neighbouring
// community with the largest gain
//
//	ΔQ ∝ w(i,C) − γ·k_i·Σ_tot(C)/2m
//
// until no node can gain by moving. It returns the community of each node (labels are node
// ids, not yet consecutive) and whether any node moved.
func (mv *mover) localMoving(ctx context.Context, g *csr.Graph, gamma float64, rng *rand.Rand, init []int32) ([]int32, bool, error) {
	n := g.NumNodes()
	comm, tot, nw, mark := mv.comm[:n], mv.tot[:n], mv.nw[:n], mv.mark[:n]
	order := mv.order[:n]
	for i := range n {
		comm[i] = int32(i)
		tot[i] = g.Strength(int32(i))
		order[i] = int32(i)
	}
	if init != nil {
		clear(tot)
		for i, c := range init {
			comm[i] = c
			tot[c] += g.Strength(int32(i))
		}
	}
	rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	m2 := 2 * g.TotalWeight()
	// Dividing by m2 once per node rather than per candidate keeps the inner loop to one
	// multiply-subtract and one compare.
	scale := gamma / m2
	moved := false
	// Fast local moving (Traag, Waltman and van Eck 2019, section "Fast local move"; the same
	// pruning as Ozaki, Tezuka and Inaba, "A simple acceleration method for the Louvain
	// algorithm", Int. J. Comput. Electr. Eng. 8(3), 2016): instead of sweeping
	// every node until a sweep gains nothing, a FIFO queue starts with all nodes in seed order and
	// a node is queued again only when a neighbour moved away from it. On the 100k benchmark
	// graph full sweeps needed 17 passes over all nodes at the first level, most of them moving
	// a few hundred nodes; the queue does that residual work only where it is needed.
	queue, inQueue := mv.queue[:n], mv.inQueue[:n]
	copy(queue, order)
	for i := range inQueue {
		inQueue[i] = true
	}
	head, size := 0, n
	for pops := 0; size > 0; pops++ {
		if pops%n == 0 {
			if err := ctx.Err(); err != nil {
				return nil, false, fmt.Errorf("local moving after %d visits: %w", pops, err)
			}
		}
		i := queue[head]
		head++
		if head == n {
			head = 0
		}
		size--
		inQueue[i] = false

		nb, ws := g.Neighbors(i)
		touched := mv.touched[:0]
		for j, v := range nb {
			if v == i {
				continue // a self-loop moves with its node and never changes ΔQ
			}
			c := comm[v]
			if !mark[c] {
				mark[c] = true
				nw[c] = 0
				touched = append(touched, c)
			}
			nw[c] += ws[j]
		}
		ci := comm[i]
		si := g.Strength(i)
		ki := si * scale
		tot[ci] -= si
		var own float64
		if mark[ci] {
			own = nw[ci]
		}
		ownGain := own - tot[ci]*ki
		best, bestGain := ci, ownGain
		for _, c := range touched {
			// Strictly greater: on ties a node stays, which stops oscillation between equal
			// choices and makes the result independent of map or slice iteration order.
			if gn := nw[c] - tot[c]*ki; gn > bestGain {
				best, bestGain = c, gn
			}
			mark[c] = false
		}
		mv.touched = touched
		// A move must gain more than rounding error, or float noise in tot could make two
		// communities trade a node forever.
		if best == ci || bestGain-ownGain <= minGain*si {
			tot[ci] += si
			continue
		}
		tot[best] += si
		comm[i] = best
		moved = true
		for _, v := range nb {
			if !inQueue[v] && comm[v] != best {
				inQueue[v] = true
				t := head + size
				if t >= n {
					t -= n
				}
				queue[t] = v
				size++
			}
		}
	}
	return comm, moved, nil
}

// renumber relabels comm in place to 0..k-1 in order of first appearance and returns k.
func renumber(comm []int32) int {
	idx := make([]int32, len(comm))
	for i := range idx {
		idx[i] = -1
	}
	k := int32(0)
	for i, c := range comm {
		if idx[c] < 0 {
			idx[c] = k
			k++
		}
		comm[i] = idx[c]
	}
	return int(k)
}

// aggregate returns the graph whose nodes are the k communities of g: the weight between two
// communities is the sum of the edge weights between them, and the edges inside a community
// become its self-loop, so strengths and total weight — hence modularity — are preserved.
func aggregate(g *csr.Graph, comm []int32, k int) *csr.Graph {
	b := csr.NewBuilder(k)
	b.Grow(g.NumEdges())
	for u := range int32(g.NumNodes()) {
		nb, ws := g.Neighbors(u)
		cu := comm[u]
		for j, v := range nb {
			if v >= u {
				b.AddEdge(cu, comm[v], ws[j])
			}
		}
	}
	return b.Build()
}

// singletonModularity returns Q of g with every node in its own community; on an aggregated
// graph that is Q of the partition the aggregation stands for.
func singletonModularity(g *csr.Graph, gamma float64) float64 {
	m2 := 2 * g.TotalWeight()
	var q float64
	for u := range int32(g.NumNodes()) {
		k := g.Strength(u)
		q += 2*g.Weight(u, u) - gamma*k*k/m2
	}
	return q / m2
}

// splitDisconnected relabels member so that each community is one connected component of the
// subgraph of g it induces, numbered 0..count-1 in order of lowest node, and returns count.
// Splitting a community with no edges between its parts A and B raises Q by 2γ·k_A·k_B/(2m)²,
// so this never lowers modularity.
func splitDisconnected(g *csr.Graph, member []int32) int {
	n := g.NumNodes()
	label := make([]int32, n)
	for i := range label {
		label[i] = -1
	}
	queue := make([]int32, 0, 64)
	count := int32(0)
	for s := range int32(n) {
		if label[s] >= 0 {
			continue
		}
		c := member[s]
		label[s] = count
		queue = append(queue[:0], s)
		for len(queue) > 0 {
			u := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			nb, _ := g.Neighbors(u)
			for _, v := range nb {
				if label[v] < 0 && member[v] == c {
					label[v] = count
					queue = append(queue, v)
				}
			}
		}
		count++
	}
	copy(member, label)
	return int(count)
}
