package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/ringtrace/ringtrace/graph"
)

// Dir is a claims export read in place: it implements graph.Scanner by streaming the CSV files,
// so that detection can run on a directory without loading it into a store. Rows that Load would
// reject are skipped (the same rules: conversion errors, unknown references, conflicting
// duplicates — the first occurrence of an id wins, as in Load). Dir cannot see parties loaded
// earlier into a store: every reference must resolve inside the directory.
//
// Records are delivered in id order, as graph.Scanner requires. Exports are usually written in
// id order; Dir checks this on a first pass that also builds the id set other files' references
// are checked against, and then streams the file a second time. Only a file that is not in id
// order is held in memory once (its converted rows) to be sorted. A Dir is safe for concurrent use.
type Dir struct {
	dir     string
	mapping *Mapping
	paths   [numKinds]string

	seeds [2]maphash.Seed // for idKey

	mu  sync.Mutex
	idx [numKinds]*dirIndex
}

// idKey returns the 128-bit hash of an id. Id sets are keyed by it rather than by the string so
// that ten million claim ids cost no allocation each and nothing for the garbage collector to
// scan (see docs/decisions/ingest.md); a collision among 10 million ids has probability ≈ 10⁻²⁵.
func (d *Dir) idKey(id string) claimKey {
	return claimKey{maphash.String(d.seeds[0], id), maphash.String(d.seeds[1], id)}
}

// dirIndex is what the first pass over one file learns.
type dirIndex struct {
	ids    map[claimKey]struct{} // hashed ids of accepted rows (unused for items)
	sorted bool                  // valid rows' ids are non-decreasing in file order
}

var _ graph.Scanner = (*Dir)(nil)

// OpenDir checks the export in dir against the input contract (required files and columns,
// as Load does before writing anything) and returns a Dir that streams it.
func OpenDir(dir string) (*Dir, error) { return OpenDirWith(dir, nil) }

// OpenDirWith is OpenDir with a user header mapping.
func OpenDirWith(dir string, m *Mapping) (*Dir, error) {
	files, err := openAll(dir, m)
	if err != nil {
		return nil, err
	}
	d := &Dir{dir: dir, mapping: m, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	for k, f := range files {
		if f != nil {
			d.paths[k] = f.path
		}
	}
	closeAll(files)
	return d, nil
}

// scanRows opens the file of kind k and calls fn for every record.
func (d *Dir) scanRows(ctx context.Context, k fileKind, fn func(lay *layout, rec *record) error) error {
	if d.paths[k] == "" {
		return nil // optional file absent: no records
	}
	f, err := openCSV(d.paths[k], specs[k], d.mapping)
	if err != nil {
		return err
	}
	defer f.Close()
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := f.rr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s line %d: %w", f.name, f.rr.line, err)
		}
		if err := fn(f.lay, rec); err != nil {
			return err
		}
	}
}

// kindScan describes how to read one file kind: convert a record, check its references against
// the indexes of the files it depends on.
type kindScan[T any] struct {
	kind    fileKind
	deps    []fileKind
	convert func(lay *layout, rec *record) (T, *rowError)
	id      func(*T) string
	refs    func(d *Dir, v *T) bool // reports whether the references resolve (may fill derived fields)
	dedupe  bool                    // ids are unique: only the first row of an id is delivered
}

// index returns the first-pass index of kind k, building it (and its dependencies) once.
func (d *Dir) index(ctx context.Context, k fileKind) (*dirIndex, error) {
	d.mu.Lock()
	if ix := d.idx[k]; ix != nil {
		d.mu.Unlock()
		return ix, nil
	}
	d.mu.Unlock()
	var ix *dirIndex
	var err error
	switch k {
	case kindPatients:
		ix, err = buildIndex(ctx, d, patientScan)
	case kindInstitutions:
		ix, err = buildIndex(ctx, d, institutionScan)
	case kindPharmacies:
		ix, err = buildIndex(ctx, d, pharmacyScan)
	case kindDoctors:
		ix, err = buildIndex(ctx, d, doctorScan)
	case kindClaims:
		ix, err = buildIndex(ctx, d, claimScan)
	case kindItems:
		ix, err = buildIndex(ctx, d, itemScan)
	}
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.idx[k] == nil {
		d.idx[k] = ix
	}
	return d.idx[k], nil
}

