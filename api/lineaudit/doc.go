// Package lineaudit is the service core of the billing-line audit: it holds the rule tables the
// server was started with (--rules DIR) and runs algorithms/billing over the graph store. It is
// HTTP-free.
package lineaudit
