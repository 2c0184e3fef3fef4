package scenarios

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
)

// The bureau's rule tables (费用明细审核规则表) for the generator's own catalogue, written as
// rules/catalogue.csv and rules/pairs.csv in the format of docs/billing-rules.md: every code
// the generator bills, its price limit, sex and age limits, quantity limits, high-value flag and
// bundles, and a few mutually exclusive pairs. Honest claims never break them (the limits were
// set from how the honest lines are drawn, write.go and billing.go); the billing-stage fraud
// patterns (billing.go) break them on purpose.

// Items billed only by the billing stage (billing.go): inpatient daily items, anaesthesia,
// packages (打包收费) and what they include, sex- and age-specific items, a second blood
// purification method, implants and an expensive targeted drug.
var (
	itemConsultInpat = catalogueItem{"110300001", "住院诊察费", "诊察费", 2000}
	itemNursing1     = catalogueItem{"120100001", "Ⅰ级护理", "护理费", 4500}
	itemDressing     = catalogueItem{"120200002", "中换药", "治疗费", 2500}
	itemGeneralAnaes = catalogueItem{"330100005", "全身麻醉", "手术费", 80000}
	itemSpinalAnaes  = catalogueItem{"330100004", "椎管内麻醉", "手术费", 50000}
	itemAnaesMonitor = catalogueItem{"330100015", "麻醉中监测", "手术费", 12000}
	itemCholePackage = catalogueItem{"331303014", "腹腔镜胆囊切除术(打包)", "手术费", 680000}
	itemKneePackage  = catalogueItem{"331507013", "人工全膝关节置换术(打包)", "手术费", 1200000}
	itemPCI          = catalogueItem{"330803008", "经皮冠状动脉支架置入术", "手术费", 450000}
	itemAngiography  = catalogueItem{"330803001", "经皮冠状动脉造影术", "手术费", 180000}
	itemBioPanel     = catalogueItem{"250300001", "生化全项(套餐)", "化验费", 18000}
	itemRenalFn      = catalogueItem{"250307001", "肾功能测定", "化验费", 4000}
	itemLipids       = catalogueItem{"250304001", "血脂四项", "化验费", 5000}
	itemPSA          = catalogueItem{"250403012", "前列腺特异性抗原测定(PSA)", "化验费", 6000}
	itemGynExam      = catalogueItem{"311201001", "妇科检查", "检查费", 1500}
	itemObstetricUS  = catalogueItem{"220800002", "产科彩色多普勒超声检查", "检查费", 18000}
	itemNeonatalBili = catalogueItem{"250301010", "新生儿经皮胆红素测定", "化验费", 1000}
	itemGeriatric    = catalogueItem{"311000050", "老年综合评估", "检查费", 8000}
	itemPaedGranules = catalogueItem{"XR05XAA012N001010100000", "小儿氨酚黄那敏颗粒", "西药费", 1200}
	itemHaemofilter  = catalogueItem{"311000007", "血液滤过", "治疗费", 50000}
	itemKneeImplant  = catalogueItem{"C03050101", "人工膝关节假体(全膝)", "卫生材料", 480000}
	itemStent        = catalogueItem{"C03040201", "冠状动脉药物洗脱支架", "卫生材料", 75000}
	itemTrocar       = catalogueItem{"C03010301", "一次性使用腹腔镜穿刺器", "卫生材料", 32000}
	itemOsimertinib  = catalogueItem{"XL01EBA109A001010100000", "甲磺酸奥希替尼片", "西药费", 510000}
)

// itemRule is one row of catalogue.csv.
type itemRule struct {
	it catalogueItem
	// flex: the item can be the flexible line of an item profile (write.go), whose unit price
	// the claim's total sets: below 1.5 × the list price. Its limit is 1.5 × list; a line of
	// fixed price is billed at list and limited to 1.2 × list.
	flex bool
	// maxPrice overrides the limit (fen); noLimit: priced per case (a hospital's operation fee).
	maxPrice int64
	noLimit  bool
	sex      byte // 0 any
	// minAge, maxAge: years on the day of care; 0 none.
	minAge, maxAge int
	// perClaim, perDay: quantity limits; 0 none.
	perClaim, perDay int
	high             bool
	includes         []catalogueItem
}

