package cases

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// CaseStatus is a stage of case handling.
type CaseStatus string

// Case statuses in workflow order: 线索 lead → 核查 verification → 立案 opened → 移送 transferred →
// 结案 closed.
const (
	StatusLead         CaseStatus = "lead"
	StatusVerification CaseStatus = "verification"
	StatusOpened       CaseStatus = "opened"
	StatusTransferred  CaseStatus = "transferred"
	StatusClosed       CaseStatus = "closed"
)

// statusLabels are the Chinese names of the statuses; a status without one is unknown.
var statusLabels = map[CaseStatus]string{
	StatusLead: "线索", StatusVerification: "核查", StatusOpened: "立案", StatusTransferred: "移送", StatusClosed: "结案",
}

// Transfer targets of a transferred case.
const (
	TransferAdministrative = "administrative" // 移送行政部门
	TransferPolice         = "police"         // 移送公安机关
)

// Deadline rules in working days (DOMAIN.md, case handling): verify a suspicion within 15,
// transfer within 5 once confirmed, close an opened case within 60, extendable once by 30.
const (
	VerifyWorkingDays    = 15
	TransferWorkingDays  = 5
	CloseWorkingDays     = 60
	ExtensionWorkingDays = 30
)

// Case is an investigation (案件). Version increases with every change; updates carry the version
// they were based on and fail with ECONFLICT when it is stale.
type Case struct {
	ID            string         `json:"id"`
	Title         string         `json:"title"`
	Status        CaseStatus     `json:"status"`
	Version       int            `json:"version"`
	TransferTo    string         `json:"transfer_to,omitempty"`
	RingID        string         `json:"ring_id,omitempty"`
	JobID         string         `json:"job_id,omitempty"`
	Summary       string         `json:"summary,omitempty"`
	Parties       []graph.Ref    `json:"parties"`
	Attachments   []graph.Ref    `json:"attachments"`
	Assignee      string         `json:"assignee,omitempty"`
	CreatedBy     string         `json:"created_by"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	OpenedAt      time.Time      `json:"opened_at,omitzero"`
	TransferredAt time.Time      `json:"transferred_at,omitzero"`
	ClosedAt      time.Time      `json:"closed_at,omitzero"`
	Extension     *CaseExtension `json:"extension,omitempty"`
	// ApplicationReceived is the day (YYYY-MM-DD) the benefit application concerned was received;
	// the verification limit runs from it, and from CreatedAt while it is unknown.
	ApplicationReceived string `json:"application_received,omitempty"`
	// VerifiedAt is when written verification ended with fraud confirmed (the case left
	// verification for 立案 or hand-over); the transfer limit runs from it.
	VerifiedAt time.Time  `json:"verified_at,omitzero"`
	Handovers  []Handover `json:"handovers"`
	Statement  *Statement `json:"statement,omitempty"`
	Appeals    []Appeal   `json:"appeals"`
	Recoveries []Recovery `json:"recoveries"`
	Notes      []Note     `json:"notes"`
	// Views are workbench canvases saved with the case, by name.
	Views   []SavedView `json:"views,omitempty"`
	History []Event     `json:"history"`
}

// SavedView is a named workbench canvas: the workbench location that rebuilds it (the ring or
// party it starts from and its view state: expansions, hidden and pinned nodes, time range).
type SavedView struct {
	Name string    `json:"name"`
	Link string    `json:"link"`
	At   time.Time `json:"at"`
	By   string    `json:"by"`
}

// maxViewLink bounds a saved view's link (a canvas of a few hundred pinned nodes).
const maxViewLink = 32 << 10

// CaseExtension is the one extension of the closing deadline an opened case may get.
type CaseExtension struct {
	Status      string    `json:"status"` // requested, approved, rejected
	Reason      string    `json:"reason,omitempty"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	DecidedBy   string    `json:"decided_by,omitempty"`
	DecidedAt   time.Time `json:"decided_at,omitzero"`
}

// Note is a free-text note on a case.
type Note struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Text string    `json:"text"`
}

