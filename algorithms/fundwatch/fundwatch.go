package fundwatch

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/ringtrace/ringtrace/graph"
)

// Dimensions a series can be cut by.
const (
	ByRegion   = "region"   // the provider's pooling region
	ByKind     = "kind"     // institution level, or "pharmacy"
	ByProvider = "provider" // one institution or pharmacy
)

// Metrics a band is drawn for.
const (
	MetricFund         = "fund"           // fund money paid, yuan
	MetricClaims       = "claims"         // settlements
	MetricPatients     = "patients"       // distinct patients
	MetricFundPerClaim = "fund_per_claim" // yuan per settlement (cost per visit or stay)
)

// Options configures the model. Zero values take the defaults.
type Options struct {
	Dimension string  // default ByRegion
	Metric    string  // default MetricFund
	History   int     // months of history a band is drawn from; default 12
	MinMonths int     // months of history needed before a band is drawn; default 6
	K         float64 // band half-width in robust standard deviations (1.4826 × MAD); default 3
	// MinWidth is the least half-width as a share of the median, so that a flat series does not
	// alert on small changes; default 0.1.
	MinWidth float64
}

// Point is one month of one series.
type Point struct {
	Month    string  `json:"month"` // YYYY-MM, China time
	Value    float64 `json:"value"`
	Expected float64 `json:"expected,omitempty"` // the band's centre; absent before MinMonths of history
	Low      float64 `json:"low,omitempty"`
	High     float64 `json:"high,omitempty"`
	Banded   bool    `json:"banded"`
	Alert    string  `json:"alert,omitempty"` // "above" or "below"
}

// Series is one cut's monthly values with their bands.
type Series struct {
	Key    string  `json:"key"`
	Label  string  `json:"label,omitempty"`
	Points []Point `json:"points"`
	Alerts int     `json:"alerts"`
}

