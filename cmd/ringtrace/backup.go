package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/api/state/backup"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

func init() {
	register(&command{
		name:    "backup",
		summary: "write a consistent backup of the state directory and the embedded graph store, also while the server runs (备份): backup --out FILE [--state-dir DIR] [--db DIR]",
		run:     runBackup,
	})
	register(&command{
		name:    "restore",
		summary: "restore a backup into an empty state directory (and graph store) (恢复): restore --in FILE [--state-dir DIR] [--db DIR] [--force]",
		run:     runRestore,
	})
}

// runBackup is `ringtrace backup --out FILE [--state-dir DIR] [--db DIR] [--no-graph]`. With the
// server running it asks the server over <state-dir>/backup.sock (the archive then holds the
// server's embedded store, if that is its store); with the server stopped it opens the databases
// itself. The archive is checked against its manifest before it is given its name.
func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("backup")
	fs.String("out", "", "archive to write (.tar.gz)")
	fs.Bool("no-graph", false, "server stopped: leave the embedded graph store (--db) out")
	dir, v, err := offlineStateDirConfig(fs, args)
	if err != nil || dir == "" {
		return err
	}
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
func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("restore")
	fs.String("in", "", "archive written by ringtrace backup")
	fs.Bool("force", false, "restore over non-empty directories, moving them aside to <dir>.before-restore-<time>")
	dir, v, err := offlineStateDirConfig(fs, args)
	if err != nil || dir == "" {
		return err
	}
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

// offlineStateDirConfig is offlineStateDirFlags returning the parsed configuration too.
func offlineStateDirConfig(fs *pflag.FlagSet, args []string) (string, interface {
	GetString(string) string
	GetBool(string) bool
}, error) {
	fs.String("state-dir", "", "the server's state directory (default: state/ beside --db)")
	fs.String("db", "ringtrace-data/graph", "embedded store directory")
	v, err := loadConfig(fs, args)
	if err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return "", nil, nil
		}
		return "", nil, &exitError{2, err}
	}
	return stateDir(v, "embedded"), v, nil
}
