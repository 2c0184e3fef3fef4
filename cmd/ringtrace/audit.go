package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ringtrace/ringtrace/api/audit"
)

func init() {
	register(&command{
		name:    "audit",
		summary: "verify the hash-chained audit trail (操作留痕校验): audit verify [--state-dir DIR]",
		run:     runAudit,
	})
}

// runAudit is `ringtrace audit verify [--state-dir DIR | --db DIR]`. It exits 0 when the chain
// holds, 1 naming the first broken record when it does not, 2 for bad usage. The server must be
// stopped (it holds the database lock); a running server verifies through GET /api/audit/verify.
func runAudit(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return &exitError{2, errors.New("usage: ringtrace audit verify [--state-dir DIR]")}
	}
	dir, err := offlineStateDir("audit verify", args[1:])
	if err != nil || dir == "" {
		return err
	}
	res, err := audit.VerifyDir(dir)
	if err != nil {
		if errors.Is(err, audit.ErrBroken) {
			fmt.Fprintf(env.Stdout, "审计记录被篡改 / audit trail BROKEN: first bad record %d: %s (%d records verified before it)\n", res.FirstBroken, res.Reason, res.Records)
		}
		return &exitError{1, err}
	}
	fmt.Fprintf(env.Stdout, "审计记录完整 / audit trail OK: %d records, head %s\n", res.Records, res.Head)
	return nil
}
