// Package prescreen screens claims before payment (事中监控, 实时预警, 拦截): a batch of new
// claims with their billing lines is checked against the per-claim rules and against the store's
// history of the parties, and each claim gets a verdict — pass, or hold with its reasons. It does
// not write the claims. It is HTTP-free.
package prescreen
