package synth

// Static tables the generator draws from. Everything here is synthetic but plausible for Yunnan
// (province code 53), the province the project's source regulations come from.

// regionInfo is one pooling region (统筹区): a city or prefecture with its administrative code,
// its relative population and a few districts for addresses and institution names.
type regionInfo struct {
	code      string
	province  string
	city      string
	short     string
	weight    float64 // relative insured population
	districts []string
}

// regionTable is ordered by population; the first region is the provincial capital, where
// cross-region patients (异地就医) go for tertiary care.
var regionTable = []regionInfo{
	{"530100", "云南省", "昆明市", "昆明", 8.5, []string{"五华区", "盘龙区", "官渡区", "西山区", "呈贡区", "安宁市"}},
	{"530300", "云南省", "曲靖市", "曲靖", 5.8, []string{"麒麟区", "沾益区", "马龙区", "宣威市", "陆良县"}},
	{"530600", "云南省", "昭通市", "昭通", 5.1, []string{"昭阳区", "鲁甸县", "镇雄县", "彝良县"}},
	{"532500", "云南省", "红河哈尼族彝族自治州", "红河", 4.5, []string{"蒙自市", "个旧市", "开远市", "弥勒市", "建水县"}},
	{"532900", "云南省", "大理白族自治州", "大理", 3.3, []string{"大理市", "祥云县", "宾川县", "弥渡县"}},
	{"532300", "云南省", "楚雄彝族自治州", "楚雄", 2.4, []string{"楚雄市", "禄丰市", "牟定县", "南华县"}},
	{"530500", "云南省", "保山市", "保山", 2.4, []string{"隆阳区", "腾冲市", "施甸县", "龙陵县"}},
	{"530400", "云南省", "玉溪市", "玉溪", 2.2, []string{"红塔区", "江川区", "澄江市", "通海县"}},
}

var surnames = []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
	"高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田",
	"董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚",
	"卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白",
	"邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺",
	"顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "普", "李",
	"王", "张", "杨", "刘", "陈", "赵", "字", "者", "和", "段", "杨", "李", "张",
}

var givenMale = []string{
	"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "华", "平", "刚", "辉", "鹏", "斌", "宇", "浩",
	"凯", "俊", "帆", "波", "建", "国", "林", "峰", "鑫", "亮", "文", "志", "永", "海", "春", "云", "龙",
	"发", "荣", "贵", "祥", "东", "成", "德", "金", "福", "兴", "昌", "远", "航", "博", "晨", "睿",
}

var givenFemale = []string{
	"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂", "英", "梅", "琳", "婷", "雪", "慧",
	"颖", "倩", "欣", "红", "萍", "兰", "琴", "秀", "凤", "春", "云", "洁", "莉", "瑶", "涵", "怡", "悦",
	"佳", "琪", "彤", "璐", "蓉", "晓", "珍", "仙", "菊", "花", "美", "丹", "月", "露", "娇", "婉",
}

var streets = []string{
	"人民路", "建设路", "解放路", "环城路", "北京路", "青年路", "金碧路", "东风路", "滇池路", "学府路",
	"春城路", "民航路", "幸福路", "团结路", "龙泉路", "白塔路", "新闻路", "穿金路", "前卫路", "广福路",
	"南屏街", "文化巷", "翠湖路", "园通街", "沿河路", "交通路", "振兴路", "迎宾路", "和平路", "兴隆街",
}

var compounds = []string{
	"阳光花园", "金色家园", "翠湖小区", "银海畅园", "世纪城", "佳园小区", "锦苑", "春城花园", "康乐小区",
	"和谐家园", "书香苑", "碧水湾", "东方明珠花园", "滇池卫城", "云岭小区", "新村", "职工宿舍", "福苑",
	"湖畔之梦", "幸福里", "星河城", "紫云青鸟", "泰和园", "长春小区", "绿洲花园",
}

var mobilePrefixes = []string{
	"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
	"157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "186", "187", "188", "189",
	"191", "198", "199",
}

