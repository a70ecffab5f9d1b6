package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/api/open311"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/workflows/enginetest"
)

// apiEnv is the router under test on a running engine, with the demo
// district loaded.
type apiEnv struct {
	env *enginetest.Env
	r   *gin.Engine
}

func startAPI(t testing.TB, dialect string) *apiEnv {
	t.Helper()
	env := enginetest.Start(t, enginetest.Options{Dialect: dialect})
	return &apiEnv{env: env, r: api.New(serverOn(env, nil))}
}

// serverOn is the API's Server on the engine and read model of env, with
// the shipped indicators, the environment's calendar and Open311 beside
// it, as the binary passes them; now is the clock of both (time.Now when
// nil).
func serverOn(env *enginetest.Env, now func() time.Time) api.Server {
	set, err := configs.Config{}.Indicators()
	if err != nil {
		panic(err) // embedded, and checked by the configs tests
	}
	o311 := open311.Server{Log: enginetest.Quiet(), Now: now}.WithStore(env.DB)
	return api.Server{Engine: env.Engine, Calendar: env.Calendar, Indicators: set, Log: enginetest.Quiet(), Now: now,
		FileStore: env.Files, Protocols: []api.Protocol{o311}}.WithStore(env.DB)
}

// at returns the same API with its clock moved by d, for what depends on
// the API's own clock (what is overdue).
func (a *apiEnv) at(d time.Duration) *apiEnv {
	s := serverOn(a.env, func() time.Time { return time.Now().Add(d) })
	return &apiEnv{env: a.env, r: api.New(s)}
}

// key is a demo user's token, for a bearer header or an Open311 api_key.
func (a *apiEnv) key(t testing.TB, user string) string {
	t.Helper()
	l, ok := a.env.Logins[user]
	require.True(t, ok, "no demo user %s", user)
	return l.Token
}