// Event is one line of a case's history: who did what and when.
type Event struct {
	At     time.Time     `json:"at"`
	By     string        `json:"by"`
	Role   accounts.Role `json:"role,omitempty"`
	Action string        `json:"action"`
	From   string        `json:"from,omitempty"`
	To     string        `json:"to,omitempty"`
	Detail string        `json:"detail,omitempty"`
}

// Deadline is one computed time limit of a case.
type Deadline struct {
	Kind        string `json:"kind"`  // verify, transfer, close, statement
	From        string `json:"from"`  // YYYY-MM-DD, the day the limit counts from (not itself counted)
	Basis       string `json:"basis"` // what From is: application, created, verified, opened, notified
	Due         string `json:"due"`   // YYYY-MM-DD, China time; the matter is due by the end of this day
	WorkingDays int    `json:"working_days"`
	Active      bool   `json:"active"`
	Overdue     bool   `json:"overdue"`
	// Uncovered lists the years between From and Due that the holiday calendar does not cover:
	// there the count assumed Monday–Friday and may be off by the year's holidays (法定节假日).
	Uncovered []int `json:"calendar_uncovered,omitempty"`
}

// Recusal is a declaration of conflict of interest (回避) by a user about a case or a party.
type Recusal struct {
	ID       string     `json:"id"`
	Username string     `json:"username"`
	CaseID   string     `json:"case_id,omitempty"`
	Entity   *graph.Ref `json:"entity,omitempty"`
	Reason   string     `json:"reason"`
	At       time.Time  `json:"at"`
}

// Cases holds the cases and recusals: bbolt is the record, an in-memory copy answers reads
// (cases number in the thousands, and access checks consult them on every graph read).
type Cases struct {
	mu       sync.RWMutex
	db       *bolt.DB
	cal      *WorkingDays
	now      func() time.Time
	cases    map[string]*Case
	recusals []Recusal
}

// Open loads the cases and recusals of st. A nil calendar counts weekends only.
func Open(st *state.DB, cal *WorkingDays, now func() time.Time) (*Cases, error) {
	if cal == nil {
		cal = &WorkingDays{}
	}
	cs := &Cases{db: st.Bolt(), cal: cal, now: now, cases: map[string]*Case{}}
	err := st.Bolt().View(func(tx *bolt.Tx) error {
		if err := state.Each(tx, state.Cases, func(_ []byte, c Case) error { cs.cases[c.ID] = &c; return nil }); err != nil {
			return err
		}
		return state.Each(tx, state.Recusals, func(_ []byte, r Recusal) error { cs.recusals = append(cs.recusals, r); return nil })
	})
	if err != nil {
		return nil, fmt.Errorf("load cases: %w", err)
	}
	return cs, nil
}

// Deadlines computes the case's time limits at now.
func (cs *Cases) Deadlines(c *Case, now time.Time) []Deadline {
	var out []Deadline
	add := func(kind, basis string, from time.Time, n int, active bool) {
		due := cs.cal.AddWorkingDays(from, n)
		d := Deadline{Kind: kind, From: Day(from), Basis: basis, Due: dateOf(due).String(), Active: active, Uncovered: cs.cal.Uncovered(from, due)}
		d.WorkingDays = cs.cal.Between(now, due)
		// Overdue once the whole due day has passed (China time).
		d.Overdue = active && !now.Before(due.AddDate(0, 0, 1))
		out = append(out, d)
	}
	// Art. 10: written verification within 15 working days from receipt of the application.
	verifyFrom, verifyBasis := c.CreatedAt, "created"
	if d, err := time.ParseInLocation("2006-01-02", c.ApplicationReceived, ChinaTime); err == nil {
		verifyFrom, verifyBasis = d, "application"
	}
	add("verify", verifyBasis, verifyFrom, VerifyWorkingDays, c.Status == StatusLead || c.Status == StatusVerification)
	// Art. 10: confirmed fraud goes to the administrative department within 5 working days of
	// the end of verification. Cases stored before VerifiedAt existed count from 立案.
	transferFrom, transferBasis := c.VerifiedAt, "verified"
	if transferFrom.IsZero() {
		transferFrom, transferBasis = c.OpenedAt, "opened"
	}
	if !transferFrom.IsZero() {
		add("transfer", transferBasis, transferFrom, TransferWorkingDays, c.Status != StatusClosed && !c.handedToAdministrative())
	}
	if !c.OpenedAt.IsZero() {
		n := CloseWorkingDays
		if c.Extension != nil && c.Extension.Status == "approved" {
			n += ExtensionWorkingDays
		}
		add("close", "opened", c.OpenedAt, n, c.Status == StatusOpened || c.Status == StatusTransferred)
	}
	if st := c.Statement; st != nil {
		if d, err := time.ParseInLocation("2006-01-02", st.Notified, ChinaTime); err == nil {
			add("statement", "notified", d, st.WorkingDays, st.Submitted == "" && c.Status != StatusClosed)
		}
	}
	return out
}

