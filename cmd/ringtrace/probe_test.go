package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/api/state"
)

// A package signed by an unknown key — a forgery re-signed with a fresh key is one — does not
// pass `export verify`: without a trusted key it says the signer is not verified and exits 1. This
// holds for Ed25519 and SM2 (国密) bureau keys alike, and for a forger using the other algorithm.
func TestExportVerifyNeedsATrustedKey(t *testing.T) {
	for _, algs := range [][2]referral.Algorithm{{referral.Ed25519, referral.Ed25519}, {referral.SM2, referral.SM2}, {referral.SM2, referral.Ed25519}, {referral.Ed25519, referral.SM2}} {
		t.Run(string(algs[0])+" bureau, "+string(algs[1])+" forger", func(t *testing.T) {
			dir := t.TempDir()
			bureau, forger := cliKey(t, dir, "bureau", algs[0]), cliKey(t, dir, "forger", algs[1])
			write := func(name string, key referral.PrivateKey) string {
				var buf bytes.Buffer
				c := referral.Case{ID: "AJ-2024-000123", Title: "共同就诊", Status: "transferred", Parties: []referral.Party{}}
				if _, err := referral.Build(&buf, c, referral.Meta{ExportedBy: "chen", ExportedAt: time.Date(2024, 7, 2, 8, 0, 0, 0, time.UTC)}, key); err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			genuine, forged := write("genuine.zip", bureau), write("forged.zip", forger)
			pub := bureau.Public().String()
			trust := filepath.Join(dir, "trusted-keys.txt")
			if err := os.WriteFile(trust, []byte("# 某市医保局\n"+pub+" city-bureau\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name string
				args []string
				code int
				says string
			}{
				{"forgery without a key", []string{forged}, 1, "signer NOT verified"},
				{"genuine without a key", []string{genuine}, 1, "signer NOT verified"},
				{"forgery against the bureau key", []string{forged, "--pubkey", pub}, 1, "signer NOT verified"},
				{"forgery against the trust file", []string{forged, "--trust", trust}, 1, "signer NOT verified"},
				{"genuine against the bureau key", []string{genuine, "--pubkey", pub}, 0, string(algs[0]) + " signature"},
				{"genuine against the trust file", []string{genuine, "--trust", trust}, 0, "(trusted)"},
			} {
				code, out, _ := runCLI(t, append([]string{"export", "verify"}, tc.args...)...)
				if code != tc.code || !strings.Contains(out, tc.says) {
					t.Errorf("%s: exit %d, output %q; want exit %d saying %q", tc.name, code, out, tc.code, tc.says)
				}
			}
		})
	}
}

// cliKey makes a key with `ringtrace export keygen` and loads it as export case and serve do.
func cliKey(t *testing.T, dir, name string, alg referral.Algorithm) referral.PrivateKey {
	t.Helper()
	path := filepath.Join(dir, name+".key")
	if code, out, errOut := runCLI(t, "export", "keygen", "--algorithm", string(alg), "--out", path); code != 0 || !strings.Contains(out, "fingerprint:") {
		t.Fatalf("keygen %s: exit %d, %s %s", alg, code, out, errOut)
	}
	k, err := referral.LoadPrivateKey(path)
	if err != nil || k.Algorithm() != alg {
		t.Fatalf("load %s key: %v (algorithm %s)", alg, err, k.Algorithm())
	}
	return k
}

// `audit verify` on a state.db cut in half exits 1 naming the file, not with a fault trace.
func TestAuditVerifyOnTruncatedState(t *testing.T) {
	dir := t.TempDir()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if _, err := st.Secret("filler-" + strings.Repeat("x", i)); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	p := filepath.Join(dir, state.File)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "audit", "verify", "--state-dir", dir)
	if code != 1 || !strings.Contains(errOut, p) || !strings.Contains(errOut, "damaged") {
		t.Fatalf("audit verify of a truncated state.db: exit %d, stderr %q", code, errOut)
	}
}
