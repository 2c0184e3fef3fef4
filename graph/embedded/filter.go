package embedded

import (
	"context"
	"hash/maphash"

	"github.com/ringtrace/ringtrace/graph"
)

// claimFilter is an in-memory Bloom filter of the claim ids in the store. A load writes millions
// of claims that are almost all new; asking Pebble whether each id exists costs a memtable and
// bloom-filter probe per sstable, while this answers "certainly new" from one cache line. It is
// built on the first PutClaims after Open by scanning the claim keys (instant on an empty store,
// a few seconds for ten million claims) and kept up to date by the single writer. A false
// positive only costs the Get it replaces, so the filter never affects results.
type claimFilter struct {
	seed  maphash.Seed
	bits  []uint64
	ready bool
}

// filterBits sizes the filter for about 13 million ids at a 1 % false-positive rate (16 MiB);
// beyond that it degrades gracefully into more Gets.
const (
	filterBits   = 1 << 27
	filterHashes = 7
)

func (f *claimFilter) positions(id string, fn func(bit uint64) bool) bool {
	h := maphash.String(f.seed, id)
	h1, h2 := h&0xffffffff, h>>32|1
	for i := uint64(0); i < filterHashes; i++ {
		if !fn((h1 + i*h2) % filterBits) {
			return false
		}
	}
	return true
}

func (f *claimFilter) add(id string) {
	if !f.ready {
		return
	}
	f.positions(id, func(b uint64) bool { f.bits[b/64] |= 1 << (b % 64); return true })
}

// mayContain reports whether id may be stored; false means certainly not.
func (f *claimFilter) mayContain(id string) bool {
	if !f.ready {
		return true
	}
	return f.positions(id, func(b uint64) bool { return f.bits[b/64]&(1<<(b%64)) != 0 })
}

// buildClaimFilter fills the filter from the stored claim keys once; the caller holds wmu.
func (s *Store) buildClaimFilter(ctx context.Context) error {
	f := &s.claimFilter
	if f.ready {
		return nil
	}
	f.seed = maphash.MakeSeed()
	f.bits = make([]uint64, filterBits/64)
	it, err := s.iter(nodeKey(nil, graph.TypeClaim, ""))
	if err != nil {
		return err
	}
	f.ready = true
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		f.add(string(it.Key()[2:]))
		if n++; n%65536 == 0 && ctx.Err() != nil {
			f.ready = false
			_ = it.Close()
			return ctx.Err()
		}
	}
	if err := closeIter(it); err != nil {
		f.ready = false
		return err
	}
	return nil
}
