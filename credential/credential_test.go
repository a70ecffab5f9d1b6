package credential_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/credential"
)

func TestHashAndVerify(t *testing.T) {
	h := credential.Hash("correct horse battery")
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), h)
	require.NoError(t, credential.Verify(h, "correct horse battery"))
	require.ErrorIs(t, credential.Verify(h, "correct horse batterY"), credential.ErrMismatch)
	require.NotEqual(t, h, credential.Hash("correct horse battery"), "a fresh salt each time")
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$AA$AA", strings.Replace(h, "m=19456", "m=999999999", 1)} {
		require.ErrorIs(t, credential.Verify(bad, "correct horse battery"), credential.ErrMismatch, bad)
	}
}

func TestPolicy(t *testing.T) {
	require.Empty(t, credential.CheckPolicy("十个字的中文密码也行吧"))
	require.NotEmpty(t, credential.CheckPolicy("short"))
	require.NotEmpty(t, credential.CheckPolicy("           "))
	require.NotEmpty(t, credential.CheckPolicy(strings.Repeat("x", 129)))
	require.NotEmpty(t, credential.CheckPolicy("\xff\xfe invalid utf8"))
}
