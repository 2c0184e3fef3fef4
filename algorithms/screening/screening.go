package screening

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// Hits holds every patient's screening-rule counts (nil when nobody hit a rule), turned into
// text only for the patients written to the findings.
type Hits []Hit

// Options are the screening rules' thresholds (JSON names are detection-parameter keys).
type Options struct {
	// LargeClaimYuan is the single-claim screening threshold (单次大额).
	LargeClaimYuan float64 `json:"large_claim_yuan"`
	// HighFrequencyPerYear is the reimbursements-per-year screening threshold (单人高频次).
	HighFrequencyPerYear int `json:"high_frequency_per_year"`
	// TopSpenders is how many patients are listed by inpatient and by outpatient cost.
	TopSpenders int `json:"top_spenders"`
	// RepeatPrescriptionDays: two pharmacy or outpatient claims of one patient with the same
	// diagnosis at different providers within this many days are a repeated prescription.
	RepeatPrescriptionDays int `json:"repeat_prescription_days"`
	// SplitAdmissionDays: a readmission to the same hospital for the same illness within this
	// many days of discharge counts towards split admissions (分解住院); 0 turns the test off.
	SplitAdmissionDays int `json:"split_admission_days"`
}

// DefaultOptions returns the special-action plans' starting values.
func DefaultOptions() Options {
	return Options{LargeClaimYuan: 10000, HighFrequencyPerYear: 4, TopSpenders: 100, RepeatPrescriptionDays: 7, SplitAdmissionDays: 15}
}

// Validate returns an EINVALID *graph.Error naming the first bad field.
func (o Options) Validate() error {
	switch {
	case !(o.LargeClaimYuan > 0):
		return graph.FieldErrorf("large_claim_yuan", "large_claim_yuan 参数无效 (invalid): must be positive")
	case o.HighFrequencyPerYear < 1:
		return graph.FieldErrorf("high_frequency_per_year", "high_frequency_per_year 参数无效 (invalid): must be at least 1")
	case o.TopSpenders < 0:
		return graph.FieldErrorf("top_spenders", "top_spenders 参数无效 (invalid): must not be negative")
	case o.RepeatPrescriptionDays < 0:
		return graph.FieldErrorf("repeat_prescription_days", "repeat_prescription_days 参数无效 (invalid): must not be negative")
	case o.SplitAdmissionDays < 0 || o.SplitAdmissionDays > 90:
		return graph.FieldErrorf("split_admission_days", "split_admission_days 参数无效 (invalid): must be between 0 (off) and 90")
	}
	return nil
}

