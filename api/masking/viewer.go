package masking

import "github.com/ringtrace/ringtrace/graph"

// Viewer decides, for one reader, which personal data is shown in full. The rule (分级授权):
// analysts never see personal data in full; investigators see the parties and evidence of the
// cases assigned to them, supervisors those of every case, police those of cases transferred to
// police; everybody else sees pseudonyms and masked values. The caller passes the refs the reader
// may see in full (api/cases.FullAccess).
type Viewer struct {
	m    *Masker
	full map[graph.Ref]bool
}

// NewViewer returns the viewer of a reader who may see the refs in full in full.
func NewViewer(m *Masker, full map[graph.Ref]bool) *Viewer { return &Viewer{m: m, full: full} }

// Full reports whether the reader may see r in full; for police it is also whether they may read
// r at all (only the parties and evidence of cases transferred to police).
func (v *Viewer) Full(r graph.Ref) bool { return v.full[r] }

func (v *Viewer) fullRef(r graph.Ref) bool {
	if !PersonalType(r.Type) && r.Type != graph.TypeClaim {
		return true // doctors, institutions, pharmacies, terminals carry no personal data
	}
	return v.full[r]
}

func (v *Viewer) fullNode(n graph.Node) bool {
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

// Node returns n as the reader may see it, and whether it was masked.
func (v *Viewer) Node(n graph.Node) (graph.Node, bool) {
	if v.fullNode(n) {
		return n, false
	}
	return v.m.MaskNode(n), true
}

// Ref returns r as the reader may see it.
func (v *Viewer) Ref(r graph.Ref) graph.Ref {
	if v.fullRef(r) || r.Type == graph.TypeClaim {
		return r // claim ids are not personal
	}
	return v.m.MaskRef(r)
}

// Claim returns c as the reader may see it, and whether it was masked.
func (v *Viewer) Claim(c graph.Claim) (graph.Claim, bool) {
	if v.full[graph.Ref{Type: graph.TypePatient, ID: c.PatientID}] || v.full[graph.Ref{Type: graph.TypeClaim, ID: c.ID}] {
		return c, false
	}
	return v.m.MaskClaim(c), true
}

// Ring returns r with member refs as the reader may see them.
func (v *Viewer) Ring(r graph.Ring) graph.Ring {
	out := r
	out.Members = make([]graph.Ref, len(r.Members))
	for i, m := range r.Members {
		out.Members[i] = v.Ref(m)
	}
	return out
}
