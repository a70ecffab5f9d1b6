package fuzz_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzOpen311Form posts arbitrary bodies to POST requests: whatever the
// form holds, the answer is never a 5xx and always the specification's
// shape: a created request or a list of errors whose code is the status.
// "KEY" in a body stands for a grid worker's api_key.
//
// Long run: go test ./api/fuzz/ -run '^$' -fuzz '^FuzzOpen311Form$' -fuzztime 10m
func FuzzOpen311Form(f *testing.F) {
	r, key := gridWorkerRouter(f)

	seeds := []string{
		"",
		"api_key=KEY&service_code=service_linkage.repair&lat=30.7522&long=120.7623&description=%E7%81%AF%E5%9D%8F%E4%BA%86",
		"api_key=KEY&service_code=service_linkage&address_string=x&first_name=a&last_name=b&phone=138&email=a@b&media_url=https://e.org/a.jpg",
		"api_key=KEY&service_code=joint_activity&address_id=dongzha-g1&attribute[capacity]=3&attribute[starts_at]=2030-01-01T00:00:00Z&attribute[ends_at]=2030-01-02T00:00:00Z",
		"api_key=KEY&service_code=joint_consultation&address_string=x&attribute[options][]=a&attribute[options][]=b&attribute[rule]=majority&attribute[quorum]=-1",
		"api_key=KEY&service_code=member_management&lat=NaN&long=Inf&attribute[member_name]=%00",
		"api_key=KEY&service_code=resource_sharing&lat=1e400&long=-0&attribute[from]=x&attribute[to]=y",
		"api_key=KEY&api_key=KEY&service_code=&lat=&long=&jurisdiction_id=nanhu&jurisdiction_id=..",
		"api_key=nope&service_code=problem_solving&address_id=%2F%2F&description=" + strings.Repeat("%E9%95%BF", 5000),
		"%zz&=&&attribute[=1&attribute[]]=2&attribute[capacity][][]=3",
	}
	for _, seed := range seeds {
		f.Add(seed)
	}
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/open311/v2/requests.json", strings.NewReader(strings.ReplaceAll(body, "KEY", key)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	// The fixture can open a case at all, so the fuzzer reaches the end.
	if w := post(seeds[1]); w.Code != http.StatusCreated {
		f.Fatalf("a valid form answered %d: %s", w.Code, w.Body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		w := post(body)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if w.Code == http.StatusCreated {
			var out []struct {
				ID string `json:"service_request_id"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out) != 1 || out[0].ID == "" {
				t.Fatalf("created, but the answer is %s", w.Body)
			}
			return
		}
		var errs []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &errs); err != nil || len(errs) == 0 {
			t.Fatalf("status %d with no error list: %s", w.Code, w.Body)
		}
		for _, e := range errs {
			if e.Code != w.Code || e.Description == "" {
				t.Fatalf("error %+v under status %d", e, w.Code)
			}
		}
	})
}
