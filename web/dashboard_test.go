package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/web"
	"github.com/qilian/qilian/workflows/enginetest"
)

// chromium finds Debian's Chromium, or the one QILIAN_CHROMIUM names. The
// browser tests never download a browser, and never skip: without
// Chromium they fail and say how to get it.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("QILIAN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the dashboard's browser tests need Chromium: install Debian's package " +
		"(apt-get install -y chromium; .ci/run does this) or point QILIAN_CHROMIUM at a Chromium binary")
	return ""
}

// artifacts is where the screenshots go: $QILIAN_ARTIFACTS/screenshots,
// or artifacts/screenshots beside this file.
func artifacts(t *testing.T) string {
	t.Helper()
	root := os.Getenv("QILIAN_ARTIFACTS")
	if root == "" {
		root = "artifacts"
	}
	dir, err := filepath.Abs(filepath.Join(root, "screenshots"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// quickPolicy is the configured policy, except that a service request must
// be accepted within a few seconds: the case the test opens really runs
// late, on the engine's own timers.
func quickPolicy(t *testing.T) qilian.Policy {
	t.Helper()
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	p, err := cfg.Policy()
	require.NoError(t, err)
	p.Deadlines[qilian.KindServiceLinkage] = map[qilian.Priority]qilian.DeadlineRule{
		qilian.PriorityNormal: {Accept: qilian.Span{Time: 3 * time.Second}, Resolve: qilian.Span{Days: 1}, Clock: qilian.ClockWall},
	}
	require.NoError(t, p.Validate())
	return p
}

// system is the whole thing running in-process: the engine on the
// embedded Temporal, the read model, the demo district, and the API with
// the dashboard, on a loopback port.
type system struct {
	env *enginetest.Env
	url string
}

func (s *system) call(t *testing.T, user, method, path string, body any, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.env.Logins[user].Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Less(t, res.StatusCode, 300, "%s %s: %s", method, path, raw)
	if out != nil {
		require.NoError(t, json.Unmarshal(raw, out), "%s", raw)
	}
}

type overdueItem struct {
	CaseID string `json:"case_id"`
	TaskID string `json:"task_id"`
	Level  int    `json:"level"`
}

func TestDashboardInChromium(t *testing.T) {
	exe := chromium(t)
	shots := artifacts(t)
	policy := quickPolicy(t)
	env := enginetest.Start(t, enginetest.Options{Policy: &policy})
	set, err := configs.Config{}.Indicators()
	require.NoError(t, err)
	r := api.New(api.Server{Engine: env.Engine, Calendar: env.Calendar, Indicators: set, Log: enginetest.Quiet()}.WithStore(env.DB))
	web.Mount(r, "")
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	sys := &system{env: env, url: srv.URL}

	// A resident's request, dispatched to the property company, which does
	// not accept it in time.
	const title = "东栅社区路灯不亮 <img src=x onerror=alert(1)>"
	var c struct {
		ID    string `json:"id"`
		Tasks []struct {
			ID string `json:"id"`
		} `json:"tasks"`
	}
	sys.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "service_linkage", "title": title, "locality_id": "dongzha-g1",
		"reporter": map[string]any{"name": "王大爷", "phone": "13900000000"},
	}, &c)
	sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{
		"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}},
	}, &c)
	require.Len(t, c.Tasks, 1)
	task := c.Tasks[0].ID

	// Two urgent requests (on the configured deadlines) that the company
	// takes up and resolves in time: its scorecard earns points and rates.
	for i, what := range []string{"单元门禁损坏", "电梯按钮失灵"} {
		var done struct {
			ID    string `json:"id"`
			Tasks []struct {
				ID string `json:"id"`
			} `json:"tasks"`
		}
		sys.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", map[string]any{
			"kind": "service_linkage", "title": what, "locality_id": "dongzha-g1", "priority": "urgent",
			"reporter": map[string]any{"name": fmt.Sprintf("居民%d", i+1)},
		}, &done)
		sys.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+done.ID+"/dispatch", map[string]any{
			"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}},
		}, &done)
		sys.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/"+done.Tasks[0].ID+"/accept", map[string]any{}, nil)
		sys.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/"+done.Tasks[0].ID+"/resolve", map[string]any{"result": "已修复"}, nil)
	}
	require.Eventually(t, func() bool {
		// This runs on another goroutine: it reports, it does not fail.
		var got struct {
			Overdue []overdueItem `json:"overdue"`
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/overdue?limit=200", nil)
		req.Header.Set("Authorization", "Bearer "+env.Logins["demo-supervisor"].Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&got) != nil {
			return false
		}
		for _, o := range got.Overdue {
			if o.TaskID == task && o.Level >= 1 {
				return true
			}
		}
		return false
	}, time.Minute, 250*time.Millisecond, "the task runs late and the ladder's first rung fires")

	downloads := t.TempDir()
	ctx := startBrowser(t, exe)
	dl := watchDownloads(t, ctx)
	logPageErrors(t, ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true),
		})
		return err
	})))

	pg := pages{t: t, ctx: ctx, shots: shots, step: 30 * time.Second, full: true}
	shot, run := pg.shot, pg.run
	text := func(sel chromedp.CSS, dst *string) chromedp.Action[chromedp.Void] {
		return into(chromedp.Text(sel), dst)
	}
	row := fmt.Sprintf(`#overdue-table tr[data-task=%q]`, task)

	t.Log("sign in as the demo supervisor, with a user name and password")
	var signIn, signInError, pageCookies string
	run("signin",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#username`)),
		text(css(`#signin h1`), &signIn),
		shot("01-signin"),
		chromedp.SendKeys(css(`#username`), "demo-supervisor"),
		chromedp.SendKeys(css(`#password`), "not-the-password"),
		chromedp.Click(css(`#signin-submit`)),
		chromedp.WaitVisible(css(`#signin-error:not(:empty)`)),
		text(css(`#signin-error`), &signInError),
		chromedp.SendKeys(css(`#password`), env.Logins["demo-supervisor"].Password),
		chromedp.Click(css(`#signin-submit`)),
		chromedp.WaitVisible(chromedp.CSS(row)),
		// The session is an HttpOnly cookie: the page cannot read it.
		into(chromedp.Evaluate[string](`document.cookie`), &pageCookies),
	)
	require.Equal(t, "七联督办平台", signIn)
	require.Equal(t, "用户名或密码错误", signInError)
	require.NotContains(t, pageCookies, "qilian_session")

	t.Log("the overdue board lists the late task, its unit and locality by name, and its escalation")
	var rowText, linkText string
	var scripted bool
	run("overdue",
		chromedp.WaitVisible(css(`%s td.unit[data-id="u-mingyuan-property"]`, row)),
		discard(chromedp.Poll[bool](`document.querySelector('`+row+` td.unit').textContent !== 'u-mingyuan-property'`,
			chromedp.WithPollingTimeout(10*time.Second))),
		text(chromedp.CSS(row), &rowText),
		text(css(`%s a.case-link`, row), &linkText),
		into(chromedp.Evaluate[bool](`document.querySelectorAll('#overdue-table img').length > 0`), &scripted),
		shot("02-overdue-board"),
	)
	require.Equal(t, title, linkText, "the title is shown as text")
	require.False(t, scripted, "data never becomes markup")
	require.Contains(t, rowText, "明苑物业服务中心")
	require.Contains(t, rowText, "东栅社区第一网格")
	require.Contains(t, rowText, "L1 催办", "level 1: the ladder's reminder")

	t.Log("the filters: the locality filter offers the late task's place and the places above it")
	pick := func(name, v string) chromedp.Action[chromedp.Void] {
		return discard(chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#overdue-filters select[name=` + name + `]');
			s.value = '` + v + `'; s.dispatchEvent(new Event('change')); return true; })()`))
	}
	var places []string
	run("filter",
		into(chromedp.Evaluate[[]string](`[...document.querySelectorAll('#overdue-filters select[name=locality] option')].map((o) => o.value)`), &places),
		pick("locality", "jianshe"),
		chromedp.WaitVisible(chromedp.CSS(row)),
		shot("02-overdue-board-jianshe"),
		pick("kind", "joint_activity"),
		chromedp.WaitNotPresent(chromedp.CSS(row)),
		pick("kind", ""),
		pick("locality", ""),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	require.Equal(t, []string{"", "nanhu", "jianshe", "dongzha", "dongzha-g1"}, places)

	t.Log("send a reminder from the board")
	const note = "请明苑物业今天下班前签收并处理路灯问题"
	run("remind",
		chromedp.Click(css(`%s button[data-act="remind"]`, row)),
		chromedp.WaitVisible(css(`form.supervise[data-action="remind"] textarea`)),
		chromedp.SendKeys(css(`form.supervise[data-action="remind"] textarea`), note),
		shot("03-remind-form"),
		chromedp.Click(css(`form.supervise button[data-send="remind"]`)),
		chromedp.WaitVisible(css(`%s .badge.ok`, row)),
		shot("04-reminded"),
	)

	t.Log("the reminder is in the case's timeline")
	var remindText, caseTitle, overdueText, escalatedText string
	run("timeline",
		chromedp.Click(css(`%s a.case-link`, row)),
		chromedp.WaitVisible(css(`#timeline li[data-type="remind"]`)),
		chromedp.WaitVisible(css(`#timeline li[data-type="escalated"]`)),
		text(css(`#case-title`), &caseTitle),
		text(css(`#timeline li[data-type="remind"]`), &remindText),
		text(css(`#timeline li[data-type="overdue"]`), &overdueText),
		text(css(`#timeline li[data-type="escalated"]`), &escalatedText),
		shot("05-case-timeline"),
	)
	require.Equal(t, title, caseTitle)
	require.Contains(t, overdueText, "已超过签收时限", "the engine's reason in words")
	require.NotContains(t, overdueText, "accept_by")
	require.Contains(t, escalatedText, "第1级：催办")
	require.Contains(t, remindText, note)
	require.Contains(t, remindText, "demo-supervisor")
	var trail struct {
		Events []struct {
			Type, Note string
		} `json:"events"`
	}
	sys.call(t, "demo-supervisor", http.MethodGet, "/api/v1/cases/"+c.ID+"/events", nil, &trail)
	found := false
	for _, e := range trail.Events {
		found = found || (e.Type == "remind" && e.Note == note)
	}
	require.True(t, found, "the reminder reached the engine: %+v", trail.Events)

	t.Log("issue a notice from the case's page, in the form the API describes: the server refuses it without its text")
	const noticeText = "明苑物业超期未签收，予以通报"
	var refused, noticed string
	dialog := `.action-dialog[data-action="notice"]`
	run("notice",
		chromedp.Click(css(`#case-actions button[data-act="notice"]`)),
		chromedp.WaitVisible(css(`%s #f-note`, dialog)),
		chromedp.Click(css(`%s button.submit`, dialog)),
		chromedp.WaitVisible(css(`%s .form-error`, dialog)),
		text(css(`%s .form-error`, dialog), &refused),
		chromedp.SendKeys(css(`%s #f-note`, dialog), noticeText),
		chromedp.Click(css(`%s button.submit`, dialog)),
		chromedp.WaitVisible(css(`#timeline li[data-type="notice"]`)),
		text(css(`#timeline li[data-type="notice"]`), &noticed),
		shot("05-case-notice"),
	)
	require.Contains(t, refused, "note", "the refusal names the field")
	require.Contains(t, noticed, noticeText)

	t.Log("the supervisor sees the reporter masked, and reveals it with a reason")
	var maskedText, revealedText string
	run("reveal",
		text(css(`#reporter`), &maskedText),
		chromedp.Click(css(`#reveal`)),
		chromedp.WaitVisible(css(`.reveal-box input`)),
		chromedp.SendKeys(css(`.reveal-box input`), "核实督办情况，需电话回访"),
		chromedp.Click(css(`.reveal-box button.reveal-submit`)),
		discard(chromedp.Poll[bool](`document.querySelector('#reporter').textContent.includes('13900000000')`)),
		text(css(`#reporter`), &revealedText),
		shot("05-case-revealed"),
	)
	require.Equal(t, "王** · 139****0000", maskedText)
	require.Equal(t, "王大爷 · 13900000000", revealedText)
	var audit struct {
		Entries []struct{ Kind, UserID, Detail string } `json:"entries"`
	}
	sys.call(t, "demo-supervisor", http.MethodGet, "/api/v1/audit?subject="+c.ID, nil, &audit)
	require.Len(t, audit.Entries, 1)
	require.Equal(t, "reveal", audit.Entries[0].Kind)
	require.Equal(t, "核实督办情况，需电话回访", audit.Entries[0].Detail)

	t.Log("export the overdue list as CSV")
	run("export-overdue",
		chromedp.Navigate(srv.URL+"/dashboard/#/overdue"),
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(css(`#export-overdue`)),
	)
	csv := dl.wait(t, downloads)
	require.True(t, bytes.HasPrefix(csv, []byte("\xEF\xBB\xBF")), "UTF-8 with a BOM, for Excel")
	require.Contains(t, string(csv), c.ID)
	require.Contains(t, string(csv), task)

	t.Log("drill down from the district to its streets")
	var cases, overdue string
	run("drill",
		chromedp.Click(css(`#nav a[href="#/drill"]`)),
		chromedp.WaitVisible(css(`#children-table`)),
		text(css(`#count-cases`), &cases),
		text(css(`#count-overdue`), &overdue),
		chromedp.WaitVisible(css(`#chart-children canvas`)),
		shot("06-drill-district"),
		chromedp.Click(css(`#children-table a[href="#/drill/jianshe"]`)),
		chromedp.WaitVisible(css(`#children-table a[href="#/drill/dongzha"]`)),
		shot("07-drill-street"),
	)
	require.NotEqual(t, "0", cases)
	require.NotEqual(t, "0", overdue)

	t.Log("the unit's scorecard draws its charts")
	period := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	var painted, red int
	var name string
	run("scorecard",
		chromedp.Click(css(`#nav a[href="#/scores"]`)),
		chromedp.WaitVisible(css(`#scores-table`)),
		shot("08-scores"),
		chromedp.Navigate(srv.URL+"/dashboard/#/score/unit/u-mingyuan-property?period="+period),
		chromedp.WaitVisible(css(`#chart-indicators canvas`)),
		chromedp.WaitVisible(css(`#chart-trend canvas`)),
		into(chromedp.Evaluate[int](paintedPixels(`#chart-indicators canvas`)), &painted),
		into(chromedp.Evaluate[int](redPixels(`#chart-indicators canvas`)), &red),
		text(css(`#scorecard-name`), &name),
		shot("09-scorecard"),
	)
	require.Greater(t, painted, 1000, "the indicator chart's canvas has something drawn on it")
	require.Greater(t, red, 200, "and the bars of the points earned, in the chart's first colour")
	require.Equal(t, "明苑物业服务中心", name)

	t.Log("the lines behind an indicator's points lead to their cases")
	run("lines",
		chromedp.Click(css(`#indicator-table tr[data-indicator="compound_property"] button.link`)),
		chromedp.WaitVisible(css(`#indicator-table tr[data-indicator="compound_property"] + tr.lines a[href="#/case/%s"]`, c.ID)),
		shot("10-scorecard-lines"),
	)

	t.Log("export the scores as CSV")
	run("export-scores", chromedp.Click(css(`#export-scores`)))
	csv = dl.wait(t, downloads)
	require.True(t, bytes.HasPrefix(csv, []byte("\xEF\xBB\xBF")))
	require.Contains(t, string(csv), "明苑物业服务中心")

	t.Log("switch to English, then sign out")
	var nav string
	run("english",
		chromedp.Click(css(`#lang`)),
		chromedp.WaitVisible(css(`#chart-indicators canvas`)),
		text(css(`#nav`), &nav),
		shot("11-scorecard-en"),
	)
	require.Contains(t, nav, "Overdue")
	var afterSignOut int
	var stored bool
	run("signout",
		chromedp.Click(css(`#signout`)),
		chromedp.WaitVisible(css(`#username`)),
		into(chromedp.Evaluate[bool](`sessionStorage.getItem('qilian.me') !== null`), &stored),
		// The server ended the session: the cookie no longer opens the API.
		into(chromedp.Evaluate[int](`fetch('/api/v1/me', {credentials: 'same-origin'}).then((r) => r.status)`,
			chromedp.EvalAwaitPromise), &afterSignOut),
	)
	require.False(t, stored, "signing out forgets who was signed in")
	require.Equal(t, http.StatusUnauthorized, afterSignOut)

	t.Log("the company's staff find the late task in their inbox")
	run("inbox",
		chromedp.SetValue(css(`#username`), "demo-unit"),
		chromedp.SetValue(css(`#password`), env.Logins["demo-unit"].Password),
		chromedp.Click(css(`#signin-submit`)),
		chromedp.WaitVisible(css(`#inbox-table span.late[data-left=%q]`, task)),
		shot("12-unit-inbox"),
	)

	t.Log("the street axis finds the case, still waiting on its unit, in the dispatch queue")
	run("queue",
		chromedp.Click(css(`#signout`)),
		chromedp.WaitVisible(css(`#username`)),
		chromedp.SetValue(css(`#username`), "demo-axis"),
		chromedp.SetValue(css(`#password`), env.Logins["demo-axis"].Password),
		chromedp.Click(css(`#signin-submit`)),
		chromedp.WaitVisible(css(`#cases-table a[href="#/case/%s"]`, c.ID)),
		shot("13-axis-queue"),
	)
	var queued string
	run("queue-row", text(css(`#cases-table tr:has(a[href="#/case/%s"])`, c.ID), &queued))
	// The language chosen stays English for the next user of the browser,
	// and places are named in it.
	require.Contains(t, queued, "Dongzha grid 1", "the locality by its English name")

	// The screenshots are real images of a laid-out page.
	img, err := os.ReadFile(filepath.Join(shots, "09-scorecard.png"))
	require.NoError(t, err)
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	require.NoError(t, err)
	require.GreaterOrEqual(t, cfg.Width, 1000)
	t.Logf("screenshots in %s", shots)
}

