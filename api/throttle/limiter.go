package throttle

import (
	"sync"
	"time"
)

// Limiter holds one token bucket per key: Burst attempts at once, refilled at PerMinute per
// minute.
type Limiter struct {
	mu      sync.Mutex
	burst   float64
	perSec  float64
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds memory under a spray of addresses; beyond it, full buckets are dropped.
const maxBuckets = 100000

// New returns a limiter allowing burst attempts at once, refilled at perMinute per minute.
func New(perMinute, burst int, now func() time.Time) *Limiter {
	return &Limiter{burst: float64(burst), perSec: float64(perMinute) / 60, buckets: map[string]*bucket{}, now: now}
}

func (l *Limiter) bucket(key string) *bucket {
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > maxBuckets {
			for k, v := range l.buckets {
				if v.tokens+now.Sub(v.last).Seconds()*l.perSec >= l.burst {
					delete(l.buckets, k)
				}
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
	b.last = now
	return b
}

// Allow reports whether key may make an attempt, and if not, after how long it may.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key)
	if b.tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
}

// Take spends a token for an attempt that counts (a failed login, a submission).
func (l *Limiter) Take(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key)
	b.tokens = max(0, b.tokens-1)
}
