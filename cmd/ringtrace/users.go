package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/api/accounts"
)

func init() {
	register(&command{
		use:     "users",
		summary: "list users or reset a password with the server stopped: users list | users reset-password USER (账号恢复)",
		long: `服务停止时的账号恢复命令。日常的用户管理通过 API（管理员角色）进行；这里是没有管理员能登录时的恢复途径。

Offline account recovery with the server stopped. Everyday user management goes through the API
(admin role); this is the path back when no admin can log in. A reset is recorded in the audit trail.`,
		example: `  # 列出用户 / list the users
  ringtrace users list --state-dir ringtrace-data/state

  # 重置管理员密码 / reset the admin's password
  ringtrace users reset-password admin`,
		subs: []*command{{
			use:     "list",
			summary: "list the users, their roles and whether they are disabled (列出用户)",
			long:    "列出所有用户、角色和停用状态（服务须已停止）。\nLists every user with role, display name and whether disabled (server stopped).",
			example: "  # 列出用户 / list the users\n  ringtrace users list --state-dir ringtrace-data/state",
			flags:   addOfflineStateFlags,
			run:     runUsersList,
		}, {
			use:     "reset-password USER",
			summary: "give USER a one-time password, to be changed at the next login (重置密码)",
			long:    "为用户生成一次性密码，下次登录时必须修改；重置记入审计记录（服务须已停止）。\nGives USER a one-time password that must be changed at the next login; the reset is audited (server stopped).",
			example: "  # 重置管理员密码 / reset the admin's password\n  ringtrace users reset-password admin --state-dir ringtrace-data/state",
			flags:   addOfflineStateFlags,
			args:    exactArgs(1, "ringtrace users reset-password USER [--state-dir DIR]"),
			run:     runUsersResetPassword,
		}},
	})
}

// runUsersList is `ringtrace users list [--state-dir DIR]`.
func runUsersList(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	us, err := accounts.ListUsers(offlineStateDir(v))
	if err != nil {
		return &exitError{1, err}
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tDISPLAY NAME\tDISABLED")
	for _, u := range us {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", u.Username, u.Role, u.DisplayName, u.Disabled)
	}
	return tw.Flush()
}

// runUsersResetPassword is `ringtrace users reset-password USER [--state-dir DIR]`.
func runUsersResetPassword(ctx context.Context, env *Env, v *viper.Viper, fs *pflag.FlagSet) error {
	pw, err := accounts.ResetPassword(offlineStateDir(v), fs.Arg(0))
	if err != nil {
		return &exitError{1, err}
	}
	fmt.Fprintf(env.Stdout, "one-time password for %s: %s (must be changed at next login)\n", fs.Arg(0), pw)
	return nil
}
