package referral

import (
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Case is everything a referral package reports about one case. It is assembled by the caller
// from the case store, the graph store and the findings; it deliberately has no field for a
// whistle-blower report or reporter.
type Case struct {
	ID            string    // case number, e.g. "AJ-2024-000123"
	Title         string    // short title
	Status        string    // status code at export, normally "transferred"
	TransferredTo string    // e.g. "police" / "公安机关"
	Summary       string    // investigators' summary of the facts (who, what, how)
	OpenedAt      time.Time // 立案 time
	TransferredAt time.Time // 移送 time
	Region        string    // pooling region

	Parties  []Party            // every party in the case, with full identifiers (police see complete data)
	Claims   []graph.Claim      // the claims the case rests on
	Rings    []graph.Ring       // the detection findings the case came from, with reasons
	Risks    []graph.EntityRisk // entity risk scores with reasons
	Method   string             // how it was found: detection job id, parameters, software version
	Subgraph graph.Subgraph     // the ring's graph, for the picture and GraphML
	History  []HistoryEntry     // status changes, assignments, notes
}

// Party is one person or organisation in the case with its identifiers.
type Party struct {
	Type      graph.EntityType
	ID        string
	Name      string
	Sex       string
	BirthDate time.Time
	Phone     string
	Address   string
	Region    string
	Role      string // role in the scheme as the investigators describe it, e.g. "组织者", "参与人员"
}

// HistoryEntry is one event in the case's life: a status change, an assignment, a note.
type HistoryEntry struct {
	At     time.Time
	Actor  string // user name
	Role   string // the actor's role
	Action string // e.g. "transition", "assign", "note"
	From   string // previous status, for transitions
	To     string // new status, for transitions
	Note   string
}

// Meta describes one export.
type Meta struct {
	ExportedBy   string
	ExportedRole string
	ExportedAt   time.Time
	Software     string // "ringtrace 0.1.0"
}

// FundTotal returns the fund money paid on the case's claims.
func (c Case) FundTotal() graph.Money {
	var t graph.Money
	for _, cl := range c.Claims {
		t += cl.FundAmount
	}
	return t
}

// Total returns the total amount billed on the case's claims.
func (c Case) Total() graph.Money {
	var t graph.Money
	for _, cl := range c.Claims {
		t += cl.TotalAmount
	}
	return t
}
