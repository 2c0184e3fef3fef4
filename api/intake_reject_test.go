package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/intake"
)

// TestRejectReportNeedsReason: the desk cannot close a report unconfirmed without saying why, the
// error names the field, and the reason stays with the desk (the reporter sees only the status).
func TestRejectReportNeedsReason(t *testing.T) {
	re := newReferralEnv(t)
	var receipt ReportReceipt
	re.callJSON("", http.MethodPost, "/api/reports", map[string]any{"anonymous": true, "subject": "某药店", "what": "代刷社保卡购买日用品"},
		http.StatusCreated, &receipt)
	var list struct {
		Reports []intake.Report `json:"reports"`
	}
	re.callJSON(accounts.RoleIntake, http.MethodGet, "/api/reports", nil, http.StatusOK, &list)
	if len(list.Reports) != 1 {
		t.Fatalf("reports %+v", list)
	}
	rep := list.Reports[0]
	st, body, _ := re.call(accounts.RoleIntake, http.MethodPost, "/api/reports/"+rep.ID+"/reject", map[string]any{"version": rep.Version})
	if st != http.StatusBadRequest || !strings.Contains(string(body), `"field":"reason"`) {
		t.Fatalf("reject without reason: %d %s", st, body)
	}
	var got intake.Report
	re.callJSON(accounts.RoleIntake, http.MethodPost, "/api/reports/"+rep.ID+"/reject", map[string]any{"version": rep.Version, "reason": "线索不清，无法核实"},
		http.StatusOK, &got)
	if got.Status != intake.StatusRejected || got.RejectReason != "线索不清，无法核实" {
		t.Fatalf("rejected %+v", got)
	}
	_, pub, _ := re.call("", http.MethodGet, "/api/reports/status?code="+receipt.ReceiptCode, nil)
	if !strings.Contains(string(pub), `"status":"rejected"`) || strings.Contains(string(pub), "线索不清") {
		t.Fatalf("public status %s", pub)
	}
}
