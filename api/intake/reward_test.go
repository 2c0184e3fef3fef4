package intake

import (
	"reflect"
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

// TestRewardRuleFromConfig reads the published table from a configuration file (not code) and
// checks the boundaries the issue names, exact to the fen.
func TestRewardRuleFromConfig(t *testing.T) {
	rule, err := LoadRewardRule("testdata/yunnan.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rule, DefaultRewardRule()) {
		t.Errorf("testdata/yunnan.json = %+v, want the default Yunnan rule", rule)
	}
	for _, c := range []struct{ amount, want graph.Money }{
		{999_999, 500_00},       // 9,999.99
		{1_000_000, 1_000_00},   // 10,000.00
		{1_999_999, 1_000_00},   // 19,999.99
		{4_000_000, 2_000_00},   // 40,000.00 → 5 %
		{20_000_000, 10_000_00}, // 200,000.00 → 5 % = the cap
		{25_000_000, 10_000_00}, // 250,000.00 → capped
	} {
		if got := rule.Compute(c.amount); got != c.want {
			t.Errorf("Compute(%s) = %s, want %s", c.amount, got, c.want)
		}
	}
	// A bureau with another table changes the file, not the code.
	other, err := ParseRewardRule([]byte(`{"brackets":[{"below":5000,"reward":200}],"percent":10,"cap":20000,"claim_days":60}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := other.Compute(graph.FromYuan(4999.99)); got != graph.FromYuan(200) {
		t.Errorf("other table below 5000: %s", got)
	}
	if got := other.Compute(graph.FromYuan(300000)); got != graph.FromYuan(20000) {
		t.Errorf("other table capped: %s", got)
	}
	for file, field := range map[string]string{"testdata/bad-key.json": "reward", "testdata/bad-order.json": "reward.brackets[1].below"} {
		if _, err := LoadRewardRule(file); graph.ErrorField(err) != field {
			t.Errorf("%s: %v, want an error on %s", file, err, field)
		}
	}
}
