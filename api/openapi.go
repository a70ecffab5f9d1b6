package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/points"
)

// document is the OpenAPI 3.0 description of routes, written from the
// route table and the request and response types, so that it says what
// the router does.
func document(routes []route) map[string]any {
	g := &schemaSet{names: map[reflect.Type]string{}, defs: map[string]any{}}
	errorRef := g.of(reflect.TypeFor[errorBody]())
	paths := map[string]any{}
	var tags []string
	for _, rt := range routes {
		p := openAPIPath(rt.Path)
		item, ok := paths[p].(map[string]any)
		if !ok {
			item = map[string]any{}
			paths[p] = item
		}
		op := map[string]any{"operationId": rt.ID, "summary": rt.Summary, "tags": []string{rt.Tag}}
		if !contains(tags, rt.Tag) {
			tags = append(tags, rt.Tag)
		}
		var params []any
		for _, seg := range strings.Split(rt.Path, "/") {
			if name, ok := strings.CutPrefix(seg, ":"); ok {
				params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		for _, q := range rt.Query {
			s := map[string]any{"type": q.Type}
			if q.Enum != nil {
				s = enumSchema(q.Enum, q.Labels)
			}
			if q.Format != "" {
				s["format"] = q.Format
			}
			in := q.In
			if in == "" {
				in = "query"
			}
			pm := map[string]any{"name": q.Name, "in": in, "schema": s}
			if q.Doc != "" {
				pm["description"] = q.Doc
			}
			params = append(params, pm)
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Multipart {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{
				"schema": map[string]any{"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}},
			}}}
		}
		if rt.Body != nil {
			op["requestBody"] = map[string]any{
				"required": !rt.BodyOptional,
				"content":  map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(rt.Body))}},
			}
		}
		responses := map[string]any{}
		ok200 := map[string]any{"description": http.StatusText(rt.Status)}
		switch {
		case rt.Content != "":
			ok200["content"] = map[string]any{rt.Content: map[string]any{"schema": map[string]any{"type": "string"}}}
		case rt.Resp != nil:
			ok200["content"] = map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(rt.Resp))}}
		}
		responses[strconv.Itoa(rt.Status)] = ok200
		for _, st := range rt.Errors {
			responses[strconv.Itoa(st)] = map[string]any{
				"description": http.StatusText(st),
				"content":     map[string]any{"application/json": map[string]any{"schema": errorRef}},
			}
		}
		responses["default"] = map[string]any{
			"description": "Unexpected error; the body never carries internal details",
			"content":     map[string]any{"application/json": map[string]any{"schema": errorRef}},
		}
		op["responses"] = responses
		if !rt.Public {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["x-roles"] = enumOf(rt.Roles)
		}
		item[strings.ToLower(rt.Method)] = op
	}
	tagList := make([]any, len(tags))
	for i, t := range tags {
		tagList[i] = map[string]any{"name": t}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Qilian 七联 case API",
			"version": "1",
			"description": "Cases that cross organizational lines in urban grassroots governance (一轴七联). " +
				"Authenticate with Authorization: Bearer <token>. A caller sees and acts only inside their place: " +
				"what lies outside answers 404, exactly as if it did not exist; 403 means the caller's role may never use the route. " +
				"Request bodies are strict JSON (unknown fields are refused, at most 1 MiB). " +
				"Every error has the shape {\"error\": {\"code\", \"message\", \"fields\"}}.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"schemas":         g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

// openAPIPath turns gin's :name into OpenAPI's {name}.
func openAPIPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

// schemaSet writes JSON schemas for Go types, named structs once each
// under components/schemas.
type schemaSet struct {
	names map[reflect.Type]string
	defs  map[string]any
}

// enum is a string type whose values are a closed list, and the family
// of GET /api/v1/labels whose terms name them: the schema says both
// (x-labels), so a client builds a choice from the enum and names each
// option from the labels, keeping no names of its own.
type enum struct {
	values []string
	labels string
}

// enums are the string types whose values are a closed list.
var enums = map[reflect.Type]enum{
	reflect.TypeFor[qilian.Kind]():       {enumOf(qilian.Kinds()), "kind"},
	reflect.TypeFor[qilian.CaseState]():  {enumOf(qilian.CaseStates()), "case_state"},
	reflect.TypeFor[qilian.TaskState]():  {enumOf(qilian.TaskStates()), "task_state"},
	reflect.TypeFor[qilian.Priority]():   {enumOf(qilian.Priorities()), "priority"},
	reflect.TypeFor[qilian.Role]():       {enumOf(qilian.Roles()), "role"},
	reflect.TypeFor[qilian.TaskRole]():   {enumOf([]qilian.TaskRole{qilian.TaskLead, qilian.TaskCo}), "task_role"},
	reflect.TypeFor[qilian.Clock]():      {enumOf([]qilian.Clock{qilian.ClockWall, qilian.ClockWorking}), "clock"},
	reflect.TypeFor[qilian.VoteRule]():   {enumOf([]qilian.VoteRule{qilian.RuleMajority, qilian.RuleTwoThirds, qilian.RuleUnanimity}), "vote_rule"},
	reflect.TypeFor[qilian.ActionName](): {actionNames(), "action"},
	reflect.TypeFor[qilian.Duty]():       {enumOf(qilian.Duties()), "duty"},
	reflect.TypeFor[qilian.EventType]():  {enumOf(qilian.EventTypes()), "event"},
	reflect.TypeFor[qilian.PointsKind](): {enumOf(qilian.PointsKinds()), "points_kind"},
	reflect.TypeFor[points.Source](): {enumOf([]points.Source{points.SourceEvent, points.SourceEntry, points.SourceCapped, points.SourceFloored}),
		"line_source"},
	reflect.TypeFor[qilian.ReturnReason](): {enumOf([]qilian.ReturnReason{qilian.ReturnNotOurDuty, qilian.ReturnWrongLocation, qilian.ReturnInsufficientInfo, qilian.ReturnDuplicate, qilian.ReturnBeyondCapacity, qilian.ReturnOther}), "return_reason"},
	reflect.TypeFor[qilian.Resolution]():   {enumOf([]qilian.Resolution{qilian.ResolutionResolved, qilian.ResolutionInvalid, qilian.ResolutionDuplicate, qilian.ResolutionReferred, qilian.ResolutionDeclined}), "resolution"},
	reflect.TypeFor[qilian.Level](): {enumOf([]qilian.Level{qilian.LevelCounty, qilian.LevelStreet, qilian.LevelCommunity, qilian.LevelCompound,
		qilian.LevelBuilding, qilian.LevelBusinessDistrict, qilian.LevelSocialOrg, qilian.LevelGrid}), "level"},
	reflect.TypeFor[qilian.UnitType](): {enumOf([]qilian.UnitType{qilian.UnitAgency, qilian.UnitSOE, qilian.UnitCompany, qilian.UnitSchool,
		qilian.UnitHospital, qilian.UnitProperty, qilian.UnitSocialOrg, qilian.UnitInstitute}), "unit_type"},
	reflect.TypeFor[qilian.BookingState](): {enumOf([]qilian.BookingState{qilian.BookingRequested, qilian.BookingApproved, qilian.BookingDeclined,
		qilian.BookingInUse, qilian.BookingReturned, qilian.BookingFulfilled, qilian.BookingCancelled}), "booking_state"},
}

// enumSchema is the schema of a string taking one of values, named by
// the labels family when there is one.
func enumSchema(values []string, labels string) map[string]any {
	s := map[string]any{"type": "string", "enum": values}
	if labels != "" {
		s["x-labels"] = labels
	}
	return s
}

func actionNames() []string {
	var out []string
	for _, ar := range actionRoutes() {
		out = append(out, string(ar.Name))
	}
	return out
}

// of is the schema of t: a reference for a named struct, inline otherwise.
func (g *schemaSet) of(t reflect.Type) map[string]any {
	t = indirect(t)
	if e, ok := enums[t]; ok {
		return enumSchema(e.values, e.labels)
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Struct && opaque(t):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		name := schemaName(t)
		if have, ok := g.names[t]; !ok {
			if _, taken := g.defs[name]; taken {
				panic(fmt.Sprintf("openapi: two types are named %s", name))
			}
			g.names[t] = name
			g.defs[name] = map[string]any{} // a placeholder against recursion
			g.defs[name] = g.object(t)
		} else {
			name = have
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{} // any JSON value
}

func (g *schemaSet) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for _, f := range orderedFields(t) {
		s := g.of(f.Type)
		if f.Enum != nil { // a field narrower than its type, or a plain string
			s = enumSchema(f.Enum, enums[indirect(f.Type)].labels)
		}
		if f.Doc != "" || f.Nullable {
			if _, ref := s["$ref"]; ref {
				s = map[string]any{"allOf": []any{s}}
			}
		}
		if f.Doc != "" {
			s["description"] = f.Doc
		}
		if f.Nullable {
			s["nullable"] = true
		}
		if f.Choices != "" {
			s["x-choices"] = f.Choices
		}
		props[f.Name] = s
		if f.Required {
			required = append(required, f.Name)
		}
	}
	o := map[string]any{"type": "object", "properties": props}
	if required != nil {
		o["required"] = required
	}
	return o
}

// indirect is the type a pointer type points to, through any number of
// pointers.
func indirect(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// schemaName is the type's name with a capital: caseView is CaseView.
func schemaName(t reflect.Type) string {
	n := t.Name()
	return strings.ToUpper(n[:1]) + n[1:]
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err)) // plain maps and strings always encode
	}
	return b
}
