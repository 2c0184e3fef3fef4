package scenarios

// regionDef is one pooling region (统筹区) of Yunnan with its districts, used for codes,
// addresses and provider names.
type regionDef struct {
	code      string
	city      string
	districts []string
	streets   []string
}

var regionDefs = []regionDef{
	{"530100", "昆明市", []string{"五华区", "盘龙区", "官渡区", "西山区", "呈贡区"}, []string{"人民中路", "北京路", "青年路", "东风西路", "金碧路", "白塔路", "环城南路", "滇池路"}},
	{"530300", "曲靖市", []string{"麒麟区", "沾益区", "马龙区", "宣威市"}, []string{"南宁北路", "麒麟东路", "寥廓南路", "文昌街", "建宁路"}},
	{"530400", "玉溪市", []string{"红塔区", "江川区", "澄江市", "通海县"}, []string{"聂耳路", "珊瑚路", "红塔大道", "东风南路"}},
	{"532900", "大理白族自治州", []string{"大理市", "祥云县", "宾川县", "弥渡县"}, []string{"人民路", "苍山路", "洱海大道", "复兴路"}},
	{"532500", "红河哈尼族彝族自治州", []string{"蒙自市", "个旧市", "开远市", "建水县"}, []string{"天马路", "银河路", "红河大道", "临安路"}},
	{"532300", "楚雄彝族自治州", []string{"楚雄市", "禄丰市", "牟定县", "南华县"}, []string{"鹿城南路", "龙江路", "彝人古镇路", "开发区大道"}},
	{"530600", "昭通市", []string{"昭阳区", "鲁甸县", "镇雄县", "彝良县"}, []string{"海楼路", "昭通大道", "凤霞路", "龙泉路"}},
	{"530500", "保山市", []string{"隆阳区", "施甸县", "腾冲市", "龙陵县"}, []string{"保岫路", "正阳路", "九龙路", "永昌路"}},
	// The other eight of Yunnan's sixteen prefecture-level pooling regions, used from 108,000
	// patients on (one region per 12,000 patients): a province-scale set has all sixteen.
	{"530700", "丽江市", []string{"古城区", "玉龙纳西族自治县", "永胜县", "华坪县"}, []string{"福慧路", "香格里拉大道", "民主路", "象山路"}},
	{"530800", "普洱市", []string{"思茅区", "宁洱哈尼族彝族自治县", "墨江哈尼族自治县", "景东彝族自治县"}, []string{"振兴大道", "茶城大道", "月光路", "思茅大道"}},
	{"530900", "临沧市", []string{"临翔区", "凤庆县", "云县", "永德县"}, []string{"南塘街", "旗山路", "沧江路", "忙畔街"}},
	{"532600", "文山壮族苗族自治州", []string{"文山市", "砚山县", "西畴县", "麻栗坡县"}, []string{"凤凰路", "开化路", "七花路", "东风路"}},
	{"532800", "西双版纳傣族自治州", []string{"景洪市", "勐海县", "勐腊县"}, []string{"勐泐大道", "宣慰大道", "嘎兰路", "曼听路"}},
	{"533100", "德宏傣族景颇族自治州", []string{"芒市", "瑞丽市", "梁河县", "盈江县"}, []string{"勇罕路", "团结大街", "芒市大街", "青年路"}},
	{"533300", "怒江傈僳族自治州", []string{"泸水市", "福贡县", "贡山独龙族怒族自治县", "兰坪白族普米族自治县"}, []string{"穿城路", "人民路", "向阳路", "江西路"}},
	{"533400", "迪庆藏族自治州", []string{"香格里拉市", "德钦县", "维西傈僳族自治县"}, []string{"长征路", "团结路", "建塘路", "池慈卡街"}},
}

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
	"梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕",
	"段", "普", "李", "杨", "赵", "字", "施", "尹", "番", "和"}

var givenChars = []rune("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰凤云红春梅建国志海波宇浩然子涵欣怡俊辉文彬晓燕丹宁嘉琪思雨梓萱一诺佳豪德福寿顺昌荣德才丽琼慧琳")

// provKind is the kind of a provider; institutions first, then pharmacies.
type provKind uint8