// Overdue reports whether any active deadline of c has passed at now.
func (cs *Cases) Overdue(c *Case, now time.Time) bool {
	for _, d := range cs.Deadlines(c, now) {
		if d.Overdue {
			return true
		}
	}
	return false
}

// recusedLocked reports whether user declared recusal from case c or from one of its parties.
func (cs *Cases) recusedLocked(user string, c *Case) bool { return recusedBy(cs.recusals, user, c) }

func recusedBy(recusals []Recusal, user string, c *Case) bool {
	for _, r := range recusals {
		if r.Username != user {
			continue
		}
		if r.CaseID == c.ID {
			return true
		}
		if r.Entity != nil && (slices.Contains(c.Parties, *r.Entity) || slices.Contains(c.Attachments, *r.Entity)) {
			return true
		}
	}
	return false
}

func (cs *Cases) recusedFromRefLocked(user string, refs []graph.Ref) bool {
	for _, r := range cs.recusals {
		if r.Username == user && r.Entity != nil && slices.Contains(refs, *r.Entity) {
			return true
		}
	}
	return false
}

// canSeeLocked is the case-level access rule: supervisors see every case, investigators the
// cases assigned to them unless recused, analysts the leads they raised, police only cases
// transferred to police.
func (cs *Cases) canSeeLocked(a accounts.Actor, c *Case) bool {
	switch a.Role {
	case accounts.RoleSupervisor:
		return !cs.recusedLocked(a.Username, c)
	case accounts.RoleInvestigator:
		return c.Assignee == a.Username && !cs.recusedLocked(a.Username, c)
	case accounts.RoleAnalyst:
		return c.CreatedBy == a.Username
	case accounts.RolePolice:
		return c.TransferTo == TransferPolice && !c.TransferredAt.IsZero()
	}
	return false
}

// ErrNotFound answers for a case that does not exist or that the actor may not see.
var ErrNotFound = bilingual.New(graph.ENOTFOUND, "案件不存在", "no such case")

// Get returns a copy of a case the actor may see. A case the actor may not see is reported as
// not found, so that case ids cannot be probed.
func (cs *Cases) Get(a accounts.Actor, id string) (Case, error) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	c, ok := cs.cases[id]
	if !ok || !cs.canSeeLocked(a, c) {
		return Case{}, ErrNotFound
	}
	return cloneCase(c), nil
}

func cloneCase(c *Case) Case {
	out := *c
	out.Parties = slices.Clone(c.Parties)
	out.Attachments = slices.Clone(c.Attachments)
	out.Notes = slices.Clone(c.Notes)
	out.Views = slices.Clone(c.Views)
	out.History = slices.Clone(c.History)
	if c.Extension != nil {
		e := *c.Extension
		out.Extension = &e
	}
	out.Handovers = slices.Clone(c.Handovers)
	for i, h := range out.Handovers {
		if h.Feedback != nil {
			f := *h.Feedback
			out.Handovers[i].Feedback = &f
		}
	}
	if c.Statement != nil {
		st := *c.Statement
		out.Statement = &st
	}
	out.Appeals = slices.Clone(c.Appeals)
	out.Recoveries = slices.Clone(c.Recoveries)
	if out.Handovers == nil {
		out.Handovers = []Handover{}
	}
	if out.Appeals == nil {
		out.Appeals = []Appeal{}
	}
	if out.Recoveries == nil {
		out.Recoveries = []Recovery{}
	}
	if out.Parties == nil {
		out.Parties = []graph.Ref{}
	}
	if out.Attachments == nil {
		out.Attachments = []graph.Ref{}
	}
	if out.Notes == nil {
		out.Notes = []Note{}
	}
	return out
}

