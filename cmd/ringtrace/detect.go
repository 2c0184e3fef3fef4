package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/algorithms"
	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest"
)

func init() {
	register(&command{
		use:     "detect",
		summary: "run ring detection on a claims directory or a store and write findings JSON (团伙检测)",
		long: `对结算数据目录（--data，直接流式读取）或图存储（--db 或 --store neo4j）运行团伙检测，把发现（团伙与线索分开）
写成 findings JSON（docs/findings.md，第 2 版）。检测参数取默认值，再依次被 --params 文件和各参数标志覆盖。

Runs ring detection on a claims CSV directory (--data, streamed, no store) or on the graph store
(--db, or --store neo4j), with progress on stderr, and writes the findings JSON of
docs/findings.md (version 2: rings and leads apart) to --out. Parameters: the defaults, then the
--params file (snake_case keys of docs/detection.md), then each parameter flag that is set.`,
		example: `  # 从嵌入式存储检测 / detect from the embedded store
  ringtrace detect --db demo/graph --out findings.json

  # 直接读取 CSV 目录，固定随机种子 / straight from the CSV directory, fixed seed
  ringtrace detect --data demo/csv --out findings.json --seed 7

  # 全省按统筹区分别检测再拼接 / province run: each pooling region, then the stitching pass
  ringtrace detect --db province/graph --by-region --region-workers 2 --out findings.json

  # 从 Neo4j 检测，参数来自文件 / from Neo4j with parameters from a file
  RINGTRACE_NEO4J_PASSWORD=… ringtrace detect --store neo4j --neo4j-uri bolt://127.0.0.1:7687 --params params.json --out -`,
		flags: detectFlags,
		run:   runDetect,
	})
}

// detectParamFlags are the parameter flags: each is the parameter of the same name (dashes for underscores).
var detectParamFlags = []string{"seed", "window-minutes", "min-covisit-days", "min-ring-score", "resolution", "large-claim-yuan", "high-frequency-per-year"}

func detectFlags(fs *pflag.FlagSet) {
	def := algorithms.DefaultParams()
	addStoreFlags(fs)
	fs.String("data", "", "claims CSV directory to read directly (no store); empty reads the store")
	fs.String("out", "findings.json", "findings JSON output file (- for stdout)")
	fs.String("params", "", "JSON file with detection parameters (snake_case keys of docs/detection.md)")
	fs.String("labels", "", "CSV of provider verdicts (provider_id,potential_fraud Yes/No or 1/0) to train the provider re-ranker")
	fs.StringSlice("region", nil, "detect only the claims at providers of these pooling regions (统筹区 codes, comma-separated); no cross-region pass")
	fs.Bool("by-region", false, "province run: detect each pooling region on its own, then stitch the parties that claim in several regions")
	fs.Int("region-workers", 2, "regions detected at once with --region or --by-region (each holds its region's claims)")
	fs.String("cpu-profile", "", "write a Go CPU profile of the run to this file (go tool pprof FILE)")
	fs.String("rules", "", "directory of billing-line rule tables (catalogue.csv, pairs.csv; docs/billing-rules.md): add the billing audit's leads to the findings")
	// The parameter flags (detectParamFlags): each is the parameter of the same name.
	fs.Uint64("seed", def.Seed, "random seed for community detection and sampling")
	fs.Int("window-minutes", 720, "ignored since findings version 2 (sessions are provider-days and blocks of days); accepted for old scripts")
	fs.Int("min-covisit-days", def.CoVisit.MinSessions, "distinct sessions a co-visit group needs")
	fs.Float64("min-ring-score", def.MinRingScore, "lowest ring score reported")
	fs.Float64("resolution", def.CoVisit.Resolution, "Louvain modularity resolution of co-visit candidates")
	fs.Float64("large-claim-yuan", def.LargeClaimYuan, "single-claim screening threshold in yuan")
	fs.Int("high-frequency-per-year", def.HighFrequencyPerYear, "reimbursements per year screening threshold")
}

