package algorithms

import (
	"reflect"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

func TestDecodeParams(t *testing.T) {
	base := DefaultParams()
	cases := []struct {
		name, in, field string
	}{
		{"empty keeps defaults", ``, ""},
		{"one key", `{"min_covisit_days": 4}`, ""},
		{"null", `null`, "params"},
		{"array", `[1]`, "params"},
		{"unknown key", `{"min_covisit_dayz": 4}`, "params.min_covisit_dayz"},
		{"wrong type", `{"min_covisit_days": "four"}`, "params.min_covisit_days"},
		{"invalid value", `{"min_covisit_days": 1}`, "params.min_covisit_days"},
		{"trailing", `{"seed": 2} {"seed": 3}`, "params"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := DecodeParams([]byte(c.in), base)
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if c.in == "" && !reflect.DeepEqual(p, base) {
					t.Fatalf("empty input changed params")
				}
				if c.name == "one key" && p.CoVisit.MinSessions != 4 {
					t.Fatalf("min_covisit_days = %d, want 4", p.CoVisit.MinSessions)
				}
				return
			}
			if graph.ErrorCode(err) != graph.EINVALID || graph.ErrorField(err) != c.field {
				t.Fatalf("err = %v (field %q), want EINVALID on %q", err, graph.ErrorField(err), c.field)
			}
		})
	}
}
