package algorithms

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// Params configures one detection run. Every threshold of docs/detection.md is here so that a
// bureau can follow its own special-action plan; the JSON names are the keys the API and the
// config file use. The zero value is not useful: start from DefaultParams.
type Params struct {
	// Seed makes community detection and sampled centrality deterministic.
	Seed uint64 `json:"seed"`

	// WindowMinutes is the co-visit window: two patients co-visit when they are seen by the same
	// provider and doctor in the same window of local time (720 = same half-day).
	WindowMinutes int `json:"window_minutes"`
	// MinCoVisitDays is the number of distinct days a pair must co-visit to be linked.
	MinCoVisitDays int `json:"min_covisit_days"`
	// SpreadDays links, in a second pass, patients who come to the same provider and doctor at
	// most this many days apart (a group arriving over two or three days); 0 turns the pass off.
	SpreadDays int `json:"spread_days"`
	// MaxBucketPatients caps the patients of one provider-doctor window whose pairs are
	// materialised; larger (crowded) buckets count only towards the expected co-visits.
	MaxBucketPatients int `json:"max_bucket_patients"`
	// MinEdgeSurprise is the minimum −log10 of the Poisson probability of seeing at least the
	// observed co-visits given both patients' and the provider's volumes.
	MinEdgeSurprise float64 `json:"min_edge_surprise"`
	// HouseholdDiscount multiplies the weight of pairs that share a phone or an address: family
	// members visiting together are expected.
	HouseholdDiscount float64 `json:"household_discount"`

	// Resolution is the Louvain modularity resolution; above 1 gives smaller communities.
	Resolution float64 `json:"resolution"`
	// MinRingSize and MaxRingSize bound the number of patients of a reported collusion ring.
	MinRingSize int `json:"min_ring_size"`
	MaxRingSize int `json:"max_ring_size"`
	// MinRingScore is the score below which candidate rings of every kind are not reported.
	MinRingScore float64 `json:"min_ring_score"`

	// ImpossibleTravelHours: two claims of one card in different pooling regions closer in time
	// than this are physically implausible (冒名就医).
	ImpossibleTravelHours float64 `json:"impossible_travel_hours"`
	// InpatientGraceHours is ignored at both ends of an inpatient stay before an outpatient or
	// pharmacy claim elsewhere counts as made while the owner was in hospital.
	InpatientGraceHours float64 `json:"inpatient_grace_hours"`
	// TogetherMinutes: two cards tied by phone/address are "used together" when they claim at
	// the same provider within this many minutes.
	TogetherMinutes int `json:"together_minutes"`
	// MaxHouseholdCards is the largest number of cards sharing one phone or address that is
	// still treated as an ordinary household.
	MaxHouseholdCards int `json:"max_household_cards"`

	// BurstGapMinutes: consecutive pharmacy swipes of distinct cards at most this far apart form
	// a burst (聚敛盗刷).
	BurstGapMinutes int `json:"burst_gap_minutes"`
	// BurstMinCards is the minimum number of distinct cards in a burst.
	BurstMinCards int `json:"burst_min_cards"`
	// OddHourStart and OddHourEnd delimit the odd hours (local time, [start, end) wrapping
	// midnight) in which pharmacy swipes are suspicious.
	OddHourStart int `json:"odd_hour_start"`
	OddHourEnd   int `json:"odd_hour_end"`

	// LargeClaimYuan is the single-claim screening threshold (单次大额).
	LargeClaimYuan float64 `json:"large_claim_yuan"`
	// HighFrequencyPerYear is the reimbursements-per-year screening threshold (单人高频次).
	HighFrequencyPerYear int `json:"high_frequency_per_year"`
	// TopSpenders is how many patients are listed by inpatient and by outpatient cost.
	TopSpenders int `json:"top_spenders"`
	// RepeatPrescriptionDays: two pharmacy or outpatient claims of one patient with the same
	// diagnosis at different providers within this many days are a repeated prescription.
	RepeatPrescriptionDays int `json:"repeat_prescription_days"`

	// Damping is the PageRank damping factor.
	Damping float64 `json:"damping"`
	// BetweennessSamples is the number of source nodes sampled for betweenness (0 disables it).
	BetweennessSamples int `json:"betweenness_samples"`
	// MinEntityScore drops patients whose score is below it from the output (providers and
	// doctors are always listed so that they can be ranked). The default 0.1 leaves out patients
	// whose only reasons are the weakest screening hits (≥ 4 claims a year, one large claim).
	MinEntityScore float64 `json:"min_entity_score"`
}

// DefaultParams returns the thresholds documented in docs/detection.md: the special-action
// plans' starting values for the screening rules and values tuned on generated data for the
// rest.
func DefaultParams() Params {
	return Params{
		Seed:                   1,
		WindowMinutes:          720,
		MinCoVisitDays:         3,
		SpreadDays:             2,
		MaxBucketPatients:      60,
		MinEdgeSurprise:        4,
		HouseholdDiscount:      0.1,
		Resolution:             1,
		MinRingSize:            3,
		MaxRingSize:            200,
		MinRingScore:           0.5,
		ImpossibleTravelHours:  3,
		InpatientGraceHours:    12,
		TogetherMinutes:        30,
		MaxHouseholdCards:      6,
		BurstGapMinutes:        5,
		BurstMinCards:          5,
		OddHourStart:           22,
		OddHourEnd:             6,
		LargeClaimYuan:         10000,
		HighFrequencyPerYear:   4,
		TopSpenders:            100,
		RepeatPrescriptionDays: 7,
		Damping:                0.85,
		BetweennessSamples:     64,
		MinEntityScore:         0.1,
	}
}

