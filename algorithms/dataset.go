package algorithms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Provider kinds in the columnar arrays.
const (
	provInstitution uint8 = iota
	provPharmacy
)

// Ownership values: unknown is the thin-export case.
const (
	ownUnknown int8 = iota - 1
	ownPublic
	ownPrivate
)

// Claim type codes.
const (
	ctOutpatient uint8 = iota
	ctInpatient
	ctPharmacy
)

const secondsPerDay = 86400

// interner maps strings to dense int32 ids in first-seen order.
type interner struct {
	ids  map[string]int32
	strs []string
}

func newInterner() *interner { return &interner{ids: map[string]int32{}} }

// id returns s's id, adding it when new; "" is always -1 (absent).
func (in *interner) id(s string) int32 {
	if s == "" {
		return -1
	}
	if v, ok := in.ids[s]; ok {
		return v
	}
	v := int32(len(in.strs))
	in.ids[s] = v
	in.strs = append(in.strs, s)
	return v
}

// lookup returns s's id or -1 without adding it.
func (in *interner) lookup(s string) int32 {
	if v, ok := in.ids[s]; ok {
		return v
	}
	return -1
}

// dataset is the claims graph in compact columns: int32 ids through interning, local-time
// seconds, Money in fen. Ten million claims take about 60 bytes each.
type dataset struct {
	// patients
	pat       *interner
	patSex    []int8  // 0 unknown, 1 male, 2 female
	patBirth  []int32 // days since 1970-01-01 in local time, or noDate
	patDeath  []int32 // days, or noDate
	patRegion []int32 // interned region, -1 unknown
	patPhone  []int32 // interned normalised phone, -1 unknown
	patAddr   []int32 // interned normalised address, -1 unknown

	// providers: institutions and pharmacies share one id space
	prov       *interner
	provKind   []uint8
	provOwn    []int8
	provRegion []int32
	provLevel  []int32
	provKnown  []bool  // listed in the providers scan (not only referenced by claims)
	provFund   []int64 // fund money paid to the provider, fen (filled by index)

	// doctors
	doc     *interner
	docInst []int32

	regions *interner
	levels  *interner
	phones  *interner
	addrs   *interner
	diags   *interner
	terms   *interner

	// claims, in scan (id) order
	cPat   []int32
	cProv  []int32
	cDoc   []int32
	cType  []uint8
	cStart []int64 // local seconds (unix + zone offset)
	cEnd   []int64 // local seconds, 0 when absent
	cDiag  []int32
	cTotal []int64 // fen
	cFund  []int64 // fen
	cTerm  []int32

	// presence of optional columns, for Findings.Unavailable
	has struct {
		sex, birth, death, region, phone, addr, ownership, level, docInst, doctor, diag, term, pharmacy, inpatient, end, items bool
	}

	// patient → claims index (CSR), built by index()
	patOff    []int32
	patClaims []int32
}

const noDate = int32(-1 << 30)

func dayOf(t time.Time) int32 {
	if t.IsZero() {
		return noDate
	}
	_, off := t.Zone()
	return int32(floorDiv(t.Unix()+int64(off), secondsPerDay))
}

func localSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	_, off := t.Zone()
	return t.Unix() + int64(off)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func normKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// load streams the scanner once per record kind into a dataset. progress receives 0..1.
