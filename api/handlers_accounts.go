package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/graph"
)

// Sign-in, sessions and user administration.

func (s *Server) login(r *request) error {
	ip := r.RealIP()
	if err := throttled(r, s.logins, "登录失败次数过多，请稍后再试", "too many failed logins; retry later"); err != nil {
		if n := s.refusals.Note("login " + ip); n > 0 {
			rec := audit.Record{Actor: "(throttled)", Action: "login_refused", Remote: ip, RequestID: requestID(r), Detail: fmt.Sprintf("%d refused", n)}
			if aerr := s.svc.Audit.Append(r.ctx(), rec); aerr != nil {
				return aerr
			}
		}
		return err
	}
	var req loginRequest
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if req.Username == "" {
		return fieldErr("username", "请输入用户名", "username is required")
	}
	if req.Password == "" {
		return fieldErr("password", "请输入密码", "password is required")
	}
	token, sess, u, err := s.svc.Accounts.Login(req.Username, req.Password)
	rec := audit.Record{Actor: req.Username, Action: "login", Remote: ip, RequestID: requestID(r)}
	if err != nil {
		if graph.ErrorCode(err) == graph.EUNAUTHORIZED {
			s.logins.Take(ip)
			rec.Action, rec.Detail = "login_failed", "bad credentials"
			if len(rec.Actor) > 64 {
				rec.Actor = rec.Actor[:64]
			}
			if aerr := s.svc.Audit.Append(r.ctx(), rec); aerr != nil {
				return aerr
			}
		}
		return err
	}
	rec.Role = string(u.Role)
	if err := s.svc.Audit.Append(r.ctx(), rec); err != nil {
		return err
	}
	return r.JSON(http.StatusOK, loginResponse{Token: token, ExpiresAt: sess.ExpiresAt, User: u.View(), MustChangePassword: u.MustChangePassword})
}

func (s *Server) logout(r *request) error {
	if err := s.svc.Accounts.Logout(r.token); err != nil {
		return err
	}
	return s.recordedNoContent(r, "logout", "")
}

func (s *Server) me(r *request) error { return r.JSON(http.StatusOK, r.user.View()) }

func (s *Server) changePassword(r *request) error {
	name := r.user.Username
	if ok, wait := s.passwords.Allow(name); !ok {
		retryAfter(r, wait)
		if n := s.refusals.Note("password " + name); n > 0 {
			if err := s.record(r, "change_password_refused", nil, fmt.Sprintf("%d refused", n)); err != nil {
				return err
			}
		}
		return userErr(graph.ETOOMANY, "原密码错误次数过多，请稍后再试", "too many wrong old passwords; retry later")
	}
	var req passwordChange
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	if err := s.svc.Accounts.ChangePassword(name, req.OldPassword, req.NewPassword); err != nil {
		if graph.ErrorField(err) == "old_password" {
			s.passwords.Take(name)
			if aerr := s.record(r, "change_password_failed", nil, "wrong old password"); aerr != nil {
				return aerr
			}
		}
		return err
	}
	return s.recordedNoContent(r, "change_password", "")
}

func (s *Server) listUsers(r *request) error {
	us, err := s.svc.Accounts.Users()
	if err != nil {
		return err
	}
	out := struct {
		Users []accounts.UserView `json:"users"`
	}{Users: make([]accounts.UserView, 0, len(us))}
	for _, u := range us {
		out.Users = append(out.Users, u.View())
	}
	return r.JSON(http.StatusOK, out)
}

func (s *Server) createUser(r *request) error {
	var req userCreate
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	u, err := s.svc.Accounts.InviteUser(req.Username, req.Password, req.Role, req.DisplayName)
	if err != nil {
		return err
	}
	return s.recorded(r, "create_user", nil, "user "+u.Username+" role "+string(u.Role), http.StatusCreated, u.View())
}

func (s *Server) updateUser(r *request) error {
	var req accounts.UserUpdate
	if err := bindJSON(r, &req); err != nil {
		return err
	}
	name := r.Param("username")
	if name == r.user.Username && (req.Role != nil && *req.Role != accounts.RoleAdmin || req.Disabled != nil && *req.Disabled) {
		// Keeps at least the acting admin able to administer.
		return userErr(graph.ECONFLICT, "不能降低或停用自己的管理员账号", "you cannot demote or disable your own admin account")
	}
	u, err := s.svc.Accounts.UpdateUser(name, req)
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
	return s.recorded(r, "update_user", nil, "user "+u.Username+": "+strings.Join(changed, ","), http.StatusOK, u.View())
}
