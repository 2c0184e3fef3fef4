package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ringtrace/ringtrace/graph"
)

// entityLabels lists every label of graph.EntityTypes; a traversal never visits other labels.
func entityLabels(types []graph.EntityType) []string {
	if len(types) == 0 {
		types = graph.EntityTypes
	}
	out := make([]string, 0, len(types))
	for _, t := range types {
		if t.Valid() {
			out = append(out, t.Label())
		}
	}
	return out
}

// visitedNode is one node a traversal returns, keyed by its element id while traversing.
type visitedNode struct {
	eid  string
	node graph.Node
}

// Neighbourhood returns the start node and the qualifying nodes within q.Depth hops, nearest
// first and by type then id within a hop, cut at q.Limit, with every edge among them.
//
// The expansion is breadth first, one query per hop, each returning only the nodes that hop
// may still add (ORDER BY label, id LIMIT what is left + 1), so a hub with a million claims
// costs one sort of its neighbours' keys, not a million property maps sent to the client.
// All hops run in one read transaction, so the answer is one consistent snapshot.
func (s *Store) Neighbourhood(ctx context.Context, start graph.Ref, q graph.NeighbourhoodQuery) (graph.Subgraph, error) {
	if q.Depth < 1 || q.Depth > 3 {
		return graph.Subgraph{}, graph.FieldErrorf("depth", "深度须在 1 到 3 之间 / depth must be between 1 and 3")
	}
	if q.Limit < 1 {
		return graph.Subgraph{}, graph.FieldErrorf("limit", "limit 必须大于 0 / limit must be at least 1")
	}
	startLabel, err := labelOf(start.Type, "type")
	if err != nil {
		return graph.Subgraph{}, err
	}
	for _, t := range q.Types {
		if !t.Valid() {
			return graph.Subgraph{}, graph.FieldErrorf("types", "未知的节点类型 %q / unknown node type %q", string(t), string(t))
		}
	}
	filter := []string{"NOT elementId(m) IN $visited", "labels(m)[0] IN $labels"}
	params := map[string]any{"labels": entityLabels(q.Types)}
	if !q.From.IsZero() {
		filter = append(filter, "(NOT m:Claim OR m.start_time >= $from)")
		params["from"] = q.From.UTC()
	}
	if !q.To.IsZero() {
		filter = append(filter, "(NOT m:Claim OR m.start_time < $to)")
		params["to"] = q.To.UTC()
	}
	hop := `MATCH (a) WHERE elementId(a) IN $frontier
MATCH (a)--(m)
WHERE ` + strings.Join(filter, " AND ") + `
WITH DISTINCT m
WITH m, labels(m)[0] AS l
ORDER BY l, m.id
LIMIT $take
RETURN elementId(m), l, properties(m)`

	type result struct {
		g     graph.Subgraph
		found bool
	}
	res, err := readTx(ctx, s, "neighbourhood", func(tx neo4j.ManagedTransaction) (result, error) {
		recs, err := collect(ctx, tx, "MATCH (n:"+startLabel+" {id: $id}) RETURN elementId(n), properties(n)", map[string]any{"id": start.ID})
		if err != nil || len(recs) == 0 {
			return result{}, err
		}
		eid, _ := recs[0].Values[0].(string)
		m, _ := recs[0].Values[1].(map[string]any)
		nodes := []visitedNode{{eid: eid, node: node(start.Type, props(m))}}
		visited := []string{eid}
		frontier := []string{eid}
		truncated := false
		for d := 1; d <= q.Depth && len(frontier) > 0; d++ {
			left := q.Limit - len(nodes)
			p := clone(params)
			p["frontier"], p["visited"], p["take"] = frontier, visited, int64(left+1)
			recs, err := collect(ctx, tx, hop, p)
			if err != nil {
				return result{}, err
			}
			if len(recs) > left {
				truncated = true
				recs = recs[:left]
			}
			frontier = frontier[:0:0]
			for _, rec := range recs {
				eid, _ := rec.Values[0].(string)
				label, _ := rec.Values[1].(string)
				m, _ := rec.Values[2].(map[string]any)
				nodes = append(nodes, visitedNode{eid: eid, node: node(typeOfLabel(label), props(m))})
				visited = append(visited, eid)
				frontier = append(frontier, eid)
			}
			if truncated {
				break
			}
		}
		edges, err := edgesAmong(ctx, tx, nodes)
		if err != nil {
			return result{}, err
		}
		g := graph.Subgraph{Nodes: make([]graph.Node, len(nodes)), Edges: edges, Truncated: truncated}
		for i, n := range nodes {
			g.Nodes[i] = n.node
		}
		return result{g: g, found: true}, nil
	})
	if err != nil {
		return graph.Subgraph{}, err
	}
	if !res.found {
		return graph.Subgraph{}, notFound(start)
	}
	return res.g, nil
}

