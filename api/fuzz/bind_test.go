package fuzz_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCaseBody posts arbitrary bodies under arbitrary media types to POST
// /api/v1/cases, as a grid worker, through the real router and read model
// with cases opened by the domain's own rules: whatever comes, the answer
// is a case (201 with its Location) or a 4xx in the one error shape, never
// a panic, a 5xx or anything else. FuzzOpenCase in the api package sends
// bodies to the real engine; this one is for long runs of the decoder.
//
// Long run: go test ./api/fuzz/ -run '^$' -fuzz '^FuzzCaseBody$' -fuzztime 10m
func FuzzCaseBody(f *testing.F) {
	r, token := gridWorkerRouter(f)

	nest := func(depth int, inner string) string {
		return strings.Repeat("[", depth) + inner + strings.Repeat("]", depth)
	}
	valid := `{"kind":"service_linkage","title":"楼道堆物","locality_id":"dongzha-g1","reporter":{"name":"李阿姨","phone":"13800000000"}}`
	for _, s := range []struct{ contentType, body string }{
		{"application/json", valid},
		{"application/json; charset=utf-8", valid},
		{"application/json; charset=gbk", valid},
		{"text/plain", valid},
		{"application/x-www-form-urlencoded", "kind=service_linkage&title=x"},
		{"", valid},
		{"", ""},
		{"application/json", ""},
		{"application/json", `{"kind":"service_linkage","title":"x","zz":` + nest(100, "") + `}`},
		{"application/json", `{"zz":[` + strings.Repeat(nest(60, "")+",", 50) + `[]],"kind":"service_linkage"}`},
		{"application/json", `{"kind":"service_linkage","title":[` + nest(60, `"\u0000"`) + `]}`},
		{"application/json", `{"kind":"service_linkage","title":"x","locality_id":"dongzha-g1","details":{"booking":{"color":"red"}}}`},
		{"application/json", `{"kind":"service_linkage","ti\u0001tle":"x"}`},
		{"application/json", `{"kind":"service_linkage","title":"\"[{\\\"","attachments":["\u0000"]}`},
		{"application/json", `{"kind":"service_linkage","title":"x","locality_id":"dongzha-g1","location":{"lat":1e400}}`},
		{"application/json", `{"kind":"service_linkage"} {}`},
		{"application/json", `[` + nest(70, "") + `]`},
		{"application/json", `{"a":"\`},
	} {
		f.Add(s.contentType, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/cases", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		switch {
		case w.Code == http.StatusCreated:
			if w.Header().Get("Location") == "" || !json.Valid(w.Body.Bytes()) {
				t.Fatalf("created, but without a Location or JSON: %s", w.Body)
			}
			return
		case w.Code < 400 || w.Code >= 500:
			t.Fatalf("status %d for %q %q: %s", w.Code, contentType, body, w.Body)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(w.Body.Bytes(), &top); err != nil || len(top) != 1 || top["error"] == nil {
			t.Fatalf("status %d without the error shape: %s", w.Code, w.Body)
		}
		dec := json.NewDecoder(bytes.NewReader(top["error"]))
		dec.DisallowUnknownFields()
		var e struct {
			Code      string            `json:"code"`
			Message   string            `json:"message"`
			MessageZH string            `json:"message_zh"`
			Fields    map[string]string `json:"fields"`
		}
		if err := dec.Decode(&e); err != nil || e.Code == "" || e.Message == "" || e.MessageZH == "" {
			t.Fatalf("status %d with a malformed error: %s", w.Code, w.Body)
		}
	})
}
