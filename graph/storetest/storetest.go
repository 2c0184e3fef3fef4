package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// RunAll runs the whole conformance suite against the store that newStore returns. newStore is
// called once per test and must return an empty store that the caller closes (t.Cleanup); the
// suite never closes it. The decisions the suite takes where graph/store.go is ambiguous are
// listed in the package documentation.
func RunAll(t *testing.T, newStore func(t *testing.T) graph.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s graph.Store)
	}{
		{"Empty", testEmpty},
		{"Counts", testCounts},
		{"NodeLookup", testNodeLookup},
		{"TypedLookup", testTypedLookup},
		{"Exists", testExists},
		{"Search", testSearch},
		{"NeighbourhoodDepth1", testNeighbourhoodDepth1},
		{"NeighbourhoodDepth2", testNeighbourhoodDepth2},
		{"NeighbourhoodDepth3", testNeighbourhoodDepth3},
		{"NeighbourhoodLimit", testNeighbourhoodLimit},
		{"NeighbourhoodFilters", testNeighbourhoodFilters},
		{"NeighbourhoodErrors", testNeighbourhoodErrors},
		{"Claims", testClaims},
		{"ClaimsErrors", testClaimsErrors},
		{"ClaimItems", testClaimItems},
		{"ShortestPath", testShortestPath},
		{"Scan", testScan},
		{"ScanStopsOnError", testScanStops},
		{"IdempotentReload", testIdempotent},
		{"UpsertPatient", testUpsertPatient},
		{"UpsertClaim", testUpsertClaim},
		{"UpsertDoctorAndItems", testUpsertDoctorAndItems},
		{"InvalidBatch", testInvalidBatch},
		{"InjectionAndChinese", testInjection},
		{"Ping", testPing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

var ctx = context.Background()

// wantCode fails unless err carries the given graph error code (and field, when non-empty).
func wantCode(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	if got := graph.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
		return
	}
	if field != "" && graph.ErrorField(err) != field {
		t.Errorf("%s: error field %q, want %q", what, graph.ErrorField(err), field)
	}
}

func refsOf(nodes []graph.Node) []graph.Ref {
	out := make([]graph.Ref, len(nodes))
	for i, n := range nodes {
		out[i] = n.Ref
	}
	return out
}

func claimIDs(cs []graph.Claim) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func eqRefs(t *testing.T, what string, got, want []graph.Ref) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

func eqEdges(t *testing.T, what string, got, want []graph.Edge) {
	t.Helper()
	if !slices.Equal(got, want) {
		var g, w strings.Builder
		for _, e := range got {
			fmt.Fprintf(&g, "\n   %v -%s-> %v", e.From, e.Type, e.To)
		}
		for _, e := range want {
			fmt.Fprintf(&w, "\n   %v -%s-> %v", e.From, e.Type, e.To)
		}
		t.Errorf("%s:\n got %s\n want %s", what, g.String(), w.String())
	}
}

func counts(t *testing.T, s graph.Store) graph.Counts {
	t.Helper()
	c, err := s.Counts(ctx)
	must(t, "Counts", err)
	return c
}

func eqCounts(t *testing.T, what string, got, want graph.Counts) {
	t.Helper()
	for _, typ := range graph.EntityTypes {
		n, ok := got.Nodes[typ]
		if !ok || n != want.Nodes[typ] {
			t.Errorf("%s: nodes[%s] = %d (present %v), want %d", what, typ, n, ok, want.Nodes[typ])
		}
	}
	for _, rel := range graph.RelTypes {
		n, ok := got.Relationships[rel]
		if !ok || n != want.Relationships[rel] {
			t.Errorf("%s: relationships[%s] = %d (present %v), want %d", what, rel, n, ok, want.Relationships[rel])
		}
	}
}

func testEmpty(t *testing.T, s graph.Store) {
	eqCounts(t, "empty store", counts(t, s), graph.Counts{})
	_, err := s.Node(ctx, pat(U1))
	wantCode(t, "Node on empty store", err, graph.ENOTFOUND, "")
	found, err := s.Search(ctx, "张", nil, 10)
	must(t, "Search", err)
	if found == nil || len(found) != 0 {
		t.Errorf("Search on empty store = %#v, want empty non-nil", found)
	}
	ex, err := s.Exists(ctx, []graph.Ref{})
	must(t, "Exists", err)
	if ex == nil || len(ex) != 0 {
		t.Errorf("Exists(empty) = %#v, want empty non-nil", ex)
	}
	n := 0
	must(t, "ScanClaims", s.ScanClaims(ctx, func(graph.Claim) error { n++; return nil }))
	if n != 0 {
		t.Errorf("ScanClaims on empty store called fn %d times", n)
	}
	// Empty batches are fine and write nothing.
	must(t, "PutClaims(nil)", s.PutClaims(ctx, nil))
	must(t, "PutPatients(empty)", s.PutPatients(ctx, []graph.Patient{}))
	eqCounts(t, "after empty puts", counts(t, s), graph.Counts{})
}

func testCounts(t *testing.T, s graph.Store) {
	load(t, s)
	eqCounts(t, "fixture", counts(t, s), fixtureCounts())
}

func testNodeLookup(t *testing.T, s graph.Store) {
	load(t, s)
	cases := []struct {
		ref   graph.Ref
		label string
		props map[string]string
	}{
		{pat(U1), "张三", map[string]string{
			"name": "张三", "sex": "M", "birth_date": "1990-01-01", "region": "530102", "phone": Phone1, "address": Addr1}},
		{pat(U4), "李四", map[string]string{"name": "李四", "region": "530103", "death_date": "2023-12-31"}},
		{ins(H1), "云南省第一人民医院", map[string]string{
			"name": "云南省第一人民医院", "level": "三级甲等", "ownership": "public", "region": "530100"}},
		{phm(PH), "康乐大药房", map[string]string{"name": "康乐大药房", "region": "530102"}},
		{doc(D2), "Wang Wei", map[string]string{"name": "Wang Wei", "institution_id": H2, "department": "全科"}},
		{clm(C002), C002, map[string]string{
			"patient_id": U1, "provider_id": H1, "provider_type": "institution", "doctor_id": D1,
			"claim_type": "inpatient", "start_time": "2024-02-01T08:00:00Z", "end_time": "2024-02-05T10:00:00Z",
			"diagnosis_code": "I10", "total_amount": "15000.00", "fund_amount": "12000.00"}},
		{clm(C007), C007, map[string]string{
			"patient_id": UX, "provider_id": H2, "provider_type": "institution", "claim_type": "outpatient",
			"start_time": "2024-06-01T11:00:00Z", "total_amount": "1.00", "fund_amount": "0.00"}},
		{phone(Phone1), Phone1, nil},
		{addr(Addr1), Addr1, nil},
		{term(TermT1), TermT1, nil},
	}
	for _, c := range cases {
		n, err := s.Node(ctx, c.ref)
		if err != nil {
			t.Errorf("Node(%v): %v", c.ref, err)
			continue
		}
		if n.Ref != c.ref || n.Label != c.label {
			t.Errorf("Node(%v) = ref %v label %q, want label %q", c.ref, n.Ref, n.Label, c.label)
		}
		if len(c.props) == 0 {
			if len(n.Props) != 0 {
				t.Errorf("Node(%v).Props = %v, want none", c.ref, n.Props)
			}
		} else if !reflect.DeepEqual(n.Props, c.props) {
			t.Errorf("Node(%v).Props =\n %v\nwant\n %v", c.ref, n.Props, c.props)
		}
	}
	for _, r := range []graph.Ref{pat("nobody"), clm("C9"), phone("10000000000"), term(H1 + "/T2"), ins(D1)} {
		_, err := s.Node(ctx, r)
		wantCode(t, fmt.Sprintf("Node(%v)", r), err, graph.ENOTFOUND, "")
	}
	_, err := s.Node(ctx, ref("ghost", U1))
	wantCode(t, "Node(unknown type)", err, graph.EINVALID, "type")
}

func testTypedLookup(t *testing.T, s graph.Store) {
	load(t, s)
	for _, want := range fixturePatients() {
		got, err := s.Patient(ctx, want.ID)
		if err != nil {
			t.Errorf("Patient(%q): %v", want.ID, err)
			continue
		}
		checkPatient(t, got, want)
	}
	for _, want := range fixtureClaims() {
		got, err := s.Claim(ctx, want.ID)
		if err != nil {
			t.Errorf("Claim(%q): %v", want.ID, err)
			continue
		}
		checkClaim(t, got, want)
	}
	_, err := s.Patient(ctx, "nobody")
	wantCode(t, "Patient(missing)", err, graph.ENOTFOUND, "")
	_, err = s.Claim(ctx, "C9")
	wantCode(t, "Claim(missing)", err, graph.ENOTFOUND, "")
	// A claim id is not a patient id.
	_, err = s.Patient(ctx, C001)
	wantCode(t, "Patient(claim id)", err, graph.ENOTFOUND, "")
}

func checkPatient(t *testing.T, got, want graph.Patient) {
	t.Helper()
	if !got.BirthDate.Equal(want.BirthDate) || !got.DeathDate.Equal(want.DeathDate) {
		t.Errorf("Patient(%q) dates = %v / %v, want %v / %v", want.ID, got.BirthDate, got.DeathDate, want.BirthDate, want.DeathDate)
	}
	got.BirthDate, got.DeathDate, want.BirthDate, want.DeathDate = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("Patient(%q) =\n %+v\nwant\n %+v", want.ID, got, want)
	}
}

