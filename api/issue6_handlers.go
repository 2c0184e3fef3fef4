package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ringtrace/ringtrace/api/blacklist"
	"github.com/ringtrace/ringtrace/api/intake"
	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/graph"
)

// publicRoute is a route without login: the whistle-blower's side of intake.
type publicRoute struct {
	method  string
	path    string
	maxBody int64
	h       echo.HandlerFunc
}

// issue6Routes are the route-table lines of referral export, intake and blacklist.
func (s *Server) issue6Routes() []route {
	intakeDesk := []Role{RoleIntake}
	return []route{
		{http.MethodPost, "/api/cases/:id/export", []Role{RoleSupervisor, RolePolice}, s.exportCase},
		{http.MethodPost, "/api/cases/:id/confirm-amount", onlySuper, s.confirmAmount},

		{http.MethodGet, "/api/reports", intakeDesk, s.listReports},
		{http.MethodGet, "/api/reports/:id", intakeDesk, s.getReport},
		{http.MethodGet, "/api/reports/:id/identity", intakeDesk, s.reportIdentity},
		{http.MethodGet, "/api/reports/:id/attachments/:n", intakeDesk, s.reportAttachment},
		{http.MethodPost, "/api/reports/:id/triage", intakeDesk, s.triageReport},
		{http.MethodPost, "/api/reports/:id/reject", intakeDesk, s.rejectReport},

		{http.MethodGet, "/api/blacklist", graphRoles, s.listBlacklist},
		{http.MethodPost, "/api/blacklist", onlySuper, s.addBlacklist},
		{http.MethodDelete, "/api/blacklist/:id", onlySuper, s.removeBlacklist},
	}
}

// issue6PublicRoutes are the routes a reporter uses without an account.
func (s *Server) issue6PublicRoutes() []publicRoute {
	max := int64(32 << 20)
	if rs := s.referralSvc(); rs != nil {
		max = rs.cfg.MaxReportBytes
	}
	return []publicRoute{
		{http.MethodPost, "/api/reports", max, s.submitReport},
		{http.MethodGet, "/api/reports/status", 4 << 10, s.reportStatus},
		{http.MethodPost, "/api/reports/claim", 4 << 10, s.claimReward},
	}
}

// limitBody returns a body limit middleware for one public route.
func (s *Server) limitBody(max int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > max {
				return fieldErr("body", "请求体过大", "request body too large")
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, max)
			return next(c)
		}
	}
}

var errReferralOff = userErr(graph.EUNAVAILABLE, "举报受理、移送导出与黑名单功能未启用", "intake, referral export and blacklist are not enabled on this server")

func (s *Server) needReferral() (*referralService, error) {
	rs := s.referralSvc()
	if rs == nil {
		return nil, errReferralOff
	}
	return rs, nil
}

// ---- referral export ----

// referralInput loads the job and findings a case came from.
func (s *Server) referralInput(c Case) (referralInput, error) {
	in := referralInput{c: c}
	if c.JobID == "" {
		return in, nil
	}
	job, err := s.jobs.Get(c.JobID)
	if err != nil {
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			return in, nil
		}
		return in, err
	}
	in.job = &job
	ix, err := s.jobs.Findings(c.JobID)
	if err != nil {
		if code := graph.ErrorCode(err); code == graph.ENOTFOUND || code == graph.ECONFLICT {
			return in, nil
		}
		return in, err
	}
	in.findings = &ix.f
	return in, nil
}

