package api

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/casework"
	"github.com/ringtrace/ringtrace/api/lineaudit"
	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/api/throttle"
	"github.com/ringtrace/ringtrace/graph"
)

// GraphStore is what the service reads from the claims graph. Both graph/embedded and
// graph/neo4j satisfy it; the service never writes the graph.
type GraphStore interface {
	Node(ctx context.Context, ref graph.Ref) (graph.Node, error)
	Search(ctx context.Context, prefix string, types []graph.EntityType, limit int) ([]graph.Node, error)
	Neighbourhood(ctx context.Context, start graph.Ref, q graph.NeighbourhoodQuery) (graph.Subgraph, error)
	ShortestPath(ctx context.Context, a, b graph.Ref, maxDepth int) (graph.Subgraph, error)
	Claims(ctx context.Context, q graph.ClaimQuery) ([]graph.Claim, int, error)
	Counts(ctx context.Context) (graph.Counts, error)
	Ping(ctx context.Context) error
	graph.Scanner
}

// Config configures a Server. Zero values take the defaults documented per field.
type Config struct {
	// Services are the core services (casework.Open); required. The server owns them from New
	// on: Shutdown closes them.
	Services *casework.Services
	Store    GraphStore // required
	UI       fs.FS      // the web UI (frontend.FS()); nil serves no UI

	MaxInflight    int           // concurrent requests; default 256
	QueueWait      time.Duration // how long a request waits for a slot before 503; default 200ms
	RequestTimeout time.Duration // default 10s
	MaxBodyBytes   int64         // default 1 MiB
	LoginPerMinute int           // failed logins refilled per minute per address; default 5
	LoginBurst     int           // failed logins allowed at once; default 10
	// ReadsPerMinute and ReadBurst limit each user's graph reads (search, entities,
	// neighbourhoods, claims, paths, ring subgraphs); over the limit: 429 with Retry-After, the
	// refusals audited as a count. Defaults 600 a minute after a burst of 120.
	ReadsPerMinute int
	ReadBurst      int
	// RingPictureCache is how many aggregated ring pictures are kept (default 512; negative: none).
	RingPictureCache int
	// DiskWarnFreeBytes: below this much free space on the state directory's file system,
	// ringtrace_state_disk_low is 1, /readyz says so and a warning is logged; default 1 GiB.
	DiskWarnFreeBytes int64
	// BehindProxy takes the client address from X-Forwarded-For set by a reverse proxy on a
	// private or loopback address. Off, the peer address is used and the header is ignored, so
	// a client cannot pick its own address to dodge the login limit or falsify the audit trail.
	BehindProxy bool
	// TLS, when set, makes Start serve HTTPS only (TLS 1.3 at least) and every response carry
	// Strict-Transport-Security. Load it with LoadTLS.
	TLS *tls.Config
	// Referral configures police referral export and the public whistle-blower routes.
	Referral ReferralConfig
	// BillingRules are the billing-line audit's rule tables (--rules DIR); nil: the audit route
	// answers 503.
	BillingRules *lineaudit.Auditor
	Logger       *slog.Logger
	Now          func() time.Time // for tests; default time.Now

	// SetupChecks are the deployment checks of `ringtrace doctor` that need the configuration
	// (calendar, signing key, state directory, Neo4j version and schema); GET
	// /api/admin/setup-checks adds the store and audit-chain checks of the running server. Nil:
	// those two only.
	SetupChecks func(ctx context.Context) []SetupCheck
}

// ReferralConfig configures police referral exports (移送公安证据包) and the public side of
// whistle-blower intake (举报). Zero values take the defaults documented per field.
type ReferralConfig struct {
	// SigningKey signs the manifest of every referral package (Ed25519, or SM2/SM3 for 国密).
	// Zero: exports are refused with EUNAVAILABLE, because an unsigned package cannot prove it
	// was not altered.
	SigningKey referral.PrivateKey
	// Software is written into every manifest, e.g. "ringtrace 0.1.0".
	Software string
	// MaxReportBytes bounds the body of POST /api/reports (attachments included); default 32 MiB.
	MaxReportBytes int64
	// ReportsPerMinute bounds public submissions and failed receipt look-ups per client address
	// (after a burst of 10); default 5.
	ReportsPerMinute int
}

