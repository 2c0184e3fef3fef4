package embedded

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/bloom"

	"github.com/ringtrace/ringtrace/graph"
)

// Store is the embedded graph store. It is safe for concurrent use: reads run in parallel on
// Pebble's snapshot-consistent iterators, writes are serialised by one mutex so that counters
// and upserts stay exact.
type Store struct {
	db    *pebble.DB
	popts *pebble.Options // what the store was opened with (sorted loads write tables like its own)

	// life guards db against Close while a call is running: calls hold it shared.
	life   sync.RWMutex
	closed bool

	// wmu serialises writers. Everything below it is owned by the writer holding wmu, except
	// counts, which readers copy under cmu.
	wmu sync.Mutex
	// known holds derived nodes (phone, address, terminal adjacency prefixes) known to exist in
	// the committed store, so that a claim on a known terminal needs no existence check. It is
	// bounded by maxKnown and simply cleared when full.
	known map[string]struct{}
	// claimFilter answers "is this claim id certainly new?" for the load path (filter.go).
	claimFilter claimFilter
	// patientFilter and derivedFilter answer "certainly absent" for patient records and for
	// derived nodes (phone, address, terminal adjacency prefixes), built on the first write
	// that needs them (filter.go).
	patientFilter, derivedFilter claimFilter
	// provCounts caches committed per-provider claim counters (providerCountKey → claims),
	// so that a load batch need not read one counter per provider it touches. Bounded by
	// maxProvCounts and cleared when full.
	provCounts map[string]int64

	// bulk is set while a bulk load runs (SetBulk): batches are committed without waiting for
	// fsync. Owned by the writer holding wmu.
	bulk bool

	cmu    sync.RWMutex
	nodes  [len(codeTypes)]int64
	rels   [8]int64
	logger *slog.Logger
}

// maxProvCounts bounds the provider counter cache: a province has tens of thousands of
// providers at most.
const maxProvCounts = 1 << 18

// maxKnown bounds the derived-node cache: 1<<20 entries of ~30 bytes is ~60 MB at worst.
const maxKnown = 1 << 20

// Options tune the store. The zero value is the production default for serving and small
// writes; BulkLoad switches to the settings measured for loading millions of claims.
type Options struct {
	// BulkLoad tunes the store for a bulk load (docs/bench/embedded.md, "Bulk load"): it opens
	// in bulk mode (see SetBulk) and, for every field below left zero, uses the load value
	// instead of the serving default: 256 MiB memtables, compaction from 16 L0 sublevels into
	// a 2 GiB base level, two concurrent compactions and no block compression in levels 0–4.
	// Random-order inserts then rewrite each key fewer times. The price is a tall, partly
	// uncompressed L0 when the load ends; the next open with serving options compacts it in the
	// background.
	BulkLoad bool
	// CacheBytes is Pebble's block cache size; 0 means 512 MiB.
	CacheBytes int64
	// MemTableBytes is the size of one memtable; 0 means 64 MiB (256 MiB for a bulk load).
	MemTableBytes uint64
	// MemTables is how many memtables may fill before writers stall; 0 means 4.
	MemTables int
	// Compactions is the maximum number of concurrent background compactions; 0 means 1 (2
	// for a bulk load).
	Compactions int
	// L0Compaction is the number of L0 sublevels that triggers a compaction into the base
	// level; 0 means 4 (16 for a bulk load).
	L0Compaction int
	// LBaseBytes is the target size of the base level; 0 means 256 MiB (2 GiB for a bulk load).
	LBaseBytes int64
	// UpperUncompressed leaves blocks uncompressed in levels 0–4, which a load rewrites most
	// often; the bottom levels stay Snappy-compressed. Always on for a bulk load.
	UpperUncompressed bool
	// Logger receives store events (never personal data); nil means slog.Default().
	Logger *slog.Logger
}

// Open opens (creating when needed) the store in dir with default options.
func Open(dir string) (*Store, error) { return OpenWith(dir, Options{}) }

