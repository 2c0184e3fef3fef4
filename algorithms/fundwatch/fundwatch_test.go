package fundwatch

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

func defaults(t *testing.T) Options {
	t.Helper()
	var o Options
	if err := o.defaults(); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestBand(t *testing.T) {
	o := defaults(t)
	// Twelve months around 100, then a month at 180: median 100, MAD 4 → half-width
	// max(3 × 1.4826 × 4, 10) = 17.79; 180 is above, 110 is inside.
	vals := []float64{96, 104, 100, 92, 108, 100, 96, 104, 100, 92, 108, 100, 180, 110}
	ps := Band(vals, o)
	for i := range 6 {
		if ps[i].Banded {
			t.Fatalf("month %d banded with %d months of history", i, i)
		}
	}
	p := ps[12]
	if p.Expected != 100 || math.Abs(p.High-117.7912) > 1e-3 || p.Alert != "above" {
		t.Fatalf("month 12 %+v", p)
	}
	// The outlier does not drag the next band: its median stays 100.
	if q := ps[13]; q.Alert != "" || q.Expected != 100 {
		t.Fatalf("month 13 %+v", q)
	}
	// A spike repeated a year later still alerts: last year's ratio is held to 3/2.
	yearly := make([]float64, 25)
	for i := range yearly {
		yearly[i] = 100 + float64(i%3)
	}
	yearly[12], yearly[24] = 300, 300
	if ys := Band(yearly, o); ys[12].Alert != "above" || ys[24].Alert != "above" {
		t.Fatalf("repeated spike: %+v %+v", ys[12], ys[24])
	}
	// A flat series has MAD 0: the minimum width keeps a 5 % change quiet.
	flat := Band([]float64{50, 50, 50, 50, 50, 50, 52.5, 40}, o)
	if flat[6].Alert != "" || flat[7].Alert != "below" {
		t.Fatalf("flat series %+v", flat[6:])
	}
}

type memSource struct {
	ins    []graph.Institution
	phs    []graph.Pharmacy
	claims []graph.Claim
}

func (m memSource) ScanInstitutions(_ context.Context, fn func(graph.Institution) error) error {
	for _, x := range m.ins {
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}
func (m memSource) ScanPharmacies(_ context.Context, fn func(graph.Pharmacy) error) error {
	for _, x := range m.phs {
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}
func (m memSource) ScanClaims(_ context.Context, fn func(graph.Claim) error) error {
	for _, x := range m.claims {
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}

// Two regions over 28 months: 530102 spends ~10 claims of 100 yuan a month and triples in its
// 27th month (a planted spike); 530103 has an honest winter bump of 20 % each December and
// January, which alerts the first winter (no year of history yet) and not the second.
func TestRunFindsTheSpikeOnly(t *testing.T) {
	m := memSource{ins: []graph.Institution{{ID: "H1", Region: "530102", Level: "一级"}, {ID: "H2", Region: "530103", Level: "二级"}}}
	n := 0
	add := func(prov string, month, count int) {
		for range count {
			n++
			m.claims = append(m.claims, graph.Claim{ID: fmt.Sprintf("C%05d", n), PatientID: fmt.Sprintf("PT%d", n%7), ProviderID: prov,
				Start: time.Date(2024, time.Month(1+month), 10, 9, 0, 0, 0, china), FundAmount: graph.FromYuan(100)})
		}
	}
	for month := range 28 {
		c := 10 + month%2
		if month == 26 {
			c = 30
		}
		add("H1", month, c)
		w := 10
		if month%12 == 11 || month%12 == 0 {
			w = 12
		}
		add("H2", month, w)
	}
	res, err := Run(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Months) != 28 || res.Months[26] != "2026-03" || len(res.Series) != 2 {
		t.Fatalf("months %v series %d", res.Months, len(res.Series))
	}
	var got []string
	for _, a := range res.Alerts {
		got = append(got, a.Key+" "+a.Month)
	}
	if want := []string{"530102 2026-03", "530103 2024-12", "530103 2025-01"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("alerts %v, want %v", got, want)
	}
	if a := res.Alerts[0]; a.Value != 3000 || !strings.Contains(a.Text, "高于预期区间") {
		t.Fatalf("spike alert %+v", a)
	}
	byKind, err := Run(context.Background(), m, Options{Dimension: ByKind, Metric: MetricClaims})
	if err != nil || len(byKind.Alerts) != 3 || byKind.Alerts[0].Key != "一级" || byKind.Alerts[0].Value != 30 {
		t.Fatalf("by kind: %v %+v", err, byKind.Alerts)
	}
	for _, bad := range []Options{{Dimension: "scheme"}, {Metric: "beds"}, {History: 2}, {K: -1}, {MinMonths: 20}} {
		if _, err := Run(context.Background(), m, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
