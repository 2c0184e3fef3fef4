package finding

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// Candidate is a ring or a lead before it is written out: the public Ring and the dataset
// indexes of its parties. Lead is true for one card or one claim stream (a dead person's card,
// one impersonated card, one ghost stay, one provider's screening hits); a ring has at least
// two cards acting together.
type Candidate struct {
	Ring  graph.Ring
	Lead  bool
	Pats  []int32
	Provs []int32
	Docs  []int32
	// ProvCredit, when set, is the share of the score credited to each of Provs (a public
	// hospital is not fraudulent because one of its doctors runs a ring; the pharmacy where a
	// borrowed card was used may have been deceived). Nil credits every provider fully.
	ProvCredit []float64
	// DocCredit likewise for Docs.
	DocCredit []float64
}

// Reason builds a graph.Reason. zh and en are format strings over the same args, so the two
// texts always cite the same numbers; vals carries those numbers for machines.
func Reason(code string, weight float64, vals map[string]float64, zh, en string, args ...any) graph.Reason {
	return graph.Reason{
		Code:   code,
		Text:   fmt.Sprintf(zh, args...),
		TextEN: fmt.Sprintf(en, args...),
		Weight: Round4(Clamp01(weight)),
		Values: vals,
	}
}

// SortReasons orders reasons strongest first (ties by code).
func SortReasons(rs []graph.Reason) {
	slices.SortStableFunc(rs, func(a, b graph.Reason) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
}

// Clamp01 clamps x to [0, 1]; NaN is 0.
func Clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}

// Round4 rounds to four decimals, the precision scores and values are written with.
func Round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// Yuan converts fen to yuan.
func Yuan(fen int64) float64 { return math.Round(float64(fen)) / 100 }

// NoisyOr combines independent pieces of evidence in [0,1]: 1 − Π(1 − wᵢ).
func NoisyOr(ws ...float64) float64 {
	q := 1.0
	for _, w := range ws {
		q *= 1 - Clamp01(w)
	}
	return 1 - q
}

// Kind prefixes of finding ids.
var idPrefix = map[string]string{
	graph.KindCollusionRing: "CR", graph.KindCardLending: "CL", graph.KindPharmacyCardCollection: "PC",
	graph.KindDeceasedClaims: "DC", graph.KindScreeningRule: "SR", graph.KindGhostHospitalization: "GH",
	graph.KindBillingRule: "BL",
}

// ID returns a stable id for a finding: its kind and a hash of its sorted member refs, so that
// two runs over the same data name the same finding the same way.
func ID(kind string, members []graph.Ref) string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.String()
	}
	slices.Sort(ids)
	h := sha256.Sum256([]byte(kind + "\x00" + strings.Join(ids, "\x00")))
	prefix := idPrefix[kind]
	if prefix == "" {
		prefix = "RG"
	}
	return prefix + "-" + hex.EncodeToString(h[:8])
}

// SortedKeys returns the keys of a set in ascending order.
func SortedKeys(m map[int32]bool) []int32 {
	s := make([]int32, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Jaccard is |a ∩ b| / |a ∪ b| of two sorted or unsorted index lists without repeats.
func Jaccard(a, b []int32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	in := make(map[int32]bool, len(a))
	for _, x := range a {
		in[x] = true
	}
	inter := 0
	for _, x := range b {
		if in[x] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// Components returns the connected components of items 0..n-1 under linked, tested on every
// pair: each component in increasing order, components in the order of their first item.
func Components(n int, linked func(a, b int) bool) [][]int {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for a := 0; a < n; a++ {
		for b := a + 1; b < n; b++ {
			if linked(a, b) {
				if ra, rb := find(a), find(b); ra != rb {
					parent[max(ra, rb)] = min(ra, rb)
				}
			}
		}
	}
	by := map[int][]int{}
	var roots []int
	for i := 0; i < n; i++ {
		r := find(i)
		if by[r] == nil {
			roots = append(roots, r)
		}
		by[r] = append(by[r], i)
	}
	out := make([][]int, 0, len(roots))
	for _, r := range roots {
		out = append(out, by[r])
	}
	return out
}
