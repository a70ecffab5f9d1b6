package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

func TestMigrateIsCurrentAndRepeatable(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		cur, latest, err := db.SchemaVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, latest, cur)
		require.Positive(t, latest)
		require.NoError(t, db.Migrate(ctx, discard()), "migrating a current schema is a no-op")
	})
}

func seedTree(t *testing.T, db *storage.DB) {
	ctx := context.Background()
	for _, l := range []qilian.Locality{
		{ID: "county", Level: qilian.LevelCounty, Name: "南湖区"},
		{ID: "s1", ParentID: "county", Level: qilian.LevelStreet, Name: "建设街道"},
		{ID: "s2", ParentID: "county", Level: qilian.LevelStreet, Name: "解放街道"},
		{ID: "c_1", ParentID: "s1", Level: qilian.LevelCommunity, Name: "东栅社区"},
		{ID: "g1", ParentID: "c_1", Level: qilian.LevelGrid, Name: "一号网格"},
		{ID: "c2", ParentID: "s2", Level: qilian.LevelCommunity, Name: "西社区"},
	} {
		_, err := db.UpsertLocality(ctx, l)
		require.NoError(t, err, l.ID)
	}
}

func TestLocalityTree(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)

		g, err := db.Locality(ctx, "g1")
		require.NoError(t, err)
		require.Equal(t, "/county/s1/c_1/g1/", g.Path)
		require.Equal(t, "一号网格", g.Name, "Chinese text round-trips")

		s1, err := db.Locality(ctx, "s1")
		require.NoError(t, err)
		sub, err := db.Localities(ctx, s1.Path)
		require.NoError(t, err)
		require.Equal(t, []string{"s1", "c_1", "g1"}, ids(sub), "subtree of s1, parents first")

		_, err = db.Locality(ctx, "nope")
		require.ErrorIs(t, err, qilian.ErrNotFound)

		_, err = db.UpsertLocality(ctx, qilian.Locality{ID: "g2", ParentID: "s1", Level: qilian.LevelGrid, Name: "x"})
		require.ErrorIs(t, err, qilian.ErrInvalid, "a grid hangs under a community only")
		_, err = db.UpsertLocality(ctx, qilian.Locality{ID: "c_1", ParentID: "s2", Level: qilian.LevelCommunity, Name: "moved"})
		require.ErrorIs(t, err, qilian.ErrConflict, "nodes do not move between parents")
		_, err = db.UpsertLocality(ctx, qilian.Locality{ID: "c_1", ParentID: "s1", Level: qilian.LevelCommunity, Name: "东栅社区（新）"})
		require.NoError(t, err, "renaming in place is an update")
		c, err := db.Locality(ctx, "c_1")
		require.NoError(t, err)
		require.Equal(t, "东栅社区（新）", c.Name)
	})
}

func TestLikeWildcardsInIDsDoNotLeakAcrossSubtrees(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)
		// "c_1" as a LIKE pattern would also match "cX1"; escaping prevents it.
		_, err := db.UpsertLocality(ctx, qilian.Locality{ID: "cX1", ParentID: "s1", Level: qilian.LevelCommunity, Name: "x"})
		require.NoError(t, err)
		c, err := db.Locality(ctx, "c_1")
		require.NoError(t, err)
		sub, err := db.Localities(ctx, c.Path)
		require.NoError(t, err)
		require.Equal(t, []string{"c_1", "g1"}, ids(sub))
	})
}

func TestUsersAndTokens(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)
		require.NoError(t, db.UpsertUnit(ctx, qilian.Unit{ID: "u1", Name: "嘉兴市第一医院", Type: qilian.UnitHospital, LocalityID: "s1"}))
		err := db.UpsertUnit(ctx, qilian.Unit{ID: "u2", Name: "x", Type: "bakery", LocalityID: "mars"})
		var de *qilian.Error
		require.ErrorAs(t, err, &de)
		require.Equal(t, qilian.EINVALID, de.Code)
		require.Contains(t, de.Fields, "type")
		require.Contains(t, de.Fields, "locality_id")

		require.NoError(t, db.UpsertUser(ctx, qilian.User{ID: "staff", Name: "王医生", Role: qilian.RoleUnitStaff, UnitID: "u1"}))
		require.ErrorIs(t, db.UpsertUser(ctx, qilian.User{ID: "x", Name: "x", Role: qilian.RoleAxis}), qilian.ErrInvalid)

		plain, hash := qilian.NewToken()
		require.NotContains(t, hash, plain)
		require.NoError(t, db.AddToken(ctx, qilian.Token{ID: "t1", UserID: "staff", Hash: hash, Label: "phone"}))
		u, err := db.Authenticate(ctx, qilian.HashToken(plain))
		require.NoError(t, err)
		require.Equal(t, "王医生", u.Name)
		require.Equal(t, "u1", u.UnitID)

		_, err = db.Authenticate(ctx, qilian.HashToken(plain+"x"))
		require.ErrorIs(t, err, qilian.ErrUnauthorized)

		// Re-issuing the same token ID replaces it: the old secret stops working.
		plain2, hash2 := qilian.NewToken()
		require.NoError(t, db.AddToken(ctx, qilian.Token{ID: "t1", UserID: "staff", Hash: hash2}))
		_, err = db.Authenticate(ctx, qilian.HashToken(plain))
		require.ErrorIs(t, err, qilian.ErrUnauthorized)
		toks, err := db.Tokens(ctx, "staff")
		require.NoError(t, err)
		require.Len(t, toks, 1)

		require.NoError(t, db.RevokeToken(ctx, "t1", time.Now()))
		_, err = db.Authenticate(ctx, qilian.HashToken(plain2))
		require.ErrorIs(t, err, qilian.ErrUnauthorized)
		require.ErrorIs(t, db.RevokeToken(ctx, "nope", time.Now()), qilian.ErrNotFound)
	})
}

func ids(ls []qilian.Locality) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

// PostgreSQL cannot keep a NUL byte in text. The API refuses control
// characters before they get here; should one slip through another way,
// the read model answers bad input, not an internal error.
func TestPostgresNULIsInvalidInput(t *testing.T) {
	db := storagetest.Open(t, "postgres")
	seedTree(t, db)
	_, err := db.UpsertLocality(context.Background(), qilian.Locality{ID: "c_1", ParentID: "s1", Level: qilian.LevelCommunity, Name: "东栅\x00社区"})
	require.ErrorIs(t, err, qilian.ErrInvalid)
	require.Equal(t, qilian.EINVALID, qilian.ErrorCode(err))
}
