package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/render"

	"github.com/qilian/qilian"
)

// errorBody is the one shape of every error the API answers.
type errorBody struct {
	Error errorDetail `json:"error" required:"true"`
}

type errorDetail struct {
	// Code is a domain error code such as "invalid" or "not_found".
	Code    string `json:"code" required:"true"`
	Message string `json:"message" required:"true"`
	// MessageZH says what the code means to people, in Chinese.
	MessageZH string `json:"message_zh" required:"true"`
	// Fields names the offending inputs of an "invalid" error.
	Fields map[string]string `json:"fields,omitempty"`
}

// codeMethodNotAllowed is the router's own code, beside the domain's.
const codeMethodNotAllowed = "method_not_allowed"

// detail is an error's body, with the Chinese message of its code.
func detail(code, message string, fields map[string]string) errorDetail {
	zh := qilian.MessageZH(code)
	if code == codeMethodNotAllowed {
		zh = "此地址不支持该请求方法"
	}
	return errorDetail{Code: code, Message: message, MessageZH: zh, Fields: fields}
}

// statusOf is the one table from domain error codes to HTTP statuses.
// Codes not in it (EINTERNAL, anything unexpected) answer 500. A protocol
// beside the case API answers through it too (StatusOf).
var statusOf = map[string]int{
	qilian.EINVALID:      http.StatusBadRequest,
	qilian.EUNAUTHORIZED: http.StatusUnauthorized,
	qilian.EFORBIDDEN:    http.StatusForbidden,
	qilian.ENOTFOUND:     http.StatusNotFound,
	qilian.ECONFLICT:     http.StatusConflict,
	qilian.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	qilian.ETOOMANY:      http.StatusTooManyRequests,
	qilian.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	qilian.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// StatusOf is the HTTP status of a domain error code, and false for a
// code that has none (EINTERNAL, anything unexpected), which is a 500.
func StatusOf(code string) (int, bool) {
	status, ok := statusOf[code]
	return status, ok
}

// fail answers err in the error shape and stops the chain. Only domain
// errors below 500 show their message; a 5xx says a fixed text and its
// cause goes to the log with the request ID.
func (h *handler) fail(c *gin.Context, err error) { fail(c, h.Log, err) }

// fail is handler.fail for what runs without a handler, such as the
// worker's operations endpoints.
func fail(c *gin.Context, log *slog.Logger, err error) {
	status, body := answerOf(c, log, err)
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="qilian"`)
	}
	c.Abort()
	c.Render(status, render.PureJSON{Data: errorBody{Error: body}})
}

// answerOf is the status and error body that answer err, as fail writes
// them (a bulk request writes one per item).
func answerOf(c *gin.Context, log *slog.Logger, err error) (int, errorDetail) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		err = qilian.Errorf(qilian.EUNAVAILABLE, "the request was cancelled or timed out")
	}
	status, ok := statusOf[qilian.ErrorCode(err)]
	var e *qilian.Error
	switch {
	case !ok || !errors.As(err, &e):
		log.Error("internal error", "request_id", c.GetString("request_id"), "route", c.FullPath(), "error", err)
		return http.StatusInternalServerError, detail(qilian.EINTERNAL, "internal error", nil)
	case status >= 500:
		log.Warn("dependency unavailable", "request_id", c.GetString("request_id"), "route", c.FullPath(), "error", err)
		return status, detail(e.Code, qilian.ErrUnavailable.Message, nil)
	}
	return status, detail(e.Code, e.Message, e.Fields)
}

// respond writes v as JSON without HTML escaping, so text comes back
// byte for byte as it was sent.
func respond(c *gin.Context, status int, v any) {
	c.Render(status, render.PureJSON{Data: v})
}

// noRoute and noMethod answer unknown paths and methods in the error
// shape, or in that of the protocol whose path it is.
func noRoute(ps []Protocol) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p := owner(ps, c.Request.URL.Path); p != nil {
			p.NotFound(c)
			return
		}
		c.Render(http.StatusNotFound, render.PureJSON{Data: errorBody{Error: detail(qilian.ENOTFOUND, "no such route", nil)}})
	}
}

func noMethod(ps []Protocol) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p := owner(ps, c.Request.URL.Path); p != nil {
			p.NoMethod(c)
			return
		}
		c.Render(http.StatusMethodNotAllowed, render.PureJSON{Data: errorBody{Error: detail(codeMethodNotAllowed, "method not allowed on this route", nil)}})
	}
}
