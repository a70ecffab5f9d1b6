package api

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// Keys of what authentication leaves in the gin context. "user_id" is
// also what the access log reads.
const (
	actorKey      = "qilian.actor"
	userKey       = "user_id"
	sessionKey    = "qilian.session" // the session's digest, when signed in with the cookie
	csrfKey       = "qilian.csrf"
	mustChangeKey = "qilian.must_change"
)

// maxToken bounds what is hashed: real tokens are 47 characters.
const maxToken = 256

// authenticate resolves the bearer token, or else the session cookie, to
// a user and the user to the actor the engine scopes by. A missing,
// malformed, unknown or revoked credential is a 401 that says no more
// than that. An Authorization header wins over a cookie, so a script
// never needs the CSRF token.
func (h *handler) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	var u qilian.User
	if header := c.GetHeader("Authorization"); header != "" || !hasCookie(c) {
		token, ok := bearer(header)
		if !ok {
			h.fail(c, qilian.Errorf(qilian.EUNAUTHORIZED, "sign in, or send a bearer token"))
			return
		}
		var err error
		if u, err = h.People.Authenticate(ctx, qilian.HashToken(token)); err != nil {
			h.fail(c, err)
			return
		}
	} else {
		cookie, _ := c.Cookie(SessionCookie)
		var ok bool
		if u, ok = h.session(c, cookie); !ok {
			return
		}
	}
	a, err := h.People.Actor(ctx, u)
	if errors.Is(err, qilian.ErrNotFound) {
		// The user's place is gone from the tree: they have no scope left.
		err = qilian.Errorf(qilian.EUNAUTHORIZED, "the token's user has no place")
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Set(actorKey, a)
	c.Set(userKey, u.ID)
	c.Next()
}

func hasCookie(c *gin.Context) bool {
	v, err := c.Cookie(SessionCookie)
	return err == nil && v != ""
}

// bearer takes the token out of an Authorization header.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > maxToken || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// allow refuses roles that may never use the route: 403, before anything
// about the resource is looked up, so the answer reveals nothing about it.
func (h *handler) allow(roles []qilian.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a := actorOf(c); !contains(roles, a.Role) {
			h.fail(c, qilian.Errorf(qilian.EFORBIDDEN, "role %s may not use this route", a.Role))
			return
		}
		c.Next()
	}
}

// actorOf is the authenticated caller.
func actorOf(c *gin.Context) qilian.Actor {
	return c.MustGet(actorKey).(qilian.Actor)
}