// OpenWith opens (creating when needed) the store in dir.
func OpenWith(dir string, o Options) (*Store, error) {
	if dir == "" {
		return nil, graph.FieldErrorf("db", "嵌入式存储需要一个目录 / the embedded store needs a directory")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded: create %s: %w", dir, err)
	}
	if o.BulkLoad {
		o.UpperUncompressed = true
		o.MemTableBytes = cmp.Or(o.MemTableBytes, 256<<20)
		o.Compactions = cmp.Or(o.Compactions, 2)
		o.L0Compaction = cmp.Or(o.L0Compaction, 16)
		o.LBaseBytes = cmp.Or(o.LBaseBytes, 2<<30)
	}
	o.CacheBytes = cmp.Or(o.CacheBytes, 512<<20)
	o.MemTableBytes = cmp.Or(o.MemTableBytes, 64<<20)
	o.MemTables = cmp.Or(o.MemTables, 4)
	o.Compactions = cmp.Or(o.Compactions, 1)
	o.L0Compaction = cmp.Or(o.L0Compaction, 4)
	o.LBaseBytes = cmp.Or(o.LBaseBytes, 256<<20)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	cache := pebble.NewCache(o.CacheBytes)
	defer cache.Unref()
	opts := &pebble.Options{
		Cache:        cache,
		MemTableSize: o.MemTableBytes,
		// Ingest writes in large bursts; letting L0 grow before stalling writers trades a
		// little read amplification during a load for steady write throughput.
		MemTableStopWritesThreshold: o.MemTables,
		L0CompactionThreshold:       o.L0Compaction,
		L0StopWritesThreshold:       max(32, 4*o.L0Compaction),
		LBaseMaxBytes:               o.LBaseBytes,
		MaxConcurrentCompactions:    func() int { return o.Compactions },
		Logger:                      quietLogger{o.Logger},
	}
	opts.Levels = make([]pebble.LevelOptions, 7)
	for i := range opts.Levels {
		// Bloom filters make the point lookups of upserts (is this claim id new?) and of
		// record reads skip most sstables.
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		// Pebble's default 4 KiB blocks: API reads are random point lookups (a claim, a
		// patient), and each one decompresses a whole block. 32 KiB blocks made a depth-2
		// patient neighbourhood on the 10 M-claim store decompress ~20 × 32 KiB.
		opts.Levels[i].BlockSize = 4 << 10
		if i > 0 {
			opts.Levels[i].TargetFileSize = 64 << 20
		}
		if o.UpperUncompressed && i < 5 {
			// Snappy was 7 % of a load's CPU (encodeBlock, in flushes and compactions); the
			// upper levels hold a small share of the data and are rewritten most often.
			opts.Levels[i].Compression = pebble.NoCompression
		}
	}
	opts.EnsureDefaults()
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", dir, err)
	}
	s := &Store{db: db, popts: opts, known: make(map[string]struct{}), provCounts: make(map[string]int64), logger: o.Logger, bulk: o.BulkLoad}
	if err := s.loadCounts(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.checkFormat(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// storeFormat is the version of the key layout. 2 added per-provider claim counters; a store
// written by an earlier build lacks them and would report wrong Claims totals.
const storeFormat = 2

var formatKey = []byte{tabCount, 'f'}

// checkFormat stamps an empty store with the current format and refuses a non-empty store of
// another format, rather than answering from a layout it does not understand.
func (s *Store) checkFormat() error {
	v, err := s.getInt(formatKey)
	if err != nil {
		return err
	}
	if v == storeFormat {
		return nil
	}
	empty := true
	for _, n := range s.nodes {
		if n != 0 {
			empty = false
		}
	}
	if v != 0 || !empty {
		return graph.FieldErrorf("db", "嵌入式存储的格式版本 %d 与当前版本 %d 不符，请在新目录重新导入 / the embedded store has format %d, this build reads %d: ingest again into a fresh --db directory", v, storeFormat, v, storeFormat)
	}
	if err := s.db.Set(formatKey, binary.BigEndian.AppendUint64(nil, storeFormat), pebble.Sync); err != nil {
		return fmt.Errorf("embedded: write format: %w", err)
	}
	return nil
}

// quietLogger routes Pebble's own messages to slog at debug level; they carry file numbers and
// sizes, never record contents.
type quietLogger struct{ l *slog.Logger }

func (q quietLogger) Infof(format string, args ...any) {
	q.l.Debug("pebble", "msg", fmt.Sprintf(format, args...))
}

func (q quietLogger) Errorf(format string, args ...any) {
	q.l.Error("pebble", "msg", fmt.Sprintf(format, args...))
}

func (q quietLogger) Fatalf(format string, args ...any) {
	q.l.Error("pebble fatal", "msg", fmt.Sprintf(format, args...))
	panic(fmt.Sprintf(format, args...))
}

func (s *Store) loadCounts() error {
	for i, t := range codeTypes {
		if t == "" {
			continue
		}
		v, err := s.getInt(nodeCountKey(t))
		if err != nil {
			return err
		}
		s.nodes[i] = v
	}
	for i := range graph.RelTypes {
		v, err := s.getInt(relCountKey(i))
		if err != nil {
			return err
		}
		s.rels[i] = v
	}
	return nil
}

func (s *Store) getInt(key []byte) (int64, error) {
	v, closer, err := s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("embedded: read counter: %w", err)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, fmt.Errorf("embedded: counter: %w", errCorrupt)
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

// SetBulk switches bulk-load mode on or off. In bulk mode a Put still commits one atomic batch
// and is visible to readers when it returns, but it does not wait for the write-ahead log to
// reach the disk: a crash may lose the last batches, never part of one, so a load that is run
// again after a crash ends in the same graph (writes are idempotent upserts). Switching it off
// flushes the memtables, after which everything written so far is durable; Close syncs the log.
// Options.BulkLoad opens the store with bulk mode on.
func (s *Store) SetBulk(ctx context.Context, on bool) error {
	done, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer done()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.bulk && !on {
		// Flush rather than only syncing the log: a bulk load leaves up to a 256 MiB memtable
		// whose log the next Open would otherwise replay; flushing writes and syncs it now,
		// which makes everything loaded durable.
		if err := s.db.Flush(); err != nil {
			return fmt.Errorf("embedded: flush after bulk load: %w", err)
		}
	}
	s.bulk = on
	return nil
}

// syncLog makes every batch committed so far durable: syncing an empty log record waits for the
// write-ahead log file, which holds all earlier batches in order, to be synced.
func (s *Store) syncLog() error {
	if err := s.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("embedded: sync log: %w", err)
	}
	return nil
}

// Close syncs the log when a bulk load left batches unsynced and closes the database. Calls
// made after Close fail with EUNAVAILABLE.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.wmu.Lock()
	bulk := s.bulk
	s.wmu.Unlock()
	if bulk {
		if err := s.syncLog(); err != nil {
			_ = s.db.Close()
			return err
		}
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("embedded: close: %w", err)
	}
	return nil
}

// enter marks a call in progress; the returned function ends it.
func (s *Store) enter(ctx context.Context) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return nil, graph.Errorf(graph.EUNAVAILABLE, "图存储已关闭 / the graph store is closed")
	}
	return s.life.RUnlock, nil
}

