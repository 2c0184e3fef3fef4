package embedded

import (
	"math"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

// TestMoneyString checks the fmt-free formatter against graph.Money.String, which the
// conformance suite's props format is defined by.
func TestMoneyString(t *testing.T) {
	for _, m := range []graph.Money{0, 1, 9, 10, 99, 100, 101, 12050, -1, -99, -100, -12345, 1 << 40, -(1 << 40), math.MaxInt64, math.MinInt64 + 1} {
		if got, want := moneyString(m), m.String(); got != want {
			t.Errorf("moneyString(%d) = %q, want %q", int64(m), got, want)
		}
	}
}

// TestClaimRoundTrip checks that a claim survives encode/decode unchanged.
func TestClaimRoundTrip(t *testing.T) {
	c := graph.Claim{ID: "C1", PatientID: "P", ProviderID: "H", ProviderType: graph.TypeInstitution, DoctorID: "D",
		Type: graph.ClaimInpatient, DiagnosisCode: "I10", TotalAmount: -5, FundAmount: 1 << 50, TerminalID: "T"}
	got, err := decodeClaim("C1", encodeClaim(nil, &c))
	if err != nil || got != c {
		t.Errorf("round trip = %+v, %v; want %+v", got, err, c)
	}
	if _, err := decodeClaim("C1", []byte{recordVersion, 200}); err == nil {
		t.Error("decodeClaim accepted a truncated record")
	}
}
