// Command ringtrace is RingTrace's one binary: it generates sample data, ingests claims exports,
// runs ring detection, serves the investigation API and web UI, and exports referral packages.
//
// This package is wiring only: configuration (viper: file, RINGTRACE_* env vars, flags) → stores →
// services → server. It is the only importer of viper and the only place that knows every package.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand. Each lives in its own file and registers itself in init.
type command struct {
	name    string
	summary string // one line, English
	run     func(ctx context.Context, env *Env, args []string) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("ringtrace: duplicate command " + c.name)
	}
	commands[c.name] = c
}

// Env is what a subcommand gets from the process: its streams and whether stderr is a terminal.
type Env struct {
	Stdout, Stderr io.Writer
	IsTTY          bool
	Logger         *slog.Logger
}

// exitError carries a specific exit code out of a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &Env{
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		IsTTY:  isTerminal(os.Stderr),
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, env *Env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(env.Stdout, "ringtrace", Version)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "ringtrace: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	if err := c.run(ctx, env, args[1:]); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintf(env.Stderr, "ringtrace %s: %v\n", c.name, ee.err)
			}
			return ee.code
		}
		fmt.Fprintf(env.Stderr, "ringtrace %s: %v\n", c.name, err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ringtrace <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "  version    print the version")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'ringtrace <command> --help' for a command's flags.")
	fmt.Fprintln(w, "Every flag can also be set in the config file (--config) or as RINGTRACE_<FLAG> (dashes become underscores).")
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
