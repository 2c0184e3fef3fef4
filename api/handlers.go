package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ringtrace/ringtrace/graph"
)

// ---- auth ----

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token              string    `json:"token"`
	ExpiresAt          time.Time `json:"expires_at"`
	User               UserView  `json:"user"`
	MustChangePassword bool      `json:"must_change_password,omitempty"`
}

func (s *Server) login(c echo.Context) error {
	ip := c.RealIP()
	if ok, wait := s.logins.allow(ip); !ok {
		retryAfter(c, wait)
		return userErr(graph.ETOOMANY, "登录失败次数过多，请稍后再试", "too many failed logins; retry later")
	}
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Username == "" {
		return fieldErr("username", "请输入用户名", "username is required")
	}
	if req.Password == "" {
		return fieldErr("password", "请输入密码", "password is required")
	}
	token, sess, u, err := s.accounts.Login(req.Username, req.Password)
	rec := AuditRecord{Actor: req.Username, Action: "login", Remote: ip, RequestID: requestID(c)}
	if err != nil {
		if graph.ErrorCode(err) == graph.EUNAUTHORIZED {
			s.logins.fail(ip)
			rec.Action, rec.Detail = "login_failed", "bad credentials"
			if len(rec.Actor) > 64 {
				rec.Actor = rec.Actor[:64]
			}
			if aerr := s.audit.Append(c.Request().Context(), rec); aerr != nil {
				return aerr
			}
		}
		return err
	}
	rec.Role = string(u.Role)
	if err := s.audit.Append(c.Request().Context(), rec); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginResponse{Token: token, ExpiresAt: sess.ExpiresAt, User: u.view(), MustChangePassword: u.MustChangePassword})
}

func (s *Server) logout(r *request) error {
	if err := s.accounts.Logout(r.token); err != nil {
		return err
	}
	if err := s.record(r, "logout", nil, ""); err != nil {
		return err
	}
	return r.NoContent(http.StatusNoContent)
}

func (s *Server) me(r *request) error { return r.JSON(http.StatusOK, r.user.view()) }

type passwordChange struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

func (s *Server) changePassword(r *request) error {
	var req passwordChange
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if err := s.accounts.ChangePassword(r.user.Username, req.OldPassword, req.NewPassword); err != nil {
		return err
	}
	if err := s.record(r, "change_password", nil, ""); err != nil {
		return err
	}
	return r.NoContent(http.StatusNoContent)
}

// ---- users ----

type userCreate struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	Role        Role   `json:"role"`
	DisplayName string `json:"display_name"`
}

func (s *Server) listUsers(r *request) error {
	us, err := s.accounts.Users()
	if err != nil {
		return err
	}
	out := struct {
		Users []UserView `json:"users"`
	}{Users: make([]UserView, 0, len(us))}
	for _, u := range us {
		out.Users = append(out.Users, u.view())
	}
	return r.JSON(http.StatusOK, out)
}

func (s *Server) createUser(r *request) error {
	var req userCreate
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	u, err := s.accounts.CreateUser(req.Username, req.Password, req.Role, req.DisplayName)
	if err != nil {
		return err
	}
	if err := s.record(r, "create_user", nil, "user "+u.Username+" role "+string(u.Role)); err != nil {
		return err
	}
	return r.JSON(http.StatusCreated, u.view())
}

func (s *Server) updateUser(r *request) error {
	var req UserUpdate
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	name := r.Param("username")
	if name == r.user.Username && (req.Role != nil && *req.Role != RoleAdmin || req.Disabled != nil && *req.Disabled) {
		// Keeps at least the acting admin able to administer.
		return userErr(graph.ECONFLICT, "不能降低或停用自己的管理员账号", "you cannot demote or disable your own admin account")
	}
	u, err := s.accounts.UpdateUser(name, req)
	if err != nil {
		return err
	}
	var changed []string
	if req.Role != nil {
		changed = append(changed, "role="+string(*req.Role))
	}
	if req.Disabled != nil {
		changed = append(changed, "disabled")
	}
	if req.Password != nil {
		changed = append(changed, "password")
	}
	if req.DisplayName != nil {
		changed = append(changed, "display_name")
	}
	if err := s.record(r, "update_user", nil, "user "+u.Username+": "+strings.Join(changed, ",")); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, u.view())
}

