package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// maxRawInReject bounds the raw row copied into the rejects file.
const maxRawInReject = 4096

// rejectsFile writes the rejects CSV: file,line,column,reason,raw,detail. It writes to
// PATH.partial and renames on Close, so a rejects file that exists is always complete; a killed
// load leaves only the .partial file, which the re-run overwrites.
type rejectsFile struct {
	path string
	tmp  string
	f    *os.File
	bw   *bufio.Writer
	w    *csv.Writer
	row  []string
}

func createRejects(path string) (*rejectsFile, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("rejects: %w", err)
		}
	}
	tmp := path + ".partial"
	// 0600: the raw rows hold personal data.
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("rejects: %w", err)
	}
	// A UTF-8 BOM makes Excel open the file with the right encoding.
	bw := bufio.NewWriterSize(f, 1<<16)
	bw.WriteString("\ufeff")
	w := csv.NewWriter(bw)
	r := &rejectsFile{path: path, tmp: tmp, f: f, bw: bw, w: w, row: make([]string, 6)}
	if err := w.Write([]string{"file", "line", "column", "reason", "raw", "detail"}); err != nil {
		f.Close()
		return nil, fmt.Errorf("rejects: %w", err)
	}
	return r, nil
}

func (r *rejectsFile) write(rj *Reject) error {
	raw := rj.Raw
	if len(raw) > maxRawInReject {
		raw = raw[:maxRawInReject]
	}
	r.row[0], r.row[1], r.row[2], r.row[3], r.row[4], r.row[5] = rj.File, strconv.Itoa(rj.Line), rj.Column, string(rj.Reason), raw, rj.Detail
	if err := r.w.Write(r.row); err != nil {
		return fmt.Errorf("rejects %s: %w", r.tmp, err)
	}
	return nil
}

// Close flushes and renames the file into place.
func (r *rejectsFile) Close() error {
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		r.f.Close()
		return fmt.Errorf("rejects %s: %w", r.tmp, err)
	}
	if err := r.bw.Flush(); err != nil {
		r.f.Close()
		return fmt.Errorf("rejects %s: %w", r.tmp, err)
	}
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("rejects %s: %w", r.tmp, err)
	}
	if err := os.Rename(r.tmp, r.path); err != nil {
		return fmt.Errorf("rejects: %w", err)
	}
	return nil
}
