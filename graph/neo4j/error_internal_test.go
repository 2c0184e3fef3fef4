package neo4j

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// TestUnavailableClassification pins which driver error shapes mean "the server is away" (503
// and retry later) and which are bugs or bad queries (500): a wrong answer here either hides a
// real bug behind "try again" or turns a restart into a flood of internal errors.
func TestUnavailableClassification(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"connectivity", &neo4j.ConnectivityError{Inner: errors.New("dial tcp 127.0.0.1:7687: connect: connection refused")}, true},
		{"wrapped connectivity", fmt.Errorf("run: %w", &neo4j.ConnectivityError{Inner: io.EOF}), true},
		{"retries exhausted on connectivity", &neo4j.TransactionExecutionLimit{Cause: "timeout",
			Errors: []error{&neo4j.ConnectivityError{Inner: io.EOF}}}, true},
		{"retries exhausted on a deadlock", &neo4j.TransactionExecutionLimit{Cause: "timeout",
			Errors: []error{&neo4j.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected"}}}, false},
		{"database starting", &neo4j.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}, true},
		{"syntax error", &neo4j.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError", Msg: "Invalid input"}, false},
		{"constraint violation", &neo4j.Neo4jError{Code: "Neo.ClientError.Schema.ConstraintValidationFailed"}, false},
		{"plain bug", errors.New("unexpected nil map"), false},
		{"cancelled", context.Canceled, false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		if got := unavailable(c.err); got != c.want {
			t.Errorf("%s: unavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
