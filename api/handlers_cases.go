package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/export"
	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/graph"
)

// Cases (案件), recusals (回避), the police referral export and the confirmed amount.

func (s *Server) createCase(r *request) error {
	var req caseCreate
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	n := cases.NewCase{Title: req.Title, Summary: req.Summary, Assignee: req.Assignee, ApplicationReceived: req.ApplicationReceived}
	switch {
	case req.RingID != "" && req.Entity != nil:
		return fieldErr("entity", "团伙与实体只能二选一", "give either ring_id or entity, not both")
	case req.RingID != "":
		ix, err := s.svc.Jobs.Findings(req.JobID)
		if err != nil {
			return err
		}
		rg, ok := ix.Ring(req.RingID)
		if !ok {
			return fieldErr("ring_id", "团伙不存在", "no such ring in this job")
		}
		n.RingID, n.JobID, n.Parties = req.RingID, ix.JobID, rg.Members
	case req.Entity != nil:
		ref, err := s.resolveRef("entity", req.Entity.Type, req.Entity.ID)
		if err != nil {
			return err
		}
		if !ref.Type.IsParty() {
			return fieldErr("entity", "只能针对当事方立线索", "a case is opened on a party")
		}
		if ok, err := s.exist(r, []graph.Ref{ref}); err != nil {
			return err
		} else if !ok {
			return fieldErr("entity", "实体不存在", "no such entity")
		}
		n.Parties = []graph.Ref{ref}
	default:
		return fieldErr("entity", "需要 ring_id 或 entity", "ring_id or entity is required")
	}
	if n.Assignee != "" && !s.svc.Accounts.IsInvestigator(n.Assignee) {
		return fieldErr("assignee", "该用户不是调查员", "assignee is not an investigator")
	}
	c, err := s.svc.Cases.Create(r.actor, n)
	if err != nil {
		return err
	}
	return r.JSON(http.StatusCreated, s.caseView(r.actor, c))
}

// exist reports whether every ref is a node of the graph.
func (s *Server) exist(r *request, refs []graph.Ref) (bool, error) {
	for _, ref := range refs {
		if _, err := s.cfg.Store.Node(r.ctx(), ref); err != nil {
			if graph.ErrorCode(err) == graph.ENOTFOUND {
				return false, nil
			}
			return false, err
		}
	}
	return true, nil
}

// caseFilter reads the filter and page of GET /api/cases.
func caseFilter(r *request) (cases.CaseFilter, error) {
	f := cases.CaseFilter{Status: cases.CaseStatus(r.QueryParam("status")), Assignee: r.QueryParam("assignee")}
	if _, ok := cases.Label(f.Status); f.Status != "" && !ok {
		return f, fieldErr("status", "未知案件状态", "unknown case status")
	}
	var err error
	if f.Overdue, err = boolParam(r, "overdue"); err != nil {
		return f, err
	}
	f.Offset, f.Limit, err = pageParams(r, 1_000_000)
	return f, err
}

func (s *Server) listCases(r *request) error {
	f, err := caseFilter(r)
	if err != nil {
		return err
	}
	cs, total := s.svc.Cases.List(r.actor, f)
	v, now := s.viewer(r.actor), s.cfg.Now()
	out := struct {
		Cases []caseView `json:"cases"`
		Total int        `json:"total"`
	}{Cases: make([]caseView, 0, len(cs)), Total: total}
	var refs []graph.Ref
	for _, c := range cs {
		out.Cases = append(out.Cases, caseViewOf(v, r.actor, c, s.svc.Cases.Deadlines(&c, now)))
		refs = append(refs, c.Parties...)
	}
	return s.recorded(r, "list_cases", refs, "", http.StatusOK, out)
}

func (s *Server) getCase(r *request) error {
	c, err := s.svc.Cases.Get(r.actor, r.Param("id"))
	if err != nil {
		return err
	}
	return s.recorded(r, "read_case", append(c.Parties, c.Attachments...), "case "+c.ID, http.StatusOK, s.caseView(r.actor, c))
}

