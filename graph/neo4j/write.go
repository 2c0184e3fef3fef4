package neo4j

import (
	"context"
	"errors"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ringtrace/ringtrace/graph"
)

// chunkRows bounds the rows of one UNWIND statement. A Put call is one transaction however
// large (the contract makes a batch atomic), but each statement's parameter list is sent and
// planned as one message; a few thousand rows per statement is where Neo4j's published
// guidance and our measurements (docs/bench/neo4j.md) put the best throughput.
var chunkRows = 5000

// Cypher for the writes. Every statement takes its values from $rows (one property map per
// record, see props.go); none is built from data. Upserts come in two forms: the MERGE form,
// correct in every case, and a CREATE form used when none of a batch's ids exists yet (a first
// load, the bulk of ingest), which skips the per-row existence and relationship checks.
const (
	cypherPatients = `UNWIND $rows AS r
MERGE (n:Patient {id: r.id})
SET n = r
FOREACH (v IN CASE WHEN r.phone IS NULL THEN [] ELSE [r.phone] END |
  MERGE (ph:Phone {id: v}) MERGE (n)-[:HAS_PHONE]->(ph))
FOREACH (v IN CASE WHEN r.address IS NULL THEN [] ELSE [r.address] END |
  MERGE (a:Address {id: v}) MERGE (n)-[:LIVES_AT]->(a))`

	// The CREATE forms (fresh batches) first MERGE the batch's distinct derived nodes (phones,
	// addresses, terminals), each once per statement instead of once per row, and then create
	// every record and attach its relationships with unit subqueries: a MATCH that finds nothing
	// (a null key or a party not stored) simply adds no relationship and keeps the row. This
	// replaces OPTIONAL MATCH + FOREACH (list building per row and a MERGE of each derived node
	// per row) and leaves no MERGE on relationships. Plans are checked by TestWritePlans
	// (seeks, no Eager); docs/bench/neo4j.md has the before and after figures.
	cypherPatientsDerived = `UNWIND $rows AS r
WITH DISTINCT r.phone AS v WHERE v IS NOT NULL
MERGE (:Phone {id: v})
WITH count(*) AS done
UNWIND $rows AS r
WITH DISTINCT r.address AS v WHERE v IS NOT NULL
MERGE (:Address {id: v})`

	// The properties are named one by one (a null one is not stored): with SET n = r the
	// planner cannot tell which properties change and adds an Eager barrier between the
	// CREATE and the id lookups that follow.
	cypherPatientsNew = `UNWIND $rows AS r
CREATE (n:Patient {id: r.id, id_fold: r.id_fold, name: r.name, name_fold: r.name_fold, sex: r.sex,
  birth_date: r.birth_date, region: r.region, phone: r.phone, address: r.address, death_date: r.death_date})
WITH n, r
CALL (n, r) { MATCH (ph:Phone {id: r.phone}) CREATE (n)-[:HAS_PHONE]->(ph) }
CALL (n, r) { MATCH (a:Address {id: r.address}) CREATE (n)-[:LIVES_AT]->(a) }`

	// Removes the phone and address relationships that no longer match the row, then the
	// derived nodes left without any relationship.
	cypherPatientsStale = `UNWIND $rows AS r
MATCH (n:Patient {id: r.id})-[old:HAS_PHONE|LIVES_AT]->(d)
WHERE (type(old) = 'HAS_PHONE' AND d.id <> coalesce(r.phone, ''))
   OR (type(old) = 'LIVES_AT' AND d.id <> coalesce(r.address, ''))
DELETE old
WITH DISTINCT d
WHERE NOT (d)--()
DELETE d`

	cypherInstitutions = `UNWIND $rows AS r
MERGE (n:Institution {id: r.id})
SET n = r`

	cypherPharmacies = `UNWIND $rows AS r
MERGE (n:Pharmacy {id: r.id})
SET n = r`

	cypherDoctors = `UNWIND $rows AS r
MERGE (n:Doctor {id: r.id})
SET n = r
WITH n, r
OPTIONAL MATCH (i:Institution {id: r.institution_id})
FOREACH (x IN CASE WHEN i IS NULL THEN [] ELSE [i] END | MERGE (n)-[:WORKS_AT]->(x))`

	cypherDoctorsStale = `UNWIND $rows AS r
MATCH (n:Doctor {id: r.id})-[old:WORKS_AT]->(i)
WHERE i.id <> coalesce(r.institution_id, '')
DELETE old`

	// claimKeys derives, per row, the keys of a claim's relationships: the provider id under
	// the label its type names (the other one null, which matches nothing) and the terminal id
	// "provider_id/terminal_id" (null when the claim has no terminal).
	claimKeys = `UNWIND $rows AS r
WITH r,
  CASE WHEN r.provider_type = 'institution' THEN r.provider_id END AS inst,
  CASE WHEN r.provider_type = 'pharmacy' THEN r.provider_id END AS pharm,
  r.provider_id + '/' + r.terminal_id AS term
`

	cypherClaims = claimKeys + `MERGE (c:Claim {id: r.id})
SET c = r
WITH c, r, inst, pharm, term
OPTIONAL MATCH (p:Patient {id: r.patient_id})
OPTIONAL MATCH (i:Institution {id: inst})
OPTIONAL MATCH (f:Pharmacy {id: pharm})
OPTIONAL MATCH (d:Doctor {id: r.doctor_id})
FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | MERGE (x)-[:FILED]->(c))
FOREACH (x IN CASE WHEN i IS NULL THEN [] ELSE [i] END | MERGE (c)-[:AT]->(x))
FOREACH (x IN CASE WHEN f IS NULL THEN [] ELSE [f] END | MERGE (c)-[:AT]->(x))
FOREACH (x IN CASE WHEN d IS NULL THEN [] ELSE [d] END | MERGE (c)-[:TREATED_BY]->(x))
FOREACH (v IN CASE WHEN term IS NULL THEN [] ELSE [term] END |
  MERGE (t:Terminal {id: v}) MERGE (c)-[:ON_TERMINAL]->(t))`

	cypherClaimsDerived = claimKeys + `WITH DISTINCT term WHERE term IS NOT NULL
MERGE (:Terminal {id: term})`

	// The relationship keys are derived inside the subqueries, after the CREATE: a projection of
	// the row before it (claimKeys) also makes the planner add an Eager barrier, since it cannot
	// tell that $rows holds maps and not nodes.
	cypherClaimsNew = `UNWIND $rows AS r
CREATE (c:Claim {id: r.id, patient_id: r.patient_id, provider_id: r.provider_id,
  provider_type: r.provider_type, doctor_id: r.doctor_id, claim_type: r.claim_type, start_time: r.start_time,
  end_time: r.end_time, diagnosis_code: r.diagnosis_code, total_amount: r.total_amount,
  fund_amount: r.fund_amount, terminal_id: r.terminal_id})
WITH c, r
CALL (c, r) { MATCH (p:Patient {id: r.patient_id}) CREATE (p)-[:FILED]->(c) }
CALL (c, r) {
  MATCH (i:Institution {id: CASE WHEN r.provider_type = 'institution' THEN r.provider_id END})
  CREATE (c)-[:AT]->(i) }
CALL (c, r) {
  MATCH (f:Pharmacy {id: CASE WHEN r.provider_type = 'pharmacy' THEN r.provider_id END})
  CREATE (c)-[:AT]->(f) }
CALL (c, r) { MATCH (d:Doctor {id: r.doctor_id}) CREATE (c)-[:TREATED_BY]->(d) }
CALL (c, r) { MATCH (t:Terminal {id: r.provider_id + '/' + r.terminal_id}) CREATE (c)-[:ON_TERMINAL]->(t) }`

	// A claim's relationships that its new properties no longer describe; terminals left
	// without claims go with them.
	cypherClaimsStale = claimKeys + `MATCH (c:Claim {id: r.id})-[old:FILED|AT|TREATED_BY|ON_TERMINAL]-(x)
WHERE (type(old) = 'FILED' AND x.id <> r.patient_id)
   OR (type(old) = 'AT' AND NOT ((x:Institution AND x.id = coalesce(inst, ''))
                              OR (x:Pharmacy AND x.id = coalesce(pharm, ''))))
   OR (type(old) = 'TREATED_BY' AND x.id <> coalesce(r.doctor_id, ''))
   OR (type(old) = 'ON_TERMINAL' AND x.id <> coalesce(term, ''))
DELETE old
WITH DISTINCT x
WHERE x:Terminal AND NOT (x)--()
DELETE x`

	// How many of the batch's ids already exist: none means the CREATE form is safe and the
	// stale pass has nothing to find.
	cypherExistingClaims = `UNWIND $ids AS id
MATCH (c:Claim {id: id})
RETURN count(c) AS n`

	cypherExistingPatients = `UNWIND $ids AS id
MATCH (n:Patient {id: id})
RETURN count(n) AS n`

	cypherItems = `UNWIND $rows AS r
MERGE (i:` + itemLabel + ` {key: r.key})
SET i = r`
)

