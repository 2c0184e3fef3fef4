package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/ringtrace/ringtrace/api/accounts"
)

// Graph pictures are gzipped for clients that accept it and decode to what an uncompressed
// answer holds; small answers and clients that do not ask get plain bodies.
func TestResponsesCompressedWhenAccepted(t *testing.T) {
	e := newEnv(t)
	get := func(path string, gz bool) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens[accounts.RoleAnalyst])
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		// A transport of its own so that Go's client does not negotiate and undo gzip itself.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	path := "/api/entities/institution/H53010200001/neighbourhood?view=claims"
	plainResp, plain := get(path, false)
	if plainResp.Header.Get("Content-Encoding") != "" || len(plain) < 1024 {
		t.Fatalf("plain answer: encoding %q, %d bytes", plainResp.Header.Get("Content-Encoding"), len(plain))
	}
	gzResp, packed := get(path, true)
	if gzResp.StatusCode != http.StatusOK || gzResp.Header.Get("Content-Encoding") != "gzip" || len(packed) >= len(plain)/2 {
		t.Fatalf("gzip answer: %d, encoding %q, %d bytes for %d plain", gzResp.StatusCode, gzResp.Header.Get("Content-Encoding"), len(packed), len(plain))
	}
	zr, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		t.Fatal(err)
	}
	unpacked, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	// Compression changes the bytes on the wire, not the picture.
	if string(unpacked) != string(plain) {
		t.Fatalf("gzip body differs from the plain one:\n%s\n%s", unpacked, plain)
	}
	small, _ := get("/api/auth/me", true)
	if small.Header.Get("Content-Encoding") != "" {
		t.Fatalf("a small answer is gzipped: %q", small.Header.Get("Content-Encoding"))
	}
}
