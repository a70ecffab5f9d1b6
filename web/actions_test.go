package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// TestTheOtherActionsInChromium takes, from the pages, each action that
// the roles test does not: every one is drawn from the API's document
// and the case's allowed_actions, so what this checks is that a person
// can fill its form and send it. The axis summons units (吹哨), a
// summoned unit reports, the axis records the meeting; a unit reports
// progress with a photo, the axis withdraws a co-unit's task and rejects
// an extension; the axis closes one case at triage and cancels another,
// reopens one in follow-up, and reports on a regional coordination; a
// booking is declined, another handed back and the hand-back confirmed;
// an activity's summary; a Party member's post, hours logged by the home
// unit and confirmed by the axis. Then the admin adds a unit and a user
// of it with a one-time password and issues the user a token (which the
// API takes), and that user signs in, sets a password of their own and
// finds the unit's task in the inbox. Each is checked through the API.
func TestTheOtherActionsInChromium(t *testing.T) {
	d := newDesk(t)
	sys, shot, run, js, choose, signIn := d.sys, d.shot, d.run, d.js, d.choose, d.signIn
	home := map[string]string{"demo-axis": `#cases-table`, "demo-unit": `#inbox-table`, "demo-unit-hospital": `#inbox-table`}
	// at signs user in and opens the case's page.
	at := func(user, caseID string) []chromedp.Action[chromedp.Void] {
		return append(append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(1400, 1000)}, signIn(user)...),
			chromedp.WaitVisible(chromedp.CSS(home[user])), js(`location.hash = '#/case/`+caseID+`'`))
	}
	// open taps the action's button, on the case or on one of its tasks,
	// and waits for its form.
	open := func(action, task string) []chromedp.Action[chromedp.Void] {
		button := css(`#case-actions button[data-act=%q]`, action)
		if task != "" {
			button = css(`.task-actions[data-task=%q] button[data-act=%q]`, task, action)
		}
		return []chromedp.Action[chromedp.Void]{tap(button), chromedp.WaitVisible(css(`.action-dialog[data-action=%q] button.submit`, action))}
	}
	note := func(action, text string) chromedp.Action[chromedp.Void] {
		return chromedp.SendKeys(css(`.action-dialog[data-action=%q] #f-note`, action), text)
	}
	// send submits the form and waits for the action's event in the
	// case's timeline.
	send := func(action string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			tap(css(`.action-dialog[data-action=%q] button.submit`, action)),
			chromedp.WaitNotPresent(css(`.action-dialog[data-action=%q]`, action)),
			chromedp.WaitVisible(css(`#timeline li[data-type=%q]`, action)),
		}
	}
	// unitsOf picks units in a multiple select and closes its list with a
	// click on the form's title, as a person does.
	unitsOf := func(action string, names ...string) []chromedp.Action[chromedp.Void] {
		var out []chromedp.Action[chromedp.Void]
		for _, n := range names {
			out = append(out, choose("units", n))
		}
		return append(out, chromedp.Click(css(`.action-dialog[data-action=%q] .el-dialog__header`, action)),
			chromedp.WaitNotVisible(css(`.el-select-dropdown`)))
	}
	steps := func(parts ...[]chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
		var out []chromedp.Action[chromedp.Void]
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	one := func(a chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{a}
	}
	type taskOut struct {
		ID          string   `json:"id"`
		UnitID      string   `json:"unit_id"`
		State       string   `json:"state"`
		Attachments []string `json:"attachments"`
		Extension   *struct {
			Extra string `json:"extra"`
		} `json:"extension"`
	}
	type caseRead struct {
		ID         string    `json:"id"`
		State      string    `json:"state"`
		Resolution string    `json:"resolution"`
		Tasks      []taskOut `json:"tasks"`
		Details    struct {
			Booking *struct {
				State string `json:"state"`
			} `json:"booking"`
			Member *struct {
				Post  string `json:"post"`
				Hours []struct {
					ID        string  `json:"id"`
					Hours     float64 `json:"hours"`
					Confirmed bool    `json:"confirmed"`
				} `json:"hours"`
			} `json:"member"`
		} `json:"details"`
	}
	get := func(id string) caseRead {
		var c caseRead
		sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+id, nil, &c)
		return c
	}
	opened := func(user string, body map[string]any) caseRead {
		var c caseRead
		sys.call(t, user, http.MethodPost, "/api/v1/cases", body, &c)
		return c
	}
	events := func(id string) []string {
		var trail struct {
			Events []struct {
				Type string `json:"type"`
			} `json:"events"`
		}
		sys.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+id+"/events", nil, &trail)
		var out []string
		for _, e := range trail.Events {
			out = append(out, e.Type)
		}
		return out
	}
	dispatch := func(id string, assignments ...map[string]any) caseRead {
		var c caseRead
		sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+id+"/dispatch", map[string]any{"assignments": assignments}, &c)
		return c
	}

	t.Log("the axis blows the whistle on a problem, the summoned unit reports, the axis records the joint meeting")
	ps := opened("demo-axis", map[string]any{"kind": "problem_solving", "title": "东栅老街占道经营", "locality_id": "jianshe"})
	run("axis-whistle", steps(at("demo-axis", ps.ID), open("whistle", ""),
		one(note("whistle", "请明苑物业两小时内到场")), unitsOf("whistle", "明苑物业服务中心"),
		one(shot("40-axis-whistle")), send("whistle"))...)
	run("unit-report", steps(at("demo-unit", ps.ID), open("report", ""),
		one(note("report", "已到场，安排人员劝离")), send("report"))...)
	var whistles string
	run("axis-meeting", steps(at("demo-axis", ps.ID),
		// The whistle's record names the unit that reported, not its ID.
		one(discard(chromedp.Poll[bool](`document.querySelector('#case-details [data-list="whistles"]')?.textContent.includes('明苑物业服务中心')`, chromedp.WithPollingTimeout(10*time.Second)))),
		one(into(chromedp.Text(css(`#case-details [data-list="whistles"]`)), &whistles)),
		open("meeting", ""),
		one(note("meeting", "会议纪要：物业与城管联合整治，每日巡查")), unitsOf("meeting", "明苑物业服务中心"),
		one(shot("41-axis-meeting")), send("meeting"))...)
	require.Subset(t, events(ps.ID), []string{"whistle", "report", "meeting"})
	require.Contains(t, whistles, "明苑物业服务中心")
	require.NotContains(t, whistles, "u-mingyuan-property")

	t.Log("a unit reports progress with a photo; the axis withdraws a co-unit's task and rejects an extension")
	sl := opened("demo-grid", map[string]any{"kind": "service_linkage", "title": "明苑小区2幢外墙渗水", "locality_id": "dongzha-g1"})
	sl = dispatch(sl.ID, map[string]any{"unit_id": "u-mingyuan-property", "role": "lead"}, map[string]any{"unit_id": "u-power", "role": "co"})
	byUnit := map[string]string{}
	for _, k := range sl.Tasks {
		byUnit[k.UnitID] = k.ID
	}
	lead, co := byUnit["u-mingyuan-property"], byUnit["u-power"]
	sys.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/"+lead+"/accept", map[string]any{}, nil)
	run("unit-progress", steps(at("demo-unit", sl.ID), open("progress", lead),
		one(note("progress", "已联系防水施工队，明日进场")),
		one(d.attach(`.action-dialog[data-action="progress"] input[type=file]`, "wall.png", "#3060c0")),
		one(chromedp.WaitVisible(css(`.action-dialog[data-action="progress"] .el-upload-list__item img`))),
		send("progress"))...)
	run("axis-withdraw", steps(at("demo-axis", sl.ID), open("withdraw", co),
		one(note("withdraw", "与供电无关")), send("withdraw"))...)
	sys.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/"+lead+"/request-extension", map[string]any{"extra": "3d", "note": "等待材料"}, nil)
	run("axis-reject-extension", steps(at("demo-axis", sl.ID), open("reject-extension", lead),
		one(note("reject-extension", "渗水影响居民，请按期完成")),
		[]chromedp.Action[chromedp.Void]{
			tap(css(`.action-dialog[data-action="reject-extension"] button.submit`)),
			chromedp.WaitNotPresent(css(`.action-dialog[data-action="reject-extension"]`)),
			chromedp.WaitNotPresent(css(`#tasks-table .ext`)),
		})...)
	sl = get(sl.ID)
	states := map[string]string{}
	for _, k := range sl.Tasks {
		states[k.UnitID] = k.State
		if k.ID == lead {
			require.Len(t, k.Attachments, 1, "the progress photo is the task's")
			require.Nil(t, k.Extension, "the request is gone")
		}
	}
	require.Equal(t, map[string]string{"u-mingyuan-property": "in_progress", "u-power": "withdrawn"}, states)
	require.Contains(t, events(sl.ID), "reject-extension")

	t.Log("the axis closes a case at triage as invalid, cancels another, and reopens one the resident was not content with")
	inv := opened("demo-grid", map[string]any{"kind": "service_linkage", "title": "测试误报", "locality_id": "dongzha-g1"})
	run("axis-close", steps(at("demo-axis", inv.ID), open("close", ""),
		one(choose("resolution", "无效")), one(note("close", "误报")), send("close"))...)
	require.Equal(t, "closed", get(inv.ID).State)
	require.Equal(t, "invalid", get(inv.ID).Resolution)
	cn := opened("demo-grid", map[string]any{"kind": "service_linkage", "title": "明苑小区垃圾清运", "locality_id": "dongzha-g1"})
	run("axis-cancel", steps(at("demo-axis", cn.ID), open("cancel", ""),
		one(note("cancel", "居民已自行处理")), send("cancel"))...)
	require.Equal(t, "cancelled", get(cn.ID).State)
	ro := opened("demo-grid", map[string]any{"kind": "service_linkage", "title": "明苑小区楼道灯不亮", "locality_id": "dongzha-g1",
		"reporter": map[string]any{"name": "李阿姨", "phone": "13900000001"}})
	ro = dispatch(ro.ID, map[string]any{"unit_id": "u-mingyuan-property", "role": "lead"})
	sys.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/"+ro.Tasks[0].ID+"/accept", map[string]any{}, nil)
	sys.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/"+ro.Tasks[0].ID+"/resolve", map[string]any{"result": "已更换灯泡"}, nil)
	sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+ro.ID+"/verify", map[string]any{"pass": true}, nil)
	require.Equal(t, "follow_up", get(ro.ID).State)
	run("axis-reopen", steps(at("demo-axis", ro.ID), open("reopen", ""),
		one(note("reopen", "回访时居民反映仍不亮")), send("reopen"))...)
	require.Equal(t, "dispatching", get(ro.ID).State)

	t.Log("the axis reports on a regional coordination")
	rg := opened("demo-axis", map[string]any{"kind": "regional_coordination", "title": "建设街道冬季防火联动", "locality_id": "jianshe"})
	dispatch(rg.ID, map[string]any{"unit_id": "u-mingyuan-property", "role": "lead"})
	run("axis-report", steps(at("demo-axis", rg.ID), open("report", ""),
		one(note("report", "第一周：排查隐患12处，已整改9处")), send("report"))...)
	require.Contains(t, events(rg.ID), "report")

	t.Log("the hospital declines one booking of its van; another, approved, is handed back by the axis and the hand-back confirmed")
	booking := func(title string) caseRead {
		from := time.Now().UTC().Truncate(time.Second)
		return opened("demo-axis", map[string]any{"kind": "resource_sharing", "title": title, "locality_id": "jianshe",
			"details": map[string]any{"booking": map[string]any{
				"resource_id": "u-hospital-van", "from": from.Format(time.RFC3339), "to": from.Add(3 * time.Hour).Format(time.RFC3339)}}})
	}
	dc := booking("借用义诊车（周末）")
	run("unit-decline-booking", steps(at("demo-unit-hospital", dc.ID), open("decline-booking", ""),
		one(note("decline-booking", "车辆年检，无法出借")), send("decline-booking"))...)
	require.Equal(t, "declined", get(dc.ID).Details.Booking.State)
	hb := booking("借用义诊车（今日）")
	sys.call(t, "demo-unit-hospital", http.MethodPost, "/api/v1/cases/"+hb.ID+"/approve-booking", map[string]any{}, nil)
	run("axis-hand-back", steps(at("demo-axis", hb.ID), open("hand-back", ""),
		one(note("hand-back", "车辆已归还至医院停车场")), send("hand-back"))...)
	var shown string
	run("unit-confirm-handback", steps(at("demo-unit-hospital", hb.ID),
		// The booking reads as words: its state named, its resource and
		// owner by name.
		one(discard(chromedp.Poll[bool](`document.querySelector('#case-details')?.textContent.includes('已归还待确认')`, chromedp.WithPollingTimeout(10*time.Second)))),
		one(discard(chromedp.Poll[bool](`document.querySelector('#case-details')?.textContent.includes('医院义诊车')`, chromedp.WithPollingTimeout(10*time.Second)))),
		one(into(chromedp.Text(css(`#case-details`)), &shown)),
		one(shot("42-unit-confirm-handback")),
		open("confirm-handback", ""), send("confirm-handback"))...)
	require.Contains(t, shown, "南湖区人民医院")
	require.NotContains(t, shown, "returned")
	require.Equal(t, "fulfilled", get(hb.ID).Details.Booking.State)

	t.Log("the axis records an activity's summary once it has begun")
	starts := time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Second)
	ac := opened("demo-axis", map[string]any{"kind": "joint_activity", "title": "社区消防演练", "locality_id": "jianshe",
		"details": map[string]any{"activity": map[string]any{
			"capacity": 20, "starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(2 * time.Hour).Format(time.RFC3339), "venue": "文化广场"}}})
	run("axis-summary", steps(at("demo-axis", ac.ID), open("summary", ""),
		one(note("summary", "参加居民35人，演练灭火器使用")), send("summary"))...)
	require.Contains(t, events(ac.ID), "summary")

	t.Log("a Party member gets a service post; the home unit logs hours, the axis confirms them")
	mm := opened("demo-axis", map[string]any{"kind": "member_management", "title": "党员张强报到", "locality_id": "jianshe",
		"details": map[string]any{"member": map[string]any{"name": "张强", "home_unit_id": "u-mingyuan-property"}}})
	run("axis-assign-post", steps(at("demo-axis", mm.ID), open("assign-post", ""),
		one(chromedp.SendKeys(css(`.action-dialog[data-action="assign-post"] #f-post`), "楼道长")), send("assign-post"))...)
	today := time.Now().Format("2006-01-02")
	run("unit-log-hours", steps(at("demo-unit", mm.ID), open("log-hours", ""),
		[]chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(css(`.action-dialog[data-action="log-hours"] #f-hours-date`), today+"\r"),
			chromedp.SendKeys(css(`.action-dialog[data-action="log-hours"] #f-hours-hours`), "3"),
			chromedp.SendKeys(css(`.action-dialog[data-action="log-hours"] #f-hours-note`), "楼道清理"),
		}, one(shot("43-unit-log-hours")), send("log-hours"))...)
	mc := get(mm.ID)
	require.Len(t, mc.Details.Member.Hours, 1)
	require.Equal(t, 3.0, mc.Details.Member.Hours[0].Hours)
	run("axis-confirm-hours", steps(at("demo-axis", mm.ID), open("confirm-hours", ""),
		one(d.pick(css(`.action-dialog[data-action="confirm-hours"] [data-field="hours.id"] .el-select__wrapper`),
			today+" · 3 h · "+mc.Details.Member.Hours[0].ID)),
		send("confirm-hours"))...)
	mc = get(mm.ID)
	require.Equal(t, "楼道长", mc.Details.Member.Post)
	require.True(t, mc.Details.Member.Hours[0].Confirmed)

	t.Log("the admin adds a unit and a user of it with a one-time password, and issues the user a token; the user signs in, sets a password, and finds the unit's task in the inbox")
	admin := func(schema string) chromedp.CSS { return css(`.admin-dialog[data-schema=%q]`, schema) }
	var token, passwordType string
	field := func(schema, f string) chromedp.CSS {
		return css(`.admin-dialog[data-schema=%q] [data-field=%q] .el-select__wrapper`, schema, f)
	}
	run("admin-add-unit", steps(
		one(chromedp.EmulateViewport(1400, 1000)), signIn("demo-admin"), []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(css(`#localities-table`)),
			tap(css(`#tab-units`)),
			tap(css(`#add-unit`)),
			chromedp.WaitVisible(admin("UnitIn") + ` #f-id`),
			chromedp.SendKeys(admin("UnitIn")+` #f-id`, "u-bookstore"),
			chromedp.SendKeys(admin("UnitIn")+` #f-name`, "新华书店南湖店"),
			d.pick(field("UnitIn", "type"), "非公企业"),
			d.pick(field("UnitIn", "locality_id"), "建设街道 · 街道"),
			shot("44-admin-add-unit"),
			tap(admin("UnitIn") + ` button.submit`),
			chromedp.WaitNotPresent(admin("UnitIn")),
			discard(chromedp.Poll[bool](`document.querySelector('#units-table').textContent.includes('新华书店南湖店')`, chromedp.WithPollingTimeout(10*time.Second))),
			tap(css(`#tab-users`)),
			tap(css(`#add-user`)),
			chromedp.WaitVisible(admin("UserIn") + ` #f-id`),
			chromedp.SendKeys(admin("UserIn")+` #f-id`, "bookstore-li"),
			chromedp.SendKeys(admin("UserIn")+` #f-name`, "李店长（新华书店）"),
			d.pick(field("UserIn", "role"), "单位人员"),
			d.pick(field("UserIn", "unit_id"), "新华书店南湖店"),
			chromedp.SendKeys(admin("UserIn")+` #f-username`, "li.bookstore"),
			chromedp.SendKeys(admin("UserIn")+` #f-password`, "Temp-pass-2026"),
			into(chromedp.Evaluate[string](`document.querySelector('.admin-dialog[data-schema="UserIn"] #f-password').type`), &passwordType),
			shot("45-admin-add-user"),
			tap(admin("UserIn") + ` button.submit`),
			chromedp.WaitNotPresent(admin("UserIn")),
			discard(chromedp.Poll[bool](`document.querySelector('#users-table').textContent.includes('bookstore-li')`, chromedp.WithPollingTimeout(10*time.Second))),
			// A token for a script of the bookshop's, shown once.
			tap(css(`[data-user="bookstore-li"] [data-do="token"]`)),
			chromedp.WaitVisible(css(`#new-token`)),
			into(chromedp.Text(css(`#new-token .el-alert__description`)), &token),
		})...)
	require.Equal(t, "password", passwordType, "the one-time password is not shown as it is typed")
	require.True(t, strings.HasPrefix(token, qilian.TokenPrefix), "a token: %q", token)
	req, err := http.NewRequest(http.MethodGet, d.url+"/api/v1/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var me struct {
		User struct {
			ID     string `json:"id"`
			UnitID string `json:"unit_id"`
		} `json:"user"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&me))
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "bookstore-li", me.User.ID, "the token the page showed is the new user's")
	require.Equal(t, "u-bookstore", me.User.UnitID)
	bs := opened("demo-grid", map[string]any{"kind": "service_linkage", "title": "书店门前共享单车乱停", "locality_id": "dongzha-g1"})
	bs = dispatch(bs.ID, map[string]any{"unit_id": "u-bookstore", "role": "lead"})
	run("new-user-signs-in", append(d.signInAs("li.bookstore", "Temp-pass-2026"),
		chromedp.WaitVisible(css(`#change-password`)),
		chromedp.SendKeys(css(`#current-password`), "Temp-pass-2026"),
		chromedp.SendKeys(css(`#new-password`), "书店-own-password-1"),
		chromedp.SendKeys(css(`#new-password-again`), "书店-own-password-1"),
		tap(css(`#password-submit`)),
		chromedp.WaitVisible(css(`#inbox-table button[data-act="accept"][data-task=%q]`, bs.Tasks[0].ID)),
		shot("46-new-unit-inbox"),
	)...)
}
