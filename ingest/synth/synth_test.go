package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// testConfig is small but dense in planted fraud, so that every pattern appears several times.
func testConfig(seed uint64) Config {
	c := DefaultConfig()
	c.Seed = seed
	c.Patients = 3000
	c.RingRate = 0.02
	c.LendingRate = 0.01
	c.DeceasedRate = 0.003
	c.PharmacyCollectionRate = 0.3
	return c
}

func generate(t *testing.T, cfg Config) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := Generate(context.Background(), dir, cfg, nil); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir
}

// table is one CSV file read back: its header and rows as maps from column to value.
type table struct {
	header []string
	rows   []map[string]string
}

func readTable(t *testing.T, dir, file string, gb bool) table {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	defer f.Close()
	var r io.Reader = f
	if gb {
		r = transform.NewReader(f, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	tb := table{header: recs[0]}
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, v := range rec {
			m[tb.header[i]] = v
		}
		tb.rows = append(tb.rows, m)
	}
	return tb
}

func readTruth(t *testing.T, dir string) graph.Truth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr graph.Truth
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tr); err != nil {
		t.Fatalf("truth.json does not parse into graph.Truth: %v", err)
	}
	return tr
}

// dataset is a generated directory loaded for checks.
type dataset struct {
	patients map[string]map[string]string
	insts    map[string]map[string]string
	pharms   map[string]map[string]string
	docs     map[string]map[string]string
	claims   []map[string]string
	byID     map[string]map[string]string
	byPat    map[string][]map[string]string
	truth    graph.Truth
}

func load(t *testing.T, dir string) *dataset {
	t.Helper()
	ds := &dataset{
		patients: map[string]map[string]string{}, insts: map[string]map[string]string{},
		pharms: map[string]map[string]string{}, docs: map[string]map[string]string{},
		byID: map[string]map[string]string{}, byPat: map[string][]map[string]string{},
	}
	index := func(file, key string, into map[string]map[string]string) {
		for _, r := range readTable(t, dir, file, false).rows {
			if _, dup := into[r[key]]; dup {
				t.Fatalf("%s: duplicate %s %s", file, key, r[key])
			}
			into[r[key]] = r
		}
	}
	index("patients.csv", "patient_id", ds.patients)
	index("institutions.csv", "institution_id", ds.insts)
	if _, err := os.Stat(filepath.Join(dir, "pharmacies.csv")); err == nil {
		index("pharmacies.csv", "pharmacy_id", ds.pharms)
	}
	index("doctors.csv", "doctor_id", ds.docs)
	ds.claims = readTable(t, dir, "claims.csv", false).rows
	for _, c := range ds.claims {
		if _, dup := ds.byID[c["claim_id"]]; dup {
			t.Fatalf("claims.csv: duplicate claim_id %s", c["claim_id"])
		}
		ds.byID[c["claim_id"]] = c
		ds.byPat[c["patient_id"]] = append(ds.byPat[c["patient_id"]], c)
	}
	ds.truth = readTruth(t, dir)
	return ds
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.DateTime, s)
	if err != nil {
		t.Fatalf("bad time %q: %v", s, err)
	}
	return v
}

func parseDate(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("bad date %q: %v", s, err)
	}
	return v
}

func diagnosisByCode(code string) *diagnosis {
	for i := range diagnosisTable {
		if diagnosisTable[i].code == code {
			return &diagnosisTable[i]
		}
	}
	return nil
}

// fitsOwner applies the documented rule: the diagnosis fits the card owner's sex and age in
// whole years at the claim date.
func (ds *dataset) fitsOwner(t *testing.T, c map[string]string) bool {
	t.Helper()
	d := diagnosisByCode(c["diagnosis_code"])
	if d == nil {
		return true
	}
	p := ds.patients[c["patient_id"]]
	b := parseDate(t, p["birth_date"])
	at := parseTime(t, c["start_time"])
	age := at.Year() - b.Year()
	if at.Month() < b.Month() || at.Month() == b.Month() && at.Day() < b.Day() {
		age--
	}
	return d.fits(p["sex"][0], age)
}

