package cases

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/graph"
)

// The procedural records of a case beyond its status: the receipt of the benefit application that
// starts the verification clock, hand-overs to other departments and their feedback, the party's
// statement and defence, appeals, and the money recovered or imposed.

// Handover kinds: the department a case (or its evidence) is handed to.
const (
	HandoverAdministrative = TransferAdministrative // 社会保险行政部门
	HandoverPolice         = TransferPolice         // 公安机关
	HandoverHealth         = "health"               // 卫生健康部门
	HandoverMarket         = "market_regulation"    // 市场监督管理部门
	HandoverOther          = "other"                // 其他部门
)

var handoverLabels = map[string]string{
	HandoverAdministrative: "社会保险行政部门", HandoverPolice: "公安机关", HandoverHealth: "卫生健康部门",
	HandoverMarket: "市场监督管理部门", HandoverOther: "其他部门",
}

// Handover is one hand-over of the case to another department (移交), with the feedback that
// department reports back on how it handled it (处理情况反馈, Yunnan anti-fraud measures art. 14).
type Handover struct {
	Seq        int       `json:"seq"` // 1-based, the handover's number within the case
	Kind       string    `json:"kind"`
	KindLabel  string    `json:"kind_label"`
	Department string    `json:"department"` // the receiving office by name
	Note       string    `json:"note,omitempty"`
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	Feedback   *Feedback `json:"feedback,omitempty"`
}

// Feedback is what the receiving department reported back.
type Feedback struct {
	Received string    `json:"received"` // YYYY-MM-DD, the day the feedback arrived
	Outcome  string    `json:"outcome"`
	Document string    `json:"document,omitempty"` // reference of the feedback letter
	At       time.Time `json:"at"`
	By       string    `json:"by"`
}

// Statement is the party's right to state its case and defend itself (陈述、申辩): the notice
// served on the party with its deadline, and what the party submitted.
type Statement struct {
	Notified    string    `json:"notified"`     // YYYY-MM-DD the notice was served
	WorkingDays int       `json:"working_days"` // the time limit the notice gave
	Due         string    `json:"due"`          // YYYY-MM-DD, computed on the working-day calendar
	Document    string    `json:"document"`     // reference of the notice (告知书)
	Submitted   string    `json:"submitted,omitempty"`
	Text        string    `json:"text,omitempty"`
	Waived      bool      `json:"waived,omitempty"` // the party declared it makes no statement
	At          time.Time `json:"at"`
	By          string    `json:"by"`
}

// Appeal kinds: administrative reconsideration (行政复议) and administrative litigation (行政诉讼).
const (
	AppealReconsideration = "reconsideration"
	AppealLitigation      = "litigation"
)

var appealLabels = map[string]string{AppealReconsideration: "行政复议", AppealLitigation: "行政诉讼"}

// Appeal is a party's administrative reconsideration or lawsuit against the decision.
type Appeal struct {
	Seq       int       `json:"seq"`
	Kind      string    `json:"kind"`
	KindLabel string    `json:"kind_label"`
	Filed     string    `json:"filed"` // YYYY-MM-DD
	Body      string    `json:"body"`  // the reconsideration body or the court
	Decided   string    `json:"decided,omitempty"`
	Outcome   string    `json:"outcome,omitempty"` // upheld, changed, revoked, withdrawn
	Detail    string    `json:"detail,omitempty"`
	At        time.Time `json:"at"`
	By        string    `json:"by"`
}

// Appeal outcomes.
var appealOutcomes = map[string]string{"upheld": "维持", "changed": "变更", "revoked": "撤销", "withdrawn": "撤回"}

// Money kinds of a case: fund money recovered (追回), and penalties imposed (罚款).
const (
	MoneyRecovered = "recovered"
	MoneyPenalty   = "penalty"
)

var moneyLabels = map[string]string{MoneyRecovered: "追回医保基金", MoneyPenalty: "罚款"}

