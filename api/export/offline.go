package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// Options configures Offline, the command-line export of a referral package.
type Options struct {
	StateDir   string              // the server's state directory (state.db)
	Store      Graph               // the graph store the server reads
	SigningKey referral.PrivateKey // signs the manifest (Ed25519 or SM2)
	Username   string              // an existing supervisor or police user, recorded as the exporter
	Software   string              // e.g. "ringtrace 0.1.0"
	Now        func() time.Time    // default time.Now
}

// Offline writes the signed referral package of a transferred case to w, as the API's export
// does, and appends the export to the audit trail in the state database with the manifest's
// digest. It applies the same rule (Check). The server must not be running: it holds the state
// database, and the audit chain must have one writer; Offline then fails with an error wrapping
// state.ErrLocked.
func Offline(ctx context.Context, o Options, caseID string, w io.Writer) (referral.Manifest, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Software == "" {
		o.Software = "ringtrace"
	}
	if !o.SigningKey.Valid() {
		return referral.Manifest{}, graph.FieldErrorf("signing-key", "a signing key is required (ringtrace export keygen --out FILE)")
	}
	st, err := state.OpenExisting(o.StateDir)
	if err != nil {
		if errors.Is(err, state.ErrLocked) {
			return referral.Manifest{}, fmt.Errorf("%w: stop `ringtrace serve` first, or export through POST /api/cases/%s/export", err, caseID)
		}
		return referral.Manifest{}, err
	}
	defer st.Close()
	accts := accounts.New(st, accounts.Options{})
	u, err := accts.User(o.Username)
	if err != nil {
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			return referral.Manifest{}, graph.FieldErrorf("user", "no user %q in %s", o.Username, o.StateDir)
		}
		return referral.Manifest{}, err
	}
	if u.Disabled {
		return referral.Manifest{}, graph.FieldErrorf("user", "user %q is disabled", o.Username)
	}
	actor := accounts.Actor{Username: u.Username, Role: u.Role, Remote: "cli"}
	cs, err := cases.Open(st, nil, o.Now)
	if err != nil {
		return referral.Manifest{}, err
	}
	c, err := cs.Get(actor, caseID)
	if err != nil {
		return referral.Manifest{}, err
	}
	if err := Check(actor, c); err != nil {
		return referral.Manifest{}, err
	}
	in := Input{Case: c}
	if c.JobID != "" {
		if in.Job, in.Findings, err = jobs.ReadStored(st, c.JobID); err != nil {
			return referral.Manifest{}, err
		}
	}
	names, err := DisplayNames(accts)
	if err != nil {
		return referral.Manifest{}, err
	}
	meta := referral.Meta{ExportedBy: u.Username, ExportedRole: string(u.Role), Names: names, ExportedAt: o.Now().UTC(), Software: o.Software}
	pkg, man, digest, err := Build(ctx, o.Store, in, o.SigningKey, meta)
	if err != nil {
		return referral.Manifest{}, err
	}
	rec := actor.Record("export_case", append(c.Parties, c.Attachments...),
		fmt.Sprintf("case %s referral package (command line): manifest sha256 %s, %d files, %d bytes", c.ID, digest, len(man.Files), len(pkg)))
	// The export is recorded before the file is written: a package that exists must have its trace.
	if err := audit.Write(st, o.Now(), rec); err != nil {
		return referral.Manifest{}, fmt.Errorf("audit export: %w", err)
	}
	if _, err := w.Write(pkg); err != nil {
		return referral.Manifest{}, fmt.Errorf("write package: %w", err)
	}
	return man, nil
}

// DisplayNames maps every user's username to the display name the report prints.
func DisplayNames(a *accounts.Accounts) (map[string]string, error) {
	us, err := a.Users()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(us))
	for _, u := range us {
		out[u.Username] = u.DisplayName
	}
	return out, nil
}