// Ping reports whether the store is open.
func (s *Store) Ping(ctx context.Context) error {
	done, err := s.enter(ctx)
	if err != nil {
		return err
	}
	done()
	return nil
}

// Counts returns the node and relationship counters, kept exact by every write batch.
func (s *Store) Counts(ctx context.Context) (graph.Counts, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return graph.Counts{}, err
	}
	defer done()
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	c := graph.Counts{Nodes: make(map[graph.EntityType]int64, len(graph.EntityTypes)),
		Relationships: make(map[graph.RelType]int64, len(graph.RelTypes))}
	for _, t := range graph.EntityTypes {
		c.Nodes[t] = s.nodes[typeCode(t)]
	}
	for i, r := range graph.RelTypes {
		c.Relationships[r] = s.rels[i]
	}
	return c, nil
}

// get reads one value; found is false when the key is absent. The returned slice is a copy.
func (s *Store) get(key []byte) (val []byte, found bool, err error) {
	v, closer, err := s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("embedded: get: %w", err)
	}
	val = append([]byte(nil), v...)
	closer.Close()
	return val, true, nil
}

// hasPrefix reports whether any key starts with prefix, ignoring the keys in skip.
func (s *Store) hasPrefix(prefix []byte, skip map[string]struct{}) (bool, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return false, fmt.Errorf("embedded: iterate: %w", err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if _, skipped := skip[string(it.Key())]; !skipped {
			return true, nil
		}
	}
	return false, it.Error()
}

// iter opens an iterator over keys with the given prefix.
func (s *Store) iter(prefix []byte) (*pebble.Iterator, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return nil, fmt.Errorf("embedded: iterate: %w", err)
	}
	return it, nil
}

var _ graph.Store = (*Store)(nil)
