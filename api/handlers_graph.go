package api

import (
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ringtrace/ringtrace/graph"
)

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

func refStrings(refs []graph.Ref) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.String()
	}
	return out
}

func nodeRefs(ns []graph.Node) []graph.Ref {
	out := make([]graph.Ref, len(ns))
	for i, n := range ns {
		out[i] = n.Ref
	}
	return out
}

// record writes an audit record for the request; the response must not be sent if it fails.
func (s *Server) record(r *request, action string, refs []graph.Ref, detail string) error {
	return s.audit.Append(r.ctx(), AuditRecord{
		Actor: r.actor.Username, Role: string(r.actor.Role), Action: action, Entities: refStrings(refs),
		Remote: r.RealIP(), RequestID: requestID(r.Context), Detail: detail,
	})
}

type searchResult struct {
	Results []nodeView `json:"results"`
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
	v := s.viewer(r.actor)
	var nodes []graph.Node
	if strings.HasPrefix(q, pseudonymPrefix) {
		// A pseudonym copied from a masked view finds its node exactly.
		nodes = []graph.Node{}
		for _, t := range []graph.EntityType{graph.TypePatient, graph.TypePhone, graph.TypeAddress} {
			if id, ok := s.masker.Reveal(t, q); ok {
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
	ix := s.jobs.Latest()
	out := searchResult{Results: make([]nodeView, 0, len(nodes))}
	for _, n := range nodes {
		out.Results = append(out.Results, v.node(n, ix))
	}
	if err := s.record(r, actSearch, nodeRefs(nodes), ""); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
}

type riskView struct {
	Score   float64        `json:"score"`
	Reasons []graph.Reason `json:"reasons"`
}

type entityView struct {
	Node  nodeView      `json:"node"`
	Risk  *riskView     `json:"risk,omitempty"`
	Rings []RingSummary `json:"rings"`
	JobID string        `json:"job_id,omitempty"`
}

// maxEntityRings bounds the ring list of one entity view.
const maxEntityRings = 100

func (s *Server) entity(r *request) error {
	ref, err := s.pathRef(r)
	if err != nil {
		return err
	}
	v := s.viewer(r.actor)
	if r.actor.Role == RolePolice && !v.policeMay(ref) {
		return userErr(graph.EFORBIDDEN, "只能查看移送公安案件的当事方和证据", "police may read only parties and evidence of cases transferred to police")
	}
	n, err := s.cfg.Store.Node(r.ctx(), ref)
	if err != nil {
		return err
	}
	ix := s.jobs.Latest()
	out := entityView{Node: v.node(n, ix), Rings: []RingSummary{}}
	if ix != nil {
		out.JobID = ix.jobID
		if i, ok := ix.risk[ref]; ok {
			e := ix.f.Entities[i]
			out.Risk = &riskView{Score: e.Score, Reasons: e.Reasons}
		}
		for _, ri := range ix.ringsOf[ref] {
			if len(out.Rings) == maxEntityRings {
				break
			}
			rg := ix.f.Rings[ri]
			out.Rings = append(out.Rings, RingSummary{ID: rg.ID, Kind: rg.Kind, Score: rg.Score})
		}
	}
	detail := "masked"
	if !out.Node.Masked {
		detail = "full"
	}
	if err := s.record(r, actEntity, []graph.Ref{ref}, detail); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
}

type edgeView struct {
	From graph.Ref     `json:"from"`
	To   graph.Ref     `json:"to"`
	Type graph.RelType `json:"type"`
}

type subgraphView struct {
	Nodes     []nodeView `json:"nodes"`
	Edges     []edgeView `json:"edges"`
	Truncated bool       `json:"truncated"`
	Limit     int        `json:"limit,omitempty"`
	JobID     string     `json:"job_id,omitempty"`
}

// subgraph maps a store subgraph to what the caller may see, keeping edge ends consistent with
// the (possibly pseudonymised) node ids.
func (v *viewer) subgraph(g graph.Subgraph, ix *findingsIndex, limit int) subgraphView {
	out := subgraphView{Nodes: make([]nodeView, 0, len(g.Nodes)), Edges: make([]edgeView, 0, len(g.Edges)), Truncated: g.Truncated, Limit: limit}
	shown := make(map[graph.Ref]graph.Ref, len(g.Nodes))
	for _, n := range g.Nodes {
		nv := v.node(n, ix)
		shown[n.Ref] = nv.Ref
		out.Nodes = append(out.Nodes, nv)
	}
	for _, e := range g.Edges {
		from, ok1 := shown[e.From]
		to, ok2 := shown[e.To]
		if !ok1 {
			from = v.ref(e.From)
		}
		if !ok2 {
			to = v.ref(e.To)
		}
		out.Edges = append(out.Edges, edgeView{From: from, To: to, Type: e.Type})
	}
	if ix != nil {
		out.JobID = ix.jobID
	}
	return out
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
	g, err := s.cfg.Store.Neighbourhood(r.ctx(), ref, graph.NeighbourhoodQuery{Depth: depth, Limit: limit, Types: types, From: from, To: to})
	if err != nil {
		return err
	}
	out := s.viewer(r.actor).subgraph(g, s.jobs.Latest(), limit)
	if err := s.record(r, actNeighbourhood, append([]graph.Ref{ref}, nodeRefs(g.Nodes)...), ""); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
}

type claimView struct {
	graph.Claim
	Masked bool `json:"masked,omitempty"`
}

type claimPage struct {
	Claims []claimView `json:"claims"`
	Total  int         `json:"total"`
	Offset int         `json:"offset"`
	Limit  int         `json:"limit"`
}

func (s *Server) claims(r *request) error {
	ref, err := s.pathRef(r)
	if err != nil {
		return err
	}
	if !ref.Type.IsParty() {
		return fieldErr("type", "只能查询当事方（参保人、医师、机构、药店）的结算单", "claims are listed for parties only")
	}
	from, to, err := timeRange(r)
	if err != nil {
		return err
	}
	types, err := claimTypesParam(r, "types")
	if err != nil {
		return err
	}
	offset, limit, err := pageParams(r, 1_000_000)
	if err != nil {
		return err
	}
	v := s.viewer(r.actor)
	if r.actor.Role == RolePolice && !v.policeMay(ref) {
		return userErr(graph.EFORBIDDEN, "只能查看移送公安案件的当事方和证据", "police may read only parties and evidence of cases transferred to police")
	}
	cs, total, err := s.cfg.Store.Claims(r.ctx(), graph.ClaimQuery{Party: ref, From: from, To: to, Types: types, Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	out := claimPage{Claims: make([]claimView, 0, len(cs)), Total: total, Offset: offset, Limit: limit}
	refs := []graph.Ref{ref}
	for _, c := range cs {
		cv, masked := v.claim(c)
		out.Claims = append(out.Claims, claimView{Claim: cv, Masked: masked})
		refs = append(refs, graph.Ref{Type: graph.TypeClaim, ID: c.ID})
	}
	if err := s.record(r, actClaims, refs, ""); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
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
	out := s.viewer(r.actor).subgraph(g, s.jobs.Latest(), 0)
	if err := s.record(r, actPath, append([]graph.Ref{a, b}, nodeRefs(g.Nodes)...), ""); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
}

// ---- findings ----

type ringPage struct {
	JobID  string       `json:"job_id"`
	Rings  []graph.Ring `json:"rings"`
	Total  int          `json:"total"`
	Offset int          `json:"offset"`
	Limit  int          `json:"limit"`
}

var ringSorts = map[string]bool{"-score": true, "score": true, "-amount": true, "amount": true, "-size": true, "size": true, "id": true}

func (s *Server) listRings(r *request) error {
	kind := r.QueryParam("kind")
	if kind != "" && len(kind) > 64 {
		return fieldErr("kind", "kind 过长", "kind too long")
	}
	minScore, err := floatParam(r, "min_score", 0, 0, 1)
	if err != nil {
		return err
	}
	sortBy := r.QueryParam("sort")
	if sortBy == "" {
		sortBy = "-score"
	}
	if !ringSorts[sortBy] {
		return fieldErr("sort", "sort 须为 -score、score、-amount、amount、-size、size 或 id", "sort must be one of -score, score, -amount, amount, -size, size, id")
	}
	offset, limit, err := pageParams(r, 1_000_000)
	if err != nil {
		return err
	}
	provider, region := r.QueryParam("provider"), r.QueryParam("region")
	ix, err := s.jobs.Findings(r.QueryParam("job"))
	if err != nil {
		return err
	}
	var sel []graph.Ring
	for _, rg := range ix.f.Rings {
		if kind != "" && rg.Kind != kind || rg.Score < minScore || region != "" && rg.Region != region {
			continue
		}
		if provider != "" && !hasProvider(rg, provider) {
			continue
		}
		sel = append(sel, rg)
	}
	sortRings(sel, sortBy)
	v := s.viewer(r.actor)
	out := ringPage{JobID: ix.jobID, Rings: []graph.Ring{}, Total: len(sel), Offset: offset, Limit: limit}
	var refs []graph.Ref
	for i := offset; i < len(sel) && len(out.Rings) < limit; i++ {
		out.Rings = append(out.Rings, v.ring(sel[i]))
		refs = append(refs, sel[i].Members...)
	}
	if err := s.record(r, "list_rings", refs, "job "+ix.jobID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
}

func hasProvider(rg graph.Ring, id string) bool {
	for _, m := range rg.Members {
		if m.Type.IsProvider() && m.ID == id {
			return true
		}
	}
	return false
}

func sortRings(rs []graph.Ring, by string) {
	key := func(r graph.Ring) float64 {
		switch strings.TrimPrefix(by, "-") {
		case "amount":
			return float64(r.Amount)
		case "size":
			return float64(len(r.Members))
		}
		return r.Score
	}
	desc := strings.HasPrefix(by, "-")
	sort.SliceStable(rs, func(i, j int) bool {
		if by == "id" {
			return rs[i].ID < rs[j].ID
		}
		a, b := key(rs[i]), key(rs[j])
		if a != b {
			return a > b == desc
		}
		return rs[i].ID < rs[j].ID
	})
}

func (s *Server) findRing(r *request) (*findingsIndex, graph.Ring, error) {
	ix, err := s.jobs.Findings(r.QueryParam("job"))
	if err != nil {
		return nil, graph.Ring{}, err
	}
	i, ok := ix.ring[r.Param("id")]
	if !ok {
		return nil, graph.Ring{}, userErr(graph.ENOTFOUND, "团伙不存在", "no such ring in this job")
	}
	return ix, ix.f.Rings[i], nil
}

func (s *Server) getRing(r *request) error {
	ix, rg, err := s.findRing(r)
	if err != nil {
		return err
	}
	if err := s.record(r, actRing, rg.Members, "job "+ix.jobID+" ring "+rg.ID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, s.viewer(r.actor).ring(rg))
}

// maxClaimsPerMember bounds the claims read per ring member when drawing a ring.
const maxClaimsPerMember = 200

// ringSubgraph draws a ring: its members, the doctors and providers of their claims, and the
// claims that tie members to them (a claim of a member patient at a member provider or by a
// member doctor; when the ring names no provider or doctor, claims at providers shared by two or
// more member patients).
func (s *Server) ringSubgraph(r *request) error {
	ix, rg, err := s.findRing(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 500, 1, 2000)
	if err != nil {
		return err
	}
	ctx := r.ctx()
	members := map[graph.Ref]bool{}
	hasOrganiser := false
	for _, m := range rg.Members {
		members[m] = true
		if m.Type != graph.TypePatient {
			hasOrganiser = true
		}
	}
	var claims []graph.Claim
	for _, m := range rg.Members {
		if m.Type != graph.TypePatient {
			continue
		}
		cs, _, err := s.cfg.Store.Claims(ctx, graph.ClaimQuery{Party: m, Limit: maxClaimsPerMember})
		if err != nil {
			return err
		}
		claims = append(claims, cs...)
	}
	// Which providers tie two or more member patients together.
	shared := map[string]map[string]bool{}
	for _, c := range claims {
		if shared[c.ProviderID] == nil {
			shared[c.ProviderID] = map[string]bool{}
		}
		shared[c.ProviderID][c.PatientID] = true
	}
	var g graph.Subgraph
	seen := map[graph.Ref]bool{}
	add := func(ref graph.Ref) bool {
		if seen[ref] {
			return true
		}
		if len(g.Nodes) >= limit {
			g.Truncated = true
			return false
		}
		n, err := s.cfg.Store.Node(ctx, ref)
		if err != nil {
			n = graph.Node{Ref: ref, Label: ref.ID}
		}
		seen[ref] = true
		g.Nodes = append(g.Nodes, n)
		return true
	}
	for _, m := range rg.Members {
		add(m)
	}
	for _, c := range claims {
		prov := graph.Ref{Type: c.ProviderType, ID: c.ProviderID}
		doc := graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID}
		ties := false
		if hasOrganiser {
			ties = members[prov] || (c.DoctorID != "" && members[doc])
		} else {
			ties = len(shared[c.ProviderID]) >= 2
		}
		if !ties {
			continue
		}
		cref := graph.Ref{Type: graph.TypeClaim, ID: c.ID}
		if !add(cref) {
			break
		}
		g.Edges = append(g.Edges, graph.Edge{From: graph.Ref{Type: graph.TypePatient, ID: c.PatientID}, To: cref, Type: graph.RelFiled})
		if add(prov) {
			g.Edges = append(g.Edges, graph.Edge{From: cref, To: prov, Type: graph.RelAt})
		}
		if c.DoctorID != "" && add(doc) {
			g.Edges = append(g.Edges, graph.Edge{From: cref, To: doc, Type: graph.RelTreatedBy})
		}
	}
	out := s.viewer(r.actor).subgraph(g, ix, limit)
	out.JobID = ix.jobID
	if err := s.record(r, actRingSubgraph, nodeRefs(g.Nodes), "job "+ix.jobID+" ring "+rg.ID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
}
