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
			a = append(a, kv{key: key, val: fmt.Appendf(nil, "%d", i), seq: int32(i)})
		}
		want := slices.Clone(a)
		slices.SortFunc(want, func(x, y kv) int {
			if c := bytes.Compare(x.key, y.key); c != 0 {
				return c
			}
			return int(x.seq - y.seq)
		})
		sortKVs(a)
		for i := range a {
			if !bytes.Equal(a[i].key, want[i].key) || a[i].seq != want[i].seq {
				t.Fatalf("n=%d: record %d is %q/%d, want %q/%d", n, i, a[i].key, a[i].seq, want[i].key, want[i].seq)
			}
		}
	}
}

// BenchmarkSortRun compares the two sorts on a run of claim-like keys.
func BenchmarkSortRun(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var base []kv
	for i := range 500_000 {
		id := r.IntN(10_000_000)
		base = append(base,
			kv{key: fmt.Appendf(nil, "\x01C%010d", id), seq: int32(2 * i)},
			kv{key: fmt.Appendf(nil, "\x03FILED\x00P%08d\x00C%010d", id/10, id), seq: int32(2*i + 1)})
	}
	a := make([]kv, len(base))
	b.Run("multikey", func(b *testing.B) {
		for b.Loop() {
			copy(a, base)
			sortKVs(a)
		}
	})
	b.Run("comparison", func(b *testing.B) {
		for b.Loop() {
			copy(a, base)
			slices.SortFunc(a, func(x, y kv) int {
				if c := bytes.Compare(x.key, y.key); c != 0 {
					return c
				}
				return int(x.seq - y.seq)
			})
		}
	})
}
