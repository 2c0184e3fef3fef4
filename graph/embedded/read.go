package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

func notFound(ref graph.Ref) error {
	// The id is deliberately not in the message: ids are personal data (ID numbers).
	return graph.Errorf(graph.ENOTFOUND, "未找到%s / %s not found", typeZH(ref.Type), ref.Type)
}

func typeZH(t graph.EntityType) string {
	switch t {
	case graph.TypePatient:
		return "参保人员"
	case graph.TypeDoctor:
		return "医师"
	case graph.TypeInstitution:
		return "定点医疗机构"
	case graph.TypePharmacy:
		return "定点零售药店"
	case graph.TypeClaim:
		return "结算单"
	case graph.TypePhone:
		return "电话"
	case graph.TypeAddress:
		return "地址"
	case graph.TypeTerminal:
		return "终端"
	}
	return "实体"
}

func isDerived(t graph.EntityType) bool {
	return t == graph.TypePhone || t == graph.TypeAddress || t == graph.TypeTerminal
}

// node reads one node with its properties; found is false when it does not exist.
func (s *Store) node(ref graph.Ref) (graph.Node, bool, error) {
	if isDerived(ref.Type) {
		ok, err := s.hasPrefix(adjPrefix(nil, ref.Type, ref.ID), nil)
		if err != nil || !ok {
			return graph.Node{}, false, err
		}
		return graph.Node{Ref: ref, Label: ref.ID}, true, nil
	}
	v, ok, err := s.get(nodeKey(nil, ref.Type, ref.ID))
	if err != nil || !ok {
		return graph.Node{}, false, err
	}
	n, err := decodeNode(ref, v)
	if err != nil {
		return graph.Node{}, false, fmt.Errorf("embedded: %s record: %w", ref.Type, err)
	}
	return n, true, nil
}

// Node returns the node with its properties, or ENOTFOUND.
func (s *Store) Node(ctx context.Context, ref graph.Ref) (graph.Node, error) {
	if !ref.Type.Valid() {
		return graph.Node{}, graph.FieldErrorf("type", "未知的实体类型 / unknown entity type")
	}
	done, err := s.enter(ctx)
	if err != nil {
		return graph.Node{}, err
	}
	defer done()
	n, ok, err := s.node(ref)
	if err != nil {
		return graph.Node{}, err
	}
	if !ok {
		return graph.Node{}, notFound(ref)
	}
	return n, nil
}

// Patient returns the patient with the given id, or ENOTFOUND.
func (s *Store) Patient(ctx context.Context, id string) (graph.Patient, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return graph.Patient{}, err
	}
	defer done()
	v, ok, err := s.get(nodeKey(nil, graph.TypePatient, id))
	if err != nil {
		return graph.Patient{}, err
	}
	if !ok {
		return graph.Patient{}, notFound(graph.Ref{Type: graph.TypePatient})
	}
	p, err := decodePatient(id, v)
	if err != nil {
		return graph.Patient{}, fmt.Errorf("embedded: patient record: %w", err)
	}
	return p, nil
}

// Claim returns the claim with the given id, or ENOTFOUND.
func (s *Store) Claim(ctx context.Context, id string) (graph.Claim, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return graph.Claim{}, err
	}
	defer done()
	c, ok, err := s.claim(id)
	if err != nil {
		return graph.Claim{}, err
	}
	if !ok {
		return graph.Claim{}, notFound(graph.Ref{Type: graph.TypeClaim})
	}
	return c, nil
}

func (s *Store) claim(id string) (graph.Claim, bool, error) {
	v, ok, err := s.get(nodeKey(nil, graph.TypeClaim, id))
	if err != nil || !ok {
		return graph.Claim{}, false, err
	}
	c, err := decodeClaim(id, v)
	if err != nil {
		return graph.Claim{}, false, fmt.Errorf("embedded: claim record: %w", err)
	}
	return c, true, nil
}

