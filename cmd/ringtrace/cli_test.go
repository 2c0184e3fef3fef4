package main

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// cliContract is every command and flag in use before the CLI moved to cobra (README, Makefile,
// scripts, docs): they are a contract and must keep parsing.
var cliContract = map[string][]string{
	"generate": {"config", "out", "patients", "seed", "from", "to", "regions", "ring-rate", "ring-size-min", "ring-size-max",
		"ring-public-share", "lending-rate", "pharmacy-collection-rate", "collection-size-min", "collection-size-max", "deceased-rate",
		"household-rate", "chronic-clinic-rate", "checkup-rate", "pharmacy-rush-rate", "coding-error-rate", "proxy-purchase-rate",
		"dialysis-rate", "therapy-rate", "split-admission-rate", "chemo-rate", "early-readmission-rate", "cross-region-rate", "claims-per-patient", "death-rate", "inpatient-rate-scale", "encoding",
		"headers", "no-items", "messy", "thin"},
	"ingest": {"config", "store", "db", "neo4j-uri", "neo4j-user", "neo4j-password", "neo4j-database", "neo4j-ca", "data", "rejects",
		"mapping", "batch", "neo4j-import-data", "neo4j-lib", "neo4j-import-threads", "neo4j-workers", "neo4j-batch", "embedded-sorted"},
	"detect": {"config", "store", "db", "neo4j-uri", "neo4j-user", "neo4j-password", "neo4j-database", "neo4j-ca", "data", "out", "params",
		"labels", "region", "by-region", "region-workers", "seed", "window-minutes", "min-covisit-days", "min-ring-score", "resolution", "large-claim-yuan", "high-frequency-per-year"},
	"eval": {"config", "truth", "findings", "k", "json", "labels", "data"},
	"serve": {"config", "store", "db", "neo4j-uri", "neo4j-user", "neo4j-password", "neo4j-database", "neo4j-ca", "listen", "state-dir",
		"admin-password", "session-ttl", "holidays", "max-inflight", "queue-wait", "request-timeout", "max-body", "login-per-minute",
		"shutdown-timeout", "log-format", "no-ui", "signing-key", "intake-secret", "reward-config", "rules", "behind-proxy", "tls-cert",
		"tls-key", "accept-broken-audit", "reads-per-minute", "read-burst", "ring-cache", "audit-segment-bytes", "disk-warn-free"},
	"audit verify":         {"config", "state-dir", "db"},
	"users list":           {"config", "state-dir", "db"},
	"users reset-password": {"config", "state-dir", "db"},
	"backup":               {"config", "out", "no-graph", "state-dir", "db"},
	"restore":              {"config", "in", "force", "state-dir", "db"},
	"export case": {"config", "store", "db", "neo4j-uri", "neo4j-user", "neo4j-password", "neo4j-database", "neo4j-ca", "out", "state-dir",
		"signing-key", "user"},
	"export verify": {"config", "pubkey", "trust"},
	"export keygen": {"config", "out", "algorithm"},
}

