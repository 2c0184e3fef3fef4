package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const (
	// maxRecordLines bounds how many physical lines one quoted record may span. A stray opening
	// quote would otherwise swallow the rest of the file into one field; past this bound the first
	// line is rejected on its own and reading resumes on the next line.
	maxRecordLines = 64
	// maxRecordBytes bounds the size of one record for the same reason.
	maxRecordBytes = 1 << 20
	// readBufferSize is the bufio size: large reads keep syscalls off the profile.
	readBufferSize = 1 << 20
)

// span is the half-open byte range of one field inside a record's unescaped text.
type span struct{ lo, hi int32 }

// splitStatus tells how a split ended.
type splitStatus int

const (
	splitOK         splitStatus = iota
	splitOpenQuote              // the record ends inside a quoted field: it may continue on the next line
	splitTooManyCol             // more fields than fit in an int32 span table (never in practice)
)

// splitRecord splits one record (without its line terminator) into fields separated by delim,
// following RFC 4180 quoting: a field that starts with a double quote runs to the matching closing
// quote, with "" standing for one quote; the unescaped field texts, separated by delim, are
// appended to out and their ranges to dst. It never fails on content: a quote inside an unquoted field is literal, and text
// after a closing quote is kept literally. It reports splitOpenQuote when rec ends inside quotes.
//
// out is grown once to len(rec) so that unescaped text (never longer than rec) does not move.
func splitRecord(dst []span, out []byte, rec []byte, delim byte) ([]span, []byte, splitStatus) {
	dst = dst[:0]
	out = out[:0]
	if cap(out) < len(rec) {
		out = make([]byte, 0, len(rec)+len(rec)/2)
	}
	i := 0
	for {
		if len(dst) > 0 {
			// Keep delimiters so that an unquoted record's text equals its raw bytes.
			out = append(out, delim)
		}
		start := len(out)
		if i < len(rec) && rec[i] == '"' {
			// Quoted field.
			i++
			closed := false
			for i < len(rec) {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					out = append(out, rec[i:]...)
					i = len(rec)
					break
				}
				out = append(out, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' {
					out = append(out, '"')
					i++
					continue
				}
				closed = true
				break
			}
			if !closed {
				dst = append(dst, span{int32(start), int32(len(out))})
				return dst, out, splitOpenQuote
			}
			// Lenient: keep anything between the closing quote and the delimiter.
			j := bytes.IndexByte(rec[i:], delim)
			if j < 0 {
				out = append(out, rec[i:]...)
				dst = append(dst, span{int32(start), int32(len(out))})
				return dst, out, splitOK
			}
			out = append(out, rec[i:i+j]...)
			i += j + 1
			dst = append(dst, span{int32(start), int32(len(out))})
			continue
		}
		j := bytes.IndexByte(rec[i:], delim)
		if j < 0 {
			out = append(out, rec[i:]...)
			dst = append(dst, span{int32(start), int32(len(out))})
			return dst, out, splitOK
		}
		out = append(out, rec[i:i+j]...)
		i += j + 1
		dst = append(dst, span{int32(start), int32(len(out))})
	}
}

// record is one CSV record: its starting physical line, its unescaped text and field ranges,
// and the raw bytes as read (for the rejects file). raw is only valid until the next read.
type record struct {
	line   int
	off    int64 // byte offset of the record's first line in the decoded stream
	size   int   // bytes from off up to and including the record's last line terminator
	text   string
	spans  []span
	raw    []byte
	broken string // non-empty when the record could not be split (reason detail)
}

// field returns field i trimmed of surrounding white space, or "" when the record has no field i.
func (r *record) field(i int) string {
	if i < 0 || i >= len(r.spans) {
		return ""
	}
	s := r.spans[i]
	return trimSpace(r.text[s.lo:s.hi])
}

// trimSpace trims ASCII white space, and — only when a non-ASCII byte is at an end — Unicode
// white space such as the ideographic space U+3000 that Chinese spreadsheets contain.
func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && (s[0] >= utf8.RuneSelf || s[len(s)-1] >= utf8.RuneSelf) {
		s = strings.TrimSpace(s)
	}
	return s
}

// recordReader streams records from a decoded (UTF-8) byte stream.
type recordReader struct {
	br       *bufio.Reader
	delim    byte
	fallback bool  // the stream was sniffed as UTF-8: decode invalid records as GB18030
	line     int   // physical lines consumed so far
	off      int64 // stream offset of the next unread line
	lastOff  int64 // stream offset of the line nextLine returned last
	pending  [][]byte
	pendOff  []int64 // stream offsets of the pending lines
	resume   int64   // stream offset after the last pending line
	acc      []byte
	out      []byte
	spans    []span
	rec      record
	eof      bool
}

func newRecordReader(r io.Reader, delim byte, fallback bool) *recordReader {
	return newRecordReaderSize(r, delim, fallback, readBufferSize)
}

