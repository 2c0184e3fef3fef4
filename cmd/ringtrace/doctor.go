package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/api"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/lineaudit"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
	"github.com/ringtrace/ringtrace/graph/neo4j"
)

func init() {
	register(&command{
		use:     "doctor",
		summary: "check the set-up serve needs, one line per check with its fix (部署环境检查)",
		long: `检查 serve 运行所需的一切，每项一行，出错时给出修复办法：配置文件能否解析（指出未知的键）、嵌入式存储能否打开
或 Neo4j 能否连接（及其版本）、约束和索引是否就绪、节假日日历是否覆盖今年和明年、签名密钥是否可读、状态目录是否可写
及磁盘余量、审计链链头。所有必需项都通过时退出码为 0，否则为 1。参数与 serve 相同。

Checks what serve needs, one line per check with a clear fix when it fails: the configuration
parses (unknown keys named), the embedded store opens or Neo4j answers (with its version), the
constraints and indexes are in place, the holiday calendar covers this year and the next, the
signing key reads, the state directory is writable with disk headroom, the audit chain verifies
(its head printed). Exit 0 only when everything serve needs holds ([WARN] lines do not fail it),
1 otherwise. It takes serve's flags, so the same command line or config file can be checked.`,
		example: `  # 检查演示环境 / check the demo set-up
  ringtrace doctor --db demo-data/graph --holidays holidays-cn.json

  # 用与 serve 相同的配置文件检查 / check with serve's config file
  ringtrace doctor --config /etc/ringtrace/ringtrace.yaml`,
		flags: serveFlags,
		run:   runDoctor,
	})
}

// doctorCheck is one line of `ringtrace doctor`; the running server shows the same lines to the admin.
type doctorCheck = api.SetupCheck

const (
	checkOK   = api.CheckOK
	checkWarn = api.CheckWarn
	checkFail = api.CheckFail
)

func runDoctor(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	checks := doctorChecks(ctx, v, time.Now())
	printChecks(env.Stdout, checks)
	var failed []string
	for _, c := range checks {
		if c.Status == checkFail {
			failed = append(failed, c.Name)
		}
	}
	if len(failed) > 0 {
		return &exitError{1, fmt.Errorf("%d check(s) failed / 检查未通过: %s", len(failed), strings.Join(failed, ", "))}
	}
	fmt.Fprintln(env.Stdout, "serve 所需条件均已满足 / everything serve needs holds")
	return nil
}

func printChecks(w io.Writer, checks []doctorCheck) {
	for _, c := range checks {
		line := fmt.Sprintf("[%-4s] %s: %s", c.Status, c.Name, c.Detail)
		if c.Fix != "" && c.Status != checkOK {
			line += " — 修复 fix: " + c.Fix
		}
		fmt.Fprintln(w, line)
	}
}

// doctorChecks runs every check against the configuration v resolves; now decides which
// calendar years are needed.
func doctorChecks(ctx context.Context, v *viper.Viper, now time.Time) []doctorCheck {
	out := []doctorCheck{configCheck(v)}
	kind := "embedded"
	if sc, err := storeConfig(v); err != nil {
		out = append(out, doctorCheck{Name: "store", Status: checkFail, Detail: err.Error(), Fix: "give --store embedded with --db DIR, or --store neo4j with --neo4j-uri"})
	} else {
		kind = sc.Kind
		out = append(out, storeChecks(ctx, sc)...)
	}
	out = append(out, serveFileChecks(v, now)...)
	dir := stateDir(v, kind)
	out = append(out, stateDirCheck(dir, v.GetInt64("disk-warn-free")))
	out = append(out, auditCheck(dir, v.GetBool("accept-broken-audit")))
	return out
}

// liveSetupChecks are the checks serve hands the API (GET /api/admin/setup-checks): doctor's,
// except that the store and the state database are the server's own, open ones — the API adds
// whether the store answers and the audit chain holds.
func liveSetupChecks(v *viper.Viper, sc StoreConfig, store graph.Store, stateDir string) func(context.Context) []api.SetupCheck {
	return func(ctx context.Context) []api.SetupCheck {
		out := []doctorCheck{configCheck(v)}
		if ns, ok := store.(*neo4j.Store); ok {
			out = append(out, neo4jChecks(ctx, ns, sc)...)
		}
		out = append(out, serveFileChecks(v, time.Now())...)
		return append(out, stateDirCheck(stateDir, v.GetInt64("disk-warn-free")))
	}
}

