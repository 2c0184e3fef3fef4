package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ringtrace/ringtrace/graph"
)

// labelOf returns the Neo4j label of a node kind, or an EINVALID error naming field for a kind
// outside the model. Only labels from this closed set are ever spliced into Cypher.
func labelOf(t graph.EntityType, field string) (string, error) {
	if !t.Valid() {
		return "", graph.FieldErrorf(field, "未知的节点类型 %q / unknown node type %q", string(t), string(t))
	}
	return t.Label(), nil
}

func notFound(r graph.Ref) error {
	return graph.Errorf(graph.ENOTFOUND, "未找到 %s / %s not found", r.Type, r.Type)
}

// propsOf returns the property map in the first column of rec.
func propsOf(rec *neo4j.Record) props {
	m, _ := rec.Values[0].(map[string]any)
	return props(m)
}

// fetch returns the stored properties of one node, or ok=false when it does not exist.
func (s *Store) fetch(ctx context.Context, op string, r graph.Ref) (props, bool, error) {
	label, err := labelOf(r.Type, "type")
	if err != nil {
		return nil, false, err
	}
	recs, err := readTx(ctx, s, op, func(tx neo4j.ManagedTransaction) ([]*neo4j.Record, error) {
		return collect(ctx, tx, "MATCH (n:"+label+" {id: $id}) RETURN properties(n)", map[string]any{"id": r.ID})
	})
	if err != nil || len(recs) == 0 {
		return nil, false, err
	}
	return propsOf(recs[0]), true, nil
}

// Node returns the node with its properties, or ENOTFOUND.
func (s *Store) Node(ctx context.Context, r graph.Ref) (graph.Node, error) {
	p, ok, err := s.fetch(ctx, "node", r)
	if err != nil {
		return graph.Node{}, err
	}
	if !ok {
		return graph.Node{}, notFound(r)
	}
	return node(r.Type, p), nil
}

// Patient returns one patient, or ENOTFOUND.
func (s *Store) Patient(ctx context.Context, id string) (graph.Patient, error) {
	r := graph.Ref{Type: graph.TypePatient, ID: id}
	p, ok, err := s.fetch(ctx, "patient", r)
	if err != nil {
		return graph.Patient{}, err
	}
	if !ok {
		return graph.Patient{}, notFound(r)
	}
	return p.patient(), nil
}

// Claim returns one claim, or ENOTFOUND.
func (s *Store) Claim(ctx context.Context, id string) (graph.Claim, error) {
	r := graph.Ref{Type: graph.TypeClaim, ID: id}
	p, ok, err := s.fetch(ctx, "claim", r)
	if err != nil {
		return graph.Claim{}, err
	}
	if !ok {
		return graph.Claim{}, notFound(r)
	}
	return p.claim(), nil
}

// Exists reports, in input order, which refs exist; a ref of an unknown kind does not.
func (s *Store) Exists(ctx context.Context, refs []graph.Ref) ([]bool, error) {
	out := make([]bool, len(refs))
	byType := map[graph.EntityType][]string{}
	for _, r := range refs {
		if r.Type.Valid() {
			byType[r.Type] = append(byType[r.Type], r.ID)
		}
	}
	if len(byType) == 0 {
		return out, nil
	}
	found, err := readTx(ctx, s, "exists", func(tx neo4j.ManagedTransaction) (map[graph.Ref]bool, error) {
		found := map[graph.Ref]bool{}
		for _, t := range graph.EntityTypes {
			ids := byType[t]
			if len(ids) == 0 {
				continue
			}
			recs, err := collect(ctx, tx, "UNWIND $ids AS id MATCH (n:"+t.Label()+" {id: id}) RETURN DISTINCT n.id", map[string]any{"ids": ids})
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				id, _ := rec.Values[0].(string)
				found[graph.Ref{Type: t, ID: id}] = true
			}
		}
		return found, nil
	})
	if err != nil {
		return nil, err
	}
	for i, r := range refs {
		out[i] = found[r]
	}
	return out, nil
}

