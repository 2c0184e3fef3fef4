package dataset

import "strings"

// DiagClass is what a diagnosis says about why a patient keeps coming back. Detectors use it to
// explain honest look-alikes by care: a dialysis shift is diagnosed as kidney failure on
// dialysis, a chronic-disease clinic day as hypertension or diabetes, a check-up day as an
// examination without complaint, an accident as injuries.
type DiagClass uint8

// Diagnosis classes (ICD-10 based).
const (
	DiagOther          DiagClass = iota
	DiagDialysis                 // N18.5/N18.6 end-stage kidney disease, Z49 dialysis care, Z99.2 dependence on dialysis
	DiagRehab                    // Z50 rehabilitation procedures
	DiagOncology                 // Z51.0/Z51.1 radiotherapy and chemotherapy sessions
	DiagChronic                  // long-term conditions managed in scheduled visits
	DiagCheckup                  // Z00–Z02, Z10: examinations of people without complaint
	DiagInjury                   // S00–T98, V01–Y98: injuries, poisoning, external causes
	DiagAcuteInfection           // A00–B99, J00–J22, H10, R50, U07: infections that spread through a school or household
)

var chronicPrefixes = []string{
	"I10", "I11", "I12", "I13", "I15", // hypertension
	"E10", "E11", "E12", "E13", "E14", // diabetes
	"E78",                                           // lipid disorders
	"I20", "I25", "I48", "I50", "I63", "I69", "I67", // heart disease, stroke sequelae
	"J44", "J45", // COPD, asthma
	"N18",                      // chronic kidney disease
	"M15", "M16", "M17", "M19", // arthrosis
	"M81", "M80", // osteoporosis
	"F20", "F31", "F32", "F33", "G20", "G40", "G30", // schizophrenia, depression, Parkinson, epilepsy, dementia
	"K74", "B18", // cirrhosis, chronic hepatitis
	"E03", "E05", // thyroid
	"C", // cancer under follow-up
}

// ClassifyDiagnosis returns the class of an ICD-10 code (upper case, dots optional).
func ClassifyDiagnosis(code string) DiagClass {
	c := strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(code)), ".", "")
	switch {
	case c == "":
		return DiagOther
	case strings.HasPrefix(c, "N185") || strings.HasPrefix(c, "N186") || strings.HasPrefix(c, "Z49") || strings.HasPrefix(c, "Z992"):
		return DiagDialysis
	case strings.HasPrefix(c, "Z50"):
		return DiagRehab
	case strings.HasPrefix(c, "Z510") || strings.HasPrefix(c, "Z511") || strings.HasPrefix(c, "Z512"):
		return DiagOncology
	case strings.HasPrefix(c, "Z00") || strings.HasPrefix(c, "Z01") || strings.HasPrefix(c, "Z02") || strings.HasPrefix(c, "Z10"):
		return DiagCheckup
	case c[0] == 'S' || c[0] == 'T' || c[0] == 'V' || c[0] == 'W' || c[0] == 'X' || c[0] == 'Y':
		return DiagInjury
	case c[0] == 'A' || c[0] == 'B' && !strings.HasPrefix(c, "B18") || (c[0] == 'J' && len(c) >= 3 && c[1:3] <= "22"):
		return DiagAcuteInfection
	case strings.HasPrefix(c, "H10") || strings.HasPrefix(c, "R50") || strings.HasPrefix(c, "U07"):
		// conjunctivitis, fever of unknown origin (a child's infection before its name), COVID-19
		return DiagAcuteInfection
	}
	for _, p := range chronicPrefixes {
		if strings.HasPrefix(c, p) {
			return DiagChronic
		}
	}
	return DiagOther
}

// DiagClasses returns the class of every interned diagnosis of d.
func (d *Claims) DiagClasses() []DiagClass {
	out := make([]DiagClass, d.Diags.Len())
	for i, s := range d.Diags.Strs {
		out[i] = ClassifyDiagnosis(s)
	}
	return out
}

