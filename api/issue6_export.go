package api

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ringtrace/ringtrace/api/referral"
	"github.com/ringtrace/ringtrace/graph"
	bolt "go.etcd.io/bbolt"
)

// ExportOptions configures ExportCase, the command-line export of a referral package.
type ExportOptions struct {
	StateDir   string             // the server's state directory (state.db)
	Store      GraphStore         // the graph store the server reads
	SigningKey ed25519.PrivateKey // signs the manifest
	Username   string             // an existing supervisor or police user, recorded as the exporter
	Software   string             // e.g. "ringtrace 0.1.0"
	Now        func() time.Time   // default time.Now
}

// ErrStateLocked is wrapped by ExportCase's error when another process (normally a running
// `ringtrace serve`) holds the state database.
var ErrStateLocked = errors.New("the state database is locked by another process")

// ExportCase writes the signed referral package of a transferred case to w, as the API's export
// does, and appends the export to the audit trail in the state database with the manifest's
// digest. It applies the same rule: only a transferred case, exported by a supervisor (any
// destination) or a police user (cases transferred to police). The server must not be running:
// it holds the state database, and the audit chain must have one writer.
func ExportCase(ctx context.Context, o ExportOptions, caseID string, w io.Writer) (referral.Manifest, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Software == "" {
		o.Software = "ringtrace"
	}
	if len(o.SigningKey) != ed25519.PrivateKeySize {
		return referral.Manifest{}, graph.FieldErrorf("signing-key", "a signing key is required (ringtrace export keygen --out FILE)")
	}
	st, err := OpenState(o.StateDir)
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return referral.Manifest{}, fmt.Errorf("%w (%s): stop `ringtrace serve` first, or export through POST /api/cases/%s/export", ErrStateLocked, o.StateDir, caseID)
		}
		return referral.Manifest{}, err
	}
	defer st.Close()
	var u User
	if err := st.db.View(func(tx *bolt.Tx) error { return getJSON(tx, bucketUsers, o.Username, &u) }); err != nil {
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			return referral.Manifest{}, graph.FieldErrorf("user", "no user %q in %s", o.Username, o.StateDir)
		}
		return referral.Manifest{}, err
	}
	if u.Disabled {
		return referral.Manifest{}, graph.FieldErrorf("user", "user %q is disabled", o.Username)
	}
	actor := Actor{Username: u.Username, Role: u.Role, Remote: "cli"}
	cases, err := newCases(st, &WorkingDays{}, o.Now)
	if err != nil {
		return referral.Manifest{}, err
	}
	c, err := cases.Get(actor, caseID)
	if err != nil {
		return referral.Manifest{}, err
	}
	if err := checkExportable(actor, c); err != nil {
		return referral.Manifest{}, err
	}
	in := referralInput{c: c}
	if c.JobID != "" {
		err := st.db.View(func(tx *bolt.Tx) error {
			var job Job
			if err := getJSON(tx, bucketJobs, c.JobID, &job); err != nil {
				return err
			}
			in.job = &job
			var f graph.Findings
			if err := getJSON(tx, bucketFindings, c.JobID, &f); err != nil {
				return err
			}
			in.findings = &f
			return nil
		})
		if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return referral.Manifest{}, err
		}
	}
	meta := referral.Meta{ExportedBy: u.Username, ExportedRole: string(u.Role), ExportedAt: o.Now().UTC(), Software: o.Software}
	pkg, man, digest, err := buildReferral(ctx, o.Store, in, o.SigningKey, meta)
	if err != nil {
		return referral.Manifest{}, err
	}
	rec := actor.record("export_case", append(c.Parties, c.Attachments...),
		fmt.Sprintf("case %s referral package (command line): manifest sha256 %s, %d files, %d bytes", c.ID, digest, len(man.Files), len(pkg)))
	// The export is recorded before the file is written: a package that exists must have its trace.
	if err := st.db.Update(func(tx *bolt.Tx) error { _, err := appendTx(tx, o.Now(), rec); return err }); err != nil {
		return referral.Manifest{}, fmt.Errorf("audit export: %w", err)
	}
	if _, err := w.Write(pkg); err != nil {
		return referral.Manifest{}, fmt.Errorf("write package: %w", err)
	}
	return man, nil
}
