package neo4j

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ringtrace/ringtrace/graph"
)

// Defaults of Parallel, the best of the grid measured in docs/bench/neo4j.md ("Incremental
// loads"): on 2 cores two writers of 2,000 rows per transaction.
const (
	DefaultWorkers = 2
	DefaultTxRows  = 2000
)

// Parallel writes large batches into a running server through several concurrent write
// transactions, for incremental loads (a new month of claims on top of a loaded database). It is
// the Store for everything else: reads, counts, and the writes it does not split.
//
// How a batch is split so that the transactions take no conflicting locks:
//   - claims are partitioned by a hash of their patient id and claim items by a hash of their claim
//     id, so no two transactions create relationships on the same patient node (a patient has a
//     few claims: its node is not dense, and a relationship on it locks it); providers, doctors and
//     terminals are dense nodes, whose relationship chains Neo4j 5 locks per chain, not per node;
//   - what claims and patients only refer to is written first, in a transaction of its own, so
//     the partitions only MATCH it: providers and doctors by their own Put calls (ingest writes
//     every party before any claim), the batch's terminals, phones and addresses by a first pass;
//   - each partition is written in transactions of at most txRows rows, one partition per worker;
//   - transactions run through the driver's managed transactions (ExecuteWrite), which retry on a
//     transient error (e.g. a deadlock) with the whole unit of work, so retries are safe.
//
// Only batches of records none of which exists yet take the parallel path. A batch that updates
// stored patients or claims is written as one transaction (Store.PutPatients, Store.PutClaims):
// its stale pass may delete a phone, address or terminal that lost its last relationship, which
// would race with a partition attaching to it. Re-running an increment therefore takes the serial
// upsert path for what is already stored and changes nothing (MERGE on the claim id).
//
// A batch is no longer one transaction: a load killed half-way leaves whole transactions behind,
// and running it again ends in the same graph as one clean run (TestParallelKilled).
type Parallel struct {
	*Store
	workers, txRows int
}

// Parallel returns a writer over s with the given number of concurrent transactions and rows per
// transaction (the defaults when ≤ 0).
func (s *Store) Parallel(workers, txRows int) *Parallel {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	if txRows <= 0 {
		txRows = DefaultTxRows
	}
	return &Parallel{Store: s, workers: workers, txRows: txRows}
}

// Statements of the partitions: the CREATE forms without their first pass (derived nodes), which
// Parallel runs once per batch before the partitions.
var (
	patientPartUpsert = upsert{existing: cypherExistingPatients, merge: cypherPatients, create: []string{cypherPatientsNew}, stale: cypherPatientsStale}
	claimPartUpsert   = upsert{existing: cypherExistingClaims, merge: cypherClaims, create: []string{cypherClaimsNew}, stale: cypherClaimsStale}
)

// PutPatients upserts patients; a batch of new patients is written by the workers, partitioned
// by patient id.
func (p *Parallel) PutPatients(ctx context.Context, ps []graph.Patient) error {
	if err := checkPatients(ps); err != nil {
		return err
	}
	ps = lastByID(ps, func(v graph.Patient) string { return v.ID })
	ids := make([]string, len(ps))
	for i, v := range ps {
		ids[i] = v.ID
	}
	if n, err := p.existing(ctx, "put patients", cypherExistingPatients, ids); err != nil || n > 0 || p.workers == 1 {
		if err != nil {
			return err
		}
		return p.Store.PutPatients(ctx, ps)
	}
	rows := make([]map[string]any, len(ps))
	for i, v := range ps {
		rows[i] = patientRow(v)
	}
	if err := p.put(ctx, "put patients: phones and addresses", rows, cypherPatientsDerived); err != nil {
		return err
	}
	return p.partitions(ctx, "put patients", rows, ids, ids, func(ctx context.Context, rows []map[string]any, ids []string) error {
		return p.putUpsert(ctx, "put patients", rows, ids, patientPartUpsert)
	})
}