// Recovery is one amount recovered for the fund or one penalty imposed.
type Recovery struct {
	Kind      string      `json:"kind"`
	KindLabel string      `json:"kind_label"`
	Amount    graph.Money `json:"amount"`
	Date      string      `json:"date"` // YYYY-MM-DD
	Document  string      `json:"document,omitempty"`
	At        time.Time   `json:"at"`
	By        string      `json:"by"`
}

// Totals returns the recovered fund money and the penalties of a case.
func (c *Case) Totals() (recovered, penalties graph.Money) {
	for _, r := range c.Recoveries {
		switch r.Kind {
		case MoneyRecovered:
			recovered += r.Amount
		case MoneyPenalty:
			penalties += r.Amount
		}
	}
	return recovered, penalties
}

// handedToAdministrative reports whether the evidence went to the administrative department.
func (c *Case) handedToAdministrative() bool {
	for _, h := range c.Handovers {
		if h.Kind == HandoverAdministrative {
			return true
		}
	}
	return false
}

// parseDay checks a YYYY-MM-DD field and that it is not in the future.
func parseDay(field, s string, now time.Time) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), ChinaTime)
	if err != nil {
		return time.Time{}, bilingual.Field(field, field+" 须为 YYYY-MM-DD 日期", field+" must be a YYYY-MM-DD date")
	}
	if d.After(now) {
		return time.Time{}, bilingual.Field(field, field+" 不能晚于今天", field+" cannot be in the future")
	}
	return d, nil
}

func text(field string, s string, required bool, max int) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", bilingual.Field(field, "需填写 "+field, field+" is required")
	}
	if len([]rune(s)) > max {
		return "", bilingual.Field(field, fmt.Sprintf("%s 过长（最多 %d 字）", field, max), fmt.Sprintf("%s too long (max %d)", field, max))
	}
	return s, nil
}

var errClosed = bilingual.New(graph.ECONFLICT, "案件已结案", "the case is closed")

// SetApplicationReceived records the day the benefit application concerned was received
// (收到医疗保险待遇申请之日): the 15-working-day verification limit runs from it (Yunnan
// anti-fraud measures art. 10). It can be set or corrected until verification ends.
func (cs *Cases) SetApplicationReceived(a accounts.Actor, id string, version int, day string) (Case, error) {
	d, err := parseDay("application_received", day, cs.now())
	if err != nil {
		return Case{}, err
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		if c.Status != StatusLead && c.Status != StatusVerification {
			return Event{}, bilingual.New(graph.ECONFLICT, "核查结束后不能再修改申请受理日期", "the application date cannot change once verification has ended")
		}
		if dateOf(d).time().After(dateOf(c.CreatedAt).time()) {
			return Event{}, bilingual.Field("application_received", "申请受理日期不能晚于线索登记日期", "application_received cannot be after the case was registered")
		}
		ev := Event{Action: "application_received", From: c.ApplicationReceived, To: Day(d)}
		c.ApplicationReceived = Day(d)
		return ev, nil
	})
}

// NewHandover is the input of Handover.
type NewHandover struct {
	Kind       string
	Department string
	Note       string
}

// Handover records that the case was handed to another department. Handing to the administrative
// department needs concluded verification (the evidence of confirmed fraud goes there, art. 10);
// it stops the 5-working-day transfer clock.
func (cs *Cases) Handover(a accounts.Actor, id string, version int, n NewHandover) (Case, error) {
	label, ok := handoverLabels[n.Kind]
	if !ok {
		return Case{}, bilingual.Field("kind", "kind 须为 administrative、police、health、market_regulation 或 other", "kind must be administrative, police, health, market_regulation or other")
	}
	if a.Role != accounts.RoleSupervisor {
		return Case{}, bilingual.New(graph.EFORBIDDEN, "移交需主管决定", "a supervisor decides hand-overs")
	}
	dept, err := text("department", n.Department, true, 200)
	if err != nil {
		return Case{}, err
	}
	note, err := text("note", n.Note, false, 2000)
	if err != nil {
		return Case{}, err
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		if c.Status == StatusClosed {
			return Event{}, errClosed
		}
		if c.VerifiedAt.IsZero() {
			return Event{}, bilingual.New(graph.ECONFLICT, "核查结束后才能移交", "a case is handed over once verification has ended")
		}
		c.Handovers = append(c.Handovers, Handover{Seq: len(c.Handovers) + 1, Kind: n.Kind, KindLabel: label, Department: dept, Note: note, At: now, By: a.Username})
		return Event{Action: "handover", To: n.Kind, Detail: dept}, nil
	})
}

