package api

import (
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/graph"
)

// request is what a handler gets: the echo context and, on signed-in routes, the caller.
type request struct {
	echo.Context
	user  *accounts.User // nil on anonymous and probe routes
	actor accounts.Actor
	token string
}

func (r *request) ctx() context.Context { return r.Request().Context() }

type handler func(r *request) error

// access says what stands in front of a route's handler.
type access int

const (
	// signedIn routes need a session of one of the route's roles; every other role gets 403
	// (deny by default). They are load-shed and body-limited.
	signedIn access = iota
	// anonymous routes need no session (login, the whistle-blower's side of intake); they are
	// load-shed and body-limited.
	anonymous
	// probe routes (health, readiness, metrics, the API description, the UI) skip load shedding
	// so that probes see the truth under overload; they take no body.
	probe
)

// anyMethod in the method column matches every method.
const anyMethod = "*"

// route is one line of the route table.
type route struct {
	method  string // anyMethod: every method
	path    string
	access  access
	roles   []accounts.Role // signedIn only
	maxBody int64           // bytes; 0 on probe routes
	h       handler
}

var (
	anyRole    = accounts.Roles
	graphRoles = []accounts.Role{accounts.RoleAnalyst, accounts.RoleInvestigator, accounts.RoleSupervisor}
	entityRead = []accounts.Role{accounts.RoleAnalyst, accounts.RoleInvestigator, accounts.RoleSupervisor, accounts.RolePolice}
	jobWriters = []accounts.Role{accounts.RoleAnalyst, accounts.RoleSupervisor}
	caseReader = entityRead
	caseWriter = []accounts.Role{accounts.RoleInvestigator, accounts.RoleSupervisor}
	exporters  = []accounts.Role{accounts.RoleSupervisor, accounts.RolePolice}
	onlySuper  = []accounts.Role{accounts.RoleSupervisor}
	onlyAdmin  = []accounts.Role{accounts.RoleAdmin}
	intakeDesk = []accounts.Role{accounts.RoleIntake}
)

