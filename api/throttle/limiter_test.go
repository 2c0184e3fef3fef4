package throttle

import (
	"testing"
	"time"
)

func TestLimiterBurstAndRefill(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	l := New(6, 3, func() time.Time { return now }) // one token every 10 s
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("10.0.0.1"); !ok {
			t.Fatalf("attempt %d refused within the burst", i)
		}
		l.Take("10.0.0.1")
	}
	ok, wait := l.Allow("10.0.0.1")
	if ok || wait != 10*time.Second {
		t.Fatalf("after the burst: allowed=%v wait=%v, want refused for 10s", ok, wait)
	}
	if ok, _ := l.Allow("10.0.0.2"); !ok {
		t.Fatal("another address shares the bucket")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.Allow("10.0.0.1"); !ok {
		t.Fatal("a token did not come back after 10s")
	}
}

func TestRefusalsReportOncePerPeriod(t *testing.T) {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	r := NewRefusals(time.Minute, func() time.Time { return now })
	if n := r.Note("a"); n != 1 {
		t.Fatalf("first refusal: %d, want 1", n)
	}
	for i := 0; i < 5; i++ {
		if n := r.Note("a"); n != 0 {
			t.Fatalf("refusal %d within the minute reported %d", i, n)
		}
	}
	if n := r.Note("b"); n != 1 {
		t.Fatalf("other key: %d", n)
	}
	now = now.Add(time.Minute)
	if n := r.Note("a"); n != 6 {
		t.Fatalf("after a minute: %d, want 6 (5 held back + this one)", n)
	}
}
