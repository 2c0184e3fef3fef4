package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/graph"
)

// Graph exploration: search, entity views, neighbourhoods, claims and paths. Every read of
// personal data is audit-logged with the entities it returned.

// Audit action names for reads of personal data.
const (
	actSearch        = "search"
	actEntity        = "read_entity"
	actNeighbourhood = "read_neighbourhood"
	actClaims        = "read_claims"
	actPath          = "read_path"
	actRing          = "read_ring"
	actRingSubgraph  = "read_ring_subgraph"
)

func nodeRefs(ns []graph.Node) []graph.Ref {
	out := make([]graph.Ref, len(ns))
	for i, n := range ns {
		out[i] = n.Ref
	}
	return out
}

func (s *Server) search(r *request) error {
	q := strings.TrimSpace(r.QueryParam("q"))
	if n := utf8.RuneCountInString(q); n < 1 || n > 64 {
		return fieldErr("q", "查询词须为 1–64 个字符", "q must be 1–64 characters")
	}
	types, err := typesParam(r, "types")
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 20, 1, 100)
	if err != nil {
		return err
	}
	var nodes []graph.Node
	if strings.HasPrefix(q, masking.PseudonymPrefix) {
		// A pseudonym copied from a masked view finds its node exactly.
		nodes = []graph.Node{}
		for _, t := range []graph.EntityType{graph.TypePatient, graph.TypePhone, graph.TypeAddress} {
			if id, ok := s.svc.Masker.Reveal(t, q); ok {
				n, err := s.cfg.Store.Node(r.ctx(), graph.Ref{Type: t, ID: id})
				if err == nil {
					nodes = append(nodes, n)
				} else if graph.ErrorCode(err) != graph.ENOTFOUND {
					return err
				}
			}
		}
	} else if nodes, err = s.cfg.Store.Search(r.ctx(), q, types, limit); err != nil {
		return err
	}
	if r.actor.Role == accounts.RoleAnalyst {
		nodes = realNumberLookup(nodes, q)
	}
	v, ix := s.viewer(r.actor), s.svc.Jobs.Latest()
	out := searchResult{Results: make([]nodeView, 0, len(nodes))}
	for _, n := range nodes {
		out.Results = append(out.Results, nodeViewOf(v, n, ix))
	}
	return s.recorded(r, actSearch, nodeRefs(nodes), "", http.StatusOK, out)
}

// realNumberLookup applies the analysts' rule for real identifiers: a person, phone or address is
// found by its complete real number (a lead names an insurance or phone number, and intake must
// find that person — answered masked and audited), never by a prefix of one, which would let an
// analyst enumerate which numbers exist. Names and professional parties search by prefix as before.
func realNumberLookup(nodes []graph.Node, q string) []graph.Node {
	out := nodes[:0]
	for _, n := range nodes {
		if masking.PersonalType(n.Ref.Type) && strings.HasPrefix(n.Ref.ID, q) && n.Ref.ID != q {
			continue
		}
		out = append(out, n)
	}
	return out
}

// maxEntityRings bounds the ring list of one entity view.
const maxEntityRings = 100

// policeMay refuses police a ref outside the cases transferred to them: police read only the
// parties and evidence of those cases.
func policeMay(a accounts.Actor, v *masking.Viewer, ref graph.Ref) error {
	if a.Role == accounts.RolePolice && !v.Full(ref) {
		return userErr(graph.EFORBIDDEN, "只能查看移送公安案件的当事方和证据", "police may read only parties and evidence of cases transferred to police")
	}
	return nil
}

func (s *Server) entity(r *request) error {
	ref, err := s.pathRef(r)
	if err != nil {
		return err
	}
	v := s.viewer(r.actor)
	if err := policeMay(r.actor, v, ref); err != nil {
		return err
	}
	n, err := s.cfg.Store.Node(r.ctx(), ref)
	if err != nil {
		return err
	}
	ix := s.svc.Jobs.Latest()
	out := entityView{Node: nodeViewOf(v, n, ix), Rings: []jobs.RingSummary{}}
	if ix != nil {
		out.JobID = ix.JobID
		if e, ok := ix.Risk(ref); ok {
			out.Risk = &riskView{Score: e.Score, Reasons: e.Reasons}
		}
		out.Rings = ix.RingsOf(ref, maxEntityRings)
	}
	now := s.cfg.Now()
	entry, listed, err := s.svc.Blacklist.Listing(r.ctx(), ref, now)
	if err != nil {
		return err
	}
	if listed {
		bv := blacklistViewOf(v, entry, true)
		out.Blacklisted = &bv
	}
	detail := "masked"
	if !out.Node.Masked {
		detail = "full"
	}
	return s.recorded(r, actEntity, []graph.Ref{ref}, detail, http.StatusOK, out)
}