func checkClaim(t *testing.T, got, want graph.Claim) {
	t.Helper()
	if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
		t.Errorf("Claim(%q) times = %v / %v, want %v / %v", want.ID, got.Start, got.End, want.Start, want.End)
	}
	got.Start, got.End, want.Start, want.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("Claim(%q) =\n %+v\nwant\n %+v", want.ID, got, want)
	}
}

func testExists(t *testing.T, s graph.Store) {
	load(t, s)
	refs := []graph.Ref{pat(U1), pat("nobody"), ins(H1), phm(H1), doc(D2), clm(C007), phone(Phone3), addr(Addr3),
		term(TermP9), term("POS9"), ref("ghost", U1), pat(UX), phm(PH)}
	want := []bool{true, false, true, false, true, true, true, true, true, false, false, true, true}
	got, err := s.Exists(ctx, refs)
	must(t, "Exists", err)
	if !slices.Equal(got, want) {
		t.Errorf("Exists = %v, want %v", got, want)
	}
}

func testSearch(t *testing.T, s graph.Store) {
	load(t, s)
	cases := []struct {
		prefix string
		types  []graph.EntityType
		limit  int
		want   []graph.Ref
	}{
		{"张三", nil, 10, []graph.Ref{pat(U1), pat(U2)}},                       // 张三 and 张三丰, by id
		{"zhang", nil, 10, []graph.Ref{pat(U3)}},                             // Latin, case-insensitive
		{"ZHANG W", nil, 10, []graph.Ref{pat(U3)}},                           // spaces are part of the prefix
		{"h5301", nil, 10, []graph.Ref{ins(H1), ins(H2)}},                    // id prefix, case-insensitive
		{"李", nil, 10, []graph.Ref{doc(D1), pat(U4)}},                        // type order: doctor < patient
		{"530102", nil, 10, []graph.Ref{pat(U4), pat(U3), pat(U1), pat(U2)}}, // byte order of id
		{"530102", nil, 2, []graph.Ref{pat(U4), pat(U3)}},
		{"", []graph.EntityType{graph.TypeInstitution, graph.TypePharmacy}, 10, []graph.Ref{ins(H1), ins(H2), phm(PH)}},
		{"k", nil, 10, []graph.Ref{ins(H2)}}, // name "Kunming Wuhua Clinic"
		{"wang", []graph.EntityType{graph.TypePatient}, 10, []graph.Ref{}},
		{"wang", []graph.EntityType{graph.TypeDoctor}, 10, []graph.Ref{doc(D2)}},
		{"C2024", nil, 10, []graph.Ref{}},      // claims are not parties
		{"138", nil, 10, []graph.Ref{}},        // neither are phones
		{"云南省", nil, 10, []graph.Ref{ins(H1)}}, // addresses are not searched, names are
		{"x'}", nil, 10, []graph.Ref{pat(UX)}},
		{"注入测试 '; MATCH", nil, 10, []graph.Ref{pat(UX)}},
		{"nobody", nil, 10, []graph.Ref{}},
	}
	for _, c := range cases {
		got, err := s.Search(ctx, c.prefix, c.types, c.limit)
		if err != nil {
			t.Errorf("Search(%q, %v, %d): %v", c.prefix, c.types, c.limit, err)
			continue
		}
		if got == nil {
			t.Errorf("Search(%q) returned nil, want non-nil", c.prefix)
		}
		eqRefs(t, fmt.Sprintf("Search(%q, %v, %d)", c.prefix, c.types, c.limit), refsOf(got), c.want)
	}
	got, err := s.Search(ctx, "张三丰", nil, 1)
	must(t, "Search", err)
	if len(got) != 1 || got[0].Label != "张三丰" || got[0].Props["phone"] != Phone1 {
		t.Errorf("Search(张三丰) = %+v, want U2 with label and props", got)
	}
	_, err = s.Search(ctx, "张", nil, 0)
	wantCode(t, "Search(limit 0)", err, graph.EINVALID, "limit")
}