func load(ctx context.Context, src graph.Scanner, progress func(float64)) (*dataset, error) {
	d := &dataset{
		pat: newInterner(), prov: newInterner(), doc: newInterner(),
		regions: newInterner(), levels: newInterner(), phones: newInterner(), addrs: newInterner(),
		diags: newInterner(), terms: newInterner(),
	}
	err := src.ScanPatients(ctx, func(p graph.Patient) error {
		d.addPatient(p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan patients: %w", err)
	}
	progress(0.05)
	err = src.ScanInstitutions(ctx, func(in graph.Institution) error {
		i := d.provider(in.ID, provInstitution)
		d.provKnown[i] = true
		switch strings.ToLower(in.Ownership) {
		case "public", "公立":
			d.provOwn[i] = ownPublic
			d.has.ownership = true
		case "private", "民营":
			d.provOwn[i] = ownPrivate
			d.has.ownership = true
		}
		d.provRegion[i] = d.regions.id(in.Region)
		d.provLevel[i] = d.levels.id(in.Level)
		d.has.level = d.has.level || in.Level != ""
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan institutions: %w", err)
	}
	err = src.ScanPharmacies(ctx, func(ph graph.Pharmacy) error {
		i := d.provider(ph.ID, provPharmacy)
		d.provKnown[i] = true
		d.provRegion[i] = d.regions.id(ph.Region)
		// Retail pharmacies are privately run businesses almost everywhere; ownership is not
		// exported for them, so it stays unknown rather than guessed.
		d.has.pharmacy = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan pharmacies: %w", err)
	}
	err = src.ScanDoctors(ctx, func(doc graph.Doctor) error {
		i := d.doc.id(doc.ID)
		for int(i) >= len(d.docInst) {
			d.docInst = append(d.docInst, -1)
		}
		if doc.InstitutionID != "" {
			d.docInst[i] = d.provider(doc.InstitutionID, provInstitution)
			d.has.docInst = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan doctors: %w", err)
	}
	progress(0.1)
	n := 0
	err = src.ScanClaims(ctx, func(c graph.Claim) error {
		d.addClaim(c)
		n++
		if n%500000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			// Claim counts are not known in advance; approach 1 asymptotically.
			progress(0.1 + 0.85*(1-1/(1+float64(n)/2e6)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan claims: %w", err)
	}
	d.has.pharmacy = d.has.pharmacy || d.countKind(provPharmacy) > 0
	d.index()
	progress(1)
	return d, nil
}

func (d *dataset) addPatient(p graph.Patient) int32 {
	i := d.pat.id(p.ID)
	if int(i) < len(d.patSex) {
		return i
	}
	var sex int8
	switch strings.ToUpper(p.Sex) {
	case "M", "男", "MALE", "1":
		sex = 1
	case "F", "女", "FEMALE", "2":
		sex = 2
	}
	d.patSex = append(d.patSex, sex)
	d.patBirth = append(d.patBirth, dayOf(p.BirthDate))
	d.patDeath = append(d.patDeath, dayOf(p.DeathDate))
	d.patRegion = append(d.patRegion, d.regions.id(p.Region))
	d.patPhone = append(d.patPhone, d.phones.id(normKey(p.Phone)))
	d.patAddr = append(d.patAddr, d.addrs.id(normKey(p.Address)))
	d.has.sex = d.has.sex || sex != 0
	d.has.birth = d.has.birth || !p.BirthDate.IsZero()
	d.has.death = d.has.death || !p.DeathDate.IsZero()
	d.has.region = d.has.region || p.Region != ""
	d.has.phone = d.has.phone || p.Phone != ""
	d.has.addr = d.has.addr || p.Address != ""
	return i
}

// patient returns the id of a patient referenced by a claim, adding an attribute-less one when
// the patients scan did not list it.
func (d *dataset) patient(id string) int32 {
	if i := d.pat.lookup(id); i >= 0 {
		return i
	}
	return d.addPatient(graph.Patient{ID: id})
}

func (d *dataset) provider(id string, kind uint8) int32 {
	i := d.prov.id(id)
	if int(i) == len(d.provKind) {
		d.provKind = append(d.provKind, kind)
		d.provOwn = append(d.provOwn, ownUnknown)
		d.provRegion = append(d.provRegion, -1)
		d.provLevel = append(d.provLevel, -1)
		d.provKnown = append(d.provKnown, false)
	}
	return i
}

func (d *dataset) addClaim(c graph.Claim) {
	kind := provInstitution
	if c.ProviderType == graph.TypePharmacy || (c.ProviderType == "" && c.Type == graph.ClaimPharmacy) {
		kind = provPharmacy
	}
	pv := d.provider(c.ProviderID, kind)
	doc := int32(-1)
	if c.DoctorID != "" {
		doc = d.doc.id(c.DoctorID)
		for int(doc) >= len(d.docInst) {
			d.docInst = append(d.docInst, -1)
		}
		d.has.doctor = true
	}
	var ct uint8
	switch c.Type {
	case graph.ClaimInpatient:
		ct = ctInpatient
		d.has.inpatient = true
	case graph.ClaimPharmacy:
		ct = ctPharmacy
	default:
		ct = ctOutpatient
		if kind == provPharmacy {
			ct = ctPharmacy
		}
	}
	d.cPat = append(d.cPat, d.patient(c.PatientID))
	d.cProv = append(d.cProv, pv)
	d.cDoc = append(d.cDoc, doc)
	d.cType = append(d.cType, ct)
	d.cStart = append(d.cStart, localSeconds(c.Start))
	d.cEnd = append(d.cEnd, localSeconds(c.End))
	d.has.end = d.has.end || !c.End.IsZero()
	dg := d.diags.id(strings.ToUpper(strings.TrimSpace(c.DiagnosisCode)))
	d.has.diag = d.has.diag || dg >= 0
	d.cDiag = append(d.cDiag, dg)
	d.cTotal = append(d.cTotal, int64(c.TotalAmount))
	fund := int64(c.FundAmount)
	if fund == 0 {
		fund = int64(c.TotalAmount)
	}
	d.cFund = append(d.cFund, fund)
	var term int32 = -1
	if c.TerminalID != "" {
		term = d.terms.id(c.ProviderID + "/" + c.TerminalID)
		d.has.term = true
	}
	d.cTerm = append(d.cTerm, term)
}

func (d *dataset) countKind(k uint8) int {
	n := 0
	for _, x := range d.provKind {
		if x == k {
			n++
		}
	}
	return n
}

func (d *dataset) nPat() int    { return len(d.patSex) }
func (d *dataset) nProv() int   { return len(d.provKind) }
func (d *dataset) nDoc() int    { return len(d.docInst) }
func (d *dataset) nClaims() int { return len(d.cPat) }

// index builds the patient → claims CSR with each patient's claims sorted by start time.
func (d *dataset) index() {
	n := d.nPat()
	off := make([]int32, n+1)
	for _, p := range d.cPat {
		off[p+1]++
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	pos := make([]int32, n)
	copy(pos, off[:n])
	idx := make([]int32, len(d.cPat))
	for c, p := range d.cPat {
		idx[pos[p]] = int32(c)
		pos[p]++
	}
	for p := 0; p < n; p++ {
		s := idx[off[p]:off[p+1]]
		// Insertion sort: a patient has few claims and they usually arrive nearly in order.
		for i := 1; i < len(s); i++ {
			for j := i; j > 0 && d.claimLess(s[j], s[j-1]); j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
	}
	d.patOff, d.patClaims = off, idx
	d.provFund = make([]int64, d.nProv())
	for c, pv := range d.cProv {
		d.provFund[pv] += d.cFund[c]
	}
}

func (d *dataset) claimLess(a, b int32) bool {
	if d.cStart[a] != d.cStart[b] {
		return d.cStart[a] < d.cStart[b]
	}
	return a < b
}

// claimsOf returns patient p's claims sorted by start time.
func (d *dataset) claimsOf(p int32) []int32 { return d.patClaims[d.patOff[p]:d.patOff[p+1]] }

// ageAt returns the patient's age in whole years on local day day, or -1 when unknown.
func (d *dataset) ageAt(p int32, day int32) int {
	b := d.patBirth[p]
	if b == noDate {
		return -1
	}
	bt := time.Unix(int64(b)*secondsPerDay, 0).UTC()
	t := time.Unix(int64(day)*secondsPerDay, 0).UTC()
	age := t.Year() - bt.Year()
	if t.YearDay() < bt.YearDay() {
		age--
	}
	return age
}

// ref returns the graph reference of a provider.
func (d *dataset) provRef(i int32) graph.Ref {
	t := graph.TypeInstitution
	if d.provKind[i] == provPharmacy {
		t = graph.TypePharmacy
	}
	return graph.Ref{Type: t, ID: d.prov.strs[i]}
}

func (d *dataset) patRef(i int32) graph.Ref {
	return graph.Ref{Type: graph.TypePatient, ID: d.pat.strs[i]}
}

func (d *dataset) docRef(i int32) graph.Ref {
	return graph.Ref{Type: graph.TypeDoctor, ID: d.doc.strs[i]}
}

// unavailable lists the signals the export cannot support, for Findings.Unavailable.
func (d *dataset) unavailable() []string {
	var u []string
	add := func(ok bool, name string) {
		if !ok {
			u = append(u, name)
		}
	}
	add(d.has.sex, "patient_sex")
	add(d.has.birth, "patient_birth_date")
	add(d.has.death, "patient_death_date")
	add(d.has.region, "patient_region")
	add(d.has.phone, "patient_phone")
	add(d.has.addr, "patient_address")
	add(d.has.ownership, "institution_ownership")
	add(d.has.level, "institution_level")
	add(d.has.docInst, "doctor_institution")
	add(d.has.doctor, "claim_doctor")
	add(d.has.diag, "claim_diagnosis")
	add(d.has.term, "claim_terminal")
	add(d.has.pharmacy, "pharmacies")
	add(d.has.inpatient, "inpatient_claims")
	add(d.has.end, "inpatient_discharge_time")
	return u
}
