# Writes neo4j-admin import CSVs (header format of `neo4j-admin database import full`) with the
# shape and property names of graph/neo4j's BenchmarkLoad generator: per N claims, N/10 patients
# with a phone (a third shared) and an address, N/2000 institutions, N/3000 pharmacies, 6 doctors
# per institution, 4 terminals per provider; 3/4 of the claims at an institution with a doctor.
# Deterministic (seed 42). Usage: import-bench-csv.py CLAIMS OUT_DIR. Used by import-bench.sh.
import csv, datetime, os, random, sys
N = int(sys.argv[1]); out = sys.argv[2]
rng = random.Random(42)
P, I, F = N//10, max(1, N//2000), max(1, N//3000); D = 6*I
def w(name, header, rows):
    with open(os.path.join(out, name), 'w', newline='') as fh:
        c = csv.writer(fh); c.writerow(header); c.writerows(rows)
pid = lambda i: "5301%014d" % i
w('patients.csv', ['id:ID(Patient)', 'id_fold', 'name', 'name_fold', 'sex', 'birth_date:date', 'region', 'phone', 'address', ':LABEL'],
  ((pid(i), pid(i), "患者%d" % i, "患者%d" % i, "MF"[i%2], "%04d-%02d-%02d" % (1940+i%70, 1+i%12, 1+i%28), "5301%d" % (i%10),
    "138%08d" % (i - i%10 if i%3 == 2 else i), "昆明市五华区%d号" % i, 'Patient') for i in range(P)))
phones = sorted({"138%08d" % (i - i%10 if i%3 == 2 else i) for i in range(P)})
w('phones.csv', ['id:ID(Phone)', ':LABEL'], ((p, 'Phone') for p in phones))
w('addresses.csv', ['id:ID(Address)', ':LABEL'], (("昆明市五华区%d号" % i, 'Address') for i in range(P)))
w('has_phone.csv', [':START_ID(Patient)', ':END_ID(Phone)', ':TYPE'], ((pid(i), "138%08d" % (i - i%10 if i%3 == 2 else i), 'HAS_PHONE') for i in range(P)))
w('lives_at.csv', [':START_ID(Patient)', ':END_ID(Address)', ':TYPE'], ((pid(i), "昆明市五华区%d号" % i, 'LIVES_AT') for i in range(P)))
hid = lambda i: "H5301%07d" % i; fid = lambda i: "P5301%07d" % i; did = lambda i: "D5301%08d" % i
w('providers.csv', ['id:ID(Provider)', 'id_fold', 'name', 'name_fold', 'region', ':LABEL'],
  [(hid(i), hid(i).lower(), "医院%d" % i, "医院%d" % i, "530102", 'Institution') for i in range(I)] +
  [(fid(i), fid(i).lower(), "药房%d" % i, "药房%d" % i, "530102", 'Pharmacy') for i in range(F)])
w('doctors.csv', ['id:ID(Doctor)', 'id_fold', 'name', 'name_fold', 'institution_id', 'department', ':LABEL'],
  ((did(i), did(i).lower(), "医生%d" % i, "医生%d" % i, hid(i//6), "内科", 'Doctor') for i in range(D)))
w('works_at.csv', [':START_ID(Doctor)', ':END_ID(Provider)', ':TYPE'], ((did(i), hid(i//6), 'WORKS_AT') for i in range(D)))
w('terminals.csv', ['id:ID(Terminal)', ':LABEL'], [(p + "/T%d" % t, 'Terminal') for p in [hid(i) for i in range(I)] + [fid(i) for i in range(F)] for t in range(4)])
cl = open(os.path.join(out, 'claims.csv'), 'w', newline=''); c = csv.writer(cl)
c.writerow(['id:ID(Claim)', 'patient_id', 'provider_id', 'provider_type', 'doctor_id', 'claim_type', 'start_time:datetime', 'diagnosis_code', 'total_amount:long', 'fund_amount:long', 'terminal_id', ':LABEL'])
rels = {k: csv.writer(open(os.path.join(out, k + '.csv'), 'w', newline='')) for k in ('filed', 'at', 'treated_by', 'on_terminal')}
rels['filed'].writerow([':START_ID(Patient)', ':END_ID(Claim)', ':TYPE'])
rels['at'].writerow([':START_ID(Claim)', ':END_ID(Provider)', ':TYPE'])
rels['treated_by'].writerow([':START_ID(Claim)', ':END_ID(Doctor)', ':TYPE'])
rels['on_terminal'].writerow([':START_ID(Claim)', ':END_ID(Terminal)', ':TYPE'])
for i in range(N):
    cid = "C%011d" % i; p = pid(rng.randrange(P)); m = rng.randrange(365*24*60)
    st = (datetime.datetime(2024, 1, 1, 8) + datetime.timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")
    total = 1000 + rng.randrange(500000); term = "T%d" % rng.randrange(4)
    if rng.randrange(4) == 0:
        prov, pt, ct, doc, dx = fid(rng.randrange(F)), 'pharmacy', 'pharmacy', '', ''
    else:
        dd = rng.randrange(D); prov, pt, ct, doc, dx = hid(dd//6), 'institution', 'outpatient', did(dd), 'J06.9'
    c.writerow([cid, p, prov, pt, doc, ct, st, dx, total, total*7//10, term, 'Claim'])
    rels['filed'].writerow([p, cid, 'FILED']); rels['at'].writerow([cid, prov, 'AT'])
    if doc: rels['treated_by'].writerow([cid, doc, 'TREATED_BY'])
    rels['on_terminal'].writerow([cid, prov + "/" + term, 'ON_TERMINAL'])
