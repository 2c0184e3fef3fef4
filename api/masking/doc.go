// Package masking pseudonymises identifiers and masks personal values (names, ID numbers,
// phones, addresses, diagnoses) for readers without full access to a person, and decides per
// reader which refs are shown in full (Viewer). The rules are in one place, masking.go; who has
// full access to what is the case store's knowledge (api/cases.FullAccess), passed in.
//
// Personal Information Protection Law art. 51 and the fund supervision rules (分级授权) ask that
// staff see only what their task needs: analysts work on pseudonyms and masked values; full
// values are shown only to the investigators, supervisors and police whose cases involve the
// person.
//
// What it must not do: know HTTP or roles, log a value it masks, or keep a pseudonym table (a
// pseudonym is reversible by the key alone, see Masker).
package masking
