package covisit

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
	"github.com/ringtrace/ringtrace/graph"
)

// ring scores one refined group and returns it as a collusion-ring candidate when it reaches
// minScore.
func (u *unit) ring(d *dataset.Claims, dp *dataset.DiagnosisPeers, classes []dataset.DiagClass, gr scored, o Options, minScore float64) (finding.Candidate, bool) {
	g := gr.test
	coord := coordination(gr.heldOut, o.MinGroupSurprise)
	if coord == 0 {
		return finding.Candidate{}, false
	}
	own := d.ProvOwn[u.prov]
	f := u.features(d, dp, classes, gr.members, &g)
	ex := explain(f, own, d.Tier(u.prov))
	sup := support(f, own)
	partners := partnerHospitals(d, gr.members, u.prov)
	if len(partners) > 0 {
		sup = finding.NoisyOr(sup, 0.5)
	}
	// Recurrence: members of a ring come back over months. A group most of whose members meet
	// only within a few weeks (patients booked for the same follow-up, an outbreak) is not one.
	recur := finding.Clamp01((f.recurring - 0.25) / 0.5)
	coord *= recur
	score := coord * (1 - ex.total) * (0.7 + 0.3*sup)
	if score < minScore {
		return finding.Candidate{}, false
	}
	n := len(gr.members)
	gran := 0.0
	code := "covisit_days"
	zh := "%[1]d 名参保人在同一机构反复同日就诊：%[2]d 个日期每次至少 %[3]d 人同到（分 %[4]d 次，成员平均出席 %.0[5]f%%），按机构日就诊量和各人就诊频次随机仅约 %.2[6]f 次（概率约 10^-%.1[7]f）"
	en := "%[1]d patients repeatedly came to the same institution on the same days: on %[2]d days at least %[3]d of them came together (%[4]d sessions, members attended %.0[5]f%% on average); about %.2[6]f such days were expected from the institution's daily volume and their own visit frequencies (probability about 10^-%.1[7]f)"
	if g.gran != granDay {
		gran = 1
		code = "covisit_spread_days"
		zh = "%[1]d 名参保人在同一机构的相邻几天内反复先后就诊：%[2]d 个时段每次至少 %[3]d 人到访（分 %[4]d 次，成员平均出席 %.0[5]f%%），按机构就诊量和各人就诊频次随机仅约 %.2[6]f 次（概率约 10^-%.1[7]f）"
		en = "%[1]d patients repeatedly came to the same institution within a few days of each other: in %[2]d periods at least %[3]d of them came (%[4]d sessions, members attended %.0[5]f%% on average); about %.2[6]f such periods were expected from the institution's volume and their own visit frequencies (probability about 10^-%.1[7]f)"
	}
	reasons := []graph.Reason{finding.Reason(code, coord, map[string]float64{
		"patients": float64(n), "sessions": float64(g.observed), "episodes": float64(g.episodes), "min_present": float64(g.m),
		"expected_sessions": finding.Round4(g.expected), "group_surprise": finding.Round4(gr.heldOut), "attendance": finding.Round4(f.attendance),
		"spread": gran, "spread_days": float64(o.SpreadDays), "recurring": finding.Round4(f.recurring),
	}, zh, en, n, g.observed, g.m, g.episodes, 100*f.attendance, g.expected, gr.heldOut)}
	add := func(w float64, code string, vals map[string]float64, zh, en string, args ...any) {
		if w > 0.005 {
			reasons = append(reasons, finding.Reason(code, w, vals, zh, en, args...))
		}
	}
	// Support.
	if f.inflation > 1.15 {
		add(0.5*finding.Clamp01((f.inflation-1.15)/1.0), "amount_inflation", map[string]float64{"ratio": finding.Round4(f.inflation)},
			"成员在该机构的结算金额为同诊断、同类型、同级别机构平均水平的 %.2f 倍", "members' amounts at the institution are %.2f× those of peers with the same diagnosis, claim type and level", f.inflation)
	}
	add(0.5*finding.Clamp01(f.nonCovered*3), "non_covered_items", map[string]float64{"share": finding.Round4(f.nonCovered)},
		"%.0f%% 的同到结算含保健食品、生活用品等非医保项目（串换）", "%.0f%% of the session claims bill health food, daily goods or other non-covered items as care", 100*f.nonCovered)
	add(0.3*finding.Clamp01((f.copied-0.3)/0.5), "copied_prescriptions", map[string]float64{"share": finding.Round4(f.copied)},
		"%.0f%% 的同到结算与同日另一成员的费用明细完全相同（复制处方）", "%.0f%% of the session claims carry the same item list as another member's that day (copied prescriptions)", 100*f.copied)
	add(0.45*f.batchEntry(), "batch_entry", map[string]float64{"median_gap_seconds": finding.Round4(f.batchGap)},
		"同到成员的结算前后仅相隔约 %.0f 秒，像是集中批量录入而非逐个诊疗", "the members' session claims are about %.0f seconds apart: entered in one batch, not seen one by one", f.batchGap)
	add(0.35*f.afterHours(), "off_hours_sessions", map[string]float64{"share": finding.Round4(f.offHours)},
		"%.0f%% 的同到结算发生在该机构几乎不接诊其他患者的时段（午间或下班后），不像当面诊疗", "%.0f%% of the session claims were billed at hours when the institution sees almost none of its other patients (lunchtime, evening): not care given in person", 100*f.offHours)
	add(0.5*finding.Clamp01(4*f.absent), "billed_while_absent", map[string]float64{"share": finding.Round4(f.absent)},
		"%.0f%% 的同到结算发生在该成员正在其他医院住院期间", "%.0f%% of the session claims were billed while the member was an inpatient at another hospital", 100*f.absent)
	switch own {
	case dataset.OwnPrivate:
		add(0.35, "private_provider", nil, "主要机构为民营机构", "the institution is privately owned")
	case dataset.OwnUnknown:
		add(0.14, "ownership_unknown", nil, "机构性质未导出", "the institution's ownership is not exported")
	}
	add(0.35*f.sync, "synchronised_admissions", map[string]float64{"share": finding.Round4(f.sync)},
		"%.0f%% 的成员住院与其他成员同日（前后一天内）入院", "%.0f%% of the members' admissions were within a day of another member's", 100*f.sync)
	add(0.25*finding.Clamp01((f.concentration-0.3)/0.5), "spending_concentration", map[string]float64{"share": finding.Round4(f.concentration), "amount_yuan": finding.Yuan(f.provFund)},
		"成员 %.0f%% 的统筹支付（%.2f 元）发生在该机构", "%.0f%% of the members' fund money (%.2f yuan) was paid to the institution", 100*f.concentration, finding.Yuan(f.provFund))
	// Explanations: they lower the score, each by the evidence that explains the group.
	add(0.95*ex.therapy, "scheduled_therapy", map[string]float64{"share": finding.Round4(f.therapy)},
		"%.0f%% 的同到结算是透析、康复或放化疗等定期治疗（降低得分）", "%.0f%% of the session claims are scheduled therapy: dialysis, rehabilitation or oncology sessions (lowers the score)", 100*f.therapy)
	add(0.9*ex.checkup, "checkup_cohort", map[string]float64{"share": finding.Round4(f.checkup)},
		"%.0f%% 的同到结算为健康检查（降低得分）", "%.0f%% of the session claims are health examinations (lowers the score)", 100*f.checkup)
	add(0.9*ex.household, "shared_household", map[string]float64{"share": finding.Round4(f.householdPairs), "cover": finding.Round4(f.householdCover)},
		"%.0f%% 的成员两两共用电话或住址：家庭或同一养老机构（降低得分）", "%.0f%% of member pairs share a phone or an address: a household or one care home (lowers the score)", 100*f.householdPairs)
	add(0.6*ex.chronic, "chronic_care", map[string]float64{"share": finding.Round4(f.chronicDiag), "own_history": finding.Round4(f.chronic), "ratio": finding.Round4(f.inflation), "irregular": finding.Round4(f.irregular)},
		"%.0f%% 的同到结算为慢性病随访，金额正常（慢病管理日，降低得分）", "%.0f%% of the session claims are follow-ups of long-term conditions at ordinary amounts (a chronic-disease day; lowers the score)", 100*f.chronicDiag)
	add(0.6*ex.unsteadyChronic, "irregular_follow_ups", map[string]float64{"share": finding.Round4(f.irregular)},
		"%.0f%% 的成员回访间隔不规律（不像按处方用完复诊），不按慢病管理日解释", "%.0f%% of the members come back at irregular intervals, not as prescriptions run out: not explained as a chronic-disease day", 100*f.irregular)
	add(0.6*ex.course, "treatment_course", map[string]float64{"visits_per_session": finding.Round4(f.course)},
		"成员每次连续多日就诊（平均 %.1f 天），像一个疗程（降低得分）", "members come on consecutive days each time (%.1f days on average), like a course of treatment (lowers the score)", f.course)

	// Members: patients, the doctors who saw most session claims, the institution, partners.
	refs := make([]graph.Ref, 0, n+len(f.doctors)+1+len(partners))
	for _, s := range gr.members {
		refs = append(refs, d.PatRef(s))
	}
	var docs []int32
	var docCredit []float64
	for _, ds := range f.doctors {
		refs = append(refs, d.DocRef(ds.doc))
		docs = append(docs, ds.doc)
		docCredit = append(docCredit, finding.Clamp01(0.5+ds.share))
	}
	refs = append(refs, d.ProvRef(u.prov))
	provs := []int32{u.prov}
	credit := []float64{providerCredit(d, u.prov, f.fund)}
	amount := f.fund
	claims := f.claims
	for _, pa := range partners {
		refs = append(refs, d.ProvRef(pa.prov))
		provs = append(provs, pa.prov)
		credit = append(credit, 0.8)
		amount += pa.fund
		claims += pa.claims
		reasons = append(reasons, finding.Reason("partner_admissions", 0.5, map[string]float64{"members": float64(pa.members), "waves": float64(pa.waves)},
			"%[1]d 名成员分 %[2]d 批在另一家医院 %[3]s 集中入院", "%[1]d members were admitted together in %[2]d waves at another hospital, %[3]s", pa.members, pa.waves, d.Prov.Strs[pa.prov]))
	}
	finding.SortReasons(reasons)
	return finding.Candidate{
		Pats: gr.members, Provs: provs, ProvCredit: credit, Docs: docs, DocCredit: docCredit,
		Ring: graph.Ring{
			ID: finding.ID(graph.KindCollusionRing, refs), Kind: graph.KindCollusionRing, Score: finding.Round4(score),
			Members: refs, Amount: graph.Money(amount), Claims: claims, Region: d.RegionOf(u.prov), Reasons: reasons,
		},
	}, true
}

