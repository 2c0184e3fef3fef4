package cases

import (
	"slices"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/graph"
)

// Figure is one number of the monthly report with the cases behind it, so that every figure
// can be followed down to its cases.
type Figure struct {
	Key   string   `json:"key"`
	Label string   `json:"label"` // 简体中文
	Count int      `json:"count"`
	Cases []string `json:"cases"`
	// Amount is set on money figures (yuan).
	Amount *graph.Money `json:"amount,omitempty"`
}

// MonthlyReport is the supervisor's monthly case figures (DOMAIN.md: monthly figures — cases,
// amounts recovered): what happened in the month, counted on the day each step happened, China
// time.
type MonthlyReport struct {
	Month   string   `json:"month"` // YYYY-MM
	Figures []Figure `json:"figures"`
}

// Monthly returns the report of month (YYYY-MM) over the cases the actor may see; only a
// supervisor reads it.
func (cs *Cases) Monthly(a accounts.Actor, month string) (MonthlyReport, error) {
	if a.Role != accounts.RoleSupervisor {
		return MonthlyReport{}, bilingual.New(graph.EFORBIDDEN, "月度统计仅主管可查看", "only a supervisor reads the monthly report")
	}
	start, err := time.ParseInLocation("2006-01", month, ChinaTime)
	if err != nil {
		return MonthlyReport{}, bilingual.Field("month", "month 须为 YYYY-MM", "month must be YYYY-MM")
	}
	end := start.AddDate(0, 1, 0)
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && t.Before(end) }
	inDay := func(day string) bool {
		d, err := time.ParseInLocation("2006-01-02", day, ChinaTime)
		return err == nil && in(d)
	}
	figs := []Figure{
		{Key: "leads", Label: "登记线索"},
		{Key: "verified", Label: "核查确认欺诈"},
		{Key: "opened", Label: "立案"},
		{Key: "closed", Label: "结案"},
		{Key: "handed_administrative", Label: "移交社会保险行政部门"},
		{Key: "referred_police", Label: "移送公安机关"},
		{Key: "handed_other", Label: "移交其他部门（卫生健康、市场监管等）"},
		{Key: "feedback", Label: "收到处理情况反馈"},
		{Key: "appeals", Label: "行政复议、诉讼"},
		{Key: "recovered", Label: "追回医保基金（元）", Amount: new(graph.Money)},
		{Key: "penalties", Label: "罚款（元）", Amount: new(graph.Money)},
		{Key: "overdue_verify", Label: "月末核查超期"},
		{Key: "overdue_transfer", Label: "月末移交超期"},
		{Key: "overdue_close", Label: "月末结案超期"},
	}
	idx := map[string]*Figure{}
	for i := range figs {
		idx[figs[i].Key] = &figs[i]
	}
	hit := func(key, id string) {
		f := idx[key]
		if !slices.Contains(f.Cases, id) {
			f.Cases = append(f.Cases, id)
			f.Count++
		}
	}
	// Overdue counts are taken at the last moment of the month (or now, for the running month).
	// A case whose status changed after that moment is left out of them: its deadlines are
	// computed from its current record, which would misstate the month's end.
	at := end.Add(-time.Nanosecond)
	if now := cs.now(); now.Before(at) {
		at = now
	}
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	ids := make([]string, 0, len(cs.cases))
	for id, c := range cs.cases {
		if cs.canSeeLocked(a, c) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := cs.cases[id]
		if in(c.CreatedAt) {
			hit("leads", id)
		}
		if in(c.VerifiedAt) {
			hit("verified", id)
		}
		if in(c.OpenedAt) {
			hit("opened", id)
		}
		if in(c.ClosedAt) {
			hit("closed", id)
		}
		for _, h := range c.Handovers {
			if in(h.At) {
				switch h.Kind {
				case HandoverAdministrative:
					hit("handed_administrative", id)
				case HandoverPolice:
					hit("referred_police", id)
				default:
					hit("handed_other", id)
				}
			}
			if h.Feedback != nil && inDay(h.Feedback.Received) {
				hit("feedback", id)
			}
		}
		for _, ap := range c.Appeals {
			if inDay(ap.Filed) {
				hit("appeals", id)
			}
		}
		for _, r := range c.Recoveries {
			if inDay(r.Date) {
				key := map[string]string{MoneyRecovered: "recovered", MoneyPenalty: "penalties"}[r.Kind]
				*idx[key].Amount += r.Amount
				hit(key, id)
			}
		}
		if c.CreatedAt.After(at) {
			continue
		}
		for _, d := range cs.Deadlines(c, at) {
			if d.Overdue && (d.Kind == "verify" || d.Kind == "transfer" || d.Kind == "close") && statusAt(c, at) == c.Status {
				hit("overdue_"+d.Kind, id)
			}
		}
	}
	for i := range figs {
		if figs[i].Cases == nil {
			figs[i].Cases = []string{}
		}
	}
	return MonthlyReport{Month: month, Figures: figs}, nil
}

// statusAt is the case's status at t as its history says.
func statusAt(c *Case, t time.Time) CaseStatus {
	s := StatusLead
	for _, ev := range c.History {
		if ev.At.After(t) {
			break
		}
		if ev.Action == "transition" || ev.Action == "create" {
			s = CaseStatus(ev.To)
		}
	}
	return s
}
