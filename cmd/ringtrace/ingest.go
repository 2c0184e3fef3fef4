package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
	"github.com/ringtrace/ringtrace/ingest"
)

func init() {
	register(&command{
		use:     "ingest",
		summary: "load a directory of claims CSVs into the graph store (导入结算数据)",
		long: `把医保结算导出的 CSV 目录（docs/input.md）载入图存储：嵌入式存储（--db）或 Neo4j（--store neo4j）。
先检查输入契约再打开存储，不合格的导出不会留下半份数据；被拒绝的行连同文件、行号、列和原因写入拒绝文件。
重复导入同一份数据是幂等的。

Loads a claims export (a CSV directory, docs/input.md) into the graph store: the embedded store
(--db) or Neo4j (--store neo4j; --neo4j-import-data for a first load through the offline
importer). The input contract is checked before the store is opened; rejected rows go to the
rejects file with file, line, column and reason. Exit 0 when the load finished (rejected rows do
not change it), 1 when nothing could be loaded, 2 for bad usage.`,
		example: `  # 导入嵌入式存储 / into the embedded store
  ringtrace ingest --data exports/2024-06 --db ringtrace-data/graph

  # 中文表头映射，拒绝行另存 / with a header mapping and a rejects file
  ringtrace ingest --data exports/2024-06 --mapping mapping.csv --rejects rejects-2024-06.csv

  # 导入正在运行的 Neo4j / into a running Neo4j
  RINGTRACE_NEO4J_PASSWORD=… ringtrace ingest --data exports/2024-06 --store neo4j --neo4j-uri bolt://127.0.0.1:7687`,
		flags: ingestFlags,
		run:   runIngest,
	})
}

// ingestFlags are the flags of `ringtrace ingest`.
func ingestFlags(fs *pflag.FlagSet) {
	addStoreFlags(fs)
	fs.String("data", "", "directory of claims CSVs (patients.csv, institutions.csv, pharmacies.csv, doctors.csv, claims.csv[, claim_items.csv]); see docs/input.md")
	fs.String("rejects", "", "rejects CSV (default: rejects-<data dir name>.csv beside the embedded store directory, or in the working directory for neo4j)")
	fs.String("mapping", "", "header mapping CSV: header,canonical[,file] (see docs/input.md)")
	fs.Int("batch", ingest.DefaultBatchSize, "rows per atomic store write batch")
	addImportFlags(fs)
	addNeo4jLoadFlags(fs)
	fs.String("cpu-profile", "", "write a Go CPU profile of the load to this file (go tool pprof FILE)")
}

