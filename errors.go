package qilian

import (
	"errors"
	"fmt"
)

// Error codes. Each adapter maps them once: the API to HTTP statuses, the
// activities to retryable or not.
const (
	ECONFLICT     = "conflict"     // not allowed in the current state, or a lost race
	EINVALID      = "invalid"      // bad input
	ENOTFOUND     = "not_found"    // does not exist, or outside the caller's scope
	EFORBIDDEN    = "forbidden"    // the caller's role may never do this
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EUNAVAILABLE  = "unavailable"  // a dependency (Temporal, the database) is down
	EINTERNAL     = "internal"     // a bug
	ETOOLARGE     = "too_large"    // a body over its limit
	ETOOMANY      = "too_many"     // too many attempts: wait, or ask an admin
	EUNSUPPORTED  = "unsupported"  // a body in a media type the adapter does not read
)

// Error is the domain error: a code from the table above, a message fit for
// the caller and, for invalid input, the offending fields.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is makes errors.Is(err, ErrNotFound) true for any Error with that code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrConflict     = &Error{Code: ECONFLICT, Message: "conflict"}
	ErrInvalid      = &Error{Code: EINVALID, Message: "invalid input"}
	ErrNotFound     = &Error{Code: ENOTFOUND, Message: "not found"}
	ErrForbidden    = &Error{Code: EFORBIDDEN, Message: "forbidden"}
	ErrUnauthorized = &Error{Code: EUNAUTHORIZED, Message: "unauthorized"}
	ErrUnavailable  = &Error{Code: EUNAVAILABLE, Message: "service unavailable"}
)

// Errorf returns an Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming the offending fields.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: "invalid input", Fields: fields}
}

// ErrorCode returns the code of err, EINTERNAL for anything that is not an
// Error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the caller-facing message of err; internal errors
// never leak their text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
