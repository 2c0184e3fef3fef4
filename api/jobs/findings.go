package jobs

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// Index is one job's findings with lookups for the entity view and the findings list. Rings and
// leads are looked up alike (a lead opens in the workbench and becomes a case as a ring does).
type Index struct {
	JobID    string
	Findings graph.Findings
	all      []graph.Ring        // the rings, then the leads
	ring     map[string]int      // ring id → index in all
	risk     map[graph.Ref]int   // ref → index in Findings.Entities
	ringsOf  map[graph.Ref][]int // member → ring indices
}

func newIndex(jobID string, f graph.Findings) *Index {
	// Findings stored by an earlier version (one list, no class) read as today's.
	f.Normalize()
	ix := &Index{JobID: jobID, Findings: f, ring: map[string]int{}, risk: map[graph.Ref]int{}, ringsOf: map[graph.Ref][]int{}}
	ix.all = append(append(make([]graph.Ring, 0, len(f.Rings)+len(f.Leads)), f.Rings...), f.Leads...)
	for i, r := range ix.all {
		ix.ring[r.ID] = i
		for _, m := range r.Members {
			ix.ringsOf[m] = append(ix.ringsOf[m], i)
		}
	}
	for i, e := range f.Entities {
		ix.risk[graph.Ref{Type: e.Type, ID: e.ID}] = i
	}
	return ix
}

// Ring returns the ring with the given id.
func (ix *Index) Ring(id string) (graph.Ring, bool) {
	i, ok := ix.ring[id]
	if !ok {
		return graph.Ring{}, false
	}
	return ix.all[i], true
}

// All returns the rings, then the leads, as the detector ordered them.
func (ix *Index) All() []graph.Ring { return ix.all }

// Risk returns the risk of entity r, when the run scored it.
func (ix *Index) Risk(r graph.Ref) (graph.EntityRisk, bool) {
	i, ok := ix.risk[r]
	if !ok {
		return graph.EntityRisk{}, false
	}
	return ix.Findings.Entities[i], true
}

// RingSummary is a ring's id, kind and score.
type RingSummary struct {
	ID    string  `json:"id"`
	Kind  string  `json:"kind"`
	Score float64 `json:"score"`
}

func summary(r graph.Ring) RingSummary { return RingSummary{ID: r.ID, Kind: r.Kind, Score: r.Score} }

// RingsOf returns at most limit rings that r is a member of, in findings order.
func (ix *Index) RingsOf(r graph.Ref, limit int) []RingSummary {
	out := []RingSummary{}
	for _, i := range ix.ringsOf[r] {
		if len(out) == limit {
			break
		}
		out = append(out, summary(ix.all[i]))
	}
	return out
}

func loadIndex(db *bolt.DB, id string) (*Index, error) {
	var f graph.Findings
	err := db.View(func(tx *bolt.Tx) error { return state.Get(tx, state.Findings, id, &f) })
	if err != nil {
		return nil, fmt.Errorf("load findings of job %s: %w", id, err)
	}
	return newIndex(id, f), nil
}

// ReadStored reads job id and its findings from the state database of a stopped server, for the
// offline export of a case. job is nil when there is no such job, findings nil when it has none.
func ReadStored(st *state.DB, id string) (job *Job, findings *graph.Findings, err error) {
	err = st.Bolt().View(func(tx *bolt.Tx) error {
		var j Job
		if err := state.Get(tx, state.Jobs, id, &j); err != nil {
			return err
		}
		job = &j
		var f graph.Findings
		if err := state.Get(tx, state.Findings, id, &f); err != nil {
			return err
		}
		findings = &f
		return nil
	})
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		err = nil
	}
	return job, findings, err
}
