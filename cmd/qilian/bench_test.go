package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// qilian bench is package bench's command, with its flags; the bench
// itself is tested there (TestBenchQuick).
func TestBenchCommand(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"bench", "--help"}, io.Discard, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp)
	require.Contains(t, stderr.String(), "usage: qilian bench [flags]")
	for _, f := range []string{"-config", "-postgres", "-json", "-quick", "-late-cases", "-only"} {
		require.Contains(t, stderr.String(), f)
	}

	err = run(context.Background(), []string{"bench", "--rows", "0"}, io.Discard, io.Discard)
	require.EqualError(t, err, "bench: scales must be positive")
}