// Fit is one rule of who a diagnosis can plausibly belong to: ICD-10 code prefixes whose
// patients must have a given sex and/or fall in an age range. A card used for such a diagnosis
// by someone of the wrong sex or age is the classic sign of 冒名就医 (someone else using the
// card). Sources: ICD-10 chapter XV (O00–O9A pregnancy), chapter XVI (P00–P96 perinatal),
// N40–N51 male genital organs, N70–N98 female pelvic organs, C51–C58 / C60–C63 sex-specific
// neoplasms, and age-typical chronic conditions.
type Fit struct {
	prefixes []string
	sex      int8 // 1 male only, 2 female only, 0 any
	minAge   int  // inclusive, −1 for none
	maxAge   int  // inclusive, −1 for none
	ZH, EN   string
}

var fits = []Fit{
	{prefixes: []string{"O"}, sex: 2, minAge: 12, maxAge: 50, ZH: "妊娠/分娩相关诊断", EN: "pregnancy/childbirth diagnosis"},
	{prefixes: []string{"Z32", "Z33", "Z34", "Z35", "Z36", "Z37", "Z39"}, sex: 2, minAge: 12, maxAge: 50, ZH: "孕产期保健", EN: "pregnancy care"},
	// Chinese paediatrics (儿科) ends at 14.
	{prefixes: []string{"Z00.1", "Z001", "Z76.1", "Z761", "Z76.2", "Z762", "Z38"}, sex: 0, minAge: -1, maxAge: 14, ZH: "儿童健康检查", EN: "child health examination"},
	{prefixes: []string{"N91", "N92.0", "N92.1", "N92.2", "N92.3", "N920", "N921", "N922", "N923", "N94.6", "N946"}, sex: 2, minAge: 9, maxAge: 55, ZH: "月经异常", EN: "menstrual disorder"},
	{prefixes: []string{"C51", "C52", "C53", "C54", "C55", "C56", "C57", "C58", "D25", "D26", "D27", "N70", "N71", "N72", "N73", "N74", "N75", "N76", "N77", "N80", "N81", "N82", "N83", "N84", "N85", "N86", "N87", "N88", "N89", "N90", "N91", "N92", "N93", "N94", "N95", "N96", "N97", "N98"}, sex: 2, minAge: -1, maxAge: -1, ZH: "女性生殖系统诊断", EN: "female genital diagnosis"},
	{prefixes: []string{"C60", "C61", "C62", "C63", "N40", "N41", "N42", "N43", "N44", "N45", "N46", "N47", "N48", "N49", "N50", "N51"}, sex: 1, minAge: -1, maxAge: -1, ZH: "男性生殖系统诊断", EN: "male genital diagnosis"},
	{prefixes: []string{"P"}, sex: 0, minAge: -1, maxAge: 1, ZH: "围生期诊断", EN: "perinatal diagnosis"},
	{prefixes: []string{"N40", "C61"}, sex: 1, minAge: 40, maxAge: -1, ZH: "前列腺增生/前列腺癌", EN: "prostate hyperplasia/cancer"},
	{prefixes: []string{"G30", "F00", "F01", "F03"}, sex: 0, minAge: 40, maxAge: -1, ZH: "老年痴呆", EN: "dementia"},
	{prefixes: []string{"I10", "I11", "I12", "I13", "I15", "I20", "I21", "I22", "I25", "E11", "M15", "M16", "M17", "M19", "M80", "M81", "H25", "I63", "I69", "J44"}, sex: 0, minAge: 14, maxAge: -1, ZH: "成人慢性病", EN: "adult chronic disease"},
	{prefixes: []string{"N95.1", "N951", "E28.3"}, sex: 2, minAge: 35, maxAge: -1, ZH: "绝经期疾病", EN: "menopausal disorder"},
}

