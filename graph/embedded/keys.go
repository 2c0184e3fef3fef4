package embedded

import (
	"encoding/binary"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// Key layout. Every key starts with a one-byte table prefix. Ids never contain a NUL byte (writes
// reject them), so NUL terminates an id inside a composite key and keeps byte order: "a\x00" <
// "ab\x00".
//
//	'n' t id                      → record of a party or claim (codec.go)
//	'a' t id 0 t2 id2 0           → adjacency: node (t,id) has neighbour (t2,id2); value is the
//	                                neighbour claim's start time and type when t2 is claim
//	'c' t id 0 start(8) claimID   → claims of a doctor or provider in time order; value: claim type
//	's' t name 0 id               → name index of parties for Search
//	'm' claimID 0 seq(4)          → claim item
//	'k' 'n' t | 'k' 'r' rel       → node and relationship counters (int64)
//	'k' 'p' t id                  → claims per provider (int64), for Claims totals on hubs
//
// Adjacency is stored on one side only. Every relationship is derived from a property of one
// record (a claim's patient, provider, doctor and terminal; a patient's phone and address; a
// doctor's institution), so the record's owner finds that neighbour by decoding its record and
// only the other side needs a key. That halves the adjacency keys an ingest writes per claim.
// Phone, address and terminal nodes have no record: they exist while they have an adjacency key.
const (
	tabNode  = 'n'
	tabAdj   = 'a'
	tabTime  = 'c'
	tabName  = 's'
	tabItem  = 'm'
	tabCount = 'k'
)

// typeCode maps an entity type to one byte whose order is the byte order of the type's string,
// so that keys sort by type name, which is the order graph/storetest requires.
func typeCode(t graph.EntityType) byte {
	switch t {
	case graph.TypeAddress:
		return 1
	case graph.TypeClaim:
		return 2
	case graph.TypeDoctor:
		return 3
	case graph.TypeInstitution:
		return 4
	case graph.TypePatient:
		return 5
	case graph.TypePharmacy:
		return 6
	case graph.TypePhone:
		return 7
	case graph.TypeTerminal:
		return 8
	}
	return 0
}

// codeTypes is the inverse of typeCode.
var codeTypes = [...]graph.EntityType{0: "", 1: graph.TypeAddress, 2: graph.TypeClaim, 3: graph.TypeDoctor,
	4: graph.TypeInstitution, 5: graph.TypePatient, 6: graph.TypePharmacy, 7: graph.TypePhone, 8: graph.TypeTerminal}

func codeType(c byte) graph.EntityType {
	if int(c) < len(codeTypes) {
		return codeTypes[c]
	}
	return ""
}

// relIndex numbers relationship types for the counters.
func relIndex(r graph.RelType) int {
	for i, x := range graph.RelTypes {
		if x == r {
			return i
		}
	}
	return -1
}

func nodeKey(dst []byte, t graph.EntityType, id string) []byte {
	dst = append(dst, tabNode, typeCode(t))
	return append(dst, id...)
}

// adjPrefix is the prefix of all adjacency keys of node (t,id).
func adjPrefix(dst []byte, t graph.EntityType, id string) []byte {
	dst = append(dst, tabAdj, typeCode(t))
	dst = append(dst, id...)
	return append(dst, 0)
}

func adjKey(dst []byte, t graph.EntityType, id string, t2 graph.EntityType, id2 string) []byte {
	dst = adjPrefix(dst, t, id)
	dst = append(dst, typeCode(t2))
	dst = append(dst, id2...)
	return append(dst, 0)
}

// decodeAdjNeighbour returns the neighbour encoded after a known prefix length.
func decodeAdjNeighbour(key []byte, prefixLen int) graph.Ref {
	rest := key[prefixLen:]
	if len(rest) < 2 {
		return graph.Ref{}
	}
	return graph.Ref{Type: codeType(rest[0]), ID: string(rest[1 : len(rest)-1])}
}

// timeBytes encodes t so that byte order is time order, negative times included.
func timeBytes(dst []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(t.UnixNano())^(1<<63))
}

func timePrefix(dst []byte, t graph.EntityType, id string) []byte {
	dst = append(dst, tabTime, typeCode(t))
	dst = append(dst, id...)
	return append(dst, 0)
}

func timeKey(dst []byte, t graph.EntityType, id string, start time.Time, claimID string) []byte {
	dst = timePrefix(dst, t, id)
	dst = timeBytes(dst, start)
	return append(dst, claimID...)
}

func nameKey(dst []byte, t graph.EntityType, name, id string) []byte {
	dst = append(dst, tabName, typeCode(t))
	dst = append(dst, name...)
	dst = append(dst, 0)
	return append(dst, id...)
}

func itemPrefix(dst []byte, claimID string) []byte {
	dst = append(dst, tabItem)
	dst = append(dst, claimID...)
	return append(dst, 0)
}

func itemKey(dst []byte, claimID string, seq int) []byte {
	return binary.BigEndian.AppendUint32(itemPrefix(dst, claimID), uint32(seq))
}

func nodeCountKey(t graph.EntityType) []byte { return []byte{tabCount, 'n', typeCode(t)} }

// providerCountKey holds the number of claims at one institution or pharmacy.
func providerCountKey(dst []byte, t graph.EntityType, id string) []byte {
	dst = append(dst, tabCount, 'p', typeCode(t))
	return append(dst, id...)
}

func relCountKey(i int) []byte { return []byte{tabCount, 'r', byte(i)} }

// prefixEnd returns the smallest key greater than every key with the given prefix.
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // all 0xff: no upper bound
}

// adjValue is the adjacency value for a claim neighbour: its start time and claim type, so that
// time filters and per-party claim listings need not read the claim record.
func adjValue(c *graph.Claim) []byte {
	v := timeBytes(make([]byte, 0, 8+len(c.Type)), c.Start)
	return append(v, c.Type...)
}
