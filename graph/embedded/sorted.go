package embedded

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/sstable"
	"github.com/cockroachdb/pebble/vfs"

	"github.com/ringtrace/ringtrace/graph"
)

// SortedLoader is the first load of an empty store through sorted tables: instead of committing
// batches through the write-ahead log and the memtable (which Pebble then flushes and compacts,
// rewriting every key several times), it encodes every key the batch path would write, sorts
// them in memory-bounded runs in the background, merges the runs into non-overlapping sstables
// and hands those to Pebble in one DB.Ingest. The keys and values are exactly the batch path's
// (TestSortedLoadIdentical compares the two stores byte for byte).
//
// It relies on what a first load guarantees: the store is empty (NewSortedLoader refuses
// otherwise) and every id is written once (ingest.Load drops identical repeats and rejects
// conflicting ones); an id written twice with different content fails Finish instead of
// guessing which one wins. Nothing is visible until Finish: reads in between see the empty
// store. A load killed before Finish leaves the store empty (the runs are temporary files,
// removed by the next NewSortedLoader or by Discard); DB.Ingest publishes all tables at once.
//
// Incremental loads (a store that is not empty) keep the batch path.
type SortedLoader struct {
	*Store
	tmp string // run and table files, inside the store directory (so Ingest can link them)

	cur   chunk
	runs  []*run
	sem   chan struct{} // bounds the chunks being sorted and written
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error // first error of a background sort
	nrun  int
	done  bool
	nodes [len(codeTypes)]int64
	rels  [8]int64
	// derived holds the adjacency prefixes of the phones, addresses and terminals seen (the
	// nodes exist while they have a key), prov the claims per provider counter key.
	derived map[string]struct{}
	prov    map[string]*int64
}

// chunk is a run being filled: keys and values in one arena, in write order.
type chunk struct {
	arena []byte
	kvs   []kv
}

type kv struct {
	off  uint32 // the key is arena[off:off+klen], the value right after it
	klen uint32
	vlen uint32
	seq  int32
}

// The records of a run hold offsets into the run's arena, not slices: a run of millions of
// records then has no pointers for the garbage collector to scan, and the sort moves 16 bytes
// per swap instead of 56.

// key returns e's key in arena.
func (e kv) key(arena []byte) []byte { return arena[e.off : e.off+e.klen : e.off+e.klen] }

// val returns e's value in arena.
func (e kv) val(arena []byte) []byte {
	o := e.off + e.klen
	return arena[o : o+e.vlen : o+e.vlen]
}

// chunkBytes bounds a run in memory; with two runs sorting in the background a load holds
// about three of them.
var chunkBytes = 64 << 20

// tableBytes is where the merge starts a new sstable.
var tableBytes uint64 = 256 << 20

// NewSortedLoader prepares a first load of s, which must be empty (EINVALID otherwise: load it
// through the Put methods instead).
func (s *Store) NewSortedLoader(dir string) (*SortedLoader, error) {
	tmp := filepath.Join(dir, "sorted-load")
	if err := os.RemoveAll(tmp); err != nil { // runs of a killed load
		return nil, fmt.Errorf("embedded: remove old runs: %w", err)
	}
	empty, err := s.empty()
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, graph.FieldErrorf("db", "嵌入式存储不为空，排序表导入只用于首次导入 / the embedded store is not empty: sorted tables are for first loads only")
	}
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, fmt.Errorf("embedded: create %s: %w", tmp, err)
	}
	return &SortedLoader{Store: s, tmp: tmp, sem: make(chan struct{}, 2),
		derived: map[string]struct{}{}, prov: map[string]*int64{}}, nil
}

// empty reports whether the store holds nothing but its format stamp.
func (s *Store) empty() (bool, error) {
	it, err := s.iter(nil)
	if err != nil {
		return false, err
	}
	n := 0
	for ok := it.First(); ok && n < 2; ok = it.Next() {
		if !bytes.Equal(it.Key(), formatKey) {
			n = 2
		}
	}
	if err := closeIter(it); err != nil {
		return false, err
	}
	return n == 0, nil
}

// Discard removes the temporary files of a load that will not be finished.
func (l *SortedLoader) Discard() error {
	l.wg.Wait()
	return os.RemoveAll(l.tmp)
}

func (l *SortedLoader) add(key, val []byte) error {
	c := &l.cur
	start := len(c.arena)
	c.arena = append(c.arena, key...)
	c.arena = append(c.arena, val...)
	c.kvs = append(c.kvs, kv{off: uint32(start), klen: uint32(len(key)), vlen: uint32(len(val)), seq: int32(len(c.kvs))})
	if len(c.arena) >= chunkBytes {
		return l.spill()
	}
	return nil
}

