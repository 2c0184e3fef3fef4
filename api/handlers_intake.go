package api

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/intake"
	"github.com/ringtrace/ringtrace/graph"
)

// Whistle-blower intake (举报): the reporter's side, without an account, and the intake desk's.

// submitReport is the public POST /api/reports, JSON (attachments base64) or multipart/form-data
// (fields as in JSON, reporter fields as reporter_name …, files as "attachments"). The client
// address is used for the rate limit only and is not written to the audit trail: it could
// identify the reporter.
func (s *Server) submitReport(r *request) error {
	if err := throttled(r, s.submissions, "提交过于频繁，请稍后再试", "too many reports from this address; retry later"); err != nil {
		return err
	}
	s.submissions.Take(r.RealIP()) // every submission takes a token, not only failed ones
	sub, err := readSubmission(r)
	if err != nil {
		return err
	}
	id, code, err := s.svc.Intake.Submit(r.ctx(), sub)
	if err != nil {
		return withChinese(err)
	}
	rep, err := s.svc.Intake.Report(r.ctx(), id)
	if err != nil {
		return err
	}
	if err := s.recordPublic(r, "submit_report", "report "+id); err != nil {
		return err
	}
	return r.JSON(http.StatusCreated, ReportReceipt{ReceiptCode: code, ReceivedAt: rep.ReceivedAt,
		Message:   "举报已受理。请妥善保存回执码，凭此码查询处理进度、领取奖励；我们依法为举报人保密。",
		MessageEN: "Report received. Keep the receipt code: it is the only way to follow the report and claim a reward. Your identity is kept confidential."})
}

func readSubmission(c echo.Context) (intake.Submission, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if strings.HasPrefix(ct, echo.MIMEMultipartForm) {
		return readMultipartSubmission(c)
	}
	var req reportRequest
	if err := bindJSON(c, &req); err != nil {
		return intake.Submission{}, err
	}
	sub := intake.Submission{Anonymous: req.Anonymous, Subject: req.Subject, What: req.What, Where: req.Where, When: req.When}
	if req.Reporter != nil && !req.Anonymous {
		sub.Reporter = intake.Identity(*req.Reporter)
	}
	if len(req.Attachments) > intake.MaxAttachments {
		return sub, fieldErr("attachments", fmt.Sprintf("附件最多 %d 个", intake.MaxAttachments), fmt.Sprintf("at most %d attachments", intake.MaxAttachments))
	}
	for _, a := range req.Attachments {
		sub.Attachments = append(sub.Attachments, intake.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	return sub, nil
}

func readMultipartSubmission(c echo.Context) (intake.Submission, error) {
	form, err := c.MultipartForm()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return intake.Submission{}, fieldErr("body", "请求体过大", "request body too large")
		}
		return intake.Submission{}, fieldErr("body", "表单格式错误", "malformed multipart form")
	}
	defer form.RemoveAll()
	val := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	anon, _ := strconv.ParseBool(val("anonymous"))
	sub := intake.Submission{Anonymous: anon, Subject: val("subject"), What: val("what"), Where: val("where"), When: val("when")}
	if !anon {
		sub.Reporter = intake.Identity{Name: val("reporter_name"), IDNumber: val("reporter_id_number"), Phone: val("reporter_phone"),
			Employer: val("reporter_employer"), Address: val("reporter_address")}
	}
	files := form.File["attachments"]
	if len(files) > intake.MaxAttachments {
		return sub, fieldErr("attachments", fmt.Sprintf("附件最多 %d 个", intake.MaxAttachments), fmt.Sprintf("at most %d attachments", intake.MaxAttachments))
	}
	for i, fh := range files {
		data, err := readPart(fh)
		if err != nil {
			return sub, fieldErr(fmt.Sprintf("attachments[%d]", i), "附件无法读取或过大", "attachment unreadable or too large")
		}
		sub.Attachments = append(sub.Attachments, intake.Attachment{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data})
	}
	return sub, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	if fh.Size > intake.MaxAttachmentSize {
		return nil, errors.New("too large")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, intake.MaxAttachmentSize+1))
}

// reportStatus is the public GET /api/reports/status?code=: status and reward only.
func (s *Server) reportStatus(r *request) error {
	return s.receiptCall(r, r.QueryParam("code"), func(code string) (intake.PublicStatus, error) {
		return s.svc.Intake.Status(r.ctx(), code)
	})
}

// claimReward is the public POST /api/reports/claim: the reporter claims the reward with the
// receipt code before it lapses.
func (s *Server) claimReward(r *request) error {
	var req claimRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	return s.receiptCall(r, req.Code, func(code string) (intake.PublicStatus, error) {
		ps, err := s.svc.Intake.ClaimReward(r.ctx(), code)
		if err != nil {
			return ps, err
		}
		return ps, s.recordPublic(r, "claim_reward", "reward "+ps.Reward.String()+" claimed with a receipt code")
	})
}

// receiptCall answers a look-up by receipt code; failed look-ups are limited per address.
func (s *Server) receiptCall(r *request, code string, fn func(string) (intake.PublicStatus, error)) error {
	if err := throttled(r, s.lookups, "查询失败次数过多，请稍后再试", "too many failed look-ups; retry later"); err != nil {
		return err
	}
	ip := r.RealIP()
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		s.lookups.Take(ip)
		return fieldErr("code", "请输入回执码", "the receipt code is required")
	}
	ps, err := fn(code)
	if err != nil {
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			s.lookups.Take(ip)
			return userErr(graph.ENOTFOUND, "回执码无效", "unknown receipt code")
		}
		return withChinese(err)
	}
	return r.JSON(http.StatusOK, ps)
}

