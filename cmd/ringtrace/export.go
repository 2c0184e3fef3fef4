package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/api/referral"
)

func init() {
	register(&command{
		use:     "export",
		summary: "police referral packages: export case ID | verify ZIP | keygen (移送材料)",
		long: `公安移送材料包：导出已移送案件的签名材料包、校验收到的材料包、生成签名密钥。

Police referral packages (docs/referral.md): export the signed package of a transferred case,
verify a package received, generate the bureau's signing key.`,
		example: `  # 生成签名密钥 / generate the signing key
  ringtrace export keygen --out /etc/ringtrace/signing.key

  # 导出案件材料包（服务停止时）/ export a case's package (server stopped)
  ringtrace export case AJ-2024-000123 --out AJ-2024-000123.zip --signing-key /etc/ringtrace/signing.key --user chen

  # 公安方校验 / the police verify it
  ringtrace export verify AJ-2024-000123.zip --trust trusted-keys.txt`,
		subs: []*command{{
			use:     "case ID",
			summary: "write the signed referral package of a transferred case, server stopped (导出案件材料包)",
			long: `组装已移送案件的签名材料包，与 POST /api/cases/{id}/export 相同，并记入审计记录。服务须已停止（它持有状态数据库）。

Assembles the signed referral package of a transferred case as POST /api/cases/{id}/export does,
audit-logged in the state database. The server must be stopped (it holds the state database).`,
			example: `  # 以科长身份导出 / export as a supervisor
  ringtrace export case AJ-2024-000123 --out AJ-2024-000123.zip --signing-key signing.key --user chen`,
			flags: exportCaseFlags,
			args:  exactArgs(1, "ringtrace export case ID --out FILE.zip --signing-key FILE --user NAME [--state-dir DIR] [--store …]"),
			run:   runExportCase,
		}, {
			use:     "verify ZIP",
			summary: "check a referral package's signature and files against a trusted key (校验材料包)",
			long: `校验材料包：签名与每个文件的哈希，以及签名密钥是否为受信任的密钥（--pubkey 或 --trust）。通过时退出码 0，否则 1。

Checks a package's integrity (the signature by the key its manifest names, every file's hash),
then whether that key is a trusted one (--pubkey or --trust): without that anyone could re-sign an
edited package. Exit 0 verified, 1 not.`,
			example: `  # 用医保局公布的公钥校验 / against the bureau's published key
  ringtrace export verify AJ-2024-000123.zip --pubkey 3b6a27bc…

  # 用受信任密钥清单校验 / against a trusted-keys file
  ringtrace export verify AJ-2024-000123.zip --trust trusted-keys.txt`,
			flags: func(fs *pflag.FlagSet) {
				fs.String("pubkey", "", "trusted public key of the exporting bureau (Ed25519 hex, or sm2: and hex)")
				fs.String("trust", "", "file of trusted public keys the bureau distributes (one hex key per line, # comments)")
			},
			args: exactArgs(1, "ringtrace export verify ZIP --pubkey HEX | --trust FILE"),
			run:  runExportVerify,
		}, {
			use:     "keygen",
			summary: "generate the key that signs referral packages, Ed25519 or SM2 (生成签名密钥)",
			long:    "生成签名移送材料包的私钥（文件权限 0600），并显示公钥和指纹供公布。默认 Ed25519；--algorithm sm2 生成国密 SM2 密钥（SM2/SM3 签名，GB/T 32918）。\nGenerates the private key that signs referral packages (mode 0600) and prints the public key and fingerprint to publish. Ed25519 by default; --algorithm sm2 makes a 国密 SM2 key (SM2 signature with SM3, GB/T 32918).",
			example: "  # 生成密钥 / generate the key\n  ringtrace export keygen --out /etc/ringtrace/signing.key\n  # 国密 SM2 密钥 / a national-standard SM2 key\n  ringtrace export keygen --algorithm sm2 --out /etc/ringtrace/signing-sm2.key",
			flags: func(fs *pflag.FlagSet) {
				fs.String("out", "", "where to write the new private key (must not exist)")
				fs.String("algorithm", "ed25519", "signature algorithm: ed25519 or sm2 (国密 SM2/SM3)")
			},
			run: runExportKeygen,
		}},
	})
}

func runExportVerify(ctx context.Context, env *Env, v *viper.Viper, fs *pflag.FlagSet) error {
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
	man, err := referral.Verify(f, fi.Size(), referral.PublicKey{})
	if err != nil {
		fmt.Fprintf(env.Stdout, "%s: 校验失败 / verification FAILED\n", path)
		return &exitError{code: 1, err: err}
	}
	k, _ := referral.ParsePublicKey(man.PublicKey)
	fp := k.Fingerprint()
	if len(trusted) == 0 || !isTrusted(man.PublicKey, trusted) {
		fmt.Fprintf(env.Stdout, "%s: 签名者未经验证 / signer NOT verified\n  the package is intact, but it was signed by key fingerprint %s, which is not a trusted key\n  give --pubkey or --trust with the key the exporting bureau published, or confirm this fingerprint with the bureau by telephone\n", path, fp)
		return &exitError{code: 1, err: fmt.Errorf("signer %s not verified against a trusted key", fp)}
	}
	fmt.Fprintf(env.Stdout, "%s: 校验通过 / verified\n  case %s, exported by %s (%s) at %s, %s\n  %d files, %s signature, signing key fingerprint %s (trusted)\n",
		path, man.CaseID, man.ExportedBy, man.ExportedRole, man.ExportedAt.Format("2006-01-02 15:04:05Z07:00"), man.Software, len(man.Files), k.Algorithm(), fp)
	return nil
}

func runExportKeygen(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	out := v.GetString("out")
	if out == "" {
		return &exitError{code: 2, err: errors.New("--out is required")}
	}
	alg, err := referral.ParseAlgorithm(v.GetString("algorithm"))
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--algorithm: %w", err)}
	}
	pub, err := referral.GenerateKey(out, alg)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s private key written to %s (mode 0600)\npublic key:  %s\nfingerprint: %s\n", alg, out, pub, pub.Fingerprint())
	return nil
}