func ptr[T any](v T) *T { return &v }

// logPageErrors sends the page's uncaught errors to the test log: a blank
// page is otherwise all a failure shows.
func logPageErrors(t *testing.T, ctx context.Context) {
	go func() {
		for ev, err := range chromedp.Events(ctx, runtime.ExceptionThrown) {
			if err != nil {
				return
			}
			if d := ev.ExceptionDetails; d != nil {
				desc := d.Text
				if d.Exception != nil {
					desc += " " + d.Exception.Description
				}
				t.Logf("page error: %s (%s:%d)", desc, d.URL, d.LineNumber)
			}
		}
	}()
}

// pages runs a browser test's steps, each within its own time, and saves
// screenshots (of the whole page when full, else of the viewport); a
// failed step leaves a screenshot named after it.
type pages struct {
	t     *testing.T
	ctx   context.Context
	shots string
	step  time.Duration
	full  bool
}

func (p pages) shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		capture := chromedp.CaptureScreenshot()
		if p.full {
			capture = chromedp.FullScreenshot(100)
		}
		buf, err := capture(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(p.shots, name+".png"), buf, 0o644)
	})
}

func (p pages) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	sctx, cancel := context.WithTimeout(p.ctx, p.step)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		_ = chromedp.Do(p.ctx, p.shot("failed-"+step))
		p.t.Fatalf("%s: %v", step, err)
	}
}

