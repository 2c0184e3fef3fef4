package main

import (
	"errors"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/api"
)

// addServeSecurityFlags adds serve's transport and audit-trust flags.
func addServeSecurityFlags(fs *pflag.FlagSet) {
	fs.String("tls-cert", "", "PEM certificate (chain) for direct HTTPS (TLS 1.3, HSTS); with --tls-key")
	fs.String("tls-key", "", "PEM private key of --tls-cert")
	fs.Bool("accept-broken-audit", false, "start even though the audit chain does not verify (the acceptance is audited and shown on /readyz)")
}

// applyServeSecurity fills cfg's TLS from the flags; both or neither must be given.
func applyServeSecurity(v *viper.Viper, cfg *api.Config) error {
	cert, key := v.GetString("tls-cert"), v.GetString("tls-key")
	if cert == "" && key == "" {
		return nil
	}
	if cert == "" || key == "" {
		return &exitError{2, errTLSPair}
	}
	t, err := api.LoadTLS(cert, key)
	if err != nil {
		return &exitError{1, err}
	}
	cfg.TLS = t
	return nil
}

var errTLSPair = errors.New("--tls-cert and --tls-key go together")