func (s *Server) neighbourhood(r *request) error {
	ref, err := s.pathRef(r)
	if err != nil {
		return err
	}
	depth, err := intParam(r, "depth", 1, 1, 3)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 200, 1, 2000)
	if err != nil {
		return err
	}
	types, err := typesParam(r, "types")
	if err != nil {
		return err
	}
	from, to, err := timeRange(r)
	if err != nil {
		return err
	}
	view, err := viewParam(r)
	if err != nil {
		return err
	}
	if view == viewAggregate && depth == 1 && ref.Type.IsParty() {
		return s.aggregateNeighbourhood(r, ref, limit, types, from, to)
	}
	g, err := s.cfg.Store.Neighbourhood(r.ctx(), ref, graph.NeighbourhoodQuery{Depth: depth, Limit: limit, Types: types, From: from, To: to})
	if err != nil {
		return err
	}
	out := subgraphViewOf(s.viewer(r.actor), g, nil, s.svc.Jobs.Latest(), limit)
	out.View = viewClaims
	return s.recorded(r, actNeighbourhood, append([]graph.Ref{ref}, nodeRefs(g.Nodes)...), "", http.StatusOK, out)
}

// maxNeighbourClaims bounds the claims of one party folded into its aggregated neighbourhood.
const maxNeighbourClaims = 50_000

// aggregateNeighbourhood draws a party's direct dealings: the parties it has claims with, each
// joined by one aggregated edge (count, fund amount, date range), the heaviest counterparts first
// up to limit nodes, plus its stored non-claim neighbours (phone, address, workplace). Parties
// and Claims say how much the whole picture holds, so that a cap is announced.
func (s *Server) aggregateNeighbourhood(r *request, ref graph.Ref, limit int, types []graph.EntityType, from, to time.Time) error {
	ctx := r.ctx()
	cs, total, err := s.cfg.Store.Claims(ctx, graph.ClaimQuery{Party: ref, From: from, To: to, Limit: maxNeighbourClaims})
	if err != nil {
		return err
	}
	agg := newClaimAggregate()
	for _, c := range cs {
		agg.addClaim(c)
	}
	wanted := func(t graph.EntityType) bool { return len(types) == 0 || slices.Contains(types, t) }
	// Stored relationships that are not claims: a patient's phone and address, a doctor's
	// workplace, the patients at an address.
	var nonClaim []graph.EntityType
	for _, t := range graph.EntityTypes {
		if t != graph.TypeClaim && wanted(t) {
			nonClaim = append(nonClaim, t)
		}
	}
	stored, err := s.cfg.Store.Neighbourhood(ctx, ref, graph.NeighbourhoodQuery{Depth: 1, Limit: limit, Types: nonClaim})
	if err != nil {
		return err
	}
	b := newSubgraphBuilder(s.cfg.Store, limit)
	for _, n := range stored.Nodes {
		if n.Type != graph.TypeClaim && !b.seen[n.Ref] {
			b.seen[n.Ref] = true
			b.g.Nodes = append(b.g.Nodes, n)
		}
	}
	for _, e := range stored.Edges {
		if b.seen[e.From] && b.seen[e.To] {
			b.g.Edges = append(b.g.Edges, e)
		}
	}
	parties := 0
	for _, p := range agg.parties([]graph.Ref{ref}) {
		if p == ref || wanted(p.Type) {
			parties++
			b.add(ctx, p)
		}
	}
	b.g.Truncated = b.g.Truncated || stored.Truncated
	out := subgraphViewOf(s.viewer(r.actor), b.g, agg.among(b.seen), s.svc.Jobs.Latest(), limit)
	out.View, out.Parties, out.Claims, out.ClaimsCapped = viewAggregate, parties, len(cs), total > len(cs)
	return s.recorded(r, actNeighbourhood, append([]graph.Ref{ref}, nodeRefs(b.g.Nodes)...), "", http.StatusOK, out)
}

// partyClaimQuery reads what the claims and timeline routes of a party share: the party (path),
// the time range and claim types, with the caller's viewer, refusing police outside their cases.
func (s *Server) partyClaimQuery(r *request) (graph.ClaimQuery, *masking.Viewer, error) {
	ref, err := s.pathRef(r)
	if err != nil {
		return graph.ClaimQuery{}, nil, err
	}
	if !ref.Type.IsParty() {
		return graph.ClaimQuery{}, nil, fieldErr("type", "只能查询当事方（参保人、医师、机构、药店）的结算单与时间线", "claims and timelines belong to parties only")
	}
	from, to, err := timeRange(r)
	if err != nil {
		return graph.ClaimQuery{}, nil, err
	}
	types, err := claimTypesParam(r, "types")
	if err != nil {
		return graph.ClaimQuery{}, nil, err
	}
	v := s.viewer(r.actor)
	if err := policeMay(r.actor, v, ref); err != nil {
		return graph.ClaimQuery{}, nil, err
	}
	return graph.ClaimQuery{Party: ref, From: from, To: to, Types: types}, v, nil
}

