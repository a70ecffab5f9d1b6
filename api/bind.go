package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// MaxBody is the largest request body the API reads; a larger one is
// answered 413 before it is decoded.
const MaxBody = 1 << 20

// maxPage is the largest page a list answers.
const maxPage = qilian.MaxPageSize

// Limits on free text the domain does not bound itself, in characters.
const (
	maxNote       = qilian.MaxDescription
	maxShort      = 200 // names, options, posts, addresses
	maxPhone      = 32
	maxURL        = 2048
	maxAttachment = 10
)

// ReadBody reads the request body up to MaxBody; a longer one is
// ETOOLARGE. The case API reads its bodies through it, and a protocol
// beside it does too, for the same limit and the same refusal.
func ReadBody(c *gin.Context) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, qilian.Errorf(qilian.ETOOLARGE, "the body is over %d bytes", MaxBody)
	case err != nil:
		return nil, qilian.Errorf(qilian.EINVALID, "the body could not be read")
	}
	return b, nil
}

// jsonBody refuses a body whose Content-Type is not application/json
// (parameters allowed; a charset only if UTF-8) with 415, before anything
// reads it: a form or text body is never guessed at. The protocols
// mounted beside the case API do not pass here: Open311 reads forms, as
// its specification says.
func (h *handler) jsonBody(c *gin.Context) {
	if hasBody(c.Request) && !isJSON(c.GetHeader("Content-Type")) {
		h.fail(c, qilian.Errorf(qilian.EUNSUPPORTED, "a request body must be JSON, sent as Content-Type: application/json"))
		return
	}
	c.Next()
}

// hasBody reports whether r carries a body of at least one byte. When the
// length is unknown (chunked), it reads the first byte and puts it back.
func hasBody(r *http.Request) bool {
	switch {
	case r.ContentLength > 0:
		return true
	case r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody:
		return false
	}
	var first [1]byte
	n, _ := io.ReadFull(r.Body, first[:])
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(first[:n]), r.Body), r.Body}
	return n > 0
}

// isJSON reports whether a Content-Type header names JSON in UTF-8.
func isJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// bind reads the body and decodes it strictly into dst, a pointer to a
// request struct. An empty body stands for {} when emptyOK. It answers the
// error itself and reports whether the handler may go on.
func (h *handler) bind(c *gin.Context, dst any, emptyOK bool) bool {
	raw, err := ReadBody(c)
	if err == nil {
		if emptyOK && len(bytes.TrimSpace(raw)) == 0 {
			raw = []byte("{}")
		}
		err = decodeStrict(raw, dst)
	}
	if err != nil {
		h.fail(c, err)
		return false
	}
	return true
}

// maxDepth is the deepest a body may nest arrays and objects. Real bodies
// nest a handful of levels; a deeper one is refused before it is decoded.
const maxDepth = 64

// decodeStrict decodes exactly one JSON object into dst. Unknown fields
// (matched case-sensitively, at any depth) and text with control
// characters are refused, the first of them named by its path; then values
// of the wrong type. Each check is one pass over the body that stops at
// the first problem, so that what a body costs grows with its size alone,
// however it nests.
func decodeStrict(raw []byte, dst any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return qilian.Invalid(map[string]string{"body": "required: a JSON object"})
	}
	if !utf8.Valid(raw) {
		return qilian.Invalid(map[string]string{"body": "must be UTF-8"})
	}
	if tooDeep(raw, maxDepth) {
		return qilian.Invalid(map[string]string{"body": fmt.Sprintf("nests arrays and objects deeper than %d levels", maxDepth)})
	}
	// The syntax first, without building anything: the checks below read
	// the body as a stream of tokens and trust it to be well formed.
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(new(skipValue)); err != nil {
		return qilian.Invalid(map[string]string{"body": "malformed JSON: " + syntaxMessage(err)})
	}
	if _, err := dec.Token(); err != io.EOF {
		return qilian.Invalid(map[string]string{"body": "must hold exactly one JSON value"})
	}
	if bytes.TrimLeft(raw, " \t\r\n")[0] != '{' {
		return qilian.Invalid(map[string]string{"body": "must be a JSON object"})
	}
	if field, problem := check(raw, reflect.TypeOf(dst)); problem != "" {
		return qilian.Invalid(map[string]string{field: problem})
	}
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			name := te.Field
			if name == "" {
				name = "body"
			}
			return qilian.Invalid(map[string]string{name: "must be " + jsonType(te.Type)})
		}
		return qilian.Invalid(map[string]string{"body": "malformed JSON: " + syntaxMessage(err)})
	}
	return nil
}

