package graph

// Ring kinds reported in findings. See docs/findings.md.
const (
	KindCollusionRing          = "collusion_ring"           // recruited patients co-visiting one provider/doctor
	KindCardLending            = "card_lending"             // cards lent, borrowed or used by someone else
	KindPharmacyCardCollection = "pharmacy_card_collection" // one pharmacy terminal swiping many cards
	KindDeceasedClaims         = "deceased_claims"          // claims on the card of a dead person
	KindScreeningRule          = "screening_rule"           // a special-action screening rule hit
	KindGhostHospitalization   = "ghost_hospitalization"    // admissions on paper (挂床/虚假住院)
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

// Ring is a group of parties flagged together.
type Ring struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Score   float64  `json:"score"` // 0..1, higher is more suspicious
	Members []Ref    `json:"members"`
	Amount  Money    `json:"amount"` // fund money involved (统筹支付), yuan in JSON
	Claims  int      `json:"claims,omitempty"`
	Region  string   `json:"region,omitempty"`
	Reasons []Reason `json:"reasons"`
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
	Rings       []Ring         `json:"rings"`
	Entities    []EntityRisk   `json:"entities"`
}
