package graph

// Truth is labelled ground truth for a claims directory: the fraud that a generator planted (or
// that investigators confirmed), and honest look-alikes that must not be flagged. It is written
// as DIR/truth.json by `ringtrace generate` and read by `ringtrace eval`. See docs/truth.md.
type Truth struct {
	Generator string `json:"generator"` // e.g. "ringtrace-synth 1"
	Seed      uint64 `json:"seed"`
	Patients  int    `json:"patients"`
	// Rings are planted fraud groups: at least two parties acting together (docs/findings.md).
	// Kind is one of the ring kinds of findings.go. A reported ring matches a planted ring when
	// their patient members have Jaccard similarity ≥ 0.5.
	Rings []TruthRing `json:"rings"`
	// Leads are planted single-card or single-claim-stream frauds (a dead person's card still in
	// use, one card used by an impostor, one fabricated stay): one card, not a group. A lead found
	// as a ring is a misclassification; evaluation matches leads against reported leads.
	Leads []TruthRing `json:"leads,omitempty"`
	// Lookalikes are honest groups that resemble fraud (households visiting together, a weekly
	// chronic-disease clinic cohort). Kind is "household" or "chronic_clinic" or another documented kind.
	Lookalikes []TruthRing `json:"lookalikes"`
	// Fraudulent lists every party involved in planted fraud (ring members, organising doctors and
	// providers, collecting pharmacies, lent cards, deceased cards), for entity-level ROC AUC.
	// Parties not listed are honest.
	Fraudulent []Ref `json:"fraudulent"`
}

// TruthRing is one planted group.
type TruthRing struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Members   []Ref  `json:"members"`             // patients first, then doctors and providers
	Providers []Ref  `json:"providers,omitempty"` // the provider(s) the group is tied to
	Note      string `json:"note,omitempty"`      // how it was planted, in English
	// Pattern names the scenario pattern that planted the group (e.g. "two_doctor_sessions",
	// "rotating_attendance"), so that evaluation can report recall per pattern and name the
	// worst one. Empty for generators that do not name their patterns.
	Pattern string `json:"pattern,omitempty"`
}

// Normalize moves planted groups with fewer than two patient members from Rings to Leads (truth
// written before leads existed listed dead people's cards and single lent cards as rings). It is
// idempotent.
func (t *Truth) Normalize() {
	rings := t.Rings[:0:0]
	for _, r := range t.Rings {
		n := 0
		for _, m := range r.Members {
			if m.Type == TypePatient {
				n++
			}
		}
		if n < 2 {
			t.Leads = append(t.Leads, r)
		} else {
			rings = append(rings, r)
		}
	}
	t.Rings = rings
}
