package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 is OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane).
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// hashPassword returns a PHC-format argon2id hash:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(password string, p Argon2Params) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

var errBadHash = errors.New("account: unrecognised password hash")

// verifyPassword reports whether password matches a hash made by
// hashPassword (with any parameters), or an imported upushy hash (see
// UpushyPasswordHash), in constant time.
func verifyPassword(password, encoded string) (bool, error) {
	if inner, ok := strings.CutPrefix(encoded, upushyPrefix); ok {
		return verifyPHC(upushyDigest(password), inner, "argon2i", "argon2id")
	}
	return verifyPHC(password, encoded, "argon2id")
}

// verifyPHC verifies password against a PHC-format argon2 hash of one of
// the given variants (argon2i or argon2id, version 19).
func verifyPHC(password, encoded string, variants ...string) (bool, error) {
	variant, p, salt, want, err := parsePHC(encoded)
	if err != nil || !slices.Contains(variants, variant) {
		return false, errBadHash
	}
	var got []byte
	if variant == "argon2i" {
		got = argon2.Key([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	} else {
		got = argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// parsePHC splits $<variant>$v=19$m=..,t=..,p=..$<salt>$<hash>, refusing
// versions other than 19 and parameters beyond sane bounds.
func parsePHC(encoded string) (variant string, p Argon2Params, salt, hash []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return "", p, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return "", p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory == 0 || p.Memory > 1<<21 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return "", p, nil, nil, errBadHash
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return "", p, nil, nil, errBadHash
	}
	hash, err = base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(hash) < 16 || len(hash) > 64 {
		return "", p, nil, nil, errBadHash
	}
	return parts[1], p, salt, hash, nil
}
