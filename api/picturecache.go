package api

import (
	"container/list"
	"sync"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// pictureCache keeps the aggregated ring pictures recently drawn, before masking, so that a
// team working one findings board — the same few dozen rings opened again and again — does not
// read every member's claims on every open. A picture belongs to one job and one ring; it is
// recomputed after ttl, so claims loaded into a Neo4j store by a running ingest show within
// ttl. Masking and the audit record stay per request.
type pictureCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	now     func() time.Time
	order   *list.List // front: most recently used
	entries map[pictureKey]*list.Element
}

type pictureKey struct {
	job, ring string
	limit     int
}

// ringPicture is a computed aggregate ring picture.
type ringPicture struct {
	key     pictureKey
	at      time.Time
	g       graph.Subgraph
	edges   []aggEdge
	parties int
	claims  int
	capped  bool
}

// newPictureCache returns a cache of max pictures; max ≤ 0 disables it.
func newPictureCache(max int, ttl time.Duration, now func() time.Time) *pictureCache {
	return &pictureCache{max: max, ttl: ttl, now: now, order: list.New(), entries: map[pictureKey]*list.Element{}}
}

func (c *pictureCache) get(k pictureKey) (*ringPicture, bool) {
	if c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	p := el.Value.(*ringPicture)
	if c.now().Sub(p.at) > c.ttl {
		c.order.Remove(el)
		delete(c.entries, k)
		return nil, false
	}
	c.order.MoveToFront(el)
	return p, true
}

func (c *pictureCache) put(p *ringPicture) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p.at = c.now()
	if el, ok := c.entries[p.key]; ok {
		el.Value = p
		c.order.MoveToFront(el)
		return
	}
	c.entries[p.key] = c.order.PushFront(p)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*ringPicture).key)
	}
}

// ringPictureTTL bounds how long a cached ring picture is served.
const ringPictureTTL = 5 * time.Minute
