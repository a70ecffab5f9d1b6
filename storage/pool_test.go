package storage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

// A PostgreSQL URL's pool_max_conns bounds the connections one process
// opens (a cluster's processes share one server's max_connections), and is
// not sent to the server as a setting; a bad value is refused by name.
func TestPoolMaxConnsFromTheURL(t *testing.T) {
	ctx := context.Background()
	url := storagetest.FreshSchema(t)
	db, err := storage.Open(ctx, url+"&pool_max_conns=3", "")
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	s, err := db.Gorm().DB()
	require.NoError(t, err)
	require.Equal(t, 3, s.Stats().MaxOpenConnections)
	var path string
	require.NoError(t, db.Gorm().Raw("SHOW search_path").Scan(&path).Error)
	require.Contains(t, path, "qtest_", "the URL's other parameters still apply")

	for _, bad := range []string{"0", "many", "1001"} {
		_, err := storage.Open(ctx, url+"&pool_max_conns="+bad, "")
		require.ErrorContains(t, err, "pool_max_conns must be a whole number from 1 to 1000", bad)
	}
}
