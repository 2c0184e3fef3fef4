package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/algorithms/evaluate"
	"github.com/ringtrace/ringtrace/graph"
)

func init() {
	register(&command{
		use:     "eval",
		summary: "score findings against labelled truth: ring precision/recall, precision@K, AUC (检测评估)",
		long: `用已知真值（generate 写出的 truth.json，或已确认的案件）评估检测发现：团伙与线索的精确率、召回率、
precision@K、各类型与各场景的结果，以及主体排序的 ROC AUC（docs/eval.md）。也可用机构标签文件（--labels）评估机构风险排序。

Scores a findings JSON against labelled truth (truth.json from generate, or confirmed cases):
ring and lead precision and recall, precision@K, per kind and per pattern, and the entity ROC AUC
(docs/eval.md). With --labels instead, judges the provider ranking against known verdicts, with
naive baselines when --data is given.`,
		example: `  # 对照真值评估 / against the generator's truth
  ringtrace eval --truth demo/csv/truth.json --findings demo/findings.json --k 20

  # 以 JSON 输出，按机构标签评估 / JSON report against provider verdicts
  ringtrace eval --labels verdicts.csv --findings findings.json --data demo/csv --json`,
		flags: evalFlags,
		run:   runEval,
	})
}

// evalFlags are the flags of `ringtrace eval`.
func evalFlags(fs *pflag.FlagSet) {
	fs.String("truth", "", "truth.json written by generate (or confirmed cases)")
	fs.String("findings", "findings.json", "findings JSON written by detect")
	fs.Int("k", 20, "K of precision@K")
	fs.Bool("json", false, "print the report as JSON")
	fs.String("labels", "", "CSV of provider verdicts (provider_id,Yes/No): judge the provider ranking against them")
	fs.String("data", "", "with --labels: the claims directory, to print naive baselines (claim count, fund amount)")
}

// runEval reads truth.json and findings.json and prints the evaluation of docs/eval.md.
func runEval(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	if v.GetString("truth") == "" && v.GetString("labels") == "" {
		return &exitError{code: 2, err: graph.FieldErrorf("truth", "需要 --truth 或 --labels 文件 / --truth or --labels is required")}
	}
	if v.GetInt("k") < 1 {
		return &exitError{code: 2, err: graph.FieldErrorf("k", "k 必须 ≥ 1 / k must be at least 1")}
	}
	var f graph.Findings
	if err := readJSON(v.GetString("findings"), &f); err != nil {
		return err
	}
	if v.GetString("truth") == "" {
		return runLabelledEval(env, v.GetString("labels"), v.GetString("data"), f, v.GetBool("json"))
	}
	var truth graph.Truth
	if err := readJSON(v.GetString("truth"), &truth); err != nil {
		return err
	}
	rep := evaluate.Evaluate(truth, f, v.GetInt("k"))
	if v.GetBool("json") {
		return writeJSON("-", env.Stdout, jsonSafe(rep))
	}
	printEval(env.Stdout, rep)
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// jsonSafe replaces NaN (undefined ratios) with -1, which JSON can carry.
func jsonSafe(r evaluate.Report) evaluate.Report {
	fix := func(x float64) float64 {
		if math.IsNaN(x) {
			return -1
		}
		return x
	}
	fixC := func(c evaluate.Counts) evaluate.Counts {
		c.Precision, c.Recall = fix(c.Precision), fix(c.Recall)
		return c
	}
	r.Rings, r.Leads, r.PrecisionAtK = fixC(r.Rings), fixC(r.Leads), fix(r.PrecisionAtK)
	for _, m := range []map[string]evaluate.Counts{r.PerKind, r.LeadPerKind, r.PerPattern} {
		for k, e := range m {
			m[k] = fixC(e)
		}
	}
	for k, a := range r.AUC {
		r.AUC[k] = fix(a)
	}
	return r
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "   n/a"
	}
	return fmt.Sprintf("%6.3f", x)
}

func printCounts(w io.Writer, title string, m map[string]evaluate.Counts) {
	if len(m) == 0 {
		return
	}
	fmt.Fprintf(w, "%-36s reported matched precision planted found recall\n", title)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := m[k]
		fmt.Fprintf(w, "  %-34s %8d %7d %9s %7d %5d %6s\n", k, e.Reported, e.Matched, pct(e.Precision), e.Planted, e.Found, pct(e.Recall))
	}
}

func printEval(w io.Writer, r evaluate.Report) {
	fmt.Fprintf(w, "团伙 rings: reported %d, matched %d, planted %d, found %d\n", r.Rings.Reported, r.Rings.Matched, r.Rings.Planted, r.Rings.Found)
	fmt.Fprintf(w, "  precision %s  recall %s  precision@%d %s\n", pct(r.Rings.Precision), pct(r.Rings.Recall), r.K, pct(r.PrecisionAtK))
	fmt.Fprintf(w, "  honest look-alikes in top 20: %d (reported overall: %d); leads reported as rings: %d\n", r.LookalikesTop20, r.LookalikesReported, r.LeadsAsRings)
	fmt.Fprintf(w, "线索 leads: reported %d, matched %d, planted %d, found %d; precision %s  recall %s\n",
		r.Leads.Reported, r.Leads.Matched, r.Leads.Planted, r.Leads.Found, pct(r.Leads.Precision), pct(r.Leads.Recall))
	printCounts(w, "团伙按类型 rings per kind:", r.PerKind)
	printCounts(w, "线索按类型 leads per kind:", r.LeadPerKind)
	printCounts(w, "按场景 per pattern (look-alikes: matched):", r.PerPattern)
	if r.WorstPattern != "" {
		fmt.Fprintf(w, "最差场景 worst pattern: %s (recall %s)\n", r.WorstPattern, pct(r.PerPattern[r.WorstPattern].Recall))
	}
	fmt.Fprintln(w, "主体 entity ROC AUC:")
	for _, g := range []string{"provider", "doctor", "patient"} {
		fmt.Fprintf(w, "  %-9s %s\n", g, pct(r.AUC[g]))
	}
	if len(r.Missed) > 0 {
		fmt.Fprintf(w, "missed planted rings and leads (%d): %v\n", len(r.Missed), r.Missed)
	}
}

// writeJSON writes v as indented JSON to path atomically (temp file + rename), or to stdout for
// "-".
func writeJSON(path string, stdout io.Writer, v any) error {
	if path == "-" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		return enc.Encode(v)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".findings-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	enc := json.NewEncoder(tmp)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
