package embedded

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortKVsMatchesComparisonSort checks the multikey quicksort against the comparison sort it
// replaces, on keys like a run's: long shared prefixes, prefixes of one another, duplicates
// (whose order must stay the order they were added in).
func TestSortKVsMatchesComparisonSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{0, 1, 2, 23, 24, 25, 1000, 50_000} {
		var a []kv
		var arena []byte
		for i := range n {
			var key []byte
			switch r.IntN(4) {
			case 0:
				key = fmt.Appendf(nil, "\x01C%08d", r.IntN(n+1))
			case 1:
				key = fmt.Appendf(nil, "\x01C%08d\x00FILED\x00P%06d", r.IntN(n+1), r.IntN(50))
			case 2:
				key = fmt.Appendf(nil, "\x02%d", r.IntN(30))
			default:
				key = []byte{byte(r.IntN(3))}[:r.IntN(2)]
			}
			val := fmt.Appendf(nil, "%d", i)
			a = append(a, kv{off: uint32(len(arena)), klen: uint32(len(key)), vlen: uint32(len(val)), seq: int32(i)})
			arena = append(append(arena, key...), val...)
		}
		want := slices.Clone(a)
		slices.SortFunc(want, func(x, y kv) int {
			if c := bytes.Compare(x.key(arena), y.key(arena)); c != 0 {
				return c
			}
			return int(x.seq - y.seq)
		})
		sortKVs(a, arena)
		for i := range a {
			if !bytes.Equal(a[i].key(arena), want[i].key(arena)) || a[i].seq != want[i].seq || !bytes.Equal(a[i].val(arena), want[i].val(arena)) {
				t.Fatalf("n=%d: record %d is %q/%d, want %q/%d", n, i, a[i].key(arena), a[i].seq, want[i].key(arena), want[i].seq)
			}
		}
	}
}

// BenchmarkSortRun compares the two sorts on a run of claim-like keys: a claim node and its
// patient adjacency, with ids as bureau exports write them (an 18-digit settlement number and a
// 16-digit insurance number that begin with the region code, so that keys share long prefixes).
func BenchmarkSortRun(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var base []kv
	var arena []byte
	for i := range 500_000 {
		id := r.IntN(10_000_000)
		for j, key := range [][]byte{fmt.Appendf(nil, "\x01\x05530300%012d", id), fmt.Appendf(nil, "\x03\x015303001234%06d\x00\x05530300%012d\x00", id/10, id)} {
			base = append(base, kv{off: uint32(len(arena)), klen: uint32(len(key)), seq: int32(2*i + j)})
			arena = append(arena, key...)
		}
	}
	a := make([]kv, len(base))
	b.Run("multikey", func(b *testing.B) {
		for b.Loop() {
			copy(a, base)
			sortKVs(a, arena)
		}
	})
	b.Run("comparison", func(b *testing.B) {
		for b.Loop() {
			copy(a, base)
			slices.SortFunc(a, func(x, y kv) int {
				if c := bytes.Compare(x.key(arena), y.key(arena)); c != 0 {
					return c
				}
				return int(x.seq - y.seq)
			})
		}
	})
}