const (
	kindTertiary    provKind = iota // 三级甲等 public general hospital
	kindSecondary                   // 二级 public county/district hospital
	kindPrivateHosp                 // 民营医院 with beds
	kindCommunity                   // 社区卫生服务中心
	kindTownship                    // 乡镇卫生院
	kindClinic                      // private 诊所 / 门诊部
	kindPharmacy                    // 定点零售药店
)

func (k provKind) institution() bool { return k != kindPharmacy }
func (k provKind) primary() bool     { return k == kindCommunity || k == kindTownship }

// diag is one ICD-10 code with who it fits; honest claims only use codes that fit their patient.
type diag struct {
	code   string
	name   string
	sex    byte // 0 any, 'M', 'F'
	minAge int
	maxAge int
}

// Diagnosis indices, referenced by the generators.
const (
	dxURTI = iota
	dxFlu
	dxBronchitis
	dxGastroenteritis
	dxGastritis
	dxBackPain
	dxHypertension
	dxDiabetes
	dxCOPD
	dxCHD
	dxKneeOA
	dxUTI
	dxConjunctivitis
	dxCaries
	dxDermatitis
	dxFever
	dxPneumonia
	dxStroke
	dxAppendicitis
	dxDelivery
	dxAntenatal
	dxCKD5
	dxCheckup
	dxChildCheck
	dxVaccination
	dxStrokeSequelae
	dxOsteoporosis
	dxBPH
	dxHyperlipidaemia
	dxLumbarDisc
	dxCholecystitis
	dxHipFracture
	dxHeadache
	// Codes added for split admissions and their look-alikes (readmissions.go): closely related
	// codes of the same ICD-10 three-character category, cancer, chemotherapy, rehabilitation and
	// follow-up care. Appended after the older codes so that those keep their indices.
	dxBronchopneumonia
	dxCOPDExacerbation
	dxOldMI
	dxCerebralThrombosis
	dxDiabetesNeuro
	dxLumbarDiscRadic
	dxKneeOAPrimary
	dxChronicGastritis
	dxChronicCholecystitis
	dxSciatica
	dxHeartFailure
	dxLungCancer
	dxBreastCancer
	dxColonCancer
	dxGastricCancer
	dxRectalCancer
	dxChemotherapy
	dxRehabCare
	dxFemurSequelae
	dxImplantRemoval
	numDiag
)

