package referral

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"

	"github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
)

// Algorithm names a signature scheme a package can be signed with.
type Algorithm string

const (
	// Ed25519 is the default signature (RFC 8032).
	Ed25519 Algorithm = "Ed25519"
	// SM2 is the national (国密) signature: SM2 over its own curve with the SM3 digest and the
	// standard default signer ID, GB/T 32918.2 / GM/T 0003.2, signature ASN.1 DER-encoded.
	SM2 Algorithm = "SM2-SM3"
)

// sm2Prefix marks the text form of SM2 keys, so that key files, trust files and manifests say
// which algorithm a key belongs to. Ed25519 keys keep their bare hex form of earlier releases.
const sm2Prefix = "sm2:"

// ParseAlgorithm reads an algorithm name as a user types it: "ed25519" or "sm2" (any case).
func ParseAlgorithm(s string) (Algorithm, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "ed25519":
		return Ed25519, nil
	case "sm2", "sm2-sm3", "sm2sm3", "gm":
		return SM2, nil
	}
	return "", fmt.Errorf("signature algorithm %q: want ed25519 or sm2", s)
}

// PublicKey is a signer's public key: 32 bytes for Ed25519, the 65-byte uncompressed point for SM2.
type PublicKey struct {
	alg Algorithm
	raw []byte
}

// Algorithm is the scheme this key verifies.
func (k PublicKey) Algorithm() Algorithm { return k.alg }

// IsZero reports whether k holds no key.
func (k PublicKey) IsZero() bool { return len(k.raw) == 0 }

// String is the text form of the key: bare hex for Ed25519, "sm2:" and hex for SM2. ParsePublicKey
// reads it back; manifests, trust files and --pubkey use it.
func (k PublicKey) String() string {
	if k.alg == SM2 {
		return sm2Prefix + hex.EncodeToString(k.raw)
	}
	return hex.EncodeToString(k.raw)
}

// Equal reports whether k and o are the same key of the same algorithm.
func (k PublicKey) Equal(o PublicKey) bool { return k.alg == o.alg && bytes.Equal(k.raw, o.raw) }

// Fingerprint is a short printable digest of the key (first 16 hex digits) for reading out over
// the phone: SHA-256 of the key for Ed25519, SM3 for SM2.
func (k PublicKey) Fingerprint() string {
	if k.alg == SM2 {
		h := sm3.Sum(k.raw)
		return hex.EncodeToString(h[:8])
	}
	h := sha256.Sum256(k.raw)
	return hex.EncodeToString(h[:8])
}

// Verify reports whether sig is k's valid signature of msg.
func (k PublicKey) Verify(msg, sig []byte) bool {
	switch k.alg {
	case Ed25519:
		return len(k.raw) == ed25519.PublicKeySize && ed25519.Verify(ed25519.PublicKey(k.raw), msg, sig)
	case SM2:
		pub, err := sm2PublicKey(k.raw)
		return err == nil && sm2.VerifyASN1WithSM2(pub, nil, msg, sig)
	}
	return false
}

// PrivateKey signs packages with one of the algorithms.
type PrivateKey struct {
	alg Algorithm
	ed  ed25519.PrivateKey
	sm  *sm2.PrivateKey
	pub PublicKey
}

// Ed25519Key wraps an Ed25519 private key.
func Ed25519Key(k ed25519.PrivateKey) PrivateKey {
	if len(k) != ed25519.PrivateKeySize {
		return PrivateKey{}
	}
	return PrivateKey{alg: Ed25519, ed: k, pub: PublicKey{alg: Ed25519, raw: []byte(k.Public().(ed25519.PublicKey))}}
}

// SM2KeyFromScalar builds an SM2 private key from its 32-byte big-endian scalar.
func SM2KeyFromScalar(d []byte) (PrivateKey, error) {
	ek, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("SM2 private key: %w", err)
	}
	pubRaw := ek.PublicKey().Bytes()
	pk, err := sm2PublicKey(pubRaw)
	if err != nil {
		return PrivateKey{}, err
	}
	priv := &sm2.PrivateKey{}
	priv.PublicKey = *pk
	priv.D = new(big.Int).SetBytes(d)
	return PrivateKey{alg: SM2, sm: priv, pub: PublicKey{alg: SM2, raw: pubRaw}}, nil
}

// Valid reports whether k holds a key.
func (k PrivateKey) Valid() bool { return k.ed != nil || k.sm != nil }

// Algorithm is the scheme k signs with.
func (k PrivateKey) Algorithm() Algorithm { return k.alg }

// Public is k's public key.
func (k PrivateKey) Public() PublicKey { return k.pub }

