package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding names reported in the summary.
const (
	EncodingUTF8    = "UTF-8"
	EncodingUTF8BOM = "UTF-8 BOM"
	EncodingUTF16LE = "UTF-16LE BOM"
	EncodingUTF16BE = "UTF-16BE BOM"
	EncodingGB18030 = "GB18030"
)

// sniffSize is how much of a file is examined to choose its encoding. Excel writes GBK files
// whose first rows are often pure ASCII headers in English; 1 MiB covers many data rows too, and
// records that still turn out not to be UTF-8 are decoded one by one (recordReader.finish).
const sniffSize = 1 << 20

// decodeStream detects the encoding of r and returns a reader of UTF-8 text, the encoding's name
// and whether the per-record GB18030 fallback applies (only for streams sniffed as UTF-8).
//
// Order: a BOM decides (UTF-8, UTF-16LE, UTF-16BE); otherwise valid UTF-8 in the first sniffSize
// bytes means UTF-8; otherwise GB18030, a superset of GBK and GB2312 that Excel uses for Chinese.
func decodeStream(r io.Reader) (io.Reader, string, bool, error) {
	br := bufio.NewReaderSize(r, readBufferSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", false, fmt.Errorf("sniff encoding: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		if _, err := br.Discard(3); err != nil {
			return nil, "", false, fmt.Errorf("skip BOM: %w", err)
		}
		return br, EncodingUTF8BOM, true, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), readBufferSize), EncodingUTF16LE, false, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), readBufferSize), EncodingUTF16BE, false, nil
	}
	if validUTF8Prefix(head, len(head) == sniffSize) {
		return br, EncodingUTF8, true, nil
	}
	dec := simplifiedchinese.GB18030.NewDecoder()
	return bufio.NewReaderSize(transform.NewReader(br, dec), readBufferSize), EncodingGB18030, false, nil
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing an incomplete rune at the end when
// b was cut from a longer stream.
func validUTF8Prefix(b []byte, cut bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if !cut {
		return false
	}
	// Drop up to 3 trailing bytes of a rune split by the cut.
	for k := 1; k <= 3 && k < len(b); k++ {
		if utf8.RuneStart(b[len(b)-k]) {
			return utf8.Valid(b[:len(b)-k])
		}
	}
	return false
}