// exists reports whether a node exists without decoding it.
func (s *Store) exists(ref graph.Ref) (bool, error) {
	if !ref.Type.Valid() {
		return false, nil
	}
	if isDerived(ref.Type) {
		return s.hasPrefix(adjPrefix(nil, ref.Type, ref.ID), nil)
	}
	_, closer, err := s.db.Get(nodeKey(nil, ref.Type, ref.ID))
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("embedded: get: %w", err)
	}
	closer.Close()
	return true, nil
}

// Exists reports, in input order, which refs exist; unknown types are reported absent.
func (s *Store) Exists(ctx context.Context, refs []graph.Ref) ([]bool, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	out := make([]bool, len(refs))
	for i, r := range refs {
		if out[i], err = s.exists(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxCaseVariants bounds the case variants of a search prefix: the first 10 Latin letters are
// expanded (1024 range scans at most), later ones are checked on the candidates instead.
const maxCaseLetters = 10

// caseVariants returns the byte prefixes to scan for a case-insensitive (ASCII) prefix match:
// every upper/lower combination of the first maxCaseLetters letters, cut before the next letter.
func caseVariants(prefix string) []string {
	cut, letters := len(prefix), 0
	for i := 0; i < len(prefix); i++ {
		if isASCIILetter(prefix[i]) {
			if letters == maxCaseLetters {
				cut = i
				break
			}
			letters++
		}
	}
	base := []byte(prefix[:cut])
	out := []string{string(base)}
	for i, c := range base {
		if !isASCIILetter(c) {
			continue
		}
		n := len(out)
		for j := 0; j < n; j++ {
			b := []byte(out[j])
			b[i] = c ^ 0x20
			out = append(out, string(b))
		}
	}
	return out
}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case only.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := s[i], prefix[i]
		if a != b && !(isASCIILetter(a) && a^0x20 == b) {
			return false
		}
	}
	return true
}

// searchScanCap bounds the name-index entries one Search reads per type. A one-character
// surname prefix can match a tenth of a province; the cap keeps such a query under ~100 ms and
// the result is then the lowest ids among the first matches by name.
const searchScanCap = 200_000

// Search returns at most limit parties whose id or name starts with prefix, ordered by type then
// id. Ids come from range scans of the node records (already in id order); names from the name
// index, whose matches are sorted by id before the cut.
func (s *Store) Search(ctx context.Context, prefix string, types []graph.EntityType, limit int) ([]graph.Node, error) {
	if limit < 1 {
		return nil, graph.FieldErrorf("limit", "limit 必须大于 0 / limit must be at least 1")
	}
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	var want []graph.EntityType
	for _, t := range []graph.EntityType{graph.TypeDoctor, graph.TypeInstitution, graph.TypePatient, graph.TypePharmacy} {
		if len(types) == 0 || slices.Contains(types, t) {
			want = append(want, t)
		}
	}
	variants := caseVariants(prefix)
	out := []graph.Node{}
	for _, t := range want {
		if len(out) >= limit {
			break
		}
		ids, err := s.searchType(ctx, t, prefix, variants, limit-len(out))
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			n, ok, err := s.node(graph.Ref{Type: t, ID: id})
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

func (s *Store) searchType(ctx context.Context, t graph.EntityType, prefix string, variants []string, limit int) ([]string, error) {
	var ids []string
	// Ids: each variant range is in id order; the first limit of each suffice.
	for _, v := range variants {
		it, err := s.iter(nodeKey(nil, t, v))
		if err != nil {
			return nil, err
		}
		n := 0
		for ok := it.First(); ok && n < limit; ok = it.Next() {
			id := string(it.Key()[2:])
			if hasPrefixFold(id, prefix) {
				ids = append(ids, id)
				n++
			}
		}
		if err := closeIter(it); err != nil {
			return nil, err
		}
	}
	// Names: every match must be read, since the index is in name order, not id order.
	if prefix != "" {
		scanned := 0
		for _, v := range variants {
			it, err := s.iter(nameKey(nil, t, v, "")[:2+len(v)])
			if err != nil {
				return nil, err
			}
			for ok := it.First(); ok && scanned < searchScanCap; ok = it.Next() {
				scanned++
				k := it.Key()[2:]
				z := bytes.IndexByte(k, 0)
				if z < 0 || !hasPrefixFold(string(k[:z]), prefix) {
					continue
				}
				ids = append(ids, string(k[z+1:]))
			}
			if err := closeIter(it); err != nil {
				return nil, err
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

func closeIter(it interface{ Close() error }) error {
	if err := it.Close(); err != nil {
		return fmt.Errorf("embedded: iterate: %w", err)
	}
	return nil
}

// Claims returns the page of the party's claims selected by q, ordered by start time then id,
// with the total matching q. Providers read their time index from q.From; patients and doctors
// sort their adjacency entries (which carry start time and claim type) in memory: a patient has
// tens of claims and a busy doctor tens of thousands a year, and a time index for doctors would
// cost one more key per claim on every load.
func (s *Store) Claims(ctx context.Context, q graph.ClaimQuery) ([]graph.Claim, int, error) {
	if !q.Party.Type.IsParty() {
		return nil, 0, graph.FieldErrorf("party.type", "只能查询参保人员、医师、医疗机构或药店的结算单 / claims belong to a patient, doctor, institution or pharmacy")
	}
	if q.Offset < 0 {
		return nil, 0, graph.FieldErrorf("offset", "offset 不能为负 / offset must not be negative")
	}
	if q.Limit < 0 {
		return nil, 0, graph.FieldErrorf("limit", "limit 不能为负 / limit must not be negative")
	}
	done, err := s.enter(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	ok, err := s.exists(q.Party)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, notFound(q.Party)
	}
	match := func(typ []byte) bool {
		if len(q.Types) == 0 {
			return true
		}
		for _, t := range q.Types {
			if string(t) == string(typ) {
				return true
			}
		}
		return false
	}
	var page []string
	total := 0
	// take counts a match and keeps its id when it falls on the page; the id is converted to
	// a string only then, since a hub's total may count millions of entries.
	take := func(id []byte) {
		if total >= q.Offset && (q.Limit == 0 || len(page) < q.Limit) {
			page = append(page, string(id))
		}
		total++
	}
	if q.Party.Type == graph.TypePatient || q.Party.Type == graph.TypeDoctor {
		type entry struct {
			start []byte
			id    string
		}
		var es []entry
		prefix := adjKey(nil, q.Party.Type, q.Party.ID, graph.TypeClaim, "")
		prefix = prefix[:len(prefix)-1]
		it, err := s.iter(prefix)
		if err != nil {
			return nil, 0, err
		}
		var from, to []byte
		if !q.From.IsZero() {
			from = timeBytes(nil, q.From)
		}
		if !q.To.IsZero() {
			to = timeBytes(nil, q.To)
		}
		for ok := it.First(); ok; ok = it.Next() {
			v := it.Value()
			if len(v) < 8 || (from != nil && bytes.Compare(v[:8], from) < 0) || (to != nil && bytes.Compare(v[:8], to) >= 0) || !match(v[8:]) {
				continue
			}
			k := it.Key()
			es = append(es, entry{append([]byte(nil), v[:8]...), string(k[len(prefix) : len(k)-1])})
		}
		if err := closeIter(it); err != nil {
			return nil, 0, err
		}
		slices.SortFunc(es, func(a, b entry) int {
			if c := bytes.Compare(a.start, b.start); c != 0 {
				return c
			}
			return strings.Compare(a.id, b.id)
		})
		for _, e := range es {
			take([]byte(e.id))
		}
	} else {
		prefix := timePrefix(nil, q.Party.Type, q.Party.ID)
		lo, hi := prefix, prefixEnd(prefix)
		if !q.From.IsZero() {
			lo = timeBytes(append([]byte(nil), prefix...), q.From)
		}
		if !q.To.IsZero() {
			hi = timeBytes(append([]byte(nil), prefix...), q.To)
		}
		// Unfiltered (the workbench's first view of a provider): the total is the provider's
		// claim counter, so only Offset+Limit index keys are read, not a hub's millions.
		counted := q.From.IsZero() && q.To.IsZero() && len(q.Types) == 0 && q.Limit > 0
		if counted {
			n, err := s.getInt(providerCountKey(nil, q.Party.Type, q.Party.ID))
			if err != nil {
				return nil, 0, err
			}
			total = int(n)
		}
		it, err := s.db.NewIter(iterBounds(lo, hi))
		if err != nil {
			return nil, 0, fmt.Errorf("embedded: iterate: %w", err)
		}
		n := 0
		for ok := it.First(); ok; ok = it.Next() {
			if counted {
				if n >= q.Offset+q.Limit {
					break
				}
				if n >= q.Offset {
					page = append(page, string(it.Key()[len(prefix)+8:]))
				}
				n++
				continue
			}
			if !match(it.Value()) {
				continue
			}
			take(it.Key()[len(prefix)+8:])
			if n++; n%4096 == 0 && ctx.Err() != nil {
				break
			}
		}
		if err := closeIter(it); err != nil {
			return nil, 0, err
		}
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
	}
	out, err := s.claimsByID(page)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// claimsByID reads the claim records of ids, in the order of ids, skipping ids with no record.
// A few are point reads; more are read through one iterator seeking forward over the sorted
// ids, which spares each read the set-up and tear-down of a pebble Get (a level iterator per
// level): a patient's or a ring member's few dozen claims cost about a third as much.
func (s *Store) claimsByID(ids []string) ([]graph.Claim, error) {
	out := make([]graph.Claim, 0, len(ids))
	if len(ids) <= 4 {
		for _, id := range ids {
			c, ok, err := s.claim(id)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, c)
			}
		}
		return out, nil
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ids[a], ids[b]) })
	lo := nodeKey(nil, graph.TypeClaim, "")
	it, err := s.db.NewIter(iterBounds(lo, prefixEnd(lo)))
	if err != nil {
		return nil, fmt.Errorf("embedded: iterate: %w", err)
	}
	found := make([]graph.Claim, len(ids))
	have := make([]bool, len(ids))
	var key []byte
	for _, i := range order {
		key = nodeKey(key[:0], graph.TypeClaim, ids[i])
		if !it.SeekGE(key) || !bytes.Equal(it.Key(), key) {
			continue
		}
		v, err := it.ValueAndErr()
		if err != nil {
			_ = it.Close()
			return nil, fmt.Errorf("embedded: claim record: %w", err)
		}
		c, err := decodeClaim(ids[i], v)
		if err != nil {
			_ = it.Close()
			return nil, fmt.Errorf("embedded: claim record: %w", err)
		}
		found[i], have[i] = c, true
	}
	if err := closeIter(it); err != nil {
		return nil, err
	}
	for i := range ids {
		if have[i] {
			out = append(out, found[i])
		}
	}
	return out, nil
}

// ClaimItems returns the items of one claim ordered by Seq, or ENOTFOUND for a missing claim.
func (s *Store) ClaimItems(ctx context.Context, claimID string) ([]graph.ClaimItem, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	ok, err := s.exists(graph.Ref{Type: graph.TypeClaim, ID: claimID})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound(graph.Ref{Type: graph.TypeClaim})
	}
	it, err := s.iter(itemPrefix(nil, claimID))
	if err != nil {
		return nil, err
	}
	out := []graph.ClaimItem{}
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		item, err := decodeItem(claimID, int(binary.BigEndian.Uint32(k[len(k)-4:])), it.Value())
		if err != nil {
			_ = it.Close()
			return nil, fmt.Errorf("embedded: claim item record: %w", err)
		}
		out = append(out, item)
	}
	return out, closeIter(it)
}

// scan calls fn for every record under prefix in key order, stopping at the first error.
// Pebble iterators read a consistent snapshot and hold only the current block in memory, so a
// scan streams the whole table once without materialising it.
func (s *Store) scan(ctx context.Context, prefix []byte, fn func(key, val []byte) error) error {
	done, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer done()
	it, err := s.iter(prefix)
	if err != nil {
		return err
	}
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				_ = it.Close()
				return err
			}
		}
		if err := fn(it.Key(), it.Value()); err != nil {
			_ = it.Close()
			return err
		}
	}
	return closeIter(it)
}

