// Command ringtrace is RingTrace's one binary: it generates sample data, ingests claims exports,
// runs ring detection, serves the investigation API and web UI, and exports referral packages.
//
// This package is wiring only: configuration (cobra commands and flags, bound to viper in
// bindConfig: flags, RINGTRACE_* env vars, config file, defaults) → stores → services → server.
// It is the only importer of cobra and viper and the only place that knows every package.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// command is one subcommand or a group of them. Each top-level command lives in its own file and
// registers itself in init; cli.go turns the registry into the cobra tree.
type command struct {
	use     string // name, then the positional arguments: "verify ZIP"
	summary string // one line, English (中文 in brackets where it helps)
	long    string // what it does, Chinese and English
	example string // examples with Chinese and English comments
	// flags adds the command's own flags (--config comes from the root).
	flags func(fs *pflag.FlagSet)
	// args checks the positional arguments; nil accepts none.
	args cobra.PositionalArgs
	// run is the command; v resolves every flag (bindConfig), fs holds the parsed flags and the
	// positional arguments (fs.Args()). Nil for a group of subcommands.
	run  func(ctx context.Context, env *Env, v *viper.Viper, fs *pflag.FlagSet) error
	subs []*command
}

var commands []*command

func register(c *command) {
	for _, o := range commands {
		if o.name() == c.name() {
			panic("ringtrace: duplicate command " + c.name())
		}
	}
	commands = append(commands, c)
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

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
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

// run executes one command line and returns the exit code: 0 done, 1 the command failed, 2 bad
// usage (unknown command or flag, missing argument, invalid value), or a command's own code.
func run(ctx context.Context, args []string, env *Env) int {
	root, entered := newRoot(env)
	if len(args) == 0 {
		root.SetOut(env.Stderr)
		_ = root.Usage()
		return 2
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	name := "ringtrace"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(env.Stderr, "%s: %v\n", name, ee.err)
		}
		if ee.code == 2 && !*entered {
			fmt.Fprintf(env.Stderr, "Run '%s --help' for usage. / 用法见 '%s --help'。\n", name, name)
		}
		return ee.code
	}
	if !*entered {
		// Cobra refused the line before the command ran: an unknown command, mostly.
		fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
		fmt.Fprintf(env.Stderr, "Run '%s --help' for usage. / 用法见 '%s --help'。\n", name, name)
		return 2
	}
	fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
	return 1
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
