package api

import (
	"fmt"
	"net/http"

	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/inspection"
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