// unlikelyFits are conditions of old age that are possible but rare below the age given
// (epidemiologically age-typical: COPD, osteoporosis, coronary heart disease, stroke, hip
// fracture of the femoral neck or trochanter, Parkinson's disease, senile cataract, arthrosis).
// One such claim on a young card proves nothing; several, or an admission for one in another
// region, is the grandparent using the grandchild's card.
var unlikelyFits = []Fit{
	{prefixes: []string{"J44"}, minAge: 40, maxAge: -1, ZH: "慢阻肺", EN: "COPD"},
	{prefixes: []string{"M80", "M81"}, minAge: 45, maxAge: -1, ZH: "骨质疏松", EN: "osteoporosis"},
	{prefixes: []string{"I20", "I21", "I22", "I25"}, minAge: 35, maxAge: -1, ZH: "冠心病", EN: "coronary heart disease"},
	{prefixes: []string{"I63", "I69"}, minAge: 35, maxAge: -1, ZH: "脑卒中及后遗症", EN: "stroke or its sequelae"},
	{prefixes: []string{"S72.0", "S720", "S72.1", "S721", "S72.2", "S722"}, minAge: 50, maxAge: -1, ZH: "髋部骨折", EN: "hip fracture"},
	{prefixes: []string{"G20"}, minAge: 40, maxAge: -1, ZH: "帕金森病", EN: "Parkinson's disease"},
	{prefixes: []string{"H25"}, minAge: 45, maxAge: -1, ZH: "老年性白内障", EN: "senile cataract"},
	{prefixes: []string{"M15", "M16", "M17", "M19"}, minAge: 35, maxAge: -1, ZH: "骨关节病", EN: "arthrosis"},
}

// Unlikely returns the old-age rule diagnosis diag breaks for a patient of age age (−1
// unknown), or nil.
func (fc Fits) Unlikely(diag int32, age int) *Fit {
	if diag < 0 || int(diag) >= len(fc.unlikely) || age < 0 {
		return nil
	}
	if r := fc.unlikely[diag]; r != nil && age < r.minAge {
		return r
	}
	return nil
}

// Fits maps interned diagnosis ids to the rules their code falls under, so that the per-claim
// check does not repeat prefix matching over millions of claims.
type Fits struct {
	rules    [][]*Fit
	unlikely []*Fit
}

// NewFits builds the rule index of d's diagnoses.
func NewFits(d *Claims) Fits {
	fc := Fits{rules: make([][]*Fit, d.Diags.Len()), unlikely: make([]*Fit, d.Diags.Len())}
	for i, code := range d.Diags.Strs {
		for j := range fits {
			r := &fits[j]
			for _, pfx := range r.prefixes {
				if strings.HasPrefix(code, pfx) {
					fc.rules[i] = append(fc.rules[i], r)
					break
				}
			}
		}
		for j := range unlikelyFits {
			r := &unlikelyFits[j]
			for _, pfx := range r.prefixes {
				if strings.HasPrefix(code, pfx) && fc.unlikely[i] == nil {
					fc.unlikely[i] = r
				}
			}
		}
	}
	return fc
}

// Misfit returns the rule diagnosis diag (an interned id, −1 for none) breaks for a patient of
// the given sex (0 unknown) and age (−1 unknown), or nil.
func (fc Fits) Misfit(diag int32, sex int8, age int) *Fit {
	if diag < 0 || int(diag) >= len(fc.rules) {
		return nil
	}
	for _, r := range fc.rules[diag] {
		if r.sex != 0 && sex != 0 && sex != r.sex {
			return r
		}
		if age >= 0 && ((r.minAge >= 0 && age < r.minAge) || (r.maxAge >= 0 && age > r.maxAge)) {
			return r
		}
	}
	return nil
}

// WrongSex reports whether the rule restricts its diagnoses to the other sex than sex (0, unknown,
// never is).
func (f *Fit) WrongSex(sex int8) bool { return f.sex != 0 && sex != 0 && sex != f.sex }