// tap clicks what sel names as a person would: once it is on top where
// it shows, not under a loading mask that is fading out or a table that
// is still laying itself out (a click there lands on something else).
func tap(sel chromedp.CSS) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.Poll[bool](`(() => {
			const el = document.querySelector(`+fmt.Sprintf("%q", string(sel))+`);
			if (!el) return false;
			el.scrollIntoView({ block: 'center', inline: 'center' });
			const r = el.getBoundingClientRect();
			if (!r.width || !r.height) return false;
			const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
			return !!top && (top === el || el.contains(top));
		})()`, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg); err != nil {
			return fmt.Errorf("%s never came on top: %w", sel, err)
		}
		_, err := chromedp.Click(sel)(ctx, tg)
		return err
	})
}

// css is a selector with its arguments filled in.
func css(sel string, args ...any) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(sel, args...)) }

// into runs a and keeps its value in dst.
func into[T any](a chromedp.Action[T], dst *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := a(ctx, tg)
		*dst = v
		return err
	})
}

// discard runs a for its effect alone.
func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	var v T
	return into(a, &v)
}

// paintedPixels is a script counting the pixels of a canvas that are
// neither transparent nor white.
func paintedPixels(sel string) string {
	return `(() => {
		const c = document.querySelector(` + "`" + sel + "`" + `);
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4) {
			if (d[i + 3] > 0 && !(d[i] > 250 && d[i + 1] > 250 && d[i + 2] > 250)) n++;
		}
		return n;
	})()`
}