// table is the one route table: every route with who may call it and its body limit. The
// OpenAPI test checks it against api/openapi.json (x-roles) and the access-matrix test calls each
// line as each role.
func (s *Server) table() []route {
	std, small, report := s.cfg.MaxBodyBytes, int64(4<<10), s.cfg.Referral.MaxReportBytes
	t := []route{
		{http.MethodGet, "/healthz", probe, nil, 0, s.healthz},
		{http.MethodGet, "/readyz", probe, nil, 0, s.readyz},
		{http.MethodGet, "/metrics", probe, nil, 0, s.serveMetrics},
		{http.MethodGet, "/api/openapi.json", probe, nil, 0, s.openAPI},

		{http.MethodPost, "/api/auth/login", anonymous, nil, std, s.login},
		{http.MethodPost, "/api/auth/logout", signedIn, anyRole, std, s.logout},
		{http.MethodGet, "/api/auth/me", signedIn, anyRole, std, s.me},
		{http.MethodPost, "/api/auth/password", signedIn, anyRole, std, s.changePassword},

		{http.MethodGet, "/api/search", signedIn, graphRoles, std, s.search},
		{http.MethodGet, "/api/entities/:type/:id", signedIn, entityRead, std, s.entity},
		{http.MethodGet, "/api/entities/:type/:id/neighbourhood", signedIn, graphRoles, std, s.neighbourhood},
		{http.MethodGet, "/api/entities/:type/:id/claims", signedIn, entityRead, std, s.claims},
		{http.MethodGet, "/api/entities/:type/:id/timeline", signedIn, entityRead, std, s.timeline},
		{http.MethodGet, "/api/paths", signedIn, graphRoles, std, s.paths},
		{http.MethodGet, "/api/paths/temporal", signedIn, graphRoles, std, s.temporalPaths},

		{http.MethodPost, "/api/jobs", signedIn, jobWriters, std, s.startJob},
		{http.MethodGet, "/api/jobs", signedIn, graphRoles, std, s.listJobs},
		{http.MethodGet, "/api/jobs/compare", signedIn, graphRoles, std, s.compareJobs},
		{http.MethodGet, "/api/jobs/:id", signedIn, graphRoles, std, s.getJob},
		{http.MethodPost, "/api/jobs/:id/cancel", signedIn, jobWriters, std, s.cancelJob},
		{http.MethodGet, "/api/config/params", signedIn, graphRoles, std, s.defaultParams},

		{http.MethodGet, "/api/rings", signedIn, graphRoles, std, s.listRings},
		{http.MethodGet, "/api/rings/:id", signedIn, graphRoles, std, s.getRing},
		{http.MethodGet, "/api/rings/:id/subgraph", signedIn, graphRoles, std, s.ringSubgraph},
		{http.MethodGet, "/api/rings/:id/timeline", signedIn, graphRoles, std, s.ringTimeline},

		{http.MethodPost, "/api/cases", signedIn, graphRoles, std, s.createCase},
		{http.MethodGet, "/api/cases", signedIn, caseReader, std, s.listCases},
		{http.MethodGet, "/api/cases/:id", signedIn, caseReader, std, s.getCase},
		{http.MethodPost, "/api/cases/:id/transition", signedIn, caseWriter, std, s.transitionCase},
		{http.MethodPost, "/api/cases/:id/notes", signedIn, caseWriter, std, s.noteCase},
		{http.MethodPost, "/api/cases/:id/views", signedIn, caseWriter, std, s.saveCaseView},
		{http.MethodPost, "/api/cases/:id/assign", signedIn, onlySuper, std, s.assignCase},
		{http.MethodPost, "/api/cases/:id/attachments", signedIn, caseWriter, std, s.attachCase},
		{http.MethodPost, "/api/cases/:id/extension", signedIn, caseWriter, std, s.extendCase},
		{http.MethodPost, "/api/cases/:id/export", signedIn, exporters, std, s.exportCase},
		{http.MethodPost, "/api/cases/:id/confirm-amount", signedIn, onlySuper, std, s.confirmAmount},
		{http.MethodPost, "/api/cases/:id/application", signedIn, caseWriter, std, s.setApplicationReceived},
		{http.MethodPost, "/api/cases/:id/handovers", signedIn, onlySuper, std, s.handoverCase},
		{http.MethodPost, "/api/cases/:id/handovers/:seq/feedback", signedIn, caseWriter, std, s.handoverFeedback},
		{http.MethodPost, "/api/cases/:id/statement", signedIn, caseWriter, std, s.statementCase},
		{http.MethodPost, "/api/cases/:id/appeals", signedIn, caseWriter, std, s.appealCase},
		{http.MethodPost, "/api/cases/:id/recoveries", signedIn, onlySuper, std, s.recoveryCase},
		{http.MethodPost, "/api/inspections/plan", signedIn, onlySuper, std, s.planInspection},
		{http.MethodGet, "/api/statistics/monthly", signedIn, onlySuper, std, s.monthlyStatistics},
		{http.MethodPost, "/api/billing/audit", signedIn, jobWriters, std, s.billingAudit},
		{http.MethodGet, "/api/fund/warnings", signedIn, jobWriters, std, s.fundWarnings},
		{http.MethodPost, "/api/claims/screen", signedIn, jobWriters, std, s.screenClaims},
		{http.MethodPost, "/api/recusals", signedIn, caseWriter, std, s.recuse},
		{http.MethodGet, "/api/recusals", signedIn, caseWriter, std, s.listRecusals},

		{http.MethodGet, "/api/audit", signedIn, onlySuper, std, s.queryAudit},
		{http.MethodGet, "/api/audit/verify", signedIn, onlySuper, std, s.verifyAudit},

		{http.MethodGet, "/api/users", signedIn, onlyAdmin, std, s.listUsers},
		{http.MethodPost, "/api/users", signedIn, onlyAdmin, std, s.createUser},
		{http.MethodPut, "/api/users/:username", signedIn, onlyAdmin, std, s.updateUser},
		{http.MethodGet, "/api/admin/setup-checks", signedIn, onlyAdmin, std, s.setupChecks},

		// Whistle-blowers file and follow reports without an account.
		{http.MethodPost, "/api/reports", anonymous, nil, report, s.submitReport},
		{http.MethodGet, "/api/reports/status", anonymous, nil, small, s.reportStatus},
		{http.MethodPost, "/api/reports/claim", anonymous, nil, small, s.claimReward},
		{http.MethodGet, "/api/reports", signedIn, intakeDesk, std, s.listReports},
		{http.MethodGet, "/api/reports/:id", signedIn, intakeDesk, std, s.getReport},
		{http.MethodGet, "/api/reports/:id/identity", signedIn, intakeDesk, std, s.reportIdentity},
		{http.MethodGet, "/api/reports/:id/attachments/:n", signedIn, intakeDesk, std, s.reportAttachment},
		{http.MethodPost, "/api/reports/:id/triage", signedIn, intakeDesk, std, s.triageReport},
		{http.MethodPost, "/api/reports/:id/reject", signedIn, intakeDesk, std, s.rejectReport},

		{http.MethodGet, "/api/blacklist", signedIn, graphRoles, std, s.listBlacklist},
		{http.MethodPost, "/api/blacklist", signedIn, onlySuper, std, s.addBlacklist},
		{http.MethodDelete, "/api/blacklist/:id", signedIn, onlySuper, std, s.removeBlacklist},

		// Unknown /api paths are JSON 404s, not the UI's index.html.
		{anyMethod, "/api/*", probe, nil, 0, s.noSuchRoute},
	}
	if s.cfg.UI != nil {
		t = append(t, route{http.MethodGet, "/*", probe, nil, 0, s.serveUI})
	}
	return t
}

