package graph

import "time"

// EntityType names a kind of node in the claims graph. The string is also the value used in
// findings JSON ("type") and in API paths.
type EntityType string

// Node kinds. Parties are patients, doctors, institutions and pharmacies; claims, phones,
// addresses and terminals are the nodes that tie parties together.
const (
	TypePatient     EntityType = "patient"
	TypeDoctor      EntityType = "doctor"
	TypeInstitution EntityType = "institution"
	TypePharmacy    EntityType = "pharmacy"
	TypeClaim       EntityType = "claim"
	TypePhone       EntityType = "phone"
	TypeAddress     EntityType = "address"
	TypeTerminal    EntityType = "terminal"
)

// EntityTypes lists every node kind in a fixed order.
var EntityTypes = []EntityType{TypePatient, TypeDoctor, TypeInstitution, TypePharmacy, TypeClaim, TypePhone, TypeAddress, TypeTerminal}

// Valid reports whether t is one of the node kinds above.
func (t EntityType) Valid() bool {
	for _, k := range EntityTypes {
		if k == t {
			return true
		}
	}
	return false
}

// IsParty reports whether t is a party that can be scored and investigated (patient, doctor,
// institution, pharmacy).
func (t EntityType) IsParty() bool {
	return t == TypePatient || t == TypeDoctor || t == TypeInstitution || t == TypePharmacy
}

// IsProvider reports whether t can be the provider of a claim.
func (t EntityType) IsProvider() bool { return t == TypeInstitution || t == TypePharmacy }

// Label returns the Neo4j label of the node kind, e.g. "Patient".
func (t EntityType) Label() string {
	switch t {
	case TypePatient:
		return "Patient"
	case TypeDoctor:
		return "Doctor"
	case TypeInstitution:
		return "Institution"
	case TypePharmacy:
		return "Pharmacy"
	case TypeClaim:
		return "Claim"
	case TypePhone:
		return "Phone"
	case TypeAddress:
		return "Address"
	case TypeTerminal:
		return "Terminal"
	}
	return ""
}

// RelType names a kind of relationship in the claims graph (Neo4j relationship type).
type RelType string

// Relationship kinds. Direction is as written: (Patient)-[:FILED]->(Claim).
const (
	RelFiled      RelType = "FILED"       // Patient → Claim
	RelAt         RelType = "AT"          // Claim → Institution | Pharmacy
	RelTreatedBy  RelType = "TREATED_BY"  // Claim → Doctor
	RelWorksAt    RelType = "WORKS_AT"    // Doctor → Institution
	RelHasPhone   RelType = "HAS_PHONE"   // Patient → Phone
	RelLivesAt    RelType = "LIVES_AT"    // Patient → Address
	RelOnTerminal RelType = "ON_TERMINAL" // Claim → Terminal
)

// RelTypes lists every relationship kind in a fixed order.
var RelTypes = []RelType{RelFiled, RelAt, RelTreatedBy, RelWorksAt, RelHasPhone, RelLivesAt, RelOnTerminal}

// Ref identifies one node: its kind and its id (unique within the kind). Phone and address nodes
// use the normalised phone number and address text as id; terminals use "provider_id/terminal_id".
type Ref struct {
	Type EntityType `json:"type"`
	ID   string     `json:"id"`
}

// String returns "type:id".
func (r Ref) String() string { return string(r.Type) + ":" + r.ID }

// Patient is an insured person (参保人员).
type Patient struct {
	ID        string    `json:"id"`
	Name      string    `json:"name,omitempty"`
	Sex       string    `json:"sex,omitempty"` // "M", "F" or "" when unknown
	BirthDate time.Time `json:"birth_date,omitzero"`
	Region    string    `json:"region,omitempty"` // pooling region 统筹区
	Phone     string    `json:"phone,omitempty"`
	Address   string    `json:"address,omitempty"`
	DeathDate time.Time `json:"death_date,omitzero"`
}

// Institution is a designated medical institution (定点医疗机构).
type Institution struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Level     string `json:"level,omitempty"`     // e.g. 三级甲等, 一级, 社区卫生服务中心
	Ownership string `json:"ownership,omitempty"` // "public", "private" or ""
	Region    string `json:"region,omitempty"`
}

// Pharmacy is a designated retail pharmacy (定点零售药店).
type Pharmacy struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Region string `json:"region,omitempty"`
}

// Doctor is a doctor or pharmacist registered with the fund (医保医师/药师).
type Doctor struct {
	ID            string `json:"id"`
	Name          string `json:"name,omitempty"`
	InstitutionID string `json:"institution_id,omitempty"`
	Department    string `json:"department,omitempty"`
}

// ClaimType is the settlement kind.
type ClaimType string

// Claim kinds: outpatient 门诊, inpatient 住院, pharmacy purchase 购药.
const (
	ClaimOutpatient ClaimType = "outpatient"
	ClaimInpatient  ClaimType = "inpatient"
	ClaimPharmacy   ClaimType = "pharmacy"
)

// Claim is one settlement (结算单). ProviderType says whether ProviderID is an institution or a
// pharmacy. End is the discharge time of inpatient stays and zero otherwise.
type Claim struct {
	ID            string     `json:"id"`
	PatientID     string     `json:"patient_id"`
	ProviderID    string     `json:"provider_id"`
	ProviderType  EntityType `json:"provider_type"`
	DoctorID      string     `json:"doctor_id,omitempty"`
	Type          ClaimType  `json:"claim_type"`
	Start         time.Time  `json:"start_time"`
	End           time.Time  `json:"end_time,omitzero"`
	DiagnosisCode string     `json:"diagnosis_code,omitempty"`
	TotalAmount   Money      `json:"total_amount"`
	FundAmount    Money      `json:"fund_amount"`
	TerminalID    string     `json:"terminal_id,omitempty"`
}

// ClaimItem is one line of a claim (费用明细). Seq is the line's ordinal within its claim in the
// input (1-based), which together with ClaimID identifies the item so that re-loads are idempotent.
type ClaimItem struct {
	ClaimID   string  `json:"claim_id"`
	Seq       int     `json:"seq"`
	ItemCode  string  `json:"item_code,omitempty"`
	ItemName  string  `json:"item_name,omitempty"`
	Category  string  `json:"category,omitempty"` // drug, exam, treatment, material, other
	Quantity  float64 `json:"quantity,omitempty"`
	UnitPrice Money   `json:"unit_price"`
	Amount    Money   `json:"amount"`
}

// Node is one node of a subgraph as served to readers: its ref, a display label (a name, or the
// id when there is none) and its properties as strings.
type Node struct {
	Ref
	Label string            `json:"label"`
	Props map[string]string `json:"props,omitempty"`
}

// Edge is one relationship of a subgraph.
type Edge struct {
	From Ref     `json:"from"`
	To   Ref     `json:"to"`
	Type RelType `json:"type"`
}

// Subgraph is a set of nodes and the edges between them. Truncated is true when a node limit cut
// the result short.
type Subgraph struct {
	Nodes     []Node `json:"nodes"`
	Edges     []Edge `json:"edges"`
	Truncated bool   `json:"truncated"`
}

// Counts holds the number of nodes per kind and relationships per kind in a store.
type Counts struct {
	Nodes         map[EntityType]int64 `json:"nodes"`
	Relationships map[RelType]int64    `json:"relationships"`
}
