package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// Record is one entry of the audit trail. Records are append-only and hash-chained: Hash =
// SHA-256(PrevHash ‖ "\n" ‖ the record's canonical JSON with Hash empty), so editing or deleting
// any record breaks the chain from that record on. Entities are "type:id" refs with real ids.
// Detail never holds personal data.
type Record struct {
	Seq       uint64    `json:"seq"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Role      string    `json:"role"`
	Action    string    `json:"action"`
	Entities  []string  `json:"entities,omitempty"`
	Remote    string    `json:"remote,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
	Status    int       `json:"status,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// Entities returns refs as a record's entity list ("type:id").
func Entities(refs []graph.Ref) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.String()
	}
	return out
}

// maxEntities caps the entity list of one record; a neighbourhood of 2000 nodes is recorded by
// its first refs and a count in Detail.
const maxEntities = 200

// genesisHash is the PrevHash of the first record.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// headKey holds {seq, hash} of the last record in the meta bucket, so that deleting the newest
// records is detected too.
const headKey = "audit_head"

type head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// chainHash computes the hash of r given its PrevHash.
func chainHash(r Record) (string, error) {
	r.Hash = ""
	canon, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(r.PrevHash))
	h.Write([]byte("\n"))
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func seqKey(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

// AppendTx appends one record to the chain inside a write transaction and returns it with Seq,
// At, PrevHash and Hash filled in. bbolt runs one write transaction at a time, so reading the head
// here and writing the new head is race-free, and a change and its audit record commit together.
func AppendTx(tx *bolt.Tx, now time.Time, r Record) (Record, error) {
	if len(r.Entities) > maxEntities {
		r.Detail = strings.TrimSpace(fmt.Sprintf("%s (%d entities, first %d recorded)", r.Detail, len(r.Entities), maxEntities))
		r.Entities = r.Entities[:maxEntities]
	}
	var h head
	if err := state.Get(tx, state.Meta, headKey, &h); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
		return r, err
	}
	if h.Hash == "" {
		h.Hash = genesisHash
	}
	b := tx.Bucket(state.Audit)
	// Keys only ever grow: full pages split less and keep the file compact.
	b.FillPercent = 1.0
	r.Seq = h.Seq + 1
	r.At = now.UTC()
	r.PrevHash = h.Hash
	sum, err := chainHash(r)
	if err != nil {
		return r, err
	}
	r.Hash = sum
	v, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	if err := b.Put(seqKey(r.Seq), v); err != nil {
		return r, err
	}
	return r, state.Put(tx, state.Meta, headKey, head{Seq: r.Seq, Hash: r.Hash})
}

// Write appends one record in a transaction of its own, for the offline commands that work on a
// stopped server's state directory.
func Write(st *state.DB, now time.Time, r Record) error {
	return st.Bolt().Update(func(tx *bolt.Tx) error { _, err := AppendTx(tx, now, r); return err })
}

// Log appends records with group commit: concurrent appends are written in one bbolt transaction
// (one fsync), which keeps a per-read audit write affordable at 100 concurrent clients while every
// caller still waits until its record is durable.
type Log struct {
	db      *bolt.DB
	ch      chan request
	stop    chan struct{}
	done    chan struct{}
	closeMu sync.RWMutex
	closed  bool
	now     func() time.Time
}

type request struct {
	rec  Record
	done chan error
}

// New starts the writer of the trail in st.
func New(st *state.DB, now func() time.Time) *Log {
	a := &Log{db: st.Bolt(), ch: make(chan request, 1024), stop: make(chan struct{}), done: make(chan struct{}), now: now}
	go a.loop()
	return a
}

// Append writes r durably (Seq, At, PrevHash and Hash are filled in) or returns an error; a
// caller must not serve personal data whose read could not be recorded.
func (a *Log) Append(ctx context.Context, r Record) error {
	a.closeMu.RLock()
	defer a.closeMu.RUnlock()
	if a.closed {
		return bilingual.New(graph.EUNAVAILABLE, "服务正在关闭", "the server is shutting down")
	}
	req := request{rec: r, done: make(chan error, 1)}
	select {
	case a.ch <- req:
	case <-ctx.Done():
		return fmt.Errorf("audit: %w", ctx.Err())
	}
	// Wait for the commit even if ctx ends: the record is queued and will be written.
	return <-req.done
}

func (a *Log) loop() {
	defer close(a.done)
	for {
		var first request
		select {
		case first = <-a.ch:
		case <-a.stop:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-a.ch:
					a.commit([]request{r})
				default:
					return
				}
			}
		}
		batch := []request{first}
	drain:
		for len(batch) < 1024 {
			select {
			case r := <-a.ch:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		a.commit(batch)
	}
}

func (a *Log) commit(batch []request) {
	err := a.db.Update(func(tx *bolt.Tx) error {
		for i := range batch {
			r, err := AppendTx(tx, a.now(), batch[i].rec)
			if err != nil {
				return err
			}
			batch[i].rec = r
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("audit append: %w", err)
	}
	for _, r := range batch {
		r.done <- err
	}
}

// Close stops accepting records, writes those already queued and stops the writer.
func (a *Log) Close() {
	a.closeMu.Lock()
	if a.closed {
		a.closeMu.Unlock()
		return
	}
	a.closed = true
	a.closeMu.Unlock()
	close(a.stop)
	<-a.done
}

// Query filters the audit trail.
type Query struct {
	Actor, Action, Entity string
	From, To              time.Time
	Offset, Limit         int
}

// Query returns matching records, newest first, and the number that match.
func (a *Log) Query(q Query) ([]Record, int, error) {
	out := []Record{}
	total := 0
	err := a.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(state.Audit).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("audit record %x: %w", k, err)
			}
			if q.Actor != "" && r.Actor != q.Actor || q.Action != "" && r.Action != q.Action {
				continue
			}
			if !q.From.IsZero() && r.At.Before(q.From) || !q.To.IsZero() && !r.At.Before(q.To) {
				continue
			}
			if q.Entity != "" && !slices.Contains(r.Entities, q.Entity) {
				continue
			}
			if total >= q.Offset && len(out) < q.Limit {
				out = append(out, r)
			}
			total++
		}
		return nil
	})
	return out, total, err
}

// Verify checks the chain of the running service's trail.
func (a *Log) Verify() (Verification, error) { return verifyChain(a.db) }
