package dataset

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Provider kinds.
const (
	Institution uint8 = iota
	Pharmacy
)

// Ownership values; OwnUnknown is the thin-export case.
const (
	OwnUnknown int8 = iota - 1
	OwnPublic
	OwnPrivate
)

// Claim types.
const (
	Outpatient uint8 = iota
	Inpatient
	PharmacyPurchase
)

// SecondsPerDay is the length of a local day.
const SecondsPerDay = 86400

// NoDate marks an absent day.
const NoDate = int32(-1 << 30)

// Interner maps strings to dense int32 ids in first-seen order.
type Interner struct {
	ids  map[string]int32
	Strs []string
}

// NewInterner returns an empty interner.
func NewInterner() *Interner { return &Interner{ids: map[string]int32{}} }

// ID returns s's id, adding it when new; "" is always −1 (absent).
func (in *Interner) ID(s string) int32 {
	if s == "" {
		return -1
	}
	if v, ok := in.ids[s]; ok {
		return v
	}
	v := int32(len(in.Strs))
	in.ids[s] = v
	in.Strs = append(in.Strs, s)
	return v
}

// Lookup returns s's id or −1 without adding it.
func (in *Interner) Lookup(s string) int32 {
	if v, ok := in.ids[s]; ok {
		return v
	}
	return -1
}

// Len is the number of distinct strings.
func (in *Interner) Len() int { return len(in.Strs) }

// Claims is the claims graph in compact columns. Ten million claims take about 70 bytes each.
// Fields are exported for the detector packages, which only read them.
type Claims struct {
	// patients
	Pat       *Interner
	PatSex    []int8  // 0 unknown, 1 male, 2 female
	PatBirth  []int32 // local day, or NoDate
	PatDeath  []int32 // local day, or NoDate
	PatRegion []int32 // interned region, −1 unknown
	PatPhone  []int32 // interned normalised phone, −1 unknown
	PatAddr   []int32 // interned normalised address, −1 unknown

	// providers: institutions and pharmacies share one id space
	Prov       *Interner
	ProvKind   []uint8
	ProvOwn    []int8
	ProvRegion []int32
	ProvLevel  []int32
	ProvKnown  []bool  // listed in the providers scan (not only referenced by claims)
	ProvFund   []int64 // fund money paid to the provider, fen
	ProvClaims []int32 // claims at the provider

	// doctors
	Doc     *Interner
	DocInst []int32 // institution, −1 unknown
	DocDept []int32 // interned department, −1 unknown

	Regions, Levels, Phones, Addrs, Diags, Terms, Depts *Interner

	// claims, in scan (id) order
	CPat   []int32
	CProv  []int32
	CDoc   []int32
	CType  []uint8
	CStart []int64 // local seconds (unix + zone offset)
	CEnd   []int64 // local seconds, 0 when absent
	CDiag  []int32
	CTotal []int64 // fen
	CFund  []int64 // fen
	CTerm  []int32
	// CItems summarises each claim's billing lines (Care flags, line count, list hash); the
	// zero value means the claim has no lines in the export.
	CItems []ItemSummary

	// Has records which optional columns the export carried.
	Has struct {
		Sex, Birth, Death, Region, Phone, Addr, Ownership, Level, DocInst, DocDept, Doctor, Diag, Term, Pharmacy, Inpatient, End, Items bool
	}

	// patient → claims index (CSR), each patient's claims sorted by start time
	patOff    []int32
	patClaims []int32

	// priced holds the priced billing lines until Index folds them into ItemSummary.Overpriced.
	priced pricedLines
}

// DayOf returns the local day of t, or NoDate for the zero time.
func DayOf(t time.Time) int32 {
	if t.IsZero() {
		return NoDate
	}
	_, off := t.Zone()
	return int32(FloorDiv(t.Unix()+int64(off), SecondsPerDay))
}

func localSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	_, off := t.Zone()
	return t.Unix() + int64(off)
}

