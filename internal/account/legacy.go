package account

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"strings"
)

// upushyPrefix marks a password hash imported from upushy-server. upushy's
// admin panel sent md5(password) as lowercase hex, and the server stored
// argon2.hash(thatHex) from the argon2 npm package: a PHC string,
// $argon2i$v=19$m=4096,t=3,p=1$... with that package's defaults before
// v0.30, $argon2id$... after. Hoist's own hashes are argon2id of the
// password itself, so the two cannot be told apart without the mark.
const upushyPrefix = "upushy-md5:"

// UpushyPasswordHash returns the form in which Hoist stores a password hash
// imported from upushy, so that the user keeps their password: login
// verifies md5(password) against it and then re-hashes the password with
// Hoist's own scheme. It fails with an error when phc is not an argon2i or
// argon2id PHC string (version 19) that Hoist can verify; such a user
// cannot be imported with a password.
func UpushyPasswordHash(phc string) (string, error) {
	variant, _, _, _, err := parsePHC(phc)
	if err != nil || (variant != "argon2i" && variant != "argon2id") {
		return "", errBadHash
	}
	return upushyPrefix + phc, nil
}

// upushyDigest is what upushy's panel sent instead of the password.
func upushyDigest(password string) string {
	sum := md5.Sum([]byte(password))
	return hex.EncodeToString(sum[:])
}

// isLegacyHash reports whether a stored hash should be replaced by Hoist's
// own at the next successful login.
func isLegacyHash(encoded string) bool { return strings.HasPrefix(encoded, upushyPrefix) }

// upgradeHash replaces u's legacy hash with Hoist's own hash of password,
// which has just been verified against it. It changes nothing when the hash
// was replaced meanwhile (a concurrent login or password change). A failure
// is logged, not returned: the login stands either way.
func (s *Service) upgradeHash(ctx context.Context, u User, password string) {
	_, err := s.store.UpdateUser(ctx, u.ID, func(cur *User, _ int64) error {
		if cur.PasswordHash == u.PasswordHash {
			cur.PasswordHash = hashPassword(password, s.opts.Argon2)
			cur.UpdatedTime = s.now().UTC()
		}
		return nil
	})
	if err != nil {
		s.log.ErrorContext(ctx, "re-hashing an imported password failed", "userId", u.ID, "error", err)
	}
}