// u1Depth1 is the neighbourhood of U1 at depth 1 in the required order: start, then type, id.
var u1Depth1 = []graph.Ref{pat(U1), addr(Addr1), clm(C001), clm(C002), clm(C003), phone(Phone1)}

func u1Depth1Edges() []graph.Edge {
	return []graph.Edge{
		edge(pat(U1), graph.RelLivesAt, addr(Addr1)),
		edge(pat(U1), graph.RelFiled, clm(C001)),
		edge(pat(U1), graph.RelFiled, clm(C002)),
		edge(pat(U1), graph.RelFiled, clm(C003)),
		edge(pat(U1), graph.RelHasPhone, phone(Phone1)),
	}
}

func sortEdges(es []graph.Edge) []graph.Edge {
	slices.SortFunc(es, func(a, b graph.Edge) int {
		if c := strings.Compare(string(a.From.Type), string(b.From.Type)); c != 0 {
			return c
		}
		if c := strings.Compare(a.From.ID, b.From.ID); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.To.Type), string(b.To.Type)); c != 0 {
			return c
		}
		return strings.Compare(a.To.ID, b.To.ID)
	})
	return es
}

func testNeighbourhoodDepth1(t *testing.T, s graph.Store) {
	load(t, s)
	g, err := s.Neighbourhood(ctx, pat(U1), graph.NeighbourhoodQuery{Depth: 1, Limit: 100})
	must(t, "Neighbourhood", err)
	eqRefs(t, "U1 depth 1 nodes", refsOf(g.Nodes), u1Depth1)
	eqEdges(t, "U1 depth 1 edges", g.Edges, sortEdges(u1Depth1Edges()))
	if g.Truncated {
		t.Error("U1 depth 1: Truncated set without a limit cut")
	}
	if len(g.Nodes) > 0 && (g.Nodes[0].Label != "张三" || g.Nodes[0].Props["region"] != "530102") {
		t.Errorf("start node = %+v, want label and props", g.Nodes[0])
	}
	// From a phone the edges point inwards.
	g, err = s.Neighbourhood(ctx, phone(Phone1), graph.NeighbourhoodQuery{Depth: 1, Limit: 10})
	must(t, "Neighbourhood(phone)", err)
	eqRefs(t, "phone depth 1 nodes", refsOf(g.Nodes), []graph.Ref{phone(Phone1), pat(U1), pat(U2)})
	eqEdges(t, "phone depth 1 edges", g.Edges, []graph.Edge{
		edge(pat(U1), graph.RelHasPhone, phone(Phone1)),
		edge(pat(U2), graph.RelHasPhone, phone(Phone1)),
	})
	// An isolated node is its own neighbourhood.
	g, err = s.Neighbourhood(ctx, pat(U4), graph.NeighbourhoodQuery{Depth: 3, Limit: 10})
	must(t, "Neighbourhood(U4)", err)
	eqRefs(t, "U4 nodes", refsOf(g.Nodes), []graph.Ref{pat(U4)})
	if g.Edges == nil || len(g.Edges) != 0 {
		t.Errorf("U4 edges = %#v, want empty non-nil", g.Edges)
	}
}

func u1Depth2Edges() []graph.Edge {
	return append(u1Depth1Edges(),
		edge(clm(C001), graph.RelAt, ins(H1)),
		edge(clm(C001), graph.RelTreatedBy, doc(D1)),
		edge(clm(C001), graph.RelOnTerminal, term(TermT1)),
		edge(clm(C002), graph.RelAt, ins(H1)),
		edge(clm(C002), graph.RelTreatedBy, doc(D1)),
		edge(clm(C003), graph.RelAt, phm(PH)),
		edge(clm(C003), graph.RelOnTerminal, term(TermP9)),
		edge(pat(U2), graph.RelHasPhone, phone(Phone1)),
		edge(doc(D1), graph.RelWorksAt, ins(H1)), // both ends returned, so the edge is too
	)
}

var u1Depth2 = append(slices.Clone(u1Depth1), doc(D1), ins(H1), pat(U2), phm(PH), term(TermT1), term(TermP9))

func testNeighbourhoodDepth2(t *testing.T, s graph.Store) {
	load(t, s)
	g, err := s.Neighbourhood(ctx, pat(U1), graph.NeighbourhoodQuery{Depth: 2, Limit: 500})
	must(t, "Neighbourhood", err)
	eqRefs(t, "U1 depth 2 nodes", refsOf(g.Nodes), u1Depth2)
	eqEdges(t, "U1 depth 2 edges", g.Edges, sortEdges(u1Depth2Edges()))
	if g.Truncated {
		t.Error("U1 depth 2: Truncated set without a limit cut")
	}
}

func testNeighbourhoodDepth3(t *testing.T, s graph.Store) {
	load(t, s)
	g, err := s.Neighbourhood(ctx, pat(U1), graph.NeighbourhoodQuery{Depth: 3, Limit: 500})
	must(t, "Neighbourhood", err)
	want := append(slices.Clone(u1Depth2), addr(Addr2), clm(C004), clm(C005), clm(C006))
	eqRefs(t, "U1 depth 3 nodes", refsOf(g.Nodes), want)
	wantEdges := append(u1Depth2Edges(),
		edge(pat(U2), graph.RelLivesAt, addr(Addr2)),
		edge(pat(U2), graph.RelFiled, clm(C004)),
		edge(pat(U2), graph.RelFiled, clm(C005)),
		edge(clm(C004), graph.RelAt, ins(H1)),
		edge(clm(C004), graph.RelTreatedBy, doc(D1)),
		edge(clm(C004), graph.RelOnTerminal, term(TermT1)),
		edge(clm(C006), graph.RelAt, phm(PH)),
		edge(clm(C006), graph.RelOnTerminal, term(TermP9)),
	)
	eqEdges(t, "U1 depth 3 edges", g.Edges, sortEdges(wantEdges))
	if g.Truncated {
		t.Error("U1 depth 3: Truncated set without a limit cut")
	}
}

