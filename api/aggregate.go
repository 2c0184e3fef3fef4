package api

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ringtrace/ringtrace/graph"
)

// Aggregated relationships of the workbench's default picture. They are not stored: they fold the
// claims between two parties into one edge (Linkurious' and Bloom's edge aggregation), so that a
// ring or a pharmacy with thousands of settlements reads as who dealt with whom, how often, for
// how much and when, instead of one anonymous claim dot per settlement.
const (
	relClaimedAt graph.RelType = "CLAIMED_AT" // patient → institution | pharmacy: the patient's claims there
	relSeenBy    graph.RelType = "SEEN_BY"    // patient → doctor: the patient's claims by that doctor
	relBilledAt  graph.RelType = "BILLED_AT"  // doctor → institution | pharmacy: the doctor's claims there
)

// aggEdge is one aggregated relationship: the claims between From and To.
type aggEdge struct {
	From, To    graph.Ref
	Type        graph.RelType
	Claims      int
	Fund        graph.Money
	First, Last time.Time
}

// claimAggregate folds claims into aggregated edges, keeping the order in which pairs first
// appear so that the result is deterministic for a given claim order.
type claimAggregate struct {
	edges []aggEdge
	index map[[2]graph.Ref]int
	// weight sums, per counterpart party, the fund amount of its claims: the order in which a
	// capped picture keeps counterparts.
	weight map[graph.Ref]graph.Money
}

func newClaimAggregate() *claimAggregate {
	return &claimAggregate{index: map[[2]graph.Ref]int{}, weight: map[graph.Ref]graph.Money{}}
}

func (a *claimAggregate) add(from, to graph.Ref, rel graph.RelType, c graph.Claim) {
	k := [2]graph.Ref{from, to}
	i, ok := a.index[k]
	if !ok {
		i = len(a.edges)
		a.index[k] = i
		a.edges = append(a.edges, aggEdge{From: from, To: to, Type: rel, First: c.Start, Last: c.Start})
	}
	e := &a.edges[i]
	e.Claims++
	e.Fund += c.FundAmount
	if c.Start.Before(e.First) {
		e.First = c.Start
	}
	if c.Start.After(e.Last) {
		e.Last = c.Start
	}
	a.weight[from] += c.FundAmount
	a.weight[to] += c.FundAmount
}

// addClaim folds one claim into patient → provider, patient → doctor and doctor → provider edges.
func (a *claimAggregate) addClaim(c graph.Claim) {
	pat := graph.Ref{Type: graph.TypePatient, ID: c.PatientID}
	prov := graph.Ref{Type: c.ProviderType, ID: c.ProviderID}
	a.add(pat, prov, relClaimedAt, c)
	if c.DoctorID != "" {
		doc := graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID}
		a.add(pat, doc, relSeenBy, c)
		a.add(doc, prov, relBilledAt, c)
	}
}

// parties returns every party an edge touches, heaviest (by fund amount) first, ties by key, with
// the refs in keep first in their given order.
func (a *claimAggregate) parties(keep []graph.Ref) []graph.Ref {
	first := map[graph.Ref]bool{}
	for _, r := range keep {
		first[r] = true
	}
	var rest []graph.Ref
	for r := range a.weight {
		if !first[r] {
			rest = append(rest, r)
		}
	}
	slices.SortFunc(rest, func(x, y graph.Ref) int {
		if c := cmp.Compare(a.weight[y], a.weight[x]); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Type, y.Type); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return append(slices.Clone(keep), rest...)
}

// among returns the aggregated edges whose both ends are in shown.
func (a *claimAggregate) among(shown map[graph.Ref]bool) []aggEdge {
	var out []aggEdge
	for _, e := range a.edges {
		if shown[e.From] && shown[e.To] {
			out = append(out, e)
		}
	}
	return out
}

// subgraphBuilder collects the nodes of a picture up to a limit, each once, marking the picture
// truncated when the limit turns a node away.
type subgraphBuilder struct {
	store nodeReader
	limit int
	g     graph.Subgraph
	seen  map[graph.Ref]bool
}

// nodeReader is the part of the store a subgraphBuilder reads.
type nodeReader interface {
	Node(ctx context.Context, ref graph.Ref) (graph.Node, error)
}

func newSubgraphBuilder(store nodeReader, limit int) *subgraphBuilder {
	return &subgraphBuilder{store: store, limit: limit, seen: map[graph.Ref]bool{}}
}

// add puts the node ref in the picture (a node the store cannot read is drawn with its id as its
// label); it reports false when the limit turned it away.
func (b *subgraphBuilder) add(ctx context.Context, ref graph.Ref) bool {
	if b.seen[ref] {
		return true
	}
	if len(b.g.Nodes) >= b.limit {
		b.g.Truncated = true
		return false
	}
	n, err := b.store.Node(ctx, ref)
	if err != nil {
		n = graph.Node{Ref: ref, Label: ref.ID}
	}
	b.seen[ref] = true
	b.g.Nodes = append(b.g.Nodes, n)
	return true
}

// The pictures a subgraph route can draw.
const (
	viewAggregate = "aggregate" // claims folded into edges between parties (the default)
	viewClaims    = "claims"    // one node per claim
)

// viewParam reads the view parameter: aggregate (default) or claims.
func viewParam(c echo.Context) (string, error) {
	switch v := c.QueryParam("view"); v {
	case "", viewAggregate:
		return viewAggregate, nil
	case viewClaims:
		return viewClaims, nil
	default:
		return "", fieldErr("view", "view 只能是 aggregate（按关系汇总结算单）或 claims（逐笔结算单）", "view must be aggregate (claims folded into edges) or claims (one node per claim)")
	}
}
