package workflows_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/calendar"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/workflows"
	"github.com/qilian/qilian/workflows/enginetest"
)

// recordEnv names the variable that makes TestEveryKindFromOpenToEnd save
// each case's history into testdata/, for the replay test, as
// <kind>.<value>.json. Record anew only when a change is meant to be
// incompatible (and then behind GetVersion or a new generation of
// qilian.CurrentRules), under a new value, and keep the old files: the
// plain <kind>.json are cases from before rules were numbered (rules 0),
// <kind>.rules1.json cases under rules 1, <kind>.lean.json cases on the
// lean step (versionLean: local-activity projection, search attributes
// upserted only when one changed).
const recordEnv = "QILIAN_RECORD_HISTORIES"

func recordHistory(t *testing.T, c client.Client, caseID, name string) {
	tag := os.Getenv(recordEnv)
	if tag == "" {
		return
	}
	ctx := context.Background()
	it := c.GetWorkflowHistory(ctx, qilian.CaseWorkflowID(caseID), "", false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join("testdata", name+"."+tag+".json"), b, 0o644))
}

// Every recorded history must replay on today's workflow code without a
// non-determinism error, so cases opened by older versions keep running.
func TestRecordedHistoriesReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 7, "one recorded history per kind")
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	p, err := cfg.Policy()
	require.NoError(t, err)
	cal, err := calendar.LoadFS(os.DirFS("../configs/calendar"), ".")
	require.NoError(t, err)
	eng := &workflows.Engine{Policy: p, Calendar: cal}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			eng.Register(r)
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(sdklog.NewStructuredLogger(enginetest.Quiet()), f))
		})
	}
}

// The lean histories are what their name says: the read model projected
// by local activities (markers, no activity task) and the search
// attributes upserted only when a step changed one, so fewer upserts than
// updates; the older histories keep the activity at every step.
func TestLeanHistoriesProjectWithLocalActivities(t *testing.T) {
	count := func(f string) (activities, localMarkers, upserts, updates int) {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		h := &historypb.History{}
		require.NoError(t, protojson.Unmarshal(b, h))
		for _, e := range h.Events {
			switch {
			case e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "SyncCase":
				activities++
			case e.GetMarkerRecordedEventAttributes().GetMarkerName() == "LocalActivity":
				localMarkers++
			case e.GetUpsertWorkflowSearchAttributesEventAttributes() != nil:
				upserts++
			case e.GetWorkflowExecutionUpdateCompletedEventAttributes() != nil:
				updates++
			}
		}
		return
	}
	lean, err := filepath.Glob("testdata/*.lean.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(lean), 7, "one lean history per kind")
	upserts, updates := 0, 0
	for _, f := range lean {
		acts, markers, u, n := count(f)
		require.Zero(t, acts, "%s: no SyncCase activity task", f)
		require.Positive(t, markers, "%s: projected by local activities", f)
		upserts, updates = upserts+u, updates+n
	}
	require.Less(t, upserts, updates, "steps that change no search attribute upsert none")
	acts, markers, _, _ := count("testdata/service_linkage.rules1.json")
	require.Positive(t, acts, "the old path projects with activities")
	require.Zero(t, markers)
}
