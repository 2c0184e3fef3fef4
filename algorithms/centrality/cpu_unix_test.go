//go:build unix

package centrality

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used. Benchmarks report it
// beside wall time because the benchmark machine is shared: wall time then measures the
// neighbours' load as much as the code.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
