package api

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/ringtrace/ringtrace/api/blacklist"
	"github.com/ringtrace/ringtrace/api/intake"
	"github.com/ringtrace/ringtrace/graph"
)

// RoleIntake is the whistle-blower intake desk (举报受理): it reads reports, triages them into
// leads and is the only role that may read a reporter's identity. It sees no case and no graph
// data beyond the entities it links (DOMAIN.md, whistle-blowing: the reporter's name, employer and
// address must never be disclosed).
const RoleIntake Role = "intake"

// Files of the issue-6 stores inside the state directory. They are bbolt files of their own so
// that the sealed reporter identities never share a file (or a backup) with their seal secret.
const (
	IntakeFile    = "intake.db"
	BlacklistFile = "blacklist.db"
)

// ReferralConfig configures police referral exports (移送公安证据包), whistle-blower intake (举报)
// and the blacklist (黑名单). Zero values take the defaults documented per field.
type ReferralConfig struct {
	// SigningKey signs the manifest of every referral package (Ed25519). Nil: exports are refused
	// with EUNAVAILABLE, because an unsigned package cannot prove it was not altered.
	SigningKey ed25519.PrivateKey
	// IntakeSecret derives the key that seals reporter identities. Empty: a random key kept in
	// state.db is used and a warning is logged — a copy of the whole state directory would then
	// reveal who reported, so production configures it apart (--intake-secret / env).
	IntakeSecret string
	// RewardRule is the published reward table; nil takes intake.DefaultRewardRule (Yunnan, art. 18).
	RewardRule *intake.RewardRule
	// Software is written into every manifest, e.g. "ringtrace 0.1.0".
	Software string
	// MaxReportBytes bounds the body of POST /api/reports (attachments included); default 32 MiB.
	MaxReportBytes int64
	// ReportsPerMinute bounds public submissions and failed receipt look-ups per client address
	// (after a burst of 10); default 5.
	ReportsPerMinute int
}

func (c *ReferralConfig) defaults() error {
	if c.RewardRule == nil {
		r := intake.DefaultRewardRule()
		c.RewardRule = &r
	}
	if err := c.RewardRule.Validate(); err != nil {
		return fmt.Errorf("reward rule: %w", err)
	}
	if c.Software == "" {
		c.Software = "ringtrace"
	}
	if c.MaxReportBytes <= 0 {
		c.MaxReportBytes = 32 << 20
	}
	if c.ReportsPerMinute <= 0 {
		c.ReportsPerMinute = 5
	}
	return nil
}

// referralService holds the issue-6 stores of one server.
type referralService struct {
	cfg       ReferralConfig
	intake    *intake.Store
	blacklist *blacklist.Store
	// submissions limits public report submissions per address; every submission takes a token.
	submissions *loginLimiter
	// lookups limits failed receipt-code look-ups per address, as logins are limited: a receipt
	// code has 80 random bits, and the limit keeps guessing from costing the server anything.
	lookups *loginLimiter
}

// openReferral opens the intake and blacklist databases in the state directory. It needs the
// state database (for the fallback seal key) and the case store (for the blacklist's case check).
func (s *Server) openReferral(rc ReferralConfig) (*referralService, error) {
	if err := rc.defaults(); err != nil {
		return nil, err
	}
	var sealKey []byte
	if rc.IntakeSecret != "" {
		sealKey = intake.SealKeyFromSecret(rc.IntakeSecret)
	} else {
		k, err := s.state.secret("intake_seal_key")
		if err != nil {
			return nil, err
		}
		sealKey = k
		s.log.Warn("no intake secret configured (--intake-secret): reporter identities are sealed with a key kept in state.db; a copy of the state directory would reveal them")
	}
	in, err := intake.Open(filepath.Join(s.cfg.StateDir, IntakeFile), sealKey, *rc.RewardRule)
	if err != nil {
		return nil, fmt.Errorf("open intake: %w", err)
	}
	in.SetClock(s.cfg.Now)
	bl, err := blacklist.Open(filepath.Join(s.cfg.StateDir, BlacklistFile), s.blacklistCheck)
	if err != nil {
		in.Close()
		return nil, fmt.Errorf("open blacklist: %w", err)
	}
	return &referralService{cfg: rc, intake: in, blacklist: bl,
		submissions: newLoginLimiter(rc.ReportsPerMinute, 10, s.cfg.Now),
		lookups:     newLoginLimiter(rc.ReportsPerMinute, 10, s.cfg.Now)}, nil
}

// Close closes both databases.
func (rs *referralService) Close() error {
	if rs == nil {
		return nil
	}
	err1 := rs.intake.Close()
	err2 := rs.blacklist.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// blacklistCheck is the blacklist's CaseCheck: only a party of a closed case can be listed
// (DOMAIN.md: repeat offenders confirmed in closed cases go on the blacklist).
func (s *Server) blacklistCheck(_ context.Context, caseID string, entity graph.Ref) error {
	s.cases.mu.RLock()
	defer s.cases.mu.RUnlock()
	c, ok := s.cases.cases[caseID]
	if !ok {
		return fieldErr("case_id", "案件不存在", "no such case")
	}
	if c.Status != StatusClosed {
		return userErr(graph.ECONFLICT, "只有已结案案件的当事方可以列入黑名单", "only parties of a closed case can be blacklisted")
	}
	if !slices.Contains(c.Parties, entity) {
		return userErr(graph.ECONFLICT, "该实体不是此案件的当事方", "the entity is not a party of that case")
	}
	return nil
}

// annotateDetector wraps a detector so that every new run's findings mark blacklisted parties
// (blacklist.Annotate): a flagged party that is a repeat offender shows it in the findings.
func (rs *referralService) annotateDetector(det Detector, now func() time.Time) Detector {
	return func(ctx context.Context, src graph.Scanner, params json.RawMessage, progress func(string, float64)) (graph.Findings, error) {
		f, err := det(ctx, src, params, progress)
		if err != nil {
			return f, err
		}
		listed, err := rs.blacklist.Active(ctx, now())
		if err != nil {
			return f, fmt.Errorf("blacklist: %w", err)
		}
		blacklist.Annotate(&f, listed)
		return f, nil
	}
}

// referralSvc returns the server's issue-6 stores (nil only while New is still building it).
func (s *Server) referralSvc() *referralService { return s.referral }