// exportCase is POST /api/cases/:id/export: the signed referral package of a transferred case
// as a ZIP download. The audit record carries the manifest's digest, so that a package shown in
// court can be matched to the export that produced it.
func (s *Server) exportCase(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	if len(rs.cfg.SigningKey) == 0 {
		return userErr(graph.EUNAVAILABLE, "服务器未配置签名密钥，无法导出移送证据包", "no signing key is configured; referral packages cannot be exported")
	}
	c, err := s.cases.Get(r.actor, r.Param("id"))
	if err != nil {
		return err
	}
	if err := checkExportable(r.actor, c); err != nil {
		return err
	}
	in, err := s.referralInput(c)
	if err != nil {
		return err
	}
	meta := referral.Meta{ExportedBy: r.actor.Username, ExportedRole: string(r.actor.Role), ExportedAt: s.cfg.Now().UTC(), Software: rs.cfg.Software}
	pkg, man, digest, err := buildReferral(r.ctx(), s.cfg.Store, in, rs.cfg.SigningKey, meta)
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

type confirmRequest struct {
	Amount *graph.Money `json:"amount"`
}

// ConfirmResult is the answer of POST /api/cases/:id/confirm-amount.
type ConfirmResult struct {
	CaseID          string      `json:"case_id"`
	ConfirmedAmount graph.Money `json:"confirmed_amount"`
	Reports         int         `json:"reports"`
	Rewarded        int         `json:"rewarded"`
}

// confirmAmount records the fund money a case confirmed; the reports linked to it become
// confirmed and the first named reporter's reward is computed by the configured table.
func (s *Server) confirmAmount(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	var req confirmRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if req.Amount == nil || *req.Amount < 0 {
		return fieldErr("amount", "需填写查实的涉案金额（元，不为负）", "amount (yuan, not negative) is required")
	}
	c, err := s.cases.Get(r.actor, r.Param("id"))
	if err != nil {
		return err
	}
	if c.Status != StatusOpened && c.Status != StatusTransferred && c.Status != StatusClosed {
		return userErr(graph.ECONFLICT, "案件立案后才能确认查实金额", "an amount is confirmed once the case is opened")
	}
	changed, err := rs.intake.ConfirmCase(r.ctx(), c.ID, *req.Amount)
	if err != nil {
		return intakeErr(err)
	}
	out := ConfirmResult{CaseID: c.ID, ConfirmedAmount: *req.Amount, Reports: len(changed)}
	for _, rep := range changed {
		if rep.Reward > 0 {
			out.Rewarded++
		}
	}
	if err := s.record(r, "confirm_amount", c.Parties, fmt.Sprintf("case %s confirmed amount %s, %d reports, %d rewarded", c.ID, req.Amount, out.Reports, out.Rewarded)); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
}

// ---- whistle-blower intake: public side ----

type reporterIn struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Employer string `json:"employer"`
	Address  string `json:"address"`
}

type attachmentIn struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"` // base64 in JSON
}

type reportRequest struct {
	Anonymous   bool           `json:"anonymous"`
	Reporter    *reporterIn    `json:"reporter"`
	Subject     string         `json:"subject"`
	What        string         `json:"what"`
	Where       string         `json:"where"`
	When        string         `json:"when"`
	Attachments []attachmentIn `json:"attachments"`
}

// ReportReceipt is what a reporter gets back: the code to follow the report, shown once.
type ReportReceipt struct {
	ReceiptCode string    `json:"receipt_code"`
	ReceivedAt  time.Time `json:"received_at"`
	Message     string    `json:"message"`
	MessageEN   string    `json:"message_en"`
}

