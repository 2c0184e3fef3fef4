package ingest

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Sink is what Load needs from a store: the batch writer and the existence check used to accept
// references to parties and claims loaded earlier (last month's export).
type Sink interface {
	graph.Writer
	Exists(ctx context.Context, refs []graph.Ref) ([]bool, error)
}

// Finisher is a Sink that buffers what it is given (graph/embedded's SortedLoader writes sorted
// tables): Load calls Finish once every batch has been handed over and before it counts what was
// created; nothing is loaded until Finish returns nil.
type Finisher interface {
	Finish(ctx context.Context) error
}

// DefaultBatchSize is the number of rows per store write batch. Batches are the unit of
// atomicity; 5,000 keeps a batch's memory small while amortising the store's commit cost.
const DefaultBatchSize = 5000

// Options tunes Load. The zero value is usable: default batch size, no rejects file (rejects are
// still counted and passed to OnReject), no progress.
type Options struct {
	BatchSize   int      // rows per write batch; DefaultBatchSize when ≤ 0
	RejectsPath string   // where the rejects CSV goes; "" writes none
	Mapping     *Mapping // user header mapping; nil for none
	// OnReject, when set, is called for every rejected row (after it is written to the file).
	OnReject func(Reject)
	// Progress, when set, is called about every ProgressEvery (default 1s) and once at the end.
	Progress      func(Progress)
	ProgressEvery time.Duration
	Logger        *slog.Logger // nil discards
}

// Progress is a snapshot of a running load.
type Progress struct {
	File       string // file being read
	RowsRead   int64  // data rows read so far, all files
	BytesRead  int64  // bytes read so far, all files
	BytesTotal int64  // total size of all files
	Elapsed    time.Duration
	Done       bool
}

// FileSummary counts what happened to the rows of one file. Read = Loaded + Duplicates + Rejected.
type FileSummary struct {
	File           string   `json:"file"`
	Encoding       string   `json:"encoding"`
	Read           int64    `json:"read"`
	Loaded         int64    `json:"loaded"`
	Duplicates     int64    `json:"duplicates"` // identical repeats of an id, not written again
	Rejected       int64    `json:"rejected"`
	IgnoredColumns []string `json:"ignored_columns,omitempty"`
}

// Summary is the outcome of a load.
type Summary struct {
	Files       []FileSummary `json:"files"`
	RejectsPath string        `json:"rejects_path,omitempty"`
	// Created is the growth of the store's node and relationship counts during the load, when the
	// store is a graph.Counter; nil otherwise. A re-load of the same directory creates nothing.
	Created *graph.Counts `json:"created,omitempty"`
	Elapsed time.Duration `json:"elapsed"`
}

// Loaded returns the number of rows loaded over all files.
func (s Summary) Loaded() int64 {
	var n int64
	for _, f := range s.Files {
		n += f.Loaded
	}
	return n
}

// Rejected returns the number of rows rejected over all files.
func (s Summary) Rejected() int64 {
	var n int64
	for _, f := range s.Files {
		n += f.Rejected
	}
	return n
}

// File returns the summary of the named file (e.g. "claims.csv") and whether it was read.
func (s Summary) File(name string) (FileSummary, bool) {
	for _, f := range s.Files {
		if strings.EqualFold(f.File, name) {
			return f, true
		}
	}
	return FileSummary{}, false
}

// claimState is what a load remembers per claim id: its content hash (duplicate detection) and
// the number of items seen so far (the next item's Seq).
//
// Claims are keyed by a 128-bit hash of their id (claimKey), not by the id string: the map then
// holds no pointers, so the garbage collector never scans its ten million entries, and it needs
// no string allocation per claim (half the memory of a string-keyed map). Two independently
// seeded 64-bit hashes collide for some pair of 10 million ids with probability ≈ 10⁻²⁵.
type claimState struct {
	hash  uint64
	items int32
}

// claimKey is the 128-bit hash of a claim id.
type claimKey [2]uint64

func (l *loader) claimKey(id string) claimKey {
	return claimKey{maphash.String(l.claimSeeds[0], id), maphash.String(l.claimSeeds[1], id)}
}

