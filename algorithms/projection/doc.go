// Package projection computes the data-parallel first step of co-visit detection — the claims →
// co-visit projection — and the per-provider and per-patient aggregates, in process (Local) or on
// Apache Spark (Spark, through spark-submit and a PySpark job embedded in the binary), so that a
// bureau whose claims outgrow one machine can run that step on the Spark cluster its data
// platform already has and keep the clustering and scoring in Go on the much smaller result.
//
// The projection, as both engines compute it (docs/spark.md):
//
//   - a visit is a distinct (institution, patient, local day) of the claims at institutions
//     (providers listed in institutions.csv);
//   - a repeat visitor of an institution has visits there on at least two days;
//   - a day bucket is one institution-day; buckets with more than Options.MaxBucketPatients
//     patients are left out (a crowded day says nothing about who came together and would be
//     quadratic);
//   - an edge (institution, a, b, shared) joins two repeat visitors a < b (patient ids compared
//     as strings) who share at least Options.MinShared day buckets.
//
// The aggregates: per provider (institutions and pharmacies) its claims, distinct patients,
// distinct days and total and fund amounts in fen; per patient its claims, distinct providers
// and amounts. An empty or zero fund amount counts as the total, as the detectors count it.
//
// Both engines read the input contract's canonical CSV files (UTF-8, canonical headers, as
// `ringtrace generate` and a validated export write them); the local engine reads them through
// the ingest package, so rows it rejects are not counted by it, while the Spark job has no
// validation of its own: run it on exports that `ringtrace ingest` has loaded without rejects.
package projection
