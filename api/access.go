package api

import (
	"github.com/ringtrace/ringtrace/graph"
)

// viewer decides, for one request, which personal data the caller sees in full. The rule
// (分级授权): analysts never see personal data in full; investigators see the parties and
// evidence of the cases assigned to them, supervisors those of every case, police those of cases
// transferred to police; everybody else sees pseudonyms and masked values.
type viewer struct {
	s    *Server
	a    Actor
	full map[graph.Ref]bool
}

func (s *Server) viewer(a Actor) *viewer {
	return &viewer{s: s, a: a, full: s.cases.FullAccess(a)}
}

// fullNode reports whether n is shown unmasked.
func (v *viewer) fullRef(r graph.Ref) bool {
	if !personalType(r.Type) && r.Type != graph.TypeClaim {
		return true // doctors, institutions, pharmacies, terminals carry no personal data
	}
	return v.full[r]
}

func (v *viewer) fullNode(n graph.Node) bool {
	if v.fullRef(n.Ref) {
		return true
	}
	if n.Type == graph.TypeClaim {
		// A claim is shown in full to whoever sees its patient in full.
		if pid := n.Props["patient_id"]; pid != "" && v.full[graph.Ref{Type: graph.TypePatient, ID: pid}] {
			return true
		}
	}
	return false
}

// nodeView is a node as served: masked per role, with its risk score when it has one.
type nodeView struct {
	graph.Node
	Masked bool     `json:"masked,omitempty"`
	Score  *float64 `json:"score,omitempty"`
}

// node returns n as the caller may see it, with its score from ix (may be nil).
func (v *viewer) node(n graph.Node, ix *findingsIndex) nodeView {
	out := nodeView{Node: n}
	if !v.fullNode(n) {
		out.Node, out.Masked = v.s.masker.MaskNode(n), true
	}
	if ix != nil {
		if i, ok := ix.risk[n.Ref]; ok {
			sc := ix.f.Entities[i].Score
			out.Score = &sc
		}
	}
	return out
}

// ref returns r as the caller may see it.
func (v *viewer) ref(r graph.Ref) graph.Ref {
	if v.fullRef(r) || r.Type == graph.TypeClaim {
		return r // claim ids are not personal
	}
	return v.s.masker.maskRef(r)
}

// claim returns c as the caller may see it given the party whose claims are listed.
func (v *viewer) claim(c graph.Claim) (graph.Claim, bool) {
	if v.full[graph.Ref{Type: graph.TypePatient, ID: c.PatientID}] || v.full[graph.Ref{Type: graph.TypeClaim, ID: c.ID}] {
		return c, false
	}
	return v.s.masker.MaskClaim(c), true
}

// ring returns r with member refs as the caller may see them.
func (v *viewer) ring(r graph.Ring) graph.Ring {
	out := r
	out.Members = make([]graph.Ref, len(r.Members))
	for i, m := range r.Members {
		out.Members[i] = v.ref(m)
	}
	return out
}

// policeMay reports whether a police user may read ref: only the parties and evidence of cases
// transferred to police.
func (v *viewer) policeMay(r graph.Ref) bool { return v.full[r] }