// loader holds the state of one Load.
type loader struct {
	ctx     context.Context
	sink    Sink
	opts    Options
	log     *slog.Logger
	files   [numKinds]*csvFile
	rejects *rejectsFile
	hasher  *contentHasher
	start   time.Time

	// Ids seen in this load, with their content hash.
	patients, insts, pharms, doctors map[string]uint64
	claims                           map[claimKey]claimState
	claimSeeds                       [2]maphash.Seed
	// earlierItems counts items of claims loaded by an earlier load.
	earlierItems map[string]int32
	// exists caches the store's answers about ids not seen in this load. Parties are all written
	// before claims are checked, so a negative answer stays true for the rest of the load.
	exists map[graph.Ref]bool

	summary               Summary
	cur                   *FileSummary
	rowsRead              int64
	bytesDone, bytesTotal int64
	lastProg              time.Time

	// The write stage: one goroutine drains jobs so that parsing overlaps store writes.
	jobs     chan func(context.Context) error
	writeErr error
	writeMu  sync.Mutex
	wg       sync.WaitGroup
	cancel   context.CancelFunc
}

// Load reads the claims export in dir and writes it into sink: patients, institutions,
// pharmacies, doctors, then claims, then claim items, in atomic batches of upserts. Rows that
// cannot be loaded go to the rejects file with file, line, column and reason, and are counted;
// they never stop the load. A missing required file or column stops the load before anything is
// written (EINVALID naming the file and column). Loading the same directory again changes nothing;
// a load killed half-way and run again ends in the same graph as an uninterrupted one, because
// every write is an idempotent upsert and nothing depends on a marker written before the data.
//
// The returned error is non-nil when the load could not finish (bad input contract, a store
// failure, ctx cancelled); the Summary then holds what was done so far.
func Load(ctx context.Context, dir string, sink Sink, opts Options) (Summary, error) {
	l := &loader{sink: sink, opts: opts, start: time.Now(), hasher: newContentHasher(),
		patients: map[string]uint64{}, insts: map[string]uint64{}, pharms: map[string]uint64{},
		doctors: map[string]uint64{}, claims: map[claimKey]claimState{}, earlierItems: map[string]int32{},
		exists: map[graph.Ref]bool{}}
	l.claimSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	if l.opts.BatchSize <= 0 {
		l.opts.BatchSize = DefaultBatchSize
	}
	if l.opts.ProgressEvery <= 0 {
		l.opts.ProgressEvery = time.Second
	}
	l.log = opts.Logger
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	files, err := openAll(dir, opts.Mapping)
	if err != nil {
		return l.summary, err
	}
	l.files = files
	defer closeAll(files)
	for _, f := range files {
		if f != nil {
			l.bytesTotal += f.size
		}
	}
	if opts.RejectsPath != "" {
		if l.rejects, err = createRejects(opts.RejectsPath); err != nil {
			return l.summary, err
		}
		l.summary.RejectsPath = opts.RejectsPath
	}
	var before graph.Counts
	counter, _ := sink.(graph.Counter)
	if counter != nil {
		if before, err = counter.Counts(ctx); err != nil {
			counter = nil
			l.log.Warn("ingest: store counts unavailable; created nodes will not be reported", "err", err)
		}
	}

	wctx, cancel := context.WithCancel(ctx)
	l.ctx, l.cancel = wctx, cancel
	defer cancel()
	l.jobs = make(chan func(context.Context) error, 2)
	l.wg.Add(1)
	go l.writeLoop()

	err = l.run()
	close(l.jobs)
	l.wg.Wait()
	if werr := l.writeError(); werr != nil {
		err = werr
	} else if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if f, ok := sink.(Finisher); ok && err == nil {
		err = f.Finish(ctx)
	}
	if l.rejects != nil {
		if cerr := l.rejects.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if counter != nil && err == nil {
		if after, cerr := counter.Counts(ctx); cerr == nil {
			l.summary.Created = diffCounts(before, after)
		}
	}
	l.summary.Elapsed = time.Since(l.start)
	l.progress(true)
	return l.summary, err
}

func diffCounts(before, after graph.Counts) *graph.Counts {
	d := &graph.Counts{Nodes: map[graph.EntityType]int64{}, Relationships: map[graph.RelType]int64{}}
	for _, t := range graph.EntityTypes {
		d.Nodes[t] = after.Nodes[t] - before.Nodes[t]
	}
	for _, r := range graph.RelTypes {
		d.Relationships[r] = after.Relationships[r] - before.Relationships[r]
	}
	return d
}

func (l *loader) writeLoop() {
	defer l.wg.Done()
	for job := range l.jobs {
		if l.writeError() != nil {
			continue // drain
		}
		if err := job(l.ctx); err != nil {
			l.writeMu.Lock()
			l.writeErr = err
			l.writeMu.Unlock()
			l.cancel()
		}
	}
}

func (l *loader) writeError() error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	return l.writeErr
}

