package api

import (
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/blacklist"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/export"
	"github.com/ringtrace/ringtrace/api/intake"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/graph"
)

// The response shapes: what a caller sees of the core's values, masked per role.

// nodeView is a node as served: masked per role, with its risk score when it has one.
type nodeView struct {
	graph.Node
	Masked bool     `json:"masked,omitempty"`
	Score  *float64 `json:"score,omitempty"`
}

// nodeView returns n as v may see it, with its score from ix (may be nil).
func nodeViewOf(v *masking.Viewer, n graph.Node, ix *jobs.Index) nodeView {
	out := nodeView{}
	out.Node, out.Masked = v.Node(n)
	if ix != nil {
		if e, ok := ix.Risk(n.Ref); ok {
			sc := e.Score
			out.Score = &sc
		}
	}
	return out
}

type edgeView struct {
	From graph.Ref     `json:"from"`
	To   graph.Ref     `json:"to"`
	Type graph.RelType `json:"type"`
	// Aggregated edges (CLAIMED_AT, SEEN_BY, BILLED_AT) carry the claims they fold: how many, the
	// fund amount, and the first and last claim date.
	Claims int          `json:"claims,omitempty"`
	Fund   *graph.Money `json:"fund_amount,omitempty"`
	First  string       `json:"first,omitempty"`
	Last   string       `json:"last,omitempty"`
}

type subgraphView struct {
	Nodes     []nodeView `json:"nodes"`
	Edges     []edgeView `json:"edges"`
	Truncated bool       `json:"truncated"`
	Limit     int        `json:"limit,omitempty"`
	JobID     string     `json:"job_id,omitempty"`
	// View is "aggregate" (claims folded into edges) or "claims" (one node per claim).
	View string `json:"view,omitempty"`
	// Parties counts the parties the whole picture would hold, and Claims the claims folded into
	// it, so that a capped picture can say "显示 200 / 1,234".
	Parties int `json:"parties,omitempty"`
	Claims  int `json:"claims,omitempty"`
	// ClaimsCapped is true when not every claim of the parties was read (a per-party cap).
	ClaimsCapped bool `json:"claims_capped,omitempty"`
}

// subgraphViewOf maps a store subgraph to what v may see, keeping edge ends consistent with the
// (possibly pseudonymised) node ids.
func subgraphViewOf(v *masking.Viewer, g graph.Subgraph, agg []aggEdge, ix *jobs.Index, limit int) subgraphView {
	out := subgraphView{Nodes: make([]nodeView, 0, len(g.Nodes)), Edges: make([]edgeView, 0, len(g.Edges)), Truncated: g.Truncated, Limit: limit}
	shown := make(map[graph.Ref]graph.Ref, len(g.Nodes))
	for _, n := range g.Nodes {
		nv := nodeViewOf(v, n, ix)
		shown[n.Ref] = nv.Ref
		out.Nodes = append(out.Nodes, nv)
	}
	end := func(r graph.Ref) graph.Ref {
		if s, ok := shown[r]; ok {
			return s
		}
		return v.Ref(r)
	}
	for _, e := range g.Edges {
		out.Edges = append(out.Edges, edgeView{From: end(e.From), To: end(e.To), Type: e.Type})
	}
	for _, e := range agg {
		fund := e.Fund
		out.Edges = append(out.Edges, edgeView{From: end(e.From), To: end(e.To), Type: e.Type, Claims: e.Claims, Fund: &fund,
			First: e.First.In(cases.ChinaTime).Format(time.DateOnly), Last: e.Last.In(cases.ChinaTime).Format(time.DateOnly)})
	}
	if ix != nil {
		out.JobID = ix.JobID
	}
	return out
}

type riskView struct {
	Score   float64        `json:"score"`
	Reasons []graph.Reason `json:"reasons"`
}

type entityView struct {
	Node  nodeView           `json:"node"`
	Risk  *riskView          `json:"risk,omitempty"`
	Rings []jobs.RingSummary `json:"rings"`
	JobID string             `json:"job_id,omitempty"`
	// Blacklisted is the listing in force, so that a repeat offender is marked wherever an
	// investigator opens it — before any new detection run has annotated it.
	Blacklisted *blacklistView `json:"blacklisted,omitempty"`
}

type claimView struct {
	graph.Claim
	Masked bool `json:"masked,omitempty"`
}

