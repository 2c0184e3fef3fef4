package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble"

	"github.com/ringtrace/ringtrace/graph"
)

func isNotFound(err error) bool { return errors.Is(err, pebble.ErrNotFound) }

func iterBounds(lo, hi []byte) *pebble.IterOptions {
	return &pebble.IterOptions{LowerBound: lo, UpperBound: hi}
}

func cmpRef(a, b graph.Ref) int {
	if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// relBetween returns the one relationship that can join nodes of these two kinds, with its
// stored direction. The schema allows at most one relationship kind per pair of node kinds, so
// an edge is fully determined by its endpoints.
func relBetween(x, y graph.Ref) (graph.Edge, bool) {
	if x.Type > y.Type {
		e, ok := relBetween(y, x)
		return e, ok
	}
	// Here x.Type <= y.Type in byte order.
	switch {
	case x.Type == graph.TypeClaim && y.Type == graph.TypePatient:
		return graph.Edge{From: y, To: x, Type: graph.RelFiled}, true
	case x.Type == graph.TypeClaim && y.Type.IsProvider():
		return graph.Edge{From: x, To: y, Type: graph.RelAt}, true
	case x.Type == graph.TypeClaim && y.Type == graph.TypeDoctor:
		return graph.Edge{From: x, To: y, Type: graph.RelTreatedBy}, true
	case x.Type == graph.TypeClaim && y.Type == graph.TypeTerminal:
		return graph.Edge{From: x, To: y, Type: graph.RelOnTerminal}, true
	case x.Type == graph.TypeDoctor && y.Type == graph.TypeInstitution:
		return graph.Edge{From: x, To: y, Type: graph.RelWorksAt}, true
	case x.Type == graph.TypePatient && y.Type == graph.TypePhone:
		return graph.Edge{From: x, To: y, Type: graph.RelHasPhone}, true
	case x.Type == graph.TypeAddress && y.Type == graph.TypePatient:
		return graph.Edge{From: y, To: x, Type: graph.RelLivesAt}, true
	}
	return graph.Edge{}, false
}

// walker answers one traversal. It caches the records it reads, since the same claim or patient
// is decoded for its neighbours and again for its properties and edges.
type walker struct {
	s    *Store
	ctx  context.Context
	recs map[graph.Ref][]byte
	// filters of a neighbourhood query; zero for path search
	types    []graph.EntityType
	from, to []byte
	visits   int
	// it is one iterator reused for every adjacency scan of the query: creating a Pebble
	// iterator touches every level of the LSM, re-bounding one does not.
	it *pebble.Iterator
}

func (w *walker) close() {
	if w.it != nil {
		_ = w.it.Close()
		w.it = nil
	}
}

func (s *Store) newWalker(ctx context.Context) *walker {
	return &walker{s: s, ctx: ctx, recs: make(map[graph.Ref][]byte)}
}

func (w *walker) allowed(t graph.EntityType) bool {
	return len(w.types) == 0 || slices.Contains(w.types, t)
}

// record returns the stored record of a party or claim (nil for derived nodes or when absent).
func (w *walker) record(r graph.Ref) ([]byte, error) {
	if isDerived(r.Type) {
		return nil, nil
	}
	if v, ok := w.recs[r]; ok {
		return v, nil
	}
	v, _, err := w.s.get(nodeKey(nil, r.Type, r.ID))
	if err != nil {
		return nil, err
	}
	w.recs[r] = v
	return v, nil
}

// recordNeighbours lists the neighbours named by r's own record: a claim's patient, provider,
// doctor and terminal, a patient's phone and address, a doctor's institution.
func (w *walker) recordNeighbours(r graph.Ref) ([]graph.Ref, error) {
	if r.Type != graph.TypeClaim && r.Type != graph.TypePatient && r.Type != graph.TypeDoctor {
		return nil, nil
	}
	v, err := w.record(r)
	if err != nil || v == nil {
		return nil, err
	}
	var out []graph.Ref
	switch r.Type {
	case graph.TypeClaim:
		c, err := decodeClaim(r.ID, v)
		if err != nil {
			return nil, fmt.Errorf("embedded: claim record: %w", err)
		}
		out = append(out, graph.Ref{Type: graph.TypePatient, ID: c.PatientID}, graph.Ref{Type: c.ProviderType, ID: c.ProviderID})
		if c.DoctorID != "" {
			out = append(out, graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID})
		}
		if t := terminalID(&c); t != "" {
			out = append(out, graph.Ref{Type: graph.TypeTerminal, ID: t})
		}
	case graph.TypePatient:
		p, err := decodePatient(r.ID, v)
		if err != nil {
			return nil, fmt.Errorf("embedded: patient record: %w", err)
		}
		if p.Phone != "" {
			out = append(out, graph.Ref{Type: graph.TypePhone, ID: p.Phone})
		}
		if p.Address != "" {
			out = append(out, graph.Ref{Type: graph.TypeAddress, ID: p.Address})
		}
	case graph.TypeDoctor:
		d, err := decodeDoctor(r.ID, v)
		if err != nil {
			return nil, fmt.Errorf("embedded: doctor record: %w", err)
		}
		if d.InstitutionID != "" {
			out = append(out, graph.Ref{Type: graph.TypeInstitution, ID: d.InstitutionID})
		}
	}
	return out, nil
}