// redPixels counts the pixels of a canvas in the dashboard's red, the
// colour of the points bars.
func redPixels(sel string) string {
	return `(() => {
		const c = document.querySelector(` + "`" + sel + "`" + `);
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4) {
			if (d[i + 3] > 200 && d[i] > 170 && d[i + 1] < 70 && d[i + 2] < 70) n++;
		}
		return n;
	})()`
}

func startBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, so that a broken Chromium fails here, plainly.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium (%s): %v", exe, err)
	}
	return ctx
}

// downloads follows the browser's downloads.
type downloads struct {
	done chan string // GUIDs of finished downloads
}

func watchDownloads(t *testing.T, ctx context.Context) *downloads {
	d := &downloads{done: make(chan string, 8)}
	events := chromedp.Events(ctx, browser.DownloadProgress)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				d.done <- ev.GUID
			}
		}
	}()
	return d
}

// wait returns the content of the next finished download.
func (d *downloads) wait(t *testing.T, dir string) []byte {
	t.Helper()
	select {
	case guid := <-d.done:
		b, err := os.ReadFile(filepath.Join(dir, guid))
		require.NoError(t, err)
		require.NotEmpty(t, b)
		return b
	case <-time.After(30 * time.Second):
		t.Fatal("no download finished within 30s")
		return nil
	}
}
