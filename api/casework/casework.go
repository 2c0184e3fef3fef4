package casework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/accounts"
	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/blacklist"
	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/intake"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/api/masking"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/api/state/backup"
	"github.com/ringtrace/ringtrace/graph"
)

// Files of the intake and blacklist stores inside the state directory. They are bbolt files of
// their own so that the sealed reporter identities never share a file (or a backup) with their
// seal secret.
const (
	IntakeFile    = "intake.db"
	BlacklistFile = "blacklist.db"
)

// Config configures Open. Zero values take the defaults documented per field.
type Config struct {
	StateDir  string         // required: where state.db lives
	Source    jobs.Source    // required: the graph detection jobs read
	StoreKind string         // "embedded" or "neo4j", recorded in job snapshots
	Detection jobs.Detection // required
	Calendar  *cases.WorkingDays

	// AdminPassword is the password of the "admin" user created when there are no users. When
	// empty a random one is generated and written once to AdminPasswordOut.
	AdminPassword    string
	AdminPasswordOut io.Writer

	SessionTTL time.Duration // default 8h
	BcryptCost int           // default bcrypt.DefaultCost

	// IntakeSecret derives the key that seals reporter identities. Empty: a random key kept in
	// state.db is used and a warning is logged — a copy of the whole state directory would then
	// reveal who reported, so production configures it apart (--intake-secret / env).
	IntakeSecret string
	// RewardRule is the published reward table; nil takes intake.DefaultRewardRule (Yunnan, art. 18).
	RewardRule *intake.RewardRule

	// AcceptBrokenAudit lets Open go on when the audit chain does not verify (an operator's
	// decision after reading the cause); the acceptance is itself audited and Services.AuditBroken
	// says what was accepted, for the supervisors' banner. Without it Open refuses a broken chain.
	AcceptBrokenAudit bool
	// AuditSegmentBytes is the live size at which audit records are sealed into a segment file;
	// default audit.DefaultSegmentBytes.
	AuditSegmentBytes int64

	Logger *slog.Logger     // default: discard
	Now    func() time.Time // default time.Now
}

// Services are the core services over one state directory.
type Services struct {
	State     *state.DB
	Audit     *audit.Log
	Accounts  *accounts.Accounts
	Cases     *cases.Cases
	Jobs      *jobs.Jobs
	Masker    *masking.Masker
	Intake    *intake.Store
	Blacklist *blacklist.Store
	// backups answers `ringtrace backup` on <state-dir>/backup.sock while the services run.
	backups  *backup.Server
	stateDir string
	source   jobs.Source
	now      func() time.Time
	// AuditBroken is the cause of a broken audit chain accepted at start (AcceptBrokenAudit);
	// empty when the chain verified.
	AuditBroken string
}

