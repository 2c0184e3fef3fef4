package scenarios

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Files written by WriteDir, in the input contract's names (docs/input.md), then the truth.
var Files = []string{"patients.csv", "institutions.csv", "pharmacies.csv", "doctors.csv", "claims.csv", "claim_items.csv", "truth.json"}

// WriteDir writes the scenario into dir (created when missing): the CSV files of the input
// contract and truth.json, and with Config.Rules the rule tables in dir/rules. Each file is
// written as NAME.partial and renamed only when every file is complete, so that a failed run
// leaves no half-written export behind.
func (s *Scenario) WriteDir(dir string) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("out: %w", err)
	}
	if s.cfg.Rules {
		if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
			return fmt.Errorf("out: %w", err)
		}
	}
	var done []string
	defer func() {
		if err != nil {
			for _, f := range done {
				os.Remove(filepath.Join(dir, f+".partial"))
			}
		}
	}()
	write := func(name string, fn func(*bufio.Writer) error) error {
		if name == "claim_items.csv" && s.cfg.NoItems {
			return nil
		}
		f, err := os.Create(filepath.Join(dir, name+".partial"))
		if err != nil {
			return fmt.Errorf("out: %w", err)
		}
		done = append(done, name)
		bw := bufio.NewWriterSize(f, 1<<20)
		err = fn(bw)
		err = errors.Join(err, bw.Flush(), f.Close())
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	s.sortClaims()
	steps := []struct {
		name string
		fn   func(*bufio.Writer) error
	}{
		{"patients.csv", s.writePatients},
		{"institutions.csv", s.writeInstitutions},
		{"pharmacies.csv", s.writePharmacies},
		{"doctors.csv", s.writeDoctors},
		{"claims.csv", s.writeClaims},
		{"claim_items.csv", s.writeItems},
		{"truth.json", s.writeTruth},
	}
	if s.cfg.Rules {
		steps = append(steps, []struct {
			name string
			fn   func(*bufio.Writer) error
		}{{RuleFiles[0], writeCatalogue}, {RuleFiles[1], writePairs}}...)
	}
	for _, st := range steps {
		if err := write(st.name, st.fn); err != nil {
			return err
		}
	}
	for _, f := range done {
		if err := os.Rename(filepath.Join(dir, f+".partial"), filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("out: %w", err)
		}
	}
	if s.cfg.NoItems {
		// A stale items file from an earlier run would refer to claims that no longer exist.
		if err := os.Remove(filepath.Join(dir, "claim_items.csv")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("out: %w", err)
		}
	}
	if !s.cfg.Rules {
		// Nor are stale rule tables this run's.
		for _, f := range RuleFiles {
			if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("out: %w", err)
			}
		}
		os.Remove(filepath.Join(dir, "rules")) // only when empty
	}
	return nil
}

// sortClaims orders claims as an export would (by start time) and numbers them for claim_id:
// the first stage's claims 1, 2, … in export order, then the late stage's claims after them, then
// the billing stage's (so that adding a stage leaves every earlier claim's id as it was). It is
// idempotent.
func (s *Scenario) sortClaims() {
	slices.SortStableFunc(s.claims, func(a, b claim) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.patient, b.patient), cmp.Compare(a.prov, b.prov))
	})
	var n int32
	for st := range numStages {
		for i := range s.claims {
			if s.claims[i].stage == st {
				n++
				s.claims[i].seq = n
			}
		}
	}
}

func (s *Scenario) date(day int) string { return s.cfg.From.AddDate(0, 0, day).Format(time.DateOnly) }

func (s *Scenario) clock(sec int32) string {
	return s.cfg.From.Add(time.Duration(sec) * time.Second).Format(time.DateTime)
}

func yuan(fen int64) string { return strconv.FormatFloat(float64(fen)/100, 'f', 2, 64) }

func (s *Scenario) writePatients(bw *bufio.Writer) error {
	w := csv.NewWriter(bw)
	w.Write([]string{"patient_id", "name", "sex", "birth_date", "region", "phone", "address", "death_date"})
	for i := range s.w.patients {
		p := &s.w.patients[i]
		sex := "男"
		if p.sex == 'F' {
			sex = "女"
		}
		death := ""
		if p.death != noDeath {
			death = s.date(int(p.death))
		}
		w.Write([]string{p.id, p.name, sex, p.birth.Format(time.DateOnly), s.w.regions[p.region].def.code, p.phone, p.address, death})
	}
	w.Flush()
	return w.Error()
}

