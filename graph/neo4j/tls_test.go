package neo4j_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	neo "github.com/ringtrace/ringtrace/graph/neo4j"
	"github.com/ringtrace/ringtrace/graph/storetest"
)

// The TLS tests need the server started with NEO4J_BOLT_TLS_DIR (.ci/test.sh does, with a
// certificate it generates) and RTTEST_NEO4J_TLS_CA naming that certificate.
const envTLSCA = "RTTEST_NEO4J_TLS_CA"

// tlsConfig is the test server's configuration over bolt+s:// with the generated certificate
// as the trusted CA; the test is skipped when the server does not serve TLS.
func tlsConfig(t testing.TB) neo.Config {
	t.Helper()
	cfg := testConfig(t)
	ca := os.Getenv(envTLSCA)
	if ca == "" {
		t.Skipf("%s is not set: the test server does not serve TLS", envTLSCA)
	}
	cfg.URI = strings.Replace(cfg.URI, "bolt://", "bolt+s://", 1)
	cfg.URI = strings.Replace(cfg.URI, "neo4j://", "neo4j+s://", 1)
	cfg.CAFile = ca
	return cfg
}

// TestConformanceOverTLS runs the whole store conformance suite over an encrypted connection
// whose server certificate is checked against the CA given.
func TestConformanceOverTLS(t *testing.T) {
	cfg := tlsConfig(t)
	storetest.RunAll(t, func(t *testing.T) graph.Store {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		s, err := neo.Open(ctx, cfg)
		if err != nil {
			t.Fatalf("Open(%s): %v", cfg.URI, err)
		}
		wipe(t, testConfig(t))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// selfSigned writes a self-signed certificate for 127.0.0.1 that the server does not use.
func selfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "not-the-server"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "other.crt")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTLSCertificateIsChecked: an encrypted connection to a server whose certificate is not
// signed by the trusted CA (the system roots, or another CA) is refused.
func TestTLSCertificateIsChecked(t *testing.T) {
	good := tlsConfig(t)
	for name, ca := range map[string]string{"system roots": "", "another CA": selfSigned(t)} {
		t.Run(name, func(t *testing.T) {
			cfg := good
			cfg.CAFile = ca
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := neo.Open(ctx, cfg)
			if err == nil {
				s.Close()
				t.Fatalf("connected over %s trusting %s", cfg.URI, name)
			}
			if graph.ErrorCode(err) != graph.EUNAVAILABLE {
				t.Fatalf("error code %v: %v", graph.ErrorCode(err), err)
			}
		})
	}
}

// TestTLSConfigurationRefused: the schemes that skip the certificate check and a CA without an
// encrypted scheme are configuration errors naming the field, before any connection.
func TestTLSConfigurationRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ uri, ca, field string }{
		{"bolt+ssc://127.0.0.1:1", "", "uri"},
		{"neo4j+ssc://127.0.0.1:1", "", "uri"},
		{"bolt://127.0.0.1:1", "/nonexistent.crt", "ca"},
		{"bolt+s://127.0.0.1:1", "/nonexistent.crt", "ca"},
	} {
		_, err := neo.Open(ctx, neo.Config{URI: tc.uri, CAFile: tc.ca})
		if err == nil || graph.ErrorField(err) != tc.field {
			t.Errorf("%s with CA %q: %v, want an error on field %s", tc.uri, tc.ca, err, tc.field)
		}
	}
}
