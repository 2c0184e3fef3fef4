// Package backup writes and restores a consistent archive of a RingTrace installation: the state
// directory's databases (state.db, intake.db, blacklist.db) copied inside a read transaction
// (bbolt Tx.WriteTo, so the server keeps running), the sealed audit segments listed in that
// transaction, and a Pebble checkpoint of the embedded graph store. A running server answers
// backup requests on a Unix socket in its state directory (Listen); `ringtrace backup` uses it
// when the server holds the databases and opens them itself when the server is stopped.
//
// The archive is a gzip'd tar whose last entry, MANIFEST.json, lists every file with its size and
// SHA-256; Restore checks each, verifies the restored audit chain and only then moves the
// directories into place.
package backup
