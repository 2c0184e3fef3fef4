package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ringtrace/ringtrace/graph"
	"golang.org/x/crypto/bcrypt"
)

// Config configures a Server. Zero values take the defaults documented per field.
type Config struct {
	Store     GraphStore // required
	StoreKind string     // "embedded" or "neo4j", recorded in job snapshots
	StateDir  string     // required: where state.db lives
	Detection Detection  // required for jobs
	UI        fs.FS      // the web UI (frontend.FS()); nil serves no UI
	Calendar  *WorkingDays

	// AdminPassword is the password of the "admin" user created on first start. When empty a
	// random one is generated and written once to AdminPasswordOut.
	AdminPassword    string
	AdminPasswordOut io.Writer

	SessionTTL     time.Duration // default 8h
	MaxInflight    int           // concurrent requests; default 256
	QueueWait      time.Duration // how long a request waits for a slot before 503; default 200ms
	RequestTimeout time.Duration // default 10s
	MaxBodyBytes   int64         // default 1 MiB
	LoginPerMinute int           // failed logins refilled per minute per address; default 5
	LoginBurst     int           // failed logins allowed at once; default 10
	BcryptCost     int           // default bcrypt.DefaultCost
	// BehindProxy takes the client address from X-Forwarded-For set by a reverse proxy on a
	// private or loopback address. Off, the peer address is used and the header is ignored, so
	// a client cannot pick its own address to dodge the login limit or falsify the audit trail.
	BehindProxy bool
	// Referral configures police referral export, whistle-blower intake and the blacklist
	// (issue6_service.go): signing key, intake secret, reward table.
	Referral ReferralConfig
	Logger   *slog.Logger
	Now      func() time.Time // for tests; default time.Now
}

func (c *Config) defaults() error {
	if c.Store == nil {
		return errors.New("api: Config.Store is required")
	}
	if c.StateDir == "" {
		return errors.New("api: Config.StateDir is required")
	}
	if c.Detection.Detect == nil || c.Detection.Defaults == nil || c.Detection.Normalize == nil {
		return errors.New("api: Config.Detection needs Detect, Defaults and Normalize")
	}
	if c.Calendar == nil {
		c.Calendar = &WorkingDays{}
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 8 * time.Hour
	}
	if c.MaxInflight <= 0 {
		c.MaxInflight = 256
	}
	if c.QueueWait <= 0 {
		c.QueueWait = 200 * time.Millisecond
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 10 * time.Second
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.LoginPerMinute <= 0 {
		c.LoginPerMinute = 5
	}
	if c.LoginBurst <= 0 {
		c.LoginBurst = 10
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = bcrypt.DefaultCost
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AdminPasswordOut == nil {
		c.AdminPasswordOut = io.Discard
	}
	if c.StoreKind == "" {
		c.StoreKind = "unknown"
	}
	return nil
}

// Server is the investigation service: New builds it, Start listens, Shutdown stops it.
type Server struct {
	cfg      Config
	log      *slog.Logger
	e        *echo.Echo
	http     *http.Server
	state    *State
	audit    *AuditLog
	accounts *Accounts
	cases    *Cases
	jobs     *Jobs
	referral *referralService
	masker   *Masker
	logins   *loginLimiter
	metrics  *metrics
	slots    chan struct{}
	routes   []route
	closing  atomic.Bool
	ln       net.Listener
	serveErr chan error
	stopBg   context.CancelFunc
}

// New opens the state database, creates the first admin when there are no users, and builds
// the router. The caller owns cfg.Store and closes it after Shutdown.
func New(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	st, err := OpenState(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, state: st, slots: make(chan struct{}, cfg.MaxInflight), serveErr: make(chan error, 1)}
	fail := func(err error) (*Server, error) {
		if s.audit != nil {
			s.audit.Close()
		}
		if s.jobs != nil {
			s.jobs.Close()
		}
		if s.referral != nil {
			s.referral.Close()
		}
		st.Close()
		return nil, err
	}
	key, err := st.secret("pseudonym_key")
	if err != nil {
		return fail(err)
	}
	if s.masker, err = NewMasker(key); err != nil {
		return fail(err)
	}
	if s.accounts, err = newAccounts(st, cfg.BcryptCost, cfg.SessionTTL, cfg.Now); err != nil {
		return fail(err)
	}
	pw, created, err := s.accounts.EnsureAdmin(cfg.AdminPassword)
	if err != nil {
		return fail(err)
	}
	if pw != "" {
		// Printed once, to the operator's terminal, never to the log.
		fmt.Fprintf(cfg.AdminPasswordOut, "ringtrace: created user admin with one-time password %s — change it at first login\n", pw)
	}
	if created {
		s.log.Info("created first admin user", "username", "admin", "generated_password", pw != "")
	}
	if s.cases, err = newCases(st, cfg.Calendar, cfg.Now); err != nil {
		return fail(err)
	}
	if s.referral, err = s.openReferral(cfg.Referral); err != nil {
		return fail(err)
	}
	// New detection runs mark blacklisted parties in their findings (blacklist.Annotate).
	det := cfg.Detection
	det.Detect = s.referral.annotateDetector(det.Detect, cfg.Now)
	if s.jobs, err = newJobs(st, cfg.Store, cfg.StoreKind, det, s.log, cfg.Now); err != nil {
		return fail(err)
	}
	s.audit = newAuditLog(st, cfg.Now)
	s.logins = newLoginLimiter(cfg.LoginPerMinute, cfg.LoginBurst, cfg.Now)
	s.metrics = newMetrics(s)
	s.e = s.router()
	s.http = &http.Server{
		Handler:           s.e,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	bg, stop := context.WithCancel(context.Background())
	s.stopBg = stop
	go s.housekeeping(bg)
	return s, nil
}

func (s *Server) housekeeping(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.accounts.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("purge sessions", "err", err)
			}
		}
	}
}