// runIngest is `ringtrace ingest --data DIR [--store embedded|neo4j] [--rejects PATH]
// [--mapping FILE] [--batch N]`. Exit codes: 0 when the load finished (rejected rows do not
// change it), 1 when nothing could be loaded or the load could not finish, 2 for bad usage.
func runIngest(ctx context.Context, env *Env, v *viper.Viper, fs *pflag.FlagSet) error {
	data := v.GetString("data")
	if data == "" {
		return &exitError{2, errors.New("--data DIR is required / 需要 --data 数据目录")}
	}
	sc, err := storeConfig(v)
	if importing(v) {
		err = checkImportStore(sc)
	} else if err == nil && sc.Kind == "neo4j" {
		err = checkNeo4jLoadFlags(v)
	}
	if err != nil {
		return &exitError{2, err}
	}
	if pf := v.GetString("cpu-profile"); pf != "" {
		stop, err := startCPUProfile(pf)
		if err != nil {
			return err
		}
		defer stop()
	}
	opts := ingest.Options{BatchSize: v.GetInt("batch"), RejectsPath: v.GetString("rejects"), Logger: env.Logger}
	if sc.Kind == "neo4j" && !importing(v) && !fs.Changed("batch") {
		opts.BatchSize = neo4jLoadBatch(v)
	}
	if opts.RejectsPath == "" {
		opts.RejectsPath = defaultIngestRejectsPath(sc, data)
	}
	if m := v.GetString("mapping"); m != "" {
		if opts.Mapping, err = ingest.ReadMapping(m); err != nil {
			return &exitError{2, err}
		}
	}
	// The input contract is checked before the store is opened, so a bad export leaves no trace.
	if err := ingest.Check(data, opts.Mapping); err != nil {
		return &exitError{1, errors.New(ingestUserError(err))}
	}
	// Ingest is bounded at 4 GiB peak; the id sets of a 10-million-claim load and the
	// store's caches fit, but the GC's default headroom (GOGC=100) could double the heap. A soft
	// limit makes the GC collect harder near it instead; GOMEMLIMIT overrides.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(3 << 30)
	}
	if importing(v) {
		return runIngestImport(ctx, env, v, data, opts)
	}
	store, err := openIngestStore(ctx, sc, v)
	if err != nil {
		return &exitError{1, err}
	}
	defer store.Close()

	sink, err := firstLoadSink(store, sc, v, env)
	if err != nil {
		return &exitError{1, err}
	}
	bar := &ingestProgressBar{w: env.Stderr, tty: env.IsTTY, every: 10 * time.Second}
	opts.Progress = bar.update
	sum, err := ingest.Load(ctx, data, sink, opts)
	bar.finish()
	if sl, ok := sink.(*embedded.SortedLoader); ok && err != nil {
		_ = sl.Discard() // the store stays empty; the runs go
	}
	if bulk, ok := store.(*embedded.Store); ok {
		// End of the bulk load: sync the log once, so that what was loaded is durable.
		if serr := bulk.SetBulk(context.WithoutCancel(ctx), false); serr != nil && err == nil {
			err = serr
		}
	}
	if sum.Files != nil {
		printIngestSummary(env.Stdout, sum)
	}
	if err != nil {
		if sum.Files == nil {
			// Stopped before anything was written (input contract, store unreachable).
			return &exitError{1, errors.New(ingestUserError(err))}
		}
		return &exitError{1, fmt.Errorf("导入未完成 / ingest did not finish: %s", ingestUserError(err))}
	}
	if sum.Loaded() == 0 {
		return &exitError{1, fmt.Errorf("没有载入任何数据行 / nothing could be loaded (%d rows rejected, see %s)", sum.Rejected(), sum.RejectsPath)}
	}
	return nil
}

// openIngestStore opens the store for a load: the embedded store with its bulk-load tuning
// (graph/embedded Options.BulkLoad: batches committed without fsync, the log synced once at the
// end; a crash loses whole trailing batches only, which running the load again writes again),
// Neo4j with concurrent writers (openNeo4jLoadStore), any other store as openStore does.
func openIngestStore(ctx context.Context, sc StoreConfig, v *viper.Viper) (graph.Store, error) {
	if sc.Kind == "neo4j" {
		return openNeo4jLoadStore(ctx, sc, v)
	}
	if sc.Kind != "embedded" {
		return openStore(ctx, sc)
	}
	if err := sc.Validate(); err != nil {
		return nil, graph.FieldErrorf("store", "存储配置无效 / invalid store configuration: %v", err)
	}
	s, err := embedded.OpenWith(sc.Dir, embedded.Options{BulkLoad: true})
	if err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", sc.Dir, err)
	}
	return s, nil
}

// ingestUserError renders err for the terminal: the message of a *graph.Error, or the error text (it
// names files, lines and columns, never row contents).
func ingestUserError(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range j.Unwrap() {
			parts = append(parts, ingestUserError(e))
		}
		return strings.Join(parts, "; ")
	}
	var ge *graph.Error
	if errors.As(err, &ge) {
		return ge.Message
	}
	return err.Error()
}

// defaultIngestRejectsPath puts the rejects file beside the output: next to the embedded store
// directory, or in the working directory for Neo4j. It is named after the data directory, so
// that loading next month's export does not overwrite this month's rejects and a re-run of the
// same export replaces its own.
func defaultIngestRejectsPath(sc StoreConfig, data string) string {
	base := filepath.Base(filepath.Clean(data))
	if base == "." || base == string(filepath.Separator) {
		base = "data"
	}
	name := "rejects-" + base + ".csv"
	if sc.Kind == "embedded" {
		return filepath.Join(filepath.Dir(filepath.Clean(sc.Dir)), name)
	}
	return name
}

