package ingest

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Reason is the machine-readable cause of a rejected row, written to the rejects file.
type Reason string

// Reject reasons. docs/input.md lists them with examples.
const (
	ReasonFieldCount        Reason = "field_count"        // fewer fields than the header (a truncated row) or extra non-empty fields
	ReasonBadQuote          Reason = "bad_quote"          // a quoted field that never closes
	ReasonMissingValue      Reason = "missing_value"      // a required value is blank
	ReasonBadDate           Reason = "bad_date"           // a date or time that is not one of the accepted shapes or does not exist
	ReasonBadAmount         Reason = "bad_amount"         // an amount that is not a number
	ReasonNegativeAmount    Reason = "negative_amount"    // an amount or quantity below zero
	ReasonBadNumber         Reason = "bad_number"         // a quantity that is not a number
	ReasonBadValue          Reason = "bad_value"          // sex, claim type, ownership or category not in the accepted lists
	ReasonEndBeforeStart    Reason = "end_before_start"   // discharge before admission
	ReasonUnknownPatient    Reason = "unknown_patient"    // claim's patient is in neither this load nor the store
	ReasonUnknownProvider   Reason = "unknown_provider"   // claim's provider is no known institution or pharmacy
	ReasonAmbiguousProv     Reason = "ambiguous_provider" // the provider id is both an institution and a pharmacy
	ReasonUnknownDoctor     Reason = "unknown_doctor"     // claim's doctor is unknown
	ReasonUnknownInst       Reason = "unknown_institution"
	ReasonUnknownClaim      Reason = "unknown_claim"      // item's claim is unknown (or was itself rejected)
	ReasonDuplicateConflict Reason = "duplicate_conflict" // the id appeared earlier in this load with different content
)

// Reject is one row that was not loaded, with where it was and why.
type Reject struct {
	File   string // e.g. "claims.csv"
	Line   int    // 1-based physical line where the row starts; the header is line 1
	Column string // canonical column name, "" when the row as a whole is at fault
	Reason Reason
	Detail string // human-readable detail (English), never personal data beyond the raw row
	Raw    string // the row as read (decoded to UTF-8)
}

// rowError is a reject reason produced while converting one row.
type rowError struct {
	col    int // canonical column, -1 for the row
	reason Reason
	detail string
}

func rowErr(col int, r Reason, detail string) *rowError {
	return &rowError{col: col, reason: r, detail: detail}
}

