package throttle

import (
	"sync"
	"time"
)

// Refusals counts refused attempts per key so that the audit trail records them without a flood
// of refusals flooding it: Note says when a summary is due — the first refusal of a key, then at
// most one per Every — and how many refusals it covers.
type Refusals struct {
	mu    sync.Mutex
	every time.Duration
	now   func() time.Time
	keys  map[string]*refused
}

type refused struct {
	n    int
	last time.Time
}

// NewRefusals returns a counter that reports at most once per every per key.
func NewRefusals(every time.Duration, now func() time.Time) *Refusals {
	return &Refusals{every: every, now: now, keys: map[string]*refused{}}
}

// Note counts one refusal of key. When due, it returns the refusals since the last report
// (including this one) and resets the count; otherwise 0.
func (r *Refusals) Note(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	k := r.keys[key]
	if k == nil {
		if len(r.keys) > maxBuckets {
			for kk, v := range r.keys {
				if now.Sub(v.last) > r.every {
					delete(r.keys, kk)
				}
			}
		}
		k = &refused{}
		r.keys[key] = k
	}
	k.n++
	if k.last.IsZero() || now.Sub(k.last) >= r.every {
		n := k.n
		k.n, k.last = 0, now
		return n
	}
	return 0
}
