package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Fixture ids. The graph is small enough to draw by hand:
//
//	U1 张三 ──HAS_PHONE──▶ 13800000001 ◀──HAS_PHONE── U2 张三丰
//	U1 ──FILED──▶ C001 (H1, D1, terminal H1/T1, outpatient 2024-01-10 09:00)
//	U1 ──FILED──▶ C002 (H1, D1, inpatient 2024-02-01 → 02-05, 12 000 yuan fund)
//	U1 ──FILED──▶ C003 (pharmacy PH, terminal PH/POS9, 2024-03-01 10:00)
//	U2 ──FILED──▶ C004 (H1, D1, terminal H1/T1, outpatient 2024-01-10 09:30)
//	U2 ──FILED──▶ C005 (H2, D2, outpatient 2024-05-01)
//	U3 Zhang Wei ──FILED──▶ C006 (pharmacy PH, terminal PH/POS9, 2024-03-01 10:00)
//	UX (injection-looking id) ──FILED──▶ C007 (H2, no doctor, 2024-06-01)
//	U4 李四 has nothing at all; D1 WORKS_AT H1, D2 WORKS_AT H2.
const (
	U1 = "530102199001011234"
	U2 = "530102199202022345"
	U3 = "530102198503033456"
	U4 = "530102197004044567"
	UX = "x'}) DETACH DELETE n //"

	H1 = "H53010200001"
	H2 = "H53010200002"
	PH = "P53010200042"
	D1 = "D530102012345"
	D2 = "D530102012346"

	C001 = "C2024000001"
	C002 = "C2024000002"
	C003 = "C2024000003"
	C004 = "C2024000004"
	C005 = "C2024000005"
	C006 = "C2024000006"
	C007 = "C2024000007"

	Phone1 = "13800000001"
	Phone3 = "13900000003"
	Addr1  = "云南省昆明市五华区青年路1号"
	Addr2  = "云南省昆明市五华区青年路2号"
	Addr3  = "Kunming Road 3"
	TermT1 = H1 + "/T1"
	TermP9 = PH + "/POS9"
)

// at returns a UTC time; the fixture uses UTC throughout so that expected props are plain.
func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err) // programmer error in the fixture
	}
	return t.UTC()
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func fixtureInstitutions() []graph.Institution {
	return []graph.Institution{
		{ID: H1, Name: "云南省第一人民医院", Level: "三级甲等", Ownership: "public", Region: "530100"},
		{ID: H2, Name: "Kunming Wuhua Clinic", Level: "一级", Ownership: "private", Region: "530102"},
	}
}

func fixturePharmacies() []graph.Pharmacy {
	return []graph.Pharmacy{{ID: PH, Name: "康乐大药房", Region: "530102"}}
}

func fixtureDoctors() []graph.Doctor {
	return []graph.Doctor{
		{ID: D1, Name: "李医生", InstitutionID: H1, Department: "内科"},
		{ID: D2, Name: "Wang Wei", InstitutionID: H2, Department: "全科"},
	}
}

func fixturePatients() []graph.Patient {
	return []graph.Patient{
		{ID: U1, Name: "张三", Sex: "M", BirthDate: day("1990-01-01"), Region: "530102", Phone: Phone1, Address: Addr1},
		{ID: U2, Name: "张三丰", Sex: "M", BirthDate: day("1992-02-02"), Region: "530102", Phone: Phone1, Address: Addr2},
		{ID: U3, Name: "Zhang Wei", Sex: "F", BirthDate: day("1985-03-03"), Region: "530100", Phone: Phone3, Address: Addr3},
		{ID: U4, Name: "李四", Region: "530103", DeathDate: day("2023-12-31")},
		{ID: UX, Name: "注入测试 '; MATCH (n) DETACH DELETE n; //"},
	}
}

