package api

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	bolt "go.etcd.io/bbolt"
)

// AuditRecord is one entry of the audit trail (操作留痕): who did what to which entities, when and
// from where. Records are append-only and hash-chained: Hash = SHA-256(PrevHash ‖ "\n" ‖ the
// record's canonical JSON with Hash empty), so editing or deleting any record breaks the chain
// from that record on. Entities are "type:id" refs with real ids (the trail is read only by
// supervisors). Detail never holds personal data.
type AuditRecord struct {
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

// maxAuditEntities caps the entity list of one record; a neighbourhood of 2000 nodes is recorded
// by its first refs and a count in Detail.
const maxAuditEntities = 200

// genesisHash is the PrevHash of the first record.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// auditHeadKey holds {seq, hash} of the last record in the meta bucket, so that deleting the
// newest records is detected too.
var auditHeadKey = []byte("audit_head")

type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// chainHash computes the hash of r given its PrevHash.
func chainHash(r AuditRecord) (string, error) {
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

// AuditLog appends records with group commit: concurrent appends are written in one bbolt
// transaction (one fsync), which keeps a per-read audit write affordable at 100 concurrent
// clients while every caller still waits until its record is durable.
type AuditLog struct {
	db      *bolt.DB
	ch      chan auditReq
	stop    chan struct{}
	done    chan struct{}
	closeMu sync.RWMutex
	closed  bool
	now     func() time.Time
}

type auditReq struct {
	rec  AuditRecord
	done chan error
}

// newAuditLog starts the writer goroutine.
func newAuditLog(st *State, now func() time.Time) *AuditLog {
	a := &AuditLog{db: st.db, ch: make(chan auditReq, 1024), stop: make(chan struct{}), done: make(chan struct{}), now: now}
	go a.loop()
	return a
}

// Append writes r durably (Seq, At, PrevHash and Hash are filled in) or returns an error; a
// caller must not serve personal data whose read could not be recorded.
func (a *AuditLog) Append(ctx context.Context, r AuditRecord) error {
	a.closeMu.RLock()
	defer a.closeMu.RUnlock()
	if a.closed {
		return userErr(graph.EUNAVAILABLE, "服务正在关闭", "the server is shutting down")
	}
	req := auditReq{rec: r, done: make(chan error, 1)}
	select {
	case a.ch <- req:
	case <-ctx.Done():
		return fmt.Errorf("audit: %w", ctx.Err())
	}
	// Wait for the commit even if ctx ends: the record is queued and will be written.
	return <-req.done
}

func (a *AuditLog) loop() {
	defer close(a.done)
	for {
		var first auditReq
		select {
		case first = <-a.ch:
		case <-a.stop:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-a.ch:
					a.commit([]auditReq{r})
				default:
					return
				}
			}
		}
		batch := []auditReq{first}
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

func (a *AuditLog) commit(batch []auditReq) {
	err := a.db.Update(func(tx *bolt.Tx) error {
		for i := range batch {
			r, err := appendTx(tx, a.now(), batch[i].rec)
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

// appendTx appends one record to the chain inside a write transaction. bbolt runs one write
// transaction at a time, so reading the head here and writing the new head is race-free, and a
// change (a case update) and its audit record can commit together.
func appendTx(tx *bolt.Tx, now time.Time, r AuditRecord) (AuditRecord, error) {
	if len(r.Entities) > maxAuditEntities {
		r.Detail = strings.TrimSpace(fmt.Sprintf("%s (%d entities, first %d recorded)", r.Detail, len(r.Entities), maxAuditEntities))
		r.Entities = r.Entities[:maxAuditEntities]
	}
	var head auditHead
	if err := getJSON(tx, bucketMeta, string(auditHeadKey), &head); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
		return r, err
	}
	if head.Hash == "" {
		head.Hash = genesisHash
	}
	b := tx.Bucket(bucketAudit)
	// Keys only ever grow: full pages split less and keep the file compact.
	b.FillPercent = 1.0
	r.Seq = head.Seq + 1
	r.At = now.UTC()
	r.PrevHash = head.Hash
	h, err := chainHash(r)
	if err != nil {
		return r, err
	}
	r.Hash = h
	v, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	if err := b.Put(seqKey(r.Seq), v); err != nil {
		return r, err
	}
	return r, putJSON(tx, bucketMeta, string(auditHeadKey), auditHead{Seq: r.Seq, Hash: r.Hash})
}

// Close stops accepting records, writes those already queued and stops the writer.
func (a *AuditLog) Close() {
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

// AuditQuery filters the audit trail.
type AuditQuery struct {
	Actor, Action, Entity string
	From, To              time.Time
	Offset, Limit         int
}

// Query returns matching records, newest first, and the number that match.
func (a *AuditLog) Query(q AuditQuery) ([]AuditRecord, int, error) {
	out := []AuditRecord{}
	total := 0
	err := a.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var r AuditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("audit record %x: %w", k, err)
			}
			if q.Actor != "" && r.Actor != q.Actor || q.Action != "" && r.Action != q.Action {
				continue
			}
			if !q.From.IsZero() && r.At.Before(q.From) || !q.To.IsZero() && !r.At.Before(q.To) {
				continue
			}
			if q.Entity != "" && !containsString(r.Entities, q.Entity) {
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

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// AuditVerification is the result of checking the chain.
type AuditVerification struct {
	OK          bool   `json:"ok"`
	Records     uint64 `json:"records"`
	FirstBroken uint64 `json:"first_broken,omitempty"` // seq of the first bad record (or the missing one)
	Reason      string `json:"reason,omitempty"`
	// Head is the hash of the last record when the chain holds; writing it down outside the
	// server (a daily report, a ticket) anchors the trail against a rewrite of the whole chain.
	Head string `json:"head,omitempty"`
}

// ErrAuditBroken is wrapped by VerifyAudit's error when the chain is broken.
var ErrAuditBroken = errors.New("audit chain broken")

// verifyChain walks the whole trail in order and checks sequence, links, hashes and the head.
func verifyChain(db *bolt.DB) (AuditVerification, error) {
	var v AuditVerification
	err := db.View(func(tx *bolt.Tx) error {
		prev := genesisHash
		var want uint64 = 1
		c := tx.Bucket(bucketAudit).Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			seq := binary.BigEndian.Uint64(k)
			if seq != want {
				v.FirstBroken, v.Reason = want, fmt.Sprintf("record %d is missing (next present is %d)", want, seq)
				return nil
			}
			var r AuditRecord
			if err := json.Unmarshal(val, &r); err != nil {
				v.FirstBroken, v.Reason = seq, fmt.Sprintf("record %d is not valid JSON", seq)
				return nil
			}
			if r.Seq != seq {
				v.FirstBroken, v.Reason = seq, fmt.Sprintf("record %d carries seq %d", seq, r.Seq)
				return nil
			}
			if r.PrevHash != prev {
				v.FirstBroken, v.Reason = seq, fmt.Sprintf("record %d does not link to record %d", seq, seq-1)
				return nil
			}
			h, err := chainHash(r)
			if err != nil {
				return err
			}
			if h != r.Hash {
				v.FirstBroken, v.Reason = seq, fmt.Sprintf("record %d was edited (hash mismatch)", seq)
				return nil
			}
			prev, want = r.Hash, want+1
			v.Records++
		}
		var head auditHead
		if err := getJSON(tx, bucketMeta, string(auditHeadKey), &head); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return err
		}
		if head.Seq != v.Records || (head.Seq > 0 && head.Hash != prev) {
			v.FirstBroken, v.Reason = v.Records+1, fmt.Sprintf("the trail ends at record %d but the head says %d: newest records deleted", v.Records, head.Seq)
			return nil
		}
		v.OK, v.Head = true, prev
		return nil
	})
	return v, err
}

// Verify checks the chain of the running service's trail.
func (a *AuditLog) Verify() (AuditVerification, error) { return verifyChain(a.db) }

// VerifyAudit checks the audit chain in the state directory dir (the server must be stopped, as
// it holds the database lock). It returns the verification and an error wrapping ErrAuditBroken
// that names the first broken record when the chain does not hold.
func VerifyAudit(dir string) (AuditVerification, error) {
	st, err := openStateReadOnly(dir)
	if err != nil {
		return AuditVerification{}, err
	}
	defer st.Close()
	v, err := verifyChain(st.db)
	if err != nil {
		return v, fmt.Errorf("verify audit: %w", err)
	}
	if !v.OK {
		return v, fmt.Errorf("%w at record %d: %s", ErrAuditBroken, v.FirstBroken, v.Reason)
	}
	return v, nil
}
