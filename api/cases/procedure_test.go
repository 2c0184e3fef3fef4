package cases

import (
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// procedureFixture opens Cases over a fresh state directory on the 2025 State Council calendar,
// with a clock the test moves.
type procedureFixture struct {
	t   *testing.T
	cs  *Cases
	now time.Time
	sup accounts.Actor
	inv accounts.Actor
}

func newProcedureFixture(t *testing.T, start string) *procedureFixture {
	t.Helper()
	cal, err := LoadWorkingDays("testdata/holidays-cn-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &procedureFixture{t: t, now: at(start), sup: accounts.Actor{Username: "sup", Role: accounts.RoleSupervisor}, inv: accounts.Actor{Username: "inv", Role: accounts.RoleInvestigator}}
	f.cs, err = Open(st, cal, func() time.Time { return f.now })
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// at parses "2006-01-02 15:04" in China time.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ChinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

func deadline(t *testing.T, cs *Cases, c Case, kind string) Deadline {
	t.Helper()
	for _, d := range cs.Deadlines(&c, cs.now()) {
		if d.Kind == kind {
			return d
		}
	}
	t.Fatalf("case %s has no %s deadline", c.ID, kind)
	return Deadline{}
}

func (f *procedureFixture) must(c Case, err error) Case {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := graph.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

var patient = graph.Ref{Type: graph.TypePatient, ID: "P1"}

// The verification limit runs 15 working days from receipt of the benefit application (art. 10),
// across the 2025 National Day holiday and its make-up working days (Sunday 28 September,
// Saturday 11 October).
func TestVerifyDeadlineRunsFromApplication(t *testing.T) {
	f := newProcedureFixture(t, "2025-10-09 10:00")
	c := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}, ApplicationReceived: "2025-09-22"}))
	d := deadline(t, f.cs, c, "verify")
	if d.Due != "2025-10-17" || d.Basis != "application" || d.From != "2025-09-22" || !d.Active {
		t.Fatalf("verify deadline %+v, want due 2025-10-17 from the application of 2025-09-22", d)
	}
	// Counted from registration it would be 15 working days after 9 October, Saturday 11 October
	// (a make-up working day) included.
	plain := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}}))
	if d := deadline(t, f.cs, plain, "verify"); d.Basis != "created" || d.Due != "2025-10-29" {
		t.Fatalf("verify deadline without application %+v, want due 2025-10-29 from registration", d)
	}
	// Setting the application day later moves the clock; on the 18th the case is overdue.
	plain = f.must(f.cs.SetApplicationReceived(f.inv, plain.ID, plain.Version, "2025-09-22"))
	f.now = at("2025-10-18 09:00")
	if d := deadline(t, f.cs, plain, "verify"); d.Due != "2025-10-17" || !d.Overdue {
		t.Fatalf("after setting the application day %+v, want overdue since 2025-10-17", d)
	}
	_, err := f.cs.SetApplicationReceived(f.inv, plain.ID, plain.Version, "2025-10-20")
	wantCode(t, err, graph.EINVALID)
	_, err = f.cs.SetApplicationReceived(f.inv, plain.ID, plain.Version, "22/09/2025")
	wantCode(t, err, graph.EINVALID)
	_, err = f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}, ApplicationReceived: "2025-10-19"})
	wantCode(t, err, graph.EINVALID)
}

