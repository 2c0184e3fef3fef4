package blacklist

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// Entry is one listing.
type Entry struct {
	ID        string    `json:"id"`
	Entity    graph.Ref `json:"entity"`
	Reason    string    `json:"reason"`
	CaseID    string    `json:"case_id"`
	From      time.Time `json:"from"`
	Until     time.Time `json:"until,omitzero"` // zero: until removed
	ListedBy  string    `json:"listed_by"`
	ListedAt  time.Time `json:"listed_at"`
	RemovedBy string    `json:"removed_by,omitempty"`
	RemovedAt time.Time `json:"removed_at,omitzero"`
}

// ActiveAt reports whether the listing is in force at t.
func (e Entry) ActiveAt(t time.Time) bool {
	if !e.RemovedAt.IsZero() && !t.Before(e.RemovedAt) {
		return false
	}
	return !t.Before(e.From) && (e.Until.IsZero() || t.Before(e.Until))
}

// CaseCheck returns nil when entity was a party of caseID and caseID is closed with fraud
// confirmed; otherwise an *graph.Error saying why not.
type CaseCheck func(ctx context.Context, caseID string, entity graph.Ref) error

// Store keeps listings in a bbolt file.
type Store struct {
	db    *bolt.DB
	check CaseCheck
}

var bkt = []byte("blacklist")

// Open opens or creates the blacklist at path.
func Open(path string, check CaseCheck) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("blacklist: open %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bkt); return err }); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, check: check}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Add lists an entity. The entity must have been confirmed in the closed case named.
func (s *Store) Add(ctx context.Context, e Entry) (Entry, error) {
	switch {
	case !e.Entity.Type.IsParty() || e.Entity.ID == "":
		return Entry{}, graph.FieldErrorf("entity", "must be a patient, doctor, institution or pharmacy with an id")
	case strings.TrimSpace(e.Reason) == "":
		return Entry{}, graph.FieldErrorf("reason", "required")
	case e.CaseID == "":
		return Entry{}, graph.FieldErrorf("case_id", "required: only parties confirmed in a closed case can be listed")
	case e.From.IsZero():
		return Entry{}, graph.FieldErrorf("from", "required")
	case !e.Until.IsZero() && !e.Until.After(e.From):
		return Entry{}, graph.FieldErrorf("until", "must be after from")
	}
	if s.check != nil {
		if err := s.check(ctx, e.CaseID, e.Entity); err != nil {
			return Entry{}, err
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		seq, _ := tx.Bucket(bkt).NextSequence()
		e.ID = fmt.Sprintf("BL-%06d", seq)
		e.RemovedAt, e.RemovedBy = time.Time{}, ""
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return tx.Bucket(bkt).Put([]byte(e.ID), b)
	})
	return e, err
}

// Remove ends a listing early; the record is kept.
func (s *Store) Remove(ctx context.Context, id, by string, at time.Time) (Entry, error) {
	var e Entry
	err := s.db.Update(func(tx *bolt.Tx) error {
		v := tx.Bucket(bkt).Get([]byte(id))
		if v == nil {
			return graph.Errorf(graph.ENOTFOUND, "blacklist entry %s not found", id)
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		if !e.RemovedAt.IsZero() {
			return graph.Errorf(graph.ECONFLICT, "blacklist entry %s was already removed", id)
		}
		e.RemovedAt, e.RemovedBy = at, by
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return tx.Bucket(bkt).Put([]byte(id), b)
	})
	return e, err
}

// List returns every entry (activeOnly: only those in force at t), ordered by id.
func (s *Store) List(ctx context.Context, activeOnly bool, t time.Time) ([]Entry, error) {
	out := []Entry{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return state.Each(tx, bkt, func(_ []byte, e Entry) error {
			if !activeOnly || e.ActiveAt(t) {
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}

// Active returns the entries in force at t keyed by entity.
func (s *Store) Active(ctx context.Context, t time.Time) (map[graph.Ref]Entry, error) {
	es, err := s.List(ctx, true, t)
	if err != nil {
		return nil, err
	}
	m := make(map[graph.Ref]Entry, len(es))
	for _, e := range es {
		m[e.Entity] = e
	}
	return m, nil
}

// Annotate marks listed parties in findings: each listed entity's risk gains a "blacklisted"
// reason (and the entity is added when detection did not score it), and each ring with a listed
// member gains a reason naming it. Scores are not changed: the listing is context for the
// investigator, not evidence that this ring is fraud.
func Annotate(f *graph.Findings, listed map[graph.Ref]Entry) {
	if len(listed) == 0 {
		return
	}
	reason := func(e Entry) graph.Reason {
		until := "长期"
		untilEN := "indefinitely"
		if !e.Until.IsZero() {
			until = e.Until.Format("2006-01-02") + " 止"
			untilEN = "until " + e.Until.Format("2006-01-02")
		}
		return graph.Reason{Code: "blacklisted",
			Text:   fmt.Sprintf("%s %s 已列入黑名单（案件 %s，%s：%s）", e.Entity.Type, e.Entity.ID, e.CaseID, until, e.Reason),
			TextEN: fmt.Sprintf("%s %s is blacklisted (case %s, %s): %s", e.Entity.Type, e.Entity.ID, e.CaseID, untilEN, e.Reason)}
	}
	seen := map[graph.Ref]bool{}
	for i := range f.Entities {
		ref := graph.Ref{Type: f.Entities[i].Type, ID: f.Entities[i].ID}
		if e, ok := listed[ref]; ok {
			f.Entities[i].Reasons = append(f.Entities[i].Reasons, reason(e))
			seen[ref] = true
		}
	}
	refs := make([]graph.Ref, 0, len(listed))
	for ref := range listed {
		if !seen[ref] {
			refs = append(refs, ref)
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	for _, ref := range refs {
		f.Entities = append(f.Entities, graph.EntityRisk{Type: ref.Type, ID: ref.ID, Reasons: []graph.Reason{reason(listed[ref])}})
	}
	for i := range f.Rings {
		for _, m := range f.Rings[i].Members {
			if e, ok := listed[m]; ok {
				f.Rings[i].Reasons = append(f.Rings[i].Reasons, reason(e))
			}
		}
	}
}

// AnnotateActive marks in f the parties listed at t (Annotate): the function a detection job
// runs on every new run's findings.
func (s *Store) AnnotateActive(ctx context.Context, f *graph.Findings, t time.Time) error {
	listed, err := s.Active(ctx, t)
	if err != nil {
		return fmt.Errorf("blacklist: %w", err)
	}
	Annotate(f, listed)
	return nil
}

// Listing returns the listing of entity in force at t, if any: the mark an entity view carries
// whether or not a detection run has annotated it since it was listed.
func (s *Store) Listing(ctx context.Context, entity graph.Ref, t time.Time) (Entry, bool, error) {
	listed, err := s.Active(ctx, t)
	if err != nil {
		return Entry{}, false, err
	}
	e, ok := listed[entity]
	return e, ok, nil
}

// Bolt returns the database handle, for consistent online backups (Tx.WriteTo).
func (s *Store) Bolt() *bolt.DB { return s.db }