// neighbours returns up to max (0: all) neighbours of r that pass the walker's filters and
// that skip does not reject, in type-then-id order. Adjacency keys are stored in that order, so
// a hub with a million claims yields its first max claims without reading the rest.
func (w *walker) neighbours(r graph.Ref, max int, skip func(graph.Ref) bool) ([]graph.Ref, error) {
	var out []graph.Ref
	own, err := w.recordNeighbours(r)
	if err != nil {
		return nil, err
	}
	for _, n := range own {
		if w.allowed(n.Type) && !skip(n) {
			out = append(out, n)
		}
	}
	if r.Type == graph.TypeClaim {
		// Claims own all their relationships; no other node's record names a claim.
		slices.SortFunc(out, cmpRef)
		return out, nil
	}
	prefix := adjPrefix(nil, r.Type, r.ID)
	scanType := func(lo, hi []byte) error {
		if w.it == nil {
			var err error
			if w.it, err = w.s.db.NewIter(iterBounds(lo, hi)); err != nil {
				return fmt.Errorf("embedded: iterate: %w", err)
			}
		} else {
			w.it.SetBounds(lo, hi)
		}
		it := w.it
		taken := 0
		for ok := it.First(); ok && (max == 0 || taken < max); ok = it.Next() {
			if w.visits++; w.visits%4096 == 0 {
				if err := w.ctx.Err(); err != nil {
					return err
				}
			}
			n := decodeAdjNeighbour(it.Key(), len(prefix))
			if n.Type == graph.TypeClaim && (w.from != nil || w.to != nil) {
				v := it.Value()
				if len(v) >= 8 && ((w.from != nil && bytes.Compare(v[:8], w.from) < 0) || (w.to != nil && bytes.Compare(v[:8], w.to) >= 0)) {
					continue
				}
			}
			if skip(n) {
				continue
			}
			out = append(out, n)
			taken++
		}
		if err := it.Error(); err != nil {
			return fmt.Errorf("embedded: iterate: %w", err)
		}
		return nil
	}
	if len(w.types) == 0 {
		if err := scanType(prefix, prefixEnd(prefix)); err != nil {
			return nil, err
		}
	} else {
		for _, t := range graph.EntityTypes {
			if !w.allowed(t) {
				continue
			}
			lo := append(append([]byte(nil), prefix...), typeCode(t))
			if err := scanType(lo, prefixEnd(lo)); err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(out, cmpRef)
	if max > 0 && len(out) > max {
		out = out[:max]
	}
	return out, nil
}

// Neighbourhood returns the start node and the nearest nodes within q.Depth hops, breadth
// first, ties broken by type then id, cut at q.Limit nodes, with every edge among them.
func (s *Store) Neighbourhood(ctx context.Context, start graph.Ref, q graph.NeighbourhoodQuery) (graph.Subgraph, error) {
	if q.Depth < 1 || q.Depth > 3 {
		return graph.Subgraph{}, graph.FieldErrorf("depth", "深度必须在 1 到 3 之间 / depth must be 1 to 3")
	}
	if q.Limit < 1 {
		return graph.Subgraph{}, graph.FieldErrorf("limit", "limit 必须大于 0 / limit must be at least 1")
	}
	if !start.Type.Valid() {
		return graph.Subgraph{}, graph.FieldErrorf("type", "未知的实体类型 / unknown entity type")
	}
	done, err := s.enter(ctx)
	if err != nil {
		return graph.Subgraph{}, err
	}
	defer done()
	ok, err := s.exists(start)
	if err != nil {
		return graph.Subgraph{}, err
	}
	if !ok {
		return graph.Subgraph{}, notFound(start)
	}
	w := s.newWalker(ctx)
	defer w.close()
	w.types = q.Types
	if !q.From.IsZero() {
		w.from = timeBytes(nil, q.From)
	}
	if !q.To.IsZero() {
		w.to = timeBytes(nil, q.To)
	}
	seen := map[graph.Ref]bool{start: true}
	order := []graph.Ref{start}
	frontier := []graph.Ref{start}
	truncated := false
	skip := func(r graph.Ref) bool { return seen[r] }
	for d := 1; d <= q.Depth && len(frontier) > 0 && !truncated; d++ {
		remaining := q.Limit - len(order)
		// remaining+1 from each frontier node is enough: the nearest remaining+1 new nodes of
		// the whole level are among them, and the +1 tells whether the level overflows.
		var level []graph.Ref
		inLevel := map[graph.Ref]bool{}
		for _, u := range frontier {
			ns, err := w.neighbours(u, remaining+1, skip)
			if err != nil {
				return graph.Subgraph{}, err
			}
			for _, n := range ns {
				if !inLevel[n] {
					inLevel[n] = true
					level = append(level, n)
				}
			}
		}
		slices.SortFunc(level, cmpRef)
		if len(level) > remaining {
			truncated = true
			level = level[:remaining]
		}
		for _, n := range level {
			seen[n] = true
		}
		order = append(order, level...)
		frontier = level
	}
	if err := w.prefetch(order); err != nil {
		return graph.Subgraph{}, err
	}
	g := graph.Subgraph{Nodes: make([]graph.Node, 0, len(order)), Edges: []graph.Edge{}, Truncated: truncated}
	for _, r := range order {
		n, err := w.materialise(r)
		if err != nil {
			return graph.Subgraph{}, err
		}
		g.Nodes = append(g.Nodes, n)
		// Every relationship is named by exactly one record, so collecting the record
		// neighbours of the returned nodes yields each edge among them exactly once.
		own, err := w.recordNeighbours(r)
		if err != nil {
			return graph.Subgraph{}, err
		}
		for _, o := range own {
			if seen[o] {
				if e, ok := relBetween(r, o); ok {
					g.Edges = append(g.Edges, e)
				}
			}
		}
	}
	slices.SortFunc(g.Edges, cmpEdge)
	return g, nil
}

func cmpEdge(a, b graph.Edge) int {
	if c := cmpRef(a.From, b.From); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
		return c
	}
	return cmpRef(a.To, b.To)
}

// prefetch reads the records of refs not yet cached in key order through the walker's one
// iterator: 500 claims of a hub are then 500 seeks within a few neighbouring blocks instead of
// 500 independent point lookups, each of which builds its own iterator stack.
func (w *walker) prefetch(refs []graph.Ref) error {
	var need []graph.Ref
	for _, r := range refs {
		if _, ok := w.recs[r]; !ok && !isDerived(r.Type) {
			need = append(need, r)
		}
	}
	if len(need) < 8 {
		return nil // point lookups are as cheap for a handful
	}
	slices.SortFunc(need, cmpRef)
	var key []byte
	for i := 0; i < len(need); {
		t := need[i].Type
		lo := nodeKey(nil, t, "")
		if w.it == nil {
			var err error
			if w.it, err = w.s.db.NewIter(iterBounds(lo, prefixEnd(lo))); err != nil {
				return fmt.Errorf("embedded: iterate: %w", err)
			}
		} else {
			w.it.SetBounds(lo, prefixEnd(lo))
		}
		for ; i < len(need) && need[i].Type == t; i++ {
			key = nodeKey(key[:0], t, need[i].ID)
			if w.it.SeekGE(key) && bytes.Equal(w.it.Key(), key) {
				w.recs[need[i]] = append([]byte(nil), w.it.Value()...)
			} else {
				w.recs[need[i]] = nil
			}
		}
		if err := w.it.Error(); err != nil {
			return fmt.Errorf("embedded: iterate: %w", err)
		}
	}
	return nil
}

// materialise turns a ref into a served node, from the walker's cache when possible.
func (w *walker) materialise(r graph.Ref) (graph.Node, error) {
	if isDerived(r.Type) {
		return graph.Node{Ref: r, Label: r.ID}, nil
	}
	v, err := w.record(r)
	if err != nil {
		return graph.Node{}, err
	}
	if v == nil {
		// A dangling reference (an edge written before its node): show the id only.
		return graph.Node{Ref: r, Label: r.ID}, nil
	}
	n, err := decodeNode(r, v)
	if err != nil {
		return graph.Node{}, fmt.Errorf("embedded: %s record: %w", r.Type, err)
	}
	return n, nil
}

// maxPathVisits bounds one path search; beyond it the search is refused rather than allowed to
// walk a province through its hubs.
const maxPathVisits = 2_000_000

// ShortestPath returns one shortest undirected path of at most maxDepth hops between a and b,
// found by bidirectional breadth-first search (expanding the smaller frontier each round, so a
// path that meets at a hub hospital never enumerates the hub's claims), or an empty Subgraph.
func (s *Store) ShortestPath(ctx context.Context, a, b graph.Ref, maxDepth int) (graph.Subgraph, error) {
	if maxDepth < 1 {
		return graph.Subgraph{}, graph.FieldErrorf("max_depth", "最大深度必须大于 0 / max_depth must be at least 1")
	}
	done, err := s.enter(ctx)
	if err != nil {
		return graph.Subgraph{}, err
	}
	defer done()
	for _, r := range []graph.Ref{a, b} {
		ok, err := s.exists(r)
		if err != nil {
			return graph.Subgraph{}, err
		}
		if !ok {
			return graph.Subgraph{}, notFound(r)
		}
	}
	w := s.newWalker(ctx)
	defer w.close()
	empty := graph.Subgraph{Nodes: []graph.Node{}, Edges: []graph.Edge{}}
	if a == b {
		n, err := w.materialise(a)
		if err != nil {
			return graph.Subgraph{}, err
		}
		return graph.Subgraph{Nodes: []graph.Node{n}, Edges: []graph.Edge{}}, nil
	}
	type side struct {
		parent   map[graph.Ref]graph.Ref
		dist     map[graph.Ref]int
		frontier []graph.Ref
		level    int
	}
	sa := &side{parent: map[graph.Ref]graph.Ref{}, dist: map[graph.Ref]int{a: 0}, frontier: []graph.Ref{a}}
	sb := &side{parent: map[graph.Ref]graph.Ref{}, dist: map[graph.Ref]int{b: 0}, frontier: []graph.Ref{b}}
	visits := 0
	for sa.level+sb.level < maxDepth && len(sa.frontier) > 0 && len(sb.frontier) > 0 {
		cur, other := sa, sb
		if len(sb.frontier) < len(sa.frontier) {
			cur, other = sb, sa
		}
		var next []graph.Ref
		meet, best := graph.Ref{}, -1
		for _, u := range cur.frontier {
			ns, err := w.neighbours(u, 0, func(r graph.Ref) bool { _, ok := cur.dist[r]; return ok })
			if err != nil {
				return graph.Subgraph{}, err
			}
			for _, v := range ns {
				if _, ok := cur.dist[v]; ok {
					continue // reached from an earlier node of this level
				}
				cur.dist[v] = cur.level + 1
				cur.parent[v] = u
				next = append(next, v)
				if d, ok := other.dist[v]; ok && (best < 0 || cur.level+1+d < best) {
					meet, best = v, cur.level+1+d
				}
			}
			if visits += len(ns); visits > maxPathVisits {
				return graph.Subgraph{}, graph.Errorf(graph.ETOOMANY, "路径搜索范围过大，请减小最大深度 / path search too large, lower max_depth")
			}
		}
		cur.level++
		cur.frontier = next
		if best >= 0 {
			if best > maxDepth {
				return empty, nil
			}
			path := []graph.Ref{meet}
			for r := meet; r != a; {
				r = sa.parent[r]
				path = append(path, r)
			}
			slices.Reverse(path)
			for r := meet; r != b; {
				r = sb.parent[r]
				path = append(path, r)
			}
			g := graph.Subgraph{Nodes: make([]graph.Node, 0, len(path)), Edges: make([]graph.Edge, 0, len(path)-1)}
			for i, r := range path {
				n, err := w.materialise(r)
				if err != nil {
					return graph.Subgraph{}, err
				}
				g.Nodes = append(g.Nodes, n)
				if i > 0 {
					e, _ := relBetween(path[i-1], r)
					g.Edges = append(g.Edges, e)
				}
			}
			return g, nil
		}
	}
	return empty, nil
}