// The 5 working days to hand confirmed fraud to the administrative department run from the end
// of verification, and stop once it is handed over; its feedback is recorded on the hand-over.
func TestTransferDeadlineRunsFromVerification(t *testing.T) {
	f := newProcedureFixture(t, "2025-09-22 10:00")
	c := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}, ApplicationReceived: "2025-09-22"}))
	c = f.must(f.cs.Transition(f.inv, c.ID, c.Version, StatusVerification, "", ""))
	_, err := f.cs.Handover(f.sup, c.ID, c.Version, NewHandover{Kind: HandoverAdministrative, Department: "市人社局"})
	wantCode(t, err, graph.ECONFLICT) // not before verification ends
	f.now = at("2025-09-30 10:00")
	c = f.must(f.cs.Transition(f.sup, c.ID, c.Version, StatusOpened, "", ""))
	d := deadline(t, f.cs, c, "transfer")
	if d.Due != "2025-10-14" || d.Basis != "verified" || !d.Active {
		t.Fatalf("transfer deadline %+v, want due 2025-10-14 from the end of verification", d)
	}
	f.now = at("2025-10-15 09:00")
	if d := deadline(t, f.cs, c, "transfer"); !d.Overdue {
		t.Fatalf("transfer deadline %+v, want overdue on 2025-10-15", d)
	}
	_, err = f.cs.Handover(f.inv, c.ID, c.Version, NewHandover{Kind: HandoverAdministrative, Department: "市人社局"})
	wantCode(t, err, graph.EFORBIDDEN)
	_, err = f.cs.Handover(f.sup, c.ID, c.Version, NewHandover{Kind: "tax", Department: "x"})
	wantCode(t, err, graph.EINVALID)
	c = f.must(f.cs.Handover(f.sup, c.ID, c.Version, NewHandover{Kind: HandoverAdministrative, Department: "市人力资源和社会保障局"}))
	if d := deadline(t, f.cs, c, "transfer"); d.Active || d.Overdue {
		t.Fatalf("transfer deadline after hand-over %+v, want inactive", d)
	}
	if len(c.Handovers) != 1 || c.Handovers[0].KindLabel != "社会保险行政部门" {
		t.Fatalf("handovers %+v", c.Handovers)
	}
	_, err = f.cs.RecordFeedback(f.sup, c.ID, c.Version, 1, NewFeedback{Received: "2025-10-14", Outcome: "已受理"})
	wantCode(t, err, graph.EINVALID) // before the hand-over
	c = f.must(f.cs.RecordFeedback(f.sup, c.ID, c.Version, 1, NewFeedback{Received: "2025-10-15", Outcome: "已立案调查", Document: "人社函〔2025〕12号"}))
	if fb := c.Handovers[0].Feedback; fb == nil || fb.Outcome != "已立案调查" {
		t.Fatalf("feedback %+v", fb)
	}
	_, err = f.cs.RecordFeedback(f.sup, c.ID, c.Version, 1, NewFeedback{Received: "2025-10-15", Outcome: "again"})
	wantCode(t, err, graph.ECONFLICT)
	_, err = f.cs.RecordFeedback(f.sup, c.ID, c.Version, 2, NewFeedback{Received: "2025-10-15", Outcome: "x"})
	wantCode(t, err, graph.EINVALID)
}

// Handing a verified case straight to the administrative department (before any 立案) is the
// path art. 10 describes; the transition records the hand-over itself.
func TestVerificationHandedStraightOver(t *testing.T) {
	f := newProcedureFixture(t, "2025-09-22 10:00")
	c := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}}))
	c = f.must(f.cs.Transition(f.inv, c.ID, c.Version, StatusVerification, "", ""))
	_, err := f.cs.Transition(f.inv, c.ID, c.Version, StatusTransferred, TransferAdministrative, "")
	wantCode(t, err, graph.EFORBIDDEN)
	c = f.must(f.cs.Transition(f.sup, c.ID, c.Version, StatusTransferred, TransferAdministrative, "核查确认欺诈"))
	if c.VerifiedAt.IsZero() || len(c.Handovers) != 1 || c.Handovers[0].Kind != HandoverAdministrative {
		t.Fatalf("verified %v handovers %+v", c.VerifiedAt, c.Handovers)
	}
	if d := deadline(t, f.cs, c, "transfer"); d.Active {
		t.Fatalf("transfer deadline %+v, want met by the hand-over", d)
	}
}