func (s *Scenario) writeInstitutions(bw *bufio.Writer) error {
	w := csv.NewWriter(bw)
	w.Write([]string{"institution_id", "name", "level", "ownership", "region"})
	for i := range s.w.providers {
		p := &s.w.providers[i]
		if !p.kind.institution() {
			continue
		}
		own := "民营"
		if p.public {
			own = "公立"
		}
		w.Write([]string{p.id, p.name, p.level, own, s.w.regions[p.region].def.code})
	}
	w.Flush()
	return w.Error()
}

func (s *Scenario) writePharmacies(bw *bufio.Writer) error {
	w := csv.NewWriter(bw)
	w.Write([]string{"pharmacy_id", "name", "region"})
	for i := range s.w.providers {
		p := &s.w.providers[i]
		if p.kind.institution() {
			continue
		}
		w.Write([]string{p.id, p.name, s.w.regions[p.region].def.code})
	}
	w.Flush()
	return w.Error()
}

func (s *Scenario) writeDoctors(bw *bufio.Writer) error {
	w := csv.NewWriter(bw)
	w.Write([]string{"doctor_id", "name", "institution_id", "department"})
	for i := range s.w.doctors {
		d := &s.w.doctors[i]
		inst := ""
		if d.prov >= 0 {
			inst = s.w.providers[d.prov].id
		}
		w.Write([]string{d.id, d.name, inst, d.dept})
	}
	w.Flush()
	return w.Error()
}

// claimID numbers claims (in export order, the late stage's after the others; sortClaims) under
// the provider's region code (18 digits).
func (s *Scenario) claimID(i int) string {
	return fmt.Sprintf("%s%012d", s.w.regions[s.w.providers[s.claims[i].prov].region].def.code, s.claims[i].seq)
}

