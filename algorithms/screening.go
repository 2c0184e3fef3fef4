package algorithms

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// screeningRules applies the special-action plans' screening rules (DOMAIN.md): single claim ≥
// LargeClaimYuan, ≥ HighFrequencyPerYear reimbursements in a calendar year, the TopSpenders
// patients by inpatient and by outpatient cost, overlapping inpatient stays, duplicate claims
// (same patient, provider, day, amount) and repeated prescriptions (same diagnosis at different
// providers within RepeatPrescriptionDays). They are screening lists for on-site checks, not
// proof, so each adds a small weight to the patient's and provider's risk. Providers where
// several patients hit the strong rules (overlapping stays, duplicates) are reported as
// screening_rule rings.
func screeningRules(d *dataset, p Params, ev *evidence) []flagged {
	large := int64(math.Round(p.LargeClaimYuan * 100))
	repeat := int64(p.RepeatPrescriptionDays) * secondsPerDay
	inpCost := make([]int64, d.nPat())
	outCost := make([]int64, d.nPat())
	type provHits struct {
		pats  map[int32]bool
		fund  int64
		dup   int
		overl int
	}
	perProv := map[int32]*provHits{}
	provClaims := make([]int, d.nProv())
	for _, pv := range d.cProv {
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
	for pt := int32(0); int(pt) < d.nPat(); pt++ {
		cs := d.claimsOf(pt)
		var nLarge, nDup, nOverlap, nRepeat int
		maxYear, maxYearN := 0, 0
		year, yearN := 0, 0
		var lastInpEnd int64
		lastInpProv := int32(-1)
		for i, c := range cs {
			if d.cTotal[c] >= large {
				nLarge++
			}
			y := time.Unix(d.cStart[c], 0).UTC().Year()
			if y != year {
				year, yearN = y, 0
			}
			yearN++
			if yearN > maxYearN {
				maxYear, maxYearN = y, yearN
			}
			switch d.cType[c] {
			case ctInpatient:
				inpCost[pt] += d.cFund[c]
				if lastInpProv >= 0 && d.cStart[c] < lastInpEnd {
					nOverlap++
					provHit(d.cProv[c], pt, d.cFund[c]).overl++
				}
				if d.cEnd[c] > lastInpEnd {
					lastInpEnd, lastInpProv = d.cEnd[c], d.cProv[c]
				}
			default:
				outCost[pt] += d.cFund[c]
			}
			// Duplicates and repeats look back over claims of the last days only.
			for j := i - 1; j >= 0; j-- {
				o := cs[j]
				if d.cStart[c]-d.cStart[o] > max(repeat, secondsPerDay) {
					break
				}
				sameDay := floorDiv(d.cStart[c], secondsPerDay) == floorDiv(d.cStart[o], secondsPerDay)
				if sameDay && d.cProv[o] == d.cProv[c] && d.cTotal[o] == d.cTotal[c] && d.cType[o] == d.cType[c] {
					nDup++
					provHit(d.cProv[c], pt, d.cFund[c]).dup++
					break
				}
				if d.cType[c] != ctInpatient && d.cType[o] != ctInpatient && d.cDiag[c] >= 0 && d.cDiag[c] == d.cDiag[o] &&
					d.cProv[c] != d.cProv[o] && d.cStart[c]-d.cStart[o] <= repeat {
					nRepeat++
					break
				}
			}
		}
		if nLarge > 0 || maxYearN >= p.HighFrequencyPerYear || nOverlap > 0 || nDup > 0 || nRepeat > 0 {
			// Most patients of a real export hit some screening rule (four claims a year is
			// common), so hits are kept as counters and turned into text only for the patients
			// that make it into the findings.
			if ev.screen == nil {
				ev.screen = make([]screenHit, d.nPat())
			}
			h := &ev.screen[pt]
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
	var out []flagged
	for _, pv := range provs {
		h := perProv[pv]
		hits := h.dup + h.overl
		// A rate, not a count: a big hospital has many duplicates in absolute terms. One hit per
		// hundred claims reaches the cap, which stays low because screening is not proof.
		w := 0.3 * clamp01(100*float64(hits)/float64(max(provClaims[pv], 1)))
		ev.prov[pv] = append(ev.prov[pv], reason("screen_provider_hits", w, map[string]float64{"duplicates": float64(h.dup), "overlapping_stays": float64(h.overl), "patients": float64(len(h.pats))},
			"%d 笔重复结算、%d 次重叠住院，涉及 %d 名参保人", "%d duplicate claims and %d overlapping stays involving %d patients", h.dup, h.overl, len(h.pats)))
		n := len(h.pats)
		if n < 3 {
			continue
		}
		// Screening hits are lists for on-site checks (抽查), not proof. A provider becomes a
		// ring only when its number of patients hit is surprising against its peers' rate per
		// claim (busy hospitals have honest double swipes and transfers in absolute numbers),
		// and the score grows with the excess over that expectation, not with the raw count.
		mu := base.expected(pv, provClaims[pv])
		surprise := poissonSurprise(n, mu)
		if surprise < base.threshold {
			continue
		}
		excess := float64(n) - mu
		score := math.Min(0.6, 0.25+0.03*excess)
		if score < p.MinRingScore {
			continue
		}
		pats := sortedKeys(h.pats)
		refs := make([]graph.Ref, 0, len(pats)+1)
		for _, pt := range pats {
			refs = append(refs, d.patRef(pt))
		}
		refs = append(refs, d.provRef(pv))
		vals := map[string]float64{"duplicates": float64(h.dup), "overlapping_stays": float64(h.overl), "patients": float64(n),
			"expected_patients": round4(mu), "surprise": round4(surprise)}
		out = append(out, flagged{pats: pats, provs: []int32{pv}, ring: graph.Ring{
			ID: ringID(graph.KindScreeningRule, refs), Kind: graph.KindScreeningRule, Score: round4(score), Members: refs,
			Amount: graph.Money(h.fund), Claims: hits, Region: d.regionOf(pv),
			Reasons: []graph.Reason{reason("screen_provider_hits", score, vals,
				"该机构有 %d 笔重复结算、%d 次重叠住院，涉及 %d 名参保人（按同类机构的比例预期约 %.1f 名）",
				"%d duplicate claims and %d overlapping stays at this provider, involving %d patients (about %.1f expected at the peers' rate)",
				h.dup, h.overl, n, mu)},
		}})
	}
	return out
}

// topSpenders adds a reason to the TopSpenders patients with the largest cost.
func topSpenders(d *dataset, p Params, cost []int64, ev *evidence, code, zh, en string) {
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
		ev.pat[pt] = append(ev.pat[pt], reason(code, 0.05, map[string]float64{"rank": float64(rank + 1), "amount_yuan": yuan(cost[pt])},
			zh+"费用前 %d 名（第 %d 名，%.2f 元）", "top %d by "+en+" cost (rank %d, %.2f yuan)", p.TopSpenders, rank+1, yuan(cost[pt])))
	}
}

// screenHit holds one patient's screening-rule counts.
type screenHit struct {
	large, dup, overlap, repeat int32
	yearClaims, year            int32 // the busiest calendar year when at or above the threshold
}

func (h screenHit) any() bool {
	return h.large > 0 || h.dup > 0 || h.overlap > 0 || h.repeat > 0 || h.yearClaims > 0
}

// weights returns the reason codes and weights of the hits, without text.
func (h screenHit) weights(add func(code string, w float64)) {
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

// reasons formats the hits.
func (h screenHit) reasons(p Params) []graph.Reason {
	var out []graph.Reason
	if h.large > 0 {
		out = append(out, reason("screen_large_claim", 0.05, map[string]float64{"claims": float64(h.large), "threshold_yuan": p.LargeClaimYuan},
			"%d 次单次结算 ≥ %.0f 元（单次大额）", "%d single claims of at least %.0f yuan (large claim rule)", h.large, p.LargeClaimYuan))
	}
	if h.yearClaims > 0 {
		out = append(out, reason("screen_high_frequency", 0.02, map[string]float64{"claims": float64(h.yearClaims), "year": float64(h.year), "threshold": float64(p.HighFrequencyPerYear)},
			"%[2]d 年报销 %[1]d 次（≥ %[3]d 次，单人高频次）", "%[1]d reimbursements in %[2]d (at least %[3]d: high-frequency rule)", h.yearClaims, h.year, p.HighFrequencyPerYear))
	}
	if h.overlap > 0 {
		out = append(out, reason("screen_overlapping_stays", 0.3, map[string]float64{"stays": float64(h.overlap)},
			"%d 次住院与另一次住院时间重叠", "%d inpatient stays overlap another stay", h.overlap))
	}
	if h.dup > 0 {
		out = append(out, reason("screen_duplicate_claims", 0.25, map[string]float64{"claims": float64(h.dup)},
			"%d 笔重复结算（同一人、同一机构、同日、同金额）", "%d duplicate claims (same patient, provider, day and amount)", h.dup))
	}
	if h.repeat > 0 {
		out = append(out, reason("screen_repeat_prescription", 0.1*math.Min(1, float64(h.repeat)/2), map[string]float64{"claims": float64(h.repeat), "days": float64(p.RepeatPrescriptionDays)},
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
	d         *dataset
	hits      func(int32) int
}

func screenGroup(d *dataset, pv int32) int32 {
	lvl := d.provLevel[pv]
	if lvl < 0 {
		return -1 - int32(d.provKind[pv])
	}
	return lvl<<1 | int32(d.provKind[pv])
}

func newScreenBaseline(d *dataset, provClaims []int, hits func(int32) int) *screenBaseline {
	b := &screenBaseline{groupHits: map[int32]float64{}, groupClaims: map[int32]float64{}, d: d, hits: hits}
	tested := 0
	for pv := int32(0); int(pv) < d.nProv(); pv++ {
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