// ---- jobs ----

type jobCreate struct {
	Params json.RawMessage `json:"params"`
	Note   string          `json:"note"`
}

func (s *Server) startJob(r *request) error {
	var req jobCreate
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if len(req.Params) > 0 && req.Params[0] != '{' && string(req.Params) != "null" {
		return fieldErr("params", "params 须为 JSON 对象", "params must be a JSON object")
	}
	job, err := s.jobs.Start(r.actor, req.Params, req.Note)
	if err != nil {
		return err
	}
	if err := s.record(r, "start_job", nil, "job "+job.ID); err != nil {
		return err
	}
	return r.JSON(http.StatusAccepted, job)
}

func (s *Server) listJobs(r *request) error {
	offset, limit, err := pageParams(r, 1_000_000)
	if err != nil {
		return err
	}
	jobs, total := s.jobs.List(offset, limit)
	return r.JSON(http.StatusOK, map[string]any{"jobs": jobs, "total": total})
}

func (s *Server) getJob(r *request) error {
	job, err := s.jobs.Get(r.Param("id"))
	if err != nil {
		return err
	}
	return r.JSON(http.StatusOK, job)
}

func (s *Server) cancelJob(r *request) error {
	job, err := s.jobs.Cancel(r.Param("id"))
	if err != nil {
		return err
	}
	if err := s.record(r, "cancel_job", nil, "job "+job.ID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, job)
}

func (s *Server) compareJobs(r *request) error {
	a, b := r.QueryParam("a"), r.QueryParam("b")
	if a == "" {
		return fieldErr("a", "需要任务 a", "job a is required")
	}
	if b == "" {
		return fieldErr("b", "需要任务 b", "job b is required")
	}
	ja, err := s.jobs.Get(a)
	if err != nil {
		return err
	}
	jb, err := s.jobs.Get(b)
	if err != nil {
		return err
	}
	fa, err := s.jobs.Findings(a)
	if err != nil {
		return err
	}
	fb, err := s.jobs.Findings(b)
	if err != nil {
		return err
	}
	return r.JSON(http.StatusOK, compareFindings(fa, fb, ja.Params, jb.Params))
}

func (s *Server) defaultParams(r *request) error {
	return r.JSONBlob(http.StatusOK, s.cfg.Detection.Defaults())
}

// ---- cases ----

type caseCreate struct {
	Title    string     `json:"title"`
	RingID   string     `json:"ring_id"`
	JobID    string     `json:"job_id"`
	Entity   *graph.Ref `json:"entity"`
	Assignee string     `json:"assignee"`
	Summary  string     `json:"summary"`
}

// caseView is a case as served: deadlines computed, members shown per the caller's access.
type caseView struct {
	Case
	StatusLabel string     `json:"status_label"`
	Deadlines   []Deadline `json:"deadlines"`
	Overdue     bool       `json:"overdue"`
}

func (s *Server) caseView(v *viewer, c Case) caseView {
	now := s.cfg.Now()
	out := caseView{Case: c, StatusLabel: statusLabels[c.Status], Deadlines: s.cases.Deadlines(&c, now)}
	for _, d := range out.Deadlines {
		out.Overdue = out.Overdue || d.Overdue
	}
	for i, p := range out.Parties {
		out.Parties[i] = v.ref(p)
	}
	for i, p := range out.Attachments {
		out.Attachments[i] = v.ref(p)
	}
	if v.a.Role == RolePolice {
		// Police receive the evidence package, not the bureau's internal notes.
		out.Notes = []Note{}
	}
	return out
}

