package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
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
	"github.com/qilian/qilian/workflows/enginetest"
)

// o311Env is Open311 beside the case API, as the binary mounts it, on a
// running engine with the demo district loaded.
type o311Env struct {
	env *enginetest.Env
	r   *gin.Engine
}

func start(t *testing.T) *o311Env {
	t.Helper()
	e := &o311Env{env: enginetest.Start(t, enginetest.Options{})}
	return e.at(0)
}

// at returns the same router with Open311's clock moved by d.
func (a *o311Env) at(d time.Duration) *o311Env {
	o := open311.Server{Log: enginetest.Quiet(), Now: func() time.Time { return time.Now().Add(d) }}.WithStore(a.env.DB)
	s := api.Server{Engine: a.env.Engine, Log: enginetest.Quiet(), Protocols: []api.Protocol{o}}.WithStore(a.env.DB)
	return &o311Env{env: a.env, r: api.New(s)}
}

// o311 sends an Open311 request: a GET with the query, or a POST with the
// form in the body, form-encoded.
func (a *o311Env) o311(method, path string, form url.Values, headers ...string) answer {
	var body []byte
	if method == http.MethodGet {
		if len(form) > 0 {
			path += "?" + form.Encode()
		}
	} else {
		body = []byte(form.Encode())
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	a.r.ServeHTTP(w, req)
	return answer{w}
}

// answer is a recorded Open311 answer.
type answer struct{ *httptest.ResponseRecorder }

// act takes an action on a case as a demo user, through the engine: what
// Open311 then answers about the case is what is tested.
func (a *o311Env) act(t *testing.T, user, caseID string, act qilian.Action) {
	t.Helper()
	act.Actor = a.env.Actor(t, user)
	_, err := a.env.Engine.Act(context.Background(), caseID, act)
	require.NoError(t, err)
}

// form builds url.Values from name, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
			continue
		}
		out.Set(kv[i], kv[i+1])
	}
	return out
}

type o311Err struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

// decode311 decodes an Open311 answer in its format: JSON into v, or XML
// into v after checking the root element's name.
func decode311(t *testing.T, r answer, ext, root string, v any) {
	t.Helper()
	body := r.Body.Bytes()
	if ext == "xml" {
		require.Contains(t, r.Header().Get("Content-Type"), "text/xml", "%s", body)
		require.True(t, bytes.HasPrefix(body, []byte("<?xml")), "%s", body)
		var top struct{ XMLName xml.Name }
		require.NoError(t, xml.Unmarshal(body, &top), "%s", body)
		require.Equal(t, root, top.XMLName.Local, "%s", body)
		require.NoError(t, xml.Unmarshal(body, v), "%s", body)
		return
	}
	require.Contains(t, r.Header().Get("Content-Type"), "application/json", "%s", body)
	require.NoError(t, json.Unmarshal(body, v), "%s", body)
}

// fails311 requires the status and the specification's error list, each
// entry's code being the status, and returns the descriptions.
func (r answer) fails311(t *testing.T, ext string, status int) []string {
	t.Helper()
	require.Equal(t, status, r.Code, "body: %s", r.Body)
	var errs []o311Err
	if ext == "xml" {
		var doc struct {
			Errors []o311Err `xml:"error"`
		}
		decode311(t, r, ext, "errors", &doc)
		errs = doc.Errors
	} else {
		decode311(t, r, ext, "", &errs)
	}
	require.NotEmpty(t, errs, "%s", r.Body)
	var ds []string
	for _, e := range errs {
		require.Equal(t, status, e.Code, "%s", r.Body)
		require.NotEmpty(t, e.Description)
		ds = append(ds, e.Description)
	}
	return ds
}

