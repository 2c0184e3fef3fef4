package state

import (
	"errors"
	"testing"
)

func TestOpenRefusesASecondHolderAndAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenExisting(dir); err == nil {
		t.Fatal("OpenExisting created a state database where there was none")
	}
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	a, err := st.Secret("k")
	if err != nil || len(a) != 32 {
		t.Fatalf("secret %x %v", a, err)
	}
	if b, _ := st.Secret("k"); string(a) != string(b) {
		t.Fatal("a secret changed between reads")
	}
}