// limit is the maximum unit price in fen (0: none), rounded up to the jiao.
func (r *itemRule) limit() int64 {
	switch {
	case r.noLimit:
		return 0
	case r.maxPrice > 0:
		return r.maxPrice
	}
	f := 1.2
	if r.flex {
		f = 1.5
	}
	x := int64(float64(r.it.price)*f + 0.999999)
	return (x + 9) / 10 * 10
}

// pairRule is one row of pairs.csv.
type pairRule struct {
	a, b   catalogueItem
	reason string
}

var billingPairs = []pairRule{
	{itemGeneralAnaes, itemSpinalAnaes, "同一次手术只收一种麻醉方式 / one anaesthesia method per operation"},
	{itemNursing1, itemNursing, "同日只收一个护理等级 / one nursing level a day"},
	{itemDialysis, itemHaemofilter, "同日只收一种血液净化方式 / one blood purification a day"},
}

// billingRules is the catalogue, one rule per code, sorted by code.
var billingRules, ruleByCode = buildRules()

func buildRules() ([]itemRule, map[string]int) {
	var rules []itemRule
	add := func(r itemRule) { rules = append(rules, r) }
	// Lines of fixed price in the item profiles.
	for _, it := range []catalogueItem{itemConsult, itemBloodTest, itemUrineTest, itemLiverFn, itemGlucose, itemECG, itemCT,
		itemXRay, itemUltrasound, itemInfusion, itemHeparin, itemElectro, itemVaccineAdm, itemSyringe, itemSaline,
		itemCatheter, itemAntiemetic} {
		add(itemRule{it: it})
	}
	// One consultation fee per visit (a claim is one provider's visit); a patient may see two
	// providers a day, so there is no daily limit.
	add(itemRule{it: itemConsultExp, perClaim: 1})
	// A stay bills its bed and nursing for its days at once (at most one a calendar day); on the
	// day of a transfer the discharging and the admitting hospital both bill the day, hence two.
	add(itemRule{it: itemBed, perDay: 2})
	add(itemRule{it: itemNursing, perDay: 2})
	add(itemRule{it: itemDialyser, perClaim: 1})
	// Flexible lines.
	add(itemRule{it: itemDialysis, flex: true, perClaim: 1, perDay: 1})
	for _, it := range []catalogueItem{itemRehab, itemAcupunct, itemMassage, itemAlbumin, itemXueshuan, itemPPIInject, itemRehabTraining} {
		add(itemRule{it: it, flex: true})
	}
	add(itemRule{it: itemCheckupPkg, maxPrice: 150000, perClaim: 1, perDay: 1, minAge: 16})
	add(itemRule{it: itemChildCheck, maxPrice: 6000, perClaim: 1, perDay: 1, maxAge: 17})
	add(itemRule{it: itemSurgery, noLimit: true})
	// Every drug can be a flexible line. Goods billed under a drug's code (串换) are not listed:
	// the code's row is the drug's.
	sexOf := map[string]byte{drugsFor[dxBPH][0].code: 'M', drugsFor[dxDelivery][0].code: 'F', drugsFor[dxAntenatal][0].code: 'F'}
	var drugs []catalogueItem
	for dx := range numDiag {
		drugs = append(drugs, drugsFor[dx]...)
	}
	drugs = append(drugs, otcItems...)
	for _, dx := range cancerDx {
		drugs = append(drugs, chemoDrugs[dx])
	}
	drugs = append(drugs, goodsOnCard...)
	for _, it := range drugs {
		add(itemRule{it: it, flex: true, sex: sexOf[it.code]})
	}
	// The billing stage's items.
	for _, it := range []catalogueItem{itemAnaesMonitor, itemDressing, itemRenalFn, itemLipids, itemAngiography} {
		add(itemRule{it: it})
	}
	add(itemRule{it: itemConsultInpat, perDay: 1})
	add(itemRule{it: itemNursing1, perDay: 1})
	add(itemRule{it: itemGeneralAnaes, perClaim: 1, perDay: 1})
	add(itemRule{it: itemSpinalAnaes, perClaim: 1, perDay: 1})
	add(itemRule{it: itemPCI, perClaim: 1})
	add(itemRule{it: itemCholePackage, perClaim: 1, perDay: 1, includes: []catalogueItem{itemAnaesMonitor, itemDressing}})
	add(itemRule{it: itemKneePackage, perClaim: 2, includes: []catalogueItem{itemAnaesMonitor, itemDressing}})
	add(itemRule{it: itemBioPanel, perClaim: 1, perDay: 1, includes: []catalogueItem{itemLiverFn, itemGlucose, itemRenalFn, itemLipids}})
	add(itemRule{it: itemPSA, sex: 'M', perClaim: 1})
	add(itemRule{it: itemGynExam, sex: 'F', minAge: 14, perClaim: 1})
	add(itemRule{it: itemObstetricUS, sex: 'F', minAge: 14, maxAge: 55, perClaim: 1})
	add(itemRule{it: itemNeonatalBili, maxAge: 1, perClaim: 1})
	add(itemRule{it: itemGeriatric, minAge: 60, perClaim: 1})
	add(itemRule{it: itemPaedGranules, maxAge: 14})
	add(itemRule{it: itemHaemofilter, perClaim: 1, perDay: 1})
	add(itemRule{it: itemKneeImplant, high: true, perClaim: 2})
	add(itemRule{it: itemStent, high: true, perClaim: 3})
	add(itemRule{it: itemTrocar, high: true, perClaim: 4})
	add(itemRule{it: itemOsimertinib, perClaim: 3})

	// One row per code: the first rule given for it (the honest item's name and price).
	byCode := map[string]int{}
	var out []itemRule
	for _, r := range rules {
		if _, ok := byCode[r.it.code]; ok {
			continue
		}
		byCode[r.it.code] = len(out)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b itemRule) int { return cmp.Compare(a.it.code, b.it.code) })
	for i, r := range out {
		byCode[r.it.code] = i
	}
	return out, byCode
}

