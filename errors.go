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

// messagesZH say, for people who read Chinese, what each code means to
// them; the Error's own message (English, for developers and logs) says
// what exactly went wrong.
var messagesZH = map[string]string{
	ECONFLICT:     "当前状态下不能执行此操作，请刷新后重试",
	EINVALID:      "填写的内容有误，请检查标出的项目",
	ENOTFOUND:     "未找到，或不在您的管辖范围内",
	EFORBIDDEN:    "您的角色无权执行此操作",
	EUNAUTHORIZED: "请先登录",
	EUNAVAILABLE:  "系统暂时不可用，请稍后再试",
	EINTERNAL:     "系统内部错误，请联系管理员",
	ETOOLARGE:     "提交的内容过大",
	ETOOMANY:      "尝试次数过多，请稍后再试",
	EUNSUPPORTED:  "不支持的提交格式",
}

// MessageZH is what the code means, in Chinese; the internal error's for
// an unknown code.
func MessageZH(code string) string {
	if m, ok := messagesZH[code]; ok {
		return m
	}
	return messagesZH[EINTERNAL]
}

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