// CaseFilter selects cases in List.
type CaseFilter struct {
	Status   CaseStatus
	Overdue  *bool
	Assignee string
	Offset   int
	Limit    int
}

// List returns the cases the actor may see that match f, newest first, and their total.
func (cs *Cases) List(a accounts.Actor, f CaseFilter) ([]Case, int) {
	now := cs.now()
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	var all []*Case
	for _, c := range cs.cases {
		if !cs.canSeeLocked(a, c) || f.Status != "" && c.Status != f.Status || f.Assignee != "" && c.Assignee != f.Assignee {
			continue
		}
		if f.Overdue != nil && cs.Overdue(c, now) != *f.Overdue {
			continue
		}
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].CreatedAt.Equal(all[j].CreatedAt) {
			return all[i].CreatedAt.After(all[j].CreatedAt)
		}
		return all[i].ID > all[j].ID
	})
	out := []Case{}
	for i := f.Offset; i < len(all) && len(out) < f.Limit; i++ {
		out = append(out, cloneCase(all[i]))
	}
	return out, len(all)
}

// FullAccess returns the refs whose personal data the actor may see in full: the parties and
// attachments of the cases the actor may see (analysts: none — their own leads are read masked).
func (cs *Cases) FullAccess(a accounts.Actor) map[graph.Ref]bool {
	if a.Role == accounts.RoleAnalyst || a.Role == accounts.RoleAdmin {
		return nil
	}
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	out := map[graph.Ref]bool{}
	for _, c := range cs.cases {
		if !cs.canSeeLocked(a, c) {
			continue
		}
		// For police this is the evidence package they received: parties and attachments.
		for _, r := range c.Parties {
			out[r] = true
		}
		for _, r := range c.Attachments {
			out[r] = true
		}
	}
	return out
}

// NewCase is the input of Create.
type NewCase struct {
	Title    string
	Summary  string
	RingID   string
	JobID    string
	Parties  []graph.Ref
	Assignee string
	// ApplicationReceived is the optional YYYY-MM-DD receipt day of the benefit application.
	ApplicationReceived string
}

// persist writes the case and the audit record of the change in one transaction: a change
// without its trace cannot be committed.
func (cs *Cases) persist(c *Case, rec audit.Record) error {
	return cs.db.Update(func(tx *bolt.Tx) error {
		if err := state.Put(tx, state.Cases, c.ID, c); err != nil {
			return err
		}
		_, err := audit.AppendTx(tx, cs.now(), rec)
		return err
	})
}

