// Package open311 is Open311 GeoReport v2, served under /open311/v2/
// beside the case API (as one of api.Server's Protocols). It is a second,
// standard door to the same cases: a request posted here is opened through
// the same path as POST /api/v1/cases (api.Opener), and the lists read the
// same read model within the same scopes.
//
// Choices the specification leaves open, made here:
//
//   - Service codes are the category catalogue of the domain
//     (qilian.Categories): each kind under its own ID, each subcategory as
//     "<kind>.<name>"; the group is the kind's Chinese name. A kind whose
//     cases need details (a booking, a vote, an activity, a member) asks for
//     them as attributes, so its service has metadata.
//   - api_key is a Qilian token. The request is made as the token's user,
//     so an Open311 client reports and reads exactly where that user may:
//     posting takes a grid worker's or an axis operator's token, reading
//     also a supervisor's. Lists of requests carry residents' details, so
//     reading requests and tokens takes an api_key too. A missing, unknown
//     or revoked key, or one whose role may not do this, is a 403.
//   - jurisdiction_id is optional; when given it must name the root
//     (county) of a locality tree, and anything else is a 404.
//   - Where the case goes: address_id names a locality (our address
//     repository is the locality tree); otherwise lat/long must fall inside
//     a grid's area within the key's scope (400 when it falls in none);
//     otherwise, with address_string alone, the case goes to the key's own
//     locality.
//   - A retried POST does not open a second case: the same user posting
//     the same form on the same day (UTC) gets the case the first post
//     opened. The token in the answer is that idempotency key, and GET
//     tokens/{token} resolves it for the same api_key.
//   - Our states map to open and closed (closed and cancelled cases are
//     closed); status_notes says in Chinese where the case stands, with the
//     lead unit's result once there is one.
package open311

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/render"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
)

// Root is where the GeoReport v2 endpoints live.
const Root = "/open311/v2"

// Limits and defaults from the specification.
const (
	window        = 90 * 24 * time.Hour // the default and widest date range of GET requests
	maxList       = qilian.MaxRequests  // requests in one answer
	maxForm       = 64 << 10            // a POST body, in bytes
	specification = "http://wiki.open311.org/GeoReport_v2"
	changeset     = "2026-11-26T00:00:00+08:00" // when the service list last changed
	tokenLen      = 32                          // hex digits of a token after its prefix
	tokenPrefix   = "o311-"
)

// chinaTime is the zone Open311 datetimes are written in: the district's.
var chinaTime = time.FixedZone("CST", 8*60*60)

type format string

const (
	formatJSON format = "json"
	formatXML  format = "xml"
)

var formats = []format{formatJSON, formatXML}

// splitFormat cuts ".json" or ".xml" off the last path segment.
func splitFormat(seg string) (string, format, bool) {
	for _, f := range formats {
		if s, ok := strings.CutSuffix(seg, "."+string(f)); ok && s != "" {
			return s, f, true
		}
	}
	return "", "", false
}

// Server is Open311 on the read model and the case API's opening path.
// Its methods make it an api.Protocol: put it in api.Server's Protocols.
type Server struct {
	Cases  Cases
	Places Places
	People People
	// Log takes the causes of 5xx answers; nothing is logged when nil.
	Log *slog.Logger
	// Now is the clock of the default date range of GET requests and of
	// the day a post's token counts in; time.Now when nil.
	Now func() time.Time
}

// Open311 reads the read model through three small interfaces, one per
// role, with only the calls it makes; *storage.DB is all of them (Store).
// Their errors are domain errors.

// Cases reads whole cases, and which case an idempotency key opened.
type Cases interface {
	CaseSnapshot(ctx context.Context, id string) (qilian.Case, error)
	// Requests is whole cases by Open311's filters.
	Requests(ctx context.Context, f qilian.RequestFilter) ([]qilian.Case, error)
	// IdempotentCase is the case an idempotency key opened.
	IdempotentCase(ctx context.Context, userID, key string) (string, error)
}

// Places reads the locality tree, the grids' areas and the units.
type Places interface {
	Locality(ctx context.Context, id string) (qilian.Locality, error)
	// GridAt is the grid a point lies in.
	GridAt(ctx context.Context, scopePath string, p qilian.Point) (qilian.Locality, error)
	Unit(ctx context.Context, id string) (qilian.Unit, error)
}

// People tells whose a token is.
type People interface {
	// Authenticate is the user of the token whose digest is hash, and
	// ErrUnauthorized for a token unknown, revoked or expired.
	Authenticate(ctx context.Context, hash string) (qilian.User, error)
	Actor(ctx context.Context, u qilian.User) (qilian.Actor, error)
}

// Store is all three, as one read model is.
type Store interface {
	Cases
	Places
	People
}

// WithStore returns s reading through st.
func (s Server) WithStore(st Store) Server {
	s.Cases, s.Places, s.People = st, st, st
	return s
}

var _ api.Protocol = Server{}