// serveFileChecks checks the files serve reads at start: the holiday calendar, the signing key,
// and the rule tables, reward table and TLS pair when given.
func serveFileChecks(v *viper.Viper, now time.Time) []doctorCheck {
	var out []doctorCheck
	add := func(name, st, detail, fix string) {
		out = append(out, doctorCheck{Name: name, Status: st, Detail: detail, Fix: fix})
	}
	out = append(out, calendarCheck(v.GetString("holidays"), now))
	if key := v.GetString("signing-key"); key == "" {
		add("signing-key", checkWarn, "no --signing-key: police referral exports are refused / 未配置签名密钥，移送材料无法导出", "ringtrace export keygen --out FILE, then serve --signing-key FILE")
	} else if rc, err := referralConfig(key); err != nil {
		add("signing-key", checkFail, err.Error(), "point --signing-key at the key written by ringtrace export keygen, readable by the server's user")
	} else {
		add("signing-key", checkOK, fmt.Sprintf("%s reads as an %s private key, fingerprint %s", key, rc.SigningKey.Algorithm(), rc.SigningKey.Public().Fingerprint()), "")
	}
	for _, f := range []struct{ flag, fix string }{
		{"rules", "point --rules at the directory with catalogue.csv and pairs.csv (docs/billing-rules.md)"},
		{"reward-config", "fix the reward table JSON (docs/referral.md) or leave --reward-config out for the default"},
		{"tls-cert", "give --tls-cert and --tls-key as a matching PEM pair"},
	} {
		p := v.GetString(f.flag)
		if p == "" && f.flag != "tls-cert" {
			continue
		}
		var err error
		switch f.flag {
		case "rules":
			_, err = lineaudit.Load(p)
		case "reward-config":
			_, err = rewardRule(p)
		case "tls-cert":
			if p == "" && v.GetString("tls-key") == "" {
				continue
			}
			err = applyServeSecurity(v, &api.Config{})
		}
		if err != nil {
			add(f.flag, checkFail, err.Error(), f.fix)
		} else {
			add(f.flag, checkOK, p+" loads", "")
		}
	}
	return out
}

// configCheck names the keys of the config file that no command has a flag for (a misspelt key
// is otherwise silently ignored) and RINGTRACE_* variables that match no flag.
func configCheck(v *viper.Viper) doctorCheck {
	known := allFlagNames()
	var unknownEnv []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		key, ok := strings.CutPrefix(name, "RINGTRACE_")
		if !ok {
			continue
		}
		if !known[strings.ToLower(strings.ReplaceAll(key, "_", "-"))] {
			unknownEnv = append(unknownEnv, name)
		}
	}
	sort.Strings(unknownEnv)
	envNote := ""
	if len(unknownEnv) > 0 {
		envNote = "; environment variables matching no flag (ignored): " + strings.Join(unknownEnv, ", ")
	}
	file := v.GetString("config")
	if file == "" {
		d := doctorCheck{Name: "config", Status: checkOK, Detail: "no config file; flags, RINGTRACE_* variables and defaults" + envNote}
		if envNote != "" {
			d.Status, d.Fix = checkWarn, "unset or correct the variables named"
		}
		return d
	}
	fv := viper.New()
	fv.SetConfigFile(file)
	if err := fv.ReadInConfig(); err != nil {
		return doctorCheck{Name: "config", Status: checkFail, Detail: fmt.Sprintf("%s does not parse: %v", file, err), Fix: "correct the file's YAML, TOML or JSON syntax"}
	}
	var unknown []string
	for _, k := range fv.AllKeys() {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		return doctorCheck{Name: "config", Status: checkFail,
			Detail: fmt.Sprintf("%s: unknown keys (no such flag) / 未知的配置项: %s%s", file, strings.Join(unknown, ", "), envNote),
			Fix:    "rename each to a flag name (ringtrace serve --help lists them) or remove it"}
	}
	d := doctorCheck{Name: "config", Status: checkOK, Detail: fmt.Sprintf("%s parsed, %d keys, all known%s", file, len(fv.AllKeys()), envNote)}
	if envNote != "" {
		d.Status, d.Fix = checkWarn, "unset or correct the variables named"
	}
	return d
}

// allFlagNames are the flags of every command: a config file may be shared between them.
func allFlagNames() map[string]bool {
	root, _ := newRoot(&Env{Stdout: io.Discard, Stderr: io.Discard})
	names := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return names
}

