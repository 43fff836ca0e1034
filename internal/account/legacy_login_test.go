package account_test

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// An imported upushy user logs in with their original password; the first
// successful login replaces the legacy hash with Hoist's own, which the next
// login uses. A wrong password changes nothing. Both variants upushy wrote:
// argon2id (upushy 0.6: the argon2 package 0.26-0.28) and argon2i (older
// installations), each with m=4096,t=3,p=1.
func TestLoginUpgradesAnImportedUpushyHash(t *testing.T) {
	for _, variant := range []string{"argon2id", "argon2i"} {
		t.Run(variant, func(t *testing.T) { testLegacyLogin(t, variant) })
	}
}

func testLegacyLogin(t *testing.T, variant string) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sum := md5.Sum([]byte("old upushy pw"))
		salt := []byte("0123456789abcdef")
		key := argon2.IDKey([]byte(hex.EncodeToString(sum[:])), salt, 3, 4096, 1, 32)
		if variant == "argon2i" {
			key = argon2.Key([]byte(hex.EncodeToString(sum[:])), salt, 3, 4096, 1, 32)
		}
		phc := fmt.Sprintf("$%s$v=19$m=4096,t=3,p=1$%s$%s", variant,
			base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
		legacy, err := account.UpushyPasswordHash(phc)
		if err != nil {
			t.Fatal(err)
		}
		created := time.Date(2021, 2, 28, 8, 46, 59, 0, time.UTC)
		u := account.User{ID: "392029975c32603c4480e4a3edbe5f7c", Username: "legacy", Role: account.RoleUser,
			PasswordHash: legacy, TokenVersion: 1, CreatedTime: created, UpdatedTime: created}
		if err := st.Accounts().CreateUser(ctx, &u, func(int64) error { return nil }); err != nil {
			t.Fatal(err)
		}
		svc := account.NewService(st.Accounts(), account.Options{Secret: []byte(strings.Repeat("k", 32)),
			AccessTTL: time.Minute, RefreshTTL: time.Hour}, time.Now, storetest.Logger())

		if _, err := svc.Login(ctx, "legacy", "old upushy pW", account.Client{}); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("wrong password: %v", err)
		}
		if got, _ := st.Accounts().UserByID(ctx, u.ID); got.PasswordHash != legacy {
			t.Fatal("a failed login changed the hash")
		}
		if _, err := svc.Login(ctx, "legacy", "old upushy pw", account.Client{}); err != nil {
			t.Fatalf("original password: %v", err)
		}
		got, err := st.Accounts().UserByID(ctx, u.ID)
		if err != nil || !strings.HasPrefix(got.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") || got.TokenVersion != 1 {
			t.Fatalf("after login: %q v%d %v", got.PasswordHash, got.TokenVersion, err)
		}
		if _, err := svc.Login(ctx, "legacy", "old upushy pw", account.Client{}); err != nil {
			t.Fatalf("login with the upgraded hash: %v", err)
		}
	})
}
