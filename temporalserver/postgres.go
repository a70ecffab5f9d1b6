package temporalserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to read the cluster's shard count
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/persistence/serialization"
	postgresplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// The schemas Temporal's own SQL tool applies, from the server module's
// embedded files: the same versioned steps as temporal-sql-tool
// update-schema, so a newer server's steps upgrade the store.
const (
	pgTemporalSchema   = "postgresql/v12/temporal"
	pgVisibilitySchema = "postgresql/v12/visibility"
	// DefaultPostgresShards is the history shard count of a new store on
	// PostgreSQL: shards are Temporal's unit of write concurrency, and a
	// few let one node use PostgreSQL's concurrent writers where SQLite has
	// one. The count is fixed once the cluster exists.
	DefaultPostgresShards = 4
)

// postgresStores are Temporal's stores in PostgreSQL: the database the
// URL names for executions, and <name>_visibility beside it (Temporal's
// two schemas each keep their own schema_version table, so they cannot
// share a database).
func postgresStores(rawURL string) (main, visibility *config.SQL, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, nil, fmt.Errorf("temporal database URL: must be postgres://user:password@host:port/database")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return nil, nil, fmt.Errorf("temporal database URL: names no database")
	}
	host := u.Host
	if u.Port() == "" {
		host += ":5432"
	}
	attrs := map[string]string{}
	for k, v := range u.Query() {
		attrs[k] = v[len(v)-1]
	}
	password, _ := u.User.Password()
	main = &config.SQL{
		PluginName:        postgresplugin.PluginName,
		DatabaseName:      name,
		ConnectAddr:       host,
		ConnectProtocol:   "tcp",
		User:              u.User.Username(),
		Password:          password,
		ConnectAttributes: attrs,
		MaxConns:          20,
		MaxIdleConns:      20,
		MaxConnLifetime:   time.Hour,
	}
	v := *main
	v.DatabaseName = name + "_visibility"
	v.MaxConns, v.MaxIdleConns = 10, 10
	return main, &v, nil
}

// preparePostgres creates the two databases if they are missing, brings
// both schemas up to this server's version with Temporal's schema tool,
// and refuses a shard count other than the one the store was created
// with: Temporal would carry on with the stored count and only log it.
func preparePostgres(rawURL string, shards int32, logger log.Logger) (main, visibility *config.SQL, err error) {
	main, visibility, err = postgresStores(rawURL)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range []struct {
		cfg    *config.SQL
		schema string
	}{{main, pgTemporalSchema}, {visibility, pgVisibilitySchema}} {
		if err := upgradeSchema(rawURL, *s.cfg, s.schema, logger); err != nil {
			return nil, nil, fmt.Errorf("temporal store %s: %w", s.cfg.DatabaseName, err)
		}
	}
	have, err := storedShards(rawURL)
	if err != nil {
		return nil, nil, err
	}
	if have != 0 && have != shards {
		return nil, nil, fmt.Errorf("temporal store %s was created with %d history shards, and a cluster's shard count cannot change; "+
			"set temporal.embedded.history_shards (QILIAN_TEMPORAL_HISTORY_SHARDS) to %d, or use a new database", main.DatabaseName, have, have)
	}
	return main, visibility, nil
}

// upgradeSchema is temporal-sql-tool's create-database (only where the
// database is missing), setup-schema -v 0.0 (only where there is no
// schema yet) and update-schema, in process.
func upgradeSchema(rawURL string, cfg config.SQL, schemaName string, logger log.Logger) error {
	missing, err := databaseMissing(rawURL, cfg.DatabaseName)
	if err != nil {
		return err
	}
	if missing {
		// Created only when missing, so a database made beforehand by
		// someone allowed to needs no CREATEDB right here.
		create := cfg
		if err := sqltool.DoCreateDatabase(&create, "postgres", logger); err != nil && !strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("create database: %w", err)
		}
	}
	conn, err := sqltool.NewConnection(&cfg, logger)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ReadSchemaVersion(); err != nil {
		// No schema_version table yet: a new store.
		if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
			return fmt.Errorf("set up schema: %w", err)
		}
	}
	if err := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{SchemaName: schemaName}, logger).Run(); err != nil {
		return fmt.Errorf("update schema: %w", err)
	}
	return nil
}

// databaseMissing reports whether the server at rawURL has no database of
// that name (a connection to it fails with invalid_catalog_name).
func databaseMissing(rawURL, name string) (bool, error) {
	u, err := PostgresStoreURL(rawURL, name)
	if err != nil {
		return false, err
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		return false, err
	}
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = db.PingContext(ctx)
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &pgErr) && pgErr.Code == "3D000":
		return true, nil
	default:
		return false, fmt.Errorf("temporal store %s: %w", name, err)
	}
}

// storedShards is the history shard count the cluster was created with,
// or 0 before its first start.
func storedShards(rawURL string) (int32, error) {
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return 0, err
	}
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var data []byte
	var encoding string
	err = db.QueryRowContext(ctx, `SELECT data, data_encoding FROM cluster_metadata_info WHERE metadata_partition = 0 AND cluster_name = $1`,
		clusterName).Scan(&data, &encoding)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read temporal cluster metadata: %w", err)
	}
	enc, err := enumspb.EncodingTypeFromString(encoding)
	if err != nil {
		return 0, fmt.Errorf("read temporal cluster metadata: %w", err)
	}
	cm, err := serialization.NewSerializer().DeserializeClusterMetadata(&commonpb.DataBlob{Data: data, EncodingType: enc})
	if err != nil {
		return 0, fmt.Errorf("read temporal cluster metadata: %w", err)
	}
	return cm.GetHistoryShardCount(), nil
}

// DropPostgresStore drops the two databases of a store on PostgreSQL, for
// throwaway stores (the bench's, the tests'), closing whatever sessions
// still use them; it connects to the server's "postgres" database.
func DropPostgresStore(rawURL string) error {
	main, vis, err := postgresStores(rawURL)
	if err != nil {
		return err
	}
	admin, err := PostgresStoreURL(rawURL, "postgres")
	if err != nil {
		return err
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var errs []error
	for _, name := range []string{vis.DatabaseName, main.DatabaseName} {
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+strings.ReplaceAll(name, `"`, `""`)+`" WITH (FORCE)`); err != nil {
			errs = append(errs, fmt.Errorf("drop %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// PostgresStoreURL is rawURL naming another database on the same server.
func PostgresStoreURL(rawURL, database string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("temporal database URL: %w", err)
	}
	u.Path = "/" + database
	return u.String(), nil
}