// spill hands the current chunk to a background goroutine that sorts it and writes it as a run.
func (l *SortedLoader) spill() error {
	if err := l.bgErr(); err != nil {
		return err
	}
	if len(l.cur.kvs) == 0 {
		return nil
	}
	c := l.cur
	// The next chunk gets its own arena, sized so that it does not grow while it fills.
	l.cur = chunk{arena: make([]byte, 0, chunkBytes+1<<20), kvs: make([]kv, 0, len(c.kvs))}
	r := &run{path: filepath.Join(l.tmp, fmt.Sprintf("run-%06d", l.nrun))}
	l.nrun++
	l.runs = append(l.runs, r)
	l.sem <- struct{}{}
	l.wg.Add(1)
	go func() {
		defer func() { <-l.sem; l.wg.Done() }()
		if err := writeRun(r, c.kvs, c.arena); err != nil {
			l.mu.Lock()
			if l.err == nil {
				l.err = err
			}
			l.mu.Unlock()
		}
	}()
	return nil
}

func (l *SortedLoader) bgErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// run is one sorted run file, with every markEvery-th key and the offset of its record, by
// which the merge splits the key space between its workers.
type run struct {
	path  string
	marks []runMark
}

type runMark struct {
	key []byte
	off int64
}

// markEvery and mergeWorkers (0: one per core) are variables so that tests can exercise
// the split merge on small loads.
var markEvery, mergeWorkers = 4096, 0