// rule returns the catalogue row of an item.
func rule(it catalogueItem) *itemRule {
	i, ok := ruleByCode[it.code]
	if !ok {
		panic("scenarios: item " + it.code + " is not in the catalogue")
	}
	return &billingRules[i]
}

// maxPrice is an item's price limit in fen (0: none).
func maxPrice(it catalogueItem) int64 { return rule(it).limit() }

// RuleFiles are the rule tables WriteDir writes when Config.Rules is set, relative to the output
// directory.
var RuleFiles = []string{"rules/catalogue.csv", "rules/pairs.csv"}

func writeCatalogue(bw *bufio.Writer) error {
	w := csv.NewWriter(bw)
	w.Write([]string{"item_code", "item_name", "max_unit_price", "sex", "min_age", "max_age", "max_qty_per_claim", "max_qty_per_day", "high_value", "includes"})
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	for i := range billingRules {
		r := &billingRules[i]
		price := ""
		if l := r.limit(); l > 0 {
			price = yuan(l)
		}
		sex := ""
		if r.sex != 0 {
			sex = string(r.sex)
		}
		high := "0"
		if r.high {
			high = "1"
		}
		var inc []string
		for _, it := range r.includes {
			inc = append(inc, it.code)
		}
		// The catalogue names the drug, not what a pharmacy printed on a line.
		name, _, _ := strings.Cut(r.it.name, "(礼盒)")
		w.Write([]string{r.it.code, name, price, sex, num(r.minAge), num(r.maxAge), num(r.perClaim), num(r.perDay), high, strings.Join(inc, "|")})
	}
	w.Flush()
	return w.Error()
}

func writePairs(bw *bufio.Writer) error {
	w := csv.NewWriter(bw)
	w.Write([]string{"item_a", "item_b", "reason"})
	for _, p := range billingPairs {
		w.Write([]string{p.a.code, p.b.code, p.reason})
	}
	w.Flush()
	return w.Error()
}