// handler is the Server the routes run against, with the case API's
// opening path.
type handler struct {
	Server
	open api.Opener
}

// Mount registers the GeoReport v2 routes, each in both formats; posts
// open their cases with open.
func (s Server) Mount(r gin.IRoutes, open api.Opener) {
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	h := &handler{Server: s, open: open}
	for _, f := range formats {
		ext := "." + string(f)
		r.GET(Root+"/discovery"+ext, h.serve(f, h.discovery))
		r.GET(Root+"/services"+ext, h.serve(f, h.services))
		r.GET(Root+"/requests"+ext, h.serve(f, h.listRequests))
		r.POST(Root+"/requests"+ext, h.serve(f, h.postRequest))
	}
	r.GET(Root+"/services/:file", h.serveParam(h.serviceDefinition))
	r.GET(Root+"/requests/:file", h.serveParam(h.getRequest))
	r.GET(Root+"/tokens/:file", h.serveParam(h.getToken))
}

// Owns reports whether a path is under Root.
func (Server) Owns(path string) bool { return strings.HasPrefix(path, Root+"/") }

// NotFound answers a path under Root that names nothing.
func (Server) NotFound(c *gin.Context) { notFound(c) }

// NoMethod answers a method a path under Root does not take.
func (Server) NoMethod(c *gin.Context) {
	writeErrors(c, formatOf(c), http.StatusMethodNotAllowed, "method not allowed on this endpoint")
}

// call is one Open311 request being answered.
type call struct {
	*gin.Context
	f     format
	param string // the path parameter without its format
}

func (h *handler) serve(f format, fn func(*call)) gin.HandlerFunc {
	return func(c *gin.Context) { fn(&call{Context: c, f: f}) }
}

// serveParam serves a route whose last segment is "<param>.<format>".
func (h *handler) serveParam(fn func(*call)) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, f, ok := splitFormat(c.Param("file"))
		if !ok {
			notFound(c)
			return
		}
		fn(&call{Context: c, f: f, param: p})
	}
}

// errorOut is one entry of the specification's error list; code is the
// HTTP status.
type errorOut struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type errorList struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []errorOut `xml:"error"`
}

// write answers v: as JSON the list or object itself, as XML the root
// element that wraps it.
func (c *call) write(status int, jsonBody, xmlBody any) {
	encode(c.Context, c.f, status, jsonBody, xmlBody)
}

func encode(c *gin.Context, f format, status int, jsonBody, xmlBody any) {
	if f == formatXML {
		b, err := xml.Marshal(xmlBody)
		if err != nil { // only plain structs of strings and numbers are marshalled
			status, b = http.StatusInternalServerError, []byte("<errors><error><code>500</code><description>internal error</description></error></errors>")
		}
		c.Data(status, "text/xml; charset=utf-8", append([]byte(xml.Header), b...))
		return
	}
	c.Render(status, render.PureJSON{Data: jsonBody}) // text back byte for byte, as the case API answers
}

// writeErrors answers the specification's error list.
func writeErrors(c *gin.Context, f format, status int, descriptions ...string) {
	list := make([]errorOut, len(descriptions))
	for i, d := range descriptions {
		list[i] = errorOut{Code: status, Description: d}
	}
	c.Abort()
	encode(c, f, status, list, errorList{Errors: list})
}

// fail answers err in the specification's error format, through the one
// table of statuses. An unusable api_key is the specification's 403, not
// our 401; 5xx say no more than the rest of the API does.
func (c *call) fail(h *handler, err error) {
	if errors.Is(err, qilian.ErrUnauthorized) {
		writeErrors(c.Context, c.f, http.StatusForbidden, "api_key is missing, unknown or revoked")
		return
	}
	status, ok := api.StatusOf(qilian.ErrorCode(err))
	var e *qilian.Error
	switch {
	case !ok || !errors.As(err, &e):
		h.Log.Error("internal error", "request_id", api.RequestID(c.Context), "route", c.FullPath(), "error", err)
		writeErrors(c.Context, c.f, http.StatusInternalServerError, "internal error")
	case status >= 500:
		h.Log.Warn("dependency unavailable", "request_id", api.RequestID(c.Context), "route", c.FullPath(), "error", err)
		writeErrors(c.Context, c.f, status, qilian.ErrUnavailable.Message)
	case len(e.Fields) > 0:
		names := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			names = append(names, k)
		}
		sort.Strings(names)
		ds := make([]string, len(names))
		for i, k := range names {
			ds[i] = k + ": " + e.Fields[k]
		}
		writeErrors(c.Context, c.f, status, ds...)
	default:
		writeErrors(c.Context, c.f, status, e.Message)
	}
}

// notFound answers a path under the root that names nothing.
func notFound(c *gin.Context) {
	writeErrors(c, formatOf(c), http.StatusNotFound, "no such endpoint: paths end in .json or .xml")
}

// formatOf is the format a path asks for, JSON unless it ends in .xml.
func formatOf(c *gin.Context) format {
	if strings.HasSuffix(c.Request.URL.Path, ".xml") {
		return formatXML
	}
	return formatJSON
}

