package covisit

import (
	"cmp"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/finding"
)

// features are what the session claims of a group show, for the explanations and the support.
type features struct {
	claims     int   // session claims at the institution
	fund       int64 // their fund money
	memberFund int64 // the members' fund money anywhere
	provFund   int64 // the members' fund money at the institution

	therapy, checkup, injury, nonCovered float64 // shares of session claims
	copied                               float64 // share of session claims whose item list another member has that day
	chronic                              float64 // share of members whose sessions are their own chronic care
	chronicDiag                          float64 // share of session claims with a long-term diagnosis
	householdPairs, householdCover       float64
	course                               float64 // mean visits per member per session episode
	inflation                            float64 // geometric mean amount ratio against diagnosis peers
	sync                                 float64 // share of members' admissions on a day another member was admitted
	concentration                        float64
	doctors                              []docShare
	attendance                           float64 // mean share of sessions a member attended
	// recurring is the share of members whose session visits span at least recurDays: members
	// of a ring come back over months; patients booked for a follow-up a week after a shared
	// first visit do not.
	recurring float64
	// batchGap is the typical gap in seconds between consecutive members' session claims (the
	// median over sessions with at least four of them of each session's median gap); −1 when
	// no session has four. Claims seconds apart in a long run were entered in one batch, not
	// delivered.
	batchGap float64
	// irregular is the share of members (with at least four session visits) whose intervals
	// between session visits vary by more than a quarter of their typical interval: a chronic
	// patient's follow-ups come as the prescriptions run out, at one interval; a recruit comes
	// when called.
	irregular float64
	// absent is the share of session claims billed while the member was an inpatient at
	// another provider: care for someone who was not there.
	absent float64
	// offHours is the share of session claims billed in an hour of the day in which the
	// institution saw almost none of its other patients (offHoursShare): follow-ups entered at
	// lunchtime or in the evening, when the clinic does not otherwise see anyone.
	offHours float64
}

// offHoursShare is the share of an institution's other visits below which an hour of the day
// counts as outside its working hours (an hour of a ten-hour day holds about a tenth).
const offHoursShare = 0.02

// minHoursVisits is the number of other visits an institution needs before its hours are known.
const minHoursVisits = 200

// afterHours maps the share of session claims billed outside the institution's hours to
// [0,1]: 0 up to a fifth of them (a late patient or two), 1 from seven tenths.
func (f features) afterHours() float64 { return finding.Clamp01((f.offHours - 0.2) / 0.5) }

// batchEntry maps the typical gap between members' session claims to [0,1]: 1 at half a minute
// or less, 0 from a minute and a half. A quick refill visit can take two minutes; nobody is
// seen in thirty seconds, run after run.
func (f features) batchEntry() float64 {
	if f.batchGap < 0 {
		return 0
	}
	return finding.Clamp01((90 - f.batchGap) / 60)
}

// recurDays is the span of session visits that makes a member recurring.
const recurDays = 28

type docShare struct {
	doc   int32
	share float64
}