// Validate checks every field and returns a *graph.Error whose Field is the JSON name of the
// first bad one.
func (p Params) Validate() error {
	type check struct {
		ok    bool
		field string
		msg   string
	}
	checks := []check{
		{p.WindowMinutes >= 1 && p.WindowMinutes <= 7*24*60, "window_minutes", "must be between 1 and 10080"},
		{p.MinCoVisitDays >= 2, "min_covisit_days", "must be at least 2"},
		{p.SpreadDays >= 0 && p.SpreadDays <= 14, "spread_days", "must be between 0 and 14"},
		{p.MaxBucketPatients >= 2 && p.MaxBucketPatients <= 10000, "max_bucket_patients", "must be between 2 and 10000"},
		{p.MinEdgeSurprise >= 0, "min_edge_surprise", "must not be negative"},
		{p.HouseholdDiscount >= 0 && p.HouseholdDiscount <= 1, "household_discount", "must be between 0 and 1"},
		{p.Resolution > 0 && p.Resolution <= 100, "resolution", "must be in (0, 100]"},
		{p.MinRingSize >= 2, "min_ring_size", "must be at least 2"},
		{p.MaxRingSize >= p.MinRingSize, "max_ring_size", "must be at least min_ring_size"},
		{p.MinRingScore >= 0 && p.MinRingScore <= 1, "min_ring_score", "must be between 0 and 1"},
		{p.ImpossibleTravelHours >= 0, "impossible_travel_hours", "must not be negative"},
		{p.InpatientGraceHours >= 0, "inpatient_grace_hours", "must not be negative"},
		{p.TogetherMinutes >= 0, "together_minutes", "must not be negative"},
		{p.MaxHouseholdCards >= 1, "max_household_cards", "must be at least 1"},
		{p.BurstGapMinutes >= 1, "burst_gap_minutes", "must be at least 1"},
		{p.BurstMinCards >= 2, "burst_min_cards", "must be at least 2"},
		{p.OddHourStart >= 0 && p.OddHourStart <= 23, "odd_hour_start", "must be an hour 0..23"},
		{p.OddHourEnd >= 0 && p.OddHourEnd <= 23, "odd_hour_end", "must be an hour 0..23"},
		{p.LargeClaimYuan > 0, "large_claim_yuan", "must be positive"},
		{p.HighFrequencyPerYear >= 1, "high_frequency_per_year", "must be at least 1"},
		{p.TopSpenders >= 0, "top_spenders", "must not be negative"},
		{p.RepeatPrescriptionDays >= 0, "repeat_prescription_days", "must not be negative"},
		{p.Damping > 0 && p.Damping < 1, "damping", "must be in (0, 1)"},
		{p.BetweennessSamples >= 0, "betweenness_samples", "must not be negative"},
		{p.MinEntityScore >= 0 && p.MinEntityScore <= 1, "min_entity_score", "must be between 0 and 1"},
	}
	for _, c := range checks {
		if !c.ok {
			return graph.FieldErrorf(c.field, "%s 参数无效 (invalid): %s", c.field, c.msg)
		}
	}
	return nil
}

// asMap returns the parameters as the JSON object recorded in Findings.Params.
func (p Params) asMap() map[string]any {
	b, err := json.Marshal(p)
	if err != nil {
		panic("algorithms: params do not marshal: " + err.Error()) // plain fields only
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		panic("algorithms: params do not unmarshal: " + err.Error())
	}
	return m
}

// DecodeParams decodes user parameters (a JSON object of the keys of docs/detection.md) over
// base and validates the result. It is the one decoder of detection parameters: the CLI's
// --params file, the config file and the API's job bodies all go through it, so a misspelt key
// is refused everywhere. Empty input returns base unchanged; null, a non-object, an unknown key
// or a value of the wrong type is an EINVALID *graph.Error whose Field is "params.<key>".
func DecodeParams(b []byte, base Params) (Params, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return base, base.Validate()
	}
	if b[0] != '{' {
		return Params{}, graph.FieldErrorf("params", "参数必须是 JSON 对象 (params must be a JSON object)")
	}
	p := base
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var ute *json.UnmarshalTypeError
		msg := err.Error()
		switch {
		case errors.As(err, &ute):
			return Params{}, graph.FieldErrorf("params."+ute.Field, "参数 %s 类型错误 (parameter %s has the wrong type: %s)", ute.Field, ute.Field, ute.Value)
		case strings.HasPrefix(msg, "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
			return Params{}, graph.FieldErrorf("params."+f, "未知参数 %s (unknown parameter %s)", f, f)
		}
		return Params{}, graph.FieldErrorf("params", "参数不是有效的 JSON 对象 (params is not a valid JSON object): %v", err)
	}
	if dec.More() {
		return Params{}, graph.FieldErrorf("params", "参数后有多余内容 (trailing data after the params object)")
	}
	if err := p.Validate(); err != nil {
		var ge *graph.Error
		if errors.As(err, &ge) && !strings.HasPrefix(ge.Field, "params.") {
			ge.Field = "params." + ge.Field
		}
		return Params{}, err
	}
	return p, nil
}
