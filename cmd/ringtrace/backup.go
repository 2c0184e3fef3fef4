package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/api/state/backup"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

func init() {
	register(&command{
		use:     "backup",
		summary: "write a consistent backup of the state directory and the embedded graph store, also while the server runs (备份)",
		long: `写出状态目录（用户、案件、任务、发现、审计记录）和嵌入式图存储的一致性备份（.tar.gz）。服务运行时通过
<state-dir>/backup.sock 请服务器写出；服务停止时直接打开数据库。备份写完后按清单校验，再改为正式文件名。

Writes a consistent backup (.tar.gz) of the state directory and the embedded graph store. With the
server running it asks the server over <state-dir>/backup.sock; with the server stopped it opens
the databases itself. The archive is checked against its manifest before it gets its name.`,
		example: `  # 备份（服务运行时也可）/ back up, also while the server runs
  ringtrace backup --out backups/ringtrace-$(date +%F).tar.gz --state-dir ringtrace-data/state

  # 只备份状态目录 / the state directory only (server stopped)
  ringtrace backup --out state-only.tar.gz --no-graph`,
		flags: func(fs *pflag.FlagSet) {
			fs.String("out", "", "archive to write (.tar.gz)")
			fs.Bool("no-graph", false, "server stopped: leave the embedded graph store (--db) out")
			addOfflineStateFlags(fs)
		},
		run: runBackup,
	})
	register(&command{
		use:     "restore",
		summary: "restore a backup into an empty state directory (and graph store), server stopped (恢复)",
		long: `把 ringtrace backup 写出的备份恢复到空的状态目录（和图存储目录），并校验恢复后的审计链。目录非空时拒绝，
除非给出 --force（原目录移到 <dir>.before-restore-<时间>）。服务须已停止。

Restores an archive written by ringtrace backup into an empty state directory (and graph store
directory) and verifies the restored audit chain. Non-empty directories are refused unless
--force moves them aside to <dir>.before-restore-<time>. The server must be stopped.`,
		example: `  # 恢复到新目录 / into new directories
  ringtrace restore --in backups/ringtrace-2024-07-01.tar.gz --state-dir /srv/rt/state --db /srv/rt/graph

  # 覆盖现有目录（原目录保留在旁边）/ over existing directories, kept aside
  ringtrace restore --in backups/ringtrace-2024-07-01.tar.gz --force`,
		flags: func(fs *pflag.FlagSet) {
			fs.String("in", "", "archive written by ringtrace backup")
			fs.Bool("force", false, "restore over non-empty directories, moving them aside to <dir>.before-restore-<time>")
			addOfflineStateFlags(fs)
		},
		run: runRestore,
	})
}

// runBackup is `ringtrace backup --out FILE [--state-dir DIR] [--db DIR] [--no-graph]`. With the
// server running it asks the server over <state-dir>/backup.sock (the archive then holds the
// server's embedded store, if that is its store); with the server stopped it opens the databases
// itself. The archive is checked against its manifest before it is given its name.
func runBackup(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	dir := offlineStateDir(v)
	out := v.GetString("out")
	if out == "" {
		return &exitError{2, errors.New("backup: --out FILE is required")}
	}
	part := out + ".partial"
	f, err := os.OpenFile(part, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return &exitError{1, err}
	}
	defer os.Remove(part)
	mode := "offline"
	// A running server holds the state database: ask it.
	probe, err := state.OpenReadOnly(dir)
	switch {
	case errors.Is(err, state.ErrLocked):
		mode = "online"
		err = backup.Request(filepath.Join(dir, backup.SocketFile), f)
	case err == nil:
		probe.Close()
		if _, serr := os.Stat(v.GetString("db")); serr == nil && !v.GetBool("no-graph") {
			err = backupStoppedWithGraph(f, dir, v.GetString("db"))
		} else {
			_, err = backup.WriteStopped(f, dir, nil, time.Now())
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &exitError{1, fmt.Errorf("backup: %w", err)}
	}
	m, err := checkArchive(part)
	if err != nil {
		return &exitError{1, fmt.Errorf("backup: the archive written does not check: %w", err)}
	}
	if err := os.Rename(part, out); err != nil {
		return &exitError{1, err}
	}
	fmt.Fprintf(env.Stdout, "备份完成 / backup written (%s): %s, %d files, %d audit records (head %s), graph store %v\n", mode, out, len(m.Files), m.AuditSeq, m.AuditHead, m.Graph)
	return nil
}

func backupStoppedWithGraph(f *os.File, stateDir, db string) error {
	st, err := embedded.Open(db)
	if err != nil {
		return fmt.Errorf("open embedded store %s (give --no-graph to leave it out): %w", db, err)
	}
	defer st.Close()
	_, err = backup.WriteStopped(f, stateDir, st, time.Now())
	return err
}

func checkArchive(path string) (backup.Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return backup.Manifest{}, err
	}
	defer f.Close()
	return backup.Check(f)
}

// runRestore is `ringtrace restore --in FILE [--state-dir DIR] [--db DIR] [--force]`, with the
// server stopped.
func runRestore(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	dir := offlineStateDir(v)
	in := v.GetString("in")
	if in == "" {
		return &exitError{2, errors.New("restore: --in FILE is required")}
	}
	f, err := os.Open(in)
	if err != nil {
		return &exitError{1, err}
	}
	defer f.Close()
	res, err := backup.Restore(f, dir, v.GetString("db"), v.GetBool("force"), time.Now())
	if err != nil {
		return &exitError{1, fmt.Errorf("restore: %w", err)}
	}
	for _, a := range res.MovedAside {
		fmt.Fprintf(env.Stdout, "moved aside: %s\n", a)
	}
	where := dir
	if res.Manifest.Graph {
		where += " and " + v.GetString("db")
	}
	fmt.Fprintf(env.Stdout, "恢复完成 / restored into %s: backup of %s, audit trail OK: %d records, head %s\n", where, res.Manifest.CreatedAt.Format(time.RFC3339), res.Audit.Records, res.Audit.Head)
	return nil
}