// upsert names the statements of one kind of record: how to tell whether any id of a batch
// exists, the MERGE form, the CREATE form for batches of new records, and the stale pass.
type upsert struct {
	existing, merge, stale string
	create                 []string
}

var (
	patientUpsert = upsert{existing: cypherExistingPatients, merge: cypherPatients, create: []string{cypherPatientsDerived, cypherPatientsNew}, stale: cypherPatientsStale}
	claimUpsert   = upsert{existing: cypherExistingClaims, merge: cypherClaims, create: []string{cypherClaimsDerived, cypherClaimsNew}, stale: cypherClaimsStale}
)

// PutPatients upserts patients with their phone and address nodes; a changed or cleared phone
// or address moves or removes the relationship, and a phone or address no one else has goes too.
func (s *Store) PutPatients(ctx context.Context, ps []graph.Patient) error {
	if err := checkPatients(ps); err != nil {
		return err
	}
	ps = lastByID(ps, func(p graph.Patient) string { return p.ID })
	rows := make([]map[string]any, len(ps))
	ids := make([]string, len(ps))
	for i, p := range ps {
		rows[i], ids[i] = patientRow(p), p.ID
	}
	return s.putUpsert(ctx, "put patients", rows, ids, patientUpsert)
}

// PutInstitutions upserts designated medical institutions.
func (s *Store) PutInstitutions(ctx context.Context, is []graph.Institution) error {
	for _, v := range is {
		if v.ID == "" {
			return graph.FieldErrorf("id", "医疗机构编号为空 / institution id is empty")
		}
	}
	is = lastByID(is, func(v graph.Institution) string { return v.ID })
	rows := make([]map[string]any, len(is))
	for i, v := range is {
		rows[i] = institutionRow(v)
	}
	return s.put(ctx, "put institutions", rows, cypherInstitutions)
}

