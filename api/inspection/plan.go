package inspection

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/ringtrace/ringtrace/graph"
)

// Minimum shares of the sample per pooling region (DOMAIN.md: sample at least 2/3 of designated
// institutions and 1/3 of pharmacies for on-site checks). A plan may cover more, never less.
const (
	MinInstitutionShare = 2.0 / 3.0
	MinPharmacyShare    = 1.0 / 3.0
)

// Provider is one designated institution or pharmacy that can be inspected, with its latest
// detection risk (0 when it has none).
type Provider struct {
	Type      graph.EntityType `json:"type"` // institution or pharmacy
	ID        string           `json:"id"`
	Name      string           `json:"name,omitempty"`
	Region    string           `json:"region,omitempty"`
	Level     string           `json:"level,omitempty"`
	Ownership string           `json:"ownership,omitempty"`
	Risk      float64          `json:"risk"`
}

// Options configures a plan. Zero shares take the minimums; a share below its minimum is refused.
type Options struct {
	Seed             uint64
	InstitutionShare float64
	PharmacyShare    float64
	// Flying is the number of flying-inspection targets: the riskiest providers with a risk above
	// zero, across all regions.
	Flying int
	// RiskWeight scales how much risk raises a provider's chance of being drawn: weight is
	// 1 + RiskWeight × risk, so that a provider without findings can still be drawn. Default 4.
	RiskWeight float64
}

// Stratum is one cell of the sample: a region, a provider kind, and for institutions a level and
// an ownership.
type Stratum struct {
	Region    string           `json:"region"`
	Type      graph.EntityType `json:"type"`
	Level     string           `json:"level,omitempty"`
	Ownership string           `json:"ownership,omitempty"`
	Total     int              `json:"total"`
	Sampled   int              `json:"sampled"`
}

// Coverage is the sample's share of one region's institutions or pharmacies.
type Coverage struct {
	Region  string           `json:"region"`
	Type    graph.EntityType `json:"type"`
	Total   int              `json:"total"`
	Sampled int              `json:"sampled"`
	Share   float64          `json:"share"`
	Minimum float64          `json:"minimum"`
}

// Plan is a drawn sample and the flying-inspection targets.
type Plan struct {
	Seed             uint64     `json:"seed"`
	InstitutionShare float64    `json:"institution_share"`
	PharmacyShare    float64    `json:"pharmacy_share"`
	RiskWeight       float64    `json:"risk_weight"`
	Sample           []Provider `json:"sample"`
	Flying           []Provider `json:"flying"`
	Strata           []Stratum  `json:"strata"`
	Coverage         []Coverage `json:"coverage"`
}

// Draw draws the sample: per region and kind, ceil(share × count) providers, allocated to the
// strata by largest remainder and drawn within each stratum by weighted sampling without
// replacement (Efraimidis & Spirakis, "Weighted random sampling with a reservoir", Information
// Processing Letters 97(5), 2006: key u^(1/w), the largest keys win). The same providers, options
// and seed give the same plan.
func Draw(providers []Provider, o Options) (Plan, error) {
	if o.InstitutionShare == 0 {
		o.InstitutionShare = MinInstitutionShare
	}
	if o.PharmacyShare == 0 {
		o.PharmacyShare = MinPharmacyShare
	}
	if o.RiskWeight == 0 {
		o.RiskWeight = 4
	}
	const eps = 1e-9
	if o.InstitutionShare < MinInstitutionShare-eps || o.InstitutionShare > 1 {
		return Plan{}, graph.FieldErrorf("institution_share", "must be between 2/3 and 1 (DOMAIN: at least 2/3 of institutions)")
	}
	if o.PharmacyShare < MinPharmacyShare-eps || o.PharmacyShare > 1 {
		return Plan{}, graph.FieldErrorf("pharmacy_share", "must be between 1/3 and 1 (DOMAIN: at least 1/3 of pharmacies)")
	}
	if o.Flying < 0 || o.Flying > 1000 {
		return Plan{}, graph.FieldErrorf("flying", "must be 0–1000")
	}
	if o.RiskWeight < 0 || o.RiskWeight > 100 {
		return Plan{}, graph.FieldErrorf("risk_weight", "must be 0–100")
	}
	for i, p := range providers {
		if p.Type != graph.TypeInstitution && p.Type != graph.TypePharmacy {
			return Plan{}, graph.FieldErrorf("providers", "provider %d (%s): type must be institution or pharmacy", i, p.ID)
		}
		if p.Risk < 0 || p.Risk > 1 || math.IsNaN(p.Risk) {
			return Plan{}, graph.FieldErrorf("providers", "provider %s: risk must be in [0, 1]", p.ID)
		}
	}
	ps := append([]Provider(nil), providers...)
	sort.Slice(ps, func(i, j int) bool { return less(ps[i], ps[j]) })

	plan := Plan{Seed: o.Seed, InstitutionShare: o.InstitutionShare, PharmacyShare: o.PharmacyShare, RiskWeight: o.RiskWeight, Sample: []Provider{}, Flying: []Provider{}}
	rng := rand.New(rand.NewPCG(o.Seed, 0x696e7370656374)) // stream constant: "inspect"

	// Group by region and kind (ps is sorted so groups are contiguous), then by stratum.
	for start := 0; start < len(ps); {
		end := start
		for end < len(ps) && ps[end].Region == ps[start].Region && ps[end].Type == ps[start].Type {
			end++
		}
		group := ps[start:end]
		share := o.InstitutionShare
		if group[0].Type == graph.TypePharmacy {
			share = o.PharmacyShare
		}
		need := int(math.Ceil(float64(len(group))*share - eps))
		strata := stratify(group)
		alloc := allocate(strata, need, share)
		sampled := 0
		for i, members := range strata {
			picked := weightedDraw(rng, members, alloc[i], o.RiskWeight)
			plan.Sample = append(plan.Sample, picked...)
			sampled += len(picked)
			plan.Strata = append(plan.Strata, Stratum{Region: members[0].Region, Type: members[0].Type, Level: members[0].Level, Ownership: members[0].Ownership, Total: len(members), Sampled: len(picked)})
		}
		plan.Coverage = append(plan.Coverage, Coverage{Region: group[0].Region, Type: group[0].Type, Total: len(group), Sampled: sampled,
			Share: float64(sampled) / float64(len(group)), Minimum: share})
		start = end
	}
	sort.Slice(plan.Sample, func(i, j int) bool { return less(plan.Sample[i], plan.Sample[j]) })

	// Flying inspections go to the riskiest, whatever the sample drew.
	byRisk := append([]Provider(nil), ps...)
	sort.SliceStable(byRisk, func(i, j int) bool { return byRisk[i].Risk > byRisk[j].Risk })
	for _, p := range byRisk {
		if len(plan.Flying) == o.Flying || p.Risk <= 0 {
			break
		}
		plan.Flying = append(plan.Flying, p)
	}
	return plan, nil
}

