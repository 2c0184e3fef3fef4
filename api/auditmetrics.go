package api

import (
	"syscall"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ringtrace/ringtrace/api/audit"
)

// auditSeries registers the audit trail's series: the head of the chain (so that a scraper keeps
// an outside record of it), the trail's size and the free space of the state directory's disk.
func (m *metrics) auditSeries(a *audit.Log, stateDir string, warnFree int64) {
	stats := func() audit.Stats { st, _ := a.Stats(); return st }
	head := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ringtrace_audit_head_seq", Help: "Seq of the newest audit record."},
		func() float64 { return float64(stats().Seq) })
	headHash := &headCollector{a: a, desc: prometheus.NewDesc("ringtrace_audit_head_info", "The newest audit record's hash (label hash); value: its seq.", []string{"hash"}, nil)}
	size := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ringtrace_audit_storage_bytes", Help: "Bytes of the audit trail: live records in state.db plus sealed segment files."},
		func() float64 { return float64(stats().Total) })
	segs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ringtrace_audit_segments", Help: "Sealed audit segment files."},
		func() float64 { return float64(stats().Segments) })
	free := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ringtrace_state_disk_free_bytes", Help: "Free bytes on the state directory's file system."},
		func() float64 { f, _ := diskFree(stateDir); return float64(f) })
	low := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ringtrace_state_disk_low", Help: "1 when the state directory's file system has less free space than the warning threshold."},
		func() float64 {
			if diskLow(stateDir, warnFree) {
				return 1
			}
			return 0
		})
	m.reg.MustRegister(head, headHash, size, segs, free, low)
}

type headCollector struct {
	a    *audit.Log
	desc *prometheus.Desc
}

func (h *headCollector) Describe(ch chan<- *prometheus.Desc) { ch <- h.desc }

func (h *headCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := h.a.Stats()
	if err != nil || st.Seq == 0 {
		return
	}
	ch <- prometheus.MustNewConstMetric(h.desc, prometheus.GaugeValue, float64(st.Seq), st.Hash)
}

// diskFree is the space available to the server on dir's file system.
func diskFree(dir string) (int64, error) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return 0, err
	}
	return int64(fs.Bavail) * int64(fs.Bsize), nil
}

func diskLow(dir string, warnFree int64) bool {
	f, err := diskFree(dir)
	return err == nil && f < warnFree
}
