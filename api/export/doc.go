// Package export assembles the police referral package (移送公安证据包) of a transferred case:
// the case record, the complete party records and claims from the graph, and the detection job
// and findings it came from, signed by api/referral's format. It applies the export rule (only a
// transferred case; a supervisor for either destination, police only for cases transferred to
// police) and serves both the API's export and `ringtrace export case` on a stopped server, which
// records the export in the audit trail with the manifest's digest.
//
// It reads nothing from the intake store: a whistle-blower cannot appear in a package because
// nothing here reads reports.
//
// What it must not do: know HTTP, or write anything but the package and its audit record.
package export
