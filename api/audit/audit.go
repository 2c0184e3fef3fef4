package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
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
// Detail never holds personal data. A read records what it named and the first refs of what it
// returned, with Count the number of entities returned when they were more than recorded — never
// the response itself, so that a record stays a few hundred bytes.
type Record struct {
	Seq       uint64    `json:"seq"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Role      string    `json:"role"`
	Action    string    `json:"action"`
	Entities  []string  `json:"entities,omitempty"`
	Remote    string    `json:"remote,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
	Count     int       `json:"count,omitempty"`
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
// its first refs (the entity asked for comes first) and the count.
const maxEntities = 8

// genesisHash is the PrevHash of the first record.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// headKey holds {seq, hash} of the last record in the meta bucket, so that deleting the newest
// records is detected too.
const headKey = "audit_head"

type head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
	Live int64  `json:"live,omitempty"` // bytes of the records in the live bucket
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
	r.Entities = dedupe(r.Entities)
	if len(r.Entities) > maxEntities {
		r.Count = len(r.Entities)
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
	return r, state.Put(tx, state.Meta, headKey, head{Seq: r.Seq, Hash: r.Hash, Live: h.Live + int64(len(v))})
}

// dedupe drops repeated refs, keeping the first of each in order (a neighbourhood names its
// centre and returns it among its nodes).
func dedupe(refs []string) []string {
	if len(refs) < 2 {
		return refs
	}
	seen := make(map[string]bool, len(refs))
	out := refs[:0:0]
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
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
	dir     string // the state directory: segments and the head file live there
	segMu   sync.Mutex
	segSize int64
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
	a := &Log{db: st.Bolt(), dir: st.Dir(), segSize: DefaultSegmentBytes, ch: make(chan request, 1024), stop: make(chan struct{}), done: make(chan struct{}), now: now}
	go a.loop()
	return a
}

// SetSegmentBytes sets the live size at which records are sealed into a segment file.
func (a *Log) SetSegmentBytes(n int64) {
	if n > 0 {
		a.segMu.Lock()
		a.segSize = n
		a.segMu.Unlock()
	}
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
	a.segMu.Lock()
	limit := a.segSize
	a.segMu.Unlock()
	sealed := false
	err := a.db.Update(func(tx *bolt.Tx) error {
		for i := range batch {
			r, err := AppendTx(tx, a.now(), batch[i].rec)
			if err != nil {
				return err
			}
			batch[i].rec = r
		}
		var h head
		if err := state.Get(tx, state.Meta, headKey, &h); err != nil {
			return err
		}
		if h.Live >= limit {
			sealed = true
			_, err := sealTx(tx, a.dir)
			return err
		}
		return nil
	})
	if err == nil && sealed {
		// A new segment is a good moment to export the head.
		if herr := a.ExportHead(); herr != nil {
			err = herr
		}
	}
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
	_ = a.ExportHead()
}

// Query filters the audit trail.
type Query struct {
	Actor, Action, Entity string
	From, To              time.Time
	Offset, Limit         int
}

// Query returns matching records, newest first, and the number that match. It reads the live
// records and then the sealed segments, newest first.
func (a *Log) Query(q Query) ([]Record, int, error) {
	out := []Record{}
	total := 0
	keep := func(r Record) {
		if q.Actor != "" && r.Actor != q.Actor || q.Action != "" && r.Action != q.Action {
			return
		}
		if !q.From.IsZero() && r.At.Before(q.From) || !q.To.IsZero() && !r.At.Before(q.To) {
			return
		}
		if q.Entity != "" && !slices.Contains(r.Entities, q.Entity) {
			return
		}
		if total >= q.Offset && len(out) < q.Limit {
			out = append(out, r)
		}
		total++
	}
	var segs []Segment
	err := a.db.View(func(tx *bolt.Tx) error {
		var err error
		if segs, err = readManifest(tx); err != nil {
			return err
		}
		c := tx.Bucket(state.Audit).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("audit record %x: %w", k, err)
			}
			keep(r)
		}
		return nil
	})
	if err != nil {
		return out, total, err
	}
	for i := len(segs) - 1; i >= 0; i-- {
		var recs []Record
		_, err := readSegment(filepath.Join(a.dir, SegmentDir, segs[i].File), func(line []byte) error {
			var r Record
			if err := json.Unmarshal(line, &r); err != nil {
				return err
			}
			recs = append(recs, r)
			return nil
		})
		if err != nil {
			return out, total, fmt.Errorf("audit segment %s: %w", segs[i].File, err)
		}
		for j := len(recs) - 1; j >= 0; j-- {
			keep(recs[j])
		}
	}
	return out, total, nil
}

// Verify checks the whole chain of the running service's trail, every sealed record included.
func (a *Log) Verify() (Verification, error) { return verifyChain(a.db, a.dir, true) }