func (c *Config) defaults() error {
	if c.Services == nil {
		return errors.New("api: Config.Services is required")
	}
	if c.Store == nil {
		return errors.New("api: Config.Store is required")
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
	if c.ReadsPerMinute <= 0 {
		c.ReadsPerMinute = 600
	}
	if c.ReadBurst <= 0 {
		c.ReadBurst = 120
	}
	if c.RingPictureCache == 0 {
		c.RingPictureCache = 512
	}
	if c.DiskWarnFreeBytes <= 0 {
		c.DiskWarnFreeBytes = 1 << 30
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Referral.Software == "" {
		c.Referral.Software = "ringtrace"
	}
	if c.Referral.MaxReportBytes <= 0 {
		c.Referral.MaxReportBytes = 32 << 20
	}
	if c.Referral.ReportsPerMinute <= 0 {
		c.Referral.ReportsPerMinute = 5
	}
	return nil
}

// Server is the investigation service: New builds it, Start listens, Shutdown stops it.
type Server struct {
	cfg    Config
	svc    *casework.Services
	log    *slog.Logger
	e      *echo.Echo
	http   *http.Server
	logins *throttle.Limiter
	// passwords limits wrong old passwords on a password change per user, as logins are limited
	// per address: a stolen session must not become a password-guessing oracle.
	passwords *throttle.Limiter
	// refusals summarises refused (429) attempts in the audit trail, at most once a minute per key.
	refusals *throttle.Refusals
	// submissions limits public report submissions per address; every submission takes a token.
	submissions *throttle.Limiter
	// lookups limits failed receipt-code look-ups per address, as logins are limited: a receipt
	// code has 80 random bits, and the limit keeps guessing from costing the server anything.
	lookups *throttle.Limiter
	// reads limits graph reads per user: a script must not read the graph wholesale nor flood
	// the audit trail.
	reads    *throttle.Limiter
	pictures *pictureCache
	metrics  *metrics
	slots    chan struct{}
	routes   []route
	closing  atomic.Bool
	ln       net.Listener
	serveErr chan error
	stopBg   context.CancelFunc
}

// New builds the router over cfg.Services. The caller owns cfg.Store and closes it after
// Shutdown; when New fails, the caller still owns cfg.Services.
func New(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, svc: cfg.Services, log: cfg.Logger, slots: make(chan struct{}, cfg.MaxInflight), serveErr: make(chan error, 1),
		logins:      throttle.New(cfg.LoginPerMinute, cfg.LoginBurst, cfg.Now),
		passwords:   throttle.New(cfg.LoginPerMinute, cfg.LoginBurst, cfg.Now),
		refusals:    throttle.NewRefusals(time.Minute, cfg.Now),
		submissions: throttle.New(cfg.Referral.ReportsPerMinute, 10, cfg.Now),
		lookups:     throttle.New(cfg.Referral.ReportsPerMinute, 10, cfg.Now),
		reads:       throttle.New(cfg.ReadsPerMinute, cfg.ReadBurst, cfg.Now),
		pictures:    newPictureCache(cfg.RingPictureCache, ringPictureTTL, cfg.Now)}
	s.metrics = newMetrics(s.svc.Jobs.Active)
	s.metrics.auditSeries(s.svc.Audit, s.svc.State.Dir(), cfg.DiskWarnFreeBytes)
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
	// The head of the audit chain is exported every minute, and the disk checked.
	h := time.NewTicker(time.Minute)
	defer h.Stop()
	low := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.C:
			if err := s.svc.Audit.ExportHead(); err != nil {
				s.log.Warn("export audit head", "err", err)
			}
			if free, err := diskFree(s.svc.State.Dir()); err == nil {
				if now := free < s.cfg.DiskWarnFreeBytes; now && !low {
					s.log.Warn("little free disk space for the state directory (audit trail)", "free_bytes", free, "warn_below", s.cfg.DiskWarnFreeBytes)
					low = true
				} else if !now {
					low = false
				}
			}
		case <-t.C:
			if err := s.svc.Accounts.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
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
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	s.ln = ln
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	s.log.Info("serving", "addr", ln.Addr().String(), "tls", s.cfg.TLS != nil)
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
// them, which fails them cleanly with 503 as their contexts end), and then closes the services:
// running jobs are cancelled, the audit trail flushed and the state databases closed. It does not
// close the graph store.
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
	if err := s.svc.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// viewer returns what the actor may see of personal data.
func (s *Server) viewer(a accounts.Actor) *masking.Viewer {
	return masking.NewViewer(s.svc.Masker, s.svc.Cases.FullAccess(a))
}

// ---- middleware ----

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
		if u, ok := c.Get("user").(*accounts.User); ok {
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
// into timeouts for everyone. Probes (health, metrics) skip it so that they see the truth.
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

// limitBody refuses bodies above max bytes.
func limitBody(max int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > max {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, max)
			return next(c)
		}
	}
}

// LoadTLS reads a PEM certificate (chain) and key for direct HTTPS: TLS 1.3 only, as the
// server has no legacy clients to serve.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls certificate %s / key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert}}, nil
}

// securityHeaders sets headers every response of a health-data service should carry.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if s.cfg.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
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

// throttled answers 429 with Retry-After when lim refuses the caller's address.
func throttled(c echo.Context, lim *throttle.Limiter, zh, en string) error {
	if ok, wait := lim.Allow(c.RealIP()); !ok {
		retryAfter(c, wait)
		return userErr(graph.ETOOMANY, zh, en)
	}
	return nil
}