func (s *Server) createCase(r *request) error {
	var req caseCreate
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	n := NewCase{Title: req.Title, Summary: req.Summary, Assignee: req.Assignee}
	switch {
	case req.RingID != "" && req.Entity != nil:
		return fieldErr("entity", "团伙与实体只能二选一", "give either ring_id or entity, not both")
	case req.RingID != "":
		ix, err := s.jobs.Findings(req.JobID)
		if err != nil {
			return err
		}
		i, ok := ix.ring[req.RingID]
		if !ok {
			return fieldErr("ring_id", "团伙不存在", "no such ring in this job")
		}
		n.RingID, n.JobID, n.Parties = req.RingID, ix.jobID, ix.f.Rings[i].Members
	case req.Entity != nil:
		ref, err := s.resolveRef("entity", req.Entity.Type, req.Entity.ID)
		if err != nil {
			return err
		}
		if !ref.Type.IsParty() {
			return fieldErr("entity", "只能针对当事方立线索", "a case is opened on a party")
		}
		if _, err := s.cfg.Store.Node(r.ctx(), ref); err != nil {
			if graph.ErrorCode(err) == graph.ENOTFOUND {
				return fieldErr("entity", "实体不存在", "no such entity")
			}
			return err
		}
		n.Parties = []graph.Ref{ref}
	default:
		return fieldErr("entity", "需要 ring_id 或 entity", "ring_id or entity is required")
	}
	if n.Assignee != "" {
		if !s.isInvestigator(n.Assignee) {
			return fieldErr("assignee", "该用户不是调查员", "assignee is not an investigator")
		}
	}
	c, err := s.cases.Create(r.actor, n)
	if err != nil {
		return err
	}
	return r.JSON(http.StatusCreated, s.caseView(s.viewer(r.actor), c))
}

func (s *Server) isInvestigator(name string) bool {
	u, err := s.accounts.User(name)
	return err == nil && !u.Disabled && (u.Role == RoleInvestigator || u.Role == RoleSupervisor)
}

func (s *Server) listCases(r *request) error {
	status := CaseStatus(r.QueryParam("status"))
	if _, ok := statusLabels[status]; status != "" && !ok {
		return fieldErr("status", "未知案件状态", "unknown case status")
	}
	overdue, err := boolParam(r, "overdue")
	if err != nil {
		return err
	}
	offset, limit, err := pageParams(r, 1_000_000)
	if err != nil {
		return err
	}
	cs, total := s.cases.List(r.actor, CaseFilter{Status: status, Overdue: overdue, Assignee: r.QueryParam("assignee"), Offset: offset, Limit: limit})
	v := s.viewer(r.actor)
	out := struct {
		Cases []caseView `json:"cases"`
		Total int        `json:"total"`
	}{Cases: make([]caseView, 0, len(cs)), Total: total}
	var refs []graph.Ref
	for _, c := range cs {
		out.Cases = append(out.Cases, s.caseView(v, c))
		refs = append(refs, c.Parties...)
	}
	if err := s.record(r, "list_cases", refs, ""); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, out)
}

func (s *Server) getCase(r *request) error {
	c, err := s.cases.Get(r.actor, r.Param("id"))
	if err != nil {
		return err
	}
	if err := s.record(r, "read_case", append(c.Parties, c.Attachments...), "case "+c.ID); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, s.caseView(s.viewer(r.actor), c))
}

// caseChanged returns the new view of a changed case (Cases wrote the audit record in the same
// transaction as the change).
func (s *Server) caseChanged(r *request, c Case, err error) error {
	if err != nil {
		return err
	}
	return r.JSON(http.StatusOK, s.caseView(s.viewer(r.actor), c))
}

type transitionRequest struct {
	To         CaseStatus `json:"to"`
	Version    *int       `json:"version"`
	TransferTo string     `json:"transfer_to"`
	Reason     string     `json:"reason"`
}

func needVersion(v *int) (int, error) {
	if v == nil {
		return 0, fieldErr("version", "需要提供当前版本号 version", "version is required")
	}
	return *v, nil
}

func (s *Server) transitionCase(r *request) error {
	var req transitionRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	ver, err := needVersion(req.Version)
	if err != nil {
		return err
	}
	c, err := s.cases.Transition(r.actor, r.Param("id"), ver, req.To, req.TransferTo, req.Reason)
	return s.caseChanged(r, c, err)
}

