package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// findFiles locates the contract's files in dir. File names match case-insensitively
// ("Claims.CSV" is claims.csv) because exports come from Windows machines. Missing required files
// are reported together in one EINVALID error naming each file.
func findFiles(dir string) ([numKinds]string, error) {
	var paths [numKinds]string
	entries, err := os.ReadDir(dir)
	if err != nil {
		return paths, &graph.Error{Code: graph.EINVALID, Field: "data",
			Message: fmt.Sprintf("无法读取数据目录 / cannot read data directory %s: %v", dir, err)}
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := strings.ToLower(e.Name())
		for _, s := range specs {
			if name == s.fileName() {
				if paths[s.kind] != "" {
					return paths, &graph.Error{Code: graph.EINVALID, Field: s.fileName(),
						Message: fmt.Sprintf("数据目录中有多个 %s / more than one file named %s (case-insensitively) in %s", s.fileName(), s.fileName(), dir)}
				}
				paths[s.kind] = filepath.Join(dir, e.Name())
			}
		}
	}
	var missing []string
	for _, s := range specs {
		if s.required && paths[s.kind] == "" {
			missing = append(missing, s.fileName())
		}
	}
	if len(missing) > 0 {
		m := strings.Join(missing, ", ")
		return paths, &graph.Error{Code: graph.EINVALID, Field: m,
			Message: fmt.Sprintf("缺少必需文件 %s / required file(s) missing in %s: %s", m, dir, m)}
	}
	return paths, nil
}

// countingReader counts the bytes read from the file, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// csvFile is one open input file positioned after its header.
type csvFile struct {
	path     string
	name     string // base name as found
	size     int64
	f        *os.File
	cr       *countingReader
	rr       *recordReader
	lay      *layout
	encoding string
	delim    byte
}

// openCSV opens path, detects its encoding and delimiter, reads the header and resolves it
// against spec. The caller closes the file.
func openCSV(path string, spec *fileSpec, m *Mapping) (*csvFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &graph.Error{Code: graph.EINVALID, Field: spec.fileName(),
			Message: fmt.Sprintf("无法打开 / cannot open %s: %v", path, err)}
	}
	cf := &csvFile{path: path, name: filepath.Base(path), f: f, cr: &countingReader{r: f}}
	if fi, err := f.Stat(); err == nil {
		cf.size = fi.Size()
	}
	r, enc, fallback, err := decodeStream(cf.cr)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cf.encoding = enc
	cf.rr = newRecordReader(r, ',', fallback)
	var head []byte
	for {
		l, err := cf.rr.nextLine()
		if errors.Is(err, io.EOF) {
			f.Close()
			return nil, &graph.Error{Code: graph.EINVALID, Field: spec.fileName(),
				Message: fmt.Sprintf("%s 为空，没有表头 / %s is empty: no header row", spec.fileName(), path)}
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: read header: %w", path, err)
		}
		if len(bytes.TrimSpace(l)) > 0 {
			head = l
			break
		}
	}
	cf.delim = sniffDelimiter(head)
	cf.rr.delim = cf.delim
	spans, out, st := splitRecord(nil, nil, head, cf.delim)
	if st != splitOK {
		f.Close()
		return nil, &graph.Error{Code: graph.EINVALID, Field: spec.fileName(),
			Message: fmt.Sprintf("%s 表头引号不配对 / %s: the header has an unterminated quote", spec.fileName(), path)}
	}
	header := make([]string, len(spans))
	for i, s := range spans {
		header[i] = string(out[s.lo:s.hi])
	}
	cf.lay, err = resolveHeader(spec, header, m)
	if err != nil {
		f.Close()
		return nil, err
	}
	return cf, nil
}

// sniffDelimiter picks the field separator from the header line: a comma unless the header has
// none and has tabs (Excel's "Unicode text") or semicolons (European-locale CSV).
func sniffDelimiter(head []byte) byte {
	if bytes.IndexByte(head, ',') >= 0 {
		return ','
	}
	if bytes.IndexByte(head, '\t') >= 0 {
		return '\t'
	}
	if bytes.IndexByte(head, ';') >= 0 {
		return ';'
	}
	if bytes.IndexByte(head, '|') >= 0 {
		return '|'
	}
	return ','
}

func (cf *csvFile) Close() error { return cf.f.Close() }

// openAll opens every present file of the contract and resolves its header, before anything is
// written, so that a missing file or column stops the load with nothing changed. All problems are
// reported together.
func openAll(dir string, m *Mapping) ([numKinds]*csvFile, error) {
	var files [numKinds]*csvFile
	paths, err := findFiles(dir)
	if err != nil {
		return files, err
	}
	var errs []error
	for _, s := range specs {
		if paths[s.kind] == "" {
			continue
		}
		cf, err := openCSV(paths[s.kind], s, m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files[s.kind] = cf
	}
	if len(errs) > 0 {
		closeAll(files)
		if len(errs) == 1 {
			return files, errs[0]
		}
		return files, errors.Join(errs...)
	}
	return files, nil
}

func closeAll(files [numKinds]*csvFile) {
	for i, f := range files {
		if f != nil {
			f.Close()
			files[i] = nil
		}
	}
}

// rawString returns the record as read, for the rejects file. Without quotes the unescaped text
// is the raw text, so no copy is made on the hot path.
func (r *record) rawString() string {
	if bytes.IndexByte(r.raw, '"') < 0 && len(r.raw) == len(r.text) {
		return r.text
	}
	return string(r.raw)
}

// Check verifies the export in dir against the input contract — required files present,
// readable, with a header holding every required column — without reading any data row. Load
// and OpenDir do the same before anything else; callers use Check to fail before opening a store.
func Check(dir string, m *Mapping) error {
	files, err := openAll(dir, m)
	closeAll(files)
	return err
}
