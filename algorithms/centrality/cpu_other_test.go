//go:build !unix

package centrality

import "time"

// processCPU is not measured on this platform; benchmarks then report 0 CPU seconds.
func processCPU() time.Duration { return 0 }