// jurisdiction checks the optional jurisdiction_id: the ID of a tree's
// root.
func (h *handler) jurisdiction(c *call, id string) error {
	if id == "" {
		return nil
	}
	missing := qilian.Errorf(qilian.ENOTFOUND, "jurisdiction_id not found")
	if !idShape.MatchString(id) {
		return missing
	}
	l, err := h.Places.Locality(c.Request.Context(), id)
	switch {
	case errors.Is(err, qilian.ErrNotFound) || (err == nil && l.ParentID != ""):
		return missing
	case err != nil:
		return err
	}
	return nil
}

// apiKey authenticates an api_key and admits only roles.
func (h *handler) apiKey(c *call, key string, roles []qilian.Role) (qilian.Actor, error) {
	if key == "" || len(key) > maxToken {
		return qilian.Actor{}, qilian.ErrUnauthorized
	}
	ctx := c.Request.Context()
	u, err := h.People.Authenticate(ctx, qilian.HashToken(key))
	if err != nil {
		return qilian.Actor{}, err
	}
	a, err := h.People.Actor(ctx, u)
	if errors.Is(err, qilian.ErrNotFound) {
		return qilian.Actor{}, qilian.ErrUnauthorized
	}
	if err != nil {
		return qilian.Actor{}, err
	}
	if !slices.Contains(roles, a.Role) {
		return qilian.Actor{}, qilian.Errorf(qilian.EFORBIDDEN, "this api_key (role %s) may not use this endpoint", a.Role)
	}
	api.SetUser(c.Context, u.ID)
	return a, nil
}

// Roles of the keys that may post and read.
var (
	posters  = []qilian.Role{qilian.RoleGridWorker, qilian.RoleAxis}
	readers  = []qilian.Role{qilian.RoleGridWorker, qilian.RoleAxis, qilian.RoleSupervisor}
	statuses = []string{"open", "closed"}
)

// Limits on the form's text: the case API's own, checked here first so
// that a refusal names the parameter the client sent.
const (
	maxShort = 200 // addresses, names, device and account IDs
	maxPhone = 32
	maxToken = 256 // what is hashed of an api_key; real tokens are 47 characters
)

// idShape is the shape of the read model's IDs: anything else names
// nothing, and is not looked up.
var idShape = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// fields collects bad parameters by name.
type fields map[string]string

func (f fields) maxLen(name, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		f[name] = fmt.Sprintf("at most %d characters", max)
	}
}

func (f fields) err() error {
	if len(f) > 0 {
		return qilian.Invalid(f)
	}
	return nil
}

// single reads a parameter that may be given at most once.
func single(vs url.Values, name string, f fields) string {
	v := vs[name]
	switch {
	case len(v) == 0:
		return ""
	case len(v) > 1:
		f[name] = "given more than once"
	case !api.CleanText(v[0]):
		f[name] = "must be UTF-8 without control characters"
	}
	return v[0]
}

// discovery: what the server offers.

type discoveryOut struct {
	XMLName    xml.Name      `json:"-" xml:"discovery"`
	Changeset  string        `json:"changeset" xml:"changeset"`
	Contact    string        `json:"contact" xml:"contact"`
	KeyService string        `json:"key_service" xml:"key_service"`
	Endpoints  []endpointOut `json:"endpoints" xml:"endpoints>endpoint"`
}

type endpointOut struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

func (h *handler) discovery(c *call) {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	d := discoveryOut{
		Changeset:  changeset,
		Contact:    "请联系所在社区或街道的网格管理服务中心",
		KeyService: "api_key 为 Qilian 令牌：由管理员为网格员或属地党组织用户签发（qilian user add 或 POST /api/v1/users）",
		Endpoints: []endpointOut{{
			Specification: specification, URL: scheme + "://" + c.Request.Host + Root,
			Changeset: changeset, Type: "production", Formats: []string{"text/xml", "application/json"},
		}},
	}
	c.write(http.StatusOK, d, d)
}

// services: the category catalogue.

type serviceOut struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type servicesOut struct {
	XMLName  xml.Name     `xml:"services"`
	Services []serviceOut `xml:"service"`
}

func (h *handler) services(c *call) {
	if err := h.jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		c.fail(h, err)
		return
	}
	cats := qilian.Categories()
	out := make([]serviceOut, len(cats))
	for i, cat := range cats {
		out[i] = serviceOut{
			ServiceCode: cat.Code, ServiceName: cat.Name, Description: cat.Description,
			Metadata: len(attributesOf(cat.Kind)) > 0, Type: "realtime",
			Keywords: strings.Join(cat.Keywords, ", "), Group: cat.Kind.NameZH(),
		}
	}
	c.write(http.StatusOK, out, servicesOut{Services: out})
}

// service definitions: the attributes a service asks for.

type valueOut struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

