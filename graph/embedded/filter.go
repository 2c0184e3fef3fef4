package embedded

import (
	"bytes"
	"context"
	"hash/maphash"

	"github.com/ringtrace/ringtrace/graph"
)

// claimFilter is an in-memory Bloom filter of the claim ids in the store (the same type also
// filters patient keys and derived-node prefixes, see buildPartyFilter). A load writes millions
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
	return buildFilter(ctx, s, &s.claimFilter, [][]byte{nodeKey(nil, graph.TypeClaim, "")}, func(k []byte) (string, []byte) {
		return string(k[2:]), nil
	})
}

// buildPartyFilter fills the patient-record and derived-node filters once; the caller holds
// wmu. The patient filter holds patient node keys; the derived filter holds the adjacency
// prefixes of phones, addresses and terminals, which is what makes them exist. Both spare a
// fresh load a Pebble lookup per new patient and per new phone or address.
func (s *Store) buildPartyFilter(ctx context.Context) error {
	err := buildFilter(ctx, s, &s.patientFilter, [][]byte{nodeKey(nil, graph.TypePatient, "")}, func(k []byte) (string, []byte) {
		return string(k), nil
	})
	if err != nil {
		return err
	}
	var prefixes [][]byte
	for _, t := range []graph.EntityType{graph.TypePhone, graph.TypeAddress, graph.TypeTerminal} {
		prefixes = append(prefixes, []byte{tabAdj, typeCode(t)})
	}
	// One entry per derived node: after a node's first key the scan seeks past all its keys
	// (a terminal has one per claim).
	return buildFilter(ctx, s, &s.derivedFilter, prefixes, func(k []byte) (string, []byte) {
		end := bytes.IndexByte(k[2:], 0)
		if end < 0 {
			return "", nil
		}
		p := k[:2+end+1]
		return string(p), prefixEnd(p)
	})
}

// buildFilter adds the entry of every key under the given prefixes to f; entry returns the
// filter entry of a key ("" for none) and, optionally, where to seek next.
func buildFilter(ctx context.Context, s *Store, f *claimFilter, prefixes [][]byte, entry func(key []byte) (string, []byte)) error {
	if f.ready {
		return nil
	}
	f.seed = maphash.MakeSeed()
	f.bits = make([]uint64, filterBits/64)
	f.ready = true
	for _, prefix := range prefixes {
		it, err := s.iter(prefix)
		if err != nil {
			f.ready = false
			return err
		}
		n := 0
		for ok := it.First(); ok; {
			e, next := entry(it.Key())
			if e != "" {
				f.add(e)
			}
			if next != nil {
				ok = it.SeekGE(next)
			} else {
				ok = it.Next()
			}
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
	}
	return nil
}