func (s *Scenario) writeClaims(bw *bufio.Writer) error {
	w := csv.NewWriter(bw)
	w.Write([]string{"claim_id", "patient_id", "provider_id", "doctor_id", "claim_type", "start_time", "end_time", "diagnosis_code", "total_amount", "fund_amount", "terminal_id"})
	row := make([]string, 11)
	for i := range s.claims {
		c := &s.claims[i]
		row[0] = s.claimID(i)
		row[1] = s.w.patients[c.patient].id
		row[2] = s.w.providers[c.prov].id
		row[3] = ""
		if c.doctor >= 0 {
			row[3] = s.w.doctors[c.doctor].id
		}
		row[4] = claimLabels[c.label]
		row[5] = s.clock(c.start)
		row[6] = ""
		if c.typ == ctInpatient {
			row[6] = s.clock(c.end)
		}
		row[7] = ""
		if c.dx >= 0 {
			row[7] = diagTable[c.dx].code
		}
		row[8] = yuan(c.total)
		row[9] = yuan(min(c.fund, c.total))
		row[10] = fmt.Sprintf("T%02d", c.term)
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}

// itemLine is one claim_items.csv row before formatting.
type itemLine struct {
	it  catalogueItem
	qty int64
}

func (s *Scenario) writeItems(bw *bufio.Writer) error {
	w := csv.NewWriter(bw)
	w.Write([]string{"claim_id", "item_code", "item_name", "category", "quantity", "unit_price", "amount"})
	// Each later stage's claims draw their lines from a stream of their own, so that the earlier
	// claims' lines do not change when later claims are interleaved with them; the billing
	// stage's lines were drawn when its claims were planted and draw nothing here.
	rngs := [numStages]*rand.Rand{stream(s.cfg.Seed, "items"), stream(s.cfg.Seed, "items/late"), stream(s.cfg.Seed, "items/billing")}
	var lines []itemLine
	row := make([]string, 7)
	for i := range s.claims {
		c := &s.claims[i]
		id := s.claimID(i)
		if c.items == itemsExplicit {
			// Written as planted: each line's unit price and quantity as drawn, the claim's total
			// their sum (gen.billed).
			for _, l := range s.lines[c.key()] {
				row[0], row[1], row[2], row[3] = id, l.it.code, l.it.name, l.it.category
				row[4] = strconv.FormatInt(l.qty, 10)
				row[5] = yuan(l.it.price)
				row[6] = yuan(l.it.price * l.qty)
				w.Write(row)
			}
			continue
		}
		lines = s.itemsFor(rngs[c.stage], c, lines[:0])
		rest := c.total
		for k, l := range lines {
			amount := l.it.price * l.qty
			qty := l.qty
			unit := l.it.price
			if k == len(lines)-1 {
				// The last line takes what the fixed-price lines leave, so the items add up to the
				// claim's total.
				amount = rest
				qty = 1
				if l.it.price > 0 {
					qty = max(1, int64(math.Round(float64(rest)/float64(l.it.price))))
				}
				unit = int64(math.Round(float64(rest) / float64(qty)))
			}
			rest -= amount
			row[0], row[1], row[2], row[3] = id, l.it.code, l.it.name, l.it.category
			row[4] = strconv.FormatInt(qty, 10)
			row[5] = yuan(unit)
			row[6] = yuan(amount)
			w.Write(row)
		}
	}
	w.Flush()
	return w.Error()
}

// itemsFor draws the lines of claim c by its item profile; the last line is the flexible one
// (a drug or the main service) whose amount makes the total. Fixed lines that would exceed the
// total are dropped.
func (s *Scenario) itemsFor(rng *rand.Rand, c *claim, out []itemLine) []itemLine {
	drug := func() catalogueItem {
		if ds := drugsFor[int(c.dx)]; c.dx >= 0 && len(ds) > 0 {
			if rng.Float64() < 0.7 {
				return ds[0]
			}
			return ds[rng.IntN(len(ds))]
		}
		return otcItems[rng.IntN(len(otcItems))]
	}
	exams := []catalogueItem{itemBloodTest, itemUrineTest, itemGlucose, itemECG, itemXRay, itemLiverFn}
	bigExams := []catalogueItem{itemCT, itemUltrasound, itemLiverFn, itemXRay}
	consult := itemConsult
	if k := s.w.providers[c.prov].kind; k == kindTertiary || (k == kindSecondary && rng.Float64() < 0.5) {
		consult = itemConsultExp
	}
	days := int64(max(1, (c.end-c.start+daySec/2)/daySec))
	var flex catalogueItem
	switch c.items {
	case itemsOrdinary:
		out = append(out, itemLine{consult, 1})
		if rng.Float64() < 0.3 {
			out = append(out, itemLine{exams[rng.IntN(len(exams))], 1})
		}
		flex = drug()
		// A larger bill is explained by exams, not by months of one drug.
		all := append(slices.Clone(exams), bigExams...)
		for k := 0; k < 4 && c.total-linesTotal(out) > flex.price*14; k++ {
			e := all[rng.IntN(len(all))]
			if linesTotal(out)+e.price >= c.total-flex.price {
				break
			}
			out = append(out, itemLine{e, 1})
		}
	case itemsInflated:
		out = append(out, itemLine{consult, 1})
		for k := between(rng, 2, 4); k > 0; k-- {
			out = append(out, itemLine{bigExams[rng.IntN(len(bigExams))], 1})
		}
		out = append(out, itemLine{itemInfusion, int64(between(rng, 1, 3))})
		flex = drug()
	case itemsStay:
		out = append(out, itemLine{itemBed, days}, itemLine{itemNursing, days}, itemLine{itemConsult, days},
			itemLine{itemInfusion, days}, itemLine{itemSaline, days * 2}, itemLine{itemCatheter, 1 + days/3})
		all := append(slices.Clone(exams), bigExams...)
		for k := 2 + int(days)/3 + rng.IntN(3); k > 0; k-- {
			out = append(out, itemLine{all[rng.IntN(len(all))], 1})
		}
		out = append(out, itemLine{drug(), days * int64(between(rng, 1, 3))})
		// The expensive injectable that carries the rest of a large bill.
		switch c.dx {
		case dxStroke, dxCHD, dxStrokeSequelae, dxCerebralThrombosis, dxOldMI:
			flex = itemXueshuan
		case dxGastritis, dxGastroenteritis, dxCholecystitis, dxAppendicitis, dxChronicGastritis, dxChronicCholecystitis:
			flex = itemPPIInject
		case dxDelivery, dxHipFracture, dxImplantRemoval:
			flex = itemSurgery
		default:
			flex = itemAlbumin
		}
	case itemsGhostStay:
		// Bed, nursing and daily therapies nobody can check afterwards; no exams.
		out = append(out, itemLine{itemBed, days}, itemLine{itemNursing, days}, itemLine{itemConsult, days},
			itemLine{[]catalogueItem{itemElectro, itemAcupunct, itemMassage, itemRehab}[rng.IntN(4)], days})
		flex = drug()
	case itemsDialysis:
		out = append(out, itemLine{itemDialyser, 1}, itemLine{itemHeparin, 1})
		flex = itemDialysis
	case itemsRehab:
		if rng.Float64() < 0.5 {
			out = append(out, itemLine{itemElectro, 1})
		}
		flex = []catalogueItem{itemRehab, itemAcupunct, itemMassage}[rng.IntN(3)]
	case itemsCheckup:
		flex = itemCheckupPkg
	case itemsVaccine:
		out = append(out, itemLine{itemVaccineAdm, 1}, itemLine{itemSyringe, 1})
		flex = itemChildCheck
	case itemsOTC:
		for k := rng.IntN(3); k > 0; k-- {
			out = append(out, itemLine{otcItems[rng.IntN(len(otcItems))], 1})
		}
		// The line that carries the rest is a pack of medicine, not a box of masks.
		for flex = otcItems[rng.IntN(len(otcItems))]; flex.price < 1000; flex = otcItems[rng.IntN(len(otcItems))] {
		}
	case itemsRefill:
		flex = drug()
		if ds := drugsFor[int(c.dx)]; c.dx >= 0 && len(ds) > 1 && rng.Float64() < 0.6 {
			// Two drugs of the regimen, a month's supply each.
			other := ds[0]
			if other == flex {
				other = ds[1]
			}
			out = append(out, itemLine{other, int64(between(rng, 1, 4))})
		}
	case itemsGoods:
		if rng.Float64() < 0.4 {
			out = append(out, itemLine{goodsOnCard[rng.IntN(len(goodsOnCard))], 1})
		}
		flex = goodsOnCard[rng.IntN(len(goodsOnCard))]
	case itemsSurgery:
		out = append(out, itemLine{consult, 1}, itemLine{itemCT, 1}, itemLine{itemBloodTest, 1}, itemLine{itemSyringe, 4})
		if c.typ == ctInpatient {
			out = append(out, itemLine{itemBed, days}, itemLine{itemNursing, days})
		}
		flex = itemSurgery
	case itemsChemo:
		out = append(out, itemLine{itemBed, days}, itemLine{itemNursing, days}, itemLine{itemConsult, days},
			itemLine{itemBloodTest, 1}, itemLine{itemLiverFn, 1}, itemLine{itemInfusion, days}, itemLine{itemSaline, days * 2},
			itemLine{itemAntiemetic, days})
		var ok bool
		if flex, ok = chemoDrugs[int(c.dx)]; !ok {
			// Z51.1 names the session, not the cancer: any of the regimens' drugs.
			flex = []catalogueItem{chemoDrugs[dxLungCancer], chemoDrugs[dxBreastCancer], chemoDrugs[dxColonCancer]}[rng.IntN(3)]
		}
	case itemsRehabStay:
		out = append(out, itemLine{itemBed, days}, itemLine{itemNursing, days}, itemLine{itemConsult, days},
			itemLine{itemRehab, days}, itemLine{itemElectro, days})
		if rng.Float64() < 0.5 {
			out = append(out, itemLine{itemAcupunct, days})
		}
		flex = itemRehabTraining
		if c.dx == dxStrokeSequelae {
			flex = itemXueshuan
		}
	default:
		flex = drug()
	}
	// Drop fixed lines from the end until they leave a positive amount for the flexible line.
	for len(out) > 0 && linesTotal(out) >= c.total {
		out = out[:len(out)-1]
	}
	return append(out, itemLine{flex, 1})
}

func linesTotal(ls []itemLine) int64 {
	var sum int64
	for _, l := range ls {
		sum += l.it.price * l.qty
	}
	return sum
}

func (s *Scenario) writeTruth(bw *bufio.Writer) error {
	b, err := json.MarshalIndent(s.truth, "", " ")
	if err != nil {
		return err
	}
	bw.Write(b)
	return bw.WriteByte('\n')
}
