package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/api"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/casework"
	"github.com/ringtrace/ringtrace/api/intake"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/lineaudit"
	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/frontend"
	"github.com/ringtrace/ringtrace/graph"
)

func init() {
	register(&command{
		use:     "serve",
		summary: "serve the investigation API and web UI (调查工作台服务)",
		long: `启动调查工作台：HTTP API 与网页界面，直到收到 SIGINT/SIGTERM 后平稳退出。首次启动时创建管理员（未设置
RINGTRACE_ADMIN_PASSWORD 时打印一次性密码）。部署前可先运行 ringtrace doctor 检查环境。

Serves the investigation API and the web workbench until SIGINT/SIGTERM, then shuts down
gracefully. The first start creates the admin user (a one-time password is printed unless
RINGTRACE_ADMIN_PASSWORD is set). Users, cases, jobs, findings and the audit trail live in
--state-dir; working-day deadlines need the holiday calendar (--holidays). Run ringtrace doctor
with the same flags first to check the set-up.`,
		example: `  # 嵌入式存储，本机访问 / embedded store, loopback only
  ringtrace serve --db demo/graph --listen 127.0.0.1:8080 --holidays holidays-cn.json

  # 连接 Neo4j，签名密钥用于移送材料 / against Neo4j, with the referral signing key
  RINGTRACE_NEO4J_PASSWORD=… ringtrace serve --store neo4j --neo4j-uri bolt://127.0.0.1:7687 \
      --state-dir /var/lib/ringtrace --signing-key /etc/ringtrace/signing.key`,
		flags: serveFlags,
		run:   runServe,
	})
}

// serveFlags are the flags of `ringtrace serve`.
func serveFlags(fs *pflag.FlagSet) {
	addStoreFlags(fs)
	fs.String("listen", "127.0.0.1:8080", "address to listen on")
	fs.String("state-dir", "", "directory of the service's own database (users, cases, jobs, findings, audit); default: state/ beside --db, or ringtrace-data/state for neo4j")
	fs.String("admin-password", "", "password of the first admin user, used only when no user exists yet (prefer RINGTRACE_ADMIN_PASSWORD); empty prints a one-time password")
	fs.Duration("session-ttl", 8*time.Hour, "session lifetime")
	fs.String("holidays", "", "holiday calendar JSON for working-day deadlines: {\"holidays\":[dates],\"workdays\":[make-up dates]}")
	fs.Int("max-inflight", 256, "requests served at once; more wait --queue-wait and are then refused with 503")
	fs.Duration("queue-wait", 200*time.Millisecond, "how long a request waits for a free slot")
	fs.Duration("request-timeout", 10*time.Second, "per-request time limit (queries are cancelled after it)")
	fs.Int64("max-body", 1<<20, "maximum request body in bytes")
	fs.Int("login-per-minute", 5, "failed logins per minute per client address (after a burst of 10)")
	fs.Duration("shutdown-timeout", 30*time.Second, "how long running requests may finish at shutdown")
	fs.String("log-format", "text", "log format: text or json")
	fs.Bool("no-ui", false, "do not serve the web UI")
	fs.String("signing-key", "", "private key (Ed25519 or 国密 SM2) that signs police referral packages (ringtrace export keygen); without it exports are refused")
	fs.String("intake-secret", "", "secret that seals whistle-blower identities (prefer RINGTRACE_INTAKE_SECRET); empty: a key kept in the state directory, with a warning")
	fs.String("reward-config", "", "whistle-blower reward table, JSON (docs/referral.md); default: Yunnan art. 18")
	fs.String("rules", "", "directory of the billing-line audit's rule tables (catalogue.csv, pairs.csv; docs/billing-rules.md); without it the audit is unavailable")
	fs.Bool("behind-proxy", false, "trust X-Forwarded-For from a reverse proxy on a loopback/private address for the client address")
	addServeSecurityFlags(fs)
}

