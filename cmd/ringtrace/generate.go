package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest/synth"
)

func init() {
	register(&command{
		use:     "generate",
		summary: "write a synthetic claims directory with planted fraud and truth.json (生成示例数据)",
		long: `生成一份合成的医保结算数据目录（符合 docs/input.md 的 CSV），其中植入已知的欺诈团伙和诚实的相似模式，
并写出真值 truth.json，供检测评估使用。相同的种子与参数生成逐字节相同的文件。

Writes a synthetic claims directory (the CSVs of docs/input.md) with planted fraud — collusion
rings, card lending, pharmacy card collection, cards of the dead — and honest look-alikes, plus
DIR/truth.json (docs/truth.md). Every rate and size of docs/generator.md is a flag; the same seed
and flags give byte-identical files.`,
		example: `  # 两万名参保人的示例数据 / sample data of 20,000 patients
  ringtrace generate --out demo/csv --patients 20000 --seed 20241126

  # 中文表头、GB18030 编码、带脏数据的导出 / Chinese headers, GB18030, a messy export
  ringtrace generate --out demo/messy --headers zh --encoding gb18030 --messy`,
		flags: generateFlags,
		run:   runGenerate,
	})
}

// generateFlags are the generator's flags: every rate and size of docs/generator.md.
func generateFlags(fs *pflag.FlagSet) {
	d := synth.DefaultConfig()
	fs.String("out", "ringtrace-data/claims", "output directory")
	fs.Int("patients", d.Patients, "number of insured patients")
	fs.Uint64("seed", d.Seed, "random seed; the same seed and flags give byte-identical files")
	fs.String("from", d.From.Format(time.DateOnly), "first claim date (YYYY-MM-DD)")
	fs.String("to", d.To.Format(time.DateOnly), "last claim date (YYYY-MM-DD)")
	fs.Int("regions", d.Regions, "number of pooling regions (1-8)")
	fs.Float64("ring-rate", d.RingRate, "fraction of patients recruited into collusion rings")
	fs.Int("ring-size-min", d.RingSizeMin, "smallest collusion ring (patients)")
	fs.Int("ring-size-max", d.RingSizeMax, "largest collusion ring (patients)")
	fs.Float64("ring-public-share", d.RingPublicShare, "fraction of rings organised at public institutions")
	fs.Float64("lending-rate", d.LendingRate, "fraction of patients whose card is used by someone else")
	fs.Float64("pharmacy-collection-rate", d.PharmacyCollectionRate, "fraction of pharmacies that collect and swipe cards")
	fs.Int("collection-size-min", d.CollectionSizeMin, "fewest cards a collecting pharmacy holds")
	fs.Int("collection-size-max", d.CollectionSizeMax, "most cards a collecting pharmacy holds")
	fs.Float64("deceased-rate", d.DeceasedRate, "fraction of patients whose card is used after death")
	fs.Float64("household-rate", d.HouseholdRate, "fraction of multi-person households that often visit together (look-alike)")
	fs.Float64("chronic-clinic-rate", d.ChronicClinicRate, "fraction of community clinics with a weekly chronic-disease day (look-alike)")
	fs.Float64("checkup-rate", d.CheckupRate, "workplace health-check groups per 10,000 patients (look-alike)")
	fs.Float64("pharmacy-rush-rate", d.PharmacyRushRate, "fraction of pharmacies with a crowded promotion day (look-alike)")
	fs.Float64("coding-error-rate", d.CodingErrorRate, "fraction of patients with one mistyped diagnosis that misfits them (look-alike)")
	fs.Float64("proxy-purchase-rate", d.ProxyPurchaseRate, "fraction of patients whose family buys their drugs during a stay (look-alike)")
	fs.Float64("dialysis-rate", d.DialysisRate, "fraction of patients on haemodialysis three times a week (look-alike)")
	fs.Float64("therapy-rate", d.TherapyRate, "fraction of patients taking a physiotherapy/TCM course at a clinic (look-alike)")
	fs.Float64("split-admission-rate", d.SplitAdmissionRate, "fraction of secondary and private hospitals that split one episode into two or three stays (分解住院)")
	fs.Float64("chemo-rate", d.ChemoRate, "fraction of patients on inpatient chemotherapy cycles every 14-28 days (look-alike)")
	fs.Float64("early-readmission-rate", d.EarlyReadmissionRate, "fraction of patients readmitted within two weeks for a relapse or complication (look-alike)")
	fs.Float64("cross-region-rate", d.CrossRegionRate, "fraction of acute visits in another pooling region")
	fs.Float64("claims-per-patient", d.ClaimsPerPatient, "approximate mean number of claims per patient")
	fs.Float64("death-rate", d.DeathRate, "honest yearly mortality")
	fs.Float64("inpatient-rate-scale", d.InpatientRateScale, "multiplier of the age-dependent admission rate")
	fs.String("encoding", d.Encoding, "file encoding: utf-8 or gb18030")
	fs.String("headers", d.Headers, "header language: en (canonical) or zh (Chinese aliases)")
	fs.Bool("no-items", false, "do not write claim_items.csv")
	fs.Bool("messy", false, "messy export: UTF-8 BOM, CRLF, some re-saved dates (2024/3/5 9:31) and grouped amounts (\"1,234.50\"), ~0.1 % duplicate rows and rows the loader must reject")
	fs.Bool("thin", false, "thin export: no phones, addresses, doctors' institutions or pharmacies.csv")
}