func less(a, b Provider) bool {
	if a.Region != b.Region {
		return a.Region < b.Region
	}
	if a.Type != b.Type {
		return a.Type < b.Type
	}
	if a.Level != b.Level {
		return a.Level < b.Level
	}
	if a.Ownership != b.Ownership {
		return a.Ownership < b.Ownership
	}
	return a.ID < b.ID
}

// stratify splits one region-and-kind group (sorted) into its strata: level and ownership for
// institutions; pharmacies carry neither and form one stratum.
func stratify(group []Provider) [][]Provider {
	var out [][]Provider
	for start := 0; start < len(group); {
		end := start
		for end < len(group) && group[end].Level == group[start].Level && group[end].Ownership == group[start].Ownership {
			end++
		}
		out = append(out, group[start:end])
		start = end
	}
	return out
}

// allocate shares need draws among the strata in proportion to their size (largest remainder,
// ties to the earlier stratum), never more than a stratum holds.
func allocate(strata [][]Provider, need int, share float64) []int {
	alloc := make([]int, len(strata))
	type rem struct {
		i int
		r float64
	}
	var rems []rem
	given := 0
	for i, s := range strata {
		q := float64(len(s)) * share
		alloc[i] = min(int(math.Floor(q)), len(s))
		given += alloc[i]
		rems = append(rems, rem{i, q - math.Floor(q)})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for given < need {
		progressed := false
		for _, r := range rems {
			if given == need {
				break
			}
			if alloc[r.i] < len(strata[r.i]) {
				alloc[r.i]++
				given++
				progressed = true
			}
		}
		if !progressed {
			break
		}
	}
	return alloc
}

// weightedDraw draws k of members without replacement, each with weight 1 + riskWeight × risk.
func weightedDraw(rng *rand.Rand, members []Provider, k int, riskWeight float64) []Provider {
	type keyed struct {
		p   Provider
		key float64
	}
	ks := make([]keyed, len(members))
	for i, p := range members {
		w := 1 + riskWeight*p.Risk
		u := rng.Float64()
		for u == 0 {
			u = rng.Float64()
		}
		ks[i] = keyed{p, math.Log(u) / w} // log of u^(1/w): same order, no underflow
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].key > ks[j].key })
	out := make([]Provider, 0, k)
	for _, kp := range ks[:k] {
		out = append(out, kp.p)
	}
	return out
}

// CSV writes the plan as a UTF-8 CSV with a BOM (Excel opens the Chinese correctly): one row per
// sampled provider, then one per flying-inspection target, with Chinese headers.
func (p Plan) CSV() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	kind := map[graph.EntityType]string{graph.TypeInstitution: "定点医疗机构", graph.TypePharmacy: "定点零售药店"}
	_ = w.Write([]string{"检查方式", "统筹区", "机构类型", "编码", "名称", "等级", "所有制", "风险分"})
	for _, list := range []struct {
		label string
		ps    []Provider
	}{{"现场抽查", p.Sample}, {"飞行检查", p.Flying}} {
		for _, pr := range list.ps {
			_ = w.Write([]string{list.label, pr.Region, kind[pr.Type], pr.ID, pr.Name, pr.Level, pr.Ownership, strconv.FormatFloat(pr.Risk, 'f', 3, 64)})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("inspection plan csv: %w", err)
	}
	return b.Bytes(), nil
}
