package cards

import (
	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// Detect returns the card findings of d: holder groups (rings), and leads for single cards with
// impersonation evidence that no group explains and for dead people's cards. ev receives the
// per-card reasons. minScore is the reporting threshold.
func Detect(d *dataset.Claims, o Options, minScore float64, ev *finding.Evidence) ([]finding.Candidate, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	card, deceased := cardHits(d, o)
	groups := holderGroups(d, o, card, minScore)
	inGroup := map[int32]bool{}
	for _, g := range groups {
		for _, p := range g.Pats {
			inGroup[p] = true
		}
	}
	out := groups
	for _, pt := range finding.SortedKeys(keysOf(card)) {
		h := card[pt]
		ev.Pat[pt] = append(ev.Pat[pt], cardReasons(h, o)...)
		if !inGroup[pt] && h.weight() >= minScore {
			out = append(out, impostorLead(d, pt, h, o))
		}
	}
	return append(out, deceased...), nil
}

func keysOf(m map[int32]*hits) map[int32]bool {
	s := make(map[int32]bool, len(m))
	for k := range m {
		s[k] = true
	}
	return s
}
