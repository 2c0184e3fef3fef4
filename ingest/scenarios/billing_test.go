package scenarios_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

// This file audits generated billing lines against the generated rule tables, with a reader and
// an audit written here from the table format (docs/billing-rules.md) alone: the price limit, sex
// and age limits, quantity per claim and per patient and day (a stay's lines spread over every
// calendar day it covers, admission and discharge day both counted), includes (an included item
// billed the same day for the same patient as its package) and mutually exclusive pairs (both
// items for one patient on one day; a stay's lines count on every day it covers).

type catRow struct {
	code, name       string
	maxPrice         float64 // yuan; 0 none
	sex              string  // "M", "F" or ""
	minAge, maxAge   int     // -1 none
	perClaim, perDay float64 // 0 none
	high             bool
	includes         []string
}

type ruleTables struct {
	cat   map[string]*catRow
	pairs [][2]string
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// readRules reads DIR/rules as the format describes it, failing on what a loader would refuse.
func readRules(t *testing.T, dir string) ruleTables {
	t.Helper()
	rows := readCSV(t, filepath.Join(dir, "rules", "catalogue.csv"))
	want := []string{"item_code", "item_name", "max_unit_price", "sex", "min_age", "max_age", "max_qty_per_claim", "max_qty_per_day", "high_value", "includes"}
	if !slices.Equal(rows[0], want) {
		t.Fatalf("catalogue.csv header %v, want %v", rows[0], want)
	}
	num := func(line int, col, s string) float64 {
		if s == "" {
			return 0
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 0 {
			t.Fatalf("catalogue.csv line %d %s: %q", line, col, s)
		}
		return x
	}
	age := func(line int, col, s string) int {
		if s == "" {
			return -1
		}
		return int(num(line, col, s))
	}
	rt := ruleTables{cat: map[string]*catRow{}}
	for i, r := range rows[1:] {
		line := i + 2
		row := &catRow{code: r[0], name: r[1], maxPrice: num(line, "max_unit_price", r[2]), sex: r[3],
			minAge: age(line, "min_age", r[4]), maxAge: age(line, "max_age", r[5]),
			perClaim: num(line, "max_qty_per_claim", r[6]), perDay: num(line, "max_qty_per_day", r[7])}
		switch r[3] {
		case "", "M", "F":
		default:
			t.Fatalf("catalogue.csv line %d: sex %q", line, r[3])
		}
		switch r[8] {
		case "1":
			row.high = true
		case "0":
		default:
			t.Fatalf("catalogue.csv line %d: high_value %q", line, r[8])
		}
		if r[9] != "" {
			row.includes = strings.Split(r[9], "|")
		}
		if row.code == "" || rt.cat[row.code] != nil {
			t.Fatalf("catalogue.csv line %d: item_code %q blank or repeated", line, row.code)
		}
		rt.cat[row.code] = row
	}
	for _, r := range rt.cat {
		for _, c := range r.includes {
			if rt.cat[c] == nil || c == r.code {
				t.Errorf("catalogue.csv: %s includes %q, which is not another row", r.code, c)
			}
		}
	}
	rows = readCSV(t, filepath.Join(dir, "rules", "pairs.csv"))
	if !slices.Equal(rows[0], []string{"item_a", "item_b", "reason"}) {
		t.Fatalf("pairs.csv header %v", rows[0])
	}
	for i, r := range rows[1:] {
		if rt.cat[r[0]] == nil || rt.cat[r[1]] == nil || r[0] == r[1] || r[2] == "" {
			t.Fatalf("pairs.csv line %d: %v", i+2, r)
		}
		rt.pairs = append(rt.pairs, [2]string{r[0], r[1]})
	}
	return rt
}

type exLine struct {
	code        string
	qty, unit   float64
	amount      float64
	claim, line int
}

type exClaim struct {
	id, patient, provider string
	stay                  bool
	from, to              time.Time // days of care
	total                 float64
	lines                 []exLine
}

type export struct {
	sex    map[string]string
	birth  map[string]time.Time
	claims []*exClaim
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s[:10])
	if err != nil {
		panic(err)
	}
	return d
}

func money(t *testing.T, s string) float64 {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("amount %q", s)
	}
	return x
}

