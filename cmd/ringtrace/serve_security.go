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
	fs.Int("reads-per-minute", 600, "graph reads per minute per user (after a burst of --read-burst); over it: 429, audited as a count")
	fs.Int("read-burst", 120, "graph reads a user may make at once")
	fs.Int("ring-cache", 512, "aggregated ring pictures kept in memory for 5 minutes (0: none)")
	fs.Int64("audit-segment-bytes", 4<<20, "live audit records (bytes) sealed into a compressed segment file under <state-dir>/audit/")
	fs.Int64("disk-warn-free", 1<<30, "free bytes on the state directory's disk below which /readyz and ringtrace_state_disk_low warn")
}

// applyServeSecurity fills cfg's read limits, disk warning and TLS from the flags; both or
// neither TLS file must be given.
func applyServeSecurity(v *viper.Viper, cfg *api.Config) error {
	cfg.ReadsPerMinute, cfg.ReadBurst, cfg.DiskWarnFreeBytes = v.GetInt("reads-per-minute"), v.GetInt("read-burst"), v.GetInt64("disk-warn-free")
	cfg.RingPictureCache = v.GetInt("ring-cache")
	if cfg.RingPictureCache == 0 {
		cfg.RingPictureCache = -1 // the flag's 0 is "none"; the Config's zero is "the default"
	}
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
