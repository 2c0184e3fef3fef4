package embedded

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// sortKVs sorts a run's records by key, equal keys in seq order (the order they were added):
// the order slices.SortFunc with bytes.Compare, then seq, gives. It is a multikey quicksort
// (Bentley and Sedgewick, "Fast algorithms for sorting and searching strings", SODA 1997) on
// 8-byte digits: each pass partitions three ways on bytes d..d+8 of the keys, read once per pass
// into a digit array beside the records, so that the partition loop reads memory in order
// instead of chasing every record's key in the arena, and the long prefixes the keys of one table
// share (table, type, id scheme) cost one pass per 8 bytes rather than one per byte.
func sortKVs(a []kv, arena []byte) {
	if len(a) < 2 {
		return
	}
	multikey(a, make([]uint64, len(a)), arena, 0, true)
}

// word returns bytes d..d+8 of e's key as a big-endian number, zero past the key's end.
func word(arena []byte, e *kv, d int) uint64 {
	k := arena[e.off : e.off+e.klen]
	if d+8 <= len(k) {
		return binary.BigEndian.Uint64(k[d:])
	}
	var w uint64
	for i := d; i < len(k); i++ {
		w |= uint64(k[i]) << (56 - 8*(i-d))
	}
	return w
}

// multikey sorts a, whose keys agree on their first d bytes; dig[i] is a[i]'s digit at d, or is
// filled first when fill is set.
func multikey(a []kv, dig []uint64, arena []byte, d int, fill bool) {
	for len(a) > 1 {
		if len(a) < 24 {
			insertionKVs(a, arena, d)
			return
		}
		if fill {
			for i := range a {
				dig[i] = word(arena, &a[i], d)
			}
		}
		pivot := median3(dig[0], dig[len(a)/2], dig[len(a)-1])
		lt, i, gt := 0, 0, len(a)
		for i < gt {
			switch c := dig[i]; {
			case c < pivot:
				a[lt], a[i] = a[i], a[lt]
				dig[lt], dig[i] = dig[i], dig[lt]
				lt++
				i++
			case c > pivot:
				gt--
				a[i], a[gt] = a[gt], a[i]
				dig[i], dig[gt] = dig[gt], dig[i]
			default:
				i++
			}
		}
		multikey(a[:lt], dig[:lt], arena, d, false)
		multikey(a[gt:], dig[gt:], arena, d, false)
		// The middle agrees on bytes d..d+8 with zero padding. A key that ends within them is a
		// prefix of every longer key there, and of the others that end there the shorter is a
		// prefix of the longer: those go first, by length and then by the order they were added;
		// the rest continue at d+8.
		mid, md := a[lt:gt], dig[lt:gt]
		done := 0
		for j := range mid {
			if int(mid[j].klen) <= d+8 {
				mid[done], mid[j] = mid[j], mid[done]
				done++
			}
		}
		slices.SortFunc(mid[:done], func(x, y kv) int {
			if x.klen != y.klen {
				return int(x.klen) - int(y.klen)
			}
			return int(x.seq - y.seq)
		})
		a, dig, d, fill = mid[done:], md[done:], d+8, true
	}
}

// insertionKVs sorts a short slice whose keys agree on their first d bytes.
func insertionKVs(a []kv, arena []byte, d int) {
	less := func(x, y *kv) bool {
		if c := bytes.Compare(x.key(arena)[d:], y.key(arena)[d:]); c != 0 {
			return c < 0
		}
		return x.seq < y.seq
	}
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && less(&a[j], &a[j-1]); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// median3 returns the median of three values.
func median3(a, b, c uint64) uint64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}
