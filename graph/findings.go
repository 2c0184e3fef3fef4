package graph

import (
	"cmp"
	"slices"
)

// Ring kinds reported in findings. See docs/findings.md.
const (
	KindCollusionRing          = "collusion_ring"           // recruited patients co-visiting one provider/doctor
	KindCardLending            = "card_lending"             // cards lent, borrowed or used by someone else
	KindPharmacyCardCollection = "pharmacy_card_collection" // one pharmacy terminal swiping many cards
	KindDeceasedClaims         = "deceased_claims"          // claims on the card of a dead person
	KindScreeningRule          = "screening_rule"           // a special-action screening rule hit
	KindGhostHospitalization   = "ghost_hospitalization"    // admissions on paper (挂床/虚假住院)
	KindBillingRule            = "billing_rule"             // billing lines breaking the catalogue tables (费用明细违规)
)

// Reason explains one contribution to a score, with the numbers behind it, in Chinese and English.
// Code is stable and machine-readable (e.g. "covisit_days"); Values hold the figures the texts cite.
type Reason struct {
	Code   string             `json:"code"`
	Text   string             `json:"text"`    // 简体中文
	TextEN string             `json:"text_en"` // English
	Weight float64            `json:"weight"`  // contribution to the score, 0..1
	Values map[string]float64 `json:"values,omitempty"`
}

// Finding classes: a ring is at least two cards (patients) acting together; a lead is one card
// or one claim stream (a dead person's card still in use, one impersonated card, one ghost stay,
// one provider's screening hits). See docs/findings.md.
const (
	ClassRing = "ring"
	ClassLead = "lead"
)

// Ring is a flagged group of parties (Class "ring") or a single-card / single-stream lead
// (Class "lead"); both share this shape. ExpectedAmount = Score × Amount is the expected
// improper amount, the default ranking.
type Ring struct {
	ID      string  `json:"id"`
	Kind    string  `json:"kind"`
	Class   string  `json:"class,omitempty"` // "ring" or "lead"; empty in version 1 files
	Score   float64 `json:"score"`           // 0..1, higher is more suspicious
	Members []Ref   `json:"members"`
	Amount  Money   `json:"amount"` // fund money involved (统筹支付), yuan in JSON
	// ExpectedAmount is Score × Amount: the expected improper amount (期望违规金额).
	ExpectedAmount Money    `json:"expected_amount"`
	Patients       int      `json:"patients"` // patient members (cards)
	Claims         int      `json:"claims,omitempty"`
	Region         string   `json:"region,omitempty"`
	Regions        []string `json:"regions,omitempty"` // every pooling region of its providers when more than one
	Reasons        []Reason `json:"reasons"`
}

// Count returns the number of patient members of r.
func (r *Ring) Count() int {
	n := 0
	for _, m := range r.Members {
		if m.Type == TypePatient {
			n++
		}
	}
	return n
}

// EntityRisk is the risk score of one party with its reasons.
type EntityRisk struct {
	Type    EntityType `json:"type"`
	ID      string     `json:"id"`
	Score   float64    `json:"score"`
	Reasons []Reason   `json:"reasons"`
}

// Findings is the output of one detection run: the findings JSON contract (docs/findings.md).
// Rings are sorted by descending score, entities likewise.
type Findings struct {
	Version     string         `json:"version"`
	GeneratedAt string         `json:"generated_at,omitempty"`
	Params      map[string]any `json:"params,omitempty"`
	Unavailable []string       `json:"unavailable_signals,omitempty"`
	// Rings are groups of at least two cards acting together; Leads single cards or claim
	// streams. Both are sorted by descending expected amount (ties: score, then id).
	Rings    []Ring       `json:"rings"`
	Leads    []Ring       `json:"leads"`
	Entities []EntityRisk `json:"entities"`
	// ProviderModel describes the provider re-ranker when the run had labelled providers.
	ProviderModel *ProviderModel `json:"provider_model,omitempty"`
	// Partition describes a region-partitioned run (absent for a whole run).
	Partition *Partition `json:"partition,omitempty"`
}

// Partition is how a region-partitioned run was split: one run per pooling region and, when
// Stitched, one over the parties that claim in several regions (region "*").
type Partition struct {
	Stitched bool        `json:"stitched"`
	Runs     []RegionRun `json:"runs"`
}

// RegionRun is one run of a partitioned detection.
type RegionRun struct {
	Region    string  `json:"region"` // pooling-region code, "*" for the stitching run
	Claims    int     `json:"claims"`
	Rings     int     `json:"rings"`
	Leads     int     `json:"leads"`
	ElapsedMS float64 `json:"elapsed_ms"`
}

// ProviderModel is the provider re-ranker trained on labelled providers: an L2-regularised
// logistic regression over standardised features, with its cross-validated ROC AUC.
type ProviderModel struct {
	Labelled  int                `json:"labelled"`  // labelled providers found in the data
	Positives int                `json:"positives"` // of which labelled fraudulent
	CVAUC     float64            `json:"cv_auc"`    // k-fold cross-validated ROC AUC on them (-1 when undefined)
	Folds     int                `json:"folds"`
	Lambda    float64            `json:"lambda"`
	Weights   map[string]float64 `json:"weights"` // per standardised feature
}

// FindingsVersion is the version of the findings contract this package writes.
const FindingsVersion = "2"

// leadKinds are the kinds that were single-party findings in version 1 files.
var leadKinds = map[string]bool{KindDeceasedClaims: true, KindScreeningRule: true}

// Normalize upgrades findings read from a version 1 file (or any file lacking the version 2
// fields) in place: single-card findings move from Rings to Leads, Class, Patients and
// ExpectedAmount are filled, and both lists are sorted by expected amount. It is idempotent, so
// readers call it on whatever they load.
func (f *Findings) Normalize() {
	var rings, leads []Ring
	all := append(append([]Ring{}, f.Rings...), f.Leads...)
	for _, r := range all {
		r.Patients = r.Count()
		if r.Class == "" {
			r.Class = ClassRing
			if leadKinds[r.Kind] || r.Patients < 2 {
				r.Class = ClassLead
			}
		}
		if r.ExpectedAmount == 0 && r.Amount != 0 {
			r.ExpectedAmount = Money(float64(r.Amount)*r.Score + 0.5)
		}
		if r.Class == ClassLead {
			leads = append(leads, r)
		} else {
			rings = append(rings, r)
		}
	}
	SortFindings(rings)
	SortFindings(leads)
	if rings == nil {
		rings = []Ring{}
	}
	if leads == nil {
		leads = []Ring{}
	}
	f.Rings, f.Leads = rings, leads
}

// SortFindings orders rings or leads by descending expected amount, then score, then id.
func SortFindings(rs []Ring) {
	slices.SortStableFunc(rs, func(a, b Ring) int {
		if c := cmp.Compare(b.ExpectedAmount, a.ExpectedAmount); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