// Search returns at most limit parties whose id or name starts with prefix (ASCII letters
// case-insensitive), restricted to types when non-empty, ordered by type then id.
func (s *Store) Search(ctx context.Context, prefix string, types []graph.EntityType, limit int) ([]graph.Node, error) {
	if limit < 1 {
		return nil, graph.FieldErrorf("limit", "limit 必须大于 0 / limit must be at least 1")
	}
	want := partyTypes
	if len(types) > 0 {
		want = nil
		for _, t := range partyTypes {
			if slices.Contains(types, t) {
				want = append(want, t)
			}
		}
		for _, t := range types {
			if !t.Valid() {
				return nil, graph.FieldErrorf("types", "未知的节点类型 %q / unknown node type %q", string(t), string(t))
			}
		}
	}
	p := fold(prefix)
	return readTx(ctx, s, "search", func(tx neo4j.ManagedTransaction) ([]graph.Node, error) {
		out := []graph.Node{}
		for _, t := range want {
			left := limit - len(out)
			if left == 0 {
				break
			}
			// Two index seeks (id, name) rather than one OR: each can use its range index.
			cypher := `CALL {
  MATCH (n:` + t.Label() + `) WHERE n.id_fold STARTS WITH $p RETURN n
  UNION
  MATCH (n:` + t.Label() + `) WHERE n.name_fold STARTS WITH $p RETURN n
}
RETURN properties(n) ORDER BY n.id LIMIT $limit`
			recs, err := collect(ctx, tx, cypher, map[string]any{"p": p, "limit": int64(left)})
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				out = append(out, node(t, propsOf(rec)))
			}
		}
		return out, nil
	})
}

// claimPartyKey is the claim property that names a party of the given kind.
func claimPartyKey(t graph.EntityType) (string, bool) {
	switch t {
	case graph.TypePatient:
		return "patient_id", true
	case graph.TypeDoctor:
		return "doctor_id", true
	case graph.TypeInstitution, graph.TypePharmacy:
		return "provider_id", true
	}
	return "", false
}

// Claims returns the page of the party's claims selected by q, ordered by start time then claim
// id, and the number that match q without Offset and Limit.
func (s *Store) Claims(ctx context.Context, q graph.ClaimQuery) ([]graph.Claim, int, error) {
	key, ok := claimPartyKey(q.Party.Type)
	if !ok {
		return nil, 0, graph.FieldErrorf("party.type", "只能查询参保人、医师、医疗机构或药店的结算单 / claims belong to a patient, doctor, institution or pharmacy")
	}
	if q.Offset < 0 {
		return nil, 0, graph.FieldErrorf("offset", "offset 不能为负 / offset must not be negative")
	}
	if q.Limit < 0 {
		return nil, 0, graph.FieldErrorf("limit", "limit 不能为负 / limit must not be negative")
	}
	// The WHERE clause is assembled from fixed fragments; the values stay parameters.
	where := []string{"c." + key + " = $id"}
	params := map[string]any{"id": q.Party.ID, "offset": int64(q.Offset)}
	if q.Party.Type.IsProvider() {
		where = append(where, "c.provider_type = $ptype")
		params["ptype"] = string(q.Party.Type)
	}
	if !q.From.IsZero() {
		where = append(where, "c.start_time >= $from")
		params["from"] = q.From.UTC()
	}
	if !q.To.IsZero() {
		where = append(where, "c.start_time < $to")
		params["to"] = q.To.UTC()
	}
	if len(q.Types) > 0 {
		ts := make([]string, len(q.Types))
		for i, t := range q.Types {
			ts[i] = string(t)
		}
		where = append(where, "c.claim_type IN $types")
		params["types"] = ts
	}
	match := "MATCH (c:Claim) WHERE " + strings.Join(where, " AND ")
	page := match + " RETURN properties(c) ORDER BY c.start_time, c.id SKIP $offset"
	if q.Limit > 0 {
		page += " LIMIT $limit"
		params["limit"] = int64(q.Limit)
	}
	partyLabel := q.Party.Type.Label()
	type result struct {
		claims []graph.Claim
		total  int
		found  bool
	}
	res, err := readTx(ctx, s, "claims", func(tx neo4j.ManagedTransaction) (result, error) {
		recs, err := collect(ctx, tx, "MATCH (n:"+partyLabel+" {id: $id}) RETURN count(n)", map[string]any{"id": q.Party.ID})
		if err != nil {
			return result{}, err
		}
		if n, _ := recs[0].Values[0].(int64); n == 0 {
			return result{}, nil
		}
		recs, err = collect(ctx, tx, match+" RETURN count(c)", params)
		if err != nil {
			return result{}, err
		}
		total, _ := recs[0].Values[0].(int64)
		r := result{claims: []graph.Claim{}, total: int(total), found: true}
		if int64(q.Offset) >= total {
			return r, nil
		}
		recs, err = collect(ctx, tx, page, params)
		if err != nil {
			return result{}, err
		}
		for _, rec := range recs {
			r.claims = append(r.claims, propsOf(rec).claim())
		}
		return r, nil
	})
	if err != nil {
		return nil, 0, err
	}
	if !res.found {
		return nil, 0, notFound(q.Party)
	}
	return res.claims, res.total, nil
}