// PutClaims upserts claims; a batch of new claims is written by the workers, partitioned by
// patient id, after one transaction has merged the batch's terminals.
func (p *Parallel) PutClaims(ctx context.Context, cs []graph.Claim) error {
	if err := checkClaims(cs); err != nil {
		return err
	}
	cs = lastByID(cs, func(c graph.Claim) string { return c.ID })
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	if n, err := p.existing(ctx, "put claims", cypherExistingClaims, ids); err != nil || n > 0 || p.workers == 1 {
		if err != nil {
			return err
		}
		return p.Store.PutClaims(ctx, cs)
	}
	rows := make([]map[string]any, len(cs))
	keys := make([]string, len(cs))
	for i, c := range cs {
		rows[i], keys[i] = claimRow(c), c.PatientID
	}
	if err := p.put(ctx, "put claims: terminals", rows, cypherClaimsDerived); err != nil {
		return err
	}
	return p.partitions(ctx, "put claims", rows, ids, keys, func(ctx context.Context, rows []map[string]any, ids []string) error {
		return p.putUpsert(ctx, "put claims", rows, ids, claimPartUpsert)
	})
}

// PutClaimItems upserts claim lines, partitioned by claim id (a MERGE of distinct keys: no two
// partitions touch the same node).
func (p *Parallel) PutClaimItems(ctx context.Context, items []graph.ClaimItem) error {
	if err := checkItems(items); err != nil {
		return err
	}
	if p.workers == 1 {
		return p.Store.PutClaimItems(ctx, items)
	}
	items = lastByID(items, func(it graph.ClaimItem) string { return itemKey(it.ClaimID, it.Seq) })
	rows := make([]map[string]any, len(items))
	keys := make([]string, len(items))
	for i, it := range items {
		rows[i], keys[i] = itemRow(it), it.ClaimID
	}
	return p.partitions(ctx, "put claim items", rows, keys, keys, func(ctx context.Context, rows []map[string]any, _ []string) error {
		return p.put(ctx, "put claim items", rows, cypherItems)
	})
}

// existing counts how many of ids are stored, in one read transaction.
func (p *Parallel) existing(ctx context.Context, op, stmt string, ids []string) (int64, error) {
	return readTx(ctx, p.Store, op, func(tx neo4j.ManagedTransaction) (int64, error) {
		var n int64
		for lo := 0; lo < len(ids); lo += chunkRows {
			recs, err := collect(ctx, tx, stmt, map[string]any{"ids": ids[lo:min(lo+chunkRows, len(ids))]})
			if err != nil {
				return 0, err
			}
			if len(recs) == 1 {
				v, _ := recs[0].Values[0].(int64)
				n += v
			}
		}
		return n, nil
	})
}

// partitions splits rows (with their ids) by a hash of keys into one partition per worker and
// has each worker write its partition in transactions of at most txRows rows. The first failure
// cancels the other workers and is returned.
func (p *Parallel) partitions(ctx context.Context, op string, rows []map[string]any, ids, keys []string,
	write func(ctx context.Context, rows []map[string]any, ids []string) error) error {
	if len(rows) == 0 {
		return nil
	}
	start := time.Now()
	partRows := make([][]map[string]any, p.workers)
	partIDs := make([][]string, p.workers)
	for i, r := range rows {
		k := partitionOf(keys[i], p.workers)
		partRows[k] = append(partRows[k], r)
		partIDs[k] = append(partIDs[k], ids[i])
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for w := range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, is := partRows[w], partIDs[w]
			for lo := 0; lo < len(rs); lo += p.txRows {
				hi := min(lo+p.txRows, len(rs))
				if err := write(ctx, rs[lo:hi], is[lo:hi]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		p.log.Debug("neo4j parallel write", "op", op, "rows", len(rows), "workers", p.workers, "took", time.Since(start))
	}
	return first
}

// partitionOf maps a key to one of n partitions, the same one in every run.
func partitionOf(key string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}
