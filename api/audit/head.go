package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// HeadFile is the file in the state directory where the server exports the head of the chain
// (seq and hash of the newest record). Copying it off the machine regularly — or scraping the
// ringtrace_audit_head metrics — anchors the trail: a rewrite of the whole chain gives another
// hash for a seq already written down.
const HeadFile = "audit-head.json"

// Stats describes the trail for the metrics.
type Stats struct {
	Seq       uint64 `json:"seq"`
	Hash      string `json:"hash"`
	LiveBytes int64  `json:"live_bytes"`   // record bytes in the live bucket
	Segments  int    `json:"segments"`     // sealed segment files
	SealedB   int64  `json:"sealed_bytes"` // bytes of the sealed segment files
	Total     int64  `json:"total_bytes"`  // live plus sealed
}

// Stats reads the head and the sizes of the trail.
func (a *Log) Stats() (Stats, error) {
	var st Stats
	err := a.db.View(func(tx *bolt.Tx) error {
		var h head
		if err := state.Get(tx, state.Meta, headKey, &h); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return err
		}
		segs, err := readManifest(tx)
		if err != nil {
			return err
		}
		st.Seq, st.Hash, st.LiveBytes, st.Segments = h.Seq, h.Hash, h.Live, len(segs)
		for _, s := range segs {
			st.SealedB += s.Bytes
		}
		st.Total = st.LiveBytes + st.SealedB
		return nil
	})
	return st, err
}

// ExportHead writes the head of the chain to HeadFile (atomically: a reader never sees half a
// file).
func (a *Log) ExportHead() error {
	st, err := a.Stats()
	if err != nil {
		return err
	}
	if st.Seq == 0 {
		return nil
	}
	b, err := json.Marshal(struct {
		Seq  uint64 `json:"seq"`
		Hash string `json:"hash"`
		At   string `json:"at"`
	}{st.Seq, st.Hash, a.now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	p := filepath.Join(a.dir, HeadFile)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("export audit head: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("export audit head: %w", err)
	}
	return nil
}

// HeadTx returns the seq and hash of the newest record as of tx.
func HeadTx(tx *bolt.Tx) (uint64, string, error) {
	var h head
	if err := state.Get(tx, state.Meta, headKey, &h); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
		return 0, "", err
	}
	return h.Seq, h.Hash, nil
}
