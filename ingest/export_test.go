package ingest

// WriteBenchDir exposes the benchmark export generator to the external test package.
var WriteBenchDir = writeBenchDir