func testNeighbourhoodLimit(t *testing.T, s graph.Store) {
	load(t, s)
	cases := []struct {
		name      string
		start     graph.Ref
		q         graph.NeighbourhoodQuery
		want      []graph.Ref
		truncated bool
	}{
		{"exact fit", pat(U1), graph.NeighbourhoodQuery{Depth: 1, Limit: 6}, u1Depth1, false},
		{"cut at depth 1", pat(U1), graph.NeighbourhoodQuery{Depth: 1, Limit: 4}, u1Depth1[:4], true},
		{"start only", pat(U1), graph.NeighbourhoodQuery{Depth: 2, Limit: 1}, []graph.Ref{pat(U1)}, true},
		// Depth 1 fills the limit exactly but depth 2 has more: still truncated.
		{"full at depth 1 of 2", pat(U1), graph.NeighbourhoodQuery{Depth: 2, Limit: 6}, u1Depth1, true},
		{"cut at depth 2", pat(U1), graph.NeighbourhoodQuery{Depth: 2, Limit: 8}, u1Depth2[:8], true},
		// The hub: claims sort before the doctor, so the nearest two by type then id are claims.
		{"hub", ins(H1), graph.NeighbourhoodQuery{Depth: 1, Limit: 3}, []graph.Ref{ins(H1), clm(C001), clm(C002)}, true},
		{"hub all", ins(H1), graph.NeighbourhoodQuery{Depth: 1, Limit: 5},
			[]graph.Ref{ins(H1), clm(C001), clm(C002), clm(C004), doc(D1)}, false},
	}
	for _, c := range cases {
		g, err := s.Neighbourhood(ctx, c.start, c.q)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		eqRefs(t, c.name, refsOf(g.Nodes), c.want)
		if g.Truncated != c.truncated {
			t.Errorf("%s: Truncated = %v, want %v", c.name, g.Truncated, c.truncated)
		}
		// Every edge must join two returned nodes.
		in := map[graph.Ref]bool{}
		for _, n := range g.Nodes {
			in[n.Ref] = true
		}
		for _, e := range g.Edges {
			if !in[e.From] || !in[e.To] {
				t.Errorf("%s: edge %v -%s-> %v leaves the returned nodes", c.name, e.From, e.Type, e.To)
			}
		}
	}
	g, err := s.Neighbourhood(ctx, ins(H1), graph.NeighbourhoodQuery{Depth: 1, Limit: 3})
	must(t, "hub", err)
	eqEdges(t, "hub edges", g.Edges, []graph.Edge{
		edge(clm(C001), graph.RelAt, ins(H1)),
		edge(clm(C002), graph.RelAt, ins(H1)),
	})
}

func testNeighbourhoodFilters(t *testing.T, s graph.Store) {
	load(t, s)
	cases := []struct {
		name  string
		start graph.Ref
		q     graph.NeighbourhoodQuery
		want  []graph.Ref
		edges []graph.Edge
	}{
		{"claims only", pat(U1), graph.NeighbourhoodQuery{Depth: 2, Limit: 100, Types: []graph.EntityType{graph.TypeClaim}},
			[]graph.Ref{pat(U1), clm(C001), clm(C002), clm(C003)},
			[]graph.Edge{edge(pat(U1), graph.RelFiled, clm(C001)), edge(pat(U1), graph.RelFiled, clm(C002)), edge(pat(U1), graph.RelFiled, clm(C003))}},
		// The start node is always visited even when its type is filtered out; phones are the
		// only way from U1 to U2 without claims.
		{"phone and patients", pat(U1), graph.NeighbourhoodQuery{Depth: 3, Limit: 100, Types: []graph.EntityType{graph.TypePhone}},
			[]graph.Ref{pat(U1), phone(Phone1)},
			[]graph.Edge{edge(pat(U1), graph.RelHasPhone, phone(Phone1))}},
		{"phone and patients 2", pat(U1), graph.NeighbourhoodQuery{Depth: 3, Limit: 100, Types: []graph.EntityType{graph.TypePhone, graph.TypePatient}},
			[]graph.Ref{pat(U1), phone(Phone1), pat(U2)},
			[]graph.Edge{edge(pat(U1), graph.RelHasPhone, phone(Phone1)), edge(pat(U2), graph.RelHasPhone, phone(Phone1))}},
		// From inclusive, To exclusive: C002 starts on From, C003 starts on To.
		{"time window", pat(U1), graph.NeighbourhoodQuery{Depth: 1, Limit: 100, From: at("2024-02-01 08:00"), To: at("2024-03-01 10:00")},
			[]graph.Ref{pat(U1), addr(Addr1), clm(C002), phone(Phone1)},
			[]graph.Edge{edge(pat(U1), graph.RelFiled, clm(C002)), edge(pat(U1), graph.RelHasPhone, phone(Phone1)), edge(pat(U1), graph.RelLivesAt, addr(Addr1))}},
		// Filtered claims are not traversed: the hub's other patients are reached only through
		// the January claims.
		{"time window hub depth 2", ins(H1), graph.NeighbourhoodQuery{Depth: 2, Limit: 100, From: at("2024-01-10 09:15"), To: at("2024-01-31 00:00")},
			[]graph.Ref{ins(H1), clm(C004), doc(D1), pat(U2), term(TermT1)},
			sortEdges([]graph.Edge{
				edge(clm(C004), graph.RelAt, ins(H1)), edge(clm(C004), graph.RelTreatedBy, doc(D1)),
				edge(clm(C004), graph.RelOnTerminal, term(TermT1)), edge(pat(U2), graph.RelFiled, clm(C004)),
				edge(doc(D1), graph.RelWorksAt, ins(H1))})},
		{"only from", pat(U2), graph.NeighbourhoodQuery{Depth: 1, Limit: 100, From: at("2024-02-01 00:00"), Types: []graph.EntityType{graph.TypeClaim}},
			[]graph.Ref{pat(U2), clm(C005)}, []graph.Edge{edge(pat(U2), graph.RelFiled, clm(C005))}},
	}
	for _, c := range cases {
		g, err := s.Neighbourhood(ctx, c.start, c.q)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		eqRefs(t, c.name, refsOf(g.Nodes), c.want)
		eqEdges(t, c.name+" edges", g.Edges, c.edges)
		if g.Truncated {
			t.Errorf("%s: Truncated set", c.name)
		}
	}
}

func testNeighbourhoodErrors(t *testing.T, s graph.Store) {
	load(t, s)
	_, err := s.Neighbourhood(ctx, pat("nobody"), graph.NeighbourhoodQuery{Depth: 1, Limit: 10})
	wantCode(t, "missing start", err, graph.ENOTFOUND, "")
	_, err = s.Neighbourhood(ctx, pat(U1), graph.NeighbourhoodQuery{Depth: 0, Limit: 10})
	wantCode(t, "depth 0", err, graph.EINVALID, "depth")
	_, err = s.Neighbourhood(ctx, pat(U1), graph.NeighbourhoodQuery{Depth: 4, Limit: 10})
	wantCode(t, "depth 4", err, graph.EINVALID, "depth")
	_, err = s.Neighbourhood(ctx, pat(U1), graph.NeighbourhoodQuery{Depth: 1, Limit: 0})
	wantCode(t, "limit 0", err, graph.EINVALID, "limit")
}

