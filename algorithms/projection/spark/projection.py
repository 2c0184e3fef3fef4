"""RingTrace: the claims -> co-visit projection and the per-provider and per-patient aggregates on
Apache Spark. The same definitions as algorithms/projection (Local) in Go; docs/spark.md.

spark-submit projection.py --data EXPORT_DIR --out OUT_DIR [--max-bucket-patients 60] [--min-shared 2]

Reads the input contract's canonical CSV files (claims.csv, institutions.csv) and writes three CSV
directories with headers (part files): covisit_edges.csv, provider_aggregates.csv,
patient_aggregates.csv. Started by `ringtrace project --engine spark`, which merges them.
"""
import argparse

from pyspark.sql import SparkSession, functions as F


def fen(col):
    """Yuan text to whole fen (decimal arithmetic: no binary rounding)."""
    return F.round(F.trim(F.col(col)).cast("decimal(18,2)") * 100).cast("long")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-bucket-patients", type=int, default=60)
    ap.add_argument("--min-shared", type=int, default=2)
    a = ap.parse_args()

    spark = SparkSession.builder.appName("ringtrace-projection").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    read = spark.read.option("header", True).option("encoding", "UTF-8")

    claims = (
        read.csv(a.data + "/claims.csv")
        .select(
            F.trim("patient_id").alias("patient_id"),
            F.trim("provider_id").alias("provider_id"),
            F.substring(F.trim("start_time"), 1, 10).alias("day"),
            F.coalesce(fen("total_amount"), F.lit(0)).alias("total_fen"),
            F.coalesce(fen("fund_amount"), F.lit(0)).alias("fund_raw"),
        )
        # An empty or zero fund amount counts as the total, as the detectors count it.
        .withColumn("fund_fen", F.when(F.col("fund_raw") == 0, F.col("total_fen")).otherwise(F.col("fund_raw")))
        .drop("fund_raw")
        .cache()
    )

    providers = claims.groupBy("provider_id").agg(
        F.count(F.lit(1)).alias("claims"),
        F.countDistinct("patient_id").alias("patients"),
        F.countDistinct("day").alias("days"),
        F.sum("total_fen").alias("total_fen"),
        F.sum("fund_fen").alias("fund_fen"),
    )
    patients = claims.groupBy("patient_id").agg(
        F.count(F.lit(1)).alias("claims"),
        F.countDistinct("provider_id").alias("providers"),
        F.sum("total_fen").alias("total_fen"),
        F.sum("fund_fen").alias("fund_fen"),
    )

    institutions = read.csv(a.data + "/institutions.csv").select(F.trim("institution_id").alias("provider_id")).distinct()
    visits = claims.join(institutions, "provider_id").select("provider_id", "patient_id", "day").distinct().cache()
    repeat = visits.groupBy("provider_id", "patient_id").count().filter(F.col("count") >= 2).select("provider_id", "patient_id")
    open_days = visits.groupBy("provider_id", "day").count().filter(F.col("count") <= a.max_bucket_patients).select("provider_id", "day")
    bucketed = visits.join(repeat, ["provider_id", "patient_id"]).join(open_days, ["provider_id", "day"])
    x, y = bucketed.alias("x"), bucketed.alias("y")
    edges = (
        x.join(y, (F.col("x.provider_id") == F.col("y.provider_id")) & (F.col("x.day") == F.col("y.day")) & (F.col("x.patient_id") < F.col("y.patient_id")))
        .groupBy(F.col("x.provider_id").alias("provider_id"), F.col("x.patient_id").alias("patient_a"), F.col("y.patient_id").alias("patient_b"))
        .agg(F.count(F.lit(1)).alias("shared_days"))
        .filter(F.col("shared_days") >= a.min_shared)
    )

    def write(df, name):
        df.write.mode("overwrite").option("header", True).csv(a.out + "/" + name)

    write(edges, "covisit_edges.csv")
    write(providers.select("provider_id", "claims", "patients", "days", "total_fen", "fund_fen"), "provider_aggregates.csv")
    write(patients.select("patient_id", "claims", "providers", "total_fen", "fund_fen"), "patient_aggregates.csv")
    spark.stop()


if __name__ == "__main__":
    main()