// Create opens a lead (线索). An investigator who opens a case is its assignee; one who declared
// recusal from any of its parties cannot open it.
func (cs *Cases) Create(a accounts.Actor, n NewCase) (Case, error) {
	if len(n.Parties) == 0 {
		return Case{}, bilingual.Field("entity", "需要指定团伙或当事方", "a ring or an entity is required")
	}
	if n.Title = strings.TrimSpace(n.Title); len([]rune(n.Title)) > 200 {
		return Case{}, bilingual.Field("title", "标题过长（最多 200 字）", "title too long (max 200)")
	}
	if len([]rune(n.Summary)) > 10000 {
		return Case{}, bilingual.Field("summary", "摘要过长", "summary too long")
	}
	now := cs.now().UTC()
	if n.ApplicationReceived != "" {
		d, err := parseDay("application_received", n.ApplicationReceived, now)
		if err != nil {
			return Case{}, err
		}
		n.ApplicationReceived = Day(d)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.recusedFromRefLocked(a.Username, n.Parties) {
		return Case{}, bilingual.New(graph.EFORBIDDEN, "您已声明回避该当事方，不能办理此案", "you declared recusal from a party of this case")
	}
	assignee := n.Assignee
	if a.Role == accounts.RoleInvestigator {
		if assignee != "" && assignee != a.Username {
			return Case{}, bilingual.Field("assignee", "调查员只能把案件分配给自己", "an investigator can only assign a case to themself")
		}
		assignee = a.Username
	} else if assignee != "" && a.Role != accounts.RoleSupervisor {
		return Case{}, bilingual.Field("assignee", "只有主管可以分配案件", "only a supervisor assigns cases")
	}
	var id string
	err := cs.db.Update(func(tx *bolt.Tx) (err error) {
		id, err = state.NextID(tx, state.Cases, "C"+now.In(ChinaTime).Format("20060102")+"-%05d")
		return err
	})
	if err != nil {
		return Case{}, fmt.Errorf("case id: %w", err)
	}
	if n.Title == "" {
		n.Title = "线索 " + id
	}
	c := &Case{ID: id, Title: n.Title, Status: StatusLead, Version: 1, RingID: n.RingID, JobID: n.JobID, Summary: n.Summary,
		Parties: DedupRefs(n.Parties), Attachments: []graph.Ref{}, Assignee: assignee, ApplicationReceived: n.ApplicationReceived, CreatedBy: a.Username, CreatedAt: now, UpdatedAt: now,
		History: []Event{{At: now, By: a.Username, Role: a.Role, Action: "create", To: string(StatusLead)}}}
	if assignee != "" {
		c.History = append(c.History, Event{At: now, By: a.Username, Role: a.Role, Action: "assign", To: assignee})
	}
	if err := cs.persist(c, a.Record("create_case", c.Parties, "case "+c.ID)); err != nil {
		return Case{}, fmt.Errorf("save case: %w", err)
	}
	cs.cases[id] = c
	return cloneCase(c), nil
}

// DedupRefs returns rs without repeats, in first-seen order.
func DedupRefs(rs []graph.Ref) []graph.Ref {
	seen := map[graph.Ref]bool{}
	out := []graph.Ref{}
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// update runs fn on a copy of the case after the visibility and version checks, persists the
// result with version+1 and swaps it in. fn returns the history event to record.
func (cs *Cases) update(a accounts.Actor, id string, version int, fn func(c *Case, now time.Time) (Event, error)) (Case, error) {
	if a.Role == accounts.RolePolice || a.Role == accounts.RoleAnalyst {
		return Case{}, bilingual.New(graph.EFORBIDDEN, "无权修改案件", "not allowed to change cases")
	}
	now := cs.now().UTC()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cur, ok := cs.cases[id]
	if !ok || !cs.canSeeLocked(a, cur) {
		return Case{}, ErrNotFound
	}
	if version != cur.Version {
		return Case{}, bilingual.New(graph.ECONFLICT, fmt.Sprintf("案件已被他人修改（当前版本 %d），请刷新后重试", cur.Version), fmt.Sprintf("the case changed meanwhile (now version %d); reload and retry", cur.Version))
	}
	c := cloneCase(cur)
	ev, err := fn(&c, now)
	if err != nil {
		return Case{}, err
	}
	ev.At, ev.By, ev.Role = now, a.Username, a.Role
	c.History = append(c.History, ev)
	c.Version++
	c.UpdatedAt = now
	action := "case_" + ev.Action
	if ev.Action == "transition" {
		action = "case_" + ev.To
	}
	if err := cs.persist(&c, a.Record(action, c.Parties, "case "+c.ID)); err != nil {
		return Case{}, fmt.Errorf("save case: %w", err)
	}
	cs.cases[id] = &c
	return cloneCase(&c), nil
}

// transitions lists the allowed moves and who may make them. Confirming (立案), transferring
// (移送) and closing an opened case are decisions, so they need a supervisor.
var transitions = map[CaseStatus]map[CaseStatus][]accounts.Role{
	StatusLead:         {StatusVerification: {accounts.RoleInvestigator, accounts.RoleSupervisor}, StatusClosed: {accounts.RoleSupervisor}},
	StatusVerification: {StatusOpened: {accounts.RoleSupervisor}, StatusTransferred: {accounts.RoleSupervisor}, StatusClosed: {accounts.RoleInvestigator, accounts.RoleSupervisor}},
	StatusOpened:       {StatusTransferred: {accounts.RoleSupervisor}, StatusClosed: {accounts.RoleSupervisor}},
	StatusTransferred:  {StatusClosed: {accounts.RoleSupervisor}},
}

// Transition moves a case to status to. transferTo is required for StatusTransferred; reason
// is required when closing.
func (cs *Cases) Transition(a accounts.Actor, id string, version int, to CaseStatus, transferTo, reason string) (Case, error) {
	if _, ok := statusLabels[to]; !ok || to == StatusLead {
		return Case{}, bilingual.Field("to", "目标状态无效", "invalid target status")
	}
	if to == StatusTransferred && transferTo != TransferAdministrative && transferTo != TransferPolice {
		return Case{}, bilingual.Field("transfer_to", "移送需指定 administrative（行政部门）或 police（公安机关）", "transfer_to must be administrative or police")
	}
	if to == StatusClosed && strings.TrimSpace(reason) == "" {
		return Case{}, bilingual.Field("reason", "结案需填写理由", "closing needs a reason")
	}
	if len([]rune(reason)) > 2000 {
		return Case{}, bilingual.Field("reason", "理由过长", "reason too long")
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		roles, ok := transitions[c.Status][to]
		if !ok {
			return Event{}, bilingual.New(graph.ECONFLICT, fmt.Sprintf("不能从「%s」转为「%s」", statusLabels[c.Status], statusLabels[to]), fmt.Sprintf("cannot move from %s to %s", c.Status, to))
		}
		if !slices.Contains(roles, a.Role) {
			return Event{}, bilingual.New(graph.EFORBIDDEN, "此操作需要主管审批", "this step needs a supervisor")
		}
		if c.Status == StatusVerification && to == StatusTransferred && transferTo != TransferAdministrative {
			// Art. 10: confirmed fraud goes from verification to the administrative department;
			// a transfer to police follows 立案.
			return Event{}, bilingual.New(graph.ECONFLICT, "核查结束后只能移送社会保险行政部门；移送公安机关须先立案", "from verification a case goes to the administrative department; police transfer follows 立案")
		}
		if to == StatusVerification && c.Assignee == "" {
			return Event{}, bilingual.New(graph.ECONFLICT, "核查前需先分配调查员", "assign an investigator before verification")
		}
		ev := Event{Action: "transition", From: string(c.Status), To: string(to), Detail: reason}
		if c.Status == StatusVerification && to != StatusClosed {
			// Leaving verification for 立案 or hand-over means fraud was confirmed in writing.
			c.VerifiedAt = now
		}
		switch to {
		case StatusOpened:
			c.OpenedAt = now
		case StatusTransferred:
			c.TransferredAt, c.TransferTo = now, transferTo
			ev.Detail = strings.TrimSpace(transferTo + " " + reason)
			c.Handovers = append(c.Handovers, Handover{Seq: len(c.Handovers) + 1, Kind: transferTo, KindLabel: handoverLabels[transferTo],
				Department: handoverLabels[transferTo], Note: strings.TrimSpace(reason), At: now, By: a.Username})
		case StatusClosed:
			c.ClosedAt = now
		}
		c.Status = to
		return ev, nil
	})
}

// AddNote appends a note.
func (cs *Cases) AddNote(a accounts.Actor, id string, version int, text string) (Case, error) {
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > 10000 {
		return Case{}, bilingual.Field("text", "备注不能为空且不超过 10000 字", "note must be 1–10000 characters")
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		if c.Status == StatusClosed {
			return Event{}, bilingual.New(graph.ECONFLICT, "案件已结案", "the case is closed")
		}
		c.Notes = append(c.Notes, Note{At: now, By: a.Username, Text: text})
		return Event{Action: "note"}, nil
	})
}