// changeCase decodes a versioned request body into a T and answers the case that change made of
// the case in the path. The core writes the audit record in the same transaction as the change.
func changeCase[T any](s *Server, r *request, change func(req T, id string, version int) (cases.Case, error)) error {
	var req T
	ver, err := bindVersioned(r, &req)
	if err != nil {
		return err
	}
	c, err := change(req, r.Param("id"), ver)
	if err != nil {
		return err
	}
	return r.JSON(http.StatusOK, s.caseView(r.actor, c))
}

func (s *Server) transitionCase(r *request) error {
	return changeCase(s, r, func(req transitionRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.Transition(r.actor, id, ver, req.To, req.TransferTo, req.Reason)
	})
}

func (s *Server) noteCase(r *request) error {
	return changeCase(s, r, func(req noteRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.AddNote(r.actor, id, ver, req.Text)
	})
}

func (s *Server) saveCaseView(r *request) error {
	return changeCase(s, r, func(req viewRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.SaveView(r.actor, id, ver, req.Name, req.Link)
	})
}

func (s *Server) assignCase(r *request) error {
	return changeCase(s, r, func(req assignRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.Assign(r.actor, id, ver, req.Assignee, s.svc.Accounts.IsInvestigator)
	})
}

func (s *Server) attachCase(r *request) error {
	return changeCase(s, r, func(req attachRequest, id string, ver int) (cases.Case, error) {
		if len(req.Refs) == 0 || len(req.Refs) > 500 {
			return cases.Case{}, fieldErr("refs", "需附加 1–500 个实体", "attach 1–500 entities")
		}
		refs, err := s.resolveRefs(req.Refs, func(int) string { return "refs" }, false)
		if err != nil {
			return cases.Case{}, err
		}
		if ok, err := s.exist(r, refs); err != nil {
			return cases.Case{}, err
		} else if !ok {
			return cases.Case{}, fieldErr("refs", "部分实体不存在", "some entities do not exist")
		}
		return s.svc.Cases.Attach(r.actor, id, ver, refs)
	})
}

func (s *Server) extendCase(r *request) error {
	return changeCase(s, r, func(req extensionRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.Extension(r.actor, id, ver, req.Action, req.Reason)
	})
}

func (s *Server) setApplicationReceived(r *request) error {
	return changeCase(s, r, func(req applicationRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.SetApplicationReceived(r.actor, id, ver, req.ApplicationReceived)
	})
}

func (s *Server) handoverCase(r *request) error {
	return changeCase(s, r, func(req handoverRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.Handover(r.actor, id, ver, cases.NewHandover{Kind: req.Kind, Department: req.Department, Note: req.Note})
	})
}

func (s *Server) handoverFeedback(r *request) error {
	seq, err := strconv.Atoi(r.Param("seq"))
	if err != nil || seq < 1 {
		return fieldErr("seq", "移交序号须为正整数", "seq must be a positive integer")
	}
	return changeCase(s, r, func(req feedbackRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.RecordFeedback(r.actor, id, ver, seq, cases.NewFeedback{Received: req.Received, Outcome: req.Outcome, Document: req.Document})
	})
}

func (s *Server) statementCase(r *request) error {
	return changeCase(s, r, func(req statementRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.Statement(r.actor, id, ver, cases.NewStatement{Action: req.Action, Notified: req.Notified, WorkingDays: req.WorkingDays,
			Document: req.Document, Submitted: req.Submitted, Text: req.Text})
	})
}

func (s *Server) appealCase(r *request) error {
	return changeCase(s, r, func(req appealRequest, id string, ver int) (cases.Case, error) {
		return s.svc.Cases.Appeal(r.actor, id, ver, cases.NewAppeal{Action: req.Action, Kind: req.Kind, Filed: req.Filed, Body: req.Body,
			Seq: req.Seq, Decided: req.Decided, Outcome: req.Outcome, Detail: req.Detail})
	})
}

func (s *Server) recoveryCase(r *request) error {
	return changeCase(s, r, func(req recoveryRequest, id string, ver int) (cases.Case, error) {
		if req.Amount == nil {
			return cases.Case{}, fieldErr("amount", "需填写金额（元）", "amount (yuan) is required")
		}
		return s.svc.Cases.AddRecovery(r.actor, id, ver, req.Kind, *req.Amount, req.Date, req.Document)
	})
}