var diagTable = [numDiag]diag{
	dxURTI:            {"J06.900", "急性上呼吸道感染", 0, 0, 120},
	dxFlu:             {"J11.101", "流行性感冒", 0, 0, 120},
	dxBronchitis:      {"J20.900", "急性支气管炎", 0, 0, 120},
	dxGastroenteritis: {"A09.900", "感染性胃肠炎", 0, 0, 120},
	dxGastritis:       {"K29.700", "胃炎", 0, 14, 120},
	dxBackPain:        {"M54.500", "腰痛", 0, 18, 120},
	dxHypertension:    {"I10.x00", "原发性高血压", 0, 30, 120},
	dxDiabetes:        {"E11.900", "2型糖尿病", 0, 30, 120},
	dxCOPD:            {"J44.900", "慢性阻塞性肺疾病", 0, 45, 120},
	dxCHD:             {"I25.100", "冠状动脉粥样硬化性心脏病", 0, 40, 120},
	dxKneeOA:          {"M17.900", "膝关节病", 0, 40, 120},
	dxUTI:             {"N39.000", "泌尿道感染", 0, 1, 120},
	dxConjunctivitis:  {"H10.900", "结膜炎", 0, 0, 120},
	dxCaries:          {"K02.900", "龋病", 0, 3, 120},
	dxDermatitis:      {"L30.900", "皮炎", 0, 0, 120},
	dxFever:           {"R50.900", "发热", 0, 0, 120},
	dxPneumonia:       {"J18.900", "肺炎", 0, 0, 120},
	dxStroke:          {"I63.900", "脑梗死", 0, 45, 120},
	dxAppendicitis:    {"K35.800", "急性阑尾炎", 0, 6, 90},
	dxDelivery:        {"O80.000", "单胎顺产", 'F', 18, 45},
	dxAntenatal:       {"Z34.900", "正常妊娠监督", 'F', 18, 45},
	dxCKD5:            {"N18.500", "慢性肾脏病5期", 0, 30, 120},
	dxCheckup:         {"Z00.000", "一般健康检查", 0, 18, 70},
	dxChildCheck:      {"Z00.100", "儿童常规健康检查", 0, 0, 14},
	dxVaccination:     {"Z23.000", "需要预防接种", 0, 0, 14},
	dxStrokeSequelae:  {"I69.300", "脑梗死后遗症", 0, 45, 120},
	dxOsteoporosis:    {"M81.000", "绝经后骨质疏松", 'F', 50, 120},
	dxBPH:             {"N40.x00", "前列腺增生", 'M', 50, 120},
	dxHyperlipidaemia: {"E78.500", "高脂血症", 0, 30, 120},
	dxLumbarDisc:      {"M51.202", "腰椎间盘突出", 0, 25, 120},
	dxCholecystitis:   {"K81.900", "胆囊炎", 0, 25, 120},
	dxHipFracture:     {"S72.000", "股骨颈骨折", 0, 60, 120},
	dxHeadache:        {"R51.x00", "头痛", 0, 10, 120},

	dxBronchopneumonia:     {"J18.000", "支气管肺炎", 0, 0, 120},
	dxCOPDExacerbation:     {"J44.100", "慢性阻塞性肺疾病伴有急性加重", 0, 45, 120},
	dxOldMI:                {"I25.200", "陈旧性心肌梗死", 0, 40, 120},
	dxCerebralThrombosis:   {"I63.300", "脑血栓形成引起的脑梗死", 0, 45, 120},
	dxDiabetesNeuro:        {"E11.400", "2型糖尿病伴有神经的并发症", 0, 30, 120},
	dxLumbarDiscRadic:      {"M51.100", "腰椎间盘突出伴神经根病", 0, 25, 120},
	dxKneeOAPrimary:        {"M17.100", "单侧原发性膝关节病", 0, 40, 120},
	dxChronicGastritis:     {"K29.500", "慢性胃炎", 0, 14, 120},
	dxChronicCholecystitis: {"K81.100", "慢性胆囊炎", 0, 25, 120},
	dxSciatica:             {"M54.400", "腰痛伴坐骨神经痛", 0, 18, 120},
	dxHeartFailure:         {"I50.900", "心力衰竭", 0, 40, 120},
	dxLungCancer:           {"C34.900", "肺恶性肿瘤", 0, 40, 120},
	dxBreastCancer:         {"C50.900", "乳腺恶性肿瘤", 'F', 25, 120},
	dxColonCancer:          {"C18.900", "结肠恶性肿瘤", 0, 30, 120},
	dxGastricCancer:        {"C16.900", "胃恶性肿瘤", 0, 30, 120},
	dxRectalCancer:         {"C20.x00", "直肠恶性肿瘤", 0, 30, 120},
	dxChemotherapy:         {"Z51.100", "为肿瘤化学治疗疗程", 0, 18, 120},
	dxRehabCare:            {"Z50.900", "康复医疗", 0, 0, 120},
	dxFemurSequelae:        {"T93.100", "股骨骨折后遗症", 0, 18, 120},
	dxImplantRemoval:       {"Z47.000", "骨折内固定装置取出", 0, 18, 120},
}

// fits reports whether diagnosis d suits a patient of the given sex and age.
func (d diag) fits(sex byte, age int) bool {
	if d.sex != 0 && d.sex != sex {
		return false
	}
	// age is taken at the start of the range; the patient may be a year older at the claim.
	return age >= d.minAge && age+1 <= d.maxAge
}

// catalogueItem is one line of the fund's catalogue used to write claim_items.csv.
type catalogueItem struct {
	code     string
	name     string
	category string // as exported (Chinese 费用类别)
	price    int64  // fen, the usual unit price
}

