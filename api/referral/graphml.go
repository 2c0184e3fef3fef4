package referral

import (
	"bytes"
	"encoding/xml"
	"sort"
	"strconv"

	"github.com/ringtrace/ringtrace/graph"
)

// GraphML renders a subgraph as GraphML 1.0 (http://graphml.graphdrawing.org/), the exchange format
// that Gephi, Cytoscape desktop and i2-style link-analysis tools import. Node ids are "type:id" so
// that a patient and a doctor with the same id stay distinct; each node carries its type, id, label and
// properties as data keys, each edge its relationship type.
func GraphML(sg graph.Subgraph) ([]byte, error) {
	// Property keys are declared up front, as GraphML requires, in a fixed order.
	propSet := map[string]bool{}
	for _, n := range sg.Nodes {
		for k := range n.Props {
			propSet[k] = true
		}
	}
	props := make([]string, 0, len(propSet))
	for k := range propSet {
		props = append(props, k)
	}
	sort.Strings(props)

	type data struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	}
	type key struct {
		ID       string `xml:"id,attr"`
		For      string `xml:"for,attr"`
		AttrName string `xml:"attr.name,attr"`
		AttrType string `xml:"attr.type,attr"`
	}
	type node struct {
		ID   string `xml:"id,attr"`
		Data []data `xml:"data"`
	}
	type edge struct {
		ID     string `xml:"id,attr"`
		Source string `xml:"source,attr"`
		Target string `xml:"target,attr"`
		Data   []data `xml:"data"`
	}
	type graphEl struct {
		ID          string `xml:"id,attr"`
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []node `xml:"node"`
		Edges       []edge `xml:"edge"`
	}
	type doc struct {
		XMLName xml.Name `xml:"graphml"`
		XMLNS   string   `xml:"xmlns,attr"`
		Keys    []key    `xml:"key"`
		Graph   graphEl  `xml:"graph"`
	}
	d := doc{XMLNS: "http://graphml.graphdrawing.org/xmlns", Graph: graphEl{ID: "G", EdgeDefault: "directed"}}
	d.Keys = append(d.Keys,
		key{"type", "node", "type", "string"},
		key{"entity_id", "node", "entity_id", "string"},
		key{"label", "node", "label", "string"},
		key{"rel", "edge", "type", "string"},
	)
	for i, p := range props {
		d.Keys = append(d.Keys, key{ID: propKey(i), For: "node", AttrName: p, AttrType: "string"})
	}
	for _, n := range sg.Nodes {
		el := node{ID: n.Ref.String(), Data: []data{{"type", string(n.Type)}, {"entity_id", n.ID}, {"label", n.Label}}}
		for i, p := range props {
			if v, ok := n.Props[p]; ok {
				el.Data = append(el.Data, data{propKey(i), v})
			}
		}
		d.Graph.Nodes = append(d.Graph.Nodes, el)
	}
	for i, e := range sg.Edges {
		d.Graph.Edges = append(d.Graph.Edges, edge{ID: "e" + strconv.Itoa(i), Source: e.From.String(), Target: e.To.String(),
			Data: []data{{"rel", string(e.Type)}}})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	buf.WriteString("\n")
	return buf.Bytes(), nil
}

func propKey(i int) string { return "p" + strconv.Itoa(i) }
