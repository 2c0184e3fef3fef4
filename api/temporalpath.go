package api

import (
	"context"
	"net/http"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// A time-ordered path (i2's "temporal path"): from one party to another through claims, each
// claim on or after the one before and at most a gap later, as in "the patient went to clinic A,
// then within a week the same doctor saw the second patient, who then ...". Parties are joined by
// a claim when the claim names both (patient, doctor, provider). The search runs breadth first
// by claims and keeps, for each party, the earliest time it can be reached: a later arrival never
// opens a step an earlier one could not, so it finds a path with the fewest claims whenever one
// exists within the depth, and among those an early one.

const actTemporalPath = "read_temporal_path"

// maxTemporalParties bounds the parties one search reaches (a hub's claims fan out fast).
const maxTemporalParties = 20_000

type pathStep struct {
	Claim string      `json:"claim"`
	At    time.Time   `json:"at"`
	From  graph.Ref   `json:"from"`
	To    graph.Ref   `json:"to"`
	Fund  graph.Money `json:"fund_amount"`
}

type temporalPathView struct {
	subgraphView
	Steps []pathStep `json:"steps"`
}

// arrival is the earliest known way to reach a party: when, and the claims that lead there.
type arrival struct {
	at    time.Time
	path  []pathStep
	start bool
}

// claimParties lists the parties a claim names.
func claimParties(c graph.Claim) []graph.Ref {
	out := []graph.Ref{{Type: graph.TypePatient, ID: c.PatientID}, {Type: c.ProviderType, ID: c.ProviderID}}
	if c.DoctorID != "" {
		out = append(out, graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID})
	}
	return out
}

// temporalPath searches a time-ordered path from a to b of at most depth claims, each claim at
// most gap after the one before (the first claim any time in [from, to) when given). It returns
// the claims in order, or nil; truncated reports that the party bound stopped the search.
func temporalPath(ctx context.Context, claims func(context.Context, graph.Ref) ([]graph.Claim, error), a, b graph.Ref, depth int, gap time.Duration, from, to time.Time) (steps []pathStep, truncated bool, err error) {
	best := map[graph.Ref]arrival{a: {start: true}}
	frontier := []graph.Ref{a}
	for d := 0; d < depth && len(frontier) > 0; d++ {
		var next []graph.Ref
		queued := map[graph.Ref]bool{}
		for _, p := range frontier {
			cs, err := claims(ctx, p)
			if err != nil {
				return nil, false, err
			}
			arr := best[p]
			if len(arr.path) > d {
				continue // reached again later by a longer chain: its steps are another layer's
			}
			for _, c := range cs {
				if !from.IsZero() && c.Start.Before(from) || !to.IsZero() && !c.Start.Before(to) {
					continue
				}
				if !arr.start && (c.Start.Before(arr.at) || c.Start.Sub(arr.at) > gap || c.ID == arr.path[len(arr.path)-1].Claim) {
					continue
				}
				for _, q := range claimParties(c) {
					if q == p {
						continue
					}
					if old, seen := best[q]; seen && (old.start || !c.Start.Before(old.at)) {
						continue
					}
					if len(best) >= maxTemporalParties {
						truncated = true
						continue
					}
					path := append(append(make([]pathStep, 0, len(arr.path)+1), arr.path...), pathStep{Claim: c.ID, At: c.Start, From: p, To: q, Fund: c.FundAmount})
					best[q] = arrival{at: c.Start, path: path}
					if !queued[q] {
						queued[q] = true
						next = append(next, q)
					}
				}
			}
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
		}
		if _, ok := best[b]; ok {
			break
		}
		frontier = next
	}
	end, ok := best[b]
	if !ok || end.start {
		return nil, truncated, nil
	}
	return end.path, truncated, nil
}

func (s *Server) temporalPaths(r *request) error {
	a, err := s.refParam(r, "from")
	if err != nil {
		return err
	}
	b, err := s.refParam(r, "to")
	if err != nil {
		return err
	}
	for name, ref := range map[string]graph.Ref{"from": a, "to": b} {
		if !ref.Type.IsParty() {
			return fieldErr(name, name+" 须为当事方（参保人、医师、机构、药店）", name+" must be a party (patient, doctor, institution or pharmacy)")
		}
	}
	depth, err := intParam(r, "max_depth", 4, 1, 6)
	if err != nil {
		return err
	}
	gapDays, err := intParam(r, "max_gap_days", 30, 1, 366)
	if err != nil {
		return err
	}
	from, to, err := timeParamsNamed(r, "since", "until")
	if err != nil {
		return err
	}
	read := func(ctx context.Context, p graph.Ref) ([]graph.Claim, error) {
		cs, _, err := s.cfg.Store.Claims(ctx, graph.ClaimQuery{Party: p, Limit: maxNeighbourClaims})
		return cs, err
	}
	steps, truncated, err := temporalPath(r.ctx(), read, a, b, depth, time.Duration(gapDays)*24*time.Hour, from, to)
	if err != nil {
		return err
	}
	bld := newSubgraphBuilder(s.cfg.Store, 4*depth+2)
	for _, st := range steps {
		bld.add(r.ctx(), st.From)
		bld.add(r.ctx(), st.To)
		cref := graph.Ref{Type: graph.TypeClaim, ID: st.Claim}
		bld.add(r.ctx(), cref)
	}
	// The claim nodes are tied to the parties they join, in the claim view's relationships.
	for _, st := range steps {
		cref := graph.Ref{Type: graph.TypeClaim, ID: st.Claim}
		for _, end := range []graph.Ref{st.From, st.To} {
			switch end.Type {
			case graph.TypePatient:
				bld.g.Edges = append(bld.g.Edges, graph.Edge{From: end, To: cref, Type: graph.RelFiled})
			case graph.TypeDoctor:
				bld.g.Edges = append(bld.g.Edges, graph.Edge{From: cref, To: end, Type: graph.RelTreatedBy})
			default:
				bld.g.Edges = append(bld.g.Edges, graph.Edge{From: cref, To: end, Type: graph.RelAt})
			}
		}
	}
	bld.g.Truncated = truncated
	v := s.viewer(r.actor)
	out := temporalPathView{subgraphView: subgraphViewOf(v, bld.g, nil, s.svc.Jobs.Latest(), 0), Steps: make([]pathStep, 0, len(steps))}
	for _, st := range steps {
		st.From, st.To = v.Ref(st.From), v.Ref(st.To)
		out.Steps = append(out.Steps, st)
	}
	return s.recorded(r, actTemporalPath, append([]graph.Ref{a, b}, nodeRefs(bld.g.Nodes)...), "", http.StatusOK, out)
}
