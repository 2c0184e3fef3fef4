package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// Verification is the result of checking the chain.
type Verification struct {
	OK          bool   `json:"ok"`
	Records     uint64 `json:"records"`
	FirstBroken uint64 `json:"first_broken,omitempty"` // seq of the first bad record (or the missing one)
	Reason      string `json:"reason,omitempty"`
	// Head is the hash of the last record when the chain holds; writing it down outside the
	// server (a daily report, a ticket) anchors the trail against a rewrite of the whole chain.
	Head string `json:"head,omitempty"`
}

// ErrBroken is wrapped by VerifyDir's error when the chain is broken.
var ErrBroken = errors.New("audit chain broken")

// chainWalk checks records in order against the expected seq and link.
type chainWalk struct {
	v    *Verification
	prev string
	want uint64
}

// next checks one stored record; it returns false (with v filled in) at the first break. where
// says where the record lives, for the reason.
func (w *chainWalk) next(val []byte, where string) bool {
	var r Record
	if err := json.Unmarshal(val, &r); err != nil {
		w.v.FirstBroken, w.v.Reason = w.want, fmt.Sprintf("record %d%s is not valid JSON", w.want, where)
		return false
	}
	if r.Seq != w.want {
		if r.Seq > w.want {
			w.v.FirstBroken, w.v.Reason = w.want, fmt.Sprintf("record %d%s is missing (next present is %d)", w.want, where, r.Seq)
		} else {
			w.v.FirstBroken, w.v.Reason = w.want, fmt.Sprintf("record %d%s carries seq %d", w.want, where, r.Seq)
		}
		return false
	}
	if r.PrevHash != w.prev {
		w.v.FirstBroken, w.v.Reason = r.Seq, fmt.Sprintf("record %d%s does not link to record %d", r.Seq, where, r.Seq-1)
		return false
	}
	h, err := chainHash(r)
	if err != nil || h != r.Hash {
		w.v.FirstBroken, w.v.Reason = r.Seq, fmt.Sprintf("record %d%s was edited (hash mismatch)", r.Seq, where)
		return false
	}
	w.prev, w.want = r.Hash, w.want+1
	w.v.Records++
	return true
}

// verifyChain checks sequence, links, hashes and the head across the sealed segments of dir and
// the live bucket. With full false, a segment whose file hash matches its manifest entry is
// taken as verified (it was checked record by record when written) — that keeps the check at
// start fast; `ringtrace audit verify` and GET /api/audit/verify walk every record.
func verifyChain(db *bolt.DB, dir string, full bool) (Verification, error) {
	var v Verification
	err := db.View(func(tx *bolt.Tx) error {
		w := chainWalk{v: &v, prev: genesisHash, want: 1}
		segs, err := readManifest(tx)
		if err != nil {
			return err
		}
		for _, s := range segs {
			where := " (segment " + s.File + ")"
			switch {
			case s.First > w.want:
				v.FirstBroken, v.Reason = w.want, fmt.Sprintf("records %d–%d are missing: the segment list goes on at %d (%s)", w.want, s.First-1, s.First, s.File)
				return nil
			case s.First < w.want:
				v.FirstBroken, v.Reason = s.First, fmt.Sprintf("segment %s starts at record %d, inside the segments before it", s.File, s.First)
				return nil
			case s.PrevHash != w.prev:
				v.FirstBroken, v.Reason = s.First, fmt.Sprintf("segment %s does not link to the segment before", s.File)
				return nil
			}
			path := filepath.Join(dir, SegmentDir, s.File)
			if _, err := os.Stat(path); err != nil {
				v.FirstBroken, v.Reason = s.First, fmt.Sprintf("audit segment %s (records %d–%d) is missing", s.File, s.First, s.Last)
				return nil
			}
			if !full {
				if sum, err := fileSHA256(path); err == nil && sum == s.SHA256 {
					w.prev, w.want = s.LastHash, s.Last+1
					v.Records += s.Last - s.First + 1
					continue
				}
			}
			ok := true
			sum, err := readSegment(path, func(line []byte) error {
				if ok {
					ok = w.next(line, where)
				}
				return nil
			})
			if !ok {
				return nil
			}
			if err != nil {
				v.FirstBroken, v.Reason = w.want, fmt.Sprintf("audit segment %s is damaged after record %d: %v", s.File, w.want-1, err)
				return nil
			}
			if w.want != s.Last+1 || w.prev != s.LastHash {
				v.FirstBroken, v.Reason = w.want, fmt.Sprintf("audit segment %s ends at record %d but the segment list says %d: records cut off", s.File, w.want-1, s.Last)
				return nil
			}
			if sum != s.SHA256 {
				v.FirstBroken, v.Reason = s.First, fmt.Sprintf("audit segment %s was rewritten (file hash differs from the segment list)", s.File)
				return nil
			}
		}
		c := tx.Bucket(state.Audit).Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			if seq := binary.BigEndian.Uint64(k); seq != w.want {
				v.FirstBroken, v.Reason = w.want, fmt.Sprintf("record %d is missing (next present is %d)", w.want, seq)
				return nil
			}
			if !w.next(val, "") {
				return nil
			}
		}
		var hd head
		if err := state.Get(tx, state.Meta, headKey, &hd); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return err
		}
		if hd.Seq != v.Records || (hd.Seq > 0 && hd.Hash != w.prev) {
			v.FirstBroken, v.Reason = v.Records+1, fmt.Sprintf("the trail ends at record %d but the head says %d: newest records deleted", v.Records, hd.Seq)
			return nil
		}
		v.OK, v.Head = true, w.prev
		return nil
	})
	return v, err
}

// VerifyDB checks the audit chain of an open state database, taking sealed segments whose file
// hash matches as verified (the check at start). A broken chain is a result (OK false), not an
// error.
func VerifyDB(st *state.DB) (Verification, error) {
	v, err := verifyChain(st.Bolt(), st.Dir(), false)
	if err != nil {
		return v, fmt.Errorf("verify audit: %w", err)
	}
	return v, nil
}

// VerifyDir checks the audit chain in the state directory dir (the server must be stopped, as it
// holds the database lock). It returns the verification and an error wrapping ErrBroken that names
// the first broken record when the chain does not hold.
func VerifyDir(dir string) (Verification, error) {
	st, err := state.OpenReadOnly(dir)
	if err != nil {
		return Verification{}, err
	}
	defer st.Close()
	v, err := verifyChain(st.Bolt(), dir, true)
	if err != nil {
		return v, fmt.Errorf("verify audit: %w", err)
	}
	if !v.OK {
		return v, fmt.Errorf("%w at record %d: %s", ErrBroken, v.FirstBroken, v.Reason)
	}
	return v, nil
}
