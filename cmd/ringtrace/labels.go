package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ringtrace/ringtrace/algorithms"
	"github.com/ringtrace/ringtrace/graph"
)

// readLabels reads a CSV of provider verdicts: a header, then provider_id and a verdict
// (Yes/No, 1/0, true/false, 是/否). A provider id is taken as an institution and as a pharmacy,
// since the file does not say which it is. Errors name the line.
func readLabels(path string) (algorithms.Labels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, graph.FieldErrorf("labels", "无法读取标签文件 (cannot read labels): %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	out := algorithms.Labels{}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, graph.FieldErrorf("labels", "%s line %d: %v", path, line, err)
		}
		if line == 1 || len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		if len(rec) < 2 {
			return nil, graph.FieldErrorf("labels", "%s line %d: want provider_id,verdict", path, line)
		}
		id := strings.TrimSpace(rec[0])
		var v bool
		switch strings.ToLower(strings.TrimSpace(rec[1])) {
		case "yes", "y", "1", "true", "是", "fraud":
			v = true
		case "no", "n", "0", "false", "否", "honest":
		default:
			return nil, graph.FieldErrorf("labels", "%s line %d: verdict %q is not yes/no", path, line, rec[1])
		}
		out[graph.Ref{Type: graph.TypeInstitution, ID: id}] = v
		out[graph.Ref{Type: graph.TypePharmacy, ID: id}] = v
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no labels", path)
	}
	return out, nil
}
