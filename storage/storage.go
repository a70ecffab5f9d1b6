// Package storage keeps Qilian's read model in a SQL database through GORM:
// SQLite in the data directory for a single machine, PostgreSQL for a
// city. Both get the same schema from the same versioned migrations, all
// of them listed in package migrations.
//
// Driver errors never leave this package: they become the domain's
// sentinels (not found, conflict, unavailable) at its boundary.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/libtnb/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage/migrations"
)

// SQLiteFile is the read model's file name inside the data directory.
const SQLiteFile = "qilian.db"

// DB is the read model.
type DB struct {
	gorm     *gorm.DB
	sql      *sql.DB
	postgres bool
}

// Open connects to PostgreSQL when url is a postgres:// URL, and otherwise
// opens (creating it if needed) the SQLite file in dataDir.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
		Logger:         logger.Discard,
	}
	var (
		dialector gorm.Dialector
		pg        = strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
	)
	maxConns := 32
	switch {
	case pg:
		var err error
		if url, maxConns, err = poolSize(url, maxConns); err != nil {
			return nil, err
		}
		dialector = postgres.Open(url)
	case url == "":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		dialector = sqlite.Open(sqliteDSN(filepath.Join(dataDir, SQLiteFile)))
	default:
		return nil, fmt.Errorf("database url: want empty or postgres://, got another scheme")
	}
	g, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, translate(fmt.Errorf("open read model: %w", err))
	}
	s, err := g.DB()
	if err != nil {
		return nil, err
	}
	if pg {
		s.SetMaxOpenConns(maxConns)
		s.SetMaxIdleConns(min(16, maxConns))
		s.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		// WAL lets readers run beside the one writer; more connections than
		// this only queue on SQLite's write lock.
		s.SetMaxOpenConns(8)
		s.SetMaxIdleConns(8)
	}
	db := &DB{gorm: g, sql: s, postgres: pg}
	if err := db.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return db, nil
}

// poolSize takes the pool_max_conns parameter (pgxpool's name for it) out
// of a PostgreSQL URL: the connections one process opens at most, def
// when the URL does not say. Several processes on one server must share
// its max_connections (100 by default), so a cluster sets it per process.
func poolSize(rawURL string, def int) (string, int, error) {
	u, err := neturl.Parse(rawURL)
	if err != nil {
		return "", 0, fmt.Errorf("database url: %w", err)
	}
	q := u.Query()
	v := q.Get("pool_max_conns")
	if v == "" {
		return rawURL, def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return "", 0, fmt.Errorf("database url: pool_max_conns must be a whole number from 1 to 1000, got %q", v)
	}
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// sqliteDSN opens the file in WAL mode (several times the write throughput
// of the rollback journal, and readers never block the writer), waits on a
// busy database instead of failing, and takes the write lock when a
// transaction begins, so two writers queue instead of deadlocking on an
// upgrade.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
}

// Postgres reports whether the read model is PostgreSQL.
func (db *DB) Postgres() bool { return db.postgres }

// Gorm exposes the GORM handle to the packages that build on the read model.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := db.sql.PingContext(ctx); err != nil {
		return qilian.Errorf(qilian.EUNAVAILABLE, "database unreachable: %v", err)
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error { return db.sql.Close() }

// Migrate brings the schema up to date. On PostgreSQL a session lock makes
// concurrent starts of several api and worker processes safe.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		log.Info("migrated read model", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "took", r.Duration.Round(time.Millisecond))
	}
	if err != nil {
		return fmt.Errorf("migrate read model: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	log.Info("read model schema is current", "version", v)
	return nil
}

// SchemaVersion returns the applied version and the newest known one.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := db.migrator()
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	if n := len(srcs); n > 0 {
		latest = srcs[n-1].Version
	}
	return current, latest, nil
}

func (db *DB) migrator() (*goose.Provider, error) {
	fsys, goMigrations := migrations.Sources(db.postgres)
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithGoMigrations(goMigrations...)}
	if db.postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.sql, fsys, opts...)
}

// translate turns driver errors into domain errors.
func translate(err error) error {
	var pgErr *pgconn.PgError
	var netErr net.Error
	var connErr *pgconn.ConnectError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return qilian.ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return qilian.Errorf(qilian.ECONFLICT, "already exists")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return qilian.Errorf(qilian.EINVALID, "refers to something that does not exist")
	case errors.As(err, &pgErr):
		return translatePg(pgErr, err)
	case errors.As(err, &connErr), errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, sql.ErrConnDone):
		return qilian.Errorf(qilian.EUNAVAILABLE, "database unreachable")
	default:
		return err
	}
}

// translatePg sorts a PostgreSQL server answer by its SQLSTATE: the
// server going away or refusing connections for now is an outage, a value
// it cannot store (a NUL byte, a number out of range) is bad input, and
// anything else is a bug and stays as it is.
func translatePg(pgErr *pgconn.PgError, err error) error {
	code := pgErr.Code
	switch {
	// Connection exceptions; too many connections or a full disk; the
	// server shutting down, crashed, starting up, or ending an idle
	// session; a serialization failure or deadlock, which a retry clears.
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"),
		code == "57P01", code == "57P02", code == "57P03", code == "57P05",
		code == "40001", code == "40P01":
		return qilian.Errorf(qilian.EUNAVAILABLE, "database unavailable (SQLSTATE %s)", code)
	// Data exceptions: a NUL byte in text, a number out of range.
	case strings.HasPrefix(code, "22"):
		return qilian.Errorf(qilian.EINVALID, "a value the database cannot store")
	default:
		return err // a server answer: a bug, not an outage
	}
}