// skipValue is a decoding target that keeps nothing, for checking syntax.
type skipValue struct{}

func (*skipValue) UnmarshalJSON([]byte) error { return nil }

// tooDeep reports whether raw nests arrays and objects deeper than limit,
// counting brackets outside strings in one pass.
func tooDeep(raw []byte, limit int) bool {
	depth, inString, escaped := 0, false, false
	for _, b := range raw {
		switch {
		case escaped:
			escaped = false
		case inString && b == '\\':
			escaped = true
		case b == '"':
			inString = !inString
		case inString:
		case b == '[' || b == '{':
			if depth++; depth > limit {
				return true
			}
		case b == ']' || b == '}':
			depth--
		}
	}
	return false
}

// syntaxMessage says where the JSON broke, without echoing the input.
func syntaxMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of input"
	}
	return "cannot be decoded"
}

// check reads raw, a well-formed JSON object, as a stream against the Go
// type t and returns the first problem and the path of the field it is in
// (details.booking.color, assignments[0].x): a key t has no JSON field
// for, or text with a control character other than tab, CR and LF.
// People never type those, and PostgreSQL cannot store NUL in text: let
// in, one would poison the projection of a case. Text is checked at every
// depth, also where the type does not go.
func check(raw []byte, t reflect.Type) (field, problem string) {
	w := &walker{dec: json.NewDecoder(bytes.NewReader(raw)), fields: map[reflect.Type]map[string]jsonField{}}
	w.dec.UseNumber() // any number is a token here; its range is the decoder's to check
	w.value(t)
	return w.field, w.problem
}

// walker is the state of check. The path is a stack of segments, rendered
// only for the problem reported: building it at every level would cost
// the square of the depth.
type walker struct {
	dec            *json.Decoder
	path           []segment
	fields         map[reflect.Type]map[string]jsonField // by struct type, computed once
	field, problem string
}

// segment is a key, or an index when index >= 0.
type segment struct {
	key   string
	index int
}

// value reads the next value, for the Go type t (nil where the type does
// not go), and reports whether the walk may go on.
func (w *walker) value(t reflect.Type) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := w.dec.Token()
	if err != nil {
		return w.fail("body", "malformed JSON: "+syntaxMessage(err))
	}
	switch tok := tok.(type) {
	case string:
		if !CleanText(tok) {
			return w.fail(w.at(), "must not hold control characters")
		}
	case json.Delim:
		switch tok {
		case '{':
			return w.object(t)
		case '[':
			return w.array(t)
		}
	}
	return true
}

func (w *walker) object(t reflect.Type) bool {
	var known map[string]jsonField
	var elem reflect.Type
	switch {
	case t == nil:
	case t.Kind() == reflect.Struct && !opaque(t):
		if known = w.fields[t]; known == nil {
			known = jsonFields(t)
			w.fields[t] = known
		}
	case t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	for w.dec.More() {
		tok, err := w.dec.Token()
		k, ok := tok.(string)
		if err != nil || !ok {
			return w.fail("body", "malformed JSON: an object key is not a string")
		}
		if !CleanText(k) {
			return w.fail(w.at(), "keys must not hold control characters")
		}
		w.path = append(w.path, segment{key: k, index: -1})
		sub := elem
		if known != nil {
			f, ok := known[k]
			if !ok {
				return w.fail(w.at(), "unknown field")
			}
			sub = f.Type
		}
		if !w.value(sub) {
			return false
		}
		w.path = w.path[:len(w.path)-1]
	}
	return w.end()
}

func (w *walker) array(t reflect.Type) bool {
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	for i := 0; w.dec.More(); i++ {
		w.path = append(w.path, segment{index: i})
		if !w.value(elem) {
			return false
		}
		w.path = w.path[:len(w.path)-1]
	}
	return w.end()
}

// end reads the delimiter that closes an object or array.
func (w *walker) end() bool {
	if _, err := w.dec.Token(); err != nil {
		return w.fail("body", "malformed JSON: "+syntaxMessage(err))
	}
	return true
}

// fail records the problem and stops the walk.
func (w *walker) fail(field, problem string) bool {
	w.field, w.problem = field, problem
	return false
}

// at renders the current path; the body itself has the name "body".
func (w *walker) at() string {
	var b strings.Builder
	for _, s := range w.path {
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// CleanText reports whether s is UTF-8 without control characters other
// than tab, newline and carriage return: text the case API takes, in any
// field. People never type the others, and PostgreSQL cannot store NUL.
func CleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return false
		}
	}
	return true
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	Name      string
	Type      reflect.Type
	OmitEmpty bool
	Required  bool
	Doc       string
	// Enum is the values the field's enum tag narrows it to (documented;
	// the handler checks them).
	Enum []string
	// Nullable fields may be null (a response's pointer without
	// omitempty).
	Nullable bool
	// Choices is where in a case's details the field's values are found
	// (for example "consultation.options"): documented as x-choices, so a
	// form offers what the case holds instead of a blank to type into.
	Choices string
}