func (s *Server) claims(r *request) error {
	q, v, err := s.partyClaimQuery(r)
	if err != nil {
		return err
	}
	ref := q.Party
	q.Offset, q.Limit, err = pageParams(r, 1_000_000)
	if err != nil {
		return err
	}
	refs := []graph.Ref{ref}
	var cs []graph.Claim
	var total int
	if r.QueryParam("with") != "" {
		with, err := s.refParam(r, "with")
		if err != nil {
			return err
		}
		if err := policeMay(r.actor, v, with); err != nil {
			return err
		}
		cs, total, err = s.sharedClaims(r.ctx(), ref, with, q)
		if err != nil {
			return err
		}
		refs = append(refs, with)
	} else {
		cs, total, err = s.cfg.Store.Claims(r.ctx(), q)
		if err != nil {
			return err
		}
	}
	out := claimPage{Claims: make([]claimView, 0, len(cs)), Total: total, Offset: q.Offset, Limit: q.Limit}
	for _, c := range cs {
		cv, masked := v.Claim(c)
		out.Claims = append(out.Claims, claimView{Claim: cv, Masked: masked})
		refs = append(refs, graph.Ref{Type: graph.TypeClaim, ID: c.ID})
	}
	return s.recorded(r, actClaims, refs, "", http.StatusOK, out)
}

// sharedClaims returns the page q selects of the claims a and b share (the claims behind one
// aggregated edge), ordered as Claims orders them, and how many there are. It lists the claims of
// the side with fewer of them — a patient's, else a doctor's — and keeps those naming the other.
func (s *Server) sharedClaims(ctx context.Context, a, b graph.Ref, q graph.ClaimQuery) ([]graph.Claim, int, error) {
	if !b.Type.IsParty() {
		return nil, 0, fieldErr("with", "with 须为当事方（参保人、医师、机构、药店）", "with must be a party (patient, doctor, institution or pharmacy)")
	}
	if a == b || (a.Type.IsProvider() && b.Type.IsProvider()) || (a.Type == b.Type) {
		return nil, 0, fieldErr("with", "这两方之间没有共同的结算单", "these two parties share no claims")
	}
	if rank(b) < rank(a) {
		a, b = b, a
	}
	all, _, err := s.cfg.Store.Claims(ctx, graph.ClaimQuery{Party: a, From: q.From, To: q.To, Types: q.Types})
	if err != nil {
		return nil, 0, err
	}
	var shared []graph.Claim
	for _, c := range all {
		if claimNames(c, b) {
			shared = append(shared, c)
		}
	}
	total := len(shared)
	lo := min(q.Offset, total)
	hi := total
	if q.Limit > 0 {
		hi = min(lo+q.Limit, total)
	}
	return shared[lo:hi], total, nil
}

// rank orders parties by how few claims one of them usually has: patients, doctors, providers.
func rank(r graph.Ref) int {
	switch r.Type {
	case graph.TypePatient:
		return 0
	case graph.TypeDoctor:
		return 1
	default:
		return 2
	}
}

// claimNames reports whether claim c names party p as its patient, treating doctor or provider.
func claimNames(c graph.Claim, p graph.Ref) bool {
	switch p.Type {
	case graph.TypePatient:
		return c.PatientID == p.ID
	case graph.TypeDoctor:
		return c.DoctorID == p.ID
	default:
		return c.ProviderType == p.Type && c.ProviderID == p.ID
	}
}

func (s *Server) paths(r *request) error {
	a, err := s.refParam(r, "from")
	if err != nil {
		return err
	}
	b, err := s.refParam(r, "to")
	if err != nil {
		return err
	}
	maxDepth, err := intParam(r, "max_depth", 4, 1, 6)
	if err != nil {
		return err
	}
	g, err := s.cfg.Store.ShortestPath(r.ctx(), a, b, maxDepth)
	if err != nil {
		return err
	}
	out := subgraphViewOf(s.viewer(r.actor), g, nil, s.svc.Jobs.Latest(), 0)
	return s.recorded(r, actPath, append([]graph.Ref{a, b}, nodeRefs(g.Nodes)...), "", http.StatusOK, out)
}