// valueErr turns a parse error of column col into a rowError with its reason.
func valueErr(col int, v string, err error) *rowError {
	var r Reason
	switch {
	case errors.Is(err, errDate):
		r = ReasonBadDate
	case errors.Is(err, errNegative):
		r = ReasonNegativeAmount
	case errors.Is(err, errAmount):
		r = ReasonBadAmount
	case errors.Is(err, errNumber):
		r = ReasonBadNumber
	default:
		r = ReasonBadValue
	}
	return rowErr(col, r, fmt.Sprintf("%q: %v", clip(v, 40), err))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// checkShape rejects records that are broken, truncated or carry extra non-empty fields.
func (l *layout) checkShape(rec *record) *rowError {
	if rec.broken != "" {
		return rowErr(-1, ReasonBadQuote, rec.broken)
	}
	if n := len(rec.spans); n < l.fields {
		return rowErr(-1, ReasonFieldCount, fmt.Sprintf("row has %d fields, header has %d (truncated row?)", n, l.fields))
	}
	for i := l.fields; i < len(rec.spans); i++ {
		if rec.field(i) != "" {
			return rowErr(-1, ReasonFieldCount, fmt.Sprintf("row has %d fields, header has %d", len(rec.spans), l.fields))
		}
	}
	return nil
}

// required returns the value of a required column, or a missing_value error.
func (l *layout) required(rec *record, c int) (string, *rowError) {
	v := l.col(rec, c)
	if v == "" {
		return "", rowErr(c, ReasonMissingValue, "required value is blank")
	}
	return v, nil
}

func (l *layout) optTime(rec *record, c int) (time.Time, *rowError) {
	v := l.col(rec, c)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := parseTime(v)
	if err != nil {
		return time.Time{}, valueErr(c, v, err)
	}
	return t, nil
}

func (l *layout) optMoney(rec *record, c int) (graph.Money, *rowError) {
	v := l.col(rec, c)
	if v == "" {
		return 0, nil
	}
	m, err := parseMoney(v)
	if err != nil {
		return 0, valueErr(c, v, err)
	}
	return m, nil
}

func (l *layout) optEnum(rec *record, c int, parse func(string) (string, error)) (string, *rowError) {
	v := l.col(rec, c)
	out, err := parse(v)
	if err != nil {
		return "", valueErr(c, v, err)
	}
	return out, nil
}

// parsePatient converts one patients.csv record.
func (l *layout) parsePatient(rec *record) (graph.Patient, *rowError) {
	var p graph.Patient
	var e *rowError
	if e = l.checkShape(rec); e != nil {
		return p, e
	}
	if p.ID, e = l.required(rec, pID); e != nil {
		return p, e
	}
	p.Name, p.Region = l.col(rec, pName), l.col(rec, pRegion)
	p.Phone, p.Address = normalizePhone(l.col(rec, pPhone)), normalizeAddress(l.col(rec, pAddress))
	if p.Sex, e = l.optEnum(rec, pSex, parseSex); e != nil {
		return p, e
	}
	if p.BirthDate, e = l.optTime(rec, pBirth); e != nil {
		return p, e
	}
	if p.DeathDate, e = l.optTime(rec, pDeath); e != nil {
		return p, e
	}
	return p, nil
}

// parseInstitution converts one institutions.csv record.
func (l *layout) parseInstitution(rec *record) (graph.Institution, *rowError) {
	var in graph.Institution
	var e *rowError
	if e = l.checkShape(rec); e != nil {
		return in, e
	}
	if in.ID, e = l.required(rec, iID); e != nil {
		return in, e
	}
	in.Name, in.Level, in.Region = l.col(rec, iName), l.col(rec, iLevel), l.col(rec, iRegion)
	if in.Ownership, e = l.optEnum(rec, iOwnership, parseOwnership); e != nil {
		return in, e
	}
	return in, nil
}

// parsePharmacy converts one pharmacies.csv record.
func (l *layout) parsePharmacy(rec *record) (graph.Pharmacy, *rowError) {
	var ph graph.Pharmacy
	var e *rowError
	if e = l.checkShape(rec); e != nil {
		return ph, e
	}
	if ph.ID, e = l.required(rec, phID); e != nil {
		return ph, e
	}
	ph.Name, ph.Region = l.col(rec, phName), l.col(rec, phRegion)
	return ph, nil
}

// parseDoctor converts one doctors.csv record (the institution reference is checked later).
func (l *layout) parseDoctor(rec *record) (graph.Doctor, *rowError) {
	var d graph.Doctor
	var e *rowError
	if e = l.checkShape(rec); e != nil {
		return d, e
	}
	if d.ID, e = l.required(rec, dID); e != nil {
		return d, e
	}
	d.Name, d.InstitutionID, d.Department = l.col(rec, dName), l.col(rec, dInstitution), l.col(rec, dDepartment)
	return d, nil
}

// parseClaim converts one claims.csv record. ProviderType is left empty: it is resolved against
// the providers known to the load (resolveClaimRefs).
func (l *layout) parseClaim(rec *record) (graph.Claim, *rowError) {
	var c graph.Claim
	var e *rowError
	if e = l.checkShape(rec); e != nil {
		return c, e
	}
	if c.ID, e = l.required(rec, cID); e != nil {
		return c, e
	}
	if c.PatientID, e = l.required(rec, cPatient); e != nil {
		return c, e
	}
	if c.ProviderID, e = l.required(rec, cProvider); e != nil {
		return c, e
	}
	c.DoctorID = l.col(rec, cDoctor)
	v, e := l.required(rec, cType)
	if e != nil {
		return c, e
	}
	if c.Type, _ = parseClaimType(v); c.Type == "" {
		return c, valueErr(cType, v, errEnum)
	}
	if v, e = l.required(rec, cStart); e != nil {
		return c, e
	}
	t, err := parseTime(v)
	if err != nil {
		return c, valueErr(cStart, v, err)
	}
	c.Start = t
	if c.End, e = l.optTime(rec, cEnd); e != nil {
		return c, e
	}
	if !c.End.IsZero() && c.End.Before(c.Start) {
		return c, rowErr(cEnd, ReasonEndBeforeStart, "end_time is before start_time")
	}
	c.DiagnosisCode = l.col(rec, cDiagnosis)
	if c.TotalAmount, e = l.optMoney(rec, cTotal); e != nil {
		return c, e
	}
	if c.FundAmount, e = l.optMoney(rec, cFund); e != nil {
		return c, e
	}
	c.TerminalID = l.col(rec, cTerminal)
	return c, nil
}

// parseItem converts one claim_items.csv record; Seq is assigned by the caller.
func (l *layout) parseItem(rec *record) (graph.ClaimItem, *rowError) {
	var it graph.ClaimItem
	var e *rowError
	if e = l.checkShape(rec); e != nil {
		return it, e
	}
	if it.ClaimID, e = l.required(rec, tClaim); e != nil {
		return it, e
	}
	it.ItemCode, it.ItemName = l.col(rec, tCode), l.col(rec, tName)
	if it.Category, e = l.optEnum(rec, tCategory, parseCategory); e != nil {
		return it, e
	}
	if v := l.col(rec, tQuantity); v != "" {
		q, err := parseQuantity(v)
		if err != nil {
			return it, valueErr(tQuantity, v, err)
		}
		it.Quantity = q
	}
	if it.UnitPrice, e = l.optMoney(rec, tUnitPrice); e != nil {
		return it, e
	}
	if it.Amount, e = l.optMoney(rec, tAmount); e != nil {
		return it, e
	}
	return it, nil
}

// contentHasher fingerprints parsed values, so that a repeated id is told apart as an identical
// duplicate (harmless: exports overlap) or a conflict (the later row is rejected). Hashing the
// parsed values, not the raw text, makes "2024/3/5" and "2024-03-05" the same content.
type contentHasher struct {
	h maphash.Hash
}

func newContentHasher() *contentHasher {
	c := &contentHasher{}
	c.h.SetSeed(maphash.MakeSeed())
	return c
}

func (c *contentHasher) str(ss ...string) {
	for _, s := range ss {
		c.h.WriteString(s)
		c.h.WriteByte(0)
	}
}

func (c *contentHasher) num(vs ...int64) {
	var b [8]byte
	for _, v := range vs {
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
		c.h.Write(b[:])
	}
}

func (c *contentHasher) patient(p *graph.Patient) uint64 {
	c.h.Reset()
	c.str(p.ID, p.Name, p.Sex, p.Region, p.Phone, p.Address)
	c.num(timeKey(p.BirthDate), timeKey(p.DeathDate))
	return c.h.Sum64()
}

func (c *contentHasher) institution(in *graph.Institution) uint64 {
	c.h.Reset()
	c.str(in.ID, in.Name, in.Level, in.Ownership, in.Region)
	return c.h.Sum64()
}

func (c *contentHasher) pharmacy(p *graph.Pharmacy) uint64 {
	c.h.Reset()
	c.str(p.ID, p.Name, p.Region)
	return c.h.Sum64()
}

func (c *contentHasher) doctor(d *graph.Doctor) uint64 {
	c.h.Reset()
	c.str(d.ID, d.Name, d.InstitutionID, d.Department)
	return c.h.Sum64()
}

func (c *contentHasher) claim(cl *graph.Claim) uint64 {
	c.h.Reset()
	c.str(cl.ID, cl.PatientID, cl.ProviderID, cl.DoctorID, string(cl.Type), cl.DiagnosisCode, cl.TerminalID)
	c.num(timeKey(cl.Start), timeKey(cl.End), int64(cl.TotalAmount), int64(cl.FundAmount))
	return c.h.Sum64()
}

func timeKey(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}