// PutPharmacies upserts designated retail pharmacies.
func (s *Store) PutPharmacies(ctx context.Context, ps []graph.Pharmacy) error {
	for _, v := range ps {
		if v.ID == "" {
			return graph.FieldErrorf("id", "药店编号为空 / pharmacy id is empty")
		}
	}
	ps = lastByID(ps, func(v graph.Pharmacy) string { return v.ID })
	rows := make([]map[string]any, len(ps))
	for i, v := range ps {
		rows[i] = pharmacyRow(v)
	}
	return s.put(ctx, "put pharmacies", rows, cypherPharmacies)
}

// PutDoctors upserts doctors and their WORKS_AT relationship; a changed or cleared institution
// moves or removes it. The institution must already be stored for the relationship to appear.
func (s *Store) PutDoctors(ctx context.Context, ds []graph.Doctor) error {
	for _, v := range ds {
		if v.ID == "" {
			return graph.FieldErrorf("id", "医师编号为空 / doctor id is empty")
		}
	}
	ds = lastByID(ds, func(v graph.Doctor) string { return v.ID })
	rows := make([]map[string]any, len(ds))
	for i, v := range ds {
		rows[i] = doctorRow(v)
	}
	// Doctors are few (thousands per region), so the stale pass always runs.
	return s.put(ctx, "put doctors", rows, cypherDoctors, cypherDoctorsStale)
}

// PutClaims upserts claims with FILED, AT, TREATED_BY and ON_TERMINAL relationships; a claim
// whose patient, provider, doctor or terminal changed has the old relationship replaced, and a
// terminal left without claims is removed. Patients, providers and doctors must already be
// stored for their relationships to appear (ingest writes them first).
func (s *Store) PutClaims(ctx context.Context, cs []graph.Claim) error {
	if err := checkClaims(cs); err != nil {
		return err
	}
	cs = lastByID(cs, func(c graph.Claim) string { return c.ID })
	rows := make([]map[string]any, len(cs))
	ids := make([]string, len(cs))
	for i, c := range cs {
		rows[i], ids[i] = claimRow(c), c.ID
	}
	return s.putUpsert(ctx, "put claims", rows, ids, claimUpsert)
}

// PutClaimItems upserts claim lines keyed by (claim id, Seq).
func (s *Store) PutClaimItems(ctx context.Context, items []graph.ClaimItem) error {
	if err := checkItems(items); err != nil {
		return err
	}
	items = lastByID(items, func(it graph.ClaimItem) string { return itemKey(it.ClaimID, it.Seq) })
	rows := make([]map[string]any, len(items))
	for i, it := range items {
		rows[i] = itemRow(it)
	}
	return s.put(ctx, "put claim items", rows, cypherItems)
}