type attributeOut struct {
	Variable            bool       `json:"variable" xml:"variable"`
	Code                string     `json:"code" xml:"code"`
	Datatype            string     `json:"datatype" xml:"datatype"`
	Required            bool       `json:"required" xml:"required"`
	DatatypeDescription string     `json:"datatype_description" xml:"datatype_description"`
	Order               int        `json:"order" xml:"order"`
	Description         string     `json:"description" xml:"description"`
	Values              []valueOut `json:"values,omitempty" xml:"values>value,omitempty"`
}

type definitionOut struct {
	XMLName     xml.Name       `json:"-" xml:"service_definition"`
	ServiceCode string         `json:"service_code" xml:"service_code"`
	Attributes  []attributeOut `json:"attributes" xml:"attributes>attribute"`
}

func (h *handler) serviceDefinition(c *call) {
	if err := h.jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		c.fail(h, err)
		return
	}
	cat, ok := qilian.CategoryByCode(c.param)
	if !ok {
		c.fail(h, qilian.Errorf(qilian.ENOTFOUND, "service_code %s not found", c.param))
		return
	}
	d := definitionOut{ServiceCode: cat.Code, Attributes: []attributeOut{}}
	for i, a := range attributesOf(cat.Kind) {
		d.Attributes = append(d.Attributes, attributeOut{
			Variable: true, Code: a.Code, Datatype: a.Datatype, Required: a.Required,
			DatatypeDescription: a.DatatypeDescription, Order: i + 1, Description: a.Description, Values: a.Values,
		})
	}
	c.write(http.StatusOK, d, d)
}

// POST requests.

type postedOut struct {
	ServiceRequestID string `json:"service_request_id,omitempty" xml:"service_request_id,omitempty"`
	Token            string `json:"token,omitempty" xml:"token,omitempty"`
	ServiceNotice    string `json:"service_notice" xml:"service_notice"`
	AccountID        string `json:"account_id,omitempty" xml:"account_id,omitempty"`
}

type postedList struct {
	XMLName  xml.Name    `xml:"service_requests"`
	Requests []postedOut `xml:"request"`
}

func (h *handler) postRequest(c *call) {
	form, err := readForm(c.Context)
	if err != nil {
		c.fail(h, err)
		return
	}
	in, err := parseForm(form)
	if err != nil {
		c.fail(h, err)
		return
	}
	if err := h.jurisdiction(c, in.Jurisdiction); err != nil {
		c.fail(h, err)
		return
	}
	a, err := h.apiKey(c, in.APIKey, posters)
	if err != nil {
		c.fail(h, err)
		return
	}
	cat, ok := qilian.CategoryByCode(in.ServiceCode)
	if !ok {
		c.fail(h, qilian.Errorf(qilian.ENOTFOUND, "service_code %s not found", in.ServiceCode))
		return
	}
	body, err := in.caseIn(cat)
	if err != nil {
		c.fail(h, err)
		return
	}
	ctx := c.Request.Context()
	switch {
	case in.AddressID != "":
		body.LocalityID = in.AddressID
	case in.Point != nil:
		g, err := h.Places.GridAt(ctx, a.LocalityPath, *in.Point)
		if errors.Is(err, qilian.ErrNotFound) {
			c.fail(h, qilian.Invalid(map[string]string{"lat": "lat/long lies in no grid this api_key may report in; send address_id"}))
			return
		}
		if err != nil {
			c.fail(h, err)
			return
		}
		body.LocalityID = g.ID
	default:
		body.LocalityID = a.LocalityID
	}
	token := tokenOf(form, h.Now())
	cs, err := h.open(ctx, body, token, a)
	if err != nil {
		c.fail(h, renameFields(err, cat.Kind))
		return
	}
	out := []postedOut{{ServiceRequestID: cs.ID, Token: token, AccountID: in.AccountID}}
	c.write(http.StatusCreated, out, postedList{Requests: out})
}

// readForm reads a form-encoded POST body; parameters in the query
// string count too, the body's winning.
func readForm(c *gin.Context) (url.Values, error) {
	ct := c.GetHeader("Content-Type")
	if ct != "" && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/x-www-form-urlencoded") {
		return nil, qilian.Invalid(map[string]string{"Content-Type": "must be application/x-www-form-urlencoded"})
	}
	raw, err := api.ReadBody(c)
	if err != nil {
		return nil, err
	}
	if len(raw) > maxForm {
		return nil, qilian.Errorf(qilian.ETOOLARGE, "the form is over %d bytes", maxForm)
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, qilian.Invalid(map[string]string{"body": "not a valid form-encoded body"})
	}
	query, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, qilian.Invalid(map[string]string{"query": "cannot be parsed: " + err.Error()})
	}
	for k, vs := range query {
		if _, ok := form[k]; !ok {
			form[k] = vs
		}
	}
	return form, nil
}

