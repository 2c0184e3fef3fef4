package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/api/audit"
)

func init() {
	register(&command{
		use:     "audit",
		summary: "the hash-chained audit trail (操作留痕): audit verify [--state-dir DIR]",
		long: `操作留痕（哈希链审计记录）的离线命令。服务运行时请用 GET /api/audit/verify。

Offline commands on the hash-chained audit trail of a stopped server (it holds the database
lock); a running server verifies through GET /api/audit/verify.`,
		example: `  # 校验审计链 / verify the chain
  ringtrace audit verify --state-dir ringtrace-data/state`,
		subs: []*command{{
			use:     "verify",
			summary: "verify the hash-chained audit trail, server stopped (校验审计记录)",
			long: `逐条校验审计链（含已封存的分段文件）：完整时退出码 0 并显示记录数和链头；被篡改或缺失时退出码 1，指出第一条坏记录。

Verifies every record of the audit chain, sealed segments included. Exit 0 when the chain holds
(records and head printed), 1 naming the first broken record or missing segment, 2 for bad usage.`,
			example: `  # 校验默认状态目录 / verify the default state directory
  ringtrace audit verify

  # 指定状态目录 / a given state directory
  ringtrace audit verify --state-dir /var/lib/ringtrace/state`,
			flags: addOfflineStateFlags,
			run:   runAuditVerify,
		}},
	})
}

// runAuditVerify is `ringtrace audit verify [--state-dir DIR | --db DIR]`. It exits 0 when the
// chain holds, 1 naming the first broken record when it does not.
func runAuditVerify(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	res, err := audit.VerifyDir(offlineStateDir(v))
	if err != nil {
		if errors.Is(err, audit.ErrBroken) {
			fmt.Fprintf(env.Stdout, "审计记录被篡改 / audit trail BROKEN: first bad record %d: %s (%d records verified before it)\n", res.FirstBroken, res.Reason, res.Records)
		}
		return &exitError{1, err}
	}
	fmt.Fprintf(env.Stdout, "审计记录完整 / audit trail OK: %d records, head %s\n", res.Records, res.Head)
	return nil
}