func (s *Server) recuse(r *request) error {
	var req recusalRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	var ent *graph.Ref
	if req.Entity != nil {
		ref, err := s.resolveRef("entity", req.Entity.Type, req.Entity.ID)
		if err != nil {
			return err
		}
		ent = &ref
	}
	rec, err := s.svc.Cases.Recuse(r.actor, req.CaseID, ent, req.Reason)
	if err != nil {
		return err
	}
	return r.JSON(http.StatusCreated, maskRecusal(s.viewer(r.actor).Ref, rec))
}

func maskRecusal(ref func(graph.Ref) graph.Ref, rec cases.Recusal) cases.Recusal {
	if rec.Entity != nil {
		e := ref(*rec.Entity)
		rec.Entity = &e
	}
	return rec
}

func (s *Server) listRecusals(r *request) error {
	v := s.viewer(r.actor)
	rs := s.svc.Cases.Recusals(r.actor)
	for i := range rs {
		rs[i] = maskRecusal(v.Ref, rs[i])
	}
	return r.JSON(http.StatusOK, map[string]any{"recusals": rs})
}

// exportCase is POST /api/cases/:id/export: the signed referral package of a transferred case
// as a ZIP download. The audit record carries the manifest's digest, so that a package shown in
// court can be matched to the export that produced it.
func (s *Server) exportCase(r *request) error {
	if !s.cfg.Referral.SigningKey.Valid() {
		return userErr(graph.EUNAVAILABLE, "服务器未配置签名密钥，无法导出移送证据包", "no signing key is configured; referral packages cannot be exported")
	}
	c, err := s.svc.Cases.Get(r.actor, r.Param("id"))
	if err != nil {
		return err
	}
	if err := export.Check(r.actor, c); err != nil {
		return err
	}
	in, err := export.FromJobs(c, s.svc.Jobs)
	if err != nil {
		return err
	}
	names, err := export.DisplayNames(s.svc.Accounts)
	if err != nil {
		return err
	}
	meta := referral.Meta{ExportedBy: r.actor.Username, ExportedRole: string(r.actor.Role), Names: names, ExportedAt: s.cfg.Now().UTC(), Software: s.cfg.Referral.Software}
	pkg, man, digest, err := export.Build(r.ctx(), s.cfg.Store, in, s.cfg.Referral.SigningKey, meta)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("case %s referral package: manifest sha256 %s, %d files, %d bytes", c.ID, digest, len(man.Files), len(pkg))
	if err := s.record(r, "export_case", append(c.Parties, c.Attachments...), detail); err != nil {
		return err
	}
	h := r.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="referral-%s.zip"`, safeFileName(c.ID)))
	h.Set("X-Manifest-SHA256", digest)
	return r.Blob(http.StatusOK, "application/zip", pkg)
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// confirmAmount records the fund money a case confirmed; the reports linked to it become
// confirmed and the first named reporter's reward is computed by the configured table.
func (s *Server) confirmAmount(r *request) error {
	var req confirmRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if req.Amount == nil || *req.Amount < 0 {
		return fieldErr("amount", "需填写查实的涉案金额（元，不为负）", "amount (yuan, not negative) is required")
	}
	c, err := s.svc.Cases.Get(r.actor, r.Param("id"))
	if err != nil {
		return err
	}
	if c.Status != cases.StatusOpened && c.Status != cases.StatusTransferred && c.Status != cases.StatusClosed {
		return userErr(graph.ECONFLICT, "案件立案后才能确认查实金额", "an amount is confirmed once the case is opened")
	}
	changed, err := s.svc.Intake.ConfirmCase(r.ctx(), c.ID, *req.Amount)
	if err != nil {
		return withChinese(err)
	}
	out := ConfirmResult{CaseID: c.ID, ConfirmedAmount: *req.Amount, Reports: len(changed)}
	for _, rep := range changed {
		if rep.Reward > 0 {
			out.Rewarded++
		}
	}
	detail := fmt.Sprintf("case %s confirmed amount %s, %d reports, %d rewarded", c.ID, req.Amount, out.Reports, out.Rewarded)
	return s.recorded(r, "confirm_amount", c.Parties, detail, http.StatusOK, out)
}
