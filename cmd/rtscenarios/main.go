// Command rtscenarios writes a claims directory from the blind scenario generator
// (ingest/scenarios): the CSV files of the input contract and truth.json, with fraud and honest
// look-alike patterns planted at documented rates (docs/scenarios.md).
//
// Usage:
//
//	rtscenarios --out DIR --patients N --seed S [--scale-fraud X] [--scale-lookalike Y]
//	            [--patterns a,b] [--from YYYY-MM-DD] [--days D] [--no-items] [--rules=false] [--list]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rtscenarios:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("rtscenarios", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "output directory (required)")
	patients := fs.Int("patients", 20000, "number of insured patients (≥ 200)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed and flags give byte-identical files")
	scaleFraud := fs.Float64("scale-fraud", 1, "multiplier of the fraud patterns' rates (0: none)")
	scaleLook := fs.Float64("scale-lookalike", 1, "multiplier of the look-alike patterns' rates (0: none)")
	pats := fs.String("patterns", "", "comma-separated patterns to plant (default: all; see --list)")
	from := fs.String("from", "2025-01-01", "first claim date (YYYY-MM-DD)")
	days := fs.Int("days", 365, "length of the claims range in days (120-1098)")
	noItems := fs.Bool("no-items", false, "do not write claim_items.csv")
	rules := fs.Bool("rules", true, "write the bureau's rule tables for the generator's catalogue in DIR/rules (default: on unless --no-items)")
	list := fs.Bool("list", false, "list the patterns and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return err
	}
	if *list {
		for _, p := range scenarios.PatternNames() {
			kind := "look-alike"
			if scenarios.IsFraudPattern(p) {
				kind = "fraud"
			}
			fmt.Fprintf(stdout, "%-32s %s\n", p, kind)
		}
		return nil
	}
	if *out == "" {
		return graph.FieldErrorf("out", "--out is required")
	}
	cfg := scenarios.DefaultConfig(*patients, *seed)
	cfg.ScaleFraud, cfg.ScaleLookalike, cfg.Days, cfg.NoItems = *scaleFraud, *scaleLook, *days, *noItems
	// The tables describe the billing lines: written with them unless asked for explicitly.
	cfg.Rules = *rules && !*noItems
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "rules" {
			cfg.Rules = *rules
		}
	})
	t, err := time.Parse(time.DateOnly, *from)
	if err != nil {
		return graph.FieldErrorf("from", "--from must be YYYY-MM-DD, got %q", *from)
	}
	cfg.From = t
	if *pats != "" {
		for _, p := range strings.Split(*pats, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.Patterns = append(cfg.Patterns, p)
			}
		}
	}
	start := time.Now()
	s, err := scenarios.Generate(cfg)
	if err != nil {
		return err
	}
	if err := s.WriteDir(*out); err != nil {
		return err
	}
	tr := s.Truth()
	fmt.Fprintf(stdout, "wrote %s: %d patients, %d claims; %d rings, %d leads, %d look-alikes, %d fraudulent parties (%s)\n",
		*out, cfg.Patients, s.Claims(), len(tr.Rings), len(tr.Leads), len(tr.Lookalikes), len(tr.Fraudulent), time.Since(start).Round(time.Millisecond))
	return nil
}