func TestDeterministic(t *testing.T) {
	cfg := testConfig(42)
	a, b := generate(t, cfg), generate(t, cfg)
	cfg.Seed = 43
	c := generate(t, cfg)
	for _, f := range []string{"patients.csv", "institutions.csv", "pharmacies.csv", "doctors.csv", "claims.csv", "claim_items.csv", "truth.json"} {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
		z, err := os.ReadFile(filepath.Join(c, f))
		if err != nil {
			t.Fatal(err)
		}
		if f != "institutions.csv" && bytes.Equal(x, z) {
			t.Errorf("%s is identical for seeds 42 and 43", f)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	dir := generate(t, testConfig(1))
	want := map[string][]string{
		"patients.csv":     {"patient_id", "name", "sex", "birth_date", "region", "phone", "address", "death_date"},
		"institutions.csv": {"institution_id", "name", "level", "ownership", "region"},
		"pharmacies.csv":   {"pharmacy_id", "name", "region"},
		"doctors.csv":      {"doctor_id", "name", "institution_id", "department"},
		"claims.csv":       {"claim_id", "patient_id", "provider_id", "doctor_id", "claim_type", "start_time", "end_time", "diagnosis_code", "total_amount", "fund_amount", "terminal_id"},
		"claim_items.csv":  {"claim_id", "item_code", "item_name", "category", "quantity", "unit_price", "amount"},
	}
	for f, h := range want {
		got := readTable(t, dir, f, false).header
		if strings.Join(got, ",") != strings.Join(h, ",") {
			t.Errorf("%s header = %v, want %v", f, got, h)
		}
	}
}

func TestReferentialIntegrityAndShapes(t *testing.T) {
	cfg := testConfig(3)
	ds := load(t, generate(t, cfg))
	if len(ds.patients) != cfg.Patients {
		t.Fatalf("patients = %d, want %d", len(ds.patients), cfg.Patients)
	}
	mean := float64(len(ds.claims)) / float64(cfg.Patients)
	if mean < 7 || mean > 14 {
		t.Errorf("mean claims per patient = %.2f, want about %g", mean, cfg.ClaimsPerPatient)
	}
	for id, d := range ds.docs {
		if len(id) != 13 || id[0] != 'D' {
			t.Errorf("doctor id %q: want D + 12 digits", id)
		}
		if _, ok := ds.insts[d["institution_id"]]; !ok {
			t.Errorf("doctor %s works at unknown institution %q", id, d["institution_id"])
		}
	}
	for id := range ds.insts {
		if len(id) != 12 || !strings.HasPrefix(id, "H53") {
			t.Errorf("institution id %q: want H53 + 9 digits", id)
		}
	}
	types := map[string]int{}
	for _, c := range ds.claims {
		types[c["claim_type"]]++
		if _, ok := ds.patients[c["patient_id"]]; !ok {
			t.Fatalf("claim %s: unknown patient %s", c["claim_id"], c["patient_id"])
		}
		switch c["claim_type"] {
		case "pharmacy":
			if _, ok := ds.pharms[c["provider_id"]]; !ok {
				t.Fatalf("claim %s: unknown pharmacy %s", c["claim_id"], c["provider_id"])
			}
			if c["doctor_id"] != "" {
				t.Errorf("pharmacy claim %s has a doctor", c["claim_id"])
			}
		case "outpatient", "inpatient":
			if _, ok := ds.insts[c["provider_id"]]; !ok {
				t.Fatalf("claim %s: unknown institution %s", c["claim_id"], c["provider_id"])
			}
			d, ok := ds.docs[c["doctor_id"]]
			if !ok {
				t.Fatalf("claim %s: unknown doctor %s", c["claim_id"], c["doctor_id"])
			}
			if d["institution_id"] != c["provider_id"] {
				t.Errorf("claim %s: doctor %s works at %s, not %s", c["claim_id"], c["doctor_id"], d["institution_id"], c["provider_id"])
			}
		default:
			t.Fatalf("claim %s: bad claim_type %q", c["claim_id"], c["claim_type"])
		}
		start := parseTime(t, c["start_time"])
		if start.Before(cfg.From) || start.After(cfg.To.Add(24*time.Hour)) {
			t.Errorf("claim %s starts %v outside the range", c["claim_id"], start)
		}
		if c["claim_type"] == "inpatient" {
			if !parseTime(t, c["end_time"]).After(start) {
				t.Errorf("claim %s: discharge %s not after admission %s", c["claim_id"], c["end_time"], c["start_time"])
			}
		} else if c["end_time"] != "" {
			t.Errorf("claim %s: end_time on a %s claim", c["claim_id"], c["claim_type"])
		}
		total, err1 := strconv.ParseFloat(c["total_amount"], 64)
		fund, err2 := strconv.ParseFloat(c["fund_amount"], 64)
		if err1 != nil || err2 != nil || total <= 0 || fund < 0 || fund > total {
			t.Errorf("claim %s: amounts %s/%s", c["claim_id"], c["total_amount"], c["fund_amount"])
		}
		if i := strings.IndexByte(c["total_amount"], '.'); i < 0 || len(c["total_amount"])-i != 3 {
			t.Errorf("claim %s: total_amount %q does not have two decimals", c["claim_id"], c["total_amount"])
		}
	}
	for _, k := range []string{"outpatient", "inpatient", "pharmacy"} {
		if types[k] == 0 {
			t.Errorf("no %s claims", k)
		}
	}
	// Every truth member exists.
	for _, group := range append(append([]graph.TruthRing{}, ds.truth.Rings...), ds.truth.Lookalikes...) {
		for _, m := range group.Members {
			if !ds.exists(m) {
				t.Errorf("%s: member %v does not exist", group.ID, m)
			}
		}
	}
	for _, m := range ds.truth.Fraudulent {
		if !ds.exists(m) {
			t.Errorf("fraudulent %v does not exist", m)
		}
	}
}

func (ds *dataset) exists(r graph.Ref) bool {
	var ok bool
	switch r.Type {
	case graph.TypePatient:
		_, ok = ds.patients[r.ID]
	case graph.TypeDoctor:
		_, ok = ds.docs[r.ID]
	case graph.TypeInstitution:
		_, ok = ds.insts[r.ID]
	case graph.TypePharmacy:
		_, ok = ds.pharms[r.ID]
	}
	return ok
}

func TestItemsAddUp(t *testing.T) {
	dir := generate(t, testConfig(5))
	ds := load(t, dir)
	sums := map[string]int64{}
	for _, it := range readTable(t, dir, "claim_items.csv", false).rows {
		if _, ok := ds.byID[it["claim_id"]]; !ok {
			t.Fatalf("item for unknown claim %s", it["claim_id"])
		}
		q, _ := strconv.ParseFloat(it["quantity"], 64)
		u := fen(t, it["unit_price"])
		a := fen(t, it["amount"])
		if int64(q)*u != a || a <= 0 {
			t.Fatalf("item %v: quantity × unit_price ≠ amount", it)
		}
		sums[it["claim_id"]] += a
	}
	for _, c := range ds.claims {
		if sums[c["claim_id"]] != fen(t, c["total_amount"]) {
			t.Fatalf("claim %s: items sum to %d fen, total is %s", c["claim_id"], sums[c["claim_id"]], c["total_amount"])
		}
	}
}

func fen(t *testing.T, s string) int64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad amount %q", s)
	}
	return int64(graph.FromYuan(v))
}

