package accounts

import (
	"slices"

	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/graph"
)

// Role is a user's grade of authorisation (分级授权).
type Role string

// The roles. Access is denied unless a route lists the role (api/routes.go).
const (
	RoleAnalyst      Role = "analyst"      // jobs, findings, masked graph
	RoleInvestigator Role = "investigator" // assigned cases, full data of their parties
	RoleSupervisor   Role = "supervisor"   // all cases, approvals, audit
	RolePolice       Role = "police"       // read-only, cases transferred to police
	RoleAdmin        Role = "admin"        // users
	// RoleIntake is the whistle-blower intake desk (举报受理): it reads reports, triages them into
	// leads and is the only role that may read a reporter's identity. It sees no case and no graph
	// data beyond the entities it links (DOMAIN.md, whistle-blowing: the reporter's name, employer
	// and address must never be disclosed).
	RoleIntake Role = "intake"
)

// Roles lists every role in a fixed order.
var Roles = []Role{RoleAnalyst, RoleInvestigator, RoleSupervisor, RolePolice, RoleAdmin, RoleIntake}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Actor is who performs an operation, and from where (for the audit record).
type Actor struct {
	Username  string
	Role      Role
	Remote    string
	RequestID string
}

// Record is the audit record of an operation the actor performs on refs.
func (a Actor) Record(action string, refs []graph.Ref, detail string) audit.Record {
	return audit.Record{Actor: a.Username, Role: string(a.Role), Action: action, Entities: audit.Entities(refs), Remote: a.Remote, RequestID: a.RequestID, Detail: detail}
}
