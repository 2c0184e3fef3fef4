package intake

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// Report statuses. The reporter sees only PublicStatus, never the case.
const (
	StatusReceived  = "received"  // 已受理
	StatusTriaged   = "triaged"   // 已转为线索 (linked to entities / a case)
	StatusConfirmed = "confirmed" // 查实
	StatusRejected  = "rejected"  // 未查实 / 不予受理
)

// Submission is what a reporter sends.
type Submission struct {
	Anonymous   bool
	Reporter    Identity // ignored when Anonymous
	Subject     string   // who is reported (an institution, a pharmacy, a person), free text
	What        string   // what happened
	Where       string
	When        string
	Attachments []Attachment
}

// Identity is the reporter's identity. It never leaves Store.Identity.
type Identity struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Employer string `json:"employer,omitempty"`
	Address  string `json:"address,omitempty"`
}

// Attachment is a file sent with a report.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"-"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
}

// Report is a report as case workers see it: no reporter identity, only whether there is one.
type Report struct {
	ID              string       `json:"id"`
	ReceivedAt      time.Time    `json:"received_at"`
	Named           bool         `json:"named"`
	Subject         string       `json:"subject"`
	What            string       `json:"what"`
	Where           string       `json:"where,omitempty"`
	When            string       `json:"when,omitempty"`
	Attachments     []Attachment `json:"attachments"`
	Status          string       `json:"status"`
	Entities        []graph.Ref  `json:"entities"`
	CaseID          string       `json:"case_id,omitempty"`
	RejectReason    string       `json:"reject_reason,omitempty"` // why the desk closed it unconfirmed (never shown to the reporter)
	ConfirmedAmount graph.Money  `json:"confirmed_amount"`
	Reward          graph.Money  `json:"reward"`
	RewardNoticeAt  time.Time    `json:"reward_notice_at,omitzero"`
	RewardClaimedAt time.Time    `json:"reward_claimed_at,omitzero"`
	Version         int          `json:"version"`
}

// PublicStatus is what a reporter sees with the receipt code.
type PublicStatus struct {
	ReceivedAt    time.Time   `json:"received_at"`
	Status        string      `json:"status"`
	StatusText    string      `json:"status_text"` // 简体中文
	Reward        graph.Money `json:"reward"`
	ClaimDeadline time.Time   `json:"claim_deadline,omitzero"`
	Claimed       bool        `json:"claimed"`
	Lapsed        bool        `json:"lapsed"`
}

var statusText = map[string]string{
	StatusReceived: "已受理，正在处理", StatusTriaged: "已转入核查", StatusConfirmed: "举报查实", StatusRejected: "经核查未能查实",
}

// Limits on a submission, so an anonymous form cannot fill the disk.
const (
	MaxTextLen        = 10_000
	MaxAttachments    = 10
	MaxAttachmentSize = 10 << 20
)

var (
	bktReports    = []byte("reports")
	bktIdentities = []byte("identities")
	bktReceipts   = []byte("receipts")
	bktBlobs      = []byte("attachments")
	bktMeta       = []byte("meta")
)

// Store keeps reports in a bbolt file of their own. Identities are sealed with AES-256-GCM under
// sealKey, so the file alone (a backup, a copied disk) does not reveal who reported.
type Store struct {
	db   *bolt.DB
	aead cipher.AEAD
	rule RewardRule
	now  func() time.Time
}

