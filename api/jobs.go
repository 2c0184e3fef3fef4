package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	bolt "go.etcd.io/bbolt"
)

// JobStatus is the state of a detection job.
type JobStatus string

// Job states.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// Job is one ring-detection run. Params are the complete normalised parameters and Snapshot
// describes the input, so that a run can be reproduced and two runs compared.
type Job struct {
	ID         string          `json:"id"`
	Status     JobStatus       `json:"status"`
	Phase      string          `json:"phase,omitempty"`
	Percent    float64         `json:"percent"`
	Params     json.RawMessage `json:"params"`
	Note       string          `json:"note,omitempty"`
	CreatedBy  string          `json:"created_by"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  time.Time       `json:"started_at,omitzero"`
	FinishedAt time.Time       `json:"finished_at,omitzero"`
	Error      string          `json:"error,omitempty"`
	Snapshot   *JobSnapshot    `json:"snapshot,omitempty"`
	Summary    *JobSummary     `json:"summary,omitempty"`
}

// JobSnapshot records the input of a run: which store, how big the graph was, and a hash of the
// parameters.
type JobSnapshot struct {
	Store        string       `json:"store"`
	Counts       graph.Counts `json:"counts"`
	ParamsSHA256 string       `json:"params_sha256"`
	TakenAt      time.Time    `json:"taken_at"`
}

// JobSummary counts a run's findings.
type JobSummary struct {
	Rings    int            `json:"rings"`
	Entities int            `json:"entities"`
	ByKind   map[string]int `json:"by_kind"`
}

// findingsIndex is one job's findings with lookups for the entity view and the findings list.
type findingsIndex struct {
	jobID   string
	f       graph.Findings
	ring    map[string]int      // ring id → index
	risk    map[graph.Ref]int   // ref → index in f.Entities
	ringsOf map[graph.Ref][]int // member → ring indices
}

func indexFindings(jobID string, f graph.Findings) *findingsIndex {
	ix := &findingsIndex{jobID: jobID, f: f, ring: map[string]int{}, risk: map[graph.Ref]int{}, ringsOf: map[graph.Ref][]int{}}
	for i, r := range f.Rings {
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

// Jobs runs detection jobs one at a time in the background (a run uses both cores; running two
// would only make both slower) and stores their findings.
type Jobs struct {
	db       *bolt.DB
	store    GraphStore
	kind     string
	det      Detection
	log      *slog.Logger
	now      func() time.Time
	maxQueue int

	mu      sync.Mutex
	jobs    map[string]*Job
	queue   chan string
	cancels map[string]context.CancelFunc
	latest  *findingsIndex
	cache   map[string]*findingsIndex // small cache of other jobs' findings
	order   []string                  // cache eviction order

	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}

func newJobs(st *State, store GraphStore, kind string, det Detection, log *slog.Logger, now func() time.Time) (*Jobs, error) {
	j := &Jobs{db: st.db, store: store, kind: kind, det: det, log: log, now: now, maxQueue: 8,
		jobs: map[string]*Job{}, queue: make(chan string, 8), cancels: map[string]context.CancelFunc{}, cache: map[string]*findingsIndex{}}
	j.ctx, j.stop = context.WithCancel(context.Background())
	var latest *Job
	err := st.db.Update(func(tx *bolt.Tx) error {
		return eachJSON(tx, bucketJobs, func(job Job) error {
			if job.Status == JobQueued || job.Status == JobRunning {
				// A job cannot survive a restart: its goroutine is gone. Say so rather than
				// leave it "running" forever.
				job.Status, job.Error, job.FinishedAt = JobFailed, "interrupted by a server restart", now().UTC()
				if err := putJSON(tx, bucketJobs, job.ID, job); err != nil {
					return err
				}
			}
			jc := job
			j.jobs[job.ID] = &jc
			if job.Status == JobSucceeded && (latest == nil || job.FinishedAt.After(latest.FinishedAt)) {
				latest = &jc
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load jobs: %w", err)
	}
	if latest != nil {
		ix, err := j.loadFindings(latest.ID)
		if err != nil {
			return nil, err
		}
		j.latest = ix
	}
	j.wg.Add(1)
	go j.worker()
	return j, nil
}

func (j *Jobs) loadFindings(id string) (*findingsIndex, error) {
	var f graph.Findings
	err := j.db.View(func(tx *bolt.Tx) error { return getJSON(tx, bucketFindings, id, &f) })
	if err != nil {
		return nil, fmt.Errorf("load findings of job %s: %w", id, err)
	}
	return indexFindings(id, f), nil
}

var errJobNotFound = userErr(graph.ENOTFOUND, "任务不存在", "no such job")

// Findings returns the findings of job id, or of the latest succeeded job when id is empty.
// ENOTFOUND when there is no such (succeeded) job.
func (j *Jobs) Findings(id string) (*findingsIndex, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if id == "" || (j.latest != nil && j.latest.jobID == id) {
		if j.latest == nil {
			return nil, userErr(graph.ENOTFOUND, "尚无已完成的检测任务", "no detection job has completed yet")
		}
		return j.latest, nil
	}
	job, ok := j.jobs[id]
	if !ok {
		return nil, errJobNotFound
	}
	if job.Status != JobSucceeded {
		return nil, userErr(graph.ECONFLICT, "该任务尚未成功完成", "the job has not succeeded")
	}
	if ix, ok := j.cache[id]; ok {
		return ix, nil
	}
	ix, err := j.loadFindings(id)
	if err != nil {
		return nil, err
	}
	j.cache[id] = ix
	j.order = append(j.order, id)
	if len(j.order) > 4 {
		delete(j.cache, j.order[0])
		j.order = j.order[1:]
	}
	return ix, nil
}

// Latest returns the index of the latest succeeded job, or nil.
func (j *Jobs) Latest() *findingsIndex {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.latest
}

// Start queues a job with the given (user) parameters.
func (j *Jobs) Start(a Actor, params json.RawMessage, note string) (Job, error) {
	if len([]rune(note)) > 500 {
		return Job{}, fieldErr("note", "备注过长", "note too long")
	}
	if len(bytes.TrimSpace(params)) == 0 {
		params = json.RawMessage("{}")
	}
	norm, err := j.det.Normalize(params)
	if err != nil {
		return Job{}, err
	}
	now := j.now().UTC()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return Job{}, userErr(graph.EUNAVAILABLE, "服务正在关闭", "the server is shutting down")
	}
	if len(j.queue) >= j.maxQueue {
		return Job{}, userErr(graph.ETOOMANY, "排队的任务过多，请稍后再试", "too many queued jobs; retry later")
	}
	job := &Job{Status: JobQueued, Params: norm, Note: note, CreatedBy: a.Username, CreatedAt: now}
	err = j.db.Update(func(tx *bolt.Tx) error {
		seq, err := tx.Bucket(bucketJobs).NextSequence()
		if err != nil {
			return err
		}
		job.ID = fmt.Sprintf("J%06d", seq)
		return putJSON(tx, bucketJobs, job.ID, job)
	})
	if err != nil {
		return Job{}, fmt.Errorf("save job: %w", err)
	}
	j.jobs[job.ID] = job
	j.queue <- job.ID
	return *job, nil
}

// Get returns one job.
func (j *Jobs) Get(id string) (Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok {
		return Job{}, errJobNotFound
	}
	return *job, nil
}

// List returns jobs newest first.
func (j *Jobs) List(offset, limit int) ([]Job, int) {
	j.mu.Lock()
	all := make([]Job, 0, len(j.jobs))
	for _, job := range j.jobs {
		all = append(all, *job)
	}
	j.mu.Unlock()
	sort.Slice(all, func(a, b int) bool { return all[a].ID > all[b].ID })
	out := []Job{}
	for i := offset; i < len(all) && len(out) < limit; i++ {
		out = append(out, all[i])
	}
	return out, len(all)
}

// Cancel stops a queued or running job. ECONFLICT when it has already finished.
func (j *Jobs) Cancel(id string) (Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok {
		return Job{}, errJobNotFound
	}
	switch job.Status {
	case JobQueued:
		job.Status, job.FinishedAt, job.Error = JobCancelled, j.now().UTC(), "cancelled before start"
		if err := j.save(job); err != nil {
			return Job{}, err
		}
	case JobRunning:
		if cancel := j.cancels[id]; cancel != nil {
			cancel()
		}
		// The worker records the final status when Detect returns; report "cancelling".
		job.Phase = "cancelling"
	default:
		return *job, userErr(graph.ECONFLICT, "任务已结束，无法取消", "the job has already finished")
	}
	return *job, nil
}

func (j *Jobs) save(job *Job) error {
	return j.db.Update(func(tx *bolt.Tx) error { return putJSON(tx, bucketJobs, job.ID, job) })
}

func (j *Jobs) worker() {
	defer j.wg.Done()
	for {
		select {
		case <-j.ctx.Done():
			return
		case id := <-j.queue:
			j.run(id)
		}
	}
}

func (j *Jobs) run(id string) {
	j.mu.Lock()
	job := j.jobs[id]
	if job == nil || job.Status != JobQueued {
		j.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(j.ctx)
	defer cancel()
	j.cancels[id] = cancel
	job.Status, job.StartedAt, job.Phase = JobRunning, j.now().UTC(), "snapshot"
	_ = j.save(job)
	params := job.Params
	j.mu.Unlock()

	findings, snap, err := j.detect(ctx, id, params)

	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.cancels, id)
	job.FinishedAt = j.now().UTC()
	job.Snapshot = snap
	switch {
	case err == nil:
		job.Status, job.Percent, job.Phase = JobSucceeded, 100, "done"
		sum := &JobSummary{Rings: len(findings.Rings), Entities: len(findings.Entities), ByKind: map[string]int{}}
		for _, r := range findings.Rings {
			sum.ByKind[r.Kind]++
		}
		job.Summary = sum
		if err := j.db.Update(func(tx *bolt.Tx) error {
			if err := putJSON(tx, bucketFindings, id, findings); err != nil {
				return err
			}
			return putJSON(tx, bucketJobs, id, job)
		}); err != nil {
			job.Status, job.Error = JobFailed, "could not store findings"
			j.log.Error("store findings", "job", id, "err", err)
			_ = j.save(job)
			return
		}
		j.latest = indexFindings(id, findings)
		j.log.Info("job succeeded", "job", id, "rings", sum.Rings, "entities", sum.Entities, "took", job.FinishedAt.Sub(job.StartedAt))
	case errors.Is(err, context.Canceled):
		job.Status, job.Error = JobCancelled, "cancelled"
		if j.closed {
			job.Error = "cancelled by server shutdown"
		}
	default:
		job.Status = JobFailed
		job.Error = graph.ErrorMessage(err)
		if graph.ErrorCode(err) == graph.EINTERNAL {
			j.log.Error("job failed", "job", id, "err", err)
		}
	}
	if err := j.save(job); err != nil {
		j.log.Error("save job", "job", id, "err", err)
	}
}

func (j *Jobs) detect(ctx context.Context, id string, params json.RawMessage) (graph.Findings, *JobSnapshot, error) {
	counts, err := j.store.Counts(ctx)
	if err != nil {
		return graph.Findings{}, nil, fmt.Errorf("snapshot counts: %w", err)
	}
	sum := sha256.Sum256(params)
	snap := &JobSnapshot{Store: j.kind, Counts: counts, ParamsSHA256: hex.EncodeToString(sum[:]), TakenAt: j.now().UTC()}
	progress := func(phase string, pct float64) {
		j.mu.Lock()
		defer j.mu.Unlock()
		if job := j.jobs[id]; job != nil && job.Status == JobRunning && job.Phase != "cancelling" {
			job.Phase, job.Percent = phase, max(0, min(100, pct))
		}
	}
	f, err := j.det.Detect(ctx, j.store, params, progress)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		return f, snap, fmt.Errorf("detect: %w", err)
	}
	if f.Rings == nil {
		f.Rings = []graph.Ring{}
	}
	if f.Entities == nil {
		f.Entities = []graph.EntityRisk{}
	}
	return f, snap, nil
}

// Close cancels the running job and stops the worker.
func (j *Jobs) Close() {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.stop()
	j.wg.Wait()
	// Jobs still queued will never run in this process.
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, job := range j.jobs {
		if job.Status == JobQueued {
			job.Status, job.Error, job.FinishedAt = JobCancelled, "cancelled by server shutdown", j.now().UTC()
			_ = j.save(job)
		}
	}
}

// JobComparison compares the rings of two runs: a ring of A matches a ring of B of the same
// kind when their members have Jaccard similarity ≥ 0.5 (the rule docs/truth.md uses for planted
// rings), greedily by best similarity.
type JobComparison struct {
	A          string                     `json:"a"`
	B          string                     `json:"b"`
	ParamsDiff map[string]ParamDifference `json:"params_diff"`
	Matched    []RingMatch                `json:"matched"`
	OnlyA      []RingSummary              `json:"only_a"`
	OnlyB      []RingSummary              `json:"only_b"`
}

// ParamDifference is one parameter that differs between two runs.
type ParamDifference struct {
	A any `json:"a"`
	B any `json:"b"`
}

// RingMatch is a pair of matching rings.
type RingMatch struct {
	A       string  `json:"a"`
	B       string  `json:"b"`
	Jaccard float64 `json:"jaccard"`
	ScoreA  float64 `json:"score_a"`
	ScoreB  float64 `json:"score_b"`
}

// RingSummary is a ring's id, kind and score.
type RingSummary struct {
	ID    string  `json:"id"`
	Kind  string  `json:"kind"`
	Score float64 `json:"score"`
}

func compareFindings(a, b *findingsIndex, pa, pb json.RawMessage) JobComparison {
	out := JobComparison{A: a.jobID, B: b.jobID, ParamsDiff: map[string]ParamDifference{}, Matched: []RingMatch{}, OnlyA: []RingSummary{}, OnlyB: []RingSummary{}}
	var ma, mb map[string]any
	_ = json.Unmarshal(pa, &ma)
	_ = json.Unmarshal(pb, &mb)
	for k, va := range ma {
		vb, ok := mb[k]
		if !ok || !jsonEqual(va, vb) {
			out.ParamsDiff[k] = ParamDifference{A: va, B: vb}
		}
	}
	for k, vb := range mb {
		if _, ok := ma[k]; !ok {
			out.ParamsDiff[k] = ParamDifference{A: nil, B: vb}
		}
	}
	type cand struct {
		i, j int
		jac  float64
	}
	var cands []cand
	// Only rings sharing a member can match; the member index keeps this near-linear.
	for i, r := range a.f.Rings {
		seen := map[int]bool{}
		for _, m := range r.Members {
			for _, jx := range b.ringsOf[m] {
				if seen[jx] || b.f.Rings[jx].Kind != r.Kind {
					continue
				}
				seen[jx] = true
				if jac := jaccard(r.Members, b.f.Rings[jx].Members); jac >= 0.5 {
					cands = append(cands, cand{i, jx, jac})
				}
			}
		}
	}
	sort.Slice(cands, func(x, y int) bool {
		if cands[x].jac != cands[y].jac {
			return cands[x].jac > cands[y].jac
		}
		if cands[x].i != cands[y].i {
			return cands[x].i < cands[y].i
		}
		return cands[x].j < cands[y].j
	})
	usedA, usedB := map[int]bool{}, map[int]bool{}
	for _, c := range cands {
		if usedA[c.i] || usedB[c.j] {
			continue
		}
		usedA[c.i], usedB[c.j] = true, true
		ra, rb := a.f.Rings[c.i], b.f.Rings[c.j]
		out.Matched = append(out.Matched, RingMatch{A: ra.ID, B: rb.ID, Jaccard: c.jac, ScoreA: ra.Score, ScoreB: rb.Score})
	}
	for i, r := range a.f.Rings {
		if !usedA[i] {
			out.OnlyA = append(out.OnlyA, RingSummary{r.ID, r.Kind, r.Score})
		}
	}
	for i, r := range b.f.Rings {
		if !usedB[i] {
			out.OnlyB = append(out.OnlyB, RingSummary{r.ID, r.Kind, r.Score})
		}
	}
	return out
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func jaccard(a, b []graph.Ref) float64 {
	set := make(map[graph.Ref]bool, len(a))
	for _, r := range a {
		set[r] = true
	}
	inter, union := 0, len(set)
	seen := map[graph.Ref]bool{}
	for _, r := range b {
		if seen[r] {
			continue
		}
		seen[r] = true
		if set[r] {
			inter++
		} else {
			union++
		}
	}
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
