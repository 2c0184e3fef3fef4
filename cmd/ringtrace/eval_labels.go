package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/ringtrace/ringtrace/algorithms/evaluate"
	"github.com/ringtrace/ringtrace/graph"
)

// runLabelledEval judges the findings' provider scores against known verdicts, with the naive
// baselines (claim count, fund amount per provider) computed from dataDir's claims.csv when
// given, so that the figure is read against what counting alone achieves.
func runLabelledEval(env *Env, labelsPath, dataDir string, f graph.Findings, asJSON bool) error {
	labels, err := readLabels(labelsPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	var baselines map[string]map[string]float64
	if dataDir != "" {
		if baselines, err = providerBaselines(filepath.Join(dataDir, "claims.csv")); err != nil {
			return err
		}
	}
	rep := evaluate.Labelled(labels, f, baselines)
	if asJSON {
		fix := func(x float64) float64 {
			if math.IsNaN(x) {
				return -1
			}
			return x
		}
		rep.AUC = fix(rep.AUC)
		for k, a := range rep.Baselines {
			rep.Baselines[k] = fix(a)
		}
		return writeJSON("-", env.Stdout, rep)
	}
	w := env.Stdout
	fmt.Fprintf(w, "已标注机构 labelled providers: %d (fraudulent %d), scored by the findings: %d\n", rep.Labelled, rep.Positives, rep.Scored)
	fmt.Fprintf(w, "机构风险排序 provider ROC AUC: %s\n", pct(rep.AUC))
	names := make([]string, 0, len(rep.Baselines))
	for k := range rep.Baselines {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "  baseline %-12s %s\n", k, pct(rep.Baselines[k]))
	}
	return nil
}

// providerBaselines reads claims.csv (columns by header name: provider_id, fund_amount) and
// returns per provider the claim count and the summed fund amount.
func providerBaselines(path string) (map[string]map[string]float64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, graph.FieldErrorf("data", "无法读取 %s (cannot read): %v", path, err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, graph.FieldErrorf("data", "%s: no header: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	pi, ok := col["provider_id"]
	if !ok {
		return nil, graph.FieldErrorf("data", "%s: no provider_id column", path)
	}
	ai, hasAmount := col["fund_amount"]
	claims, amount := map[string]float64{}, map[string]float64{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if pi >= len(rec) {
			continue
		}
		id := strings.TrimSpace(rec[pi])
		claims[id]++
		if hasAmount && ai < len(rec) {
			if a, err := strconv.ParseFloat(strings.TrimSpace(rec[ai]), 64); err == nil {
				amount[id] += a
			}
		}
	}
	out := map[string]map[string]float64{"claims": claims}
	if hasAmount {
		out["fund_amount"] = amount
	}
	return out, nil
}