// Pharmacy chain names; independent shops get a made-up name instead.
var pharmacyChains = []string{"一心堂药业", "健之佳连锁药房", "老百姓大药房", "大参林药店", "益丰大药房", "鸿翔一心堂", "圣爱大药房"}

var shopWords = []string{"康宁", "仁和", "济民", "益寿", "百草", "同仁", "安康", "惠民", "德济", "春晖", "福寿", "仁心", "九州", "博爱", "华康", "众生", "泰康", "永安"}

// Level texts (医院等级) as they appear in exports.
const (
	levelTertiaryA  = "三级甲等"
	levelTertiaryB  = "三级乙等"
	levelSecondaryA = "二级甲等"
	levelSecondaryB = "二级乙等"
	levelCommunity  = "社区卫生服务中心"
	levelTownship   = "乡镇卫生院"
	levelClinic     = "诊所"
	levelOutpatient = "门诊部"
	levelPrivateHos = "一级"
)

// Departments (科室).
const (
	deptInternal    = "内科"
	deptSurgery     = "外科"
	deptPaediatrics = "儿科"
	deptObstetrics  = "妇产科"
	deptOrthopaedic = "骨科"
	deptCardiology  = "心血管内科"
	deptEndocrine   = "内分泌科"
	deptRespiratory = "呼吸内科"
	deptGastro      = "消化内科"
	deptNeurology   = "神经内科"
	deptOphthalmic  = "眼科"
	deptENT         = "耳鼻喉科"
	deptDental      = "口腔科"
	deptDerm        = "皮肤科"
	deptEmergency   = "急诊科"
	deptGeneral     = "全科"
	deptTCM         = "中医科"
	deptUrology     = "泌尿外科"
	deptOncology    = "肿瘤科"
	deptRehab       = "康复医学科"
	deptNephrology  = "肾内科"
	deptCheckup     = "体检中心"
)

var tertiaryDepts = []string{
	deptInternal, deptSurgery, deptPaediatrics, deptObstetrics, deptOrthopaedic, deptCardiology,
	deptEndocrine, deptRespiratory, deptGastro, deptNeurology, deptOphthalmic, deptENT, deptDental,
	deptDerm, deptEmergency, deptTCM, deptUrology, deptOncology, deptRehab, deptNephrology, deptCheckup,
}

var secondaryDepts = []string{
	deptInternal, deptSurgery, deptPaediatrics, deptObstetrics, deptOrthopaedic, deptEmergency,
	deptTCM, deptOphthalmic, deptENT, deptDental, deptCheckup,
}

var communityDepts = []string{deptGeneral, deptTCM, deptDental, deptRehab}

var clinicDepts = [][]string{
	{deptGeneral}, {deptInternal}, {deptDental}, {deptTCM}, {deptDerm}, {deptOrthopaedic, deptRehab}, {deptENT},
}

var privateHospitalDepts = []string{deptInternal, deptSurgery, deptOrthopaedic, deptRehab, deptTCM, deptObstetrics}

// diagnosis is one ICD-10 code with the constraints and habits the generator honours: who can
// have it (sex, age at the claim date, inclusive), which department treats it, its season,
// how expensive a visit is relative to the median, and whether it tends to need admission.
type diagnosis struct {
	code     string
	name     string
	sex      byte // 'M', 'F' or 0 for both
	minAge   int
	maxAge   int
	dept     string
	season   int     // 0 none, 1 winter respiratory, 2 summer gastro-intestinal
	cost     float64 // multiplier of the provider's median outpatient amount
	admit    float64 // probability that an acute episode leads to an admission
	stayDays float64 // median length of stay
	drugs    []int   // indices into itemTable of drugs usually prescribed
}

// Indices of diagnoses used by name in the generator.
const (
	dxURTI = iota
	dxBronchitis
	dxPneumonia
	dxPharyngitis
	dxGastroenteritis
	dxGastritis
	dxBackPain
	dxKneeOA
	dxFracture
	dxConjunctivitis
	dxCaries
	dxDermatitis
	dxUTI
	dxBPH
	dxVaginitis
	dxMenorrhagia
	dxDelivery
	dxPregnancy
	dxCheckup
	dxChildCheckup
	dxFever
	dxHypertension
	dxDiabetes
	dxCHD
	dxCOPD
	dxCKD
	dxStroke
	dxGallstones
	dxAppendicitis
	dxLungCancer
	dxDepression
	dxMigraine
	dxNeonatalJaundice
	dxRepeatPrescription
	dxTonsillitis
	dxMyopia
	dxESRD
)