func TestPlantedPatternsPresent(t *testing.T) {
	cfg := testConfig(11)
	ds := load(t, generate(t, cfg))
	kinds := map[string]int{}
	for _, r := range ds.truth.Rings {
		kinds[r.Kind]++
		var pats []string
		for _, m := range r.Members {
			if m.Type == graph.TypePatient {
				pats = append(pats, m.ID)
			}
		}
		if len(pats) == 0 || r.Members[0].Type != graph.TypePatient {
			t.Fatalf("%s: members must start with patients: %v", r.ID, r.Members)
		}
		switch r.Kind {
		case graph.KindCollusionRing:
			if len(pats) < cfg.RingSizeMin && len(pats) < 2 || len(pats) > cfg.RingSizeMax {
				t.Errorf("%s: %d members outside %d..%d", r.ID, len(pats), cfg.RingSizeMin, cfg.RingSizeMax)
			}
			// The members co-visit the ring's provider: some pair is there within two days of
			// each other on at least 3 occasions (sessions may be spread over two or three days).
			if got := ds.maxPairCoVisitDays(t, pats, r.Providers[0].ID); got < 3 {
				t.Errorf("%s: best pair co-visits %s on %d occasions, want ≥ 3", r.ID, r.Providers[0].ID, got)
			}
		case graph.KindCardLending:
			for _, p := range pats {
				if !ds.lentCardEvidence(t, p) {
					t.Errorf("%s: card %s has no claim that misfits its owner, overlaps a stay, or shares a session with another lent card", r.ID, p)
				}
			}
		case graph.KindPharmacyCardCollection:
			ph := r.Providers[0].ID
			if r.Providers[0].Type != graph.TypePharmacy {
				t.Fatalf("%s: provider %v is not a pharmacy", r.ID, r.Providers[0])
			}
			if got := ds.maxBurst(ph); got < 4 {
				t.Errorf("%s: largest burst on one terminal within 30 minutes has %d cards, want ≥ 4", r.ID, got)
			}
		case graph.KindDeceasedClaims:
			p := ds.patients[pats[0]]
			if p["death_date"] == "" {
				t.Fatalf("%s: patient %s has no death_date", r.ID, pats[0])
			}
			death := parseDate(t, p["death_date"]).Add(24 * time.Hour)
			after := 0
			for _, c := range ds.byPat[pats[0]] {
				if !parseTime(t, c["start_time"]).Before(death) {
					after++
				}
			}
			if after == 0 {
				t.Errorf("%s: no claim after death on %s", r.ID, p["death_date"])
			}
		default:
			t.Errorf("%s: unknown kind %q", r.ID, r.Kind)
		}
	}
	for _, k := range []string{graph.KindCollusionRing, graph.KindCardLending, graph.KindPharmacyCardCollection, graph.KindDeceasedClaims} {
		if kinds[k] == 0 {
			t.Errorf("no %s planted", k)
		}
	}
	look := map[string]int{}
	for _, l := range ds.truth.Lookalikes {
		look[l.Kind]++
	}
	for _, k := range []string{LookalikeHousehold, LookalikeChronicClinic, LookalikeWorkplaceCheckup, LookalikePharmacyRush, LookalikeCodingError, LookalikeProxyPurchase, LookalikeDialysisShift, LookalikeTherapyCourse} {
		if look[k] == 0 {
			t.Errorf("no %s look-alike planted", k)
		}
	}
	for _, l := range ds.truth.Lookalikes {
		switch l.Kind {
		case LookalikeCodingError:
			misfit := 0
			for _, c := range ds.byPat[l.Members[0].ID] {
				if !ds.fitsOwner(t, c) {
					misfit++
				}
			}
			if misfit != 1 {
				t.Errorf("%s: %d misfit claims, want exactly 1", l.ID, misfit)
			}
		case LookalikeProxyPurchase:
			if !ds.lentCardEvidence(t, l.Members[0].ID) {
				t.Errorf("%s: no purchase during the stay", l.ID)
			}
		case LookalikeDialysisShift:
			var pats []string
			for _, m := range l.Members {
				if m.Type == graph.TypePatient {
					pats = append(pats, m.ID)
				}
			}
			sessions := 0
			for _, c := range ds.byPat[pats[0]] {
				if c["diagnosis_code"] == "N18.5" && c["provider_id"] == l.Providers[0].ID {
					sessions++
				}
			}
			if sessions < 20 {
				t.Errorf("%s: %d dialysis sessions for %s, want three a week", l.ID, sessions, pats[0])
			}
			if len(pats) >= 2 && ds.maxPairCoVisitDays(t, pats, l.Providers[0].ID) < 20 {
				t.Errorf("%s: shift members rarely co-visit", l.ID)
			}
		}
	}
	// Households share an address and co-visit.
	for _, l := range ds.truth.Lookalikes {
		if l.Kind != LookalikeHousehold {
			continue
		}
		var addr string
		for _, m := range l.Members {
			if m.Type != graph.TypePatient {
				continue
			}
			a := ds.patients[m.ID]["address"]
			if addr == "" {
				addr = a
			} else if a != addr {
				t.Errorf("%s: members live at different addresses", l.ID)
			}
		}
	}
}

