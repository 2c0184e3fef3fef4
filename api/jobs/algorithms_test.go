package jobs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/algorithms/billing"
	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

// TestJobsAddBillingLeadsWithRules runs the job engine on a store holding prostate tests billed
// on women's cards: with the server's rule tables the findings carry the billing lead, without
// them they do not.
func TestJobsAddBillingLeadsWithRules(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.OpenWith(t.TempDir(), embedded.Options{CacheBytes: 8 << 20, MemTableBytes: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cst := time.FixedZone("CST", 8*3600)
	var ps []graph.Patient
	var cs []graph.Claim
	var items []graph.ClaimItem
	for i := range 6 {
		id := fmt.Sprintf("W%02d", i)
		ps = append(ps, graph.Patient{ID: id, Sex: "F", BirthDate: time.Date(1980, 1, 1, 0, 0, 0, 0, cst), Region: "530102"})
		c := graph.Claim{ID: "C" + id, PatientID: id, ProviderID: "H1", ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient,
			Start: time.Date(2025, 3, 1+i, 9, 0, 0, 0, cst), DiagnosisCode: "N40", TotalAmount: graph.FromYuan(90), FundAmount: graph.FromYuan(60)}
		cs = append(cs, c)
		items = append(items, graph.ClaimItem{ClaimID: c.ID, Seq: 1, ItemCode: "311201", ItemName: "前列腺特异抗原测定", Category: "examination",
			Quantity: 1, UnitPrice: graph.FromYuan(90), Amount: graph.FromYuan(90)})
	}
	if err := st.PutInstitutions(ctx, []graph.Institution{{ID: "H1", Region: "530102", Ownership: "public"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutPatients(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if err := st.PutClaims(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if err := st.PutClaimItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	rs, err := billing.Load("../../algorithms/billing/testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	count := func(d Detection) int {
		f, err := d.Detect(ctx, st, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, l := range f.Leads {
			if l.Kind == graph.KindBillingRule {
				n++
			}
		}
		return n
	}
	if n := count(AlgorithmsWithRules(&rs)); n != 1 {
		t.Errorf("with rule tables: %d billing leads, want 1", n)
	}
	if n := count(Algorithms()); n != 0 {
		t.Errorf("without rule tables: %d billing leads, want none", n)
	}
}