func fixtureClaims() []graph.Claim {
	return []graph.Claim{
		{ID: C001, PatientID: U1, ProviderID: H1, ProviderType: graph.TypeInstitution, DoctorID: D1, Type: graph.ClaimOutpatient,
			Start: at("2024-01-10 09:00"), DiagnosisCode: "J06.9", TotalAmount: 12050, FundAmount: 8000, TerminalID: "T1"},
		{ID: C002, PatientID: U1, ProviderID: H1, ProviderType: graph.TypeInstitution, DoctorID: D1, Type: graph.ClaimInpatient,
			Start: at("2024-02-01 08:00"), End: at("2024-02-05 10:00"), DiagnosisCode: "I10", TotalAmount: 1500000, FundAmount: 1200000},
		{ID: C003, PatientID: U1, ProviderID: PH, ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
			Start: at("2024-03-01 10:00"), TotalAmount: 30000, FundAmount: 30000, TerminalID: "POS9"},
		{ID: C004, PatientID: U2, ProviderID: H1, ProviderType: graph.TypeInstitution, DoctorID: D1, Type: graph.ClaimOutpatient,
			Start: at("2024-01-10 09:30"), DiagnosisCode: "J06.9", TotalAmount: 9900, FundAmount: 6000, TerminalID: "T1"},
		{ID: C005, PatientID: U2, ProviderID: H2, ProviderType: graph.TypeInstitution, DoctorID: D2, Type: graph.ClaimOutpatient,
			Start: at("2024-05-01 14:00"), DiagnosisCode: "K29.7", TotalAmount: 5000, FundAmount: 2500},
		{ID: C006, PatientID: U3, ProviderID: PH, ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
			Start: at("2024-03-01 10:00"), TotalAmount: 45000, FundAmount: 45000, TerminalID: "POS9"},
		{ID: C007, PatientID: UX, ProviderID: H2, ProviderType: graph.TypeInstitution, Type: graph.ClaimOutpatient,
			Start: at("2024-06-01 11:00"), TotalAmount: 100, FundAmount: 0},
	}
}

func fixtureItems() []graph.ClaimItem {
	// Written out of order on purpose: ClaimItems must sort by Seq.
	return []graph.ClaimItem{
		{ClaimID: C002, Seq: 3, ItemCode: "M001", ItemName: "一次性输液器", Category: "material", Quantity: 4, UnitPrice: 500, Amount: 2000},
		{ClaimID: C002, Seq: 1, ItemCode: "X001", ItemName: "阿莫西林胶囊", Category: "drug", Quantity: 2, UnitPrice: 1550, Amount: 3100},
		{ClaimID: C002, Seq: 2, ItemCode: "E010", ItemName: "血常规", Category: "exam", Quantity: 1, UnitPrice: 2500, Amount: 2500},
		{ClaimID: C001, Seq: 1, ItemCode: "X002", ItemName: "Ibuprofen", Category: "drug", Quantity: 0.5, UnitPrice: 2410, Amount: 1205},
	}
}

// fixtureCounts is what Counts must report after the fixture is loaded.
func fixtureCounts() graph.Counts {
	return graph.Counts{
		Nodes: map[graph.EntityType]int64{
			graph.TypePatient: 5, graph.TypeDoctor: 2, graph.TypeInstitution: 2, graph.TypePharmacy: 1,
			graph.TypeClaim: 7, graph.TypePhone: 2, graph.TypeAddress: 3, graph.TypeTerminal: 2,
		},
		Relationships: map[graph.RelType]int64{
			graph.RelFiled: 7, graph.RelAt: 7, graph.RelTreatedBy: 4, graph.RelWorksAt: 2,
			graph.RelHasPhone: 3, graph.RelLivesAt: 3, graph.RelOnTerminal: 4,
		},
	}
}

// load writes the whole fixture in the order ingest uses: parties, then claims, then items.
func load(t *testing.T, s graph.Store) {
	t.Helper()
	ctx := context.Background()
	must(t, "PutInstitutions", s.PutInstitutions(ctx, fixtureInstitutions()))
	must(t, "PutPharmacies", s.PutPharmacies(ctx, fixturePharmacies()))
	must(t, "PutDoctors", s.PutDoctors(ctx, fixtureDoctors()))
	must(t, "PutPatients", s.PutPatients(ctx, fixturePatients()))
	must(t, "PutClaims", s.PutClaims(ctx, fixtureClaims()))
	must(t, "PutClaimItems", s.PutClaimItems(ctx, fixtureItems()))
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func ref(typ graph.EntityType, id string) graph.Ref { return graph.Ref{Type: typ, ID: id} }

func pat(id string) graph.Ref   { return ref(graph.TypePatient, id) }
func clm(id string) graph.Ref   { return ref(graph.TypeClaim, id) }
func ins(id string) graph.Ref   { return ref(graph.TypeInstitution, id) }
func doc(id string) graph.Ref   { return ref(graph.TypeDoctor, id) }
func phm(id string) graph.Ref   { return ref(graph.TypePharmacy, id) }
func phone(id string) graph.Ref { return ref(graph.TypePhone, id) }
func addr(id string) graph.Ref  { return ref(graph.TypeAddress, id) }
func term(id string) graph.Ref  { return ref(graph.TypeTerminal, id) }

func edge(from graph.Ref, rel graph.RelType, to graph.Ref) graph.Edge {
	return graph.Edge{From: from, To: to, Type: rel}
}