// submitReport is the public POST /api/reports, JSON (attachments base64) or multipart/form-data
// (fields as in JSON, reporter fields as reporter_name …, files as "attachments"). The client
// address is used for the rate limit only and is not written to the audit trail: it could
// identify the reporter.
func (s *Server) submitReport(c echo.Context) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	ip := c.RealIP()
	if ok, wait := rs.submissions.allow(ip); !ok {
		retryAfter(c, wait)
		return userErr(graph.ETOOMANY, "提交过于频繁，请稍后再试", "too many reports from this address; retry later")
	}
	rs.submissions.fail(ip) // every submission takes a token, not only failed ones
	sub, err := readSubmission(c)
	if err != nil {
		return err
	}
	id, code, err := rs.intake.Submit(c.Request().Context(), sub)
	if err != nil {
		return intakeErr(err)
	}
	rep, err := rs.intake.Report(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := s.audit.Append(c.Request().Context(), AuditRecord{Actor: "(public)", Action: "submit_report", RequestID: requestID(c), Detail: "report " + id}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ReportReceipt{ReceiptCode: code, ReceivedAt: rep.ReceivedAt,
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

// intakeErr gives the intake and blacklist stores' plain errors a Chinese message first.
func intakeErr(err error) error {
	var ge *graph.Error
	if !errors.As(err, &ge) {
		return err
	}
	zh := map[string]string{
		graph.EINVALID: "输入无效", graph.ENOTFOUND: "未找到", graph.ECONFLICT: "状态冲突",
	}[ge.Code]
	if zh == "" {
		return err
	}
	if ge.Field != "" {
		return fieldErr(ge.Field, zh+"（"+ge.Field+"）："+ge.Message, ge.Field+": "+ge.Message)
	}
	return userErr(ge.Code, zh+"："+ge.Message, ge.Message)
}

// reportStatus is the public GET /api/reports/status?code=: status and reward only.
func (s *Server) reportStatus(c echo.Context) error {
	return s.receiptCall(c, c.QueryParam("code"), func(rs *referralService, code string) (intake.PublicStatus, error) {
		return rs.intake.Status(c.Request().Context(), code)
	})
}

type claimRequest struct {
	Code string `json:"code"`
}

// claimReward is the public POST /api/reports/claim: the reporter claims the reward with the
// receipt code before it lapses.
func (s *Server) claimReward(c echo.Context) error {
	var req claimRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return s.receiptCall(c, req.Code, func(rs *referralService, code string) (intake.PublicStatus, error) {
		ps, err := rs.intake.ClaimReward(c.Request().Context(), code)
		if err != nil {
			return ps, err
		}
		err = s.audit.Append(c.Request().Context(), AuditRecord{Actor: "(public)", Action: "claim_reward", RequestID: requestID(c), Detail: "reward " + ps.Reward.String() + " claimed with a receipt code"})
		return ps, err
	})
}

func (s *Server) receiptCall(c echo.Context, code string, fn func(*referralService, string) (intake.PublicStatus, error)) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	ip := c.RealIP()
	if ok, wait := rs.lookups.allow(ip); !ok {
		retryAfter(c, wait)
		return userErr(graph.ETOOMANY, "查询失败次数过多，请稍后再试", "too many failed look-ups; retry later")
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		rs.lookups.fail(ip)
		return fieldErr("code", "请输入回执码", "the receipt code is required")
	}
	ps, err := fn(rs, code)
	if err != nil {
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			rs.lookups.fail(ip)
			return userErr(graph.ENOTFOUND, "回执码无效", "unknown receipt code")
		}
		return intakeErr(err)
	}
	return c.JSON(http.StatusOK, ps)
}

// ---- whistle-blower intake: the intake desk ----

func (s *Server) listReports(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	reps, err := rs.intake.Reports(r.ctx())
	if err != nil {
		return err
	}
	if err := s.record(r, "list_reports", nil, fmt.Sprintf("%d reports", len(reps))); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, map[string]any{"reports": reps, "total": len(reps)})
}

func (s *Server) getReport(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	rep, err := rs.intake.Report(r.ctx(), r.Param("id"))
	if err != nil {
		return intakeErr(err)
	}
	if err := s.record(r, "read_report", rep.Entities, "report "+rep.ID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, rep)
}

// reportIdentity returns the reporter's identity to the intake desk. The audit record says who
// read whose report, never what the identity is.
func (s *Server) reportIdentity(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	id := r.Param("id")
	ident, err := rs.intake.Identity(r.ctx(), id)
	if err != nil {
		return intakeErr(err)
	}
	if err := s.record(r, "read_reporter_identity", nil, "report "+id); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, ident)
}