// submit hands one batch write to the write stage.
func (l *loader) submit(job func(context.Context) error) error {
	select {
	case l.jobs <- job:
		return nil
	case <-l.ctx.Done():
		return l.ctx.Err()
	}
}

// barrier waits until every submitted write is done: claims are checked only after all parties
// are stored, so that the store's answers cover them.
func (l *loader) barrier() error {
	done := make(chan struct{})
	if err := l.submit(func(context.Context) error { close(done); return nil }); err != nil {
		return err
	}
	select {
	case <-done:
	case <-l.ctx.Done():
		return l.ctx.Err()
	}
	return l.writeError()
}

func (l *loader) run() error {
	steps := []func(*csvFile) error{
		kindPatients: l.loadPatients, kindInstitutions: l.loadInstitutions, kindPharmacies: l.loadPharmacies,
		kindDoctors: l.loadDoctors, kindClaims: l.loadClaims, kindItems: l.loadItems,
	}
	for k := fileKind(0); k < numKinds; k++ {
		f := l.files[k]
		if f == nil {
			continue
		}
		if k == kindClaims {
			if err := l.barrier(); err != nil {
				return err
			}
		}
		l.summary.Files = append(l.summary.Files, FileSummary{File: f.name, Encoding: f.encoding, IgnoredColumns: f.lay.ignored})
		l.cur = &l.summary.Files[len(l.summary.Files)-1]
		if err := steps[k](f); err != nil {
			return err
		}
		l.bytesDone += f.size
		l.log.Info("ingest: file done", "file", f.name, "encoding", f.encoding, "read", l.cur.Read,
			"loaded", l.cur.Loaded, "duplicates", l.cur.Duplicates, "rejected", l.cur.Rejected)
		if len(f.lay.ignored) > 0 {
			l.log.Info("ingest: columns ignored", "file", f.name, "columns", strings.Join(f.lay.ignored, ","))
		}
	}
	return nil
}

// readRows calls fn for every record of f, keeping counts and progress. fn must copy what it
// keeps from the record.
func (l *loader) readRows(f *csvFile, fn func(*record) error) error {
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := l.ctx.Err(); err != nil {
				return err
			}
			if time.Since(l.lastProg) >= l.opts.ProgressEvery {
				l.progressAt(f)
			}
		}
		rec, err := f.rr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s line %d: %w", f.name, f.rr.line, err)
		}
		l.cur.Read++
		l.rowsRead++
		if err := fn(rec); err != nil {
			return err
		}
	}
}

func (l *loader) progressAt(f *csvFile) {
	l.lastProg = time.Now()
	if l.opts.Progress == nil {
		return
	}
	l.opts.Progress(Progress{File: f.name, RowsRead: l.rowsRead, BytesRead: l.bytesDone + f.cr.n,
		BytesTotal: l.bytesTotal, Elapsed: time.Since(l.start)})
}

func (l *loader) progress(done bool) {
	if l.opts.Progress == nil {
		return
	}
	l.opts.Progress(Progress{RowsRead: l.rowsRead, BytesRead: l.bytesTotal, BytesTotal: l.bytesTotal,
		Elapsed: time.Since(l.start), Done: done})
}

// reject records one rejected row.
func (l *loader) reject(f *csvFile, line int, raw string, e *rowError) error {
	l.cur.Rejected++
	rj := Reject{File: f.name, Line: line, Reason: e.reason, Detail: e.detail, Raw: raw}
	if e.col >= 0 {
		rj.Column = f.lay.colName(e.col)
	}
	if l.rejects != nil {
		if err := l.rejects.write(&rj); err != nil {
			return err
		}
	}
	if l.opts.OnReject != nil {
		l.opts.OnReject(rj)
	}
	return nil
}

// pending is a parsed row waiting for its window's reference check.
type pending[T any] struct {
	line int
	raw  string
	v    T
	err  *rowError // a conversion error: the row is rejected in order when the window is flushed
	// known caches which references the first pass found in this load (knownPatient …), so
	// the second pass does not repeat the map lookups.
	known uint8
}

const (
	knownPatient uint8 = 1 << iota
	knownInstitution
	knownPharmacy
	knownDoctor
)

// window collects parsed rows so that references unknown to this load are checked against the
// store in one Exists call per window instead of one per row; rows are then accepted in file
// order, so "the later duplicate is rejected" holds exactly.
type window[T any] struct {
	rows []pending[T]
}

