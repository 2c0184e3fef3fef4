package projection

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

//go:embed spark/projection.py
var sparkJob []byte

// SparkOptions say how to reach Spark.
type SparkOptions struct {
	// Submit is the spark-submit program (the PyPI pyspark distribution installs one).
	Submit string
	// Master is the cluster URL; "local[*]" runs Spark inside the submitting machine.
	Master string
	// Partitions is spark.sql.shuffle.partitions (Spark's default of 200 is far too many for a
	// region's export on a few cores).
	Partitions int
	// Log receives Spark's output; nil discards it (the last lines are in the error).
	Log io.Writer
}

// Spark runs the projection of the export in dataDir on Spark, writing the job's part files
// under outDir/spark-parts, and returns the result (read back and sorted).
func Spark(ctx context.Context, dataDir, outDir string, o Options, so SparkOptions) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	if so.Submit == "" {
		so.Submit = "spark-submit"
	}
	if so.Master == "" {
		so.Master = "local[*]"
	}
	if so.Partitions <= 0 {
		so.Partitions = 8
	}
	data, err := filepath.Abs(dataDir)
	if err != nil {
		return Result{}, err
	}
	parts, err := filepath.Abs(filepath.Join(outDir, "spark-parts"))
	if err != nil {
		return Result{}, err
	}
	tmp, err := os.MkdirTemp("", "ringtrace-spark-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp)
	job := filepath.Join(tmp, "projection.py")
	if err := os.WriteFile(job, sparkJob, 0o600); err != nil {
		return Result{}, err
	}
	cmd := exec.CommandContext(ctx, so.Submit,
		"--master", so.Master,
		"--conf", "spark.sql.shuffle.partitions="+strconv.Itoa(so.Partitions),
		"--conf", "spark.ui.enabled=false",
		"--conf", "spark.local.dir="+tmp,
		job, "--data", data, "--out", parts,
		"--max-bucket-patients", strconv.Itoa(o.MaxBucketPatients), "--min-shared", strconv.Itoa(o.MinShared))
	cmd.Env = submitEnv(so.Submit, os.Environ())
	var tail bytes.Buffer
	out := io.Writer(&tail)
	if so.Log != nil {
		out = io.MultiWriter(&tail, so.Log)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		lines := strings.Split(strings.TrimSpace(tail.String()), "\n")
		return Result{}, fmt.Errorf("spark-submit %s: %w; last output: %s", so.Submit, err, strings.Join(lines[max(0, len(lines)-8):], " | "))
	}
	return ReadDir(parts)
}

// submitEnv returns the environment of spark-submit. A spark-submit installed with pip in a
// virtual environment that is not activated finds its Spark by running "python3" from PATH,
// which is not the environment's and lacks pyspark; when PYSPARK_PYTHON is not set and a python
// sits beside spark-submit, it is the one used, for the driver and the workers.
func submitEnv(submit string, env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "PYSPARK_PYTHON=") {
			return env
		}
	}
	py := filepath.Join(filepath.Dir(submit), "python")
	if fi, err := os.Stat(py); err != nil || fi.IsDir() {
		return env
	}
	return append(env, "PYSPARK_PYTHON="+py)
}
