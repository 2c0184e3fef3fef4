package backup

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/state"
)

// Format is the archive format version in the manifest.
const Format = 1

// ManifestName is the archive's last entry.
const ManifestName = "MANIFEST.json"

// Checkpointer is a graph store that can write a consistent copy of itself (graph/embedded).
type Checkpointer interface {
	Checkpoint(dir string) error
}

// Source is what a backup copies.
type Source struct {
	// State is state.db; required.
	State *bolt.DB
	// Others are the state directory's other databases by file name (intake.db, blacklist.db).
	Others map[string]*bolt.DB
	// StateDir holds the audit segments.
	StateDir string
	// Graph is the embedded graph store; nil leaves the graph out (Neo4j has its own backup).
	Graph Checkpointer
	// GraphTemp is where the graph checkpoint is staged (same file system as the store, so that
	// Pebble hard-links); default: beside StateDir.
	GraphTemp string
}

// Manifest describes an archive.
type Manifest struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	AuditSeq  uint64    `json:"audit_seq"`  // audit records in the copy of state.db (live and sealed)
	AuditHead string    `json:"audit_head"` // their head hash
	Graph     bool      `json:"graph"`      // the archive holds graph/ (embedded store)
	Files     []File    `json:"files"`
}

// File is one archived file.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Write writes the archive of src to w.
func Write(w io.Writer, src Source, now time.Time) (Manifest, error) {
	m := Manifest{Format: Format, CreatedAt: now.UTC()}
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	put := func(name string, size int64, mode int64, body func(io.Writer) error) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Size: size, Mode: mode, ModTime: now, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		sum := sha256.New()
		cw := &counter{w: io.MultiWriter(tw, sum)}
		if err := body(cw); err != nil {
			return fmt.Errorf("archive %s: %w", name, err)
		}
		if cw.n != size {
			return fmt.Errorf("archive %s: wrote %d bytes, expected %d", name, cw.n, size)
		}
		m.Files = append(m.Files, File{Name: name, Size: size, SHA256: hex.EncodeToString(sum.Sum(nil))})
		return nil
	}
	putFile := func(name, p string) error {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		return put(name, fi.Size(), 0o600, func(w io.Writer) error { _, err := io.Copy(w, f); return err })
	}
	// state.db and the segments its copy lists, in one read transaction.
	err := src.State.View(func(tx *bolt.Tx) error {
		segs, err := audit.SegmentsTx(tx)
		if err != nil {
			return err
		}
		if err := put("state/"+state.File, tx.Size(), 0o600, func(w io.Writer) error { _, err := tx.WriteTo(w); return err }); err != nil {
			return err
		}
		for _, s := range segs {
			if err := putFile("state/"+audit.SegmentDir+"/"+s.File, filepath.Join(src.StateDir, audit.SegmentDir, s.File)); err != nil {
				return err
			}
		}
		m.AuditSeq, m.AuditHead, err = audit.HeadTx(tx)
		return err
	})
	if err != nil {
		return m, err
	}
	names := make([]string, 0, len(src.Others))
	for n := range src.Others {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		err := src.Others[n].View(func(tx *bolt.Tx) error {
			return put("state/"+n, tx.Size(), 0o600, func(w io.Writer) error { _, err := tx.WriteTo(w); return err })
		})
		if err != nil {
			return m, err
		}
	}
	if src.Graph != nil {
		base := src.GraphTemp
		if base == "" {
			base = filepath.Dir(filepath.Clean(src.StateDir))
		}
		tmp, err := os.MkdirTemp(base, ".ringtrace-checkpoint-")
		if err != nil {
			return m, fmt.Errorf("graph checkpoint: %w", err)
		}
		defer os.RemoveAll(tmp)
		cp := filepath.Join(tmp, "graph")
		if err := src.Graph.Checkpoint(cp); err != nil {
			return m, err
		}
		err = filepath.WalkDir(cp, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(cp, p)
			if err != nil {
				return err
			}
			return putFile("graph/"+filepath.ToSlash(rel), p)
		})
		if err != nil {
			return m, fmt.Errorf("graph checkpoint: %w", err)
		}
		m.Graph = true
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Size: int64(len(mb)), Mode: 0o600, ModTime: now, Typeflag: tar.TypeReg}); err != nil {
		return m, err
	}
	if _, err := tw.Write(mb); err != nil {
		return m, err
	}
	if err := tw.Close(); err != nil {
		return m, err
	}
	return m, zw.Close()
}