// diagnosisTable lists every code the generator uses. Sex and age bounds are the "fits the
// owner" rule documented in docs/truth.md: honest claims always fit their patient; lent cards
// are planted with codes that do not.
var diagnosisTable = []diagnosis{
	dxURTI:               {"J06.9", "急性上呼吸道感染", 0, 0, 120, deptGeneral, 1, 0.7, 0.002, 3, []int{itAmoxicillin, itLianhua, itIbuprofen}},
	dxBronchitis:         {"J20.9", "急性支气管炎", 0, 0, 120, deptRespiratory, 1, 1.0, 0.02, 5, []int{itAmoxicillin, itAmbroxol}},
	dxPneumonia:          {"J18.9", "肺炎", 0, 0, 120, deptRespiratory, 1, 1.6, 0.35, 8, []int{itCeftriaxone, itAmbroxol}},
	dxPharyngitis:        {"J02.9", "急性咽炎", 0, 0, 120, deptENT, 1, 0.6, 0, 0, []int{itAmoxicillin, itLianhua}},
	dxGastroenteritis:    {"A09", "感染性胃肠炎", 0, 0, 120, deptGastro, 2, 0.8, 0.02, 3, []int{itMontmorillonite, itORS}},
	dxGastritis:          {"K29.7", "胃炎", 0, 12, 120, deptGastro, 0, 1.0, 0.01, 5, []int{itOmeprazole}},
	dxBackPain:           {"M54.5", "腰痛", 0, 16, 120, deptOrthopaedic, 0, 0.9, 0.01, 7, []int{itIbuprofen, itPlaster}},
	dxKneeOA:             {"M17.9", "膝关节病", 0, 40, 120, deptOrthopaedic, 0, 1.1, 0.03, 9, []int{itGlucosamine, itPlaster}},
	dxFracture:           {"S52.5", "桡骨下端骨折", 0, 3, 120, deptOrthopaedic, 0, 2.0, 0.4, 8, []int{itIbuprofen}},
	dxConjunctivitis:     {"H10.9", "结膜炎", 0, 0, 120, deptOphthalmic, 0, 0.5, 0, 0, []int{itEyeDrops}},
	dxCaries:             {"K02.9", "龋病", 0, 3, 120, deptDental, 0, 1.2, 0, 0, nil},
	dxDermatitis:         {"L30.9", "皮炎", 0, 0, 120, deptDerm, 2, 0.6, 0, 0, []int{itCream}},
	dxUTI:                {"N39.0", "尿路感染", 0, 1, 120, deptUrology, 0, 0.8, 0.02, 5, []int{itLevofloxacin}},
	dxBPH:                {"N40", "前列腺增生", 'M', 45, 120, deptUrology, 0, 1.2, 0.05, 7, []int{itTamsulosin}},
	dxVaginitis:          {"N76.0", "急性阴道炎", 'F', 14, 75, deptObstetrics, 0, 0.8, 0, 0, []int{itMetronidazole}},
	dxMenorrhagia:        {"N92.0", "月经过多", 'F', 11, 55, deptObstetrics, 0, 1.0, 0.03, 4, []int{itTranexamic}},
	dxDelivery:           {"O80", "单胎顺产", 'F', 16, 50, deptObstetrics, 0, 3.0, 1, 4, []int{itOxytocin}},
	dxPregnancy:          {"Z34.9", "正常妊娠监督", 'F', 16, 50, deptObstetrics, 0, 1.3, 0, 0, []int{itFolicAcid}},
	dxCheckup:            {"Z00.0", "一般医学检查", 0, 15, 120, deptCheckup, 0, 1.4, 0, 0, nil},
	dxChildCheckup:       {"Z00.1", "儿童常规健康检查", 0, 0, 14, deptPaediatrics, 0, 0.6, 0, 0, nil},
	dxFever:              {"R50.9", "发热", 0, 0, 120, deptPaediatrics, 1, 0.7, 0.01, 3, []int{itIbuprofen}},
	dxHypertension:       {"I10", "特发性高血压", 0, 30, 120, deptCardiology, 0, 1.0, 0.02, 7, []int{itNifedipine, itAmlodipine}},
	dxDiabetes:           {"E11.9", "2型糖尿病", 0, 30, 120, deptEndocrine, 0, 1.1, 0.02, 8, []int{itMetformin, itInsulin}},
	dxCHD:                {"I25.1", "动脉硬化性心脏病", 0, 40, 120, deptCardiology, 0, 1.3, 0.08, 8, []int{itAspirin, itAtorvastatin}},
	dxCOPD:               {"J44.9", "慢性阻塞性肺病", 0, 45, 120, deptRespiratory, 1, 1.2, 0.1, 9, []int{itTiotropium, itAmbroxol}},
	dxCKD:                {"N18.9", "慢性肾脏病", 0, 30, 120, deptNephrology, 0, 1.5, 0.08, 10, []int{itCalcitriol}},
	dxStroke:             {"I63.9", "脑梗死", 0, 45, 120, deptNeurology, 1, 2.0, 0.7, 12, []int{itAspirin, itAtorvastatin}},
	dxGallstones:         {"K80.2", "胆囊结石", 0, 20, 120, deptSurgery, 0, 1.5, 0.3, 7, []int{itOmeprazole}},
	dxAppendicitis:       {"K35.8", "急性阑尾炎", 0, 5, 90, deptSurgery, 0, 2.0, 0.9, 5, []int{itCeftriaxone}},
	dxLungCancer:         {"C34.9", "支气管和肺恶性肿瘤", 0, 40, 120, deptOncology, 0, 4.0, 0.6, 14, []int{itCisplatin}},
	dxDepression:         {"F32.9", "抑郁发作", 0, 12, 120, deptNeurology, 0, 1.1, 0.01, 14, []int{itSertraline}},
	dxMigraine:           {"G43.9", "偏头痛", 0, 8, 120, deptNeurology, 0, 0.9, 0, 0, []int{itIbuprofen}},
	dxNeonatalJaundice:   {"P59.9", "新生儿黄疸", 0, 0, 0, deptPaediatrics, 0, 1.2, 0.3, 4, nil},
	dxRepeatPrescription: {"Z76.0", "重复处方", 0, 0, 120, deptGeneral, 0, 1.0, 0, 0, nil},
	dxTonsillitis:        {"J35.0", "慢性扁桃体炎", 0, 2, 120, deptENT, 1, 0.8, 0.05, 4, []int{itAmoxicillin}},
	dxMyopia:             {"H52.1", "近视", 0, 4, 120, deptOphthalmic, 0, 0.8, 0, 0, nil},
	dxESRD:               {"N18.5", "慢性肾脏病5期", 0, 18, 120, deptNephrology, 0, 1.5, 0, 0, []int{itEPO}},
}