func testClaims(t *testing.T, s graph.Store) {
	load(t, s)
	cases := []struct {
		name  string
		q     graph.ClaimQuery
		want  []string
		total int
	}{
		{"patient", graph.ClaimQuery{Party: pat(U1)}, []string{C001, C002, C003}, 3},
		{"institution", graph.ClaimQuery{Party: ins(H1)}, []string{C001, C004, C002}, 3},
		{"doctor", graph.ClaimQuery{Party: doc(D1)}, []string{C001, C004, C002}, 3},
		{"pharmacy ties by id", graph.ClaimQuery{Party: phm(PH)}, []string{C003, C006}, 2},
		{"page", graph.ClaimQuery{Party: ins(H1), Offset: 1, Limit: 1}, []string{C004}, 3},
		{"page tail", graph.ClaimQuery{Party: ins(H1), Offset: 2, Limit: 5}, []string{C002}, 3},
		{"offset past end", graph.ClaimQuery{Party: ins(H1), Offset: 7}, []string{}, 3},
		{"range", graph.ClaimQuery{Party: ins(H1), From: at("2024-01-10 09:30"), To: at("2024-02-01 08:00")}, []string{C004}, 1},
		{"open from", graph.ClaimQuery{Party: ins(H1), From: at("2024-01-10 09:01")}, []string{C004, C002}, 2},
		{"open to", graph.ClaimQuery{Party: ins(H1), To: at("2024-01-10 09:30")}, []string{C001}, 1},
		{"type", graph.ClaimQuery{Party: pat(U1), Types: []graph.ClaimType{graph.ClaimInpatient}}, []string{C002}, 1},
		{"types", graph.ClaimQuery{Party: pat(U1), Types: []graph.ClaimType{graph.ClaimPharmacy, graph.ClaimInpatient}}, []string{C002, C003}, 2},
		{"type page", graph.ClaimQuery{Party: ins(H1), Types: []graph.ClaimType{graph.ClaimOutpatient}, Limit: 1}, []string{C001}, 2},
		{"none", graph.ClaimQuery{Party: pat(U4)}, []string{}, 0},
		{"doctor without claims in range", graph.ClaimQuery{Party: doc(D2), To: at("2024-01-01 00:00")}, []string{}, 0},
		{"injection id", graph.ClaimQuery{Party: pat(UX)}, []string{C007}, 1},
	}
	for _, c := range cases {
		got, total, err := s.Claims(ctx, c.q)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got == nil {
			t.Errorf("%s: nil slice, want non-nil", c.name)
		}
		if !slices.Equal(claimIDs(got), c.want) || total != c.total {
			t.Errorf("%s: got %v total %d, want %v total %d", c.name, claimIDs(got), total, c.want, c.total)
		}
	}
	got, _, err := s.Claims(ctx, graph.ClaimQuery{Party: pat(U1), Limit: 1})
	must(t, "Claims", err)
	if len(got) == 1 {
		checkClaim(t, got[0], fixtureClaims()[0])
	}
}

func testClaimsErrors(t *testing.T, s graph.Store) {
	load(t, s)
	_, _, err := s.Claims(ctx, graph.ClaimQuery{Party: pat("nobody")})
	wantCode(t, "missing party", err, graph.ENOTFOUND, "")
	_, _, err = s.Claims(ctx, graph.ClaimQuery{Party: clm(C001)})
	wantCode(t, "claim as party", err, graph.EINVALID, "party.type")
	_, _, err = s.Claims(ctx, graph.ClaimQuery{Party: phone(Phone1)})
	wantCode(t, "phone as party", err, graph.EINVALID, "party.type")
	_, _, err = s.Claims(ctx, graph.ClaimQuery{Party: pat(U1), Offset: -1})
	wantCode(t, "negative offset", err, graph.EINVALID, "offset")
	_, _, err = s.Claims(ctx, graph.ClaimQuery{Party: pat(U1), Limit: -1})
	wantCode(t, "negative limit", err, graph.EINVALID, "limit")
}

func testClaimItems(t *testing.T, s graph.Store) {
	load(t, s)
	got, err := s.ClaimItems(ctx, C002)
	must(t, "ClaimItems", err)
	all := fixtureItems()
	want := []graph.ClaimItem{all[1], all[2], all[0]}
	if !slices.Equal(got, want) {
		t.Errorf("ClaimItems(C002) =\n %+v\nwant\n %+v", got, want)
	}
	got, err = s.ClaimItems(ctx, C003)
	must(t, "ClaimItems(C003)", err)
	if got == nil || len(got) != 0 {
		t.Errorf("ClaimItems(C003) = %#v, want empty non-nil", got)
	}
	_, err = s.ClaimItems(ctx, "C9")
	wantCode(t, "ClaimItems(missing)", err, graph.ENOTFOUND, "")
}

func testShortestPath(t *testing.T, s graph.Store) {
	load(t, s)
	cases := []struct {
		name     string
		a, b     graph.Ref
		maxDepth int
		nodes    []graph.Ref
		edges    []graph.Edge
	}{
		{"shared phone", pat(U1), pat(U2), 5, []graph.Ref{pat(U1), phone(Phone1), pat(U2)},
			[]graph.Edge{edge(pat(U1), graph.RelHasPhone, phone(Phone1)), edge(pat(U2), graph.RelHasPhone, phone(Phone1))}},
		{"reverse", pat(U2), pat(U1), 2, []graph.Ref{pat(U2), phone(Phone1), pat(U1)},
			[]graph.Edge{edge(pat(U2), graph.RelHasPhone, phone(Phone1)), edge(pat(U1), graph.RelHasPhone, phone(Phone1))}},
		{"four hops", pat(U1), ins(H2), 4, []graph.Ref{pat(U1), phone(Phone1), pat(U2), clm(C005), ins(H2)},
			[]graph.Edge{edge(pat(U1), graph.RelHasPhone, phone(Phone1)), edge(pat(U2), graph.RelHasPhone, phone(Phone1)),
				edge(pat(U2), graph.RelFiled, clm(C005)), edge(clm(C005), graph.RelAt, ins(H2))}},
		{"too far", pat(U1), ins(H2), 3, []graph.Ref{}, []graph.Edge{}},
		{"one hop", doc(D1), ins(H1), 1, []graph.Ref{doc(D1), ins(H1)}, []graph.Edge{edge(doc(D1), graph.RelWorksAt, ins(H1))}},
		{"isolated", pat(U4), pat(U1), 6, []graph.Ref{}, []graph.Edge{}},
		{"same node", pat(U1), pat(U1), 3, []graph.Ref{pat(U1)}, []graph.Edge{}},
	}
	for _, c := range cases {
		g, err := s.ShortestPath(ctx, c.a, c.b, c.maxDepth)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if g.Nodes == nil || g.Edges == nil {
			t.Errorf("%s: nil Nodes or Edges, want non-nil", c.name)
		}
		eqRefs(t, c.name, refsOf(g.Nodes), c.nodes)
		eqEdges(t, c.name+" edges", g.Edges, c.edges)
	}
	g, err := s.ShortestPath(ctx, pat(U1), pat(U2), 2)
	must(t, "ShortestPath", err)
	if len(g.Nodes) == 3 && g.Nodes[2].Label != "张三丰" {
		t.Errorf("path end label = %q, want 张三丰", g.Nodes[2].Label)
	}
	_, err = s.ShortestPath(ctx, pat(U1), pat("nobody"), 3)
	wantCode(t, "missing b", err, graph.ENOTFOUND, "")
	_, err = s.ShortestPath(ctx, clm("C9"), pat(U1), 3)
	wantCode(t, "missing a", err, graph.ENOTFOUND, "")
	_, err = s.ShortestPath(ctx, pat(U1), pat(U2), 0)
	wantCode(t, "max depth 0", err, graph.EINVALID, "max_depth")
}