// runServe runs the server until SIGINT/SIGTERM and then shuts down gracefully.
func runServe(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	sc, err := storeConfig(v)
	if err != nil {
		return &exitError{2, err}
	}
	stateDir := stateDir(v, sc.Kind)
	cal, err := cases.LoadWorkingDays(v.GetString("holidays"))
	if err != nil {
		return &exitError{2, fmt.Errorf("holidays: %w", err)}
	}
	log := env.Logger
	if strings.EqualFold(v.GetString("log-format"), "json") {
		log = slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if v.GetString("holidays") == "" {
		log.Warn("no holiday calendar given (--holidays): deadlines count weekends only")
	} else if ys := cal.Years(); len(ys) > 0 && ys[len(ys)-1] < time.Now().Year() {
		log.Warn("holiday calendar ends before this year; update --holidays", "last_year", ys[len(ys)-1])
	}

	cfg := api.Config{
		MaxInflight: v.GetInt("max-inflight"), QueueWait: v.GetDuration("queue-wait"),
		RequestTimeout: v.GetDuration("request-timeout"), MaxBodyBytes: v.GetInt64("max-body"), LoginPerMinute: v.GetInt("login-per-minute"),
		BehindProxy: v.GetBool("behind-proxy"), Logger: log,
	}
	if err := applyServeSecurity(v, &cfg); err != nil {
		return err
	}
	if cfg.Referral, err = referralConfig(v.GetString("signing-key")); err != nil {
		return &exitError{2, err}
	}
	rule, err := rewardRule(v.GetString("reward-config"))
	if err != nil {
		return &exitError{2, err}
	}
	if dir := v.GetString("rules"); dir != "" {
		if cfg.BillingRules, err = lineaudit.Load(dir); err != nil {
			return &exitError{2, fmt.Errorf("rules: %w", err)}
		}
		log.Info("billing rule tables loaded", "dir", dir, "version", cfg.BillingRules.Version())
	}
	if !v.GetBool("no-ui") {
		cfg.UI = frontend.FS()
	}

	store, err := openStoreWaiting(ctx, sc, log)
	if err != nil {
		return &exitError{1, err}
	}
	defer store.Close()
	svc, err := casework.Open(casework.Config{
		StateDir: stateDir, Source: store, StoreKind: sc.Kind, Detection: jobs.AlgorithmsWithRules(cfg.BillingRules.Rules()), Calendar: cal,
		AdminPassword: v.GetString("admin-password"), AdminPasswordOut: env.Stderr, SessionTTL: v.GetDuration("session-ttl"),
		IntakeSecret: v.GetString("intake-secret"), RewardRule: rule, Logger: log,
		AcceptBrokenAudit: v.GetBool("accept-broken-audit"), AuditSegmentBytes: v.GetInt64("audit-segment-bytes"),
	})
	if err != nil {
		return &exitError{1, err}
	}
	cfg.Store, cfg.Services = store, svc
	cfg.SetupChecks = liveSetupChecks(v, sc, store, stateDir)
	srv, err := api.New(cfg)
	if err != nil {
		svc.Close()
		return &exitError{1, err}
	}
	if err := srv.Start(v.GetString("listen")); err != nil {
		_ = srv.Shutdown(context.Background())
		return &exitError{1, err}
	}
	fmt.Fprintf(env.Stderr, "ringtrace: serving on http://%s (state %s, store %s)\n", srv.Addr(), stateDir, sc.Kind)
	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case serveErr = <-srv.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), durationOr(v, "shutdown-timeout", 30*time.Second))
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return &exitError{1, err}
	}
	if serveErr != nil {
		return &exitError{1, serveErr}
	}
	return nil
}

// openStoreWaiting opens the graph store, waiting for a Neo4j server that is not up yet (as
// after a joint restart) instead of failing: the service must come up when its database does.
func openStoreWaiting(ctx context.Context, sc StoreConfig, log *slog.Logger) (graph.Store, error) {
	wait := time.Second
	for {
		st, err := openStore(ctx, sc)
		if err == nil || graph.ErrorCode(err) != graph.EUNAVAILABLE || sc.Kind != "neo4j" {
			return st, err
		}
		log.Warn("graph store unavailable; retrying", "store", sc.Kind, "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the graph store: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// referralConfig reads the serve flags of referral export: the signing key.
func referralConfig(keyPath string) (api.ReferralConfig, error) {
	rc := api.ReferralConfig{Software: "ringtrace " + Version}
	if keyPath != "" {
		key, err := referral.LoadPrivateKey(keyPath)
		if err != nil {
			return rc, fmt.Errorf("--signing-key: %w", err)
		}
		rc.SigningKey = key
	}
	return rc, nil
}

// rewardRule reads --reward-config, the whistle-blower reward table; nil takes the default.
func rewardRule(path string) (*intake.RewardRule, error) {
	if path == "" {
		return nil, nil
	}
	rule, err := intake.LoadRewardRule(path)
	if err != nil {
		return nil, fmt.Errorf("--reward-config: %w", err)
	}
	return &rule, nil
}
