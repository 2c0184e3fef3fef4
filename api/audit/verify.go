package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

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

// verifyChain walks the whole trail in order and checks sequence, links, hashes and the head.
func verifyChain(db *bolt.DB) (Verification, error) {
	var v Verification
	err := db.View(func(tx *bolt.Tx) error {
		prev := genesisHash
		var want uint64 = 1
		c := tx.Bucket(state.Audit).Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			seq := binary.BigEndian.Uint64(k)
			if seq != want {
				v.FirstBroken, v.Reason = want, fmt.Sprintf("record %d is missing (next present is %d)", want, seq)
				return nil
			}
			var r Record
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
		var hd head
		if err := state.Get(tx, state.Meta, headKey, &hd); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return err
		}
		if hd.Seq != v.Records || (hd.Seq > 0 && hd.Hash != prev) {
			v.FirstBroken, v.Reason = v.Records+1, fmt.Sprintf("the trail ends at record %d but the head says %d: newest records deleted", v.Records, hd.Seq)
			return nil
		}
		v.OK, v.Head = true, prev
		return nil
	})
	return v, err
}

// VerifyDB checks the audit chain of an open state database. A broken chain is a result
// (OK false), not an error.
func VerifyDB(st *state.DB) (Verification, error) {
	v, err := verifyChain(st.Bolt())
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
	v, err := verifyChain(st.Bolt())
	if err != nil {
		return v, fmt.Errorf("verify audit: %w", err)
	}
	if !v.OK {
		return v, fmt.Errorf("%w at record %d: %s", ErrBroken, v.FirstBroken, v.Reason)
	}
	return v, nil
}