func readExport(t *testing.T, dir string) export {
	t.Helper()
	ex := export{sex: map[string]string{}, birth: map[string]time.Time{}}
	for _, r := range readCSV(t, filepath.Join(dir, "patients.csv"))[1:] {
		ex.sex[r[0]] = map[string]string{"男": "M", "女": "F"}[r[2]]
		ex.birth[r[0]] = day(r[3])
	}
	byID := map[string]int{}
	for _, r := range readCSV(t, filepath.Join(dir, "claims.csv"))[1:] {
		c := &exClaim{id: r[0], patient: r[1], provider: r[2], stay: r[4] == "住院", from: day(r[5]), total: money(t, r[8])}
		c.to = c.from
		if r[6] != "" {
			c.to = day(r[6])
		}
		byID[c.id] = len(ex.claims)
		ex.claims = append(ex.claims, c)
	}
	for i, r := range readCSV(t, filepath.Join(dir, "claim_items.csv"))[1:] {
		ci, ok := byID[r[0]]
		if !ok {
			t.Fatalf("claim_items.csv line %d: unknown claim %s", i+2, r[0])
		}
		c := ex.claims[ci]
		c.lines = append(c.lines, exLine{code: r[1], qty: money(t, r[4]), unit: money(t, r[5]), amount: money(t, r[6]), claim: ci, line: len(c.lines) + 1})
	}
	return ex
}

// hit is one broken rule: the rule family, the table row (the item code, or the pair) and the
// claim whose line fired.
type hit struct {
	family, row string
	claim       *exClaim
}

func (h hit) String() string {
	return fmt.Sprintf("%s %s claim %s patient %s provider %s", h.family, h.row, h.claim.id, h.claim.patient, h.claim.provider)
}

func ageOn(birth, d time.Time) int {
	a := d.Year() - birth.Year()
	if d.YearDay() < birth.YearDay() {
		a--
	}
	return a
}

// audit runs the tables over the export.
func audit(rt ruleTables, ex export) []hit {
	var hits []hit
	type pd struct {
		patient, code string
		day           time.Time
	}
	perDay := map[pd]float64{}
	dayClaims := map[pd][]*exClaim{}
	daily := map[string]bool{}
	for _, p := range rt.pairs {
		daily[p[0]], daily[p[1]] = true, true
	}
	for _, r := range rt.cat {
		if r.perDay > 0 || len(r.includes) > 0 {
			daily[r.code] = true
			for _, c := range r.includes {
				daily[c] = true
			}
		}
	}
	for _, c := range ex.claims {
		perClaim := map[string]float64{}
		for _, l := range c.lines {
			r := rt.cat[l.code]
			if r == nil {
				continue
			}
			perClaim[l.code] += l.qty
			if r.maxPrice > 0 && l.unit > r.maxPrice+1e-9 {
				hits = append(hits, hit{"price", l.code, c})
			}
			if r.sex != "" && ex.sex[c.patient] != "" && ex.sex[c.patient] != r.sex {
				hits = append(hits, hit{"sex", l.code, c})
			}
			for _, d := range []time.Time{c.from, c.to} {
				a := ageOn(ex.birth[c.patient], d)
				if (r.minAge >= 0 && a < r.minAge) || (r.maxAge >= 0 && a > r.maxAge) {
					hits = append(hits, hit{"age", l.code, c})
					break
				}
			}
			if !daily[l.code] {
				continue
			}
			n := int(c.to.Sub(c.from).Hours()/24) + 1
			for k := 0; k < n; k++ {
				key := pd{c.patient, l.code, c.from.AddDate(0, 0, k)}
				perDay[key] += l.qty / float64(n)
				if cs := dayClaims[key]; len(cs) == 0 || cs[len(cs)-1] != c {
					dayClaims[key] = append(cs, c)
				}
			}
		}
		for code, q := range perClaim {
			if r := rt.cat[code]; r.perClaim > 0 && q > r.perClaim+1e-9 {
				hits = append(hits, hit{"per_claim", code, c})
			}
		}
	}
	for key, q := range perDay {
		r := rt.cat[key.code]
		if r.perDay > 0 && q > r.perDay+1e-9 {
			for _, c := range dayClaims[key] {
				hits = append(hits, hit{"per_day", key.code, c})
			}
		}
		for _, inc := range r.includes {
			for _, c := range dayClaims[pd{key.patient, inc, key.day}] {
				hits = append(hits, hit{"includes", r.code, c})
			}
		}
	}
	for _, p := range rt.pairs {
		for key, cs := range dayClaims {
			if key.code != p[0] {
				continue
			}
			if other := dayClaims[pd{key.patient, p[1], key.day}]; len(other) > 0 {
				for _, c := range append(slices.Clone(cs), other...) {
					hits = append(hits, hit{"pair", p[0] + "|" + p[1], c})
				}
			}
		}
	}
	// One hit per claim, family and row.
	slices.SortFunc(hits, func(a, b hit) int { return strings.Compare(a.String(), b.String()) })
	return slices.CompactFunc(hits, func(a, b hit) bool { return a.String() == b.String() })
}

