package cards

import "github.com/ringtrace/ringtrace/graph"

// Options are the card detector's thresholds (JSON names are detection-parameter keys).
type Options struct {
	// ImpossibleTravelHours: two claims of one card in distant pooling regions closer in time
	// than this are physically implausible.
	ImpossibleTravelHours float64 `json:"impossible_travel_hours"`
	// InpatientGraceHours is ignored at both ends of an inpatient stay before a claim elsewhere
	// counts as made while the owner was in hospital.
	InpatientGraceHours float64 `json:"inpatient_grace_hours"`
	// TogetherMinutes: two cards are used together when they claim at the same provider within
	// this many minutes.
	TogetherMinutes int `json:"together_minutes"`
	// MaxHouseholdCards is the largest number of cards sharing one phone or address that is
	// still an ordinary household.
	MaxHouseholdCards int `json:"max_household_cards"`
	// MinCoUseDays is the number of distinct days two cards must be used together to be linked.
	MinCoUseDays int `json:"min_couse_days"`
	// MaxGroupCards bounds the size of a holder group; larger clusters are split or left to the
	// pharmacy and co-visit detectors.
	MaxGroupCards int `json:"max_group_cards"`
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{ImpossibleTravelHours: 3, InpatientGraceHours: 12, TogetherMinutes: 20, MaxHouseholdCards: 6, MinCoUseDays: 2, MaxGroupCards: 8}
}

// Validate returns an EINVALID *graph.Error naming the first bad field.
func (o Options) Validate() error {
	switch {
	case !(o.ImpossibleTravelHours >= 0):
		return graph.FieldErrorf("impossible_travel_hours", "impossible_travel_hours 参数无效 (invalid): must not be negative")
	case !(o.InpatientGraceHours >= 0):
		return graph.FieldErrorf("inpatient_grace_hours", "inpatient_grace_hours 参数无效 (invalid): must not be negative")
	case o.TogetherMinutes < 1 || o.TogetherMinutes > 24*60:
		return graph.FieldErrorf("together_minutes", "together_minutes 参数无效 (invalid): must be between 1 and 1440")
	case o.MaxHouseholdCards < 1:
		return graph.FieldErrorf("max_household_cards", "max_household_cards 参数无效 (invalid): must be at least 1")
	case o.MinCoUseDays < 2:
		return graph.FieldErrorf("min_couse_days", "min_couse_days 参数无效 (invalid): must be at least 2")
	case o.MaxGroupCards < 2 || o.MaxGroupCards > 100:
		return graph.FieldErrorf("max_group_cards", "max_group_cards 参数无效 (invalid): must be between 2 and 100")
	}
	return nil
}