// resolve asks the store about refs not yet decided and caches the answers.
func (l *loader) resolve(refs []graph.Ref) error {
	var ask []graph.Ref
	seen := map[graph.Ref]bool{}
	for _, r := range refs {
		if _, ok := l.exists[r]; ok || seen[r] {
			continue
		}
		seen[r] = true
		ask = append(ask, r)
	}
	if len(ask) == 0 {
		return nil
	}
	ok, err := l.sink.Exists(l.ctx, ask)
	if err != nil {
		return fmt.Errorf("check references in store: %w", err)
	}
	if len(ok) != len(ask) {
		return fmt.Errorf("check references in store: asked %d refs, got %d answers", len(ask), len(ok))
	}
	for i, r := range ask {
		l.exists[r] = ok[i]
	}
	return nil
}

// dedupe decides what to do with an id seen before: identical content is a harmless duplicate
// (counted, not written again); different content rejects the later row.
func (l *loader) dedupe(f *csvFile, seen map[string]uint64, id string, h uint64, line int, raw string, idCol int) (accept bool, err error) {
	prev, dup := seen[id]
	if !dup {
		seen[strings.Clone(id)] = h
		return true, nil
	}
	if prev == h {
		l.cur.Duplicates++
		return false, nil
	}
	return false, l.reject(f, line, raw, rowErr(idCol, ReasonDuplicateConflict, "id "+clip(id, 40)+" appeared earlier in this load with different content"))
}

