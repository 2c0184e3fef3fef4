package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble"

	"github.com/ringtrace/ringtrace/graph"
)

// PutPatients upserts patients with their phone and address nodes, in one atomic batch.
func (s *Store) PutPatients(ctx context.Context, ps []graph.Patient) error {
	for i := range ps {
		if err := checkID("id", ps[i].ID, i); err != nil {
			return err
		}
	}
	return s.write(ctx, func(w *writeTxn) error {
		for i := range ps {
			if err := w.putPatient(&ps[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutInstitutions upserts institutions in one atomic batch.
func (s *Store) PutInstitutions(ctx context.Context, is []graph.Institution) error {
	for i := range is {
		if err := checkID("id", is[i].ID, i); err != nil {
			return err
		}
	}
	return s.write(ctx, func(w *writeTxn) error {
		for i := range is {
			x := &is[i]
			if err := w.putParty(graph.TypeInstitution, x.ID, x.Name, encodeInstitution(nil, x)); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutPharmacies upserts pharmacies in one atomic batch.
func (s *Store) PutPharmacies(ctx context.Context, ps []graph.Pharmacy) error {
	for i := range ps {
		if err := checkID("id", ps[i].ID, i); err != nil {
			return err
		}
	}
	return s.write(ctx, func(w *writeTxn) error {
		for i := range ps {
			x := &ps[i]
			if err := w.putParty(graph.TypePharmacy, x.ID, x.Name, encodePharmacy(nil, x)); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutDoctors upserts doctors with their WORKS_AT relationship in one atomic batch.
func (s *Store) PutDoctors(ctx context.Context, ds []graph.Doctor) error {
	for i := range ds {
		if err := checkID("id", ds[i].ID, i); err != nil {
			return err
		}
		if err := checkOptionalID("institution_id", ds[i].InstitutionID, i); err != nil {
			return err
		}
	}
	return s.write(ctx, func(w *writeTxn) error {
		for i := range ds {
			if err := w.putDoctor(&ds[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutClaims upserts claims with their FILED, AT, TREATED_BY and ON_TERMINAL relationships and
// terminal nodes in one atomic batch.
func (s *Store) PutClaims(ctx context.Context, cs []graph.Claim) error {
	for i := range cs {
		if err := checkClaim(&cs[i], i); err != nil {
			return err
		}
	}
	return s.write(ctx, func(w *writeTxn) error {
		// About seven keys and 400 bytes per claim: allocate once, not by doubling.
		w.ops = make([]op, 0, 7*len(cs)+32)
		w.arena = make([]byte, 0, 400*len(cs)+1024)
		if err := s.buildClaimFilter(ctx); err != nil {
			return err
		}
		for i := range cs {
			if err := w.putClaim(&cs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutClaimItems upserts claim items keyed by (claim id, seq) in one atomic batch.
func (s *Store) PutClaimItems(ctx context.Context, items []graph.ClaimItem) error {
	for i := range items {
		if err := checkID("claim_id", items[i].ClaimID, i); err != nil {
			return err
		}
		if items[i].Seq < 0 || items[i].Seq > 1<<31 {
			return graph.FieldErrorf("seq", "第 %d 条：明细序号无效 / record %d: invalid item seq", i+1, i+1)
		}
	}
	return s.write(ctx, func(w *writeTxn) error {
		for i := range items {
			it := &items[i]
			w.key = itemKey(w.key[:0], it.ClaimID, it.Seq)
			w.val = encodeItem(w.val[:0], it)
			if err := w.set(w.key, w.val); err != nil {
				return err
			}
		}
		return nil
	})
}

func checkID(field, id string, i int) error {
	if id == "" {
		return graph.FieldErrorf(field, "第 %d 条：%s 为空 / record %d: %s is empty", i+1, field, i+1, field)
	}
	return checkOptionalID(field, id, i)
}

// checkOptionalID rejects NUL bytes, which the key layout uses as the id terminator.
func checkOptionalID(field, id string, i int) error {
	if strings.IndexByte(id, 0) >= 0 {
		return graph.FieldErrorf(field, "第 %d 条：%s 含有 NUL 字符 / record %d: %s contains a NUL byte", i+1, field, i+1, field)
	}
	return nil
}

func checkClaim(c *graph.Claim, i int) error {
	if err := checkID("id", c.ID, i); err != nil {
		return err
	}
	if err := checkID("patient_id", c.PatientID, i); err != nil {
		return err
	}
	if err := checkID("provider_id", c.ProviderID, i); err != nil {
		return err
	}
	if !c.ProviderType.IsProvider() {
		return graph.FieldErrorf("provider_type", "第 %d 条：机构类型必须是 institution 或 pharmacy / record %d: provider_type must be institution or pharmacy", i+1, i+1)
	}
	if err := checkOptionalID("doctor_id", c.DoctorID, i); err != nil {
		return err
	}
	return checkOptionalID("terminal_id", c.TerminalID, i)
}

// writeTxn accumulates one Put call into one Pebble batch, with the counter deltas and the
// derived-node changes it implies. Nothing of it is visible until commit.
//
// Operations are collected and sorted by key before they go into the batch: Pebble applies a
// batch to its skiplist memtable one key at a time, and consecutive inserts that land next to
// each other hit cached cache lines instead of walking a 64 MiB arena at random. Measured on
// the shared 2-core machine: 4.3 µs of CPU per random key against 1.4 µs per key sorted, sort
// included (docs/bench/embedded.md).
type writeTxn struct {
	s     *Store
	ops   []op
	arena []byte
	// newClaims are the claim ids first written by this batch, added to the store's claim
	// filter once the batch is committed.
	newClaims []string
	// newPatients are the node keys of patients this batch creates, added to the patient
	// filter after the commit.
	newPatients []string
	// recs holds the records written in this batch by node key, so that a record written twice
	// in one batch reads its own first write as the old value.
	recs    map[string][]byte
	nodes   [len(codeTypes)]int64
	rels    [8]int64
	derived map[string]*derivedChange
	// provClaims are the changes of claims per provider, by providerCountKey.
	provClaims map[string]int64
	key, val   []byte
}

// derivedChange tracks adjacency keys added to and removed from one derived node (phone,
// address, terminal) in a batch, to decide at commit whether the node appeared or vanished.
type derivedChange struct {
	typ            graph.EntityType
	added, removed map[string]struct{}
}

func (s *Store) write(ctx context.Context, fn func(w *writeTxn) error) error {
	done, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer done()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.buildPartyFilter(ctx); err != nil {
		return err
	}
	w := &writeTxn{s: s, recs: make(map[string][]byte), derived: make(map[string]*derivedChange), provClaims: make(map[string]int64)}
	if err := fn(w); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return w.commit()
}

// old returns the record stored under key, looking at this batch first.
func (w *writeTxn) old(key []byte) ([]byte, bool, error) {
	if v, ok := w.recs[string(key)]; ok {
		return v, true, nil
	}
	return w.s.get(key)
}

// op is one pending write; del marks a deletion.
type op struct {
	key, val []byte
	seq      int32 // position in the batch: the later of two writes to one key wins
	del      bool
}

// keep copies b into the batch arena, so that callers may reuse their buffers.
func (w *writeTxn) keep(b []byte) []byte {
	if len(w.arena)+len(b) > cap(w.arena) {
		w.arena = make([]byte, 0, max(1<<20, len(b)))
	}
	start := len(w.arena)
	w.arena = append(w.arena, b...)
	return w.arena[start:len(w.arena):len(w.arena)]
}

func (w *writeTxn) setRecord(key, val []byte) error {
	k, v := w.keep(key), w.keep(val)
	w.recs[string(k)] = v
	w.ops = append(w.ops, op{key: k, val: v, seq: int32(len(w.ops))})
	return nil
}

func (w *writeTxn) set(key, val []byte) error {
	w.ops = append(w.ops, op{key: w.keep(key), val: w.keep(val), seq: int32(len(w.ops))})
	return nil
}

func (w *writeTxn) del(key []byte) error {
	w.ops = append(w.ops, op{key: w.keep(key), del: true, seq: int32(len(w.ops))})
	return nil
}

// putParty writes an institution or pharmacy record and its name index entry.
func (w *writeTxn) putParty(t graph.EntityType, id, name string, rec []byte) error {
	key := nodeKey(nil, t, id)
	oldRec, found, err := w.old(key)
	if err != nil {
		return err
	}
	if found {
		var oldName string
		if t == graph.TypeInstitution {
			o, err := decodeInstitution(id, oldRec)
			if err != nil {
				return fmt.Errorf("embedded: old institution record: %w", err)
			}
			oldName = o.Name
		} else {
			o, err := decodePharmacy(id, oldRec)
			if err != nil {
				return fmt.Errorf("embedded: old pharmacy record: %w", err)
			}
			oldName = o.Name
		}
		if err := w.renameIndex(t, id, oldName, name); err != nil {
			return err
		}
	} else {
		w.nodes[typeCode(t)]++
		if err := w.renameIndex(t, id, "", name); err != nil {
			return err
		}
	}
	return w.setRecord(key, rec)
}

// renameIndex moves a party's name index entry from oldName to newName ("" means none).
func (w *writeTxn) renameIndex(t graph.EntityType, id, oldName, newName string) error {
	oldName, newName = indexName(oldName), indexName(newName)
	if oldName == newName {
		if newName != "" {
			// Re-set so that a batch that first removed it (a rename and back) ends with it.
			return w.set(nameKey(nil, t, newName, id), nil)
		}
		return nil
	}
	if oldName != "" {
		if err := w.del(nameKey(nil, t, oldName, id)); err != nil {
			return err
		}
	}
	if newName != "" {
		return w.set(nameKey(nil, t, newName, id), nil)
	}
	return nil
}

// indexName is the part of a name that goes into the index key: up to the first NUL byte, which
// would otherwise end the name early in the composite key.
func indexName(name string) string {
	if i := strings.IndexByte(name, 0); i >= 0 {
		return name[:i]
	}
	return name
}

func (w *writeTxn) putPatient(p *graph.Patient) error {
	key := nodeKey(nil, graph.TypePatient, p.ID)
	oldRec, found := w.recs[string(key)]
	if !found && w.s.patientFilter.mayContain(string(key)) {
		var err error
		if oldRec, found, err = w.s.get(key); err != nil {
			return err
		}
	}
	var old graph.Patient
	if found {
		var err error
		if old, err = decodePatient(p.ID, oldRec); err != nil {
			return fmt.Errorf("embedded: old patient record: %w", err)
		}
	} else {
		w.nodes[typeCode(graph.TypePatient)]++
		w.newPatients = append(w.newPatients, string(key))
	}
	if err := w.renameIndex(graph.TypePatient, p.ID, old.Name, p.Name); err != nil {
		return err
	}
	if err := w.moveDerived(graph.TypePhone, old.Phone, p.Phone, graph.TypePatient, p.ID, graph.RelHasPhone); err != nil {
		return err
	}
	if err := w.moveDerived(graph.TypeAddress, old.Address, p.Address, graph.TypePatient, p.ID, graph.RelLivesAt); err != nil {
		return err
	}
	return w.setRecord(key, encodePatient(nil, p))
}

// moveDerived points the relationship from (ownerType, ownerID) to a derived node from oldID to
// newID ("" meaning none), keeping counters and derived-node existence exact.
func (w *writeTxn) moveDerived(t graph.EntityType, oldID, newID string, ownerType graph.EntityType, ownerID string, rel graph.RelType) error {
	if oldID == newID {
		return nil
	}
	ri := relIndex(rel)
	if oldID != "" {
		k := adjKey(nil, t, oldID, ownerType, ownerID)
		if err := w.del(k); err != nil {
			return err
		}
		w.rels[ri]--
		w.derivedChange(t, oldID, k, false)
	}
	if newID != "" {
		k := adjKey(nil, t, newID, ownerType, ownerID)
		if err := w.set(k, nil); err != nil {
			return err
		}
		w.rels[ri]++
		w.derivedChange(t, newID, k, true)
	}
	return nil
}

// derivedChange records an adjacency key added to or removed from derived node (t,id). A node
// the store already knows to exist and that only gains keys needs no bookkeeping: that is the
// common case of a claim on a known terminal during a load.
func (w *writeTxn) derivedChange(t graph.EntityType, id string, key []byte, added bool) {
	prefix := string(adjPrefix(nil, t, id))
	d := w.derived[prefix]
	if d == nil {
		if _, ok := w.s.known[prefix]; ok && added {
			return
		}
		d = &derivedChange{typ: t, added: map[string]struct{}{}, removed: map[string]struct{}{}}
		w.derived[prefix] = d
	}
	if added {
		delete(d.removed, string(key))
		d.added[string(key)] = struct{}{}
	} else {
		delete(d.added, string(key))
		d.removed[string(key)] = struct{}{}
	}
}

func (w *writeTxn) putDoctor(x *graph.Doctor) error {
	key := nodeKey(nil, graph.TypeDoctor, x.ID)
	oldRec, found, err := w.old(key)
	if err != nil {
		return err
	}
	var old graph.Doctor
	if found {
		if old, err = decodeDoctor(x.ID, oldRec); err != nil {
			return fmt.Errorf("embedded: old doctor record: %w", err)
		}
	} else {
		w.nodes[typeCode(graph.TypeDoctor)]++
	}
	if err := w.renameIndex(graph.TypeDoctor, x.ID, old.Name, x.Name); err != nil {
		return err
	}
	if old.InstitutionID != x.InstitutionID {
		ri := relIndex(graph.RelWorksAt)
		if old.InstitutionID != "" {
			if err := w.del(adjKey(nil, graph.TypeInstitution, old.InstitutionID, graph.TypeDoctor, x.ID)); err != nil {
				return err
			}
			w.rels[ri]--
		}
		if x.InstitutionID != "" {
			if err := w.set(adjKey(nil, graph.TypeInstitution, x.InstitutionID, graph.TypeDoctor, x.ID), nil); err != nil {
				return err
			}
			w.rels[ri]++
		}
	}
	return w.setRecord(key, encodeDoctor(nil, x))
}

// claimEdges lists the adjacency and time-index entries a claim owns, so that an upsert can
// delete the old claim's entries and write the new ones.
type claimEntry struct {
	key, val []byte
}

func claimEntries(c *graph.Claim, dst []claimEntry) []claimEntry {
	av := adjValue(c)
	dst = append(dst,
		claimEntry{adjKey(nil, graph.TypePatient, c.PatientID, graph.TypeClaim, c.ID), av},
		claimEntry{adjKey(nil, c.ProviderType, c.ProviderID, graph.TypeClaim, c.ID), av},
		claimEntry{timeKey(nil, c.ProviderType, c.ProviderID, c.Start, c.ID), []byte(c.Type)},
	)
	if c.DoctorID != "" {
		dst = append(dst, claimEntry{adjKey(nil, graph.TypeDoctor, c.DoctorID, graph.TypeClaim, c.ID), av})
	}
	return dst
}

func terminalID(c *graph.Claim) string {
	if c.TerminalID == "" {
		return ""
	}
	return c.ProviderID + "/" + c.TerminalID
}

func claimRels(c *graph.Claim, rels *[8]int64, sign int64) {
	rels[relIndex(graph.RelFiled)] += sign
	rels[relIndex(graph.RelAt)] += sign
	if c.DoctorID != "" {
		rels[relIndex(graph.RelTreatedBy)] += sign
	}
	if c.TerminalID != "" {
		rels[relIndex(graph.RelOnTerminal)] += sign
	}
}

func (w *writeTxn) putClaim(c *graph.Claim) error {
	key := nodeKey(w.key[:0], graph.TypeClaim, c.ID)
	oldRec, found := w.recs[string(key)]
	if !found && w.s.claimFilter.mayContain(c.ID) {
		var err error
		if oldRec, found, err = w.s.get(key); err != nil {
			return err
		}
	}
	newTerm := terminalID(c)
	if !found {
		// The load path: no old entries to compare, write everything.
		w.newClaims = append(w.newClaims, c.ID)
		w.provClaims[string(providerCountKey(w.val[:0], c.ProviderType, c.ProviderID))]++
		w.nodes[typeCode(graph.TypeClaim)]++
		claimRels(c, &w.rels, 1)
		av := adjValue(c)
		if err := w.set(adjKey(w.val[:0], graph.TypePatient, c.PatientID, graph.TypeClaim, c.ID), av); err != nil {
			return err
		}
		if err := w.set(adjKey(w.val[:0], c.ProviderType, c.ProviderID, graph.TypeClaim, c.ID), av); err != nil {
			return err
		}
		if err := w.set(timeKey(w.val[:0], c.ProviderType, c.ProviderID, c.Start, c.ID), []byte(c.Type)); err != nil {
			return err
		}
		if c.DoctorID != "" {
			if err := w.set(adjKey(w.val[:0], graph.TypeDoctor, c.DoctorID, graph.TypeClaim, c.ID), av); err != nil {
				return err
			}
		}
		if newTerm != "" {
			k := adjKey(nil, graph.TypeTerminal, newTerm, graph.TypeClaim, c.ID)
			if err := w.set(k, av); err != nil {
				return err
			}
			w.derivedChange(graph.TypeTerminal, newTerm, k, true)
		}
		w.key = key
		w.val = encodeClaim(w.val[:0], c)
		return w.setRecord(key, w.val)
	}
	key = append([]byte(nil), key...)
	old, err := decodeClaim(c.ID, oldRec)
	if err != nil {
		return fmt.Errorf("embedded: old claim record: %w", err)
	}
	claimRels(&old, &w.rels, -1)
	claimRels(c, &w.rels, 1)
	w.provClaims[string(providerCountKey(nil, old.ProviderType, old.ProviderID))]--
	w.provClaims[string(providerCountKey(nil, c.ProviderType, c.ProviderID))]++
	olds := claimEntries(&old, nil)
	news := claimEntries(c, nil)
	keep := make(map[string]struct{}, len(news))
	for _, e := range news {
		keep[string(e.key)] = struct{}{}
	}
	for _, e := range olds {
		if _, ok := keep[string(e.key)]; !ok {
			if err := w.del(e.key); err != nil {
				return err
			}
		}
	}
	for _, e := range news {
		if err := w.set(e.key, e.val); err != nil {
			return err
		}
	}
	oldTerm := terminalID(&old)
	if oldTerm != "" && oldTerm != newTerm {
		k := adjKey(nil, graph.TypeTerminal, oldTerm, graph.TypeClaim, c.ID)
		if err := w.del(k); err != nil {
			return err
		}
		w.derivedChange(graph.TypeTerminal, oldTerm, k, false)
	}
	if newTerm != "" {
		k := adjKey(nil, graph.TypeTerminal, newTerm, graph.TypeClaim, c.ID)
		if err := w.set(k, adjValue(c)); err != nil {
			return err
		}
		if oldTerm != newTerm {
			w.derivedChange(graph.TypeTerminal, newTerm, k, true)
		}
	}
	return w.setRecord(key, encodeClaim(nil, c))
}

func (s *Store) applyBatch(ops []op, bytes int) error {
	b := s.db.NewBatchWithSize(bytes + 16*len(ops))
	defer b.Close()
	for _, o := range ops {
		var err error
		if o.del {
			err = b.Delete(o.key, nil)
		} else {
			err = b.Set(o.key, o.val, nil)
		}
		if err != nil {
			return fmt.Errorf("embedded: batch: %w", err)
		}
	}
	wo := pebble.Sync
	if s.bulk {
		wo = pebble.NoSync
	}
	if err := s.db.Apply(b, wo); err != nil {
		return fmt.Errorf("embedded: commit batch: %w", err)
	}
	return nil
}

// commit resolves derived-node existence, writes the counters into the batch, commits it with
// Sync and only then publishes the new counters, so readers never see counts of a batch that
// failed.
func (w *writeTxn) commit() error {
	type flip struct {
		prefix string
		exists bool
	}
	var flips []flip
	if len(w.derived) > 0 {
		// One iterator, re-bounded per node and walked in key order: a batch of new patients
		// brings thousands of new phones and addresses, and a fresh iterator per check would
		// rebuild the LSM's iterator stack each time.
		prefixes := make([]string, 0, len(w.derived))
		for p := range w.derived {
			prefixes = append(prefixes, p)
		}
		slices.Sort(prefixes)
		it, err := w.s.db.NewIter(nil)
		if err != nil {
			return fmt.Errorf("embedded: iterate: %w", err)
		}
		defer it.Close()
		exists := func(prefix string, skip map[string]struct{}) (bool, error) {
			it.SetBounds([]byte(prefix), prefixEnd([]byte(prefix)))
			for ok := it.First(); ok; ok = it.Next() {
				if _, skipped := skip[string(it.Key())]; !skipped {
					return true, nil
				}
			}
			return false, it.Error()
		}
		for _, prefix := range prefixes {
			d := w.derived[prefix]
			_, before := w.s.known[prefix]
			// certainlyAbsent: no committed key under prefix, so neither lookup is needed.
			certainlyAbsent := !before && !w.s.derivedFilter.mayContain(prefix)
			if !before && !certainlyAbsent {
				if before, err = exists(prefix, nil); err != nil {
					return err
				}
			}
			after := len(d.added) > 0
			if !after && !certainlyAbsent {
				if after, err = exists(prefix, d.removed); err != nil {
					return err
				}
			}
			switch {
			case after && !before:
				w.nodes[typeCode(d.typ)]++
			case before && !after:
				w.nodes[typeCode(d.typ)]--
			}
			flips = append(flips, flip{prefix, after})
		}
	}
	// Per-provider claim counters: a batch touches at most a few thousand providers, each
	// read once here (the writer holds wmu, so the committed value cannot change under it),
	// from the writer's cache of committed values when it has them.
	type provCount struct {
		key string
		n   int64
	}
	provs := make([]provCount, 0, len(w.provClaims))
	for k, d := range w.provClaims {
		if d == 0 {
			continue
		}
		n, ok := w.s.provCounts[k]
		if !ok {
			var err error
			if n, err = w.s.getInt([]byte(k)); err != nil {
				return err
			}
		}
		if err := w.set([]byte(k), binary.BigEndian.AppendUint64(nil, uint64(n+d))); err != nil {
			return err
		}
		provs = append(provs, provCount{k, n + d})
	}
	w.s.cmu.RLock()
	nodes, rels := w.s.nodes, w.s.rels
	w.s.cmu.RUnlock()
	for i := range nodes {
		if w.nodes[i] != 0 {
			nodes[i] += w.nodes[i]
			if err := w.set([]byte{tabCount, 'n', byte(i)}, binary.BigEndian.AppendUint64(nil, uint64(nodes[i]))); err != nil {
				return err
			}
		}
	}
	for i := range graph.RelTypes {
		if w.rels[i] != 0 {
			rels[i] += w.rels[i]
			if err := w.set(relCountKey(i), binary.BigEndian.AppendUint64(nil, uint64(rels[i]))); err != nil {
				return err
			}
		}
	}
	if len(w.ops) == 0 {
		return nil
	}
	// pdqsort with the position as tie-break: a stable merge sort costs three times as much.
	slices.SortFunc(w.ops, func(a, b op) int {
		if c := bytes.Compare(a.key, b.key); c != 0 {
			return c
		}
		return int(a.seq - b.seq)
	})
	if err := w.s.applyBatch(w.ops, len(w.arena)); err != nil {
		return err
	}
	for _, id := range w.newClaims {
		w.s.claimFilter.add(id)
	}
	for _, k := range w.newPatients {
		w.s.patientFilter.add(k)
	}
	if len(w.s.provCounts)+len(provs) > maxProvCounts {
		clear(w.s.provCounts)
	}
	for _, p := range provs {
		w.s.provCounts[p.key] = p.n
	}
	for _, f := range flips {
		if f.exists {
			w.s.derivedFilter.add(f.prefix)
		}
	}
	w.s.cmu.Lock()
	w.s.nodes, w.s.rels = nodes, rels
	w.s.cmu.Unlock()
	if len(w.s.known)+len(flips) > maxKnown {
		clear(w.s.known)
	}
	for _, f := range flips {
		if f.exists {
			w.s.known[f.prefix] = struct{}{}
		} else {
			delete(w.s.known, f.prefix)
		}
	}
	return nil
}