// Open opens or creates the intake database at path. sealKey must be 32 bytes.
func Open(path string, sealKey []byte, rule RewardRule) (*Store, error) {
	if len(sealKey) != 32 {
		return nil, errors.New("intake: seal key must be 32 bytes")
	}
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("intake: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktReports, bktIdentities, bktReceipts, bktBlobs, bktMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, aead: aead, rule: rule, now: time.Now}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SetClock replaces the clock used for receipt times, reward notices and lapses (the server's
// clock, so that tests and the claim deadline agree with the rest of the service).
func (s *Store) SetClock(now func() time.Time) {
	if now != nil {
		s.now = now
	}
}

// Rule returns the reward rule in force.
func (s *Store) Rule() RewardRule { return s.rule }

func checkText(field, v string, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return graph.FieldErrorf(field, "required")
	}
	if utf8.RuneCountInString(v) > MaxTextLen {
		return graph.FieldErrorf(field, "longer than %d characters", MaxTextLen)
	}
	return nil
}

// Submit stores a report and returns its id and the receipt code the reporter keeps. Only a hash
// of the code is stored, so the database cannot be used to impersonate a reporter.
func (s *Store) Submit(ctx context.Context, sub Submission) (id, receipt string, err error) {
	for _, c := range []struct {
		field, v string
		req      bool
	}{{"subject", sub.Subject, true}, {"what", sub.What, true}, {"where", sub.Where, false}, {"when", sub.When, false}} {
		if err := checkText(c.field, c.v, c.req); err != nil {
			return "", "", err
		}
	}
	if !sub.Anonymous && strings.TrimSpace(sub.Reporter.Name) == "" {
		return "", "", graph.FieldErrorf("reporter.name", "required unless the report is anonymous")
	}
	if len(sub.Attachments) > MaxAttachments {
		return "", "", graph.FieldErrorf("attachments", "at most %d files", MaxAttachments)
	}
	r := Report{ReceivedAt: s.now().UTC(), Named: !sub.Anonymous, Subject: sub.Subject, What: sub.What,
		Where: sub.Where, When: sub.When, Status: StatusReceived, Entities: []graph.Ref{}, Attachments: []Attachment{}, Version: 1}
	for i, a := range sub.Attachments {
		if len(a.Data) > MaxAttachmentSize {
			return "", "", graph.FieldErrorf(fmt.Sprintf("attachments[%d]", i), "larger than %d bytes", MaxAttachmentSize)
		}
		sum := sha256.Sum256(a.Data)
		r.Attachments = append(r.Attachments, Attachment{Name: a.Name, ContentType: a.ContentType, Size: len(a.Data), SHA256: hex.EncodeToString(sum[:])})
	}
	code := make([]byte, 10)
	if _, err := rand.Read(code); err != nil {
		return "", "", err
	}
	receipt = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(code)
	err = s.db.Update(func(tx *bolt.Tx) error {
		seq, _ := tx.Bucket(bktReports).NextSequence()
		r.ID = fmt.Sprintf("JB-%s-%06d", r.ReceivedAt.Format("2006"), seq)
		if err := putJSON(tx.Bucket(bktReports), r.ID, r); err != nil {
			return err
		}
		rh := receiptHash(receipt)
		if err := tx.Bucket(bktReceipts).Put(rh, []byte(r.ID)); err != nil {
			return err
		}
		for i, a := range sub.Attachments {
			if err := tx.Bucket(bktBlobs).Put([]byte(fmt.Sprintf("%s/%d", r.ID, i)), a.Data); err != nil {
				return err
			}
		}
		if !sub.Anonymous {
			plain, err := json.Marshal(sub.Reporter)
			if err != nil {
				return err
			}
			nonce := make([]byte, s.aead.NonceSize())
			if _, err := rand.Read(nonce); err != nil {
				return err
			}
			sealed := s.aead.Seal(nonce, nonce, plain, []byte(r.ID))
			if err := tx.Bucket(bktIdentities).Put([]byte(r.ID), sealed); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", "", fmt.Errorf("intake: submit: %w", err)
	}
	return r.ID, receipt, nil
}

func receiptHash(code string) []byte {
	h := sha256.Sum256([]byte("ringtrace-receipt\x00" + strings.ToUpper(strings.TrimSpace(code))))
	return h[:]
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), buf)
}

func (s *Store) get(tx *bolt.Tx, id string) (Report, error) {
	var r Report
	v := tx.Bucket(bktReports).Get([]byte(id))
	if v == nil {
		return r, graph.Errorf(graph.ENOTFOUND, "report %s not found", id)
	}
	return r, json.Unmarshal(v, &r)
}

// Report returns one report without identity.
func (s *Store) Report(ctx context.Context, id string) (Report, error) {
	var r Report
	err := s.db.View(func(tx *bolt.Tx) (err error) { r, err = s.get(tx, id); return err })
	return r, err
}

// Reports lists reports, newest first.
func (s *Store) Reports(ctx context.Context) ([]Report, error) {
	out := []Report{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return state.Each(tx, bktReports, func(_ []byte, r Report) error { out = append(out, r); return nil })
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, err
}

// Attachment returns the bytes of one attachment.
func (s *Store) Attachment(ctx context.Context, id string, i int) (Attachment, error) {
	var a Attachment
	err := s.db.View(func(tx *bolt.Tx) error {
		r, err := s.get(tx, id)
		if err != nil {
			return err
		}
		if i < 0 || i >= len(r.Attachments) {
			return graph.Errorf(graph.ENOTFOUND, "report %s has no attachment %d", id, i)
		}
		a = r.Attachments[i]
		a.Data = append([]byte(nil), tx.Bucket(bktBlobs).Get([]byte(fmt.Sprintf("%s/%d", id, i)))...)
		return nil
	})
	return a, err
}

// Identity returns the reporter's identity; only the intake role may be allowed to call it.
// ENOTFOUND for anonymous reports.
func (s *Store) Identity(ctx context.Context, id string) (Identity, error) {
	var ident Identity
	err := s.db.View(func(tx *bolt.Tx) error {
		sealed := tx.Bucket(bktIdentities).Get([]byte(id))
		if sealed == nil {
			return graph.Errorf(graph.ENOTFOUND, "report %s has no reporter identity (anonymous or unknown)", id)
		}
		ns := s.aead.NonceSize()
		if len(sealed) < ns {
			return errors.New("intake: sealed identity truncated")
		}
		plain, err := s.aead.Open(nil, sealed[:ns], sealed[ns:], []byte(id))
		if err != nil {
			return fmt.Errorf("intake: identity of %s cannot be unsealed (wrong key or tampered): %w", id, err)
		}
		return json.Unmarshal(plain, &ident)
	})
	return ident, err
}

// update applies fn to a report under optimistic concurrency: version must match (0 skips the check).
func (s *Store) update(id string, version int, fn func(tx *bolt.Tx, r *Report) error) (Report, error) {
	var out Report
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := s.get(tx, id)
		if err != nil {
			return err
		}
		if version != 0 && r.Version != version {
			return graph.Errorf(graph.ECONFLICT, "report %s was changed by someone else (version %d, yours %d)", id, r.Version, version)
		}
		if err := fn(tx, &r); err != nil {
			return err
		}
		r.Version++
		out = r
		return putJSON(tx.Bucket(bktReports), id, r)
	})
	return out, err
}

