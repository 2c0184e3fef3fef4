// Package pharmacy finds card collection at retail pharmacies (聚敛盗刷社保卡): a terminal
// swiping many distinct cards back to back for near-identical amounts, the same cards again on
// other days, often at odd hours, on cards that otherwise never shop there.
//
// Bursts are runs of swipes on one terminal at most BurstGapMinutes apart, segmented by an
// amount (within ±15 % of the median of the burst so far, then taken again around the final
// median; two interleaved ordinary sales are tolerated), with at least BurstMinCards
// distinct cards. The cards of a pharmacy's bursts are then split into collection groups: two
// cards belong together when they are swiped in the same bursts on at least two days, and the
// connected groups are scored on their own bursts, so that two collectors at one pharmacy (two
// card sets, two schedules) are two findings. Recurrence gates the score: a promotion day or a
// busy morning never brings the same cards back together on other days.
//
// Cash-out (套现, 变现个人账户) shows differently: cardholders come one by one at ordinary
// times, so no burst forms, but many cards buy the very same high-value basket again and again,
// or items billed far above their code's price elsewhere — or, in an export without billing
// lines, whole-yuan totals several times the pharmacy's usual purchase (cashout.go).
package pharmacy
