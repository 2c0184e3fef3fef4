package api

import (
	"encoding/json"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/graph"
)

// The request bodies the handlers accept. bindJSON decodes them strictly: an unknown field is an
// error naming it. A body that changes a versioned record (a case, a report) carries the version
// it was based on (bindVersioned).

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type passwordChange struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

type userCreate struct {
	Username    string        `json:"username"`
	Password    string        `json:"password"`
	Role        accounts.Role `json:"role"`
	DisplayName string        `json:"display_name"`
}

type jobCreate struct {
	Params json.RawMessage `json:"params"`
	Note   string          `json:"note"`
}

type caseCreate struct {
	Title    string     `json:"title"`
	RingID   string     `json:"ring_id"`
	JobID    string     `json:"job_id"`
	Entity   *graph.Ref `json:"entity"`
	Assignee string     `json:"assignee"`
	Summary  string     `json:"summary"`
	// ApplicationReceived is the YYYY-MM-DD receipt day of the benefit application concerned.
	ApplicationReceived string `json:"application_received"`
}

type transitionRequest struct {
	To         cases.CaseStatus `json:"to"`
	TransferTo string           `json:"transfer_to"`
	Reason     string           `json:"reason"`
	Version    *int             `json:"version"`
}

type noteRequest struct {
	Text    string `json:"text"`
	Version *int   `json:"version"`
}

type viewRequest struct {
	Name    string `json:"name"`
	Link    string `json:"link"`
	Version *int   `json:"version"`
}

type assignRequest struct {
	Assignee string `json:"assignee"`
	Version  *int   `json:"version"`
}

type attachRequest struct {
	Refs    []graph.Ref `json:"refs"`
	Version *int        `json:"version"`
}

type extensionRequest struct {
	Action  string `json:"action"`
	Reason  string `json:"reason"`
	Version *int   `json:"version"`
}

type recusalRequest struct {
	CaseID string     `json:"case_id"`
	Entity *graph.Ref `json:"entity"`
	Reason string     `json:"reason"`
}

type confirmRequest struct {
	Amount *graph.Money `json:"amount"`
}

type blacklistRequest struct {
	Entity *graph.Ref `json:"entity"`
	Reason string     `json:"reason"`
	CaseID string     `json:"case_id"`
	From   string     `json:"from"`
	Until  string     `json:"until"`
}

type reporterIn struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Employer string `json:"employer"`
	Address  string `json:"address"`
}

type attachmentIn struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"` // base64 in JSON
}

type reportRequest struct {
	Anonymous   bool           `json:"anonymous"`
	Reporter    *reporterIn    `json:"reporter"`
	Subject     string         `json:"subject"`
	What        string         `json:"what"`
	Where       string         `json:"where"`
	When        string         `json:"when"`
	Attachments []attachmentIn `json:"attachments"`
}

type claimRequest struct {
	Code string `json:"code"`
}

type triageRequest struct {
	Version  *int        `json:"version"`
	Entities []graph.Ref `json:"entities"`
	CaseID   string      `json:"case_id"`
	Title    string      `json:"title"`
	Summary  string      `json:"summary"`
}

type rejectRequest struct {
	Version *int   `json:"version"`
	Reason  string `json:"reason"`
}

type applicationRequest struct {
	ApplicationReceived string `json:"application_received"`
	Version             *int   `json:"version"`
}

type handoverRequest struct {
	Kind       string `json:"kind"`
	Department string `json:"department"`
	Note       string `json:"note"`
	Version    *int   `json:"version"`
}

type feedbackRequest struct {
	Received string `json:"received"`
	Outcome  string `json:"outcome"`
	Document string `json:"document"`
	Version  *int   `json:"version"`
}

type statementRequest struct {
	Action      string `json:"action"`
	Notified    string `json:"notified"`
	WorkingDays int    `json:"working_days"`
	Document    string `json:"document"`
	Submitted   string `json:"submitted"`
	Text        string `json:"text"`
	Version     *int   `json:"version"`
}

type appealRequest struct {
	Action  string `json:"action"`
	Kind    string `json:"kind"`
	Filed   string `json:"filed"`
	Body    string `json:"body"`
	Seq     int    `json:"seq"`
	Decided string `json:"decided"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail"`
	Version *int   `json:"version"`
}

type recoveryRequest struct {
	Kind     string       `json:"kind"`
	Amount   *graph.Money `json:"amount"`
	Date     string       `json:"date"`
	Document string       `json:"document"`
	Version  *int         `json:"version"`
}
