package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/ringtrace/ringtrace/algorithms"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest"
)

func init() {
	register(&command{
		name:    "detect",
		summary: "run ring detection on a claims directory or a store and write findings JSON",
		run:     runDetect,
	})
}

// runDetect reads the graph from --data (CSV directory, streamed) or from the configured store,
// runs algorithms.Detect with progress on stderr, and writes the findings JSON to --out.
func runDetect(ctx context.Context, env *Env, args []string) error {
	def := algorithms.DefaultParams()
	fs := newFlags("detect")
	addStoreFlags(fs)
	fs.String("data", "", "claims CSV directory to read directly (no store); empty reads the store")
	fs.String("out", "findings.json", "findings JSON output file (- for stdout)")
	fs.String("params", "", "JSON file with detection parameters (snake_case keys of docs/detection.md)")
	fs.Uint64("seed", def.Seed, "random seed for community detection and sampling")
	fs.Int("window-minutes", def.WindowMinutes, "co-visit window in minutes (720 = half-day)")
	fs.Int("min-covisit-days", def.MinCoVisitDays, "distinct days a pair must co-visit")
	fs.Float64("min-ring-score", def.MinRingScore, "lowest ring score reported")
	fs.Float64("resolution", def.Resolution, "Louvain modularity resolution")
	fs.Float64("large-claim-yuan", def.LargeClaimYuan, "single-claim screening threshold in yuan")
	fs.Int("high-frequency-per-year", def.HighFrequencyPerYear, "reimbursements per year screening threshold")
	v, err := loadConfig(fs, args)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	p := def
	if f := v.GetString("params"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("params: %w", err)}
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("params %s: %w", f, err)}
		}
	}
	// Flags given explicitly (or through env/config) override the params file.
	for _, o := range []struct {
		key string
		set func()
	}{
		{"seed", func() { p.Seed = v.GetUint64("seed") }},
		{"window-minutes", func() { p.WindowMinutes = v.GetInt("window-minutes") }},
		{"min-covisit-days", func() { p.MinCoVisitDays = v.GetInt("min-covisit-days") }},
		{"min-ring-score", func() { p.MinRingScore = v.GetFloat64("min-ring-score") }},
		{"resolution", func() { p.Resolution = v.GetFloat64("resolution") }},
		{"large-claim-yuan", func() { p.LargeClaimYuan = v.GetFloat64("large-claim-yuan") }},
		{"high-frequency-per-year", func() { p.HighFrequencyPerYear = v.GetInt("high-frequency-per-year") }},
	} {
		if fs.Changed(o.key) || v.InConfig(o.key) || os.Getenv("RINGTRACE_"+envKey(o.key)) != "" {
			o.set()
		}
	}
	if err := p.Validate(); err != nil {
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

	// The detectors log counts and timings through slog's default logger.
	slog.SetDefault(env.Logger)
	start := time.Now()
	prog := newProgressPrinter(env.Stderr, env.IsTTY)
	f, err := algorithms.Detect(ctx, src, p, prog.report)
	prog.done()
	if err != nil {
		return err
	}
	f.GeneratedAt = time.Now().UTC().Format(time.RFC3339)
	if err := writeJSON(v.GetString("out"), env.Stdout, f); err != nil {
		return err
	}
	env.Logger.Info("detect: findings written", "out", v.GetString("out"), "rings", len(f.Rings), "entities", len(f.Entities),
		"elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

func envKey(flag string) string {
	b := []byte(flag)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
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