// edgesAmong returns every relationship whose two ends are among nodes, each once with its
// stored direction, ordered by From (type, id), Type, then To (type, id). It expands outgoing
// relationships only: in this model the dense nodes (institutions, pharmacies, phones,
// terminals) have incoming relationships only, so the cost is bounded by the patients' claims.
func edgesAmong(ctx context.Context, tx neo4j.ManagedTransaction, nodes []visitedNode) ([]graph.Edge, error) {
	ids := make([]string, len(nodes))
	ref := make(map[string]graph.Ref, len(nodes))
	for i, n := range nodes {
		ids[i] = n.eid
		ref[n.eid] = n.node.Ref
	}
	recs, err := collect(ctx, tx, `MATCH (a) WHERE elementId(a) IN $ids
MATCH (a)-[r]->(b)
WHERE elementId(b) IN $ids
RETURN elementId(a), type(r), elementId(b)`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	edges := make([]graph.Edge, 0, len(recs))
	for _, rec := range recs {
		a, _ := rec.Values[0].(string)
		t, _ := rec.Values[1].(string)
		b, _ := rec.Values[2].(string)
		edges = append(edges, graph.Edge{From: ref[a], To: ref[b], Type: graph.RelType(t)})
	}
	slices.SortFunc(edges, compareEdges)
	return edges, nil
}

func compareRefs(a, b graph.Ref) int {
	if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func compareEdges(a, b graph.Edge) int {
	if c := compareRefs(a.From, b.From); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
		return c
	}
	return compareRefs(a.To, b.To)
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+3)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ShortestPath returns one shortest undirected path of at most maxDepth hops from a to b, nodes
// and edges in path order, or an empty subgraph when there is none.
func (s *Store) ShortestPath(ctx context.Context, a, b graph.Ref, maxDepth int) (graph.Subgraph, error) {
	if maxDepth < 1 {
		return graph.Subgraph{}, graph.FieldErrorf("max_depth", "最大跳数必须大于 0 / max_depth must be at least 1")
	}
	la, err := labelOf(a.Type, "a.type")
	if err != nil {
		return graph.Subgraph{}, err
	}
	lb, err := labelOf(b.Type, "b.type")
	if err != nil {
		return graph.Subgraph{}, err
	}
	// The hop bound of a variable-length pattern cannot be a parameter; it is a validated int.
	cypher := fmt.Sprintf(`MATCH (a:%s {id: $a}), (b:%s {id: $b})
MATCH p = shortestPath((a)-[*..%d]-(b))
RETURN p`, la, lb, maxDepth)
	type result struct {
		g      graph.Subgraph
		status int // 0 found or no path, 1 a missing, 2 b missing
	}
	res, err := readTx(ctx, s, "shortest path", func(tx neo4j.ManagedTransaction) (result, error) {
		empty := result{g: graph.Subgraph{Nodes: []graph.Node{}, Edges: []graph.Edge{}}}
		for i, r := range []graph.Ref{a, b} {
			recs, err := collect(ctx, tx, "MATCH (n:"+r.Type.Label()+" {id: $id}) RETURN properties(n)", map[string]any{"id": r.ID})
			if err != nil {
				return result{}, err
			}
			if len(recs) == 0 {
				return result{status: i + 1}, nil
			}
			if a == b {
				// shortestPath refuses equal ends; the path from a node to itself is the node.
				empty.g.Nodes = append(empty.g.Nodes, node(a.Type, propsOf(recs[0])))
				return empty, nil
			}
		}
		recs, err := collect(ctx, tx, cypher, map[string]any{"a": a.ID, "b": b.ID})
		if err != nil || len(recs) == 0 {
			return empty, err
		}
		path, ok := recs[0].Values[0].(neo4j.Path)
		if !ok {
			return empty, nil
		}
		g := empty.g
		ref := map[string]graph.Ref{}
		for _, n := range path.Nodes {
			t := graph.EntityType("")
			if len(n.Labels) > 0 {
				t = typeOfLabel(n.Labels[0])
			}
			gn := node(t, props(n.Props))
			ref[n.ElementId] = gn.Ref
			g.Nodes = append(g.Nodes, gn)
		}
		for _, r := range path.Relationships {
			g.Edges = append(g.Edges, graph.Edge{From: ref[r.StartElementId], To: ref[r.EndElementId], Type: graph.RelType(r.Type)})
		}
		return result{g: g}, nil
	})
	if err != nil {
		return graph.Subgraph{}, err
	}
	switch res.status {
	case 1:
		return graph.Subgraph{}, notFound(a)
	case 2:
		return graph.Subgraph{}, notFound(b)
	}
	return res.g, nil
}
