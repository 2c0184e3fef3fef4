package ingest

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryAliasAndReason keeps docs/input.md in step with the code: every canonical
// column, alias and reject reason must be published there.
func TestDocsListEveryAliasAndReason(t *testing.T) {
	b, err := os.ReadFile("../docs/input.md")
	if err != nil {
		t.Skipf("docs/input.md not found: %v", err)
	}
	doc := string(b)
	for _, s := range specs {
		for _, c := range s.columns {
			if !strings.Contains(doc, "`"+c.name+"`") {
				t.Errorf("docs/input.md does not mention column %s of %s", c.name, s.fileName())
			}
			for _, a := range c.aliases {
				if !strings.Contains(doc, a) {
					t.Errorf("docs/input.md does not list alias %q of %s.%s", a, s.base, c.name)
				}
			}
		}
	}
	for _, r := range []Reason{ReasonFieldCount, ReasonBadQuote, ReasonMissingValue, ReasonBadDate, ReasonBadAmount,
		ReasonNegativeAmount, ReasonBadNumber, ReasonBadValue, ReasonEndBeforeStart, ReasonUnknownPatient,
		ReasonUnknownProvider, ReasonAmbiguousProv, ReasonUnknownDoctor, ReasonUnknownInst, ReasonUnknownClaim,
		ReasonDuplicateConflict} {
		if !strings.Contains(doc, "`"+string(r)+"`") {
			t.Errorf("docs/input.md does not document reason %s", r)
		}
	}
}
