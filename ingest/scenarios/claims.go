package scenarios

import (
	"math"
	"math/rand/v2"
)

// Claim types.
const (
	ctOutpatient uint8 = iota
	ctInpatient
	ctPharmacy
)

// Item profiles: how claim_items.csv lines are drawn for a claim at write time.
const (
	itemsOrdinary  uint8 = iota // consultation, drugs for the diagnosis, sometimes an exam
	itemsInflated               // ordinary plus extra exams and treatments (过度医疗)
	itemsStay                   // bed, nursing, exams, drugs, treatment for each day
	itemsGhostStay              // bed and nursing only, day after day: no care delivered
	itemsDialysis               // haemodialysis session
	itemsRehab                  // physiotherapy / acupuncture session
	itemsCheckup                // check-up package
	itemsVaccine                // vaccination / child health check
	itemsOTC                    // pharmacy purchase without prescription
	itemsRefill                 // pharmacy chronic prescription refill
	itemsGoods                  // daily goods billed as drugs (串换)
	itemsSurgery                // an outpatient or day surgery with one large line
	itemsChemo                  // a chemotherapy cycle: bed, infusions, antiemetic, the cytotoxic drug
	itemsRehabStay              // a rehabilitation stay: bed, nursing and daily therapies
	// itemsExplicit: the lines were drawn when the claim was planted and are written as they are
	// (the billing stage, billing.go): its lines are the point of the pattern, so they are not
	// left to the item profiles.
	itemsExplicit
)

// claim is one settlement, kept compact: 100,000 patients make about 1.5 million of them.
type claim struct {
	start   int32 // seconds since the first day 00:00
	end     int32 // discharge, seconds since the first day; inpatient only
	patient int32
	prov    int32
	doctor  int32 // -1: none
	seq     int32 // the number in claim_id, set when the claims are sorted for export (write.go)
	total   int64 // fen
	fund    int64 // fen
	dx      int16 // -1: blank
	typ     uint8
	term    uint8 // terminal number, 1-based
	items   uint8
	label   uint8 // claim-type label variant as exported (门诊 / 普通门诊 / 门诊慢特病 …)
	planted bool  // made by a pattern: never dropped by applyDrops
	// stage marks claims of the stages added after the others had been measured on fixed seeds:
	// stageLate (split admissions and their look-alikes, readmissions.go), then stageBilling
	// (billing-line violations and their look-alikes, billing.go). Each stage's claims are
	// numbered and itemised after the earlier stages' claims, so that those keep their claim ids
	// and items.
	stage uint8
}

// Claim stages, in the order they were added (and are numbered in claim_id).
const (
	stageEarly uint8 = iota
	stageLate
	stageBilling
	numStages
)

// claimKey identifies a claim independently of its position: billing-stage claims find their
// explicit lines by it (no two of them share one; gen.billed).
type claimKey struct{ start, patient, prov int32 }

func (c *claim) key() claimKey { return claimKey{c.start, c.patient, c.prov} }

const daySec = 86400

func at(day int, hour, minute, second int) int32 {
	return int32(day*daySec + hour*3600 + minute*60 + second)
}

// lognormal returns median·exp(σ·N(0,1)) in fen, at least 100 fen.
func lognormal(rng *rand.Rand, median, sigma float64) int64 {
	v := median * math.Exp(sigma*rng.NormFloat64())
	return max(100, int64(math.Round(v)))
}

// fundShare is the share of an honest claim the pooling fund pays, by claim type and provider
// kind: lower tiers reimburse more (the reimbursement ladder of Yunnan's resident scheme,
// rounded); ordinary pharmacy purchases are paid from the personal account, so nothing from the
// pooling fund.
func fundShare(rng *rand.Rand, typ uint8, k provKind, chronic bool) float64 {
	var s float64
	switch typ {
	case ctInpatient:
		s = map[provKind]float64{kindTertiary: 0.66, kindSecondary: 0.76, kindPrivateHosp: 0.70, kindTownship: 0.85}[k]
		if s == 0 {
			s = 0.75
		}
	case ctPharmacy:
		if !chronic {
			return 0
		}
		s = 0.5
	default:
		s = map[provKind]float64{kindTertiary: 0.45, kindSecondary: 0.5, kindPrivateHosp: 0.5, kindCommunity: 0.6, kindTownship: 0.65, kindClinic: 0.5}[k]
		if chronic {
			s += 0.12
		}
	}
	s += (rng.Float64() - 0.5) * 0.06
	return min(0.95, max(0, s))
}

func roundFen(x float64) int64 { return int64(math.Round(x)) }