// Triage links a report to entities and, optionally, to the case it feeds.
func (s *Store) Triage(ctx context.Context, id string, version int, entities []graph.Ref, caseID string) (Report, error) {
	for i, e := range entities {
		if !e.Type.IsParty() || e.ID == "" {
			return Report{}, graph.FieldErrorf(fmt.Sprintf("entities[%d]", i), "must be a patient, doctor, institution or pharmacy with an id")
		}
	}
	return s.update(id, version, func(_ *bolt.Tx, r *Report) error {
		if r.Status == StatusConfirmed || r.Status == StatusRejected {
			return graph.Errorf(graph.ECONFLICT, "report %s is already %s", id, r.Status)
		}
		r.Entities = append([]graph.Ref{}, entities...)
		r.CaseID = caseID
		r.Status = StatusTriaged
		return nil
	})
}

// Reject closes a report as not confirmed, with the desk's reason.
func (s *Store) Reject(ctx context.Context, id string, version int, reason string) (Report, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Report{}, graph.FieldErrorf("reason", "a reason is required to reject a report")
	}
	if len(reason) > MaxTextLen {
		return Report{}, graph.FieldErrorf("reason", "at most %d bytes", MaxTextLen)
	}
	return s.update(id, version, func(_ *bolt.Tx, r *Report) error {
		if r.Status == StatusConfirmed {
			return graph.Errorf(graph.ECONFLICT, "report %s is already confirmed", id)
		}
		r.Status = StatusRejected
		r.RejectReason = reason
		return nil
	})
}

