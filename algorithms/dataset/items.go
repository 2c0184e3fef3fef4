package dataset

import (
	"cmp"
	"context"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/ringtrace/ringtrace/graph"
)

// Care flags say what a claim's billing lines (费用明细) show was done. They are what explains
// an honest look-alike by care rather than by calendar: a dialysis shift bills dialysis, a
// rehabilitation course bills therapy sessions, a paper admission bills a bed and nothing else.
type Care uint16

// Care flags of ItemSummary.Flags.
const (
	CareDialysis   Care = 1 << iota // 血液透析, 腹膜透析, 血液滤过, 灌流
	CareRehab                       // 康复, 理疗, 针灸, 推拿, 牵引, 电疗 … (a therapy course)
	CareOncology                    // 化疗, 放疗 (scheduled cancer treatment)
	CareCheckup                     // 体检, 健康检查 (a check-up package)
	CareDrug                        // a drug line
	CareExam                        // an examination or laboratory line
	CareProcedure                   // a treatment, procedure, surgery or material other than bed and nursing
	CareHotel                       // bed, nursing, consultation, meals: the fees a stay bills when nothing is done
	CareNonCovered                  // health food, daily goods, cosmetics billed on the card (串换)
)

// ItemSummary is one claim's billing lines folded into a few bytes.
type ItemSummary struct {
	Flags Care
	Lines uint16 // number of lines, capped at 65535
	// Hash identifies the multiset of item codes (or names), so that identical item lists
	// copied across claims can be counted.
	Hash uint32
	// Overpriced counts lines whose unit price is at least OverpriceRatio times the median unit
	// price of the same item code over the export (codes with at least MinPricedLines priced
	// lines), capped at 255: goods billed under a drug's code (串换药品), up-charging
	// (超标准收费).
	Overpriced uint8
}

// OverpriceRatio and MinPricedLines define an overpriced billing line.
const (
	OverpriceRatio = 3
	MinPricedLines = 10
)

// pricedLines are billing lines with a unit price, by claim and interned item code.
type pricedLines struct {
	codes map[string]int32
	claim []int32
	code  []int32
	price []int64
}

func (pl *pricedLines) add(claim int32, code string, price int64) {
	if code == "" || price <= 0 {
		return
	}
	if pl.codes == nil {
		pl.codes = map[string]int32{}
	}
	id, ok := pl.codes[code]
	if !ok {
		id = int32(len(pl.codes))
		pl.codes[code] = id
	}
	pl.claim = append(pl.claim, claim)
	pl.code = append(pl.code, id)
	pl.price = append(pl.price, price)
}

// foldPrices sets ItemSummary.Overpriced from the priced lines and frees them.
func (d *Claims) foldPrices() {
	pl := &d.priced
	if len(pl.claim) == 0 {
		return
	}
	byCode := make([][]int64, len(pl.codes))
	for i, c := range pl.code {
		byCode[c] = append(byCode[c], pl.price[i])
	}
	median := make([]int64, len(byCode))
	for c, ps := range byCode {
		if len(ps) >= MinPricedLines {
			slices.Sort(ps)
			median[c] = ps[len(ps)/2]
		}
	}
	for i, c := range pl.code {
		if m := median[c]; m > 0 && pl.price[i] >= OverpriceRatio*m {
			if s := &d.CItems[pl.claim[i]]; s.Overpriced < 255 {
				s.Overpriced++
			}
		}
	}
	*pl = pricedLines{}
}

// Delivered reports whether the lines show care beyond bed, nursing and consultation fees.
func (s ItemSummary) Delivered() bool {
	return s.Flags&(CareDialysis|CareRehab|CareOncology|CareCheckup|CareDrug|CareExam|CareProcedure) != 0
}

// Therapy reports whether the lines show a scheduled therapy: dialysis, rehabilitation or
// oncology sessions.
func (s ItemSummary) Therapy() bool { return s.Flags&(CareDialysis|CareRehab|CareOncology) != 0 }

