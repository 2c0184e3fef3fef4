package audit

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// The trail lives in two places. New records go to the audit bucket of state.db (the live
// segment), in the same transaction as the change they record. When the live records pass the
// segment size, they are sealed: written in order to a gzip'd JSON-lines file under
// <state-dir>/audit/, fsync'd, listed in the segment manifest (meta bucket) with their first and
// last seq, the hash before the first record, the last hash and the file's SHA-256, and deleted
// from the bucket — all in one write transaction. state.db therefore stays bounded (bbolt reuses
// the freed pages) and the chain runs on across segments: the first record of each segment links
// to the last of the one before.

// SegmentDir is the directory of sealed segments inside the state directory.
const SegmentDir = "audit"

// DefaultSegmentBytes is the live size (record bytes) at which the live records are sealed.
const DefaultSegmentBytes = 4 << 20

// manifestKey lists the sealed segments, oldest first, in the meta bucket.
const manifestKey = "audit_segments"

// Segment describes one sealed segment file.
type Segment struct {
	File     string `json:"file"` // name inside SegmentDir
	First    uint64 `json:"first"`
	Last     uint64 `json:"last"`
	PrevHash string `json:"prev_hash"` // hash of record First-1 (genesis for the first segment)
	LastHash string `json:"last_hash"`
	Bytes    int64  `json:"bytes"`  // file size
	SHA256   string `json:"sha256"` // of the file
}

func segmentName(first uint64) string { return fmt.Sprintf("segment-%012d.jsonl.gz", first) }

// SegmentsTx lists the sealed segments as of tx, oldest first. The files it names exist and never
// change, so a backup reading tx may copy them while the server runs.
func SegmentsTx(tx *bolt.Tx) ([]Segment, error) { return readManifest(tx) }

func readManifest(tx *bolt.Tx) ([]Segment, error) {
	var segs []Segment
	if err := state.Get(tx, state.Meta, manifestKey, &segs); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
		return nil, err
	}
	return segs, nil
}

// sealTx moves every live record into a new segment file in dir. It runs inside the write
// transaction tx: the file is durable before the transaction deletes the records, and a crash
// in between leaves the records in the bucket and an unlisted file that the next seal rewrites.
func sealTx(tx *bolt.Tx, dir string) (Segment, error) {
	var h head
	if err := state.Get(tx, state.Meta, headKey, &h); err != nil {
		return Segment{}, err
	}
	b := tx.Bucket(state.Audit)
	k, _ := b.Cursor().First()
	if k == nil {
		return Segment{}, nil
	}
	first := binary.BigEndian.Uint64(k)
	segs, err := readManifest(tx)
	if err != nil {
		return Segment{}, err
	}
	prev := genesisHash
	if len(segs) > 0 {
		prev = segs[len(segs)-1].LastHash
	}
	sd := filepath.Join(dir, SegmentDir)
	if err := os.MkdirAll(sd, 0o700); err != nil {
		return Segment{}, err
	}
	seg := Segment{File: segmentName(first), First: first, PrevHash: prev}
	tmp := filepath.Join(sd, seg.File+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return Segment{}, err
	}
	defer os.Remove(tmp)
	sum := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, sum)}
	zw := gzip.NewWriter(cw)
	var keys [][]byte
	err = b.ForEach(func(k, v []byte) error {
		var r Record
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("audit record %x: %w", k, err)
		}
		seg.Last, seg.LastHash = r.Seq, r.Hash
		keys = append(keys, append([]byte(nil), k...))
		if _, err := zw.Write(v); err != nil {
			return err
		}
		_, err := zw.Write([]byte("\n"))
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Segment{}, fmt.Errorf("write audit segment %s: %w", seg.File, err)
	}
	seg.Bytes, seg.SHA256 = cw.n, hex.EncodeToString(sum.Sum(nil))
	if err := os.Rename(tmp, filepath.Join(sd, seg.File)); err != nil {
		return Segment{}, err
	}
	if err := syncDir(sd); err != nil {
		return Segment{}, err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return Segment{}, err
		}
	}
	h.Live = 0
	if err := state.Put(tx, state.Meta, headKey, h); err != nil {
		return Segment{}, err
	}
	return seg, state.Put(tx, state.Meta, manifestKey, append(segs, seg))
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// readSegment calls fn with each raw record line of a segment file, in order. It returns the
// file's SHA-256.
func readSegment(path string, fn func(line []byte) error) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := sha256.New()
	zr, err := gzip.NewReader(io.TeeReader(f, sum))
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			return "", err
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if _, err := io.Copy(io.Discard, io.TeeReader(f, sum)); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// fileSHA256 hashes a whole file.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}
