package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
	"github.com/ringtrace/ringtrace/graph/neo4j"
	"github.com/ringtrace/ringtrace/ingest"
)

// First loads into Neo4j through the offline importer: `ringtrace ingest --store neo4j
// --neo4j-import-data DIR` (docs/neo4j.md, "First load").

func addImportFlags(fs *pflag.FlagSet) {
	fs.String("neo4j-import-data", "", "first load into a new Neo4j database through neo4j-admin database import: the STOPPED server's data directory (server.directories.data)")
	fs.String("neo4j-lib", "", "directory of the Neo4j jars for the importer (default $NEO4J_HOME/lib, else .ci/neo4j/lib)")
	fs.Int("neo4j-import-threads", 2, "importer worker threads")
}

// firstLoadSink is where an ordinary load writes: into an empty embedded store, a sorted-tables
// load (graph/embedded SortedLoader) unless --embedded-sorted=false; otherwise the store itself.
func firstLoadSink(store graph.Store, sc StoreConfig, v *viper.Viper, env *Env) (ingest.Sink, error) {
	es, ok := store.(*embedded.Store)
	if !ok || !v.GetBool("embedded-sorted") {
		return store, nil
	}
	sl, err := es.NewSortedLoader(sc.Dir)
	if graph.ErrorCode(err) == graph.EINVALID {
		return store, nil // not empty: an incremental load, through batches
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(env.Stderr, "首次导入：排序表 / first load into an empty store: through sorted tables")
	return sl, nil
}

// addNeo4jLoadFlags adds the flags of loads into a running Neo4j (graph/neo4j Parallel).
func addNeo4jLoadFlags(fs *pflag.FlagSet) {
	fs.Int("neo4j-workers", neo4j.DefaultWorkers, "concurrent write transactions of a load into a running Neo4j (partitioned by patient)")
	fs.Int("neo4j-batch", neo4j.DefaultTxRows, "rows per Neo4j write transaction; --batch defaults to workers × this")
	fs.Bool("embedded-sorted", true, "first load of an empty embedded store through sorted tables ingested at once (false: through batches, as incremental loads)")
}

// neo4jLoadBatch is the ingest batch of a load into a running Neo4j: one transaction per worker.
func neo4jLoadBatch(v *viper.Viper) int {
	return max(1, v.GetInt("neo4j-workers")) * max(1, v.GetInt("neo4j-batch"))
}

// checkNeo4jLoadFlags checks --neo4j-workers and --neo4j-batch.
func checkNeo4jLoadFlags(v *viper.Viper) error {
	if w := v.GetInt("neo4j-workers"); w < 1 || w > 64 {
		return graph.FieldErrorf("neo4j-workers", "--neo4j-workers 须在 1 到 64 之间 / --neo4j-workers must be 1 to 64, got %d", w)
	}
	if b := v.GetInt("neo4j-batch"); b < 1 {
		return graph.FieldErrorf("neo4j-batch", "--neo4j-batch 须为正数 / --neo4j-batch must be positive, got %d", b)
	}
	return nil
}

// openNeo4jLoadStore opens the server for a load: transient errors (deadlocks between the
// workers) retried for up to two minutes, writes split over the workers.
func openNeo4jLoadStore(ctx context.Context, sc StoreConfig, v *viper.Viper) (graph.Store, error) {
	if err := sc.Validate(); err != nil {
		return nil, graph.FieldErrorf("store", "存储配置无效 / invalid store configuration: %v", err)
	}
	w, b := v.GetInt("neo4j-workers"), v.GetInt("neo4j-batch")
	s, err := neo4j.Open(ctx, neo4j.Config{URI: sc.Neo4jURI, User: sc.Neo4jUser, Password: sc.Neo4jPassword,
		Database: sc.Neo4jDatabase, RetryTime: 2 * time.Minute})
	if err != nil {
		return nil, fmt.Errorf("open neo4j store %s: %w", sc.Neo4jURI, err)
	}
	return s.Parallel(w, b), nil
}

func importing(v *viper.Viper) bool { return v.GetString("neo4j-import-data") != "" }

// checkImportStore accepts the store flags of an import: Neo4j, no server address needed.
func checkImportStore(sc StoreConfig) error {
	if sc.Kind != "neo4j" {
		return errors.New("--neo4j-import-data needs --store neo4j / 离线导入需要 --store neo4j")
	}
	return nil
}

func importLib(v *viper.Viper) string {
	if l := v.GetString("neo4j-lib"); l != "" {
		return l
	}
	if h := os.Getenv("NEO4J_HOME"); h != "" {
		return filepath.Join(h, "lib")
	}
	return filepath.Join(".ci", "neo4j", "lib")
}

// runIngestImport loads data through the importer sink, runs the import and reports it.
func runIngestImport(ctx context.Context, env *Env, v *viper.Viper, data string, opts ingest.Options) error {
	dataDir := filepath.Clean(v.GetString("neo4j-import-data"))
	im, err := neo4j.NewImporter(neo4j.ImportConfig{
		DataDir: dataDir, Database: v.GetString("neo4j-database"), Lib: importLib(v),
		Staging: filepath.Join(filepath.Dir(dataDir), "ringtrace-import"),
		Threads: v.GetInt("neo4j-import-threads"), Output: env.Stderr,
	})
	if err != nil {
		return &exitError{1, errors.New(ingestUserError(err))}
	}
	bar := &ingestProgressBar{w: env.Stderr, tty: env.IsTTY, every: 10 * time.Second}
	opts.Progress = bar.update
	start := time.Now()
	sum, err := ingest.Load(ctx, data, im, opts)
	bar.finish()
	if sum.Files != nil {
		printIngestSummary(env.Stdout, sum)
	}
	if err != nil {
		return &exitError{1, fmt.Errorf("导入未完成 / ingest did not finish: %s", ingestUserError(err))}
	}
	if sum.Loaded() == 0 {
		return &exitError{1, fmt.Errorf("没有载入任何数据行 / nothing could be loaded (%d rows rejected, see %s)", sum.Rejected(), sum.RejectsPath)}
	}
	fmt.Fprintln(env.Stderr, "neo4j-admin database import …")
	res, err := im.Import(ctx)
	if err != nil {
		return &exitError{1, fmt.Errorf("离线导入失败，数据目录未改动 / import failed, the data directory is unchanged: %v", err)}
	}
	var claims int64
	if f, ok := sum.File("claims.csv"); ok {
		claims = f.Loaded
	}
	total := time.Since(start)
	fmt.Fprintf(env.Stdout, "离线导入完成 / imported: %s nodes, %s relationships (counts checked) into %s in %s (importer %s); %s claim rows/s end to end\n",
		ingestDigits(res.Nodes), ingestDigits(res.Rels), res.DatabaseDir, total.Round(time.Second), res.Elapsed.Round(time.Second),
		ingestDigits(int64(float64(claims)/total.Seconds())))
	for _, t := range graph.EntityTypes {
		if n := res.Counts.Nodes[t]; n > 0 {
			fmt.Fprintf(env.Stdout, "  %s %s\n", t, ingestDigits(n))
		}
	}
	fmt.Fprintf(env.Stdout, "导入日志 / importer log: %s\n", res.LogPath)
	fmt.Fprintln(env.Stdout, "下一步：启动服务器；ringtrace 首次连接时创建约束和索引 / next: start the server; ringtrace's first connection creates the constraints and indexes")
	return nil
}
