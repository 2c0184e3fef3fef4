package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func open(t *testing.T) (*Store, *clock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "intake.db")
	s, err := Open(path, SealKeyFromSecret("test secret"), DefaultRewardRule())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &clock{t: time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)}
	s.now = c.now
	return s, c, path
}

var reporter = Identity{Name: "举报人赵某某", IDNumber: "530102198001011234", Phone: "13912345678", Employer: "某某单位", Address: "昆明市盘龙区某街道8号"}

func TestSubmitKeepsIdentityApart(t *testing.T) {
	ctx := context.Background()
	s, _, path := open(t)
	id, receipt, err := s.Submit(ctx, Submission{Reporter: reporter, Subject: "某某诊所", What: "组织老人刷卡住院",
		Attachments: []Attachment{{Name: "照片.jpg", ContentType: "image/jpeg", Data: []byte("jpegbytes")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(receipt) < 16 {
		t.Errorf("receipt code %q is too short to be unguessable", receipt)
	}
	r, err := s.Report(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	for _, secret := range []string{reporter.Name, reporter.IDNumber, reporter.Phone, reporter.Employer, reporter.Address, receipt} {
		if strings.Contains(string(b), secret) {
			t.Errorf("report view contains %q", secret)
		}
	}
	got, err := s.Identity(ctx, id)
	if err != nil || got != reporter {
		t.Fatalf("Identity = %+v, %v", got, err)
	}
	s.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{reporter.Name, reporter.IDNumber, reporter.Phone, reporter.Address, receipt} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("database file holds %q in clear", secret)
		}
	}
	// A different key cannot unseal it.
	s2, err := Open(path, SealKeyFromSecret("another secret"), DefaultRewardRule())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Identity(ctx, id); err == nil {
		t.Error("identity unsealed with the wrong key")
	}
}

func TestSubmitValidation(t *testing.T) {
	s, _, _ := open(t)
	for _, c := range []struct {
		sub   Submission
		field string
	}{
		{Submission{Anonymous: true, What: "x"}, "subject"},
		{Submission{Anonymous: true, Subject: "x"}, "what"},
		{Submission{Subject: "x", What: "y"}, "reporter.name"},
		{Submission{Anonymous: true, Subject: "x", What: strings.Repeat("长", MaxTextLen+1)}, "what"},
	} {
		if _, _, err := s.Submit(context.Background(), c.sub); graph.ErrorField(err) != c.field {
			t.Errorf("Submit(%+v) error %v, want field %s", c.sub.Subject, err, c.field)
		}
	}
}

func TestRewardFirstNamedReporterAndLapse(t *testing.T) {
	ctx := context.Background()
	s, c, _ := open(t)
	anonID, anonCode, _ := s.Submit(ctx, Submission{Anonymous: true, Subject: "某药店", What: "代刷社保卡"})
	c.t = c.t.Add(time.Hour)
	firstID, firstCode, _ := s.Submit(ctx, Submission{Reporter: reporter, Subject: "某药店", What: "代刷社保卡"})
	c.t = c.t.Add(time.Hour)
	secondID, secondCode, _ := s.Submit(ctx, Submission{Reporter: Identity{Name: "钱某"}, Subject: "某药店", What: "聚敛社保卡"})
	for _, id := range []string{anonID, firstID, secondID} {
		if _, err := s.Triage(ctx, id, 0, []graph.Ref{{Type: graph.TypePharmacy, ID: "P53010200042"}}, "AJ-1"); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := s.Status(ctx, firstCode)
	if st.Status != StatusReceived || st.Reward != 0 {
		t.Errorf("status before confirmation: %+v", st)
	}
	b, _ := json.Marshal(st)
	if strings.Contains(string(b), "AJ-1") || strings.Contains(string(b), "P53010200042") {
		t.Errorf("reporter's status view exposes the case: %s", b)
	}
	c.t = time.Date(2024, 9, 1, 10, 0, 0, 0, time.UTC)
	if _, err := s.ConfirmCase(ctx, "AJ-1", graph.FromYuan(52_000)); err != nil {
		t.Fatal(err)
	}
	want := map[string]graph.Money{anonCode: 0, firstCode: graph.FromYuan(2_600), secondCode: 0}
	for code, reward := range want {
		st, err := s.Status(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != StatusConfirmed || st.Reward != reward {
			t.Errorf("status %+v, want confirmed with reward %s", st, reward)
		}
	}
	// Day 30 after notice: still claimable; the second claim is refused.
	c.t = c.t.AddDate(0, 0, 30)
	if _, err := s.ClaimReward(ctx, firstCode); err != nil {
		t.Fatalf("claim on day 30: %v", err)
	}
	if _, err := s.ClaimReward(ctx, firstCode); graph.ErrorCode(err) != graph.ECONFLICT {
		t.Errorf("second claim: %v", err)
	}
	if _, err := s.ClaimReward(ctx, secondCode); graph.ErrorCode(err) != graph.ECONFLICT {
		t.Errorf("claim by the second reporter: %v", err)
	}
}

func TestRewardLapses(t *testing.T) {
	ctx := context.Background()
	s, c, _ := open(t)
	id, code, _ := s.Submit(ctx, Submission{Reporter: reporter, Subject: "某医院", What: "挂床住院"})
	s.Triage(ctx, id, 0, nil, "AJ-2")
	s.ConfirmCase(ctx, "AJ-2", graph.FromYuan(9_999.99))
	c.t = c.t.AddDate(0, 0, 30).Add(time.Second)
	st, _ := s.Status(ctx, code)
	if !st.Lapsed || st.Reward != graph.FromYuan(500) {
		t.Errorf("status after 30 days: %+v", st)
	}
	if _, err := s.ClaimReward(ctx, code); graph.ErrorCode(err) != graph.ECONFLICT {
		t.Errorf("claim after lapse: %v", err)
	}
	if _, err := s.Status(ctx, "NOTAREALCODE"); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("unknown receipt: %v", err)
	}
}

func TestTriageStaleVersion(t *testing.T) {
	ctx := context.Background()
	s, _, _ := open(t)
	id, _, _ := s.Submit(ctx, Submission{Anonymous: true, Subject: "x", What: "y"})
	if _, err := s.Triage(ctx, id, 1, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Triage(ctx, id, 1, nil, ""); graph.ErrorCode(err) != graph.ECONFLICT {
		t.Errorf("stale triage: %v", err)
	}
}

func TestRejectKeepsReason(t *testing.T) {
	ctx := context.Background()
	s, _, _ := open(t)
	id, code, _ := s.Submit(ctx, Submission{Anonymous: true, Subject: "某药店", What: "代刷社保卡"})
	if _, err := s.Reject(ctx, id, 1, "  "); graph.ErrorCode(err) != graph.EINVALID {
		t.Fatalf("reject without a reason: %v", err)
	}
	r, err := s.Reject(ctx, id, 1, "举报对象不在本统筹区")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusRejected || r.RejectReason != "举报对象不在本统筹区" {
		t.Fatalf("rejected report %+v", r)
	}
	ps, err := s.Status(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Status != StatusRejected || strings.Contains(mustMarshal(t, ps), "统筹区") {
		t.Fatalf("the reporter's status carries the desk's reason: %+v", ps)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
