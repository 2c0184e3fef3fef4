package synth_test

import (
	"context"
	"fmt"
	"os"

	"github.com/ringtrace/ringtrace/ingest/synth"
)

// ExampleGenerate writes a small directory with planted fraud and reads back what it holds.
func ExampleGenerate() {
	dir, err := os.MkdirTemp("", "ringtrace-synth")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cfg := synth.DefaultConfig()
	cfg.Patients = 500
	cfg.Seed = 7
	cfg.RingRate = 0.02 // plant more rings than the default so that a small directory has some
	s, err := synth.Generate(context.Background(), dir, cfg, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("patients:", s.Patients)
	fmt.Println("about ten claims each:", s.Claims > 7*500 && s.Claims < 14*500)
	fmt.Println("planted rings and look-alikes:", s.Rings > 0, s.Lookalikes > 0)
	// Output:
	// patients: 500
	// about ten claims each: true
	// planted rings and look-alikes: true true
}
