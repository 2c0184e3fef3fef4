package referral

import (
	"encoding/json"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Case is everything a referral package reports about one case. It is assembled by the caller
// from the case store, the graph store and the findings; it deliberately has no field for a
// whistle-blower report or reporter.
type Case struct {
	ID            string    `json:"case_id"`                  // case number, e.g. "AJ-2024-000123"
	Title         string    `json:"title"`                    // short title
	Status        string    `json:"status"`                   // status code at export, normally "transferred"
	TransferredTo string    `json:"transferred_to,omitempty"` // e.g. "police" / "公安机关"
	Summary       string    `json:"summary,omitempty"`        // investigators' summary of the facts (who, what, how)
	OpenedAt      time.Time `json:"opened_at,omitzero"`       // 立案 time
	TransferredAt time.Time `json:"transferred_at,omitzero"`  // 移送 time
	Region        string    `json:"region,omitempty"`         // pooling region

	Parties  []Party            `json:"parties"`          // every party in the case, with full identifiers (police see complete data)
	Claims   []graph.Claim      `json:"claims"`           // the claims the case rests on
	Rings    []graph.Ring       `json:"rings"`            // the detection findings the case came from, with reasons
	Risks    []graph.EntityRisk `json:"entity_risks"`     // entity risk scores with reasons
	Method   string             `json:"method,omitempty"` // how it was found: detection job id, parameters, software version
	Subgraph graph.Subgraph     `json:"subgraph"`         // the ring's graph, for the picture and GraphML
	History  []HistoryEntry     `json:"history"`          // status changes, assignments, notes
	// Procedure lists the steps of the procedure the case went through, each with its
	// 简体中文 label: receipt of the application, end of verification, hand-overs and their
	// feedback, the party's statement, appeals, recoveries and penalties.
	Procedure []ProcedureStep `json:"procedure"`
}

// ProcedureStep is one procedural fact of a case, ready to print.
type ProcedureStep struct {
	Kind   string      `json:"kind"`            // application, verified, handover, feedback, statement_notice, statement, appeal, appeal_decision, recovered, penalty
	Label  string      `json:"label"`           // 简体中文 name of the step
	Date   string      `json:"date"`            // YYYY-MM-DD, China time
	Detail string      `json:"detail"`          // department, document, outcome …
	Amount graph.Money `json:"amount,omitzero"` // recoveries and penalties, yuan
}

// Party is one person or organisation in the case with its identifiers.
type Party struct {
	Type      graph.EntityType `json:"type"`
	ID        string           `json:"id"`
	Name      string           `json:"name,omitempty"`
	Sex       string           `json:"sex,omitempty"`
	BirthDate time.Time        `json:"-"` // written as a date by MarshalJSON
	Phone     string           `json:"phone,omitempty"`
	Address   string           `json:"address,omitempty"`
	Region    string           `json:"region,omitempty"`
	Role      string           `json:"role,omitempty"` // role in the scheme as the investigators describe it, e.g. "组织者", "参与人员"
}

// MarshalJSON writes the party with its birth date as a calendar date (YYYY-MM-DD).
func (p Party) MarshalJSON() ([]byte, error) {
	type fields Party
	return json.Marshal(struct {
		fields
		BirthDate string `json:"birth_date,omitempty"`
	}{fields(p), date(p.BirthDate)})
}

// HistoryEntry is one event in the case's life: a status change, an assignment, a note.
type HistoryEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`          // user name
	Role   string    `json:"role"`           // the actor's role
	Action string    `json:"action"`         // e.g. "transition", "assign", "note"
	From   string    `json:"from,omitempty"` // previous status, for transitions
	To     string    `json:"to,omitempty"`   // new status, for transitions
	Note   string    `json:"note,omitempty"`
}

// Meta describes one export.
type Meta struct {
	ExportedBy   string
	ExportedRole string
	// Names maps usernames to display names, so the report names people rather than accounts.
	Names      map[string]string
	ExportedAt time.Time
	Software   string // "ringtrace 0.1.0"
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
