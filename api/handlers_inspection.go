package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/algorithms/fundwatch"

	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/inspection"
	"github.com/ringtrace/ringtrace/api/prescreen"
	"github.com/ringtrace/ringtrace/graph"
)

// Supervision work around the cases: inspection planning (抽查, 飞行检查) and the monthly figures.

type inspectionPlanRequest struct {
	Seed             *uint64 `json:"seed"`
	InstitutionShare float64 `json:"institution_share"`
	PharmacyShare    float64 `json:"pharmacy_share"`
	Flying           int     `json:"flying"`
	RiskWeight       float64 `json:"risk_weight"`
	Region           string  `json:"region"`
	JobID            string  `json:"job_id"`
}

// inspectionPlanView is a plan as served: with the job whose risk scores weighted it.
type inspectionPlanView struct {
	inspection.Plan
	JobID string `json:"job_id"`
}

// planInspection is POST /api/inspections/plan: the sample of every designated provider in the
// store (or in one region), weighted by the risk scores of the latest (or the given) detection
// job. ?format=csv answers the list as a CSV download. The plan is not stored: the audit record
// carries its seed and options, which reproduce it on the same store and job.
func (s *Server) planInspection(r *request) error {
	var req inspectionPlanRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if req.Seed == nil {
		return fieldErr("seed", "需填写随机种子（同一种子可复现抽样）", "seed is required (the same seed reproduces the sample)")
	}
	format := r.QueryParam("format")
	if format != "" && format != "json" && format != "csv" {
		return fieldErr("format", "format 须为 json 或 csv", "format must be json or csv")
	}
	risk := func(graph.Ref) float64 { return 0 }
	jobID := ""
	if ix, err := s.svc.Jobs.Findings(req.JobID); err == nil {
		jobID = ix.JobID
		// A provider's risk is its own score or that of the riskiest finding it is a member of,
		// whichever is higher (findings are in descending score order, so the first is the
		// riskiest).
		risk = func(ref graph.Ref) float64 {
			score := 0.0
			if er, ok := ix.Risk(ref); ok {
				score = er.Score
			}
			if rs := ix.RingsOf(ref, 1); len(rs) > 0 {
				score = max(score, rs[0].Score)
			}
			return min(max(score, 0), 1)
		}
	} else if req.JobID != "" || graph.ErrorCode(err) != graph.ENOTFOUND {
		return err
	}
	var ps []inspection.Provider
	if err := s.cfg.Store.ScanInstitutions(r.ctx(), func(in graph.Institution) error {
		if req.Region == "" || in.Region == req.Region {
			ps = append(ps, inspection.Provider{Type: graph.TypeInstitution, ID: in.ID, Name: in.Name, Region: in.Region, Level: in.Level, Ownership: in.Ownership,
				Risk: risk(graph.Ref{Type: graph.TypeInstitution, ID: in.ID})})
		}
		return nil
	}); err != nil {
		return err
	}
	if err := s.cfg.Store.ScanPharmacies(r.ctx(), func(p graph.Pharmacy) error {
		if req.Region == "" || p.Region == req.Region {
			ps = append(ps, inspection.Provider{Type: graph.TypePharmacy, ID: p.ID, Name: p.Name, Region: p.Region, Risk: risk(graph.Ref{Type: graph.TypePharmacy, ID: p.ID})})
		}
		return nil
	}); err != nil {
		return err
	}
	plan, err := inspection.Draw(ps, inspection.Options{Seed: *req.Seed, InstitutionShare: req.InstitutionShare, PharmacyShare: req.PharmacyShare, Flying: req.Flying, RiskWeight: req.RiskWeight})
	if err != nil {
		return withChinese(err)
	}
	detail := fmt.Sprintf("inspection plan seed %d institution_share %.4f pharmacy_share %.4f risk_weight %g flying %d region %q job %q: %d sampled, %d flying",
		plan.Seed, plan.InstitutionShare, plan.PharmacyShare, plan.RiskWeight, req.Flying, req.Region, jobID, len(plan.Sample), len(plan.Flying))
	if format == "csv" {
		b, err := plan.CSV()
		if err != nil {
			return err
		}
		if err := s.record(r, "plan_inspection", nil, detail); err != nil {
			return err
		}
		r.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="inspection-plan-%d.csv"`, plan.Seed))
		return r.Blob(http.StatusOK, "text/csv; charset=utf-8", b)
	}
	return s.recorded(r, "plan_inspection", nil, detail, http.StatusOK, inspectionPlanView{Plan: plan, JobID: jobID})
}

// monthlyStatistics is GET /api/statistics/monthly?month=YYYY-MM: the month's case figures, each
// with the cases behind it.
func (s *Server) monthlyStatistics(r *request) error {
	month := r.QueryParam("month")
	if month == "" {
		month = s.cfg.Now().In(cases.ChinaTime).Format("2006-01")
	}
	rep, err := s.svc.Cases.Monthly(r.actor, month)
	if err != nil {
		return err
	}
	return s.recorded(r, "read_statistics", nil, "monthly "+rep.Month, http.StatusOK, rep)
}

// billingAuditView is an audit run as served: patients masked per the caller's access, hits
// paged.
type billingAuditView struct {
	RulesVersion string         `json:"rules_version"`
	Lines        int            `json:"lines"`
	TotalHits    int            `json:"total_hits"`
	Offset       int            `json:"offset"`
	Hits         []billing.Hit  `json:"hits"`
	Leads        []graph.Ring   `json:"leads"`
	AtStake      graph.Money    `json:"at_stake"`
	ByRule       map[string]int `json:"by_rule"`
}

// billingAudit is POST /api/billing/audit: every billing line of the store against the rule
// tables, with the hits (paged) and the leads per provider and rule.
func (s *Server) billingAudit(r *request) error {
	offset, limit, err := pageParams(r, 10_000)
	if err != nil {
		return err
	}
	res, err := s.cfg.BillingRules.Run(r.ctx(), s.cfg.Store)
	if err != nil {
		return err
	}
	v := s.viewer(r.actor)
	out := billingAuditView{RulesVersion: res.RulesVersion, Lines: res.Lines, TotalHits: len(res.Hits), Offset: offset, Hits: []billing.Hit{}, Leads: res.Leads, ByRule: map[string]int{}}
	for _, h := range res.Hits {
		out.AtStake += h.AtStake
		out.ByRule[h.Rule]++
	}
	for i := offset; i < len(res.Hits) && len(out.Hits) < limit; i++ {
		h := res.Hits[i]
		h.Patient = v.Ref(graph.Ref{Type: graph.TypePatient, ID: h.Patient}).ID
		out.Hits = append(out.Hits, h)
	}
	var refs []graph.Ref
	for i := range out.Leads {
		for j, m := range out.Leads[i].Members {
			refs = append(refs, m)
			out.Leads[i].Members[j] = v.Ref(m)
		}
	}
	detail := fmt.Sprintf("billing audit rules %s: %d lines, %d hits, %d leads", res.RulesVersion, res.Lines, len(res.Hits), len(res.Leads))
	return s.recorded(r, "billing_audit", cases.DedupRefs(refs), detail, http.StatusOK, out)
}

// fundWarnings is GET /api/fund/warnings: the fund early-warning model over the store's claims —
// monthly series with their expected bands and the months outside them.
func (s *Server) fundWarnings(r *request) error {
	o := fundwatch.Options{Dimension: r.QueryParam("dimension"), Metric: r.QueryParam("metric")}
	if k := r.QueryParam("k"); k != "" {
		v, err := strconv.ParseFloat(k, 64)
		if err != nil {
			return fieldErr("k", "k 须为数字", "k must be a number")
		}
		o.K = v
	}
	onlyAlerts, err := boolParam(r, "only_alerts")
	if err != nil {
		return err
	}
	res, err := fundwatch.Run(r.ctx(), s.cfg.Store, o)
	if err != nil {
		return withChinese(err)
	}
	if key := r.QueryParam("key"); key != "" || onlyAlerts != nil && *onlyAlerts {
		kept := []fundwatch.Series{}
		for _, ser := range res.Series {
			if key != "" && ser.Key == key || key == "" && ser.Alerts > 0 {
				kept = append(kept, ser)
			}
		}
		res.Series = kept
	}
	detail := fmt.Sprintf("fund warnings dimension %s metric %s: %d series, %d alerts", res.Dimension, res.Metric, len(res.Series), len(res.Alerts))
	return s.recorded(r, "fund_warnings", nil, detail, http.StatusOK, res)
}

type screenRequest struct {
	Claims               []graph.Claim     `json:"claims"`
	Items                []graph.ClaimItem `json:"items"`
	LargeClaimYuan       float64           `json:"large_claim_yuan"`
	HighFrequencyPerYear int               `json:"high_frequency_per_year"`
	SplitAdmissionDays   int               `json:"split_admission_days"`
}

// screenClaims is POST /api/claims/screen: verdicts for a batch of new claims before payment.
// The claims are not written to the store.
func (s *Server) screenClaims(r *request) error {
	var req screenRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	sc := &prescreen.Screener{Now: s.cfg.Now,
		Listed: func(ctx context.Context, t time.Time) (map[graph.Ref]bool, error) {
			m, err := s.svc.Blacklist.Active(ctx, t)
			out := map[graph.Ref]bool{}
			for ref := range m {
				out[ref] = true
			}
			return out, err
		}}
	if ix, err := s.svc.Jobs.Findings(""); err == nil {
		sc.RingMember = func(ref graph.Ref) bool {
			for _, rs := range ix.RingsOf(ref, 10) {
				if rg, ok := ix.Ring(rs.ID); ok && rg.Class != graph.ClassLead {
					return true
				}
			}
			return false
		}
	}
	if s.cfg.BillingRules != nil {
		sc.Billing = s.cfg.BillingRules.Run
	}
	// Both stores read patients; a store that cannot is not fit for screening.
	hist, ok := s.cfg.Store.(prescreen.History)
	if !ok {
		return userErr(graph.EUNAVAILABLE, "当前图存储不支持事前筛查", "the graph store cannot serve screening")
	}
	vs, err := sc.Screen(r.ctx(), hist, req.Claims, req.Items, prescreen.Options{LargeClaimYuan: req.LargeClaimYuan, HighFrequencyPerYear: req.HighFrequencyPerYear, SplitAdmissionDays: req.SplitAdmissionDays})
	if err != nil {
		return withChinese(err)
	}
	held := 0
	for _, v := range vs {
		if v.Verdict == prescreen.Hold {
			held++
		}
	}
	out := struct {
		Verdicts []prescreen.Verdict `json:"verdicts"`
		Held     int                 `json:"held"`
	}{vs, held}
	return s.recorded(r, "screen_claims", nil, fmt.Sprintf("screened %d claims, %d held", len(vs), held), http.StatusOK, out)
}
