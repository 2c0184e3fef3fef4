package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/api/export"
	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/api/state"
)

// exportCaseFlags are the flags of `ringtrace export case`.
func exportCaseFlags(fs *pflag.FlagSet) {
	addStoreFlags(fs)
	fs.String("out", "", "where to write the ZIP package (must not exist)")
	fs.String("state-dir", "", "the server's state directory (default: state/ beside --db, or ringtrace-data/state for neo4j)")
	fs.String("signing-key", "", "private key file, Ed25519 or SM2 (ringtrace export keygen)")
	fs.String("user", "", "exporting user: an existing supervisor, or a police user for a case transferred to police")
}

// runExportCase is `ringtrace export case ID --out FILE.zip --signing-key FILE --user NAME
// [--state-dir DIR] [store flags]`: the signed referral package of a transferred case, assembled
// as POST /api/cases/{id}/export does and audit-logged in the state database. The server must be
// stopped (it holds the state database).
func runExportCase(ctx context.Context, env *Env, v *viper.Viper, fs *pflag.FlagSet) error {
	usage := errors.New("usage: ringtrace export case ID --out FILE.zip --signing-key FILE --user NAME [--state-dir DIR] [--store …]")
	out, keyPath, user := v.GetString("out"), v.GetString("signing-key"), v.GetString("user")
	switch {
	case out == "":
		return &exitError{code: 2, err: fmt.Errorf("--out is required\n%w", usage)}
	case keyPath == "":
		return &exitError{code: 2, err: fmt.Errorf("--signing-key is required\n%w", usage)}
	case user == "":
		return &exitError{code: 2, err: fmt.Errorf("--user is required\n%w", usage)}
	}
	key, err := referral.LoadPrivateKey(keyPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	sc, err := storeConfig(v)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	stateDir := stateDir(v, sc.Kind)
	if _, err := os.Stat(filepath.Join(stateDir, state.File)); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("state database: %w (give --state-dir)", err)}
	}
	if _, err := os.Stat(out); err == nil {
		return &exitError{code: 2, err: fmt.Errorf("%s already exists; not overwritten", out)}
	}
	store, err := openStore(ctx, sc)
	if err != nil {
		// The usual cause with the embedded store is a running server holding its lock.
		return &exitError{code: 1, err: fmt.Errorf("%w (is `ringtrace serve` running? it holds the store and the state database: stop it, or export with POST /api/cases/%s/export)", err, fs.Arg(0))}
	}
	defer store.Close()
	// Write to a temporary file beside the target and rename it into place, so that a failed
	// export never leaves a half-written package that looks like a real one.
	f, err := os.CreateTemp(filepath.Dir(out), ".referral-*.zip")
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	man, err := export.Offline(ctx, export.Options{StateDir: stateDir, Store: store, SigningKey: key, Username: user, Software: "ringtrace " + Version}, fs.Arg(0), f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if err := os.Rename(tmp, out); err != nil {
		return &exitError{code: 1, err: err}
	}
	fmt.Fprintf(env.Stdout, "%s: case %s, %d files, exported by %s (%s), signing key fingerprint %s\n",
		out, man.CaseID, len(man.Files), man.ExportedBy, man.ExportedRole, key.Public().Fingerprint())
	return nil
}