var (
	dialysisWords   = []string{"透析", "血滤", "血液滤过", "血液灌流", "血浆置换", "dialys"}
	rehabWords      = []string{"康复", "理疗", "针灸", "推拿", "按摩", "牵引", "电疗", "中频", "低频", "超短波", "红外", "艾灸", "拔罐", "刮痧", "熏蒸", "运动疗法", "作业疗法", "言语训练", "物理治疗", "physiother", "rehab", "acupunct"}
	oncologyWords   = []string{"化疗", "放疗", "放射治疗", "靶向", "chemo", "radiother"}
	checkupWords    = []string{"体检", "健康检查", "健康体检", "checkup", "check-up"}
	hotelWords      = []string{"床位", "护理", "诊查", "诊察", "挂号", "伙食", "取暖", "空调", "陪护", "bed", "nursing", "consultation"}
	nonCoveredWords = []string{"保健", "食品", "化妆", "日用", "生活用品", "营养品", "蛋白粉", "洗发", "牙膏", "纸巾", "酒", "饮料", "cosmetic", "food"}
)

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// ClassifyItem returns the care flags of one billing line from its name, code and category.
func ClassifyItem(it graph.ClaimItem) Care {
	name := strings.ToLower(it.ItemName)
	code := strings.ToUpper(strings.TrimSpace(it.ItemCode))
	var f Care
	switch {
	case containsAny(name, dialysisWords) || strings.HasPrefix(code, "3110") || strings.HasPrefix(code, "3115"):
		// 3110/3115: the national medical-service codes of dialysis and blood purification.
		f |= CareDialysis | CareProcedure
	case containsAny(name, rehabWords) || strings.HasPrefix(code, "34") || strings.HasPrefix(code, "43"):
		// 34: rehabilitation medicine, 43: traditional Chinese medicine procedures.
		f |= CareRehab | CareProcedure
	case containsAny(name, oncologyWords):
		f |= CareOncology | CareProcedure
	case containsAny(name, checkupWords):
		f |= CareCheckup | CareExam
	case containsAny(name, nonCoveredWords):
		f |= CareNonCovered
	case containsAny(name, hotelWords) || strings.HasPrefix(code, "1102") || strings.HasPrefix(code, "1109") || strings.HasPrefix(code, "1202") || strings.HasPrefix(code, "1213"):
		// 1102 consultation, 1109 bed, 1202/1213 nursing in the national service catalogue.
		f |= CareHotel
	default:
		switch it.Category {
		case "drug":
			f |= CareDrug
		case "exam":
			f |= CareExam
		case "treatment", "material":
			f |= CareProcedure
		case "other", "":
			if name != "" || code != "" {
				f |= CareProcedure
			}
		}
	}
	return f
}

// claimIndex maps claim ids to claim indexes through sorted 64-bit hashes: 16 bytes a claim
// instead of a map of strings, for the one join of items to claims.
type claimIndex struct {
	keys []uint64
	idx  []int32
}

func newClaimIndex() *claimIndex { return &claimIndex{} }

func hashID(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func (ci *claimIndex) add(id string, i int32) {
	ci.keys = append(ci.keys, hashID(id))
	ci.idx = append(ci.idx, i)
}

func (ci *claimIndex) sort() {
	perm := make([]int, len(ci.keys))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int { return cmp.Compare(ci.keys[a], ci.keys[b]) })
	keys := make([]uint64, len(perm))
	idx := make([]int32, len(perm))
	for i, p := range perm {
		keys[i], idx[i] = ci.keys[p], ci.idx[p]
	}
	ci.keys, ci.idx = keys, idx
}

func (ci *claimIndex) lookup(id string) int32 {
	h := hashID(id)
	i, ok := slices.BinarySearch(ci.keys, h)
	if !ok {
		return -1
	}
	return ci.idx[i]
}

// loadItems streams the claim items and folds them into CItems.
func (d *Claims) loadItems(ctx context.Context, src graph.Scanner, ids *claimIndex) error {
	sorted := false
	cur := int32(-1)
	var codes []string
	flush := func() {
		if cur < 0 {
			return
		}
		slices.Sort(codes)
		h := fnv.New32a()
		for _, c := range codes {
			h.Write([]byte(c))
			h.Write([]byte{0})
		}
		d.CItems[cur].Hash = h.Sum32()
		codes = codes[:0]
	}
	lastID := ""
	err := src.ScanClaimItems(ctx, func(it graph.ClaimItem) error {
		if !sorted {
			ids.sort()
			sorted = true
		}
		if it.ClaimID != lastID {
			flush()
			lastID = it.ClaimID
			cur = ids.lookup(it.ClaimID)
		}
		if cur < 0 {
			return nil // an item of a claim the export does not hold
		}
		s := &d.CItems[cur]
		s.Flags |= ClassifyItem(it)
		if s.Lines < 65535 {
			s.Lines++
		}
		key := it.ItemCode
		if key == "" {
			key = it.ItemName
		}
		codes = append(codes, key)
		d.priced.add(cur, it.ItemCode, int64(it.UnitPrice))
		d.Has.Items = true
		return nil
	})
	flush()
	return err
}

// SetItems sets the item summary of claim c from its lines (tests building a dataset by hand).
func (d *Claims) SetItems(c int32, items []graph.ClaimItem) {
	var s ItemSummary
	codes := make([]string, 0, len(items))
	for _, it := range items {
		d.priced.add(c, it.ItemCode, int64(it.UnitPrice))
		s.Flags |= ClassifyItem(it)
		s.Lines++
		key := it.ItemCode
		if key == "" {
			key = it.ItemName
		}
		codes = append(codes, key)
	}
	slices.Sort(codes)
	h := fnv.New32a()
	for _, c := range codes {
		h.Write([]byte(c))
		h.Write([]byte{0})
	}
	s.Hash = h.Sum32()
	d.CItems[c] = s
	d.Has.Items = d.Has.Items || len(items) > 0
}