// SaveView saves a workbench canvas with the case under name, replacing a view of that name. The
// link must be a workbench location (#/rings/… or #/workbench…).
func (cs *Cases) SaveView(a accounts.Actor, id string, version int, name, link string) (Case, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return Case{}, bilingual.Field("name", "视图名称不能为空且不超过 100 字", "name must be 1–100 characters")
	}
	if !(strings.HasPrefix(link, "#/rings/") || strings.HasPrefix(link, "#/workbench")) || len(link) > maxViewLink || strings.ContainsAny(link, "\x00\r\n<>\"") {
		return Case{}, bilingual.Field("link", "link 须为图谱工作台地址（#/rings/… 或 #/workbench…）", "link must be a workbench location (#/rings/… or #/workbench…)")
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		if c.Status == StatusClosed {
			return Event{}, bilingual.New(graph.ECONFLICT, "案件已结案", "the case is closed")
		}
		v := SavedView{Name: name, Link: link, At: now, By: a.Username}
		if i := slices.IndexFunc(c.Views, func(x SavedView) bool { return x.Name == name }); i >= 0 {
			c.Views[i] = v
		} else {
			c.Views = append(c.Views, v)
		}
		return Event{Action: "view", Detail: name}, nil
	})
}

// Assign gives the case to an investigator; isInvestigator checks the user exists with that
// role. A recused investigator cannot be assigned.
func (cs *Cases) Assign(a accounts.Actor, id string, version int, assignee string, isInvestigator func(string) bool) (Case, error) {
	if a.Role != accounts.RoleSupervisor {
		return Case{}, bilingual.New(graph.EFORBIDDEN, "只有主管可以分配案件", "only a supervisor assigns cases")
	}
	if !isInvestigator(assignee) {
		return Case{}, bilingual.Field("assignee", "该用户不是调查员", "assignee is not an investigator")
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		if c.Status == StatusClosed {
			return Event{}, bilingual.New(graph.ECONFLICT, "案件已结案", "the case is closed")
		}
		if cs.recusedLocked(assignee, c) {
			return Event{}, bilingual.New(graph.ECONFLICT, "该调查员已声明回避", "that investigator declared recusal")
		}
		ev := Event{Action: "assign", From: c.Assignee, To: assignee}
		c.Assignee = assignee
		return ev, nil
	})
}