// runDetect reads the graph from --data (CSV directory, streamed) or from the configured store,
// runs algorithms.Detect with progress on stderr, and writes the findings JSON to --out.
func runDetect(ctx context.Context, env *Env, v *viper.Viper, fs *pflag.FlagSet) error {
	p, err := detectionParams(v, fs, algorithms.DefaultParams(), detectParamFlags)
	if err != nil {
		return &exitError{code: 2, err: err}
	}

	var src graph.Scanner
	if dir := v.GetString("data"); dir != "" {
		d, err := ingest.OpenDir(dir)
		if err != nil {
			return fmt.Errorf("open claims directory %s: %w", dir, err)
		}
		src = d
	} else {
		sc, err := storeConfig(v)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		st, err := openStore(ctx, sc)
		if err != nil {
			return err
		}
		defer st.Close()
		src = st
	}

	if pf := v.GetString("cpu-profile"); pf != "" {
		stop, err := startCPUProfile(pf)
		if err != nil {
			return err
		}
		defer stop()
	}
	// The detectors log counts and timings through slog's default logger.
	slog.SetDefault(env.Logger)
	start := time.Now()
	prog := newProgressPrinter(env.Stderr, env.IsTTY)
	var labels algorithms.Labels
	if lf := v.GetString("labels"); lf != "" {
		if labels, err = readLabels(lf); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	var rules *billing.RuleSet
	if dir := v.GetString("rules"); dir != "" {
		rs, err := billing.Load(dir)
		if err != nil {
			return &exitError{code: 2, err: graph.FieldErrorf("rules", "%v", err)}
		}
		rules = &rs
	}
	if rs := v.GetStringSlice("region"); len(rs) > 0 {
		p.Regions = rs
	}
	if v.GetBool("by-region") {
		p.ByRegion = true
	}
	if v.IsSet("region-workers") {
		p.RegionWorkers = v.GetInt("region-workers")
	}
	if err := p.Validate(); err != nil {
		return &exitError{code: 2, err: err}
	}
	f, err := algorithms.DetectLabelled(ctx, src, p, labels, prog.report)
	prog.done()
	if err != nil {
		return err
	}
	if rules != nil {
		if err := algorithms.AddBillingLeads(ctx, src, *rules, &f); err != nil {
			return err
		}
	}
	f.GeneratedAt = time.Now().UTC().Format(time.RFC3339)
	if err := writeJSON(v.GetString("out"), env.Stdout, f); err != nil {
		return err
	}
	env.Logger.Info("detect: findings written", "out", v.GetString("out"), "rings", len(f.Rings), "leads", len(f.Leads), "entities", len(f.Entities),
		"elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// startCPUProfile starts the Go CPU profiler writing to path; the returned function stops it
// and closes the file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// detectionParams resolves the detection parameters: the defaults, then the --params file,
// then every parameter flag that viper finds set (flag, RINGTRACE_* variable or config file, in
// viper's order of precedence). Both layers go through algorithms.DecodeParams, so a misspelt
// key or a value of the wrong type is refused with the parameter's name, as the API refuses it.
func detectionParams(v *viper.Viper, fs *pflag.FlagSet, def algorithms.Params, flags []string) (algorithms.Params, error) {
	p := def
	if f := v.GetString("params"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return p, fmt.Errorf("params: %w", err)
		}
		if p, err = algorithms.DecodeParams(b, p); err != nil {
			return p, fmt.Errorf("params %s: %w", f, err)
		}
	}
	set := map[string]any{}
	for _, name := range flags {
		if !v.IsSet(name) {
			continue
		}
		val, err := castFlag(fs.Lookup(name).Value.Type(), v.Get(name))
		if err != nil {
			return p, graph.FieldErrorf(name, "%v", err)
		}
		set[strings.ReplaceAll(name, "-", "_")] = val
	}
	if len(set) == 0 {
		return p, p.Validate()
	}
	b, err := json.Marshal(set)
	if err != nil {
		return p, err
	}
	return algorithms.DecodeParams(b, p)
}

// castFlag converts a value viper found for a flag (a string from the environment, a number
// from a config file) to the flag's type, refusing what does not convert instead of reading 0.
func castFlag(typ string, v any) (any, error) {
	switch typ {
	case "uint64":
		return cast.ToUint64E(v)
	case "int":
		return cast.ToIntE(v)
	case "float64":
		return cast.ToFloat64E(v)
	}
	return v, nil
}

// progressPrinter prints detection progress to stderr: a line on every phase change and at most
// every two seconds within a phase (one rewritten line on a terminal).
type progressPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	phase string
	last  time.Time
	start time.Time
}

func newProgressPrinter(w io.Writer, tty bool) *progressPrinter {
	return &progressPrinter{w: w, tty: tty, start: time.Now()}
}

func (p *progressPrinter) report(phase string, pct float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if phase == p.phase && now.Sub(p.last) < 2*time.Second {
		return
	}
	p.phase, p.last = phase, now
	el := now.Sub(p.start).Round(100 * time.Millisecond)
	if p.tty {
		fmt.Fprintf(p.w, "\r检测 detect: %-13s %5.1f%%  %v   ", phase, pct, el)
		return
	}
	fmt.Fprintf(p.w, "detect: %-13s %5.1f%% elapsed %v\n", phase, pct, el)
}

func (p *progressPrinter) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
