package api

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ringtrace/ringtrace/graph"
)

// request is what an authenticated handler gets: the echo context and the caller.
type request struct {
	echo.Context
	user  *User
	actor Actor
	token string
}

func (r *request) ctx() context.Context { return r.Request().Context() }

type handler func(r *request) error

// route is one line of the route table. Roles lists who may call it; every other role gets 403
// (deny by default). A nil roles list marks a public route.
type route struct {
	method string
	path   string
	roles  []Role
	h      handler
}

var (
	anyRole    = []Role{RoleAnalyst, RoleInvestigator, RoleSupervisor, RolePolice, RoleAdmin, RoleIntake}
	graphRoles = []Role{RoleAnalyst, RoleInvestigator, RoleSupervisor}
	jobWriters = []Role{RoleAnalyst, RoleSupervisor}
	caseReader = []Role{RoleAnalyst, RoleInvestigator, RoleSupervisor, RolePolice}
	caseWriter = []Role{RoleInvestigator, RoleSupervisor}
	onlySuper  = []Role{RoleSupervisor}
	onlyAdmin  = []Role{RoleAdmin}
)

// table is the one route table: path, method, roles, handler. The OpenAPI test checks it
// against api/openapi.json and the access-matrix test calls each line as each role.
func (s *Server) table() []route {
	return append([]route{
		{http.MethodPost, "/api/auth/logout", anyRole, s.logout},
		{http.MethodGet, "/api/auth/me", anyRole, s.me},
		{http.MethodPost, "/api/auth/password", anyRole, s.changePassword},

		{http.MethodGet, "/api/search", graphRoles, s.search},
		{http.MethodGet, "/api/entities/:type/:id", append(slices.Clone(graphRoles), RolePolice), s.withBlacklistMark(s.entity)},
		{http.MethodGet, "/api/entities/:type/:id/neighbourhood", graphRoles, s.neighbourhood},
		{http.MethodGet, "/api/entities/:type/:id/claims", append(slices.Clone(graphRoles), RolePolice), s.claims},
		{http.MethodGet, "/api/paths", graphRoles, s.paths},

		{http.MethodPost, "/api/jobs", jobWriters, s.startJob},
		{http.MethodGet, "/api/jobs", graphRoles, s.listJobs},
		{http.MethodGet, "/api/jobs/compare", graphRoles, s.compareJobs},
		{http.MethodGet, "/api/jobs/:id", graphRoles, s.getJob},
		{http.MethodPost, "/api/jobs/:id/cancel", jobWriters, s.cancelJob},

		{http.MethodGet, "/api/rings", graphRoles, s.listRings},
		{http.MethodGet, "/api/rings/:id", graphRoles, s.getRing},
		{http.MethodGet, "/api/rings/:id/subgraph", graphRoles, s.ringSubgraph},

		{http.MethodPost, "/api/cases", []Role{RoleAnalyst, RoleInvestigator, RoleSupervisor}, s.createCase},
		{http.MethodGet, "/api/cases", caseReader, s.listCases},
		{http.MethodGet, "/api/cases/:id", caseReader, s.getCase},
		{http.MethodPost, "/api/cases/:id/transition", caseWriter, s.transitionCase},
		{http.MethodPost, "/api/cases/:id/notes", caseWriter, s.noteCase},
		{http.MethodPost, "/api/cases/:id/assign", onlySuper, s.assignCase},
		{http.MethodPost, "/api/cases/:id/attachments", caseWriter, s.attachCase},
		{http.MethodPost, "/api/cases/:id/extension", caseWriter, s.extendCase},
		{http.MethodPost, "/api/recusals", caseWriter, s.recuse},
		{http.MethodGet, "/api/recusals", caseWriter, s.listRecusals},

		{http.MethodGet, "/api/audit", onlySuper, s.queryAudit},
		{http.MethodGet, "/api/audit/verify", onlySuper, s.verifyAudit},

		{http.MethodGet, "/api/users", onlyAdmin, s.listUsers},
		{http.MethodPost, "/api/users", onlyAdmin, s.createUser},
		{http.MethodPut, "/api/users/:username", onlyAdmin, s.updateUser},

		{http.MethodGet, "/api/config/params", graphRoles, s.defaultParams},
	}, s.issue6Routes()...) // referral export, intake, blacklist (issue6_handlers.go)
}