// scanNodes calls fn for every node of type t in id order. The store is read and the records
// decoded on a goroutine of their own, handed over in batches, so that on a full scan reading
// and decoding (about half of the cost) overlap with what fn does with the records; fn runs on
// the caller's goroutine, one record after another, as before.
func scanNodes[T any](s *Store, ctx context.Context, t graph.EntityType, decode func(string, []byte) (T, error), fn func(T) error) error {
	const batch = 512
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full := make(chan []T, 8)
	empty := make(chan []T, 10)
	scanned := make(chan error, 1)
	go func() {
		defer close(full)
		buf := make([]T, 0, batch)
		send := func() error {
			select {
			case full <- buf:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case buf = <-empty:
				buf = buf[:0]
			default:
				buf = make([]T, 0, batch)
			}
			return nil
		}
		err := s.scan(ctx, nodeKey(nil, t, ""), func(k, v []byte) error {
			x, err := decode(string(k[2:]), v)
			if err != nil {
				return fmt.Errorf("embedded: %s record: %w", t, err)
			}
			if buf = append(buf, x); len(buf) == batch {
				return send()
			}
			return nil
		})
		if err == nil && len(buf) > 0 {
			err = send()
		}
		scanned <- err
	}()
	var fnErr error
	for b := range full {
		for i := 0; i < len(b) && fnErr == nil; i++ {
			if fnErr = fn(b[i]); fnErr != nil {
				cancel() // stop the reader; the loop drains what it already sent
			}
		}
		select {
		case empty <- b:
		default:
		}
	}
	err := <-scanned
	if fnErr != nil {
		return fnErr
	}
	return err
}