// caseView is a case as served: deadlines computed, parties shown per the caller's access.
type caseView struct {
	cases.Case
	StatusLabel string           `json:"status_label"`
	Deadlines   []cases.Deadline `json:"deadlines"`
	Overdue     bool             `json:"overdue"`
	// RecoveredTotal and PenaltyTotal sum the case's recoveries (追回) and penalties (罚款), yuan.
	RecoveredTotal graph.Money `json:"recovered_total"`
	PenaltyTotal   graph.Money `json:"penalty_total"`
	// People names the users the case mentions (assignee, authors of notes, views and history)
	// by display name, so that the case page reads "调查员乙", not an account name.
	People map[string]string `json:"people,omitempty"`
}

func (s *Server) caseView(a accounts.Actor, c cases.Case) caseView {
	out := caseViewOf(s.viewer(a), a, c, s.svc.Cases.Deadlines(&c, s.cfg.Now()))
	out.People = s.displayNames(&out.Case)
	return out
}

// displayNames maps the usernames c mentions to display names (users without one are left out).
func (s *Server) displayNames(c *cases.Case) map[string]string {
	all, err := export.DisplayNames(s.svc.Accounts)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	add := func(name string) {
		if d := all[name]; d != "" {
			out[name] = d
		}
	}
	add(c.Assignee)
	add(c.CreatedBy)
	for _, n := range c.Notes {
		add(n.By)
	}
	for _, v := range c.Views {
		add(v.By)
	}
	for _, ev := range c.History {
		add(ev.By)
	}
	return out
}

func caseViewOf(v *masking.Viewer, a accounts.Actor, c cases.Case, deadlines []cases.Deadline) caseView {
	label, _ := cases.Label(c.Status)
	out := caseView{Case: c, StatusLabel: label, Deadlines: deadlines}
	out.RecoveredTotal, out.PenaltyTotal = c.Totals()
	for _, d := range out.Deadlines {
		out.Overdue = out.Overdue || d.Overdue
	}
	for i, p := range out.Parties {
		out.Parties[i] = v.Ref(p)
	}
	for i, p := range out.Attachments {
		out.Attachments[i] = v.Ref(p)
	}
	if a.Role == accounts.RolePolice {
		// Police receive the evidence package, not the bureau's internal notes.
		out.Notes = []cases.Note{}
	}
	if a.Role != accounts.RoleInvestigator && a.Role != accounts.RoleSupervisor {
		// A saved view's link names the nodes as the saver saw them, in full; it is the case
		// workers' tool, not something an analyst or the police read.
		out.Views = nil
	}
	return out
}

// blacklistView is a listing as served: the entity masked per the caller's access.
type blacklistView struct {
	blacklist.Entry
	Active bool `json:"active"`
}

func blacklistViewOf(v *masking.Viewer, e blacklist.Entry, active bool) blacklistView {
	bv := blacklistView{Entry: e, Active: active}
	bv.Entity = v.Ref(e.Entity)
	return bv
}

type loginResponse struct {
	Token              string            `json:"token"`
	ExpiresAt          time.Time         `json:"expires_at"`
	User               accounts.UserView `json:"user"`
	MustChangePassword bool              `json:"must_change_password,omitempty"`
}

type searchResult struct {
	Results []nodeView `json:"results"`
}

type claimPage struct {
	Claims []claimView `json:"claims"`
	Total  int         `json:"total"`
	Offset int         `json:"offset"`
	Limit  int         `json:"limit"`
}

type ringPage struct {
	JobID  string       `json:"job_id"`
	Rings  []graph.Ring `json:"rings"`
	Total  int          `json:"total"`
	Offset int          `json:"offset"`
	Limit  int          `json:"limit"`
	// Labels names the providers and doctors of the page's rings, "type:id" → name.
	Labels map[string]string `json:"labels,omitempty"`
	// RingCount and Leads count the job's findings of each class, whatever the filters.
	RingCount int `json:"rings_total"`
	Leads     int `json:"leads_total"`
}

// ConfirmResult is the answer of POST /api/cases/:id/confirm-amount.
type ConfirmResult struct {
	CaseID          string      `json:"case_id"`
	ConfirmedAmount graph.Money `json:"confirmed_amount"`
	Reports         int         `json:"reports"`
	Rewarded        int         `json:"rewarded"`
}

// ReportReceipt is what a reporter gets back: the code to follow the report, shown once.
type ReportReceipt struct {
	ReceiptCode string    `json:"receipt_code"`
	ReceivedAt  time.Time `json:"received_at"`
	Message     string    `json:"message"`
	MessageEN   string    `json:"message_en"`
}

// TriageResult is the answer of POST /api/reports/:id/triage.
type TriageResult struct {
	Report intake.Report `json:"report"`
	CaseID string        `json:"case_id"`
}