func (u *unit) features(d *dataset.Claims, dp *dataset.DiagnosisPeers, classes []dataset.DiagClass, members []int32, g *groupTest) features {
	var f features
	var therapy, checkup, injury, nonCov, logRatio, chronicClaims float64
	// Item lists of session claims per (day, list): copied prescriptions across members.
	hashes := map[[2]int64]int{}
	withItems := 0
	docN := map[int32]int{}
	chronicMembers := 0
	var courseSum float64
	var admits []admission
	var attend float64
	recurringMembers := 0
	sessionTimes := map[int32][]int64{}
	absent := 0
	// The institution's hours from its other patients' visits (first claim of each patient-day).
	var hourN [24]float64
	others := 0.0
	for _, v := range u.visits {
		if _, in := slices.BinarySearch(members, v.pat); !in {
			hourN[hourOfDay(d.CStart[v.claim])]++
			others++
		}
	}
	offHour := func(t int64) bool {
		return others >= minHoursVisits && hourN[hourOfDay(t)] < offHoursShare*others
	}
	offHours := 0
	irregular, timed := 0, 0
	for _, s := range members {
		var sessDays []int32
		var stays [][2]int64
		for _, c := range d.ClaimsOf(s) {
			if d.CType[c] == dataset.Inpatient && d.CProv[c] != u.prov && d.CEnd[c] > d.CStart[c] {
				// A day's grace at both ends: admission and discharge days are shared.
				stays = append(stays, [2]int64{d.CStart[c] + dataset.SecondsPerDay, d.CEnd[c] - dataset.SecondsPerDay})
			}
		}
		inSess, inSessChronic, outChronic := 0, 0, 0
		first, last := int32(math.MaxInt32), int32(math.MinInt32)
		episodes := map[int]bool{}
		for _, c := range d.ClaimsOf(s) {
			f.memberFund += d.CFund[c]
			cls := dataset.DiagOther
			if dg := d.CDiag[c]; dg >= 0 {
				cls = classes[dg]
			}
			if d.CProv[c] != u.prov {
				if cls == dataset.DiagChronic {
					outChronic++
				}
				continue
			}
			f.provFund += d.CFund[c]
			day := d.Day(c)
			if d.CType[c] == dataset.Inpatient {
				admits = append(admits, admission{s, day})
			}
			if !g.inSession(day) {
				if cls == dataset.DiagChronic {
					outChronic++
				}
				continue
			}
			inSess++
			if len(sessDays) == 0 || sessDays[len(sessDays)-1] != day {
				sessDays = append(sessDays, day)
			}
			sessionTimes[day] = append(sessionTimes[day], d.CStart[c])
			if offHour(d.CStart[c]) {
				offHours++
			}
			for _, st := range stays {
				if d.CStart[c] > st[0] && d.CStart[c] < st[1] {
					absent++
					break
				}
			}
			first, last = min(first, day), max(last, day)
			episodes[g.episodeOf(day)] = true
			f.claims++
			f.fund += d.CFund[c]
			it := d.CItems[c]
			// Dialysis and oncology sessions explain a schedule by themselves; rehabilitation
			// explains one only as a course of daily sessions (the course feature), since a
			// ring can bill physiotherapy too.
			if it.Flags&(dataset.CareDialysis|dataset.CareOncology) != 0 || cls == dataset.DiagDialysis || cls == dataset.DiagOncology {
				therapy++
			}
			if it.Lines >= 2 {
				hashes[[2]int64{int64(day), int64(it.Hash)}]++
				withItems++
			}
			if it.Flags&dataset.CareCheckup != 0 || cls == dataset.DiagCheckup {
				checkup++
			}
			if cls == dataset.DiagInjury || cls == dataset.DiagAcuteInfection {
				injury++
			}
			if it.Flags&dataset.CareNonCovered != 0 {
				nonCov++
			}
			if cls == dataset.DiagChronic {
				inSessChronic++
				chronicClaims++
			}
			lr, _ := dp.LogRatio(d, c)
			logRatio += lr
			if doc := d.CDoc[c]; doc >= 0 {
				docN[doc]++
			}
		}
		// Chronic care explains a member's sessions when they are for a long-term condition the
		// member also has outside them (refills, other visits): the member's own disease.
		if inSess > 0 && 2*inSessChronic >= inSess && outChronic > 0 {
			chronicMembers++
		}
		if last-first >= recurDays {
			recurringMembers++
		}
		if irr, ok := intervalSpread(sessDays); ok {
			timed++
			if irr > 0.25 {
				irregular++
			}
		}
		if len(episodes) > 0 {
			courseSum += float64(inSess) / float64(len(episodes))
		}
		if len(g.sessions) > 0 {
			attend += float64(len(episodes)) / float64(max(g.episodes, 1))
		}
	}
	n := float64(max(f.claims, 1))
	f.absent = float64(absent) / n
	if timed > 0 {
		f.irregular = float64(irregular) / float64(timed)
	}
	f.offHours = float64(offHours) / n
	f.batchGap = -1
	var gaps []float64
	for _, ts := range sessionTimes {
		if len(ts) < 4 {
			continue
		}
		slices.Sort(ts)
		g := make([]float64, 0, len(ts)-1)
		for i := 1; i < len(ts); i++ {
			g = append(g, float64(ts[i]-ts[i-1]))
		}
		slices.Sort(g)
		gaps = append(gaps, g[len(g)/2])
	}
	if len(gaps) > 0 {
		slices.Sort(gaps)
		f.batchGap = gaps[len(gaps)/2]
	}
	f.therapy, f.checkup, f.injury, f.nonCovered = therapy/n, checkup/n, injury/n, nonCov/n
	f.chronicDiag = chronicClaims / n
	if withItems > 0 {
		copied := 0
		for _, k := range hashes {
			if k >= 2 {
				copied += k
			}
		}
		f.copied = float64(copied) / float64(withItems)
	}
	f.inflation = math.Exp(logRatio / n)
	f.chronic = float64(chronicMembers) / float64(len(members))
	f.recurring = float64(recurringMembers) / float64(len(members))
	f.course = courseSum / float64(len(members))
	f.attendance = finding.Clamp01(attend / float64(len(members)))
	f.householdPairs, f.householdCover = householdShare(d, members)
	f.sync = syncShare(admits)
	if f.memberFund > 0 {
		f.concentration = float64(f.provFund) / float64(f.memberFund)
	}
	for doc, k := range docN {
		if s := float64(k) / n; s >= 0.2 {
			f.doctors = append(f.doctors, docShare{doc, s})
		}
	}
	slices.SortFunc(f.doctors, func(a, b docShare) int {
		if c := cmp.Compare(b.share, a.share); c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc)
	})
	if len(f.doctors) > 3 {
		f.doctors = f.doctors[:3]
	}
	return f
}

