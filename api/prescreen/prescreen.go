package prescreen

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/algorithms/screening"
	"github.com/ringtrace/ringtrace/graph"
)

// Verdicts.
const (
	Pass = "pass"
	Hold = "hold"
)

// Reason codes of a hold.
const (
	ReasonLarge     = "single_large"      // 单次大额
	ReasonFrequency = "high_frequency"    // 单人高频次
	ReasonDeceased  = "after_death"       // 死亡后就医
	ReasonOverlap   = "overlapping_stay"  // 住院时间重叠
	ReasonBlacklist = "blacklisted_party" // 黑名单
	ReasonRing      = "known_ring_member" // 已知团伙成员
	ReasonBilling   = "billing_rule"      // 费用明细规则
	ReasonUnknown   = "unknown_patient"   // 参保人不存在
	ReasonReadmit   = "early_readmission" // 出院后短期内同病种再入院（分解住院嫌疑）
)

// Reason is one cause of a hold.
type Reason struct {
	Code   string `json:"code"`
	Text   string `json:"text"`    // 简体中文
	TextEN string `json:"text_en"` // English
}

// Verdict is the answer for one claim.
type Verdict struct {
	ClaimID string   `json:"claim_id"`
	Verdict string   `json:"verdict"`
	Reasons []Reason `json:"reasons"`
}

// Options are the thresholds (DOMAIN.md's starting values by default).
type Options struct {
	LargeClaimYuan       float64 // hold a claim whose total is at least this; default 10,000
	HighFrequencyPerYear int     // hold the claim that makes a patient's n-th of the calendar year; default 4
	// SplitAdmissionDays holds an admission to the hospital that discharged the patient within
	// this many days, for the same illness (分解住院 suspicion; planned cycles excepted); default 15.
	SplitAdmissionDays int
}

// History is what the screen reads from the store.
type History interface {
	Patient(ctx context.Context, id string) (graph.Patient, error)
	Claims(ctx context.Context, q graph.ClaimQuery) ([]graph.Claim, int, error)
}

// Screener holds what a screen consults besides the store.
type Screener struct {
	// Listed reports the parties on the blacklist at t (nil: none).
	Listed func(ctx context.Context, t time.Time) (map[graph.Ref]bool, error)
	// RingMember reports whether a party is a member of a ring in the latest findings (nil: none).
	RingMember func(graph.Ref) bool
	// Billing runs the billing-line rules over the batch (nil: not configured).
	Billing func(ctx context.Context, src billing.Source) (billing.Result, error)
	// Now is the screen's clock.
	Now func() time.Time
}

// MaxBatch bounds one screen.
const MaxBatch = 10_000

