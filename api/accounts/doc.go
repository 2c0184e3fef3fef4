// Package accounts holds the users and sessions of the service in state.db: roles (分级授权),
// bcrypt password hashes, bearer sessions stored by the SHA-256 of their token, the first admin,
// and the offline recovery of `ringtrace users list|reset-password`. Actor is who performs an
// operation, as the other core packages record it.
//
// What it must not do: know HTTP, log or return a password hash or token beyond Login's answer,
// or tell a wrong password from an unknown user.
package accounts
