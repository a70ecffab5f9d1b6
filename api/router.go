package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// NewOpsRouter returns a router with only the operations endpoints, for the
// worker process.
func NewOpsRouter(o Ops) *gin.Engine {
	r := newEngine(o)
	o.Mount(r)
	return r
}

// newEngine builds the Gin engine every router starts from: request IDs,
// structured access logs, metrics, headers every answer carries, and
// recovery that never shows a stack trace to the client. Unknown paths
// and methods are answered in the error shape of the protocol whose path
// it is, else in the API's.
func newEngine(o Ops, ps ...Protocol) *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	m := newMetrics(o.Registry)
	r.Use(requestID, accessLog(o.Log), m.middleware, noSniff, recovery(o.Log))
	r.NoRoute(noRoute(ps))
	r.NoMethod(noMethod(ps))
	return r
}

// RequestIDHeader carries the request ID to and from clients.
const RequestIDHeader = "X-Request-ID"

// requestID takes the client's request ID when it is a plain token, and
// makes one otherwise: the ID goes into every log line and back in a
// header, and is for finding those lines, not for a client's spaces,
// quotes, markup or control characters.
func requestID(c *gin.Context) {
	id := c.GetHeader(RequestIDHeader)
	if !validRequestID(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set("request_id", id)
	c.Header(RequestIDHeader, id)
	c.Next()
}

// validRequestID reports whether id is 1 to 64 of A-Z, a-z, 0-9, '.', '_'
// and '-'.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		switch b := id[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '.', b == '_', b == '-':
		default:
			return false
		}
	}
	return true
}

// noSniff stops browsers from guessing an answer's type: the API gives
// back text as it was sent (JSON without HTML escaping, CSV), and a guess
// of HTML would run whatever markup a case's title holds.
func noSniff(c *gin.Context) {
	c.Header("X-Content-Type-Options", "nosniff")
	c.Next()
}

func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		log.Info("http",
			"request_id", c.GetString("request_id"),
			"method", c.Request.Method,
			"route", c.FullPath(),
			"path", c.Request.URL.Path,
			"status", c.Writer.Status(),
			"bytes", c.Writer.Size(),
			"took", time.Since(start).Round(time.Microsecond),
			"user", c.GetString("user_id"),
		)
	}
}

func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic serving request", "request_id", c.GetString("request_id"), "panic", p)
				c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: detail(qilian.EINTERNAL, "internal error", nil)})
			}
		}()
		c.Next()
	}
}
