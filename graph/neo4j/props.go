package neo4j

import (
	"fmt"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Stored properties use the JSON field names of graph/model.go, so that a Cypher user sees the
// same names as an API user. Times are Neo4j datetimes in UTC (exact to the nanosecond and
// range-indexable), money is an integer of fen, and empty or zero values are not stored at all
// (SET n = map drops null entries), which is also how an upsert removes a cleared property.
// Parties carry two extra properties for case-insensitive prefix search: id_fold and name_fold.

// fold lower-cases ASCII letters only. The contract asks for case-insensitive matching of Latin
// letters while other scripts compare exactly; Unicode case folding would also change Greek,
// Cyrillic or full-width letters, and the embedded store folds the same way.
func fold(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// opt returns nil for the zero value so that SET n = props leaves the property out.
func opt[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// row drops the nil entries of a property map: SET n = row treats a missing key like a null
// one (the property is removed), and every key left out is a key not sent over Bolt.
func row(m map[string]any) map[string]any {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}

// The *Row functions build the parameter row of one record: exactly the properties the node
// stores. The write statements derive relationship keys from them (phone, address,
// institution_id, provider_id/provider_type, doctor_id, terminal_id).

func patientRow(p graph.Patient) map[string]any {
	return row(map[string]any{
		"id": p.ID, "id_fold": fold(p.ID), "name": opt(p.Name), "name_fold": opt(fold(p.Name)),
		"sex": opt(p.Sex), "birth_date": optTime(p.BirthDate), "region": opt(p.Region),
		"phone": opt(p.Phone), "address": opt(p.Address), "death_date": optTime(p.DeathDate),
	})
}

func institutionRow(i graph.Institution) map[string]any {
	return row(map[string]any{
		"id": i.ID, "id_fold": fold(i.ID), "name": opt(i.Name), "name_fold": opt(fold(i.Name)),
		"level": opt(i.Level), "ownership": opt(i.Ownership), "region": opt(i.Region),
	})
}

func pharmacyRow(p graph.Pharmacy) map[string]any {
	return row(map[string]any{
		"id": p.ID, "id_fold": fold(p.ID), "name": opt(p.Name), "name_fold": opt(fold(p.Name)), "region": opt(p.Region),
	})
}

func doctorRow(d graph.Doctor) map[string]any {
	return row(map[string]any{
		"id": d.ID, "id_fold": fold(d.ID), "name": opt(d.Name), "name_fold": opt(fold(d.Name)),
		"institution_id": opt(d.InstitutionID), "department": opt(d.Department),
	})
}

func claimRow(c graph.Claim) map[string]any {
	return row(map[string]any{
		"id": c.ID, "patient_id": c.PatientID, "provider_id": c.ProviderID, "provider_type": string(c.ProviderType),
		"doctor_id": opt(c.DoctorID), "claim_type": opt(string(c.Type)), "start_time": optTime(c.Start),
		"end_time": optTime(c.End), "diagnosis_code": opt(c.DiagnosisCode),
		"total_amount": int64(c.TotalAmount), "fund_amount": int64(c.FundAmount), "terminal_id": opt(c.TerminalID),
	})
}

// itemKey identifies a claim line: claim id, a NUL byte (which sorts below every other byte),
// and the zero-padded Seq, so that ordering by key is ordering by (claim id, Seq) and a
// keyset-paginated scan needs a single indexed property.
func itemKey(claimID string, seq int) string {
	return fmt.Sprintf("%s\x00%010d", claimID, seq)
}

func itemRow(it graph.ClaimItem) map[string]any {
	return row(map[string]any{
		"key": itemKey(it.ClaimID, it.Seq), "claim_id": it.ClaimID, "seq": int64(it.Seq),
		"item_code": opt(it.ItemCode), "item_name": opt(it.ItemName), "category": opt(it.Category),
		"quantity": it.Quantity, "unit_price": int64(it.UnitPrice), "amount": int64(it.Amount),
	})
}

// props reads typed values out of a stored property map; a missing or mistyped property reads
// as the zero value, as it was written.
type props map[string]any

func (p props) str(k string) string {
	s, _ := p[k].(string)
	return s
}

func (p props) int(k string) int64 {
	switch v := p[k].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func (p props) float(k string) float64 {
	switch v := p[k].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}

func (p props) time(k string) time.Time {
	if t, ok := p[k].(time.Time); ok {
		return t.UTC()
	}
	return time.Time{}
}

func (p props) patient() graph.Patient {
	return graph.Patient{
		ID: p.str("id"), Name: p.str("name"), Sex: p.str("sex"), BirthDate: p.time("birth_date"),
		Region: p.str("region"), Phone: p.str("phone"), Address: p.str("address"), DeathDate: p.time("death_date"),
	}
}

func (p props) institution() graph.Institution {
	return graph.Institution{ID: p.str("id"), Name: p.str("name"), Level: p.str("level"), Ownership: p.str("ownership"), Region: p.str("region")}
}

func (p props) pharmacy() graph.Pharmacy {
	return graph.Pharmacy{ID: p.str("id"), Name: p.str("name"), Region: p.str("region")}
}

func (p props) doctor() graph.Doctor {
	return graph.Doctor{ID: p.str("id"), Name: p.str("name"), InstitutionID: p.str("institution_id"), Department: p.str("department")}
}

func (p props) claim() graph.Claim {
	return graph.Claim{
		ID: p.str("id"), PatientID: p.str("patient_id"), ProviderID: p.str("provider_id"),
		ProviderType: graph.EntityType(p.str("provider_type")), DoctorID: p.str("doctor_id"),
		Type: graph.ClaimType(p.str("claim_type")), Start: p.time("start_time"), End: p.time("end_time"),
		DiagnosisCode: p.str("diagnosis_code"), TotalAmount: graph.Money(p.int("total_amount")),
		FundAmount: graph.Money(p.int("fund_amount")), TerminalID: p.str("terminal_id"),
	}
}

func (p props) item() graph.ClaimItem {
	return graph.ClaimItem{
		ClaimID: p.str("claim_id"), Seq: int(p.int("seq")), ItemCode: p.str("item_code"), ItemName: p.str("item_name"),
		Category: p.str("category"), Quantity: p.float("quantity"), UnitPrice: graph.Money(p.int("unit_price")),
		Amount: graph.Money(p.int("amount")),
	}
}

// typeOfLabel maps a Neo4j label back to its node kind ("" for labels outside the model).
func typeOfLabel(label string) graph.EntityType {
	for _, t := range graph.EntityTypes {
		if t.Label() == label {
			return t
		}
	}
	return ""
}

// node builds the reader-facing graph.Node of a stored node: the label is the name when there is
// one, else the id; props are the entity's fields as strings under their JSON names, empty and
// zero values left out (dates as 2006-01-02, claim times as RFC 3339 UTC, money in yuan).
func node(t graph.EntityType, p props) graph.Node {
	n := graph.Node{Ref: graph.Ref{Type: t, ID: p.str("id")}}
	kv := map[string]string{}
	put := func(k, v string) {
		if v != "" {
			kv[k] = v
		}
	}
	date := func(d time.Time) string {
		if d.IsZero() {
			return ""
		}
		return d.UTC().Format("2006-01-02")
	}
	stamp := func(d time.Time) string {
		if d.IsZero() {
			return ""
		}
		return d.UTC().Format(time.RFC3339Nano)
	}
	name := ""
	switch t {
	case graph.TypePatient:
		v := p.patient()
		name = v.Name
		put("name", v.Name)
		put("sex", v.Sex)
		put("birth_date", date(v.BirthDate))
		put("region", v.Region)
		put("phone", v.Phone)
		put("address", v.Address)
		put("death_date", date(v.DeathDate))
	case graph.TypeInstitution:
		v := p.institution()
		name = v.Name
		put("name", v.Name)
		put("level", v.Level)
		put("ownership", v.Ownership)
		put("region", v.Region)
	case graph.TypePharmacy:
		v := p.pharmacy()
		name = v.Name
		put("name", v.Name)
		put("region", v.Region)
	case graph.TypeDoctor:
		v := p.doctor()
		name = v.Name
		put("name", v.Name)
		put("institution_id", v.InstitutionID)
		put("department", v.Department)
	case graph.TypeClaim:
		v := p.claim()
		put("patient_id", v.PatientID)
		put("provider_id", v.ProviderID)
		put("provider_type", string(v.ProviderType))
		put("doctor_id", v.DoctorID)
		put("claim_type", string(v.Type))
		put("start_time", stamp(v.Start))
		put("end_time", stamp(v.End))
		put("diagnosis_code", v.DiagnosisCode)
		put("total_amount", v.TotalAmount.String())
		put("fund_amount", v.FundAmount.String())
		put("terminal_id", v.TerminalID)
	}
	n.Label = name
	if n.Label == "" {
		n.Label = n.ID
	}
	if len(kv) > 0 {
		n.Props = kv
	}
	return n
}