// ingestProgressBar draws a bar on a terminal (rewritten in place) and plain periodic lines otherwise,
// so that CI logs stay readable.
type ingestProgressBar struct {
	w     io.Writer
	tty   bool
	every time.Duration
	last  time.Time
	drawn bool
}

func (b *ingestProgressBar) update(p ingest.Progress) {
	if p.Done {
		return
	}
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.RowsRead) / s
	}
	frac := 0.0
	if p.BytesTotal > 0 {
		frac = min(1, float64(p.BytesRead)/float64(p.BytesTotal))
	}
	if b.tty {
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(b.w, "\r[%s%s] %5.1f%%  %s 行/rows  %s 行/秒 rows/s  %-16s", strings.Repeat("#", n), strings.Repeat("-", width-n),
			frac*100, ingestDigits(p.RowsRead), ingestDigits(int64(rate)), p.File)
		b.drawn = true
		return
	}
	if time.Since(b.last) < b.every {
		return
	}
	b.last = time.Now()
	fmt.Fprintf(b.w, "ingest: %5.1f%% %s rows %s rows/s file=%s elapsed=%s\n", frac*100, ingestDigits(p.RowsRead),
		ingestDigits(int64(rate)), p.File, p.Elapsed.Round(time.Second))
}

func (b *ingestProgressBar) finish() {
	if b.tty && b.drawn {
		fmt.Fprintln(b.w)
	}
}

// printIngestSummary writes the per-file table, the created nodes and relationships, the elapsed time
// and the throughput.
func printIngestSummary(w io.Writer, s ingest.Summary) {
	var read int64
	for _, f := range s.Files {
		read += f.Read
	}
	rate := 0.0
	if sec := s.Elapsed.Seconds(); sec > 0 {
		rate = float64(read) / sec
	}
	fmt.Fprintf(w, "导入摘要 / ingest summary: %s rows read in %s (%s rows/s)\n", ingestDigits(read), s.Elapsed.Round(time.Millisecond), ingestDigits(int64(rate)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "文件 file\t编码 encoding\t读取 read\t载入 loaded\t重复 duplicates\t拒绝 rejected\t")
	for _, f := range s.Files {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", f.File, f.Encoding, ingestDigits(f.Read), ingestDigits(f.Loaded), ingestDigits(f.Duplicates), ingestDigits(f.Rejected))
	}
	tw.Flush()
	for _, f := range s.Files {
		if len(f.IgnoredColumns) > 0 {
			fmt.Fprintf(w, "未识别的列已忽略 / ignored columns in %s: %s\n", f.File, strings.Join(f.IgnoredColumns, ", "))
		}
	}
	if c := s.Created; c != nil {
		var parts []string
		for _, t := range graph.EntityTypes {
			if n := c.Nodes[t]; n != 0 {
				parts = append(parts, fmt.Sprintf("%s %s", t, ingestDigits(n)))
			}
		}
		fmt.Fprintf(w, "新建节点 / nodes created: %s\n", ingestOrNone(parts))
		parts = parts[:0]
		for _, r := range graph.RelTypes {
			if n := c.Relationships[r]; n != 0 {
				parts = append(parts, fmt.Sprintf("%s %s", r, ingestDigits(n)))
			}
		}
		fmt.Fprintf(w, "新建关系 / relationships created: %s\n", ingestOrNone(parts))
	}
	if s.Rejected() > 0 {
		fmt.Fprintf(w, "拒绝 %s 行，详见 / %s rows rejected, see %s\n", ingestDigits(s.Rejected()), ingestDigits(s.Rejected()), s.RejectsPath)
	}
}

func ingestOrNone(parts []string) string {
	if len(parts) == 0 {
		return "无 / none"
	}
	return strings.Join(parts, ", ")
}

// ingestDigits formats n with thousands separators.
func ingestDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