// familyOf names the billing pattern that plants each kind of hit.
var familyOf = map[string]string{"price": "overcharge", "includes": "unbundling", "per_day": "duplicate_daily_charge",
	"sex": "sex_or_age_mismatch", "age": "sex_or_age_mismatch", "per_claim": "excessive_quantity", "pair": "mutually_exclusive_pair"}

var billingFraud = []string{"overcharge", "unbundling", "duplicate_daily_charge", "sex_or_age_mismatch", "excessive_quantity", "mutually_exclusive_pair"}
var billingLookalikes = []string{"package_without_components", "two_providers_one_day", "long_stay_daily_bed", "expensive_chronic_refills", "high_value_implants", "priced_at_maximum"}

// TestHonestLinesBreakNoRule: without fraud, no line of any claim — background, every earlier
// look-alike and the billing look-alikes — breaks a rule of the generated tables, over small and
// large worlds, short and long ranges and several seeds.
func TestHonestLinesBreakNoRule(t *testing.T) {
	for _, tc := range []struct {
		patients, days int
		seed           uint64
		look           float64
	}{{20000, 365, 1, 3}, {6000, 1098, 2, 5}, {3000, 120, 3, 1}, {12000, 365, 4, 8}} {
		cfg := scenarios.DefaultConfig(tc.patients, tc.seed)
		cfg.Days, cfg.ScaleFraud, cfg.ScaleLookalike = tc.days, 0, tc.look
		dir, _ := write(t, cfg)
		rt, ex := readRules(t, dir), readExport(t, dir)
		hits := audit(rt, ex)
		for i, h := range hits {
			if i < 10 {
				t.Errorf("%d patients, seed %d: honest line breaks %s", tc.patients, tc.seed, h)
			}
		}
		if len(hits) > 0 {
			t.Errorf("%d patients, seed %d: %d hits on honest lines", tc.patients, tc.seed, len(hits))
		}
		tr := readTruth(t, dir)
		planted := map[string]int{}
		for _, r := range tr.Lookalikes {
			planted[r.Pattern]++
		}
		for _, p := range billingLookalikes {
			if planted[p] == 0 {
				t.Errorf("%d patients, seed %d: look-alike %s not planted", tc.patients, tc.seed, p)
			}
		}
	}
}

// TestBillingLeadsFire: every billing lead's patients carry lines breaking its rule family at its
// provider and no other rule; every hit in the export is on the card of a fraudulent patient
// (the billing leads', or other fraud's: goods billed under drug codes, a delivery on a man's
// card); look-alike members break nothing; every billed code is in the catalogue; each claim's
// lines add up to its total.
func TestBillingLeadsFire(t *testing.T) {
	cfg := scenarios.DefaultConfig(8000, 17)
	cfg.ScaleFraud, cfg.ScaleLookalike = 3, 2
	dir, _ := write(t, cfg)
	rt, ex := readRules(t, dir), readExport(t, dir)
	tr := readTruth(t, dir)
	hits := audit(rt, ex)
	fraud := map[string]bool{}
	for _, r := range tr.Fraudulent {
		if r.Type == graph.TypePatient {
			fraud[r.ID] = true
		}
	}
	type pf struct{ provider, family string }
	hitPatients := map[pf]map[string]bool{}
	familiesOf := map[string]map[string]bool{}
	for _, h := range hits {
		k := pf{h.claim.provider, familyOf[h.family]}
		if hitPatients[k] == nil {
			hitPatients[k] = map[string]bool{}
		}
		hitPatients[k][h.claim.patient] = true
		if familiesOf[h.claim.patient] == nil {
			familiesOf[h.claim.patient] = map[string]bool{}
		}
		familiesOf[h.claim.patient][familyOf[h.family]] = true
		if !fraud[h.claim.patient] {
			t.Errorf("hit on an honest card: %s", h)
		}
	}
	leads := map[string]int{}
	for _, r := range tr.Leads {
		if !slices.Contains(billingFraud, r.Pattern) {
			continue
		}
		leads[r.Pattern]++
		if r.Kind != graph.KindBillingRule || len(r.Providers) != 1 {
			t.Errorf("%s: kind %s, %d providers", r.ID, r.Kind, len(r.Providers))
			continue
		}
		pats := ids(r.Members, graph.TypePatient)
		if len(pats) < 2 {
			t.Errorf("%s: %d patients", r.ID, len(pats))
		}
		got := hitPatients[pf{r.Providers[0].ID, r.Pattern}]
		for _, p := range pats {
			if !got[p] {
				t.Errorf("%s (%s): patient %s has no %s hit at %s", r.ID, r.Note, p, r.Pattern, r.Providers[0].ID)
			}
			for f := range familiesOf[p] {
				if f != r.Pattern {
					t.Errorf("%s: patient %s also breaks a %s rule", r.ID, p, f)
				}
			}
		}
		if !slices.ContainsFunc(tr.Fraudulent, func(f graph.Ref) bool { return f == r.Providers[0] }) {
			t.Errorf("%s: provider %s not fraudulent", r.ID, r.Providers[0].ID)
		}
	}
	for _, p := range billingFraud {
		if leads[p] == 0 {
			t.Errorf("no %s lead planted", p)
		}
	}
	for _, r := range tr.Lookalikes {
		for _, p := range ids(r.Members, graph.TypePatient) {
			if len(familiesOf[p]) > 0 {
				t.Errorf("look-alike %s: patient %s breaks %v", r.ID, p, familiesOf[p])
			}
		}
	}
	for _, c := range ex.claims {
		var sum float64
		for _, l := range c.lines {
			sum += l.amount
			if rt.cat[l.code] == nil {
				t.Fatalf("claim %s bills %s, which is not in the catalogue", c.id, l.code)
			}
		}
		if math.Abs(sum-c.total) > 0.005 || len(c.lines) == 0 {
			t.Fatalf("claim %s: total %.2f, lines %.2f (%d)", c.id, c.total, sum, len(c.lines))
		}
	}
}