// mustChangeAllowed are the routes a user with a one-time password may call.
var mustChangeAllowed = map[string]bool{"/api/auth/me": true, "/api/auth/password": true, "/api/auth/logout": true}

// authorize wraps a handler with authentication and the role check.
func (s *Server) authorize(rt route) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := bearer(c.Request())
		u, err := s.accounts.Authenticate(token)
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="ringtrace"`)
			return err
		}
		c.Set("user", &u)
		if !slices.Contains(rt.roles, u.Role) {
			return userErr(graph.EFORBIDDEN, "您的角色无权访问此功能", "your role may not use this")
		}
		if u.MustChangePassword && !mustChangeAllowed[rt.path] {
			return userErr(graph.EFORBIDDEN, "请先修改初始密码", "change your one-time password first")
		}
		return rt.h(&request{Context: c, user: &u, actor: Actor{Username: u.Username, Role: u.Role, Remote: c.RealIP(), RequestID: requestID(c)}, token: token})
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func (s *Server) router() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = echo.ExtractIPDirect()
	if s.cfg.BehindProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Pre(withRequestID)
	e.Use(s.accessLog, s.recoverPanics, securityHeaders)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(s.metrics.handler))
	e.GET("/api/openapi.json", func(c echo.Context) error { return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIJSON) })

	guard := []echo.MiddlewareFunc{s.shed, s.bodyLimit}
	e.POST("/api/auth/login", s.login, guard...)
	// Whistle-blowers file and follow reports without an account; these routes carry their own
	// body limits (issue6_handlers.go).
	for _, pr := range s.issue6PublicRoutes() {
		e.Add(pr.method, pr.path, pr.h, s.shed, s.limitBody(pr.maxBody))
	}
	s.routes = s.table()
	for _, rt := range s.routes {
		e.Add(rt.method, rt.path, s.authorize(rt), guard...)
	}
	// Unknown /api paths are JSON 404s, not the UI's index.html.
	e.Any("/api/*", func(c echo.Context) error { return userErr(graph.ENOTFOUND, "没有这个接口", "no such API route") })
	if s.cfg.UI != nil {
		e.GET("/*", s.serveUI)
	}
	return e
}

// serveUI serves the single-page app: files as they are, /assets/ (content-hashed by Vite) with
// immutable caching, and index.html for every other path so client-side routes work on reload.
func (s *Server) serveUI(c echo.Context) error {
	p := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	if p == "" {
		p = "index.html"
	}
	if st, err := fs.Stat(s.cfg.UI, p); err != nil || st.IsDir() {
		p = "index.html"
	}
	b, err := fs.ReadFile(s.cfg.UI, p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return userErr(graph.ENOTFOUND, "页面不存在", "no such page")
		}
		return err
	}
	h := c.Response().Header()
	if strings.HasPrefix(p, "assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(c.Response(), c.Request(), p, time.Time{}, strings.NewReader(string(b)))
	return nil
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"status": "ok"})
}

// readyz reports whether the graph store and the state database answer; a load balancer takes
// the instance out while Neo4j is away and back when it returns.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"graph_store": "ok", "state": "ok"}
	status := http.StatusOK
	if s.closing.Load() {
		checks["server"], status = "shutting down", http.StatusServiceUnavailable
	}
	if err := s.cfg.Store.Ping(ctx); err != nil {
		checks["graph_store"], status = "unavailable", http.StatusServiceUnavailable
		s.log.Warn("readiness: graph store", "err", err)
	}
	if !s.closing.Load() {
		if err := s.state.Ping(); err != nil {
			checks["state"], status = "unavailable", http.StatusServiceUnavailable
		}
	}
	st := "ok"
	if status != http.StatusOK {
		st = "unavailable"
		c.Response().Header().Set("Retry-After", "5")
	}
	return c.JSON(status, map[string]any{"status": st, "checks": checks})
}
