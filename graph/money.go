package graph

import (
	"fmt"
	"strconv"
)

// Money is an amount of yuan held in fen (1/100 yuan), so that sums and the reward table's
// boundaries (DOMAIN.md, Yunnan art. 18) are exact.
type Money int64

// Yuan returns the amount in yuan.
func (m Money) Yuan() float64 { return float64(m) / 100 }

// FromYuan converts yuan to Money, rounding half away from zero to the fen.
func FromYuan(y float64) Money {
	if y < 0 {
		return -Money(-y*100 + 0.5)
	}
	return Money(y*100 + 0.5)
}

// String formats the amount as yuan with two decimals, e.g. "1234.50".
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// MarshalJSON writes the amount as a JSON number of yuan with at most two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads a JSON number of yuan.
func (m *Money) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("money: %w", err)
	}
	*m = FromYuan(f)
	return nil
}
