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
// each case's history into testdata/, for the replay test. Record anew only
// when a change is meant to be incompatible (and then behind GetVersion or
// a new generation of qilian.CurrentRules), and keep the old files: the
// plain <kind>.json are cases from before rules were numbered (rules 0),
// <kind>.rules1.json cases under rules 1.
const recordEnv = "QILIAN_RECORD_HISTORIES"

func recordHistory(t *testing.T, c client.Client, caseID, name string) {
	if os.Getenv(recordEnv) == "" {
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
	require.NoError(t, os.WriteFile(filepath.Join("testdata", name+".json"), b, 0o644))
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