// writeRun sorts kvs by key (write order breaking ties) and writes them to r as length-prefixed
// pairs, noting its marks.
func writeRun(r *run, kvs []kv, arena []byte) error {
	sortKVs(kvs, arena)
	f, err := os.Create(r.path)
	if err != nil {
		return fmt.Errorf("embedded: create run: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var hdr [2 * binary.MaxVarintLen64]byte
	var off int64
	for i, e := range kvs {
		if i%markEvery == 0 {
			r.marks = append(r.marks, runMark{key: slices.Clone(e.key(arena)), off: off})
		}
		n := binary.PutUvarint(hdr[:], uint64(e.klen))
		n += binary.PutUvarint(hdr[n:], uint64(e.vlen))
		_, _ = w.Write(hdr[:n])
		// The key and its value are adjacent in the arena.
		if _, err := w.Write(arena[e.off : e.off+e.klen+e.vlen]); err != nil {
			f.Close()
			return fmt.Errorf("embedded: write run: %w", err)
		}
		off += int64(n) + int64(e.klen) + int64(e.vlen)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("embedded: write run: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("embedded: write run: %w", err)
	}
	return nil
}

// The Put methods check their records as the batch path does and encode the keys it would write
// into an empty store.

// PutPatients encodes patients with their phone and address adjacency.
func (l *SortedLoader) PutPatients(ctx context.Context, ps []graph.Patient) error {
	for i := range ps {
		if err := checkID("id", ps[i].ID, i); err != nil {
			return err
		}
	}
	var buf []byte
	for i := range ps {
		p := &ps[i]
		l.nodes[typeCode(graph.TypePatient)]++
		if err := l.name(graph.TypePatient, p.ID, p.Name); err != nil {
			return err
		}
		for _, d := range []struct {
			t   graph.EntityType
			id  string
			rel graph.RelType
		}{{graph.TypePhone, p.Phone, graph.RelHasPhone}, {graph.TypeAddress, p.Address, graph.RelLivesAt}} {
			if d.id == "" {
				continue
			}
			buf = adjKey(buf[:0], d.t, d.id, graph.TypePatient, p.ID)
			if err := l.add(buf, nil); err != nil {
				return err
			}
			l.rels[relIndex(d.rel)]++
			buf = adjPrefix(buf[:0], d.t, d.id)
			addKey(l.derived, buf)
		}
		buf = nodeKey(buf[:0], graph.TypePatient, p.ID)
		if err := l.add(buf, encodePatient(nil, p)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// name encodes a party's name index entry.
func (l *SortedLoader) name(t graph.EntityType, id, name string) error {
	if n := indexName(name); n != "" {
		return l.add(nameKey(nil, t, n, id), nil)
	}
	return nil
}

// PutInstitutions encodes institutions.
func (l *SortedLoader) PutInstitutions(ctx context.Context, is []graph.Institution) error {
	for i := range is {
		if err := checkID("id", is[i].ID, i); err != nil {
			return err
		}
	}
	for i := range is {
		x := &is[i]
		if err := l.party(graph.TypeInstitution, x.ID, x.Name, encodeInstitution(nil, x)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// PutPharmacies encodes pharmacies.
func (l *SortedLoader) PutPharmacies(ctx context.Context, ps []graph.Pharmacy) error {
	for i := range ps {
		if err := checkID("id", ps[i].ID, i); err != nil {
			return err
		}
	}
	for i := range ps {
		x := &ps[i]
		if err := l.party(graph.TypePharmacy, x.ID, x.Name, encodePharmacy(nil, x)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (l *SortedLoader) party(t graph.EntityType, id, name string, rec []byte) error {
	l.nodes[typeCode(t)]++
	if err := l.name(t, id, name); err != nil {
		return err
	}
	return l.add(nodeKey(nil, t, id), rec)
}

// PutDoctors encodes doctors with their WORKS_AT adjacency.
func (l *SortedLoader) PutDoctors(ctx context.Context, ds []graph.Doctor) error {
	for i := range ds {
		if err := checkID("id", ds[i].ID, i); err != nil {
			return err
		}
		if err := checkOptionalID("institution_id", ds[i].InstitutionID, i); err != nil {
			return err
		}
	}
	for i := range ds {
		x := &ds[i]
		l.nodes[typeCode(graph.TypeDoctor)]++
		if err := l.name(graph.TypeDoctor, x.ID, x.Name); err != nil {
			return err
		}
		if x.InstitutionID != "" {
			if err := l.add(adjKey(nil, graph.TypeInstitution, x.InstitutionID, graph.TypeDoctor, x.ID), nil); err != nil {
				return err
			}
			l.rels[relIndex(graph.RelWorksAt)]++
		}
		if err := l.add(nodeKey(nil, graph.TypeDoctor, x.ID), encodeDoctor(nil, x)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// PutClaims encodes claims with their adjacency, time index and terminal keys.
func (l *SortedLoader) PutClaims(ctx context.Context, cs []graph.Claim) error {
	for i := range cs {
		if err := checkClaim(&cs[i], i); err != nil {
			return err
		}
	}
	var key, val []byte
	for i := range cs {
		c := &cs[i]
		l.nodes[typeCode(graph.TypeClaim)]++
		key = providerCountKey(key[:0], c.ProviderType, c.ProviderID)
		countKey(l.prov, key)
		claimRels(c, &l.rels, 1)
		av := adjValue(c)
		key = adjKey(key[:0], graph.TypePatient, c.PatientID, graph.TypeClaim, c.ID)
		if err := l.add(key, av); err != nil {
			return err
		}
		key = adjKey(key[:0], c.ProviderType, c.ProviderID, graph.TypeClaim, c.ID)
		if err := l.add(key, av); err != nil {
			return err
		}
		key = timeKey(key[:0], c.ProviderType, c.ProviderID, c.Start, c.ID)
		if err := l.add(key, []byte(c.Type)); err != nil {
			return err
		}
		if c.DoctorID != "" {
			key = adjKey(key[:0], graph.TypeDoctor, c.DoctorID, graph.TypeClaim, c.ID)
			if err := l.add(key, av); err != nil {
				return err
			}
		}
		if t := terminalID(c); t != "" {
			key = adjKey(key[:0], graph.TypeTerminal, t, graph.TypeClaim, c.ID)
			if err := l.add(key, av); err != nil {
				return err
			}
			key = adjPrefix(key[:0], graph.TypeTerminal, t)
			addKey(l.derived, key)
		}
		val = encodeClaim(val[:0], c)
		key = nodeKey(key[:0], graph.TypeClaim, c.ID)
		if err := l.add(key, val); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// PutClaimItems encodes claim items.
func (l *SortedLoader) PutClaimItems(ctx context.Context, items []graph.ClaimItem) error {
	for i := range items {
		if err := checkID("claim_id", items[i].ClaimID, i); err != nil {
			return err
		}
		if items[i].Seq < 0 || items[i].Seq > 1<<31 {
			return graph.FieldErrorf("seq", "第 %d 条：明细序号无效 / record %d: invalid item seq", i+1, i+1)
		}
	}
	var key, val []byte
	for i := range items {
		it := &items[i]
		key = itemKey(key[:0], it.ClaimID, it.Seq)
		if err := l.add(key, encodeItem(val[:0], it)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// counters encodes the node, relationship and per-provider counters of everything added.
func (l *SortedLoader) counters() error {
	for prefix := range l.derived {
		l.nodes[prefix[1]]++ // the type code follows the table byte
	}
	u := func(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }
	for i, n := range l.nodes {
		if n != 0 {
			if err := l.add([]byte{tabCount, 'n', byte(i)}, u(n)); err != nil {
				return err
			}
		}
	}
	for i := range graph.RelTypes {
		if l.rels[i] != 0 {
			if err := l.add(relCountKey(i), u(l.rels[i])); err != nil {
				return err
			}
		}
	}
	for k, n := range l.prov {
		if err := l.add([]byte(k), u(*n)); err != nil {
			return err
		}
	}
	return nil
}

// Finish merges the runs into sstables, ingests them and makes the store answer from them. It
// is called once, by ingest.Load when every batch has been handed over.
func (l *SortedLoader) Finish(ctx context.Context) error {
	if l.done {
		return errors.New("embedded: sorted load finished twice")
	}
	l.done = true
	err := l.counters()
	if err == nil {
		err = l.spill()
	}
	l.wg.Wait()
	if err == nil {
		err = l.bgErr()
	}
	if err == nil {
		err = ctx.Err()
	}
	var tables []string
	if err == nil {
		tables, err = l.mergeAll(ctx)
	}
	if err == nil && len(tables) > 0 {
		err = l.ingest(tables)
	}
	if rerr := os.RemoveAll(l.tmp); rerr != nil && err == nil {
		err = fmt.Errorf("embedded: remove runs: %w", rerr)
	}
	return err
}

// ingest publishes the tables and resets what the store derived from its (empty) contents.
func (l *SortedLoader) ingest(tables []string) error {
	s := l.Store
	done, err := s.enter(context.Background())
	if err != nil {
		return err
	}
	defer done()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.db.Ingest(tables); err != nil {
		return fmt.Errorf("embedded: ingest sorted tables: %w", err)
	}
	s.claimFilter, s.patientFilter, s.derivedFilter = claimFilter{}, claimFilter{}, claimFilter{}
	clear(s.known)
	clear(s.provCounts)
	s.cmu.Lock()
	defer s.cmu.Unlock()
	return s.loadCounts()
}

// runReader streams one run.
type runReader struct {
	r        *bufio.Reader
	f        *os.File
	idx      int
	key, val []byte
	hi       []byte // the reader stops before the first key ≥ hi (nil: at the end)
}

func (r *runReader) next() (bool, error) {
	ok, err := r.read()
	if ok && r.hi != nil && bytes.Compare(r.key, r.hi) >= 0 {
		return false, err
	}
	return ok, err
}

func (r *runReader) read() (bool, error) {
	kl, err := binary.ReadUvarint(r.r)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("embedded: read run: %w", err)
	}
	vl, err := binary.ReadUvarint(r.r)
	if err != nil {
		return false, fmt.Errorf("embedded: read run: %w", err)
	}
	r.key = slices.Grow(r.key[:0], int(kl))[:kl]
	r.val = slices.Grow(r.val[:0], int(vl))[:vl]
	if _, err := io.ReadFull(r.r, r.key); err != nil {
		return false, fmt.Errorf("embedded: read run: %w", err)
	}
	if _, err := io.ReadFull(r.r, r.val); err != nil {
		return false, fmt.Errorf("embedded: read run: %w", err)
	}
	return true, nil
}

type runHeap []*runReader

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key, h[j].key); c != 0 {
		return c < 0
	}
	return h[i].idx < h[j].idx
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeAll merges the runs into sstables with one worker per core, each over its own range of
// keys (split at quantiles of the runs' marks), so the tables of different workers do not
// overlap either; the tables are returned in key order.
func (l *SortedLoader) mergeAll(ctx context.Context) ([]string, error) {
	workers := mergeWorkers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	splits := splitKeys(l.runs, workers)
	parts := make([][]string, len(splits)+1)
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i := range parts {
		var lo, hi []byte
		if i > 0 {
			lo = splits[i-1]
		}
		if i < len(splits) {
			hi = splits[i]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i], errs[i] = l.merge(ctx, lo, hi, fmt.Sprintf("table-%02d", i))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

// splitKeys returns up to n−1 distinct keys that cut the runs' marks into n parts of about the
// same number of records.
func splitKeys(runs []*run, n int) [][]byte {
	var keys [][]byte
	for _, r := range runs {
		for _, m := range r.marks {
			keys = append(keys, m.key)
		}
	}
	if n < 2 || len(keys) < 2*n {
		return nil
	}
	slices.SortFunc(keys, bytes.Compare)
	var out [][]byte
	for i := 1; i < n; i++ {
		k := keys[i*len(keys)/n]
		if len(out) == 0 || bytes.Compare(k, out[len(out)-1]) > 0 {
			out = append(out, k)
		}
	}
	return out
}

// openRun opens run i positioned at its first record with key ≥ lo, reading up to hi; nil when
// it has none in [lo, hi).
func openRun(r *run, i int, lo, hi []byte) (*runReader, error) {
	f, err := os.Open(r.path)
	if err != nil {
		return nil, fmt.Errorf("embedded: open run: %w", err)
	}
	// Start from the last mark below lo: every record before it is below lo too.
	var off int64
	if lo != nil {
		j, _ := slices.BinarySearchFunc(r.marks, lo, func(m runMark, k []byte) int { return bytes.Compare(m.key, k) })
		if j > 0 {
			off = r.marks[j-1].off
		}
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("embedded: seek run: %w", err)
	}
	rr := &runReader{r: bufio.NewReaderSize(f, 1<<20), f: f, idx: i, hi: hi}
	for {
		ok, err := rr.next()
		if err != nil || !ok {
			f.Close()
			return nil, err
		}
		if lo == nil || bytes.Compare(rr.key, lo) >= 0 {
			return rr, nil
		}
	}
}

// merge k-way merges the runs' records with keys in [lo, hi) (nil: unbounded) into sstables of
// about tableBytes each, named name-NNNNNN.sst, in key order, so that no two tables overlap. A
// key met twice must carry the same value both times.
func (l *SortedLoader) merge(ctx context.Context, lo, hi []byte, name string) ([]string, error) {
	h := runHeap{}
	defer func() {
		for _, r := range h {
			r.f.Close()
		}
	}()
	for i, r := range l.runs {
		rr, err := openRun(r, i, lo, hi)
		if err != nil {
			return nil, err
		}
		if rr != nil {
			h = append(h, rr)
		}
	}
	heap.Init(&h)
	wopts := l.popts.MakeWriterOptions(6, l.db.FormatMajorVersion().MaxTableFormat())
	var (
		tables []string
		w      *sstable.Writer
		last   []byte
		lastV  []byte
		n      int
	)
	closeTable := func() error {
		if w == nil {
			return nil
		}
		err := w.Close()
		w = nil
		if err != nil {
			return fmt.Errorf("embedded: write sorted table: %w", err)
		}
		return nil
	}
	for len(h) > 0 {
		r := h[0]
		if last != nil && bytes.Equal(r.key, last) {
			if !bytes.Equal(r.val, lastV) {
				_ = closeTable()
				return nil, fmt.Errorf("embedded: sorted load: a record was written twice with different content (key %q…): a first load writes each id once", clipKey(r.key))
			}
		} else {
			if w != nil && w.EstimatedSize() >= tableBytes {
				if err := closeTable(); err != nil {
					return nil, err
				}
			}
			if w == nil {
				path := filepath.Join(l.tmp, fmt.Sprintf("%s-%06d.sst", name, len(tables)))
				f, err := vfs.Default.Create(path)
				if err != nil {
					return nil, fmt.Errorf("embedded: create sorted table: %w", err)
				}
				w = sstable.NewWriter(objstorageprovider.NewFileWritable(f), wopts)
				tables = append(tables, path)
			}
			if err := w.Set(r.key, r.val); err != nil {
				_ = closeTable()
				return nil, fmt.Errorf("embedded: write sorted table: %w", err)
			}
			last, lastV = append(last[:0], r.key...), append(lastV[:0], r.val...)
		}
		ok, err := r.next()
		if err != nil {
			_ = closeTable()
			return nil, err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			r.f.Close()
			heap.Pop(&h)
		}
		if n++; n%65536 == 0 && ctx.Err() != nil {
			_ = closeTable()
			return nil, ctx.Err()
		}
	}
	if err := closeTable(); err != nil {
		return nil, err
	}
	return tables, nil
}

// clipKey shows the table byte and type of a key, never the id (personal data).
func clipKey(k []byte) []byte { return k[:min(2, len(k))] }

// addKey puts k in set, allocating its string only when it is new: an assignment
// set[string(k)] = … converts (allocates) on every call, a lookup does not, and a load makes
// one such call per claim.
func addKey(set map[string]struct{}, k []byte) {
	if _, ok := set[string(k)]; !ok {
		set[string(k)] = struct{}{}
	}
}

// countKey adds one to the counter of k, allocating only for a new key (as addKey).
func countKey(m map[string]*int64, k []byte) {
	if c := m[string(k)]; c != nil {
		*c++
		return
	}
	one := int64(1)
	m[string(k)] = &one
}
