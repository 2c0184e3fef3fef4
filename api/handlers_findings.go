package api

import (
	"net/http"
	"sort"
	"strings"

	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/graph"
)

// Detection jobs and their findings: rings, ring pictures, run comparison.

func (s *Server) startJob(r *request) error {
	var req jobCreate
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if string(req.Params) == "null" {
		req.Params = nil // "params": null means the defaults, as an absent key does
	}
	if len(req.Params) > 0 && req.Params[0] != '{' {
		return fieldErr("params", "params 须为 JSON 对象", "params must be a JSON object")
	}
	job, err := s.svc.Jobs.Start(r.actor.Username, req.Params, req.Note)
	if err != nil {
		return err
	}
	return s.recorded(r, "start_job", nil, "job "+job.ID, http.StatusAccepted, job)
}

func (s *Server) listJobs(r *request) error {
	offset, limit, err := pageParams(r, 1_000_000)
	if err != nil {
		return err
	}
	list, total := s.svc.Jobs.List(offset, limit)
	return r.JSON(http.StatusOK, map[string]any{"jobs": list, "total": total})
}

func (s *Server) getJob(r *request) error {
	job, err := s.svc.Jobs.Get(r.Param("id"))
	if err != nil {
		return err
	}
	return r.JSON(http.StatusOK, job)
}

func (s *Server) cancelJob(r *request) error {
	job, err := s.svc.Jobs.Cancel(r.Param("id"))
	if err != nil {
		return err
	}
	return s.recorded(r, "cancel_job", nil, "job "+job.ID, http.StatusOK, job)
}

// jobWithFindings returns job id and its findings.
func (s *Server) jobWithFindings(id string) (jobs.Job, *jobs.Index, error) {
	job, err := s.svc.Jobs.Get(id)
	if err != nil {
		return job, nil, err
	}
	ix, err := s.svc.Jobs.Findings(id)
	return job, ix, err
}

func (s *Server) compareJobs(r *request) error {
	a, b := r.QueryParam("a"), r.QueryParam("b")
	if a == "" {
		return fieldErr("a", "需要任务 a", "job a is required")
	}
	if b == "" {
		return fieldErr("b", "需要任务 b", "job b is required")
	}
	ja, fa, err := s.jobWithFindings(a)
	if err != nil {
		return err
	}
	jb, fb, err := s.jobWithFindings(b)
	if err != nil {
		return err
	}
	return r.JSON(http.StatusOK, jobs.Compare(fa, fb, ja.Params, jb.Params))
}

func (s *Server) defaultParams(r *request) error {
	return r.JSONBlob(http.StatusOK, s.svc.Jobs.Defaults())
}

var ringSorts = map[string]bool{"-score": true, "score": true, "-amount": true, "amount": true, "-expected": true, "expected": true, "-size": true, "size": true, "id": true}

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
		return fieldErr("sort", "sort 须为 -score、score、-amount、amount、-expected、expected、-size、size 或 id", "sort must be one of -score, score, -amount, amount, -expected, expected, -size, size, id")
	}
	class := r.QueryParam("class")
	if class != "" && class != graph.ClassRing && class != graph.ClassLead {
		return fieldErr("class", "class 只能是 ring（团伙）或 lead（线索）", "class must be ring or lead")
	}
	offset, limit, err := pageParams(r, 1_000_000)
	if err != nil {
		return err
	}
	provider, region := r.QueryParam("provider"), r.QueryParam("region")
	ix, err := s.svc.Jobs.Findings(r.QueryParam("job"))
	if err != nil {
		return err
	}
	var sel []graph.Ring
	for _, rg := range ix.All() {
		if kind != "" && rg.Kind != kind || rg.Score < minScore || region != "" && rg.Region != region || class != "" && rg.Class != class {
			continue
		}
		if provider != "" && !hasProvider(rg, provider) {
			continue
		}
		sel = append(sel, rg)
	}
	sortRings(sel, sortBy)
	v := s.viewer(r.actor)
	out := ringPage{JobID: ix.JobID, Rings: []graph.Ring{}, Total: len(sel), Offset: offset, Limit: limit}
	var refs []graph.Ref
	for i := offset; i < len(sel) && len(out.Rings) < limit; i++ {
		out.Rings = append(out.Rings, v.Ring(sel[i]))
		refs = append(refs, sel[i].Members...)
	}
	out.Labels, err = s.boardLabels(r, out.Rings)
	if err != nil {
		return err
	}
	out.RingCount, out.Leads = len(ix.Findings.Rings), len(ix.Findings.Leads)
	return s.recorded(r, "list_rings", refs, "job "+ix.JobID, http.StatusOK, out)
}

