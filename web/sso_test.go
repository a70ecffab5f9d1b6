package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/openid"
	"github.com/qilian/qilian/openid/openidtest"
	"github.com/qilian/qilian/storage/storagetest"
	"github.com/qilian/qilian/web"
	"github.com/qilian/qilian/workflows/enginetest"
)

// TestSingleSignOnInChromium walks the dashboard's single sign-on in a
// real browser, through a real OpenID Connect provider on loopback: the
// button appears under the password form, leads through the provider
// back to the signed-in dashboard, and a provider user whom Qilian does
// not know comes back to the sign-in page with the reason.
func TestSingleSignOnInChromium(t *testing.T) {
	exe := chromium(t)
	shots := artifacts(t)
	ctx := context.Background()
	db := storagetest.Open(t, "sqlite")
	_, err := demo.Seed(ctx, db, time.Now())
	require.NoError(t, err)

	provider, _ := openidtest.Provider(t)

	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	sso := openid.New(openid.Config{Issuer: provider.Issuer(), ClientID: provider.ClientID, ClientSecret: provider.ClientSecret,
		RedirectURL: base + "/api/v1/sso/callback", Label: "政务单点登录"})
	r := api.New(api.Server{SSO: sso, Log: enginetest.Quiet()}.WithStore(db))
	web.Mount(r, "")
	srv.Config.Handler = r
	srv.Start()
	t.Cleanup(srv.Close)

	b := startBrowser(t, exe)
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(b, 30*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(sctx, actions...), step)
	}
	text := func(sel string, dst *string) chromedp.Action[chromedp.Void] {
		return into(chromedp.Text(chromedp.CSS(sel)), dst)
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}

	var label, path, who string
	provider.QueueUser(&mockoidc.MockUser{Subject: "gov-0001", PreferredUsername: "Demo-Supervisor"})
	run("single sign-on",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#sso-button`)),
		text(`#sso-button`, &label),
		shot("20-signin-sso"),
		chromedp.Click(chromedp.CSS(`#sso-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#signout`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-overdue`)),
		into(chromedp.Evaluate[string](`location.pathname + location.hash`), &path),
		text(`#who`, &who),
	)
	require.Equal(t, "政务单点登录", label)
	require.Equal(t, "/dashboard/#/overdue", path, "the supervisor's home")
	require.Contains(t, who, "陈静")

	var refused, refusedEN, cookies string
	provider.QueueUser(&mockoidc.MockUser{Subject: "gov-0002", PreferredUsername: "not-in-qilian"})
	run("unknown at Qilian",
		chromedp.Click(chromedp.CSS(`#signout`)),
		chromedp.WaitVisible(chromedp.CSS(`#sso-button`)),
		chromedp.Click(chromedp.CSS(`#sso-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#signin-error:not(:empty)`)),
		text(`#signin-error`, &refused),
		shot("21-sso-unknown"),
		into(chromedp.Evaluate[string](`location.hash`), &path),
		into(chromedp.Evaluate[string](`document.cookie`), &cookies),
		chromedp.Click(chromedp.CSS(`#lang`)),
		chromedp.WaitVisible(chromedp.CSS(`#sso-button`)),
		text(`#signin-error`, &refusedEN),
	)
	require.Equal(t, "此账号未在七联开通，请联系管理员", refused)
	require.Equal(t, "#/signin?sso=unknown", path)
	require.Equal(t, "This account has not been set up in Qilian: ask an admin", refusedEN)
	require.NotContains(t, cookies, api.SessionCookie)
}
