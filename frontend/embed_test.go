package frontend

import (
	"io/fs"
	"strings"
	"testing"
)

// TestFSServesIndex checks that FS always offers an index.html: the real build when one is
// embedded, otherwise the placeholder that tells the operator how to build the UI.
func TestFSServesIndex(t *testing.T) {
	b, err := fs.ReadFile(FS(), "index.html")
	if err != nil {
		t.Fatalf("index.html: %v", err)
	}
	if !strings.Contains(string(b), "RingTrace") {
		t.Fatalf("index.html does not name RingTrace: %.200s", b)
	}
	if !Built() && !strings.Contains(string(b), "npm run build") {
		t.Fatalf("placeholder should explain how to build the UI")
	}
}