// NewFeedback is the input of RecordFeedback.
type NewFeedback struct {
	Received string
	Outcome  string
	Document string
}

// RecordFeedback records the receiving department's report on how it handled hand-over seq.
func (cs *Cases) RecordFeedback(a accounts.Actor, id string, version, seq int, n NewFeedback) (Case, error) {
	d, err := parseDay("received", n.Received, cs.now())
	if err != nil {
		return Case{}, err
	}
	outcome, err := text("outcome", n.Outcome, true, 4000)
	if err != nil {
		return Case{}, err
	}
	doc, err := text("document", n.Document, false, 200)
	if err != nil {
		return Case{}, err
	}
	return cs.update(a, id, version, func(c *Case, now time.Time) (Event, error) {
		if seq < 1 || seq > len(c.Handovers) {
			return Event{}, bilingual.Field("seq", "移交记录不存在", "no such hand-over")
		}
		h := &c.Handovers[seq-1]
		if h.Feedback != nil {
			return Event{}, bilingual.New(graph.ECONFLICT, "该移交已有反馈", "that hand-over already has its feedback")
		}
		if dateOf(d).time().Before(dateOf(h.At).time()) {
			return Event{}, bilingual.Field("received", "反馈日期不能早于移交日期", "received cannot be before the hand-over")
		}
		h.Feedback = &Feedback{Received: Day(d), Outcome: outcome, Document: doc, At: now, By: a.Username}
		return Event{Action: "handover_feedback", To: h.Kind, Detail: fmt.Sprintf("hand-over %d", seq)}, nil
	})
}

// NewStatement is the input of Statement: action "notify" serves the notice (Notified,
// WorkingDays, Document), "submit" records the party's statement (Submitted, Text) and "waive"
// records that the party declared it makes none (Submitted).
type NewStatement struct {
	Action      string
	Notified    string
	WorkingDays int
	Document    string
	Submitted   string
	Text        string
}

// Statement serves the notice of the party's right to state its case and defend itself, or
// records the answer. The time limit is the one the notice gives (DOMAIN.md names the right but
// no number), in working days on the bureau's calendar.
func (cs *Cases) Statement(a accounts.Actor, id string, version int, n NewStatement) (Case, error) {
	now := cs.now()
	switch n.Action {
	case "notify":
		d, err := parseDay("notified", n.Notified, now)
		if err != nil {
			return Case{}, err
		}
		if n.WorkingDays < 1 || n.WorkingDays > 60 {
			return Case{}, bilingual.Field("working_days", "陈述申辩期限须为 1–60 个工作日", "working_days must be 1–60")
		}
		doc, err := text("document", n.Document, true, 200)
		if err != nil {
			return Case{}, err
		}
		return cs.update(a, id, version, func(c *Case, at time.Time) (Event, error) {
			if c.Status != StatusOpened && c.Status != StatusTransferred {
				return Event{}, bilingual.New(graph.ECONFLICT, "立案后才能告知陈述申辩权利", "the party is notified once the case is opened")
			}
			if c.Statement != nil {
				return Event{}, bilingual.New(graph.ECONFLICT, "已告知陈述申辩权利", "the party has already been notified")
			}
			c.Statement = &Statement{Notified: Day(d), WorkingDays: n.WorkingDays, Due: Day(cs.cal.AddWorkingDays(d, n.WorkingDays)), Document: doc, At: at, By: a.Username}
			return Event{Action: "statement_notify", Detail: doc}, nil
		})
	case "submit", "waive":
		d, err := parseDay("submitted", n.Submitted, now)
		if err != nil {
			return Case{}, err
		}
		txt, err := text("text", n.Text, n.Action == "submit", 10000)
		if err != nil {
			return Case{}, err
		}
		return cs.update(a, id, version, func(c *Case, at time.Time) (Event, error) {
			if c.Statement == nil {
				return Event{}, bilingual.New(graph.ECONFLICT, "尚未告知陈述申辩权利", "the party has not been notified")
			}
			if c.Statement.Submitted != "" {
				return Event{}, bilingual.New(graph.ECONFLICT, "陈述申辩已记录", "the statement is already recorded")
			}
			if Day(d) < c.Statement.Notified {
				return Event{}, bilingual.Field("submitted", "提交日期不能早于告知日期", "submitted cannot be before notified")
			}
			c.Statement.Submitted, c.Statement.Text, c.Statement.Waived = Day(d), txt, n.Action == "waive"
			return Event{Action: "statement_" + n.Action}, nil
		})
	}
	return Case{}, bilingual.Field("action", "action 须为 notify、submit 或 waive", "action must be notify, submit or waive")
}