// FloorDiv divides rounding towards minus infinity.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// NormKey folds case and runs of white space, so that one phone or address is one key.
func NormKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// New returns an empty dataset, for Load and for tests that build one by hand.
func New() *Claims {
	return &Claims{
		Pat: NewInterner(), Prov: NewInterner(), Doc: NewInterner(),
		Regions: NewInterner(), Levels: NewInterner(), Phones: NewInterner(), Addrs: NewInterner(),
		Diags: NewInterner(), Terms: NewInterner(), Depts: NewInterner(),
	}
}

// Load streams the scanner once per record kind into a dataset. progress receives 0..1.
func Load(ctx context.Context, src graph.Scanner, progress func(float64)) (*Claims, error) {
	if progress == nil {
		progress = func(float64) {}
	}
	d := New()
	err := src.ScanPatients(ctx, func(p graph.Patient) error {
		d.AddPatient(p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan patients: %w", err)
	}
	progress(0.05)
	err = src.ScanInstitutions(ctx, func(in graph.Institution) error {
		d.AddInstitution(in)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan institutions: %w", err)
	}
	err = src.ScanPharmacies(ctx, func(ph graph.Pharmacy) error {
		d.AddPharmacy(ph)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan pharmacies: %w", err)
	}
	err = src.ScanDoctors(ctx, func(doc graph.Doctor) error {
		d.AddDoctor(doc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan doctors: %w", err)
	}
	progress(0.1)
	n := 0
	ids := newClaimIndex()
	err = src.ScanClaims(ctx, func(c graph.Claim) error {
		ids.add(c.ID, int32(len(d.CPat)))
		d.AddClaim(c)
		n++
		if n%500000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			// Claim counts are not known in advance; approach 0.8 asymptotically.
			progress(0.1 + 0.7*(1-1/(1+float64(n)/2e6)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan claims: %w", err)
	}
	progress(0.8)
	if err := d.loadItems(ctx, src, ids); err != nil {
		return nil, fmt.Errorf("scan claim items: %w", err)
	}
	d.Index()
	progress(1)
	return d, nil
}

// AddPatient adds a patient (a repeated id keeps the first record) and returns its index.
func (d *Claims) AddPatient(p graph.Patient) int32 {
	i := d.Pat.ID(p.ID)
	if int(i) < len(d.PatSex) {
		return i
	}
	var sex int8
	switch strings.ToUpper(p.Sex) {
	case "M", "男", "MALE", "1":
		sex = 1
	case "F", "女", "FEMALE", "2":
		sex = 2
	}
	d.PatSex = append(d.PatSex, sex)
	d.PatBirth = append(d.PatBirth, DayOf(p.BirthDate))
	d.PatDeath = append(d.PatDeath, DayOf(p.DeathDate))
	d.PatRegion = append(d.PatRegion, d.Regions.ID(p.Region))
	d.PatPhone = append(d.PatPhone, d.Phones.ID(NormKey(p.Phone)))
	d.PatAddr = append(d.PatAddr, d.Addrs.ID(NormKey(p.Address)))
	d.Has.Sex = d.Has.Sex || sex != 0
	d.Has.Birth = d.Has.Birth || !p.BirthDate.IsZero()
	d.Has.Death = d.Has.Death || !p.DeathDate.IsZero()
	d.Has.Region = d.Has.Region || p.Region != ""
	d.Has.Phone = d.Has.Phone || p.Phone != ""
	d.Has.Addr = d.Has.Addr || p.Address != ""
	return i
}

// AddInstitution adds a designated medical institution.
func (d *Claims) AddInstitution(in graph.Institution) int32 {
	i := d.provider(in.ID, Institution)
	d.ProvKnown[i] = true
	switch strings.ToLower(in.Ownership) {
	case "public", "公立":
		d.ProvOwn[i] = OwnPublic
		d.Has.Ownership = true
	case "private", "民营":
		d.ProvOwn[i] = OwnPrivate
		d.Has.Ownership = true
	}
	d.ProvRegion[i] = d.Regions.ID(in.Region)
	d.ProvLevel[i] = d.Levels.ID(in.Level)
	d.Has.Level = d.Has.Level || in.Level != ""
	return i
}

// AddPharmacy adds a designated retail pharmacy. Ownership is not exported for pharmacies and
// stays unknown rather than guessed.
func (d *Claims) AddPharmacy(ph graph.Pharmacy) int32 {
	i := d.provider(ph.ID, Pharmacy)
	d.ProvKnown[i] = true
	d.ProvRegion[i] = d.Regions.ID(ph.Region)
	d.Has.Pharmacy = true
	return i
}

// AddDoctor adds a doctor or pharmacist.
func (d *Claims) AddDoctor(doc graph.Doctor) int32 {
	i := d.doctor(doc.ID)
	if doc.InstitutionID != "" {
		d.DocInst[i] = d.provider(doc.InstitutionID, Institution)
		d.Has.DocInst = true
	}
	if doc.Department != "" {
		d.DocDept[i] = d.Depts.ID(NormKey(doc.Department))
		d.Has.DocDept = true
	}
	return i
}

func (d *Claims) doctor(id string) int32 {
	i := d.Doc.ID(id)
	for int(i) >= len(d.DocInst) {
		d.DocInst = append(d.DocInst, -1)
		d.DocDept = append(d.DocDept, -1)
	}
	return i
}

// patient returns the index of a patient referenced by a claim, adding an attribute-less one
// when the patients scan did not list it.
func (d *Claims) patient(id string) int32 {
	if i := d.Pat.Lookup(id); i >= 0 {
		return i
	}
	return d.AddPatient(graph.Patient{ID: id})
}

func (d *Claims) provider(id string, kind uint8) int32 {
	i := d.Prov.ID(id)
	if int(i) == len(d.ProvKind) {
		d.ProvKind = append(d.ProvKind, kind)
		d.ProvOwn = append(d.ProvOwn, OwnUnknown)
		d.ProvRegion = append(d.ProvRegion, -1)
		d.ProvLevel = append(d.ProvLevel, -1)
		d.ProvKnown = append(d.ProvKnown, false)
	}
	return i
}

// AddClaim appends one claim. A fund amount of 0 counts the total (thin exports carry one
// amount only).
func (d *Claims) AddClaim(c graph.Claim) {
	kind := Institution
	if c.ProviderType == graph.TypePharmacy || (c.ProviderType == "" && c.Type == graph.ClaimPharmacy) {
		kind = Pharmacy
	}
	pv := d.provider(c.ProviderID, kind)
	doc := int32(-1)
	if c.DoctorID != "" {
		doc = d.doctor(c.DoctorID)
		d.Has.Doctor = true
	}
	var ct uint8
	switch c.Type {
	case graph.ClaimInpatient:
		ct = Inpatient
		d.Has.Inpatient = true
	case graph.ClaimPharmacy:
		ct = PharmacyPurchase
	default:
		ct = Outpatient
		if d.ProvKind[pv] == Pharmacy {
			ct = PharmacyPurchase
		}
	}
	d.CPat = append(d.CPat, d.patient(c.PatientID))
	d.CProv = append(d.CProv, pv)
	d.CDoc = append(d.CDoc, doc)
	d.CType = append(d.CType, ct)
	d.CStart = append(d.CStart, localSeconds(c.Start))
	d.CEnd = append(d.CEnd, localSeconds(c.End))
	d.Has.End = d.Has.End || !c.End.IsZero()
	dg := d.Diags.ID(strings.ToUpper(strings.TrimSpace(c.DiagnosisCode)))
	d.Has.Diag = d.Has.Diag || dg >= 0
	d.CDiag = append(d.CDiag, dg)
	d.CTotal = append(d.CTotal, int64(c.TotalAmount))
	fund := int64(c.FundAmount)
	if fund == 0 {
		fund = int64(c.TotalAmount)
	}
	d.CFund = append(d.CFund, fund)
	var term int32 = -1
	if c.TerminalID != "" {
		term = d.Terms.ID(c.ProviderID + "/" + c.TerminalID)
		d.Has.Term = true
	}
	d.CTerm = append(d.CTerm, term)
	d.CItems = append(d.CItems, ItemSummary{})
}

// NPat, NProv, NDoc and NClaims are the sizes of the dataset.
func (d *Claims) NPat() int    { return len(d.PatSex) }
func (d *Claims) NProv() int   { return len(d.ProvKind) }
func (d *Claims) NDoc() int    { return len(d.DocInst) }
func (d *Claims) NClaims() int { return len(d.CPat) }

// Index builds the patient → claims CSR (each patient's claims sorted by start time) and the
// per-provider totals. Load calls it; tests that build a dataset by hand call it once at the end.
func (d *Claims) Index() {
	d.Has.Pharmacy = d.Has.Pharmacy || d.countKind(Pharmacy) > 0
	n := d.NPat()
	off := make([]int32, n+1)
	for _, p := range d.CPat {
		off[p+1]++
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	pos := make([]int32, n)
	copy(pos, off[:n])
	idx := make([]int32, len(d.CPat))
	for c, p := range d.CPat {
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
	d.foldPrices()
	d.ProvFund = make([]int64, d.NProv())
	d.ProvClaims = make([]int32, d.NProv())
	for c, pv := range d.CProv {
		d.ProvFund[pv] += d.CFund[c]
		d.ProvClaims[pv]++
	}
}

func (d *Claims) countKind(k uint8) int {
	n := 0
	for _, x := range d.ProvKind {
		if x == k {
			n++
		}
	}
	return n
}

func (d *Claims) claimLess(a, b int32) bool {
	if d.CStart[a] != d.CStart[b] {
		return d.CStart[a] < d.CStart[b]
	}
	return a < b
}

// ClaimsOf returns patient p's claims sorted by start time.
func (d *Claims) ClaimsOf(p int32) []int32 { return d.patClaims[d.patOff[p]:d.patOff[p+1]] }

// Weekday returns the day of the week of local day t, 0 for the weekday of 1 January 1970 (a
// Thursday): an index for per-weekday counts, which only need it to be the same everywhere.
func Weekday(t int32) int { return int(int64(t) - 7*FloorDiv(int64(t), 7)) }

// Day returns the local day of claim c's start.
func (d *Claims) Day(c int32) int32 { return int32(FloorDiv(d.CStart[c], SecondsPerDay)) }

// EndDay returns the local day of claim c's end, or its start day when it has none.
func (d *Claims) EndDay(c int32) int32 {
	if d.CEnd[c] == 0 {
		return d.Day(c)
	}
	return int32(FloorDiv(d.CEnd[c], SecondsPerDay))
}

// Hour returns the local hour (0..23) of claim c's start.
func (d *Claims) Hour(c int32) int {
	return int(FloorDiv(d.CStart[c], 3600)%24+24) % 24
}

// AgeAt returns the patient's age in whole years on local day day, or −1 when unknown.
func (d *Claims) AgeAt(p int32, day int32) int {
	b := d.PatBirth[p]
	if b == NoDate {
		return -1
	}
	bt := time.Unix(int64(b)*SecondsPerDay, 0).UTC()
	t := time.Unix(int64(day)*SecondsPerDay, 0).UTC()
	// Compare month and day, not the day of the year: in a leap birth year every date after
	// February is one day later in the year than in other years.
	age := t.Year() - bt.Year()
	if t.Month() < bt.Month() || t.Month() == bt.Month() && t.Day() < bt.Day() {
		age--
	}
	return age
}

// ProvRef returns the graph reference of a provider.
func (d *Claims) ProvRef(i int32) graph.Ref {
	t := graph.TypeInstitution
	if d.ProvKind[i] == Pharmacy {
		t = graph.TypePharmacy
	}
	return graph.Ref{Type: t, ID: d.Prov.Strs[i]}
}

// PatRef returns the graph reference of a patient.
func (d *Claims) PatRef(i int32) graph.Ref {
	return graph.Ref{Type: graph.TypePatient, ID: d.Pat.Strs[i]}
}

// DocRef returns the graph reference of a doctor.
func (d *Claims) DocRef(i int32) graph.Ref {
	return graph.Ref{Type: graph.TypeDoctor, ID: d.Doc.Strs[i]}
}

// Care tiers of institutions, from their level text.
const (
	TierUnknown   int8 = iota
	TierPrimary        // community health centres, township centres, clinics, level 一级
	TierSecondary      // 二级
	TierTertiary       // 三级
)

// Tier returns the care tier of provider pv from its level text, or TierUnknown.
func (d *Claims) Tier(pv int32) int8 {
	l := d.ProvLevel[pv]
	if l < 0 {
		return TierUnknown
	}
	s := strings.ToLower(d.Levels.Strs[l])
	switch {
	case strings.Contains(s, "三级") || strings.Contains(s, "tertiary") || strings.HasPrefix(s, "3"):
		return TierTertiary
	case strings.Contains(s, "二级") || strings.Contains(s, "secondary") || strings.HasPrefix(s, "2"):
		return TierSecondary
	case strings.Contains(s, "一级") || strings.Contains(s, "社区") || strings.Contains(s, "乡镇") || strings.Contains(s, "卫生院") ||
		strings.Contains(s, "卫生室") || strings.Contains(s, "诊所") || strings.Contains(s, "门诊部") || strings.Contains(s, "primary") || strings.HasPrefix(s, "1"):
		return TierPrimary
	}
	return TierUnknown
}

// RegionOf returns the pooling region code of a provider, or "".
func (d *Claims) RegionOf(pv int32) string {
	if r := d.ProvRegion[pv]; r >= 0 {
		return d.Regions.Strs[r]
	}
	return ""
}

// SameHousehold reports whether two patients share a phone or an address.
func (d *Claims) SameHousehold(a, b int32) bool {
	return (d.PatPhone[a] >= 0 && d.PatPhone[a] == d.PatPhone[b]) || (d.PatAddr[a] >= 0 && d.PatAddr[a] == d.PatAddr[b])
}

// Unavailable lists the signals the export cannot support, for Findings.Unavailable.
func (d *Claims) Unavailable() []string {
	var u []string
	add := func(ok bool, name string) {
		if !ok {
			u = append(u, name)
		}
	}
	add(d.Has.Sex, "patient_sex")
	add(d.Has.Birth, "patient_birth_date")
	add(d.Has.Death, "patient_death_date")
	add(d.Has.Region, "patient_region")
	add(d.Has.Phone, "patient_phone")
	add(d.Has.Addr, "patient_address")
	add(d.Has.Ownership, "institution_ownership")
	add(d.Has.Level, "institution_level")
	add(d.Has.DocInst, "doctor_institution")
	add(d.Has.Doctor, "claim_doctor")
	add(d.Has.Diag, "claim_diagnosis")
	add(d.Has.Term, "claim_terminal")
	add(d.Has.Pharmacy, "pharmacies")
	add(d.Has.Inpatient, "inpatient_claims")
	add(d.Has.End, "inpatient_discharge_time")
	add(d.Has.Items, "claim_items")
	return u
}

// UsualErrand reports whether claim c, made during the owner's stay [stayStart, stayEnd), is for
// one of the owner's own recurring diagnoses (at least two claims outside the stay) and is a
// pharmacy purchase or at a provider the owner used before: a relative fetching the owner's
// usual drugs.
func (d *Claims) UsualErrand(cs []int32, c int32, stayStart, stayEnd int64) bool {
	if d.CDiag[c] < 0 {
		return false
	}
	visits, sameDiag := 0, 0
	for _, o := range cs {
		if o == c || (d.CStart[o] >= stayStart && d.CStart[o] < stayEnd) {
			continue
		}
		if d.CProv[o] == d.CProv[c] {
			visits++
		}
		if d.CDiag[o] == d.CDiag[c] {
			sameDiag++
		}
	}
	return sameDiag >= 2 && (d.CType[c] == PharmacyPurchase || visits >= 1)
}