type o311Request struct {
	ID                string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         string   `json:"address_id" xml:"address_id"`
	Lat               *float64 `json:"lat" xml:"lat"`
	Long              *float64 `json:"long" xml:"long"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
	Token             string   `json:"token" xml:"token"`
}

// requests311 decodes a list of service requests in either format.
func requests311(t *testing.T, r answer, ext string) []o311Request {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Code, "body: %s", r.Body)
	return decodeRequests(t, r, ext)
}

func decodeRequests(t *testing.T, r answer, ext string) []o311Request {
	t.Helper()
	var out []o311Request
	if ext == "xml" {
		var doc struct {
			Requests []o311Request `xml:"request"`
		}
		decode311(t, r, ext, "service_requests", &doc)
		return doc.Requests
	}
	decode311(t, r, ext, "", &out)
	return out
}

func ids(rs []o311Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// TestOpen311 drives every GeoReport v2 endpoint through the real router
// on the running engine, in both formats, for valid and invalid calls.
func TestOpen311(t *testing.T) {
	a := start(t)
	root := "/open311/v2/"

	for _, ext := range []string{"json", "xml"} {
		t.Run("discovery200."+ext, func(t *testing.T) {
			var d struct {
				Changeset string `json:"changeset" xml:"changeset"`
				Endpoints []struct {
					Specification string   `json:"specification" xml:"specification"`
					URL           string   `json:"url" xml:"url"`
					Type          string   `json:"type" xml:"type"`
					Formats       []string `json:"formats" xml:"formats>format"`
				} `json:"endpoints" xml:"endpoints>endpoint"`
			}
			r := a.o311(http.MethodGet, root+"discovery."+ext, nil)
			require.Equal(t, http.StatusOK, r.Code)
			decode311(t, r, ext, "discovery", &d)
			require.NotEmpty(t, d.Changeset)
			require.Len(t, d.Endpoints, 1)
			require.Equal(t, "http://wiki.open311.org/GeoReport_v2", d.Endpoints[0].Specification)
			require.Equal(t, "http://example.com/open311/v2", d.Endpoints[0].URL)
			require.Equal(t, "production", d.Endpoints[0].Type)
			require.ElementsMatch(t, []string{"text/xml", "application/json"}, d.Endpoints[0].Formats)
		})

		t.Run("services200."+ext, func(t *testing.T) {
			type service struct {
				Code        string `json:"service_code" xml:"service_code"`
				Name        string `json:"service_name" xml:"service_name"`
				Description string `json:"description" xml:"description"`
				Metadata    bool   `json:"metadata" xml:"metadata"`
				Type        string `json:"type" xml:"type"`
				Keywords    string `json:"keywords" xml:"keywords"`
				Group       string `json:"group" xml:"group"`
			}
			var list []service
			r := a.o311(http.MethodGet, root+"services."+ext, form("jurisdiction_id", "nanhu"))
			require.Equal(t, http.StatusOK, r.Code, "%s", r.Body)
			if ext == "xml" {
				var doc struct {
					Services []service `xml:"service"`
				}
				decode311(t, r, ext, "services", &doc)
				list = doc.Services
			} else {
				decode311(t, r, ext, "", &list)
			}
			byCode := map[string]service{}
			for _, s := range list {
				require.Equal(t, "realtime", s.Type)
				require.NotEmpty(t, s.Name)
				require.NotEmpty(t, s.Group)
				byCode[s.Code] = s
			}
			for _, k := range []string{"regional_coordination", "resource_sharing", "joint_consultation", "joint_activity", "member_management", "service_linkage", "problem_solving"} {
				require.Contains(t, byCode, k, "every kind is a service")
			}
			repair := byCode["service_linkage.repair"]
			require.Equal(t, "维修服务", repair.Name)
			require.Equal(t, "服务联动", repair.Group)
			require.Contains(t, repair.Keywords, "维修")
			require.False(t, repair.Metadata)
			require.True(t, byCode["joint_activity.volunteer_day"].Metadata)
			require.True(t, byCode["member_management"].Metadata)
		})

		t.Run("services404.jurisdiction."+ext, func(t *testing.T) {
			for _, j := range []string{"atlantis", "dongzha", "../x"} {
				ds := a.o311(http.MethodGet, root+"services."+ext, form("jurisdiction_id", j)).fails311(t, ext, http.StatusNotFound)
				require.Contains(t, ds[0], "jurisdiction_id")
			}
		})

		t.Run("definition200."+ext, func(t *testing.T) {
			type value struct {
				Key  string `json:"key" xml:"key"`
				Name string `json:"name" xml:"name"`
			}
			type attribute struct {
				Variable bool    `json:"variable" xml:"variable"`
				Code     string  `json:"code" xml:"code"`
				Datatype string  `json:"datatype" xml:"datatype"`
				Required bool    `json:"required" xml:"required"`
				Order    int     `json:"order" xml:"order"`
				Values   []value `json:"values" xml:"values>value"`
			}
			var d struct {
				ServiceCode string      `json:"service_code" xml:"service_code"`
				Attributes  []attribute `json:"attributes" xml:"attributes>attribute"`
			}
			r := a.o311(http.MethodGet, root+"services/joint_consultation.parking_plan."+ext, nil)
			require.Equal(t, http.StatusOK, r.Code, "%s", r.Body)
			decode311(t, r, ext, "service_definition", &d)
			require.Equal(t, "joint_consultation.parking_plan", d.ServiceCode)
			codes := map[string]attribute{}
			for i, at := range d.Attributes {
				require.True(t, at.Variable)
				require.Equal(t, i+1, at.Order)
				codes[at.Code] = at
			}
			require.Equal(t, "singlevaluelist", codes["rule"].Datatype)
			require.Equal(t, []value{{"majority", "过半数"}, {"two_thirds", "三分之二"}, {"unanimity", "全体一致"}}, codes["rule"].Values)
			require.Equal(t, "datetime", codes["deadline"].Datatype)
			require.Equal(t, "number", codes["quorum"].Datatype)
			require.True(t, codes["question"].Required)

			var plain struct {
				ServiceCode string      `json:"service_code" xml:"service_code"`
				Attributes  []attribute `json:"attributes" xml:"attributes>attribute"`
			}
			r = a.o311(http.MethodGet, root+"services/service_linkage.repair."+ext, nil)
			require.Equal(t, http.StatusOK, r.Code)
			decode311(t, r, ext, "service_definition", &plain)
			require.Equal(t, "service_linkage.repair", plain.ServiceCode)
			require.Empty(t, plain.Attributes)
		})

		t.Run("definition404."+ext, func(t *testing.T) {
			ds := a.o311(http.MethodGet, root+"services/no_such_service."+ext, nil).fails311(t, ext, http.StatusNotFound)
			require.Contains(t, ds[0], "service_code")
			a.o311(http.MethodGet, root+"services/service_linkage.repair."+ext, form("jurisdiction_id", "atlantis")).fails311(t, ext, http.StatusNotFound)
		})
	}

	t.Run("routes404and405", func(t *testing.T) {
		a.o311(http.MethodGet, root+"services/service_linkage.repair", nil).fails311(t, "json", http.StatusNotFound)
		a.o311(http.MethodGet, root+"services.csv", nil).fails311(t, "json", http.StatusNotFound)
		a.o311(http.MethodGet, root+"nothing.xml", nil).fails311(t, "xml", http.StatusNotFound)
		a.o311(http.MethodDelete, root+"requests.xml", nil).fails311(t, "xml", http.StatusMethodNotAllowed)
	})

	grid, axis := a.env.Logins["demo-grid"].Token, a.env.Logins["demo-axis"].Token
	// A point inside Dongzha grid 1, and one inside grid 2.
	repair := form("api_key", grid, "service_code", "service_linkage.repair",
		"lat", "30.7522", "long", "120.7623", "address_string", "明苑小区3幢2单元",
		"description", "楼道灯坏了，晚上看不见台阶 <急> & \"谢谢\"", "first_name", "阿姨", "last_name", "李",
		"phone", "138 0000 0000", "email", "li@example.org", "media_url", "https://example.org/photos/灯.jpg",
		"device_id", "phone-1", "jurisdiction_id", "nanhu")
	type opened struct {
		ID, Token string
	}
	posted := map[string]opened{}

	for _, ext := range []string{"json", "xml"} {
		path := root + "requests." + ext
		post := func(t *testing.T, f url.Values) opened {
			t.Helper()
			r := a.o311(http.MethodPost, path, f)
			require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
			rs := decodeRequests(t, r, ext)
			require.Len(t, rs, 1)
			require.NotEmpty(t, rs[0].ID)
			require.NotEmpty(t, rs[0].Token)
			return opened{rs[0].ID, rs[0].Token}
		}
		// caseOf reads the case the request opened from the read model.
		caseOf := func(t *testing.T, id string) qilian.Case {
			c, err := a.env.DB.CaseSnapshot(context.Background(), id)
			require.NoError(t, err)
			return c
		}

		created := []struct {
			name     string
			form     url.Values
			locality string
			check    func(t *testing.T, c qilian.Case)
		}{
			{"201.point_in_grid", with(repair, "description", "楼道灯坏了 "+ext), "dongzha-g1", func(t *testing.T, c qilian.Case) {
				require.Equal(t, qilian.KindServiceLinkage, c.Kind)
				require.Equal(t, qilian.CaseTriage, c.State)
				require.Equal(t, "dongzha-g1", c.GridID)
				require.Equal(t, "明苑小区3幢2单元", c.Location.Address)
				require.InDelta(t, 30.7522, c.Location.Lat, 1e-9)
				require.InDelta(t, 120.7623, c.Location.Lng, 1e-9)
				// The reporter is last_name then first_name, as Chinese names go.
				require.Equal(t, "李阿姨", c.Reporter.Name)
				require.Equal(t, "138 0000 0000", c.Reporter.Phone)
				require.Equal(t, []string{"https://example.org/photos/灯.jpg"}, c.Attachments)
				require.Equal(t, "维修服务：楼道灯坏了 "+ext, c.Title)
				require.Equal(t, "demo-grid", c.OpenedBy.UserID)
			}},
			{"201.axis_point_in_other_grid", form("api_key", axis, "service_code", "problem_solving.parking",
				"lat", "30.7525", "long", "120.768", "description", "小区门口乱停车 "+ext), "dongzha-g2", func(t *testing.T, c qilian.Case) {
				require.Equal(t, qilian.KindProblemSolving, c.Kind)
				require.Equal(t, "dongzha-g2", c.GridID)
				require.Equal(t, "demo-axis", c.OpenedBy.UserID)
			}},
			{"201.address_id", form("api_key", a.env.Logins["demo-axis-dongzha"].Token, "service_code", "service_linkage",
				"address_id", "mingyuan", "description", "请求上门探访 "+ext), "mingyuan", func(t *testing.T, c qilian.Case) {
				require.Equal(t, "服务联动：请求上门探访 "+ext, c.Title)
				require.Empty(t, c.GridID)
			}},
			{"201.address_string_only", form("api_key", grid, "service_code", "service_linkage.sanitation",
				"address_string", "明苑小区5幢", "description", "垃圾满了 "+ext), "dongzha-g1", nil},
			{"201.attributes", form("api_key", grid, "service_code", "joint_activity.volunteer_day",
				"lat", "30.751", "long", "120.761", "description", "周末志愿服务 "+ext,
				"attribute[capacity]", "30", "attribute[starts_at]", time.Now().Add(72*time.Hour).Format(time.RFC3339),
				"attribute[ends_at]", time.Now().Add(75*time.Hour).Format(time.RFC3339), "attribute[venue]", "东栅社区广场"), "dongzha-g1",
				func(t *testing.T, c qilian.Case) {
					require.Equal(t, qilian.KindJointActivity, c.Kind)
					require.Equal(t, "joint_activity.volunteer_day", c.Category)
					require.NotNil(t, c.Details.Activity)
					require.Equal(t, 30, c.Details.Activity.Capacity)
					require.Equal(t, "东栅社区广场", c.Details.Activity.Venue)
				}},
		}
		for _, tc := range created {
			t.Run("post"+tc.name+"."+ext, func(t *testing.T) {
				o := post(t, tc.form)
				c := caseOf(t, o.ID)
				require.Equal(t, tc.locality, c.LocalityID)
				if tc.check != nil {
					tc.check(t, c)
				}
				posted[tc.name+"."+ext] = o
			})
		}

		t.Run("post201.retry_same_case."+ext, func(t *testing.T) {
			f := with(repair, "description", "重复提交 "+ext)
			first, again := post(t, f), post(t, f)
			require.Equal(t, first, again)
			other := post(t, with(f, "description", "另一件事 "+ext))
			require.NotEqual(t, first.ID, other.ID)
		})

		refused := []struct {
			name   string
			form   url.Values
			status int
			says   string
		}{
			{"403.no_key", with(repair, "api_key", ""), http.StatusForbidden, "api_key"},
			{"403.bad_key", with(repair, "api_key", "qlt_nope"), http.StatusForbidden, "api_key"},
			{"403.unit_staff_key", with(repair, "api_key", a.env.Logins["demo-unit"].Token), http.StatusForbidden, "api_key"},
			{"403.supervisor_key", with(repair, "api_key", a.env.Logins["demo-supervisor"].Token), http.StatusForbidden, "api_key"},
			{"400.no_service_code", with(repair, "service_code", ""), http.StatusBadRequest, "service_code: required"},
			{"404.unknown_service_code", with(repair, "service_code", "service_linkage.teleport"), http.StatusNotFound, "service_code"},
			{"404.jurisdiction", with(repair, "jurisdiction_id", "atlantis"), http.StatusNotFound, "jurisdiction_id"},
			{"400.no_location", with(repair, "lat", "", "long", "", "address_string", ""), http.StatusBadRequest, "lat: a location is required"},
			{"400.lat_without_long", with(repair, "long", ""), http.StatusBadRequest, "lat: lat and long go together"},
			{"400.lat_not_a_number", with(repair, "lat", "north"), http.StatusBadRequest, "lat: a number"},
			{"400.long_out_of_range", with(repair, "long", "200"), http.StatusBadRequest, "long: a number"},
			{"400.point_in_no_grid", with(repair, "lat", "31.2304", "long", "121.4737"), http.StatusBadRequest, "lat: lat/long lies in no grid"},
			{"400.point_in_grid_out_of_scope", with(repair, "lat", "30.742", "long", "120.774"), http.StatusBadRequest, "lat: lat/long lies in no grid"},
			{"400.address_id_out_of_scope", with(repair, "address_id", "huayuan"), http.StatusBadRequest, "address_id: not found"},
			{"400.address_id_unknown", with(repair, "address_id", "nowhere"), http.StatusBadRequest, "address_id: not found"},
			{"400.phone", with(repair, "phone", "call me"), http.StatusBadRequest, "phone:"},
			{"400.email", with(repair, "email", "not-an-address"), http.StatusBadRequest, "email:"},
			{"400.media_url", with(repair, "media_url", "ftp://example.org/x"), http.StatusBadRequest, "media_url:"},
			{"400.description_too_long", with(repair, "description", strings.Repeat("长", 4001)), http.StatusBadRequest, "description:"},
			{"400.twice", func() url.Values { f := with(repair); f.Add("service_code", "problem_solving"); return f }(), http.StatusBadRequest, "service_code: given more than once"},
			{"400.unknown_attribute", with(repair, "attribute[colour]", "red"), http.StatusBadRequest, "attribute[colour]: no service has this attribute"},
			{"400.attribute_of_other_service", with(repair, "attribute[capacity]", "3"), http.StatusBadRequest, "attribute[capacity]: not an attribute of service_linkage.repair"},
			{"400.required_attribute", form("api_key", grid, "service_code", "member_management.registration",
				"address_string", "明苑小区", "attribute[member_name]", "王明"), http.StatusBadRequest, "attribute[home_unit_id]: required"},
			{"400.attribute_value", form("api_key", grid, "service_code", "joint_activity",
				"address_string", "明苑小区", "attribute[capacity]", "many", "attribute[starts_at]", "soon",
				"attribute[ends_at]", "later"), http.StatusBadRequest, "attribute[capacity]: a whole number"},
			{"400.singlevaluelist", form("api_key", grid, "service_code", "joint_consultation",
				"address_string", "明苑小区", "attribute[question]", "停车方案", "attribute[options]", "甲\n乙",
				"attribute[participants]", "demo-grid", "attribute[quorum]", "1", "attribute[rule]", "coin_toss",
				"attribute[deadline]", time.Now().Add(48*time.Hour).Format(time.RFC3339)), http.StatusBadRequest, "attribute[rule]: not one of the listed values"},
			{"400.domain_check_on_attribute", form("api_key", grid, "service_code", "joint_activity",
				"address_string", "明苑小区", "attribute[capacity]", "0",
				"attribute[starts_at]", time.Now().Add(48*time.Hour).Format(time.RFC3339),
				"attribute[ends_at]", time.Now().Add(50*time.Hour).Format(time.RFC3339)), http.StatusBadRequest, "attribute[capacity]:"},
		}
		for _, tc := range refused {
			t.Run("post"+tc.name+"."+ext, func(t *testing.T) {
				ds := a.o311(http.MethodPost, path, tc.form).fails311(t, ext, tc.status)
				require.True(t, strings.Contains(strings.Join(ds, "\n"), tc.says), "%q does not say %q", ds, tc.says)
			})
		}

		t.Run("post400.content_type."+ext, func(t *testing.T) {
			r := a.o311(http.MethodPost, path, repair, "Content-Type", "application/json")
			r.fails311(t, ext, http.StatusBadRequest)
		})
	}

	// The cases posted above, now read back.
	for _, ext := range []string{"json", "xml"} {
		path := root + "requests." + ext
		mine := posted["201.point_in_grid."+ext]

		t.Run("list200."+ext, func(t *testing.T) {
			rs := requests311(t, a.o311(http.MethodGet, path, form("api_key", grid, "jurisdiction_id", "nanhu")), ext)
			got := ids(rs)
			require.Contains(t, got, mine.ID)
			require.NotContains(t, got, posted["201.address_id."+ext].ID, "the compound is outside the grid worker's grid")
			for _, r := range rs {
				if r.ID != mine.ID {
					continue
				}
				require.Equal(t, "open", r.Status)
				require.Equal(t, "已受理，待分派", r.StatusNotes)
				require.Equal(t, "service_linkage.repair", r.ServiceCode)
				require.Equal(t, "维修服务", r.ServiceName)
				require.Equal(t, "楼道灯坏了 "+ext, r.Description)
				require.Equal(t, "dongzha-g1", r.AddressID)
				require.Equal(t, "明苑小区3幢2单元", r.Address)
				require.NotNil(t, r.Lat)
				require.InDelta(t, 30.7522, *r.Lat, 1e-9)
				require.InDelta(t, 120.7623, *r.Long, 1e-9)
				require.Equal(t, "https://example.org/photos/灯.jpg", r.MediaURL)
				opened, err := time.Parse(time.RFC3339, r.RequestedDatetime)
				require.NoError(t, err)
				require.WithinDuration(t, time.Now(), opened, time.Hour)
				require.True(t, strings.HasSuffix(r.RequestedDatetime, "+08:00"), r.RequestedDatetime)
			}
			// The street axis sees the grids of its street, the compound too.
			all := ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis)), ext))
			require.Subset(t, all, []string{mine.ID, posted["201.address_id."+ext].ID, posted["201.axis_point_in_other_grid."+ext].ID})
			// Another street's grid worker sees none of them.
			other := ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", a.env.Logins["demo-grid-jiahe"].Token)), ext))
			require.NotContains(t, other, mine.ID)
		})

		t.Run("list200.filters."+ext, func(t *testing.T) {
			byCode := ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis, "service_code", "problem_solving.parking,service_linkage")), ext))
			require.Contains(t, byCode, posted["201.axis_point_in_other_grid."+ext].ID)
			require.Contains(t, byCode, posted["201.address_id."+ext].ID)
			require.NotContains(t, byCode, mine.ID)

			picked := ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis,
				"service_request_id", mine.ID+","+posted["201.attributes."+ext].ID, "service_code", "problem_solving")), ext))
			require.ElementsMatch(t, []string{mine.ID, posted["201.attributes."+ext].ID}, picked, "service_request_id overrides the other filters")

			require.Contains(t, ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis, "status", "open")), ext)), mine.ID)
			require.Contains(t, ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis, "status", "open,closed")), ext)), mine.ID)
			require.NotContains(t, ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis, "status", "closed")), ext)), mine.ID)

			now := time.Now()
			inRange := form("api_key", axis, "start_date", now.Add(-time.Hour).Format(time.RFC3339), "end_date", now.Add(time.Hour).Format(time.RFC3339))
			require.Contains(t, ids(requests311(t, a.o311(http.MethodGet, path, inRange), ext)), mine.ID)
			before := form("api_key", axis, "end_date", now.Add(-24*time.Hour).Format(time.RFC3339))
			require.NotContains(t, ids(requests311(t, a.o311(http.MethodGet, path, before), ext)), mine.ID)
			after := form("api_key", axis, "start_date", now.Add(time.Hour).Format(time.RFC3339))
			require.Empty(t, requests311(t, a.o311(http.MethodGet, path, after), ext))

			// Without dates, the last 90 days by the server's clock.
			day := 24 * time.Hour
			require.Contains(t, ids(requests311(t, a.at(89*day).o311(http.MethodGet, path, form("api_key", axis)), ext)), mine.ID)
			require.NotContains(t, ids(requests311(t, a.at(91*day).o311(http.MethodGet, path, form("api_key", axis)), ext)), mine.ID)
			// start_date alone reaches 90 days on, end_date alone 90 days back.
			require.NotContains(t, ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis,
				"start_date", now.Add(-91*day).Format(time.RFC3339))), ext)), mine.ID)
			require.Contains(t, ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis,
				"end_date", now.Add(89*day).Format(time.RFC3339))), ext)), mine.ID)
			require.NotContains(t, ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis,
				"end_date", now.Add(91*day).Format(time.RFC3339))), ext)), mine.ID)
		})

		listRefused := []struct {
			name   string
			query  url.Values
			status int
			says   string
		}{
			{"403.no_key", form(), http.StatusForbidden, "api_key"},
			{"403.unit_staff", form("api_key", a.env.Logins["demo-unit"].Token), http.StatusForbidden, "api_key"},
			{"404.jurisdiction", form("api_key", axis, "jurisdiction_id", "atlantis"), http.StatusNotFound, "jurisdiction_id"},
			{"400.status", form("api_key", axis, "status", "pending"), http.StatusBadRequest, "status:"},
			{"400.service_code", form("api_key", axis, "service_code", "teleport"), http.StatusBadRequest, "service_code:"},
			{"400.date", form("api_key", axis, "start_date", "yesterday"), http.StatusBadRequest, "start_date:"},
			{"400.range_over_90_days", form("api_key", axis, "start_date", "2026-01-01T00:00:00+08:00", "end_date", "2026-06-01T00:00:00+08:00"), http.StatusBadRequest, "end_date: at most 90 days"},
			{"400.range_backwards", form("api_key", axis, "start_date", "2026-06-01T00:00:00+08:00", "end_date", "2026-05-01T00:00:00+08:00"), http.StatusBadRequest, "end_date: must be after"},
			{"400.bad_id", form("api_key", axis, "service_request_id", "a b"), http.StatusBadRequest, "service_request_id:"},
		}
		for _, tc := range listRefused {
			t.Run("list"+tc.name+"."+ext, func(t *testing.T) {
				ds := a.o311(http.MethodGet, path, tc.query).fails311(t, ext, tc.status)
				require.True(t, strings.Contains(strings.Join(ds, "\n"), tc.says), "%q does not say %q", ds, tc.says)
			})
		}

		t.Run("get200.closed."+ext, func(t *testing.T) {
			id := posted["201.axis_point_in_other_grid."+ext].ID
			a.act(t, "demo-axis", id, qilian.Action{Name: qilian.ActClose, Resolution: qilian.ResolutionInvalid, Note: "不属于受理范围"})
			rs := requests311(t, a.o311(http.MethodGet, root+"requests/"+id+"."+ext, form("api_key", axis)), ext)
			require.Len(t, rs, 1)
			require.Equal(t, id, rs[0].ID)
			require.Equal(t, "closed", rs[0].Status)
			require.Contains(t, rs[0].StatusNotes, "不属于受理范围")
			require.Equal(t, "problem_solving.parking", rs[0].ServiceCode)
			require.Contains(t, ids(requests311(t, a.o311(http.MethodGet, path, form("api_key", axis, "status", "closed")), ext)), id)
		})

		t.Run("get200.dispatched."+ext, func(t *testing.T) {
			a.act(t, "demo-axis", mine.ID, qilian.Action{Name: qilian.ActDispatch,
				Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead}}})
			rs := requests311(t, a.o311(http.MethodGet, root+"requests/"+mine.ID+"."+ext, form("api_key", grid)), ext)
			require.Len(t, rs, 1)
			require.Equal(t, "open", rs[0].Status)
			require.Equal(t, "已分派，待承办单位接单", rs[0].StatusNotes)
			require.Equal(t, "明苑物业服务中心", rs[0].AgencyResponsible)
			expected, err := time.Parse(time.RFC3339, rs[0].ExpectedDatetime)
			require.NoError(t, err)
			require.True(t, expected.After(time.Now()))
		})

		t.Run("get404."+ext, func(t *testing.T) {
			a.o311(http.MethodGet, root+"requests/QL20260101-0000000000."+ext, form("api_key", axis)).fails311(t, ext, http.StatusNotFound)
			// Outside the key's scope looks exactly the same.
			a.o311(http.MethodGet, root+"requests/"+mine.ID+"."+ext, form("api_key", a.env.Logins["demo-grid-jiahe"].Token)).fails311(t, ext, http.StatusNotFound)
			a.o311(http.MethodGet, root+"requests/"+mine.ID+"."+ext, form("api_key", "qlt_nope")).fails311(t, ext, http.StatusForbidden)
		})

		t.Run("400.unparseable_query."+ext, func(t *testing.T) {
			// Go would drop "status=open;x" and list every request.
			for _, path := range []string{root + "requests." + ext, root + "requests/" + mine.ID + "." + ext, root + "tokens/" + mine.Token + "." + ext} {
				a.o311(http.MethodGet, path+"?api_key="+axis+"&status=open;x", nil).fails311(t, ext, http.StatusBadRequest)
			}
			r := a.o311(http.MethodPost, root+"requests."+ext+"?x=%zz", form("api_key", grid, "service_code", "service_linkage", "description", "x"))
			r.fails311(t, ext, http.StatusBadRequest)
		})

		t.Run("token200."+ext, func(t *testing.T) {
			r := a.o311(http.MethodGet, root+"tokens/"+mine.Token+"."+ext, form("api_key", grid))
			require.Equal(t, http.StatusOK, r.Code, "%s", r.Body)
			rs := decodeRequests(t, r, ext)
			require.Len(t, rs, 1)
			require.Equal(t, mine.ID, rs[0].ID)
			require.Equal(t, mine.Token, rs[0].Token)
		})

		t.Run("token404."+ext, func(t *testing.T) {
			a.o311(http.MethodGet, root+"tokens/o311-00000000000000000000000000000000."+ext, form("api_key", grid)).fails311(t, ext, http.StatusNotFound)
			a.o311(http.MethodGet, root+"tokens/not-a-token."+ext, form("api_key", grid)).fails311(t, ext, http.StatusNotFound)
			// A token is its poster's: another key does not find it.
			a.o311(http.MethodGet, root+"tokens/"+mine.Token+"."+ext, form("api_key", axis)).fails311(t, ext, http.StatusNotFound)
			a.o311(http.MethodGet, root+"tokens/"+mine.Token+"."+ext, nil).fails311(t, ext, http.StatusForbidden)
		})
	}
}