// Detect applies the screening rules. It returns screening leads (providers whose patients hit
// the strong rules more than their peers' rate explains) and every patient's hits; provider
// reasons go to ev.
func Detect(d *dataset.Claims, p Options, minScore float64, ev *finding.Evidence) ([]finding.Candidate, Hits) {
	var screen Hits
	large := int64(math.Round(p.LargeClaimYuan * 100))
	repeat := int64(p.RepeatPrescriptionDays) * dataset.SecondsPerDay
	inpCost := make([]int64, d.NPat())
	outCost := make([]int64, d.NPat())
	type provHits struct {
		pats  map[int32]bool
		fund  int64
		dup   int
		overl int
	}
	perProv := map[int32]*provHits{}
	provClaims := make([]int, d.NProv())
	for _, pv := range d.CProv {
		provClaims[pv]++
	}
	provHit := func(pv, pt int32, fund int64) *provHits {
		h := perProv[pv]
		if h == nil {
			h = &provHits{pats: map[int32]bool{}}
			perProv[pv] = h
		}
		h.pats[pt] = true
		h.fund += fund
		return h
	}
	for pt := int32(0); int(pt) < d.NPat(); pt++ {
		cs := d.ClaimsOf(pt)
		var nLarge, nDup, nOverlap, nRepeat int
		maxYear, maxYearN := 0, 0
		year, yearN := 0, 0
		var lastInpEnd int64
		lastInpProv := int32(-1)
		for i, c := range cs {
			if d.CTotal[c] >= large {
				nLarge++
			}
			y := time.Unix(d.CStart[c], 0).UTC().Year()
			if y != year {
				year, yearN = y, 0
			}
			yearN++
			if yearN > maxYearN {
				maxYear, maxYearN = y, yearN
			}
			switch d.CType[c] {
			case dataset.Inpatient:
				inpCost[pt] += d.CFund[c]
				if lastInpProv >= 0 && d.CStart[c] < lastInpEnd {
					nOverlap++
					provHit(d.CProv[c], pt, d.CFund[c]).overl++
				}
				if d.CEnd[c] > lastInpEnd {
					lastInpEnd, lastInpProv = d.CEnd[c], d.CProv[c]
				}
			default:
				outCost[pt] += d.CFund[c]
			}
			// Duplicates and repeats look back over claims of the last days only.
			for j := i - 1; j >= 0; j-- {
				o := cs[j]
				if d.CStart[c]-d.CStart[o] > max(repeat, dataset.SecondsPerDay) {
					break
				}
				sameDay := dataset.FloorDiv(d.CStart[c], dataset.SecondsPerDay) == dataset.FloorDiv(d.CStart[o], dataset.SecondsPerDay)
				if sameDay && d.CProv[o] == d.CProv[c] && d.CTotal[o] == d.CTotal[c] && d.CType[o] == d.CType[c] {
					nDup++
					provHit(d.CProv[c], pt, d.CFund[c]).dup++
					break
				}
				if d.CType[c] != dataset.Inpatient && d.CType[o] != dataset.Inpatient && d.CDiag[c] >= 0 && d.CDiag[c] == d.CDiag[o] &&
					d.CProv[c] != d.CProv[o] && d.CStart[c]-d.CStart[o] <= repeat {
					nRepeat++
					break
				}
			}
		}
		if nLarge > 0 || maxYearN >= p.HighFrequencyPerYear || nOverlap > 0 || nDup > 0 || nRepeat > 0 {
			// Most patients of a real export hit some screening rule (four claims a year is
			// common), so hits are kept as counters and turned into text only for the patients
			// that make it into the findings.
			if screen == nil {
				screen = make(Hits, d.NPat())
			}
			h := &screen[pt]
			h.large, h.dup, h.overlap, h.repeat = int32(nLarge), int32(nDup), int32(nOverlap), int32(nRepeat)
			if maxYearN >= p.HighFrequencyPerYear {
				h.yearClaims, h.year = int32(maxYearN), int32(maxYear)
			}
		}
	}
	topSpenders(d, p, inpCost, ev, "screen_top_inpatient", "住院", "inpatient")
	topSpenders(d, p, outCost, ev, "screen_top_outpatient", "门诊", "outpatient")

	// Providers where several patients hit the strong rules.
	provs := make([]int32, 0, len(perProv))
	for k := range perProv {
		provs = append(provs, k)
	}
	slices.Sort(provs)
	base := newScreenBaseline(d, provClaims, func(pv int32) int {
		if h := perProv[pv]; h != nil {
			return len(h.pats)
		}
		return 0
	})
	var out []finding.Candidate
	for _, pv := range provs {
		h := perProv[pv]
		hits := h.dup + h.overl
		n := len(h.pats)
		// Against the peers, not a fixed rate: where overlapping stays are common in an export
		// (transfers, data habits), having some says nothing about a provider. The weight grows
		// with the surprise of its number of patients hit at its peers' rate per claim (full
		// at 10^-6) and stays low because screening is not proof.
		mu := base.expected(pv, provClaims[pv])
		surprise := finding.PoissonSurprise(n, mu)
		w := 0.3 * finding.Clamp01(surprise/6)
		ev.Prov[pv] = append(ev.Prov[pv], finding.Reason("screen_provider_hits", w, map[string]float64{"duplicates": float64(h.dup), "overlapping_stays": float64(h.overl), "patients": float64(n),
			"expected_patients": finding.Round4(mu)},
			"%d 笔重复结算、%d 次重叠住院，涉及 %d 名参保人（按同类机构比例预期约 %.1f 名）", "%d duplicate claims and %d overlapping stays involving %d patients (about %.1f expected at the peers' rate)", h.dup, h.overl, n, mu))
		if n < 3 {
			continue
		}
		// Screening hits are lists for on-site checks (抽查), not proof. A provider becomes a
		// lead only when its number of patients hit is surprising against its peers' rate per
		// claim (busy hospitals have honest double swipes and transfers in absolute numbers),
		// and the score grows with the excess over that expectation, not with the raw count.
		if surprise < base.threshold {
			continue
		}
		excess := float64(n) - mu
		score := math.Min(0.6, 0.25+0.03*excess)
		if score < minScore {
			continue
		}
		pats := finding.SortedKeys(h.pats)
		refs := make([]graph.Ref, 0, len(pats)+1)
		for _, pt := range pats {
			refs = append(refs, d.PatRef(pt))
		}
		refs = append(refs, d.ProvRef(pv))
		vals := map[string]float64{"duplicates": float64(h.dup), "overlapping_stays": float64(h.overl), "patients": float64(n),
			"expected_patients": finding.Round4(mu), "surprise": finding.Round4(surprise)}
		out = append(out, finding.Candidate{Lead: true, Pats: pats, Provs: []int32{pv}, Ring: graph.Ring{
			ID: finding.ID(graph.KindScreeningRule, refs), Kind: graph.KindScreeningRule, Score: finding.Round4(score), Members: refs,
			Amount: graph.Money(h.fund), Claims: hits, Region: d.RegionOf(pv),
			Reasons: []graph.Reason{finding.Reason("screen_provider_hits", score, vals,
				"该机构有 %d 笔重复结算、%d 次重叠住院，涉及 %d 名参保人（按同类机构的比例预期约 %.1f 名）",
				"%d duplicate claims and %d overlapping stays at this provider, involving %d patients (about %.1f expected at the peers' rate)",
				h.dup, h.overl, n, mu)},
		}})
	}
	return out, screen
}

