package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/ringtrace/ringtrace/api/referral"
)

// trustedKeys reads the keys `export verify` may accept: --pubkey (one key) and --trust FILE,
// a list the bureau distributes with one key per line (Ed25519 hex, or "sm2:" and hex), optionally followed by a label;
// blank lines and lines starting with # are skipped.
func trustedKeys(pubkey, trustFile string) ([]referral.PublicKey, error) {
	var keys []referral.PublicKey
	if pubkey != "" {
		k, err := referral.ParsePublicKey(pubkey)
		if err != nil {
			return nil, fmt.Errorf("--pubkey: %w", err)
		}
		keys = append(keys, k)
	}
	if trustFile == "" {
		return keys, nil
	}
	f, err := os.Open(trustFile)
	if err != nil {
		return nil, fmt.Errorf("--trust: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := referral.ParsePublicKey(strings.Fields(line)[0])
		if err != nil {
			return nil, fmt.Errorf("--trust %s line %d: %w", trustFile, n, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--trust %s: %w", trustFile, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("--trust %s: no key in the file", trustFile)
	}
	return keys, nil
}

// isTrusted reports whether the hex key that signed a manifest is one of keys.
func isTrusted(signer string, keys []referral.PublicKey) bool {
	k, err := referral.ParsePublicKey(signer)
	if err != nil {
		return false
	}
	for _, t := range keys {
		if t.Equal(k) {
			return true
		}
	}
	return false
}
