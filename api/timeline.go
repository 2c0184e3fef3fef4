package api

import (
	"net/http"
	"time"

	"github.com/ringtrace/ringtrace/api/cases"
	"github.com/ringtrace/ringtrace/api/jobs"
	"github.com/ringtrace/ringtrace/graph"
)

// The timeline of a party: its claims counted and summed per day, week or month over all of them
// (not over the first page the claims table shows), with the events a reader places them against —
// the patient's death and inpatient stays. It is what the entity page and the workbench draw.

const (
	actTimeline     = "read_timeline"
	actRingTimeline = "read_ring_timeline"
)

// maxTimelineBuckets bounds the buckets of one answer (three years of days).
const maxTimelineBuckets = 1100

// maxTimelineEvents bounds the inpatient stays listed.
const maxTimelineEvents = 200

type timelineBucket struct {
	Start      string      `json:"start"` // first day of the bucket, China time
	Claims     int         `json:"claims"`
	Fund       graph.Money `json:"fund_amount"`
	Outpatient int         `json:"outpatient"`
	Inpatient  int         `json:"inpatient"`
	Pharmacy   int         `json:"pharmacy"`
}

type timelineEvent struct {
	Kind    string `json:"kind"` // death | inpatient_stay
	From    string `json:"from"`
	To      string `json:"to,omitempty"`
	ClaimID string `json:"claim_id,omitempty"`
}

type timelineView struct {
	Party  *graph.Ref       `json:"party,omitempty"` // the party (absent for a ring's timeline)
	Bucket string           `json:"bucket"`
	Claims int              `json:"claims"`
	Fund   graph.Money      `json:"fund_amount"`
	First  string           `json:"first,omitempty"`
	Last   string           `json:"last,omitempty"`
	Series []timelineBucket `json:"buckets"`
	Events []timelineEvent  `json:"events"`
	// EventsCapped is true when more inpatient stays exist than are listed.
	EventsCapped bool `json:"events_capped,omitempty"`
}

// bucketStart returns the first day (China time) of the bucket holding t.
func bucketStart(bucket string, t time.Time) time.Time {
	t = t.In(cases.ChinaTime)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cases.ChinaTime)
	switch bucket {
	case "day":
		return day
	case "week": // ISO weeks start on Monday
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	default:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, cases.ChinaTime)
	}
}

func nextBucket(bucket string, t time.Time) time.Time {
	switch bucket {
	case "day":
		return t.AddDate(0, 0, 1)
	case "week":
		return t.AddDate(0, 0, 7)
	default:
		return t.AddDate(0, 1, 0)
	}
}

// buildTimeline buckets the claims (any order) from the first bucket to the last with no gaps,
// so that a quiet month is drawn as zero rather than left out.
func buildTimeline(bucket string, claims []graph.Claim) (timelineView, error) {
	out := timelineView{Bucket: bucket, Series: []timelineBucket{}, Events: []timelineEvent{}}
	if len(claims) == 0 {
		return out, nil
	}
	first, last := claims[0].Start, claims[0].Start
	for _, c := range claims {
		if c.Start.Before(first) {
			first = c.Start
		}
		if c.Start.After(last) {
			last = c.Start
		}
	}
	lo, hi := bucketStart(bucket, first), bucketStart(bucket, last)
	index := map[time.Time]int{}
	for b := lo; !b.After(hi); b = nextBucket(bucket, b) {
		if len(out.Series) == maxTimelineBuckets {
			return out, fieldErr("bucket", "时间跨度太长，请改用更粗的粒度（week 或 month）或缩小时间范围", "too many buckets: use a coarser bucket (week or month) or a shorter range")
		}
		index[b] = len(out.Series)
		out.Series = append(out.Series, timelineBucket{Start: b.Format(time.DateOnly)})
	}
	for _, c := range claims {
		b := &out.Series[index[bucketStart(bucket, c.Start)]]
		b.Claims++
		b.Fund += c.FundAmount
		switch c.Type {
		case graph.ClaimInpatient:
			b.Inpatient++
		case graph.ClaimPharmacy:
			b.Pharmacy++
		default:
			b.Outpatient++
		}
		out.Claims++
		out.Fund += c.FundAmount
	}
	out.First = first.In(cases.ChinaTime).Format(time.DateOnly)
	out.Last = last.In(cases.ChinaTime).Format(time.DateOnly)
	return out, nil
}

// bucketParam reads the bucket size: day, week or month (the default).
func bucketParam(r *request) (string, error) {
	switch b := r.QueryParam("bucket"); b {
	case "":
		return "month", nil
	case "day", "week", "month":
		return b, nil
	default:
		return "", fieldErr("bucket", "bucket 只能是 day、week 或 month", "bucket must be day, week or month")
	}
}

// ringTimeline buckets the claims that tie a ring together (those its subgraph folds), over all
// of them, for the workbench's histogram and brush.
func (s *Server) ringTimeline(r *request) error {
	ix, rg, err := s.findRing(r)
	if err != nil {
		return err
	}
	bucket, err := bucketParam(r)
	if err != nil {
		return err
	}
	claims, _, err := s.ringClaims(r, rg)
	if err != nil {
		return err
	}
	out, err := buildTimeline(bucket, jobs.TyingClaims(rg.Members, claims))
	if err != nil {
		return err
	}
	return s.recorded(r, actRingTimeline, rg.Members, "job "+ix.JobID+" ring "+rg.ID, http.StatusOK, out)
}

func (s *Server) timeline(r *request) error {
	q, v, err := s.partyClaimQuery(r)
	if err != nil {
		return err
	}
	ref := q.Party
	bucket, err := bucketParam(r)
	if err != nil {
		return err
	}
	cs, _, err := s.cfg.Store.Claims(r.ctx(), q)
	if err != nil {
		return err
	}
	out, err := buildTimeline(bucket, cs)
	if err != nil {
		return err
	}
	party := v.Ref(ref)
	out.Party = &party
	if ref.Type == graph.TypePatient {
		// Stays and the death date are personal data: listed only to a reader who sees the
		// patient in full, as the entity view shows them.
		n, err := s.cfg.Store.Node(r.ctx(), ref)
		if err != nil {
			return err
		}
		if nv := nodeViewOf(v, n, nil); !nv.Masked {
			if d := n.Props["death_date"]; d != "" {
				out.Events = append(out.Events, timelineEvent{Kind: "death", From: d})
			}
			for _, c := range cs {
				if c.Type != graph.ClaimInpatient {
					continue
				}
				if len(out.Events) == maxTimelineEvents {
					out.EventsCapped = true
					break
				}
				ev := timelineEvent{Kind: "inpatient_stay", From: c.Start.In(cases.ChinaTime).Format(time.DateOnly), ClaimID: c.ID}
				if !c.End.IsZero() {
					ev.To = c.End.In(cases.ChinaTime).Format(time.DateOnly)
				}
				out.Events = append(out.Events, ev)
			}
		}
	}
	return s.recorded(r, actTimeline, []graph.Ref{ref}, bucket, http.StatusOK, out)
}
