package billing

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Kind is the findings kind of billing-line leads.
const Kind = graph.KindBillingRule

// Rule codes of hits, with their Chinese names.
const (
	RulePrice       = "price_over_limit"   // 超标准收费
	RuleSex         = "sex_mismatch"       // 项目与性别不符
	RuleAge         = "age_out_of_range"   // 项目与年龄不符
	RuleQtyPerClaim = "quantity_per_claim" // 单次超量
	RuleQtyPerDay   = "quantity_per_day"   // 单日超量、重复收费
	RuleBundle      = "unbundled"          // 分解收费: an included item billed beside its bundle
	RulePair        = "exclusive_pair"     // 互斥项目同日收费
	RuleHighValue   = "high_value"         // 高值耗材 line listed for review
)

var ruleNames = map[string][2]string{
	RulePrice: {"超标准收费", "price above the catalogue limit"}, RuleSex: {"项目与性别不符", "item for the other sex"},
	RuleAge: {"项目与年龄不符", "item outside its age range"}, RuleQtyPerClaim: {"单次超量", "quantity above the per-claim limit"},
	RuleQtyPerDay: {"单日超量或重复收费", "quantity above the per-day limit (repeated charge)"}, RuleBundle: {"分解收费", "item already included in a bundle billed the same day"},
	RulePair: {"互斥项目同日收费", "items never billed together billed the same day"}, RuleHighValue: {"高值耗材", "high-value consumable"},
}

// leadScore is the confidence of a lead per rule: rules that compare a line with a fixed table
// value are near-certain; quantity limits leave room for documented exceptions.
var leadScore = map[string]float64{RulePrice: 0.9, RuleSex: 0.95, RuleAge: 0.9, RuleBundle: 0.85, RulePair: 0.85, RuleQtyPerClaim: 0.7, RuleQtyPerDay: 0.7}

// LineRef names one billing line.
type LineRef struct {
	Claim string `json:"claim_id"`
	Seq   int    `json:"seq"`
}

// Hit is one rule firing: the rule row, the lines it fired on and the amount at stake.
type Hit struct {
	Rule     string `json:"rule"`
	RuleName string `json:"rule_name"` // 简体中文
	RuleFile string `json:"rule_file"`
	RuleLine int    `json:"rule_line"`
	Item     string `json:"item_code"`
	Other    string `json:"other_item_code,omitempty"` // the bundle or the pair's other item
	Patient  string `json:"patient_id"`
	Provider string `json:"provider_id"`
	// ProviderType is institution or pharmacy.
	ProviderType graph.EntityType `json:"provider_type"`
	Day          string           `json:"day"` // YYYY-MM-DD, China time
	Lines        []LineRef        `json:"lines"`
	AtStake      graph.Money      `json:"at_stake"` // the overcharge, yuan
	Detail       string           `json:"detail"`   // 简体中文, with the numbers
}

// Result is one audit run.
type Result struct {
	RulesVersion string       `json:"rules_version"`
	Lines        int          `json:"lines"` // billing lines read
	Hits         []Hit        `json:"hits"`
	Leads        []graph.Ring `json:"leads"`
}

// Source is what the audit reads.
type Source interface {
	ScanPatients(ctx context.Context, fn func(graph.Patient) error) error
	ScanClaims(ctx context.Context, fn func(graph.Claim) error) error
	ScanClaimItems(ctx context.Context, fn func(graph.ClaimItem) error) error
}

var china = time.FixedZone("CST", 8*3600)

type patientInfo struct {
	sex   string
	birth time.Time
}

type claimInfo struct {
	patient, provider string
	providerType      graph.EntityType
	start             time.Time
	// days is the number of calendar days the claim covers (a stay from admission to
	// discharge, both counted; 1 for a visit): a stay's line bills the bed, nursing or a daily
	// drug for all of them at once, so its daily quantity is its quantity over days.
	days float64
}

// coveredDays returns the calendar days from c's start to its end, both counted (1 without an end).
func coveredDays(c graph.Claim) float64 {
	if c.End.IsZero() || !c.End.After(c.Start) {
		return 1
	}
	y1, m1, d1 := c.Start.In(china).Date()
	y2, m2, d2 := c.End.In(china).Date()
	n := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours()/24 + 1
	return math.Max(1, math.Round(n))
}