// ConfirmCase records that the case caseID confirmed amount of fund money involved. Every report
// linked to the case becomes confirmed; the reward goes to the first named report received (only
// the first reporter is rewarded, DOMAIN.md) and its notice time starts the claim period. It
// returns the reports it changed.
func (s *Store) ConfirmCase(ctx context.Context, caseID string, amount graph.Money) ([]Report, error) {
	if caseID == "" {
		return nil, graph.FieldErrorf("case_id", "required")
	}
	if amount < 0 {
		return nil, graph.FieldErrorf("confirmed_amount", "must not be negative")
	}
	var changed []Report
	now := s.now().UTC()
	err := s.db.Update(func(tx *bolt.Tx) error {
		var linked []Report
		err := tx.Bucket(bktReports).ForEach(func(_, v []byte) error {
			var r Report
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if r.CaseID == caseID && r.Status != StatusRejected {
				linked = append(linked, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(linked) == 0 {
			return graph.Errorf(graph.ENOTFOUND, "no report is linked to case %s", caseID)
		}
		sort.Slice(linked, func(i, j int) bool {
			if !linked[i].ReceivedAt.Equal(linked[j].ReceivedAt) {
				return linked[i].ReceivedAt.Before(linked[j].ReceivedAt)
			}
			return linked[i].ID < linked[j].ID
		})
		rewarded := false
		for i := range linked {
			r := &linked[i]
			r.Status, r.ConfirmedAmount = StatusConfirmed, amount
			eligible := (!s.rule.NamedOnly || r.Named) && (!s.rule.FirstOnly || !rewarded)
			if eligible && r.Reward == 0 {
				r.Reward = s.rule.Compute(amount)
				r.RewardNoticeAt = now
				rewarded = true
			} else if r.Reward > 0 {
				rewarded = true
			}
			r.Version++
			if err := putJSON(tx.Bucket(bktReports), r.ID, *r); err != nil {
				return err
			}
			changed = append(changed, *r)
		}
		return nil
	})
	return changed, err
}

// ByReceipt returns the report a receipt code belongs to.
func (s *Store) byReceipt(tx *bolt.Tx, code string) (Report, error) {
	id := tx.Bucket(bktReceipts).Get(receiptHash(code))
	if id == nil {
		return Report{}, graph.Errorf(graph.ENOTFOUND, "unknown receipt code")
	}
	return s.get(tx, string(id))
}

// Status returns what the reporter may see for a receipt code: the status, and for a rewarded
// report the reward and the deadline to claim it. It never reveals the case or the entities.
func (s *Store) Status(ctx context.Context, code string) (PublicStatus, error) {
	var r Report
	err := s.db.View(func(tx *bolt.Tx) (err error) { r, err = s.byReceipt(tx, code); return err })
	if err != nil {
		return PublicStatus{}, err
	}
	return s.public(r), nil
}

func (s *Store) public(r Report) PublicStatus {
	ps := PublicStatus{ReceivedAt: r.ReceivedAt, Status: r.Status, StatusText: statusText[r.Status]}
	if r.Status == StatusTriaged {
		ps.Status = StatusReceived // the reporter is not told that a case exists
		ps.StatusText = statusText[StatusTriaged]
	}
	if r.Reward > 0 {
		ps.Reward = r.Reward
		ps.ClaimDeadline = s.rule.ClaimDeadline(r.RewardNoticeAt)
		ps.Claimed = !r.RewardClaimedAt.IsZero()
		ps.Lapsed = !ps.Claimed && s.now().After(ps.ClaimDeadline)
	}
	return ps
}

// ClaimReward records that the reporter holding the receipt code claimed the reward. A reward not
// claimed within the claim period has lapsed (DOMAIN.md: 30 days after notice) and is refused.
func (s *Store) ClaimReward(ctx context.Context, code string) (PublicStatus, error) {
	var ps PublicStatus
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := s.byReceipt(tx, code)
		if err != nil {
			return err
		}
		cur := s.public(r)
		switch {
		case r.Reward == 0:
			return graph.Errorf(graph.ECONFLICT, "this report has no reward to claim")
		case cur.Claimed:
			return graph.Errorf(graph.ECONFLICT, "the reward was already claimed")
		case cur.Lapsed:
			return graph.Errorf(graph.ECONFLICT, "the reward lapsed on %s, %d days after notice", cur.ClaimDeadline.Format("2006-01-02"), s.rule.ClaimDays)
		}
		r.RewardClaimedAt = s.now().UTC()
		r.Version++
		ps = s.public(r)
		return putJSON(tx.Bucket(bktReports), r.ID, r)
	})
	return ps, err
}

// SealKeyFromSecret derives the 32-byte identity seal key from a configured secret.
func SealKeyFromSecret(secret string) []byte {
	h := sha256.Sum256([]byte("ringtrace-intake-seal\x00" + secret))
	return h[:]
}

// Bolt returns the database handle, for consistent online backups (Tx.WriteTo).
func (s *Store) Bolt() *bolt.DB { return s.db }
