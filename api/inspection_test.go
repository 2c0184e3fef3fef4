package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/lineaudit"
	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/graph"
)

// A supervisor draws the inspection sample over the store: every region covered at ≥ 2/3 of its
// institutions and ≥ 1/3 of its pharmacies, the riskiest provider of the latest job as the
// flying-inspection target, the same seed giving the same list, and a CSV download.
func TestInspectionPlanOverHTTP(t *testing.T) {
	st := openFixtureStore(t)
	ctx := context.Background()
	var ins []graph.Institution
	for i := range 5 {
		ins = append(ins, graph.Institution{ID: fmt.Sprintf("H5301020010%d", i), Name: fmt.Sprintf("社区卫生服务中心%d", i), Level: "社区卫生服务中心", Ownership: "public", Region: "530102"})
	}
	ins = append(ins, graph.Institution{ID: "H53010300001", Level: "二级", Ownership: "public", Region: "530103"})
	var phs []graph.Pharmacy
	for i := range 4 {
		phs = append(phs, graph.Pharmacy{ID: fmt.Sprintf("P5301020004%d", i), Name: fmt.Sprintf("药店%d", i), Region: "530102"})
	}
	if err := st.PutInstitutions(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if err := st.PutPharmacies(ctx, phs); err != nil {
		t.Fatal(err)
	}
	e := newEnvWithStore(t, st)
	e.runJob(nil)

	var plan inspectionPlanView
	if code := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/inspections/plan", map[string]any{"seed": 11, "flying": 1}, &plan); code != http.StatusOK {
		t.Fatalf("plan: %d", code)
	}
	// 530102: 6 institutions → 4, 4 pharmacies → 2; 530103: 1 institution → 1.
	want := map[string]int{"530102/institution": 4, "530102/pharmacy": 2, "530103/institution": 1}
	if len(plan.Coverage) != len(want) {
		t.Fatalf("coverage %+v", plan.Coverage)
	}
	for _, c := range plan.Coverage {
		if k := c.Region + "/" + string(c.Type); c.Sampled != want[k] || c.Share < c.Minimum {
			t.Errorf("%s: %+v, want %d sampled", k, c, want[k])
		}
	}
	if plan.JobID == "" || len(plan.Flying) != 1 || plan.Flying[0].ID != "H53010200001" || plan.Flying[0].Risk <= 0 {
		t.Fatalf("flying targets %+v (job %q)", plan.Flying, plan.JobID)
	}
	var again inspectionPlanView
	e.as(accounts.RoleSupervisor, http.MethodPost, "/api/inspections/plan", map[string]any{"seed": 11, "flying": 1}, &again)
	if fmt.Sprint(again.Sample) != fmt.Sprint(plan.Sample) {
		t.Fatal("the same seed drew a different sample")
	}
	for _, bad := range []map[string]any{{}, {"seed": 1, "institution_share": 0.5}, {"seed": 1, "pharmacy_share": 0.1}, {"seed": 1, "colour": "red"}} {
		if code := e.as(accounts.RoleSupervisor, http.MethodPost, "/api/inspections/plan", bad, nil); code != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", bad, code)
		}
	}
	if code := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/inspections/plan", map[string]any{"seed": 1}, nil); code != http.StatusForbidden {
		t.Errorf("analyst plans: %d", code)
	}
	code, b, h := e.raw(e.tokens[accounts.RoleSupervisor], http.MethodPost, "/api/inspections/plan?format=csv", map[string]any{"seed": 11, "flying": 1})
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(b, []byte("\ufeff检查方式")) {
		t.Fatalf("csv: %d %s %q", code, h.Get("Content-Type"), b[:min(len(b), 60)])
	}
	if n := bytes.Count(b, []byte("\n")); n != 1+7+1 {
		t.Fatalf("csv has %d lines:\n%s", n, b)
	}
	recs, _, err := e.svc.Audit.Query(audit.Query{Action: "plan_inspection", Limit: 10})
	if err != nil || len(recs) != 3 || !strings.Contains(recs[0].Detail, "seed 11") {
		t.Fatalf("audit: %v %+v", err, recs)
	}
}

func TestMonthlyStatisticsOverHTTP(t *testing.T) {
	e := newEnv(t)
	var c caseView
	if code := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/cases", map[string]any{"entity": graph.Ref{Type: graph.TypePatient, ID: "PT0001"}}, &c); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	var rep struct {
		Month   string `json:"month"`
		Figures []struct {
			Key   string   `json:"key"`
			Label string   `json:"label"`
			Count int      `json:"count"`
			Cases []string `json:"cases"`
		} `json:"figures"`
	}
	if code := e.as(accounts.RoleSupervisor, http.MethodGet, "/api/statistics/monthly", nil, &rep); code != http.StatusOK || rep.Month != "2025-03" {
		t.Fatalf("monthly: %d %+v", code, rep)
	}
	if f := rep.Figures[0]; f.Key != "leads" || f.Label != "登记线索" || f.Count != 1 || f.Cases[0] != c.ID {
		t.Fatalf("leads figure %+v", f)
	}
	if code := e.as(accounts.RoleSupervisor, http.MethodGet, "/api/statistics/monthly?month=March", nil, nil); code != http.StatusBadRequest {
		t.Fatalf("bad month: %d", code)
	}
	if code := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/statistics/monthly", nil, nil); code != http.StatusForbidden {
		t.Fatalf("investigator reads statistics: %d", code)
	}
}