// tokenOf is the idempotency key of a post: the same form, less the
// api_key, from the same user on the same day is the same request.
func tokenOf(form url.Values, now time.Time) string {
	canon := url.Values{}
	for k, vs := range form {
		if k != "api_key" {
			canon[k] = vs
		}
	}
	sum := sha256.Sum256([]byte(now.UTC().Format(time.DateOnly) + "\n" + canon.Encode()))
	return tokenPrefix + hex.EncodeToString(sum[:])[:tokenLen]
}

var tokenShape = regexp.MustCompile(`^` + tokenPrefix + `[0-9a-f]{32}$`)

// postIn is a parsed POST requests form.
type postIn struct {
	APIKey       string
	Jurisdiction string
	ServiceCode  string
	Point        *qilian.Point
	Address      string
	AddressID    string
	Attributes   map[string][]string
	Email        string
	DeviceID     string
	AccountID    string
	FirstName    string
	LastName     string
	Phone        string
	Description  string
	MediaURL     string
}

// attributeKey matches attribute[CODE] and attribute[CODE][].
var attributeKey = regexp.MustCompile(`^attribute\[([A-Za-z0-9_]{1,64})\](\[\])?$`)

// parseForm reads the parameters of POST requests, naming every bad
// one. Parameters the specification does not define are ignored, as
// clients send their own; attributes must be ones some service defines.
func parseForm(form url.Values) (postIn, error) {
	f := fields{}
	p := postIn{
		APIKey: single(form, "api_key", f), Jurisdiction: single(form, "jurisdiction_id", f),
		ServiceCode: single(form, "service_code", f), Address: single(form, "address_string", f),
		AddressID: single(form, "address_id", f), Email: single(form, "email", f),
		DeviceID: single(form, "device_id", f), AccountID: single(form, "account_id", f),
		FirstName: single(form, "first_name", f), LastName: single(form, "last_name", f),
		Phone: single(form, "phone", f), Description: single(form, "description", f),
		MediaURL: single(form, "media_url", f),
	}
	if p.ServiceCode == "" {
		if _, named := f["service_code"]; !named {
			f["service_code"] = "required"
		}
	}
	lat, lng := single(form, "lat", f), single(form, "long", f)
	switch {
	case lat != "" && lng != "":
		la, err1 := strconv.ParseFloat(lat, 64)
		ln, err2 := strconv.ParseFloat(lng, 64)
		if err1 != nil || math.IsNaN(la) || la < -90 || la > 90 {
			f["lat"] = "a number of degrees from -90 to 90"
		}
		if err2 != nil || math.IsNaN(ln) || ln < -180 || ln > 180 {
			f["long"] = "a number of degrees from -180 to 180"
		}
		p.Point = &qilian.Point{Lat: la, Lng: ln}
	case lat != "" || lng != "":
		f["lat"] = "lat and long go together"
	}
	if p.Point == nil && p.Address == "" && p.AddressID == "" {
		if _, named := f["lat"]; !named {
			f["lat"] = "a location is required: lat and long, address_string or address_id"
		}
	}
	if p.AddressID != "" && !idShape.MatchString(p.AddressID) {
		f["address_id"] = "not found"
	}
	f.maxLen("address_string", p.Address, maxShort)
	f.maxLen("description", p.Description, qilian.MaxDescription)
	f.maxLen("first_name", p.FirstName, maxShort/2)
	f.maxLen("last_name", p.LastName, maxShort/2)
	f.maxLen("device_id", p.DeviceID, maxShort)
	f.maxLen("account_id", p.AccountID, maxShort)
	if p.Email != "" && (len(p.Email) > maxShort || !strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " \t\r\n")) {
		f["email"] = "an e-mail address"
	}
	if len(p.Phone) > maxPhone || strings.Trim(p.Phone, "0123456789+-() ") != "" {
		f["phone"] = fmt.Sprintf("digits, spaces and + - ( ), at most %d", maxPhone)
	}
	for k, vs := range form {
		if !strings.HasPrefix(k, "attribute[") {
			continue
		}
		m := attributeKey.FindStringSubmatch(k)
		if m == nil || !knownAttribute(m[1]) {
			f[k] = "no service has this attribute"
			continue
		}
		for _, v := range vs {
			if !api.CleanText(v) {
				f[k] = "must be UTF-8 without control characters"
			}
		}
		if m[2] == "" && len(vs) > 1 {
			f[k] = "given more than once; a multivaluelist is sent as attribute[CODE][]"
		}
		if p.Attributes == nil {
			p.Attributes = map[string][]string{}
		}
		p.Attributes[m[1]] = append(p.Attributes[m[1]], vs...)
	}
	return p, f.err()
}

