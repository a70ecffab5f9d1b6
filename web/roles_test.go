package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// caseOut is what the test reads of a case through the API.
type caseOut struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	State       string   `json:"state"`
	GridID      string   `json:"grid_id"`
	Attachments []string `json:"attachments"`
	Location    struct {
		Lat, Lng float64
	} `json:"location"`
	Reporter struct{ Name, Phone string } `json:"reporter"`
	Tasks    []struct {
		ID          string   `json:"id"`
		UnitID      string   `json:"unit_id"`
		State       string   `json:"state"`
		Result      string   `json:"result"`
		Attachments []string `json:"attachments"`
	} `json:"tasks"`
}

// TestRolesInChromium walks a case through the pages of each role that
// works it, in Chromium: the grid worker reports it on a phone with a
// photo and a point on the map (once while offline, and again under the
// same Idempotency-Key), the axis dispatches it, the unit accepts and
// resolves it with a photo, the axis verifies it with the photos side by
// side, and the grid worker records the resident's answer (回访). Then the
// other paths of the desk: an extension asked and granted, a return with
// its reason and the axis's reassignment, a booking approved by the
// resource's owner, a consultation opened for voting and voted on at the
// desk and on the phone, a sign-up and check-in at an activity; and the
// admin's grid outline. Each step is
// checked through the API, and screenshots are saved.
func TestRolesInChromium(t *testing.T) {
	d := newDesk(t)
	sys, shots := d.sys, d.shots
	shot, run, js, pick, choose, attach, signIn := d.shot, d.run, d.js, d.pick, d.choose, d.attach, d.signIn
	// offline cuts the page off the network (and tells it so), or joins it again.
	offline := func(off bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}},
			}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
			return err
		})
	}
	const title = "建设路12号门前井盖缺失"

	t.Log("the grid worker, on a phone, reports a case with a photo and a point on the map; offline first")
	var pendingKey, keptKey string
	run("phone-report", append(append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2))}, signIn("demo-grid")...),
		chromedp.WaitVisible(css(`#report-form`)),
		tap(css(`#m-kind [data-value="service_linkage"]`)),
		chromedp.SendKeys(css(`#m-title`), title),
		chromedp.SendKeys(css(`#m-description`), "井口无遮挡，夜间危险"),
		chromedp.SendKeys(css(`#m-address`), "建设路12号"),
		chromedp.WaitVisible(css(`.grid-map.leaflet-container`)),
		tap(css(`.grid-map`)),
		chromedp.WaitVisible(css(`#m-point`)),
		discard(chromedp.Poll[bool](`/\d+\.\d+, \d+\.\d+/.test(document.querySelector('#m-point').textContent)`, chromedp.WithPollingTimeout(10*time.Second))),
		attach(`.m-photos input[type=file]`, "before.png", "#c84040"),
		chromedp.WaitVisible(css(`.m-photos .van-uploader__preview img`)),
		chromedp.SendKeys(css(`#m-reporter-name`), "王大爷"),
		chromedp.SendKeys(css(`#m-reporter-phone`), "13900000000"),
		shot("20-grid-worker-report-form"),
		offline(true),
		tap(css(`#m-submit`)),
		chromedp.WaitVisible(css(`#pending`)),
		into(chromedp.Evaluate[string](`JSON.parse(localStorage.getItem('qilian.draft')).key`), &pendingKey),
		shot("21-grid-worker-offline"),
		// The worker leaves the form and comes back: the report is still there.
		js(`location.hash = '#/cases'`),
		chromedp.WaitVisible(css(`#m-cases`)),
		js(`location.hash = '#/report'`),
		chromedp.WaitVisible(css(`#pending`)),
		into(chromedp.Evaluate[string](`JSON.parse(localStorage.getItem('qilian.draft')).key`), &keptKey),
		// Back online the page sends it again by itself; a tap on "send
		// again" as well sends it under the same key.
		offline(false),
		chromedp.Sleep(500*time.Millisecond),
		js(`const b = document.querySelector('#m-submit'); if (b) b.click()`),
		chromedp.WaitVisible(css(`#m-case #case-title`)),
		shot("22-grid-worker-case"),
	)...)
	require.NotEmpty(t, pendingKey)
	require.Equal(t, pendingKey, keptKey, "the Idempotency-Key survives leaving the form")
	var list struct {
		Cases []caseOut `json:"cases"`
	}
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases?q="+title, nil, &list)
	require.Len(t, list.Cases, 1, "one case, however often it was sent")
	var c caseOut
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+list.Cases[0].ID, nil, &c)
	require.Len(t, c.Attachments, 1, "the photo")
	require.NotZero(t, c.Location.Lat, "the point tapped on the map")
	require.Equal(t, "王大爷", c.Reporter.Name)

	t.Log("the axis dispatches it from its desk to the property company, as lead")
	run("axis-dispatch", append(append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(1400, 1000)}, signIn("demo-axis")...),
		chromedp.WaitVisible(css(`#cases-table a[href="#/case/%s"]`, c.ID)),
		shot("23-axis-desk"),
		js(`location.hash = '#/case/`+c.ID+`'`),
		tap(css(`#case-actions button[data-act="dispatch"]`)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="dispatch"] [data-field="assignments[0].unit_id"]`)),
		choose("assignments[0].unit_id", "明苑物业服务中心"),
		choose("assignments[0].role", "主办"),
		shot("24-axis-dispatch-form"),
		tap(css(`.action-dialog[data-action="dispatch"] button.submit`)),
		chromedp.WaitVisible(css(`#tasks-table [data-task-state="offered"]`)),
	)...)
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil, &c)
	require.Len(t, c.Tasks, 1)
	require.Equal(t, "u-mingyuan-property", c.Tasks[0].UnitID)
	task := c.Tasks[0].ID

	t.Log("the unit finds it in its inbox with the time left, accepts it, and resolves it with a photo")
	run("unit-resolve", append(signIn("demo-unit"),
		chromedp.WaitVisible(css(`#inbox-table [data-left=%q]`, task)),
		shot("25-unit-inbox"),
		tap(css(`#inbox-table button[data-act="accept"][data-task=%q]`, task)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="accept"] button.submit`)),
		tap(css(`.action-dialog[data-action="accept"] button.submit`)),
		chromedp.WaitNotPresent(css(`#inbox-table button[data-act="accept"][data-task=%q]`, task)),
		js(`location.hash = '#/case/`+c.ID+`'`),
		tap(css(`.task-actions[data-task=%q] button[data-act="resolve"]`, task)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="resolve"] #f-result`)),
		chromedp.SendKeys(css(`.action-dialog[data-action="resolve"] #f-result`), "已加装井盖并设置警示"),
		attach(`.action-dialog[data-action="resolve"] input[type=file]`, "after.png", "#28a03c"),
		chromedp.WaitVisible(css(`.action-dialog[data-action="resolve"] .el-upload-list__item img`)),
		shot("26-unit-resolve-form"),
		tap(css(`.action-dialog[data-action="resolve"] button.submit`)),
		chromedp.WaitVisible(css(`#tasks-table [data-task-state="resolved"]`)),
	)...)
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil, &c)
	require.Equal(t, "verifying", c.State)
	require.Equal(t, "已加装井盖并设置警示", c.Tasks[0].Result)
	require.Len(t, c.Tasks[0].Attachments, 1, "the unit's photo of the work")

	t.Log("the axis verifies it, with the photos before and after side by side")
	var beforeShown, afterShown int
	run("axis-verify", append(signIn("demo-axis"),
		chromedp.WaitVisible(css(`#desk-tabs`)),
		js(`location.hash = '#/case/`+c.ID+`'`),
		chromedp.WaitVisible(css(`#photos-before img`)),
		chromedp.WaitVisible(css(`#photos-after img`)),
		into(chromedp.Evaluate[int](`document.querySelectorAll('#photos-before img').length`), &beforeShown),
		into(chromedp.Evaluate[int](`document.querySelectorAll('#photos-after img').length`), &afterShown),
		tap(css(`#case-actions button[data-act="verify"]`)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="verify"] [data-field="pass"]`)),
		tap(css(`.action-dialog[data-action="verify"] [data-field="pass"] [data-value="true"]`)),
		shot("27-axis-verify"),
		tap(css(`.action-dialog[data-action="verify"] button.submit`)),
		chromedp.WaitVisible(css(`#timeline li[data-type="verify"]`)),
	)...)
	require.Equal(t, 1, beforeShown)
	require.Equal(t, 1, afterShown)
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil, &c)
	require.Equal(t, "follow_up", c.State, "a case with a reporter goes to the follow-up")

	t.Log("the grid worker records the resident's answer from the phone")
	run("phone-follow-up", append(append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2))}, signIn("demo-grid")...),
		chromedp.WaitVisible(css(`#report-form`)),
		tap(css(`#m-tabbar [data-tab="cases"]`)),
		chromedp.WaitVisible(css(`#m-cases [data-case=%q]`, c.ID)),
		shot("28-grid-worker-cases"),
		tap(css(`#m-cases [data-case=%q]`, c.ID)),
		tap(css(`#case-actions [data-act="follow-up"]`)),
		chromedp.WaitVisible(css(`#m-action [data-field="satisfied"]`)),
		tap(css(`#m-action [data-field="satisfied"] [data-value="true"]`)),
		chromedp.SendKeys(css(`#m-action #m-note`), "居民表示满意"),
		shot("29-grid-worker-follow-up"),
		tap(css(`#m-action button.submit`)),
		discard(chromedp.Poll[bool](`document.querySelector('#case-state') && document.querySelector('#case-state').textContent.includes('办结')`, chromedp.WithPollingTimeout(15*time.Second))),
		chromedp.EmulateViewport(1400, 1000),
	)...)
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil, &c)
	require.Equal(t, "closed", c.State)

	t.Log("the unit asks for more time on a task from the case's page; the axis grants it there, and the deadline moves")
	type extTask struct {
		ID        string `json:"id"`
		ResolveBy *struct {
			Due time.Time `json:"due"`
		} `json:"resolve_by"`
		Extension *struct {
			Extra string `json:"extra"`
		} `json:"extension"`
	}
	var ec struct {
		ID    string    `json:"id"`
		Tasks []extTask `json:"tasks"`
	}
	sys.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "service_linkage", "title": "明苑小区3幢电梯停运", "locality_id": "dongzha-g1"}, &ec)
	sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+ec.ID+"/dispatch", map[string]any{
		"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}}, &ec)
	sys.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/"+ec.Tasks[0].ID+"/accept", map[string]any{}, nil)
	sys.call(t, "demo-unit", http.MethodGet, "/api/v1/cases/"+ec.ID, nil, &ec)
	et := ec.Tasks[0]
	require.NotNil(t, et.ResolveBy)
	before := et.ResolveBy.Due
	run("unit-request-extension", append(signIn("demo-unit"),
		chromedp.WaitVisible(css(`#inbox-table`)),
		js(`location.hash = '#/case/`+ec.ID+`'`),
		tap(css(`.task-actions[data-task=%q] button[data-act="request-extension"]`, et.ID)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="request-extension"] #f-extra`)),
		chromedp.SendKeys(css(`.action-dialog[data-action="request-extension"] #f-extra`), "2d"),
		chromedp.SendKeys(css(`.action-dialog[data-action="request-extension"] #f-note`), "电梯主板需向厂家订购"),
		tap(css(`.action-dialog[data-action="request-extension"] button.submit`)),
		chromedp.WaitVisible(css(`#tasks-table .ext`)),
		shot("31-unit-extension-asked"),
	)...)
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+ec.ID, nil, &ec)
	require.NotNil(t, ec.Tasks[0].Extension, "the request is pending on the task")
	require.Equal(t, "2d", ec.Tasks[0].Extension.Extra)
	run("axis-approve-extension", append(signIn("demo-axis"),
		chromedp.WaitVisible(css(`#cases-table`)),
		js(`location.hash = '#/case/`+ec.ID+`'`),
		tap(css(`.task-actions[data-task=%q] button[data-act="approve-extension"]`, et.ID)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="approve-extension"] button.submit`)),
		shot("32-axis-extension-approve"),
		tap(css(`.action-dialog[data-action="approve-extension"] button.submit`)),
		chromedp.WaitNotPresent(css(`.action-dialog[data-action="approve-extension"]`)),
		chromedp.WaitNotPresent(css(`#tasks-table .ext`)),
	)...)
	require.Eventually(t, func() bool {
		var now struct { // fresh each time: decoding into the old value would keep its extension
			Tasks []extTask `json:"tasks"`
		}
		sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+ec.ID, nil, &now)
		k := now.Tasks[0]
		return k.Extension == nil && k.ResolveBy != nil && k.ResolveBy.Due.After(before)
	}, 10*time.Second, 200*time.Millisecond, "the extension is granted and the deadline later")

	t.Log("the admin replaces a grid's outline with a GeoJSON file and sees it on the map; a file that is not GeoJSON is refused and the outline stays")
	feature := `{"type":"Feature","properties":{"name":"文华一网格"},"geometry":{"type":"Polygon","coordinates":[[[120.760,30.755],[120.768,30.755],[120.768,30.759],[120.760,30.759],[120.760,30.755]]]}}`
	upload := func(name, content string) chromedp.Action[chromedp.Void] {
		return js(`const dt = new DataTransfer(); dt.items.add(new File([` + fmt.Sprintf("%q", content) + `], '` + name + `', { type: 'application/geo+json' }));
			const i = document.querySelector('.outline input[type=file]'); i.files = dt.files; i.dispatchEvent(new Event('change', { bubbles: true }))`)
	}
	type outlines struct {
		Features []struct {
			Geometry struct {
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				ID string `json:"id"`
			} `json:"properties"`
		} `json:"features"`
	}
	ringOf := func(id string) [][2]float64 {
		var fc outlines
		sys.call(t, "demo-admin", http.MethodGet, "/api/v1/areas", nil, &fc)
		for _, f := range fc.Features {
			if f.Properties.ID == id {
				return f.Geometry.Coordinates[0]
			}
		}
		return nil
	}
	run("admin-outline", append(append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(1400, 1000)}, signIn("demo-admin")...),
		chromedp.WaitVisible(css(`#localities-table`)),
		pick(css(`.outline-locality .el-select__wrapper`), "文华社区第一网格"),
		upload("wenhua.geojson", feature),
		discard(chromedp.Poll[bool](`document.querySelectorAll('.outline .leaflet-overlay-pane path').length >= 5`, chromedp.WithPollingTimeout(15*time.Second))),
		shot("30-admin-outline"),
	)...)
	require.Eventually(t, func() bool {
		r := ringOf("wenhua-g1")
		return len(r) == 5 && r[1] == [2]float64{120.768, 30.755}
	}, 10*time.Second, 200*time.Millisecond, "the new outline is the locality's")
	var refusal string
	run("admin-outline-refused",
		upload("notes.geojson", "这不是地图"),
		chromedp.WaitVisible(css(`#outline-error`)),
		into(chromedp.Text(css(`#outline-error`)), &refusal),
	)
	require.NotEmpty(t, refusal)
	require.Equal(t, [2]float64{120.768, 30.755}, ringOf("wenhua-g1")[1], "a refused file loses nothing")

	t.Log("the unit returns a task with a reason code; the axis, arbitrating, reassigns it to the unit whose duty it is")
	type taskOut struct {
		ID     string `json:"id"`
		UnitID string `json:"unit_id"`
		State  string `json:"state"`
	}
	var rc struct {
		ID    string    `json:"id"`
		Tasks []taskOut `json:"tasks"`
	}
	sys.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "service_linkage", "title": "明苑小区门口路灯不亮", "locality_id": "dongzha-g1"}, &rc)
	sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+rc.ID+"/dispatch", map[string]any{
		"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}}, &rc)
	returned := rc.Tasks[0].ID
	run("unit-return", append(signIn("demo-unit"),
		chromedp.WaitVisible(css(`#inbox-table [data-left=%q]`, returned)),
		js(`location.hash = '#/case/`+rc.ID+`'`),
		tap(css(`.task-actions[data-task=%q] button[data-act="return"]`, returned)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="return"] [data-field="reason"]`)),
		choose("reason", "非本单位职责"),
		chromedp.SendKeys(css(`.action-dialog[data-action="return"] #f-note`), "路灯归供电公司维护"),
		shot("33-unit-return"),
		tap(css(`.action-dialog[data-action="return"] button.submit`)),
		chromedp.WaitVisible(css(`#tasks-table [data-task-state="returned"]`)),
	)...)
	run("axis-reassign", append(signIn("demo-axis"),
		chromedp.WaitVisible(css(`#cases-table`)),
		js(`location.hash = '#/case/`+rc.ID+`'`),
		tap(css(`.task-actions[data-task=%q] button[data-act="reassign"]`, returned)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="reassign"] [data-field="unit_id"]`)),
		choose("unit_id", "国网南湖供电分公司"),
		shot("34-axis-reassign"),
		tap(css(`.action-dialog[data-action="reassign"] button.submit`)),
		chromedp.WaitVisible(css(`#tasks-table [data-task-state="offered"]`)),
	)...)
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+rc.ID, nil, &rc)
	states := map[string]string{}
	for _, k := range rc.Tasks {
		states[k.UnitID] = k.State
	}
	require.Equal(t, map[string]string{"u-mingyuan-property": "reassigned", "u-power": "offered"}, states)

	t.Log("the owner of a resource approves a booking of it from the case's page")
	from := time.Now().Add(200 * time.Hour).Truncate(time.Hour)
	var bk struct {
		ID      string `json:"id"`
		Details struct {
			Booking struct{ State string } `json:"booking"`
		} `json:"details"`
	}
	sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "resource_sharing", "title": "借用医院义诊车", "locality_id": "jianshe",
		"details": map[string]any{"booking": map[string]any{
			"resource_id": "u-hospital-van", "from": from.Format(time.RFC3339), "to": from.Add(3 * time.Hour).Format(time.RFC3339)}}}, &bk)
	run("unit-approve-booking", append(signIn("demo-unit-hospital"),
		chromedp.WaitVisible(css(`#inbox-table`)),
		js(`location.hash = '#/case/`+bk.ID+`'`),
		tap(css(`#case-actions button[data-act="approve-booking"]`)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="approve-booking"] #f-note`)),
		chromedp.SendKeys(css(`.action-dialog[data-action="approve-booking"] #f-note`), "同意，司机随车"),
		tap(css(`.action-dialog[data-action="approve-booking"] button.submit`)),
		chromedp.WaitVisible(css(`#timeline li[data-type="approve-booking"]`)),
		shot("35-unit-booking-approved"),
	)...)
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+bk.ID, nil, &bk)
	require.Equal(t, "approved", bk.Details.Booking.State)

	t.Log("the axis opens a consultation for voting; the unit votes at its desk and the grid worker on the phone, each choosing one of the case's options")
	var cs struct {
		ID      string `json:"id"`
		Details struct {
			Consultation struct {
				Votes   map[string]string `json:"votes"`
				Outcome string            `json:"outcome"`
			} `json:"consultation"`
		} `json:"details"`
	}
	sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "joint_consultation", "title": "明苑小区加装电梯议事", "locality_id": "dongzha-g1",
		"details": map[string]any{"consultation": map[string]any{
			"question": "是否加装电梯？", "options": []string{"同意", "反对"}, "participants": []string{"demo-unit", "demo-grid"},
			"quorum": 2, "rule": "majority", "deadline": time.Now().Add(72 * time.Hour).Format(time.RFC3339)}}}, &cs)
	run("axis-open-voting", append(signIn("demo-axis"),
		chromedp.WaitVisible(css(`#cases-table`)),
		js(`location.hash = '#/case/`+cs.ID+`'`),
		tap(css(`#case-actions button[data-act="open-voting"]`)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="open-voting"] button.submit`)),
		tap(css(`.action-dialog[data-action="open-voting"] button.submit`)),
		chromedp.WaitVisible(css(`#timeline li[data-type="open-voting"]`)),
	)...)
	run("unit-vote", append(signIn("demo-unit"),
		chromedp.WaitVisible(css(`#inbox-table`)),
		js(`location.hash = '#/case/`+cs.ID+`'`),
		tap(css(`#case-actions button[data-act="vote"]`)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="vote"] [data-field="option"] .el-select__wrapper`)),
		choose("option", "同意"),
		shot("36-unit-vote"),
		tap(css(`.action-dialog[data-action="vote"] button.submit`)),
		chromedp.WaitVisible(css(`#timeline li[data-type="vote"]`)),
	)...)
	run("phone-vote", append(append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2))}, signIn("demo-grid")...),
		chromedp.WaitVisible(css(`#report-form`)),
		js(`location.hash = '#/case/`+cs.ID+`'`),
		tap(css(`#case-actions [data-act="vote"]`)),
		chromedp.WaitVisible(css(`#m-action [data-field="option"] [data-value="反对"]`)),
		tap(css(`#m-action [data-field="option"] [data-value="反对"]`)),
		shot("37-grid-worker-vote"),
		tap(css(`#m-action button.submit`)),
		discard(chromedp.Poll[bool](`!document.querySelector('#case-actions [data-act="vote"]')`, chromedp.WithPollingTimeout(15*time.Second))),
		chromedp.EmulateViewport(1400, 1000),
	)...)
	require.Eventually(t, func() bool {
		var now struct {
			Details struct {
				Consultation struct {
					Votes map[string]string `json:"votes"`
				} `json:"consultation"`
			} `json:"details"`
		}
		sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+cs.ID, nil, &now)
		return len(now.Details.Consultation.Votes) == 2
	}, 10*time.Second, 200*time.Millisecond, "both votes counted")
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+cs.ID, nil, &cs)
	require.Equal(t, map[string]string{"demo-unit": "同意", "demo-grid": "反对"}, cs.Details.Consultation.Votes)

	t.Log("the axis signs a resident up for an activity and checks her in, picking her from the activity's sign-ups")
	starts := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	var ac struct {
		ID      string `json:"id"`
		Details struct {
			Activity struct {
				SignUps []struct {
					ID          string    `json:"id"`
					CheckedInAt time.Time `json:"checked_in_at"`
				} `json:"sign_ups"`
			} `json:"activity"`
		} `json:"details"`
	}
	sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "joint_activity", "title": "社区义诊", "locality_id": "jianshe",
		"details": map[string]any{"activity": map[string]any{
			"capacity": 10, "starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(2 * time.Hour).Format(time.RFC3339), "venue": "文化馆"}}}, &ac)
	run("axis-sign-up-check-in", append(signIn("demo-axis"),
		chromedp.WaitVisible(css(`#cases-table`)),
		js(`location.hash = '#/case/`+ac.ID+`'`),
		tap(css(`#case-actions button[data-act="sign-up"]`)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="sign-up"] #f-participant-id`)),
		chromedp.SendKeys(css(`.action-dialog[data-action="sign-up"] #f-participant-id`), "p-wang"),
		chromedp.SendKeys(css(`.action-dialog[data-action="sign-up"] #f-participant-name`), "王阿姨"),
		tap(css(`.action-dialog[data-action="sign-up"] button.submit`)),
		chromedp.WaitVisible(css(`#timeline li[data-type="sign-up"]`)),
		tap(css(`#case-actions button[data-act="check-in"]`)),
		chromedp.WaitVisible(css(`.action-dialog[data-action="check-in"] [data-field="participant.id"] .el-select__wrapper`)),
		pick(css(`.action-dialog[data-action="check-in"] [data-field="participant.id"] .el-select__wrapper`), "王阿姨 · p-wang"),
		shot("38-axis-check-in"),
		tap(css(`.action-dialog[data-action="check-in"] button.submit`)),
		chromedp.WaitVisible(css(`#timeline li[data-type="check-in"]`)),
	)...)
	sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+ac.ID, nil, &ac)
	require.Len(t, ac.Details.Activity.SignUps, 1)
	require.Equal(t, "p-wang", ac.Details.Activity.SignUps[0].ID)
	require.False(t, ac.Details.Activity.SignUps[0].CheckedInAt.IsZero(), "checked in")

	t.Log("every action of the engine has its form in the pages: a route found in the API's document, under the action's own name")
	var names []string
	for _, n := range qilian.Actions() {
		names = append(names, string(n))
	}
	namesJSON, err := json.Marshal(names)
	require.NoError(t, err)
	var missing []string
	run("every-action-has-a-form",
		into(chromedp.Evaluate[[]string](`(async () => {
			const { actionForm } = await import('./js/schema.js');
			const out = [];
			for (const n of `+string(namesJSON)+`) {
				try {
					const f = await actionForm(n, { case: 'c1', task: 't1', extension: 'e1' });
					if (!/\/(cases\/c1|tasks\/t1|extensions\/e1)\//.test(f.path)) out.push(n + ': ' + f.path);
				} catch (e) { out.push(n + ': ' + e.message); }
			}
			return out;
		})()`, chromedp.EvalAwaitPromise), &missing),
	)
	require.Len(t, names, len(qilian.Actions()))
	require.Empty(t, missing, "actions the pages cannot draw a form for")
	t.Logf("screenshots in %s", shots)
}
