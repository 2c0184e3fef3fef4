package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ringtrace/ringtrace/api/referral"
)

func init() {
	register(&command{
		name:    "export",
		summary: "police referral packages: export case ID | verify ZIP | keygen",
		run:     runExport,
	})
}

func runExport(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return &exitError{code: 2, err: errors.New("usage: ringtrace export case ID --out FILE | verify ZIP [--pubkey HEX] | keygen --out FILE")}
	}
	switch args[0] {
	case "verify":
		return runExportVerify(env, args[1:])
	case "keygen":
		return runExportKeygen(env, args[1:])
	case "case":
		return runExportCase(ctx, env, args[1:])
	}
	return &exitError{code: 2, err: fmt.Errorf("unknown export subcommand %q (want case, verify or keygen)", args[0])}
}

func runExportVerify(env *Env, args []string) error {
	fs := newFlags("export verify")
	fs.String("pubkey", "", "trusted Ed25519 public key (hex); without it the key named in the manifest is used, which proves integrity but not origin")
	v, err := loadConfig(fs, args)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if fs.NArg() != 1 {
		return &exitError{code: 2, err: errors.New("usage: ringtrace export verify ZIP [--pubkey HEX]")}
	}
	var trusted []byte
	if s := v.GetString("pubkey"); s != "" {
		k, err := referral.ParsePublicKey(s)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		trusted = k
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	man, err := referral.Verify(f, fi.Size(), trusted)
	if err != nil {
		fmt.Fprintf(env.Stdout, "%s: 校验失败 / verification FAILED\n", path)
		return &exitError{code: 1, err: err}
	}
	k, _ := referral.ParsePublicKey(man.PublicKey)
	fmt.Fprintf(env.Stdout, "%s: 校验通过 / verified\n  case %s, exported by %s (%s) at %s, %s\n  %d files, signing key fingerprint %s\n",
		path, man.CaseID, man.ExportedBy, man.ExportedRole, man.ExportedAt.Format("2006-01-02 15:04:05Z07:00"), man.Software, len(man.Files), referral.Fingerprint(k))
	if trusted == nil {
		fmt.Fprintln(env.Stdout, "  note: no --pubkey given; compare the fingerprint with the one the exporting bureau published")
	}
	return nil
}

func runExportKeygen(env *Env, args []string) error {
	fs := newFlags("export keygen")
	fs.String("out", "", "where to write the new private key (must not exist)")
	v, err := loadConfig(fs, args)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	out := v.GetString("out")
	if out == "" {
		return &exitError{code: 2, err: errors.New("--out is required")}
	}
	pub, err := referral.GenerateKey(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "private key written to %s (mode 0600)\npublic key:  %x\nfingerprint: %s\n", out, []byte(pub), referral.Fingerprint(pub))
	return nil
}