// caseIn turns the post into the case API's body; the locality is the
// handler's to set. Attributes become the kind's details.
func (p postIn) caseIn(cat qilian.Category) (api.CaseIn, error) {
	f := fields{}
	in := api.CaseIn{
		Kind: cat.Kind, Category: cat.Code, Title: title(cat, p.Description), Description: p.Description,
	}
	if cat.Code == string(cat.Kind) {
		in.Category = ""
	}
	if p.Point != nil || p.Address != "" {
		in.Location = &api.LocationIn{Address: p.Address}
		if p.Point != nil {
			in.Location.Lat, in.Location.Lng = p.Point.Lat, p.Point.Lng
		}
	}
	if name := strings.TrimSpace(p.LastName + p.FirstName); name != "" || p.Phone != "" {
		in.Reporter = &api.ReporterIn{Name: name, Phone: p.Phone}
	}
	if p.MediaURL != "" {
		in.Attachments = []string{p.MediaURL}
	}
	attrs := attributesOf(cat.Kind)
	for code := range p.Attributes {
		if !slices.ContainsFunc(attrs, func(a attribute) bool { return a.Code == code }) {
			f["attribute["+code+"]"] = fmt.Sprintf("not an attribute of %s", cat.Code)
		}
	}
	value := func(a attribute) string {
		vs := p.Attributes[a.Code]
		if len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			if a.Required {
				f["attribute["+a.Code+"]"] = "required"
			}
			return ""
		}
		if a.Datatype == "singlevaluelist" && !slices.ContainsFunc(a.Values, func(v valueOut) bool { return v.Key == vs[0] }) {
			f["attribute["+a.Code+"]"] = "not one of the listed values"
		}
		return vs[0]
	}
	number := func(a attribute) int {
		v := value(a)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			f["attribute["+a.Code+"]"] = "a whole number"
		}
		return n
	}
	get := func(code string) attribute {
		for _, a := range attrs {
			if a.Code == code {
				return a
			}
		}
		panic("no attribute " + code) // the tables below name only their own codes
	}
	switch cat.Kind {
	case qilian.KindResourceSharing:
		in.Details = &api.DetailsIn{Booking: &api.BookingIn{
			ResourceID: value(get("resource_id")), OwnerUnitID: value(get("owner_unit_id")),
			From: value(get("from")), To: value(get("to")), Purpose: value(get("purpose")),
		}}
	case qilian.KindJointConsultation:
		var options []string
		for _, o := range strings.Split(value(get("options")), "\n") {
			if o = strings.TrimSpace(o); o != "" {
				options = append(options, o)
			}
		}
		var people []string
		for _, u := range strings.Split(value(get("participants")), ",") {
			if u = strings.TrimSpace(u); u != "" {
				people = append(people, u)
			}
		}
		in.Details = &api.DetailsIn{Consultation: &api.ConsultationIn{
			Question: value(get("question")), Options: options, Participants: people,
			Quorum: number(get("quorum")), Rule: qilian.VoteRule(value(get("rule"))), Deadline: value(get("deadline")),
		}}
	case qilian.KindJointActivity:
		in.Details = &api.DetailsIn{Activity: &api.ActivityIn{
			Capacity: number(get("capacity")), StartsAt: value(get("starts_at")), EndsAt: value(get("ends_at")),
			Venue: value(get("venue")),
		}}
	case qilian.KindMemberManagement:
		in.Details = &api.DetailsIn{Member: &api.MemberIn{
			Name: value(get("member_name")), Phone: value(get("member_phone")), HomeUnitID: value(get("home_unit_id")),
		}}
	}
	return in, f.err()
}

// title makes the case's title, which Open311 does not have: the
// service's name and the start of the description.
func title(cat qilian.Category, description string) string {
	d := strings.Join(strings.Fields(description), " ")
	if d == "" {
		return cat.Name
	}
	const room = 60
	if utf8.RuneCountInString(d) > room {
		d = string([]rune(d)[:room]) + "…"
	}
	return cat.Name + "：" + d
}