// The intake desk.

func (s *Server) listReports(r *request) error {
	reps, err := s.svc.Intake.Reports(r.ctx())
	if err != nil {
		return err
	}
	return s.recorded(r, "list_reports", nil, fmt.Sprintf("%d reports", len(reps)), http.StatusOK, map[string]any{"reports": reps, "total": len(reps)})
}

func (s *Server) getReport(r *request) error {
	rep, err := s.svc.Intake.Report(r.ctx(), r.Param("id"))
	if err != nil {
		return withChinese(err)
	}
	return s.recorded(r, "read_report", rep.Entities, "report "+rep.ID, http.StatusOK, rep)
}

// reportIdentity returns the reporter's identity to the intake desk. The audit record says who
// read whose report, never what the identity is.
func (s *Server) reportIdentity(r *request) error {
	id := r.Param("id")
	ident, err := s.svc.Intake.Identity(r.ctx(), id)
	if err != nil {
		return withChinese(err)
	}
	return s.recorded(r, "read_reporter_identity", nil, "report "+id, http.StatusOK, ident)
}

func (s *Server) reportAttachment(r *request) error {
	n, err := strconv.Atoi(r.Param("n"))
	if err != nil {
		return fieldErr("n", "附件序号须为整数", "n must be an integer")
	}
	a, err := s.svc.Intake.Attachment(r.ctx(), r.Param("id"), n)
	if err != nil {
		return withChinese(err)
	}
	if err := s.record(r, "read_report_attachment", nil, fmt.Sprintf("report %s attachment %d", r.Param("id"), n)); err != nil {
		return err
	}
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	// Served as a download, never rendered: the content came from an anonymous form.
	r.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="attachment-%d"`, n))
	return r.Blob(http.StatusOK, ct, a.Data)
}

// triageReport links a report to parties and feeds it into a case: an existing one (case_id) or
// a new lead (线索) on the linked parties. The new case carries only what the desk writes in
// title and summary: neither the report's text nor anything about the reporter is copied, so that
// the investigated party can never be shown the report (DOMAIN.md, whistle-blowing).
func (s *Server) triageReport(r *request) error {
	var req triageRequest
	ver, err := bindVersioned(r, &req)
	if err != nil {
		return err
	}
	if len(req.Entities) > 200 {
		return fieldErr("entities", "最多关联 200 个实体", "link at most 200 entities")
	}
	refs, err := s.resolveRefs(req.Entities, func(i int) string { return fmt.Sprintf("entities[%d]", i) }, true)
	if err != nil {
		return err
	}
	refs = cases.DedupRefs(refs)
	if ok, err := s.exist(r, refs); err != nil {
		return err
	} else if !ok {
		return fieldErr("entities", "部分实体不存在", "some entities do not exist")
	}
	id := r.Param("id")
	rep, err := s.svc.Intake.Report(r.ctx(), id)
	if err != nil {
		return withChinese(err)
	}
	if rep.Version != ver {
		return userErr(graph.ECONFLICT, fmt.Sprintf("举报已被他人处理（当前版本 %d），请刷新后重试", rep.Version), fmt.Sprintf("the report changed meanwhile (now version %d)", rep.Version))
	}
	if rep.Status == intake.StatusConfirmed || rep.Status == intake.StatusRejected {
		return userErr(graph.ECONFLICT, "举报已办结", "the report is already closed")
	}
	caseID := strings.TrimSpace(req.CaseID)
	switch {
	case caseID != "":
		if !s.svc.Cases.Exists(caseID) {
			return fieldErr("case_id", "案件不存在", "no such case")
		}
	case len(refs) == 0:
		return fieldErr("entities", "需关联实体或指定案件", "link entities or name a case")
	default:
		title := strings.TrimSpace(req.Title)
		if title == "" {
			title = "举报线索"
		}
		c, err := s.svc.Cases.Create(r.actor, cases.NewCase{Title: title, Summary: req.Summary, Parties: refs})
		if err != nil {
			return err
		}
		caseID = c.ID
	}
	rep, err = s.svc.Intake.Triage(r.ctx(), id, ver, refs, caseID)
	if err != nil {
		return withChinese(err)
	}
	return s.recorded(r, "triage_report", refs, "report "+id+" case "+caseID, http.StatusOK, TriageResult{Report: rep, CaseID: caseID})
}

// rejectReport closes a report as not confirmed; the reason is required and stays with the desk
// (the reporter's status page says only 经核查未能查实).
func (s *Server) rejectReport(r *request) error {
	var req rejectRequest
	ver, err := bindVersioned(r, &req)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return fieldErr("reason", "请填写不予受理或未查实的理由", "a reason is required to reject a report")
	}
	rep, err := s.svc.Intake.Reject(r.ctx(), r.Param("id"), ver, req.Reason)
	if err != nil {
		return withChinese(err)
	}
	return s.recorded(r, "reject_report", nil, "report "+rep.ID, http.StatusOK, rep)
}
