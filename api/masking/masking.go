package masking

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/ringtrace/ringtrace/graph"
)

// propRule says how one node property is shown to a role without full access.
type propRule int

const (
	showProp  propRule = iota // not personal: shown as is
	maskName                  // 张三丰 → 张*丰
	maskPhone                 // 13812341234 → 138****1234
	maskIDNum                 // 530102199001011234 → 530102********1234
	maskAddr                  // keep the first 6 characters (province/city), hide the rest
	pseudoID                  // replace a patient id by its pseudonym
	hideProp                  // drop entirely (diagnoses, birth and death dates)
)

// personalProps names the node and claim properties that carry personal data and how they are
// masked. Property names not listed are shown as they are: stores must not put personal data
// under other names.
var personalProps = map[string]propRule{
	"name":           maskName,
	"phone":          maskPhone,
	"id_number":      maskIDNum,
	"id_card":        maskIDNum,
	"address":        maskAddr,
	"patient_id":     pseudoID,
	"diagnosis_code": hideProp,
	"diagnosis":      hideProp,
	"birth_date":     hideProp,
	"death_date":     hideProp,
}

// PersonalType reports whether the id of a node of kind t is itself personal: a patient's
// insurance number, a phone number, an address text.
func PersonalType(t graph.EntityType) bool {
	return t == graph.TypePatient || t == graph.TypePhone || t == graph.TypeAddress
}

// Masker pseudonymises identifiers and masks personal values. Pseudonyms are stable for one key
// and reversible only by the server: the pseudonym is a deterministic authenticated encryption
// (AES-GCM with a synthetic nonce = HMAC-SHA256(key, id), the SIV construction of RFC 5297 in
// spirit) so an analyst can navigate from a pseudonymised node to its neighbourhood without the
// server keeping a lookup table, and cannot recover the id or forge a pseudonym.
type Masker struct {
	macKey []byte
	aead   cipher.AEAD
}

// PseudonymPrefix marks a pseudonymised id in paths and responses.
const PseudonymPrefix = "~"

// NewMasker returns a masker for a 32-byte secret key (kept in the state database).
func NewMasker(key []byte) (*Masker, error) {
	if len(key) != 32 {
		return nil, graph.Errorf(graph.EINTERNAL, "masker key must be 32 bytes")
	}
	enc := sha256.Sum256(append([]byte("ringtrace-pseudonym-enc:"), key...))
	block, err := aes.NewCipher(enc[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac := sha256.Sum256(append([]byte("ringtrace-pseudonym-mac:"), key...))
	return &Masker{macKey: mac[:], aead: aead}, nil
}

// Pseudonym returns the stable pseudonym of an id of the given kind.
func (m *Masker) Pseudonym(t graph.EntityType, id string) string {
	h := hmac.New(sha256.New, m.macKey)
	h.Write([]byte(t))
	h.Write([]byte{0})
	h.Write([]byte(id))
	nonce := h.Sum(nil)[:m.aead.NonceSize()]
	out := m.aead.Seal(append([]byte(nil), nonce...), nonce, []byte(id), []byte(t))
	return PseudonymPrefix + base64.RawURLEncoding.EncodeToString(out)
}

// Reveal returns the id behind a pseudonym of kind t, or false when p is not a valid pseudonym
// of that kind.
func (m *Masker) Reveal(t graph.EntityType, p string) (string, bool) {
	if !strings.HasPrefix(p, PseudonymPrefix) {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(p[len(PseudonymPrefix):])
	ns := m.aead.NonceSize()
	if err != nil || len(b) < ns+m.aead.Overhead() {
		return "", false
	}
	id, err := m.aead.Open(nil, b[:ns], b[ns:], []byte(t))
	if err != nil {
		return "", false
	}
	return string(id), true
}

// MaskName keeps the first and last character of a name: 张三丰 → 张*丰, 张三 → 张*, Li Wei → L*i.
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskPhone keeps the first 3 and last 4 digits: 13812341234 → 138****1234.
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskIDNumber keeps the 6-digit region code and the last 4 characters of an ID number.
func MaskIDNumber(s string) string {
	r := []rune(s)
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// MaskAddress keeps the first 6 characters (province and city in a Chinese address) and hides
// the rest.
func MaskAddress(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= 6 {
		return strings.Repeat("*", n)
	}
	return string([]rune(s)[:6]) + "****"
}

// maskID returns the id of ref as shown without full access.
func (m *Masker) maskID(r graph.Ref) string {
	if PersonalType(r.Type) {
		return m.Pseudonym(r.Type, r.ID)
	}
	return r.ID
}

// MaskRef returns ref as shown without full access.
func (m *Masker) MaskRef(r graph.Ref) graph.Ref { return graph.Ref{Type: r.Type, ID: m.maskID(r)} }

// maskValue applies one rule.
func (m *Masker) maskValue(rule propRule, v string) (string, bool) {
	switch rule {
	case maskName:
		return MaskName(v), true
	case maskPhone:
		return MaskPhone(v), true
	case maskIDNum:
		return MaskIDNumber(v), true
	case maskAddr:
		return MaskAddress(v), true
	case pseudoID:
		if v == "" {
			return "", true
		}
		return m.Pseudonym(graph.TypePatient, v), true
	case hideProp:
		return "", false
	}
	return v, true
}

// MaskNode returns n as shown to a reader without full access to it: personal ids
// pseudonymised, personal properties masked or dropped, the label masked.
func (m *Masker) MaskNode(n graph.Node) graph.Node {
	out := graph.Node{Ref: m.MaskRef(n.Ref)}
	switch n.Type {
	case graph.TypePatient:
		out.Label = MaskName(n.Label)
		if n.Label == n.ID || out.Label == "" {
			out.Label = out.ID
		}
	case graph.TypePhone:
		out.Label = MaskPhone(n.Label)
	case graph.TypeAddress:
		out.Label = MaskAddress(n.Label)
	default:
		out.Label = n.Label
	}
	if len(n.Props) > 0 {
		out.Props = make(map[string]string, len(n.Props))
		for k, v := range n.Props {
			rule, personal := personalProps[k]
			if !personal {
				// A doctor's or institution's name is professional, not personal, data.
				out.Props[k] = v
				continue
			}
			if k == "name" && !PersonalType(n.Type) {
				out.Props[k] = v
				continue
			}
			if k == "id" && PersonalType(n.Type) {
				continue
			}
			if mv, keep := m.maskValue(rule, v); keep {
				out.Props[k] = mv
			}
		}
		if PersonalType(n.Type) {
			delete(out.Props, "id")
		}
	}
	return out
}

// MaskClaim returns c as shown to a reader without full access to its patient: the patient id
// pseudonymised and the diagnosis hidden.
func (m *Masker) MaskClaim(c graph.Claim) graph.Claim {
	c.PatientID = m.Pseudonym(graph.TypePatient, c.PatientID)
	c.DiagnosisCode = ""
	return c
}