type noteRequest struct {
	Text    string `json:"text"`
	Version *int   `json:"version"`
}

func (s *Server) noteCase(r *request) error {
	var req noteRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	ver, err := needVersion(req.Version)
	if err != nil {
		return err
	}
	c, err := s.cases.AddNote(r.actor, r.Param("id"), ver, req.Text)
	return s.caseChanged(r, c, err)
}

type assignRequest struct {
	Assignee string `json:"assignee"`
	Version  *int   `json:"version"`
}

func (s *Server) assignCase(r *request) error {
	var req assignRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	ver, err := needVersion(req.Version)
	if err != nil {
		return err
	}
	c, err := s.cases.Assign(r.actor, r.Param("id"), ver, req.Assignee, s.isInvestigator)
	return s.caseChanged(r, c, err)
}

type attachRequest struct {
	Refs    []graph.Ref `json:"refs"`
	Version *int        `json:"version"`
}

func (s *Server) attachCase(r *request) error {
	var req attachRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	ver, err := needVersion(req.Version)
	if err != nil {
		return err
	}
	if len(req.Refs) == 0 || len(req.Refs) > 500 {
		return fieldErr("refs", "需附加 1–500 个实体", "attach 1–500 entities")
	}
	refs := make([]graph.Ref, len(req.Refs))
	for i, x := range req.Refs {
		ref, err := s.resolveRef("refs", x.Type, x.ID)
		if err != nil {
			return err
		}
		refs[i] = ref
	}
	ok, err := s.exists(r, refs)
	if err != nil {
		return err
	}
	if !ok {
		return fieldErr("refs", "部分实体不存在", "some entities do not exist")
	}
	c, err := s.cases.Attach(r.actor, r.Param("id"), ver, refs)
	return s.caseChanged(r, c, err)
}

func (s *Server) exists(r *request, refs []graph.Ref) (bool, error) {
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

type extensionRequest struct {
	Action  string `json:"action"`
	Reason  string `json:"reason"`
	Version *int   `json:"version"`
}

func (s *Server) extendCase(r *request) error {
	var req extensionRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	ver, err := needVersion(req.Version)
	if err != nil {
		return err
	}
	c, err := s.cases.Extension(r.actor, r.Param("id"), ver, req.Action, req.Reason)
	return s.caseChanged(r, c, err)
}

type recusalRequest struct {
	CaseID string     `json:"case_id"`
	Entity *graph.Ref `json:"entity"`
	Reason string     `json:"reason"`
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
	rec, err := s.cases.Recuse(r.actor, req.CaseID, ent, req.Reason)
	if err != nil {
		return err
	}
	v := s.viewer(r.actor)
	if rec.Entity != nil {
		e := v.ref(*rec.Entity)
		rec.Entity = &e
	}
	return r.JSON(http.StatusCreated, rec)
}

func (s *Server) listRecusals(r *request) error {
	v := s.viewer(r.actor)
	rs := s.cases.Recusals(r.actor)
	for i := range rs {
		if rs[i].Entity != nil {
			e := v.ref(*rs[i].Entity)
			rs[i].Entity = &e
		}
	}
	return r.JSON(http.StatusOK, map[string]any{"recusals": rs})
}

// ---- audit ----

func (s *Server) queryAudit(r *request) error {
	from, to, err := timeRange(r)
	if err != nil {
		return err
	}
	offset, limit, err := pageParams(r, 10_000_000)
	if err != nil {
		return err
	}
	q := AuditQuery{Actor: r.QueryParam("actor"), Action: r.QueryParam("action"), Entity: r.QueryParam("entity"), From: from, To: to, Offset: offset, Limit: limit}
	recs, total, err := s.audit.Query(q)
	if err != nil {
		return err
	}
	// Reading the trail is itself an access to personal data (its entity lists).
	if err := s.record(r, "read_audit", nil, ""); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, map[string]any{"records": recs, "total": total})
}

func (s *Server) verifyAudit(r *request) error {
	v, err := s.audit.Verify()
	if err != nil {
		return err
	}
	return r.JSON(http.StatusOK, v)
}