// TestBillingLookalikeSignatures: each billing look-alike bills what makes it resemble a
// violation.
func TestBillingLookalikeSignatures(t *testing.T) {
	cfg := scenarios.DefaultConfig(6000, 23)
	cfg.ScaleLookalike = 2
	dir, _ := write(t, cfg)
	rt, ex := readRules(t, dir), readExport(t, dir)
	tr := readTruth(t, dir)
	byPatient := map[string][]*exClaim{}
	for _, c := range ex.claims {
		byPatient[c.patient] = append(byPatient[c.patient], c)
	}
	seen := map[string]bool{}
	for _, r := range tr.Lookalikes {
		if !slices.Contains(billingLookalikes, r.Pattern) {
			continue
		}
		seen[r.Pattern] = true
		provs := append(ids(r.Providers, graph.TypeInstitution), ids(r.Providers, graph.TypePharmacy)...)
		found := false
		for _, p := range ids(r.Members, graph.TypePatient) {
			var cs []*exClaim
			for _, c := range byPatient[p] {
				if slices.Contains(provs, c.provider) {
					cs = append(cs, c)
				}
			}
			for _, c := range cs {
				for _, l := range c.lines {
					row := rt.cat[l.code]
					switch r.Pattern {
					case "package_without_components":
						found = found || len(row.includes) > 0
					case "long_stay_daily_bed":
						found = found || (l.code == "110900001" && l.qty >= 25)
					case "expensive_chronic_refills":
						found = found || (l.unit >= 1000 && l.unit <= row.maxPrice)
					case "high_value_implants":
						found = found || (row.high && l.unit <= row.maxPrice)
					case "priced_at_maximum":
						found = found || math.Abs(l.unit-row.maxPrice) < 0.005
					case "two_providers_one_day":
						for _, o := range cs {
							found = found || (o.provider != c.provider && o.from.Equal(c.from) && strings.HasPrefix(l.code, "1102"))
						}
					}
				}
			}
		}
		if !found {
			t.Errorf("%s (%s): no line with its signature", r.ID, r.Note)
		}
	}
	for _, p := range billingLookalikes {
		if !seen[p] {
			t.Errorf("look-alike %s not planted", p)
		}
	}
}

// TestRulesFlag: Config.Rules off writes no rule tables and removes stale ones.
func TestRulesFlag(t *testing.T) {
	cfg := scenarios.DefaultConfig(1000, 3)
	dir, _ := write(t, cfg)
	for _, f := range scenarios.RuleFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Rules = false
	s, err := scenarios.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "rules")); !os.IsNotExist(err) {
		t.Errorf("rules/ after a run without rules: %v", err)
	}
}
