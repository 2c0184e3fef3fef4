package projection

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/ringtrace/ringtrace/algorithms/csr"
	"github.com/ringtrace/ringtrace/algorithms/dataset"
)

// Options are the projection's parameters, the same for both engines.
type Options struct {
	// MaxBucketPatients: institution-days with more patients are left out.
	MaxBucketPatients int
	// MinShared: the fewest day buckets two repeat visitors share to be joined.
	MinShared int
}

// DefaultOptions are the co-visit detector's bucket cap and the pair threshold of its candidates.
func DefaultOptions() Options { return Options{MaxBucketPatients: 60, MinShared: 2} }

// Validate names the first bad option.
func (o Options) Validate() error {
	switch {
	case o.MaxBucketPatients < 2:
		return fmt.Errorf("max_bucket_patients: %d is below 2", o.MaxBucketPatients)
	case o.MinShared < 1:
		return fmt.Errorf("min_shared: %d is below 1", o.MinShared)
	}
	return nil
}

// Edge joins two repeat visitors of an institution (A < B) who share Shared day buckets.
type Edge struct {
	Provider, A, B string
	Shared         int
}

// ProviderAgg is one provider's totals.
type ProviderAgg struct {
	Provider               string
	Claims, Patients, Days int
	TotalFen, FundFen      int64
}

// PatientAgg is one patient's totals.
type PatientAgg struct {
	Patient           string
	Claims, Providers int
	TotalFen, FundFen int64
}

// Result is a projection, each list sorted by its keys.
type Result struct {
	Edges     []Edge
	Providers []ProviderAgg
	Patients  []PatientAgg
}

// Local computes the projection of d in process.
func Local(d *dataset.Claims, o Options) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	var r Result
	// Aggregates.
	type acc struct {
		claims      int
		total, fund int64
		others      map[int32]bool
		days        map[int32]bool
	}
	provs := make([]acc, d.NProv())
	pats := make([]acc, d.NPat())
	for c := 0; c < d.NClaims(); c++ {
		pv, pt := d.CProv[c], d.CPat[c]
		for _, a := range []*acc{&provs[pv], &pats[pt]} {
			a.claims++
			a.total += d.CTotal[c]
			a.fund += d.CFund[c]
		}
		if provs[pv].others == nil {
			provs[pv].others, provs[pv].days = map[int32]bool{}, map[int32]bool{}
		}
		provs[pv].others[pt] = true
		provs[pv].days[d.Day(int32(c))] = true
		if pats[pt].others == nil {
			pats[pt].others = map[int32]bool{}
		}
		pats[pt].others[pv] = true
	}
	for pv, a := range provs {
		if a.claims > 0 {
			r.Providers = append(r.Providers, ProviderAgg{d.Prov.Strs[pv], a.claims, len(a.others), len(a.days), a.total, a.fund})
		}
	}
	for pt, a := range pats {
		if a.claims > 0 {
			r.Patients = append(r.Patients, PatientAgg{d.Pat.Strs[pt], a.claims, len(a.others), a.total, a.fund})
		}
	}
	// Visits: distinct (institution, day, patient).
	type visit struct{ prov, day, pat int32 }
	var vs []visit
	for c := 0; c < d.NClaims(); c++ {
		if d.ProvKind[d.CProv[c]] == dataset.Institution {
			vs = append(vs, visit{d.CProv[c], d.Day(int32(c)), d.CPat[c]})
		}
	}
	slices.SortFunc(vs, func(a, b visit) int {
		return cmp.Or(cmp.Compare(a.prov, b.prov), cmp.Compare(a.day, b.day), cmp.Compare(a.pat, b.pat))
	})
	vs = slices.Compact(vs)
	for lo := 0; lo < len(vs); {
		hi := lo
		for hi < len(vs) && vs[hi].prov == vs[lo].prov {
			hi++
		}
		unit := vs[lo:hi]
		k := map[int32]int{}
		for _, v := range unit {
			k[v.pat]++
		}
		// Repeat visitors get local ids in order of their global ids, so that x < y locally is
		// x < y globally; each open day's repeat visitors are one set.
		var rep []int32
		for p, n := range k {
			if n >= 2 {
				rep = append(rep, p)
			}
		}
		slices.Sort(rep)
		local := make(map[int32]int32, len(rep))
		for i, p := range rep {
			local[p] = int32(i)
		}
		var sets [][]int32
		for a := 0; a < len(unit); {
			b := a
			for b < len(unit) && unit[b].day == unit[a].day {
				b++
			}
			if b-a <= o.MaxBucketPatients {
				var set []int32
				for _, v := range unit[a:b] {
					if i, ok := local[v.pat]; ok {
						set = append(set, i)
					}
				}
				sets = append(sets, set)
			}
			a = b
		}
		pid := d.Prov.Strs[vs[lo].prov]
		csr.SharedPairs(sets, len(rep), int32(o.MinShared), func(x, y, n int32) {
			a, b := d.Pat.Strs[rep[x]], d.Pat.Strs[rep[y]]
			if b < a {
				a, b = b, a
			}
			r.Edges = append(r.Edges, Edge{pid, a, b, int(n)})
		})
		lo = hi
	}
	r.sort()
	return r, nil
}