// put runs each statement over the rows, chunk by chunk, in one write transaction.
func (s *Store) put(ctx context.Context, op string, rows []map[string]any, statements ...string) error {
	if len(rows) == 0 {
		return nil
	}
	start := time.Now()
	err := writeTx(ctx, s, op, func(tx neo4j.ManagedTransaction) error {
		for _, stmt := range statements {
			for lo := 0; lo < len(rows); lo += chunkRows {
				hi := min(lo+chunkRows, len(rows))
				if err := exec(ctx, tx, stmt, map[string]any{"rows": rows[lo:hi]}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		s.log.Debug("neo4j write", "op", op, "rows", len(rows), "took", time.Since(start))
	}
	return err
}

// putUpsert writes records whose upsert may leave stale derived relationships. Inside one
// write transaction it first counts how many of the ids already exist. When none do, it uses
// the CREATE form and skips the stale pass, because on a first load (the bulk of ingest) both
// would search every new node for nothing. Otherwise it uses the MERGE form, then removes the
// stale relationships. Should another writer create one of the ids between the count and the
// commit, the uniqueness constraint rejects the CREATE and the batch is redone with MERGE.
func (s *Store) putUpsert(ctx context.Context, op string, rows []map[string]any, ids []string, u upsert) error {
	if len(rows) == 0 {
		return nil
	}
	start := time.Now()
	run := func(tx neo4j.ManagedTransaction, stmts ...string) error {
		for lo := 0; lo < len(rows); lo += chunkRows {
			hi := min(lo+chunkRows, len(rows))
			for _, stmt := range stmts {
				if err := exec(ctx, tx, stmt, map[string]any{"rows": rows[lo:hi]}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	fresh := false
	err := writeTx(ctx, s, op, func(tx neo4j.ManagedTransaction) error {
		existed := false
		for lo := 0; lo < len(ids) && !existed; lo += chunkRows {
			hi := min(lo+chunkRows, len(ids))
			recs, err := collect(ctx, tx, u.existing, map[string]any{"ids": ids[lo:hi]})
			if err != nil {
				return err
			}
			if len(recs) == 1 {
				n, _ := recs[0].Values[0].(int64)
				existed = n > 0
			}
		}
		fresh = !existed
		if fresh {
			return run(tx, u.create...)
		}
		if err := run(tx, u.merge); err != nil {
			return err
		}
		return run(tx, u.stale)
	})
	if err != nil && fresh && constraintViolation(err) {
		s.log.Info("neo4j concurrent insert; redoing batch with MERGE", "op", op, "rows", len(rows))
		err = writeTx(ctx, s, op, func(tx neo4j.ManagedTransaction) error {
			if err := run(tx, u.merge); err != nil {
				return err
			}
			return run(tx, u.stale)
		})
	}
	if err == nil {
		s.log.Debug("neo4j write", "op", op, "rows", len(rows), "fresh", fresh, "took", time.Since(start))
	}
	return err
}

// constraintViolation reports whether err is a uniqueness constraint rejecting a write.
func constraintViolation(err error) bool {
	var ne *neo4j.Neo4jError
	return errors.As(err, &ne) && ne.Code == "Neo.ClientError.Schema.ConstraintValidationFailed"
}

// lastByID keeps the last occurrence of each id, in first-occurrence order, so that a batch
// with repeated ids behaves like the same records written one after another (last write wins)
// and the stale pass compares against the surviving row only.
func lastByID[T any](xs []T, id func(T) string) []T {
	last := make(map[string]int, len(xs))
	for i, x := range xs {
		last[id(x)] = i
	}
	if len(last) == len(xs) {
		return xs
	}
	out := make([]T, 0, len(last))
	for i, x := range xs {
		if last[id(x)] == i {
			out = append(out, x)
		}
	}
	return out
}

func checkPatients(ps []graph.Patient) error {
	for _, p := range ps {
		if p.ID == "" {
			return graph.FieldErrorf("id", "参保人编号为空 / patient id is empty")
		}
	}
	return nil
}

func checkClaims(cs []graph.Claim) error {
	for _, c := range cs {
		switch {
		case c.ID == "":
			return graph.FieldErrorf("id", "结算单编号为空 / claim id is empty")
		case c.PatientID == "":
			return graph.FieldErrorf("patient_id", "结算单 %s 缺少参保人 / claim %s has no patient", c.ID, c.ID)
		case c.ProviderID == "":
			return graph.FieldErrorf("provider_id", "结算单 %s 缺少机构或药店 / claim %s has no provider", c.ID, c.ID)
		case !c.ProviderType.IsProvider():
			return graph.FieldErrorf("provider_type", "结算单 %s 的机构类型无效 / claim %s: provider type must be institution or pharmacy", c.ID, c.ID)
		}
	}
	return nil
}

func checkItems(items []graph.ClaimItem) error {
	for _, it := range items {
		if it.ClaimID == "" {
			return graph.FieldErrorf("claim_id", "费用明细缺少结算单编号 / claim item has no claim id")
		}
	}
	return nil
}