func testScan(t *testing.T, s graph.Store) {
	load(t, s)
	var ids []string
	must(t, "ScanPatients", s.ScanPatients(ctx, func(p graph.Patient) error { ids = append(ids, p.ID); return nil }))
	wantIDs(t, "ScanPatients", ids, U4, U3, U1, U2, UX)
	ids = nil
	must(t, "ScanInstitutions", s.ScanInstitutions(ctx, func(i graph.Institution) error { ids = append(ids, i.ID); return nil }))
	wantIDs(t, "ScanInstitutions", ids, H1, H2)
	ids = nil
	must(t, "ScanPharmacies", s.ScanPharmacies(ctx, func(p graph.Pharmacy) error { ids = append(ids, p.ID); return nil }))
	wantIDs(t, "ScanPharmacies", ids, PH)
	ids = nil
	must(t, "ScanDoctors", s.ScanDoctors(ctx, func(d graph.Doctor) error { ids = append(ids, d.ID); return nil }))
	wantIDs(t, "ScanDoctors", ids, D1, D2)
	var claims []graph.Claim
	must(t, "ScanClaims", s.ScanClaims(ctx, func(c graph.Claim) error { claims = append(claims, c); return nil }))
	wantIDs(t, "ScanClaims", claimIDs(claims), C001, C002, C003, C004, C005, C006, C007)
	if len(claims) == 7 {
		for i, want := range fixtureClaims() {
			checkClaim(t, claims[i], want)
		}
	}
	var items []graph.ClaimItem
	must(t, "ScanClaimItems", s.ScanClaimItems(ctx, func(it graph.ClaimItem) error { items = append(items, it); return nil }))
	all := fixtureItems()
	if want := []graph.ClaimItem{all[3], all[1], all[2], all[0]}; !slices.Equal(items, want) {
		t.Errorf("ScanClaimItems =\n %+v\nwant\n %+v", items, want)
	}
	var pats []graph.Patient
	must(t, "ScanPatients", s.ScanPatients(ctx, func(p graph.Patient) error { pats = append(pats, p); return nil }))
	if len(pats) == 5 {
		checkPatient(t, pats[2], fixturePatients()[0])
	}
}

func wantIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s ids = %q, want %q", what, got, want)
	}
}

func testScanStops(t *testing.T, s graph.Store) {
	load(t, s)
	stop := errors.New("enough")
	n := 0
	err := s.ScanClaims(ctx, func(graph.Claim) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("ScanClaims stop: err %v after %d calls, want %v after 2", err, n, stop)
	}
	n = 0
	err = s.ScanPatients(ctx, func(graph.Patient) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("ScanPatients stop: err %v after %d calls, want %v after 1", err, n, stop)
	}
	n = 0
	err = s.ScanClaimItems(ctx, func(graph.ClaimItem) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("ScanClaimItems stop: err %v after %d calls, want %v after 1", err, n, stop)
	}
}

func testIdempotent(t *testing.T, s graph.Store) {
	load(t, s)
	load(t, s)
	eqCounts(t, "after re-load", counts(t, s), fixtureCounts())
	// Re-putting claims alone, in another batch split, changes nothing either.
	cs := fixtureClaims()
	must(t, "PutClaims", s.PutClaims(ctx, cs[:3]))
	must(t, "PutClaims", s.PutClaims(ctx, cs[3:]))
	// The same claim twice in one batch counts once.
	must(t, "PutClaims", s.PutClaims(ctx, []graph.Claim{cs[0], cs[0]}))
	must(t, "PutPatients", s.PutPatients(ctx, []graph.Patient{fixturePatients()[0], fixturePatients()[0]}))
	eqCounts(t, "after re-put", counts(t, s), fixtureCounts())
	items, err := s.ClaimItems(ctx, C002)
	must(t, "ClaimItems", err)
	if len(items) != 3 {
		t.Errorf("ClaimItems(C002) after re-load: %d items, want 3", len(items))
	}
	got, total, err := s.Claims(ctx, graph.ClaimQuery{Party: ins(H1)})
	must(t, "Claims", err)
	if !slices.Equal(claimIDs(got), []string{C001, C004, C002}) || total != 3 {
		t.Errorf("Claims(H1) after re-load = %v total %d", claimIDs(got), total)
	}
	got, total, err = s.Claims(ctx, graph.ClaimQuery{Party: ins(H1), Offset: 2, Limit: 10})
	must(t, "Claims", err)
	if !slices.Equal(claimIDs(got), []string{C002}) || total != 3 {
		t.Errorf("Claims(H1, offset 2) after re-load = %v total %d", claimIDs(got), total)
	}
	got, total, err = s.Claims(ctx, graph.ClaimQuery{Party: phm(PH), Limit: 1})
	must(t, "Claims", err)
	if !slices.Equal(claimIDs(got), []string{C003}) || total != 2 {
		t.Errorf("Claims(PH, limit 1) after re-load = %v total %d", claimIDs(got), total)
	}
}