// intervalSpread returns the median absolute deviation of the intervals between consecutive
// days (sorted, distinct) over their median, and false for fewer than four days.
func intervalSpread(days []int32) (float64, bool) {
	if len(days) < 4 {
		return 0, false
	}
	iv := make([]float64, 0, len(days)-1)
	for i := 1; i < len(days); i++ {
		iv = append(iv, float64(days[i]-days[i-1]))
	}
	slices.Sort(iv)
	med := iv[len(iv)/2]
	dev := make([]float64, len(iv))
	for i, x := range iv {
		dev[i] = math.Abs(x - med)
	}
	slices.Sort(dev)
	return dev[len(dev)/2] / math.Max(med, 1), true
}

type admission struct {
	pat int32
	day int32
}

// syncShare returns the share of admissions made within a day of another member's admission.
func syncShare(as []admission) float64 {
	if len(as) < 2 {
		return 0
	}
	slices.SortFunc(as, func(a, b admission) int { return cmp.Compare(a.day, b.day) })
	sync := 0
	for i, a := range as {
		for j := max(i-8, 0); j < min(i+9, len(as)); j++ {
			if j != i && as[j].pat != a.pat && absDiff(as[j].day, a.day) <= 1 {
				sync++
				break
			}
		}
	}
	return float64(sync) / float64(len(as))
}

func absDiff(a, b int32) int32 {
	if a > b {
		return a - b
	}
	return b - a
}

// householdShare returns the share of member pairs that share a phone or an address, and the
// share of members who share one with at least one other member.
func householdShare(d *dataset.Claims, members []int32) (pairs, cover float64) {
	n := len(members)
	if n < 2 {
		return 0, 0
	}
	byPhone := map[int32][]int32{}
	byAddr := map[int32][]int32{}
	for _, s := range members {
		if p := d.PatPhone[s]; p >= 0 {
			byPhone[p] = append(byPhone[p], s)
		}
		if a := d.PatAddr[s]; a >= 0 {
			byAddr[a] = append(byAddr[a], s)
		}
	}
	shared := map[[2]int32]bool{}
	covered := map[int32]bool{}
	for _, m := range []map[int32][]int32{byPhone, byAddr} {
		for _, g := range m {
			if len(g) < 2 {
				continue
			}
			for i, a := range g {
				covered[a] = true
				for _, b := range g[i+1:] {
					shared[[2]int32{min(a, b), max(a, b)}] = true
				}
			}
		}
	}
	return float64(len(shared)) / float64(n*(n-1)/2), float64(len(covered)) / float64(n)
}

// explanation combines the honest explanations of a coordinated group, each in [0,1].
type explanation struct {
	therapy, checkup, household, chronic, course float64
	total                                        float64
	// unsteadyChronic is the chronic-day explanation withheld because the members come back
	// at irregular intervals (features.irregular).
	unsteadyChronic float64
}