// storeChecks opens the configured store as serve would, and checks Neo4j's version and schema.
func storeChecks(ctx context.Context, sc StoreConfig) []doctorCheck {
	if sc.Kind == "embedded" {
		if _, err := os.Stat(filepath.Join(sc.Dir, "CURRENT")); err != nil {
			return []doctorCheck{{Name: "store", Status: checkWarn,
				Detail: fmt.Sprintf("no embedded store in %s yet: serve starts on an empty graph / 尚无图数据", sc.Dir),
				Fix:    "load the claims first: ringtrace ingest --data DIR --db " + sc.Dir}}
		}
		st, err := embedded.Open(sc.Dir)
		if err != nil {
			return []doctorCheck{{Name: "store", Status: checkFail, Detail: fmt.Sprintf("embedded store %s does not open: %v", sc.Dir, err),
				Fix: "stop the process holding it (a running ringtrace serve or ingest), or restore the directory from a backup"}}
		}
		defer st.Close()
		c, err := st.Counts(ctx)
		if err != nil {
			return []doctorCheck{{Name: "store", Status: checkFail, Detail: fmt.Sprintf("embedded store %s opens but does not read: %v", sc.Dir, err), Fix: "restore the directory from a backup (ringtrace restore)"}}
		}
		var nodes int64
		for _, n := range c.Nodes {
			nodes += n
		}
		return []doctorCheck{{Name: "store", Status: checkOK, Detail: fmt.Sprintf("embedded store %s opens: %s nodes", sc.Dir, ingestDigits(nodes))}}
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	st, err := neo4j.Open(cctx, neo4j.Config{URI: sc.Neo4jURI, User: sc.Neo4jUser, Password: sc.Neo4jPassword, Database: sc.Neo4jDatabase, CAFile: sc.Neo4jCA})
	if err != nil {
		return []doctorCheck{{Name: "store", Status: checkFail, Detail: fmt.Sprintf("Neo4j at %s not reachable / 无法连接 Neo4j: %s", sc.Neo4jURI, ingestUserError(err)),
			Fix: "start the server (bash .ci/neo4j/start.sh, docs/neo4j.md), check --neo4j-uri, --neo4j-user and RINGTRACE_NEO4J_PASSWORD"}}
	}
	defer st.Close()
	return neo4jChecks(cctx, st, sc)
}

// neo4jChecks reports the server's version and whether the constraints and indexes are online.
func neo4jChecks(cctx context.Context, st *neo4j.Store, sc StoreConfig) []doctorCheck {
	var out []doctorCheck
	info, err := st.Server(cctx)
	switch {
	case err != nil:
		out = append(out, doctorCheck{Name: "store", Status: checkFail, Detail: fmt.Sprintf("Neo4j at %s answers but not dbms.components: %s", sc.Neo4jURI, ingestUserError(err)), Fix: "give a user allowed to call dbms.components (docs/neo4j.md)"})
	case !neo4jVersionOK(info.Version):
		out = append(out, doctorCheck{Name: "store", Status: checkFail, Detail: fmt.Sprintf("Neo4j %s %s at %s: RingTrace needs 5.x (tested with 5.26)", info.Version, info.Edition, sc.Neo4jURI), Fix: "upgrade the server to Neo4j 5.26"})
	default:
		out = append(out, doctorCheck{Name: "store", Status: checkOK, Detail: fmt.Sprintf("Neo4j %s %s at %s, database %s", info.Version, info.Edition, sc.Neo4jURI, sc.Neo4jDatabase)})
	}
	missing, err := st.MissingSchema(cctx)
	switch {
	case err != nil:
		out = append(out, doctorCheck{Name: "schema", Status: checkFail, Detail: "cannot list constraints and indexes: " + ingestUserError(err), Fix: "give a user allowed SHOW INDEXES and SHOW CONSTRAINTS"})
	case len(missing) > 0:
		out = append(out, doctorCheck{Name: "schema", Status: checkFail, Detail: "constraints/indexes missing or not online / 约束或索引缺失: " + strings.Join(missing, ", "), Fix: "give the user schema rights: ringtrace creates them on connecting (docs/neo4j.md)"})
	default:
		out = append(out, doctorCheck{Name: "schema", Status: checkOK, Detail: fmt.Sprintf("%d constraints and indexes online", len(neo4j.SchemaNames()))})
	}
	return out
}

func neo4jVersionOK(v string) bool {
	major, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(major)
	return err == nil && n == 5
}

// calendarCheck wants the holiday calendar to cover this year and the next (in China time):
// working-day deadlines run into the next year from autumn on.
func calendarCheck(path string, now time.Time) doctorCheck {
	y := now.In(cases.ChinaTime).Year()
	fix := "add the State Council holiday notice for the missing years to the calendar (format in docs/api.md) and pass it as --holidays"
	if path == "" {
		return doctorCheck{Name: "holidays", Status: checkFail, Detail: "no --holidays calendar: deadlines would count weekends only / 未配置节假日日历", Fix: fix}
	}
	cal, err := cases.LoadWorkingDays(path)
	if err != nil {
		return doctorCheck{Name: "holidays", Status: checkFail, Detail: err.Error(), Fix: "correct the calendar JSON: {\"holidays\":[dates],\"workdays\":[make-up dates]}"}
	}
	have := map[int]bool{}
	for _, yy := range cal.Years() {
		have[yy] = true
	}
	var missing []string
	for _, yy := range []int{y, y + 1} {
		if !have[yy] {
			missing = append(missing, strconv.Itoa(yy))
		}
	}
	if len(missing) > 0 {
		return doctorCheck{Name: "holidays", Status: checkFail, Detail: fmt.Sprintf("%s does not cover %s / 日历缺少年份 %s (covers %v)", path, strings.Join(missing, ", "), strings.Join(missing, ", "), cal.Years()), Fix: fix}
	}
	return doctorCheck{Name: "holidays", Status: checkOK, Detail: fmt.Sprintf("%s covers %d and %d", path, y, y+1)}
}

// stateDirCheck wants the state directory (or, before the first start, the directory it will be
// created in) writable, and reports the free space on its disk.
func stateDirCheck(dir string, warnFree int64) doctorCheck {
	probe := dir
	note := ""
	for {
		if fi, err := os.Stat(probe); err == nil {
			if !fi.IsDir() {
				return doctorCheck{Name: "state-dir", Status: checkFail, Detail: probe + " is not a directory", Fix: "give --state-dir a directory"}
			}
			break
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			break
		}
		probe, note = parent, " (not created yet; serve creates it in "+parent+")"
	}
	f, err := os.CreateTemp(probe, ".doctor-*")
	if err != nil {
		return doctorCheck{Name: "state-dir", Status: checkFail, Detail: fmt.Sprintf("%s is not writable / 状态目录不可写: %v", probe, err),
			Fix: "make " + probe + " writable by the server's user (chown/chmod, or a read-write mount), or give another --state-dir"}
	}
	f.Close()
	os.Remove(f.Name())
	var fs syscall.Statfs_t
	if err := syscall.Statfs(probe, &fs); err != nil {
		return doctorCheck{Name: "state-dir", Status: checkWarn, Detail: fmt.Sprintf("%s writable%s; free space unknown: %v", dir, note, err)}
	}
	free := int64(fs.Bavail) * int64(fs.Bsize)
	d := doctorCheck{Name: "state-dir", Status: checkOK, Detail: fmt.Sprintf("%s writable%s, %s free", dir, note, humanBytes(free))}
	if free < warnFree {
		d.Status = checkWarn
		d.Detail += fmt.Sprintf(", below --disk-warn-free %s / 磁盘空间不足", humanBytes(warnFree))
		d.Fix = "free space on the disk or move the state directory (ringtrace backup, then restore elsewhere)"
	}
	return d
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// auditCheck verifies the audit chain of a stopped server and prints its head.
func auditCheck(dir string, acceptBroken bool) doctorCheck {
	if _, err := os.Stat(filepath.Join(dir, state.File)); errors.Is(err, os.ErrNotExist) {
		return doctorCheck{Name: "audit", Status: checkOK, Detail: "no state database yet: the first serve starts the audit chain"}
	}
	res, err := audit.VerifyDir(dir)
	switch {
	case errors.Is(err, state.ErrLocked):
		return doctorCheck{Name: "audit", Status: checkWarn, Detail: "the state database is held by a running server; the chain is not checked here",
			Fix: "verify on the running server: GET /api/audit/verify (admin), or stop it and run ringtrace audit verify"}
	case errors.Is(err, audit.ErrBroken):
		st := api.CheckFail
		if acceptBroken {
			st = checkWarn
		}
		return doctorCheck{Name: "audit", Status: st, Detail: fmt.Sprintf("audit chain BROKEN at record %d: %s / 审计链被破坏", res.FirstBroken, res.Reason),
			Fix: "restore the state directory from the last good backup (ringtrace restore), or start with --accept-broken-audit (audited)"}
	case err != nil:
		return doctorCheck{Name: "audit", Status: checkFail, Detail: "audit chain not readable: " + err.Error(), Fix: "restore the state directory from a backup (ringtrace restore)"}
	}
	return doctorCheck{Name: "audit", Status: checkOK, Detail: fmt.Sprintf("audit chain holds: %d records, head %s", res.Records, res.Head)}
}
