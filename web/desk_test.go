package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/web"
	"github.com/qilian/qilian/workflows/enginetest"
)

// desk is what the role tests share: an engine with the demo district,
// the API and the pages on a loopback port, one Chromium, and the moves a
// person makes in the pages.
type desk struct {
	pages
	sys *system
	env *enginetest.Env
	url string
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	exe := chromium(t)
	shots := artifacts(t)
	env := enginetest.Start(t, enginetest.Options{})
	set, err := configs.Config{}.Indicators()
	require.NoError(t, err)
	r := api.New(api.Server{Engine: env.Engine, Calendar: env.Calendar, Indicators: set, FileStore: env.Files, Log: enginetest.Quiet()}.WithStore(env.DB))
	web.Mount(r, "")
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	ctx := startBrowser(t, exe)
	logPageErrors(t, ctx)
	return &desk{
		pages: pages{t: t, ctx: ctx, shots: shots, step: 45 * time.Second},
		sys:   &system{env: env, url: srv.URL},
		env:   env,
		url:   srv.URL,
	}
}

// js runs a script (awaited) in the page.
func (d *desk) js(expr string) chromedp.Action[chromedp.Void] {
	return discard(chromedp.Evaluate[bool](`(async () => { `+expr+`; return true; })()`, chromedp.EvalAwaitPromise))
}

// pick opens an Element Plus select and takes the option of that label,
// as a person does with the mouse.
func (d *desk) pick(sel chromedp.CSS, label string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := tap(sel)(ctx, tg); err != nil {
			return err
		}
		// The option shows once the dropdown opens; another select's
		// dropdown may still be fading out.
		_, err := chromedp.Poll[bool](`(() => {
			const li = [...document.querySelectorAll('.el-select-dropdown__item')]
				.find((li) => li.offsetParent !== null && li.textContent.trim() === `+fmt.Sprintf("%q", label)+`);
			if (!li) return false;
			li.click();
			return true;
		})()`, chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
		return err
	})
}

// choose picks in the select of an action form's field.
func (d *desk) choose(field, label string) chromedp.Action[chromedp.Void] {
	return d.pick(css(`.action-dialog [data-field=%q] .el-select__wrapper`, field), label)
}

// attach hands a file input a photo, as the phone's camera or a file
// chooser does: a PNG drawn in the page, in the input's files, and the
// change event the input fires.
func (d *desk) attach(input, name, colour string) chromedp.Action[chromedp.Void] {
	return d.js(`const c = document.createElement('canvas'); c.width = 64; c.height = 48;
		const g = c.getContext('2d'); g.fillStyle = '` + colour + `'; g.fillRect(0, 0, 64, 48); g.fillStyle = '#fff'; g.fillRect(8, 8, 20, 12);
		const b = await new Promise((ok) => c.toBlob(ok, 'image/png'));
		const dt = new DataTransfer(); dt.items.add(new File([b], '` + name + `', { type: 'image/png' }));
		const i = document.querySelector('` + input + `'); i.files = dt.files; i.dispatchEvent(new Event('change', { bubbles: true }))`)
}

// signIn signs the page out of whoever was in, and in as the demo user
// with the password form.
func (d *desk) signIn(user string) []chromedp.Action[chromedp.Void] {
	return d.signInAs(user, d.env.Logins[user].Password)
}

// signInAs signs in under a user name and password.
func (d *desk) signInAs(username, password string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(d.url + "/dashboard/"),
		d.js(`await fetch('/api/v1/sessions', {method: 'DELETE', credentials: 'same-origin', headers: {'X-CSRF-Token': JSON.parse(sessionStorage.getItem('qilian.me') || '{}').csrf_token || ''}}); sessionStorage.clear(); localStorage.removeItem('qilian.lang'); location.hash = ''`),
		// Reloaded apart from the script: a page that goes away while a
		// script of the test's runs in it fails the script.
		chromedp.Reload(),
		chromedp.WaitVisible(css(`#username`)),
		chromedp.SendKeys(css(`#username`), username),
		chromedp.SendKeys(css(`#password`), password),
		tap(css(`#signin-submit`)),
	}
}