// postForm posts a form to an Open311 endpoint, which authenticates by
// the api_key in it.
func (a *apiEnv) postForm(t testing.TB, path string, form url.Values) reply {
	t.Helper()
	return a.callToken(t, "", http.MethodPost, path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// reply is a recorded response.
type reply struct {
	Code   int
	Header http.Header
	Body   []byte
}

// call sends a request as a demo user ("" for none). body is nil, a
// string or []byte sent as is, or a value sent as JSON. headers are
// name, value pairs.
func (a *apiEnv) call(t testing.TB, user, method, path string, body any, headers ...string) reply {
	t.Helper()
	token := ""
	if user != "" {
		l, ok := a.env.Logins[user]
		require.True(t, ok, "no demo user %s", user)
		token = l.Token
	}
	return a.callToken(t, token, method, path, body, headers...)
}

func (a *apiEnv) callToken(t testing.TB, token, method, path string, body any, headers ...string) reply {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		require.NoError(t, err)
	}
	return a.send(token, method, path, body != nil, raw, headers...)
}

// send is the request itself; it cannot fail a test, so other goroutines
// may use it.
func (a *apiEnv) send(token, method, path string, hasBody bool, body []byte, headers ...string) reply {
	return a.serve(httptest.NewRequest(method, path, bytes.NewReader(body)), token, hasBody, headers...)
}

// serve answers req through the router with the token and headers set.
func (a *apiEnv) serve(req *http.Request, token string, hasBody bool, headers ...string) reply {
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	a.r.ServeHTTP(w, req)
	return reply{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// ok requires the status and decodes the JSON body into v (when not nil).
func (r reply) ok(t testing.TB, status int, v any) {
	t.Helper()
	require.Equal(t, status, r.Code, "body: %s", r.Body)
	if v != nil {
		require.Contains(t, r.Header.Get("Content-Type"), "application/json")
		require.NoError(t, json.Unmarshal(r.Body, v), "%s", r.Body)
	}
}

// apiError is the one error shape.
type apiError struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	MessageZH string            `json:"message_zh"`
	Fields    map[string]string `json:"fields"`
}

// fails requires the status and the error shape, exactly: one "error"
// object with a code and a message, fields only as a map. It returns the
// error.
func (r reply) fails(t testing.TB, status int, code string) apiError {
	t.Helper()
	require.Equal(t, status, r.Code, "body: %s", r.Body)
	require.Contains(t, r.Header.Get("Content-Type"), "application/json")
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(r.Body, &top), "%s", r.Body)
	require.Len(t, top, 1, "%s", r.Body)
	dec := json.NewDecoder(bytes.NewReader(top["error"]))
	dec.DisallowUnknownFields()
	var e apiError
	require.NoError(t, dec.Decode(&e), "%s", r.Body)
	require.Equal(t, code, e.Code, "%s", r.Body)
	require.NotEmpty(t, e.Message)
	require.NotEmpty(t, e.MessageZH, "a Chinese message for people beside the English one")
	if code != "method_not_allowed" { // the router's own code, not the domain's
		require.Equal(t, qilian.MessageZH(code), e.MessageZH)
	}
	if status >= 500 {
		require.Contains(t, []string{"internal error", "service unavailable"}, e.Message)
	}
	return e
}

// caseOut is the part of the case view the tests read.
type caseOut struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	KindName struct {
		ZH string `json:"zh"`
		EN string `json:"en"`
	} `json:"kind_name"`
	State       string `json:"state"`
	Resolution  string `json:"resolution"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Priority    string `json:"priority"`
	Locality    struct {
		ID   string `json:"id"`
		Path string `json:"path"`
	} `json:"locality"`
	GridID   string `json:"grid_id"`
	Location struct {
		Lat     float64 `json:"lat"`
		Lng     float64 `json:"lng"`
		Address string  `json:"address"`
	} `json:"location"`
	Reporter struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"reporter"`
	Attachments []string `json:"attachments"`
	OpenedBy    struct {
		UserID string `json:"user_id"`
	} `json:"opened_by"`
	Revision int64 `json:"revision"`
	Level    int   `json:"level"`
	Tasks    []struct {
		ID       string `json:"id"`
		UnitID   string `json:"unit_id"`
		Role     string `json:"role"`
		State    string `json:"state"`
		Result   string `json:"result"`
		AcceptBy *struct {
			Due time.Time `json:"due"`
		} `json:"accept_by"`
		ResolveBy *struct {
			Due time.Time `json:"due"`
		} `json:"resolve_by"`
		Extension *struct {
			ID string `json:"id"`
		} `json:"extension"`
		AllowedActions []string `json:"allowed_actions"`
	} `json:"tasks"`
	AllowedActions []string `json:"allowed_actions"`
}

// open opens a case as user and returns it.
func (a *apiEnv) open(t testing.TB, user string, body map[string]any) caseOut {
	t.Helper()
	var c caseOut
	a.call(t, user, http.MethodPost, "/api/v1/cases", body).ok(t, http.StatusCreated, &c)
	require.NotEmpty(t, c.ID)
	return c
}

// act takes an action and returns the case after it.
func (a *apiEnv) act(t testing.TB, user, path string, body any) caseOut {
	t.Helper()
	var c caseOut
	a.call(t, user, http.MethodPost, path, body).ok(t, http.StatusOK, &c)
	return c
}

func serviceCase(title, locality string) map[string]any {
	return map[string]any{
		"kind": "service_linkage", "title": title, "locality_id": locality,
		"reporter": map[string]any{"name": "李阿姨", "phone": "13800000000"},
	}
}

// eventTypes lists the types of the trail, in order.
func eventTypes(evs []eventOut) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

type eventOut struct {
	Seq     int64  `json:"seq"`
	Type    string `json:"type"`
	TaskID  string `json:"task_id"`
	ToState string `json:"to_state"`
	Reason  string `json:"reason"`
	Note    string `json:"note"`
	Actor   struct {
		UserID string `json:"user_id"`
	} `json:"actor"`
}

func has(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func fill(path string, id string) string { return strings.Replace(path, ":id", id, 1) }

// caseAPIRoutes are the router's routes but Open311's, which has its own
// specification, auth and error format (see package api/open311).
func caseAPIRoutes(r *gin.Engine) gin.RoutesInfo {
	var out gin.RoutesInfo
	for _, rt := range r.Routes() {
		if !strings.HasPrefix(rt.Path, open311.Root+"/") {
			out = append(out, rt)
		}
	}
	return out
}