// boardLabels names the providers and doctors of the rings on a page ("type:id" → name) so that
// the board shows names beside codes, and fills the region of a ring that has none from its
// first provider (card and dead-card leads are found per card, not per pooling region). Patients
// are not named here: the board is read by every analyst, who sees patients masked.
func (s *Server) boardLabels(r *request, rings []graph.Ring) (map[string]string, error) {
	labels := map[string]string{}
	for i := range rings {
		for _, m := range rings[i].Members {
			if m.Type != graph.TypeDoctor && !m.Type.IsProvider() {
				continue
			}
			k := string(m.Type) + ":" + m.ID
			n, err := s.cfg.Store.Node(r.ctx(), m)
			if graph.ErrorCode(err) == graph.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			if n.Label != "" && n.Label != m.ID {
				labels[k] = n.Label
			}
			if rings[i].Region == "" && m.Type.IsProvider() {
				rings[i].Region = n.Props["region"]
			}
		}
	}
	return labels, nil
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
		case "expected":
			return float64(r.ExpectedAmount)
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

func (s *Server) findRing(r *request) (*jobs.Index, graph.Ring, error) {
	ix, err := s.svc.Jobs.Findings(r.QueryParam("job"))
	if err != nil {
		return nil, graph.Ring{}, err
	}
	rg, ok := ix.Ring(r.Param("id"))
	if !ok {
		return nil, graph.Ring{}, userErr(graph.ENOTFOUND, "团伙不存在", "no such ring in this job")
	}
	return ix, rg, nil
}

func (s *Server) getRing(r *request) error {
	ix, rg, err := s.findRing(r)
	if err != nil {
		return err
	}
	return s.recorded(r, actRing, rg.Members, "job "+ix.JobID+" ring "+rg.ID, http.StatusOK, s.viewer(r.actor).Ring(rg))
}

// maxClaimsPerMember bounds the claims read per ring member when drawing a ring.
const maxClaimsPerMember = 200

// ringSubgraph draws a ring: its members, the doctors and providers of their claims, and the
// claims that tie members to them (jobs.TyingClaims). By default (view=aggregate) the claims are
// folded into one edge per patient–provider, patient–doctor and doctor–provider pair carrying
// count, fund amount and date range; view=claims draws one node per claim, as before.
func (s *Server) ringSubgraph(r *request) error {
	ix, rg, err := s.findRing(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 500, 1, 2000)
	if err != nil {
		return err
	}
	view, err := viewParam(r)
	if err != nil {
		return err
	}
	ctx := r.ctx()
	if view == viewAggregate {
		key := pictureKey{job: ix.JobID, ring: rg.ID, limit: limit}
		p, ok := s.pictures.get(key)
		if !ok {
			if p, err = s.aggregateRingPicture(r, rg, limit); err != nil {
				return err
			}
			p.key = key
			s.pictures.put(p)
		}
		out := subgraphViewOf(s.viewer(r.actor), p.g, p.edges, ix, limit)
		out.View, out.Parties, out.Claims, out.ClaimsCapped = viewAggregate, p.parties, p.claims, p.capped
		return s.recorded(r, actRingSubgraph, nodeRefs(p.g.Nodes), "job "+ix.JobID+" ring "+rg.ID, http.StatusOK, out)
	}
	claims, capped, err := s.ringClaims(r, rg)
	if err != nil {
		return err
	}
	tying := jobs.TyingClaims(rg.Members, claims)
	b := newSubgraphBuilder(s.cfg.Store, limit)
	add := func(ref graph.Ref) bool { return b.add(ctx, ref) }
	for _, m := range rg.Members {
		add(m)
	}
	for _, c := range tying {
		cref := graph.Ref{Type: graph.TypeClaim, ID: c.ID}
		if !add(cref) {
			break
		}
		b.g.Edges = append(b.g.Edges, graph.Edge{From: graph.Ref{Type: graph.TypePatient, ID: c.PatientID}, To: cref, Type: graph.RelFiled})
		if prov := (graph.Ref{Type: c.ProviderType, ID: c.ProviderID}); add(prov) {
			b.g.Edges = append(b.g.Edges, graph.Edge{From: cref, To: prov, Type: graph.RelAt})
		}
		if doc := (graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID}); c.DoctorID != "" && add(doc) {
			b.g.Edges = append(b.g.Edges, graph.Edge{From: cref, To: doc, Type: graph.RelTreatedBy})
		}
	}
	out := subgraphViewOf(s.viewer(r.actor), b.g, nil, ix, limit)
	out.View, out.Claims, out.ClaimsCapped = viewClaims, len(tying), capped
	return s.recorded(r, actRingSubgraph, nodeRefs(b.g.Nodes), "job "+ix.JobID+" ring "+rg.ID, http.StatusOK, out)
}

// ringClaims reads the claims of the ring's patients, at most maxClaimsPerMember each, and
// reports whether a cap left some out.
func (s *Server) ringClaims(r *request, rg graph.Ring) ([]graph.Claim, bool, error) {
	var claims []graph.Claim
	capped := false
	for _, m := range rg.Members {
		if m.Type != graph.TypePatient {
			continue
		}
		cs, total, err := s.cfg.Store.Claims(r.ctx(), graph.ClaimQuery{Party: m, Limit: maxClaimsPerMember})
		if err != nil {
			return nil, false, err
		}
		capped = capped || total > len(cs)
		claims = append(claims, cs...)
	}
	return claims, capped, nil
}

// aggregateRingPicture draws the ring's tying claims folded into edges between parties, members
// first, then their counterparts heaviest by fund amount, up to limit nodes.
func (s *Server) aggregateRingPicture(r *request, rg graph.Ring, limit int) (*ringPicture, error) {
	claims, capped, err := s.ringClaims(r, rg)
	if err != nil {
		return nil, err
	}
	tying := jobs.TyingClaims(rg.Members, claims)
	agg := newClaimAggregate()
	for _, c := range tying {
		agg.addClaim(c)
	}
	parties := agg.parties(rg.Members)
	b := newSubgraphBuilder(s.cfg.Store, limit)
	for _, p := range parties {
		b.add(r.ctx(), p)
	}
	// A read cut short (the request timed out) drew ids without labels: not a picture to keep.
	if err := r.ctx().Err(); err != nil {
		return nil, err
	}
	return &ringPicture{g: b.g, edges: agg.among(b.seen), parties: len(parties), claims: len(tying), capped: capped}, nil
}
