package jobs

import "github.com/ringtrace/ringtrace/graph"

// TyingClaims returns, in order, the claims of the patient members of a ring (or of a case's
// parties) that tie them to the other members: when members include a provider or a doctor,
// the claims at a member provider or by a member doctor; otherwise the claims at providers that
// two or more member patients share. The ring picture of the workbench and the referral package
// use the same rule, so that both show the scheme rather than every visit of every person.
func TyingClaims(members []graph.Ref, claims []graph.Claim) []graph.Claim {
	in := map[graph.Ref]bool{}
	organiser := false
	for _, m := range members {
		in[m] = true
		if m.Type != graph.TypePatient {
			organiser = true
		}
	}
	shared := map[string]map[string]bool{} // provider → patients
	for _, c := range claims {
		if shared[c.ProviderID] == nil {
			shared[c.ProviderID] = map[string]bool{}
		}
		shared[c.ProviderID][c.PatientID] = true
	}
	var out []graph.Claim
	for _, c := range claims {
		var ties bool
		if organiser {
			ties = in[graph.Ref{Type: c.ProviderType, ID: c.ProviderID}] || c.DoctorID != "" && in[graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID}]
		} else {
			ties = len(shared[c.ProviderID]) >= 2
		}
		if ties {
			out = append(out, c)
		}
	}
	return out
}