// Attach adds evidence refs (parties, claims) to the case; exists checks them in the graph.
func (cs *Cases) Attach(a accounts.Actor, id string, version int, refs []graph.Ref) (Case, error) {
	if len(refs) == 0 || len(refs) > 500 {
		return Case{}, bilingual.Field("refs", "需附加 1–500 个实体", "attach 1–500 entities")
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		if c.Status == StatusClosed {
			return Event{}, bilingual.New(graph.ECONFLICT, "案件已结案", "the case is closed")
		}
		c.Attachments = DedupRefs(append(c.Attachments, refs...))
		return Event{Action: "attach", Detail: fmt.Sprintf("%d refs", len(refs))}, nil
	})
}

// Extension requests, approves or rejects the one extension of the closing deadline.
func (cs *Cases) Extension(a accounts.Actor, id string, version int, action, reason string) (Case, error) {
	if len([]rune(reason)) > 2000 {
		return Case{}, bilingual.Field("reason", "理由过长", "reason too long")
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		if c.Status != StatusOpened && c.Status != StatusTransferred {
			return Event{}, bilingual.New(graph.ECONFLICT, "只有已立案的案件可以延期", "only an opened case can be extended")
		}
		switch action {
		case "request":
			if strings.TrimSpace(reason) == "" {
				return Event{}, bilingual.Field("reason", "申请延期需填写理由", "a request needs a reason")
			}
			if c.Extension != nil {
				return Event{}, bilingual.New(graph.ECONFLICT, "延期只能申请一次", "the extension can be requested once")
			}
			c.Extension = &CaseExtension{Status: "requested", Reason: reason, RequestedBy: a.Username, RequestedAt: now}
		case "approve", "reject":
			if a.Role != accounts.RoleSupervisor {
				return Event{}, bilingual.New(graph.EFORBIDDEN, "延期需主管审批", "a supervisor decides extensions")
			}
			if c.Extension == nil || c.Extension.Status != "requested" {
				return Event{}, bilingual.New(graph.ECONFLICT, "没有待审批的延期申请", "no pending extension request")
			}
			if c.Extension.RequestedBy == a.Username {
				return Event{}, bilingual.New(graph.EFORBIDDEN, "不能审批自己的申请", "you cannot approve your own request")
			}
			c.Extension.Status = map[string]string{"approve": "approved", "reject": "rejected"}[action]
			c.Extension.DecidedBy, c.Extension.DecidedAt = a.Username, now
		default:
			return Event{}, bilingual.Field("action", "action 须为 request、approve 或 reject", "action must be request, approve or reject")
		}
		return Event{Action: "extension_" + action, Detail: reason}, nil
	})
}