type dayKey struct{ patient, day string }

type dayItem struct {
	qty, amount  float64 // amount in fen
	lines        []LineRef
	provider     string
	providerType graph.EntityType
}

// Audit evaluates every rule of rs over every billing line of src. Items of claims that are not
// in the store are skipped. Hits are ordered by day, patient, rule, item; leads group the hits
// of one provider and one rule. Memory grows with the patients, the claims and the billing lines
// of the export (the per-day rules need a patient's lines of one day together).
func Audit(ctx context.Context, src Source, rs RuleSet) (Result, error) {
	res := Result{RulesVersion: rs.Version, Hits: []Hit{}, Leads: []graph.Ring{}}
	pats := map[string]patientInfo{}
	if err := src.ScanPatients(ctx, func(p graph.Patient) error {
		pats[p.ID] = patientInfo{sex: p.Sex, birth: p.BirthDate}
		return nil
	}); err != nil {
		return res, fmt.Errorf("billing audit: patients: %w", err)
	}
	claims := map[string]claimInfo{}
	if err := src.ScanClaims(ctx, func(c graph.Claim) error {
		claims[c.ID] = claimInfo{patient: c.PatientID, provider: c.ProviderID, providerType: c.ProviderType, start: c.Start, days: coveredDays(c)}
		return nil
	}); err != nil {
		return res, fmt.Errorf("billing audit: claims: %w", err)
	}
	days := map[dayKey]map[string]*dayItem{}
	// Lines of items with a per-claim limit, by claim; the scan order of lines is not relied on.
	perClaim := map[string]map[string]*dayItem{}
	err := src.ScanClaimItems(ctx, func(li graph.ClaimItem) error {
		res.Lines++
		ci, ok := claims[li.ClaimID]
		if !ok {
			return nil
		}
		it, listed := rs.Items[li.ItemCode]
		day := ci.start.In(china).Format("2006-01-02")
		ref := LineRef{Claim: li.ClaimID, Seq: li.Seq}
		hit := func(rule string, atStake graph.Money, detail string) {
			res.Hits = append(res.Hits, Hit{Rule: rule, RuleFile: CatalogueFile, RuleLine: it.Line, Item: li.ItemCode, Patient: ci.patient, Provider: ci.provider,
				ProviderType: ci.providerType, Day: day, Lines: []LineRef{ref}, AtStake: atStake, Detail: detail})
		}
		if listed {
			if it.MaxUnitPrice > 0 && li.UnitPrice > it.MaxUnitPrice {
				qty := li.Quantity
				if qty <= 0 {
					qty = 1
				}
				hit(RulePrice, graph.Money(math.Round(float64(li.UnitPrice-it.MaxUnitPrice)*qty)), fmt.Sprintf("限价 %s 元，收费单价 %s 元 × %g", it.MaxUnitPrice, li.UnitPrice, qty))
			}
			p, known := pats[ci.patient]
			if known && it.Sex != "" && p.sex != "" && p.sex != it.Sex {
				hit(RuleSex, li.Amount, fmt.Sprintf("限 %s 性，参保人为 %s 性", zhSex(it.Sex), zhSex(p.sex)))
			}
			if known && !p.birth.IsZero() && (it.MinAge > 0 || it.MaxAge > 0) {
				age := ageAt(p.birth, ci.start)
				if age < it.MinAge || it.MaxAge > 0 && age > it.MaxAge {
					hit(RuleAge, li.Amount, fmt.Sprintf("限 %d–%d 岁，参保人 %d 岁", it.MinAge, it.MaxAge, age))
				}
			}
			if it.HighValue {
				hit(RuleHighValue, 0, fmt.Sprintf("高值耗材 %s 元", li.Amount))
			}
		}
		add := func(m map[string]*dayItem, per float64) {
			agg := m[li.ItemCode]
			if agg == nil {
				agg = &dayItem{provider: ci.provider, providerType: ci.providerType}
				m[li.ItemCode] = agg
			}
			agg.qty += max(li.Quantity, 0) / per
			agg.amount += float64(li.Amount) / per
			agg.lines = append(agg.lines, ref)
		}
		if listed && it.MaxQtyPerClaim > 0 {
			if perClaim[li.ClaimID] == nil {
				perClaim[li.ClaimID] = map[string]*dayItem{}
			}
			add(perClaim[li.ClaimID], 1)
		}
		k := dayKey{ci.patient, day}
		if days[k] == nil {
			days[k] = map[string]*dayItem{}
		}
		// A stay's lines count per day of the stay, on its first day (amounts too, so that the
		// money at stake is one day's excess: the audit's figures stay a lower bound).
		add(days[k], max(ci.days, 1))
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("billing audit: items: %w", err)
	}
	claimIDs := make([]string, 0, len(perClaim))
	for id := range perClaim {
		claimIDs = append(claimIDs, id)
	}
	sort.Strings(claimIDs)
	for _, id := range claimIDs {
		ci := claims[id]
		for code, agg := range perClaim[id] {
			it := rs.Items[code]
			if agg.qty > it.MaxQtyPerClaim+1e-9 {
				excess := agg.qty - it.MaxQtyPerClaim
				res.Hits = append(res.Hits, Hit{Rule: RuleQtyPerClaim, RuleFile: CatalogueFile, RuleLine: it.Line, Item: code, Patient: ci.patient, Provider: ci.provider,
					ProviderType: ci.providerType, Day: ci.start.In(china).Format("2006-01-02"), Lines: agg.lines, AtStake: graph.Money(math.Round(agg.amount / agg.qty * excess)),
					Detail: fmt.Sprintf("单次限量 %g，实际 %g", it.MaxQtyPerClaim, agg.qty)})
			}
		}
	}

	// Per-day rules: quantity per day, bundles, exclusive pairs.
	keys := make([]dayKey, 0, len(days))
	for k := range days {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].day != keys[j].day {
			return keys[i].day < keys[j].day
		}
		return keys[i].patient < keys[j].patient
	})
	for _, k := range keys {
		items := days[k]
		codes := make([]string, 0, len(items))
		for c := range items {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, code := range codes {
			agg, it := items[code], rs.Items[code]
			if it.MaxQtyPerDay > 0 && agg.qty > it.MaxQtyPerDay+1e-9 {
				excess := agg.qty - it.MaxQtyPerDay
				res.Hits = append(res.Hits, Hit{Rule: RuleQtyPerDay, RuleFile: CatalogueFile, RuleLine: it.Line, Item: code, Patient: k.patient, Provider: agg.provider,
					ProviderType: agg.providerType, Day: k.day, Lines: agg.lines, AtStake: graph.Money(math.Round(agg.amount / agg.qty * excess)), Detail: fmt.Sprintf("日限量 %g，当日实际 %g", it.MaxQtyPerDay, agg.qty)})
			}
			for _, inc := range it.Includes {
				part, ok := items[inc]
				if !ok {
					continue
				}
				res.Hits = append(res.Hits, Hit{Rule: RuleBundle, RuleFile: CatalogueFile, RuleLine: it.Line, Item: inc, Other: code, Patient: k.patient, Provider: part.provider,
					ProviderType: part.providerType, Day: k.day, Lines: append(append([]LineRef{}, part.lines...), agg.lines...), AtStake: graph.Money(math.Round(part.amount)),
					Detail: fmt.Sprintf("%s 已含于 %s，另行收费 %s 元", inc, code, graph.Money(math.Round(part.amount)))})
			}
		}
		for _, p := range rs.Pairs {
			a, okA := items[p.A]
			b, okB := items[p.B]
			if !okA || !okB {
				continue
			}
			stake := math.Min(a.amount, b.amount)
			res.Hits = append(res.Hits, Hit{Rule: RulePair, RuleFile: PairsFile, RuleLine: p.Line, Item: p.A, Other: p.B, Patient: k.patient, Provider: b.provider,
				ProviderType: b.providerType, Day: k.day, Lines: append(append([]LineRef{}, a.lines...), b.lines...), AtStake: graph.Money(math.Round(stake)),
				Detail: fmt.Sprintf("%s 与 %s 不得同日收费%s", p.A, p.B, suffix(p.Reason))})
		}
	}
	for i := range res.Hits {
		res.Hits[i].RuleName = ruleNames[res.Hits[i].Rule][0]
	}
	sort.SliceStable(res.Hits, func(i, j int) bool {
		a, b := res.Hits[i], res.Hits[j]
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		if a.Patient != b.Patient {
			return a.Patient < b.Patient
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Item < b.Item
	})
	res.Leads = leads(res.Hits, rs.Version)
	return res, nil
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return "（" + s + "）"
}

func zhSex(s string) string {
	return map[string]string{"M": "男", "F": "女"}[s]
}

// ageAt is the age in whole years on the day of t.
func ageAt(birth, t time.Time) int {
	b, d := birth.In(china), t.In(china)
	age := d.Year() - b.Year()
	if d.Month() < b.Month() || d.Month() == b.Month() && d.Day() < b.Day() {
		age--
	}
	return age
}

// leads groups the hits with money at stake by provider and rule: one lead per provider and rule,
// its members the provider and the patients, its amount the total at stake.
func leads(hits []Hit, version string) []graph.Ring {
	type key struct {
		provider string
		ptype    graph.EntityType
		rule     string
	}
	type group struct {
		hits     int
		lines    int
		amount   graph.Money
		patients map[string]bool
		claims   map[string]bool
		ruleRows map[int]bool
	}
	groups := map[key]*group{}
	for _, h := range hits {
		if _, scored := leadScore[h.Rule]; !scored || h.AtStake <= 0 {
			continue
		}
		k := key{h.Provider, h.ProviderType, h.Rule}
		g := groups[k]
		if g == nil {
			g = &group{patients: map[string]bool{}, claims: map[string]bool{}, ruleRows: map[int]bool{}}
			groups[k] = g
		}
		g.hits++
		g.lines += len(h.Lines)
		g.amount += h.AtStake
		g.patients[h.Patient] = true
		g.ruleRows[h.RuleLine] = true
		for _, l := range h.Lines {
			g.claims[l.Claim] = true
		}
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if groups[keys[i]].amount != groups[keys[j]].amount {
			return groups[keys[i]].amount > groups[keys[j]].amount
		}
		if keys[i].provider != keys[j].provider {
			return keys[i].provider < keys[j].provider
		}
		return keys[i].rule < keys[j].rule
	})
	out := make([]graph.Ring, 0, len(keys))
	for i, k := range keys {
		g := groups[k]
		members := []graph.Ref{{Type: k.ptype, ID: k.provider}}
		pids := make([]string, 0, len(g.patients))
		for p := range g.patients {
			pids = append(pids, p)
		}
		sort.Strings(pids)
		for _, p := range pids {
			members = append(members, graph.Ref{Type: graph.TypePatient, ID: p})
		}
		rows := make([]int, 0, len(g.ruleRows))
		for r := range g.ruleRows {
			rows = append(rows, r)
		}
		sort.Ints(rows)
		score := leadScore[k.rule]
		names := ruleNames[k.rule]
		out = append(out, graph.Ring{ID: fmt.Sprintf("B%d", i+1), Kind: Kind, Class: graph.ClassLead, Score: score, Members: members,
			Amount: g.amount, ExpectedAmount: graph.Money(math.Round(score * float64(g.amount))), Patients: len(pids), Claims: len(g.claims),
			Reasons: []graph.Reason{{Code: "billing_" + k.rule, Weight: score,
				Text:   fmt.Sprintf("%s：%d 次、%d 条费用明细、%d 张结算单，涉及金额 %s 元（规则表 %s 第 %v 行，版本 %s）", names[0], g.hits, g.lines, len(g.claims), g.amount, ruleFile(k.rule), rows, version),
				TextEN: fmt.Sprintf("%s: %d hits, %d billing lines, %d claims, %s yuan at stake (rule table %s line %v, version %s)", names[1], g.hits, g.lines, len(g.claims), g.amount, ruleFile(k.rule), rows, version),
				Values: map[string]float64{"hits": float64(g.hits), "lines": float64(g.lines), "claims": float64(len(g.claims)), "amount": g.amount.Yuan()}}}})
	}
	return out
}

func ruleFile(rule string) string {
	if rule == RulePair {
		return PairsFile
	}
	return CatalogueFile
}