// renameFields names the fields of an invalid-input error by the
// Open311 parameters they came from.
func renameFields(err error, k qilian.Kind) error {
	names := map[string]string{
		"location.lat": "lat", "location.lng": "long", "location.address": "address_string",
		"locality_id": "address_id", "grid_id": "address_id", "reporter.name": "last_name",
		"reporter.phone": "phone", "attachments": "media_url", "attachments[0]": "media_url",
		"category": "service_code", "kind": "service_code", "title": "description",
	}
	for _, a := range attributesOf(k) {
		names[a.Detail] = "attribute[" + a.Code + "]"
	}
	var e *qilian.Error
	if !errors.As(err, &e) || e.Code != qilian.EINVALID || len(e.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for name, v := range e.Fields {
		if n, ok := names[name]; ok {
			name = n
		} else if part, ok := detailsPart[k]; ok && strings.HasPrefix(name, "details."+part) {
			name = "attribute[" + strings.TrimPrefix(strings.TrimPrefix(name, "details."+part), ".") + "]"
		}
		fields[name] = v
	}
	return &qilian.Error{Code: e.Code, Message: e.Message, Fields: fields}
}

// detailsPart is the name of each kind's part of the details.
var detailsPart = map[qilian.Kind]string{
	qilian.KindResourceSharing: "booking", qilian.KindJointConsultation: "consultation",
	qilian.KindJointActivity: "activity", qilian.KindMemberManagement: "member",
}

// GET requests, requests/{id} and tokens/{token}.

type requestOut struct {
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         string   `json:"address_id" xml:"address_id"`
	Zipcode           string   `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat,omitempty" xml:"lat,omitempty"`
	Long              *float64 `json:"long,omitempty" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

type requestList struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []requestOut `xml:"request"`
}

type tokenOut struct {
	ServiceRequestID string `json:"service_request_id,omitempty" xml:"service_request_id,omitempty"`
	Token            string `json:"token" xml:"token"`
}

type tokenList struct {
	XMLName  xml.Name   `xml:"service_requests"`
	Requests []tokenOut `xml:"request"`
}

// query reads a GET's query string and the caller it names: the
// jurisdiction must be this one, and the api_key one of roles'. A refusal
// is answered, and ok is false.
func (h *handler) query(c *call, roles []qilian.Role) (q url.Values, f fields, a qilian.Actor, ok bool) {
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		// Go drops a pair it cannot parse and reads on: a filter would
		// vanish and the list widen.
		c.fail(h, qilian.Invalid(map[string]string{"query": "cannot be parsed: " + err.Error()}))
		return nil, nil, qilian.Actor{}, false
	}
	f = fields{}
	key, jur := single(q, "api_key", f), single(q, "jurisdiction_id", f)
	if err := h.jurisdiction(c, jur); err != nil {
		c.fail(h, err)
		return nil, nil, qilian.Actor{}, false
	}
	a, err = h.apiKey(c, key, roles)
	if err != nil {
		c.fail(h, err)
		return nil, nil, qilian.Actor{}, false
	}
	return q, f, a, true
}

func (h *handler) listRequests(c *call) {
	q, f, a, ok := h.query(c, readers)
	if !ok {
		return
	}
	rf, err := requestFilter(q, f, h.Now())
	if err != nil {
		c.fail(h, err)
		return
	}
	rf.ScopePath = a.LocalityPath
	cases, err := h.Cases.Requests(c.Request.Context(), rf)
	if err != nil {
		c.fail(h, err)
		return
	}
	h.writeRequests(c, cases)
}

// requestFilter reads GET requests' filters. service_request_id overrides
// every other filter; without dates the last 90 days are searched, and a
// range may not be wider.
func requestFilter(q url.Values, f fields, now time.Time) (qilian.RequestFilter, error) {
	var rf qilian.RequestFilter
	list := func(name string) []string {
		var out []string
		for _, v := range strings.Split(single(q, name, f), ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	if ids := list("service_request_id"); len(ids) > 0 {
		for _, id := range ids {
			if !idShape.MatchString(id) {
				f["service_request_id"] = "comma-separated request IDs"
			}
		}
		if len(ids) > maxList {
			f["service_request_id"] = fmt.Sprintf("at most %d", maxList)
		}
		rf.IDs = ids
		return rf, f.err()
	}
	for _, code := range list("service_code") {
		if _, ok := qilian.CategoryByCode(code); !ok {
			f["service_code"] = "unknown service_code " + strconv.Quote(code)
		}
		rf.Categories = append(rf.Categories, code)
	}
	wanted := map[bool]bool{}
	for _, s := range list("status") {
		if !slices.Contains(statuses, s) {
			f["status"] = "open, closed or both, comma-separated"
		}
		wanted[s == "open"] = true
	}
	if len(wanted) == 1 {
		open := wanted[true]
		rf.Open = &open
	}
	date := func(name string) time.Time {
		v := single(q, name, f)
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			f[name] = "a W3C datetime such as 2026-01-02T15:04:05+08:00"
		}
		return t
	}
	from, to := date("start_date"), date("end_date")
	switch {
	case from.IsZero() && to.IsZero():
		to = now
		from = to.Add(-window)
	case to.IsZero():
		to = from.Add(window)
	case from.IsZero():
		from = to.Add(-window)
	case !from.Before(to):
		f["end_date"] = "must be after start_date"
	case to.Sub(from) > window:
		f["end_date"] = "at most 90 days after start_date"
	}
	// end_date is inclusive in the specification; the store's bound is not.
	rf.From, rf.To = from, to.Add(time.Microsecond)
	return rf, f.err()
}

func (h *handler) getRequest(c *call) {
	_, _, a, ok := h.query(c, readers)
	if !ok {
		return
	}
	missing := qilian.Errorf(qilian.ENOTFOUND, "service_request_id %s not found", c.param)
	if !idShape.MatchString(c.param) {
		c.fail(h, missing)
		return
	}
	cases, err := h.Cases.Requests(c.Request.Context(), qilian.RequestFilter{ScopePath: a.LocalityPath, IDs: []string{c.param}})
	if err == nil && len(cases) == 0 {
		err = missing
	}
	if err != nil {
		c.fail(h, err)
		return
	}
	h.writeRequests(c, cases)
}

func (h *handler) getToken(c *call) {
	_, _, a, ok := h.query(c, posters)
	if !ok {
		return
	}
	missing := qilian.Errorf(qilian.ENOTFOUND, "token %s not found", c.param)
	if !tokenShape.MatchString(c.param) {
		c.fail(h, missing)
		return
	}
	ctx := c.Request.Context()
	id, err := h.Cases.IdempotentCase(ctx, a.UserID, c.param)
	if errors.Is(err, qilian.ErrNotFound) {
		err = missing
	}
	if err != nil {
		c.fail(h, err)
		return
	}
	out := []tokenOut{{Token: c.param}}
	// A claimed token whose case the engine has not opened yet (it was
	// down) is pending: no service_request_id until a retry opens it.
	switch _, err := h.Cases.CaseSnapshot(ctx, id); {
	case err == nil:
		out[0].ServiceRequestID = id
	case !errors.Is(err, qilian.ErrNotFound):
		c.fail(h, err)
		return
	}
	c.write(http.StatusOK, out, tokenList{Requests: out})
}

// writeRequests answers cases as service requests, naming each lead unit.
func (h *handler) writeRequests(c *call, cases []qilian.Case) {
	units := map[string]string{}
	out := make([]requestOut, 0, len(cases))
	for _, cs := range cases {
		r := viewRequest(cs)
		if id := leadUnit(cs); id != "" {
			name, ok := units[id]
			if !ok {
				u, err := h.Places.Unit(c.Request.Context(), id)
				switch {
				case err == nil:
					name = u.Name
				case !errors.Is(err, qilian.ErrNotFound):
					c.fail(h, err)
					return
				}
				units[id] = name
			}
			r.AgencyResponsible = name
		}
		out = append(out, r)
	}
	c.write(http.StatusOK, out, requestList{Requests: out})
}

// w3c writes a time as the specification's W3C datetime, in the
// district's zone; zero is empty.
func w3c(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format(time.RFC3339)
}

func viewRequest(c qilian.Case) requestOut {
	r := requestOut{
		ServiceRequestID: c.ID, Status: "open", StatusNotes: statusNotes(c),
		ServiceName: c.CategoryName(), ServiceCode: c.CategoryCode(), Description: c.Description,
		RequestedDatetime: w3c(c.OpenedAt), UpdatedDatetime: w3c(c.UpdatedAt),
		Address: c.Location.Address, AddressID: c.LocalityID,
	}
	if c.State.Terminal() {
		r.Status = "closed"
	}
	if c.Location.Lat != 0 || c.Location.Lng != 0 {
		lat, lng := c.Location.Lat, c.Location.Lng
		r.Lat, r.Long = &lat, &lng
	}
	if len(c.Attachments) > 0 {
		r.MediaURL = c.Attachments[0]
	}
	if t := leadTask(c); t != nil && !c.State.Terminal() && t.State.Open() {
		r.ExpectedDatetime = w3c(t.ResolveBy.Due)
	}
	return r
}

// leadTask is the lead unit's current task: the last one that was not
// handed on, else the last lead task.
func leadTask(c qilian.Case) *qilian.Task {
	var last *qilian.Task
	for i := range c.Tasks {
		t := &c.Tasks[i]
		if t.Role != qilian.TaskLead {
			continue
		}
		switch t.State {
		case qilian.TaskReturned, qilian.TaskReassigned, qilian.TaskWithdrawn:
			if last == nil {
				last = t
			}
		default:
			last = t
		}
	}
	return last
}

func leadUnit(c qilian.Case) string {
	if t := leadTask(c); t != nil {
		return t.UnitID
	}
	return ""
}

// stateNotes says in Chinese where a case stands.
var stateNotes = map[qilian.CaseState]string{
	qilian.CaseSubmitted:   "已提交",
	qilian.CaseTriage:      "已受理，待分派",
	qilian.CaseDispatching: "已分派，待承办单位接单",
	qilian.CaseInProgress:  "承办单位办理中",
	qilian.CaseVerifying:   "承办单位已办结，待核查",
	qilian.CaseFollowUp:    "已核查，待回访",
	qilian.CaseCancelled:   "已撤销",
}

var resolutionNotes = map[qilian.Resolution]string{
	qilian.ResolutionResolved:  "已办结",
	qilian.ResolutionInvalid:   "经核实不属于受理范围，已关闭",
	qilian.ResolutionDuplicate: "重复诉求，已并案处理",
	qilian.ResolutionReferred:  "已转其他渠道办理",
	qilian.ResolutionDeclined:  "申请未获同意",
}

func statusNotes(c qilian.Case) string {
	note := stateNotes[c.State]
	if c.State == qilian.CaseClosed {
		note = resolutionNotes[c.Resolution]
		if note == "" {
			note = "已关闭"
		}
	}
	if c.Overdue && !c.State.Terminal() {
		note += "（已超期）"
	}
	if t := leadTask(c); t != nil && t.Result != "" {
		note += "。办理结果：" + t.Result
	}
	return note
}
