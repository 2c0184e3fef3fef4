package algorithms

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ringtrace/ringtrace/algorithms/cards"
	"github.com/ringtrace/ringtrace/algorithms/covisit"
	"github.com/ringtrace/ringtrace/algorithms/pharmacy"
	"github.com/ringtrace/ringtrace/algorithms/screening"
	"github.com/ringtrace/ringtrace/algorithms/stays"
	"github.com/ringtrace/ringtrace/graph"
)

// Params configures one detection run. Each detector family owns its options (embedded, so that
// the JSON keys stay one flat object, the keys of docs/detection.md that the API, the config
// file and `detect --params` use); each family receives only its own. The zero value is not
// useful: start from DefaultParams.
type Params struct {
	// Seed makes community detection deterministic.
	Seed uint64 `json:"seed"`

	CoVisit
	Cards
	Pharmacy
	Stays
	Screening

	// MinRingScore is the score below which candidate rings and leads of every kind are not
	// reported.
	MinRingScore float64 `json:"min_ring_score"`
	// MinEntityScore drops patients whose score is below it from the output (providers and
	// doctors are always listed so that they can be ranked).
	MinEntityScore float64 `json:"min_entity_score"`
	// Damping is the damping factor of the personalised PageRank that spreads risk.
	Damping float64 `json:"damping"`

	// Partition runs the detectors per pooling region (docs/scale.md): Regions restricts the
	// run to these regions with no cross-region pass; ByRegion runs every region and the
	// cross-region pass; RegionWorkers regions at once (0: 2). Absent, the run is whole.
	Regions       []string `json:"regions,omitempty"`
	ByRegion      bool     `json:"by_region,omitempty"`
	RegionWorkers int      `json:"region_workers,omitempty"`

	Legacy
}

// The detector families' options, embedded in Params under these names.
type (
	CoVisit   = covisit.Options   // collusion rings (co-visit groups)
	Cards     = cards.Options     // card lending: single cards and holder groups
	Pharmacy  = pharmacy.Options  // pharmacy card collection
	Stays     = stays.Options     // ghost hospitalisation
	Screening = screening.Options // the special-action screening rules
)

// Legacy holds keys of version 1 parameter files that the version 2 detectors no longer read:
// they are accepted (so that saved parameter files and API clients keep working) and ignored.
type Legacy struct {
	// WindowMinutes was the co-visit window; sessions are now provider-days and blocks of days.
	WindowMinutes int `json:"window_minutes,omitempty"`
	// MinEdgeSurprise was the pairwise edge threshold; groups are now tested as a whole
	// (min_group_surprise).
	MinEdgeSurprise float64 `json:"min_edge_surprise,omitempty"`
	// HouseholdDiscount was a fixed pair discount; households are now an explanation of a group.
	HouseholdDiscount float64 `json:"household_discount,omitempty"`
	// BetweennessSamples sampled broker betweenness on the pair projection, which is gone.
	BetweennessSamples int `json:"betweenness_samples,omitempty"`
}

// DefaultParams returns the thresholds documented in docs/detection.md.
func DefaultParams() Params {
	return Params{
		Seed:           1,
		CoVisit:        covisit.DefaultOptions(),
		Cards:          cards.DefaultOptions(),
		Pharmacy:       pharmacy.DefaultOptions(),
		Stays:          stays.DefaultOptions(),
		Screening:      screening.DefaultOptions(),
		MinRingScore:   0.5,
		MinEntityScore: 0.1,
		Damping:        0.85,
	}
}

// Validate checks every field and returns a *graph.Error whose Field is the JSON name of the
// first bad one.
func (p Params) Validate() error {
	for _, v := range []interface{ Validate() error }{p.CoVisit, p.Cards, p.Pharmacy, p.Stays, p.Screening} {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	switch {
	case len(p.Regions) > 0 && p.ByRegion:
		return graph.FieldErrorf("regions", "regions 与 by_region 不能同时使用 / regions and by_region exclude each other (by_region runs every region)")
	case p.RegionWorkers < 0 || p.RegionWorkers > 64:
		return graph.FieldErrorf("region_workers", "region_workers 参数无效 (invalid): must be between 1 and 64, got %d", p.RegionWorkers)
	case !(p.MinRingScore >= 0 && p.MinRingScore <= 1):
		return graph.FieldErrorf("min_ring_score", "min_ring_score 参数无效 (invalid): must be between 0 and 1")
	case !(p.MinEntityScore >= 0 && p.MinEntityScore <= 1):
		return graph.FieldErrorf("min_entity_score", "min_entity_score 参数无效 (invalid): must be between 0 and 1")
	case !(p.Damping > 0 && p.Damping < 1):
		return graph.FieldErrorf("damping", "damping 参数无效 (invalid): must be in (0, 1)")
	}
	return nil
}

// AsMap returns the parameters as the JSON object recorded in Findings.Params.
func (p Params) AsMap() map[string]any {
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
			f := ute.Field
			if i := strings.LastIndexByte(f, '.'); i >= 0 {
				f = f[i+1:] // embedded option structs are part of the flat object
			}
			return Params{}, graph.FieldErrorf("params."+f, "参数 %s 类型错误 (parameter %s has the wrong type: %s)", f, f, ute.Value)
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