func (s *Server) reportAttachment(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.Param("n"))
	if err != nil {
		return fieldErr("n", "附件序号须为整数", "n must be an integer")
	}
	a, err := rs.intake.Attachment(r.ctx(), r.Param("id"), n)
	if err != nil {
		return intakeErr(err)
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

type triageRequest struct {
	Version  *int        `json:"version"`
	Entities []graph.Ref `json:"entities"`
	CaseID   string      `json:"case_id"`
	Title    string      `json:"title"`
	Summary  string      `json:"summary"`
}

// TriageResult is the answer of POST /api/reports/:id/triage.
type TriageResult struct {
	Report intake.Report `json:"report"`
	CaseID string        `json:"case_id"`
}

// triageReport links a report to parties and feeds it into a case: an existing one (case_id) or
// a new lead (线索) on the linked parties. The new case carries only what the desk writes in
// title and summary: neither the report's text nor anything about the reporter is copied, so that
// the investigated party can never be shown the report (DOMAIN.md, whistle-blowing).
func (s *Server) triageReport(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	var req triageRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	ver, err := needVersion(req.Version)
	if err != nil {
		return err
	}
	if len(req.Entities) > 200 {
		return fieldErr("entities", "最多关联 200 个实体", "link at most 200 entities")
	}
	refs := make([]graph.Ref, 0, len(req.Entities))
	for i, x := range req.Entities {
		field := fmt.Sprintf("entities[%d]", i)
		ref, err := s.resolveRef(field, x.Type, x.ID)
		if err != nil {
			return err
		}
		if !ref.Type.IsParty() {
			return fieldErr(field, "只能关联参保人、医师、医疗机构或药店", "link patients, doctors, institutions or pharmacies")
		}
		refs = append(refs, ref)
	}
	refs = dedupRefs(refs)
	if ok, err := s.exists(r, refs); err != nil {
		return err
	} else if !ok {
		return fieldErr("entities", "部分实体不存在", "some entities do not exist")
	}
	id := r.Param("id")
	rep, err := rs.intake.Report(r.ctx(), id)
	if err != nil {
		return intakeErr(err)
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
		if !s.cases.exists(caseID) {
			return fieldErr("case_id", "案件不存在", "no such case")
		}
	case len(refs) == 0:
		return fieldErr("entities", "需关联实体或指定案件", "link entities or name a case")
	default:
		title := strings.TrimSpace(req.Title)
		if title == "" {
			title = "举报线索"
		}
		c, err := s.cases.Create(r.actor, NewCase{Title: title, Summary: req.Summary, Parties: refs})
		if err != nil {
			return err
		}
		caseID = c.ID
	}
	rep, err = rs.intake.Triage(r.ctx(), id, ver, refs, caseID)
	if err != nil {
		return intakeErr(err)
	}
	if err := s.record(r, "triage_report", refs, "report "+id+" case "+caseID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, TriageResult{Report: rep, CaseID: caseID})
}

// exists reports whether a case id is known, whatever the caller may see of it.
func (cs *Cases) exists(id string) bool {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	_, ok := cs.cases[id]
	return ok
}

type versionRequest struct {
	Version *int `json:"version"`
}

func (s *Server) rejectReport(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	var req versionRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	ver, err := needVersion(req.Version)
	if err != nil {
		return err
	}
	rep, err := rs.intake.Reject(r.ctx(), r.Param("id"), ver)
	if err != nil {
		return intakeErr(err)
	}
	if err := s.record(r, "reject_report", nil, "report "+rep.ID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, rep)
}

// ---- blacklist ----

// blacklistView is a listing as served: the entity masked per the caller's access.
type blacklistView struct {
	blacklist.Entry
	Active bool `json:"active"`
}

func (s *Server) listBlacklist(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	activeOnly, err := boolParam(r, "active")
	if err != nil {
		return err
	}
	var only *graph.Ref
	if r.QueryParam("entity") != "" {
		ref, err := s.refParam(r, "entity")
		if err != nil {
			return err
		}
		only = &ref
	}
	now := s.cfg.Now()
	es, err := rs.blacklist.List(r.ctx(), activeOnly != nil && *activeOnly, now)
	if err != nil {
		return err
	}
	v := s.viewer(r.actor)
	out := []blacklistView{}
	var refs []graph.Ref
	for _, e := range es {
		if only != nil && e.Entity != *only {
			continue
		}
		refs = append(refs, e.Entity)
		bv := blacklistView{Entry: e, Active: e.ActiveAt(now)}
		bv.Entity = v.ref(e.Entity)
		out = append(out, bv)
	}
	if err := s.record(r, "list_blacklist", refs, ""); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, map[string]any{"entries": out, "total": len(out)})
}