// providerCredit is the share of a ring's score its institution carries: a private institution
// the whole of it; a public one in proportion to how much of its money the ring is (one doctor's
// ring does not make a public hospital fraudulent); an institution of unknown ownership between.
func providerCredit(d *dataset.Claims, pv int32, amount int64) float64 {
	share := 1.0
	if f := d.ProvFund[pv]; f > 0 {
		share = math.Min(1, 3*float64(amount)/float64(f))
	}
	switch d.ProvOwn[pv] {
	case dataset.OwnPrivate:
		return 1
	case dataset.OwnPublic:
		return math.Max(0.3, share)
	}
	return math.Max(0.6, share)
}

type partner struct {
	prov                   int32
	members, waves, claims int
	fund                   int64
}

// partnerHospitals returns institutions other than the ring's own where at least three members
// were admitted within two days of each other (a wave): the hospital that takes the group's
// paper admissions (诱导住院, 挂床住院).
func partnerHospitals(d *dataset.Claims, pats []int32, main int32) []partner {
	type adm struct {
		prov  int32
		day   int32
		pat   int32
		claim int32
	}
	var as []adm
	for _, pt := range pats {
		for _, c := range d.ClaimsOf(pt) {
			if d.CType[c] == dataset.Inpatient && d.CProv[c] != main && d.ProvKind[d.CProv[c]] == dataset.Institution {
				as = append(as, adm{d.CProv[c], d.Day(c), pt, c})
			}
		}
	}
	slices.SortFunc(as, func(a, b adm) int {
		if c := cmp.Compare(a.prov, b.prov); c != 0 {
			return c
		}
		return cmp.Compare(a.day, b.day)
	})
	var out []partner
	for lo := 0; lo < len(as); {
		hi := lo
		for hi < len(as) && as[hi].prov == as[lo].prov {
			hi++
		}
		members := map[int32]bool{}
		p := partner{prov: as[lo].prov}
		for i := lo; i < hi; {
			j := i
			wave := map[int32]bool{}
			for j < hi && as[j].day-as[i].day <= 2 {
				wave[as[j].pat] = true
				j++
			}
			if len(wave) >= 3 {
				p.waves++
				for x := range wave {
					members[x] = true
				}
				for k := i; k < j; k++ {
					p.claims++
					p.fund += d.CFund[as[k].claim]
				}
			}
			i = j
		}
		if p.waves > 0 {
			p.members = len(members)
			out = append(out, p)
		}
		lo = hi
	}
	return out
}