// ClaimItems returns the lines of one claim ordered by Seq, or ENOTFOUND for a missing claim.
func (s *Store) ClaimItems(ctx context.Context, claimID string) ([]graph.ClaimItem, error) {
	type result struct {
		items []graph.ClaimItem
		found bool
	}
	res, err := readTx(ctx, s, "claim items", func(tx neo4j.ManagedTransaction) (result, error) {
		recs, err := collect(ctx, tx, "MATCH (c:Claim {id: $id}) RETURN count(c)", map[string]any{"id": claimID})
		if err != nil {
			return result{}, err
		}
		if n, _ := recs[0].Values[0].(int64); n == 0 {
			return result{}, nil
		}
		recs, err = collect(ctx, tx, "MATCH (i:"+itemLabel+" {claim_id: $id}) RETURN properties(i) ORDER BY i.seq", map[string]any{"id": claimID})
		if err != nil {
			return result{}, err
		}
		r := result{items: make([]graph.ClaimItem, 0, len(recs)), found: true}
		for _, rec := range recs {
			r.items = append(r.items, propsOf(rec).item())
		}
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	if !res.found {
		return nil, notFound(graph.Ref{Type: graph.TypeClaim, ID: claimID})
	}
	return res.items, nil
}

// Counts reports nodes per kind and relationships per kind. Both queries are answered from
// Neo4j's count store, so they cost the same on an empty and a billion-node graph.
func (s *Store) Counts(ctx context.Context) (graph.Counts, error) {
	return readTx(ctx, s, "counts", func(tx neo4j.ManagedTransaction) (graph.Counts, error) {
		c := graph.Counts{Nodes: map[graph.EntityType]int64{}, Relationships: map[graph.RelType]int64{}}
		for _, t := range graph.EntityTypes {
			recs, err := collect(ctx, tx, "MATCH (n:"+t.Label()+") RETURN count(n)", nil)
			if err != nil {
				return c, err
			}
			c.Nodes[t], _ = recs[0].Values[0].(int64)
		}
		for _, r := range graph.RelTypes {
			recs, err := collect(ctx, tx, "MATCH ()-[r:"+string(r)+"]->() RETURN count(r)", nil)
			if err != nil {
				return c, err
			}
			c.Relationships[r], _ = recs[0].Values[0].(int64)
		}
		return c, nil
	})
}

// scanPage is how many records one scan transaction reads. Scans page by key (WHERE key > last
// ORDER BY key LIMIT n, an ordered index seek) instead of streaming one long transaction:
// fn runs outside any transaction, so a slow consumer holds no server resources and a
// transient failure retries one page rather than the whole graph.
var scanPage = 10000

// scan calls fn with the properties of every node of label in order of the key property.
func (s *Store) scan(ctx context.Context, op, label, key string, fn func(props) error) error {
	cypher := fmt.Sprintf("MATCH (n:%s) WHERE n.%s > $after RETURN properties(n), n.%s ORDER BY n.%s LIMIT $page", label, key, key, key)
	after := ""
	for {
		recs, err := readTx(ctx, s, op, func(tx neo4j.ManagedTransaction) ([]*neo4j.Record, error) {
			return collect(ctx, tx, cypher, map[string]any{"after": after, "page": int64(scanPage)})
		})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if err := fn(propsOf(rec)); err != nil {
				return err
			}
		}
		if len(recs) < scanPage {
			return nil
		}
		after, _ = recs[len(recs)-1].Values[1].(string)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("neo4j %s: %w", op, err)
		}
	}
}

// ScanPatients calls fn for every patient in id order.
func (s *Store) ScanPatients(ctx context.Context, fn func(graph.Patient) error) error {
	return s.scan(ctx, "scan patients", "Patient", "id", func(p props) error { return fn(p.patient()) })
}

// ScanInstitutions calls fn for every institution in id order.
func (s *Store) ScanInstitutions(ctx context.Context, fn func(graph.Institution) error) error {
	return s.scan(ctx, "scan institutions", "Institution", "id", func(p props) error { return fn(p.institution()) })
}

// ScanPharmacies calls fn for every pharmacy in id order.
func (s *Store) ScanPharmacies(ctx context.Context, fn func(graph.Pharmacy) error) error {
	return s.scan(ctx, "scan pharmacies", "Pharmacy", "id", func(p props) error { return fn(p.pharmacy()) })
}

// ScanDoctors calls fn for every doctor in id order.
func (s *Store) ScanDoctors(ctx context.Context, fn func(graph.Doctor) error) error {
	return s.scan(ctx, "scan doctors", "Doctor", "id", func(p props) error { return fn(p.doctor()) })
}

// ScanClaims calls fn for every claim in id order.
func (s *Store) ScanClaims(ctx context.Context, fn func(graph.Claim) error) error {
	return s.scan(ctx, "scan claims", "Claim", "id", func(p props) error { return fn(p.claim()) })
}

// ScanClaimItems calls fn for every claim line in order of claim id, then Seq.
func (s *Store) ScanClaimItems(ctx context.Context, fn func(graph.ClaimItem) error) error {
	return s.scan(ctx, "scan claim items", itemLabel, "key", func(p props) error { return fn(p.item()) })
}
