package accounts

import (
	"time"

	"github.com/ringtrace/ringtrace/api/audit"
	"github.com/ringtrace/ringtrace/api/state"
)

// ResetPassword gives a user a random one-time password (to be changed at next login), ends
// their sessions and records it in the audit trail as done by the operator "cli". It works on
// the state directory of a stopped server (`ringtrace users reset-password`), the recovery path
// when the last admin password is lost.
func ResetPassword(dir, username string) (string, error) {
	st, err := state.OpenExisting(dir)
	if err != nil {
		return "", err
	}
	defer st.Close()
	acc := New(st, Options{})
	pw, err := randomPassword()
	if err != nil {
		return "", err
	}
	if _, err := acc.UpdateUser(username, UserUpdate{Password: &pw}); err != nil {
		return "", err
	}
	if err := acc.revokeAll(username); err != nil {
		return "", err
	}
	err = audit.Write(st, time.Now(), audit.Record{Actor: "cli", Role: "operator", Action: "reset_password", Detail: "user " + username})
	return pw, err
}

// ListUsers returns the accounts in the state directory of a stopped server.
func ListUsers(dir string) ([]UserView, error) {
	st, err := state.OpenReadOnly(dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	us, err := New(st, Options{}).Users()
	out := make([]UserView, 0, len(us))
	for _, u := range us {
		out = append(out, u.View())
	}
	return out, err
}