type blacklistRequest struct {
	Entity *graph.Ref `json:"entity"`
	Reason string     `json:"reason"`
	CaseID string     `json:"case_id"`
	From   string     `json:"from"`
	Until  string     `json:"until"`
}

func parseDay(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, chinaTime); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fieldErr(field, field+" 须为 YYYY-MM-DD 或 RFC 3339 时间", field+" must be YYYY-MM-DD or an RFC 3339 time")
}

func (s *Server) addBlacklist(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	var req blacklistRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if req.Entity == nil {
		return fieldErr("entity", "需指定实体", "entity is required")
	}
	ref, err := s.resolveRef("entity", req.Entity.Type, req.Entity.ID)
	if err != nil {
		return err
	}
	if len([]rune(req.Reason)) > 2000 {
		return fieldErr("reason", "理由过长", "reason too long")
	}
	from, err := parseDay("from", req.From)
	if err != nil {
		return err
	}
	until, err := parseDay("until", req.Until)
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	if from.IsZero() {
		from = now
	}
	e, err := rs.blacklist.Add(r.ctx(), blacklist.Entry{Entity: ref, Reason: req.Reason, CaseID: req.CaseID, From: from.UTC(), Until: until.UTC(), ListedBy: r.actor.Username, ListedAt: now})
	if err != nil {
		return intakeErr(err)
	}
	if err := s.record(r, "blacklist_add", []graph.Ref{ref}, "entry "+e.ID+" case "+e.CaseID); err != nil {
		return err
	}
	return r.JSON(http.StatusCreated, blacklistView{Entry: e, Active: e.ActiveAt(now)})
}

func (s *Server) removeBlacklist(r *request) error {
	rs, err := s.needReferral()
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	e, err := rs.blacklist.Remove(r.ctx(), r.Param("id"), r.actor.Username, now)
	if err != nil {
		return intakeErr(err)
	}
	if err := s.record(r, "blacklist_remove", []graph.Ref{e.Entity}, "entry "+e.ID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, blacklistView{Entry: e, Active: e.ActiveAt(now)})
}

// bufferedWriter holds a response so that it can be amended before it is sent.
type bufferedWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) WriteHeader(code int)        { b.status = code }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }

// withBlacklistMark wraps the entity view (GET /api/entities/:type/:id): when the entity is on the
// blacklist, the view gains "blacklisted", the listing in force, so that a repeat offender is
// marked wherever an investigator opens it — before any new detection run has annotated it.
func (s *Server) withBlacklistMark(next handler) handler {
	return func(r *request) error {
		rs := s.referralSvc()
		ref, err := s.pathRef(r)
		if rs == nil || err != nil {
			return next(r)
		}
		now := s.cfg.Now()
		active, err := rs.blacklist.Active(r.ctx(), now)
		if err != nil {
			return err
		}
		entry, listed := active[ref]
		if !listed {
			return next(r)
		}
		resp := r.Response()
		orig := resp.Writer
		bw := &bufferedWriter{header: orig.Header(), status: http.StatusOK}
		resp.Writer = bw
		err = next(r)
		resp.Writer, resp.Committed, resp.Status, resp.Size = orig, false, 0, 0
		if err != nil {
			return err
		}
		var view map[string]json.RawMessage
		if bw.status != http.StatusOK || json.Unmarshal(bw.buf.Bytes(), &view) != nil {
			resp.WriteHeader(bw.status)
			_, werr := resp.Write(bw.buf.Bytes())
			return werr
		}
		bv := blacklistView{Entry: entry, Active: true}
		bv.Entity = s.viewer(r.actor).ref(entry.Entity)
		mark, err := json.Marshal(bv)
		if err != nil {
			return err
		}
		view["blacklisted"] = mark
		return r.JSON(http.StatusOK, view)
	}
}
