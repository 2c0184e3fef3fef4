package bilingual

import (
	"errors"

	"github.com/ringtrace/ringtrace/graph"
)

// Error is a user-facing error with an English text beside the Chinese one.
type Error struct {
	err *graph.Error
	en  string
}

// Error implements the error interface with the code, field and Chinese message.
func (b *Error) Error() string { return b.err.Error() }

// Unwrap returns the *graph.Error that carries the code.
func (b *Error) Unwrap() error { return b.err }

// New returns an error a user reads: code, Chinese message and English message.
func New(code, zh, en string) error {
	return &Error{err: &graph.Error{Code: code, Message: zh}, en: en}
}

// Field returns an EINVALID error about one input field.
func Field(field, zh, en string) error {
	return &Error{err: &graph.Error{Code: graph.EINVALID, Field: field, Message: zh}, en: en}
}

// English returns the English text of the first bilingual error in err's chain, or "".
func English(err error) string {
	var b *Error
	if errors.As(err, &b) {
		return b.en
	}
	return ""
}