var (
	itemConsult    = catalogueItem{"110200001", "普通门诊诊察费", "诊察费", 1000}
	itemConsultExp = catalogueItem{"110200002", "副主任医师门诊诊察费", "诊察费", 2500}
	itemBed        = catalogueItem{"110900001", "床位费", "床位费", 4500}
	itemNursing    = catalogueItem{"120100002", "Ⅱ级护理", "护理费", 2800}
	itemBloodTest  = catalogueItem{"250101015", "血细胞分析", "化验费", 2000}
	itemUrineTest  = catalogueItem{"250102035", "尿液分析", "化验费", 1200}
	itemLiverFn    = catalogueItem{"250305001", "肝功能测定", "化验费", 6000}
	itemGlucose    = catalogueItem{"250302001", "葡萄糖测定", "化验费", 800}
	itemECG        = catalogueItem{"310701001", "常规心电图检查", "检查费", 2500}
	itemCT         = catalogueItem{"210300001", "X线计算机体层(CT)平扫", "检查费", 15000}
	itemXRay       = catalogueItem{"210102015", "数字化摄影(DR)", "检查费", 7000}
	itemUltrasound = catalogueItem{"220302001", "彩色多普勒超声检查", "检查费", 12000}
	itemInfusion   = catalogueItem{"120400006", "静脉输液", "治疗费", 1200}
	itemDialysis   = catalogueItem{"311000006", "血液透析", "治疗费", 36000}
	itemDialyser   = catalogueItem{"C10020401", "一次性使用血液透析器", "卫生材料", 5800}
	itemHeparin    = catalogueItem{"XB01ABH084B002010100000", "肝素钠注射液", "西药费", 1600}
	itemRehab      = catalogueItem{"340200003", "运动疗法", "治疗费", 4000}
	itemElectro    = catalogueItem{"340100008", "中频脉冲电治疗", "治疗费", 1500}
	itemAcupunct   = catalogueItem{"430000001", "普通针刺", "治疗费", 3000}
	itemMassage    = catalogueItem{"450000005", "推拿治疗", "治疗费", 4000}
	itemCheckupPkg = catalogueItem{"ZT0000001", "职工健康体检套餐", "检查费", 0}
	itemVaccineAdm = catalogueItem{"120400001", "肌肉注射", "治疗费", 300}
	itemChildCheck = catalogueItem{"ZT0000002", "儿童健康检查", "检查费", 0}
	itemSyringe    = catalogueItem{"C14010101", "一次性使用无菌注射器", "卫生材料", 150}
	itemSurgery    = catalogueItem{"330000000", "手术费", "手术费", 0}
	itemSaline     = catalogueItem{"XB05BBL001B002010100000", "氯化钠注射液", "西药费", 550}
	itemAlbumin    = catalogueItem{"XB05AAR037B002010100000", "人血白蛋白", "西药费", 38000}
	itemXueshuan   = catalogueItem{"ZA06AAX0045020102011", "注射用血栓通(冻干)", "中成药费", 9800}
	itemPPIInject  = catalogueItem{"XA02BCA211B002010100000", "注射用奥美拉唑钠", "西药费", 4500}
	itemCatheter   = catalogueItem{"C03010101", "一次性使用静脉留置针", "卫生材料", 2800}

	itemAntiemetic    = catalogueItem{"XA04AAA088B002010100000", "盐酸昂丹司琼注射液", "西药费", 1800}
	itemRehabTraining = catalogueItem{"340200025", "偏瘫肢体综合训练", "治疗费", 6000}
)

// chemoDrugs are the cytotoxic drugs that carry a chemotherapy cycle's bill, by cancer code.
var chemoDrugs = map[int]catalogueItem{
	dxLungCancer:    {"XL01BAP171B001010100000", "注射用培美曲塞二钠", "西药费", 78000},
	dxBreastCancer:  {"XL01CDD013B002010100000", "多西他赛注射液", "西药费", 45000},
	dxColonCancer:   {"XL01XAA159B002010100000", "奥沙利铂注射液", "西药费", 32000},
	dxGastricCancer: {"XL01XAA159B002010100000", "奥沙利铂注射液", "西药费", 32000},
	dxRectalCancer:  {"XL01XAA159B002010100000", "奥沙利铂注射液", "西药费", 32000},
}