// graphReads are the routes limited per user by Config.ReadsPerMinute.
var graphReads = map[string]bool{"/api/search": true, "/api/entities/:type/:id": true, "/api/entities/:type/:id/neighbourhood": true,
	"/api/entities/:type/:id/claims": true, "/api/entities/:type/:id/timeline": true, "/api/paths": true, "/api/paths/temporal": true, "/api/rings/:id/subgraph": true,
	"/api/rings/:id/timeline": true}

// limitReads takes one read from the user's bucket or answers 429; refusals are audited as a
// count, at most one record a minute per user, so a refused flood does not flood the trail.
func (s *Server) limitReads(c echo.Context, user string) error {
	ok, wait := s.reads.Allow(user)
	if ok {
		s.reads.Take(user)
		return nil
	}
	if n := s.refusals.Note("read " + user); n > 0 {
		rec := audit.Record{Actor: user, Action: "read_refused", Remote: c.RealIP(), RequestID: requestID(c), Detail: fmt.Sprintf("%d refused", n)}
		if err := s.svc.Audit.Append(c.Request().Context(), rec); err != nil {
			return err
		}
	}
	retryAfter(c, wait)
	return userErr(graph.ETOOMANY, "查询过于频繁，请稍后再试", "too many reads; retry later")
}

// mustChangeAllowed are the routes a user with a one-time password may call.
var mustChangeAllowed = map[string]bool{"/api/auth/me": true, "/api/auth/password": true, "/api/auth/logout": true}

// handle wraps a route's handler with what its access requires: for signed-in routes,
// authentication and the role check.
func (s *Server) handle(rt route) echo.HandlerFunc {
	if rt.access != signedIn {
		return func(c echo.Context) error { return rt.h(&request{Context: c}) }
	}
	return func(c echo.Context) error {
		token := bearer(c.Request())
		u, err := s.svc.Accounts.Authenticate(token)
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
		if graphReads[rt.path] {
			if err := s.limitReads(c, u.Username); err != nil {
				return err
			}
		}
		return rt.h(&request{Context: c, user: &u, actor: accounts.Actor{Username: u.Username, Role: u.Role, Remote: c.RealIP(), RequestID: requestID(c)}, token: token})
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// uncompressed are the routes whose bodies are already compressed (a zip, evidence files: gzip
// would spend CPU for nothing) or that negotiate compression themselves (the Prometheus handler).
var uncompressed = map[string]bool{"/api/cases/:id/export": true, "/api/reports/:id/attachments/:n": true, "/metrics": true}

// compressResponses gzips bodies of 1 KiB and more for clients that accept it, at the fastest
// level: graph pictures are JSON that repeats ids and keys, and shrink about sixfold (a 42-member
// ring: 30.7 KB → 5.0 KB) for ~0.1 ms of CPU, which matters more on an investigator's link than
// on the server (docs/bench/api.md).
func compressResponses() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     gzip.BestSpeed,
		MinLength: 1024,
		Skipper:   func(c echo.Context) bool { return uncompressed[c.Path()] },
	})
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
	e.Use(s.accessLog, s.recoverPanics, s.securityHeaders, compressResponses())
	s.routes = s.table()
	for _, rt := range s.routes {
		var guard []echo.MiddlewareFunc
		if rt.access != probe {
			guard = []echo.MiddlewareFunc{s.shed, limitBody(rt.maxBody)}
		}
		if rt.method == anyMethod {
			e.Any(rt.path, s.handle(rt), guard...)
		} else {
			e.Add(rt.method, rt.path, s.handle(rt), guard...)
		}
	}
	return e
}