func (l *loader) loadPatients(f *csvFile) error {
	batch := make([]graph.Patient, 0, l.opts.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		b := batch
		batch = make([]graph.Patient, 0, l.opts.BatchSize)
		return l.submit(func(ctx context.Context) error { return wrapWrite(f.name, l.sink.PutPatients(ctx, b)) })
	}
	err := l.readRows(f, func(rec *record) error {
		p, e := f.lay.parsePatient(rec)
		if e != nil {
			return l.reject(f, rec.line, rec.rawString(), e)
		}
		ok, err := l.dedupe(f, l.patients, p.ID, l.hasher.patient(&p), rec.line, rec.rawString(), pID)
		if err != nil || !ok {
			return err
		}
		l.cur.Loaded++
		if batch = append(batch, p); len(batch) >= l.opts.BatchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (l *loader) loadInstitutions(f *csvFile) error {
	batch := make([]graph.Institution, 0, l.opts.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		b := batch
		batch = make([]graph.Institution, 0, l.opts.BatchSize)
		return l.submit(func(ctx context.Context) error { return wrapWrite(f.name, l.sink.PutInstitutions(ctx, b)) })
	}
	err := l.readRows(f, func(rec *record) error {
		in, e := f.lay.parseInstitution(rec)
		if e != nil {
			return l.reject(f, rec.line, rec.rawString(), e)
		}
		ok, err := l.dedupe(f, l.insts, in.ID, l.hasher.institution(&in), rec.line, rec.rawString(), iID)
		if err != nil || !ok {
			return err
		}
		l.cur.Loaded++
		if batch = append(batch, in); len(batch) >= l.opts.BatchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (l *loader) loadPharmacies(f *csvFile) error {
	batch := make([]graph.Pharmacy, 0, l.opts.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		b := batch
		batch = make([]graph.Pharmacy, 0, l.opts.BatchSize)
		return l.submit(func(ctx context.Context) error { return wrapWrite(f.name, l.sink.PutPharmacies(ctx, b)) })
	}
	err := l.readRows(f, func(rec *record) error {
		ph, e := f.lay.parsePharmacy(rec)
		if e != nil {
			return l.reject(f, rec.line, rec.rawString(), e)
		}
		ok, err := l.dedupe(f, l.pharms, ph.ID, l.hasher.pharmacy(&ph), rec.line, rec.rawString(), phID)
		if err != nil || !ok {
			return err
		}
		l.cur.Loaded++
		if batch = append(batch, ph); len(batch) >= l.opts.BatchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (l *loader) loadDoctors(f *csvFile) error {
	var w window[graph.Doctor]
	flush := func() error {
		if len(w.rows) == 0 {
			return nil
		}
		var refs []graph.Ref
		for _, p := range w.rows {
			if id := p.v.InstitutionID; id != "" && p.err == nil {
				if _, ok := l.insts[id]; !ok {
					refs = append(refs, graph.Ref{Type: graph.TypeInstitution, ID: id})
				}
			}
		}
		if err := l.resolve(refs); err != nil {
			return err
		}
		batch := make([]graph.Doctor, 0, len(w.rows))
		for _, p := range w.rows {
			if p.err != nil {
				if err := l.reject(f, p.line, p.raw, p.err); err != nil {
					return err
				}
				continue
			}
			if id := p.v.InstitutionID; id != "" {
				if _, ok := l.insts[id]; !ok && !l.exists[graph.Ref{Type: graph.TypeInstitution, ID: id}] {
					if err := l.reject(f, p.line, p.raw, rowErr(dInstitution, ReasonUnknownInst, "institution "+clip(id, 40)+" is in neither institutions.csv nor the store")); err != nil {
						return err
					}
					continue
				}
			}
			ok, err := l.dedupe(f, l.doctors, p.v.ID, l.hasher.doctor(&p.v), p.line, p.raw, dID)
			if err != nil {
				return err
			}
			if ok {
				l.cur.Loaded++
				batch = append(batch, p.v)
			}
		}
		w.rows = w.rows[:0]
		if len(batch) == 0 {
			return nil
		}
		return l.submit(func(ctx context.Context) error { return wrapWrite(f.name, l.sink.PutDoctors(ctx, batch)) })
	}
	err := l.readRows(f, func(rec *record) error {
		d, e := f.lay.parseDoctor(rec)
		if w.rows = append(w.rows, pending[graph.Doctor]{line: rec.line, raw: rec.rawString(), v: d, err: e}); len(w.rows) >= l.opts.BatchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// claimRefs checks a claim's patient, provider and doctor against this load and the store's
// cached answers, and sets the provider type.
func (l *loader) claimRefs(c *graph.Claim, known uint8) *rowError {
	if known&knownPatient == 0 && !l.exists[graph.Ref{Type: graph.TypePatient, ID: c.PatientID}] {
		return rowErr(cPatient, ReasonUnknownPatient, "patient "+clip(c.PatientID, 40)+" is in neither patients.csv nor the store")
	}
	inst := known&knownInstitution != 0 || l.exists[graph.Ref{Type: graph.TypeInstitution, ID: c.ProviderID}]
	ph := known&knownPharmacy != 0 || l.exists[graph.Ref{Type: graph.TypePharmacy, ID: c.ProviderID}]
	switch {
	case inst && ph:
		return rowErr(cProvider, ReasonAmbiguousProv, "provider "+clip(c.ProviderID, 40)+" is both an institution and a pharmacy")
	case inst:
		c.ProviderType = graph.TypeInstitution
	case ph:
		c.ProviderType = graph.TypePharmacy
	default:
		return rowErr(cProvider, ReasonUnknownProvider, "provider "+clip(c.ProviderID, 40)+" is in neither institutions.csv, pharmacies.csv nor the store")
	}
	if c.DoctorID != "" && known&knownDoctor == 0 && !l.exists[graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID}] {
		return rowErr(cDoctor, ReasonUnknownDoctor, "doctor "+clip(c.DoctorID, 40)+" is in neither doctors.csv nor the store")
	}
	return nil
}

func (l *loader) loadClaims(f *csvFile) error {
	var w window[graph.Claim]
	var refs []graph.Ref
	flush := func() error {
		if len(w.rows) == 0 {
			return nil
		}
		refs = refs[:0]
		for i := range w.rows {
			p := &w.rows[i]
			if p.err != nil {
				continue
			}
			c := &p.v
			if _, ok := l.patients[c.PatientID]; ok {
				p.known |= knownPatient
			} else {
				refs = append(refs, graph.Ref{Type: graph.TypePatient, ID: c.PatientID})
			}
			if _, ok := l.insts[c.ProviderID]; ok {
				p.known |= knownInstitution
			}
			if _, ok := l.pharms[c.ProviderID]; ok {
				p.known |= knownPharmacy
			}
			if p.known&(knownInstitution|knownPharmacy) == 0 {
				refs = append(refs, graph.Ref{Type: graph.TypeInstitution, ID: c.ProviderID}, graph.Ref{Type: graph.TypePharmacy, ID: c.ProviderID})
			}
			if c.DoctorID != "" {
				if _, ok := l.doctors[c.DoctorID]; ok {
					p.known |= knownDoctor
				} else {
					refs = append(refs, graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID})
				}
			}
		}
		if err := l.resolve(refs); err != nil {
			return err
		}
		batch := make([]graph.Claim, 0, len(w.rows))
		for i := range w.rows {
			p := &w.rows[i]
			c := &p.v
			e := p.err
			if e == nil {
				e = l.claimRefs(c, p.known)
			}
			if e != nil {
				if err := l.reject(f, p.line, p.raw, e); err != nil {
					return err
				}
				continue
			}
			h := l.hasher.claim(c)
			key := l.claimKey(c.ID)
			if prev, dup := l.claims[key]; dup {
				if prev.hash == h {
					l.cur.Duplicates++
				} else if err := l.reject(f, p.line, p.raw, rowErr(cID, ReasonDuplicateConflict, "claim "+clip(c.ID, 40)+" appeared earlier in this load with different content")); err != nil {
					return err
				}
				continue
			}
			l.claims[key] = claimState{hash: h}
			l.cur.Loaded++
			batch = append(batch, *c)
		}
		w.rows = w.rows[:0]
		if len(batch) == 0 {
			return nil
		}
		return l.submit(func(ctx context.Context) error { return wrapWrite(f.name, l.sink.PutClaims(ctx, batch)) })
	}
	err := l.readRows(f, func(rec *record) error {
		c, e := f.lay.parseClaim(rec)
		if w.rows = append(w.rows, pending[graph.Claim]{line: rec.line, raw: rec.rawString(), v: c, err: e}); len(w.rows) >= l.opts.BatchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (l *loader) loadItems(f *csvFile) error {
	var w window[graph.ClaimItem]
	var refs []graph.Ref
	flush := func() error {
		if len(w.rows) == 0 {
			return nil
		}
		refs = refs[:0]
		// Exports list a claim's lines together: one lookup in the (large) claim map per run of
		// lines of one claim, not one per line.
		prev, prevKnown := "", false
		for _, p := range w.rows {
			if p.err != nil {
				continue
			}
			if p.v.ClaimID != prev {
				_, prevKnown = l.claims[l.claimKey(p.v.ClaimID)]
				prev = p.v.ClaimID
				if !prevKnown {
					refs = append(refs, graph.Ref{Type: graph.TypeClaim, ID: p.v.ClaimID})
				}
			}
		}
		if err := l.resolve(refs); err != nil {
			return err
		}
		batch := make([]graph.ClaimItem, 0, len(w.rows))
		// cur is the claim of the previous line while it is one of this load's claims; its
		// count goes back into the map when the claim changes and at the end of the batch.
		var cur struct {
			id  string
			key claimKey
			st  claimState
			ok  bool
		}
		putBack := func() {
			if cur.ok {
				l.claims[cur.key] = cur.st
				cur.ok = false
			}
		}
		for i := range w.rows {
			p := &w.rows[i]
			it := &p.v
			if p.err != nil {
				if err := l.reject(f, p.line, p.raw, p.err); err != nil {
					return err
				}
				continue
			}
			// Seq is the item's ordinal within its claim in this file, so a re-load writes the
			// same keys (idempotent) and a killed load re-run converges.
			if !cur.ok || cur.id != it.ClaimID {
				putBack()
				key := l.claimKey(it.ClaimID)
				if st, ok := l.claims[key]; ok {
					cur.id, cur.key, cur.st, cur.ok = it.ClaimID, key, st, true
				}
			}
			if cur.ok {
				cur.st.items++
				it.Seq = int(cur.st.items)
			} else if l.exists[graph.Ref{Type: graph.TypeClaim, ID: it.ClaimID}] {
				n := l.earlierItems[it.ClaimID] + 1
				if n == 1 {
					l.earlierItems[strings.Clone(it.ClaimID)] = n
				} else {
					l.earlierItems[it.ClaimID] = n
				}
				it.Seq = int(n)
			} else {
				if err := l.reject(f, p.line, p.raw, rowErr(tClaim, ReasonUnknownClaim, "claim "+clip(it.ClaimID, 40)+" is in neither claims.csv (or was rejected there) nor the store")); err != nil {
					return err
				}
				continue
			}
			l.cur.Loaded++
			batch = append(batch, *it)
		}
		putBack()
		w.rows = w.rows[:0]
		if len(batch) == 0 {
			return nil
		}
		return l.submit(func(ctx context.Context) error { return wrapWrite(f.name, l.sink.PutClaimItems(ctx, batch)) })
	}
	err := l.readRows(f, func(rec *record) error {
		it, e := f.lay.parseItem(rec)
		if w.rows = append(w.rows, pending[graph.ClaimItem]{line: rec.line, raw: rec.rawString(), v: it, err: e}); len(w.rows) >= l.opts.BatchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func wrapWrite(file string, err error) error {
	if err != nil {
		return fmt.Errorf("store write of %s batch: %w", file, err)
	}
	return nil
}
