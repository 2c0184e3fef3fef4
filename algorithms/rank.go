package algorithms

import (
	"log/slog"
	"math"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/algorithms/providers"
	"github.com/ringtrace/ringtrace/graph"
)

// rankerLambda and rankerFolds configure the provider re-ranker (docs/detection.md).
const (
	rankerLambda = 0.01
	rankerFolds  = 5
)

// rankProviders adds each provider's ranking reasons to ev: the share of its money paid on
// members of reported rings, and either the unsupervised risk index (as a percentile among providers of
// its kind, weight at most 0.45, so that detector evidence outranks it) or, with labels, the
// re-ranker's probability. It returns the re-ranker's description, or nil.
func rankProviders(d *dataset.Claims, dp *dataset.DiagnosisPeers, found []finding.Candidate, ev *finding.Evidence, labels Labels) *graph.ProviderModel {
	// Only patients of rings count: single-card leads reach providers by concentration
	// (creditLeadProviders), since one lead card says little about the provider it visited.
	flagged := make([]bool, d.NPat())
	for _, c := range found {
		if c.Lead || len(c.Pats) < 2 {
			continue
		}
		for _, p := range c.Pats {
			flagged[p] = true
		}
	}
	rows := providers.Features(d, dp, flagged)
	idx := providers.Index(d, rows)
	pct := providers.Percentiles(idx)
	share := findex("flagged_fund_share")
	for pv, r := range rows {
		if r == nil {
			continue
		}
		if s := r[share]; s > 0 {
			ev.Prov[int32(pv)] = append(ev.Prov[int32(pv)], finding.Reason("flagged_patient_share", 0.7*finding.Clamp01(2*s),
				map[string]float64{"share": finding.Round4(s)},
				"%.0f%% 的统筹支付流向可疑团伙成员", "%.0f%% of its fund payments went to members of reported rings", 100*s))
		}
	}
	var model *graph.ProviderModel
	var m providers.Model
	if len(labels) > 0 {
		model, m = trainRanker(d, rows, idx, ev, labels)
	}
	for pv, r := range rows {
		if r == nil {
			continue
		}
		if model != nil {
			prob := m.Predict(rankerRow(r, idx[pv], ev, int32(pv)))
			ev.Prov[int32(pv)] = append(ev.Prov[int32(pv)], finding.Reason("provider_model", prob, map[string]float64{"probability": finding.Round4(prob)},
				"按已结案件训练的机构排序模型，欺诈概率 %.2f", "provider re-ranker trained on labelled providers: probability of fraud %.2f", prob))
			continue
		}
		p := pct[pv]
		ev.Prov[int32(pv)] = append(ev.Prov[int32(pv)], finding.Reason("provider_risk_index", 0.45*p,
			map[string]float64{"percentile": finding.Round4(p), "index": finding.Round4(idx[pv]), "fund_z": finding.Round4(r[0])},
			"机构风险指数位于同类机构第 %.0f 百分位（基金支出规模与住院天数、人均就诊次数、同诊断费用等诊疗强度）",
			"provider risk index at the %.0fth percentile of its kind (fund exposure and care intensity: stay length, claims per patient, amounts against diagnosis peers)", 100*p))
	}
	return model
}

func findex(name string) int {
	for i, n := range providers.FeatureNames {
		if n == name {
			return i
		}
	}
	panic("algorithms: unknown provider feature " + name)
}

// rankerRow is the re-ranker's feature vector: the claim features, the unsupervised index and
// the detectors' evidence on the provider.
func rankerRow(r []float64, idx float64, ev *finding.Evidence, pv int32) []float64 {
	s, _ := entityScore(ev.Prov[pv])
	return append(append(append([]float64{}, r...), idx), s)
}

func trainRanker(d *dataset.Claims, rows [][]float64, idx []float64, ev *finding.Evidence, labels Labels) (*graph.ProviderModel, providers.Model) {
	names := append(append(append([]string{}, providers.FeatureNames...), "risk_index"), "detector_evidence")
	var X [][]float64
	var y []bool
	pos := 0
	for pv, r := range rows {
		if r == nil {
			continue
		}
		l, ok := labels[d.ProvRef(int32(pv))]
		if !ok {
			continue
		}
		X = append(X, rankerRow(r, idx[pv], ev, int32(pv)))
		y = append(y, l)
		if l {
			pos++
		}
	}
	m, err := providers.Train(names, X, y, rankerLambda)
	if err != nil {
		slog.Warn("detect: provider re-ranker not trained", "labelled", len(X), "positives", pos, "err", err)
		return nil, providers.Model{}
	}
	auc, err := providers.CrossValidate(names, X, y, rankerLambda, rankerFolds)
	if err != nil || math.IsNaN(auc) {
		auc = -1
	}
	w := map[string]float64{}
	for i, n := range names {
		w[n] = finding.Round4(m.Weights[i])
	}
	slog.Info("detect: provider re-ranker", "labelled", len(X), "positives", pos, "cv_auc", finding.Round4(auc))
	return &graph.ProviderModel{Labelled: len(X), Positives: pos, CVAUC: finding.Round4(auc), Folds: rankerFolds, Lambda: rankerLambda, Weights: w}, m
}