// runGenerate writes the directory the flags describe.
func runGenerate(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	d := synth.DefaultConfig()
	cfg := d
	cfg.Patients = v.GetInt("patients")
	cfg.Seed = v.GetUint64("seed")
	for _, k := range []struct {
		key string
		dst *time.Time
	}{{"from", &cfg.From}, {"to", &cfg.To}} {
		t, err := time.Parse(time.DateOnly, v.GetString(k.key))
		if err != nil {
			return &exitError{code: 2, err: graph.FieldErrorf(k.key, "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD, got %q", v.GetString(k.key))}
		}
		*k.dst = t
	}
	cfg.Regions = v.GetInt("regions")
	cfg.RingRate = v.GetFloat64("ring-rate")
	cfg.RingSizeMin = v.GetInt("ring-size-min")
	cfg.RingSizeMax = v.GetInt("ring-size-max")
	cfg.RingPublicShare = v.GetFloat64("ring-public-share")
	cfg.LendingRate = v.GetFloat64("lending-rate")
	cfg.PharmacyCollectionRate = v.GetFloat64("pharmacy-collection-rate")
	cfg.CollectionSizeMin = v.GetInt("collection-size-min")
	cfg.CollectionSizeMax = v.GetInt("collection-size-max")
	cfg.DeceasedRate = v.GetFloat64("deceased-rate")
	cfg.HouseholdRate = v.GetFloat64("household-rate")
	cfg.ChronicClinicRate = v.GetFloat64("chronic-clinic-rate")
	cfg.CheckupRate = v.GetFloat64("checkup-rate")
	cfg.PharmacyRushRate = v.GetFloat64("pharmacy-rush-rate")
	cfg.CodingErrorRate = v.GetFloat64("coding-error-rate")
	cfg.ProxyPurchaseRate = v.GetFloat64("proxy-purchase-rate")
	cfg.DialysisRate = v.GetFloat64("dialysis-rate")
	cfg.TherapyRate = v.GetFloat64("therapy-rate")
	cfg.SplitAdmissionRate = v.GetFloat64("split-admission-rate")
	cfg.ChemoRate = v.GetFloat64("chemo-rate")
	cfg.EarlyReadmissionRate = v.GetFloat64("early-readmission-rate")
	cfg.CrossRegionRate = v.GetFloat64("cross-region-rate")
	cfg.ClaimsPerPatient = v.GetFloat64("claims-per-patient")
	cfg.DeathRate = v.GetFloat64("death-rate")
	cfg.InpatientRateScale = v.GetFloat64("inpatient-rate-scale")
	cfg.Encoding = v.GetString("encoding")
	cfg.Headers = v.GetString("headers")
	cfg.NoItems = v.GetBool("no-items")
	cfg.Thin = v.GetBool("thin")
	cfg.Messy = v.GetBool("messy")
	if err := cfg.Validate(); err != nil {
		return &exitError{code: 2, err: err}
	}
	out := v.GetString("out")
	sum, err := synth.Generate(ctx, out, cfg, env.Logger)
	if err != nil {
		return fmt.Errorf("generate %s: %w", out, err)
	}
	fmt.Fprintf(env.Stdout, "wrote %s: %d patients, %d institutions, %d pharmacies, %d doctors, %d claims, %d items; planted %d rings, %d look-alikes (%s)\n",
		sum.Dir, sum.Patients, sum.Institutions, sum.Pharmacies, sum.Doctors, sum.Claims, sum.Items, sum.Rings, sum.Lookalikes, sum.Elapsed.Round(time.Millisecond))
	return nil
}