// Alert is one month outside its band.
type Alert struct {
	Key      string  `json:"key"`
	Label    string  `json:"label,omitempty"`
	Month    string  `json:"month"`
	Value    float64 `json:"value"`
	Expected float64 `json:"expected"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	// Deviation is (value − expected) / robust standard deviation: how far outside it lies.
	Deviation float64 `json:"deviation"`
	Direction string  `json:"direction"` // above, below
	Text      string  `json:"text"`      // 简体中文
}

// Result is the model's output for one dimension and metric.
type Result struct {
	Dimension string   `json:"dimension"`
	Metric    string   `json:"metric"`
	Months    []string `json:"months"`
	Series    []Series `json:"series"`
	Alerts    []Alert  `json:"alerts"` // by deviation, largest first
}

// Source is what the model reads.
type Source interface {
	ScanInstitutions(ctx context.Context, fn func(graph.Institution) error) error
	ScanPharmacies(ctx context.Context, fn func(graph.Pharmacy) error) error
	ScanClaims(ctx context.Context, fn func(graph.Claim) error) error
}

var china = time.FixedZone("CST", 8*3600)

func (o *Options) defaults() error {
	if o.Dimension == "" {
		o.Dimension = ByRegion
	}
	if o.Metric == "" {
		o.Metric = MetricFund
	}
	if o.History == 0 {
		o.History = 12
	}
	if o.MinMonths == 0 {
		o.MinMonths = 6
	}
	if o.K == 0 {
		o.K = 3
	}
	if o.MinWidth == 0 {
		o.MinWidth = 0.1
	}
	switch {
	case o.Dimension != ByRegion && o.Dimension != ByKind && o.Dimension != ByProvider:
		return graph.FieldErrorf("dimension", "must be region, kind or provider")
	case o.Metric != MetricFund && o.Metric != MetricClaims && o.Metric != MetricPatients && o.Metric != MetricFundPerClaim:
		return graph.FieldErrorf("metric", "must be fund, claims, patients or fund_per_claim")
	case o.History < 3 || o.History > 60:
		return graph.FieldErrorf("history", "must be 3–60 months")
	case o.MinMonths < 3 || o.MinMonths > o.History:
		return graph.FieldErrorf("min_months", "must be 3 to history")
	case o.K <= 0 || o.K > 10:
		return graph.FieldErrorf("k", "must be in (0, 10]")
	case o.MinWidth < 0 || o.MinWidth > 1:
		return graph.FieldErrorf("min_width", "must be in [0, 1]")
	}
	return nil
}

type cell struct {
	fund     int64
	claims   int
	patients map[string]struct{}
}

// Run builds the monthly series of src cut by o.Dimension and draws the bands of o.Metric.
func Run(ctx context.Context, src Source, o Options) (Result, error) {
	if err := o.defaults(); err != nil {
		return Result{}, err
	}
	type prov struct{ region, kind, name string }
	provs := map[string]prov{}
	if err := src.ScanInstitutions(ctx, func(in graph.Institution) error {
		kind := in.Level
		if kind == "" {
			kind = "机构（等级未知）"
		}
		provs[in.ID] = prov{in.Region, kind, in.Name}
		return nil
	}); err != nil {
		return Result{}, fmt.Errorf("fund watch: institutions: %w", err)
	}
	if err := src.ScanPharmacies(ctx, func(p graph.Pharmacy) error {
		provs[p.ID] = prov{p.Region, "定点零售药店", p.Name}
		return nil
	}); err != nil {
		return Result{}, fmt.Errorf("fund watch: pharmacies: %w", err)
	}
	cells := map[string]map[string]*cell{} // key → month → cell
	labels := map[string]string{}
	monthSet := map[string]bool{}
	if err := src.ScanClaims(ctx, func(c graph.Claim) error {
		p := provs[c.ProviderID]
		var key string
		switch o.Dimension {
		case ByRegion:
			key = p.region
			if key == "" {
				key = "（统筹区未知）"
			}
		case ByKind:
			key = p.kind
			if key == "" {
				key = "（类型未知）"
			}
		case ByProvider:
			key, labels[c.ProviderID] = c.ProviderID, p.name
		}
		month := c.Start.In(china).Format("2006-01")
		monthSet[month] = true
		byMonth := cells[key]
		if byMonth == nil {
			byMonth = map[string]*cell{}
			cells[key] = byMonth
		}
		ce := byMonth[month]
		if ce == nil {
			ce = &cell{patients: map[string]struct{}{}}
			byMonth[month] = ce
		}
		ce.fund += int64(c.FundAmount)
		ce.claims++
		if o.Metric == MetricPatients {
			ce.patients[c.PatientID] = struct{}{}
		}
		return nil
	}); err != nil {
		return Result{}, fmt.Errorf("fund watch: claims: %w", err)
	}
	res := Result{Dimension: o.Dimension, Metric: o.Metric, Months: contiguousMonths(monthSet), Series: []Series{}, Alerts: []Alert{}}
	keys := make([]string, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		values := make([]float64, len(res.Months))
		for i, m := range res.Months {
			if ce := cells[k][m]; ce != nil {
				values[i] = metric(ce, o.Metric)
			}
		}
		s := Band(values, o)
		ser := Series{Key: k, Label: labels[k], Points: make([]Point, len(values))}
		for i, p := range s {
			p.Month = res.Months[i]
			ser.Points[i] = p
			if p.Alert != "" {
				ser.Alerts++
				sd := (p.High - p.Expected) / o.K
				dev := 0.0
				if sd > 0 {
					dev = (p.Value - p.Expected) / sd
				}
				word := map[string]string{"above": "高于", "below": "低于"}[p.Alert]
				res.Alerts = append(res.Alerts, Alert{Key: k, Label: labels[k], Month: p.Month, Value: p.Value, Expected: p.Expected, Low: p.Low, High: p.High,
					Deviation: dev, Direction: p.Alert,
					Text: fmt.Sprintf("%s %s 月%s %.2f，%s预期区间 [%.2f, %.2f]（前 %d 个月中位数 %.2f，偏离 %.1f 个稳健标准差）", k, p.Month, metricZH[o.Metric], p.Value, word, p.Low, p.High, o.History, p.Expected, math.Abs(dev))})
			}
		}
		res.Series = append(res.Series, ser)
	}
	sort.SliceStable(res.Alerts, func(i, j int) bool { return math.Abs(res.Alerts[i].Deviation) > math.Abs(res.Alerts[j].Deviation) })
	return res, nil
}

var metricZH = map[string]string{MetricFund: "基金支出（元）", MetricClaims: "结算人次", MetricPatients: "就诊人数", MetricFundPerClaim: "次均基金支出（元）"}

func metric(c *cell, m string) float64 {
	switch m {
	case MetricClaims:
		return float64(c.claims)
	case MetricPatients:
		return float64(len(c.patients))
	case MetricFundPerClaim:
		if c.claims == 0 {
			return 0
		}
		return float64(c.fund) / 100 / float64(c.claims)
	}
	return float64(c.fund) / 100
}

// contiguousMonths returns every month from the first to the last of set, so that a month with
// no claims is a zero, not a gap.
func contiguousMonths(set map[string]bool) []string {
	if len(set) == 0 {
		return []string{}
	}
	ms := make([]string, 0, len(set))
	for m := range set {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	first, _ := time.Parse("2006-01", ms[0])
	last, _ := time.Parse("2006-01", ms[len(ms)-1])
	out := []string{}
	for t := first; !t.After(last); t = t.AddDate(0, 1, 0) {
		out = append(out, t.Format("2006-01"))
	}
	return out
}

// Band draws each month's band from the o.History months before it (at least o.MinMonths):
// centre the median, half-width K × 1.4826 × MAD but at least MinWidth × median, scaled by last
// year's seasonal ratio when there is one, and marks the months outside. A seasonal peak seen for
// the first time alerts: with less than a year of history nothing tells it from a spike. o must
// have its defaults.
func Band(values []float64, o Options) []Point {
	out := make([]Point, len(values))
	for i, v := range values {
		out[i].Value = v
		lo := max(0, i-o.History)
		if i-lo < o.MinMonths {
			continue
		}
		hist := append([]float64(nil), values[lo:i]...)
		sort.Float64s(hist)
		med := stat.Quantile(0.5, stat.LinInterp, hist, nil)
		dev := make([]float64, len(hist))
		for j, h := range hist {
			dev[j] = math.Abs(h - med)
		}
		sort.Float64s(dev)
		mad := stat.Quantile(0.5, stat.LinInterp, dev, nil)
		half := max(o.K*1.4826*mad, o.MinWidth*math.Abs(med))
		// Seasonality: when the same month a year earlier had a band, its ratio to that band's
		// centre scales this month's band (a winter peak seen last year is expected again). The
		// ratio is held to [2/3, 3/2] so that last year's spike cannot hide this year's: a seasonal
		// swing of up to half is absorbed, a tripling still alerts.
		if j := i - 12; j >= 0 && out[j].Banded && out[j].Expected > 0 {
			f := min(max(values[j]/out[j].Expected, 2.0/3), 1.5)
			med, half = med*f, half*f
		}
		out[i].Expected, out[i].Low, out[i].High, out[i].Banded = med, med-half, med+half, true
		switch {
		case v > med+half:
			out[i].Alert = "above"
		case v < med-half:
			out[i].Alert = "below"
		}
	}
	return out
}