// topSpenders adds a reason to the TopSpenders patients with the largest cost.
func topSpenders(d *dataset.Claims, p Options, cost []int64, ev *finding.Evidence, code, zh, en string) {
	if p.TopSpenders == 0 {
		return
	}
	idx := make([]int32, 0, len(cost))
	for i, c := range cost {
		if c > 0 {
			idx = append(idx, int32(i))
		}
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := cmp.Compare(cost[b], cost[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if len(idx) > p.TopSpenders {
		idx = idx[:p.TopSpenders]
	}
	for rank, pt := range idx {
		ev.Pat[pt] = append(ev.Pat[pt], finding.Reason(code, 0.05, map[string]float64{"rank": float64(rank + 1), "amount_yuan": finding.Yuan(cost[pt])},
			zh+"费用前 %d 名（第 %d 名，%.2f 元）", "top %d by "+en+" cost (rank %d, %.2f yuan)", p.TopSpenders, rank+1, finding.Yuan(cost[pt])))
	}
}

// Hit holds one patient's screening-rule counts.
type Hit struct {
	large, dup, overlap, repeat int32
	yearClaims, year            int32 // the busiest calendar year when at or above the threshold
}

func (h Hit) Any() bool {
	return h.large > 0 || h.dup > 0 || h.overlap > 0 || h.repeat > 0 || h.yearClaims > 0
}

// Weights calls add with the reason codes and weights of the hits, without text.
func (h Hit) Weights(add func(code string, w float64)) {
	if h.large > 0 {
		add("screen_large_claim", 0.05)
	}
	if h.yearClaims > 0 {
		add("screen_high_frequency", 0.02)
	}
	if h.overlap > 0 {
		add("screen_overlapping_stays", 0.3)
	}
	if h.dup > 0 {
		add("screen_duplicate_claims", 0.25)
	}
	if h.repeat > 0 {
		add("screen_repeat_prescription", 0.1*math.Min(1, float64(h.repeat)/2))
	}
}

// Reasons formats the hits.
func (h Hit) Reasons(p Options) []graph.Reason {
	var out []graph.Reason
	if h.large > 0 {
		out = append(out, finding.Reason("screen_large_claim", 0.05, map[string]float64{"claims": float64(h.large), "threshold_yuan": p.LargeClaimYuan},
			"%d 次单次结算 ≥ %.0f 元（单次大额）", "%d single claims of at least %.0f yuan (large claim rule)", h.large, p.LargeClaimYuan))
	}
	if h.yearClaims > 0 {
		out = append(out, finding.Reason("screen_high_frequency", 0.02, map[string]float64{"claims": float64(h.yearClaims), "year": float64(h.year), "threshold": float64(p.HighFrequencyPerYear)},
			"%[2]d 年报销 %[1]d 次（≥ %[3]d 次，单人高频次）", "%[1]d reimbursements in %[2]d (at least %[3]d: high-frequency rule)", h.yearClaims, h.year, p.HighFrequencyPerYear))
	}
	if h.overlap > 0 {
		out = append(out, finding.Reason("screen_overlapping_stays", 0.3, map[string]float64{"stays": float64(h.overlap)},
			"%d 次住院与另一次住院时间重叠", "%d inpatient stays overlap another stay", h.overlap))
	}
	if h.dup > 0 {
		out = append(out, finding.Reason("screen_duplicate_claims", 0.25, map[string]float64{"claims": float64(h.dup)},
			"%d 笔重复结算（同一人、同一机构、同日、同金额）", "%d duplicate claims (same patient, provider, day and amount)", h.dup))
	}
	if h.repeat > 0 {
		out = append(out, finding.Reason("screen_repeat_prescription", 0.1*math.Min(1, float64(h.repeat)/2), map[string]float64{"claims": float64(h.repeat), "days": float64(p.RepeatPrescriptionDays)},
			"%d 次在 %d 天内于不同机构以同一诊断重复开药/就诊", "%d repeated prescriptions/visits for the same diagnosis at different providers within %d days", h.repeat, p.RepeatPrescriptionDays))
	}
	return out
}

// screenPriorClaims is the weight, in claims, of the all-provider rate in a peer group's rate:
// a group of a few small providers with no hit must not make one hit look impossible.
const screenPriorClaims = 2000

// screenBaseline holds the expected number of patients hitting the strong screening rules per
// claim, per peer group (provider kind and level), so that a provider is compared with providers
// doing the same kind of care (a tertiary hospital keeps long stays that overlap transfers, a
// community centre does not).
type screenBaseline struct {
	groupHits, groupClaims map[int32]float64
	allHits, allClaims     float64
	// threshold is the surprise (−log10 p) a provider needs: p < 1 % after a Bonferroni
	// correction for the number of providers tested.
	threshold float64
	d         *dataset.Claims
	hits      func(int32) int
}

func screenGroup(d *dataset.Claims, pv int32) int32 {
	lvl := d.ProvLevel[pv]
	if lvl < 0 {
		return -1 - int32(d.ProvKind[pv])
	}
	return lvl<<1 | int32(d.ProvKind[pv])
}

func newScreenBaseline(d *dataset.Claims, provClaims []int, hits func(int32) int) *screenBaseline {
	b := &screenBaseline{groupHits: map[int32]float64{}, groupClaims: map[int32]float64{}, d: d, hits: hits}
	tested := 0
	for pv := int32(0); int(pv) < d.NProv(); pv++ {
		if provClaims[pv] == 0 {
			continue
		}
		tested++
		g := screenGroup(d, pv)
		h := float64(hits(pv))
		b.groupHits[g] += h
		b.groupClaims[g] += float64(provClaims[pv])
		b.allHits += h
		b.allClaims += float64(provClaims[pv])
	}
	b.threshold = 2 + math.Log10(float64(max(tested, 1)))
	return b
}

// expected returns the number of patients hit expected at provider pv with claims claims, from
// its peers' rate (leaving the provider itself out, so that one provider cannot set its own
// norm) shrunk towards the rate of all other providers.
func (b *screenBaseline) expected(pv int32, claims int) float64 {
	own := float64(b.hits(pv))
	c := float64(claims)
	allC := b.allClaims - c
	if allC <= 0 {
		return 0
	}
	allRate := (b.allHits - own) / allC
	g := screenGroup(b.d, pv)
	gh, gc := b.groupHits[g]-own, b.groupClaims[g]-c
	rate := (gh + screenPriorClaims*allRate) / (gc + screenPriorClaims)
	// A floor of half a patient over the whole export keeps an export without any hit elsewhere
	// from making every hit infinitely surprising.
	rate = math.Max(rate, 0.5/b.allClaims)
	return rate * c
}
