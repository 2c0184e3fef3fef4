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
		return &exitError{code: 2, err: errors.New("usage: ringtrace export case ID --out FILE | verify ZIP --pubkey HEX|--trust FILE | keygen --out FILE")}
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
	fs.String("pubkey", "", "trusted Ed25519 public key (hex) of the exporting bureau")
	fs.String("trust", "", "file of trusted public keys the bureau distributes (one hex key per line, # comments)")
	v, err := loadConfig(fs, args)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if fs.NArg() != 1 {
		return &exitError{code: 2, err: errors.New("usage: ringtrace export verify ZIP --pubkey HEX | --trust FILE")}
	}
	trusted, err := trustedKeys(v.GetString("pubkey"), v.GetString("trust"))
	if err != nil {
		return &exitError{code: 2, err: err}
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
	// Integrity first (signature by the key the manifest names, every file's hash); then whether
	// that key is one the reader trusts — without that, anyone can re-sign an edited package.
	man, err := referral.Verify(f, fi.Size(), nil)
	if err != nil {
		fmt.Fprintf(env.Stdout, "%s: 校验失败 / verification FAILED\n", path)
		return &exitError{code: 1, err: err}
	}
	k, _ := referral.ParsePublicKey(man.PublicKey)
	fp := referral.Fingerprint(k)
	if len(trusted) == 0 || !isTrusted(man.PublicKey, trusted) {
		fmt.Fprintf(env.Stdout, "%s: 签名者未经验证 / signer NOT verified\n  the package is intact, but it was signed by key fingerprint %s, which is not a trusted key\n  give --pubkey or --trust with the key the exporting bureau published, or confirm this fingerprint with the bureau by telephone\n", path, fp)
		return &exitError{code: 1, err: fmt.Errorf("signer %s not verified against a trusted key", fp)}
	}
	fmt.Fprintf(env.Stdout, "%s: 校验通过 / verified\n  case %s, exported by %s (%s) at %s, %s\n  %d files, signing key fingerprint %s (trusted)\n",
		path, man.CaseID, man.ExportedBy, man.ExportedRole, man.ExportedAt.Format("2006-01-02 15:04:05Z07:00"), man.Software, len(man.Files), fp)
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