// steady maps the share of members coming back at irregular intervals to [0,1]: 1 (a
// follow-up schedule) up to 60 %, 0 from 85 %. In the development sets honest chronic days had
// 0–20 % irregular members (a few up to 67 %), collusion rings with chronic diagnoses 80–100 %.
func (f features) steady() float64 { return 1 - finding.Clamp01((f.irregular-0.6)/0.25) }

func explain(f features, own, tier int8) explanation {
	notInflated := 1 - finding.Clamp01((f.inflation-1.1)/0.4)
	// A chronic-disease day (慢病管理) is primary care's work: long-term diagnoses on nearly
	// every session claim, at ordinary amounts, at a public centre. It is discounted, not
	// dropped: a centre that fabricates such days looks the same in the claims and is left to
	// the other evidence (inflation, non-covered items) — docs/decisions/detection.md. "Nearly
	// every": the explanation is nil at 60 % long-term session claims and full from 95 %; a
	// group that also comes, session after session, for other complaints is not explained by
	// anyone's follow-up (the ramp ran from 50 % to 80 % until December 7).
	chronic := finding.Clamp01((f.chronicDiag-0.6)/0.35) * notInflated * (1 - 0.5*f.nonCovered)
	if own == dataset.OwnPrivate {
		chronic *= 0.3
	}
	if tier == dataset.TierSecondary || tier == dataset.TierTertiary {
		chronic *= 0.6
	}
	// Care explains a group only if it was delivered: claims entered in one batch minutes
	// apart, or billed while the member lay in another hospital, void the care explanations.
	// Chronic follow-ups are also void when billed outside the hours in which the institution
	// sees its other patients (a clinic's chronic-disease day is in its consultation hours;
	// dialysis shifts and check-ups may well run at other hours, so those are not).
	delivered := 1 - math.Max(f.batchEntry(), finding.Clamp01(4*f.absent))
	// A dialysis or oncology shift is settled together: its patients are on the machines at
	// the same time and the ward enters their claims in one go, so batch entry does not void
	// it; billing a member who lay in another hospital does.
	treated := 1 - finding.Clamp01(4*f.absent)
	followedUp := math.Min(delivered, 1-f.afterHours())
	// A chronic-disease day is a schedule: each patient comes back when the prescription runs
	// out, at their own steady interval. Members called in at random sessions are not followed
	// up, whatever the diagnoses say.
	scheduled := finding.Clamp01(chronic) * followedUp
	e := explanation{
		therapy:   finding.Clamp01((f.therapy-0.2)/0.5) * treated,
		checkup:   finding.Clamp01((f.checkup-0.2)/0.5) * delivered,
		household: finding.Clamp01(f.householdPairs / 0.6),
		chronic:   scheduled * f.steady(),
		course:    finding.Clamp01((f.course-2)/3) * delivered,
	}
	e.unsteadyChronic = scheduled - e.chronic
	e.total = finding.NoisyOr(0.95*e.therapy, 0.9*e.checkup, 0.9*e.household, 0.6*e.chronic, 0.6*e.course)
	return e
}

// support is what raises a coordinated, unexplained group from odd to fraudulent.
func support(f features, own int8) float64 {
	var priv float64
	switch own {
	case dataset.OwnPrivate:
		priv = 1
	case dataset.OwnUnknown:
		priv = 0.4
	}
	return finding.NoisyOr(
		0.5*finding.Clamp01((f.inflation-1.15)/1.0),
		0.5*finding.Clamp01(f.nonCovered*3),
		0.35*priv,
		0.35*f.sync,
		0.25*finding.Clamp01((f.concentration-0.3)/0.5),
		0.3*finding.Clamp01((f.copied-0.3)/0.5),
		0.45*f.batchEntry(),
		0.5*finding.Clamp01(4*f.absent),
		0.35*f.afterHours(),
	)
}

// hourOfDay returns the local hour of a claim start (seconds of local time).
func hourOfDay(t int64) int {
	return int(dataset.FloorDiv(t, 3600) - dataset.FloorDiv(t, dataset.SecondsPerDay)*24)
}

// coordination maps the group surprise to [0,1].
func coordination(surprise, min float64) float64 {
	return 1 - math.Exp(-math.Max(0, surprise-min)/4)
}