func (d *Dir) has(k fileKind, id string) bool {
	d.mu.Lock()
	ix := d.idx[k]
	d.mu.Unlock()
	if ix == nil {
		return false
	}
	_, ok := ix.ids[d.idKey(id)]
	return ok
}

func buildIndex[T any](ctx context.Context, d *Dir, s kindScan[T]) (*dirIndex, error) {
	for _, dep := range s.deps {
		if _, err := d.index(ctx, dep); err != nil {
			return nil, err
		}
	}
	ix := &dirIndex{sorted: true, ids: map[claimKey]struct{}{}}
	prev, first := "", true
	err := d.scanRows(ctx, s.kind, func(lay *layout, rec *record) error {
		v, e := s.convert(lay, rec)
		if e != nil || !s.refs(d, &v) {
			return nil
		}
		id := s.id(&v)
		if !first && id < prev {
			ix.sorted = false
		}
		first = false
		if prev != id {
			prev = strings.Clone(id)
		}
		if s.dedupe {
			// The first occurrence of an id is accepted; later ones (identical or not) are
			// skipped, as Load counts or rejects them.
			ix.ids[d.idKey(id)] = struct{}{}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// scan delivers the accepted rows of one kind in id order.
func scan[T any](ctx context.Context, d *Dir, s kindScan[T], fn func(T) error) error {
	ix, err := d.index(ctx, s.kind)
	if err != nil {
		return err
	}
	if ix.sorted {
		// Duplicates are adjacent: keep the first of each run.
		prev, havePrev := "", false
		return d.scanRows(ctx, s.kind, func(lay *layout, rec *record) error {
			v, e := s.convert(lay, rec)
			if e != nil || !s.refs(d, &v) {
				return nil
			}
			id := s.id(&v)
			if s.dedupe && havePrev && id == prev {
				return nil
			}
			prev, havePrev = id, true
			return fn(v)
		})
	}
	if done, err := scanByOffset(ctx, d, s, fn); done || err != nil {
		return err
	}
	// Not UTF-8: offsets in the decoded stream are not file offsets, so the converted rows are
	// held in memory once and sorted.
	var rows []T
	seen := map[claimKey]bool{}
	err = d.scanRows(ctx, s.kind, func(lay *layout, rec *record) error {
		v, e := s.convert(lay, rec)
		if e != nil || !s.refs(d, &v) {
			return nil
		}
		if s.dedupe {
			k := d.idKey(s.id(&v))
			if seen[k] {
				return nil
			}
			seen[k] = true
		}
		rows = append(rows, v)
		return nil
	})
	if err != nil {
		return err
	}
	seen = nil
	slices.SortStableFunc(rows, func(a, b T) int { return strings.Compare(s.id(&a), s.id(&b)) })
	for _, v := range rows {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// The scans of each file kind. Identical and conflicting duplicates are both skipped after the
// first occurrence, exactly the rows Load counts as duplicates or rejects.
var (
	patientScan = kindScan[graph.Patient]{kind: kindPatients,
		convert: func(l *layout, r *record) (graph.Patient, *rowError) { return l.parsePatient(r) },
		id:      func(v *graph.Patient) string { return v.ID },
		refs:    func(*Dir, *graph.Patient) bool { return true },
		dedupe:  true}
	institutionScan = kindScan[graph.Institution]{kind: kindInstitutions,
		convert: func(l *layout, r *record) (graph.Institution, *rowError) { return l.parseInstitution(r) },
		id:      func(v *graph.Institution) string { return v.ID },
		refs:    func(*Dir, *graph.Institution) bool { return true },
		dedupe:  true}
	pharmacyScan = kindScan[graph.Pharmacy]{kind: kindPharmacies,
		convert: func(l *layout, r *record) (graph.Pharmacy, *rowError) { return l.parsePharmacy(r) },
		id:      func(v *graph.Pharmacy) string { return v.ID },
		refs:    func(*Dir, *graph.Pharmacy) bool { return true },
		dedupe:  true}
	doctorScan = kindScan[graph.Doctor]{kind: kindDoctors, deps: []fileKind{kindInstitutions},
		convert: func(l *layout, r *record) (graph.Doctor, *rowError) { return l.parseDoctor(r) },
		id:      func(v *graph.Doctor) string { return v.ID },
		refs: func(d *Dir, v *graph.Doctor) bool {
			return v.InstitutionID == "" || d.has(kindInstitutions, v.InstitutionID)
		},
		dedupe: true}
	claimScan = kindScan[graph.Claim]{kind: kindClaims, deps: []fileKind{kindPatients, kindInstitutions, kindPharmacies, kindDoctors},
		convert: func(l *layout, r *record) (graph.Claim, *rowError) { return l.parseClaim(r) },
		id:      func(v *graph.Claim) string { return v.ID },
		refs: func(d *Dir, c *graph.Claim) bool {
			if !d.has(kindPatients, c.PatientID) || (c.DoctorID != "" && !d.has(kindDoctors, c.DoctorID)) {
				return false
			}
			inst, ph := d.has(kindInstitutions, c.ProviderID), d.has(kindPharmacies, c.ProviderID)
			switch {
			case inst && !ph:
				c.ProviderType = graph.TypeInstitution
			case ph && !inst:
				c.ProviderType = graph.TypePharmacy
			default:
				return false
			}
			return true
		},
		dedupe: true}
	// Items have no id of their own: they are ordered by claim id, then by their order in the file
	// (their Seq), and never deduplicated.
	itemScan = kindScan[graph.ClaimItem]{kind: kindItems, deps: []fileKind{kindClaims},
		convert: func(l *layout, r *record) (graph.ClaimItem, *rowError) { return l.parseItem(r) },
		id:      func(v *graph.ClaimItem) string { return v.ClaimID },
		refs:    func(d *Dir, v *graph.ClaimItem) bool { return d.has(kindClaims, v.ClaimID) }}
)

// ScanPatients calls fn for each patient in id order.
func (d *Dir) ScanPatients(ctx context.Context, fn func(graph.Patient) error) error {
	return scan(ctx, d, patientScan, fn)
}

// ScanInstitutions calls fn for each institution in id order.
func (d *Dir) ScanInstitutions(ctx context.Context, fn func(graph.Institution) error) error {
	return scan(ctx, d, institutionScan, fn)
}

// ScanPharmacies calls fn for each pharmacy in id order.
func (d *Dir) ScanPharmacies(ctx context.Context, fn func(graph.Pharmacy) error) error {
	return scan(ctx, d, pharmacyScan, fn)
}

// ScanDoctors calls fn for each doctor whose institution (if any) is known, in id order.
func (d *Dir) ScanDoctors(ctx context.Context, fn func(graph.Doctor) error) error {
	return scan(ctx, d, doctorScan, fn)
}

// ScanClaims calls fn for each claim whose patient, provider and doctor are known, in id order,
// with ProviderType resolved.
func (d *Dir) ScanClaims(ctx context.Context, fn func(graph.Claim) error) error {
	return scan(ctx, d, claimScan, fn)
}

// ScanClaimItems calls fn for each item of a known claim, ordered by claim id then Seq (the
// item's ordinal within its claim in the file, as Load assigns it).
func (d *Dir) ScanClaimItems(ctx context.Context, fn func(graph.ClaimItem) error) error {
	// Every path of scan delivers items grouped by claim id with the file order kept inside a
	// group (sorted file, or a stable sort), so numbering as they come gives Load's Seq.
	cur, n := "", 0
	return scan(ctx, d, itemScan, func(it graph.ClaimItem) error {
		if it.ClaimID != cur {
			cur, n = it.ClaimID, 0
		}
		n++
		it.Seq = n
		return fn(it)
	})
}

// offEntry locates one accepted record of an unsorted UTF-8 file: its id in the arena and its
// bytes in the file. 24 bytes and no pointers per record, where holding the converted rows
// would cost hundreds of bytes each (11 GB for 10 million claims, measured).
type offEntry struct {
	idOff  uint64
	recOff int64
	idLen  uint32
	recLen uint32
}

// scanByOffset delivers an unsorted UTF-8 file in id order: a pass collects (id, offset, length)
// of every accepted record, a stable sort orders them by id (file order among equal ids, so the
// first occurrence wins and item numbering follows the file), and each record is re-read with
// ReadAt, split and converted again. It reports done=false, doing nothing, for other encodings.
func scanByOffset[T any](ctx context.Context, d *Dir, s kindScan[T], fn func(T) error) (bool, error) {
	f, err := openCSV(d.paths[s.kind], specs[s.kind], d.mapping)
	if err != nil {
		return true, err
	}
	defer f.Close()
	var shift int64
	switch f.encoding {
	case EncodingUTF8:
	case EncodingUTF8BOM:
		shift = 3
	default:
		return false, nil
	}
	var arena []byte
	var ents []offEntry
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return true, err
			}
		}
		rec, err := f.rr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return true, fmt.Errorf("%s line %d: %w", f.name, f.rr.line, err)
		}
		v, e := s.convert(f.lay, rec)
		if e != nil || !s.refs(d, &v) {
			continue
		}
		id := s.id(&v)
		ents = append(ents, offEntry{idOff: uint64(len(arena)), idLen: uint32(len(id)), recOff: rec.off + shift, recLen: uint32(rec.size)})
		arena = append(arena, id...)
	}
	idOf := func(e *offEntry) []byte { return arena[e.idOff : e.idOff+uint64(e.idLen)] }
	slices.SortStableFunc(ents, func(a, b offEntry) int { return bytes.Compare(idOf(&a), idOf(&b)) })
	var buf, out []byte
	var spans []span
	for i := range ents {
		if i&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return true, err
			}
		}
		e := &ents[i]
		if s.dedupe && i > 0 && bytes.Equal(idOf(e), idOf(&ents[i-1])) {
			continue
		}
		if cap(buf) < int(e.recLen) {
			buf = make([]byte, e.recLen)
		}
		b := buf[:e.recLen]
		if _, err := f.f.ReadAt(b, e.recOff); err != nil && !(errors.Is(err, io.EOF) && len(b) > 0) {
			return true, fmt.Errorf("%s: re-read record at offset %d: %w", f.name, e.recOff, err)
		}
		raw := recordBytes(b)
		var st splitStatus
		spans, out, st = splitRecord(spans, out, raw, f.delim)
		rec := record{spans: spans, text: string(out), raw: raw}
		if !utf8.Valid(out) {
			// The same per-record GB18030 fallback as the first pass.
			if dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw); err == nil {
				var sp []span
				var o []byte
				sp, o, st = splitRecord(nil, nil, dec, f.delim)
				rec = record{spans: sp, text: string(o), raw: dec}
			}
		}
		v, ce := s.convert(f.lay, &rec)
		if st != splitOK || ce != nil || !s.refs(d, &v) {
			return true, fmt.Errorf("%s: record at offset %d changed between passes (file modified during the scan?)", f.name, e.recOff)
		}
		if err := fn(v); err != nil {
			return true, err
		}
	}
	return true, nil
}
