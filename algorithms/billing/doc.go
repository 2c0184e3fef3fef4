// Package billing audits every billing line (费用明细) against rule tables the bureau edits:
// a catalogue with, per item, its price limit, sex and age limits, maximum quantity per claim and
// per day, its bundle (the items its price already includes) and the high-value-consumable flag
// (高值耗材), and a table of item pairs never billed together. This is how CMS publishes its NCCI
// edits (procedure-to-procedure pairs, medically unlikely units per day) and how the national
// smart-supervision rule base (医保智能监管"两库") is organised: a rule is a table row, and every
// hit names the row that fired, the lines it fired on and the amount at stake (the overcharge,
// not the claim total).
//
// It reads the graph through graph.Scanner only and knows nothing of HTTP or storage engines.
package billing
