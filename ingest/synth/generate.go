package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

const (
	streamNames uint64 = 5 << 56
	streamMessy uint64 = 6 << 56
)

// Summary reports what Generate wrote: the number of parties, of rows in claims.csv (including
// messy duplicates and invalid rows) and claim_items.csv, and of planted groups and fraudulent
// parties in truth.json.
type Summary struct {
	Dir          string        `json:"dir"`
	Patients     int           `json:"patients"`
	Institutions int           `json:"institutions"`
	Pharmacies   int           `json:"pharmacies"`
	Doctors      int           `json:"doctors"`
	Claims       int64         `json:"claims"`
	Items        int64         `json:"items"`
	Rings        int           `json:"rings"`
	Lookalikes   int           `json:"lookalikes"`
	Fraudulent   int           `json:"fraudulent"`
	Elapsed      time.Duration `json:"elapsed"`
}

// Generate writes a claims directory for cfg into dir (created when missing): the CSV files of
// the input contract and truth.json. It honours ctx cancellation between households and logs
// progress (counts only, never personal data) to log, which may be nil.
func Generate(ctx context.Context, dir string, cfg Config, log *slog.Logger) (Summary, error) {
	start := time.Now()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("generate: %w", err)
	}
	// A truth.json from an earlier run must not survive an interrupted one: it is written last.
	if err := os.Remove(filepath.Join(dir, "truth.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Summary{}, fmt.Errorf("generate: %w", err)
	}
	w := buildWorld(cfg)
	cal := newCalendar(cfg)
	people, hhs := buildPopulation(cfg, w)
	pl := newPlanner(cfg, w, cal, people, hhs)
	pl.plan()
	log.Info("synth: planned", "patients", len(people), "households", len(hhs), "institutions", len(w.insts),
		"pharmacies", len(w.pharms), "doctors", len(w.docs), "rings", len(pl.truth.Rings), "lookalikes", len(pl.truth.Lookalikes))

	sum := Summary{Dir: dir, Patients: len(people), Institutions: len(w.insts), Pharmacies: len(w.pharms), Doctors: len(w.docs)}
	if cfg.Thin {
		sum.Pharmacies = 0
	}
	if err := writeProviders(dir, cfg, w); err != nil {
		return sum, err
	}
	cw, err := newClaimWriter(dir, cfg, w, people, hhs)
	if err != nil {
		return sum, err
	}
	defer cw.abort()
	g := &honestGen{cfg: cfg, w: w, cal: cal, r: newRNG(cfg.Seed, streamPatient), factor: acuteFactor(cfg.ClaimsPerPatient)}
	planned := pl.claims
	var all []claim
	next := time.Now().Add(5 * time.Second)
	for h := range hhs {
		if h%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return sum, fmt.Errorf("generate: %w", err)
			}
			if time.Now().After(next) {
				log.Info("synth: progress", "patients", hhs[h].start, "of", len(people), "claims", cw.claims.rows)
				next = time.Now().Add(5 * time.Second)
			}
		}
		cw.household(int32(h))
		for k := int32(0); k < int32(hhs[h].size); k++ {
			i := hhs[h].start + k
			j := 0
			for j < len(planned) && planned[j].patient == i {
				j++
			}
			mine := planned[:j]
			planned = planned[j:]
			g.r.reseed(cfg.Seed, streamPatient|uint64(i))
			g.generate(i, &people[i], mine)
			all = append(append(all[:0], g.out...), mine...)
			sortClaims(all)
			cw.patient(i, all, g.r)
		}
	}
	if err := cw.close(); err != nil {
		return sum, err
	}
	sum.Claims, sum.Items = cw.claims.rows, cw.itemRows()
	if err := writeTruth(dir, &pl.truth); err != nil {
		return sum, err
	}
	sum.Rings, sum.Lookalikes, sum.Fraudulent = len(pl.truth.Rings), len(pl.truth.Lookalikes), len(pl.truth.Fraudulent)
	sum.Elapsed = time.Since(start)
	log.Info("synth: done", "dir", dir, "patients", sum.Patients, "claims", sum.Claims, "items", sum.Items, "elapsed", sum.Elapsed.Round(time.Millisecond))
	return sum, nil
}

// Calibration of the mean claims per patient, measured on 20,000 patients with the default
// rates: chronic care, stays and planted groups give about fixedClaims claims per patient, and
// each unit of the acute factor adds about acuteClaims (acute visits and over-the-counter buys).
const (
	fixedClaims = 3.6
	acuteClaims = 3.6
)

