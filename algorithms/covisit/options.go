package covisit

import "github.com/ringtrace/ringtrace/graph"

// Options are the co-visit detector's thresholds. JSON names are the keys of detection
// parameters (docs/detection.md).
type Options struct {
	// MinSessions is the number of distinct sessions (days or blocks on which several members
	// came, separated by more than SpreadDays) a group needs: recurrence is what tells collusion
	// from an outbreak or a one-off event.
	MinSessions int `json:"min_covisit_days"`
	// SpreadDays is the width, minus one, of the staggered blocks that link members arriving
	// over a few days (0 turns blocks off).
	SpreadDays int `json:"spread_days"`
	// MaxBucketPatients is the largest number of patients of a time node (a provider-day, a
	// block) used for candidates; crowded days are refined to doctor- and department-days. The
	// group test always counts every patient.
	MaxBucketPatients int `json:"max_bucket_patients"`
	// MinGroupSurprise is the group surprise (−log10 of the tail, after the penalty for the
	// tests made) at which coordination evidence starts; it reaches 0.63 at
	// MinGroupSurprise + 4 and 0.95 at MinGroupSurprise + 12.
	MinGroupSurprise float64 `json:"min_group_surprise"`
	// Resolution is the Louvain modularity resolution of candidate generation.
	Resolution float64 `json:"resolution"`
	// MinRingSize and MaxRingSize bound the number of patients of a collusion ring.
	MinRingSize int `json:"min_ring_size"`
	MaxRingSize int `json:"max_ring_size"`
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{MinSessions: 3, SpreadDays: 2, MaxBucketPatients: 200, MinGroupSurprise: 3, Resolution: 1, MinRingSize: 3, MaxRingSize: 200}
}

// Validate returns an EINVALID *graph.Error naming the first bad field.
func (o Options) Validate() error {
	switch {
	case o.MinSessions < 2:
		return graph.FieldErrorf("min_covisit_days", "min_covisit_days 参数无效 (invalid): must be at least 2")
	case o.SpreadDays < 0 || o.SpreadDays > 14:
		return graph.FieldErrorf("spread_days", "spread_days 参数无效 (invalid): must be between 0 and 14")
	case o.MaxBucketPatients < 2 || o.MaxBucketPatients > 100000:
		return graph.FieldErrorf("max_bucket_patients", "max_bucket_patients 参数无效 (invalid): must be between 2 and 100000")
	case !(o.MinGroupSurprise >= 0) || o.MinGroupSurprise > 300:
		return graph.FieldErrorf("min_group_surprise", "min_group_surprise 参数无效 (invalid): must be between 0 and 300")
	case !(o.Resolution > 0) || o.Resolution > 100:
		return graph.FieldErrorf("resolution", "resolution 参数无效 (invalid): must be in (0, 100]")
	case o.MinRingSize < 2:
		return graph.FieldErrorf("min_ring_size", "min_ring_size 参数无效 (invalid): must be at least 2")
	case o.MaxRingSize < o.MinRingSize:
		return graph.FieldErrorf("max_ring_size", "max_ring_size 参数无效 (invalid): must be at least min_ring_size")
	}
	return nil
}