// enumTag splits an enum tag, "dispatch,remind,close"; nil when empty.
func enumTag(tag string) []string {
	if tag == "" {
		return nil
	}
	return strings.Split(tag, ",")
}

// jsonFields lists t's JSON fields by name, promoting the fields of
// untagged embedded structs as encoding/json does.
func jsonFields(t reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for _, f := range orderedFields(t) {
		out[f.Name] = f
	}
	return out
}

// orderedFields lists t's JSON fields in declaration order.
func orderedFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				out = append(out, orderedFields(et)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{
			Name: name, Type: f.Type,
			OmitEmpty: strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero"),
			Required:  f.Tag.Get("required") == "true",
			Doc:       f.Tag.Get("doc"),
			Enum:      enumTag(f.Tag.Get("enum")),
			Nullable:  f.Tag.Get("nullable") == "true",
			Choices:   f.Tag.Get("choices"),
		})
	}
	return out
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	textMarshalerType = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
)

// opaque reports whether a struct type encodes as a JSON scalar.
func opaque(t reflect.Type) bool {
	return t == timeType || t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)
}

// jsonType names the JSON type a Go type decodes from, for messages.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map:
		return "an object"
	case reflect.Struct:
		if opaque(t) {
			return "a string"
		}
		return "an object"
	}
	return "another type"
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// queryParams parses the common query parameters into typed values,
// naming each bad one.
type queryParams struct {
	c      *gin.Context
	fields map[string]string
}

// newQuery starts parsing the request's query, which may name only the
// parameters in allowed, each at most once: a misspelt filter is an error,
// not a silently wider list.
func newQuery(c *gin.Context, allowed ...string) *queryParams {
	q := &queryParams{c: c, fields: map[string]string{}}
	values, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		// Go drops a pair it cannot parse (a;b, a bad %-escape) and reads
		// on, and gin with it: the filter would vanish and the list widen.
		q.fields["query"] = "cannot be parsed: " + err.Error()
	}
	for k, vs := range values {
		switch {
		case !contains(allowed, k):
			q.fields[k] = "unknown parameter"
		case len(vs) > 1:
			q.fields[k] = "given more than once"
		}
	}
	return q
}

func (q *queryParams) str(name string, max int) string {
	v := q.c.Query(name)
	switch {
	case !CleanText(v):
		q.fields[name] = "must be UTF-8 without control characters"
	case utf8.RuneCountInString(v) > max:
		q.fields[name] = fmt.Sprintf("at most %d characters", max)
	}
	return v
}

func (q *queryParams) boolean(name string) *bool {
	switch v := q.c.Query(name); v {
	case "":
		return nil
	case "true":
		return new(true)
	case "false":
		return new(false)
	default:
		q.fields[name] = "must be true or false"
		return nil
	}
}

func (q *queryParams) limit() int {
	v := q.c.Query("limit")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPage {
		q.fields["limit"] = fmt.Sprintf("a whole number from 1 to %d", maxPage)
	}
	return n
}

func (q *queryParams) time(name string) time.Time {
	v := q.c.Query(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		q.fields[name] = "must be an RFC 3339 time such as 2026-01-02T15:04:05+08:00"
	}
	return t
}

func (q *queryParams) err() error {
	if len(q.fields) > 0 {
		return qilian.Invalid(q.fields)
	}
	return nil
}