// The statement-and-defence notice sets its own limit in working days; the answer stops it.
func TestStatementAndAppeal(t *testing.T) {
	f := newProcedureFixture(t, "2025-09-29 10:00")
	c := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}}))
	_, err := f.cs.Statement(f.sup, c.ID, c.Version, NewStatement{Action: "notify", Notified: "2025-09-29", WorkingDays: 3, Document: "告知书1号"})
	wantCode(t, err, graph.ECONFLICT) // not before 立案
	c = f.must(f.cs.Transition(f.inv, c.ID, c.Version, StatusVerification, "", ""))
	c = f.must(f.cs.Transition(f.sup, c.ID, c.Version, StatusOpened, "", ""))
	f.now = at("2025-10-09 10:00")
	for _, bad := range []NewStatement{
		{Action: "notify", Notified: "2025-10-09", WorkingDays: 0, Document: "x"},
		{Action: "notify", Notified: "2025-10-09", WorkingDays: 3},
		{Action: "notify", Notified: "2025-10-10", WorkingDays: 3, Document: "x"},
		{Action: "speak"},
	} {
		_, err := f.cs.Statement(f.sup, c.ID, c.Version, bad)
		wantCode(t, err, graph.EINVALID)
	}
	c = f.must(f.cs.Statement(f.sup, c.ID, c.Version, NewStatement{Action: "notify", Notified: "2025-10-09", WorkingDays: 3, Document: "告知书1号"}))
	d := deadline(t, f.cs, c, "statement")
	// 10 October, Saturday 11 October (make-up working day), Monday 13 October.
	if d.Due != "2025-10-13" || !d.Active || c.Statement.Due != "2025-10-13" {
		t.Fatalf("statement deadline %+v", d)
	}
	f.now = at("2025-10-13 16:00")
	c = f.must(f.cs.Statement(f.inv, c.ID, c.Version, NewStatement{Action: "submit", Submitted: "2025-10-13", Text: "当事人否认冒名就医"}))
	if d := deadline(t, f.cs, c, "statement"); d.Active {
		t.Fatalf("statement deadline after submission %+v", d)
	}
	_, err = f.cs.Statement(f.inv, c.ID, c.Version, NewStatement{Action: "waive", Submitted: "2025-10-13"})
	wantCode(t, err, graph.ECONFLICT)

	c = f.must(f.cs.Appeal(f.inv, c.ID, c.Version, NewAppeal{Action: "file", Kind: AppealReconsideration, Filed: "2025-10-13", Body: "市人民政府"}))
	_, err = f.cs.Appeal(f.inv, c.ID, c.Version, NewAppeal{Action: "decide", Seq: 1, Decided: "2025-10-12", Outcome: "upheld"})
	wantCode(t, err, graph.EINVALID)
	_, err = f.cs.Appeal(f.inv, c.ID, c.Version, NewAppeal{Action: "decide", Seq: 1, Decided: "2025-10-13", Outcome: "maybe"})
	wantCode(t, err, graph.EINVALID)
	c = f.must(f.cs.Appeal(f.inv, c.ID, c.Version, NewAppeal{Action: "decide", Seq: 1, Decided: "2025-10-13", Outcome: "upheld"}))
	if ap := c.Appeals[0]; ap.KindLabel != "行政复议" || ap.Outcome != "upheld" {
		t.Fatalf("appeal %+v", ap)
	}
}

func TestRecoveries(t *testing.T) {
	f := newProcedureFixture(t, "2025-10-09 10:00")
	c := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}}))
	_, err := f.cs.AddRecovery(f.sup, c.ID, c.Version, MoneyRecovered, 100, "2025-10-09", "")
	wantCode(t, err, graph.ECONFLICT) // not before 立案
	c = f.must(f.cs.Transition(f.inv, c.ID, c.Version, StatusVerification, "", ""))
	c = f.must(f.cs.Transition(f.sup, c.ID, c.Version, StatusOpened, "", ""))
	_, err = f.cs.AddRecovery(f.inv, c.ID, c.Version, MoneyRecovered, 100, "2025-10-09", "")
	wantCode(t, err, graph.EFORBIDDEN)
	_, err = f.cs.AddRecovery(f.sup, c.ID, c.Version, MoneyRecovered, 0, "2025-10-09", "")
	wantCode(t, err, graph.EINVALID)
	_, err = f.cs.AddRecovery(f.sup, c.ID, c.Version, "bonus", 100, "2025-10-09", "")
	wantCode(t, err, graph.EINVALID)
	c = f.must(f.cs.AddRecovery(f.sup, c.ID, c.Version, MoneyRecovered, graph.FromYuan(12345.67), "2025-10-09", "追回通知1号"))
	c = f.must(f.cs.AddRecovery(f.sup, c.ID, c.Version, MoneyRecovered, graph.FromYuan(100), "2025-10-09", ""))
	c = f.must(f.cs.AddRecovery(f.sup, c.ID, c.Version, MoneyPenalty, graph.FromYuan(5000), "2025-10-09", ""))
	rec, pen := c.Totals()
	if rec != graph.FromYuan(12445.67) || pen != graph.FromYuan(5000) {
		t.Fatalf("totals recovered %s penalties %s", rec, pen)
	}
	// The record survives a reopen of the state.
	got, err := f.cs.Get(f.sup, c.ID)
	if err != nil || len(got.Recoveries) != 3 {
		t.Fatalf("get: %v %+v", err, got.Recoveries)
	}
}

// From verification a case goes to the administrative department only; police follow 立案.
func TestVerificationNotStraightToPolice(t *testing.T) {
	f := newProcedureFixture(t, "2025-09-22 10:00")
	c := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}}))
	c = f.must(f.cs.Transition(f.inv, c.ID, c.Version, StatusVerification, "", ""))
	_, err := f.cs.Transition(f.sup, c.ID, c.Version, StatusTransferred, TransferPolice, "")
	wantCode(t, err, graph.ECONFLICT)
}
