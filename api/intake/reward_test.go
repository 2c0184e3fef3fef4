package intake

import (
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// The boundaries named in the issue, against the Yunnan table (DOMAIN.md, art. 18).
func TestComputeBoundaries(t *testing.T) {
	rule := DefaultRewardRule()
	for _, c := range []struct {
		amount, want string
	}{
		{"0.01", "500.00"},
		{"9999.99", "500.00"},
		{"10000.00", "1000.00"},
		{"19999.99", "1000.00"},
		{"20000.00", "1500.00"},
		{"39999.99", "1500.00"},
		{"40000.00", "2000.00"},   // 5 %
		{"123456.78", "6172.84"},  // 5 % rounded to the fen
		{"200000.00", "10000.00"}, // 5 % = the cap exactly
		{"250000.00", "10000.00"}, // capped
		{"0.00", "0.00"},
	} {
		var amount graph.Money
		if err := amount.UnmarshalJSON([]byte(c.amount)); err != nil {
			t.Fatal(err)
		}
		if got := rule.Compute(amount).String(); got != c.want {
			t.Errorf("Compute(%s) = %s, want %s", c.amount, got, c.want)
		}
	}
}

func TestRuleValidate(t *testing.T) {
	if err := DefaultRewardRule().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultRewardRule()
	bad.Brackets[1].Below = bad.Brackets[0].Below
	if err := bad.Validate(); graph.ErrorField(err) != "reward.brackets[1].below" {
		t.Errorf("decreasing brackets: %v", err)
	}
	bad = DefaultRewardRule()
	bad.Percent = 150
	if err := bad.Validate(); graph.ErrorField(err) != "reward.percent" {
		t.Errorf("percent 150: %v", err)
	}
}

func TestClaimDeadline(t *testing.T) {
	notice := time.Date(2024, 12, 15, 10, 0, 0, 0, time.UTC)
	if got := DefaultRewardRule().ClaimDeadline(notice); !got.Equal(time.Date(2025, 1, 14, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("deadline %v", got)
	}
}
