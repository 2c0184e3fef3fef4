package jobs

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

	bolt "go.etcd.io/bbolt"

	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

// Status is the state of a detection job.
type Status string

// Job states.
const (
	Queued    Status = "queued"
	Running   Status = "running"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Cancelled Status = "cancelled"
)

// Job is one ring-detection run. Params are the complete normalised parameters and Snapshot
// describes the input, so that a run can be reproduced and two runs compared.
type Job struct {
	ID         string          `json:"id"`
	Status     Status          `json:"status"`
	Phase      string          `json:"phase,omitempty"`
	Percent    float64         `json:"percent"`
	Params     json.RawMessage `json:"params"`
	Note       string          `json:"note,omitempty"`
	CreatedBy  string          `json:"created_by"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  time.Time       `json:"started_at,omitzero"`
	FinishedAt time.Time       `json:"finished_at,omitzero"`
	Error      string          `json:"error,omitempty"`
	Snapshot   *Snapshot       `json:"snapshot,omitempty"`
	Summary    *Summary        `json:"summary,omitempty"`
}

// Snapshot records the input of a run: which store, how big the graph was, and a hash of the
// parameters.
type Snapshot struct {
	Store        string       `json:"store"`
	Counts       graph.Counts `json:"counts"`
	ParamsSHA256 string       `json:"params_sha256"`
	TakenAt      time.Time    `json:"taken_at"`
}

// Summary counts a run's findings.
type Summary struct {
	Rings    int            `json:"rings"`
	Entities int            `json:"entities"`
	ByKind   map[string]int `json:"by_kind"`
}

// Jobs runs detection jobs one at a time in the background (a run uses both cores; running two
// would only make both slower) and stores their findings.
type Jobs struct {
	db       *bolt.DB
	store    Source
	kind     string
	det      Detection
	annotate Annotator
	log      *slog.Logger
	now      func() time.Time
	maxQueue int

	mu      sync.Mutex
	jobs    map[string]*Job
	queue   chan string
	cancels map[string]context.CancelFunc
	latest  *Index
	cache   map[string]*Index // small cache of other jobs' findings
	order   []string          // cache eviction order

	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}

// Config configures Jobs.
type Config struct {
	State     *state.DB // required
	Source    Source    // required: the graph jobs detect over
	StoreKind string    // "embedded" or "neo4j", recorded in job snapshots
	Detection Detection // required: Detect, Defaults and Normalize
	// Annotate, when set, amends every new run's findings before they are stored.
	Annotate Annotator
	Logger   *slog.Logger     // default: discard
	Now      func() time.Time // default time.Now
}

// New loads the jobs of the state database, marks jobs cut by a restart as failed, indexes the
// latest succeeded job's findings and starts the worker. Close stops it.
func New(c Config) (*Jobs, error) {
	if c.State == nil || c.Source == nil {
		return nil, errors.New("jobs: Config.State and Config.Source are required")
	}
	if c.Detection.Detect == nil || c.Detection.Defaults == nil || c.Detection.Normalize == nil {
		return nil, errors.New("jobs: Config.Detection needs Detect, Defaults and Normalize")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.StoreKind == "" {
		c.StoreKind = "unknown"
	}
	now := c.Now
	j := &Jobs{db: c.State.Bolt(), store: c.Source, kind: c.StoreKind, det: c.Detection, annotate: c.Annotate, log: c.Logger, now: now, maxQueue: 8,
		jobs: map[string]*Job{}, queue: make(chan string, 8), cancels: map[string]context.CancelFunc{}, cache: map[string]*Index{}}
	j.ctx, j.stop = context.WithCancel(context.Background())
	var latest *Job
	err := j.db.Update(func(tx *bolt.Tx) error {
		return state.Each(tx, state.Jobs, func(_ []byte, job Job) error {
			if job.Status == Queued || job.Status == Running {
				// A job cannot survive a restart: its goroutine is gone. Say so rather than
				// leave it "running" forever.
				job.Status, job.Error, job.FinishedAt = Failed, "interrupted by a server restart", now().UTC()
				if err := state.Put(tx, state.Jobs, job.ID, job); err != nil {
					return err
				}
			}
			jc := job
			j.jobs[job.ID] = &jc
			if job.Status == Succeeded && (latest == nil || job.FinishedAt.After(latest.FinishedAt)) {
				latest = &jc
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load jobs: %w", err)
	}
	if latest != nil {
		ix, err := loadIndex(j.db, latest.ID)
		if err != nil {
			return nil, err
		}
		j.latest = ix
	}
	j.wg.Add(1)
	go j.worker()
	return j, nil
}

var errJobNotFound = bilingual.New(graph.ENOTFOUND, "任务不存在", "no such job")

// Findings returns the indexed findings of job id, or of the latest succeeded job when id is empty.
// ENOTFOUND when there is no such (succeeded) job.
func (j *Jobs) Findings(id string) (*Index, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if id == "" || (j.latest != nil && j.latest.JobID == id) {
		if j.latest == nil {
			return nil, bilingual.New(graph.ENOTFOUND, "尚无已完成的检测任务", "no detection job has completed yet")
		}
		return j.latest, nil
	}
	job, ok := j.jobs[id]
	if !ok {
		return nil, errJobNotFound
	}
	if job.Status != Succeeded {
		return nil, bilingual.New(graph.ECONFLICT, "该任务尚未成功完成", "the job has not succeeded")
	}
	if ix, ok := j.cache[id]; ok {
		return ix, nil
	}
	ix, err := loadIndex(j.db, id)
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

// Latest returns the findings of the latest succeeded job, or nil.
func (j *Jobs) Latest() *Index {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.latest
}

// Start queues a job with the given (user) parameters on behalf of createdBy.
func (j *Jobs) Start(createdBy string, params json.RawMessage, note string) (Job, error) {
	if len([]rune(note)) > 500 {
		return Job{}, bilingual.Field("note", "备注过长", "note too long")
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
		return Job{}, bilingual.New(graph.EUNAVAILABLE, "服务正在关闭", "the server is shutting down")
	}
	if len(j.queue) >= j.maxQueue {
		return Job{}, bilingual.New(graph.ETOOMANY, "排队的任务过多，请稍后再试", "too many queued jobs; retry later")
	}
	job := &Job{Status: Queued, Params: norm, Note: note, CreatedBy: createdBy, CreatedAt: now}
	err = j.db.Update(func(tx *bolt.Tx) (err error) {
		if job.ID, err = state.NextID(tx, state.Jobs, "J%06d"); err != nil {
			return err
		}
		return state.Put(tx, state.Jobs, job.ID, job)
	})
	if err != nil {
		return Job{}, fmt.Errorf("save job: %w", err)
	}
	j.jobs[job.ID] = job
	j.queue <- job.ID
	return *job, nil
}

// withJob runs fn on job id under the lock; ENOTFOUND when there is no such job.
func (j *Jobs) withJob(id string, fn func(*Job) (Job, error)) (Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok {
		return Job{}, errJobNotFound
	}
	return fn(job)
}

// Get returns one job.
func (j *Jobs) Get(id string) (Job, error) {
	return j.withJob(id, func(job *Job) (Job, error) { return *job, nil })
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
	return j.withJob(id, func(job *Job) (Job, error) { return j.cancelLocked(job) })
}

func (j *Jobs) cancelLocked(job *Job) (Job, error) {
	id := job.ID
	switch job.Status {
	case Queued:
		job.Status, job.FinishedAt, job.Error = Cancelled, j.now().UTC(), "cancelled before start"
		if err := j.save(job); err != nil {
			return Job{}, err
		}
	case Running:
		if cancel := j.cancels[id]; cancel != nil {
			cancel()
		}
		// The worker records the final status when Detect returns; report "cancelling".
		job.Phase = "cancelling"
	default:
		return *job, bilingual.New(graph.ECONFLICT, "任务已结束，无法取消", "the job has already finished")
	}
	return *job, nil
}

func (j *Jobs) save(job *Job) error {
	return j.db.Update(func(tx *bolt.Tx) error { return state.Put(tx, state.Jobs, job.ID, job) })
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
	if job == nil || job.Status != Queued {
		j.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(j.ctx)
	defer cancel()
	j.cancels[id] = cancel
	job.Status, job.StartedAt, job.Phase = Running, j.now().UTC(), "snapshot"
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
		job.Status, job.Percent, job.Phase = Succeeded, 100, "done"
		sum := &Summary{Rings: len(findings.Rings), Entities: len(findings.Entities), ByKind: map[string]int{}}
		for _, r := range findings.Rings {
			sum.ByKind[r.Kind]++
		}
		job.Summary = sum
		if err := j.db.Update(func(tx *bolt.Tx) error {
			if err := state.Put(tx, state.Findings, id, findings); err != nil {
				return err
			}
			return state.Put(tx, state.Jobs, id, job)
		}); err != nil {
			job.Status, job.Error = Failed, "could not store findings"
			j.log.Error("store findings", "job", id, "err", err)
			_ = j.save(job)
			return
		}
		j.latest = newIndex(id, findings)
		j.log.Info("job succeeded", "job", id, "rings", sum.Rings, "entities", sum.Entities, "took", job.FinishedAt.Sub(job.StartedAt))
	case errors.Is(err, context.Canceled):
		job.Status, job.Error = Cancelled, "cancelled"
		if j.closed {
			job.Error = "cancelled by server shutdown"
		}
	default:
		job.Status = Failed
		job.Error = graph.ErrorMessage(err)
		if graph.ErrorCode(err) == graph.EINTERNAL {
			j.log.Error("job failed", "job", id, "err", err)
		}
	}
	if err := j.save(job); err != nil {
		j.log.Error("save job", "job", id, "err", err)
	}
}

func (j *Jobs) detect(ctx context.Context, id string, params json.RawMessage) (graph.Findings, *Snapshot, error) {
	counts, err := j.store.Counts(ctx)
	if err != nil {
		return graph.Findings{}, nil, fmt.Errorf("snapshot counts: %w", err)
	}
	sum := sha256.Sum256(params)
	snap := &Snapshot{Store: j.kind, Counts: counts, ParamsSHA256: hex.EncodeToString(sum[:]), TakenAt: j.now().UTC()}
	progress := func(phase string, pct float64) {
		j.mu.Lock()
		defer j.mu.Unlock()
		if job := j.jobs[id]; job != nil && job.Status == Running && job.Phase != "cancelling" {
			job.Phase, job.Percent = phase, max(0, min(100, pct))
		}
	}
	f, err := j.det.Detect(ctx, j.store, params, progress)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err == nil && j.annotate != nil {
		err = j.annotate(ctx, &f)
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

// Active returns the number of jobs running or queued.
func (j *Jobs) Active() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for _, job := range j.jobs {
		if job.Status == Running || job.Status == Queued {
			n++
		}
	}
	return n
}

// Defaults returns the default detection parameters.
func (j *Jobs) Defaults() json.RawMessage { return j.det.Defaults() }

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
		if job.Status == Queued {
			job.Status, job.Error, job.FinishedAt = Cancelled, "cancelled by server shutdown", j.now().UTC()
			_ = j.save(job)
		}
	}
}