func testUpsertPatient(t *testing.T, s graph.Store) {
	load(t, s)
	ps := fixturePatients()
	u1 := ps[0]
	u1.Name = "张叁"
	u1.Phone = "13700000007"
	u1.Address = ""
	u1.Region = "530103"
	must(t, "PutPatients", s.PutPatients(ctx, []graph.Patient{u1}))

	got, err := s.Patient(ctx, U1)
	must(t, "Patient", err)
	checkPatient(t, got, u1)
	want := fixtureCounts()
	want.Nodes[graph.TypePhone] = 3   // Phone1 still used by U2, plus the new number
	want.Nodes[graph.TypeAddress] = 2 // Addr1 no longer used by anyone
	want.Relationships[graph.RelLivesAt] = 2
	eqCounts(t, "after U1 moved", counts(t, s), want)

	g, err := s.Neighbourhood(ctx, pat(U1), graph.NeighbourhoodQuery{Depth: 1, Limit: 100})
	must(t, "Neighbourhood", err)
	eqRefs(t, "U1 depth 1 after upsert", refsOf(g.Nodes),
		[]graph.Ref{pat(U1), clm(C001), clm(C002), clm(C003), phone("13700000007")})
	_, err = s.Node(ctx, addr(Addr1))
	wantCode(t, "orphan address", err, graph.ENOTFOUND, "")
	n, err := s.Node(ctx, pat(U1))
	must(t, "Node", err)
	if n.Label != "张叁" || n.Props["region"] != "530103" || n.Props["address"] != "" {
		t.Errorf("Node(U1) after upsert = %+v", n)
	}

	// The old name is gone from search, the new one found.
	found, err := s.Search(ctx, "张三", nil, 10)
	must(t, "Search", err)
	eqRefs(t, "Search(张三) after rename", refsOf(found), []graph.Ref{pat(U2)})
	found, err = s.Search(ctx, "张叁", nil, 10)
	must(t, "Search", err)
	eqRefs(t, "Search(张叁)", refsOf(found), []graph.Ref{pat(U1)})

	// U2 changes phone too: the old phone node has no patient left and disappears.
	u2 := ps[1]
	u2.Phone = "13700000007"
	must(t, "PutPatients", s.PutPatients(ctx, []graph.Patient{u2}))
	want.Nodes[graph.TypePhone] = 2
	eqCounts(t, "after U2 moved", counts(t, s), want)
	_, err = s.Node(ctx, phone(Phone1))
	wantCode(t, "orphan phone", err, graph.ENOTFOUND, "")
	p, err := s.ShortestPath(ctx, pat(U1), pat(U2), 2)
	must(t, "ShortestPath", err)
	eqRefs(t, "U1–U2 via new phone", refsOf(p.Nodes), []graph.Ref{pat(U1), phone("13700000007"), pat(U2)})
}

func testUpsertClaim(t *testing.T, s graph.Store) {
	load(t, s)
	cs := fixtureClaims()
	c5 := cs[4]
	c5.ProviderID = H1
	c5.DoctorID = ""
	c5.Start = at("2024-01-05 08:00")
	c5.FundAmount = 2600
	c5.TerminalID = "T2"
	c1 := cs[0]
	c1.TerminalID = "" // C004 still uses H1/T1
	c3 := cs[2]
	c3.TerminalID = "" // C006 still uses PH/POS9
	c6 := cs[5]
	c6.TerminalID = "" // now nobody uses PH/POS9
	must(t, "PutClaims", s.PutClaims(ctx, []graph.Claim{c5, c1, c3, c6}))

	got, err := s.Claim(ctx, C005)
	must(t, "Claim", err)
	checkClaim(t, got, c5)
	want := fixtureCounts()
	want.Relationships[graph.RelTreatedBy] = 3
	want.Relationships[graph.RelOnTerminal] = 2 // C004 on H1/T1, C005 on H1/T2
	want.Nodes[graph.TypeTerminal] = 2          // H1/T1 and H1/T2; PH/POS9 orphaned
	eqCounts(t, "after claim upsert", counts(t, s), want)
	_, err = s.Node(ctx, term(TermP9))
	wantCode(t, "orphan terminal", err, graph.ENOTFOUND, "")
	if _, err := s.Node(ctx, term(H1+"/T2")); err != nil {
		t.Errorf("new terminal: %v", err)
	}

	ids, total, err := s.Claims(ctx, graph.ClaimQuery{Party: ins(H2)})
	must(t, "Claims(H2)", err)
	if !slices.Equal(claimIDs(ids), []string{C007}) || total != 1 {
		t.Errorf("Claims(H2) after move = %v total %d, want [C007] 1", claimIDs(ids), total)
	}
	ids, total, err = s.Claims(ctx, graph.ClaimQuery{Party: ins(H1)})
	must(t, "Claims(H1)", err)
	if !slices.Equal(claimIDs(ids), []string{C005, C001, C004, C002}) || total != 4 {
		t.Errorf("Claims(H1) after move = %v total %d", claimIDs(ids), total)
	}
	// The same with a page size: a store may answer unfiltered pages from a counter.
	ids, total, err = s.Claims(ctx, graph.ClaimQuery{Party: ins(H1), Limit: 2})
	must(t, "Claims(H1) page", err)
	if !slices.Equal(claimIDs(ids), []string{C005, C001}) || total != 4 {
		t.Errorf("Claims(H1, limit 2) after move = %v total %d, want [C005 C001] 4", claimIDs(ids), total)
	}
	ids, total, err = s.Claims(ctx, graph.ClaimQuery{Party: ins(H2), Limit: 5})
	must(t, "Claims(H2) page", err)
	if !slices.Equal(claimIDs(ids), []string{C007}) || total != 1 {
		t.Errorf("Claims(H2, limit 5) after move = %v total %d, want [C007] 1", claimIDs(ids), total)
	}
	ids, _, err = s.Claims(ctx, graph.ClaimQuery{Party: doc(D2)})
	must(t, "Claims(D2)", err)
	if len(ids) != 0 {
		t.Errorf("Claims(D2) after doctor removed = %v, want none", claimIDs(ids))
	}
	ids, _, err = s.Claims(ctx, graph.ClaimQuery{Party: pat(U2), From: at("2024-05-01 00:00")})
	must(t, "Claims(U2)", err)
	if len(ids) != 0 {
		t.Errorf("Claims(U2) from May after start moved = %v, want none", claimIDs(ids))
	}
	g, err := s.Neighbourhood(ctx, clm(C005), graph.NeighbourhoodQuery{Depth: 1, Limit: 10})
	must(t, "Neighbourhood(C005)", err)
	eqRefs(t, "C005 depth 1", refsOf(g.Nodes), []graph.Ref{clm(C005), ins(H1), pat(U2), term(H1 + "/T2")})
	n, err := s.Node(ctx, clm(C005))
	must(t, "Node(C005)", err)
	if n.Props["fund_amount"] != "26.00" || n.Props["doctor_id"] != "" || n.Props["start_time"] != "2024-01-05T08:00:00Z" {
		t.Errorf("Node(C005) props after upsert = %v", n.Props)
	}

	// A claim may move to another patient, too.
	c7 := cs[6]
	c7.PatientID = U4
	must(t, "PutClaims", s.PutClaims(ctx, []graph.Claim{c7}))
	ids, _, err = s.Claims(ctx, graph.ClaimQuery{Party: pat(UX)})
	must(t, "Claims(UX)", err)
	if len(ids) != 0 {
		t.Errorf("Claims(UX) after move = %v, want none", claimIDs(ids))
	}
	ids, _, err = s.Claims(ctx, graph.ClaimQuery{Party: pat(U4)})
	must(t, "Claims(U4)", err)
	if !slices.Equal(claimIDs(ids), []string{C007}) {
		t.Errorf("Claims(U4) after move = %v, want [C007]", claimIDs(ids))
	}
	eqCounts(t, "after patient move", counts(t, s), want)
}

