// Package storagetest opens real read-model databases for tests: a fresh
// SQLite file, and a fresh schema in the PostgreSQL that
// QILIAN_TEST_POSTGRES_URL names (default: the local server's database
// "test"). A test that cannot reach PostgreSQL fails: it is never skipped.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/qilian/qilian/storage"
)

// DefaultPostgresURL is used when QILIAN_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects are the databases every storage test runs on.
var Dialects = []string{"sqlite", "postgres"}

// PostgresURL returns the server the tests use.
func PostgresURL() string {
	if u := os.Getenv("QILIAN_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// Each runs f once per dialect, each on a fresh, migrated database.
func Each(t *testing.T, f func(t *testing.T, db *storage.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) { f(t, Open(t, d)) })
	}
}

// Open returns a fresh, migrated read model on the dialect, removed when
// the test ends.
func Open(t testing.TB, dialect string) *storage.DB {
	t.Helper()
	ctx := context.Background()
	var dbURL string
	switch dialect {
	case "sqlite":
	case "postgres":
		dbURL = FreshSchema(t)
	default:
		t.Fatalf("unknown dialect %q", dialect)
	}
	db, err := storage.Open(ctx, dbURL, t.TempDir())
	if err != nil {
		t.Fatalf("open %s read model: %v", dialect, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("migrate %s read model: %v", dialect, err)
	}
	return db
}

// FreshSchema creates an empty schema on the test PostgreSQL and returns a
// URL whose search_path points at it; the schema is dropped afterwards.
func FreshSchema(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	base := PostgresURL()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable (start it, e.g. with .ci/run's setup, or set QILIAN_TEST_POSTGRES_URL): %v", redact(base), err)
	}
	defer func() { _ = conn.Close(ctx) }()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "qtest_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer func() { _ = c.Close(context.Background()) }()
		_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("QILIAN_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
