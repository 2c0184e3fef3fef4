package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/ringtrace/ringtrace/api/accounts"
)

func init() {
	register(&command{
		name:    "users",
		summary: "list users or reset a password with the server stopped: users list | users reset-password USER",
		run:     runUsers,
	})
}

// runUsers is `ringtrace users list|reset-password USER [--state-dir DIR]`. Everyday user
// management goes through the API (admin role); this is the recovery path when no admin can log
// in. The reset is recorded in the audit trail.
func runUsers(ctx context.Context, env *Env, args []string) error {
	usage := errors.New("usage: ringtrace users list | ringtrace users reset-password USER [--state-dir DIR]")
	if len(args) == 0 {
		return &exitError{2, usage}
	}
	sub := args[0]
	fs := newFlags("users " + sub)
	dir, err := offlineStateDirFlags(fs, args[1:])
	if err != nil || dir == "" {
		return err
	}
	switch sub {
	case "list":
		us, err := accounts.ListUsers(dir)
		if err != nil {
			return &exitError{1, err}
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tDISPLAY NAME\tDISABLED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", u.Username, u.Role, u.DisplayName, u.Disabled)
		}
		return tw.Flush()
	case "reset-password":
		if fs.NArg() != 1 {
			return &exitError{2, usage}
		}
		pw, err := accounts.ResetPassword(dir, fs.Arg(0))
		if err != nil {
			return &exitError{1, err}
		}
		fmt.Fprintf(env.Stdout, "one-time password for %s: %s (must be changed at next login)\n", fs.Arg(0), pw)
		return nil
	}
	return &exitError{2, usage}
}