func testUpsertDoctorAndItems(t *testing.T, s graph.Store) {
	load(t, s)
	d1 := fixtureDoctors()[0]
	d1.InstitutionID = H2
	d1.Name = "李大夫"
	must(t, "PutDoctors", s.PutDoctors(ctx, []graph.Doctor{d1}))
	g, err := s.Neighbourhood(ctx, doc(D1), graph.NeighbourhoodQuery{Depth: 1, Limit: 10, Types: []graph.EntityType{graph.TypeInstitution}})
	must(t, "Neighbourhood(D1)", err)
	eqRefs(t, "D1 institutions", refsOf(g.Nodes), []graph.Ref{doc(D1), ins(H2)})
	eqEdges(t, "D1 edges", g.Edges, []graph.Edge{edge(doc(D1), graph.RelWorksAt, ins(H2))})
	eqCounts(t, "after doctor moved", counts(t, s), fixtureCounts())
	found, err := s.Search(ctx, "李", []graph.EntityType{graph.TypeDoctor}, 10)
	must(t, "Search", err)
	if len(found) != 1 || found[0].Label != "李大夫" {
		t.Errorf("Search(李, doctor) = %+v, want 李大夫", found)
	}

	d1.InstitutionID = ""
	must(t, "PutDoctors", s.PutDoctors(ctx, []graph.Doctor{d1}))
	want := fixtureCounts()
	want.Relationships[graph.RelWorksAt] = 1
	eqCounts(t, "after doctor left", counts(t, s), want)

	// Items: an upsert replaces the line's properties; the line count stays.
	items := fixtureItems()
	items[1].Amount = 3200
	items[1].Quantity = 2.5
	must(t, "PutClaimItems", s.PutClaimItems(ctx, []graph.ClaimItem{items[1]}))
	got, err := s.ClaimItems(ctx, C002)
	must(t, "ClaimItems", err)
	if len(got) != 3 || got[0] != items[1] {
		t.Errorf("ClaimItems(C002) after upsert = %+v", got)
	}
}

func testInvalidBatch(t *testing.T, s graph.Store) {
	load(t, s)
	before := counts(t, s)
	p := graph.Patient{ID: "530102200001010000", Name: "王五", Phone: "13600000000"}
	err := s.PutPatients(ctx, []graph.Patient{p, {Name: "无编号"}})
	wantCode(t, "patient without id", err, graph.EINVALID, "id")
	if _, err := s.Patient(ctx, p.ID); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("first patient of a failed batch was written (err %v)", err)
	}
	c := fixtureClaims()[0]
	c.ID = "C-NEW"
	bad := c
	bad.ID = "C-BAD"
	bad.ProviderType = graph.TypeDoctor
	err = s.PutClaims(ctx, []graph.Claim{c, bad})
	wantCode(t, "claim with doctor provider", err, graph.EINVALID, "provider_type")
	bad.ProviderType, bad.PatientID = graph.TypeInstitution, ""
	err = s.PutClaims(ctx, []graph.Claim{c, bad})
	wantCode(t, "claim without patient", err, graph.EINVALID, "patient_id")
	bad.PatientID, bad.ProviderID = U1, ""
	err = s.PutClaims(ctx, []graph.Claim{c, bad})
	wantCode(t, "claim without provider", err, graph.EINVALID, "provider_id")
	bad.ProviderID, bad.ID = H1, ""
	err = s.PutClaims(ctx, []graph.Claim{c, bad})
	wantCode(t, "claim without id", err, graph.EINVALID, "id")
	if _, err := s.Claim(ctx, c.ID); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("first claim of a failed batch was written (err %v)", err)
	}
	wantCode(t, "institution without id", s.PutInstitutions(ctx, []graph.Institution{{Name: "x"}}), graph.EINVALID, "id")
	wantCode(t, "pharmacy without id", s.PutPharmacies(ctx, []graph.Pharmacy{{Name: "x"}}), graph.EINVALID, "id")
	wantCode(t, "doctor without id", s.PutDoctors(ctx, []graph.Doctor{{Name: "x"}}), graph.EINVALID, "id")
	wantCode(t, "item without claim", s.PutClaimItems(ctx, []graph.ClaimItem{{Seq: 1}}), graph.EINVALID, "claim_id")
	eqCounts(t, "after failed batches", counts(t, s), before)
}

func testInjection(t *testing.T, s graph.Store) {
	load(t, s)
	// Ids and names that look like Cypher or SQL are data. If any of them had been executed
	// the fixture would be gone.
	evil := []graph.Patient{
		{ID: "a\"}) MATCH (n) DETACH DELETE n //", Name: "'); DROP TABLE claims; --"},
		{ID: "b`) RETURN 1 //", Name: "${jndi:ldap://x}", Address: "}] DETACH DELETE n", Phone: "' OR 1=1 --"},
		{ID: "c/../../etc/passwd", Name: "维吾尔族·阿卜杜拉 ＡＢＣ 𠀀"},
	}
	must(t, "PutPatients", s.PutPatients(ctx, evil))
	want := fixtureCounts()
	want.Nodes[graph.TypePatient] += 3
	want.Nodes[graph.TypePhone]++
	want.Nodes[graph.TypeAddress]++
	want.Relationships[graph.RelHasPhone]++
	want.Relationships[graph.RelLivesAt]++
	eqCounts(t, "after evil patients", counts(t, s), want)
	for _, p := range evil {
		got, err := s.Patient(ctx, p.ID)
		if err != nil {
			t.Errorf("Patient(%q): %v", p.ID, err)
			continue
		}
		checkPatient(t, got, p)
	}
	g, err := s.Neighbourhood(ctx, pat(UX), graph.NeighbourhoodQuery{Depth: 2, Limit: 10})
	must(t, "Neighbourhood(UX)", err)
	eqRefs(t, "UX depth 2", refsOf(g.Nodes), []graph.Ref{pat(UX), clm(C007), ins(H2)})
	n, err := s.Node(ctx, phone("' OR 1=1 --"))
	must(t, "Node(evil phone)", err)
	if n.Label != "' OR 1=1 --" {
		t.Errorf("evil phone label = %q", n.Label)
	}
	found, err := s.Search(ctx, "维吾尔族·阿卜", nil, 5)
	must(t, "Search", err)
	eqRefs(t, "Search(维吾尔族)", refsOf(found), []graph.Ref{pat("c/../../etc/passwd")})
	found, err = s.Search(ctx, "a\"})", nil, 5)
	must(t, "Search", err)
	eqRefs(t, "Search(a\"}))", refsOf(found), []graph.Ref{pat(evil[0].ID)})
}

func testPing(t *testing.T, s graph.Store) {
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
