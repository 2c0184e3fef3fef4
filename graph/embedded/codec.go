package embedded

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Records are encoded by hand rather than with encoding/json or gob: a claim is written once per
// ingest row and read once per neighbour visit, and a flat varint encoding is several times
// faster and about half the size of JSON. The first byte is the format version.
const recordVersion = 1

var errCorrupt = errors.New("embedded: corrupt record")

type encoder struct{ b []byte }

func (e *encoder) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) int(v int64) { e.b = binary.AppendVarint(e.b, v) }

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.int(t.Unix())
	e.int(int64(t.Nanosecond()))
}

func (e *encoder) float(f float64) { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(f)) }

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) str() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || uint64(len(d.b)-k) < n {
		d.fail()
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}

func (d *decoder) int() int64 {
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) time() time.Time {
	if len(d.b) == 0 {
		d.fail()
		return time.Time{}
	}
	flag := d.b[0]
	d.b = d.b[1:]
	if flag == 0 {
		return time.Time{}
	}
	sec := d.int()
	nsec := d.int()
	return time.Unix(sec, nsec).UTC()
}

func (d *decoder) float() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func (d *decoder) version() {
	if len(d.b) == 0 || d.b[0] != recordVersion {
		d.fail()
		return
	}
	d.b = d.b[1:]
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func encodePatient(dst []byte, p *graph.Patient) []byte {
	e := encoder{append(dst, recordVersion)}
	e.str(p.Name)
	e.str(p.Sex)
	e.time(p.BirthDate)
	e.str(p.Region)
	e.str(p.Phone)
	e.str(p.Address)
	e.time(p.DeathDate)
	return e.b
}

func decodePatient(id string, b []byte) (graph.Patient, error) {
	d := decoder{b: b}
	d.version()
	p := graph.Patient{ID: id, Name: d.str(), Sex: d.str(), BirthDate: d.time(), Region: d.str(),
		Phone: d.str(), Address: d.str(), DeathDate: d.time()}
	return p, d.err
}

func encodeInstitution(dst []byte, i *graph.Institution) []byte {
	e := encoder{append(dst, recordVersion)}
	e.str(i.Name)
	e.str(i.Level)
	e.str(i.Ownership)
	e.str(i.Region)
	return e.b
}

func decodeInstitution(id string, b []byte) (graph.Institution, error) {
	d := decoder{b: b}
	d.version()
	i := graph.Institution{ID: id, Name: d.str(), Level: d.str(), Ownership: d.str(), Region: d.str()}
	return i, d.err
}

func encodePharmacy(dst []byte, p *graph.Pharmacy) []byte {
	e := encoder{append(dst, recordVersion)}
	e.str(p.Name)
	e.str(p.Region)
	return e.b
}

func decodePharmacy(id string, b []byte) (graph.Pharmacy, error) {
	d := decoder{b: b}
	d.version()
	p := graph.Pharmacy{ID: id, Name: d.str(), Region: d.str()}
	return p, d.err
}

func encodeDoctor(dst []byte, x *graph.Doctor) []byte {
	e := encoder{append(dst, recordVersion)}
	e.str(x.Name)
	e.str(x.InstitutionID)
	e.str(x.Department)
	return e.b
}

func decodeDoctor(id string, b []byte) (graph.Doctor, error) {
	d := decoder{b: b}
	d.version()
	x := graph.Doctor{ID: id, Name: d.str(), InstitutionID: d.str(), Department: d.str()}
	return x, d.err
}

func encodeClaim(dst []byte, c *graph.Claim) []byte {
	e := encoder{append(dst, recordVersion)}
	e.str(c.PatientID)
	e.str(c.ProviderID)
	e.str(string(c.ProviderType))
	e.str(c.DoctorID)
	e.str(string(c.Type))
	e.time(c.Start)
	e.time(c.End)
	e.str(c.DiagnosisCode)
	e.int(int64(c.TotalAmount))
	e.int(int64(c.FundAmount))
	e.str(c.TerminalID)
	return e.b
}

func decodeClaim(id string, b []byte) (graph.Claim, error) {
	d := decoder{b: b}
	d.version()
	c := graph.Claim{ID: id, PatientID: d.str(), ProviderID: d.str(), ProviderType: graph.EntityType(d.str()),
		DoctorID: d.str(), Type: graph.ClaimType(d.str()), Start: d.time(), End: d.time(),
		DiagnosisCode: d.str(), TotalAmount: graph.Money(d.int()), FundAmount: graph.Money(d.int()),
		TerminalID: d.str()}
	return c, d.err
}

func encodeItem(dst []byte, it *graph.ClaimItem) []byte {
	e := encoder{append(dst, recordVersion)}
	e.str(it.ItemCode)
	e.str(it.ItemName)
	e.str(it.Category)
	e.float(it.Quantity)
	e.int(int64(it.UnitPrice))
	e.int(int64(it.Amount))
	return e.b
}

func decodeItem(claimID string, seq int, b []byte) (graph.ClaimItem, error) {
	d := decoder{b: b}
	d.version()
	it := graph.ClaimItem{ClaimID: claimID, Seq: seq, ItemCode: d.str(), ItemName: d.str(), Category: d.str(),
		Quantity: d.float(), UnitPrice: graph.Money(d.int()), Amount: graph.Money(d.int())}
	return it, d.err
}

// Props formats, fixed by the conformance suite (graph/storetest doc): dates as 2006-01-02,
// claim times as RFC 3339 UTC, money always present as yuan with two decimals.
const dateLayout = "2006-01-02"

type props map[string]string

func (p props) set(k, v string) {
	if v != "" {
		p[k] = v
	}
}

func (p props) date(k string, t time.Time) {
	if !t.IsZero() {
		p[k] = t.UTC().Format(dateLayout)
	}
}

func (p props) stamp(k string, t time.Time) {
	if !t.IsZero() {
		p[k] = t.UTC().Format(time.RFC3339Nano)
	}
}

// moneyString is graph.Money.String without fmt: "-12.05", "0.00", "1234.50". The profile of a
// hub neighbourhood showed fmt.Sprintf among its top allocations.
func moneyString(m graph.Money) string {
	v := int64(m)
	var b [24]byte
	out := b[:0]
	if v < 0 {
		out = append(out, '-')
		v = -v
	}
	out = strconv.AppendInt(out, v/100, 10)
	out = append(out, '.', byte('0'+v%100/10), byte('0'+v%10))
	return string(out)
}

func labelOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func patientNode(p *graph.Patient) graph.Node {
	pr := props{}
	pr.set("name", p.Name)
	pr.set("sex", p.Sex)
	pr.date("birth_date", p.BirthDate)
	pr.set("region", p.Region)
	pr.set("phone", p.Phone)
	pr.set("address", p.Address)
	pr.date("death_date", p.DeathDate)
	return graph.Node{Ref: graph.Ref{Type: graph.TypePatient, ID: p.ID}, Label: labelOr(p.Name, p.ID), Props: pr}
}

func institutionNode(i *graph.Institution) graph.Node {
	pr := props{}
	pr.set("name", i.Name)
	pr.set("level", i.Level)
	pr.set("ownership", i.Ownership)
	pr.set("region", i.Region)
	return graph.Node{Ref: graph.Ref{Type: graph.TypeInstitution, ID: i.ID}, Label: labelOr(i.Name, i.ID), Props: pr}
}

func pharmacyNode(p *graph.Pharmacy) graph.Node {
	pr := props{}
	pr.set("name", p.Name)
	pr.set("region", p.Region)
	return graph.Node{Ref: graph.Ref{Type: graph.TypePharmacy, ID: p.ID}, Label: labelOr(p.Name, p.ID), Props: pr}
}

func doctorNode(d *graph.Doctor) graph.Node {
	pr := props{}
	pr.set("name", d.Name)
	pr.set("institution_id", d.InstitutionID)
	pr.set("department", d.Department)
	return graph.Node{Ref: graph.Ref{Type: graph.TypeDoctor, ID: d.ID}, Label: labelOr(d.Name, d.ID), Props: pr}
}

func claimNode(c *graph.Claim) graph.Node {
	pr := make(props, 12) // a hub neighbourhood builds 500 of these: size the map once
	pr.set("patient_id", c.PatientID)
	pr.set("provider_id", c.ProviderID)
	pr.set("provider_type", string(c.ProviderType))
	pr.set("doctor_id", c.DoctorID)
	pr.set("claim_type", string(c.Type))
	pr.stamp("start_time", c.Start)
	pr.stamp("end_time", c.End)
	pr.set("diagnosis_code", c.DiagnosisCode)
	pr["total_amount"] = moneyString(c.TotalAmount)
	pr["fund_amount"] = moneyString(c.FundAmount)
	pr.set("terminal_id", c.TerminalID)
	return graph.Node{Ref: graph.Ref{Type: graph.TypeClaim, ID: c.ID}, Label: c.ID, Props: pr}
}

// decodeNode turns a stored record into a served node.
func decodeNode(ref graph.Ref, b []byte) (graph.Node, error) {
	switch ref.Type {
	case graph.TypePatient:
		p, err := decodePatient(ref.ID, b)
		return patientNode(&p), err
	case graph.TypeInstitution:
		i, err := decodeInstitution(ref.ID, b)
		return institutionNode(&i), err
	case graph.TypePharmacy:
		p, err := decodePharmacy(ref.ID, b)
		return pharmacyNode(&p), err
	case graph.TypeDoctor:
		d, err := decodeDoctor(ref.ID, b)
		return doctorNode(&d), err
	case graph.TypeClaim:
		c, err := decodeClaim(ref.ID, b)
		return claimNode(&c), err
	}
	return graph.Node{Ref: ref, Label: ref.ID}, nil
}