// Handler returns the HTTP handler (for tests with httptest).
func (s *Server) Handler() http.Handler { return s.e }

// Start listens on addr (":0" picks a port) and serves in the background.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	s.ln = ln
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	s.log.Info("serving", "addr", ln.Addr().String())
	return nil
}

// Addr returns the listening address after Start.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Done reports a fatal serve error (or nil after Shutdown).
func (s *Server) Done() <-chan error { return s.serveErr }

// Shutdown stops accepting requests, lets running requests finish until ctx ends (then cuts
// them, which fails them cleanly with 503 as their contexts end), cancels running jobs, flushes
// the audit trail and closes the state database. It does not close the graph store.
func (s *Server) Shutdown(ctx context.Context) error {
	if !s.closing.CompareAndSwap(false, true) {
		return nil
	}
	var errs []error
	if s.ln != nil {
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
			_ = s.http.Close()
		}
	}
	s.stopBg()
	s.jobs.Close()
	if err := s.referral.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close intake and blacklist: %w", err))
	}
	s.audit.Close()
	if err := s.state.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close state: %w", err))
	}
	return errors.Join(errs...)
}

// Accounts gives cmd/ringtrace access to user management (ringtrace users …).
func (s *Server) Accounts() *Accounts { return s.accounts }

// ---- middleware ----

type ctxKey int

const (
	keyUser ctxKey = iota
)

// errBusy is the answer of a shed request. It is counted in metrics, not logged one by one:
// under overload a log line per refusal would add to the overload.
var errBusy = userErr(graph.EUNAVAILABLE, "服务繁忙，请稍后重试", "server busy; retry shortly")

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func requestID(c echo.Context) string {
	if v, ok := c.Get("request_id").(string); ok {
		return v
	}
	return ""
}

// withRequestID takes a sane X-Request-Id from the caller or makes one, and echoes it back.
func withRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !requestIDRE.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set("request_id", id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// recoverPanics turns a handler panic into a logged 500 instead of a dead connection.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "request_id", requestID(c), "route", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// accessLog logs one line per request. Only the route pattern is logged, never the URL: paths
// and query strings carry patient ids and names.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		route := c.Path()
		d := time.Since(start)
		s.metrics.observe(c.Request().Method, route, status, d)
		user := ""
		if u, ok := c.Get("user").(*User); ok {
			user = u.Username
		}
		lvl := slog.LevelInfo
		if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			lvl = slog.LevelDebug
		}
		s.log.Log(c.Request().Context(), lvl, "request", "request_id", requestID(c), "method", c.Request().Method, "route", route,
			"status", status, "ms", float64(d.Microseconds())/1000, "user", user)
		return nil
	}
}

// shed bounds concurrency: a request waits at most QueueWait for one of MaxInflight slots and
// is otherwise answered 503 with Retry-After, so overload degrades into fast refusals rather than
// into timeouts for everyone. Health and metrics skip it so that probes see the truth.
func (s *Server) shed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.closing.Load() {
			c.Response().Header().Set("Connection", "close")
			return userErr(graph.EUNAVAILABLE, "服务正在关闭", "the server is shutting down")
		}
		select {
		case s.slots <- struct{}{}:
		default:
			t := time.NewTimer(s.cfg.QueueWait)
			select {
			case s.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				s.metrics.shed.Inc()
				c.Response().Header().Set("Retry-After", "1")
				return errBusy
			case <-c.Request().Context().Done():
				t.Stop()
				return c.Request().Context().Err()
			}
		}
		defer func() { <-s.slots }()
		s.metrics.inflight.Inc()
		defer s.metrics.inflight.Dec()
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// bodyLimit refuses bodies above MaxBodyBytes.
func (s *Server) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > s.cfg.MaxBodyBytes {
			return fieldErr("body", "请求体过大", "request body too large")
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxBodyBytes)
		return next(c)
	}
}

// securityHeaders sets headers every response of a health-data service should carry.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if len(c.Request().URL.Path) >= 5 && c.Request().URL.Path[:5] == "/api/" {
			// Personal data must not linger in shared caches or the browser's disk cache.
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

func retryAfter(c echo.Context, d time.Duration) {
	sec := int(d.Seconds() + 0.999)
	if sec < 1 {
		sec = 1
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(sec))
}
