package graph

import (
	"errors"
	"fmt"
)

// Application error codes. They name what a user must see; the API maps each to one HTTP status.
const (
	EINVALID      = "invalid"      // input failed validation; Field says which
	ENOTFOUND     = "not_found"    // the entity, case, job … does not exist
	ECONFLICT     = "conflict"     // stale update, duplicate with conflicting content, illegal transition
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed
	EUNAUTHORIZED = "unauthorized" // not authenticated
	EUNAVAILABLE  = "unavailable"  // a backing service (Neo4j) cannot be reached
	ETOOMANY      = "too_many"     // rate limit or load shedding
	EINTERNAL     = "internal"     // a bug or an unexpected failure; details are logged, not shown
)

// Error is an error a user is meant to read: a code from the list above, an optional field name
// that the message is about, and a message in plain language.
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("ringtrace error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("ringtrace error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error about one named input field.
func FieldErrorf(field string, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a generic text for
// internal errors, whose details must not leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
