package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/algorithms/projection"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/ingest"
)

func init() {
	register(&command{
		use:     "project",
		summary: "compute the co-visit projection and provider/patient aggregates in process or on Apache Spark (同到投影)",
		long: `计算同到检测的第一步——结算数据到同日同机构就诊关系（同到边）的投影——以及机构和参保人的汇总，
可在本进程内（--engine local）或在 Apache Spark 上（--engine spark，通过 spark-submit）计算，两者结果相同
（docs/spark.md）。输出目录中有 covisit_edges.csv、provider_aggregates.csv、patient_aggregates.csv。

Computes the claims → co-visit projection (repeat visitors of an institution who came on the same
days) and the per-provider and per-patient aggregates of a canonical claims export, in process or
on Apache Spark through spark-submit, with the same result either way (docs/spark.md). Writes
covisit_edges.csv, provider_aggregates.csv and patient_aggregates.csv to --out.`,
		example: `  # 本进程计算 / in process
  ringtrace project --data demo/csv --out demo/projection

  # 在本机 Spark 上计算（PyPI 的 pyspark 提供 spark-submit）/ on a local Spark
  ringtrace project --data demo/csv --out demo/projection --engine spark --spark-master 'local[2]'

  # 提交到集群 / on a cluster
  ringtrace project --data hdfs:///exports/2025 --out /data/projection --engine spark --spark-master spark://master:7077`,
		flags: projectFlags,
		run:   runProject,
	})
}

func projectFlags(fs *pflag.FlagSet) {
	def := projection.DefaultOptions()
	fs.String("data", "", "canonical claims CSV directory (claims.csv, institutions.csv, …)")
	fs.String("out", "projection", "output directory")
	fs.String("engine", "local", "local (in process) or spark (spark-submit)")
	fs.String("spark-submit", "spark-submit", "the spark-submit program")
	fs.String("spark-master", "local[*]", "Spark master URL")
	fs.Int("spark-partitions", 8, "spark.sql.shuffle.partitions")
	fs.Bool("spark-log", false, "copy Spark's own output to stderr (otherwise only its last lines on failure)")
	fs.Int("max-bucket-patients", def.MaxBucketPatients, "institution-days with more patients are left out")
	fs.Int("min-shared", def.MinShared, "fewest shared days that join two repeat visitors")
}

func runProject(ctx context.Context, env *Env, v *viper.Viper, _ *pflag.FlagSet) error {
	data, out := v.GetString("data"), v.GetString("out")
	if data == "" {
		return &exitError{2, graph.FieldErrorf("data", "需要 --data 数据目录 / --data DIR is required")}
	}
	o := projection.Options{MaxBucketPatients: v.GetInt("max-bucket-patients"), MinShared: v.GetInt("min-shared")}
	if err := o.Validate(); err != nil {
		return &exitError{2, err}
	}
	start := time.Now()
	var r projection.Result
	switch engine := v.GetString("engine"); engine {
	case "local":
		src, err := ingest.OpenDir(data)
		if err != nil {
			return fmt.Errorf("open claims directory %s: %w", data, err)
		}
		d, err := dataset.Load(ctx, src, nil)
		if err != nil {
			return err
		}
		if r, err = projection.Local(d, o); err != nil {
			return err
		}
	case "spark":
		var log io.Writer
		if v.GetBool("spark-log") {
			log = env.Stderr
		}
		var err error
		r, err = projection.Spark(ctx, data, out, o, projection.SparkOptions{Submit: v.GetString("spark-submit"), Master: v.GetString("spark-master"),
			Partitions: v.GetInt("spark-partitions"), Log: log})
		if err != nil {
			return err
		}
		if err := os.RemoveAll(filepath.Join(out, "spark-parts")); err != nil {
			return err
		}
	default:
		return &exitError{2, graph.FieldErrorf("engine", "引擎只能是 local 或 spark / engine must be local or spark, not %q", engine)}
	}
	if err := projection.WriteDir(out, r); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "同到投影 / projection: %d edges, %d providers, %d patients → %s (%s, %s)\n",
		len(r.Edges), len(r.Providers), len(r.Patients), out, v.GetString("engine"), time.Since(start).Round(time.Millisecond))
	return nil
}
