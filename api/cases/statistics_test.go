package cases

import (
	"slices"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

func figure(t *testing.T, r MonthlyReport, key string) Figure {
	t.Helper()
	for _, f := range r.Figures {
		if f.Key == key {
			return f
		}
	}
	t.Fatalf("report %s has no figure %s", r.Month, key)
	return Figure{}
}

func TestMonthlyReport(t *testing.T) {
	f := newProcedureFixture(t, "2025-09-22 10:00")
	a := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}, ApplicationReceived: "2025-09-22"}))
	a = f.must(f.cs.Transition(f.inv, a.ID, a.Version, StatusVerification, "", ""))
	f.now = at("2025-09-30 10:00")
	a = f.must(f.cs.Transition(f.sup, a.ID, a.Version, StatusOpened, "", ""))
	f.now = at("2025-10-09 10:00")
	b := f.must(f.cs.Create(f.inv, NewCase{Parties: []graph.Ref{patient}})) // verify due 2025-10-29, left alone
	f.now = at("2025-10-15 10:00")
	a = f.must(f.cs.Handover(f.sup, a.ID, a.Version, NewHandover{Kind: HandoverAdministrative, Department: "市人社局"}))
	a = f.must(f.cs.RecordFeedback(f.sup, a.ID, a.Version, 1, NewFeedback{Received: "2025-10-15", Outcome: "已受理"}))
	a = f.must(f.cs.AddRecovery(f.sup, a.ID, a.Version, MoneyRecovered, graph.FromYuan(18770.5), "2025-10-15", ""))
	a = f.must(f.cs.AddRecovery(f.sup, a.ID, a.Version, MoneyRecovered, graph.FromYuan(100), "2025-09-30", ""))
	f.must(f.cs.AddRecovery(f.sup, a.ID, a.Version, MoneyPenalty, graph.FromYuan(5000), "2025-10-15", ""))
	f.now = at("2025-11-05 10:00")

	oct, err := f.cs.Monthly(f.sup, "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]string{
		"leads": {b.ID}, "verified": {}, "opened": {}, "handed_administrative": {a.ID}, "feedback": {a.ID},
		"recovered": {a.ID}, "penalties": {a.ID}, "overdue_verify": {b.ID}, "overdue_transfer": {}, "referred_police": {},
	} {
		if fig := figure(t, oct, key); !slices.Equal(fig.Cases, want) || fig.Count != len(want) {
			t.Errorf("October %s: %d %v, want %v", key, fig.Count, fig.Cases, want)
		}
	}
	if got := *figure(t, oct, "recovered").Amount; got != graph.FromYuan(18770.5) {
		t.Errorf("October recovered %s, want 18770.50", got)
	}
	if got := *figure(t, oct, "penalties").Amount; got != graph.FromYuan(5000) {
		t.Errorf("October penalties %s", got)
	}
	sep, err := f.cs.Monthly(f.sup, "2025-09")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]string{"leads": {a.ID}, "verified": {a.ID}, "opened": {a.ID}, "recovered": {a.ID}, "overdue_verify": {}} {
		if fig := figure(t, sep, key); !slices.Equal(fig.Cases, want) {
			t.Errorf("September %s: %v, want %v", key, fig.Cases, want)
		}
	}
	if got := *figure(t, sep, "recovered").Amount; got != graph.FromYuan(100) {
		t.Errorf("September recovered %s", got)
	}
	_, err = f.cs.Monthly(f.inv, "2025-10")
	wantCode(t, err, graph.EFORBIDDEN)
	_, err = f.cs.Monthly(f.sup, "2025-13")
	wantCode(t, err, graph.EINVALID)
}