// Recuse records a declaration of conflict of interest. A declared recusal cannot be withdrawn
// through the API (it is itself evidence); a recused assignee is removed from the case.
func (cs *Cases) Recuse(a accounts.Actor, caseID string, entity *graph.Ref, reason string) (Recusal, error) {
	if strings.TrimSpace(reason) == "" || len([]rune(reason)) > 2000 {
		return Recusal{}, bilingual.Field("reason", "需填写回避理由（不超过 2000 字）", "a reason (max 2000 characters) is required")
	}
	if caseID == "" && entity == nil {
		return Recusal{}, bilingual.Field("case_id", "需指定案件或当事方", "case_id or entity is required")
	}
	now := cs.now().UTC()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if caseID != "" {
		if _, ok := cs.cases[caseID]; !ok {
			return Recusal{}, ErrNotFound
		}
	}
	r := Recusal{Username: a.Username, CaseID: caseID, Entity: entity, Reason: reason, At: now}
	var changed []*Case
	err := cs.db.Update(func(tx *bolt.Tx) error {
		changed = changed[:0]
		var err error
		if r.ID, err = state.NextID(tx, state.Recusals, "R%06d"); err != nil {
			return err
		}
		if err := state.Put(tx, state.Recusals, r.ID, r); err != nil {
			return err
		}
		var refs []graph.Ref
		if entity != nil {
			refs = append(refs, *entity)
		}
		if _, err := audit.AppendTx(tx, now, a.Record("recusal", refs, "recusal "+r.ID+" case "+caseID)); err != nil {
			return err
		}
		// Unassign the recused user from affected cases in the same transaction.
		probe := append(slices.Clone(cs.recusals), r)
		for _, c := range cs.cases {
			if c.Assignee != a.Username || !recusedBy(probe, a.Username, c) {
				continue
			}
			nc := cloneCase(c)
			nc.History = append(nc.History, Event{At: now, By: a.Username, Role: a.Role, Action: "recusal", From: a.Username})
			nc.Assignee = ""
			nc.Version++
			nc.UpdatedAt = now
			if err := state.Put(tx, state.Cases, nc.ID, &nc); err != nil {
				return err
			}
			changed = append(changed, &nc)
		}
		return nil
	})
	if err != nil {
		return Recusal{}, fmt.Errorf("save recusal: %w", err)
	}
	// Memory follows the database only after the commit.
	cs.recusals = append(cs.recusals, r)
	for _, c := range changed {
		cs.cases[c.ID] = c
	}
	return r, nil
}

// Recusals lists recusals: a supervisor sees all, others their own.
func (cs *Cases) Recusals(a accounts.Actor) []Recusal {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	out := []Recusal{}
	for _, r := range cs.recusals {
		if a.Role == accounts.RoleSupervisor || r.Username == a.Username {
			out = append(out, r)
		}
	}
	return out
}

// Label returns the Chinese name of status s, and false for an unknown status.
func Label(s CaseStatus) (string, bool) {
	l, ok := statusLabels[s]
	return l, ok
}

// Exists reports whether a case id is known, whatever the caller may see of it (a report triaged
// into a case names it).
func (cs *Cases) Exists(id string) bool {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	_, ok := cs.cases[id]
	return ok
}

// PartyOfClosedCase returns nil when entity is a party of the closed case caseID, and otherwise
// an error saying why not. It is the blacklist's case check: only a party of a closed case can be
// listed (DOMAIN.md: repeat offenders confirmed in closed cases go on the blacklist).
func (cs *Cases) PartyOfClosedCase(_ context.Context, caseID string, entity graph.Ref) error {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	c, ok := cs.cases[caseID]
	if !ok {
		return bilingual.Field("case_id", "案件不存在", "no such case")
	}
	if c.Status != StatusClosed {
		return bilingual.New(graph.ECONFLICT, "只有已结案案件的当事方可以列入黑名单", "only parties of a closed case can be blacklisted")
	}
	if !slices.Contains(c.Parties, entity) {
		return bilingual.New(graph.ECONFLICT, "该实体不是此案件的当事方", "the entity is not a party of that case")
	}
	return nil
}
