// Package ingest turns a bureau's claims export — a directory of CSV files — into domain values
// and writes them into a graph store, rejecting malformed rows into a rejects file instead of
// stopping or dropping them.
//
// It holds: header resolution (canonical column names, the Chinese alias table, a user mapping
// file), encoding detection (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK as Excel
// writes it), a streaming CSV record reader, value parsers (dates, times, money in fen, sex, claim
// type, ownership, item category), row → domain conversion with typed reject reasons, the loader
// Load, and Dir, which implements graph.Scanner straight over the CSV files so detection can run
// without a store. The input contract is docs/input.md; decisions are in docs/decisions/ingest.md.
//
// It must not: import a store package (it writes through the small Sink interface), log personal
// data (names, ID numbers, phones, addresses, diagnoses — only file names, line numbers, column
// names, reason codes and counts are logged), silently drop or alter a row (every row is loaded,
// counted as an identical duplicate, or written to the rejects file with file, line, column and
// reason), or keep state whose half-written form after a crash would change the outcome of a
// re-run: loads are idempotent upserts in batches, so re-running an interrupted load converges to
// the graph of an uninterrupted one.
//
// The RFC 4180 quoting rules are followed leniently: a quote inside an unquoted field is literal,
// and an unterminated quoted field that spans more than maxRecordLines physical lines is rejected
// as one bad line rather than swallowing the rest of the file.
package ingest