// maxPairCoVisitDays returns the largest number of distinct days of one patient at provider
// on which another patient of the group was there too, within two days.
func (ds *dataset) maxPairCoVisitDays(t *testing.T, pats []string, provider string) int {
	days := make([]map[int]bool, len(pats))
	for i, p := range pats {
		days[i] = map[int]bool{}
		for _, c := range ds.byPat[p] {
			if c["provider_id"] == provider {
				days[i][int(parseTime(t, c["start_time"]).Unix()/86400)] = true
			}
		}
	}
	best := 0
	for i := range pats {
		for j := range pats {
			if i == j {
				continue
			}
			n := 0
			for d := range days[i] {
				if days[j][d] || days[j][d-1] || days[j][d+1] || days[j][d-2] || days[j][d+2] {
					n++
				}
			}
			best = max(best, n)
		}
	}
	return best
}

// lentCardEvidence reports whether a lent card shows one of the documented signals.
func (ds *dataset) lentCardEvidence(t *testing.T, pid string) bool {
	cs := ds.byPat[pid]
	for _, c := range cs {
		if !ds.fitsOwner(t, c) {
			return true
		}
	}
	for _, s := range cs {
		if s["claim_type"] != "inpatient" {
			continue
		}
		a, b := parseTime(t, s["start_time"]), parseTime(t, s["end_time"])
		for _, c := range cs {
			at := parseTime(t, c["start_time"])
			if c["provider_id"] != s["provider_id"] && at.After(a) && at.Before(b) {
				return true
			}
		}
	}
	// Multi-card borrowers: another lent card at the same provider within 15 minutes.
	for _, r := range ds.truth.Rings {
		if r.Kind != graph.KindCardLending {
			continue
		}
		for _, m := range r.Members {
			if m.Type != graph.TypePatient || m.ID == pid {
				continue
			}
			for _, c := range cs {
				for _, o := range ds.byPat[m.ID] {
					if o["provider_id"] == c["provider_id"] {
						dt := parseTime(t, o["start_time"]).Sub(parseTime(t, c["start_time"]))
						if dt > -15*time.Minute && dt < 15*time.Minute {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// maxBurst returns the most distinct cards swiped on one terminal of the pharmacy within 30 minutes.
func (ds *dataset) maxBurst(ph string) int {
	type swipe struct {
		at  time.Time
		pat string
	}
	byTerm := map[string][]swipe{}
	for _, c := range ds.claims {
		if c["provider_id"] == ph {
			at, _ := time.Parse(time.DateTime, c["start_time"])
			byTerm[c["terminal_id"]] = append(byTerm[c["terminal_id"]], swipe{at, c["patient_id"]})
		}
	}
	best := 0
	for _, ss := range byTerm {
		for _, s := range ss {
			seen := map[string]bool{}
			for _, o := range ss {
				if d := o.at.Sub(s.at); d >= 0 && d < 30*time.Minute {
					seen[o.pat] = true
				}
			}
			best = max(best, len(seen))
		}
	}
	return best
}

// TestHonestClaimsFitTheirPatients checks the property lending detection relies on: only lent
// cards carry diagnoses that do not fit the owner's sex and age, and only deceased-claims cards
// have claims after death.
func TestHonestClaimsFitTheirPatients(t *testing.T) {
	ds := load(t, generate(t, testConfig(8)))
	lent := map[string]bool{}
	dead := map[string]bool{}
	proxy := map[string]bool{}
	for _, l := range ds.truth.Lookalikes {
		switch l.Kind {
		case LookalikeCodingError:
			lent[l.Members[0].ID] = true // a documented honest misfit
		case LookalikeProxyPurchase:
			proxy[l.Members[0].ID] = true
		}
	}
	for _, r := range ds.truth.Rings {
		for _, m := range r.Members {
			if m.Type == graph.TypePatient {
				switch r.Kind {
				case graph.KindCardLending:
					lent[m.ID] = true
				case graph.KindDeceasedClaims:
					dead[m.ID] = true
				}
			}
		}
	}
	misfits, afterDeath, honestDeaths := 0, 0, 0
	for pid, cs := range ds.byPat {
		p := ds.patients[pid]
		var death time.Time
		if p["death_date"] != "" {
			death = parseDate(t, p["death_date"]).Add(24 * time.Hour)
			if !dead[pid] {
				honestDeaths++
			}
		}
		for _, c := range cs {
			if !lent[pid] && !ds.fitsOwner(t, c) {
				misfits++
				t.Errorf("honest claim %s: %s does not fit patient %s (%s, born %s)", c["claim_id"], c["diagnosis_code"], pid, p["sex"], p["birth_date"])
			}
			if !dead[pid] && !death.IsZero() && !parseTime(t, c["start_time"]).Before(death) {
				afterDeath++
				t.Errorf("claim %s of honest patient %s after death %s", c["claim_id"], pid, p["death_date"])
			}
		}
		if !lent[pid] && !proxy[pid] {
			for _, s := range cs {
				if s["claim_type"] != "inpatient" {
					continue
				}
				a, b := parseTime(t, s["start_time"]).Truncate(24*time.Hour), parseTime(t, s["end_time"])
				for _, c := range cs {
					at := parseTime(t, c["start_time"])
					if c["claim_type"] != "inpatient" && !at.Before(a) && at.Before(b) {
						misfits++
						t.Errorf("patient %s: claim %s at %s during stay %s (%s..%s)", pid, c["claim_id"], c["start_time"], s["claim_id"], s["start_time"], s["end_time"])
					}
				}
			}
		}
		if misfits+afterDeath > 5 {
			t.FailNow()
		}
	}
	if honestDeaths == 0 {
		t.Errorf("no honest deaths: the deceased-claims detector would not meet the died-in-hospital edge case")
	}
}

func TestChineseHeadersGB18030(t *testing.T) {
	cfg := testConfig(2)
	cfg.Patients = 500
	cfg.Encoding = "gb18030"
	cfg.Headers = "zh"
	dir := generate(t, cfg)
	raw, err := os.ReadFile(filepath.Join(dir, "patients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("参保人编号")) {
		t.Fatal("patients.csv is UTF-8, want GB18030")
	}
	p := readTable(t, dir, "patients.csv", true)
	if p.header[0] != "参保人编号" || p.header[1] != "姓名" || p.header[7] != "死亡日期" {
		t.Errorf("patients.csv header = %v", p.header)
	}
	c := readTable(t, dir, "claims.csv", true)
	want := []string{"结算单号", "参保人编号"}
	if c.header[0] != want[0] || c.header[1] != want[1] || c.header[8] != "总金额" || c.header[10] != "终端编号" {
		t.Errorf("claims.csv header = %v", c.header)
	}
	if len(p.rows) != cfg.Patients || !strings.HasPrefix(p.rows[0]["住址"], "云南省") {
		t.Errorf("decoded rows look wrong: %d rows, first %v", len(p.rows), p.rows[0])
	}
	if s := p.rows[0]["性别"]; s != "男" && s != "女" {
		t.Errorf("性别 = %q, want 男 or 女", s)
	}
	for _, r := range c.rows {
		if ty := r["就诊类型"]; ty != "门诊" && ty != "住院" && ty != "购药" {
			t.Fatalf("就诊类型 = %q", ty)
		}
	}
}

func TestThinNoItems(t *testing.T) {
	cfg := testConfig(4)
	cfg.Patients = 800
	cfg.Thin = true
	cfg.NoItems = true
	dir := generate(t, cfg)
	if _, err := os.Stat(filepath.Join(dir, "claim_items.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("claim_items.csv written with NoItems")
	}
	if n := len(readTable(t, dir, "pharmacies.csv", false).rows); n != 0 {
		t.Errorf("thin pharmacies.csv has %d rows, want header only", n)
	}
	for _, c := range readTable(t, dir, "claims.csv", false).rows {
		if c["claim_type"] == "pharmacy" {
			t.Fatalf("thin export has a pharmacy claim: %v", c)
		}
	}
	tr := readTruth(t, dir)
	if len(tr.Rings) == 0 {
		t.Errorf("thin export has no planted fraud")
	}
	for _, r := range tr.Rings {
		for _, m := range r.Members {
			if m.Type == graph.TypePharmacy {
				t.Errorf("%s: pharmacy member %s in a thin export", r.ID, m.ID)
			}
		}
	}
	for _, p := range readTable(t, dir, "patients.csv", false).rows {
		if p["phone"] != "" || p["address"] != "" {
			t.Fatalf("thin patient has phone/address: %v", p)
		}
	}
	for _, d := range readTable(t, dir, "doctors.csv", false).rows {
		if d["institution_id"] != "" {
			t.Fatalf("thin doctor has an institution: %v", d)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"no patients", func(c *Config) { c.Patients = 0 }, "patients"},
		{"range reversed", func(c *Config) { c.To = c.From.AddDate(0, 0, -1) }, "to"},
		{"rate above one", func(c *Config) { c.PharmacyCollectionRate = 1.5 }, "pharmacy-collection-rate"},
		{"negative rate", func(c *Config) { c.LendingRate = -0.1 }, "lending-rate"},
		{"ring sizes", func(c *Config) { c.RingSizeMin, c.RingSizeMax = 10, 5 }, "ring-size-min"},
		{"encoding", func(c *Config) { c.Encoding = "latin1" }, "encoding"},
		{"headers", func(c *Config) { c.Headers = "fr" }, "headers"},
		{"regions", func(c *Config) { c.Regions = 99 }, "regions"},
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			if graph.ErrorCode(err) != graph.EINVALID || graph.ErrorField(err) != tc.field {
				t.Errorf("Validate() = %v, want EINVALID on field %s", err, tc.field)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := testConfig(1)
	_, err := Generate(ctx, t.TempDir(), cfg, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Generate on a cancelled context = %v, want context.Canceled", err)
	}
}

// TestEdgeConfigs runs unusual but valid configurations end to end: tiny populations, tiny and
// long date ranges, extreme rates and sizes, every pattern off.
func TestEdgeConfigs(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
	}{
		{"one patient", func(c *Config) { c.Patients = 1 }},
		{"eight regions", func(c *Config) { c.Patients = 60; c.Regions = 8 }},
		{"ten days", func(c *Config) { c.To = c.From.AddDate(0, 0, 9) }},
		{"one day", func(c *Config) { c.To = c.From }},
		{"pairs", func(c *Config) { c.RingSizeMin, c.RingSizeMax = 2, 2 }},
		{"everything planted", func(c *Config) {
			c.RingRate, c.LendingRate, c.DeceasedRate, c.PharmacyCollectionRate = 0.3, 0.2, 0.1, 1
		}},
		{"nothing planted", func(c *Config) {
			c.RingRate, c.LendingRate, c.DeceasedRate, c.PharmacyCollectionRate = 0, 0, 0, 0
			c.HouseholdRate, c.ChronicClinicRate, c.CheckupRate, c.PharmacyRushRate = 0, 0, 0, 0
			c.CodingErrorRate, c.ProxyPurchaseRate, c.DialysisRate, c.TherapyRate = 0, 0, 0, 0
			c.SplitAdmissionRate, c.ChemoRate, c.EarlyReadmissionRate = 0, 0, 0
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Patients = 600
			tc.edit(&c)
			dir := generate(t, c)
			tr := readTruth(t, dir)
			if tc.name == "nothing planted" && (len(tr.Rings) != 0 || len(tr.Leads) != 0 || len(tr.Lookalikes) != 0 || len(tr.Fraudulent) != 0) {
				t.Errorf("rates 0 planted %d rings, %d look-alikes", len(tr.Rings), len(tr.Lookalikes))
			}
			if tc.name == "everything planted" && len(tr.Fraudulent) < 200 {
				t.Errorf("high rates planted only %d fraudulent parties", len(tr.Fraudulent))
			}
		})
	}
}

// TestMessy checks that a messy export carries the mess (BOM, CRLF, re-saved dates, grouped
// amounts, duplicates, rows to reject) and otherwise the same claims as a clean one.
func TestMessy(t *testing.T) {
	cfg := testConfig(6)
	clean := generate(t, cfg)
	cfg.Messy = true
	messy := generate(t, cfg)
	raw, err := os.ReadFile(filepath.Join(messy, "claims.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("\ufeffclaim_id,")) || !bytes.Contains(raw, []byte("\r\n")) {
		t.Fatalf("messy claims.csv lacks a BOM or CRLF: %q", raw[:40])
	}
	want := map[string]bool{}
	for _, c := range readTable(t, clean, "claims.csv", false).rows {
		want[c["claim_id"]] = true
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	slash, grouped, extra := 0, 0, 0
	for _, rec := range recs[1:] {
		id := rec[0]
		if strings.HasSuffix(id, "-R") || strings.HasSuffix(id, "-D") {
			extra++
			continue
		}
		got[id]++
		if strings.Contains(rec[5], "/") {
			slash++
		}
		if strings.Contains(rec[8], ",") {
			grouped++
		}
	}
	dups := 0
	for id, n := range got {
		if !want[id] {
			t.Fatalf("messy claim %s not in the clean export", id)
		}
		dups += n - 1
	}
	if len(got) != len(want) {
		t.Errorf("messy export has %d distinct claims, clean %d", len(got), len(want))
	}
	if slash == 0 || grouped == 0 || dups == 0 || extra == 0 {
		t.Errorf("mess missing: %d slash dates, %d grouped amounts, %d duplicates, %d invalid rows", slash, grouped, dups, extra)
	}
	for _, f := range []string{"truth.json", "claim_items.csv"} {
		a, _ := os.ReadFile(filepath.Join(clean, f))
		b, _ := os.ReadFile(filepath.Join(messy, f))
		if f == "truth.json" && !bytes.Equal(a, b) {
			t.Errorf("truth.json differs between clean and messy exports")
		}
		if f == "claim_items.csv" && !bytes.Equal(bytes.ReplaceAll(bytes.TrimPrefix(b, []byte("\ufeff")), []byte("\r\n"), []byte("\n")), a) {
			t.Errorf("claim_items.csv differs beyond BOM and line endings")
		}
	}
}