// chronicConditions are the diseases of chronic patients (慢性病/门诊慢特病), with the age from
// which they become common and their prevalence weight among chronic patients.
var chronicConditions = []struct {
	dx     int
	minAge int
	weight float64
}{
	{dxHypertension, 35, 0.45},
	{dxDiabetes, 35, 0.25},
	{dxCHD, 50, 0.10},
	{dxCOPD, 55, 0.08},
	{dxCKD, 45, 0.04},
	{dxKneeOA, 50, 0.05},
	{dxDepression, 18, 0.03},
}

// acuteWeights are the relative frequencies of acute episodes by age band: children, adults,
// older adults.
var acuteWeights = []struct {
	dx       int
	child    float64
	adult    float64
	older    float64
	pharmacy bool // often bought over the counter at a pharmacy instead of a visit
}{
	{dxURTI, 30, 18, 12, true},
	{dxBronchitis, 8, 5, 8, false},
	{dxPneumonia, 3, 1, 4, false},
	{dxPharyngitis, 6, 8, 4, true},
	{dxGastroenteritis, 8, 5, 4, true},
	{dxGastritis, 0, 8, 7, true},
	{dxBackPain, 0, 7, 8, true},
	{dxKneeOA, 0, 1, 5, false},
	{dxFracture, 2, 1, 2, false},
	{dxConjunctivitis, 3, 2, 2, true},
	{dxCaries, 5, 4, 4, false},
	{dxDermatitis, 4, 4, 3, true},
	{dxUTI, 1, 3, 3, false},
	{dxBPH, 0, 1, 4, false},
	{dxVaginitis, 0, 3, 1, false},
	{dxMenorrhagia, 0, 2, 0, false},
	{dxChildCheckup, 6, 0, 0, false},
	{dxCheckup, 0, 3, 4, false},
	{dxFever, 10, 1, 1, true},
	{dxStroke, 0, 0.1, 1, false},
	{dxGallstones, 0, 1, 1.5, false},
	{dxAppendicitis, 0.6, 0.5, 0.2, false},
	{dxLungCancer, 0, 0.05, 0.4, false},
	{dxMigraine, 0.5, 2, 0.5, true},
	{dxTonsillitis, 3, 0.5, 0, false},
	{dxMyopia, 4, 1, 0.3, false},
}