// drugsFor holds the drugs prescribed for each diagnosis (first one most often).
var drugsFor = map[int][]catalogueItem{
	dxURTI:            {{"XR05CBA071A001010100000", "复方氨酚烷胺片", "西药费", 1250}, {"ZA01AAL0140010105017", "连花清瘟胶囊", "中成药费", 2280}},
	dxFlu:             {{"XJ05AHA019E001010100000", "磷酸奥司他韦胶囊", "西药费", 4590}, {"ZA01AAL0140010105017", "连花清瘟胶囊", "中成药费", 2280}},
	dxBronchitis:      {{"XJ01CAA040E001010100000", "阿莫西林胶囊", "西药费", 1080}, {"XR05CBA048A001010100000", "氨溴索片", "西药费", 960}},
	dxGastroenteritis: {{"XA07BCM065P001010100000", "蒙脱石散", "西药费", 1560}, {"XA07FAK021E001010100000", "枯草杆菌二联活菌颗粒", "西药费", 2860}},
	dxGastritis:       {{"XA02BCA211E001010100000", "奥美拉唑肠溶胶囊", "西药费", 1050}, {"ZA08BAW0136010104375", "胃苏颗粒", "中成药费", 3120}},
	dxBackPain:        {{"XM01AEB021A001010100000", "布洛芬缓释胶囊", "西药费", 1280}, {"ZA12AAS0256010104590", "伤湿止痛膏", "中成药费", 890}},
	dxHypertension:    {{"XC08CAA090A001010100000", "苯磺酸氨氯地平片", "西药费", 3260}, {"XC09CAE025A001010100000", "厄贝沙坦片", "西药费", 2840}},
	dxDiabetes:        {{"XA10BAE054A001010100000", "盐酸二甲双胍片", "西药费", 1820}, {"XA10BBG047A001010100000", "格列美脲片", "西药费", 2960}},
	dxCOPD:            {{"XR03BBS031L030010100000", "噻托溴铵吸入粉雾剂", "西药费", 9880}, {"XR05CBA048A001010100000", "氨溴索片", "西药费", 960}},
	dxCHD:             {{"XB01ACA056A001010100000", "阿司匹林肠溶片", "西药费", 1560}, {"XC10AAA203A001010100000", "阿托伐他汀钙片", "西药费", 3680}},
	dxKneeOA:          {{"XM01AHS009E001010100000", "塞来昔布胶囊", "西药费", 4200}, {"XM01AXG046E001010100000", "硫酸氨基葡萄糖胶囊", "西药费", 5600}},
	dxUTI:             {{"XJ01MAL012A001010100000", "左氧氟沙星片", "西药费", 1980}},
	dxConjunctivitis:  {{"XS01AAL025G010010100000", "左氧氟沙星滴眼液", "西药费", 1850}},
	dxCaries:          {{"XA01ABM001A001010100000", "甲硝唑片", "西药费", 420}},
	dxDermatitis:      {{"XD07ACM009F001010100000", "糠酸莫米松乳膏", "西药费", 2450}},
	dxFever:           {{"XN02BEA012A001010100000", "对乙酰氨基酚片", "西药费", 580}},
	dxPneumonia:       {{"XJ01DDT105B002010100000", "注射用头孢曲松钠", "西药费", 2860}},
	dxStroke:          {{"XB01ACA056A001010100000", "阿司匹林肠溶片", "西药费", 1560}, {"XN07XXD218B002010100000", "丁苯酞注射液", "西药费", 14800}},
	dxAppendicitis:    {{"XJ01DDT105B002010100000", "注射用头孢曲松钠", "西药费", 2860}},
	dxDelivery:        {{"XH01BBS025B002010100000", "缩宫素注射液", "西药费", 620}},
	dxAntenatal:       {{"XB03AEF001A001010100000", "叶酸片", "西药费", 980}},
	dxCKD5:            {{"XB03XAR119B002010100000", "重组人促红素注射液", "西药费", 8200}},
	dxStrokeSequelae:  {{"ZA06AAN0018010105165", "脑心通胶囊", "中成药费", 4360}},
	dxOsteoporosis:    {{"XA12AXC023A001010100000", "碳酸钙D3片", "西药费", 2680}},
	dxBPH:             {{"XG04CAT025E001010100000", "盐酸坦索罗辛缓释胶囊", "西药费", 4120}},
	dxHyperlipidaemia: {{"XC10AAA203A001010100000", "阿托伐他汀钙片", "西药费", 3680}},
	dxLumbarDisc:      {{"XM01AEB021A001010100000", "布洛芬缓释胶囊", "西药费", 1280}},
	dxCholecystitis:   {{"XA05AAX065A001010100000", "熊去氧胆酸片", "西药费", 5240}},
	dxHipFracture:     {{"XB01ABD128B002010100000", "低分子量肝素钙注射液", "西药费", 3620}},
	dxHeadache:        {{"XN02BEA012A001010100000", "对乙酰氨基酚片", "西药费", 580}},

	dxBronchopneumonia:     {{"XJ01DDT105B002010100000", "注射用头孢曲松钠", "西药费", 2860}},
	dxCOPDExacerbation:     {{"XR03BBS031L030010100000", "噻托溴铵吸入粉雾剂", "西药费", 9880}, {"XR05CBA048A001010100000", "氨溴索片", "西药费", 960}},
	dxOldMI:                {{"XB01ACA056A001010100000", "阿司匹林肠溶片", "西药费", 1560}, {"XC10AAA203A001010100000", "阿托伐他汀钙片", "西药费", 3680}},
	dxCerebralThrombosis:   {{"XB01ACA056A001010100000", "阿司匹林肠溶片", "西药费", 1560}, {"XN07XXD218B002010100000", "丁苯酞注射液", "西药费", 14800}},
	dxDiabetesNeuro:        {{"XA10BAE054A001010100000", "盐酸二甲双胍片", "西药费", 1820}, {"XA10BBG047A001010100000", "格列美脲片", "西药费", 2960}},
	dxLumbarDiscRadic:      {{"XM01AEB021A001010100000", "布洛芬缓释胶囊", "西药费", 1280}},
	dxKneeOAPrimary:        {{"XM01AHS009E001010100000", "塞来昔布胶囊", "西药费", 4200}, {"XM01AXG046E001010100000", "硫酸氨基葡萄糖胶囊", "西药费", 5600}},
	dxChronicGastritis:     {{"XA02BCA211E001010100000", "奥美拉唑肠溶胶囊", "西药费", 1050}, {"ZA08BAW0136010104375", "胃苏颗粒", "中成药费", 3120}},
	dxChronicCholecystitis: {{"XA05AAX065A001010100000", "熊去氧胆酸片", "西药费", 5240}},
	dxSciatica:             {{"XM01AEB021A001010100000", "布洛芬缓释胶囊", "西药费", 1280}},
	dxHeartFailure:         {{"XC03CAF001A001010100000", "呋塞米片", "西药费", 350}},
	dxFemurSequelae:        {{"XA12AXC023A001010100000", "碳酸钙D3片", "西药费", 2680}},
	dxImplantRemoval:       {{"XJ01DDT105B002010100000", "注射用头孢曲松钠", "西药费", 2860}},
}