func testRoot(t *testing.T) *cobra.Command {
	t.Helper()
	root, _ := newRoot(&Env{Stdout: io.Discard, Stderr: io.Discard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return root
}

// Every flag of the contract is still there and parses with a value of its type: the line
// `<command> --flag=<its default> --help` gets past the flag parser (exit 0).
func TestCLIContractFlagsParse(t *testing.T) {
	root := testRoot(t)
	for path, flags := range cliContract {
		cmd, rest, err := root.Find(strings.Fields(path))
		if err != nil || len(rest) != 0 || cmd.CommandPath() != "ringtrace "+path {
			t.Errorf("%s: command not found (%v, %v)", path, rest, err)
			continue
		}
		for _, name := range flags {
			f := cmd.Flags().Lookup(name)
			if f == nil {
				f = cmd.InheritedFlags().Lookup(name)
			}
			if f == nil {
				t.Errorf("%s: flag --%s is gone", path, name)
				continue
			}
			val := f.DefValue
			if f.Value.Type() == "bool" {
				val = "true"
			}
			args := append(strings.Fields(path), "--"+name+"="+val, "--help")
			if code, _, stderr := runCLI(t, args...); code != 0 {
				t.Errorf("%v: exit %d: %s", args, code, stderr)
			}
		}
	}
}

// Every command and subcommand answers --help with exit 0, a summary, a description and an
// example; help goes to stdout.
func TestCLIHelpEverywhere(t *testing.T) {
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == cobra.ShellCompRequestCmd || c.Name() == cobra.ShellCompNoDescRequestCmd {
			return
		}
		n++
		path := strings.Fields(c.CommandPath())[1:]
		code, out, stderr := runCLI(t, append(path, "--help")...)
		if code != 0 {
			t.Errorf("%s --help: exit %d: %s", c.CommandPath(), code, stderr)
		}
		if c.Short == "" || c.Long == "" || c.Example == "" {
			t.Errorf("%s: summary %q, description %d chars, example %d chars", c.CommandPath(), c.Short, len(c.Long), len(c.Example))
		}
		if !strings.Contains(out, "Examples:") || !strings.Contains(out, c.Short) && c.Long == "" {
			t.Errorf("%s --help prints no examples:\n%s", c.CommandPath(), out)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(testRoot(t))
	if n < len(cliContract)+5 {
		t.Errorf("only %d commands walked", n)
	}
	for _, args := range [][]string{{"-h"}, {"help"}, {"help", "detect"}} {
		if code, out, _ := runCLI(t, args...); code != 0 || !strings.Contains(out, "detect") {
			t.Errorf("%v: exit %d: %s", args, code, out)
		}
	}
}

// Bad usage exits 2 and suggests the nearest name.
func TestCLIUsageErrorsSuggest(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"detecct"}, "Did you mean this?\n\tdetect"},
		{[]string{"ingset"}, "ingest"},
		{[]string{"detect", "--outt", "x.json"}, "--out"},
		{[]string{"serve", "--listn", "127.0.0.1:0"}, "--listen"},
		{[]string{"audit", "verfy"}, "verify"},
		{[]string{"export", "verfy", "x.zip"}, "verify"},
		{[]string{"users"}, "list, reset-password"},
		{[]string{"export", "verify"}, "usage: ringtrace export verify ZIP"},
		{[]string{"users", "reset-password", "a", "b"}, "usage: ringtrace users reset-password USER"},
		{[]string{"detect", "extra-argument"}, `unexpected argument "extra-argument"`},
		{[]string{"generate", "--patients", "many"}, "--patients"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 with %q", tc.args, code, stderr, tc.want)
		}
	}
	if code, _, stderr := runCLI(t); code != 2 || !strings.Contains(stderr, "Available Commands") {
		t.Errorf("no arguments: exit %d, stderr %q", code, stderr)
	}
	if code, out, _ := runCLI(t, "version"); code != 0 || strings.TrimSpace(out) != "ringtrace "+Version {
		t.Errorf("version: exit %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "--version"); code != 0 || strings.TrimSpace(out) != "ringtrace "+Version {
		t.Errorf("--version: exit %d %q", code, out)
	}
}

// `ringtrace completion bash|zsh|fish` writes the scripts; the bash one is valid bash.
func TestCLICompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, stderr := runCLI(t, "completion", sh)
		if code != 0 || !strings.Contains(out, "ringtrace") || len(out) < 1000 {
			t.Fatalf("completion %s: exit %d, %d bytes: %s", sh, code, len(out), stderr)
		}
		if sh != "bash" {
			continue
		}
		p := filepath.Join(t.TempDir(), "ringtrace.bash")
		if err := os.WriteFile(p, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command("bash", "-n", p).CombinedOutput(); err != nil {
			t.Fatalf("bash -n on the completion script: %v: %s", err, b)
		}
	}
	// The completion of a partial command name offers the command.
	if code, out, _ := runCLI(t, cobra.ShellCompNoDescRequestCmd, "det"); code != 0 || !strings.Contains(out, "detect") {
		t.Errorf("__complete det: exit %d %q", code, out)
	}
}

// The one binding resolves a flag from the command line, then RINGTRACE_*, then the config
// file, then the default.
func TestCLIConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ringtrace.yaml")
	if err := os.WriteFile(cfg, []byte("out: from-file.json\nk: 7\ndata: from-file-dir\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RINGTRACE_DATA", "from-env-dir")
	root := testRoot(t)
	cmd, _, err := root.Find([]string{"detect"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.ParseFlags([]string{"--config", cfg, "--seed", "11"}); err != nil {
		t.Fatal(err)
	}
	v, err := bindConfig(cmd.Flags())
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"seed":     "11",           // flag
		"data":     "from-env-dir", // env over file
		"out":      "from-file.json",
		"db":       "ringtrace-data/graph", // default
		"store":    "embedded",
		"neo4j-ca": "",
	} {
		if got := v.GetString(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	t.Setenv("RINGTRACE_SEED", "12")
	if v.GetString("seed") != "11" {
		t.Errorf("the environment beat a flag given on the command line")
	}
}
