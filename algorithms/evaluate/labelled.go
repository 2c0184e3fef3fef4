package evaluate

import (
	"math"

	"github.com/ringtrace/ringtrace/graph"
)

// LabelledReport is the provider ranking judged against known verdicts (closed cases or a
// published labelled set) instead of planted truth.
type LabelledReport struct {
	Labelled  int     `json:"labelled"`  // labelled providers
	Positives int     `json:"positives"` // of which fraudulent
	Scored    int     `json:"scored"`    // labelled providers that the findings score (others count as 0)
	AUC       float64 `json:"auc"`       // ROC AUC of the findings' provider scores (NaN when undefined)
	// Baselines are the AUCs of naive per-provider scores over the same labelled providers, so
	// that a reader sees whether the detector beats counting (keys: "claims", "fund_amount").
	Baselines map[string]float64 `json:"baselines,omitempty"`
}

// Labelled computes the provider ROC AUC of f's entity scores against labels. A provider id in
// labels is looked up as an institution and as a pharmacy (a label file does not say which);
// the higher score counts. Labelled providers absent from the findings score 0. baselines maps a
// baseline name to a per-provider-id score (e.g. claim counts); each becomes one baseline AUC.
func Labelled(labels map[graph.Ref]bool, f graph.Findings, baselines map[string]map[string]float64) LabelledReport {
	score := map[string]float64{}
	seen := map[string]bool{}
	for _, e := range f.Entities {
		if e.Type != graph.TypeInstitution && e.Type != graph.TypePharmacy {
			continue
		}
		seen[e.ID] = true
		score[e.ID] = math.Max(score[e.ID], e.Score)
	}
	verdict := map[string]bool{}
	for r, v := range labels {
		if r.Type != graph.TypeInstitution && r.Type != graph.TypePharmacy {
			continue
		}
		verdict[r.ID] = verdict[r.ID] || v
	}
	rep := LabelledReport{Labelled: len(verdict), Baselines: map[string]float64{}}
	ids := make([]string, 0, len(verdict))
	for id, v := range verdict {
		ids = append(ids, id)
		if v {
			rep.Positives++
		}
		if seen[id] {
			rep.Scored++
		}
	}
	auc := func(s map[string]float64) float64 {
		scores := make([]float64, len(ids))
		lab := make([]bool, len(ids))
		for i, id := range ids {
			scores[i], lab[i] = s[id], verdict[id]
		}
		return RocAUC(scores, lab, 0)
	}
	rep.AUC = auc(score)
	for name, s := range baselines {
		rep.Baselines[name] = auc(s)
	}
	return rep
}