// item is one billable line of the catalogue (医保目录 style codes, synthetic).
type item struct {
	code     string
	name     string
	category string
	price    float64 // typical unit price in yuan
	maxQty   int
}

// Indices into itemTable.
const (
	itAmoxicillin = iota
	itLianhua
	itIbuprofen
	itAmbroxol
	itCeftriaxone
	itMontmorillonite
	itORS
	itOmeprazole
	itPlaster
	itGlucosamine
	itEyeDrops
	itCream
	itLevofloxacin
	itTamsulosin
	itMetronidazole
	itTranexamic
	itOxytocin
	itFolicAcid
	itNifedipine
	itAmlodipine
	itMetformin
	itInsulin
	itAspirin
	itAtorvastatin
	itTiotropium
	itCalcitriol
	itCisplatin
	itSertraline
	itBloodRoutine
	itUrineRoutine
	itXRay
	itCT
	itUltrasound
	itECG
	itBiochem
	itConsult
	itInfusion
	itDressing
	itBedDay
	itNursing
	itSurgery
	itSyringe
	itInfusionSet
	itHealthFood
	itHaemodialysis
	itDialyser
	itEPO
)

var itemTable = []item{
	itAmoxicillin:     {"XJ01CAA040A001010100000", "阿莫西林胶囊", "drug", 12.5, 3},
	itLianhua:         {"ZA01BAL0010010100000000", "连花清瘟胶囊", "drug", 28.8, 2},
	itIbuprofen:       {"XM01AEB010A001010100000", "布洛芬缓释胶囊", "drug", 16.2, 2},
	itAmbroxol:        {"XR05CBA010A001010100000", "盐酸氨溴索片", "drug", 18.6, 2},
	itCeftriaxone:     {"XJ01DDA010B002010100000", "注射用头孢曲松钠", "drug", 9.8, 6},
	itMontmorillonite: {"XA07BCM050B001010100000", "蒙脱石散", "drug", 15.4, 2},
	itORS:             {"XA07CAK010B001010100000", "口服补液盐散", "drug", 6.3, 3},
	itOmeprazole:      {"XA02BCA010E001010100000", "奥美拉唑肠溶胶囊", "drug", 21.0, 2},
	itPlaster:         {"ZA12BAS0010020100000000", "伤湿止痛膏", "drug", 8.5, 4},
	itGlucosamine:     {"XM01AXA130A001010100000", "硫酸氨基葡萄糖胶囊", "drug", 58.0, 2},
	itEyeDrops:        {"XS01AEL010G010010100000", "左氧氟沙星滴眼液", "drug", 19.9, 1},
	itCream:           {"XD07ACH010F001010100000", "丁酸氢化可的松乳膏", "drug", 13.2, 2},
	itLevofloxacin:    {"XJ01MAL010A001010100000", "左氧氟沙星片", "drug", 24.5, 2},
	itTamsulosin:      {"XG04CAT010E001010100000", "盐酸坦索罗辛缓释胶囊", "drug", 45.6, 2},
	itMetronidazole:   {"XG01AFM010M001010100000", "甲硝唑阴道泡腾片", "drug", 17.8, 2},
	itTranexamic:      {"XB02AAA030A001010100000", "氨甲环酸片", "drug", 22.0, 2},
	itOxytocin:        {"XH01BBS010B002010100000", "缩宫素注射液", "drug", 4.5, 4},
	itFolicAcid:       {"XB03BBY010A001010100000", "叶酸片", "drug", 9.9, 2},
	itNifedipine:      {"XC08CAX010A010010100000", "硝苯地平控释片", "drug", 32.4, 3},
	itAmlodipine:      {"XC08CAA010A001010100000", "苯磺酸氨氯地平片", "drug", 26.1, 3},
	itMetformin:       {"XA10BAE010A001010100000", "盐酸二甲双胍片", "drug", 14.7, 3},
	itInsulin:         {"XA10ABD010B002010100000", "门冬胰岛素注射液", "drug", 78.0, 2},
	itAspirin:         {"XB01ACA010E001010100000", "阿司匹林肠溶片", "drug", 11.6, 3},
	itAtorvastatin:    {"XC10AAA050A001010100000", "阿托伐他汀钙片", "drug", 35.2, 3},
	itTiotropium:      {"XR03BBS010L001010100000", "噻托溴铵粉吸入剂", "drug", 142.0, 1},
	itCalcitriol:      {"XA11CCG010E001010100000", "骨化三醇软胶囊", "drug", 48.0, 2},
	itCisplatin:       {"XL01XAS010B002010100000", "注射用顺铂", "drug", 620.0, 3},
	itSertraline:      {"XN06ABS010A001010100000", "盐酸舍曲林片", "drug", 56.0, 2},
	itBloodRoutine:    {"250101015", "血细胞分析", "exam", 25.0, 1},
	itUrineRoutine:    {"250102001", "尿液分析", "exam", 15.0, 1},
	itXRay:            {"210102015", "数字化摄影(DR)", "exam", 90.0, 1},
	itCT:              {"210300001", "X线计算机体层(CT)平扫", "exam", 300.0, 1},
	itUltrasound:      {"220201001", "彩色多普勒超声常规检查", "exam", 150.0, 1},
	itECG:             {"310701001", "常规心电图检查", "exam", 30.0, 1},
	itBiochem:         {"250301001", "生化全套", "exam", 180.0, 1},
	itConsult:         {"110200001", "门诊诊查费", "treatment", 20.0, 1},
	itInfusion:        {"120400006", "静脉输液", "treatment", 15.0, 3},
	itDressing:        {"120500001", "换药", "treatment", 25.0, 2},
	itBedDay:          {"110900001", "床位费", "treatment", 60.0, 15},
	itNursing:         {"121300001", "一级护理", "treatment", 40.0, 15},
	itSurgery:         {"330000000", "手术费", "treatment", 1800.0, 1},
	itSyringe:         {"C14010100000000000000", "一次性使用无菌注射器", "material", 1.2, 6},
	itInfusionSet:     {"C14010200000000000000", "一次性使用输液器", "material", 4.5, 3},
	itHealthFood:      {"QT0000000001", "保健食品", "other", 98.0, 3},
	itHaemodialysis:   {"311000006", "血液透析", "treatment", 400.0, 1},
	itDialyser:        {"C10040100000000000000", "一次性使用血液透析器", "material", 120.0, 1},
	itEPO:             {"XB03XAR010B002010100000", "重组人促红素注射液", "drug", 55.0, 2},
}

// fits reports whether diagnosis d fits a patient of the given sex and age (in whole years at
// the claim date). This is the rule docs/truth.md states for card-lending mismatches.
func (d *diagnosis) fits(sex byte, age int) bool {
	if d.sex != 0 && d.sex != sex {
		return false
	}
	return age >= d.minAge && age <= d.maxAge
}