// NewAppeal is the input of Appeal: action "file" records a reconsideration or lawsuit (Kind,
// Filed, Body), "decide" its outcome (Seq, Decided, Outcome, Detail).
type NewAppeal struct {
	Action  string
	Kind    string
	Filed   string
	Body    string
	Seq     int
	Decided string
	Outcome string
	Detail  string
}

// Appeal records a party's administrative reconsideration or lawsuit and its outcome.
func (cs *Cases) Appeal(a accounts.Actor, id string, version int, n NewAppeal) (Case, error) {
	now := cs.now()
	switch n.Action {
	case "file":
		label, ok := appealLabels[n.Kind]
		if !ok {
			return Case{}, bilingual.Field("kind", "kind 须为 reconsideration（行政复议）或 litigation（行政诉讼）", "kind must be reconsideration or litigation")
		}
		d, err := parseDay("filed", n.Filed, now)
		if err != nil {
			return Case{}, err
		}
		body, err := text("body", n.Body, true, 200)
		if err != nil {
			return Case{}, err
		}
		return cs.update(a, id, version, func(c *Case, at time.Time) (Event, error) {
			if c.OpenedAt.IsZero() {
				return Event{}, bilingual.New(graph.ECONFLICT, "立案前没有可复议或起诉的决定", "there is no decision to appeal before the case is opened")
			}
			c.Appeals = append(c.Appeals, Appeal{Seq: len(c.Appeals) + 1, Kind: n.Kind, KindLabel: label, Filed: Day(d), Body: body, At: at, By: a.Username})
			return Event{Action: "appeal_file", To: n.Kind, Detail: body}, nil
		})
	case "decide":
		if _, ok := appealOutcomes[n.Outcome]; !ok {
			return Case{}, bilingual.Field("outcome", "outcome 须为 upheld、changed、revoked 或 withdrawn", "outcome must be upheld, changed, revoked or withdrawn")
		}
		d, err := parseDay("decided", n.Decided, now)
		if err != nil {
			return Case{}, err
		}
		detail, err := text("detail", n.Detail, false, 4000)
		if err != nil {
			return Case{}, err
		}
		return cs.update(a, id, version, func(c *Case, at time.Time) (Event, error) {
			if n.Seq < 1 || n.Seq > len(c.Appeals) {
				return Event{}, bilingual.Field("seq", "复议或诉讼记录不存在", "no such appeal")
			}
			ap := &c.Appeals[n.Seq-1]
			if ap.Decided != "" {
				return Event{}, bilingual.New(graph.ECONFLICT, "该复议或诉讼已有结果", "that appeal is already decided")
			}
			if Day(d) < ap.Filed {
				return Event{}, bilingual.Field("decided", "结果日期不能早于提起日期", "decided cannot be before filed")
			}
			ap.Decided, ap.Outcome, ap.Detail = Day(d), n.Outcome, detail
			return Event{Action: "appeal_decide", To: n.Outcome, Detail: fmt.Sprintf("appeal %d", n.Seq)}, nil
		})
	}
	return Case{}, bilingual.Field("action", "action 须为 file 或 decide", "action must be file or decide")
}