// newRecordReaderSize is newRecordReader with a chosen buffer size (small in the fuzz test, so
// that the long-line path is exercised and each run stays cheap).
func newRecordReaderSize(r io.Reader, delim byte, fallback bool, size int) *recordReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < size {
		br = bufio.NewReaderSize(r, size)
	}
	return &recordReader{br: br, delim: delim, fallback: fallback}
}

// nextLine returns the next physical line without its terminator. The slice is valid until the
// next call. It returns io.EOF when the stream is exhausted.
func (rr *recordReader) nextLine() ([]byte, error) {
	if n := len(rr.pending); n > 0 {
		l := rr.pending[0]
		rr.lastOff = rr.pendOff[0]
		rr.pending, rr.pendOff = rr.pending[1:], rr.pendOff[1:]
		if len(rr.pending) > 0 {
			rr.off = rr.pendOff[0]
		} else {
			rr.off = rr.resume
		}
		rr.line++
		return l, nil
	}
	if rr.eof {
		return nil, io.EOF
	}
	l, err := rr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A line longer than the buffer: gather it into acc.
		buf := append([]byte(nil), l...)
		for errors.Is(err, bufio.ErrBufferFull) {
			l, err = rr.br.ReadSlice('\n')
			buf = append(buf, l...)
		}
		l = buf
	}
	if err != nil {
		if !errors.Is(err, io.EOF) {
			return nil, err
		}
		rr.eof = true
		if len(l) == 0 {
			return nil, io.EOF
		}
	}
	rr.lastOff = rr.off
	rr.off += int64(len(l))
	rr.line++
	return trimEOL(l), nil
}

func trimEOL(l []byte) []byte {
	if n := len(l); n > 0 && l[n-1] == '\n' {
		l = l[:n-1]
	}
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	return l
}

// next returns the next non-blank record. The record and its slices are valid until the next
// call. A record whose quoted field never closes comes back with broken set and only its first
// physical line consumed.
func (rr *recordReader) next() (*record, error) {
	for {
		l, err := rr.nextLine()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		start := rr.line
		rr.rec = record{line: start, off: rr.lastOff}
		spans, out, st := splitRecord(rr.spans, rr.out, l, rr.delim)
		if st == splitOK {
			rr.spans, rr.out = spans, out
			rr.finish(l)
			rr.rec.size = int(rr.off - rr.rec.off)
			return &rr.rec, nil
		}
		// A quoted field continues on the following lines: gather them.
		rr.acc = append(rr.acc[:0], l...)
		var extra [][]byte
		var extraOff []int64
		for st == splitOpenQuote {
			if len(extra)+1 >= maxRecordLines || len(rr.acc) > maxRecordBytes {
				break
			}
			nl, err := rr.nextLine()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					return nil, err
				}
				break
			}
			extra = append(extra, append([]byte(nil), nl...))
			extraOff = append(extraOff, rr.lastOff)
			rr.acc = append(rr.acc, '\n')
			rr.acc = append(rr.acc, nl...)
			spans, out, st = splitRecord(spans, out, rr.acc, rr.delim)
		}
		rr.spans, rr.out = spans, out
		if st == splitOK {
			rr.finish(rr.acc)
			rr.rec.size = int(rr.off - rr.rec.off)
			return &rr.rec, nil
		}
		// Give the extra lines back: only the first line is reported broken.
		if len(extra) > 0 {
			if len(rr.pending) == 0 {
				rr.resume = rr.off
			}
			rr.pending = append(extra, rr.pending...)
			rr.pendOff = append(extraOff, rr.pendOff...)
			rr.off = extraOff[0]
		}
		rr.line -= len(extra)
		rr.rec.raw = rr.acc[:len(l)]
		rr.rec.text = string(rr.rec.raw)
		rr.rec.spans = nil
		rr.rec.broken = "unterminated quoted field"
		return &rr.rec, nil
	}
}

// finish fills rr.rec from the split in rr.spans/rr.out. Records that are not valid UTF-8 in a
// stream sniffed as UTF-8 are decoded as GB18030: files concatenated from two exports mix them.
func (rr *recordReader) finish(raw []byte) {
	rr.rec.raw = raw
	rr.rec.spans = rr.spans
	if rr.fallback && !utf8.Valid(rr.out) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
		if err == nil {
			spans, out, st := splitRecord(nil, nil, dec, rr.delim)
			if st == splitOK {
				rr.rec.spans = spans
				rr.rec.text = string(out)
				rr.rec.raw = dec
				return
			}
		}
	}
	rr.rec.text = string(rr.out)
}

// recordBytes turns the bytes of one record as stored in the stream (its lines with their
// terminators) into the form next() parses: each line without "\n" and one trailing "\r",
// joined with "\n". Dir re-reads records by offset and must split exactly what the first pass saw.
func recordBytes(b []byte) []byte {
	b = trimEOL(b)
	if bytes.IndexByte(b, '\n') < 0 {
		return b
	}
	lines := bytes.Split(b, []byte{'\n'})
	for i, l := range lines {
		if n := len(l); n > 0 && l[n-1] == '\r' && i < len(lines)-1 {
			lines[i] = l[:n-1]
		}
	}
	return bytes.Join(lines, []byte{'\n'})
}
