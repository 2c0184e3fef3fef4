// Package synth generates realistic synthetic claims directories in RingTrace's input contract
// (patients.csv, institutions.csv, pharmacies.csv, doctors.csv, claims.csv, claim_items.csv) with
// planted fraud and honest look-alikes, and writes the ground truth as truth.json (graph.Truth).
//
// The honest population follows the shape of a Chinese pooling region's claims: a few pooling
// regions (统筹区), public tertiary hospitals that most people visit with Zipf-like popularity,
// community health centres with a registered population, private clinics and hospitals, retail
// pharmacies, households sharing address and phone, chronic patients (hypertension, diabetes …)
// with monthly visits and refills, seasonal respiratory illness, weekday and opening-hour effects,
// inpatient stays and log-normal amounts.
//
// The planted fraud follows the patterns named by the provincial anti-fraud regulations summarised
// in DOMAIN.md: collusion rings (串通参保人员), card lending and impersonation (冒名就医), pharmacies
// collecting and swiping cards (聚敛盗刷社保卡) and claims after death. Honest look-alikes (families
// visiting and shopping together, a community clinic's chronic-disease day, haemodialysis shifts,
// physiotherapy courses, workplace health checks, pharmacy member days, clerical coding errors,
// families buying an admitted relative's drugs) are planted next to them so that detectors are
// measured against false positives. docs/truth.md documents every pattern precisely; --messy
// adds the mess of real exports (BOM, CRLF, re-saved dates, duplicates, invalid rows).
//
// Output is deterministic for a seed: every random draw comes from math/rand/v2 PCG sources
// seeded from Config.Seed and a fixed stream number, so the same configuration gives
// byte-identical files. Claims are streamed patient by patient; only compact per-patient
// attributes and the (small) planted groups are held in memory.
//
// This package must not import ingest (the loader): it writes the contract independently, so
// that the loader is tested against files it did not produce itself. It must not generate
// identity-card numbers (身份证号); names, phones and addresses are synthetic.
package synth