// The billing-line audit over the store: a line priced above the catalogue limit is a hit with
// its rule row and the overcharge; analysts see the patient pseudonymised; without rule tables
// the route answers 503.
func TestBillingAuditOverHTTP(t *testing.T) {
	st := openFixtureStore(t)
	ctx := context.Background()
	items := []graph.ClaimItem{
		{ClaimID: "C00", Seq: 1, ItemCode: "250101", Quantity: 1, UnitPrice: graph.FromYuan(30), Amount: graph.FromYuan(30)},
		{ClaimID: "C01", Seq: 1, ItemCode: "250101", Quantity: 1, UnitPrice: graph.FromYuan(25), Amount: graph.FromYuan(25)},
	}
	if err := st.PutClaimItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	rules, err := lineaudit.Load("../algorithms/billing/testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWithStore(t, st, func(c *testConfig) { c.BillingRules = rules })
	var out billingAuditView
	if code := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/billing/audit", nil, &out); code != http.StatusOK {
		t.Fatalf("audit: %d", code)
	}
	if out.Lines != 2 || out.TotalHits != 1 || out.Hits[0].Rule != "price_over_limit" || out.Hits[0].RuleLine != 2 || out.Hits[0].AtStake != graph.FromYuan(5) ||
		out.AtStake != graph.FromYuan(5) || out.RulesVersion != rules.Version() {
		t.Fatalf("audit %+v", out)
	}
	if p := out.Hits[0].Patient; !strings.HasPrefix(p, masking.PseudonymPrefix) {
		t.Fatalf("analyst sees patient %s", p)
	}
	if len(out.Leads) != 1 || out.Leads[0].Members[0].ID != "H53010200001" {
		t.Fatalf("leads %+v", out.Leads)
	}
	if code := e.as(accounts.RoleInvestigator, http.MethodPost, "/api/billing/audit", nil, nil); code != http.StatusForbidden {
		t.Fatalf("investigator audits: %d", code)
	}
	recs, _, err := e.svc.Audit.Query(audit.Query{Action: "billing_audit", Limit: 10})
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Detail, rules.Version()) {
		t.Fatalf("audit trail: %v %+v", err, recs)
	}
	bare := newEnv(t)
	if code := bare.as(accounts.RoleAnalyst, http.MethodPost, "/api/billing/audit", nil, nil); code != http.StatusServiceUnavailable {
		t.Fatalf("without rules: %d", code)
	}
}

func TestFundWarningsOverHTTP(t *testing.T) {
	e := newEnv(t)
	var res struct {
		Dimension string   `json:"dimension"`
		Months    []string `json:"months"`
		Series    []struct {
			Key    string `json:"key"`
			Points []struct {
				Month string  `json:"month"`
				Value float64 `json:"value"`
			} `json:"points"`
		} `json:"series"`
		Alerts []any `json:"alerts"`
	}
	if code := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/fund/warnings?metric=claims", nil, &res); code != http.StatusOK {
		t.Fatalf("warnings: %d", code)
	}
	// The fixture: 15 outpatient claims in June 2024 and 3 stays in July, all in region 530102
	// (China time); two months are too short a history for a band.
	if res.Dimension != "region" || fmt.Sprint(res.Months) != "[2024-06 2024-07]" || len(res.Series) != 1 || res.Series[0].Key != "530102" ||
		res.Series[0].Points[0].Value != 15 || res.Series[0].Points[1].Value != 3 || len(res.Alerts) != 0 {
		t.Fatalf("warnings %+v", res)
	}
	if code := e.as(accounts.RoleAnalyst, http.MethodGet, "/api/fund/warnings?dimension=scheme", nil, nil); code != http.StatusBadRequest {
		t.Fatalf("bad dimension: %d", code)
	}
	if code := e.as(accounts.RoleInvestigator, http.MethodGet, "/api/fund/warnings", nil, nil); code != http.StatusForbidden {
		t.Fatalf("investigator: %d", code)
	}
}

func TestScreenClaimsOverHTTP(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"claims": []map[string]any{
		{"id": "N1", "patient_id": "PT0004", "provider_id": "H53010200001", "provider_type": "institution", "claim_type": "outpatient", "start_time": "2025-03-01T09:00:00Z", "total_amount": 12000, "fund_amount": 9000},
		{"id": "N2", "patient_id": "PT0005", "provider_id": "H53010200001", "provider_type": "institution", "claim_type": "outpatient", "start_time": "2025-03-01T09:00:00Z", "total_amount": 50, "fund_amount": 40},
	}}
	var out struct {
		Verdicts []struct {
			ClaimID string `json:"claim_id"`
			Verdict string `json:"verdict"`
			Reasons []struct {
				Code string `json:"code"`
			} `json:"reasons"`
		} `json:"verdicts"`
		Held int `json:"held"`
	}
	if code := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/claims/screen", body, &out); code != http.StatusOK {
		t.Fatalf("screen: %d", code)
	}
	if out.Held != 1 || out.Verdicts[0].Verdict != "hold" || out.Verdicts[0].Reasons[0].Code != "single_large" || out.Verdicts[1].Verdict != "pass" {
		t.Fatalf("verdicts %+v", out)
	}
	if code := e.as(accounts.RoleAnalyst, http.MethodPost, "/api/claims/screen", map[string]any{"claims": []any{}}, nil); code != http.StatusBadRequest {
		t.Fatalf("empty batch: %d", code)
	}
	if code := e.as(accounts.RolePolice, http.MethodPost, "/api/claims/screen", body, nil); code != http.StatusForbidden {
		t.Fatalf("police: %d", code)
	}
}