func (r *Result) sort() {
	slices.SortFunc(r.Edges, func(x, y Edge) int {
		return cmp.Or(cmp.Compare(x.Provider, y.Provider), cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	slices.SortFunc(r.Providers, func(x, y ProviderAgg) int { return cmp.Compare(x.Provider, y.Provider) })
	slices.SortFunc(r.Patients, func(x, y PatientAgg) int { return cmp.Compare(x.Patient, y.Patient) })
}

// The files of a projection directory (both engines write them; headers on the first line).
const (
	EdgesFile     = "covisit_edges.csv"
	ProvidersFile = "provider_aggregates.csv"
	PatientsFile  = "patient_aggregates.csv"
)

var (
	edgeHeader     = []string{"provider_id", "patient_a", "patient_b", "shared_days"}
	providerHeader = []string{"provider_id", "claims", "patients", "days", "total_fen", "fund_fen"}
	patientHeader  = []string{"patient_id", "claims", "providers", "total_fen", "fund_fen"}
)

// WriteDir writes r's three files into dir.
func WriteDir(dir string, r Result) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	i, f := strconv.Itoa, func(x int64) string { return strconv.FormatInt(x, 10) }
	rows := func(name string, header []string, n int, row func(int) []string) error {
		fh, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := csv.NewWriter(fh)
		_ = w.Write(header)
		for k := 0; k < n; k++ {
			_ = w.Write(row(k))
		}
		w.Flush()
		if err := w.Error(); err != nil {
			fh.Close()
			return err
		}
		return fh.Close()
	}
	return errors.Join(
		rows(EdgesFile, edgeHeader, len(r.Edges), func(k int) []string {
			e := r.Edges[k]
			return []string{e.Provider, e.A, e.B, i(e.Shared)}
		}),
		rows(ProvidersFile, providerHeader, len(r.Providers), func(k int) []string {
			p := r.Providers[k]
			return []string{p.Provider, i(p.Claims), i(p.Patients), i(p.Days), f(p.TotalFen), f(p.FundFen)}
		}),
		rows(PatientsFile, patientHeader, len(r.Patients), func(k int) []string {
			p := r.Patients[k]
			return []string{p.Patient, i(p.Claims), i(p.Providers), f(p.TotalFen), f(p.FundFen)}
		}),
	)
}

// ReadDir reads a projection directory, the files as WriteDir or the Spark job writes them (or,
// for the Spark job, directories of part files with headers), and sorts it.
func ReadDir(dir string) (Result, error) {
	var r Result
	err := errors.Join(
		readRows(filepath.Join(dir, EdgesFile), edgeHeader, func(x []string) error {
			n, err := strconv.Atoi(x[3])
			r.Edges = append(r.Edges, Edge{x[0], x[1], x[2], n})
			return err
		}),
		readRows(filepath.Join(dir, ProvidersFile), providerHeader, func(x []string) error {
			v, err := ints(x[1:])
			if err == nil {
				r.Providers = append(r.Providers, ProviderAgg{x[0], int(v[0]), int(v[1]), int(v[2]), v[3], v[4]})
			}
			return err
		}),
		readRows(filepath.Join(dir, PatientsFile), patientHeader, func(x []string) error {
			v, err := ints(x[1:])
			if err == nil {
				r.Patients = append(r.Patients, PatientAgg{x[0], int(v[0]), int(v[1]), v[2], v[3]})
			}
			return err
		}),
	)
	r.sort()
	return r, err
}

func ints(xs []string) ([]int64, error) {
	out := make([]int64, len(xs))
	for i, x := range xs {
		v, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// readRows reads path, a CSV file or a directory of part-*.csv files, each with header.
func readRows(path string, header []string, fn func([]string) error) error {
	files := []string{path}
	if st, err := os.Stat(path); err != nil {
		return err
	} else if st.IsDir() {
		if files, err = filepath.Glob(filepath.Join(path, "part-*.csv")); err != nil {
			return err
		}
	}
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			return err
		}
		rd := csv.NewReader(fh)
		rd.FieldsPerRecord = len(header)
		first := true
		for {
			x, err := rd.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				fh.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			if first {
				first = false
				if !slices.Equal(x, header) {
					fh.Close()
					return fmt.Errorf("%s: header %v, want %v", name, x, header)
				}
				continue
			}
			if err := fn(x); err != nil {
				fh.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		fh.Close()
	}
	return nil
}
