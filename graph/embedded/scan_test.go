package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

// TestScanAcrossBatches checks the batched scan: every record once, in id order, across many
// batches; an error from fn ends the scan at once and is returned; a cancelled context is.
func TestScanAcrossBatches(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	const n = 2000 // several hand-over batches
	ps := make([]graph.Patient, n)
	for i := range ps {
		ps[i] = graph.Patient{ID: fmt.Sprintf("P%05d", i), Region: "530100"}
	}
	if err := s.PutPatients(ctx, ps); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.ScanPatients(ctx, func(p graph.Patient) error { got = append(got, p.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("scanned %d patients, stored %d", len(got), n)
	}
	for i, id := range got {
		if id != ps[i].ID {
			t.Fatalf("record %d is %s, want %s (id order)", i, id, ps[i].ID)
		}
	}

	stop := errors.New("stop here")
	calls := 0
	err := s.ScanPatients(ctx, func(graph.Patient) error {
		if calls++; calls == 700 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 700 {
		t.Errorf("fn failing at record 700: scan returned %v after %d calls, want %v after 700", err, calls, stop)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.ScanPatients(cancelled, func(graph.Patient) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("scan with a cancelled context returned %v, want context.Canceled", err)
	}
}
