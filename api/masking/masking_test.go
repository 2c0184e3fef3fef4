package masking

import (
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

func TestMaskValues(t *testing.T) {
	for _, tc := range []struct {
		f        func(string) string
		in, want string
	}{
		{MaskName, "张三丰", "张*丰"},
		{MaskName, "李四", "李*"},
		{MaskName, "欧阳娜娜", "欧**娜"},
		{MaskName, "", ""},
		{MaskPhone, "13812341234", "138****1234"},
		{MaskPhone, "12345", "*****"},
		{MaskIDNumber, "530102199001011234", "530102********1234"},
		{MaskAddress, "云南省昆明市五华区某街道1号", "云南省昆明市****"},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPseudonymRoundTrip(t *testing.T) {
	m, err := NewMasker(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	p := m.Pseudonym(graph.TypePatient, "PT0001")
	if p != m.Pseudonym(graph.TypePatient, "PT0001") {
		t.Fatal("pseudonym not stable")
	}
	if strings.Contains(p, "PT0001") {
		t.Fatal("pseudonym leaks the id")
	}
	if id, ok := m.Reveal(graph.TypePatient, p); !ok || id != "PT0001" {
		t.Fatalf("Reveal = %q %v", id, ok)
	}
	if _, ok := m.Reveal(graph.TypePhone, p); ok {
		t.Fatal("pseudonym of a patient accepted as a phone")
	}
	tampered := p[:len(p)-2] + "AA"
	if _, ok := m.Reveal(graph.TypePatient, tampered); ok {
		t.Fatal("tampered pseudonym accepted")
	}
	other, _ := NewMasker(append(make([]byte, 31), 1))
	if other.Pseudonym(graph.TypePatient, "PT0001") == p {
		t.Fatal("pseudonym independent of key")
	}
}

func TestMaskNode(t *testing.T) {
	m, _ := NewMasker(make([]byte, 32))
	n := graph.Node{Ref: graph.Ref{Type: graph.TypePatient, ID: "PT0001"}, Label: "张三丰",
		Props: map[string]string{"name": "张三丰", "phone": "13812341234", "address": "云南省昆明市五华区某街道1号", "birth_date": "1960-01-02", "region": "530102"}}
	got := m.MaskNode(n)
	if got.ID == "PT0001" || got.Label != "张*丰" || got.Props["phone"] != "138****1234" || got.Props["birth_date"] != "" || got.Props["region"] != "530102" {
		t.Fatalf("masked node %+v", got)
	}
	d := graph.Node{Ref: graph.Ref{Type: graph.TypeDoctor, ID: "D1"}, Label: "王医生", Props: map[string]string{"name": "王医生"}}
	if got := m.MaskNode(d); got.Label != "王医生" || got.Props["name"] != "王医生" || got.ID != "D1" {
		t.Fatalf("doctor masked: %+v", got)
	}
}
