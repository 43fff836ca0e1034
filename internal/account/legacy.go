package account

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"strings"
)

// upushyPrefix marks a password hash imported from upushy-server. upushy's
// admin panel sent md5(password) as lowercase hex, and the server stored
// argon2.hash(thatHex) of the argon2 npm package with its default options:
// a PHC string with m=4096,t=3,p=1, 16 bytes of salt and a 32-byte hash.
// The variant is argon2id for the argon2 releases 0.26 to 0.29, which
// upushy-server used from its August 2020 history on through 0.6 (^0.26.2
// to ^0.28.7), and argon2i for releases before 0.26, so for accounts made by
// older installations. (argon2 0.30 changed the defaults to m=65536,p=4; no
// upushy release used it, but such a string verifies as well: the
// parameters are read from it.) Hoist's own hashes are argon2id of the
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