// otcItems are what people buy at pharmacies without a prescription.
var otcItems = []catalogueItem{
	{"XR05CBA071A001010100000", "复方氨酚烷胺片", "西药费", 1250},
	{"ZA01AAL0140010105017", "连花清瘟胶囊", "中成药费", 2280},
	{"XA02BCA211E001010100000", "奥美拉唑肠溶胶囊", "西药费", 1050},
	{"XM01AEB021A001010100000", "布洛芬缓释胶囊", "西药费", 1280},
	{"ZA12AAS0256010104590", "伤湿止痛膏", "中成药费", 890},
	{"XD07ACM009F001010100000", "糠酸莫米松乳膏", "西药费", 2450},
	{"ZA04CAY0050010103815", "云南白药气雾剂", "中成药费", 3880},
	{"XA11GAV001A001010100000", "维生素C片", "西药费", 350},
	{"C14020201", "医用外科口罩", "卫生材料", 120},
	{"ZA09AAG0142010101555", "感冒灵颗粒", "中成药费", 1680},
}

// goodsOnCard are non-covered goods that cash-out pharmacies bill as covered drugs (串换): the
// line carries a drug's catalogue code and category, with the real goods in the name the
// pharmacy's own system printed.
var goodsOnCard = []catalogueItem{
	{"XA11GAV001A001010100000", "维生素C片(蛋白粉礼盒)", "西药费", 19800},
	{"ZA12AAS0256010104590", "伤湿止痛膏(洗护套装)", "中成药费", 12800},
	{"ZB01ACE0015010100980", "阿胶(礼盒)", "中成药费", 29800},
	{"XA12AXC023A001010100000", "碳酸钙D3片(食用油)", "西药费", 8900},
	{"ZA15ABX0019010103610", "西洋参片", "中成药费", 16800},
	{"C14020201", "医用外科口罩(纸巾整箱)", "卫生材料", 6800},
}