// readErr remembers a read error, to tell a damaged archive from a failing disk.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ErrNotEmpty is wrapped by Restore's error when a target directory holds files and force is off.
var ErrNotEmpty = errors.New("target directory is not empty")

// ErrBadArchive is wrapped by Check's and Restore's errors when the archive is damaged,
// incomplete or not a RingTrace backup.
var ErrBadArchive = errors.New("not a complete RingTrace backup")

// extract reads the archive from r, writing state/… under stateDir and graph/… under graphDir
// (skipped when graphDir is ""), and checks every file against the manifest.
func extract(r io.Reader, stateDir, graphDir string) (Manifest, error) {
	var m Manifest
	zr, err := gzip.NewReader(r)
	if err != nil {
		return m, fmt.Errorf("%w: %v", ErrBadArchive, err)
	}
	tr := tar.NewReader(zr)
	got := map[string]File{}
	haveManifest := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, fmt.Errorf("%w: %v (truncated?)", ErrBadArchive, err)
		}
		name := path.Clean(h.Name)
		if h.Typeflag != tar.TypeReg || strings.HasPrefix(name, "../") || strings.HasPrefix(name, "/") || name == ".." {
			return m, fmt.Errorf("%w: unexpected entry %q", ErrBadArchive, h.Name)
		}
		if name == ManifestName {
			if err := json.NewDecoder(io.LimitReader(tr, 16<<20)).Decode(&m); err != nil {
				return m, fmt.Errorf("%w: manifest: %v", ErrBadArchive, err)
			}
			haveManifest = true
			continue
		}
		var dest string
		switch {
		case strings.HasPrefix(name, "state/"):
			if stateDir != "" {
				dest = filepath.Join(stateDir, filepath.FromSlash(strings.TrimPrefix(name, "state/")))
			}
		case strings.HasPrefix(name, "graph/"):
			if graphDir == "" {
				dest = ""
			} else {
				dest = filepath.Join(graphDir, filepath.FromSlash(strings.TrimPrefix(name, "graph/")))
			}
		default:
			return m, fmt.Errorf("%w: unexpected entry %q", ErrBadArchive, h.Name)
		}
		sum := sha256.New()
		var n int64
		src := &readErr{r: tr}
		if dest == "" {
			n, err = io.Copy(sum, src)
		} else {
			n, err = writeFile(dest, io.TeeReader(src, sum))
		}
		if src.err != nil {
			return m, fmt.Errorf("%w: %s: %v (the archive was cut short or damaged)", ErrBadArchive, name, src.err)
		}
		if err != nil {
			return m, fmt.Errorf("restore %s: %w", name, err)
		}
		got[name] = File{Name: name, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil))}
	}
	if !haveManifest {
		return m, fmt.Errorf("%w: %s missing (the archive was cut short)", ErrBadArchive, ManifestName)
	}
	if m.Format != Format {
		return m, fmt.Errorf("%w: format %d, this version reads %d", ErrBadArchive, m.Format, Format)
	}
	for _, f := range m.Files {
		g, ok := got[f.Name]
		if !ok {
			return m, fmt.Errorf("%w: %s is listed but missing", ErrBadArchive, f.Name)
		}
		if g != f {
			return m, fmt.Errorf("%w: %s differs from the manifest (size %d/%d)", ErrBadArchive, f.Name, g.Size, f.Size)
		}
		delete(got, f.Name)
	}
	for n := range got {
		return m, fmt.Errorf("%w: %s is not in the manifest", ErrBadArchive, n)
	}
	return m, nil
}

func writeFile(dest string, r io.Reader) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// Check reads a whole archive and checks it against its manifest without writing anything.
func Check(r io.Reader) (Manifest, error) { return extract(r, "", "") }