// ScanPatients calls fn for every patient in id order.
func (s *Store) ScanPatients(ctx context.Context, fn func(graph.Patient) error) error {
	return scanNodes(s, ctx, graph.TypePatient, decodePatient, fn)
}

// ScanInstitutions calls fn for every institution in id order.
func (s *Store) ScanInstitutions(ctx context.Context, fn func(graph.Institution) error) error {
	return scanNodes(s, ctx, graph.TypeInstitution, decodeInstitution, fn)
}

// ScanPharmacies calls fn for every pharmacy in id order.
func (s *Store) ScanPharmacies(ctx context.Context, fn func(graph.Pharmacy) error) error {
	return scanNodes(s, ctx, graph.TypePharmacy, decodePharmacy, fn)
}

// ScanDoctors calls fn for every doctor in id order.
func (s *Store) ScanDoctors(ctx context.Context, fn func(graph.Doctor) error) error {
	return scanNodes(s, ctx, graph.TypeDoctor, decodeDoctor, fn)
}

// ScanClaims calls fn for every claim in id order.
func (s *Store) ScanClaims(ctx context.Context, fn func(graph.Claim) error) error {
	return scanNodes(s, ctx, graph.TypeClaim, decodeClaim, fn)
}

// ScanClaimItems calls fn for every claim item in claim id, then Seq order.
func (s *Store) ScanClaimItems(ctx context.Context, fn func(graph.ClaimItem) error) error {
	return s.scan(ctx, []byte{tabItem}, func(k, v []byte) error {
		z := bytes.IndexByte(k, 0)
		if z < 0 || len(k) != z+5 {
			return fmt.Errorf("embedded: claim item key: %w", errCorrupt)
		}
		it, err := decodeItem(string(k[1:z]), int(binary.BigEndian.Uint32(k[z+1:])), v)
		if err != nil {
			return fmt.Errorf("embedded: claim item record: %w", err)
		}
		return fn(it)
	})
}
