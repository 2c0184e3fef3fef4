package embedded

import (
	"bytes"
	"slices"
)

// sortKVs sorts a run's records by key, equal keys in seq order (the order they were added):
// the order slices.SortFunc with bytes.Compare, then seq, gives. It is a multikey quicksort
// (Bentley and Sedgewick, "Fast algorithms for sorting and searching strings", SODA 1997): each
// pass partitions three ways on one byte of the keys, so the long prefixes that the keys of one
// table share (table, type, id scheme) are read once per partition level instead of once per
// comparison, as a comparison sort of whole keys does.
func sortKVs(a []kv, arena []byte) {
	multikey(a, arena, 0)
}

// byteAt returns byte d of e's key in arena, or −1 past its end (a shorter key sorts first).
func byteAt(arena []byte, e *kv, d int) int {
	if uint32(d) < e.klen {
		return int(arena[e.off+uint32(d)])
	}
	return -1
}

// multikey sorts a, whose keys agree on their first d bytes.
func multikey(a []kv, arena []byte, d int) {
	for len(a) > 1 {
		if len(a) < 24 {
			insertionKVs(a, arena, d)
			return
		}
		pivot := median3(byteAt(arena, &a[0], d), byteAt(arena, &a[len(a)/2], d), byteAt(arena, &a[len(a)-1], d))
		lt, i, gt := 0, 0, len(a)
		for i < gt {
			switch c := byteAt(arena, &a[i], d); {
			case c < pivot:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case c > pivot:
				gt--
				a[i], a[gt] = a[gt], a[i]
			default:
				i++
			}
		}
		multikey(a[:lt], arena, d)
		multikey(a[gt:], arena, d)
		if pivot < 0 {
			// Every key of the middle ended at d: they are equal, so the order they were
			// added in decides.
			slices.SortFunc(a[lt:gt], func(x, y kv) int { return int(x.seq - y.seq) })
			return
		}
		a, d = a[lt:gt], d+1
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
func median3(a, b, c int) int {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}
