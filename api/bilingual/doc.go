// Package bilingual holds the errors a user reads in two languages: a *graph.Error whose message
// is Chinese, with an English text beside it. The core packages under api/ return them; the
// HTTP layer's one error mapping (api/errors.go) shows both texts. graph.ErrorCode, ErrorField
// and ErrorMessage see through them, because they unwrap to the *graph.Error that carries the
// code.
//
// What it must not do: know HTTP statuses, or carry personal data in a message.
package bilingual
