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
	runs  []string
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
	prov    map[string]int64
}

// chunk is a run being filled: keys and values in one arena, in write order.
type chunk struct {
	arena []byte
	kvs   []kv
}

type kv struct {
	key, val []byte
	seq      int32
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
		derived: map[string]struct{}{}, prov: map[string]int64{}}, nil
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
	k := c.arena[start : start+len(key) : start+len(key)]
	v := c.arena[start+len(key) : len(c.arena) : len(c.arena)]
	c.kvs = append(c.kvs, kv{key: k, val: v, seq: int32(len(c.kvs))})
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
	// The arena must not move under the slices that point into it: the next chunk gets its own.
	l.cur = chunk{arena: make([]byte, 0, chunkBytes+1<<20), kvs: make([]kv, 0, len(c.kvs))}
	path := filepath.Join(l.tmp, fmt.Sprintf("run-%06d", l.nrun))
	l.nrun++
	l.runs = append(l.runs, path)
	l.sem <- struct{}{}
	l.wg.Add(1)
	go func() {
		defer func() { <-l.sem; l.wg.Done() }()
		if err := writeRun(path, c.kvs); err != nil {
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

// writeRun sorts kvs by key (write order breaking ties) and writes them as length-prefixed pairs.
func writeRun(path string, kvs []kv) error {
	sortKVs(kvs)
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("embedded: create run: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var hdr [2 * binary.MaxVarintLen64]byte
	for _, e := range kvs {
		n := binary.PutUvarint(hdr[:], uint64(len(e.key)))
		n += binary.PutUvarint(hdr[n:], uint64(len(e.val)))
		_, _ = w.Write(hdr[:n])
		_, _ = w.Write(e.key)
		if _, err := w.Write(e.val); err != nil {
			f.Close()
			return fmt.Errorf("embedded: write run: %w", err)
		}
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
			if err := l.add(adjKey(buf[:0], d.t, d.id, graph.TypePatient, p.ID), nil); err != nil {
				return err
			}
			l.rels[relIndex(d.rel)]++
			l.derived[string(adjPrefix(buf[:0], d.t, d.id))] = struct{}{}
		}
		if err := l.add(nodeKey(buf[:0], graph.TypePatient, p.ID), encodePatient(nil, p)); err != nil {
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
		l.prov[string(providerCountKey(key[:0], c.ProviderType, c.ProviderID))]++
		claimRels(c, &l.rels, 1)
		av := adjValue(c)
		if err := l.add(adjKey(key[:0], graph.TypePatient, c.PatientID, graph.TypeClaim, c.ID), av); err != nil {
			return err
		}
		if err := l.add(adjKey(key[:0], c.ProviderType, c.ProviderID, graph.TypeClaim, c.ID), av); err != nil {
			return err
		}
		if err := l.add(timeKey(key[:0], c.ProviderType, c.ProviderID, c.Start, c.ID), []byte(c.Type)); err != nil {
			return err
		}
		if c.DoctorID != "" {
			if err := l.add(adjKey(key[:0], graph.TypeDoctor, c.DoctorID, graph.TypeClaim, c.ID), av); err != nil {
				return err
			}
		}
		if t := terminalID(c); t != "" {
			if err := l.add(adjKey(key[:0], graph.TypeTerminal, t, graph.TypeClaim, c.ID), av); err != nil {
				return err
			}
			l.derived[string(adjPrefix(key[:0], graph.TypeTerminal, t))] = struct{}{}
		}
		val = encodeClaim(val[:0], c)
		if err := l.add(nodeKey(key[:0], graph.TypeClaim, c.ID), val); err != nil {
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
		if err := l.add(itemKey(key[:0], it.ClaimID, it.Seq), encodeItem(val[:0], it)); err != nil {
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
		if err := l.add([]byte(k), u(n)); err != nil {
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
		tables, err = l.merge(ctx)
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
}

func (r *runReader) next() (bool, error) {
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

// merge k-way merges the runs into sstables of about tableBytes each, in key order, so that no
// two tables overlap. A key met twice must carry the same value both times.
func (l *SortedLoader) merge(ctx context.Context) ([]string, error) {
	h := runHeap{}
	defer func() {
		for _, r := range h {
			r.f.Close()
		}
	}()
	for i, path := range l.runs {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("embedded: open run: %w", err)
		}
		r := &runReader{r: bufio.NewReaderSize(f, 1<<20), f: f, idx: i}
		ok, err := r.next()
		if err != nil {
			f.Close()
			return nil, err
		}
		if !ok {
			f.Close()
			continue
		}
		h = append(h, r)
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
				path := filepath.Join(l.tmp, fmt.Sprintf("table-%06d.sst", len(tables)))
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