// Sign signs msg. Ed25519 signatures are deterministic; SM2 signatures are randomised, so two
// packages built from the same case with an SM2 key differ in manifest.sig only.
func (k PrivateKey) Sign(msg []byte) ([]byte, error) {
	switch {
	case k.ed != nil:
		return ed25519.Sign(k.ed, msg), nil
	case k.sm != nil:
		return k.sm.SignWithSM2(rand.Reader, nil, msg)
	}
	return nil, errors.New("referral: no signing key configured")
}

// text is the key file form: hex Ed25519 seed, or "sm2:" and the hex scalar.
func (k PrivateKey) text() string {
	if k.sm != nil {
		d := make([]byte, 32)
		k.sm.D.FillBytes(d)
		return sm2Prefix + hex.EncodeToString(d)
	}
	return hex.EncodeToString(k.ed.Seed())
}

// GenerateKey writes a new private key of algorithm alg to path with mode 0600, refusing to
// overwrite an existing file, and returns its public key. An Ed25519 key file holds the hex-encoded
// 32-byte seed; an SM2 key file holds "sm2:" and the hex-encoded 32-byte scalar.
func GenerateKey(path string, alg Algorithm) (PublicKey, error) {
	var k PrivateKey
	switch alg {
	case Ed25519, "":
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return PublicKey{}, err
		}
		k = Ed25519Key(priv)
	case SM2:
		ek, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			return PublicKey{}, err
		}
		if k, err = SM2KeyFromScalar(ek.Bytes()); err != nil {
			return PublicKey{}, err
		}
	default:
		return PublicKey{}, fmt.Errorf("signature algorithm %q: want %s or %s", alg, Ed25519, SM2)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return PublicKey{}, fmt.Errorf("signing key %s: %w", path, err)
	}
	if _, err := fmt.Fprintln(f, k.text()); err != nil {
		f.Close()
		return PublicKey{}, fmt.Errorf("signing key %s: %w", path, err)
	}
	return k.Public(), f.Close()
}

// LoadPrivateKey reads a private key written by GenerateKey; the file's form says its algorithm.
func LoadPrivateKey(path string) (PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("signing key: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if rest, ok := strings.CutPrefix(strings.ToLower(s), sm2Prefix); ok {
		d, err := hex.DecodeString(rest)
		if err != nil || len(d) != 32 {
			return PrivateKey{}, fmt.Errorf("signing key %s: want %s and 32 hex-encoded bytes", path, sm2Prefix)
		}
		k, err := SM2KeyFromScalar(d)
		if err != nil {
			return PrivateKey{}, fmt.Errorf("signing key %s: %w", path, err)
		}
		return k, nil
	}
	seed, err := hex.DecodeString(s)
	if err != nil || len(seed) != ed25519.SeedSize {
		return PrivateKey{}, fmt.Errorf("signing key %s: want %d hex-encoded bytes (Ed25519) or %s and 32 hex-encoded bytes (SM2)", path, ed25519.SeedSize, sm2Prefix)
	}
	return Ed25519Key(ed25519.NewKeyFromSeed(seed)), nil
}

// ParsePublicKey parses the text form of a public key: 64 hex digits for Ed25519; "sm2:" and the
// 130 hex digits of the uncompressed point for SM2 (the bare 130 hex digits are accepted too, as
// other 国密 tools print them).
func ParsePublicKey(s string) (PublicKey, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	rest, sm := strings.CutPrefix(s, sm2Prefix)
	b, err := hex.DecodeString(rest)
	if err != nil {
		return PublicKey{}, errors.New("public key: not hex")
	}
	if sm || len(b) == 65 {
		if _, err := sm2PublicKey(b); err != nil {
			return PublicKey{}, err
		}
		return PublicKey{alg: SM2, raw: b}, nil
	}
	if len(b) != ed25519.PublicKeySize {
		return PublicKey{}, fmt.Errorf("public key: want %d hex-encoded bytes (Ed25519) or %s and 65 (SM2)", ed25519.PublicKeySize, sm2Prefix)
	}
	return PublicKey{alg: Ed25519, raw: b}, nil
}

// Fingerprint returns k.Fingerprint().
func Fingerprint(k PublicKey) string { return k.Fingerprint() }

// sm2PublicKey checks that raw is an uncompressed point on the SM2 curve and returns it as the
// key sm2 verifies with.
func sm2PublicKey(raw []byte) (*ecdsa.PublicKey, error) {
	if _, err := ecdh.P256().NewPublicKey(raw); err != nil || len(raw) != 65 {
		return nil, errors.New("public key: not an uncompressed point on the SM2 curve")
	}
	// gmsm v0.15.5 takes SM2 keys as ecdsa.PublicKey with big.Int coordinates, and the standard
	// library's replacement parser knows only the NIST curves; the point was validated just above.
	//lint:ignore SA1019 no other constructor for an SM2 key in this gmsm version
	pub := &ecdsa.PublicKey{Curve: sm2.P256(), X: new(big.Int).SetBytes(raw[1:33]), Y: new(big.Int).SetBytes(raw[33:])}
	return pub, nil
}
