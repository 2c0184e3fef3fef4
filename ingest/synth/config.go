package synth

import (
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// GeneratorName is written to truth.json so that evaluations can tell which generator and
// format version produced a directory.
const GeneratorName = "ringtrace-synth 1"

// Config holds every knob of the generator. Rates are fractions in [0,1]; DefaultConfig gives the
// values the detectors were developed on, and evaluations are expected to vary them.
type Config struct {
	Seed     uint64
	Patients int
	From, To time.Time // inclusive date range of claims (dates only)
	Regions  int       // number of pooling regions, 1..len(regionTable)

	// Planted fraud.
	RingRate               float64 // fraction of patients recruited into collusion rings
	RingSizeMin            int     // smallest collusion ring (patients)
	RingSizeMax            int     // largest collusion ring (patients)
	RingPublicShare        float64 // fraction of rings organised at a public institution
	LendingRate            float64 // fraction of patients whose card is used by someone else
	PharmacyCollectionRate float64 // fraction of pharmacies that collect and swipe cards
	CollectionSizeMin      int     // fewest cards one collecting pharmacy holds
	CollectionSizeMax      int     // most cards one collecting pharmacy holds
	DeceasedRate           float64 // fraction of patients whose card is used after death
	SplitAdmissionRate     float64 // fraction of secondary and private hospitals that split stays (分解住院)

	// Honest look-alikes.
	HouseholdRate        float64 // fraction of multi-person households that often visit together
	ChronicClinicRate    float64 // fraction of community clinics with a weekly chronic-disease day
	CheckupRate          float64 // workplace health-check groups per 10,000 patients
	PharmacyRushRate     float64 // fraction of pharmacies with a crowded promotion day
	CodingErrorRate      float64 // fraction of patients with one claim whose diagnosis was mistyped
	ProxyPurchaseRate    float64 // fraction of patients whose family buys their drugs during a stay
	DialysisRate         float64 // fraction of patients on haemodialysis three times a week
	TherapyRate          float64 // fraction of patients taking a physiotherapy/TCM course at a clinic
	ChemoRate            float64 // fraction of patients on inpatient chemotherapy cycles
	EarlyReadmissionRate float64 // fraction of patients readmitted within two weeks (relapse, complication)
	CrossRegionRate      float64 // fraction of acute visits made in another pooling region
	ClaimsPerPatient     float64 // target mean number of claims per patient (approximate)
	DeathRate            float64 // honest yearly mortality (no claims after death)
	InpatientRateScale   float64 // multiplies the age-dependent yearly admission probability

	// Output shape.
	Encoding string // "utf-8" (default) or "gb18030"
	Headers  string // "en" (canonical, default) or "zh" (Chinese aliases)
	NoItems  bool   // do not write claim_items.csv
	Thin     bool   // empty optional columns, no pharmacies.csv
	Messy    bool   // BOM, CRLF, re-saved dates and amounts, duplicate and invalid rows
}

// DefaultConfig returns the default configuration: 10,000 patients, seed 1, calendar year 2024.
func DefaultConfig() Config {
	return Config{
		Seed:                   1,
		Patients:               10000,
		From:                   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		To:                     time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC),
		Regions:                4,
		RingRate:               0.003,
		RingSizeMin:            5,
		RingSizeMax:            40,
		RingPublicShare:        0.25,
		LendingRate:            0.002,
		PharmacyCollectionRate: 0.03,
		CollectionSizeMin:      8,
		CollectionSizeMax:      50,
		DeceasedRate:           0.0005,
		SplitAdmissionRate:     0.2,
		HouseholdRate:          0.08,
		ChronicClinicRate:      0.5,
		CheckupRate:            1,
		PharmacyRushRate:       0.05,
		CodingErrorRate:        0.0003,
		ProxyPurchaseRate:      0.001,
		DialysisRate:           0.0008,
		TherapyRate:            0.003,
		ChemoRate:              0.0005,
		EarlyReadmissionRate:   0.002,
		CrossRegionRate:        0.05,
		ClaimsPerPatient:       10,
		DeathRate:              0.007,
		InpatientRateScale:     1,
		Encoding:               "utf-8",
		Headers:                "en",
	}
}