// AddRecovery records fund money recovered or a penalty imposed on the case's parties.
func (cs *Cases) AddRecovery(a accounts.Actor, id string, version int, kind string, amount graph.Money, day, document string) (Case, error) {
	label, ok := moneyLabels[kind]
	if !ok {
		return Case{}, bilingual.Field("kind", "kind 须为 recovered（追回）或 penalty（罚款）", "kind must be recovered or penalty")
	}
	if amount <= 0 {
		return Case{}, bilingual.Field("amount", "金额须大于 0（元）", "amount must be positive (yuan)")
	}
	d, err := parseDay("date", day, cs.now())
	if err != nil {
		return Case{}, err
	}
	doc, err := text("document", document, false, 200)
	if err != nil {
		return Case{}, err
	}
	if a.Role != accounts.RoleSupervisor {
		return Case{}, bilingual.New(graph.EFORBIDDEN, "追回与罚款由主管登记", "a supervisor records recoveries and penalties")
	}
	return cs.update(a, id, version, func(c *Case, at time.Time) (Event, error) {
		if c.OpenedAt.IsZero() {
			return Event{}, bilingual.New(graph.ECONFLICT, "立案后才能登记追回或罚款", "recoveries are recorded once the case is opened")
		}
		c.Recoveries = append(c.Recoveries, Recovery{Kind: kind, KindLabel: label, Amount: amount, Date: Day(d), Document: doc, At: at, By: a.Username})
		return Event{Action: "recovery", To: kind, Detail: amount.String()}, nil
	})
}

// Step is one procedural fact of a case in date order, with its 简体中文 label: what the
// referral package prints.
type Step struct {
	Kind   string
	Label  string
	Date   string // YYYY-MM-DD
	Detail string
	Amount graph.Money
}

// Steps lists the procedural facts of c by date (stable for equal dates).
func (c *Case) Steps() []Step {
	var out []Step
	if c.ApplicationReceived != "" {
		out = append(out, Step{Kind: "application", Label: "收到医疗保险待遇申请", Date: c.ApplicationReceived})
	}
	if !c.VerifiedAt.IsZero() {
		out = append(out, Step{Kind: "verified", Label: "书面核查结束（确认欺诈）", Date: Day(c.VerifiedAt)})
	}
	for _, h := range c.Handovers {
		out = append(out, Step{Kind: "handover", Label: "移交" + h.KindLabel, Date: Day(h.At), Detail: strings.TrimSpace(h.Department + " " + h.Note)})
		if f := h.Feedback; f != nil {
			out = append(out, Step{Kind: "feedback", Label: "处理情况反馈（" + h.KindLabel + "）", Date: f.Received, Detail: strings.TrimSpace(f.Outcome + " " + f.Document)})
		}
	}
	if st := c.Statement; st != nil {
		out = append(out, Step{Kind: "statement_notice", Label: "告知陈述、申辩权利", Date: st.Notified, Detail: fmt.Sprintf("%s，期限 %d 个工作日，至 %s", st.Document, st.WorkingDays, st.Due)})
		if st.Submitted != "" {
			label, detail := "当事人陈述、申辩", st.Text
			if st.Waived {
				label, detail = "当事人放弃陈述、申辩", ""
			}
			out = append(out, Step{Kind: "statement", Label: label, Date: st.Submitted, Detail: detail})
		}
	}
	for _, ap := range c.Appeals {
		out = append(out, Step{Kind: "appeal", Label: "提起" + ap.KindLabel, Date: ap.Filed, Detail: ap.Body})
		if ap.Decided != "" {
			out = append(out, Step{Kind: "appeal_decision", Label: ap.KindLabel + "结果", Date: ap.Decided, Detail: strings.TrimSpace(appealOutcomes[ap.Outcome] + " " + ap.Detail)})
		}
	}
	for _, r := range c.Recoveries {
		out = append(out, Step{Kind: r.Kind, Label: r.KindLabel, Date: r.Date, Detail: r.Document, Amount: r.Amount})
	}
	slices.SortStableFunc(out, func(a, b Step) int { return strings.Compare(a.Date, b.Date) })
	return out
}