// acuteFactor returns the multiplier of acute episode rates that meets the target mean.
func acuteFactor(target float64) float64 {
	return max(0.1, (target-fixedClaims)/acuteClaims)
}

func writeTruth(dir string, t *graph.Truth) error {
	path := filepath.Join(dir, "truth.json")
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return fmt.Errorf("truth.json: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeProviders(dir string, cfg Config, w *world) error {
	f, err := createCSV(dir, "institutions", institutionHeader, cfg)
	if err != nil {
		return err
	}
	for i := range w.insts {
		in := &w.insts[i]
		f.first(in.id).str(in.name).str(in.level).str(value(in.ownership, cfg.Headers)).str(regionTable[in.region].code).end()
	}
	if err := f.close(); err != nil {
		return err
	}
	// A thin export is a hospital-side export: pharmacies.csv has only its header and there
	// are no pharmacy claims (the loader requires the file).
	f, err = createCSV(dir, "pharmacies", pharmacyHeader, cfg)
	if err != nil {
		return err
	}
	if !cfg.Thin {
		for i := range w.pharms {
			p := &w.pharms[i]
			f.first(p.id).str(p.name).str(regionTable[p.region].code).end()
		}
	}
	if err := f.close(); err != nil {
		return err
	}
	f, err = createCSV(dir, "doctors", doctorHeader, cfg)
	if err != nil {
		return err
	}
	for i := range w.docs {
		d := &w.docs[i]
		if cfg.Thin {
			f.first(d.id).str(d.name).str("").str("").end()
			continue
		}
		f.first(d.id).str(d.name).str(w.insts[d.inst].id).str(d.dept).end()
	}
	return f.close()
}

// patientID returns the insurance number of patient i: the region code and ten digits that
// are a bijective scramble of i, so that ids are unique, look random and do not reveal
// households or planted groups by adjacency.
func patientID(seed uint64, i int32, region uint8) string {
	const m = 10_000_000_000
	x := (uint64(i)*2654435761 + seed%m*7 + 1_234_567_891) % m
	b := make([]byte, 0, 16)
	b = append(b, regionTable[region].code...)
	return string(appendPad(b, int(x), 10))
}

// claimWriter streams patients, claims and items.
type claimWriter struct {
	cfg      Config
	w        *world
	people   []person
	hhs      []household
	patients *csvFile
	claims   *csvFile
	items    *csvFile
	nr       *rng
	mr       *rng // messy-mode decisions, on their own stream so content does not change
	seq      int64
	// Household data drawn once per household.
	surname, address, phone string
	headAge                 int
	buf                     []byte
	saved                   []byte // the last claim row, for messy duplicates
	files                   []*csvFile
	closed                  bool
}

func newClaimWriter(dir string, cfg Config, w *world, people []person, hhs []household) (*claimWriter, error) {
	cw := &claimWriter{cfg: cfg, w: w, people: people, hhs: hhs, nr: newRNG(cfg.Seed, streamNames), mr: newRNG(cfg.Seed, streamMessy)}
	var err error
	if cw.patients, err = createCSV(dir, "patients", patientHeader, cfg); err != nil {
		return nil, err
	}
	cw.files = append(cw.files, cw.patients)
	if cw.claims, err = createCSV(dir, "claims", claimHeader, cfg); err != nil {
		cw.abort()
		return nil, err
	}
	cw.files = append(cw.files, cw.claims)
	if !cfg.NoItems {
		if cw.items, err = createCSV(dir, "claim_items", itemHeader, cfg); err != nil {
			cw.abort()
			return nil, err
		}
		cw.files = append(cw.files, cw.items)
	} else {
		os.Remove(filepath.Join(dir, "claim_items.csv")) // a stale file from an earlier run would mislead the loader
	}
	return cw, nil
}

func (cw *claimWriter) itemRows() int64 {
	if cw.items == nil {
		return 0
	}
	return cw.items.rows
}

func (cw *claimWriter) abort() {
	if cw.closed {
		return
	}
	cw.closed = true
	for _, f := range cw.files {
		f.f.Close()
	}
}

func (cw *claimWriter) close() error {
	cw.closed = true
	var first error
	for _, f := range cw.files {
		if err := f.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// household draws the shared surname, address and phone of household h.
func (cw *claimWriter) household(h int32) {
	r := cw.nr
	r.reseed(cw.cfg.Seed, streamNames|uint64(h))
	hh := cw.hhs[h]
	p := &cw.people[hh.start]
	info := regionTable[p.region]
	cw.surname = pick(r, surnames)
	cw.headAge = ageAt(p.birth, day(cw.cfg.From))
	cw.address = fmt.Sprintf("%s%s%s%s%d号%s%d栋%d单元%d%02d室", info.province, info.city, pick(r, info.districts),
		pick(r, streets), r.between(1, 999), pick(r, compounds), r.between(1, 30), r.between(1, 4), r.between(1, 28), r.between(1, 6))
	if r.chance(0.15) { // rural addresses: village and group instead of a compound
		cw.address = fmt.Sprintf("%s%s%s%s村委会%s村%d组%d号", info.province, info.city, pick(r, info.districts),
			pick(r, shopWords), pick(r, []string{"大", "小", "上", "下", "新"})+pick(r, []string{"营", "寨", "村", "庄", "坝"}), r.between(1, 12), r.between(1, 80))
	}
	cw.phone = mobile(r)
}

func mobile(r *rng) string {
	return pick(r, mobilePrefixes) + strconv.Itoa(10_000_000+r.IntN(90_000_000))
}

// patient writes patient i's row and claims.
func (cw *claimWriter) patient(i int32, cs []claim, r *rng) {
	p := &cw.people[i]
	nr := cw.nr
	id := patientID(cw.cfg.Seed, i, p.region)
	age := ageAt(p.birth, day(cw.cfg.From))
	name := cw.surname
	if i != cw.hhs[p.household].start && (age >= cw.headAge-14 || nr.chance(0.15)) {
		name = pick(nr, surnames) // spouse or grandparent: another family name
	}
	name += pick(nr, givenFor(p.sex))
	if nr.chance(0.7) {
		name += pick(nr, givenFor(p.sex))
	}
	phone := cw.phone
	if age >= 16 && (age < 70 || nr.chance(0.5)) && i != cw.hhs[p.household].start {
		phone = mobile(nr)
	}
	address := cw.address
	if cw.cfg.Thin {
		phone, address = "", ""
	}
	f := cw.patients
	f.first(id).str(name).str(value(string(rune(p.sex)), cw.cfg.Headers))
	cw.buf = appendDate(cw.buf[:0], p.birth)
	f.raw(cw.buf).str(regionTable[p.region].code).str(phone).str(address)
	if p.death != noDeath {
		cw.buf = appendDate(cw.buf[:0], p.death)
		f.raw(cw.buf)
	} else {
		f.raw(nil)
	}
	f.end()
	for k := range cs {
		if cw.cfg.Thin && cs[k].ctype == ctPharmacy {
			continue // hospital-side export
		}
		cw.claim(id, &cs[k], r)
	}
}

func givenFor(sex byte) []string {
	if sex == 'F' {
		return givenFemale
	}
	return givenMale
}

// claim writes one claim and its items.
func (cw *claimWriter) claim(pid string, c *claim, r *rng) {
	cw.seq++
	var provider, region string
	if c.ctype == ctPharmacy {
		ph := &cw.w.pharms[c.provider]
		provider, region = ph.id, regionTable[ph.region].code
	} else {
		in := &cw.w.insts[c.provider]
		provider, region = in.id, regionTable[in.region].code
	}
	// 结算单号: the settling region and a running number.
	b := append(cw.buf[:0], region...)
	b = appendPad(b, int(cw.seq), 12)
	cid := string(b)
	f := cw.claims
	f.first(cid).str(pid).str(provider)
	if c.doctor >= 0 {
		f.str(cw.w.docs[c.doctor].id)
	} else {
		f.raw(nil)
	}
	f.str(value(claimTypeNames[c.ctype], cw.cfg.Headers))
	slash := cw.cfg.Messy && cw.mr.chance(0.1)
	cw.buf = cw.appendTime(cw.buf[:0], c.start, slash)
	f.raw(cw.buf)
	if c.ctype == ctInpatient {
		cw.buf = cw.appendTime(cw.buf[:0], c.end, slash)
		f.raw(cw.buf)
	} else {
		f.raw(nil)
	}
	if c.dx >= 0 {
		f.str(diagnosisTable[c.dx].code)
	} else {
		f.raw(nil)
	}
	if cw.cfg.Messy && c.total >= 100000 && cw.mr.chance(0.5) {
		f.row = append(f.row, ',')
		f.row = appendGroupedMoney(f.row, c.total)
		f.row = append(f.row, ',')
		f.row = appendGroupedMoney(f.row, c.fund)
	} else {
		f.money(c.total).money(c.fund)
	}
	if c.terminal > 0 {
		cw.buf = append(cw.buf[:0], 'T')
		cw.buf = appendPad(cw.buf, int(c.terminal), 2)
		f.raw(cw.buf)
	} else {
		f.raw(nil)
	}
	var saved []byte
	if cw.cfg.Messy {
		saved = append(cw.saved[:0], f.row...)
		cw.saved = saved
	}
	f.end()
	if cw.cfg.Messy {
		cw.messyRows(f, saved, cid, pid)
	}
	if cw.items != nil {
		cw.writeItems(cid, c, r)
	}
}

func (cw *claimWriter) appendTime(b []byte, sec int64, slash bool) []byte {
	if slash {
		return appendSlashTime(b, sec)
	}
	return appendDateTime(b, sec)
}

// messyRows writes, now and then, an exact duplicate of the current claim row (exports
// overlap) and extra rows the loader must reject: a claim of an unknown insured person and a
// claim with an impossible date. Extra rows have claim ids ending in -R or -D and never replace
// a real claim, so truth.json is unaffected.
func (cw *claimWriter) messyRows(f *csvFile, row []byte, cid, pid string) {
	if cw.mr.chance(0.001) {
		f.row = append(f.row[:0], row...)
		f.end()
	}
	if cw.mr.chance(0.0005) {
		f.row = append(f.row[:0], cid+"-R,0000000000000000"...)
		f.row = append(f.row, row[len(cid)+1+len(pid):]...)
		f.end()
	}
	if cw.mr.chance(0.0005) {
		in := &cw.w.insts[0]
		f.first(cid + "-D").str(pid).str(in.id).str(cw.w.docs[in.depts[0].docs[0]].id).
			str(value("outpatient", cw.cfg.Headers)).str("2024-02-30 10:00:00").str("").str("J06.9").str("88.00").str("44.00").str("T01").end()
	}
}

// writeItems splits a claim's total into plausible lines whose amounts add up exactly.
func (cw *claimWriter) writeItems(cid string, c *claim, r *rng) {
	var lines [8]int
	n := 0
	add := func(it int) {
		if n < len(lines) {
			lines[n] = it
			n++
		}
	}
	switch c.ctype {
	case ctOutpatient:
		add(itConsult)
		if r.chance(0.4) {
			add(pick(r, []int{itBloodRoutine, itUrineRoutine, itXRay, itUltrasound, itECG, itCT}))
		}
	case ctInpatient:
		add(itBedDay)
		add(itNursing)
		add(itBiochem)
		add(pick(r, []int{itCT, itUltrasound, itXRay}))
		add(itInfusion)
		add(itInfusionSet)
		if r.chance(0.3) {
			add(itSurgery)
		}
	}
	if c.dx >= 0 {
		for _, d := range diagnosisTable[c.dx].drugs {
			if n < 7 && r.chance(0.75) {
				add(d)
			}
		}
	}
	if c.dx == dxCheckup {
		add(itBloodRoutine)
		add(itBiochem)
		add(itUltrasound)
	}
	if c.extra == 1 {
		add(itHealthFood)
	}
	if c.extra == 2 { // a haemodialysis session
		n = 0
		add(itHaemodialysis)
		add(itDialyser)
		add(itEPO)
	}
	if n == 0 {
		add(pick(r, []int{itAmoxicillin, itIbuprofen, itOmeprazole, itLianhua, itPlaster}))
	}
	// Shares of the total: by typical price, jittered.
	var w [8]float64
	sum := 0.0
	for k := 0; k < n; k++ {
		it := &itemTable[lines[k]]
		w[k] = it.price * float64(1+r.IntN(it.maxQty)) * r.uniform(0.6, 1.4)
		sum += w[k]
	}
	left := c.total
	for k := 0; k < n; k++ {
		it := &itemTable[lines[k]]
		var qty, unit, amount int64
		if k == n-1 {
			qty, unit, amount = 1, left, left
		} else {
			qty = int64(1 + r.IntN(it.maxQty))
			unit = int64(math.Floor(float64(c.total) * w[k] / sum / float64(qty)))
			if unit < 1 {
				unit = 1
			}
			amount = unit * qty
			if amount >= left {
				qty, unit, amount = 1, left, left
				k = n // this line takes the rest
			}
		}
		left -= amount
		f := cw.items
		f.first(cid).str(it.code).str(it.name).str(value(it.category, cw.cfg.Headers))
		cw.buf = strconv.AppendInt(cw.buf[:0], qty, 10)
		f.raw(cw.buf).money(unit).money(amount).end()
		if left <= 0 {
			break
		}
	}
}