// Validate checks the configuration; errors are *graph.Error values naming the flag.
func (c Config) Validate() error {
	if c.Patients < 1 {
		return graph.FieldErrorf("patients", "患者数必须为正数 / patients must be positive, got %d", c.Patients)
	}
	if c.Patients > 100_000_000 {
		return graph.FieldErrorf("patients", "患者数过大 / patients must be at most 100,000,000, got %d", c.Patients)
	}
	if c.From.IsZero() || c.To.IsZero() || c.To.Before(c.From) {
		return graph.FieldErrorf("to", "日期范围无效 / --to must not be before --from")
	}
	if c.To.Sub(c.From) > 5*366*24*time.Hour {
		return graph.FieldErrorf("to", "日期范围最长五年 / the date range is limited to five years")
	}
	if c.Regions < 1 || c.Regions > len(regionTable) {
		return graph.FieldErrorf("regions", "统筹区数量须在 1 到 %d 之间 / regions must be in 1..%d", len(regionTable), len(regionTable))
	}
	rates := []struct {
		name string
		v    float64
		max  float64
	}{
		{"ring-rate", c.RingRate, 0.5},
		{"ring-public-share", c.RingPublicShare, 1},
		{"lending-rate", c.LendingRate, 0.5},
		{"pharmacy-collection-rate", c.PharmacyCollectionRate, 1},
		{"deceased-rate", c.DeceasedRate, 0.5},
		{"household-rate", c.HouseholdRate, 1},
		{"chronic-clinic-rate", c.ChronicClinicRate, 1},
		{"checkup-rate", c.CheckupRate, 100},
		{"pharmacy-rush-rate", c.PharmacyRushRate, 1},
		{"coding-error-rate", c.CodingErrorRate, 0.5},
		{"proxy-purchase-rate", c.ProxyPurchaseRate, 0.5},
		{"dialysis-rate", c.DialysisRate, 0.1},
		{"therapy-rate", c.TherapyRate, 0.5},
		{"split-admission-rate", c.SplitAdmissionRate, 1},
		{"chemo-rate", c.ChemoRate, 0.1},
		{"early-readmission-rate", c.EarlyReadmissionRate, 0.1},
		{"cross-region-rate", c.CrossRegionRate, 1},
		{"death-rate", c.DeathRate, 0.5},
		{"inpatient-rate-scale", c.InpatientRateScale, 10},
	}
	for _, r := range rates {
		if !(r.v >= 0 && r.v <= r.max) { // also rejects NaN
			return graph.FieldErrorf(r.name, "取值须在 0 到 %g 之间 / must be in [0, %g], got %g", r.max, r.max, r.v)
		}
	}
	if c.ClaimsPerPatient < 1 || c.ClaimsPerPatient > 100 {
		return graph.FieldErrorf("claims-per-patient", "须在 1 到 100 之间 / must be in [1, 100], got %g", c.ClaimsPerPatient)
	}
	if c.RingSizeMin < 2 || c.RingSizeMax < c.RingSizeMin || c.RingSizeMax > 500 {
		return graph.FieldErrorf("ring-size-min", "团伙规模须满足 2 ≤ min ≤ max ≤ 500 / need 2 ≤ ring-size-min ≤ ring-size-max ≤ 500, got %d..%d", c.RingSizeMin, c.RingSizeMax)
	}
	if c.CollectionSizeMin < 2 || c.CollectionSizeMax < c.CollectionSizeMin || c.CollectionSizeMax > 1000 {
		return graph.FieldErrorf("collection-size-min", "药店聚卡数须满足 2 ≤ min ≤ max ≤ 1000 / need 2 ≤ collection-size-min ≤ collection-size-max ≤ 1000, got %d..%d", c.CollectionSizeMin, c.CollectionSizeMax)
	}
	switch c.Encoding {
	case "utf-8", "gb18030":
	default:
		return graph.FieldErrorf("encoding", "编码须为 utf-8 或 gb18030 / encoding must be utf-8 or gb18030, got %q", c.Encoding)
	}
	switch c.Headers {
	case "en", "zh":
	default:
		return graph.FieldErrorf("headers", "表头须为 en 或 zh / headers must be en or zh, got %q", c.Headers)
	}
	return nil
}
