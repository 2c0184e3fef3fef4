package algorithms

import "strings"

// diagnosisFit is one rule of who a diagnosis can plausibly belong to: ICD-10 code prefixes
// whose patients must have a given sex and/or fall in an age range. A card used for such a
// diagnosis by someone of the wrong sex or age is the classic sign of 冒名就医 (someone else
// using the card). Sources: ICD-10 chapter XV (O00–O9A pregnancy), chapter XVI (P00–P96
// perinatal), N40–N51 male genital organs, N70–N98 female pelvic organs, C51–C58 / C60–C63
// sex-specific neoplasms, and age-typical chronic conditions.
type diagnosisFit struct {
	prefixes []string
	sex      int8 // 1 male only, 2 female only, 0 any
	minAge   int  // inclusive, −1 for none
	maxAge   int  // inclusive, −1 for none
	zh, en   string
}

var diagnosisFits = []diagnosisFit{
	{prefixes: []string{"O"}, sex: 2, minAge: 12, maxAge: 50, zh: "妊娠/分娩相关诊断", en: "pregnancy/childbirth diagnosis"},
	{prefixes: []string{"Z32", "Z33", "Z34", "Z35", "Z36", "Z37", "Z39"}, sex: 2, minAge: 12, maxAge: 50, zh: "孕产期保健", en: "pregnancy care"},
	// Chinese paediatrics (儿科) ends at 14.
	{prefixes: []string{"Z00.1", "Z001", "Z76.1", "Z761", "Z76.2", "Z762", "Z38"}, sex: 0, minAge: -1, maxAge: 14, zh: "儿童健康检查", en: "child health examination"},
	{prefixes: []string{"N91", "N92.0", "N92.1", "N92.2", "N92.3", "N920", "N921", "N922", "N923", "N94.6", "N946"}, sex: 2, minAge: 9, maxAge: 55, zh: "月经异常", en: "menstrual disorder"},
	{prefixes: []string{"C51", "C52", "C53", "C54", "C55", "C56", "C57", "C58", "D25", "D26", "D27", "N70", "N71", "N72", "N73", "N74", "N75", "N76", "N77", "N80", "N81", "N82", "N83", "N84", "N85", "N86", "N87", "N88", "N89", "N90", "N91", "N92", "N93", "N94", "N95", "N96", "N97", "N98"}, sex: 2, minAge: -1, maxAge: -1, zh: "女性生殖系统诊断", en: "female genital diagnosis"},
	{prefixes: []string{"C60", "C61", "C62", "C63", "N40", "N41", "N42", "N43", "N44", "N45", "N46", "N47", "N48", "N49", "N50", "N51"}, sex: 1, minAge: -1, maxAge: -1, zh: "男性生殖系统诊断", en: "male genital diagnosis"},
	{prefixes: []string{"P"}, sex: 0, minAge: -1, maxAge: 1, zh: "围生期诊断", en: "perinatal diagnosis"},
	{prefixes: []string{"N40", "C61"}, sex: 1, minAge: 40, maxAge: -1, zh: "前列腺增生/前列腺癌", en: "prostate hyperplasia/cancer"},
	{prefixes: []string{"G30", "F00", "F01", "F03"}, sex: 0, minAge: 40, maxAge: -1, zh: "老年痴呆", en: "dementia"},
	{prefixes: []string{"I10", "I11", "I12", "I13", "I15", "I20", "I21", "I22", "I25", "E11", "M15", "M16", "M17", "M19", "M80", "M81", "H25", "I63", "I69", "J44"}, sex: 0, minAge: 14, maxAge: -1, zh: "成人慢性病", en: "adult chronic disease"},
	{prefixes: []string{"N95.1", "N951", "E28.3"}, sex: 2, minAge: 35, maxAge: -1, zh: "绝经期疾病", en: "menopausal disorder"},
}

// misfit returns the rule a diagnosis breaks for a patient of the given sex (0 unknown) and age
// (−1 unknown), or nil.
func misfit(code string, sex int8, age int) *diagnosisFit {
	if code == "" {
		return nil
	}
	for i := range diagnosisFits {
		r := &diagnosisFits[i]
		match := false
		for _, pfx := range r.prefixes {
			if strings.HasPrefix(code, pfx) {
				match = true
				break
			}
		}
		if !match {
			continue
		}
		if r.sex != 0 && sex != 0 && sex != r.sex {
			return r
		}
		if age >= 0 && ((r.minAge >= 0 && age < r.minAge) || (r.maxAge >= 0 && age > r.maxAge)) {
			return r
		}
	}
	return nil
}

// fitCache maps interned diagnosis ids to the rules their code falls under, so that the
// per-claim check does not repeat prefix matching over millions of claims.
type fitCache [][]*diagnosisFit

func newFitCache(d *dataset) fitCache {
	fc := make(fitCache, len(d.diags.strs))
	for i, code := range d.diags.strs {
		for j := range diagnosisFits {
			r := &diagnosisFits[j]
			for _, pfx := range r.prefixes {
				if strings.HasPrefix(code, pfx) {
					fc[i] = append(fc[i], r)
					break
				}
			}
		}
	}
	return fc
}

// misfitID is misfit over a cached diagnosis id (−1 for none).
func (fc fitCache) misfitID(diag int32, sex int8, age int) *diagnosisFit {
	if diag < 0 {
		return nil
	}
	for _, r := range fc[diag] {
		if r.sex != 0 && sex != 0 && sex != r.sex {
			return r
		}
		if age >= 0 && ((r.minAge >= 0 && age < r.minAge) || (r.maxAge >= 0 && age > r.maxAge)) {
			return r
		}
	}
	return nil
}
