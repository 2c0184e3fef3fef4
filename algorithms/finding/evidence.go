package finding

import "github.com/ringtrace/ringtrace/graph"

// Evidence collects the reasons of parties during a run, keyed by dataset index. Each detector
// fills its own, and the run merges them in a fixed order, so that the result does not depend
// on scheduling.
type Evidence struct {
	Pat  map[int32][]graph.Reason
	Prov map[int32][]graph.Reason
	Doc  map[int32][]graph.Reason
}

// NewEvidence returns empty evidence.
func NewEvidence() *Evidence {
	return &Evidence{Pat: map[int32][]graph.Reason{}, Prov: map[int32][]graph.Reason{}, Doc: map[int32][]graph.Reason{}}
}

// Merge appends o's reasons to ev's.
func (ev *Evidence) Merge(o *Evidence) {
	if o == nil {
		return
	}
	for _, pair := range [][2]map[int32][]graph.Reason{{ev.Pat, o.Pat}, {ev.Prov, o.Prov}, {ev.Doc, o.Doc}} {
		for k, rs := range pair[1] {
			pair[0][k] = append(pair[0][k], rs...)
		}
	}
}