// Screen checks claims (with their items) and returns one verdict per claim in input order.
func (s *Screener) Screen(ctx context.Context, h History, claims []graph.Claim, items []graph.ClaimItem, o Options) ([]Verdict, error) {
	if o.LargeClaimYuan == 0 {
		o.LargeClaimYuan = 10000
	}
	if o.HighFrequencyPerYear == 0 {
		o.HighFrequencyPerYear = 4
	}
	if o.SplitAdmissionDays == 0 {
		o.SplitAdmissionDays = 15
	}
	if o.LargeClaimYuan < 0 || o.HighFrequencyPerYear < 1 {
		return nil, graph.FieldErrorf("thresholds", "large_claim_yuan must be positive and high_frequency_per_year at least 1")
	}
	if o.SplitAdmissionDays < 0 || o.SplitAdmissionDays > 90 {
		return nil, graph.FieldErrorf("split_admission_days", "split_admission_days must be between 1 and 90")
	}
	if len(claims) == 0 || len(claims) > MaxBatch {
		return nil, graph.FieldErrorf("claims", "a batch holds 1–%d claims", MaxBatch)
	}
	index := map[string]int{}
	for i, c := range claims {
		switch {
		case c.ID == "":
			return nil, graph.FieldErrorf("claims", "claims[%d]: claim_id is empty", i)
		case c.PatientID == "":
			return nil, graph.FieldErrorf("claims", "claims[%d] (%s): patient_id is empty", i, c.ID)
		case c.ProviderID == "" || !c.ProviderType.IsProvider():
			return nil, graph.FieldErrorf("claims", "claims[%d] (%s): provider_id and provider_type (institution or pharmacy) are required", i, c.ID)
		case c.Start.IsZero():
			return nil, graph.FieldErrorf("claims", "claims[%d] (%s): start_time is required", i, c.ID)
		case c.Type != graph.ClaimOutpatient && c.Type != graph.ClaimInpatient && c.Type != graph.ClaimPharmacy:
			return nil, graph.FieldErrorf("claims", "claims[%d] (%s): claim_type must be outpatient, inpatient or pharmacy", i, c.ID)
		}
		if _, dup := index[c.ID]; dup {
			return nil, graph.FieldErrorf("claims", "claims[%d]: claim %s appears twice in the batch", i, c.ID)
		}
		index[c.ID] = i
	}
	for i, it := range items {
		if _, ok := index[it.ClaimID]; !ok {
			return nil, graph.FieldErrorf("items", "items[%d]: claim %q is not in the batch", i, it.ClaimID)
		}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	listed := map[graph.Ref]bool{}
	if s.Listed != nil {
		var err error
		if listed, err = s.Listed(ctx, now()); err != nil {
			return nil, fmt.Errorf("screen: blacklist: %w", err)
		}
	}
	out := make([]Verdict, len(claims))
	hold := func(i int, code, zh, en string) {
		out[i].Reasons = append(out[i].Reasons, Reason{Code: code, Text: zh, TextEN: en})
	}
	large := graph.FromYuan(o.LargeClaimYuan)
	patients := map[string]graph.Patient{}
	// The batch's claims by patient in time order, so that the n-th claim of a year is the one held.
	byPatient := map[string][]int{}
	for i, c := range claims {
		byPatient[c.PatientID] = append(byPatient[c.PatientID], i)
		out[i] = Verdict{ClaimID: c.ID, Reasons: []Reason{}}
	}
	pids := make([]string, 0, len(byPatient))
	for p := range byPatient {
		pids = append(pids, p)
	}
	sort.Strings(pids)
	for _, pid := range pids {
		idx := byPatient[pid]
		sort.SliceStable(idx, func(a, b int) bool { return claims[idx[a]].Start.Before(claims[idx[b]].Start) })
		p, err := h.Patient(ctx, pid)
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			for _, i := range idx {
				hold(i, ReasonUnknown, "参保人 "+pid+" 不在参保库中", "patient "+pid+" is not in the register")
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("screen: patient %s: %w", pid, err)
		}
		patients[pid] = p
		// History: the patient's stored claims from the start of the earliest batch claim's year.
		first := claims[idx[0]].Start
		from := time.Date(first.Year(), 1, 1, 0, 0, 0, 0, first.Location())
		// Far enough back to see the stay an early readmission follows, however long it was.
		if back := first.AddDate(0, 0, -(o.SplitAdmissionDays + 120)); back.Before(from) {
			from = back
		}
		stored, _, err := h.Claims(ctx, graph.ClaimQuery{Party: graph.Ref{Type: graph.TypePatient, ID: pid}, From: from})
		if err != nil {
			return nil, fmt.Errorf("screen: claims of %s: %w", pid, err)
		}
		perYear := map[int]int{}
		var stays []graph.Claim
		for _, sc := range stored {
			if _, inBatch := index[sc.ID]; inBatch {
				continue // a re-screened claim already stored is not its own history
			}
			perYear[sc.Start.Year()]++
			if sc.Type == graph.ClaimInpatient {
				stays = append(stays, sc)
			}
		}
		for _, i := range idx {
			c := claims[i]
			perYear[c.Start.Year()]++
			if n := perYear[c.Start.Year()]; n >= o.HighFrequencyPerYear {
				hold(i, ReasonFrequency, fmt.Sprintf("参保人 %d 年第 %d 次报销（阈值 %d 次/年）", c.Start.Year(), n, o.HighFrequencyPerYear),
					fmt.Sprintf("reimbursement %d of %d for this patient (threshold %d a year)", n, c.Start.Year(), o.HighFrequencyPerYear))
			}
			if !p.DeathDate.IsZero() && c.Start.After(p.DeathDate) {
				hold(i, ReasonDeceased, "就诊时间晚于参保人死亡日期 "+p.DeathDate.Format("2006-01-02"), "care after the patient's death on "+p.DeathDate.Format("2006-01-02"))
			}
			if c.Type == graph.ClaimInpatient {
				end := c.End
				if end.IsZero() {
					end = c.Start
				}
				for _, st := range stays {
					if st.ID != c.ID && c.Start.Before(st.End) && st.Start.Before(end) {
						hold(i, ReasonOverlap, "与住院 "+st.ID+" 时间重叠", "overlaps the stay "+st.ID)
						break
					}
				}
				if prev, gap, ok := earlyReadmission(stays, c, o.SplitAdmissionDays); ok {
					hold(i, ReasonReadmit, fmt.Sprintf("出院 %d 天后再次以同一疾病（%s）入院同一医院（上次住院 %s）：分解住院嫌疑", gap, screening.IllnessCategory(c.DiagnosisCode), prev.ID),
						fmt.Sprintf("admitted again to the same hospital for the same illness (%s) %d day(s) after discharge from stay %s: possible split admission", screening.IllnessCategory(c.DiagnosisCode), gap, prev.ID))
				}
				stays = append(stays, c)
			}
		}
	}
	for i, c := range claims {
		if c.TotalAmount >= large {
			hold(i, ReasonLarge, fmt.Sprintf("单次费用 %s 元，达到大额阈值 %s 元", c.TotalAmount, large), fmt.Sprintf("total %s yuan reaches the large-claim threshold %s", c.TotalAmount, large))
		}
		parties := []graph.Ref{{Type: graph.TypePatient, ID: c.PatientID}, {Type: c.ProviderType, ID: c.ProviderID}}
		if c.DoctorID != "" {
			parties = append(parties, graph.Ref{Type: graph.TypeDoctor, ID: c.DoctorID})
		}
		for _, r := range parties {
			if listed[r] {
				hold(i, ReasonBlacklist, "当事方 "+r.String()+" 在黑名单中", "party "+r.String()+" is blacklisted")
			}
			if s.RingMember != nil && s.RingMember(r) {
				hold(i, ReasonRing, "当事方 "+r.String()+" 是已检出团伙成员", "party "+r.String()+" is a member of a detected ring")
			}
		}
	}
	if s.Billing != nil && len(items) > 0 {
		res, err := s.Billing(ctx, batchSource{claims: claims, items: items, patients: patients})
		if err != nil {
			return nil, fmt.Errorf("screen: billing rules: %w", err)
		}
		for _, hit := range res.Hits {
			if hit.AtStake <= 0 {
				continue
			}
			seen := map[string]bool{}
			for _, l := range hit.Lines {
				if i, ok := index[l.Claim]; ok && !seen[l.Claim] {
					seen[l.Claim] = true
					hold(i, ReasonBilling, fmt.Sprintf("%s：%s（%s 第 %d 行），涉及 %s 元", hit.RuleName, hit.Detail, hit.RuleFile, hit.RuleLine, hit.AtStake),
						fmt.Sprintf("%s (%s line %d), %s yuan at stake", hit.Rule, hit.RuleFile, hit.RuleLine, hit.AtStake))
				}
			}
		}
	}
	for i := range out {
		out[i].Verdict = Pass
		if len(out[i].Reasons) > 0 {
			out[i].Verdict = Hold
		}
	}
	return out, nil
}

// earlyReadmission returns the stay c follows when c is an admission to the same hospital within
// days of its discharge, for the same illness, neither stay planned care (chemotherapy, dialysis,
// rehabilitation) and no stay elsewhere in between (a transfer), with the gap in days.
func earlyReadmission(stays []graph.Claim, c graph.Claim, days int) (graph.Claim, int, bool) {
	var prev graph.Claim
	found := false
	for _, st := range stays {
		if st.ID == c.ID || st.End.IsZero() || st.End.After(c.Start) {
			continue
		}
		if !found || st.End.After(prev.End) {
			prev, found = st, true
		}
	}
	if !found || prev.ProviderID != c.ProviderID || prev.ProviderType != c.ProviderType {
		return graph.Claim{}, 0, false
	}
	cat := screening.IllnessCategory(c.DiagnosisCode)
	if cat == "" || cat != screening.IllnessCategory(prev.DiagnosisCode) || screening.PlannedCycle(c.DiagnosisCode) || screening.PlannedCycle(prev.DiagnosisCode) {
		return graph.Claim{}, 0, false
	}
	y1, m1, d1 := prev.End.Date()
	y2, m2, d2 := c.Start.In(prev.End.Location()).Date()
	gap := int(time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	if gap < 0 || gap > days {
		return graph.Claim{}, 0, false
	}
	return prev, gap, true
}

// batchSource shows the batch to the billing rules.
type batchSource struct {
	claims   []graph.Claim
	items    []graph.ClaimItem
	patients map[string]graph.Patient
}

func (b batchSource) ScanPatients(_ context.Context, fn func(graph.Patient) error) error {
	ids := make([]string, 0, len(b.patients))
	for id := range b.patients {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := fn(b.patients[id]); err != nil {
			return err
		}
	}
	return nil
}

func (b batchSource) ScanClaims(_ context.Context, fn func(graph.Claim) error) error {
	for _, c := range b.claims {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (b batchSource) ScanClaimItems(_ context.Context, fn func(graph.ClaimItem) error) error {
	for _, it := range b.items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}
