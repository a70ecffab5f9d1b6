package migrations

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"
)

// files are the numbered migration files of this directory.
func files(t *testing.T) (sqlFiles, goFiles []string) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	for _, e := range entries {
		name := e.Name()
		if _, err := goose.NumericComponent(name); err != nil || strings.HasSuffix(name, "_test.go") {
			continue
		}
		switch {
		case strings.HasSuffix(name, ".sql"):
			sqlFiles = append(sqlFiles, name)
		case strings.HasSuffix(name, ".go"):
			goFiles = append(goFiles, name)
		}
	}
	return sqlFiles, goFiles
}

// Every version from 1 up is one migration on both dialects, a Go one
// exactly where this directory has its numbered Go file.
func TestSourcesNumberEveryMigrationOnce(t *testing.T) {
	sqlNames, goNames := files(t)
	version := func(name string) int64 {
		v, err := goose.NumericComponent(name)
		require.NoError(t, err, name)
		return v
	}
	for _, postgres := range []bool{false, true} {
		fsys, gos := Sources(postgres)
		embedded, err := fs.Glob(fsys, "*.sql")
		require.NoError(t, err)
		require.Equal(t, sqlNames, embedded, "every SQL file is embedded")
		var all, goVersions, want []int64
		for _, name := range embedded {
			all = append(all, version(name))
		}
		for _, m := range gos {
			require.Equal(t, goose.TypeGo, m.Type)
			all = append(all, m.Version)
			goVersions = append(goVersions, m.Version)
		}
		var fromFiles []int64
		for _, name := range goNames {
			fromFiles = append(fromFiles, version(name))
		}
		require.Equal(t, fromFiles, goVersions, "postgres=%v: a Go migration per numbered Go file, in order", postgres)
		slices.Sort(all)
		for i := range all {
			want = append(want, int64(i+1))
		}
		require.Equal(t, want, all, "postgres=%v: versions 1 to %d, each once", postgres, len(all))
	}
}

// The package's doc lists every migration file, and no other.
func TestDocListsEveryMigration(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "migrations.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	var listed []string
	for _, m := range regexp.MustCompile(`(?m)^\s+(\d+_\w+\.(?:sql|go))\s`).FindAllStringSubmatch(f.Doc.Text(), -1) {
		listed = append(listed, m[1])
	}
	sqlNames, goNames := files(t)
	all := append(sqlNames, goNames...)
	slices.Sort(all)
	require.Equal(t, all, listed)
}