// Open opens the databases in c.StateDir, creates the first admin when there are no users, and
// starts the job worker and the audit writer. Close stops them and closes the databases.
func Open(c Config) (*Services, error) {
	if c.StateDir == "" {
		return nil, errors.New("casework: Config.StateDir is required")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AdminPasswordOut == nil {
		c.AdminPasswordOut = io.Discard
	}
	rule := intake.DefaultRewardRule()
	if c.RewardRule != nil {
		rule = *c.RewardRule
	}
	if err := rule.Validate(); err != nil {
		return nil, fmt.Errorf("reward rule: %w", err)
	}
	st, err := state.Open(c.StateDir)
	if err != nil {
		return nil, err
	}
	s := &Services{State: st}
	fail := func(err error) (*Services, error) {
		s.Close()
		return nil, err
	}
	key, err := st.Secret("pseudonym_key")
	if err != nil {
		return fail(err)
	}
	if s.Masker, err = masking.NewMasker(key); err != nil {
		return fail(err)
	}
	s.Accounts = accounts.New(st, accounts.Options{BcryptCost: c.BcryptCost, SessionTTL: c.SessionTTL, Now: c.Now})
	pw, created, err := s.Accounts.EnsureAdmin(c.AdminPassword)
	if err != nil {
		return fail(err)
	}
	if pw != "" {
		// Printed once, to the operator's terminal, never to the log.
		fmt.Fprintf(c.AdminPasswordOut, "ringtrace: created user admin with one-time password %s — change it at first login\n", pw)
	}
	if created {
		c.Logger.Info("created first admin user", "username", "admin", "generated_password", pw != "")
	}
	if s.Cases, err = cases.Open(st, c.Calendar, c.Now); err != nil {
		return fail(err)
	}
	var sealKey []byte
	if c.IntakeSecret != "" {
		sealKey = intake.SealKeyFromSecret(c.IntakeSecret)
	} else {
		if sealKey, err = st.Secret("intake_seal_key"); err != nil {
			return fail(err)
		}
		c.Logger.Warn("no intake secret configured (--intake-secret): reporter identities are sealed with a key kept in state.db; a copy of the state directory would reveal them")
	}
	if s.Intake, err = intake.Open(filepath.Join(c.StateDir, IntakeFile), sealKey, rule); err != nil {
		return fail(fmt.Errorf("open intake: %w", err))
	}
	s.Intake.SetClock(c.Now)
	if s.Blacklist, err = blacklist.Open(filepath.Join(c.StateDir, BlacklistFile), s.Cases.PartyOfClosedCase); err != nil {
		return fail(fmt.Errorf("open blacklist: %w", err))
	}
	// New detection runs mark blacklisted parties in their findings.
	annotate := func(ctx context.Context, f *graph.Findings) error { return s.Blacklist.AnnotateActive(ctx, f, c.Now()) }
	if s.Jobs, err = jobs.New(jobs.Config{State: st, Source: c.Source, StoreKind: c.StoreKind, Detection: c.Detection,
		Annotate: annotate, Logger: c.Logger, Now: c.Now}); err != nil {
		return fail(err)
	}
	// The trail is checked before anything can be appended to it: a server that starts on an
	// edited or shortened chain would hide the damage behind fresh records.
	v, err := audit.VerifyDB(st)
	if err != nil {
		return fail(err)
	}
	s.Audit = audit.New(st, c.Now)
	s.Audit.SetSegmentBytes(c.AuditSegmentBytes)
	if !v.OK {
		cause := fmt.Sprintf("record %d: %s", v.FirstBroken, v.Reason)
		if !c.AcceptBrokenAudit {
			return fail(fmt.Errorf("%w at %s — run `ringtrace audit verify --state-dir %s`, restore the state directory from a backup (`ringtrace restore`), or start with --accept-broken-audit to go on knowingly", audit.ErrBroken, cause, c.StateDir))
		}
		s.AuditBroken = cause
		c.Logger.Error("audit chain broken; started anyway (--accept-broken-audit)", "cause", cause)
		if err := s.Audit.Append(context.Background(), audit.Record{Actor: "(operator)", Action: "accept_broken_audit", Detail: cause}); err != nil {
			return fail(err)
		}
	}
	s.stateDir, s.source, s.now = c.StateDir, c.Source, c.Now
	if s.backups, err = backup.Listen(filepath.Join(c.StateDir, backup.SocketFile), s.Backup, c.Logger); err != nil {
		// The server still serves; backups then need it stopped.
		c.Logger.Warn("online backup unavailable", "err", err)
	}
	return s, nil
}

// Backup writes a consistent archive of the state directory (and of the graph store when it is
// the embedded one) while the services run; the backup is itself audited.
func (s *Services) Backup(w io.Writer) (backup.Manifest, error) {
	if err := s.Audit.Append(context.Background(), audit.Record{Actor: "(operator)", Action: "backup"}); err != nil {
		return backup.Manifest{}, err
	}
	src := backup.Source{State: s.State.Bolt(), StateDir: s.stateDir,
		Others: map[string]*bolt.DB{IntakeFile: s.Intake.Bolt(), BlacklistFile: s.Blacklist.Bolt()}}
	if cp, ok := s.source.(backup.Checkpointer); ok {
		src.Graph = cp
	}
	return backup.Write(w, src, s.now())
}

// Close cancels running jobs, flushes the audit trail and closes the databases. It is safe on
// partly opened services.
func (s *Services) Close() error {
	if s.backups != nil {
		_ = s.backups.Close()
	}
	if s.Jobs != nil {
		s.Jobs.Close()
	}
	if s.Audit != nil {
		s.Audit.Close()
	}
	var errs []error
	if s.Intake != nil {
		if err := s.Intake.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close intake: %w", err))
		}
	}
	if s.Blacklist != nil {
		if err := s.Blacklist.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close blacklist: %w", err))
		}
	}
	if err := s.State.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close state: %w", err))
	}
	return errors.Join(errs...)
}
