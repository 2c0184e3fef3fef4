package api

import (
	"testing"
	"time"
)

func TestPictureCacheEvictsLeastRecentAndExpires(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newPictureCache(2, time.Minute, func() time.Time { return now })
	k := func(ring string) pictureKey { return pictureKey{job: "J1", ring: ring, limit: 500} }
	c.put(&ringPicture{key: k("A"), claims: 1})
	c.put(&ringPicture{key: k("B"), claims: 2})
	if p, ok := c.get(k("A")); !ok || p.claims != 1 {
		t.Fatal("A not cached")
	}
	c.put(&ringPicture{key: k("C"), claims: 3}) // B is the least recently used now
	if _, ok := c.get(k("B")); ok {
		t.Fatal("B survived eviction")
	}
	if _, ok := c.get(pictureKey{job: "J2", ring: "A", limit: 500}); ok {
		t.Fatal("another job's ring A served from J1's picture")
	}
	if _, ok := c.get(pictureKey{job: "J1", ring: "A", limit: 10}); ok {
		t.Fatal("a picture drawn with another limit served")
	}
	now = now.Add(61 * time.Second)
	if _, ok := c.get(k("A")); ok {
		t.Fatal("A served after its time to live")
	}
	off := newPictureCache(-1, time.Minute, time.Now)
	off.put(&ringPicture{key: k("A")})
	if _, ok := off.get(k("A")); ok {
		t.Fatal("a disabled cache served a picture")
	}
}
