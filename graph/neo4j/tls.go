package neo4j

import (
	"crypto/tls"
	"crypto/x509"
	"net/url"
	"os"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// tlsConfig returns the driver's TLS configuration: nil for plain bolt:// and neo4j:// (the
// driver then uses none), certificate checks against CAFile or the system roots for the +s
// schemes. The driver derives InsecureSkipVerify from the scheme, so the +ssc schemes (which
// accept any certificate) are refused here rather than silently trusted.
func (cfg Config) tlsConfig() (*tls.Config, error) {
	u, err := url.Parse(cfg.URI)
	if err != nil {
		return nil, graph.FieldErrorf("uri", "无效的 Neo4j 地址 / invalid Neo4j URI: %v", err)
	}
	scheme := strings.ToLower(u.Scheme)
	if strings.HasSuffix(scheme, "+ssc") {
		return nil, graph.FieldErrorf("uri", "%s:// 不校验服务器证书，请用 %s+s:// 并以 --neo4j-ca 指定证书 / %s:// accepts any certificate; use %s+s:// with --neo4j-ca",
			scheme, strings.TrimSuffix(scheme, "+ssc"), scheme, strings.TrimSuffix(scheme, "+ssc"))
	}
	encrypted := strings.HasSuffix(scheme, "+s")
	if cfg.CAFile != "" && !encrypted {
		return nil, graph.FieldErrorf("ca", "已指定 CA 证书但地址未加密，请用 bolt+s:// 或 neo4j+s:// / a CA file was given but %s:// is not encrypted; use bolt+s:// or neo4j+s://", scheme)
	}
	if !encrypted {
		return nil, nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, graph.FieldErrorf("ca", "读取 CA 证书失败 / cannot read the CA file: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, graph.FieldErrorf("ca", "%s 中没有 PEM 证书 / %s holds no PEM certificate", cfg.CAFile, cfg.CAFile)
		}
		t.RootCAs = pool
	}
	return t, nil
}
