package intake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// RewardRule is the published reward table: fixed rewards for amounts below each bracket's bound,
// then a percentage of the amount up to a cap. It is configuration, not code: bureaus publish
// their own tables, and the default is Yunnan's (art. 18).
type RewardRule struct {
	Brackets  []RewardBracket `json:"brackets" mapstructure:"brackets"`
	Percent   float64         `json:"percent" mapstructure:"percent"` // applied at or above the last bracket's bound
	Cap       graph.Money     `json:"cap" mapstructure:"cap"`
	ClaimDays int             `json:"claim_days" mapstructure:"claim_days"` // an unclaimed reward lapses this many days after notice
	FirstOnly bool            `json:"first_reporter_only" mapstructure:"first_reporter_only"`
	NamedOnly bool            `json:"named_only" mapstructure:"named_only"` // anonymous reports cannot be rewarded
}

// RewardBracket pays Reward for confirmed amounts strictly below Below.
type RewardBracket struct {
	Below  graph.Money `json:"below" mapstructure:"below"`
	Reward graph.Money `json:"reward" mapstructure:"reward"`
}

// DefaultRewardRule is the Yunnan table (DOMAIN.md): below 10,000 yuan → 500; 10,000 to below
// 20,000 → 1,000; 20,000 to below 40,000 → 1,500; 40,000 and above → 5 % of the amount, at most
// 10,000; only the first reporter of a case; unclaimed rewards lapse 30 days after notice.
func DefaultRewardRule() RewardRule {
	return RewardRule{
		Brackets: []RewardBracket{
			{Below: 10_000_00, Reward: 500_00},
			{Below: 20_000_00, Reward: 1_000_00},
			{Below: 40_000_00, Reward: 1_500_00},
		},
		Percent: 5, Cap: 10_000_00, ClaimDays: 30, FirstOnly: true, NamedOnly: true,
	}
}

// Validate checks the rule; errors name the field.
func (r RewardRule) Validate() error {
	if len(r.Brackets) == 0 {
		return graph.FieldErrorf("reward.brackets", "at least one bracket is required")
	}
	for i, b := range r.Brackets {
		if b.Below <= 0 || b.Reward < 0 {
			return graph.FieldErrorf(fmt.Sprintf("reward.brackets[%d]", i), "below must be positive and reward not negative")
		}
		if i > 0 && b.Below <= r.Brackets[i-1].Below {
			return graph.FieldErrorf(fmt.Sprintf("reward.brackets[%d].below", i), "bounds must increase")
		}
	}
	if r.Percent < 0 || r.Percent > 100 {
		return graph.FieldErrorf("reward.percent", "must be between 0 and 100")
	}
	if r.Cap < 0 {
		return graph.FieldErrorf("reward.cap", "must not be negative")
	}
	if r.ClaimDays <= 0 {
		return graph.FieldErrorf("reward.claim_days", "must be positive")
	}
	return nil
}

// Compute returns the reward for a confirmed amount of fund money involved. Amounts are in fen,
// so the bracket boundaries are exact: 9,999.99 yuan is below 10,000 and 10,000.00 is not.
func (r RewardRule) Compute(amount graph.Money) graph.Money {
	if amount <= 0 {
		return 0
	}
	for _, b := range r.Brackets {
		if amount < b.Below {
			return b.Reward
		}
	}
	reward := graph.Money(math.Round(float64(amount) * r.Percent / 100))
	if r.Cap > 0 && reward > r.Cap {
		reward = r.Cap
	}
	return reward
}

// ClaimDeadline returns the last moment a reward notified at notice can be claimed.
func (r RewardRule) ClaimDeadline(notice time.Time) time.Time {
	return notice.AddDate(0, 0, r.ClaimDays)
}

// ParseRewardRule reads a reward table from JSON, amounts in yuan (see docs/referral.md):
//
//	{"brackets":[{"below":10000,"reward":500},…],"percent":5,"cap":10000,"claim_days":30,
//	 "first_reporter_only":true,"named_only":true}
//
// Unknown keys are refused, so that a misspelt key cannot silently leave a default in force.
func ParseRewardRule(b []byte) (RewardRule, error) {
	var r RewardRule
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return RewardRule{}, graph.FieldErrorf("reward", "reward table is not valid JSON: %v", err)
	}
	if err := r.Validate(); err != nil {
		return RewardRule{}, err
	}
	return r, nil
}

// LoadRewardRule reads a reward table from a JSON file (ParseRewardRule).
func LoadRewardRule(path string) (RewardRule, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return RewardRule{}, fmt.Errorf("reward table: %w", err)
	}
	r, err := ParseRewardRule(b)
	if err != nil {
		return RewardRule{}, fmt.Errorf("reward table %s: %w", path, err)
	}
	return r, nil
}
